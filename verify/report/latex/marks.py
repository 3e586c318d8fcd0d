"""The marks of the document: a verdict (of a claim, step, check or mutant) in colour, and a claim id
as a link to its section."""
from __future__ import annotations

from ...results import NOT_RUN, ClaimResult, RunResult, StepResult
from ..common import MARKS, STEP_MARKS
from ..texprint import escape, identifier

__all__ = ["mark", "mutant_mark", "step_mark", "link", "verdict_of"]

_SYMBOLS = {"ok": r"$\checkmark$", "num": r"$\approx$", "cite": r"$\dagger$", "bad": r"$\times$", "warn": "?",
            "err": "!"}


def _coloured(colour: str, word: str) -> str:
    return rf"\textcolor{{{colour}}}{{{_SYMBOLS[colour]}\,{word}}}"


def _step_word(status: str) -> str:
    word, colour = STEP_MARKS[status]
    return _coloured(colour, word)


def mark(status: str) -> str:
    """A claim's, step's or check's verdict: green when it holds, a coloured box when not."""
    colour = MARKS.get(status)
    if colour == "ok":
        return _coloured(colour, status)
    if status == "checked-numerically":
        return _step_word(status)
    if colour:
        return rf"\alarm{{{colour}}}{{{_SYMBOLS[colour]}\,{status}}}"
    return r"\textcolor{idle}{" + escape(status) + "}"


def mutant_mark(status: str) -> str:
    """A mutant's verdict: refuted is what must happen (green); survived is an alarm."""
    if status == "refuted":
        return _coloured("ok", "refuted")
    return mark(status)


def step_mark(step: StepResult, labels: dict[str, str]) -> str:
    """How a step was checked: derived, uses claim (with its link), checked numerically, cited, or an alarm."""
    if step.status == "proved" and step.uses:
        return _coloured("ok", "uses claim") + " " + link(step.uses, labels)
    if step.status in STEP_MARKS:
        return _step_word(step.status)
    return mark(step.status)


def link(claim_id: str, labels: dict[str, str]) -> str:
    """A claim's id, linked to its section when the document has one (``labels``: id -> label)."""
    shown = identifier(claim_id)
    return rf"\hyperref[{labels[claim_id]}]{{{shown}}}" if claim_id in labels else shown


def verdict_of(run: RunResult, claim: ClaimResult, used: str) -> str:
    """The verdict of a claim that ``claim`` uses: its result in this run, else as recorded."""
    final = next((c.status for c in run.claims if c.id == used), None)
    return final or dict(claim.dependencies).get(used, NOT_RUN)
