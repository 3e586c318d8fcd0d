"""The verifier audits itself: its false-alarm rate, its mutants, its calibration.

* **False alarms.** Every claim is run R times with independent seeds.  A run in
  which a (true) claim comes out ``refuted`` is a false alarm; one that comes out
  ``inconclusive`` or ``error`` is reported too (a failure of sensitivity or of
  the code, not an alarm).  The family budget promises P(any false alarm in a run)
  <= alpha_F, so over R runs the count of runs with a false alarm is at most
  Binomial(R, alpha_F); the audit accepts the observed count unless that
  binomial's upper tail at it is below ``TAIL`` (one-sided test).
* **Mutants.** Every declared mutant runs once (with the first seed); each must
  be refuted, and survivors are named.
* **Calibration.** When the statistics are right, a check's z-scores are
  standard normal: mean near 0, standard deviation near 1.  Deterministic
  comparisons are left out: those of one "sample", whose standard error is a
  rounding bound (``Context.exact``), and those at the float64 resolution floor.
  A check is ``mis-calibrated`` when |mean| > 0.5 or its standard deviation lies
  outside [0.6, 1.5]; below ``MIN_Z`` z-scores it is judged ``too few``, and a
  check with none (every comparison exact) is ``deterministic``.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Sequence

from scipy import stats as _st

from numeric.stats import RESOLUTION

from .results import ERROR, INCONCLUSIVE, REFUTED, RunResult

__all__ = ["CheckCalibration", "ClaimAudit", "AuditResult", "audit", "calibrate", "MEAN_LIMIT",
           "STD_RANGE", "MIN_Z", "TAIL"]

MEAN_LIMIT = 0.5
STD_RANGE = (0.6, 1.5)
MIN_Z = 8
TAIL = 0.01


@dataclass(frozen=True)
class CheckCalibration:
    """The z-scores of one numeric check across the audit's runs."""

    claim_id: str
    check: str
    count: int
    mean: float
    std: float
    status: str


@dataclass(frozen=True)
class ClaimAudit:
    """One claim over R runs: how often it was not verified, and its mutants."""

    id: str
    runs: int
    refuted: int
    inconclusive: int
    errors: int
    mutants: int
    mutants_refuted: int
    survivors: tuple[str, ...]

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class AuditResult:
    """The whole audit; ``exit_code`` is 0 when every mutant is refuted and the
    false alarms are within what alpha_F allows."""

    runs: int
    budget: str
    seed: int
    alpha: float
    seeds: tuple[int, ...]
    claims: tuple[ClaimAudit, ...]
    checks: tuple[CheckCalibration, ...]
    false_alarm_runs: int
    false_alarm_tail: float
    seconds: float

    JSON_EXTRAS = ("mutants_refuted_fraction", "survivors", "exit_code")

    @property
    def mutants_refuted_fraction(self) -> float:
        total = sum(c.mutants for c in self.claims)
        return sum(c.mutants_refuted for c in self.claims) / total if total else 1.0

    @property
    def survivors(self) -> tuple[str, ...]:
        return tuple(f"{c.id}:{m}" for c in self.claims for m in c.survivors)

    @property
    def miscalibrated(self) -> tuple[CheckCalibration, ...]:
        return tuple(c for c in self.checks if c.status == "mis-calibrated")

    @property
    def exit_code(self) -> int:
        ok = not self.survivors and self.false_alarm_tail >= TAIL
        return 0 if ok else 1


def _z_scores(runs: Sequence[RunResult]) -> dict[tuple[str, str], list[float]]:
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    for run in runs:
        for claim in run.claims:
            for check in claim.checks:
                key = (claim.id, check.name)
                scores.setdefault(key, [])
                for comparison in check.comparisons:
                    test = comparison.test
                    random = comparison.samples > 1 and test.se > RESOLUTION * test.scale * (1 + 1e-9)
                    if test.kind == "equal" and random:
                        scores[key].append(test.z)
    return scores


def calibrate(claim_id: str, check: str, zs: Sequence[float]) -> CheckCalibration:
    """The calibration verdict on one check's z-scores."""
    finite = [z for z in zs if math.isfinite(z)]
    if not finite:
        return CheckCalibration(claim_id, check, 0, math.nan, math.nan, "deterministic")
    if len(finite) < MIN_Z:
        mean = statistics.fmean(finite)
        std = statistics.stdev(finite) if len(finite) > 1 else math.nan
        return CheckCalibration(claim_id, check, len(finite), mean, std, "too few")
    mean, std = statistics.fmean(finite), statistics.stdev(finite)
    good = abs(mean) <= MEAN_LIMIT and STD_RANGE[0] <= std <= STD_RANGE[1]
    return CheckCalibration(claim_id, check, len(finite), mean, std,
                            "calibrated" if good else "mis-calibrated")


def _claim_audits(runs: Sequence[RunResult]) -> tuple[ClaimAudit, ...]:
    audits = []
    for claim in runs[0].claims:
        seen = [next(c for c in run.claims if c.id == claim.id) for run in runs]
        count = lambda status: sum(r.status == status for r in seen)  # noqa: E731
        audits.append(ClaimAudit(claim.id, len(runs), count(REFUTED), count(INCONCLUSIVE),
                                 count(ERROR), len(claim.mutants),
                                 len(claim.mutants) - len(claim.surviving_mutants),
                                 claim.surviving_mutants))
    return tuple(audits)


def audit(claims, *, runs: int, budget: str, seed: int, alpha: float, run_once,
          progress=None) -> AuditResult:
    """Audit ``claims`` over ``runs`` runs; ``run_once(seed, mutants)`` runs them once.

    Seeds are ``seed``, ``seed + 1``, ...: each derives independent streams, since
    every stream hashes its seed with the unit's identity.
    """
    if runs < 1:
        raise ValueError(f"--runs {runs}: give a whole number >= 1")
    seeds = tuple(seed + i for i in range(runs))
    results = []
    for i, s in enumerate(seeds):
        results.append(run_once(s, i == 0))
        if progress:
            progress(i + 1, runs, results[-1])
    alarms = sum(any(c.status == REFUTED for c in r.claims) for r in results)
    tail = float(_st.binom.sf(alarms - 1, runs, alpha)) if alarms else 1.0
    checks = tuple(calibrate(cid, name, zs) for (cid, name), zs in _z_scores(results).items())
    return AuditResult(runs, budget, seed, alpha, seeds, _claim_audits(results), checks,
                       alarms, tail, sum(r.seconds for r in results))
