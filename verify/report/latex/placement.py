"""Where the document puts a claim's figures: one beside its caption in the body, the rest in rows in
the appendix (a two-panel width-limit figure across the line, the others in pairs)."""
from __future__ import annotations

from .. import figures
from ..common import Drawn
from ..notation import label
from ..texprint import escape, text

__all__ = ["body_figure", "figure_rows"]


def _head(figure: Drawn, where: str) -> str:
    """``Figure n.``, the figure's title and where it belongs."""
    title = figure.spec.get("title")
    shown = text(label(title)) + " " if isinstance(title, str) and title else ""
    return rf"\textbf{{Figure {figure.number}.}} {shown}({where})"


def _figure(figure: Drawn, where: str, size: str, image: str = r"\linewidth") -> str:
    """One figure (``image`` wide) with its caption in a minipage of width ``size``."""
    spec, head = figure.spec, _head(figure, where)
    if figure.problem:
        body = rf"{{\footnotesize {head}: \alarm{{warn}}{{not drawn}} {escape(figure.problem)}\par}}"
    else:
        body = (rf"\includegraphics[width={image}]{{{figure.path}}}\par"
                rf"{{\footnotesize {head}. {text(figures.caption(spec))}\par}}")
    return rf"\begin{{minipage}}[t]{{{size}}}\centering {body}\end{{minipage}}"


def body_figure(figure: Drawn, where: str) -> str:
    """The one figure a claim shows in the body: a two-panel figure across the line, a single panel
    beside its caption."""
    if _wide(figure) or figure.problem:
        return r"\par\medskip\noindent" + _figure(figure, where, r"\linewidth", r"0.82\linewidth") + r"\par\medskip"
    return (r"\par\medskip\noindent"
            rf"\begin{{minipage}}[c]{{0.5\linewidth}}\includegraphics[width=\linewidth]{{{figure.path}}}"
            r"\end{minipage}\hfill"
            rf"\begin{{minipage}}[c]{{0.46\linewidth}}\footnotesize {_head(figure, where)}. "
            rf"{text(figures.caption(figure.spec))}\end{{minipage}}\par\medskip")


def _wide(figure: Drawn) -> bool:
    return figure.spec.get("figure") == "width_limit"


def figure_rows(found: list[Drawn], where: str) -> str:
    """Figures in rows: a width-limit figure (two panels) alone, the others in pairs."""
    rows: list[list[Drawn]] = []
    pending: list[Drawn] = []
    for figure in found:
        if _wide(figure) or len(pending) == 2:
            rows += [pending] if pending else []
            pending = []
        if _wide(figure):
            rows.append([figure])
        else:
            pending.append(figure)
    rows += [pending] if pending else []
    lines = []
    for row in rows:
        size = r"\linewidth" if _wide(row[0]) else r"0.485\linewidth"
        cells = [_figure(figure, where, size) for figure in row]
        lines.append(r"\par\medskip\noindent" + (r"\hfill".join(cells) if len(cells) > 1
                                                    else rf"\makebox[\linewidth][c]{{{cells[0]}}}")
                     + r"\par\medskip")
    return "\n".join(lines)
