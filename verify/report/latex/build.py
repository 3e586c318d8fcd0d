"""The build of the document: its figures drawn into its folder, and pdflatex run on it until its
cross-references settle.  Only pdflatex is needed (packages of TeX Live's ``latex-recommended`` and
``latex-extra`` collections)."""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from ...results import RunResult
from .. import figures
from ..common import Drawing, draw

__all__ = ["draw_figures", "compile_pdf", "Compiled", "TEX", "PDF", "LOG", "FIGURES"]

TEX, PDF, LOG = "derivations.tex", "derivations.pdf", "derivations.log"
FIGURES = "derivations-figures"
_RERUN = re.compile(r"Rerun to get|Rerun LaTeX|Label\(s\) may have changed|Table widths have changed")


def draw_figures(run: RunResult, folder: str, relative: str,
                 drawing: Drawing | None = None) -> tuple[dict, str | None]:
    """Every recorded figure of ``run`` in ``folder`` (from ``drawing`` when given); returns the
    ``drawn`` mapping of :func:`document` and the dependency graph's file, as paths under ``relative``."""
    drawn = draw(run, folder, relative, "pdf", drawing)
    ran = {c.id for c in run.claims}
    edges = [(u, c.id) for c in run.claims for u in c.uses if u in ran]
    graph = None
    if edges:
        figures.dependency_graph([(c.id, c.status) for c in run.claims], edges,
                                 os.path.join(folder, "dependencies.pdf"))
        graph = f"{relative}/dependencies.pdf"
    return drawn, graph


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling: pages written, the pdflatex passes, the first error."""

    pages: int | None
    passes: int
    error: str | None


def compile_pdf(folder: str, engine: str = "pdflatex", *, passes: int = 4, timeout: float = 600) -> Compiled:
    """Run ``engine`` on ``folder/derivations.tex`` until cross-references settle.

    Runs in nonstop mode so that one bad formula still leaves a PDF; the first error
    of the last pass is returned (with the log in ``folder/derivations.log``).
    """
    log_path = os.path.join(folder, LOG)
    log, error = "", None
    for k in range(1, passes + 1):
        try:
            done = subprocess.run([engine, "-interaction=nonstopmode", "-file-line-error", TEX], cwd=folder,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Compiled(None, k, f"{engine} took more than {timeout:g} s")
        log = _read(log_path)
        output = done.stdout.decode("utf-8", errors="replace")
        first = re.search(r"^(?:\S+:\d+: .*|! .*)$", log, flags=re.M) or re.search(r"^! .*$", output, flags=re.M)
        error = first.group() if first else (None if done.returncode == 0 else f"{engine} exit code {done.returncode}")
        if not _RERUN.search(log):
            break
    pages = re.search(r"Output written on \S+ \((\d+) pages?", log)
    return Compiled(int(pages.group(1)) if pages else None, k, error)


def _read(path: str) -> str:
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as stream:
        return stream.read()
