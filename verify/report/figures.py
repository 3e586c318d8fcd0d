"""The document's figures: vector PDFs drawn with matplotlib from recorded check data.

A check records figure data in one of three plain shapes (:mod:`verify.figdata` and
:meth:`verify.checks.Context.width_limit`), told apart by their ``"figure"`` field:

* ``"series"``: curves on shared axes (lines, or points with error bars), optionally
  log-scaled: e.g. Theta(x0, x(gamma)) on the unit circle, kappa against alpha,
  eigen-components of the residual decaying, weight change against width;
* ``"histogram"``: histograms drawn as densities with reference curves (outputs at
  initialisation against their limiting Gaussian);
* ``"contour"``: contour lines of a function on a grid, with curves on top (a phase
  diagram's depth scale ξ_c and its critical line);
* ``"width_limit"``: the width-limit pattern (docs/design.md).  Left: the mean of X_n
  over seeds against 1/n (error bars 1 SE) with the weighted fit X + b/n
  extrapolated to 1/n = 0 and its 95% band, beside the prediction.  Right: the
  fluctuation (std of X_n over seeds) against n on log-log axes (error bars 1 SE of
  log std, 1/sqrt(2(s-1)) for s seeds) with the fitted power law, its 95% band, and
  the predicted rate.  The fits drawn are the very ones the check tested (their
  coefficients and covariances recorded as ``limit_fit`` and ``fluctuation_fit``, the SEs of
  log std as ``log_std_se``), never refitted here, so a band cannot disagree with a reported
  slope.

Nothing here knows about a particular claim.  Figures use matplotlib's object API
(no pyplot, no global state) and carry no creation date, so the same data give the
same file; their text is in Type 3 fonts (subsetting Type 42 fonts made each figure
about four times slower to write).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, NullFormatter

from ..results import ERROR, INCONCLUSIVE, NOT_RUN, REFUTED, VERIFIED
from .notation import label as typeset

__all__ = ["KINDS", "is_figure", "render", "caption", "dependency_graph", "STATUS_COLOURS"]

Z95 = 1.959963984540054
_STYLE = {"font.size": 7, "axes.titlesize": 7.5, "legend.fontsize": 6, "axes.labelsize": 7,
          "xtick.labelsize": 6, "ytick.labelsize": 6, "lines.linewidth": 1.0, "pdf.fonttype": 3}
_PANEL = (3.2, 2.35)
STATUS_COLOURS = {VERIFIED: "#2e7d32", REFUTED: "#c62828", INCONCLUSIVE: "#ef6c00",
                  ERROR: "#6a1b9a", NOT_RUN: "#9e9e9e"}


def is_figure(value: Any) -> bool:
    """Whether a recorded value asks to be drawn (a mapping with a ``"figure"`` field)."""
    return isinstance(value, Mapping) and "figure" in value


def _literal(label: str) -> str:
    """``label`` with every ``$`` shown as a dollar sign (no mathtext)."""
    return str(label).replace("$", r"\$")


_FORMATS = {".pdf": ("pdf", {"CreationDate": None}), ".svg": ("svg", {"Date": None})}


def _save(draw: Callable[[Callable[[str], str]], Figure], *paths: str) -> None:
    """Draw once with labels typeset as mathtext (:func:`verify.report.notation.label`; if mathtext
    cannot parse one, draw again with literal labels)
    and save the figure at every path, as PDF or SVG by its suffix, with no date, so the same data
    give the same file."""
    formats = []
    for path in paths:
        suffix = path[path.rfind("."):].lower()
        if suffix not in _FORMATS:
            raise ValueError(f"path={path!r}: accepted suffixes are {', '.join(_FORMATS)}")
        formats.append((path, *_FORMATS[suffix]))

    def save(figure: Figure) -> None:
        for path, kind, metadata in formats:
            figure.savefig(path, format=kind, metadata=metadata, bbox_inches="tight")

    with rc_context({**_STYLE, "svg.hashsalt": "ntk-verify"}):
        try:
            save(draw(typeset))
        except ValueError:
            save(draw(_literal))


def _wrap(label: str, width: int = 48) -> str:
    """``label`` broken into lines of about ``width`` characters, never inside ``$...$``."""
    lines, words = [], []
    for word in str(label).split(" "):
        words.append(word)
        inside_math = " ".join(words).count("$") % 2 == 1
        if len(" ".join(words)) >= width and not inside_math:
            lines.append(" ".join(words))
            words = []
    return "\n".join(lines + ([" ".join(words)] if words else []))


def _log_scale(ax, which: str, values) -> None:
    """Axis ``which`` ("x" or "y") of ``ax`` on a log scale, labelled at 1, 2, 5 x 10^k
    when the data span under two decades, else at powers of ten; minor ticks unlabelled
    (their labels collide)."""
    getattr(ax, f"set_{which}scale")("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    values = np.concatenate([np.asarray(v, float).ravel() for v in values]) if len(values) else np.array([])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and np.log10(values.max() / values.min()) < 2:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(LogFormatterSciNotation(labelOnlyBase=False, minor_thresholds=(np.inf, np.inf)))
    axis.set_minor_formatter(NullFormatter())


def _legend(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if any(labels):
        ax.legend(frameon=False, loc="best")


def _series(spec: Mapping, label: Callable[[str], str]) -> Figure:
    figure = Figure(figsize=_PANEL)
    ax = figure.subplots()
    for curve in spec["curves"]:
        x, y = np.asarray(curve["x"], float), np.asarray(curve["y"], float)
        name = label(curve.get("label", ""))
        if curve.get("style", "line") == "points":
            ax.errorbar(x, y, yerr=curve.get("yerr"), fmt="o", ms=2.5, capsize=1.5, label=_wrap(name, 40))
        else:
            ax.plot(x, y, label=_wrap(name, 40))
    for which in ("x", "y"):
        if spec.get(f"log{which}"):
            _log_scale(ax, which, [curve[which] for curve in spec["curves"]])
    ax.set(title=_wrap(label(spec.get("title", ""))), xlabel=label(spec.get("xlabel", "")),
           ylabel=label(spec.get("ylabel", "")))
    _legend(ax)
    return figure


def _histogram(spec: Mapping, label: Callable[[str], str]) -> Figure:
    figure = Figure(figsize=_PANEL)
    ax = figure.subplots()
    for bars in spec["histograms"]:
        edges, counts = np.asarray(bars["edges"], float), np.asarray(bars["counts"], float)
        mass = float(np.sum(counts * np.diff(edges)))
        ax.stairs(counts / mass if mass > 0 else counts, edges, fill=True, alpha=0.35,
                  label=label(bars.get("label", "")))
    for curve in spec.get("curves", ()):
        ax.plot(curve["x"], curve["y"], label=label(curve.get("label", "")))
    ax.set(title=_wrap(label(spec.get("title", ""))), xlabel=label(spec.get("xlabel", "")), ylabel="density")
    _legend(ax)
    return figure


def _band(ax, x, design, fit: Mapping, transform=lambda y: y, **style) -> None:
    """The recorded fit (``coef``, ``cov``) along ``design`` and its pointwise 95% band."""
    coef, cov = np.asarray(fit["coef"], float), np.asarray(fit["cov"], float)
    centre = design @ coef
    half = Z95 * np.sqrt(np.einsum("ij,jk,ik->i", design, cov, design))
    ax.plot(x, transform(centre), **style)
    ax.fill_between(x, transform(centre - half), transform(centre + half), alpha=0.2,
                    color=style.get("color"), linewidth=0)


def _width_limit(spec: Mapping, label: Callable[[str], str]) -> Figure:
    n = np.asarray(spec["widths"], float)
    mean, std = np.asarray(spec["mean"], float), np.asarray(spec["std"], float)
    seeds = np.asarray(spec["seeds"], float)
    prediction = float(spec["prediction"])
    figure = Figure(figsize=(2 * _PANEL[0], _PANEL[1]))
    left, right = figure.subplots(1, 2)

    se = std / np.sqrt(seeds)
    left.errorbar(1 / n, mean, yerr=se, fmt="o", ms=2.5, capsize=1.5, color="C0", label="mean over seeds")
    grid = np.linspace(0.0, 1.05 / n.min(), 50)
    _band(left, grid, np.column_stack([np.ones_like(grid), grid]), spec["limit_fit"],
          color="C0", label=r"fit $X + b/n$ (95% band)")
    left.errorbar([0.0], [spec["intercept"]], yerr=[Z95 * spec["intercept_se"]], fmt="s", ms=3,
                  capsize=2, color="C0")
    left.axhline(prediction, color="C3", ls="--", label="prediction")
    left.set(title=_wrap(label(spec.get("title", ""))), xlabel=r"$1/n$", ylabel=r"$X_n$")
    _legend(left)

    usable = (std > 0) & (seeds > 1)
    log_se = np.asarray(spec["log_std_se"], float)[usable]
    right.errorbar(n[usable], std[usable],
                   yerr=[std[usable] * (1 - np.exp(-log_se)), std[usable] * (np.exp(log_se) - 1)],
                   fmt="o", ms=2.5, capsize=1.5, color="C0", label="std over seeds")
    fit = spec["fluctuation_fit"]
    if np.all(np.isfinite(fit["coef"])):
        grid = np.geomspace(n.min() / 1.1, n.max() * 1.1, 50)
        _band(right, grid, np.column_stack([np.ones_like(grid), np.log(grid)]), fit, np.exp, color="C0",
              label=rf"fit: slope ${spec['slope']:.3f} \pm {spec['slope_se']:.3f}$")
        pivot = np.exp(np.average(np.log(n), weights=np.asarray(spec["log_std_se"], float) ** -2))
        anchor = math.exp(fit["coef"][0] + fit["coef"][1] * math.log(pivot))
        right.plot(grid, anchor * (grid / pivot) ** float(spec["rate"]), color="C3", ls="--",
                   label=rf"predicted rate ${float(spec['rate']):g}$")
    _log_scale(right, "x", [n])
    _log_scale(right, "y", [std[usable]])
    right.set(title="fluctuation", xlabel=r"$n$", ylabel=r"std of $X_n$")
    _legend(right)
    figure.tight_layout()
    return figure


def _contour(spec: Mapping, label: Callable[[str], str]) -> Figure:
    figure = Figure(figsize=_PANEL)
    ax = figure.subplots()
    z = np.asarray(spec["z"], float)
    lines = ax.contour(np.asarray(spec["x"], float), np.asarray(spec["y"], float), np.where(np.isfinite(z), z, np.nan),
                       levels=spec["levels"], linewidths=0.8)
    ax.clabel(lines, fontsize=6, fmt="%g")
    for curve in spec.get("curves", ()):
        ax.plot(curve["x"], curve["y"], color="k", label=_wrap(label(curve.get("label", "")), 40))
    ax.set(title=_wrap(label(spec.get("title", ""))), xlabel=label(spec.get("xlabel", "")),
           ylabel=label(spec.get("ylabel", "")))
    _legend(ax)
    return figure


_DRAW = {"series": _series, "histogram": _histogram, "width_limit": _width_limit, "contour": _contour}
KINDS = tuple(_DRAW)


def render(spec: Mapping, path: str, *more: str) -> None:
    """Draw the recorded figure ``spec`` once and save it at ``path`` and each of ``more`` (vector
    PDF or SVG, by the suffix): the document and the web page share one drawing."""
    kind = spec.get("figure")
    if kind not in _DRAW:
        raise ValueError(f"figure={kind!r}: accepted are {', '.join(KINDS)}")
    _save(lambda label: _DRAW[kind](spec, label), path, *more)


def caption(spec: Mapping) -> str:
    """What the figure shows, in text with inline ``$...$`` math."""
    kind = spec.get("figure")
    if kind == "width_limit":
        return (f"Width limit: left, the mean of $X_n$ over seeds (1 SE bars) against $1/n$ with the "
                f"weighted fit $X + b/n$ and its 95% band, extrapolated to "
                f"$X = {spec['intercept']:.4g} \\pm {spec['intercept_se']:.2g}$ against the prediction "
                f"${float(spec['prediction']):.4g}$; right, the fluctuation (std over seeds) on log--log "
                f"axes with the fitted slope ${spec['slope']:.3f} \\pm {spec['slope_se']:.3f}$ (95% band) "
                f"and the predicted rate ${float(spec['rate']):g}$.")
    if kind == "histogram":
        return "Histograms as densities, with the reference curves."
    if kind == "contour":
        return "Contour lines (labelled with their values), with the curves drawn on top."
    return ""


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's layer: 0 when it uses nothing drawn, else one more than what it uses."""
    uses = {node: [a for a, b in edges if b == node] for node in nodes}
    layer: dict[str, int] = {}

    def depth(node, seen=()):
        if node not in layer:
            inner = [depth(u, seen + (node,)) for u in uses[node] if u not in seen]
            layer[node] = 1 + max(inner) if inner else 0
        return layer[node]

    for node in nodes:
        depth(node)
    return layer


def _rows(names: Sequence[str], edges: Sequence[tuple[str, str]], per_row: int) -> dict[str, tuple[float, float]]:
    """Positions (x, y): layers top to bottom, each in rows of at most ``per_row``
    claims, a claim placed under the claims it uses as far as order allows."""
    layer = _layers(names, edges)
    place: dict[str, tuple[float, float]] = {}
    y = 0.0
    for depth in range(max(layer.values(), default=-1) + 1):
        members = [n for n in names if layer[n] == depth]
        members.sort(key=lambda n: np.mean([place[a][0] for a, b in edges if b == n and a in place] or [0.0]))
        for start in range(0, len(members), per_row):
            chunk = members[start:start + per_row]
            for i, name in enumerate(chunk):
                place[name] = (i + (per_row - len(chunk)) / 2, -y)
            y += 1.0
        y += 0.5
    return place


def dependency_graph(nodes: Sequence[tuple[str, str]], edges: Sequence[tuple[str, str]], path: str,
                     *, per_row: int = 4) -> None:
    """The claims that use or are used by others as boxes coloured by status, in layers
    from top to bottom by how deep they build on others; an arrow from a claim to each
    claim that uses it.  ``nodes`` are (id, status); claims without edges are left out."""
    status = dict(nodes)
    edges = [(a, b) for a, b in edges if a in status and b in status]
    linked = [name for name, _ in nodes if any(name in edge for edge in edges)]
    place = _rows(linked, edges, per_row)
    depth = -min((y for _, y in place.values()), default=0.0) + 1

    def draw(label):
        figure = Figure(figsize=(6.6, 0.3 * depth + 0.2))
        ax = figure.subplots()
        ax.set_axis_off()
        ax.set_xlim(-0.5, per_row - 0.5)
        ax.set_ylim(-depth + 0.5, 0.5)
        boxes = {}
        for name, (x, y) in place.items():
            colour = STATUS_COLOURS.get(status[name], "#9e9e9e")
            boxes[name] = ax.text(x, y, label(name), ha="center", va="center", fontsize=5.5,
                                  family="monospace", zorder=2,
                                  bbox={"boxstyle": "round,pad=0.25", "facecolor": colour, "alpha": 0.18,
                                        "edgecolor": colour, "linewidth": 0.6})
        for a, b in edges:
            bend = 0.0 if place[a][1] - place[b][1] <= 1.5 else 0.15
            ax.annotate("", xy=place[b], xytext=place[a], zorder=3, annotation_clip=False,
                        arrowprops={"arrowstyle": "->", "color": "#607d8b", "lw": 0.5,
                                    "patchA": boxes[a].get_bbox_patch(), "patchB": boxes[b].get_bbox_patch(),
                                    "connectionstyle": f"arc3,rad={bend}"})
        return figure

    _save(draw, path)
