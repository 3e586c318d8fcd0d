"""The NTK of a one-hidden-layer ReLU network: the readout's kernel plus the first layer's.

For f(x) = a relu(w.x) per neuron, a ~ N(0, 1) and w ~ N(0, I) independent, the tangent
kernel is a sum over the two parameter blocks: relu(u) relu(v) + a^2 (x.x') step(u) step(v),
u = w.x, v = w.x'.  In expectation, by Price's theorem E[step step] = d/dk12 of the ReLU dual J
(dual.relu), so Theta = J + k12 dJ/dk12 = sqrt(k11 k22)(sin t + 2 (pi - t) cos t) / (2 pi)
(Jacot, Gabriel & Hongler, Neural Tangent Kernel, 2018; Cho & Saul, 2009).
"""
import numpy as np
import sympy as sp

from derivations.duals import RELU
from derivations.gaussian import price_theorem
from verify.authoring import (Derivation, Domain, Justification, Quantity, Step, claim, gaussian_pair_check,
                              identity, k11, k12, k22, link, theta)

R, sin, cos = sp.sqrt(k11 * k22) / (2 * sp.pi), sp.sin(theta), sp.cos(theta)
NTK = R * (sin + 2 * (sp.pi - theta) * cos)
STATEMENT = identity("ntk", Quantity("Theta(x, x')", r"\Theta(x, x')"), NTK)
a, t, w1, w2, x1, x2, y1, y2 = sp.symbols("a t w1 w2 x1 x2 y1 y2", real=True)
sigma = sp.Function("sigma")


def derive(statement):
    w, x, y = sp.Matrix([w1, w2]), sp.Matrix([x1, x2]), sp.Matrix([y1, y2])
    grad = lambda point: sp.Matrix([a * sigma(w.dot(point))]).jacobian([a, w1, w2])
    prime = lambda p: sp.Subs(sp.Derivative(sigma(t), t), t, p)
    u, v = w.dot(x), w.dot(y)
    tangent = Step("One neuron's tangent kernel: the readout's block plus the first layer's (gradients by SymPy)",
                   sp.expand((grad(x) * grad(y).T)[0]), sigma(u) * sigma(v) + a**2 * x.dot(y) * prime(u) * prime(v),
                   Justification.DIFFERENTIATE, domain=Domain({s: sp.Interval(-sp.oo, sp.oo) for s in (a, *w, *x, *y)}))
    limit = link(r"With $\mathbb{E}[a^2] = 1$ and Price's theorem, $\Theta = J + k_{12}\,\partial_{k_{12}} J$",
                 statement.rhs.rewrite(sp.asin), "dual.relu", RELU, "relu",
                 rhs=(RELU["relu"].rhs + k12 * sp.diff(RELU["relu"].rhs, k12)).rewrite(sp.asin))
    return Derivation((tangent,) + price_theorem() + (limit,), "The ReLU dual and its derivative give the NTK.")


def tangent_kernel(u, v, k12):
    """relu(u) relu(v) + (x.x') step(u) step(v): one neuron's tangent kernel with a^2 averaged."""
    return np.maximum(u, 0) * np.maximum(v, 0) + k12 * (u > 0) * (v > 0)


CLAIMS = (claim(
    "example.relu_ntk", "The NTK of a one-hidden-layer ReLU network in closed form",
    "Jacot, Gabriel & Hongler, Neural Tangent Kernel, 2018", STATEMENT, derive,
    gaussian_pair_check("ntk", tangent_kernel, scale_of=lambda z: np.maximum(z, 0)),
    mutants={
        "readout-only": ("the first layer's block dropped: the NNGP J", RELU["relu"].rhs),
        "theta-for-pi-minus-theta": ("(pi - t) -> t", R * (sin + 2 * theta * cos)),
        "sin-doubled": ("2 sin t instead of sin t", R * (2 * sin + 2 * (sp.pi - theta) * cos)),
        "constant-5pct": ("a 5% larger constant", sp.Rational(21, 20) * NTK),
    }),)
