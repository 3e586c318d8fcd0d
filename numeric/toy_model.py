"""The one-weight model of Rajat V. D., "Understanding the Neural Tangent Kernel" (2019), the
α-scaling section:

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

__all__ = ["X", "W0", "model", "offset_model", "derivatives", "circle_derivatives", "minimiser_offset",
           "losses"]

X = 1.5
W0 = 0.4


def _g(w):
    return w * X + w * w * X + np.sin(np.exp(0.1 * w))


def _g_prime(w):
    return X + 2.0 * w * X + 0.1 * np.exp(0.1 * w) * np.cos(np.exp(0.1 * w))


def model(w):
    """f(w), elementwise; real or complex w (f is entire)."""
    w = np.asarray(w)
    w = w.astype(np.result_type(w, float))
    return _g(w) * (w - W0)


def offset_model(delta):
    """f(w₀ + δ) = g(w₀ + δ)·δ, exact in δ (no cancellation in w − w₀)."""
    delta = np.asarray(delta, dtype=float)
    return _g(W0 + delta) * delta


def derivatives() -> tuple[float, float]:
    """(f'(w₀), f''(w₀)) = (g(w₀), 2 g'(w₀))."""
    return float(_g(W0)), 2.0 * float(_g_prime(W0))


def circle_derivatives(function, at: float, orders: int, *, radius: float = 0.5,
                       points: int = 64) -> np.ndarray:
    """f^(k)(at) for k = 0..orders-1 of an analytic ``function`` from its values on a circle.

    Cauchy's integral formula f^(k)(a) = k!/(2 pi i) oint f(z)/(z - a)^{k+1} dz by the
    trapezoidal rule on z = a + r e^{i theta_m}, theta_m = 2 pi m/M (Lyness & Moler,
    "Numerical Differentiation of Analytic Functions", 1967): the discrete Fourier
    coefficients of the M values are the Taylor coefficients a_k r^k up to aliasing
    a_{k+M} r^{k+M} (negligible for an entire f), so f^(k)(a) = k! Re c_k / r^k with no
    difference quotients.  Rounding: about M eps max|f| k!/r^k.
    """
    if not (isinstance(orders, int) and 1 <= orders < points):
        raise ValueError(f"orders={orders!r} is not accepted; expected an integer 1 <= orders < points={points}")
    if not (isinstance(radius, (int, float)) and math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius={radius!r} is not accepted; expected a finite real > 0")
    theta = 2.0 * math.pi * np.arange(points) / points
    values = np.asarray(function(at + radius * np.exp(1j * theta)), dtype=complex)
    coefficients = np.fft.fft(values)[:orders] / points
    factorials = np.array([math.factorial(k) for k in range(orders)], dtype=float)
    return factorials * coefficients.real / radius ** np.arange(orders)


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
