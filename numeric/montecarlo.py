"""Batched Monte Carlo over a centred bivariate Gaussian, with standard errors.

(u, v) ~ N(0, [[k11, k12], [k12, k22]]) is drawn as u = sqrt(k11) a,
v = sqrt(k22) (c a + sqrt(1 - c^2) b) with a, b i.i.d. N(0, 1) and
c = k12/sqrt(k11 k22): exact also at the degenerate edges c = +-1.
Estimates are means of i.i.d. draws, their standard error the sample standard
deviation over sqrt(n); samples are drawn in batches so memory stays bounded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .stats import mde

__all__ = ["Estimate", "validate_covariance", "gaussian_pairs", "expect", "pool", "samples_for"]

BATCH = 1 << 18


@dataclass(frozen=True)
class Estimate:
    """The sample mean of ``samples`` i.i.d. draws and its standard error."""

    mean: float
    se: float
    samples: int

    @property
    def sd(self) -> float:
        """The sample standard deviation of the draws (with n - 1)."""
        return self.se * math.sqrt(self.samples)


def validate_covariance(k11: float, k22: float, k12: float) -> None:
    """Raise ValueError unless [[k11, k12], [k12, k22]] is a finite PSD covariance."""
    values = {"k11": k11, "k22": k22, "k12": k12}
    for name, value in values.items():
        if not math.isfinite(value):
            raise ValueError(f"covariance: {name}={value!r} is not finite")
    for name in ("k11", "k22"):
        if values[name] < 0:
            raise ValueError(f"covariance: {name}={values[name]!r} is a variance and must be >= 0")
    bound = math.sqrt(k11 * k22)
    if abs(k12) > bound * (1 + 1e-12) + 1e-300:
        raise ValueError(f"covariance: |k12|={abs(k12)!r} exceeds sqrt(k11*k22)={bound!r}; "
                         "the matrix must be positive semi-definite")


def gaussian_pairs(k11: float, k22: float, k12: float, size: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``size`` draws of (u, v) from N(0, [[k11, k12], [k12, k22]])."""
    validate_covariance(k11, k22, k12)
    bound = math.sqrt(k11 * k22)
    c = min(1.0, max(-1.0, k12 / bound)) if bound > 0 else 0.0
    a = rng.standard_normal(size)
    b = rng.standard_normal(size)
    u = math.sqrt(k11) * a
    b *= math.sqrt(1.0 - c * c)
    b += c * a
    b *= math.sqrt(k22)
    return u, b


def expect(h: Callable[[np.ndarray, np.ndarray], np.ndarray], k11: float, k22: float,
           k12: float, *, samples: int, rng: np.random.Generator, batch: int = BATCH) -> Estimate:
    """E[h(u, v)] from ``samples`` draws, with its standard error.

    Sums are shifted by the first batch's mean, so the variance does not suffer
    from cancellation when the mean is large compared with the spread.
    """
    if samples < 2:
        raise ValueError(f"samples={samples!r}: need at least 2 draws for a standard error")
    shift = None
    total = total_sq = 0.0
    done = 0
    while done < samples:
        size = min(batch, samples - done)
        values = np.asarray(h(*gaussian_pairs(k11, k22, k12, size, rng)), dtype=float)
        if shift is None:
            shift = float(values.mean())
        values -= shift
        total += float(values.sum())
        total_sq += float(values @ values)
        done += size
    mean = total / samples
    var = max(total_sq / samples - mean * mean, 0.0) * samples / (samples - 1)
    return Estimate(shift + mean, math.sqrt(var / samples), samples)


def pool(first: Estimate, second: Estimate) -> Estimate:
    """The estimate from the draws of two independent estimates of the same mean, taken together."""
    n = first.samples + second.samples
    mean = (first.samples * first.mean + second.samples * second.mean) / n
    squares = sum((e.samples - 1) * e.sd ** 2 + e.samples * (e.mean - mean) ** 2 for e in (first, second))
    return Estimate(mean, math.sqrt(squares / (n - 1) / n), n)


def samples_for(sd: float, *, scale: float, target: float, threshold: float) -> float:
    """Draws needed so that MDE = (z* + z_power) sd / sqrt(n) is at most target x scale.

    Infinite when the scale is 0 (no finite sample reaches a relative target).
    """
    if sd == 0:
        return 2
    if scale <= 0:
        return math.inf
    return max(2, math.ceil((mde(sd, threshold) / (target * scale)) ** 2))

