"""What the document and the web page share: their output folder and how it is written, file names,
family grouping, the figures, the marks of verdicts and the citations."""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Sequence

from .. import bibliography
from ..families import title_of
from ..results import RunResult
from . import figures

__all__ = ["prepare_directory", "staged", "publish", "slug", "families", "family_of", "draw", "not_drawn", "Drawn",
           "Drawing", "FolderReporter", "Citations", "MARKS", "STEP_MARKS"]

# The class (colour) of a verdict's mark: ``ok`` holds, ``bad`` refuted, ``warn`` undecided, ``err`` crashed.
MARKS = {"verified": "ok", "consistent": "ok", "proved": "ok", "refuted": "bad", "survived": "bad",
         "inconclusive": "warn", "unsupported": "warn", "error": "err"}
# How a step holds: its word and class (a step that uses another claim is ``proved`` with ``uses``).
STEP_MARKS = {"proved": ("derived", "ok"), "checked-numerically": ("checked numerically", "num"),
              "cited": ("cited", "cite")}


def prepare_directory(directory: str, option: str, what: str) -> str:
    """``directory`` as an absolute path, created if missing and checked writable; a ValueError
    names ``option`` (``--latex``, ``--html``) and the directory otherwise."""
    path = os.path.abspath(directory)
    if os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{option} {directory!r}: this is a file; give a directory for the {what}")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ValueError(f"{option} {directory!r}: cannot write there ({exc.strerror or exc})") from None
    return path


@contextmanager
def staged(directory: str, prefix: str) -> Iterator[str]:
    """A temporary folder inside ``directory`` (named ``prefix`` and a random suffix) in which an output
    is made; it is removed at the end with whatever of it :func:`publish` did not put in place."""
    work = tempfile.mkdtemp(dir=directory, prefix=prefix)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def publish(work: str, directory: str, folder: str, outputs: Sequence[str], stale: Sequence[str] = ()) -> None:
    """Put the figures ``work/folder`` and the files ``outputs`` of ``work`` in place in ``directory``,
    each by one rename, so that nothing is seen half-written; the previous figures move into ``work``
    (to be removed with it), and the files ``stale`` that are not among ``outputs`` are deleted."""
    final = os.path.join(directory, folder)
    if os.path.isdir(final):
        os.replace(final, os.path.join(work, "previous-figures"))
    os.replace(os.path.join(work, folder), final)
    for name in outputs:
        os.replace(os.path.join(work, name), os.path.join(directory, name))
    for name in stale:
        path = os.path.join(directory, name)
        if name not in outputs and os.path.exists(path):
            os.unlink(path)


def slug(value: str) -> str:
    """A file-name fragment of ``value``: lower-case words joined by hyphens, at most 40 characters."""
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()[:40] or "figure"


def family_of(claim_id: str) -> str:
    """The title of a claim's family, from its id prefix (unknown prefixes by name)."""
    return title_of(claim_id.split(".", 1)[0])


def families(run: RunResult) -> list[tuple[str, str, str, str, list[int]]]:
    """The families of ``run`` in order of first appearance: prefix, title, introduction, sources
    and the indices of their claims (a family the run did not declare by its built-in entry)."""
    declared = {prefix: (title, intro, sources) for prefix, title, intro, sources in run.families}
    found: dict[str, list[int]] = {}
    for k, claim in enumerate(run.claims):
        found.setdefault(claim.id.split(".", 1)[0], []).append(k)
    out = []
    for prefix, members in found.items():
        title, intro, sources = declared.get(prefix) or (family_of(prefix + "."), "", "")
        out.append((prefix, title, intro, sources, members))
    return out


@dataclass(frozen=True)
class Drawn:
    """One recorded figure, numbered in the order of the families: its file (relative to the
    output folder) or why it was not drawn."""

    number: int
    spec: dict
    path: str | None
    problem: str | None = None


def _render(spec: dict, paths: list[str]) -> str | None:
    """Draw one figure at every path (in a worker process); why it could not be drawn, else None."""
    try:
        figures.render(spec, *paths)
        return None
    except Exception as exc:  # bad data must not cost the whole output
        return f"{type(exc).__name__}: {exc}"


class Drawing:
    """The recorded figures of a run, each drawn once (one matplotlib figure) and saved in every
    format a reporter asked for (:meth:`want`: the document takes PDF, the web page SVG), into a
    private temporary folder from which the reporters copy what they show.  ``jobs`` worker
    processes draw side by side (1: in this process)."""

    def __init__(self, *kinds: str, jobs: int = 1):
        if not isinstance(jobs, int) or jobs < 1:
            raise ValueError(f"jobs={jobs!r}: give a whole number >= 1")
        self.kinds, self.jobs = list(dict.fromkeys(kinds)), jobs
        self._folder = tempfile.TemporaryDirectory(prefix="ntk-verify-figures-")
        self._run: RunResult | None = None
        self._done: set[str] = set()
        self._figures: list[tuple[int, int, int, dict, str]] = []
        self._problems: dict[int, str] = {}

    def want(self, kind: str) -> None:
        """Ask for every figure as ``kind`` (``pdf``, ``svg``) too."""
        if kind not in self.kinds:
            self.kinds.append(kind)

    def figures(self, run: RunResult) -> list[tuple[int, int, int, dict, str, str | None]]:
        """(claim index, check index, number, spec, file name without suffix, problem) of every
        recorded figure of ``run``, in the order of the families, drawn in every wanted format."""
        if self._run is not run:
            self._run, self._done, self._problems = run, set(), {}
            self._figures = self._collect(run)
        missing = [kind for kind in self.kinds if kind not in self._done]
        if missing:
            self._draw(missing)
            self._done.update(missing)
        return [(k, j, number, spec, os.path.join(self._folder.name, name), self._problems.get(number))
                for k, j, number, spec, name in self._figures]

    @staticmethod
    def _collect(run: RunResult) -> list[tuple[int, int, int, dict, str]]:
        found = []
        for k in (k for *_, members in families(run) for k in members):
            claim = run.claims[k]
            for j, check in enumerate(claim.checks):
                for key, spec in check.data.items():
                    if figures.is_figure(spec):
                        number = len(found) + 1
                        found.append((k, j, number, dict(spec),
                                      f"fig{number:03d}-{slug(claim.id)}-{slug(str(key))}"))
        return found

    def _draw(self, kinds: list[str]) -> None:
        jobs = [(number, spec, [os.path.join(self._folder.name, f"{name}.{kind}") for kind in kinds])
                for _, _, number, spec, name in self._figures if number not in self._problems]
        jobs.sort(key=lambda job: job[1].get("figure") != "width_limit")  # the slowest first
        if self.jobs == 1 or len(jobs) < 2:
            problems = [_render(spec, paths) for _, spec, paths in jobs]
        else:
            with ProcessPoolExecutor(max_workers=min(self.jobs, len(jobs))) as pool:
                problems = list(pool.map(_render, *zip(*[(spec, paths) for _, spec, paths in jobs])))
        self._problems.update((number, problem) for (number, _, _), problem in zip(jobs, problems) if problem)


def draw(run: RunResult, folder: str, relative: str, kind: str,
         drawing: Drawing | None = None) -> dict[tuple[int, int], list[Drawn]]:
    """Every recorded figure of ``run`` as ``kind`` (``pdf``, ``svg``) in ``folder``, by (claim index,
    check index), taken from ``drawing`` (drawn here when not given); a figure whose data cannot be
    drawn keeps its problem instead."""
    drawing = drawing or Drawing(kind)
    drawing.want(kind)
    os.makedirs(folder, exist_ok=True)
    drawn: dict[tuple[int, int], list[Drawn]] = {}
    for k, j, number, spec, base, problem in drawing.figures(run):
        if problem:
            found = Drawn(number, spec, None, problem)
        else:
            name = f"{os.path.basename(base)}.{kind}"
            shutil.copyfile(f"{base}.{kind}", os.path.join(folder, name))
            found = Drawn(number, spec, f"{relative}/{name}")
        drawn.setdefault((k, j), []).append(found)
    return drawn


def not_drawn(run: RunResult, drawn: dict[tuple[int, int], list[Drawn]]) -> list[str]:
    """Why each figure of ``drawn`` (:func:`draw`) that could not be drawn was not, naming its claim."""
    return [f"a figure of {run.claims[k].id} was not drawn: {figure.problem}"
            for (k, _), found in drawn.items() for figure in found if figure.problem]


class FolderReporter:
    """A reporter that writes its output into a folder once the run stops (``stop``); it is
    told nothing before (``start`` and ``handle`` do nothing).  Its figures come from ``drawing``,
    which it may share with another reporter so that each figure is drawn once."""

    OPTION, WHAT, KIND = "--output", "output", "pdf"

    def __init__(self, directory: str, *, stream=None, errors=None, drawing: Drawing | None = None):
        self.directory = prepare_directory(directory, self.OPTION, self.WHAT)
        self.stream, self.errors = stream or sys.stdout, errors or sys.stderr
        self.drawing = drawing or Drawing()
        self.drawing.want(self.KIND)

    def start(self, run: RunResult, count: int) -> None:
        pass

    def handle(self, result, index: int, total: int) -> None:
        pass

    def say(self, line: str) -> None:
        """What was written, on the output stream."""
        print(line, file=self.stream, flush=True)

    def warn(self, line: str) -> None:
        """A problem that did not stop the output, on the error stream."""
        print(f"python -m verify: {line}", file=self.errors, flush=True)


class Citations:
    """The bibliography entries an output cites, in order of first citation (:attr:`used`); a subclass
    shows a resolved entry with its note (:meth:`reference`) and a note that names none (:meth:`note`)."""

    def __init__(self):
        self.used: dict[str, bibliography.Entry] = {}

    def cite(self, source: str) -> str:
        """``source`` (:func:`verify.bibliography.resolve`) as citations, separated by semicolons."""
        shown = []
        for citation in bibliography.resolve(source):
            if citation.entry is None:
                shown.append(self.note(citation.note))
                continue
            self.used.setdefault(citation.entry.key, citation.entry)
            shown.append(self.reference(citation.entry, citation.note))
        return "; ".join(shown)

    def note(self, note: str) -> str:
        raise NotImplementedError

    def reference(self, entry: bibliography.Entry, note: str) -> str:
        raise NotImplementedError
