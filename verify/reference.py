"""High-precision reference values of dual activations and NNGP/NTK kernels (mpmath).

Independent of ``numeric``: the activation is the SymPy σ of ``derivations.duals.SIGMA``
(σ' its SymPy derivative) lambdified to mpmath, and the Gaussian integral

    E[σ(u) σ(v)] = ∫ φ(z1) σ(√k11 z1) [∫ φ(z2) σ(√k22 (c z1 + s z2)) dz2] dz1,

s = √(1 − c²), is computed in ``digits``-digit arithmetic by composite Gauss–Legendre
quadrature on z ∈ [−L, L] (φ(L) below 10^−digits), with panels graded geometrically
(ratio 3, widths capped at 2) away from the feature point of each integrand (0 outside;
−c z1/s inside), starting at the feature width min(1, 1/(scale of the argument)) — a
different rule from the library's (an hp-graded Gauss–Legendre rule in the style of
Schwab 1998, "p- and hp-finite element methods", applied to quadrature). Gauss–Legendre
nodes come from ``mpmath.gauss_quadrature``.

Accuracy: the panel degree is ⌈0.45·digits⌉ + 2; at digits = 30 two such rules (degree
and degree + 4) agreed to ~1e-19 relative on tanh at k = 1000, c = 0.5 and matched an
independent mpmath tanh–sinh evaluation there to ~1e-19. c = ±1 (and the Gram
diagonal) is the 1-D integral E[σ(√k11 z) σ(±√k22 z)]. Cost: pure-Python mpmath,
~(panel count · degree)² evaluations for a 2-D integral: seconds at digits ≈ 16, about
ten seconds at 30; the 1-D cases take milliseconds.

API: :func:`dual_reference` (name, k11, k22, k12) → (E[σσ], E[σ'σ']) as mpf;
:func:`kernel_reference` (name, Gram of the inputs, depth, weight_std, bias_std) →
(NNGP, NTK) as nested lists of mpf, by the recursion of ``numeric.kernels`` (Jacot et
al. 2018, "Neural tangent kernel") with the reference duals.
"""
from __future__ import annotations

import functools
import math

import mpmath as mp
import sympy as sp

from derivations.duals import SIGMA
from derivations.gaussian import z

__all__ = ["dual_reference", "kernel_reference"]


@functools.cache
def _activation(name: str):
    if name not in SIGMA:
        raise ValueError(f"name must be one of {', '.join(sorted(SIGMA))}; got {name!r}")
    sigma = SIGMA[name]
    return sp.lambdify(z, sigma, "mpmath"), sp.lambdify(z, sp.diff(sigma, z), "mpmath")


@functools.cache
def _legendre(degree: int, dps: int):
    with mp.workdps(dps):
        x, w = mp.gauss_quadrature(degree, "legendre")
        return tuple(x[i] for i in range(degree)), tuple(w[i] for i in range(degree))


def _rule(point, width, limit, degree):
    """Nodes and Gaussian-weighted weights on [−limit, limit], graded around ``point``."""
    point = max(-limit, min(limit, point))
    breaks = {-limit, limit, point}
    step, offset = width, width
    while offset < 2 * limit:
        breaks.update(x for x in (point - offset, point + offset) if -limit < x < limit)
        step = min(2 * step, 2)
        offset += step
    breaks = sorted(breaks)
    x, w = _legendre(degree, mp.mp.dps)
    norm = 1 / mp.sqrt(2 * mp.pi)
    nodes, weights = [], []
    for low, high in zip(breaks[:-1], breaks[1:]):
        half, mid = (high - low) / 2, (high + low) / 2
        for xi, wi in zip(x, w):
            node = mid + half * xi
            nodes.append(node)
            weights.append(half * wi * norm * mp.exp(-node * node / 2))
    return nodes, weights


@functools.lru_cache(maxsize=4096)
def dual_reference(name: str, k11, k22, k12, digits: int = 30) -> tuple[mp.mpf, mp.mpf]:
    """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]) for (u, v) ~ N(0, [[k11, k12], [k12, k22]]), σ the
    activation ``name`` of ``derivations.duals.SIGMA``, to about ``digits`` digits.

    k11, k22 ≥ 0 and |k12| ≤ √(k11 k22) (floats, strings or mpf); c is clipped to [−1, 1].
    """
    f, d = _activation(name)
    if not isinstance(digits, int) or digits < 10:
        raise ValueError(f"digits must be an integer >= 10; got {digits!r}")
    with mp.workdps(digits + 10):
        k11, k22, k12 = mp.mpf(k11), mp.mpf(k22), mp.mpf(k12)
        if k11 < 0 or k22 < 0:
            raise ValueError(f"k11 and k22 must be >= 0; got {k11}, {k22}")
        a, b = mp.sqrt(k11), mp.sqrt(k22)
        if a * b > 0:
            c = max(-1, min(1, k12 / (a * b)))
            s = mp.sqrt(max(0, k11 * k22 - k12 * k12)) / (a * b)
        else:
            c, s = mp.mpf(0), mp.mpf(1)
        limit = mp.mpf(math.ceil(math.sqrt(2 * (digits + 4) * math.log(10))))
        degree = math.ceil(0.6 * digits) + 2
        tau = b * s
        outer = min(1, 1 / a if a else 1, mp.sqrt(1 + tau**2) / (b * abs(c)) if c else 1)
        inner = min(1, 1 / tau) if tau else 1
        dual = deriv = mp.mpf(0)
        for z1, w1 in zip(*_rule(mp.mpf(0), outer, limit, degree)):
            if s == 0:
                m = b * c * z1
                f_inner, d_inner = f(m), d(m)
            else:
                f_inner = d_inner = mp.mpf(0)
                for z2, w2 in zip(*_rule(-c * z1 / s, inner, limit, degree)):
                    v = b * (c * z1 + s * z2)
                    f_inner += w2 * f(v)
                    d_inner += w2 * d(v)
            dual += w1 * f(a * z1) * f_inner
            deriv += w1 * d(a * z1) * d_inner
        return +dual, +deriv


def kernel_reference(name: str, gram, depth: int, weight_std, bias_std, digits: int = 30):
    """(NNGP Σ^L, NTK Θ^L) of the inputs whose scaled Gram matrix x_i·x_j/n0 is ``gram``
    (a square nested sequence), by Σ¹ = σ_w² gram + σ_b², Σ^{ℓ+1} = σ_w² E[σσ] + σ_b²,
    Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² E[σ'σ'] Θ^ℓ with :func:`dual_reference` at ``digits``."""
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1; got {depth!r}")
    with mp.workdps(digits + 10):
        w, bias = mp.mpf(weight_std) ** 2, mp.mpf(bias_std) ** 2
        n = len(gram)
        sigma = [[w * mp.mpf(gram[i][j]) + bias for j in range(n)] for i in range(n)]
        theta = [row[:] for row in sigma]
        for _ in range(depth - 1):
            pairs = {(i, j): dual_reference(name, str(sigma[i][i]), str(sigma[j][j]),
                                            str(sigma[i][j]), digits)
                     for i in range(n) for j in range(i, n)}
            for (i, j), (dual, deriv) in pairs.items():
                new = w * dual + bias
                theta[i][j] = theta[j][i] = new + w * deriv * theta[i][j]
                sigma[i][j] = sigma[j][i] = new
        return sigma, theta
