"""Running a numeric check: hypothesis draws configurations, each one is z-tested.

Hypothesis runs with ``database=None`` and a seed derived from the run seed, the
claim and the check, so a run is reproducible.  Every configuration gets its own
random stream, derived from the run seed and the configuration itself, so the
result does not depend on the order or the process in which units run.  A
refuted comparison is raised to hypothesis, which shrinks it (unless told not
to) and reports the smallest counterexample.  The configurations depend on that seed
alone, not on which modules the process has imported (see ``_SeedOnly``).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import mpmath
import numpy as np
import sympy as sp
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings

from derivations.core import Relation, Statement
from numeric import montecarlo
from numeric.stats import (CONSISTENT, INCONCLUSIVE, REFUTED, ZTest, extrapolate, log_std_se, mde,
                           loglog_slope, nonzero_test, z_test)

from . import isolation
from .budgets import Budget
from .claim import ContractError, NumericCheck
from .results import CheckResult, Comparison

__all__ = ["Context", "run_check", "predictor", "predict", "stable_int", "PILOT"]

PILOT = 20_000
"""Monte Carlo draws used to size a comparison before the measured draws, and the
fewest draws a comparison measures with: below that, the sample SE of a sparse or
heavy-tailed integrand is itself unreliable and the normal approximation behind z
is poor."""
MARGIN = 1.2
"""The pilot's standard deviation is inflated by this factor before sizing, so that the
pilot's own sampling error (large for heavy-tailed integrands such as score-function
estimators) does not leave the measured MDE just above its target."""


def stable_int(*keys: Any) -> int:
    """A 63-bit integer from ``keys``' text: the same in every process and run."""
    digest = hashlib.sha256(repr(keys).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


_SAFE = {
    "acos": lambda x: np.arccos(np.clip(x, -1.0, 1.0)),
    "asin": lambda x: np.arcsin(np.clip(x, -1.0, 1.0)),
}
_SAFE_MP = {
    "acos": lambda x: mpmath.acos(max(-1, min(1, x))),
    "asin": lambda x: mpmath.asin(max(-1, min(1, x))),
}
_DIGITS = 30
_BRANCH = mpmath.mpf(10) ** -12


@functools.lru_cache(maxsize=None)
def predictor(relation: Relation, args: tuple[sp.Symbol, ...]) -> Callable:
    """The relation's right-hand side as a vectorised numpy function of ``args``.

    Correlations are clipped to [-1, 1] before ``acos``/``asin`` (rounding can put
    them just outside).
    """
    return sp.lambdify(args, relation.rhs, modules=[_SAFE, "numpy", "scipy"])


@functools.lru_cache(maxsize=None)
def _mp_predictor(statement: Statement, name: str, args: tuple[sp.Symbol, ...]) -> Callable:
    rhs = statement.domain.substitute(statement[name].rhs)
    return sp.lambdify(args, rhs, modules=[_SAFE_MP, "mpmath"])


def predict(statement: Statement, name: str, point: Mapping[sp.Symbol, float]) -> float:
    """Relation ``name``'s right-hand side at ``point``, evaluated with 30-digit mpmath.

    ``point`` gives the domain's free coordinates (e.g. k11, k22 and the correlation
    c); derived symbols (k12 = c sqrt(k11 k22)) are computed from them at full
    precision, so a point on an edge stays on it.  Near the edges float64 loses
    digits (arccos c at c = -1 + 1e-16 is off by ~1e-8); the prediction must not
    carry that error into a z-test.  At a branch point the value may still pick up an
    imaginary part of rounding size, which is dropped; a larger one is an error.
    """
    args = tuple(point)
    with mpmath.workdps(_DIGITS):
        value = mpmath.mpmathify(_mp_predictor(statement, name, args)(
            *(mpmath.mpf(point[a]) for a in args)))
        if abs(value.imag) > _BRANCH * max(1, abs(value.real)):
            raise ValueError(f"{name}: prediction {value} at {dict(point)} is not real")
        return float(value.real)


@dataclass(frozen=True)
class Context:
    """What one configuration of a check may use: budget, threshold, random stream."""

    budget: Budget
    threshold: float
    seed: int
    claim_id: str
    check: NumericCheck
    config: Any = None
    data: dict = field(default_factory=dict, compare=False)

    def rng(self, *keys: Any) -> np.random.Generator:
        """A generator for this configuration (and ``keys``), independent of everything else."""
        entropy = [self.seed, stable_int(self.claim_id, self.check.name, repr(self.config), keys)]
        return np.random.default_rng(np.random.SeedSequence(entropy))

    @property
    def target(self) -> float:
        return self.budget.target(self.check.kind)

    def record(self, key: str, value: Any) -> None:
        """Keep ``value`` (JSON-able) as data of this check, under ``key``.

        Values built by :mod:`verify.figdata` are plotted in the document.  A key
        recorded again (at another configuration) gets a number, ``key (2)``, so no
        example overwrites another.
        """
        unique, count = key, 1
        while unique in self.data:
            count += 1
            unique = f"{key} ({count})"
        self.data[unique] = value

    def test(self, estimate: float, se: float, prediction: float, *,
             scale: float | None = None, kind: str | None = None) -> ZTest:
        target = self.budget.target(kind) if kind else self.target
        return z_test(estimate, se, prediction, threshold=self.threshold, target=target, scale=scale)

    def compare(self, label: str, estimate: float, se: float, prediction: float, *,
                samples: int, scale: float | None = None, kind: str | None = None) -> Comparison:
        """A comparison of an estimate with a known standard error, at this configuration."""
        return Comparison(label, self._config(),
                          self.test(estimate, se, prediction, scale=scale, kind=kind), samples)

    def exact(self, label: str, value: float, prediction: float, *, scale: float | None = None,
              operations: float = 1.0, condition: float = 1.0) -> Comparison:
        """Compare a deterministic floating-point result with its prediction.

        Its standard error is the first-order rounding model of a backward-stable
        computation, operations x condition x eps x scale (Higham, ch. 1-3): state
        both factors honestly (e.g. n for a length-n dot product, the condition number
        of a linear solve).
        """
        scale = max(abs(prediction), 1e-300) if scale is None else scale
        se = operations * condition * float(np.finfo(float).eps) * scale
        return self.compare(label, value, se, prediction, samples=1, scale=scale)

    def width_limit(self, label: str, widths, values, prediction: float, *,
                    rate: float, scale: float | None = None) -> tuple[Comparison, ...]:
        """The width-limit pattern for X_n -> X.

        ``values[i]`` holds one X_n per independent initialisation at width
        ``widths[i]``.  (1) Fit E[X_n] = X + b/n by weighted least squares and z-test X
        against ``prediction`` (kind "width"); (2) fit the log-log slope of the
        fluctuation std_n against n (SE of log std from the number of seeds) and z-test
        it against ``rate`` (kind "rate"), the prediction of a relation of the claim's
        statement, derived and mutated like any other; (3) require that slope to differ from 0.  The SE of
        each log std corrects for the values' sample kurtosis (heavy tails widen it).
        """
        widths = np.asarray(widths, dtype=float)
        if len(widths) < 3:
            raise ValueError(f"widths={widths.tolist()}: a width limit needs at least 3 widths")
        values = [np.asarray(v, dtype=float) for v in values]
        means = np.array([v.mean() for v in values])
        stds = np.array([v.std(ddof=1) for v in values])
        counts = np.array([v.size for v in values])
        fit = extrapolate(widths, means, stds / np.sqrt(counts))
        kurtosis = [float(np.mean((v - v.mean()) ** 4) / v.var() ** 2) if v.var() > 0 else 3.0
                    for v in values]
        log_se = np.array([log_std_se(s, k) for s, k in zip(counts, kurtosis)])
        slope = loglog_slope(widths, stds, log_se)
        self.record(label, {"figure": "width_limit", "title": label, "widths": widths.tolist(), "mean": means.tolist(), "std": stds.tolist(),
                            "seeds": counts.tolist(), "prediction": prediction,
                            "intercept": float(fit.coef[0]), "intercept_se": fit.se(0),
                            "slope": float(slope.coef[1]), "slope_se": slope.se(1), "rate": rate,
                            "log_std_se": log_se.tolist(), "limit_fit": _drawn(fit), "fluctuation_fit": _drawn(slope)})
        config = self._config() + (("widths", tuple(int(w) for w in widths)),
                                   ("seeds", tuple(int(s) for s in counts)))
        samples = int(counts.sum())
        return (
            Comparison(f"{label}: extrapolated limit", config,
                       self.test(fit.coef[0], fit.se(0), prediction, scale=scale, kind="width"), samples),
            *self.exponent((f"{label}: fluctuation exponent", f"{label}: fluctuation exponent differs from 0"),
                           slope.coef[1], slope.se(1), rate, config=config, samples=samples),
        )

    def exponent(self, labels: tuple[str, str], slope: float, se: float, rate: float, *,
                 config: tuple, samples: int, scale: float | None = None) -> tuple[Comparison, Comparison]:
        """A fitted exponent (a log-log slope and its SE) z-tested against ``rate``, the prediction
        of a relation of the claim's statement (kind "rate"), and required to differ from 0
        (|slope/SE| > z*, :func:`numeric.stats.nonzero_test`): a flat measurement with a wide SE
        would otherwise pass a small rate.  ``labels`` name the two comparisons; the MDE's scale
        is |rate| unless ``scale`` is given."""
        scale = abs(rate) if scale is None else scale
        return (Comparison(labels[0], config, self.test(slope, se, rate, scale=scale, kind="rate"), samples),
                Comparison(labels[1], config, nonzero_test(slope, se, threshold=self.threshold, scale=scale),
                           samples))

    def _config(self) -> tuple[tuple[str, Any], ...]:
        if isinstance(self.config, dict):
            return tuple((str(k), v) for k, v in self.config.items())
        return (("config", repr(self.config)),)

    def expectation(self, label: str, h: Callable, prediction: float, cov: tuple[float, float, float],
                    *, scale_of: tuple[Callable, Callable]) -> Comparison:
        """Compare E[h(u, v)] over N(0, cov) with ``prediction``.

        The scale of the MDE is sqrt(E[f(u)^2] E[g(v)^2]) for ``scale_of`` = (f, g), the
        Cauchy-Schwarz bound on |E[f(u) g(v)]|, estimated from a pilot; the pilot's
        spread of h sizes the sample to the budget's target.  When the measured spread shows
        the pilot's was too small (heavy tails), the sample is topped up once to the size the
        measured spread asks for (a two-stage design: the second stage depends on the spread, not
        on the mean).  Samples are capped at ``max_samples``; a comparison that misses its target
        there is inconclusive unless refuted.
        """
        rng = self.rng(label)
        f, g = scale_of
        a, b = montecarlo.gaussian_pairs(*cov, PILOT, rng)
        sd = float(np.std(h(a, b), ddof=1))
        scale = max(float(np.sqrt(np.mean(f(a) ** 2) * np.mean(g(b) ** 2))), abs(prediction))
        n = montecarlo.samples_for(MARGIN * sd, scale=scale, target=self.target, threshold=self.threshold)
        n = int(min(max(n, PILOT), self.budget.max_samples))
        final = montecarlo.expect(h, *cov, samples=n, rng=rng)
        if mde(final.se, self.threshold) > self.target * scale:
            more = montecarlo.samples_for(MARGIN * final.sd, scale=scale, target=self.target,
                                          threshold=self.threshold)
            goal = int(min(more, self.budget.max_samples))
            if goal > n:
                final = montecarlo.pool(final, montecarlo.expect(h, *cov, samples=goal - n, rng=rng))
        return Comparison(label, self._config(), self.test(final.mean, final.se, prediction, scale=scale),
                          final.samples)


def _drawn(fit) -> dict:
    """A fit as figure data: its coefficients and their covariance, which the figure draws
    (never refitted there, so the drawn band is the one the comparison used)."""
    return {"coef": fit.coef.tolist(), "cov": fit.cov.tolist()}


class _Refuted(Exception):
    def __init__(self, config, comparisons):
        super().__init__(f"refuted at {config!r}")
        self.config = config
        self.comparisons = comparisons


def _status(comparisons: list[Comparison]) -> str:
    statuses = {c.test.status for c in comparisons}
    for status in (REFUTED, INCONCLUSIVE):
        if status in statuses:
            return status
    return CONSISTENT if comparisons else INCONCLUSIVE


def _hold_to_contract(check: NumericCheck, claim_id: str, comparisons: tuple) -> None:
    """``measure`` returns Comparisons, at most ``per_example`` of them: the Bonferroni m counted
    that many, so one more would spend false-alarm budget nobody granted."""
    wrong = [type(c).__name__ for c in comparisons if not isinstance(c, Comparison)]
    if wrong or len(comparisons) > check.per_example:
        problem = (f"measure returned {', '.join(wrong)}, not Comparison" if wrong else
                   f"declared {check.per_example}, but measure returned {len(comparisons)} comparisons")
        raise ContractError(f"claim {claim_id!r}, check {check.name!r}: per_example: {problem}")


def run_check(check: NumericCheck, statement, *, budget: Budget, threshold: float,
              run_seed: int, claim_id: str, shrink: bool = True) -> CheckResult:
    """Run ``check`` against ``statement``; the first refuted configuration ends it."""
    seen: list[Comparison] = []
    data: dict = {}

    def body(config):
        ctx = Context(budget, threshold, run_seed, claim_id, check, config, data)
        comparisons = tuple(check.measure(statement, config, ctx))
        _hold_to_contract(check, claim_id, comparisons)
        seen.extend(comparisons)
        if any(c.test.status == REFUTED for c in comparisons):
            raise _Refuted(config, comparisons)

    phases = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if shrink else ())
    test = given(check.configs(budget))(body)
    for config in reversed(check.explicit):
        test = example(config)(test)
    test = settings(max_examples=check.drawn(budget), database=None, deadline=None,
                    derandomize=False, phases=phases, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
                    print_blob=False, backend="hypothesis")(test)
    test = seed(stable_int(run_seed, claim_id, check.name))(test)
    try:
        with isolation.SEED_ONLY:
            test()
    except _Refuted as failure:
        return CheckResult(check.name, check.description, REFUTED, failure.comparisons,
                           len(seen), counterexample=repr(failure.config), data=data)
    return CheckResult(check.name, check.description, _status(seen), tuple(seen), len(seen), data=data)
