"""Depth scales of deep fully connected networks at initialisation (mean-field signal propagation).

For a network of ``numeric.kernels`` (NTK parameterisation, σ_w = weight_std, σ_b =
bias_std), two inputs whose layer-ℓ NNGP covariance is [[q, qc], [qc, q]] map to

    length map       q ↦ 𝓛(q) = σ_w² V(q) + σ_b²,            V(q) = E[σ(√q z)²],
    correlation map  c ↦ f(c) = (σ_w² D(q, c) + σ_b²)/𝓛(q),   D(q, c) = E[σ(u)σ(v)],

(u, v) ~ N(0, q[[1, c], [c, 1]]) (Poole et al. 2016, "Exponential expressivity in deep
neural networks through transient chaos"; Schoenholz et al. 2017, "Deep information
propagation"). At the fixed point q* = 𝓛(q*) the correlation map is
f(c) = (σ_w² D(q*, c) + σ_b²)/q*, f(1) = 1, and by Price's theorem
(∂D/∂(qc) = E[σ'(u)σ'(v)])

    f'(c) = σ_w² E[σ'(u)σ'(v)],       χ₁ = f'(1) = σ_w² E[σ'(√q* z)²].

Definitions used here:

* q* is the smallest stable fixed point of 𝓛 — the first q ≥ σ_b² where 𝓛(q) − q changes
  sign from ≥ 0 to < 0 (or q = σ_b² itself when 𝓛 − id vanishes there and does not
  increase) — found by safeguarded Newton iteration; q* = ∞ when the length grows
  without bound (e.g. relu with σ_w² > 2, exp).
* c* = 1 when χ₁ ≤ 1 (ordered phase); otherwise (chaotic phase) the largest fixed point
  of f below 1, which attracts every c in (c*, 1). χ_c = f'(c*) (χ_c = χ₁ in the ordered
  phase), ξ_c = −1/ln χ_c: |c_ℓ − c*| ~ χ_c^ℓ = e^{−ℓ/ξ_c}; ξ_c = ∞ on the critical
  line χ₁ = 1 (Schoenholz et al. 2017, eqs. 7–9).
* χ_q = 𝓛'(q*) = σ_w² E[σ(u)σ'(u)u]/q* (Stein's lemma; = σ_w² E[σ'² + σσ''] for smooth
  σ) and ξ_q = −1/ln|χ_q|: |q_ℓ − q*| ~ |χ_q|^ℓ.

At q* = 0 (σ_b = 0, σ(0) = 0, ordered) the expectations are their limits q → 0⁺. Where
q* = ∞ every other field is NaN (the dynamics has no fixed point to linearise about).

Accuracy: activations with closed-form duals (``numeric.activations``) use them, with
the derivative of V in closed form; the others use the graded Gauss–Legendre rule of
``numeric.hermite`` for V, V', E[σ'²], and Mehler's series (``CORRELATION_TERMS``
terms, the tail Σ_{k>K} a_k² = V − Σ_{k≤K} a_k² added as a multiple of c^{K+1} so that
the series is exact at c = 1) for the correlation map. Against 30-digit mpmath
(tests/numeric/test_depth.py) q*, c*, χ₁, χ_c agree to ≤ 1e-10 relative for
σ_w ∈ [0.5, 3], σ_b ∈ [0, 1], times the condition number 1/|1 − χ_q| of q*: a relative
error ε of V moves q* by ε/|1 − χ_q| relative. The factor is ~1 except near the length
map's own critical point (e.g. tanh at σ_w = 1 as σ_b → 0, where χ_q → 1 and q* ~ σ_b/√2
is decided by V(q) − q = O(q²), below the rounding of V).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
from scipy import linalg

from numeric import activations, hermite, quadrature
from numeric.activations import Activation

__all__ = ["DepthScales", "depth_scales", "length_map", "correlation_map", "correlations",
           "MaxDepth", "max_effective_depth", "CORRELATION_TERMS"]

Array = np.ndarray
CORRELATION_TERMS = 160
_Q_INFINITE = 1e12         # a length beyond this means the length map has no finite fixed point
_TINY_Q = 1e-200           # where q* = 0 the expectations are taken at this variance (the limit q → 0⁺)
_CRITICAL = 8 * np.finfo(float).eps  # |χ − 1| within rounding of σ_w² (relu's √2² = 2 + 4e-16): critical
_SCAN = np.linspace(-1.0, 1.0, 33)
_CHUNK = 256  # variances per quadrature call: its (variances × nodes) temporaries then stay in cache
_SERIES_CHUNK = 1024  # variances per call of the Hermite coefficients (~1800 nodes × 160 terms each)


# ---------------------------------------------------------------- per-activation moments

def _length_slope(act: Activation):
    """V'(q) in closed form for the library's closed-form activations, else None.

    From V(q) = D(q, q, q), D the closed-form dual: e.g. relu2 (Cho & Saul's order-2
    arc-cosine kernel at θ = 0) has V = 3q²/2, so V' = 3q.
    """
    params = dict(act.params)
    if set(params) == {"a", "b"}:
        slope = (params["a"] ** 2 + params["b"] ** 2) / 2
        return lambda q: np.full_like(q, slope)
    table = {
        "step": np.zeros_like,
        "erf": lambda q: (4 / np.pi) / ((1 + 2 * q) * np.sqrt(1 + 4 * q)),
        "sin": lambda q: np.exp(-2 * q),
        "cos": lambda q: -np.exp(-2 * q),
        "exp": lambda q: 2 * np.exp(2 * q),
        "identity": np.ones_like,
        "quadratic": lambda q: 6 * q,
        "relu2": lambda q: 3 * q,
    }
    if act.name in table and act.name in activations.names() and activations.get(act.name) is act:
        return table[act.name]
    return None


class _Moments:
    """V(q), V'(q) and E[σ'(√q z)²] for one activation, vectorised over q (closed forms, or
    one quadrature pass per chunk of :data:`_CHUNK` variances for all three: σ and σ' are
    evaluated once per node, V'(q) = E[σ(u)σ'(u)u]/q)."""

    def __init__(self, act: Activation):
        self.act = act
        self.slope = _length_slope(act)

    def __call__(self, q: Array) -> tuple[Array, Array, Array]:
        if self.slope is not None:  # V' at q itself: its limit at q = 0
            with np.errstate(over="ignore", invalid="ignore"):
                v, w = self.act.duals(*(np.maximum(q, _TINY_Q),) * 3)
                return v, self.slope(q), w
        flat = np.maximum(np.ravel(q), _TINY_Q)
        return tuple(x.reshape(np.shape(q)) for x in _chunked(self._integrated, flat, _CHUNK))

    def _integrated(self, q: Array) -> tuple[Array, Array, Array]:
        fn, deriv = self.act.fn, self.act.deriv

        def integrands(u):
            value, slope = fn(u), deriv(u)
            return [value * value, value * slope * u, slope * slope]

        v, s, w = hermite.expectations(integrands, q)
        return v, s / q, w


def _chunked(f: Callable[[Array], tuple[Array, ...]], x: Array, size: int) -> tuple[Array, ...]:
    """f(x) for f mapping a flat array to a tuple of arrays along it, evaluated in slices of ``size``."""
    parts = [f(x[start:start + size]) for start in range(0, x.size, size)] or [f(x)]
    return tuple(np.concatenate(values) for values in zip(*parts))


class _CorrelationMap:
    """f(c) and f'(c) at fixed variances q (one per point), closed form or Mehler's series.

    The series: D(q, c) = Σ_{k≤K} a_k(q)² c^k + (V(q) − Σ_{k≤K} a_k(q)²) c^{K+1} (``series``,
    last axis k) and q E[σ'(u)σ'(v)] = Σ_k k s_k c^{k−1} (``slopes``, s the series).
    ``length`` is V(q) when the caller already has it (else it is integrated).
    """

    def __init__(self, act: Activation, weight_var: Array, bias_var: Array, q: Array,
                 length: Array | None = None):
        self.act, self.w, self.b, self.q = act, weight_var, bias_var, np.maximum(q, _TINY_Q)
        self.series = self.slopes = None
        if not act.has_closed_form and act.joint_duals is None:
            coeffs = _chunked(lambda x: (hermite.coefficients(act, CORRELATION_TERMS, variance=x),),
                              self.q, _SERIES_CHUNK)[0]
            v = _Moments(act)(self.q)[0] if length is None else length
            squares = np.square(coeffs)
            tail = np.maximum(v - squares.sum(axis=-1), 0.0)
            self.series = np.concatenate([squares, tail[..., None]], axis=-1)
            self.slopes = np.arange(1, self.series.shape[-1]) * self.series[..., 1:]

    def __call__(self, c: Array, where=slice(None)) -> tuple[Array, Array]:
        q, w, b = self.q[where], self.w[where], self.b[where]
        if self.series is None:
            dual, dual_deriv = self.act.duals(q, q, c * q)
        else:
            dual = hermite.power_series(self.series[where], c)
            dual_deriv = hermite.power_series(self.slopes[where], c) / q
        return (w * dual + b) / q, w * dual_deriv

    def shared(self, c: Array) -> Array:
        """f(c_j) at every point for correlations c_j common to all points, shape (points, c.size);
        Mehler's series as one matrix product with the powers c_j^k."""
        if self.series is None:
            return self(np.broadcast_to(c, (self.q.size, c.size)), (slice(None), None))[0]
        dual = self.series @ np.power.outer(c, np.arange(self.series.shape[-1])).T
        return (self.w[:, None] * dual + self.b[:, None]) / self.q[:, None]


# ---------------------------------------------------------------- public API

@dataclass(frozen=True)
class DepthScales:
    """The fixed points, slopes and depth scales on a grid of (σ_w, σ_b) (broadcast shape).

    ``q_star`` q*, ``c_star`` c*, ``chi_1`` χ₁, ``chi_c`` χ_c, ``chi_q`` χ_q, ``xi_q``
    ξ_q, ``xi_c`` ξ_c (see the module docstring), ``weight_std``/``bias_std`` the grid.
    """

    activation: str
    weight_std: Array
    bias_std: Array
    q_star: Array
    c_star: Array
    chi_1: Array
    chi_c: Array
    chi_q: Array
    xi_q: Array
    xi_c: Array

    @property
    def ordered(self) -> Array:
        """χ₁ < 1: correlations converge to c* = 1."""
        return self.chi_1 < 1


def length_map(activation, weight_std, bias_std, q) -> Array:
    """𝓛(q) = σ_w² E[σ(√q z)²] + σ_b² (broadcast over all three arguments)."""
    act = activations.get(activation)
    w, b = _stds(weight_std, bias_std)
    q = _nonnegative(q, "q")
    w, b, q = np.broadcast_arrays(w, b, q)
    return w * w * _Moments(act)(q.astype(float))[0] + b * b


def depth_scales(activation, weight_std, bias_std) -> DepthScales:
    """q*, c*, χ₁, χ_c, χ_q, ξ_q, ξ_c of ``activation`` for every (σ_w, σ_b) of the broadcast
    arrays ``weight_std``, ``bias_std`` (one vectorised computation; module docstring)."""
    act = activations.get(activation)
    w_std, b_std = np.broadcast_arrays(*_stds(weight_std, bias_std))
    w, b = (w_std * w_std).ravel(), (b_std * b_std).ravel()
    fixed = _fixed_point(_Moments(act), w, b)
    q = fixed.q
    finite = np.isfinite(q)
    chi_1 = np.where(finite, w * fixed.deriv_sq, np.nan)
    chi_q = np.where(finite, w * fixed.slope, np.nan)
    c_star = np.where(finite, 1.0, np.nan)
    chi_c = chi_1.copy()
    chaotic = np.flatnonzero(finite & (chi_1 > 1 + _CRITICAL))
    if chaotic.size:
        cmap = _CorrelationMap(act, w[chaotic], b[chaotic], q[chaotic], fixed.length[chaotic])
        c_star[chaotic] = _largest_fixed_point(cmap, chi_1[chaotic])
        chi_c[chaotic] = cmap(c_star[chaotic])[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        xi_q = np.where(np.abs(np.abs(chi_q) - 1) <= _CRITICAL, np.inf, -1.0 / np.log(np.abs(chi_q)))
        xi_c = np.where(np.abs(chi_c - 1) <= _CRITICAL, np.inf, -1.0 / np.log(chi_c))
    shape = w_std.shape
    return DepthScales(act.name, w_std, b_std, *(x.reshape(shape) for x in
                                                 (q, c_star, chi_1, chi_c, chi_q, xi_q, xi_c)))


def correlation_map(activation, weight_std, bias_std, c) -> Array:
    """f(c) = (σ_w² E[σ(u)σ(v)] + σ_b²)/q* at the fixed point q* (broadcast arguments)."""
    return correlations(activation, weight_std, bias_std, c, depth=1)[..., 1]


def correlations(activation, weight_std, bias_std, c0, depth: int) -> Array:
    """[c_0, c_1, …, c_depth], c_{ℓ+1} = f(c_ℓ) at q* (the mean-field correlations of two
    inputs of squared norm giving Σ¹ = q*); last axis ℓ, leading axes broadcast."""
    act = activations.get(activation)
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 0:
        raise ValueError(f"depth must be an integer >= 0; got {depth!r}")
    c0 = np.asarray(c0, dtype=float)
    if not np.all((c0 >= -1) & (c0 <= 1)):
        raise ValueError(f"c0 must lie in [-1, 1]; got {c0!r}")
    w_std, b_std, c0 = np.broadcast_arrays(*_stds(weight_std, bias_std), c0)
    w, b = (w_std * w_std).ravel(), (b_std * b_std).ravel()
    fixed = _fixed_point(_Moments(act), w, b)
    q = fixed.q
    if not np.all(np.isfinite(q)):
        raise ValueError("the length map has no finite fixed point at some (weight_std, bias_std); "
                         "correlations at q* are undefined there (see depth_scales(...).q_star)")
    cmap = _CorrelationMap(act, w, b, q, fixed.length)
    out = np.empty((w.size, depth + 1))
    out[:, 0] = c0.ravel()
    for level in range(depth):
        out[:, level + 1] = np.clip(cmap(out[:, level])[0], -1.0, 1.0)
    return out.reshape(w_std.shape + (depth + 1,))


@dataclass(frozen=True)
class MaxDepth:
    """Result of :func:`max_effective_depth`: ``depth`` L_max (inf when never reached),
    ``noise`` τ (the stationary std of ĉ is τ/√n), ``c_star``, ``xi_c``, the asymptotic
    estimate ``asymptotic`` = ξ_c ln(√n |A|/(z τ)) and ``amplitude``, the mean-field
    amplitude A = lim (c_ℓ − c*)/χ_c^ℓ (NaN where undefined: ordered phase, or c_ℓ does
    not reach c*)."""

    depth: float
    noise: float
    c_star: float
    xi_c: float
    asymptotic: float
    amplitude: float = np.nan


def max_effective_depth(activation, weight_std: float, bias_std: float, width: int, c0: float,
                        *, threshold: float = 1.0, max_depth: int = 10_000) -> MaxDepth:
    """The depth beyond which two inputs' correlation is lost in finite-width noise.

    Statement. Let Σ̂^ℓ be the empirical layer-ℓ kernel of two inputs at width n
    (Σ̂^{ℓ+1} = σ_w² σ(z^ℓ)·σ(z^ℓ)'/n + σ_b², the NNGP's finite-width counterpart) with
    Σ¹ = q*[[1, c₀], [c₀, 1]], and ĉ_ℓ its correlation. Given Σ̂^ℓ, the n units of z^ℓ
    are i.i.d. N(0, Σ̂^ℓ), so Σ̂^{ℓ+1} = F(Σ̂^ℓ) + ε_ℓ/√n exactly, F the mean-field map and
    ε_ℓ centred with covariance Q = σ_w⁴ Cov[(σ(u)², σ(v)², σ(u)σ(v))]. Linearised at the
    fixed point K* = q*[[1, c*], [c*, 1]] (assumption: n large, so the deviations are
    small), the deviation has the stationary covariance P = J P Jᵀ + Q/n (J the Jacobian
    of F at K*; Lyapunov's equation), and ĉ's stationary standard deviation is τ/√n with
    τ² = n gᵀPg, g = ∂c/∂(k11, k22, k12) = (−c*/(2q*), −c*/(2q*), 1/q*). L_max is the
    smallest ℓ with |c_ℓ − c*| ≤ z τ/√n (z = ``threshold``), c_ℓ the mean-field
    recursion (:func:`correlations`). Away from criticality c_ℓ − c* = A χ_c^ℓ (1 + O(c_ℓ − c*)),
    so L_max ≈ ξ_c ln(√n |A|/(z τ)) (``asymptotic``) with the mean-field amplitude
    A = lim_ℓ (c_ℓ − c*)/χ_c^ℓ (``amplitude``; not c₀ − c*, which it equals only as c₀ → c*),
    read off the recursion once |c_ℓ − c*| ≤ 1e-6: the O(c_ℓ − c*) correction and the
    rounding of c_ℓ − c* (c* to ~1e-15) then leave A to ~1e-6 relative, L_max to ~1e-6 ξ_c.

    In the ordered phase (c* = 1) Q is degenerate along the correlation (u = v at K*),
    τ = 0, and the fluctuation of ĉ shrinks with 1 − c_ℓ: to first order the two inputs
    stay distinguishable at every depth, and L_max = ∞. Moments by Gauss–Hermite (order
    64; the polar rule for kinked σ, ``numeric.quadrature``): τ to ~1e-3 relative at worst,
    which moves L_max by ~1e-3 ξ_c.
    """
    act = activations.get(activation)
    width = _positive_int(width, "width")
    if not isinstance(c0, numbers.Real) or not -1 <= c0 <= 1:
        raise ValueError(f"c0 must be a real number in [-1, 1]; got {c0!r}")
    if not isinstance(threshold, numbers.Real) or not threshold > 0:
        raise ValueError(f"threshold must be a real number > 0; got {threshold!r}")
    scales = depth_scales(act, weight_std, bias_std)
    q, c_star, xi_c = float(scales.q_star), float(scales.c_star), float(scales.xi_c)
    if not np.isfinite(q) or q <= 0:
        raise ValueError(f"max_effective_depth needs a finite fixed point q* > 0; got q* = {q!r} "
                         f"at weight_std={weight_std!r}, bias_std={bias_std!r}")
    tau = _noise(act, float(weight_std) ** 2, q, c_star) if c_star < 1 else 0.0
    if not tau > 0:
        return MaxDepth(np.inf, tau, c_star, xi_c, np.inf)
    w2, b2 = (np.array([float(x) ** 2]) for x in (weight_std, bias_std))
    cmap = _CorrelationMap(act, w2, b2, np.array([q]))
    depth, amplitude = _mean_field_crossing(cmap, float(c0), c_star, float(scales.chi_c),
                                            threshold * tau / np.sqrt(width), max_depth)
    with np.errstate(divide="ignore"):
        asymptotic = xi_c * np.log(np.sqrt(width) * abs(amplitude) / (threshold * tau))
    return MaxDepth(depth, tau, c_star, xi_c, float(asymptotic), amplitude)


_AMPLITUDE_GAP = 1e-6
"""|c_ℓ − c*| at which :func:`max_effective_depth` reads the amplitude A off the recursion."""


def _mean_field_crossing(cmap: _CorrelationMap, c0: float, c_star: float, chi_c: float, floor: float,
                         max_depth: int) -> tuple[float, float]:
    """The first ℓ ≤ ``max_depth`` with |c_ℓ − c*| ≤ ``floor`` (inf if none), and A = (c_ℓ − c*)/χ_c^ℓ at
    the first ℓ with |c_ℓ − c*| ≤ :data:`_AMPLITUDE_GAP` (NaN if none), c_ℓ the mean-field recursion."""
    depth, amplitude, c = np.inf, np.nan, np.array([c0])
    for level in range(max_depth + 1):
        gap = float(c[0]) - c_star
        if depth == np.inf and abs(gap) <= floor:
            depth = float(level)
        if abs(gap) <= _AMPLITUDE_GAP:
            amplitude = gap / chi_c ** level
            if depth < np.inf:
                break
        c = np.clip(cmap(c)[0], -1.0, 1.0)
    return depth, amplitude


def _noise(act: Activation, w: float, q: float, c: float) -> float:
    """τ of :func:`max_effective_depth` (per-unit standard deviation of the correlation)."""
    k12 = c * q

    def mixed(a, b):
        """E[a(u) b(v)] at the symmetric covariance (exchangeable: polarisation identity)."""
        plus, minus = quadrature.dual_expectations(
            [lambda x: a(x) + b(x), lambda x: a(x) - b(x)], q, q, k12, kink_at_zero=act.kink_at_zero)
        return float(plus - minus) / 4

    s, ds = act.fn, act.deriv
    one = np.ones_like
    v = mixed(lambda x: s(x) ** 2, one)
    dual, dual_deriv = (float(x) for x in act.duals(q, q, k12))
    quartic = mixed(lambda x: s(x) ** 4, one)
    square_square = mixed(lambda x: s(x) ** 2, lambda x: s(x) ** 2)
    cubic = mixed(lambda x: s(x) ** 3, s)
    cov = w * w * np.array([
        [quartic - v * v, square_square - v * v, cubic - v * dual],
        [square_square - v * v, quartic - v * v, cubic - v * dual],
        [cubic - v * dual, cubic - v * dual, square_square - dual * dual]])
    slope = _Moments(act)(np.array([q]))[1][0]
    cross = (mixed(lambda x: ds(x) * x, s) - k12 * dual_deriv) / (2 * q)
    jac = w * np.array([[slope, 0, 0], [0, slope, 0], [cross, cross, dual_deriv]])
    grad = np.array([-c / (2 * q), -c / (2 * q), 1 / q])
    variance = grad @ linalg.solve_discrete_lyapunov(jac, cov) @ grad
    return float(np.sqrt(max(variance, 0.0)))


# ---------------------------------------------------------------- solvers

class _LengthFixedPoint(NamedTuple):
    """q* per point, and V = ``length``, V' = ``slope``, E[σ'²] = ``deriv_sq`` at q* (NaN where
    q* = ∞); see :func:`_fixed_point`. Where q* > 0 and σ_w > 0, ``length`` is
    (q* − σ_b²)/σ_w², V(q*) by the fixed-point equation: the correlation map built on it
    has f(1) = 1 to rounding (its error ~1e-13 would otherwise move a c* near 1 by
    1e-13/|f'(c*) − 1|)."""

    q: Array
    length: Array
    slope: Array
    deriv_sq: Array


def _fixed_point(moments: _Moments, w: Array, b: Array) -> _LengthFixedPoint:
    """q* per point (module docstring): safeguarded Newton on F(q) = w V(q) + b − q.

    Started from the root of an interpolant of F (:func:`_start`, ~1e-8 relative), so that
    Newton's quadratic convergence takes most points to rounding level in two evaluations
    of V, V', E[σ'²]; each iteration evaluates only the points not yet converged. A point
    has converged when F(q) = 0, when its step is ≤ 1e-13 q, or when its bracket is 4 ulp
    wide: q* is that step, and the moments are those of the last evaluation, at most
    1e-13 q* from q* (which moves χ₁ and χ_q by ~1e-13 relative).
    """
    fields = [np.full_like(b, np.nan) for _ in _LengthFixedPoint._fields]
    result = fields[0]
    # σ_b = 0 and σ_w² σ(0)² = 0: q = 0 is a fixed point, stable when F'(0⁺) = σ_w² V'(0⁺) − 1 ≤ 0
    # (8 ulp of slack: relu at σ_w = √2 rounds σ_w² to 2 + 4e-16)
    zero = np.flatnonzero(b == 0)
    if zero.size:
        at_zero = moments(np.zeros(1))
        stable = (w[zero] * at_zero[0] <= 1e-100) & (w[zero] * at_zero[1] - 1.0 <= _CRITICAL)
        for field, value in zip(fields, (0.0, *at_zero)):
            field[zero[stable]] = value
    active = np.flatnonzero(np.isnan(result))
    active = active[~_below_tiny(moments, w, b, active, fields)]
    lo, hi, q, beyond = _start(moments, w, b, active)
    result[active[beyond]] = np.inf
    active = active[~beyond]
    for _ in range(200):
        if not active.size:
            break
        now = moments(q[active])
        with np.errstate(over="ignore", invalid="ignore"):
            f = w[active] * now[0] + b[active] - q[active]
            df = w[active] * now[1] - 1.0
        at_root = (f == 0) & (q[active] > 0)
        up = f >= 0
        lo[active] = np.where(up, q[active], lo[active])
        hi[active] = np.where(up, hi[active], q[active])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = q[active] - f / df
        inside = np.isfinite(newton) & (newton > lo[active]) & (newton < hi[active])
        bisect = np.where(lo[active] > 0, np.sqrt(lo[active] * hi[active]), hi[active] / 2)
        step = np.where(inside, newton, bisect)
        converged = at_root | (np.abs(step - q[active]) <= 1e-13 * np.maximum(q[active], 1e-300))
        converged |= hi[active] - lo[active] <= 4e-16 * hi[active]
        done = active[converged]
        result[done] = np.where(at_root, q[active], step)[converged]
        for field, value in zip(fields[1:], now):
            field[done] = value[converged]
        q[active] = step
        active = active[~converged]
    if active.size:
        raise ArithmeticError(f"the length map's fixed point did not converge at {active.size} points")
    exact = np.isfinite(result) & (result > 0) & (w > 0)
    fields[1][exact] = (result[exact] - b[exact]) / w[exact]
    return _LengthFixedPoint(*fields)


_TABLE = np.concatenate([[0.0], np.geomspace(1e-8, _Q_INFINITE, 1200)])  # ratio 1.039
_STRIDE = 3  # F's sign is scanned on every 3rd node of _TABLE (ratio 1.12), then on the 3 before the first < 0
_START_BISECTIONS = 32  # the interpolant's root to 2^−32 of a table interval (~1e-11 q)


def _below_tiny(moments: _Moments, w: Array, b: Array, active: Array, fields: list[Array]) -> Array:
    """Sets q* where it lies below ``_TINY_Q`` (σ_b and σ_w σ(0) tiny), where the moments are
    not evaluated; returns which of ``active`` were set.

    There V(q) = σ(0)² + V'(0⁺) q to relative O(q) (O(q^{3/2}) at worst), so
    q* = (σ_w² σ(0)² + σ_b²)/(1 − σ_w² V'(0⁺)) where that is positive and below ``_TINY_Q``
    (the quadratic term of V matters only where |1 − σ_w² V'(0⁺)| ≲ q*, far below the rounding
    of V'; at such a near-critical point q* is ill-conditioned, see the module docstring).
    """
    if not active.size:
        return np.zeros(0, dtype=bool)
    _, slope, deriv_sq = moments(np.zeros(1))
    at_zero = float(np.asarray(moments.act.fn(np.zeros(1)), dtype=float)[0]) ** 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denominator = 1.0 - w[active] * slope[0]
        linear = (w[active] * at_zero + b[active]) / denominator
    tiny = (denominator > 0) & (linear > 0) & (linear < _TINY_Q)
    done = active[tiny]
    for field, value in zip(fields, (linear[tiny], at_zero + slope[0] * linear[tiny], slope[0], deriv_sq[0])):
        field[done] = value
    return tiny


def _start(moments, w, b, active):
    """(lo, hi, q, beyond): brackets [lo, hi] of q* and a start q in them, from V and V'
    tabulated on ``_TABLE`` (full-size arrays, set at the points ``active``).

    [lo, hi] = [T_j, T_{j+1}] is the table interval before the first node where
    F = wV + b − q < 0 (F(0) ≥ 0; a NaN F counts as ≥ 0), searched among every
    ``_STRIDE``-th node first; lo ≥ σ_b², as F ≥ 0 below σ_b². q is the root there of F
    with V replaced by its cubic Hermite interpolant from V and V' at T_j, T_{j+1} (error
    ≤ h⁴ max|V''''|/384 over an interval of width h: ~1e-8 V for V ~ q^α at the table's
    ratio 1.039), found by bisection. ``beyond`` (one per active point): F ≥ 0 on the
    whole table, so no fixed point lies below _Q_INFINITE, i.e. q* = ∞.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        table, slope, _ = moments(_TABLE)
    lo, hi, q = b.copy(), np.full_like(b, np.inf), b.copy()
    beyond = np.zeros(active.size, dtype=bool)
    first = np.zeros(active.size, dtype=int)
    for part in np.array_split(np.arange(active.size), max(1, active.size // 512)):
        negative = _negative(w[active[part]], b[active[part]], table, slice(None, None, _STRIDE))
        beyond[part] = ~negative.any(axis=1)
        first[part] = _STRIDE * np.argmax(negative, axis=1)
    points, first = active[~beyond], first[~beyond]
    fine = first[:, None] + np.arange(1 - _STRIDE, 1)
    negative = _negative(w[points], b[points], table, fine)
    j = fine[np.arange(points.size), np.argmax(negative, axis=1)] - 1
    a, z = _TABLE[j], _TABLE[j + 1]
    lo[points], hi[points] = np.maximum(a, b[points]), z
    v0, v1, m0, m1 = table[j], table[j + 1], slope[j] * (z - a), slope[j + 1] * (z - a)
    cubic = (2 * v0 + m0 - 2 * v1 + m1, -3 * v0 - 2 * m0 + 3 * v1 - m1, m0, v0)  # V(a + (z − a) t)
    t_lo, t_hi = np.zeros(points.size), np.ones(points.size)
    for _ in range(_START_BISECTIONS):
        t = (t_lo + t_hi) / 2
        positive = w[points] * np.polyval(cubic, t) + b[points] - (a + (z - a) * t) >= 0
        t_lo, t_hi = np.where(positive, t, t_lo), np.where(positive, t_hi, t)
    q[points] = np.clip(a + (z - a) * (t_lo + t_hi) / 2, lo[points], hi[points])
    return lo, hi, q, beyond


def _negative(w: Array, b: Array, table: Array, nodes) -> Array:
    """F(T) = w V(T) + b − T < 0 at T = _TABLE[nodes], one row per point (``table`` holds V
    on _TABLE; ``nodes`` a slice, or indices with one row per point). NaN compares False."""
    with np.errstate(invalid="ignore"):
        return w[:, None] * table[nodes] + b[:, None] < _TABLE[nodes]


def _largest_fixed_point(cmap: _CorrelationMap, chi_1: Array) -> Array:
    """The largest root in [−1, 1) of f(c) − c, per point (chaotic phase, χ₁ > 1).

    h(c) = (f(c) − c)/(1 − c) has h(−1) ≥ 0 and h(1⁻) = 1 − χ₁ < 0; the last sign change
    of h on a 33-point scan brackets the root, and safeguarded Newton from the linear
    interpolant of h there polishes it. A point is done when its Newton correction is
    ≤ 1e-13 (c* is then the Newton iterate) or its bracket is 4e-16 wide.
    """
    inner = _SCAN[:-1]
    values = np.concatenate([(cmap.shared(inner) - inner) / (1 - inner), (1 - chi_1)[:, None]], axis=1)
    last = _SCAN.size - 1 - np.argmax(values[:, ::-1] >= 0, axis=1)
    after = np.minimum(last + 1, _SCAN.size - 1)
    lo, hi = _SCAN[last], _SCAN[after]
    rows = np.arange(chi_1.size)
    h_lo, h_hi = values[rows, last], values[rows, after]
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(h_lo > h_hi, lo + (hi - lo) * h_lo / (h_lo - h_hi), lo)
    active = np.arange(c.size)
    for _ in range(200):
        f, df = cmap(c[active], active)
        g, dg = f - c[active], df - 1
        up = g >= 0
        lo[active] = np.where(up, c[active], lo[active])
        hi[active] = np.where(up, hi[active], c[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = c[active] - g / dg
        inside = np.isfinite(newton) & (newton > lo[active]) & (newton < hi[active])
        small = np.abs(newton - c[active]) <= 1e-13
        step = np.where(inside | small, newton, (lo[active] + hi[active]) / 2)
        done = small | (hi[active] - lo[active] <= 4e-16)
        c[active] = step
        active = active[~done]
        if not active.size:
            break
    return c


def _stds(weight_std, bias_std) -> tuple[Array, Array]:
    out = []
    for value, label in ((weight_std, "weight_std"), (bias_std, "bias_std")):
        arr = np.asarray(value, dtype=float) if _is_real_array(value) else None
        if arr is None or not np.all(np.isfinite(arr) & (arr >= 0)):
            raise ValueError(f"{label} must be a finite real number >= 0 (or an array of them); "
                             f"got {value!r}")
        out.append(arr)
    return out[0], out[1]


def _is_real_array(value) -> bool:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        return False
    return arr.dtype.kind in "iuf"


def _nonnegative(value, label: str) -> Array:
    if not _is_real_array(value) or not np.all(np.isfinite(np.asarray(value, dtype=float))
                                                  & (np.asarray(value, dtype=float) >= 0)):
        raise ValueError(f"{label} must be finite and >= 0; got {value!r}")
    return np.asarray(value, dtype=float)


def _positive_int(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{label} must be an integer >= 1; got {value!r}")
    return int(value)
