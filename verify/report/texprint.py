"""Printing result records as LaTeX that pdflatex compiles, whatever the records hold.

Three kinds of string reach the document:

* plain text (ids, check names, configurations, counterexamples, versions):
  every character TeX treats specially is escaped (:func:`escape`);
* text with inline math (titles, step texts, assumptions, descriptions,
  conclusions), where balanced ``$...$`` segments are LaTeX written by a claim's
  author and the rest is plain text (:func:`text`);
* math: SymPy's ``latex()`` of a statement or a step (:func:`math`).

Common Unicode symbols (Greek letters, relations, arrows, sub/superscripts) become
LaTeX, since pdflatex with its default fonts cannot set them; other characters
outside Latin-1 are written as their code point.  A math string whose braces do
not balance is set as plain text rather than breaking the document.

Long equations are broken at their top-level ``+`` and ``-`` (outside every brace,
``\\left...\\right`` pair and environment) into lines (:func:`equation`,
:func:`display`), between which a page may break; whatever is still wider than the
line (or taller than the page) is scaled to fit by the macros of the preamble
(:data:`PREAMBLE_MACROS`), which measure the box in TeX, so no equation runs off
the page.
"""
from __future__ import annotations

import math as _math
import re
import unicodedata

__all__ = ["escape", "identifier", "text", "cell", "math", "seconds", "balanced", "terms", "width", "equation", "display", "relation", "wrap",
           "number", "with_error", "percent", "RELATIONS", "PREAMBLE_MACROS", "LINE_UNITS"]

_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
          "rho varsigma sigma tau upsilon phi chi psi omega").split()
_UNICODE = {chr(0x3B1 + i): "\\" + name for i, name in enumerate(_GREEK) if name not in ("omicron", "varsigma")}
_UNICODE.update({chr(0x391 + i): "\\" + name.capitalize() for i, name in enumerate(_GREEK)
                 if name.capitalize() in ("Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma",
                                          "Upsilon", "Phi", "Psi", "Omega")})
_UNICODE.update({"\u03b5": r"\varepsilon", "\u03d5": r"\phi", "\u03c6": r"\varphi", "\u03f5": r"\epsilon"})
_UNICODE.update({
    "\u2264": r"\le", "\u2265": r"\ge", "\u2260": r"\ne", "\u2248": r"\approx", "\u221e": r"\infty",
    "\u221a": r"\surd", "\u00b7": r"\cdot", "\u00d7": r"\times", "\u2212": "-", "\u00b1": r"\pm",
    "\u2192": r"\to", "\u2190": r"\leftarrow", "\u21d2": r"\Rightarrow", "\u21d4": r"\Leftrightarrow",
    "\u2202": r"\partial", "\u2207": r"\nabla", "\u2211": r"\sum", "\u222b": r"\int", "\u2016": r"\Vert",
    "\u27e8": r"\langle", "\u27e9": r"\rangle", "\u2208": r"\in", "\u2209": r"\notin",
    "\u2282": r"\subset", "\u2286": r"\subseteq", "\u2229": r"\cap", "\u222a": r"\cup",
    "\u2200": r"\forall", "\u2203": r"\exists", "\u221d": r"\propto", "\u2261": r"\equiv",
    "\u2297": r"\otimes", "\u2295": r"\oplus", "\u22c5": r"\cdot", "\u2218": r"\circ",
    "\u211d": r"\mathbb{R}", "\u2115": r"\mathbb{N}", "\u2124": r"\mathbb{Z}", "\u2102": r"\mathbb{C}",
    "\u2113": r"\ell", "\u2026": r"\dots", "\u22ef": r"\cdots", "\u2032": "'", "\u00b0": r"^\circ",
    "\u00ac": r"\neg", "\u2227": r"\wedge", "\u2228": r"\vee",
})
_SCRIPTS = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u207a": "+", "\u207b": "-",
            **{chr(0x2074 + i): str(4 + i) for i in range(6)}}
_SUBSCRIPTS = {**{chr(0x2080 + i): str(i) for i in range(10)}, "\u208a": "+", "\u208b": "-"}
_TEXT_PUNCTUATION = {"\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``",
                     "\u201d": "''", "\u00a0": "~", "\u2009": r"\,", "\u00a7": r"\S{}", "\u00b6": r"\P{}"}


_ACCENTS = {"\u0302": "hat", "\u0303": "tilde", "\u0304": "bar", "\u0307": "dot"}
_UNIT = re.compile(".[" + "".join(_ACCENTS) + "]?", flags=re.S)


def _units(value: str) -> list[str]:
    """The characters of ``value``, each with the combining accent that follows it (K\u0302 is one unit)."""
    return _UNIT.findall(value)


def _unicode(char: str, *, in_math: bool) -> str:
    """LaTeX for one non-ASCII character or accented unit (:func:`_units`), in text or in math."""
    if len(char) == 2:
        base = char[0] if ord(char[0]) < 128 else _unicode(char[0], in_math=True)
        body = rf"\{_ACCENTS[char[1]]}{{{base.strip()}}}"
        return body if in_math else r"\ensuremath{" + body + "}"
    if char in _UNICODE:
        body = _UNICODE[char]
        return body + " " if in_math else r"\ensuremath{" + body + "}"
    for table, mark in ((_SCRIPTS, "^"), (_SUBSCRIPTS, "_")):
        if char in table:
            body = f"{mark}{{{table[char]}}}"
            return body if in_math else r"\ensuremath{" + body + "}"
    if not in_math and char in _TEXT_PUNCTUATION:
        return _TEXT_PUNCTUATION[char]
    if not in_math and unicodedata.category(char).startswith("L") and ord(char) < 0x180:
        return char
    code = f"U+{ord(char):04X}"
    return rf"\text{{[{code}]}}" if in_math else f"[{code}]"


def _ascii_controls(value: str) -> str:
    return "".join(" " if (c.isspace() or unicodedata.category(c) == "Cc") else c for c in value)


def escape(value, *, breakable: bool = False) -> str:
    """Plain text set verbatim: every TeX special character escaped.

    With ``breakable`` a line may break after ``_ / , =`` (for labels and
    configurations in narrow table columns).
    """
    out = []
    for char in _units(_ascii_controls(str(value))):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif len(char) == 1 and ord(char) < 128:
            out.append(char)
        else:
            out.append(_unicode(char, in_math=False))
        if breakable and char in "_/,=":
            out.append(r"\allowbreak{}")
    return "".join(out)


def identifier(value) -> str:
    r"""A claim id, check or mutant name in typewriter type, breakable after ``. _ -``.

    Underscores are the typewriter font's own glyph (``\idus`` of the preamble), so
    they are copied and searched as underscores in the PDF.
    """
    out = []
    for char in _ascii_controls(str(value)):
        out.append(r"\idus{}" if char == "_" else escape(char))
        if char in "._-":
            out.append(r"\allowbreak{}")
    return r"\texttt{" + "".join(out) + "}"


def balanced(latex: str) -> bool:
    """Whether the braces of ``latex`` (not counting ``\\{`` and ``\\}``) balance."""
    depth = 0
    for token in re.finditer(r"\\.|[{}]", latex, flags=re.S):
        if token.group() == "{":
            depth += 1
        elif token.group() == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_PRIMED_SCRIPT = re.compile(r"\^(\{[^{}]*\}|[A-Za-z0-9])('+)")


def _primes_into_script(latex: str) -> str:
    """``x^2'`` (a double superscript to TeX) as ``x^{2\\prime}``."""
    def merge(found):
        inner = found.group(1).strip("{}")
        return "^{" + inner + r"\prime" * len(found.group(2)) + "}"
    return _PRIMED_SCRIPT.sub(merge, latex)


def math(latex: str) -> str:
    """A math-mode string with its Unicode made LaTeX; unbalanced input becomes ``\\text``."""
    latex = _ascii_controls(str(latex))
    if not balanced(latex):
        return r"\text{" + escape(latex) + "}"
    return _primes_into_script("".join(c if len(c) == 1 and ord(c) < 128 else _unicode(c, in_math=True)
                                       for c in _units(latex)))


_INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", flags=re.S)


def text(value) -> str:
    """Text in which balanced ``$...$`` segments are math, and the rest plain text."""
    value = str(value)
    out, last = [], 0
    for found in _INLINE.finditer(value):
        out.append(escape(value[last:found.start()].replace(r"\$", "$")))
        body = found.group(1)
        out.append("$" + math(body) + "$" if balanced(body) else escape(found.group()))
        last = found.end()
    out.append(escape(value[last:].replace(r"\$", "$")))
    return "".join(out)


_WORD_BREAKS = re.compile(r"(\\_|/|\.(?=[A-Za-z]|\Z))")
_CELL_MATH_BREAKS = re.compile(r"\\[A-Za-z]+|\\.|[{},]|\s+|[^\\{},\s]+")


def _loosen_math(body: str) -> str:
    """Math with a permitted line break after every top-level comma and control space."""
    out, depth = [], 0
    for token in _CELL_MATH_BREAKS.findall(body):
        out.append(token)
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth == 0 and token in (",", "\\ "):
            out.append(r"\allowbreak{}")
    return "".join(out)


def cell(value) -> str:
    """Text with inline math (:func:`text`) for a narrow table column: a line may also break
    inside a formula after a top-level comma or space, and in words after ``.``, ``_`` and ``/``,
    so that no configuration, label or dotted name runs into the next column."""
    printed = text(value)
    out, last = [], 0
    for found in _INLINE.finditer(printed):
        out += [_WORD_BREAKS.sub(r"\1\\allowbreak{}", printed[last:found.start()]),
                "$" + _loosen_math(found.group(1)) + "$"]
        last = found.end()
    out.append(_WORD_BREAKS.sub(r"\1\\allowbreak{}", printed[last:]))
    return "".join(out)


# --- the shape of a math string: top-level terms and an estimate of its width ------

_TOKEN = re.compile(r"\\begin\{[^}]*\}|\\end\{[^}]*\}|\\(?:left|right)(?:\\[A-Za-z]+|\\.|[^A-Za-z\\])"
                    r"|\\[A-Za-z]+|\\.|\s+|.", re.S)
_OPENERS = ("\\begin", "\\left")
_CLOSERS = ("\\end", "\\right")
_OPERAND_END = re.compile(r"[A-Za-z0-9}\)\]|!'.]$")
_BINARY_COMMANDS = {"\\cdot", "\\times", "\\le", "\\ge", "\\leq", "\\geq", "\\ne", "\\to",
                    "\\pm", "\\mp", "\\approx", "\\equiv", "\\in", "\\otimes", "\\circ", "\\quad"}


def _tokens(latex: str) -> list[str]:
    return _TOKEN.findall(latex)


def _depth_step(token: str) -> int:
    if token == "{" or token.startswith(_OPENERS):
        return 1
    if token == "}" or token.startswith(_CLOSERS):
        return -1
    return 0


def terms(latex: str) -> list[str]:
    """``latex`` cut before each top-level binary ``+`` or ``-``; joined, they give it back."""
    pieces, current, depth, previous = [], [], 0, ""
    for token in _tokens(latex):
        if (depth == 0 and token in ("+", "-") and current and previous not in _BINARY_COMMANDS
                and _OPERAND_END.search(previous)):
            pieces.append("".join(current).strip())
            current = []
        current.append(token)
        depth += _depth_step(token)
        if not token.isspace():
            previous = token
    pieces.append("".join(current).strip())
    return [p for p in pieces if p]


_OPERATORS = {"sin", "cos", "tan", "log", "exp", "ln", "det", "max", "min", "lim", "sinh", "cosh",
              "tanh", "arcsin", "arccos", "arctan", "sup", "inf", "operatorname"}
_ONE_ARGUMENT = {"operatorname", "mathrm", "text", "mathbb", "mathcal", "mathbf", "boldsymbol",
                 "mathit", "mathsf", "mathtt", "bar", "hat", "tilde", "dot", "ddot", "vec",
                 "overline", "underline", "widehat", "widetilde", "mathscr", "textrm", "textit"}
_SPACES = {"\\,": 0.2, "\\;": 0.3, "\\!": -0.2, "\\ ": 0.3, "\\quad": 1.0, "\\qquad": 2.0}


def _group(tokens: list[str], i: int) -> tuple[list[str], int]:
    """The tokens of the group (or single token) starting at ``i``, and the index after it."""
    while i < len(tokens) and tokens[i].isspace():
        i += 1
    if i >= len(tokens):
        return [], i
    if tokens[i] != "{":
        return [tokens[i]], i + 1
    depth, j = 0, i
    while j < len(tokens):
        depth += tokens[j] == "{"
        depth -= tokens[j] == "}"
        if depth == 0:
            return tokens[i + 1:j], j + 1
        j += 1
    return tokens[i + 1:], len(tokens)


def _environment_width(body: list[str]) -> float:
    rows = "".join(body).split("\\\\")
    return 1.0 + max(sum(_width(_tokens(cell)) + 1.0 for cell in row.split("&")) for row in rows)


def _width(tokens: list[str]) -> float:
    total, i = 0.0, 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token.isspace() or token in ("{", "}") or token.startswith(("\\left", "\\right")):
            continue
        if token.startswith("\\begin"):
            depth, j = 1, i
            while j < len(tokens) and depth:
                depth += _depth_step(tokens[j])
                j += 1
            body = tokens[i:j - 1]
            if token.startswith("\\begin{array}"):
                body = body[_group(body, 0)[1]:]
            total += _environment_width(body)
            i = j
        elif token in ("\\frac", "\\dfrac", "\\tfrac", "\\binom"):
            top, i = _group(tokens, i)
            bottom, i = _group(tokens, i)
            total += max(_width(top), _width(bottom)) + 0.4
        elif token in ("^", "_"):
            script, i = _group(tokens, i)
            total += 0.7 * _width(script)
        elif token == "\\sqrt":
            if i < len(tokens) and tokens[i] == "[":
                while i < len(tokens) and tokens[i] != "]":
                    i += 1
                i += 1
            radicand, i = _group(tokens, i)
            total += _width(radicand) + 1.0
        elif token[1:] in _ONE_ARGUMENT:
            argument, i = _group(tokens, i)
            total += _width(argument) + (0.5 if token == "\\operatorname" else 0.0)
        elif token in _SPACES:
            total += _SPACES[token]
        elif token.startswith("\\") and token[1:] in _OPERATORS:
            total += len(token) - 1
        elif token in "+-=<>" or token in ("\\le", "\\ge", "\\leq", "\\geq", "\\ne", "\\approx"):
            total += 2.0
        else:
            total += 1.0
    return total


def width(latex: str) -> float:
    """Roughly how wide ``latex`` sets, in units of an average math character."""
    return _width(_tokens(latex))


LINE_UNITS = 58.0
"""The width (in :func:`width` units) given to one line of a displayed equation."""

RELATIONS = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}


def _open(term: str, room: float) -> list[str]:
    """A term too wide for a line, opened at its widest top-level ``\\left...\\right``
    pair: the pair's contents broken into lines, each balanced with null delimiters
    (``\\right.``, ``\\left.``).  A term without such a pair stays whole."""
    tokens = _tokens(term)
    pairs, depth, start = [], 0, None
    for i, token in enumerate(tokens):
        if depth == 0 and token.startswith("\\left"):
            start = i
        depth += _depth_step(token)
        if depth == 0 and token.startswith("\\right") and start is not None:
            pairs.append((width("".join(tokens[start + 1:i])), start, i))
            start = None
    if not pairs:
        return [term]
    _, i, j = max(pairs)
    inner = _lines("".join(tokens[i + 1:j]), room - 2)
    if len(inner) < 2:
        return [term]
    lines = [rf"\left. {line} \right." for line in inner]
    lines[0] = "".join(tokens[:i]) + tokens[i] + f" {inner[0]} \\right."
    lines[-1] = rf"\left. {inner[-1]} " + tokens[j] + "".join(tokens[j + 1:])
    return lines


def _lines(latex: str, room: float) -> list[str]:
    """The terms of ``latex`` packed greedily into lines no wider than ``room``; a term
    wider than that is opened at its widest parenthesis pair (:func:`_open`)."""
    lines: list[str] = []
    for term in terms(latex):
        for piece in _open(term, room) if width(term) > room else [term]:
            if lines and width(lines[-1]) + width(piece) <= room:
                lines[-1] = f"{lines[-1]} {piece}"
            else:
                lines.append(piece)
    return lines or [""]


def equation(lhs: str, op: str, rhs: str, *, room: float = LINE_UNITS) -> list[str]:
    """``lhs op rhs`` as lines of math: one line when it fits, else the left side, then
    the relation and the right side, each broken at top-level ``+``/``-``.
    """
    relation = RELATIONS.get(op)
    if relation is None:
        raise ValueError(f"op={op!r}: accepted are {', '.join(RELATIONS)}")
    lhs, rhs = math(lhs), math(rhs)
    if width(lhs) + width(rhs) + 2 <= room:
        return [f"{lhs} {relation} {rhs}"]
    lines = [line if k == 0 else rf"\qquad {line}" for k, line in enumerate(_lines(lhs, room))]
    return lines + [rf"\quad {relation} {line}" if k == 0 else rf"\qquad {line}"
                    for k, line in enumerate(_lines(rhs, room - 3))]


INLINE_UNITS = 24.0
"""The widest relation (in :func:`width` units) that :func:`relation` sets in the running text."""


def relation(lhs: str, op: str, rhs: str) -> str:
    """``lhs op rhs`` in the running text when it is short (at most :data:`INLINE_UNITS`), else
    displayed (:func:`display`): a step's sentence and its short relation then share a line."""
    lines = equation(lhs, op, rhs)
    if len(lines) == 1 and width(lines[0]) <= INLINE_UNITS:
        return rf"\quad\mbox{{$\displaystyle {lines[0]}$}}\par"
    return display(lhs, op, rhs)


def display(lhs: str, op: str, rhs: str) -> str:
    """``lhs op rhs`` displayed: centred on one line (``\\fitmath``), or when it is broken,
    line by line (``\\mathline``), so that a page may break between its lines."""
    lines = equation(lhs, op, rhs)
    if len(lines) == 1:
        return rf"\fitmath{{{lines[0]}}}"
    return r"\par\smallskip" + "".join(rf"\mathline{{{line}}}" for line in lines) + r"\smallskip"


PREAMBLE_MACROS = r"""
% \idus: the typewriter font's underscore glyph; robust, so it survives the table of contents.
\DeclareRobustCommand{\idus}{\string_}
% \fitbox{width}: scale \fitmathbox down to at most that width and 0.8\textheight.
\newsavebox{\fitmathbox}
\newcommand{\fitbox}[1]{%
  \ifdim\wd\fitmathbox>#1\relax
    \sbox{\fitmathbox}{\resizebox{#1}{!}{\usebox{\fitmathbox}}}%
  \fi
  \ifdim\dimexpr\ht\fitmathbox+\dp\fitmathbox\relax>0.8\textheight\relax
    \sbox{\fitmathbox}{\resizebox*{!}{0.8\textheight}{\usebox{\fitmathbox}}}%
  \fi}
% \fitmath{math}: a displayed formula, centred, scaled down when it does not fit.
\newcommand{\fitmath}[1]{%
  \par\smallskip\noindent
  \sbox{\fitmathbox}{$\displaystyle #1$}\fitbox{\linewidth}%
  \makebox[\linewidth][c]{\usebox{\fitmathbox}}%
  \par\smallskip}
% \mathline{math}: one line of a broken formula, indented, scaled down when it does not fit.
\newcommand{\mathline}[1]{%
  \par\noindent\hspace*{1.5em}%
  \sbox{\fitmathbox}{$\displaystyle #1$}\fitbox{\dimexpr\linewidth-1.5em\relax}%
  \usebox{\fitmathbox}\par}
% Text is set ragged right: long inline formulas and identifiers then never overfill a line.
\AtBeginDocument{\raggedright}
"""


def wrap(tex: str, limit: int = 1000) -> str:
    """``tex`` with every line longer than ``limit`` broken at spaces.

    TeX reads a line break as a space and cannot read a line longer than its buffer
    (200,000 characters in TeX Live): a SymPy expression can be longer than that.
    """
    out = []
    for line in tex.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else line.find(" ", limit)
            if cut <= 0:
                break
            out.append(line[:cut])
            line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


# --- numbers ---------------------------------------------------------------------

def seconds(x: float) -> str:
    """A duration to the hundredth of a second: short and of fixed width in narrow columns."""
    return f"${float(x):.2f}$"


def number(x, digits: int = 4) -> str:
    """A float in math mode with ``digits`` significant digits, ``\\times 10^{k}`` when large or small."""
    if x is None:
        return "--"
    if isinstance(x, str):
        return escape(x)
    x = float(x)
    if _math.isnan(x):
        return "--"
    if _math.isinf(x):
        return r"$\infty$" if x > 0 else r"$-\infty$"
    if x == 0:
        return "$0$"
    exponent = _math.floor(_math.log10(abs(x)))
    if -3 <= exponent < 5:
        decimals = max(0, digits - 1 - exponent)
        return f"${x:.{decimals}f}$"
    mantissa = x / 10 ** exponent
    if round(abs(mantissa), digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return rf"${mantissa:.{digits - 1}f}\times 10^{{{exponent}}}$"


def with_error(estimate: float, se: float) -> str:
    """``estimate ± se``, the estimate rounded where the error's second digit falls."""
    estimate, se = float(estimate), float(se)
    if not (_math.isfinite(estimate) and _math.isfinite(se)) or se <= 0:
        return number(estimate) + (r" $\pm$ " + number(se, 2) if _math.isfinite(se) else "")
    scale = _math.floor(_math.log10(se)) - 1
    size = _math.floor(_math.log10(abs(estimate))) if estimate else scale
    digits = min(10, max(2, size - scale + 1))
    return number(estimate, digits).rstrip("$") + r" \pm " + number(se, 2).lstrip("$")


def percent(fraction) -> str:
    """A fraction as a percentage with two significant digits (``--`` when absent)."""
    if fraction is None or not _math.isfinite(float(fraction)):
        return "--" if fraction is None or _math.isnan(float(fraction)) else r"$\infty$"
    value = 100 * float(fraction)
    if value >= 1000:
        return r"$>1000$\%"
    if value < 0.01:
        return r"$<0.01$\%"
    return f"{value:.2g}\\%" if value < 10 else f"{value:.0f}\\%"
