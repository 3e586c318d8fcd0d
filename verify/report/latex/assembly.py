"""The LaTeX source of a run's document, assembled from its parts: the title page and summary
(:mod:`.overview`), one section per family with a subsection per claim (:mod:`.claim`), and the
appendices: the evidence of every claim (:mod:`.evidence`), the mutants, the dependencies, the run
and the bibliography."""
from __future__ import annotations

from ...results import RunResult
from ..common import Drawn, families
from ..texprint import text, wrap
from .citations import LatexCitations
from .claim import claim_section
from .evidence import appendix_claim
from .overview import dependency_table, graph_section, mutants_table, parameters, summary, title_page
from .prose import PREAMBLE

__all__ = ["document"]

_APPENDICES = 4  # Evidence, Mutants, Dependencies, The run


def document(run: RunResult, drawn: dict[tuple[int, int], list[Drawn]] | None = None,
             graph: str | None = None) -> str:
    """The LaTeX source of the document of ``run``.

    ``drawn[(claim index, check index)]`` lists that check's figures; ``graph`` is the
    dependency graph's file (both relative to the document).
    """
    drawn = drawn or {}
    labels = {claim.id: f"claim-{k}" for k, claim in enumerate(run.claims)}
    figures_of = {k: [f for j in range(len(c.checks)) for f in drawn.get((k, j), [])]
                  for k, c in enumerate(run.claims)}
    cites = LatexCitations()
    entries = 1 + bool(graph) + len(families(run)) + _APPENDICES
    parts = [PREAMBLE, title_page(run, entries), summary(run, labels), graph_section(graph)]
    for _, title, intro, sources, members in families(run):
        parts.append(rf"\section{{{text(title)}}}")
        if intro:
            parts.append(text(intro) + (rf" ({cites.cite(sources)})" if sources else "") + r"\par")
        for k in members:
            parts.append(claim_section(run, run.claims[k], labels, figures_of[k], cites))
    parts += [r"\clearpage\appendix\label{appendix}", r"\section{Evidence}",
              "Every comparison of every claim: its configuration, the estimate with its standard error, "
              "the prediction, $z$, the minimal detectable effect against its target, the samples and the "
              "verdict; then the figures the body leaves out."]
    for *_, members in families(run):
        parts += [appendix_claim(run.claims[k], labels, figures_of[k]) for k in members]
    parts += [mutants_table(run, labels), dependency_table(run, labels), parameters(run),
              cites.bibliography(), r"\end{document}"]
    return wrap("\n\n".join(p for p in parts if p) + "\n")
