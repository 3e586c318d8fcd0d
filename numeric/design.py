"""Activations designed to realise a chosen dual kernel or one-hidden-layer NTK.

The inverse of Mehler's formula (``numeric.hermite``). On the unit sphere (inputs with
‖x‖² = n₀, σ_w = 1, σ_b = 0, so Σ¹ = ρ = x·x'/n₀ and the first layer's pre-activations
have unit variance), an activation σ = Σ_k a_k h_k has

    dual (NNGP of one hidden layer)   k(ρ) = Σ_k a_k² ρ^k,
    one-hidden-layer NTK              Θ(ρ) = Σ_k a_k² ρ^k + ρ Σ_k k a_k² ρ^{k−1} = Σ_k (k+1) a_k² ρ^k

(Daniely, Frostig & Singer 2016, "Toward deeper understanding of neural networks";
Simon, Anand & DeWeese 2021, "Reverse engineering the neural tangent kernel"). A target
Σ_k t_k ρ^k with t_k ≥ 0 is therefore realised by

    a_k = √t_k  (dual),    a_k = √(t_k/(k+1))  (NTK),

with the sign choice a_k ≥ 0 (any signs give the same kernel; the non-negative choice
gives, e.g., σ(z) = e^{z−1} for the Gaussian kernel e^{ρ−1}). The series is truncated
after K = len(target) terms: the designed σ is the degree-(K−1) polynomial Σ_{k<K} a_k h_k
and realises the truncated kernel exactly, so on |ρ| ≤ 1 it differs from the full target
by at most the caller's bound ``tail`` ≥ Σ_{k≥K} t_k. K ≤ 64 keeps the library's
Gauss–Hermite duals (order 64, exact for polynomials of degree ≤ 127 in each variable,
``numeric.quadrature``) exact to rounding, so the designed activation works in
``numeric.kernels`` and ``numeric.networks`` like any other.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import special

from numeric import hermite
from numeric.activations import Activation, custom

__all__ = ["Design", "design_activation", "gaussian_target", "MAX_TERMS", "KERNELS"]

Array = np.ndarray
MAX_TERMS = 64
KERNELS = ("nngp", "ntk")


@dataclass(frozen=True)
class Design:
    """A designed activation: ``activation`` σ = Σ_k a_k h_k with ``coefficients`` a_k,
    realising ``target`` t_k for ``kernel`` ("nngp": the dual, "ntk": the one-hidden-layer
    NTK) up to ``tail_bound`` on |ρ| ≤ 1."""

    activation: Activation
    coefficients: Array
    target: Array
    kernel: str
    tail_bound: float

    def kernel_series(self, rho) -> Array:
        """The realised kernel Σ_{k<K} t_k ρ^k (what the network with σ has, exactly)."""
        return hermite.power_series(self.target, rho)


def design_activation(target, *, kernel: str = "nngp", tail: float = 0.0,
                      name: str | None = None) -> Design:
    """The activation whose ``kernel`` ("nngp" or "ntk") has power series ``target``.

    ``target``: t_0, …, t_{K−1} ≥ 0 (1 ≤ K ≤ 64), finite; ``tail``: a bound on the
    omitted Σ_{k≥K} t_k (0 for a polynomial target), reported as the design's error bound.
    """
    t = np.asarray(target, dtype=float) if _real_array(target) else None
    if t is None or t.ndim != 1 or not 1 <= t.size <= MAX_TERMS or not np.all(np.isfinite(t) & (t >= 0)):
        raise ValueError(f"target must be a 1-D sequence of 1 to {MAX_TERMS} finite coefficients >= 0; "
                         f"got {target!r}")
    if kernel not in KERNELS:
        raise ValueError(f"kernel={kernel!r} is not known; accepted: {', '.join(KERNELS)}")
    if not isinstance(tail, numbers.Real) or isinstance(tail, bool) or not (np.isfinite(tail) and tail >= 0):
        raise ValueError(f"tail must be a finite real number >= 0; got {tail!r}")
    k = np.arange(t.size)
    a = np.sqrt(t if kernel == "nngp" else t / (k + 1))
    deriv = hermite.derivative_coefficients(a) if t.size > 1 else np.zeros(1)
    label = name or f"designed_{kernel}({', '.join(f'{x:.3g}' for x in t[:4])}{', …' if t.size > 4 else ''})"
    act = custom(label, lambda z: hermite.evaluate(a, z), lambda z: hermite.evaluate(deriv, z),
                 polynomial_degree=int(np.max(np.flatnonzero(a), initial=0)),
                 description=f"Σ_k a_k h_k(z), K = {t.size}, a_k = √t_k" + ("/(k+1)" if kernel == "ntk" else ""))
    return Design(act, a, t, kernel, float(tail))


def gaussian_target(terms: int) -> tuple[Array, float]:
    """(t_k, tail) for the Gaussian kernel on the sphere e^{ρ−1} = e^{−1} Σ_k ρ^k/k!.

    tail = Σ_{k≥K} e^{−1}/k! = P(Poisson(1) ≥ K), the regularised lower incomplete gamma
    function P(K, 1) (Abramowitz & Stegun 1964, 6.5.13).
    """
    if isinstance(terms, bool) or not isinstance(terms, numbers.Integral) or not 1 <= terms <= MAX_TERMS:
        raise ValueError(f"terms must be an integer in [1, {MAX_TERMS}]; got {terms!r}")
    k = np.arange(terms)
    return np.exp(-1.0 - special.gammaln(k + 1)), float(special.gammainc(terms, 1.0))


def _real_array(value) -> bool:
    try:
        return np.asarray(value).dtype.kind in "iuf"
    except (TypeError, ValueError):
        return False
