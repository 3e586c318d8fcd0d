"""The one-weight model of seed 001 ("Understanding the NTK", the α-scaling section):

    f(w) = (w x + w² x + sin(e^{0.1 w})) (w − 0.4),   x = 1.5,   w₀ = 0.4,

so f(w₀) = 0 (the zero-output-at-initialisation requirement), and the α-scaled loss for one
target ȳ is L_α(w) = ½ (α f(w) − ȳ)², with linearisation
L^lin_α(w) = ½ (α f'(w₀)(w − w₀) − ȳ)².  Writing f(w₀ + δ) = g(w₀ + δ)·δ with
g(w) = w x + w² x + sin(e^{0.1 w}) keeps the small offsets δ = w − w₀ to full relative
precision, and gives f'(w₀) = g(w₀), f''(w₀) = 2 g'(w₀).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

__all__ = ["X", "W0", "model", "offset_model", "derivatives", "minimiser_offset", "losses"]

X = 1.5
W0 = 0.4


def _g(w):
    return w * X + w * w * X + np.sin(np.exp(0.1 * w))


def _g_prime(w):
    return X + 2.0 * w * X + 0.1 * np.exp(0.1 * w) * np.cos(np.exp(0.1 * w))


def model(w):
    """f(w), elementwise."""
    w = np.asarray(w, dtype=float)
    return _g(w) * (w - W0)


def offset_model(delta):
    """f(w₀ + δ) = g(w₀ + δ)·δ, exact in δ (no cancellation in w − w₀)."""
    delta = np.asarray(delta, dtype=float)
    return _g(W0 + delta) * delta


def derivatives() -> tuple[float, float]:
    """(f'(w₀), f''(w₀)) = (g(w₀), 2 g'(w₀))."""
    return float(_g(W0)), 2.0 * float(_g_prime(W0))


def _check_alpha_target(alpha, target) -> tuple[float, float]:
    if not (isinstance(alpha, (int, float)) and math.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha={alpha!r} is not accepted; expected a finite real > 0")
    if not (isinstance(target, (int, float)) and math.isfinite(target)):
        raise ValueError(f"target={target!r} is not accepted; expected a finite real")
    return float(alpha), float(target)


def minimiser_offset(alpha: float, target: float) -> float:
    """δ* = w* − w₀ for the minimiser w* of L_α nearest w₀, i.e. the root of α f(w₀ + δ) = ȳ.

    Found by Brent's method on the bracket between 0 and twice the linearised root
    ȳ/(α f'(w₀)), to full double precision; for the α where that bracket holds no sign
    change (the nonlinearity not yet small) a ValueError says so.
    """
    alpha, target = _check_alpha_target(alpha, target)
    if target == 0.0:
        return 0.0
    step = target / (alpha * derivatives()[0])
    residual = lambda d: offset_model(d) - target / alpha
    lo, hi = sorted((0.0, 2.0 * step))
    if residual(lo) * residual(hi) > 0:
        raise ValueError(f"alpha={alpha!r}: no root of α f(w₀ + δ) = ȳ between 0 and 2ȳ/(α f'(w₀))")
    return brentq(residual, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=200)


def losses(alpha: float, target: float, w) -> tuple[np.ndarray, np.ndarray]:
    """(L_α(w), L^lin_α(w)) on an array of weights w."""
    alpha, target = _check_alpha_target(alpha, target)
    w = np.asarray(w, dtype=float)
    slope = derivatives()[0]
    return 0.5 * (alpha * model(w) - target) ** 2, 0.5 * (alpha * slope * (w - W0) - target) ** 2
