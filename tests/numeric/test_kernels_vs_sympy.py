"""Fast numeric code against the lambdified SymPy statements of derivations.duals.

numeric.activations' closed-form duals and derivative duals, and numeric.kernels'
NNGP/NTK (against the kernel recursion iterated with the lambdified duals), must
agree with the expressions the dual claims derive, to float64 rounding.
"""
import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import duals
from derivations.gaussian import k11, k12, k22
from numeric import activations, kernels

SLOPES = {"relu": (0, 1), "abs": (-1, 1), "leaky_relu": (sp.Rational(1, 10), 1)}
CLOSED = ("step", "relu", "abs", "leaky_relu", "erf", "sin", "cos", "identity", "quadratic", "exp")
RTOL = 1e-12
EPS = np.finfo(float).eps


_CLIPPED = {"acos": lambda x: mpmath.acos(max(-1, min(1, x))), "asin": lambda x: mpmath.asin(max(-1, min(1, x)))}


def _sympy_dual(name: str, prime: bool):
    """The closed form of E[sigma sigma] (prime: E[sigma' sigma']) as a vectorised f(k11, k22, k12).

    Evaluated elementwise with 30-digit mpmath: in float64 the formulas themselves lose
    half the digits next to c = +-1 (sqrt(1 - c^2) against arccos c), so only a precise
    evaluation is a reference for the library's float64 code.
    """
    forms = duals.DERIVATIVE_DUAL if prime else duals.CLOSED_FORM
    expr = forms["abrelu"].subs(dict(zip((duals.a, duals.b), SLOPES[name]))) if name in SLOPES else forms[name]
    return _mp_vectorised(expr)


def _mp_vectorised(expr):
    f = sp.lambdify((k11, k22, k12), expr, modules=[_CLIPPED, "mpmath"])

    def scalar(a, b, c):
        with mpmath.workdps(30):
            a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
            bound = mpmath.sqrt(a * b)
            return float(mpmath.re(f(a, b, max(-bound, min(bound, c)))))

    return np.vectorize(scalar, otypes=[float])


def _covariances():
    """A grid of variances in [0.05, 3] and correlations in [-1, 1], edges included."""
    var = np.array([0.05, 0.3, 1.0, 3.0])
    corr = np.array([-1.0, -0.999, -0.6, 0.0, 0.25, 0.8, 0.999, 1.0])
    a, b, c = np.meshgrid(var, var, corr, indexing="ij")
    return a.ravel(), b.ravel(), (c * np.sqrt(a * b)).ravel()


def _close(actual, expected, scale):
    """|actual - expected| <= RTOL x scale entry by entry (scale: the dual's natural size)."""
    gap = np.abs(np.asarray(actual) - expected)
    assert np.all(gap <= RTOL * scale), f"largest gap/scale {np.max(gap / scale):.3g}"


def _close_to_dual(actual, dual, cov, scale):
    """As :func:`_close`, allowing also the dual's own change under a 4-ulp change of k12.

    The library computes c = k12/sqrt(k11 k22) in float64; next to c = +-1 the step and
    arc-cosine duals change like sqrt(1 - c^2), so an ulp of c moves them by ~1e-8.
    """
    expected = dual(*cov)
    k11_, k22_, k12_ = cov
    wiggle = np.maximum(*(np.abs(dual(k11_, k22_, k12_ * (1 + s * 4 * EPS)) - expected) for s in (1, -1)))
    gap = np.abs(np.asarray(actual) - expected)
    assert np.all(gap <= RTOL * scale + wiggle), f"largest gap/scale {np.max(gap / scale):.3g}"


@pytest.mark.parametrize("name", CLOSED)
def test_closed_form_duals_match_the_statement(name):
    act = activations.get(name)
    cov = _covariances()
    dual, dual_deriv = act.duals(*cov)
    scale = np.sqrt(np.abs(act.duals(cov[0], cov[0], cov[0])[0] * act.duals(cov[1], cov[1], cov[1])[0]))
    _close_to_dual(dual, _sympy_dual(name, False), cov, scale)
    if name != "step":  # the library's step' is 0 (what backpropagation sees), not delta
        scale = np.sqrt(np.abs(act.duals(cov[0], cov[0], cov[0])[1] * act.duals(cov[1], cov[1], cov[1])[1]))
        _close_to_dual(dual_deriv, _sympy_dual(name, True), cov, scale)


@pytest.mark.parametrize("a_,b_", [(0.3, -1.2), (2.0, 0.5), (-0.7, -0.7)])
def test_abrelu_duals_match_the_statement_at_other_slopes(a_, b_):
    act = activations.abrelu(a_, b_)
    cov = _covariances()
    for forms, value in ((duals.CLOSED_FORM, act.duals(*cov)[0]), (duals.DERIVATIVE_DUAL, act.duals(*cov)[1])):
        expr = forms["abrelu"].subs({duals.a: a_, duals.b: b_})
        _close_to_dual(value, _mp_vectorised(expr), cov, np.abs(value).max())


def _reference(x1, x2, depth, name, weight_std, bias_std):
    """NNGP and NTK by the kernel recursion, whole matrices at once, with the SymPy duals."""
    dual, dual_deriv = _sympy_dual(name, False), _sympy_dual(name, True)
    w, b = weight_std**2, bias_std**2
    n0 = x1.shape[1]
    d1 = w * np.sum(x1 * x1, axis=1) / n0 + b
    d2 = w * np.sum(x2 * x2, axis=1) / n0 + b
    sigma = w * x1 @ x2.T / n0 + b
    theta = sigma.copy()
    for _ in range(depth - 1):
        k1, k2 = d1[:, None], d2[None, :]
        sigma, theta = w * dual(k1, k2, sigma) + b, w * dual(k1, k2, sigma) + b + w * dual_deriv(k1, k2, sigma) * theta
        d1, d2 = w * dual(d1, d1, d1) + b, w * dual(d2, d2, d2) + b
    return sigma, theta


@pytest.mark.parametrize("name", ["relu", "abs", "leaky_relu", "erf", "sin", "cos", "identity"])
@pytest.mark.parametrize("depth", [1, 2, 3, 5])
def test_kernels_match_the_recursion_of_the_lambdified_duals(name, depth):
    rng = np.random.default_rng(depth)
    x1, x2 = rng.standard_normal((6, 3)), rng.standard_normal((4, 3))
    x2[0] = x1[0]  # a perfectly correlated pair (c = 1)
    x2[1] = -x1[1]  # and an anti-correlated one (c = -1 at depth 1)
    weight_std, bias_std = (1.3, 0.2) if name != "sin" else (0.9, 0.0)
    nngp, ntk = kernels.nngp_and_ntk(x1, x2, depth=depth, activation=name,
                                     weight_std=weight_std, bias_std=bias_std)
    sigma, theta = _reference(x1, x2, depth, name, weight_std, bias_std)
    _close(nngp, sigma, np.abs(sigma).max())
    _close(ntk, theta, np.abs(theta).max())


def test_symmetric_path_matches_the_reference():
    x = np.random.default_rng(7).standard_normal((9, 4))
    nngp, ntk = kernels.nngp_and_ntk(x, depth=4, activation="erf", weight_std=1.5, bias_std=0.1)
    sigma, theta = _reference(x, x, 4, "erf", 1.5, 0.1)
    _close(nngp, sigma, np.abs(sigma).max())
    _close(ntk, theta, np.abs(theta).max())
