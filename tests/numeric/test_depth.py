"""Depth scales and Hermite coefficients against an independent 30-digit mpmath computation.

The references integrate the Gaussian expectations with mpmath's tanh-sinh quadrature
(30 digits; split at 0 so kinks are endpoints) or evaluate the textbook closed forms in
mpmath, and solve the fixed-point equations with mpmath.findroot. Tolerance: 1e-10
relative (q*, χ₁, χ_c, χ_q; c* absolute, as it may be 0; Hermite coefficients relative
to the L² norm √E[σ²] of σ(√q z), since single coefficients may vanish). ξ = −1/ln χ
inherits χ's relative error amplified by 1/|ln χ| (its condition number), which the
test allows for.
"""
import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from numeric import activations, depth, hermite

RTOL = 1e-10
MP = {
    "relu": lambda x: max(x, 0), "abs": abs, "leaky_relu": lambda x: x if x > 0 else x / 10,
    "step": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0), "erf": mp.erf, "tanh": mp.tanh,
    "sin": mp.sin, "cos": mp.cos, "identity": lambda x: x, "quadratic": lambda x: x * x,
    "exp": mp.exp, "gelu": lambda x: x * mp.ncdf(x), "softplus": lambda x: mp.log1p(mp.exp(x)),
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)), "swish": lambda x: x / (1 + mp.exp(-x)),
}
MP_DERIV = {
    "relu": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0), "tanh": lambda x: 1 - mp.tanh(x) ** 2,
    "erf": lambda x: 2 / mp.sqrt(mp.pi) * mp.exp(-x * x), "sin": mp.cos,
    "sigmoid": lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2, "abs": lambda x: mp.sign(x) if x else mp.mpf(-1),
}


def _gauss(f):
    """E[f(z)], z ~ N(0, 1), to 30 digits."""
    return mp.quad(lambda z: f(z) * mp.npdf(z), [-mp.inf, -6, -2, 0, 2, 6, mp.inf])


def _he(k, z):
    return mp.hermite(k, z / mp.sqrt(2)) * mp.mpf(2) ** (-mp.mpf(k) / 2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(MP)), q=st.floats(0.05, 12.0), k=st.integers(0, 40))
def test_hermite_coefficients_match_mpmath(name, q, k):
    with mp.workdps(30):
        s = mp.sqrt(q)
        ref = _gauss(lambda z: MP[name](s * z) * _he(k, z)) / mp.sqrt(mp.factorial(k))
        norm = mp.sqrt(_gauss(lambda z: MP[name](s * z) ** 2))
    got = hermite.coefficients(name, k + 1, variance=q)[k]
    assert abs(got - float(ref)) <= RTOL * float(norm)


def test_mehler_series_reproduces_the_relu_dual():
    a = hermite.coefficients("relu", 4000)
    rho = np.array([-0.9, -0.3, 0.0, 0.5, 0.9])
    dual = activations.get("relu").dual(1.0, 1.0, rho)
    tail = np.sum(a[-1000:] ** 2) * 1000  # bound of the truncated tail at |ρ| ≤ 1 (a_k² ~ k^{-5/2})
    assert np.all(np.abs(hermite.dual_series(a, rho) - dual) <= tail)
    deriv = hermite.derivative_coefficients(hermite.coefficients("erf", 60))
    np.testing.assert_allclose(hermite.dual_series(deriv, rho), activations.get("erf").dual_deriv(1.0, 1.0, rho),
                               rtol=1e-13)


def test_evaluate_sums_the_basis():
    a = hermite.coefficients("exp", 30)
    z = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(hermite.evaluate(a, z), np.exp(z), rtol=1e-12)
    np.testing.assert_allclose(hermite.evaluate(a, z), a @ hermite.basis(z, 30), rtol=1e-13)


# ---------------------------------------------------------------- depth scales

def _mp_dual(name, q, c):
    """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]) at variance q and correlation c, in mpmath."""
    if name == "relu":
        theta = mp.acos(c)
        return q * (mp.sqrt(1 - c * c) + (mp.pi - theta) * c) / (2 * mp.pi), (mp.pi - theta) / (2 * mp.pi)
    if name == "erf":
        return (2 / mp.pi * mp.asin(2 * q * c / (1 + 2 * q)),
                4 / mp.pi / mp.sqrt((1 + 2 * q) ** 2 - 4 * q * q * c * c))
    if name == "sin":
        return mp.exp(-q) * mp.sinh(q * c), mp.exp(-q) * mp.cosh(q * c)
    s = mp.sqrt(1 - c * c)

    def nested(f):
        return _gauss(lambda z1: f(mp.sqrt(q) * z1) * _gauss(lambda z2: f(mp.sqrt(q) * (c * z1 + s * z2))))
    return nested(MP[name]), nested(MP_DERIV[name])


_TINY = mp.mpf(10) ** -40  # q* = 0: expectations at the limit q → 0⁺


def _mp_scales(name, w, b, q_guess, c_guess):
    """q*, χ₁, χ_q, c*, χ_c in mpmath, Newton started from the library's values."""
    f, df = MP[name], MP_DERIV[name]

    def length(q):
        # the integrand divided by q is O(1) at every q > 0: mp.quad's tolerance is absolute, and at q* = 2e-60
        # (σ_b = 1e-30) it would stop at a relative error of 1e-6
        return w * w * q * _gauss(lambda z: f(mp.sqrt(q) * z) ** 2 / q) + b * b

    scale = mp.mpf(q_guess)  # solved for q/q_guess: findroot's tolerance, too, is absolute
    q = scale * mp.findroot(lambda r: (length(r * scale) - r * scale) / scale, mp.mpf(1)) if q_guess > 0 else mp.mpf(0)
    chi_1 = w * w * _gauss(lambda z: df(mp.sqrt(max(q, _TINY)) * z) ** 2)
    h = mp.mpf(10) ** -12
    chi_q = (length(q + h) - length(q - h)) / (2 * h) if q > h else None
    if chi_1 <= 1:
        return q, chi_1, chi_q, mp.mpf(1), chi_1
    start = mp.mpf(c_guess) if abs(c_guess) > 1e-6 else mp.mpf("0.05")  # secant from 0 divides by 0 at odd σ
    c = mp.findroot(lambda x: (w * w * _mp_dual(name, q, x)[0] + b * b) / q - x, start)
    return q, chi_1, chi_q, c, w * w * _mp_dual(name, q, c)[1]


def _condition(got) -> float:
    """1/|1 − χ_q|, at least 1: how much q* amplifies a relative error of the length map."""
    return max(1.0, 1 / abs(1 - float(got.chi_q))) if float(got.chi_q) != 1 else math.inf


def _compare(name, w, b):
    """The library against mpmath, to RTOL times the condition number of q*.

    q* solves q = σ_w² V(q) + σ_b²: a relative error ε in the map moves it by ε/|1 − χ_q| relative,
    so near the length map's critical point (e.g. sin at σ_w = 1, σ_b → 0, where χ_q → 1) no float64
    evaluation of V can give q* to better than ε/|1 − χ_q|; away from it the factor is ~1.
    """
    got = depth.depth_scales(name, w, b)
    condition = _condition(got)
    with mp.workdps(30):
        q, chi_1, chi_q, c, chi_c = _mp_scales(name, mp.mpf(w), mp.mpf(b), float(got.q_star), float(got.c_star))
    tol = RTOL * condition
    assert abs(float(got.q_star) - float(q)) <= tol * float(q) + 1e-300
    assert abs(float(got.chi_1) - float(chi_1)) <= tol * float(chi_1)
    if chi_q is not None:
        assert abs(float(got.chi_q) - float(chi_q)) <= 1e-9 * condition * abs(float(chi_q))  # the reference differences
    assert abs(float(got.c_star) - float(c)) <= tol
    assert abs(float(got.chi_c) - float(chi_c)) <= tol * float(chi_c)
    condition = 1 + 1 / abs(math.log(float(chi_c))) if float(chi_c) != 1 else math.inf
    if math.isfinite(condition):
        xi = -1 / float(mp.log(chi_c))
        assert abs(float(got.xi_c) - xi) <= RTOL * condition * abs(xi)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["relu", "erf", "sin"]), w=st.floats(0.5, 3.0), b=st.floats(0.0, 1.0))
@example(name="sin", w=1.0, b=1e-5)  # near the critical point of sin's length map: 1 − e^{−2q} at q = 1e-5
def test_depth_scales_match_mpmath_closed_forms(name, w, b):
    scales = depth.depth_scales(name, w, b)
    if not np.isfinite(scales.q_star):  # relu with σ_w² ≥ 2 and σ_b > 0: the length grows
        assert name == "relu" and w * w >= 2 - 1e-12
        return
    _compare(name, w, b)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(["tanh", "sigmoid"]), w=st.floats(0.5, 3.0), b=st.floats(0.0, 1.0))
def test_length_scales_match_mpmath_without_closed_forms(name, w, b):
    got = depth.depth_scales(name, w, b)
    with mp.workdps(30):
        f, df = MP[name], MP_DERIV[name]
        length = lambda x: w * w * _gauss(lambda z: f(mp.sqrt(x) * z) ** 2) + b * b  # noqa: E731
        q = mp.findroot(lambda x: length(x) - x, mp.mpf(float(got.q_star))) if got.q_star > 0 else mp.mpf(0)
        chi_1 = w * w * _gauss(lambda z: df(mp.sqrt(max(q, _TINY)) * z) ** 2)
    tol = RTOL * _condition(got)  # see _compare
    assert abs(float(got.q_star) - float(q)) <= tol * float(q)
    assert abs(float(got.chi_1) - float(chi_1)) <= tol * float(chi_1)


@pytest.mark.parametrize("w,b", [(2.0, 0.3), (2.5, 0.5)])
def test_tanh_chaotic_fixed_point_matches_mpmath_mehler_series(w, b):
    """c* and χ_c of tanh from 30-digit Hermite coefficients (mpmath quadrature) summed by Mehler's
    formula: a nested 2-D mpmath quadrature takes minutes per point; the series converges like c*^k."""
    got = depth.depth_scales("tanh", w, b)
    with mp.workdps(30):
        w, b = mp.mpf(w), mp.mpf(b)
        length = lambda x: w * w * _gauss(lambda z: mp.tanh(mp.sqrt(x) * z) ** 2) + b * b  # noqa: E731
        q = mp.findroot(lambda x: length(x) - x, mp.mpf(float(got.q_star)))
        a2 = [(_gauss(lambda z: mp.tanh(mp.sqrt(q) * z) * _he(k, z)) / mp.sqrt(mp.factorial(k))) ** 2
              for k in range(0, 48)]
        c = mp.findroot(lambda x: (w * w * sum(t * x**k for k, t in enumerate(a2)) + b * b) / q - x,
                        mp.mpf(float(got.c_star)))
        chi_c = w * w * sum(k * t * c ** (k - 1) for k, t in enumerate(a2) if k) / q
    assert abs(float(got.q_star) - float(q)) <= RTOL * float(q)
    assert abs(float(got.c_star) - float(c)) <= RTOL
    assert abs(float(got.chi_c) - float(chi_c)) <= RTOL * float(chi_c)


def test_critical_lines():
    erf = depth.depth_scales("erf", math.sqrt(math.pi / 4), 0.0)
    tanh = depth.depth_scales("tanh", 1.0, 0.0)
    assert erf.xi_c == math.inf and tanh.xi_c == math.inf
    relu = depth.depth_scales("relu", math.sqrt(2), 0.0)
    assert relu.chi_1 == pytest.approx(1, abs=1e-15) and relu.xi_c == math.inf


def test_grid_broadcasts_and_phases():
    w, b = np.meshgrid(np.linspace(0.5, 3, 5), np.linspace(0, 1, 4))
    scales = depth.depth_scales("tanh", w, b)
    assert scales.q_star.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            one = depth.depth_scales("tanh", w[i, j], b[i, j])
            assert one.chi_c == pytest.approx(scales.chi_c[i, j], rel=1e-12)
    assert np.all(scales.c_star[scales.ordered] == 1) and np.all(scales.c_star[~scales.ordered] < 1)


def test_correlations_follow_the_map_to_the_fixed_point():
    scales = depth.depth_scales("tanh", 2.0, 0.3)
    c = depth.correlations("tanh", 2.0, 0.3, 0.9, 200)
    assert c[-1] == pytest.approx(float(scales.c_star), abs=1e-12)
    gaps = np.abs(c[80:100] - float(scales.c_star))  # χ_c^80 ≈ 6e-6: the linear regime
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], float(scales.chi_c), rtol=1e-5)


def test_max_effective_depth_grows_like_log_width():
    a = depth.max_effective_depth("tanh", 2.0, 0.3, 100, 0.99)
    b = depth.max_effective_depth("tanh", 2.0, 0.3, 10_000, 0.99)
    assert 0 < a.depth < b.depth < np.inf and a.noise == pytest.approx(b.noise)
    assert b.depth - a.depth == pytest.approx(a.xi_c * math.log(10), abs=2)
    assert depth.max_effective_depth("tanh", 0.8, 0.3, 100, 0.5).depth == math.inf  # ordered


def test_max_effective_depth_asymptotic_uses_the_mean_field_amplitude():
    """A = lim (c_ℓ − c*)/χ_c^ℓ, not c₀ − c*: at n = 1e8 (correction O(τ/√n) ~ 1e-4) the
    asymptotic ξ_c ln(√n|A|/(zτ)) is the crossing of the exact recursion, which the integer
    L_max rounds up; c₀ = −0.3 is far from c* ≈ 0.28, where c₀ − c* misses A by 20%."""
    result = depth.max_effective_depth("tanh", 2.5, 0.5, 10**8, -0.3)
    scales = depth.depth_scales("tanh", 2.5, 0.5)
    c = depth.correlations("tanh", 2.5, 0.5, -0.3, 80)
    assert result.amplitude == pytest.approx((c[-1] - scales.c_star) / scales.chi_c ** 80, rel=1e-5)
    assert abs(result.amplitude / (-0.3 - scales.c_star) - 1) > 0.1
    assert result.depth - 1 < result.asymptotic <= result.depth + 1e-3
    assert math.isnan(depth.max_effective_depth("tanh", 0.8, 0.3, 100, 0.5).amplitude)  # ordered


@pytest.mark.parametrize("call,match", [
    (lambda: depth.depth_scales("tanh", -1.0, 0.0), "weight_std"),
    (lambda: depth.depth_scales("tanh", 1.0, float("nan")), "bias_std"),
    (lambda: depth.depth_scales("nope", 1.0, 0.0), "activation"),
    (lambda: depth.correlations("tanh", 1.0, 0.0, 1.5, 3), "c0"),
    (lambda: depth.max_effective_depth("tanh", 2.0, 0.3, 0, 0.9), "width"),
    (lambda: hermite.coefficients("relu", 0), "terms"),
    (lambda: hermite.coefficients("relu", 3, variance=-1.0), "variance"),
])
def test_bad_input_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "cos", "exp", "step"])
def test_no_weights_and_no_bias_give_length_zero(name):
    """σ_w = σ_b = 0: the length map is identically 0, so q* = 0 even where σ(0) ≠ 0."""
    assert float(depth.depth_scales(name, 0.0, 0.0).q_star) == 0.0
