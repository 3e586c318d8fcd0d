"""Kernels on the sphere: Σ^L and Θ^L iterated in c = x·x'/n0, and their strict positive
definiteness for non-polynomial σ (kernel.positive_definite; Mehler, Schoenberg)."""
from __future__ import annotations

import functools

import sympy as sp

from ..core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited
from ..gaussian import COVARIANCE, c, k11, k12, k22, z
from .recursion import _RECURSION_DOMAIN, _dual_steps, dual_relations, layer_relations
from .setting import ACTIVATIONS, E, ED, L, Q, SIGMA_DOT, SIGMA_NEXT, THETA, _step


def sphere_kernels(statement: Statement, name: str, depth: int) -> tuple[sp.Expr, sp.Expr]:
    """(Σ^L, Θ^L) at x·x'/n0 = c, |x|² = |x'|² = n0, by iterating the statement's relations."""
    maps = int(statement["maps"].rhs.subs(L, depth))
    sigma_d = statement["sigma1"].rhs.subs(Q, 1)
    sigma_c = statement["sigma1"].rhs.subs(Q, c)
    theta_c = statement["theta1"].rhs.subs(Q, c)
    dual, dual_prime = statement[f"dual[{name}]"].rhs, statement[f"dual'[{name}]"].rhs
    for _ in range(maps):
        at = {k11: sigma_d, k22: sigma_d, k12: sigma_c}
        new_c = statement["sigma"].rhs.subs(E, dual.subs(at))
        dot_c = statement["sigma_dot"].rhs.subs(ED, dual_prime.subs(at))
        theta_c = statement["theta"].rhs.subs({SIGMA_NEXT: new_c, SIGMA_DOT: dot_c, THETA: theta_c})
        sigma_d = statement["sigma"].rhs.subs(E, dual.subs({k11: sigma_d, k22: sigma_d, k12: sigma_d}))
        sigma_c = new_c
    return sigma_c, theta_c


N_POINTS = sp.Symbol("N", integer=True, positive=True)
MIN_DEPTH = Quantity("L_min", r"L_{\min}")
_SPHERE = Domain({**_RECURSION_DOMAIN.intervals, c: sp.Interval.open(-1, 1),
                  N_POINTS: sp.Interval(1, 64)}, COVARIANCE.derived,
                 r"x \cdot x'/n_0 = c \in (-1, 1) \text{ on the sphere } |x|^2 = n_0")
_HERMITE_ORDER = 4


def _pd_statement(names) -> Statement:
    return Statement(
        layer_relations(ntk=True) + dual_relations(names, prime=True) + (
            Relation("rank", Quantity("rank Theta^L(X,X)", r"\operatorname{rank}\Theta^L(X, X)"), N_POINTS),
            Relation("min_depth", MIN_DEPTH, sp.Integer(2))),
        _SPHERE,
        r"$N$ distinct points on the sphere; $\sigma$ not a polynomial; $L \ge L_{\min}$",
    )


NON_POLYNOMIAL = ("relu", "erf")
POSITIVE_DEFINITE = _pd_statement(NON_POLYNOMIAL)


@functools.cache
def _hermite_coefficients(name: str) -> sp.Matrix:
    """E[σ(z) He_k(z)]²/k! = E[σ^{(k)}(z)]²/k! for z ~ N(0, 1), k ≤ _HERMITE_ORDER + 1.

    Gaussian integration by parts (Stein) moves He_k onto σ as k derivatives; SymPy
    differentiates (distributionally for ReLU) and integrates term by term against the
    standard normal density (exponentials combined first, which keeps erf's fast).
    """
    sigma = ACTIVATIONS[name].sigma
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    means = [sp.integrate(sp.powsimp(sp.expand(sp.diff(sigma, z, k) * phi)), (z, -sp.oo, sp.oo))
             for k in range(_HERMITE_ORDER + 2)]
    return sp.Matrix([m**2 / sp.factorial(k) for k, m in enumerate(means)])


def _mehler_steps(statement: Statement, name: str) -> tuple[Step, Step]:
    unit = statement[f"dual[{name}]"].rhs.subs({k11: 1, k22: 1, k12: c})
    series = sp.series(unit, c, 0, _HERMITE_ORDER + 2).removeO()
    coefficients = sp.Matrix([series.coeff(c, k) for k in range(_HERMITE_ORDER + 2)])
    hermite = _hermite_coefficients(name)
    return (
        _step(rf"Mehler: the Taylor coefficients of the {name} dual at unit variances are "
              r"$a_k = \mathbb{E}[\sigma(z)\mathrm{He}_k(z)]^2/k! = \mathbb{E}[\sigma^{(k)}(z)]^2/k! \ge 0$ "
              rf"(SymPy expands the dual, differentiates $\sigma$ and integrates, $k \le {_HERMITE_ORDER + 1}$)",
              coefficients, hermite, Justification.INTEGRATE, statement.domain),
        _step(rf"Not a polynomial: $a_{{{_HERMITE_ORDER}}} + a_{{{_HERMITE_ORDER + 1}}} > 0$ (a polynomial "
              r"$\sigma$ of degree $p$ has $a_k = 0$ for $k > p$; the Hermite coefficients of a "
              r"non-polynomial $\sigma$ never all vanish beyond any order)",
              coefficients[_HERMITE_ORDER] + coefficients[_HERMITE_ORDER + 1], sp.Integer(0),
              Justification.ALGEBRA, statement.domain, op=">"),
    )


def derive_positive_definite(statement: Statement) -> Derivation:
    """Infinitely many positive Taylor coefficients (Mehler) and depth ≥ 2 ⇒ strictly PD."""
    names = [r.name[5:-1] for r in statement.relations if r.name.startswith("dual[")]
    steps = tuple(s for name in names for s in _mehler_steps(statement, name))
    depth = int(statement["min_depth"].rhs)
    depth_steps = []
    for name in names:
        sigma = sphere_kernels(statement, name, depth)[0]
        curvature = sum(sp.diff(sigma, c, k).subs(c, 0) for k in (2, 3))
        depth_steps.append(_step(
            rf"At depth $L_{{\min}} = {depth}$ the {name} NNGP on the sphere is not affine in $c$: its "
            r"Taylor coefficients of order 2 and 3 at $c = 0$ (non-negative by Mehler) do not both "
            r"vanish (SymPy iterates the statement's layer maps and differentiates), unlike "
            r"$\Sigma^1 = \Theta^1 = \sigma_w^2 c + \sigma_b^2$, whose Gram matrix has rank $\le n_0 + 1$",
            curvature, sp.Integer(0), Justification.DIFFERENTIATE, statement.domain, op=">"))
    schoenberg = cited(
        r"Schoenberg: a dot-product kernel $\sum_k b_k c^k$ on the sphere with $b_k \ge 0$ and infinitely "
        r"many $b_k > 0$ is strictly positive definite, so the Gram matrix of $N$ distinct points "
        r"has rank $N$ (with $\Theta^L \succeq \Sigma^L$ by the Schur product theorem)",
        statement["rank"].lhs, statement["rank"].rhs,
        "Schoenberg, Positive Definite Functions on Spheres, 1942; Gneiting, Strictly and Non-Strictly "
        "Positive Definite Functions on Spheres, 2013; Jacot, Gabriel & Hongler, Neural Tangent Kernel, "
        "2018, Prop. 2", domain=statement.domain)
    return Derivation(
        _dual_steps(statement) + steps + tuple(depth_steps) + (schoenberg,),
        r"For $L \ge 2$, $\Sigma^L(c) = \sigma_w^2\sum_k a_k (\cdot)^k + \sigma_b^2$ composed with "
        r"$\Sigma^{L-1}$ has non-negative Taylor coefficients in $c$, infinitely many positive; such a "
        r"dot-product kernel is strictly positive definite on the sphere (Schoenberg 1942; Gneiting "
        r"2013), and $\Theta^L = \Sigma^L + \sigma_w^2\dot\Sigma^L\odot\Theta^{L-1} \succeq \Sigma^L$ "
        r"by the Schur product theorem (Jacot et al. 2018, Prop. 2). Hence $\lambda_{\min} > 0$ and "
        r"the Gram matrix of $N$ distinct points has rank $N$.",
    )


