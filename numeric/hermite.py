"""Hermite expansions of activations and their dual kernels (Mehler's formula).

Basis: the normalised probabilists' Hermite polynomials h_k = He_k/√(k!), orthonormal
under z ~ N(0, 1): E[h_j(z) h_k(z)] = δ_jk. The coefficients of σ at variance q are

    a_k(q) = E[σ(√q z) h_k(z)],      σ(√q z) = Σ_k a_k(q) h_k(z)  in L²(N(0, 1)),

and Mehler's formula gives, for u = √q z, v = √q z' with corr(z, z') = ρ,

    E[σ(u) σ(v)] = Σ_k a_k(q)² ρ^k,      E[σ'(u) σ'(v)] = (1/q) Σ_k k a_k(q)² ρ^{k−1}

(O'Donnell 2014, "Analysis of Boolean Functions", §11.2; Daniely, Frostig & Singer 2016,
"Toward deeper understanding of neural networks", §4). The second follows from the first
by Price's theorem (∂/∂k12 E[σ(u)σ(v)] = E[σ'(u)σ'(v)]) or from h_k' = √k h_{k−1}: σ' at
unit variance has coefficients √(k+1) a_{k+1}, so its dual has coefficients (k+1) a_{k+1}².

Closed forms (Gaussian integration by parts, E[f(z) He_k(z)] = E[f^{(k)}(z)], with s = √q):

    relu     a_0 = s/√(2π), a_1 = s/2, a_k = s φ(0) He_{k−2}(0)/√(k!)   (k ≥ 2)
    step     a_0 = 1/2,     a_k = φ(0) He_{k−1}(0)/√(k!)                  (k ≥ 1)
    a·min(z, 0) + b·max(z, 0) (abs, leaky relu): (b − (−1)^k a) × relu's
    erf      a_k = (2/√π) s^k (−1)^m (2m)!/m! (1 + 2s²)^{−m−1/2}/√(k!), k = 2m + 1; 0 for even k
    sin, cos a_k = s^k e^{−s²/2} sin(kπ/2)/√(k!), resp. cos(kπ/2)
    exp      a_k = s^k e^{s²/2}/√(k!)
    z, z²    a_1 = s;  a_0 = s², a_2 = √2 s²

with He_n(0) = (−1)^{n/2} (n − 1)!! for even n and 0 for odd n; magnitudes are formed in
logarithms (``scipy.special.gammaln``), so thousands of terms neither overflow nor
underflow. Every other activation is integrated numerically (:func:`coefficients`,
:func:`expectations`): composite Gauss–Legendre on |z| ≤ 2√K + 12 (beyond it the Gaussian
weight carries < 1e-30 of h_k² φ), unit panels, and panels halving towards 0 down to
0.1/√q (:func:`line_rule`). The features of σ(√q z) sit at z ~ 1/√q (tanh's poles at
±iπ/(2√q), the smoothed kink of softplus, gelu and swish, or a true kink at 0, which is
always a panel edge), so each lies at least a panel width away from every panel, where
Gauss–Legendre converges geometrically. Measured against 30-digit mpmath
(tests/numeric/test_depth.py): ≤ 1e-10 × √E[σ(√q z)²] for every library activation at
q ≤ 12 and k ≤ 40 (typically 1e-16).
"""
from __future__ import annotations

import numbers
from functools import lru_cache

import numpy as np
from scipy import special

from numeric import activations
from numeric.activations import Activation

__all__ = ["coefficients", "dual_series", "dual_deriv_series", "derivative_coefficients", "power_series",
           "evaluate", "basis"]

Array = np.ndarray
_LOG_PHI0 = -0.5 * np.log(2.0 * np.pi)
_REACH = 12.0                 # |z| beyond 2√K + _REACH carries < 1e-30 of the weight


def basis(z, terms: int) -> Array:
    """[h_0(z), …, h_{terms−1}(z)] stacked on a new first axis, by the stable recurrence
    h_{k+1} = (z h_k − √k h_{k−1})/√(k+1)."""
    terms = _terms(terms)
    z = np.asarray(z, dtype=float)
    out = np.empty((terms,) + z.shape)
    out[0] = 1.0
    if terms > 1:
        out[1] = z
    for k in range(1, terms - 1):
        out[k + 1] = (z * out[k] - np.sqrt(k) * out[k - 1]) / np.sqrt(k + 1)
    return out


def evaluate(coeffs, z) -> Array:
    """Σ_k a_k h_k(z) for coefficients ``coeffs`` (last axis k), by Clenshaw's recurrence."""
    coeffs = np.asarray(coeffs, dtype=float)
    z = np.asarray(z, dtype=float)
    terms = coeffs.shape[-1]
    b1 = np.zeros(np.broadcast_shapes(coeffs.shape[:-1], z.shape))
    b2 = np.zeros_like(b1)
    for k in range(terms - 1, -1, -1):
        # h_{k+1} = α_k z h_k − β_{k+1} h_{k−1} with α_k = 1/√(k+1), β_k = √(k/(k+1))
        b = coeffs[..., k] + z * b1 / np.sqrt(k + 1) - np.sqrt((k + 1) / (k + 2)) * b2
        b1, b2 = b, b1
    return b1


def derivative_coefficients(coeffs) -> Array:
    """Coefficients of σ' from those of σ (unit variance): b_k = √(k+1) a_{k+1}.

    From h_k' = √k h_{k−1}; one term fewer (the last coefficient has no successor)."""
    coeffs = np.asarray(coeffs, dtype=float)
    k = np.arange(1, coeffs.shape[-1])
    return np.sqrt(k) * coeffs[..., 1:]


def dual_series(coeffs, rho) -> Array:
    """Σ_k a_k² ρ^k, Mehler's dual E[σ(u)σ(v)] at the variance the coefficients belong to
    (broadcast: coefficients (..., K) against ρ of shape (...))."""
    return power_series(np.square(np.asarray(coeffs, dtype=float)), rho)


def dual_deriv_series(coeffs, rho) -> Array:
    """Σ_k k a_k² ρ^{k−1} = q E[σ'(u)σ'(v)] (q the coefficients' variance; Price's theorem)."""
    squares = np.square(np.asarray(coeffs, dtype=float))
    k = np.arange(1, squares.shape[-1])
    return power_series(k * squares[..., 1:], rho)


def power_series(series: Array, rho) -> Array:
    """Σ_k series_k ρ^k (last axis of ``series`` is k, broadcast against ρ) by Horner's rule."""
    rho = np.asarray(rho, dtype=float)
    out = np.zeros(np.broadcast_shapes(series.shape[:-1], rho.shape))
    for k in range(series.shape[-1] - 1, -1, -1):
        out *= rho
        out += series[..., k]
    return out


def coefficients(activation, terms: int, *, variance=1.0) -> Array:
    """a_k(q) = E[σ(√q z) h_k(z)] for k < ``terms``; shape ``variance.shape + (terms,)``.

    Closed forms for relu, step, abs, leaky relu (any a·min + b·max), erf, sin, cos,
    exp, identity and quadratic; numerical integration otherwise (accuracy in the
    module docstring). ``variance`` q ≥ 0 may be an array.
    """
    act = activations.get(activation)
    terms = _terms(terms)
    q = np.asarray(variance, dtype=float)
    if not np.all(np.isfinite(q) & (q >= 0)):
        raise ValueError(f"variance must be finite and >= 0; got {variance!r}")
    closed = _closed_form(act)
    if closed is not None:
        return closed(np.sqrt(q)[..., None], np.arange(terms))
    return _integrated(act, terms, q)


# ---------------------------------------------------------------- closed forms

def _log_he0(n: Array) -> tuple[Array, Array]:
    """(log |He_n(0)|, sign) with He_n(0) = (−1)^{n/2}(n − 1)!! for even n ≥ 0, 0 for odd n."""
    n = np.asarray(n, dtype=float)
    even = (n % 2 == 0)
    m = np.floor(n / 2)
    # (2m − 1)!! = (2m)!/(2^m m!)
    log = special.gammaln(2 * m + 1) - m * np.log(2.0) - special.gammaln(m + 1)
    sign = np.where(even, np.where(m % 2 == 0, 1.0, -1.0), 0.0)
    return log, sign


def _relu(s: Array, k: Array) -> Array:
    log, sign = _log_he0(np.maximum(k - 2, 0))
    tail = sign * np.exp(_LOG_PHI0 + log - 0.5 * special.gammaln(k + 1))
    head = np.where(k == 0, np.exp(_LOG_PHI0), 0.5)
    return s * np.where(k >= 2, tail, head)


def _abrelu(a: float, b: float):
    def closed(s, k):
        return (b - np.where(k % 2 == 0, 1.0, -1.0) * a) * _relu(s, k)
    return closed


def _step(s: Array, k: Array) -> Array:
    log, sign = _log_he0(np.maximum(k - 1, 0))
    tail = sign * np.exp(_LOG_PHI0 + log - 0.5 * special.gammaln(k + 1))
    return np.broadcast_to(np.where(k == 0, 0.5, tail), np.broadcast_shapes(s.shape, k.shape)).copy()


def _erf(s: Array, k: Array) -> Array:
    m = np.maximum(np.floor((k - 1) / 2), 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = (np.log(2.0 / np.sqrt(np.pi)) + k * np.log(s) + special.gammaln(2 * m + 1)
               - special.gammaln(m + 1) - (m + 0.5) * np.log1p(2 * s * s)
               - 0.5 * special.gammaln(k + 1))
    sign = np.where(m % 2 == 0, 1.0, -1.0)
    return np.where(k % 2 == 1, sign * np.exp(log), 0.0)


def _power(s: Array, k: Array) -> Array:
    """s^k/√(k!) in logarithms (0^0 = 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.where(k == 0, 0.0, k * np.log(s)) - 0.5 * special.gammaln(k + 1)
    return np.exp(log)


def _trig(phase: float):
    def closed(s, k):
        return np.round(np.sin(k * np.pi / 2 + phase)) * np.exp(-0.5 * s * s) * _power(s, k)
    return closed


def _exp(s: Array, k: Array) -> Array:
    return np.exp(0.5 * s * s) * _power(s, k)


def _identity(s: Array, k: Array) -> Array:
    return np.where(k == 1, s, 0.0)


def _quadratic(s: Array, k: Array) -> Array:
    return np.where(k == 0, s * s, np.where(k == 2, np.sqrt(2.0) * s * s, 0.0))


_CLOSED = {"relu": _relu, "step": _step, "erf": _erf, "sin": _trig(0.0),
           "cos": _trig(np.pi / 2), "exp": _exp, "identity": _identity, "quadratic": _quadratic}


def _closed_form(act: Activation):
    """The closed form of the library activation ``act``, or None (user σ, tanh, …)."""
    params = dict(act.params)
    if set(params) == {"a", "b"}:
        return _abrelu(params["a"], params["b"])
    if act.name in _CLOSED and act.name in activations.names() and activations.get(act.name) is act:
        return _CLOSED[act.name]
    return None


# ---------------------------------------------------------------- numerical integration

@lru_cache(maxsize=None)
def line_rule(level: int, reach: float, order: int) -> tuple[Array, Array]:
    """Nodes z_i and weights w_i with E[g(z)] ≈ Σ w_i g(z_i), z ~ N(0, 1), |z| ≤ ``reach``.

    Composite Gauss–Legendre (``order`` nodes per panel), symmetric about 0: unit panels
    on [1, reach] and panels halving towards 0 on [2^−level, 1], plus [0, 2^−level]. A
    feature of σ(√q z) at z ~ 1/√q (tanh's poles at ±iπ/(2√q), a smoothed kink, a kink
    at 0, which is always an edge) then lies at a distance from each panel that is at
    least its width when 2^−level ≤ 0.1/√q, where Gauss–Legendre converges like 5.8^{−2·order}
    for σ analytic there. Read-only arrays.
    """
    x, w = special.roots_legendre(order)
    step = 1.0 if order > 10 else 2.0
    edges = np.concatenate([[0.0], 2.0 ** -np.arange(level, 0, -1), np.arange(1.0, reach + step, step)])
    left, right = edges[:-1, None], edges[1:, None]
    half = ((left + right) / 2 + (right - left) / 2 * x).ravel()
    half_w = ((right - left) / 2 * w).ravel()
    nodes = np.concatenate([-half[::-1], half])
    weights = np.concatenate([half_w[::-1], half_w]) * np.exp(-0.5 * nodes * nodes - 0.5 * np.log(2 * np.pi))
    nodes.flags.writeable = False
    weights.flags.writeable = False
    return nodes, weights


def rule_level(q: Array) -> Array:
    """The grading level per variance: 2^−level ≤ 0.1/√q (at least 2)."""
    return np.clip(np.ceil(np.log2(10.0 * np.sqrt(np.maximum(q, 1e-300)))), 2, 200).astype(int)


def expectations(integrands, q: Array, *, terms: int = 0) -> list[Array]:
    """E[g(√q z) h_k(z)] for k < ``terms`` (terms > 0), or E[g(√q z)] (terms = 0), for each
    array g(u) of ``integrands(u)`` (one call per group of nodes, so that σ and σ' are
    evaluated once for several integrands). Each result has shape q.shape (+ (terms,)).
    Variances are grouped by :func:`rule_level`, one matrix product per group.
    """
    q = np.asarray(q, dtype=float)
    flat = q.ravel()
    levels = rule_level(flat)
    reach = float(np.ceil(2.0 * np.sqrt(terms) + _REACH))
    tail = (terms,) if terms else ()
    out = None
    for level in np.unique(levels):
        where = np.flatnonzero(levels == level)
        nodes, weights = line_rule(int(level), reach, 20 if terms else 10)
        weighted = basis(nodes, terms) * weights if terms else weights[:, None]
        values = integrands(np.sqrt(flat[where])[:, None] * nodes)
        if out is None:
            out = [np.empty(flat.shape + tail) for _ in values]
        for result, value in zip(out, values):
            result[where] = (np.asarray(value, dtype=float) @ (weighted.T if terms else weighted)).reshape(
                (where.size,) + tail)
    return [r.reshape(q.shape + tail) for r in out]


def _integrated(act: Activation, terms: int, q: Array) -> Array:
    return expectations(lambda u: [act.fn(u)], q, terms=terms)[0]


def _terms(terms) -> int:
    if isinstance(terms, bool) or not isinstance(terms, numbers.Integral) or terms < 1:
        raise ValueError(f"terms must be an integer >= 1; got {terms!r}")
    return int(terms)
