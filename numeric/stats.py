"""The statistics of the numeric checks (docs/design.md, "Statistics").

* Family false-alarm budget: with m comparisons in a run, each uses the two-sided
  Bonferroni threshold z* = Phi^{-1}(1 - alpha_F / (2 m)).
* Minimal detectable effect at power 0.9: MDE = (z* + z_{0.9}) SE.
* A comparison's status is one of :class:`ComparisonStatus` (the numeric layer's words; the
  derivation layer has its own, ``derivations.engine.StepStatus``, and the verdicts on
  claims and mutants are ``verify.results.Verdict``).
* A comparison is ``refuted`` when |z| > z*, ``inconclusive`` when it could not
  reach its target sensitivity (MDE > target x scale), ``consistent`` otherwise.
  A ``nonzero`` comparison (a slope that must differ from 0) is ``consistent``
  when |z| > z* and ``inconclusive`` otherwise.
* Weighted least squares with known standard errors for width extrapolation
  E[X_n] = X + b/n, and for log-log slopes of fluctuations.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = ["RESOLUTION", "ComparisonStatus", "CONSISTENT", "REFUTED", "INCONCLUSIVE", "POWER", "critical_z", "mde",
           "ZTest", "z_test", "nonzero_test", "Fit", "wls", "extrapolate", "loglog_slope",
           "log_std_se"]



class ComparisonStatus(str, enum.Enum):
    """The status of a comparison (and of a numeric check: that of its worst comparison)."""

    __str__ = str.__str__

    CONSISTENT = "consistent"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


CONSISTENT, REFUTED, INCONCLUSIVE = ComparisonStatus
POWER = 0.9
RESOLUTION = 1e-12
"""Relative resolution of a float64 prediction: the smallest standard error a comparison
uses, times its scale.  A degenerate configuration (e.g. correlation exactly -1, where
relu(u) relu(v) is 0 for every draw) has a sample SE of exactly 0, and the prediction's
rounding must not count as an effect."""
_Z_POWER = float(_st.norm.ppf(POWER))


def critical_z(alpha_family: float, comparisons: int) -> float:
    """z* = Phi^{-1}(1 - alpha_F/(2m)): two-sided Bonferroni over ``comparisons`` tests."""
    if not 0 < alpha_family < 1:
        raise ValueError(f"alpha_family={alpha_family!r}: must lie strictly between 0 and 1")
    if comparisons < 1:
        raise ValueError(f"comparisons={comparisons!r}: must be at least 1")
    return float(_st.norm.isf(alpha_family / (2 * comparisons)))


def mde(se: float, threshold: float) -> float:
    """The effect detected with probability 0.9 at two-sided threshold ``threshold``."""
    return (threshold + _Z_POWER) * se


@dataclass(frozen=True)
class ZTest:
    """One comparison of an estimate with a prediction.

    ``mde`` and ``target`` are relative to ``scale`` (|prediction| unless the check
    names a natural scale, e.g. sqrt(E[sigma(u)^2] E[sigma(v)^2]) for a dual).
    """

    estimate: float
    se: float
    prediction: float
    z: float
    threshold: float
    mde: float
    target: float
    scale: float
    status: ComparisonStatus
    kind: str = "equal"


def _relative_mde(se: float, threshold: float, scale: float) -> float:
    return mde(se, threshold) / scale if scale > 0 else math.inf


def z_test(estimate: float, se: float, prediction: float, *, threshold: float,
           target: float, scale: float | None = None) -> ZTest:
    """Test estimate = prediction; ``target`` is the largest acceptable relative MDE.

    The standard error is floored at RESOLUTION x scale (float64 rounding).
    """
    scale = abs(prediction) if scale is None else scale
    if se < 0 or not math.isfinite(se):
        raise ValueError(f"se={se!r}: a standard error must be finite and >= 0")
    se = max(se, RESOLUTION * scale)
    gap = estimate - prediction
    z = gap / se if se > 0 else (0.0 if gap == 0 else math.copysign(math.inf, gap))
    rel = _relative_mde(se, threshold, scale)
    if not math.isfinite(estimate) or abs(z) > threshold:
        status = REFUTED
    elif rel > target:
        status = INCONCLUSIVE
    else:
        status = CONSISTENT
    return ZTest(float(estimate), float(se), float(prediction), float(z), threshold,
                 rel, target, float(scale), status)


def nonzero_test(estimate: float, se: float, *, threshold: float, scale: float) -> ZTest:
    """Test that an estimate (e.g. a fitted slope) is distinguishable from 0."""
    z = estimate / se if se > 0 else math.inf
    status = CONSISTENT if abs(z) > threshold else INCONCLUSIVE
    return ZTest(float(estimate), float(se), 0.0, float(z), threshold,
                 _relative_mde(se, threshold, scale), 1.0, float(scale), status, "nonzero")


@dataclass(frozen=True)
class Fit:
    """Weighted least-squares coefficients, their covariance, and the fit's chi^2/dof."""

    coef: np.ndarray
    cov: np.ndarray
    chi2_dof: float

    def se(self, i: int) -> float:
        return float(math.sqrt(self.cov[i, i]))


def wls(design: np.ndarray, y: np.ndarray, se: np.ndarray) -> Fit:
    """Weighted least squares y ~ design @ coef with known standard errors ``se``.

    The covariance is (X^T W X)^{-1}, inflated by chi^2/dof when the residuals
    scatter more than the standard errors say (never deflated).
    """
    design, y, se = (np.asarray(a, dtype=float) for a in (design, y, se))
    if design.shape[0] != y.shape[0] or y.shape != se.shape:
        raise ValueError(f"design {design.shape}, y {y.shape} and se {se.shape} do not match")
    if np.any(se <= 0):
        raise ValueError("se: standard errors must be > 0")
    w = 1.0 / se
    coef, *_ = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)
    cov = np.linalg.inv((design * w[:, None]**2).T @ design)
    dof = design.shape[0] - design.shape[1]
    chi2_dof = float(np.sum(((y - design @ coef) * w) ** 2) / dof) if dof > 0 else 1.0
    return Fit(coef, cov * max(1.0, chi2_dof), chi2_dof)


def extrapolate(n: np.ndarray, mean: np.ndarray, se: np.ndarray) -> Fit:
    """Fit E[X_n] = X + b/n; ``coef`` is (X, b)."""
    n = np.asarray(n, dtype=float)
    return wls(np.column_stack([np.ones_like(n), 1.0 / n]), mean, se)


def log_std_se(samples: int, kurtosis: float = 3.0) -> float:
    """Standard error of log(sample std) from ``samples`` draws of the given kurtosis.

    By the delta method Var(s^2) ~ sigma^4 (kappa - 1)/n, so SE(log s) ~
    sqrt((kappa - 1) / (4 (n - 1))): 1/sqrt(2(n - 1)) for Gaussian draws (kappa = 3),
    larger for heavy tails.
    """
    return math.sqrt(max(kurtosis - 1.0, 0.0) / (4.0 * (samples - 1)))


def loglog_slope(x: np.ndarray, y: np.ndarray, se_log_y: np.ndarray) -> Fit:
    """Fit log y = a + s log x; ``coef`` is (a, s); ``se_log_y`` are the SEs of log y."""
    x = np.asarray(x, dtype=float)
    return wls(np.column_stack([np.ones_like(x), np.log(x)]), np.log(y), se_log_y)
