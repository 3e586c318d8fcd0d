"""The document's fixed text: its preamble, the conventions of the theory and how to read a verdict.

The conventions state the parameterisation every claim shares (Jacot, Gabriel & Hongler, Neural
Tangent Kernel, 2018); how to read a verdict shows the very marks the document uses
(:mod:`verify.report.latex.marks`).
"""
from __future__ import annotations

import re

from ...results import StepResult
from ..texprint import PREAMBLE_MACROS
from .marks import mark, mutant_mark, step_mark

__all__ = ["PREAMBLE", "CONVENTIONS", "reading"]

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


def reading() -> str:
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
