"""The rectified quadratic relu(z)^2: its dual is Cho & Saul's arc-cosine kernel of order 2.

E[relu(u)^2 relu(v)^2] = k11 k22 / (2 pi) (3 sin t cos t + (pi - t)(1 + 2 cos^2 t)), t = arccos c
(Cho & Saul, Kernel methods for deep learning, 2009).  Derived by Price's theorem: its
derivative in k12 is E[sigma'(u) sigma'(v)] = 4 E[relu(u) relu(v)], the ReLU dual (dual.relu),
and at k12 = 0 the pair is independent.  Run: python -m verify run --claims examples.relu_squared 'example.*'
"""
import numpy as np
import sympy as sp

from derivations.duals import RELU, price_derivation
from numeric import activations
from verify.authoring import (Derivation, Domain, Justification, Quantity, Step, claim, gaussian_pair_check,
                              identity, k11, k12, k22, link, theta, z)

SIGMA = z**2 * sp.Heaviside(z)
R, sin, cos = k11 * k22 / (2 * sp.pi), sp.sin(theta), sp.cos(theta)
DUAL = R * (3 * sin * cos + (sp.pi - theta) * (1 + 2 * cos**2))
STATEMENT = identity("relu2", Quantity("E[relu2(u) relu2(v)]", r"\mathbb{E}[\mathrm{relu}^2(u)\,\mathrm{relu}^2(v)]"), DUAL)
RELU2 = activations.custom("relu2", lambda x: np.maximum(x, 0) ** 2, lambda x: 2 * np.maximum(x, 0),
                           kink_at_zero=True)


def derive(statement):
    dual = statement.rhs
    prime = sp.diff(SIGMA, z).replace(sp.DiracDelta, lambda *args: 0)  # z^2 delta(z) = 0
    slope = Step(r"$\sigma' = 2\,\mathrm{relu}$ (differentiated by SymPy)", prime, 2 * z * sp.Heaviside(z),
                 Justification.DIFFERENTIATE, domain=Domain({z: sp.Interval(-sp.oo, sp.oo)}))
    ode = link(r"$\partial_{k_{12}}$ of the closed form is $\mathbb{E}[\sigma'\sigma'] = 4\,\mathbb{E}[\mathrm{relu}\,\mathrm{relu}]$",
               sp.diff(dual, k12).rewrite(sp.asin), "dual.relu", RELU, "relu",
               rhs=(4 * RELU["relu"].rhs).rewrite(sp.asin))
    return Derivation((slope,) + price_derivation(dual, SIGMA, ode),
                      "The ODE in k12 and the value at k12 = 0 determine the dual.")


CLAIMS = (claim(
    "example.relu_squared", "The dual of relu^2: the arc-cosine kernel of order 2",
    "Cho & Saul, Kernel methods for deep learning, 2009", STATEMENT, derive,
    gaussian_pair_check("relu2", lambda u, v: RELU2.fn(u) * RELU2.fn(v), scale_of=RELU2.fn, hi=4.0),
    mutants={
        "order-1-coefficient": ("3 sin t cos t -> sin t cos t", R * (sin * cos + (sp.pi - theta) * (1 + 2 * cos**2))),
        "cos-squared-once": ("1 + 2 cos^2 t -> 1 + cos^2 t", R * (3 * sin * cos + (sp.pi - theta) * (1 + cos**2))),
        "over-pi": ("k11 k22 / pi instead of / (2 pi)", 2 * DUAL),
        "constant-5pct": ("a 5% larger constant", sp.Rational(21, 20) * DUAL),
    }),)
