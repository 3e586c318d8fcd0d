"""The runner: plans a run, hands its units to an Executor, assembles the results.

A unit is one claim, or one mutant of a claim, run against the whole budget.  Units
are plain picklable records (ids, not objects), so any
``concurrent.futures.Executor`` can run them; the default runs them inline, one
after another.  The Bonferroni threshold is fixed before anything runs, from the
number of comparisons every selected check may make (DESIGN.md).
"""
from __future__ import annotations

import importlib.metadata
import platform
import time
import traceback
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Sequence

import sympy as sp

from derivations.engine import StepStatus, check_derivation
from numeric.stats import CONSISTENT, REFUTED as CHECK_REFUTED, critical_z

from . import budgets, registry
from .checks import run_check
from .claim import Claim
from .results import (ERROR, INCONCLUSIVE, REFUTED, SURVIVED, VERIFIED, CheckResult, ClaimResult,
                      MutantResult, RunResult, StepResult)

__all__ = ["Unit", "InlineExecutor", "comparisons", "run_unit", "run", "versions"]


@dataclass(frozen=True)
class Unit:
    """One piece of work: a claim (``mutant`` None) or one of its mutants."""

    claim_id: str
    mutant: str | None
    budget: str
    seed: int
    threshold: float


class InlineExecutor(Executor):
    """Runs each submitted call at once, in the caller's process."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def comparisons(claims: Iterable[Claim], budget: budgets.Budget) -> int:
    """How many comparisons the claims' checks may make: the m of the Bonferroni threshold."""
    return sum(check.comparisons(budget) for claim in claims for check in claim.checks)


def _steps(derivation, domain) -> tuple[StepResult, ...]:
    return tuple(
        StepResult(step.text, step.how.value, step.op, sp.latex(step.lhs), sp.latex(step.rhs),
                   outcome.status.value, outcome.method, step.uses, outcome.counterexample)
        for step, outcome in zip(derivation.steps, check_derivation(derivation, domain))
    )


def _evaluate(claim: Claim, statement, unit: Unit, *, shrink: bool):
    derivation = claim.derive(statement)
    steps = _steps(derivation, statement.domain)
    budget = budgets.get(unit.budget)
    checks = tuple(run_check(check, statement, budget=budget, threshold=unit.threshold,
                             run_seed=unit.seed, claim_id=claim.id, shrink=shrink)
                   for check in claim.checks)
    return derivation, steps, checks


def _verdict(steps: Sequence[StepResult], checks: Sequence[CheckResult]) -> str:
    if any(s.status == StepStatus.REFUTED.value for s in steps) or \
            any(c.status == CHECK_REFUTED for c in checks):
        return REFUTED
    passed = (StepStatus.PROVED.value, StepStatus.CHECKED_NUMERICALLY.value)
    if all(s.status in passed for s in steps) and all(c.status == CONSISTENT for c in checks):
        return VERIFIED
    return INCONCLUSIVE


def _error_text(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{place}"


def _claim_result(claim: Claim, unit: Unit) -> ClaimResult:
    statement = claim.statement
    base = dict(
        id=claim.id, title=claim.title, source=claim.source, uses=claim.uses,
        statement=tuple((r.name, sp.latex(r.lhs), sp.latex(r.rhs)) for r in statement.relations),
        assumptions=statement.assumptions, domain=statement.domain.description,
    )
    start = time.perf_counter()
    try:
        derivation, steps, checks = _evaluate(claim, statement, unit, shrink=True)
    except Exception as exc:
        return ClaimResult(status=ERROR, seconds=time.perf_counter() - start, conclusion="",
                           error=f"{_error_text(exc)} [unit {claim.id}, seed {unit.seed}]", **base)
    return ClaimResult(status=_verdict(steps, checks), seconds=time.perf_counter() - start,
                       conclusion=derivation.conclusion, steps=steps, checks=checks, **base)


def _mutant_result(claim: Claim, unit: Unit) -> MutantResult:
    mutant = claim.mutant(unit.mutant)
    start = time.perf_counter()
    try:
        _, steps, checks = _evaluate(claim, mutant.statement, unit, shrink=False)
    except Exception as exc:
        return MutantResult(mutant.name, mutant.description, ERROR, (),
                            time.perf_counter() - start, _error_text(exc))
    layers = (("symbolic", any(s.status == StepStatus.REFUTED.value for s in steps)),
              ("numeric", any(c.status == CHECK_REFUTED for c in checks)))
    refuted_by = tuple(name for name, hit in layers if hit)
    return MutantResult(mutant.name, mutant.description, REFUTED if refuted_by else SURVIVED,
                        refuted_by, time.perf_counter() - start)


def run_unit(unit: Unit):
    """Run one unit; errors become an ``error`` verdict, never an exception."""
    claim = registry.get(unit.claim_id)
    return _claim_result(claim, unit) if unit.mutant is None else _mutant_result(claim, unit)


def _stream(executor: Executor, units: Sequence[Unit], window: int) -> Iterator:
    """Results in the order of ``units``, with at most ``window`` units in flight."""
    pending: deque[Future] = deque()
    for unit in units:
        pending.append(executor.submit(run_unit, unit))
        while len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("ntk-verify", "sympy", "numpy", "scipy", "hypothesis"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _with_dependencies(result: ClaimResult, statuses: dict[str, str]) -> ClaimResult:
    return replace(result, dependencies=tuple((u, statuses.get(u, "not run")) for u in result.uses))


def run(claims: Sequence[Claim], *, budget: str = "standard", seed: int = 0, alpha: float = 1e-3,
        mutants: bool = False, executor: Executor | None = None, window: int | None = None,
        reporter=None) -> RunResult:
    """Run ``claims`` and return the :class:`RunResult`; ``reporter`` sees each claim as it ends.

    ``window`` bounds the units in flight (1 for the inline executor, so progress is
    reported as the run goes; all of them otherwise).
    """
    plan = budgets.get(budget)
    m = max(1, comparisons(claims, plan))
    threshold = critical_z(alpha, m)
    units = [Unit(c.id, name, budget, seed, threshold)
             for c in claims for name in (None, *(mu.name for mu in c.mutants if mutants))]
    executor = executor or InlineExecutor()
    window = window or (1 if isinstance(executor, InlineExecutor) else len(units))
    info = RunResult(seed, budget, alpha, threshold, m, mutants, versions())
    if reporter:
        reporter.start(info, len(claims))
    start = time.perf_counter()
    results, statuses = [], {}
    stream = _stream(executor, units, window)
    for claim in claims:
        result = next(stream)
        found = tuple(next(stream) for mu in claim.mutants if mutants)
        result = _with_dependencies(replace(result, mutants=found), statuses)
        statuses[claim.id] = result.status
        results.append(result)
        if reporter:
            reporter.handle(result, len(results), len(claims))
    final = replace(info, claims=tuple(results), seconds=time.perf_counter() - start)
    if reporter:
        reporter.stop(final)
    return final
