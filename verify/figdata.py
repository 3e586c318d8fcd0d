"""Figure data: what a check records for the document to plot, in three plain shapes.

A check calls ``ctx.record(key, figdata.series(...))`` (or ``histogram``); the
document plots every recorded value that has a ``"figure"`` field and knows nothing
else about the claim, so adding a claim needs no change to the document.  The
width-limit pattern (``Context.width_limit``) records ``"figure": "width_limit"``
itself.  Values are JSON-able and also appear in the JSON report.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["curve", "series", "bars", "histogram", "contour"]


def _floats(values) -> list[float]:
    return np.asarray(values, dtype=float).ravel().tolist()


def curve(label: str, x, y, *, yerr=None, style: str = "line") -> dict:
    """One line (``style`` "line") or set of points with error bars ("points")."""
    if style not in ("line", "points"):
        raise ValueError(f"style={style!r}: accepted are 'line' and 'points'")
    out = {"label": label, "x": _floats(x), "y": _floats(y), "style": style}
    if yerr is not None:
        out["yerr"] = _floats(yerr)
    return out


def series(title: str, xlabel: str, ylabel: str, curves: Sequence[dict], *,
           logx: bool = False, logy: bool = False) -> dict:
    """A plot of several curves on shared axes."""
    return {"figure": "series", "title": title, "xlabel": xlabel, "ylabel": ylabel,
            "logx": logx, "logy": logy, "curves": list(curves)}


def bars(label: str, edges, counts) -> dict:
    """A histogram's bin edges and counts."""
    return {"label": label, "edges": _floats(edges), "counts": _floats(counts)}


def histogram(title: str, xlabel: str, histograms: Sequence[dict], curves: Sequence[dict] = ()) -> dict:
    """Histograms (as densities) with reference curves, e.g. a limiting Gaussian."""
    return {"figure": "histogram", "title": title, "xlabel": xlabel,
            "histograms": list(histograms), "curves": list(curves)}


def contour(title: str, xlabel: str, ylabel: str, x, y, z, levels: Sequence[float],
            curves: Sequence[dict] = ()) -> dict:
    """Contour lines of z (shape len(y) × len(x)) at ``levels`` over the grid (x, y), with curves
    drawn on top (e.g. a phase diagram's depth scale with its critical line)."""
    z = np.asarray(z, dtype=float)
    if z.shape != (len(y), len(x)):
        raise ValueError(f"z has shape {z.shape}; expected (len(y), len(x)) = ({len(y)}, {len(x)})")
    return {"figure": "contour", "title": title, "xlabel": xlabel, "ylabel": ylabel, "x": _floats(x),
            "y": _floats(y), "z": [_floats(row) for row in z], "levels": _floats(levels),
            "curves": list(curves)}
