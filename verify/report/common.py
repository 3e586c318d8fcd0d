"""What the document and the web page share: their output folder, file names and family grouping."""
from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass

from ..families import BUILT_IN
from ..results import RunResult
from . import figures

__all__ = ["prepare_directory", "slug", "families", "family_of", "draw", "Drawn", "FolderReporter"]


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


def slug(value: str) -> str:
    """A file-name fragment of ``value``: lower-case words joined by hyphens, at most 40 characters."""
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()[:40] or "figure"


def family_of(claim_id: str) -> str:
    """The title of a claim's family, from its id prefix (unknown prefixes by name)."""
    prefix = claim_id.split(".", 1)[0]
    return BUILT_IN[prefix][0] if prefix in BUILT_IN else f"Claims {prefix}"


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


def draw(run: RunResult, folder: str, relative: str, kind: str) -> dict[tuple[int, int], list[Drawn]]:
    """Every recorded figure of ``run`` drawn into ``folder`` as ``kind`` (``pdf``, ``svg``), by
    (claim index, check index); a figure whose data cannot be drawn keeps its problem instead."""
    os.makedirs(folder, exist_ok=True)
    drawn: dict[tuple[int, int], list[Drawn]] = {}
    count = 0
    for k in (k for *_, members in families(run) for k in members):
        claim = run.claims[k]
        for j, check in enumerate(claim.checks):
            for key, spec in check.data.items():
                if not figures.is_figure(spec):
                    continue
                count += 1
                name = f"fig{count:03d}-{slug(claim.id)}-{slug(str(key))}.{kind}"
                try:
                    figures.render(spec, os.path.join(folder, name))
                    found = Drawn(count, dict(spec), f"{relative}/{name}")
                except Exception as exc:  # bad data must not cost the whole output
                    found = Drawn(count, dict(spec), None, f"{type(exc).__name__}: {exc}")
                drawn.setdefault((k, j), []).append(found)
    return drawn


class FolderReporter:
    """A reporter that writes its output into a folder once the run stops (``stop``); it is
    told nothing before (``start`` and ``handle`` do nothing)."""

    OPTION, WHAT = "--output", "output"

    def __init__(self, directory: str, *, stream=None, errors=None):
        self.directory = prepare_directory(directory, self.OPTION, self.WHAT)
        self.stream, self.errors = stream or sys.stdout, errors or sys.stderr

    def start(self, run: RunResult, count: int) -> None:
        pass

    def handle(self, result, index: int, total: int) -> None:
        pass
