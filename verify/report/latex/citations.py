"""The document's citations: ``\\cite`` of the bibliography entries a source names, and the
bibliography of those cited, numbered in order of first citation."""
from __future__ import annotations

from ...bibliography import Entry
from ..common import Citations
from ..texprint import escape, text

__all__ = ["LatexCitations"]


class LatexCitations(Citations):
    """``\\cite[note]{key}`` for a source that resolves, the rest as text; :meth:`bibliography` lists
    the entries cited."""

    def note(self, note: str) -> str:
        return text(note)

    def reference(self, entry: Entry, note: str) -> str:
        shown = f"[{text(note)}]" if note else ""
        return rf"{escape(entry.short or entry.authors)}~\cite{shown}{{{entry.key}}}"

    def bibliography(self) -> str:
        """The entries cited, in order of first citation (nothing when none is)."""
        if not self.used:
            return ""
        items = []
        for entry in self.used.values():
            link = rf" \url{{{entry.link}}}" if entry.link else ""
            items.append(rf"\bibitem{{{entry.key}}} {escape(entry.authors)}. \emph{{{escape(entry.title)}}}. "
                         rf"{text(entry.venue)}, {entry.year}.{link}")
        return "\n".join([r"\begin{thebibliography}{99}\small", *items, r"\end{thebibliography}"])
