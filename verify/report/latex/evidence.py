"""A claim's numeric evidence: a short paragraph per check in the body (the comparison furthest from its
prediction), and in the appendix every comparison in tables, the steps' methods and the other figures."""
from __future__ import annotations

import math as _math

from ...results import CheckResult, ClaimResult, Comparison
from ..common import Drawn
from ..notation import configuration, label
from ..texprint import cell, escape, identifier, number, percent, seconds, text, with_error
from .marks import mark, step_mark
from .placement import figure_rows
from .tables import table, z_score

__all__ = ["evidence", "appendix_claim"]


def _worst(check: CheckResult) -> Comparison | None:
    """The comparison furthest from its prediction (largest finite $|z|$), which the body shows."""
    ranked = sorted(check.comparisons, key=lambda c: -abs(c.test.z) if _math.isfinite(c.test.z) else 0.0)
    return ranked[0] if ranked else None


def _prediction(comparison: Comparison) -> str:
    """What a comparison tested: the predicted value, or that the quantity is not zero."""
    test = comparison.test
    return r"$\neq 0$" if test.kind == "nonzero" else number(test.prediction)


def evidence(claim: ClaimResult, labels: dict[str, str]) -> str:
    """What was measured, on what, the number furthest from its prediction and the verdict: one short
    paragraph per check (every comparison is in the appendix)."""
    if not claim.checks:
        return r"\textit{Evidence.} No numeric check: the claim is established by its derivation.\par"
    items = []
    for check in claim.checks:
        thresholds = sorted({c.test.threshold for c in check.comparisons})
        summary = f"{check.examples} configurations, {len(check.comparisons)} comparisons"
        worst = _worst(check)
        if worst is not None:
            t = worst.test
            z = rf", $z = {t.z:.2f}$" + (rf" ($z^* = {thresholds[0]:.2f}$)" if len(thresholds) == 1 else "")
            summary += (rf"; furthest: {text(label(worst.label))} {with_error(t.estimate, t.se)} against "
                        rf"{_prediction(worst)}" + (z if _math.isfinite(t.z) else ""))
        line = rf"\item {identifier(check.name)} {mark(check.status)}: {text(label(check.description))} ({summary})."
        if check.counterexample:
            line += r" \alarm{bad}{counterexample} " + escape(check.counterexample, breakable=True)
        items.append(line)
    return "\n".join([r"\textit{Evidence} (every comparison in Appendix~\ref{ev:" + labels[claim.id] + "}):",
                      r"{\small\begin{itemize}[nosep,leftmargin=1.2em,topsep=1pt]", *items, r"\end{itemize}}"])


def _evidence_row(c: Comparison, threshold: bool) -> list[str]:
    """A comparison as a row of the appendix (with its own threshold when ``threshold``)."""
    t = c.test
    z = z_score(t.z) + (f" / {z_score(t.threshold)}" if threshold else "")
    return [cell(label(c.label)), cell(configuration(c.config)), with_error(t.estimate, t.se), _prediction(c), z,
            f"{percent(t.mde)} / {percent(t.target)}", escape(c.samples), mark(t.status)]


def appendix_claim(claim: ClaimResult, labels: dict[str, str], drawn: list[Drawn]) -> str:
    """Every comparison of a claim in compact tables, its steps' methods, and the figures the body left out."""
    parts = [rf"\subsection{{\texorpdfstring{{{identifier(claim.id)}}}{{{escape(claim.id)}}}}}"
             rf"\label{{ev:{labels[claim.id]}}}",
             rf"Verdict {mark(claim.status)}; time {seconds(claim.seconds)}~s; body: "
             rf"Section~\ref{{{labels[claim.id]}}}.\par"]
    if claim.steps:
        rows = [[str(k), step_mark(s, labels), escape(s.how), rf"\prose{{{escape(s.method, breakable=True)}}}"]
                for k, s in enumerate(claim.steps, 1)]
        parts.append(table((("r", 0.05), ("l", 0.30), ("l", 0.17), ("l", 0.48)),
                           ["step", "mark", "justification", "how the engine checked it"], rows))
    for check in claim.checks:
        parts.append(rf"\heading{{Check {identifier(check.name)}\quad {mark(check.status)}}}"
                     + text(label(check.description)) + f" ({check.examples} configurations run.)")
        if check.comparisons:
            spec = (("l", 0.16), ("l", 0.20), ("r", 0.16), ("r", 0.09), ("r", 0.08), ("r", 0.09), ("r", 0.08),
                    ("l", 0.14))
            thresholds = {c.test.threshold for c in check.comparisons}
            z = f"$z$ ($z^* = {thresholds.pop():.2f}$)" if len(thresholds) == 1 else "$z$ / $z^*$"
            head = ["comparison", "configuration", r"estimate $\pm$ SE", "prediction", z, "MDE / target",
                    "samples", "verdict"]
            parts.append(table(spec, head, (_evidence_row(c, bool(thresholds)) for c in check.comparisons)))
    rest = drawn[1:]
    if rest:
        parts.append(figure_rows(rest, f"claim {identifier(claim.id)}"))
    return "\n".join(parts)
