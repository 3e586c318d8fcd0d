"""The symbolic checking engine: the verdict ladder for one step.

1. SymPy tries to reduce ``lhs - rhs`` to zero (for inequalities: to show the
   difference has the right sign) with a ladder of simplifiers, first in the
   statement's own symbols, then with the domain's derived symbols substituted.
   Success is ``proved``: nothing else ever is.
2. Otherwise both sides are evaluated to high precision (mpmath through
   ``evalf``) at points inside the declared domain, edges included.  A point where
   they differ is a counterexample: ``refuted``.  Agreement to many digits at every
   point is ``checked-numerically``, reported as such.
3. A step that can be neither decided nor evaluated is ``unsupported``.

A *cited* step (a fact SymPy does not establish, with its reference) skips the
simplifiers and the full numeric rung: it is ``cited``, never ``proved``; only the
interior probe runs, so a cited relation that is false where it can be evaluated
is still ``refuted``.

Two interior points are evaluated first: a counterexample refutes the step whatever
SymPy would say, so a wrong step (a mutant's) does not wait for the simplifiers,
and a right one pays for two evaluations only.

Structural ``==`` is never used as equality of meaning, and ``Expr.equals`` is
not trusted (it samples outside the real domain).
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Callable, Sequence

import sympy as sp

from .core import Derivation, Domain, Justification, Step
from .status import StepStatus

__all__ = ["StepStatus", "StepOutcome", "check_step", "check_derivation", "worst", "DIGITS", "POINTS"]

DIGITS = 40
"""Working precision (decimal digits) of the numeric rung."""
POINTS = 12
"""Points of the domain at which the numeric rung evaluates a step."""
PROBE = 2
"""Interior points evaluated before any simplifier runs."""
_AGREE = sp.Float(10) ** -(DIGITS - 12)
_DISAGREE = sp.Float(10) ** -12


@dataclass(frozen=True)
class StepOutcome:
    """The verdict on one step, how it was reached, and a counterexample if any."""

    status: StepStatus
    method: str
    counterexample: tuple[tuple[str, str], ...] = ()


_SIMPLIFIERS: tuple[tuple[str, Callable], ...] = (
    ("expand", sp.expand),
    ("cancel", sp.cancel),
    ("simplify", sp.simplify),
    ("trigsimp", sp.trigsimp),
)


def _entries(expr) -> list:
    return list(expr) if isinstance(expr, sp.MatrixBase) else [expr]


def _reduces_to_zero(diff, simplify: Callable) -> bool:
    return all(simplify(e) == 0 for e in _entries(diff))


def _sign_decided(diff, op: str) -> bool:
    """True when SymPy's assumptions show ``diff = lhs - rhs`` satisfies ``diff op 0``."""
    predicate = {"<=": "is_nonpositive", "<": "is_negative",
                 ">=": "is_nonnegative", ">": "is_positive"}[op]
    return all(getattr(sp.simplify(e), predicate) is True for e in _entries(diff))


def _symbolic(step: Step, domain: Domain) -> str | None:
    """The name of the rung that proved the step, or None."""
    diff = step.lhs - step.rhs
    candidates = [("", diff)]
    if domain.derived:
        candidates.append((" after substituting the domain's coordinates", domain.substitute(diff)))
    for suffix, candidate in candidates:
        if step.op != "=":
            if _sign_decided(candidate, step.op):
                return "sign decided by SymPy's assumptions" + suffix
            continue
        for name, simplify in _SIMPLIFIERS:
            if _reduces_to_zero(candidate, simplify):
                return name + suffix
    return None


def _rng_for(step: Step) -> random.Random:
    """A generator seeded by the step itself, so symbolic checks are reproducible."""
    digest = hashlib.sha256(sp.srepr((step.lhs, step.rhs)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _value(expr, point):
    """``expr`` at ``point`` to DIGITS digits, or None where it is not a finite real.

    The point is substituted exactly first (its values are rationals and exact
    expressions), so a point on an edge stays on it: a singularity there is seen
    as such, not as two large rounding errors.
    """
    try:
        value = sp.N(sp.sympify(expr).xreplace(point), DIGITS)
    except (TypeError, ValueError, ZeroDivisionError):
        return None  # e.g. a derivative of an undefined function at a number
    if not value.is_number or value.has(sp.nan, sp.zoo) or not value.is_finite:
        return None
    re, im = value.as_real_imag()
    scale = max(abs(re), 1)
    if abs(im) > _AGREE * scale:
        return None
    return re


def _compare(step: Step, point) -> str:
    """'agree', 'disagree' or 'unknown' at one point, entry by entry."""
    verdicts = set()
    for a, b in zip(_entries(step.lhs), _entries(step.rhs)):
        va, vb = _value(a, point), _value(b, point)
        if va is None or vb is None:
            verdicts.add("unknown")
            continue
        gap = va - vb
        scale = max(abs(va), abs(vb), 1)
        if step.op == "=":
            verdicts.add("agree" if abs(gap) <= _AGREE * scale
                         else "disagree" if abs(gap) > _DISAGREE * scale else "unknown")
        else:
            holds = {"<=": gap <= _AGREE * scale, "<": gap < 0,
                     ">=": gap >= -_AGREE * scale, ">": gap > 0}[step.op]
            verdicts.add("agree" if holds else "disagree")
    for verdict in ("disagree", "unknown"):
        if verdict in verdicts:
            return verdict
    return "agree"


def _numeric(step: Step, domain: Domain, points) -> StepOutcome:
    unknown = 0
    for point in points:
        verdict = _compare(step, point)
        if verdict == "disagree":
            shown = tuple((str(s), str(sp.N(v, 8))) for s, v in point.items())
            return StepOutcome(StepStatus.REFUTED, f"counterexample found ({DIGITS} digits)", shown)
        unknown += verdict == "unknown"
    if unknown == len(points):
        return StepOutcome(StepStatus.UNSUPPORTED, "could not be decided or evaluated in the domain")
    return StepOutcome(
        StepStatus.CHECKED_NUMERICALLY,
        f"agreed to {DIGITS - 12} digits at {len(points) - unknown} points of the domain, edges included",
    )


def check_step(step: Step, domain: Domain) -> StepOutcome:
    """Run the verdict ladder on ``step`` over ``step.domain`` or else ``domain``.

    Only the coordinates the step involves are sampled.
    """
    symbols = sp.sympify(step.lhs).free_symbols | sp.sympify(step.rhs).free_symbols
    domain = (step.domain or domain).restricted(symbols)
    rnd = _rng_for(step)
    probe = _numeric(step, domain, domain.interior_points(PROBE, rnd))
    if probe.status is StepStatus.REFUTED:
        return probe
    if step.how is Justification.CITED:
        return StepOutcome(StepStatus.CITED, f"cited: {step.cite}")
    if step.how is not Justification.NUMERIC_ONLY:
        proved_by = _symbolic(step, domain)
        if proved_by:
            return StepOutcome(StepStatus.PROVED, f"SymPy: {proved_by}")
    return _numeric(step, domain, domain.sample(POINTS, rnd))


def check_derivation(derivation: Derivation, domain: Domain, *,
                     stop_at_refutation: bool = False) -> tuple[StepOutcome, ...]:
    """The outcome of every step, in order (up to the first refuted one, if asked)."""
    outcomes = []
    for step in derivation.steps:
        outcomes.append(check_step(step, domain))
        if stop_at_refutation and outcomes[-1].status is StepStatus.REFUTED:
            break
    return tuple(outcomes)


def worst(statuses: Sequence[StepStatus]) -> StepStatus | None:
    """The status that decides a derivation: refuted, then unsupported, else the weakest pass."""
    for status in (StepStatus.REFUTED, StepStatus.UNSUPPORTED, StepStatus.CITED,
                   StepStatus.CHECKED_NUMERICALLY, StepStatus.PROVED):
        if status in statuses:
            return status
    return None
