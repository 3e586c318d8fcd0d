"""The web version: ``DIR/index.html``, a static page of the same content as the document.

Statements and derivation steps are MathML (SymPy's presentation printer, run in the
worker: ``StepResult.mathml``, ``ClaimResult.statement_mathml``; LaTeX converted when a
record has none), which current browsers render without JavaScript or a network.  The
dependency graph is inline SVG whose every node links to its claim and is coloured by
its verdict; figures are SVG files beside the page (``figures/``); evidence tables,
mutants, the run's parameters and the bibliography follow.  Links are relative, so the
folder works from the file system and behind any static host.  Like the LaTeX reporter
it knows no claim by name and writes nothing half-way.
"""
from __future__ import annotations

import html
import os
import re
import time

from .. import bibliography
from ..results import CheckResult, ClaimResult, Comparison, RunResult, StepResult
from . import common, figures, mathml
from .common import MARKS, STEP_MARKS, families
from .notation import configuration, label

__all__ = ["HtmlReporter", "page", "graph_svg", "INDEX", "FIGURES", "anchor"]

INDEX, FIGURES = "index.html", "figures"
_COLOURS = {**figures.STATUS_COLOURS, "consistent": "#2e7d32", "proved": "#2e7d32", "survived": "#c62828",
            "unsupported": "#ef6c00", "checked-numerically": "#1565c0", "cited": "#5d4037"}
_STYLE = """
body{font-family:Georgia,serif;max-width:60em;margin:auto;padding:1em;line-height:1.45;color:#222}
h1,h2,h3{font-family:sans-serif} code{font-size:.92em}
.mark{font-family:sans-serif;font-size:.85em;padding:0 .3em;border-radius:3px;white-space:nowrap}
.ok{color:#2e7d32}.num{color:#1565c0}.cite{color:#5d4037}.bad{color:#c62828;border:1px solid #c62828}
.warn{color:#ef6c00;border:1px solid #ef6c00}.err{color:#6a1b9a;border:1px solid #6a1b9a}
.theorem{border-left:3px solid #555;padding:.2em 1em;margin:1em 0;background:#fafafa}
.display{overflow-x:auto;padding:.2em 0} math[display=block]{margin:.3em 0}
ol.steps li{margin:.6em 0} table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border-bottom:1px solid #ddd;padding:.15em .5em;text-align:left;vertical-align:top}
figure{display:inline-block;width:47%;margin:.5em 1%;vertical-align:top} figure img{width:100%}
figcaption{font-size:.85em} svg a:hover rect{stroke-width:2}
"""


def anchor(claim_id: str) -> str:
    """The id of a claim's section: ``claim-`` and the claim id (ids are dotted words)."""
    return "claim-" + re.sub(r"[^A-Za-z0-9_.-]", "-", claim_id)


def _e(value) -> str:
    return html.escape(str(value))


def _mark(status: str, word: str | None = None) -> str:
    css = MARKS.get(status, "num")
    return f'<span class="mark {css}">{_e(word or status)}</span>'


def _step_mark(step: StepResult) -> str:
    if step.status == "proved" and step.uses:
        return (f'<span class="mark ok">uses claim</span> '
                f'<a href="#{anchor(step.uses)}"><code>{_e(step.uses)}</code></a>')
    if step.status in STEP_MARKS:
        word, css = STEP_MARKS[step.status]
        return f'<span class="mark {css}">{word}</span>'
    return _mark(step.status)


def _relation_latex(lhs: str, op: str, rhs: str) -> str:
    return mathml.block(f"{lhs} {mathml.LATEX_RELATIONS.get(op, op)} {rhs}")


class _Citations(common.Citations):
    """A link to the entry in the page's references, its note after it; the rest as text."""

    def note(self, note: str) -> str:
        return mathml.text(note)

    def reference(self, entry: bibliography.Entry, note: str) -> str:
        shown = f", {mathml.text(note)}" if note else ""
        return f'<a href="#ref-{entry.key}">{_e(entry.label)}</a>{shown}'


def graph_svg(run: RunResult, per_row: int = 4) -> str:
    """The dependency graph as inline SVG: a box per claim that uses or is used by another, coloured by
    verdict and linking to the claim; an arrow from a claim to each claim that uses it."""
    status = {c.id: c.status for c in run.claims}
    edges = [(u, c.id) for c in run.claims for u in c.uses if u in status]
    linked = [c.id for c in run.claims if any(c.id in e for e in edges)]
    if not edges:
        return ""
    place = figures._rows(linked, edges, per_row)
    width, height, box = 220, 46, (200, 26)
    rows = 1 + max(-y for _, y in place.values())
    xy = {n: (10 + x * width, 10 + (-y) * height) for n, (x, y) in place.items()}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {per_row * width + 20} '
             f'{rows * height + 20}" width="100%" role="img" aria-label="dependency graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#607d8b"/></marker></defs>']
    for a, b in edges:
        (xa, ya), (xb, yb) = xy[a], xy[b]
        parts.append(f'<line x1="{xa + box[0] / 2:.1f}" y1="{ya + box[1]:.1f}" x2="{xb + box[0] / 2:.1f}" '
                     f'y2="{yb:.1f}" stroke="#607d8b" stroke-width="1" marker-end="url(#arrow)"/>')
    for name in linked:
        x, y = xy[name]
        colour = _COLOURS.get(status[name], "#9e9e9e")
        parts.append(f'<a href="#{anchor(name)}" class="node"><title>{_e(name)}: {_e(status[name])}</title>'
                     f'<rect x="{x:.1f}" y="{y:.1f}" width="{box[0]}" height="{box[1]}" rx="5" fill="{colour}" '
                     f'fill-opacity="0.18" stroke="{colour}"/><text x="{x + box[0] / 2:.1f}" y="{y + 17:.1f}" '
                     f'text-anchor="middle" font-family="monospace" font-size="12">{_e(name)}</text></a>')
    parts.append("</svg>")
    return "\n".join(parts)


def _statement(claim: ClaimResult) -> str:
    mathml_of = dict(claim.statement_mathml)
    rows = []
    for name, lhs, rhs in claim.statement:
        shown = mathml_of.get(name) or _relation_latex(lhs, "=", rhs)
        title = f"<p><em>{mathml.text(label(name.replace('_', ' ')))}</em>:</p>" if len(claim.statement) > 1 else ""
        rows.append(f'{title}<div class="display">{shown}</div>')
    extra = []
    if claim.assumptions:
        extra.append(f"<p><em>Assumptions:</em> {mathml.text(claim.assumptions)}</p>")
    if claim.domain:
        domain = claim.domain if "$" in claim.domain else f"${claim.domain}$"
        extra.append(f"<p><em>Domain:</em> {mathml.text(domain)}</p>")
    if claim.uses:
        extra.append("<p><em>Uses:</em> " + ", ".join(
            f'<a href="#{anchor(u)}"><code>{_e(u)}</code></a>' for u in claim.uses) + "</p>")
    return (f'<div class="theorem"><p><strong>Claim</strong> (<code>{_e(claim.id)}</code>).</p>'
            + "".join(rows) + "".join(extra) + "</div>")


def _proof(claim: ClaimResult, cites: _Citations) -> str:
    if not claim.steps:
        return "<p><em>No derivation steps were recorded.</em></p>"
    items = []
    for step in claim.steps:
        reference = getattr(step, "cite", None) or getattr(step, "reference", None)
        cited = f" ({cites.cite(reference)})" if reference else ""
        shown = step.mathml or _relation_latex(step.lhs, step.op, step.rhs)
        counter = (f'<br>{_mark("refuted", "counterexample")} '
                   + _e(", ".join(f"{k} = {v}" for k, v in step.counterexample))) if step.counterexample else ""
        items.append(f"<li>{_step_mark(step)} {mathml.text(step.text)}{cited}"
                     f'<div class="display">{shown}</div>{counter}</li>')
    conclusion = f"<p>{mathml.text(claim.conclusion)} &#8718;</p>" if claim.conclusion else ""
    return f'<p><em>Derivation.</em></p><ol class="steps">{"".join(items)}</ol>{conclusion}'


def _number(x) -> str:
    try:
        return f"{float(x):.4g}"
    except (TypeError, ValueError):
        return _e(x)


def _row(c: Comparison) -> str:
    t = c.test
    prediction = "&#8800; 0" if t.kind == "nonzero" else _number(t.prediction)
    return (f"<tr><td>{mathml.text(label(c.label))}</td><td>{mathml.text(configuration(c.config))}</td>"
            f"<td>{_number(t.estimate)} &#177; {_number(t.se)}</td><td>{prediction}</td>"
            f"<td>{_number(t.z)}</td><td>{_number(t.mde)} / {_number(t.target)}</td><td>{_e(c.samples)}</td>"
            f"<td>{_mark(t.status)}</td></tr>")


def _check(check: CheckResult, pictures: list[tuple[str, dict]]) -> str:
    head = ("<tr><th>comparison</th><th>configuration</th><th>estimate &#177; SE</th><th>prediction</th>"
            "<th>z</th><th>MDE / target</th><th>samples</th><th>verdict</th></tr>")
    table = (f"<details><summary>{len(check.comparisons)} comparisons</summary><table>{head}"
             + "".join(_row(c) for c in check.comparisons) + "</table></details>") if check.comparisons else ""
    counter = f'<p>{_mark("refuted", "counterexample")} {_e(check.counterexample)}</p>' if check.counterexample else ""
    shown = "".join(f'<figure><img src="{_e(path)}" alt="{_e(spec.get("title", "figure"))}">'
                    f'<figcaption>{mathml.text(label(spec.get("title", "")))} '
                    f'{mathml.text(figures.caption(spec))}</figcaption></figure>' for path, spec in pictures)
    return (f"<h4><code>{_e(check.name)}</code> {_mark(check.status)}</h4>"
            f"<p>{mathml.text(label(check.description))} ({check.examples} configurations run.)</p>"
            f"{counter}{table}{shown}")


def _mutants(claim: ClaimResult) -> str:
    if not claim.mutants:
        return ""
    rows = "".join(f"<tr><td><code>{_e(m.name)}</code></td><td>{mathml.text(label(m.description))}</td>"
                   f"<td>{_mark(m.status)}</td><td>{_e(', '.join(m.refuted_by)) or '&#8211;'}</td></tr>"
                   for m in claim.mutants)
    return ("<h4>Mutants</h4><table><tr><th>mutant</th><th>what is wrong</th><th>verdict</th>"
            f"<th>refuted by</th></tr>{rows}</table>")


def _claim(claim: ClaimResult, pictures: dict[int, list], cites: _Citations) -> str:
    source = f" Sources: {cites.cite(claim.source)}." if claim.source else ""
    checks = "".join(_check(check, pictures.get(j, [])) for j, check in enumerate(claim.checks)) or \
        "<p>No numeric check: the claim is established by its derivation.</p>"
    return (f'<section id="{anchor(claim.id)}"><h3>{mathml.text(label(claim.title))}</h3>'
            f"<p><code>{_e(claim.id)}</code> {_mark(claim.status)}{source}</p>"
            f"{_statement(claim)}{_proof(claim, cites)}<h4>Evidence</h4>{checks}{_mutants(claim)}</section>")


def page(run: RunResult, pictures: dict[tuple[int, int], list[tuple[str, dict]]] | None = None) -> str:
    """The HTML of ``run``; ``pictures[(claim index, check index)]`` lists (file, figure spec)."""
    pictures = pictures or {}
    cites = _Citations()
    body, contents = [], []
    for n, (prefix, title, intro, sources, members) in enumerate(families(run), 1):
        cited = f" ({cites.cite(sources)})" if sources else ""
        body.append(f'<h2 id="family-{_e(prefix)}">{n}. {mathml.text(title)}</h2>'
                    + (f"<p>{mathml.text(intro)}{cited}</p>" if intro else ""))
        contents.append(f'<li><a href="#family-{_e(prefix)}">{mathml.text(title)}</a><ul>' + "".join(
            f'<li><a href="#{anchor(run.claims[k].id)}">{_e(run.claims[k].id)}</a> '
            f"{_mark(run.claims[k].status)}</li>" for k in members) + "</ul></li>")
        for k in members:
            claim = run.claims[k]
            body.append(_claim(claim, {j: pictures.get((k, j), []) for j in range(len(claim.checks))}, cites))
    references = "".join(
        f'<li id="ref-{e.key}">{_e(e.authors)}. <em>{_e(e.title)}</em>. {_e(e.venue.replace("--", "–"))}, {e.year}.'
        + (f' <a href="{_e(e.link)}">{_e(e.link)}</a>' if e.link else "") + "</li>" for e in cites.used.values())
    settings = (f"budget {_e(run.budget)}, seed {_e(run.seed)}, &#945;<sub>F</sub> = {run.alpha:g}, "
                f"z* = {run.threshold:.3f} over {run.comparisons} comparisons, mutants "
                f"{'run' if run.mutants else 'not run'}, run time {run.seconds:.1f} s; "
                + ", ".join(f"{_e(k)} {_e(v)}" for k, v in run.versions.items()))
    graph = graph_svg(run)
    ran = {anchor(c.id) for c in run.claims}
    body = [re.sub(r'<a href="#(claim-[^"]+)">(.*?)</a>',
                   lambda m: m.group() if m.group(1) in ran else f'<span title="not in this run">{m.group(2)}</span>',
                   part) for part in body]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>ntk-verify: the checked derivations of Neural Tangent Kernel theory</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>The checked derivations of Neural Tangent Kernel theory</h1>",
        f"<p>Generated by <code>python -m verify</code>: {len(run.claims)} claims; {settings}.</p>",
        "<p>Each step carries its mark: <span class=\"mark ok\">derived</span> (SymPy computed a side and "
        "confirmed the relation), <span class=\"mark ok\">uses claim</span>, <span class=\"mark num\">checked "
        "numerically</span> (40-digit evaluation, never reported as proved), <span class=\"mark cite\">cited"
        "</span> (a fact with its reference).  Every claim is then confronted with finite networks or samples: "
        "a comparison is refuted when |z| exceeds z*.</p>",
        f"<nav><h2>Contents</h2><ol>{''.join(contents)}<li><a href=\"#references\">References</a></li></ol></nav>",
        (f'<h2 id="dependencies">Dependencies</h2><p>Arrows point from a claim to the claims that use it; '
         f"colours are verdicts; click a box to go to its claim.</p>{graph}") if graph else "",
        *body,
        f'<h2 id="references">References</h2><ol>{references}</ol>',
        "</body></html>", ""])


def draw(run: RunResult, folder: str, relative: str,
         drawing: common.Drawing | None = None) -> tuple[dict, list[str]]:
    """Every recorded figure of ``run`` as SVG in ``folder`` (from ``drawing`` when given): the
    ``pictures`` of :func:`page`, and the problems of figures that could not be drawn."""
    drawn = common.draw(run, folder, relative, "svg", drawing)
    pictures: dict[tuple[int, int], list[tuple[str, dict]]] = {}
    for (k, j), found in drawn.items():
        for figure in found:
            if figure.path:
                pictures.setdefault((k, j), []).append((figure.path, figure.spec))
    return pictures, common.not_drawn(run, drawn)


class HtmlReporter(common.FolderReporter):
    """Writes ``directory/index.html`` and ``directory/figures/`` when the run stops."""

    OPTION, WHAT, KIND = "--html", "site", "svg"

    def stop(self, run: RunResult) -> None:
        start = time.perf_counter()
        with common.staged(self.directory, ".site-") as work:
            pictures, problems = draw(run, os.path.join(work, FIGURES), FIGURES, self.drawing)
            with open(os.path.join(work, INDEX), "w", encoding="utf-8") as stream:
                stream.write(page(run, pictures))
            common.publish(work, self.directory, FIGURES, [INDEX])
        for problem in problems:
            self.warn(problem)
        drawn = sum(len(v) for v in pictures.values())
        self.say(f"html: wrote {os.path.join(self.directory, INDEX)} with {drawn} figures "
                 f"({time.perf_counter() - start:.1f} s)")
