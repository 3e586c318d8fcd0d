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
temporary folder inside ``DIR`` and moved into place at the end.  Only pdflatex is
needed to compile (run until its cross-references settle); packages are those of
TeX Live's ``latex-recommended`` and ``latex-extra`` collections.
"""
from __future__ import annotations

import datetime
import math as _math
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from typing import Iterable

from numeric.stats import CONSISTENT

from .. import bibliography
from ..results import NOT_RUN, VERIFIED, CheckResult, ClaimResult, Comparison, RunResult, StepResult
from . import figures
from .common import Drawing, Drawn, FolderReporter, draw, families, family_of
from .notation import configuration, label
from .texprint import (PREAMBLE_MACROS, cell, display, escape, identifier, math, number, percent, relation, seconds,
                       text, with_error, wrap)

__all__ = ["LatexReporter", "document", "draw_figures", "Drawn", "compile_pdf", "Compiled", "family_of",
           "TEX", "PDF", "LOG", "FIGURES"]

TEX, PDF, LOG = "derivations.tex", "derivations.pdf", "derivations.log"
FIGURES = "derivations-figures"
_RERUN = re.compile(r"Rerun to get|Rerun LaTeX|Label\(s\) may have changed|Table widths have changed")


# --- verdict marks ---------------------------------------------------------------

_GOOD = {"verified": "verified", "proved": "proved", "consistent": "consistent"}
_ALARM = {"refuted": ("bad", r"$\times$", "refuted"), "inconclusive": ("warn", "?", "inconclusive"),
          "error": ("err", "!", "error"), "unsupported": ("warn", "?", "unsupported"),
          "survived": ("bad", r"$\times$", "survived")}


def mark(status: str) -> str:
    """A claim's, step's or check's verdict: green when it holds, a coloured box when not."""
    if status in _GOOD:
        return r"\textcolor{ok}{$\checkmark$\," + _GOOD[status] + "}"
    if status == "checked-numerically":
        return r"\textcolor{num}{$\approx$\,checked numerically}"
    if status in _ALARM:
        colour, symbol, word = _ALARM[status]
        return rf"\alarm{{{colour}}}{{{symbol}\,{word}}}"
    return r"\textcolor{idle}{" + escape(status) + "}"


def mutant_mark(status: str) -> str:
    """A mutant's verdict: refuted is what must happen (green); survived is an alarm."""
    if status == "refuted":
        return r"\textcolor{ok}{$\checkmark$\,refuted}"
    return mark(status)


# --- tables ----------------------------------------------------------------------

def _columns(*spec: tuple[str, float]) -> str:
    """Column types ``(l|c|r, fraction of the line)`` whose widths add up exactly."""
    align = {"l": r"\raggedright", "c": r"\centering", "r": r"\raggedleft"}
    return "".join(rf">{{{align[a]}\arraybackslash}}p{{\dimexpr {f:.3f}\linewidth-2\tabcolsep\relax}}"
                   for a, f in spec)


def _table(spec: tuple[tuple[str, float], ...], head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = " & ".join(head) + r" \\"
    body = "\n".join(" & ".join(row) + r" \\" for row in rows)
    return "\n".join([
        r"{\footnotesize\setlength{\tabcolsep}{2.5pt}",
        rf"\begin{{longtable}}{{{_columns(*spec)}}}", r"\toprule", head, r"\midrule\endhead",
        r"\bottomrule\endfoot", body, r"\end{longtable}}", ""])


def _link(claim_id: str, labels: dict[str, str]) -> str:
    shown = identifier(claim_id)
    return rf"\hyperref[{labels[claim_id]}]{{{shown}}}" if claim_id in labels else shown


# --- the parts of the document ---------------------------------------------------

PREAMBLE = r"""\documentclass[10pt,a4paper]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{array,booktabs,longtable}
\usepackage{xcolor}
\usepackage{url}
\usepackage{enumitem}
\usepackage[hidelinks,bookmarksnumbered]{hyperref}
\definecolor{ok}{HTML}{2E7D32}
\definecolor{num}{HTML}{1565C0}
\definecolor{bad}{HTML}{C62828}
\definecolor{warn}{HTML}{EF6C00}
\definecolor{err}{HTML}{6A1B9A}
\definecolor{idle}{HTML}{757575}
\newcommand{\alarm}[2]{{\setlength{\fboxsep}{1.2pt}\fcolorbox{#1}{#1!10}{\textcolor{#1}{\textbf{#2}}}}}
% SymPy and the claims write the indicator function as \mathbb{1}; blackboard bold has no digits.
\let\ntkmathbb\mathbb
\renewcommand{\mathbb}[1]{\ifx1#1\mathbf{1}\else\ntkmathbb{#1}\fi}
\setlength{\emergencystretch}{3em}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5ex plus 0.3ex}
\setcounter{tocdepth}{1}
\usepackage{amsthm}
\newtheorem{claimthm}{Claim}[section]
\definecolor{cite}{HTML}{5D4037}
% \heading{text}: a bold heading on its own line, kept with what follows.
\newcommand{\heading}[1]{\par\medskip\noindent\textbf{#1}\par\nopagebreak}
% \prose{text}: the derivation's own words (a step's method and its sources), set as they were written.
\newcommand{\prose}[1]{#1}
\raggedbottom
""" + PREAMBLE_MACROS

CONVENTIONS = r"""
\subsection*{Conventions (used throughout)}
NTK parameterisation, scalar output, input $x \in \mathbb{R}^{n_0}$, depth $L$ = the number of
affine layers ($L-1$ hidden nonlinear layers), \texttt{weight\idus{}std} $= \sigma_w$,
\texttt{bias\idus{}std} $= \sigma_b$:
\[
  h^0 = x,\qquad z^{\ell+1} = \frac{\sigma_w}{\sqrt{n_\ell}}\, h^\ell W_\ell + \sigma_b\, b_\ell,\qquad
  h^\ell = \sigma(z^\ell)\ \ (\ell = 1, \dots, L-1),\qquad f = z^L,
\]
with $W_\ell \in \mathbb{R}^{n_\ell \times n_{\ell+1}}$, $b_\ell \in \mathbb{R}^{n_{\ell+1}}$ and all
entries $\mathcal{N}(0, 1)$.  The standard parameterisation draws $W_\ell \sim \mathcal{N}(0,
\sigma_w^2/n_\ell)$, $b_\ell \sim \mathcal{N}(0, \sigma_b^2)$ and sets $z^{\ell+1} = h^\ell W_\ell + b_\ell$:
the same function at initialisation, different gradients and so a different empirical NTK.
Infinite-width kernels, with $(u, v) \sim \mathcal{N}\bigl(0, \bigl[\begin{smallmatrix} k_{11} & k_{12}\\
k_{12} & k_{22}\end{smallmatrix}\bigr]\bigr)$ and $k = \Sigma^\ell$ at the inputs $(x, x')$:
\begin{gather*}
  \Sigma^1(x, x') = \sigma_w^2\, \frac{x \cdot x'}{n_0} + \sigma_b^2,\qquad
  \Sigma^{\ell+1} = \sigma_w^2\, \mathbb{E}[\sigma(u)\sigma(v)] + \sigma_b^2,\qquad
  \dot\Sigma^{\ell+1} = \mathbb{E}[\sigma'(u)\sigma'(v)],\\
  \Theta^1 = \Sigma^1,\qquad \Theta^{\ell+1} = \Sigma^{\ell+1} + \sigma_w^2\, \dot\Sigma^{\ell+1}\,\Theta^\ell,
  \qquad \text{NNGP} = \Sigma^L,\quad \text{NTK} = \Theta^L.
\end{gather*}
Jacot et al.\ (2018) is $\sigma_w = 1$, $\sigma_b = \beta$; the blog post's ``LeCun initialisation''
is the standard parameterisation.
"""

_READING = r"""
\subsection*{How to read a verdict}
A \textbf{step} of a derivation is @derived@ when SymPy computed one side from other objects and
reduced the difference of its sides to zero (or decided its sign); @uses@ when it rests on the
statement of another claim; @checked-numerically@ when SymPy could not decide but a 40-digit
evaluation at 12 points of the domain, edges included, agreed (never reported as proved); @cited@
when it is a fact SymPy does not establish, with its reference (never counted as proved, still
compared where both sides can be evaluated); @refuted@ with a counterexample; @unsupported@ when
neither rung applied.
A \textbf{numeric comparison} measures the left-hand side on finite networks or samples and
compares it with the statement's right-hand side evaluated from the same SymPy expression:
$z = (\text{estimate} - \text{prediction})/\text{SE}$.  It is @refuted@ when $|z| > z^*$,
where $z^* = \Phi^{-1}(1 - \alpha_F/(2m))$ is the Bonferroni threshold over the $m$ comparisons
this run could make, so that the whole run raises a false alarm with probability at most
$\alpha_F$; @inconclusive@ when its minimal detectable effect
$\text{MDE} = (z^* + z_{0.9})\,\text{SE}$, relative to the comparison's scale, misses the
budget's target; @consistent@ otherwise.  A \textbf{width limit} $X_n \to X$ fits
$\mathbb{E}[X_n] = X + b/n$ by weighted least squares and tests the intercept $X$, and fits the
log--log slope of the fluctuation against the predicted rate (and against 0).  A
\textbf{claim} is @verified@ when every step is proved or checked numerically and every
comparison is consistent, @refuted@ if anything is refuted, @inconclusive@
otherwise, @error@ if a check crashed.  A \textbf{mutant} is a wrong version of a claim's
statement run through the same derivation and checks: it must be refuted
(@mutant:refuted@); one that @mutant:survived@ means a check that cannot fail.
"""




def _reading() -> str:
    """How to read a verdict, with the marks the document uses."""
    def marked(found):
        word = found.group(1)
        if word.startswith("mutant:"):
            return mutant_mark(word[7:])
        if word in ("derived", "uses", "cited"):
            step = {"derived": "proved", "uses": "proved", "cited": "cited"}[word]
            return step_mark(StepResult("", "", "=", "", "", step, "", "a.b" if word == "uses" else None), {})
        return mark(word)
    return re.sub(r"@([a-z:-]+)@", marked, _READING)


def _run_table(run: RunResult) -> str:
    """The run's parameters: date, budget, seed, the false-alarm rate and threshold, verdicts, versions."""
    counts: dict[str, int] = {}
    for claim in run.claims:
        counts[claim.status] = counts.get(claim.status, 0) + 1
    verdicts = ", ".join(f"{n} {mark(s)}" for s, n in sorted(counts.items())) or "none"
    rows = [
        ("date", escape(datetime.date.today().isoformat())),
        ("budget", escape(run.budget)),
        ("seed", escape(run.seed)),
        (r"family false-alarm rate $\alpha_F$", f"${run.alpha:g}$"),
        ("comparisons $m$ (upper bound)", escape(run.comparisons)),
        (r"threshold $z^*$", number(run.threshold, 4)),
        ("mutants", "run" if run.mutants else r"not run (use \texttt{--mutants})"),
        ("claims", f"{len(run.claims)}: {verdicts}"),
        ("run time", number(run.seconds, 3) + " s"),
        ("versions", ", ".join(f"{escape(k)} {escape(v)}" for k, v in run.versions.items())),
    ]
    table = "\n".join(rf"{k} & {v} \\" for k, v in rows)
    return "\n".join([
        r"{\small\begin{center}\begin{tabular}{>{\raggedleft\arraybackslash}p{0.3\linewidth}"
        r">{\raggedright\arraybackslash}p{0.6\linewidth}}\toprule",
        table, r"\bottomrule\end{tabular}\end{center}}"])


_APPENDICES = 4  # Evidence, Mutants, Dependencies, The run


def _contents(entries: int) -> str:
    """The table of contents (sections only) in a box of the height of its ``entries`` lines, so that
    the first pdflatex pass, which has no contents yet, breaks the pages as the second does and two
    passes settle every reference."""
    return (rf"{{\setlength{{\parskip}}{{0pt}}\vbox to \dimexpr 3.5\baselineskip + {entries}em + "
            rf"{entries}\baselineskip\relax{{\tableofcontents\vfil}}}}")


def _title(run: RunResult, entries: int) -> str:
    return "\n".join([
        r"\title{ntk-verify\\[0.3ex] \large The checked derivations of Neural Tangent Kernel theory}",
        r"\author{generated by \texttt{python -m verify}}",
        rf"\date{{{escape(datetime.date.today().isoformat())}}}",
        r"\begin{document}", r"\maketitle", r"\thispagestyle{empty}",
        "Each claim of the theory is stated as a theorem and derived step by step; every step carries "
        "the mark of how it was checked, and every claim is then confronted with finite networks or "
        "samples.  The run's parameters, every comparison and every mutant are in the appendices.",
        _run_table(run), _reading(), CONVENTIONS, _contents(entries),
    ])


def _z(z: float) -> str:
    """A z-score to two decimals (large ones in powers of ten)."""
    return f"${z:.2f}$" if abs(z) < 1000 else number(z, 2)


def _head(figure: "Drawn", where: str) -> str:
    """``Figure n.``, the figure's title and where it belongs."""
    title = figure.spec.get("title")
    shown = text(label(title)) + " " if isinstance(title, str) and title else ""
    return rf"\textbf{{Figure {figure.number}.}} {shown}({where})"


def _figure(figure: "Drawn", where: str, size: str, image: str = r"\linewidth") -> str:
    """One figure (``image`` wide) with its caption in a minipage of width ``size``."""
    spec, head = figure.spec, _head(figure, where)
    if figure.problem:
        body = rf"{{\footnotesize {head}: \alarm{{warn}}{{not drawn}} {escape(figure.problem)}\par}}"
    else:
        body = (rf"\includegraphics[width={image}]{{{figure.path}}}\par"
                rf"{{\footnotesize {head}. {text(figures.caption(spec))}\par}}")
    return rf"\begin{{minipage}}[t]{{{size}}}\centering {body}\end{{minipage}}"


def _body_figure(figure: "Drawn", where: str) -> str:
    """The one figure a claim shows in the body: a two-panel figure across the line, a single panel
    beside its caption."""
    if _wide(figure) or figure.problem:
        return r"\par\medskip\noindent" + _figure(figure, where, r"\linewidth", r"0.82\linewidth") + r"\par\medskip"
    return (r"\par\medskip\noindent"
            rf"\begin{{minipage}}[c]{{0.5\linewidth}}\includegraphics[width=\linewidth]{{{figure.path}}}"
            r"\end{minipage}\hfill"
            rf"\begin{{minipage}}[c]{{0.46\linewidth}}\footnotesize {_head(figure, where)}. "
            rf"{text(figures.caption(figure.spec))}\end{{minipage}}\par\medskip")


def _wide(figure: "Drawn") -> bool:
    return figure.spec.get("figure") == "width_limit"


def _figures(found: list["Drawn"], where: str) -> str:
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


_STEP_MARKS = {"proved": ("ok", r"$\checkmark$\,derived"), "checked-numerically": ("num", r"$\approx$\,checked numerically"),
               "cited": ("cite", r"$\dagger$\,cited")}


def step_mark(step: StepResult, labels: dict[str, str]) -> str:
    """How a step was checked: derived, uses claim (with its link), checked numerically, cited, or an alarm."""
    if step.status == "proved" and step.uses:
        return rf"\textcolor{{ok}}{{$\checkmark$\,uses claim}} {_link(step.uses, labels)}"
    if step.status in _STEP_MARKS:
        colour, word = _STEP_MARKS[step.status]
        return rf"\textcolor{{{colour}}}{{{word}}}"
    return mark(step.status)


def _step_counts(claim: ClaimResult) -> str:
    """derived / checked numerically / cited steps, out of all."""
    counts = [sum(s.status == k for s in claim.steps) for k in ("proved", "checked-numerically", "cited")]
    return "/".join(map(str, counts)) + f" of {len(claim.steps)}"


def _summary(run: RunResult, labels: dict[str, str]) -> str:
    rows = []
    for claim in run.claims:
        z, mde = claim.max_abs_z, claim.max_mde
        mutants = (f"{len(claim.mutants) - len(claim.surviving_mutants)}/{len(claim.mutants)}"
                   if claim.mutants else "--")
        rows.append([_link(claim.id, labels), cell(label(claim.title)), mark(claim.status), _step_counts(claim),
                     _z(z) if z is not None else "--", percent(mde), mutants])
    spec = (("l", 0.22), ("l", 0.34), ("l", 0.14), ("c", 0.09), ("r", 0.07), ("r", 0.06), ("c", 0.08))
    head = ["claim", "title", "verdict", "steps d/n/c", r"max $|z|$", "max MDE", "mutants"]
    return "\n".join([
        r"\section*{Summary}\addcontentsline{toc}{section}{Summary}",
        "Every claim of the run with its verdict.  Steps: derived / checked numerically / cited, of all; "
        r"max $|z|$ and max MDE over its comparisons of equality; mutants refuted / run.",
        _table(spec, head, rows)])


def _verdict_of(run: RunResult, claim: ClaimResult, used: str) -> str:
    """The verdict of a claim that ``claim`` uses: its result in this run, else as recorded."""
    final = next((c.status for c in run.claims if c.id == used), None)
    return final or dict(claim.dependencies).get(used, NOT_RUN)


def _graph(graph: str | None) -> str:
    if not graph:
        return ""
    return "\n".join([
        r"\section*{How the claims depend on each other}\addcontentsline{toc}{section}{Dependencies}",
        r"\begin{center}\includegraphics[width=\linewidth,height=0.75\textheight,"
        rf"keepaspectratio]{{{graph}}}\end{{center}}",
        r"{\footnotesize Arrows point from a claim to the claims that use it; layers, from the top, are how "
        r"deep a claim builds on others; box colours are verdicts (green verified, red refuted, orange "
        r"inconclusive, purple error).  Claims that neither use nor are used by another are in the table of "
        r"Appendix~\ref{app:dependencies}.}"])


def _dependency_table(run: RunResult, labels: dict[str, str]) -> str:
    used_by: dict[str, list[str]] = {}
    for claim in run.claims:
        for uid in claim.uses:
            used_by.setdefault(uid, []).append(claim.id)
    rows = []
    for claim in run.claims:
        uses = ", ".join(f"{_link(uid, labels)} {mark(_verdict_of(run, claim, uid))}" for uid in claim.uses)
        rows.append([_link(claim.id, labels), mark(claim.status), uses or "--",
                     ", ".join(_link(u, labels) for u in used_by.get(claim.id, ())) or "--"])
    return "\n".join([r"\section{Dependencies}\label{app:dependencies}",
                      _table((("l", 0.26), ("l", 0.15), ("l", 0.34), ("l", 0.25)),
                             ["claim", "verdict", "uses", "used by"], rows)])


class _Citations:
    """The bibliography entries the document cites, numbered in order of first citation."""

    def __init__(self):
        self.used: dict[str, bibliography.Entry] = {}

    def cite(self, source: str) -> str:
        """``source`` as citations: ``\\cite[note]{key}`` for what resolves, the rest as text."""
        shown = []
        for citation in bibliography.resolve(source):
            if citation.entry is None:
                shown.append(text(citation.note))
                continue
            self.used.setdefault(citation.entry.key, citation.entry)
            note = f"[{text(citation.note)}]" if citation.note else ""
            shown.append(rf"{escape(citation.entry.short or citation.entry.authors)}~\cite{note}{{{citation.entry.key}}}")
        return "; ".join(shown)

    def bibliography(self) -> str:
        if not self.used:
            return ""
        items = []
        for entry in self.used.values():
            link = rf" \url{{{entry.link}}}" if entry.link else ""
            items.append(rf"\bibitem{{{entry.key}}} {escape(entry.authors)}. \emph{{{escape(entry.title)}}}. "
                         rf"{text(entry.venue)}, {entry.year}.{link}")
        return "\n".join([r"\begin{thebibliography}{99}\small", *items, r"\end{thebibliography}"])




def _worst(check: CheckResult) -> Comparison | None:
    """The comparison furthest from its prediction (largest finite $|z|$), which the body shows."""
    ranked = sorted(check.comparisons, key=lambda c: -abs(c.test.z) if _math.isfinite(c.test.z) else 0.0)
    return ranked[0] if ranked else None


def _evidence(claim: ClaimResult, labels: dict[str, str]) -> str:
    """What was measured, on what, the number furthest from its prediction and the verdict: one short
    paragraph per check (every comparison is in the appendix)."""
    if not claim.checks:
        return r"\textit{Evidence.} No numeric check: the claim is established by its derivation.\par"
    items = []
    for check in claim.checks:
        thresholds = sorted({c.test.threshold for c in check.comparisons})
        summary = f"{check.examples} configurations, {len(check.comparisons)} comparisons"
        worst = _worst(check)
        if worst is not None:
            t = worst.test
            prediction = r"$\neq 0$" if t.kind == "nonzero" else number(t.prediction)
            z = rf", $z = {t.z:.2f}$" + (rf" ($z^* = {thresholds[0]:.2f}$)" if len(thresholds) == 1 else "")
            summary += (rf"; furthest: {text(label(worst.label))} {with_error(t.estimate, t.se)} against "
                        rf"{prediction}" + (z if _math.isfinite(t.z) else ""))
        line = rf"\item {identifier(check.name)} {mark(check.status)}: {text(label(check.description))} ({summary})."
        if check.counterexample:
            line += r" \alarm{bad}{counterexample} " + escape(check.counterexample, breakable=True)
        items.append(line)
    return "\n".join([r"\textit{Evidence} (every comparison in Appendix~\ref{ev:" + labels[claim.id] + "}):",
                      r"{\small\begin{itemize}[nosep,leftmargin=1.2em,topsep=1pt]", *items, r"\end{itemize}}"])


def _mutant_line(claim: ClaimResult, run: RunResult) -> str:
    if not claim.mutants:
        return (r"\textit{Mutants.} \alarm{bad}{none declared}: nothing shows that the checks can fail.\par"
                if run.mutants else "")
    refuted = len(claim.mutants) - len(claim.surviving_mutants)
    layers = {layer: sum(layer in m.refuted_by for m in claim.mutants)
              for layer in dict.fromkeys(x for m in claim.mutants for x in m.refuted_by)}
    by = ", ".join(f"{n} by the {escape(layer)} layer" for layer, n in layers.items())
    survivors = ", ".join(identifier(m) for m in claim.surviving_mutants)
    return (rf"\textit{{Mutants.}} {refuted} of {len(claim.mutants)} wrong statements refuted"
            + (f" ({by})" if by else "") + (rf"; \alarm{{bad}}{{not refuted}} {survivors}" if survivors else "")
            + r" (Appendix~\ref{app:mutants}).\par")


def _problems(run: RunResult, claim: ClaimResult) -> list[str]:
    found = []
    if claim.error:
        found.append("error: " + escape(claim.error, breakable=True))
    found += [f"step {k} is {mark(s.status)}" for k, s in enumerate(claim.steps, 1)
              if s.status not in ("proved", "checked-numerically", "cited")]
    found += [f"check {identifier(c.name)} is {mark(c.status)}" for c in claim.checks if c.status != CONSISTENT]
    found += [f"uses {identifier(u)}, which is {mark(s)}" for u, s in
              ((u, _verdict_of(run, claim, u)) for u in claim.uses) if s not in (VERIFIED, NOT_RUN)]
    found += [f"mutant {identifier(m.name)} is {mutant_mark(m.status)}" for m in claim.mutants
              if m.status != "refuted"]
    return found


def _domain(description: str) -> str:
    return text(description) if "$" in description else "$" + math(description) + "$"


def _statement(run: RunResult, claim: ClaimResult, labels: dict[str, str], cites: "_Citations") -> str:
    """The statement as a theorem: its relations, assumptions, domain and the claims it uses."""
    parts = [rf"\begin{{claimthm}}[{identifier(claim.id)}]"]
    for name, lhs, rhs in claim.statement:
        if len(claim.statement) > 1:
            parts.append(rf"\par\textit{{{text(label(name.replace('_', ' ')))}}}:")
        parts.append(display(lhs, "=", rhs))
    if claim.assumptions:
        parts.append(r"\textit{Assumptions:} " + text(claim.assumptions) + r"\par")
    if claim.domain:
        parts.append(r"\textit{Domain:} " + _domain(claim.domain) + r"\par")
    if claim.uses:
        parts.append(r"\textit{Uses:} " + ", ".join(
            f"{_link(u, labels)} ({mark(_verdict_of(run, claim, u))})" for u in claim.uses) + r"\par")
    parts.append(r"\end{claimthm}")
    return "\n".join(parts)


def _proof(claim: ClaimResult, labels: dict[str, str], cites: "_Citations") -> str:
    """The derivation as a proof: one item per step with its mark, its sentence and its relation."""
    if not claim.steps:
        return r"\textit{No derivation steps were recorded.}\par"
    parts = [r"\begin{proof}[Derivation]", r"\begin{enumerate}[nosep,leftmargin=1.6em,topsep=1pt]"]
    for step in claim.steps:
        reference = getattr(step, "cite", None) or getattr(step, "reference", None)
        cited = f" ({cites.cite(reference)})" if reference else ""
        parts.append(rf"\item {step_mark(step, labels)}\quad {text(step.text)}{cited}")
        parts.append(relation(step.lhs, step.op, step.rhs))
        if step.counterexample:
            parts.append(r"\alarm{bad}{counterexample} " + escape(
                ", ".join(f"{k} = {v}" for k, v in step.counterexample), breakable=True) + r"\par")
    parts.append(r"\end{enumerate}")
    if claim.conclusion:
        parts.append(text(claim.conclusion))
    parts.append(r"\end{proof}")
    return "\n".join(parts)


def _claim(run: RunResult, claim: ClaimResult, labels: dict[str, str], drawn: list[Drawn],
           cites: "_Citations") -> str:
    """A claim in the body: title, verdict and sources; the statement as a theorem; the derivation as a
    proof; the evidence in a few lines, at most one figure; the mutants in one line."""
    title = text(label(claim.title))
    parts = [rf"\subsection{{\texorpdfstring{{{title}}}{{{escape(claim.id)}}}}}\label{{{labels[claim.id]}}}",
             rf"{identifier(claim.id)}\quad {mark(claim.status)}"
             + (rf"\quad {{\small Sources: {cites.cite(claim.source)}.}}" if claim.source else "") + r"\par"]
    problems = _problems(run, claim)
    if problems:
        parts.append(r"\par\noindent\fcolorbox{bad}{bad!5}{\parbox{\dimexpr\linewidth-2\fboxsep-2\fboxrule}"
                     r"{\textbf{\textcolor{bad}{Not verified:}} " + "; ".join(problems) + "}}\\par")
    parts += [_statement(run, claim, labels, cites), _proof(claim, labels, cites), _evidence(claim, labels)]
    if drawn:
        parts.append(_body_figure(drawn[0], f"claim {identifier(claim.id)}"))
    parts.append(_mutant_line(claim, run))
    return "\n".join(p for p in parts if p)


def _evidence_row(c: Comparison, threshold: bool) -> list[str]:
    t = c.test
    prediction = r"$\neq 0$" if t.kind == "nonzero" else number(t.prediction)
    z = _z(t.z) + (f" / {_z(t.threshold)}" if threshold else "")
    return [cell(label(c.label)), cell(configuration(c.config)), with_error(t.estimate, t.se), prediction, z,
            f"{percent(t.mde)} / {percent(t.target)}", escape(c.samples), mark(t.status)]


def _appendix_claim(claim: ClaimResult, labels: dict[str, str], drawn: list[Drawn]) -> str:
    """Every comparison of a claim in compact tables, its steps' methods, and the figures the body left out."""
    parts = [rf"\subsection{{\texorpdfstring{{{identifier(claim.id)}}}{{{escape(claim.id)}}}}}"
             rf"\label{{ev:{labels[claim.id]}}}",
             rf"Verdict {mark(claim.status)}; time {seconds(claim.seconds)}~s; body: "
             rf"Section~\ref{{{labels[claim.id]}}}.\par"]
    if claim.steps:
        rows = [[str(k), step_mark(s, labels), escape(s.how), rf"\prose{{{escape(s.method, breakable=True)}}}"]
                for k, s in enumerate(claim.steps, 1)]
        parts.append(_table((("r", 0.05), ("l", 0.30), ("l", 0.17), ("l", 0.48)),
                            ["step", "mark", "justification", "how the engine checked it"], rows))
    for check in claim.checks:
        parts.append(rf"\heading{{Check {identifier(check.name)}\quad {mark(check.status)}}}"
                     + text(label(check.description)) + f" ({check.examples} configurations run.)")
        if check.comparisons:
            spec = (("l", 0.16), ("l", 0.20), ("r", 0.16), ("r", 0.09), ("r", 0.08), ("r", 0.09), ("r", 0.08),
                    ("l", 0.14))
            thresholds = {c.test.threshold for c in check.comparisons}
            z = f"$z$ ($z^* = {thresholds.pop():.2f}$)" if len(thresholds) == 1 else "$z$ / $z^*$"
            head = ["comparison", "configuration", r"estimate $\pm$ SE", "prediction", z, "MDE / target",
                    "samples", "verdict"]
            parts.append(_table(spec, head, (_evidence_row(c, bool(thresholds)) for c in check.comparisons)))
    rest = drawn[1:]
    if rest:
        parts.append(_figures(rest, f"claim {identifier(claim.id)}"))
    return "\n".join(parts)


def _mutants_table(run: RunResult, labels: dict[str, str]) -> str:
    parts = [r"\section{Mutants}\label{app:mutants}"]
    rows = [[_link(c.id, labels), identifier(m.name), cell(label(m.description)), mutant_mark(m.status),
             escape(", ".join(m.refuted_by)) or "--"] for c in run.claims for m in c.mutants]
    if rows:
        parts.append("Every wrong version of a statement the run tried, and the layers (each run on its own) "
                     "that refuted it.")
        parts.append(_table((("l", 0.22), ("l", 0.18), ("l", 0.34), ("l", 0.14), ("l", 0.12)),
                            ["claim", "mutant", "what is wrong", "verdict", "refuted by"], rows))
        errors = [rf"{identifier(c.id)}, mutant {identifier(m.name)}: {escape(m.error, breakable=True)}\par"
                  for c in run.claims for m in c.mutants if m.error]
        parts += errors
    else:
        parts.append(r"Mutants were not run (\texttt{--mutants} runs them).")
    return "\n".join(parts)


def _parameters(run: RunResult) -> str:
    return "\n".join([r"\section{The run}\label{app:run}", _run_table(run), _reading(), CONVENTIONS])


def document(run: RunResult, drawn: dict[tuple[int, int], list[Drawn]] | None = None,
             graph: str | None = None) -> str:
    """The LaTeX source of the document of ``run``.

    ``drawn[(claim index, check index)]`` lists that check's figures; ``graph`` is the
    dependency graph's file (both relative to the document).
    """
    drawn = drawn or {}
    labels = {claim.id: f"claim-{k}" for k, claim in enumerate(run.claims)}
    figures_of = {k: [f for j in range(len(c.checks)) for f in drawn.get((k, j), [])]
                  for k, c in enumerate(run.claims)}
    cites = _Citations()
    entries = 1 + bool(graph) + len(families(run)) + _APPENDICES
    parts = [PREAMBLE, _title(run, entries), _summary(run, labels), _graph(graph)]
    for _, title, intro, sources, members in families(run):
        parts.append(rf"\section{{{text(title)}}}")
        if intro:
            parts.append(text(intro) + (rf" ({cites.cite(sources)})" if sources else "") + r"\par")
        for k in members:
            parts.append(_claim(run, run.claims[k], labels, figures_of[k], cites))
    parts += [r"\clearpage\appendix\label{appendix}", r"\section{Evidence}",
              "Every comparison of every claim: its configuration, the estimate with its standard error, "
              "the prediction, $z$, the minimal detectable effect against its target, the samples and the "
              "verdict; then the figures the body leaves out."]
    for *_, members in families(run):
        parts += [_appendix_claim(run.claims[k], labels, figures_of[k]) for k in members]
    parts += [_mutants_table(run, labels), _dependency_table(run, labels), _parameters(run),
              cites.bibliography(), r"\end{document}"]
    return wrap("\n\n".join(p for p in parts if p) + "\n")


# --- figures and compilation -----------------------------------------------------

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


# --- the reporter ----------------------------------------------------------------

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
        work = tempfile.mkdtemp(dir=self.directory, prefix=".derivations-")
        try:
            drawn, graph = draw_figures(run, os.path.join(work, FIGURES), FIGURES, self.drawing)
            for (k, _), found in drawn.items():
                for figure in found:
                    if figure.problem:
                        self._warn(f"a figure of {run.claims[k].id} was not drawn: {figure.problem}")
            with open(os.path.join(work, TEX), "w", encoding="utf-8") as stream:
                stream.write(document(run, drawn, graph))
            compiled = self._compile(work)
            outputs = [TEX] + [name for name in (PDF, LOG)
                               if compiled and os.path.exists(os.path.join(work, name))]
            self._move(work, outputs)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        figures_drawn = sum(f.path is not None for found in drawn.values() for f in found)
        where = os.path.join(self.directory, TEX)
        self._say(f"latex: wrote {where} with {figures_drawn} figures")
        if compiled and compiled.error:
            self._warn(f"--pdf: {compiled.error} (see {os.path.join(self.directory, LOG)})")
        if compiled and compiled.pages:
            self._say(f"latex: wrote {os.path.join(self.directory, PDF)} ({compiled.pages} pages, "
                      f"{compiled.passes} pdflatex passes, {time.perf_counter() - start:.1f} s)")

    def _compile(self, work: str) -> Compiled | None:
        if not self.pdf:
            return None
        engine = shutil.which(self.engine)
        if engine is None:
            self._warn(f"--pdf: {self.engine} not found (install TeX Live: texlive-latex-recommended, "
                       "texlive-latex-extra); wrote the .tex only")
            return None
        return compile_pdf(work, engine)

    def _move(self, work: str, outputs: list[str]) -> None:
        """Put the new figures and files in place; drop a PDF or log this run did not remake."""
        final = os.path.join(self.directory, FIGURES)
        if os.path.isdir(final):
            os.replace(final, os.path.join(work, "previous-figures"))
        os.replace(os.path.join(work, FIGURES), final)
        for name in outputs:
            os.replace(os.path.join(work, name), os.path.join(self.directory, name))
        for name in (PDF, LOG):
            stale = os.path.join(self.directory, name)
            if name not in outputs and os.path.exists(stale):
                os.unlink(stale)

    def _say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def _warn(self, line: str) -> None:
        print(f"python -m verify: {line}", file=self.errors, flush=True)
