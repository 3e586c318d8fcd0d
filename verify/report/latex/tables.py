"""The document's tables: columns whose widths add up to the line, and z-scores in their cells."""
from __future__ import annotations

from typing import Iterable

from ..texprint import number

__all__ = ["table", "z_score"]


def _columns(*spec: tuple[str, float]) -> str:
    """Column types ``(l|c|r, fraction of the line)`` whose widths add up exactly."""
    align = {"l": r"\raggedright", "c": r"\centering", "r": r"\raggedleft"}
    return "".join(rf">{{{align[a]}\arraybackslash}}p{{\dimexpr {f:.3f}\linewidth-2\tabcolsep\relax}}"
                   for a, f in spec)


def table(spec: tuple[tuple[str, float], ...], head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A long table (it may break across pages) of columns ``spec``, the header repeated on every page."""
    head = " & ".join(head) + r" \\"
    body = "\n".join(" & ".join(row) + r" \\" for row in rows)
    return "\n".join([
        r"{\footnotesize\setlength{\tabcolsep}{2.5pt}",
        rf"\begin{{longtable}}{{{_columns(*spec)}}}", r"\toprule", head, r"\midrule\endhead",
        r"\bottomrule\endfoot", body, r"\end{longtable}}", ""])


def z_score(z: float) -> str:
    """A z-score to two decimals (large ones in powers of ten)."""
    return f"${z:.2f}$" if abs(z) < 1000 else number(z, 2)
