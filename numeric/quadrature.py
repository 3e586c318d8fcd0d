"""Quadrature for expectations over a centred bivariate Gaussian, with a stated accuracy.

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]) write, with c = k12/√(k11 k22) and
s = √(1 − c²),

    u = √k11 · z1,    v = √k22 · (c z1 + s z2),    z1, z2 ~ N(0, 1) independent,

(the Cholesky factor of the covariance, written so that it also holds for a singular
covariance: c = ±1, or k11 k22 = 0 where c := 0), and integrate

    E[h(u) h(v)] = ∫ φ(z1) h(√k11 z1) [∫ φ(z2) h(√k22 (c z1 + s z2)) dz2] dz1

by a nested rule (:func:`dual_expectations`). A smooth activation changes over a width
~1 of its argument, around 0, so h(w z) has a feature of width 1/w at z = 0, which a
Gauss–Hermite rule (:func:`hermite_rule`, nodes ~1 apart near 0) cannot resolve once
w = √k is large: the order-64 tensor Gauss–Hermite rule this module used before lost
3e-5 / 6e-4 relative (E[hh] / E[h'h']) for tanh at k = 4 and 3e-5 / 2e-3 for gelu at
k = 10. Here each 1-D integral is the trapezoidal rule in a variable t, with z = z(t)
compressed by ε = min(0.4, 1/w) around the feature point p (p = 0 outside; inside,
p = −c z1/s, the zero of v):

    z(t) = t − (2(1 − ε)/κ) artanh(κ tanh((t − p)/2)),   κ = √(1 − 2ε),
    z'(t) = 1 − (1 − ε)/(1 + ε (cosh(t − p) − 1)),

so that z − p ≈ ε sinh(t − p) near p (the feature is spread over a width ~1 in t, and
h(w z) ≈ h(sinh(t − p)) keeps a strip of analyticity of half-width ~π/2 for tanh, π
for sigmoid and softplus) while z' → 1 away from it. The t grid spans z ∈ [−10, 10];
the weights φ(z(t)) z'(t) Δt are normalised to sum to 1. For an analytic integrand the
trapezoidal rule converges geometrically in the number of nodes (Trefethen & Weideman
2014, "The exponentially convergent trapezoidal rule", SIAM Review), and the map makes
that rate independent of the variance. The outer ε also covers the inner integral, a
Gaussian smoothing of h whose feature in z1 has width √(1 + k22 s²)/(√k22 |c|).

The number of nodes per dimension (``order``) is chosen from the largest variance of
the call (:data:`ORDERS`) unless given. Stated accuracy (:data:`ACCURACY`, 1e-10) over
the declared range :data:`RANGE` (variances ≤ 1500, every c ∈ [−1, 1]; this covers the
networks of depth ≤ 8, weight_std ≤ 2, bias_std ≤ 1 on inputs with |x|²/n0 ≤ 4, whose
largest variance is ~1.2e3, for softplus). Measured, as max error over c ∈ [−1, 1] with
variances in [0.3 k, k] divided by √(E[h(u)²] E[h(v)²]), E[hh] / E[h'h'], at the
default order against the same rule at 300 nodes, and at drawn points against the
independent 30-digit mpmath reference ``verify.reference``
(tests/numeric/test_quadrature_accuracy.py):

    h                       k ≤ 1 (64)      k ≤ 20 (96)     k ≤ 400 (128)   k ≤ 1500 (128)
    tanh                    2e-15 / 2e-14   4e-16 / 7e-15   6e-16 / 4e-16   2e-14 / 3e-14
    gelu                    4e-16 / 4e-16   6e-16 / 7e-13   6e-15 / 3e-12   2e-14 / 1e-11
    softplus, sigmoid,      ≤ 1e-14         ≤ 2e-14         ≤ 1e-13         ≤ 1e-11
    swish
    erf (closed form used)  5e-16 / 5e-15   1e-8 / 1e-6     3e-7 / 3e-5     3e-7 / 7e-5
    relu, abs, leaky relu,  ≤ 1e-14 with the polar rule (:func:`polar_rule`, chosen by
    step                    ``kink_at_zero``), at every variance

Not covered: h whose feature is Gaussian-like (erf, erf' = (2/√π)e^{−z²}): h(sinh τ)
then grows like exp(cosh² x sin² y) off the real axis and the rule converges slowly
above k ~ 4 (row erf; erf's duals are closed forms, so only checks integrate it).
A kink or jump of h at 0 (relu, abs, leaky relu, step) defeats any rule for smooth h;
for such h the polar rule of :func:`polar_rule` puts the kink on the cuts of its angular
grid and integrates them exactly (to rounding, ≤ 1e-14 relative, at every variance).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Callable, Sequence

import numpy as np
from scipy import special

__all__ = ["DEFAULT_ORDER", "ORDERS", "Range", "RANGE", "ACCURACY", "order_for", "hermite_rule",
           "polar_rule", "on_arrays", "correlation", "correlation_parts", "dual_expectations"]

Array = np.ndarray

DEFAULT_ORDER = 64
"""Nodes per dimension at variances ≤ 1 (and the order of the polar rule)."""
ORDERS = ((1.0, 64), (20.0, 96), (float("inf"), 128))
"""(largest variance, nodes per dimension): the order :func:`order_for` picks."""


@dataclass(frozen=True)
class Range:
    """The declared range of the accuracy statement: covariances with variances in
    [0, ``max_variance``] and any correlation in [−1, 1] (c = ±1 and the Gram diagonal
    k11 = k22 = k12 included). ``max_variance`` covers the networks of depth ≤ ``depth``,
    weight_std ≤ ``weight_std``, bias_std ≤ ``bias_std`` on inputs with |x|²/n0 ≤
    ``input_scale``: their largest dual variance is the diagonal Σ⁷ ≈ 1.19e3 (softplus;
    gelu 1.14e3, swish 1.10e3, each doubling per layer from Σ¹ = 2² · 4 + 1 = 17; tanh,
    sigmoid and erf stay ≤ 17)."""

    depth: int = 8
    weight_std: float = 2.0
    bias_std: float = 1.0
    input_scale: float = 4.0
    max_variance: float = 1500.0


RANGE = Range()
ACCURACY = 1e-10
"""The stated accuracy of :func:`dual_expectations` at its default order, for smooth h
(tanh, gelu, softplus, sigmoid, swish; sin, cos, polynomials at variances ≤ 1) and, by the polar
rule, for h with ``kink_at_zero``: |error| ≤ ACCURACY · √(E[h(u)²] E[h(v)²]) for every
covariance of :data:`RANGE`."""
_Z = 10.0  # the rule spans z ∈ [−_Z, _Z]; φ(10) ≈ 8e-23
_EPS_MAX = 0.4  # ε ≤ 0.4 keeps κ = √(1 − 2ε) real and away from 0


def order_for(k_max: float) -> int:
    """The nodes per dimension :data:`ORDERS` gives for variances up to ``k_max``."""
    return next(order for bound, order in ORDERS if k_max <= bound)
_CHUNK_POINTS = 1 << 18  # quadrature points evaluated per chunk: keeps the temporaries in cache


@lru_cache(maxsize=None)
def hermite_rule(order: int) -> tuple[Array, Array]:
    """Nodes z_i and weights w_i (Σ w_i = 1) with E[h(z)] ≈ Σ w_i h(z_i), z ~ N(0, 1).

    The probabilists' Gauss–Hermite rule (weight e^{−z²/2}), exact for polynomials of
    degree ≤ 2·order − 1. The arrays are read-only (they are cached).
    """
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or order < 1:
        raise ValueError(f"order must be an integer >= 1; got {order!r}")
    nodes, weights = special.roots_hermitenorm(int(order))
    weights = weights / weights.sum()
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


def on_arrays(f: Callable) -> Callable:
    """Let f(k11, k22, k12), written with in-place numpy operations, take scalars too.

    The arguments reach f as float arrays of at least one dimension; every array f
    returns is reshaped to the broadcast shape of the arguments' shapes (0-d for scalars).
    """
    @wraps(f)
    def wrapper(k11, k22, k12):
        if all(type(k) is np.ndarray and k.ndim and k.dtype == np.float64 for k in (k11, k22, k12)):
            return f(k11, k22, k12)  # the kernels' inner loop: nothing to convert
        ks = [np.asarray(k, dtype=float) for k in (k11, k22, k12)]
        shape = np.broadcast_shapes(*(k.shape for k in ks))
        result = f(*(np.atleast_1d(k) for k in ks))
        if shape:
            return result
        if isinstance(result, tuple):
            return tuple(r.reshape(shape) for r in result)
        return result.reshape(shape)

    return wrapper


_SAFE_VARIANCES = (1e-150, 1e150)  # where k11·k22 can neither overflow nor underflow


def correlation_parts(k11: Array, k22: Array, k12: Array) -> tuple[Array, Array, Array | None]:
    """(√(k11 k22), c, degenerate) for arrays k11, k22 ≥ 0 and k12; see :func:`correlation`.

    ``degenerate`` is the mask (of c's shape) of k11 k22 = 0, or None when there is
    none; there √(k11 k22) = c = 0. In-place where possible: this is the inner loop of
    the kernels.

    √(k11 k22) is rounded once, so c is exactly 1 when k11 = k22 = k12 (√(k²) = k in
    IEEE arithmetic), which keeps arccos c exact on the diagonal of a kernel. Variances
    outside [1e-150, 1e150], where the product could overflow or underflow, take the
    slower m·√(min/max) with m = max(k11, k22), which keeps that property.
    """
    low = min(k11.min(initial=np.inf), k22.min(initial=np.inf))
    high = max(k11.max(initial=0.0), k22.max(initial=0.0))
    if _SAFE_VARIANCES[0] <= low and high <= _SAFE_VARIANCES[1]:
        norm = np.multiply(k11, k22)
        np.sqrt(norm, out=norm)
        c = np.divide(k12, norm)
        degenerate = None
    else:
        big = np.maximum(k11, k22)
        norm = np.minimum(k11, k22)
        with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 where degenerate, reset below
            np.divide(norm, big, out=norm)
            np.sqrt(norm, out=norm)
            norm *= big
            c = np.divide(k12, norm)
        degenerate = None if (norm > 0).all() else np.broadcast_to(~(norm > 0), c.shape)
        if degenerate is not None:
            norm[~(norm > 0)] = 0.0
            c[degenerate] = 0.0
    np.clip(c, -1.0, 1.0, out=c)
    return norm, c, degenerate


@on_arrays
def correlation(k11, k22, k12) -> tuple[Array, Array]:
    """(√(k11 k22), c) with c = k12/√(k11 k22) clipped to [−1, 1], and c = 0 where k11 k22 = 0.

    For a covariance [[k11, k12], [k12, k22]] (k11, k22 ≥ 0). The first has the
    broadcast shape of (k11, k22), the second that of all three. Clipping removes the
    rounding that pushes |c| past 1 at perfectly correlated pairs; c = 1 exactly when
    k11 = k22 = k12, see :func:`correlation_parts`.
    """
    return correlation_parts(k11, k22, k12)[:2]


def dual_expectations(
    fns: Sequence[Callable[[Array], Array]], k11, k22, k12, *, order: int | None = None,
    kink_at_zero: bool = False,
) -> list[Array]:
    """E[h(u) h(v)] for each h in ``fns``, (u, v) ~ N(0, [[k11, k12], [k12, k22]]).

    The mapped trapezoidal rule of the module docstring, ``order`` nodes per dimension
    (None: :func:`order_for` the largest variance); with ``kink_at_zero`` (h smooth
    except for a kink or jump at 0) the polar rule of :func:`polar_rule` (None:
    :data:`DEFAULT_ORDER`), exact for relu, abs, leaky relu and step. Broadcastable
    array arguments; returns one array of the broadcast shape per function, all
    functions sharing one factorisation of the covariances and one grid. Accuracy:
    :data:`ACCURACY` over :data:`RANGE` (module docstring).
    """
    _, c = correlation(k11, k22, k12)
    scales = [np.sqrt(np.maximum(np.asarray(k, dtype=float), 0.0)) for k in (k11, k22)]
    if order is None:
        largest = max(float(x.max(initial=0.0)) for x in scales) ** 2
        order = DEFAULT_ORDER if kink_at_zero else order_for(largest)
    rule, points = (_polar, 6 * (order // 2) ** 2) if kink_at_zero else (_mapped, order**2)
    flat = [np.broadcast_to(x, c.shape).ravel() for x in (*scales, c)]
    out = [np.empty(c.size) for _ in fns]
    chunk = max(1, _CHUNK_POINTS // points)
    for start in range(0, c.size, chunk):
        part = slice(start, start + chunk)
        for result, value in zip(out, rule(fns, *(x[part] for x in flat), order)):
            result[part] = value
    return [r.reshape(c.shape) for r in out]


def _mapped_grid(eps: Array, p: Array, order: int) -> tuple[Array, Array]:
    """Nodes z and normalised weights of the mapped trapezoidal rule, shape p.shape + (order,).

    ``eps`` (shape p.shape[:1]) is the compression ε ≤ _EPS_MAX at the feature points p.
    """
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or order < 2:
        raise ValueError(f"order must be an integer >= 2; got {order!r}")
    eps = eps.reshape(eps.shape + (1,) * p.ndim)
    kappa = np.sqrt(1.0 - 2.0 * eps)
    slope = 2.0 * (1.0 - eps) / kappa
    half = _Z + slope * np.arctanh(kappa)  # z(±half) is beyond ±_Z wherever p lies in it
    centre = np.clip(p[..., None], -half, half)
    t = np.linspace(-1.0, 1.0, int(order)) * half
    tau = t - centre
    z = np.tanh(0.5 * tau)
    z *= kappa
    np.arctanh(z, out=z)
    z *= -slope
    z += t
    w = np.cosh(tau, out=tau)
    w -= 1.0
    w *= eps
    w += 1.0
    np.divide(eps - 1.0, w, out=w)
    w += 1.0
    w *= np.exp(-0.5 * z * z)
    w /= w.sum(axis=-1, keepdims=True)
    return z, w


def _mapped(fns, a: Array, b: Array, c: Array, order: int) -> list[Array]:
    """The nested mapped trapezoidal rule for flat arrays a = √k11, b = √k22, c."""
    s = np.sqrt(1.0 - c * c)
    tau = b * s
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # 1/0 = inf, capped by the min
        smoothed = np.where(c != 0.0, np.sqrt(1.0 + tau * tau) / (b * np.abs(c)), np.inf)
        eps_outer = np.minimum(np.minimum(1.0 / a, smoothed), _EPS_MAX)
        eps_inner = np.minimum(1.0 / tau, _EPS_MAX)
        slant = np.where(s > 0.0, -c / s, 0.0)
    z1, w1 = _mapped_grid(eps_outer, np.zeros(len(a)), order)
    z2, w2 = _mapped_grid(eps_inner, slant[:, None] * z1, order)
    v = z2 * tau[:, None, None]
    v += (b * c)[:, None, None] * z1[:, :, None]
    u = a[:, None] * z1
    return [np.einsum("en,en->e", w1 * h(u), np.einsum("enm,enm->en", w2, h(v))) for h in fns]


@lru_cache(maxsize=None)
def polar_rule(order: int) -> tuple[Array, Array, Array, Array]:
    """(x, w, t, λ): Gauss–Legendre on [−1, 1] and Gauss–Laguerre on [0, ∞), order//2 each.

    The rule, for z = r(cos φ, sin φ) with φ ∈ [0, π) and r ∈ R, u = a r cos φ and
    v = b r cos(φ − θ) (θ = arccos c; the same u, v as the tensor rule):

        E[h(u) h(v)] = (1/2π) ∫_0^π dφ ∫_0^∞ e^{−t} G dt,   G = h(u) h(v) + h(−u) h(−v),

    with t = r²/2 (folding r < 0 onto r > 0 makes G even in r, so a function of t). The
    angle is cut where u = 0 (φ = π/2) or v = 0 (φ = θ + π/2 mod π), Legendre nodes on
    each of the three arcs, Laguerre nodes in t. A kink of h at 0 then lies on the cuts
    and at t = 0, and for relu, abs, leaky relu and step G is a polynomial in t on each
    arc: the rule is exact for them. The arrays are read-only (they are cached).
    """
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or order < 2:
        raise ValueError(f"order must be an integer >= 2; got {order!r}")
    rule = (*special.roots_legendre(order // 2), *special.roots_laguerre(order // 2))
    for array in rule:
        array.flags.writeable = False
    return rule


def _polar(fns, a: Array, b: Array, c: Array, order: int) -> list[Array]:
    """The polar rule of :func:`polar_rule` for flat arrays a = √k11, b = √k22, c."""
    x, w, t, lam = polar_rule(order)
    theta = np.arccos(c)
    cuts = np.sort(np.stack([np.zeros_like(theta), np.full_like(theta, np.pi / 2),
                             np.mod(theta + np.pi / 2, np.pi), np.full_like(theta, np.pi)]),
                   axis=0).T[:, :, None]
    low, high = cuts[:, :-1], cuts[:, 1:]
    phi = ((low + high) / 2 + (high - low) / 2 * x).reshape(len(c), -1)
    dphi = ((high - low) / 2 * w).reshape(len(c), -1)
    r = np.sqrt(2.0 * t)
    u = (a[:, None] * np.cos(phi))[:, :, None] * r
    v = (b[:, None] * np.cos(phi - theta[:, None]))[:, :, None] * r
    return [np.sum(((h(u) * h(v) + h(-u) * h(-v)) @ lam) * dphi, axis=1) / (2 * np.pi)
            for h in fns]
