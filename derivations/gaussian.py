"""The centred bivariate Gaussian in SymPy, and the integrals the dual kernels need.

(u, v) ~ N(0, [[k11, k12], [k12, k22]]) with k11, k22 > 0 and |k12| <= sqrt(k11 k22).
The domain is parameterised by the correlation c = k12 / sqrt(k11 k22) in [-1, 1],
so the edges c = +-1 (degenerate covariances) are sampled exactly.

Price's theorem (R. Price, "A useful theorem for nonlinear devices having Gaussian
inputs", 1958) rests on the identity d p / d k12 = d^2 p / (du dv) for the density p,
which :func:`price_identity` states as a step for SymPy to prove; integrating by
parts twice then moves the two derivatives onto sigma(u) sigma(v), which
:func:`price_theorem` cites (SymPy does not integrate by parts against a generic sigma).
"""
from __future__ import annotations

import functools

import sympy as sp

from .core import Domain, Justification, Quantity, Step, cited

__all__ = ["k11", "k22", "k12", "c", "u", "v", "z", "theta", "COVARIANCE",
           "density", "mean", "expect_pair", "gaussian_pair_integral", "price_identity",
           "price_theorem", "reflection_step", "PRICE_REFERENCE"]

k11, k22 = sp.symbols("k_11 k_22", positive=True)
k12 = sp.Symbol("k_12", real=True)
c = sp.Symbol("c", real=True)
u, v, z = sp.symbols("u v z", real=True)

theta = sp.acos(k12 / sp.sqrt(k11 * k22))
"""The angle between the two inputs: theta = arccos c."""

COVARIANCE = Domain(
    intervals={k11: sp.Interval.open(0, sp.oo), k22: sp.Interval.open(0, sp.oo),
               c: sp.Interval(-1, 1)},
    derived={k12: c * sp.sqrt(k11 * k22)},
    description=r"k_{11}, k_{22} > 0,\ |k_{12}| \le \sqrt{k_{11} k_{22}}",
)


def density(x=u, y=v):
    """The density p(x, y) of N(0, [[k11, k12], [k12, k22]]) (non-degenerate case)."""
    det = k11 * k22 - k12**2
    quad = (k22 * x**2 - 2 * k12 * x * y + k11 * y**2) / det
    return sp.exp(-quad / 2) / (2 * sp.pi * sp.sqrt(det))


_VARIANCE = sp.Symbol("w", positive=True)


@functools.cache
def _mean(sigma):
    phi = sp.exp(-z**2 / (2 * _VARIANCE)) / sp.sqrt(2 * sp.pi * _VARIANCE)
    return sp.simplify(sp.integrate(sigma * phi, (z, -sp.oo, sp.oo)))


def mean(sigma, var):
    """E[sigma(z)] for z ~ N(0, var); ``sigma`` is an expression in z.

    SymPy integrates once per sigma, for a generic positive variance that ``var`` then
    replaces.
    """
    return _mean(sigma).subs(_VARIANCE, var)


def expect_pair(f, g):
    """E[f(u) g(v)] integrated by SymPy against :func:`density` (f, g expressions in z).

    Works where SymPy can do the double integral, e.g. when f and g are Dirac deltas.
    """
    inner = sp.integrate(f.subs(z, u) * g.subs(z, v) * density(), (u, -sp.oo, sp.oo))
    return sp.simplify(sp.integrate(inner, (v, -sp.oo, sp.oo)))


@functools.cache
def gaussian_pair_integral(f, g):
    """E[f(u) g(v)] for f, g of the form C exp(quadratic in z), integrated by SymPy.

    (u, v) is written through independent standard normals (alpha, beta):
    u = sqrt(k11) alpha, v = sqrt(k22) (c alpha + s beta), s = sqrt(1 - c^2) > 0.  Each
    one-dimensional integrand is gathered into a single exponential of a quadratic
    whose coefficients are factored, the form in which SymPy's ``integrate`` recognises
    a Gaussian integral with a negative leading coefficient; then s is put back.  The
    result is in (k11, k22, c); c = +-1 follows by continuity.
    """
    alpha, beta = sp.symbols("alpha beta", real=True)
    s = sp.Symbol("s", positive=True)
    phi = [sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi) for x in (alpha, beta)]
    inner = _gaussian_integral(g.subs(z, sp.sqrt(k22) * (c * alpha + s * beta)) * phi[1], beta)
    outer = _gaussian_integral(sp.simplify(inner) * f.subs(z, sp.sqrt(k11) * alpha) * phi[0], alpha)
    return sp.simplify(outer.subs(s, sp.sqrt(1 - c**2)))


def _gaussian_integral(expr, x):
    """The integral over the real line of C(params) exp(A x^2 + B x + C0), by SymPy."""
    gathered = sp.powsimp(sp.expand(expr), combine="exp")
    constant, dependent = gathered.as_independent(x, as_Add=False)
    if not isinstance(dependent, sp.exp):
        raise ValueError(f"expr={expr}: expected C exp(quadratic in {x}) for a Gaussian integral")
    poly = sp.Poly(sp.expand(dependent.args[0]), x)
    if poly.degree() > 2:
        raise ValueError(f"expr={expr}: the exponent is of degree {poly.degree()} in {x}, not 2")
    exponent = sum(sp.factor(poly.coeff_monomial(x**k)) * x**k for k in range(3))
    return constant * sp.integrate(sp.exp(exponent), (x, -sp.oo, sp.oo), conds="none", manual=True)


_PLANE = Domain(
    intervals={k11: sp.Interval.open(0, sp.oo), k22: sp.Interval.open(0, sp.oo),
               c: sp.Interval.open(-1, 1), u: sp.Interval(-sp.oo, sp.oo), v: sp.Interval(-sp.oo, sp.oo)},
    derived={k12: c * sp.sqrt(k11 * k22)},
)
"""Non-degenerate covariances and every point (u, v) of the plane: where the density lives."""


def price_identity() -> Step:
    """The heat-equation identity behind Price's theorem, for SymPy to prove."""
    p = density()
    return Step(
        r"The Gaussian density satisfies $\partial p/\partial k_{12} = \partial^2 p/\partial u\,\partial v$ "
        r"(both sides differentiated by SymPy)",
        sp.diff(p, k12), sp.diff(p, u, v), Justification.DIFFERENTIATE,
        domain=_PLANE,
    )


PRICE_REFERENCE = "Price, A useful theorem for nonlinear devices having Gaussian inputs, 1958"


def price_theorem() -> tuple[Step, Step]:
    """Price's theorem d/dk12 E[sigma(u) sigma(v)] = E[sigma'(u) sigma'(v)] as two steps.

    The density identity is proved by SymPy (:func:`price_identity`); the two
    integrations by parts against sigma (boundary terms vanish for sigma of polynomial
    growth, sigma' taken in the sense of distributions) are cited: SymPy does not
    integrate by parts against a generic function.
    """
    both = Quantity("E[sigma(u)sigma(v)]", r"\mathbb{E}[\sigma(u)\sigma(v)]")
    primes = Quantity("E[sigma'(u)sigma'(v)]", r"\mathbb{E}[\sigma'(u)\sigma'(v)]")
    parts = cited(
        r"Integrating $\sigma(u)\sigma(v)\,\partial_u\partial_v p$ by parts twice (boundary terms "
        r"vanish for $\sigma$ of polynomial growth; $\sigma'$ in the sense of distributions) turns the "
        r"density identity into Price's theorem",
        sp.Derivative(both, k12), primes, PRICE_REFERENCE,
    )
    return price_identity(), parts


def reflection_step() -> Step:
    """(s u, t v) for signs s, t has the density of (u, v) with k12 replaced by s t k12."""
    signs = [(s, t) for s in (1, -1) for t in (1, -1)]
    p = density()
    return Step(
        r"Reflections: the density of $(su, tv)$, $s, t = \pm 1$, is that of $(u, v)$ with "
        r"$k_{12} \to st\,k_{12}$ (each of the four substituted and compared by SymPy)",
        sp.Matrix([density(s * u, t * v) for s, t in signs]),
        sp.Matrix([p.subs(k12, s * t * k12) for s, t in signs]),
        Justification.SUBSTITUTE,
        domain=_PLANE,
    )
