"""The runner: plans a run, hands its units to an Executor, assembles the results.

A unit is one part of one claim, its derivation or one of its numeric checks, or one
layer of a mutant.  A mutant runs through each layer on its own, the derivation and
the numeric checks, each stopping at its first refutation, so the result shows
which layers are able to refute it.  Units are plain picklable records (ids, not objects), so any
``concurrent.futures.Executor`` runs them: inline by default, a process pool with
``--jobs``, a Dask cluster through its executor.  Every random stream derives from
the run seed and the unit's own identity, so the results do not depend on the
executor or the number of workers; every unit runs with BLAS on one thread, because
a BLAS reduction sums in an order that depends on its thread count, and the last
digits of a result must not depend on where it ran (parallelism comes from running
units side by side).  The Bonferroni threshold is fixed before
anything runs, from the number of comparisons every selected check may make
(Bonferroni).
"""
from __future__ import annotations

import functools
import importlib.metadata
import platform
import time
import traceback
from collections import deque
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator, Sequence

import sympy as sp

from derivations.engine import StepStatus, check_derivation
from numeric.stats import ComparisonStatus, critical_z

from . import budgets, families, isolation, registry
from .checks import run_check
from .claim import Claim
from .results import (DERIVATION_LAYER, NUMERIC_LAYER, CheckResult, ClaimResult, MutantResult, RunResult, StepResult,
                      Verdict)

__all__ = ["Unit", "Part", "InlineExecutor", "comparisons", "units_of", "run_unit", "evaluate",
           "dependency_order", "run",
           "versions"]


@dataclass(frozen=True)
class Unit:
    """One piece of work: a claim's derivation (``part`` = "derivation") or its check
    numbered ``part``; or one layer of its mutant ``mutant`` (``part`` = "derivation"
    or "numeric")."""

    claim_id: str
    mutant: str | None
    part: str | int
    budget: str
    seed: int
    threshold: float
    mathml: bool = False

    def describe(self) -> str:
        who = self.claim_id + (f" mutant {self.mutant}" if self.mutant else "")
        what = self.part if isinstance(self.part, str) else f"check {self.part}"
        return f"{who}, {what}, seed {self.seed}"


@dataclass(frozen=True)
class Part:
    """What a unit produced: derivation steps (with the statement in LaTeX), check results, or
    an error.  The worker prints the LaTeX, so the collecting process stays idle."""

    unit: Unit
    seconds: float
    steps: tuple[StepResult, ...] = ()
    conclusion: str = ""
    statement: tuple[tuple[str, str, str], ...] = ()
    checks: tuple[CheckResult, ...] = ()
    error: str | None = None
    statement_mathml: tuple[tuple[str, str], ...] = ()


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


def _error_text(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{place}"


@functools.cache
def _primed(name: str, order: int) -> type:
    """An undefined function printed as ``name`` with ``order`` primes: sigma'(p)."""
    def _latex(self, printer):
        return (printer._print(sp.Symbol(name)) + "'" * order
                + r"\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)")
    return type(name + "'" * order, (sp.Function,), {"_latex": _latex})


def _derivative_at(subs: sp.Subs):
    """sigma^{(k)}(p) for ``Subs(Derivative(sigma(xi), (xi, k)), xi, p)``, else None."""
    inner, (variable,), (point,) = subs.expr, subs.variables, subs.point
    if isinstance(inner, sp.Derivative) and isinstance(inner.expr, sp.core.function.AppliedUndef) \
            and inner.expr.args == (variable,) and len(inner.variable_count) == 1:
        return _primed(inner.expr.func.__name__, inner.variable_count[0][1])(point)
    return None


def canonical(expr):
    """``expr`` with no bound dummy variable left where one can be named.

    SymPy numbers the dummies of a ``Subs`` from hashes, and orders the factors it prints by
    that number: printed as it is, sigma'(a) sigma''(b) would come out in an order that
    depends on the process.  A derivative of an undefined function at a point becomes a
    function named with primes (sigma'(p)); any other dummy becomes a plain symbol.
    """
    expr = sp.sympify(expr)
    named = {s: d for s in expr.atoms(sp.Subs) if (d := _derivative_at(s)) is not None}
    expr = expr.xreplace(named) if named else expr
    dummies = expr.atoms(sp.Dummy)
    return expr.xreplace({d: sp.Symbol(d.name, **d.assumptions0) for d in dummies}) if dummies else expr


def latex(expr) -> str:
    """The LaTeX of ``expr``, the same in every process."""
    return sp.latex(canonical(expr))


def _check_links(derivation) -> None:
    """Every step that names a claim links that claim's registered statement object."""
    for step in derivation.steps:
        if step.uses is not None and registry.get(step.uses).statement is not step.linked:
            raise ValueError(f"step {step.text[:60]!r} names claim {step.uses!r} but does not link "
                             f"its statement object (derivations.core.link takes it)")


def _steps(derivation, domain, *, stop_at_refutation: bool = False) -> tuple[StepResult, ...]:
    _check_links(derivation)
    outcomes = check_derivation(derivation, domain, stop_at_refutation=stop_at_refutation)
    return tuple(
        StepResult(step.text, step.how.value, step.op, latex(step.lhs), latex(step.rhs),
                   outcome.status, outcome.method, step.uses, outcome.counterexample, step.cite)
        for step, outcome in zip(derivation.steps, outcomes)
    )


def run_unit(unit: Unit) -> Part:
    """Run one unit; an exception becomes an error part naming the unit, never a crash."""
    with isolation.SINGLE_BLAS_THREAD:
        return _run_unit(unit)


def _run_check(claim: Claim, index: int, statement, unit: Unit) -> CheckResult:
    return run_check(claim.checks[index], statement, budget=budgets.get(unit.budget),
                     threshold=unit.threshold, run_seed=unit.seed, claim_id=claim.id,
                     shrink=unit.mutant is None)


def _numeric_layer(claim: Claim, statement, unit: Unit) -> tuple[CheckResult, ...]:
    """The checks in order, up to the first that refutes ``statement``."""
    checks: list[CheckResult] = []
    for index in range(len(claim.checks)):
        checks.append(_run_check(claim, index, statement, unit))
        if checks[-1].status == ComparisonStatus.REFUTED:
            break
    return tuple(checks)


def _statement_latex(statement) -> tuple[tuple[str, str, str], ...]:
    return tuple((r.name, latex(r.lhs), latex(r.rhs)) for r in statement.relations)


def _mathml(derivation, statement, steps: tuple[StepResult, ...]) -> dict:
    """The statement's relations and the steps as presentation MathML, for the web version."""
    from .report import mathml
    return {"steps": tuple(replace(result, mathml=mathml.relation(canonical(step.lhs), step.op,
                                                                  canonical(step.rhs)))
                           for step, result in zip(derivation.steps, steps)),
            "statement_mathml": tuple((r.name, mathml.relation(canonical(r.lhs), "=", canonical(r.rhs)))
                                      for r in statement.relations)}


def _run_unit(unit: Unit) -> Part:
    start = time.perf_counter()
    try:
        claim = registry.get(unit.claim_id)
        statement = claim.mutant(unit.mutant).statement if unit.mutant else claim.statement
        if unit.mutant and unit.part == DERIVATION_LAYER:
            found = {"steps": _steps(claim.derive(statement), statement.domain, stop_at_refutation=True)}
        elif unit.mutant:
            found = {"checks": _numeric_layer(claim, statement, unit)}
        elif unit.part == DERIVATION_LAYER:
            derivation = claim.derive(statement)
            found = {"steps": _steps(derivation, statement.domain), "conclusion": derivation.conclusion,
                     "statement": _statement_latex(statement)}
            if unit.mathml:
                found.update(_mathml(derivation, statement, found["steps"]))
        else:
            found = {"checks": (_run_check(claim, unit.part, statement, unit),)}
    except Exception as exc:
        return Part(unit, time.perf_counter() - start, error=f"{_error_text(exc)} [{unit.describe()}]")
    return Part(unit, time.perf_counter() - start, **found)


def units_of(claim: Claim, mutant: str | None, budget: str, seed: int, threshold: float,
             mathml: bool = False) -> list[Unit]:
    """The units of a claim (its derivation and each check), or of a mutant (its two layers);
    ``mathml`` asks the claim's derivation for MathML too."""
    if mutant is not None:
        layers = (DERIVATION_LAYER, NUMERIC_LAYER) if claim.checks else (DERIVATION_LAYER,)
        return [Unit(claim.id, mutant, layer, budget, seed, threshold) for layer in layers]
    parts = [DERIVATION_LAYER, *range(len(claim.checks))]
    return [Unit(claim.id, None, part, budget, seed, threshold, mathml and part == DERIVATION_LAYER) for part in parts]


def _verdict(steps: Sequence[StepResult], checks: Sequence[CheckResult]) -> Verdict:
    """Refuted when a step or a check is; verified when every step passed (proved, checked
    numerically or cited) and every check is consistent; else inconclusive."""
    if any(s.status == StepStatus.REFUTED for s in steps) or \
            any(c.status == ComparisonStatus.REFUTED for c in checks):
        return Verdict.REFUTED
    passed = (StepStatus.PROVED, StepStatus.CHECKED_NUMERICALLY, StepStatus.CITED)
    if all(s.status in passed for s in steps) and all(c.status == ComparisonStatus.CONSISTENT for c in checks):
        return Verdict.VERIFIED
    return Verdict.INCONCLUSIVE


def _gather(parts: Sequence[Part]):
    steps = tuple(s for p in parts for s in p.steps)
    checks = tuple(c for p in parts for c in p.checks)
    errors = [p.error for p in parts if p.error]
    return steps, checks, "; ".join(errors) or None, sum(p.seconds for p in parts)


def _claim_result(claim: Claim, parts: Sequence[Part]) -> ClaimResult:
    steps, checks, error, seconds = _gather(parts)
    derived = next(p for p in parts if p.unit.part == DERIVATION_LAYER)
    statement = claim.statement
    return ClaimResult(
        id=claim.id, title=claim.title, source=claim.source, uses=claim.uses,
        status=Verdict.ERROR if error else _verdict(steps, checks), seconds=seconds,
        statement=derived.statement or _statement_latex(statement),
        assumptions=statement.assumptions, domain=statement.domain.description,
        conclusion=derived.conclusion, steps=steps, checks=checks, error=error,
        statement_mathml=derived.statement_mathml,
    )


def _mutant_result(claim: Claim, name: str, parts: Sequence[Part]) -> MutantResult:
    steps, checks, error, seconds = _gather(parts)
    mutant = claim.mutant(name)
    layers = ((DERIVATION_LAYER, any(s.status == StepStatus.REFUTED for s in steps)),
              (NUMERIC_LAYER, any(c.status == ComparisonStatus.REFUTED for c in checks)))
    refuted_by = tuple(layer for layer, hit in layers if hit)
    status = Verdict.ERROR if error else Verdict.REFUTED if refuted_by else Verdict.SURVIVED
    return MutantResult(name, mutant.description, status, refuted_by, seconds, error)


def evaluate(claim: Claim, mutant: str | None = None, *, budget: str, seed: int, threshold: float):
    """One claim (a ClaimResult) or one of its mutants (a MutantResult), run in this process."""
    parts = [run_unit(u) for u in units_of(claim, mutant, budget, seed, threshold)]
    return _claim_result(claim, parts) if mutant is None else _mutant_result(claim, mutant, parts)


class _Pool:
    """Submits units to an executor; survives a process pool whose worker died.

    When a worker dies, every unit in flight on that pool fails with
    BrokenProcessPool.  The pool is replaced (by ``remake``) for the units still to
    come, and each failed unit is run again alone in a fresh pool, so the unit that
    kills its worker again is reported as an error and the others complete.
    """

    def __init__(self, executor: Executor, remake: Callable[[], Executor] | None):
        self.executor, self.remake = executor, remake

    def submit(self, unit: Unit) -> tuple[Unit, Executor, Future]:
        return unit, self.executor, self.executor.submit(run_unit, unit)

    def result(self, unit: Unit, owner: Executor, future: Future) -> Part:
        try:
            return future.result()
        except BrokenProcessPool:
            if self.remake is None:
                return Part(unit, 0.0, error=f"the worker died [{unit.describe()}]")
            if owner is self.executor:
                self.executor = self.remake()
            return self._alone(unit)
        except Exception as exc:
            return Part(unit, 0.0, error=f"{_error_text(exc)} [{unit.describe()}]")

    def _alone(self, unit: Unit) -> Part:
        solo = self.remake()
        try:
            return solo.submit(run_unit, unit).result()
        except BrokenProcessPool:
            return Part(unit, 0.0, error=f"the worker died [{unit.describe()}]")
        finally:
            solo.shutdown(wait=False, cancel_futures=True)


def _stream(pool: _Pool, units: Sequence[Unit], window: int) -> Iterator[Part]:
    """Parts in the order of ``units``, with at most ``window`` units in flight."""
    pending: deque = deque()
    for unit in units:
        pending.append(pool.submit(unit))
        while len(pending) >= window:
            yield pool.result(*pending.popleft())
    while pending:
        yield pool.result(*pending.popleft())


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("ntk-verify", "sympy", "numpy", "scipy", "hypothesis"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def dependency_order(claims: Sequence[Claim]) -> list[Claim]:
    """``claims`` with every claim after the selected claims it uses, otherwise in order."""
    chosen = {c.id: c for c in claims}
    seen: set[str] = set()
    order: list[Claim] = []

    def visit(claim: Claim) -> None:
        if claim.id in seen:
            return
        seen.add(claim.id)
        for used in claim.uses:
            if used in chosen:
                visit(chosen[used])
        order.append(claim)

    for claim in claims:
        visit(claim)
    return order


def run(claims: Sequence[Claim], *, budget: str = "standard", seed: int = 0, alpha: float = 1e-3,
        mutants: bool = False, executor: Executor | None = None,
        remake: Callable[[], Executor] | None = None, window: int | None = None,
        reporter=None, mathml: bool = False) -> RunResult:
    """Run ``claims`` and return the :class:`RunResult`; ``reporter`` sees each claim as it ends.
    With ``mathml`` the statements and steps are also printed as MathML (for ``--html``).

    Claims run after the claims they use, so each result knows its dependencies'
    verdicts.  ``window`` bounds the units in flight (1 for the inline executor, so progress is
    reported as the run goes; all of them otherwise).  ``remake`` builds a fresh
    executor of the same kind after a worker died (process pools only).
    """
    plan = budgets.get(budget)
    claims = dependency_order(claims)
    threshold = critical_z(alpha, max(1, comparisons(claims, plan)))
    groups = [(claim, name) for claim in claims
              for name in (None, *(m.name for m in claim.mutants if mutants))]
    units = [u for claim, name in groups for u in units_of(claim, name, budget, seed, threshold, mathml)]
    executor = executor or InlineExecutor()
    window = window or (1 if isinstance(executor, InlineExecutor) else len(units))
    info = RunResult(seed, budget, alpha, threshold, max(1, comparisons(claims, plan)), mutants, versions(),
                     families=families.declarations(claims))
    if reporter:
        reporter.start(info, len(claims))
    start = time.perf_counter()
    stream = _stream(_Pool(executor, remake), units, window)
    results: list[ClaimResult] = []
    statuses: dict[str, str] = {}
    for claim in claims:
        result = _claim_result(claim, [next(stream) for _ in range(1 + len(claim.checks))])
        layers = 2 if claim.checks else 1
        found = tuple(_mutant_result(claim, m.name, [next(stream) for _ in range(layers)])
                      for m in claim.mutants if mutants)
        result = replace(result, mutants=found,
                         dependencies=tuple((u, statuses.get(u, Verdict.NOT_RUN)) for u in claim.uses))
        statuses[claim.id] = result.status
        results.append(result)
        if reporter:
            reporter.handle(result, len(results), len(claims))
    final = replace(info, claims=tuple(results), seconds=time.perf_counter() - start)
    if reporter:
        reporter.stop(final)
    return final
