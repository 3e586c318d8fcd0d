"""A claim's section in the body: its title and verdict, what is not verified, the statement as a
theorem, the derivation as a proof, its evidence in a few lines with at most one figure, its mutants."""
from __future__ import annotations

from numeric.stats import CONSISTENT

from ...results import NOT_RUN, VERIFIED, ClaimResult, RunResult
from ..common import Drawn
from ..notation import label
from ..texprint import display, escape, identifier, math, relation, text
from .citations import LatexCitations
from .evidence import evidence
from .marks import link, mark, mutant_mark, step_mark, verdict_of
from .placement import body_figure

__all__ = ["claim_section"]


def _mutant_line(claim: ClaimResult, run: RunResult) -> str:
    """How many mutants were refuted, by which layer, and which survived (an alarm when none was declared)."""
    if not claim.mutants:
        return (r"\textit{Mutants.} \alarm{bad}{none declared}: nothing shows that the checks can fail.\par"
                if run.mutants else "")
    refuted = len(claim.mutants) - len(claim.surviving_mutants)
    layers = {layer: sum(layer in m.refuted_by for m in claim.mutants)
              for layer in dict.fromkeys(x for m in claim.mutants for x in m.refuted_by)}
    by = ", ".join(f"{n} by the {escape(layer)} layer" for layer, n in layers.items())
    survivors = ", ".join(identifier(m) for m in claim.surviving_mutants)
    return (rf"\textit{{Mutants.}} {refuted} of {len(claim.mutants)} wrong statements refuted"
            + (f" ({by})" if by else "") + (rf"; \alarm{{bad}}{{not refuted}} {survivors}" if survivors else "")
            + r" (Appendix~\ref{app:mutants}).\par")


def _problems(run: RunResult, claim: ClaimResult) -> list[str]:
    """Why the claim is not verified: its error, the steps, checks, used claims and mutants that fail."""
    found = []
    if claim.error:
        found.append("error: " + escape(claim.error, breakable=True))
    found += [f"step {k} is {mark(s.status)}" for k, s in enumerate(claim.steps, 1)
              if s.status not in ("proved", "checked-numerically", "cited")]
    found += [f"check {identifier(c.name)} is {mark(c.status)}" for c in claim.checks if c.status != CONSISTENT]
    found += [f"uses {identifier(u)}, which is {mark(s)}" for u, s in
              ((u, verdict_of(run, claim, u)) for u in claim.uses) if s not in (VERIFIED, NOT_RUN)]
    found += [f"mutant {identifier(m.name)} is {mutant_mark(m.status)}" for m in claim.mutants
              if m.status != "refuted"]
    return found


def _domain(description: str) -> str:
    """The domain: text with inline math as written, else one formula."""
    return text(description) if "$" in description else "$" + math(description) + "$"


def _statement(run: RunResult, claim: ClaimResult, labels: dict[str, str]) -> str:
    """The statement as a theorem: its relations, assumptions, domain and the claims it uses."""
    parts = [rf"\begin{{claimthm}}[{identifier(claim.id)}]"]
    for name, lhs, rhs in claim.statement:
        if len(claim.statement) > 1:
            parts.append(rf"\par\textit{{{text(label(name.replace('_', ' ')))}}}:")
        parts.append(display(lhs, "=", rhs))
    if claim.assumptions:
        parts.append(r"\textit{Assumptions:} " + text(claim.assumptions) + r"\par")
    if claim.domain:
        parts.append(r"\textit{Domain:} " + _domain(claim.domain) + r"\par")
    if claim.uses:
        parts.append(r"\textit{Uses:} " + ", ".join(
            f"{link(u, labels)} ({mark(verdict_of(run, claim, u))})" for u in claim.uses) + r"\par")
    parts.append(r"\end{claimthm}")
    return "\n".join(parts)


def _proof(claim: ClaimResult, labels: dict[str, str], cites: LatexCitations) -> str:
    """The derivation as a proof: one item per step with its mark, its sentence and its relation."""
    if not claim.steps:
        return r"\textit{No derivation steps were recorded.}\par"
    parts = [r"\begin{proof}[Derivation]", r"\begin{enumerate}[nosep,leftmargin=1.6em,topsep=1pt]"]
    for step in claim.steps:
        reference = getattr(step, "cite", None) or getattr(step, "reference", None)
        cited = f" ({cites.cite(reference)})" if reference else ""
        parts.append(rf"\item {step_mark(step, labels)}\quad {text(step.text)}{cited}")
        parts.append(relation(step.lhs, step.op, step.rhs))
        if step.counterexample:
            parts.append(r"\alarm{bad}{counterexample} " + escape(
                ", ".join(f"{k} = {v}" for k, v in step.counterexample), breakable=True) + r"\par")
    parts.append(r"\end{enumerate}")
    if claim.conclusion:
        parts.append(text(claim.conclusion))
    parts.append(r"\end{proof}")
    return "\n".join(parts)


def claim_section(run: RunResult, claim: ClaimResult, labels: dict[str, str], drawn: list[Drawn],
                  cites: LatexCitations) -> str:
    """A claim in the body: title, verdict and sources; the statement as a theorem; the derivation as a
    proof; the evidence in a few lines, at most one figure; the mutants in one line."""
    title = text(label(claim.title))
    parts = [rf"\subsection{{\texorpdfstring{{{title}}}{{{escape(claim.id)}}}}}\label{{{labels[claim.id]}}}",
             rf"{identifier(claim.id)}\quad {mark(claim.status)}"
             + (rf"\quad {{\small Sources: {cites.cite(claim.source)}.}}" if claim.source else "") + r"\par"]
    problems = _problems(run, claim)
    if problems:
        parts.append(r"\par\noindent\fcolorbox{bad}{bad!5}{\parbox{\dimexpr\linewidth-2\fboxsep-2\fboxrule}"
                     r"{\textbf{\textcolor{bad}{Not verified:}} " + "; ".join(problems) + "}}\\par")
    parts += [_statement(run, claim, labels), _proof(claim, labels, cites), evidence(claim, labels)]
    if drawn:
        parts.append(body_figure(drawn[0], f"claim {identifier(claim.id)}"))
    parts.append(_mutant_line(claim, run))
    return "\n".join(p for p in parts if p)
