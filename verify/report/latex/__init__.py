"""The LaTeX reporter: ``DIR/derivations.tex`` (and with ``--pdf`` its PDF) of a run.

The document is made only of what the run recorded (:mod:`verify.results`): the
statements and derivation steps are the SymPy LaTeX of the very objects the engine
checked, the evidence tables are the z-tests the checks made, and the figures are
the check data with a ``"figure"`` field (:mod:`verify.report.figures`).  It knows
no claim by name, so a new claim or family needs no change here.

Contents: a title page (date, versions, seed, budget, alpha_F, the Bonferroni
threshold, the conventions and how to read a verdict); a summary table of every
claim; the dependency graph and table (which claim uses which, coloured by
status); one section per family (from the id prefix) with a subsection per claim:
statement, assumptions and domain, the derivation as numbered steps each with its
justification and verdict, the numeric evidence with its figures, the mutants.

Nothing is written half-way: the document, its figures and the PDF are made in a
temporary folder inside ``DIR`` and moved into place at the end
(:func:`verify.report.common.publish`).  Only pdflatex is needed to compile
(:mod:`.build`: run until its cross-references settle).

The package holds: :mod:`.prose` (the preamble, the conventions, how to read a verdict),
:mod:`.marks` and :mod:`.tables` (the pieces every part is made of), :mod:`.overview`
(the sections about the whole run), :mod:`.claim` and :mod:`.evidence` (a claim's section
and its appendix), :mod:`.placement` (where figures go), :mod:`.citations`,
:mod:`.assembly` (the document put together), :mod:`.build` (figures and pdflatex) and, here, the
reporter.
"""
from __future__ import annotations

import os
import shutil
import time

from ...results import RunResult
from ..common import Drawing, Drawn, FolderReporter, family_of, not_drawn, publish, staged
from .build import FIGURES, LOG, PDF, TEX, Compiled, compile_pdf, draw_figures
from .assembly import document

__all__ = ["LatexReporter", "document", "draw_figures", "Drawn", "compile_pdf", "Compiled", "family_of",
           "TEX", "PDF", "LOG", "FIGURES"]


class LatexReporter(FolderReporter):
    """Writes ``derivations.tex`` and its figures into ``directory`` when the run stops;
    with ``pdf`` also compiles ``derivations.pdf`` with ``engine`` (pdflatex)."""

    OPTION, WHAT, KIND = "--latex", "document", "pdf"

    def __init__(self, directory: str, pdf: bool = False, *, engine: str = "pdflatex", stream=None,
                 errors=None, drawing: Drawing | None = None):
        super().__init__(directory, stream=stream, errors=errors, drawing=drawing)
        self.pdf, self.engine = pdf, engine

    def stop(self, run: RunResult) -> None:
        start = time.perf_counter()
        with staged(self.directory, ".derivations-") as work:
            drawn, graph = draw_figures(run, os.path.join(work, FIGURES), FIGURES, self.drawing)
            for problem in not_drawn(run, drawn):
                self.warn(problem)
            with open(os.path.join(work, TEX), "w", encoding="utf-8") as stream:
                stream.write(document(run, drawn, graph))
            compiled = self._compile(work)
            outputs = [TEX] + [name for name in (PDF, LOG)
                               if compiled and os.path.exists(os.path.join(work, name))]
            publish(work, self.directory, FIGURES, outputs, stale=(PDF, LOG))
        figures_drawn = sum(f.path is not None for found in drawn.values() for f in found)
        self.say(f"latex: wrote {os.path.join(self.directory, TEX)} with {figures_drawn} figures")
        if compiled and compiled.error:
            self.warn(f"--pdf: {compiled.error} (see {os.path.join(self.directory, LOG)})")
        if compiled and compiled.pages:
            self.say(f"latex: wrote {os.path.join(self.directory, PDF)} ({compiled.pages} pages, "
                     f"{compiled.passes} pdflatex passes, {time.perf_counter() - start:.1f} s)")

    def _compile(self, work: str) -> Compiled | None:
        """The PDF compiled in ``work`` when asked for and the engine is found (else None, said once)."""
        if not self.pdf:
            return None
        engine = shutil.which(self.engine)
        if engine is None:
            self.warn(f"--pdf: {self.engine} not found (install TeX Live: texlive-latex-recommended, "
                      "texlive-latex-extra); wrote the .tex only")
            return None
        return compile_pdf(work, engine)
