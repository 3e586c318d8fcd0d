"""Typeset notation for what the checks record as plain text: labels and configurations.

A comparison's label is text with inline ``$...$`` math when its author wrote it so;
otherwise it is plain text in which mathematics is spelt in ASCII
(``Sigma_hat(x,x')``, ``||NTK_T - NTK_0|| / ||NTK_0||``, ``K~_P``, ``d/dk12 E[relu relu]``).
:func:`label` turns the second kind into the first: words stay words, and every run
of mathematics becomes LaTeX (Greek names, hats and tildes, subscripts and
superscripts, norms, expectations, angle brackets, relations).  A configuration
(``(("depth", 2), ("weight_std", 1.4), ("seeds", (600, 600, 600)))``) becomes
``$L = 2$, $\\sigma_w = 1.4$, 3 seeds of 600`` (:func:`configuration`): the project's
parameter names are shown as the symbols of its conventions, other names as words.
Both results are text with inline math, which the LaTeX document (``texprint.text``)
and the web page (``mathml.text``) print alike.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

__all__ = ["label", "configuration", "value", "SYMBOLS"]

GREEK = {name: "\\" + name for name in (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()}
_ACCENTS = {"hat": r"\hat", "dot": r"\dot", "bar": r"\bar", "tilde": r"\tilde"}
_OPERATORS = {"exp": r"\exp", "log": r"\log", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh",
              "max": r"\max", "min": r"\min", "sup": r"\sup", "inf": r"\inf", "det": r"\det",
              "sum": r"\sum", "sqrt": r"\sqrt", "lim": r"\lim", "sinh": r"\sinh", "cosh": r"\cosh",
              "tan": r"\tan", "arccos": r"\arccos", "arcsin": r"\arcsin"}
# Parameters of the project's conventions by their configuration names.
SYMBOLS = {"depth": "L", "weight_std": r"\sigma_w", "bias_std": r"\sigma_b", "sw": r"\sigma_w",
           "sb": r"\sigma_b", "width": "n", "widths": "n", "dim": "n_0", "alpha": r"\alpha",
           "log10_alpha": r"\log_{10}\alpha", "eta": r"\eta", "lr_fraction": r"\eta/\eta_c",
           "angle": r"\gamma", "n_points": "N", "points": "N", "n_train": "N", "n_features": "P",
           "ybar": r"\bar y", "k11": "k_{11}", "k22": "k_{22}", "k12": "k_{12}", "c": "c"}
# Words in a label that are English, not a variable.
_WORDS = {"a", "an", "as", "at", "by", "in", "is", "of", "on", "or", "to", "vs", "and", "the", "with"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<derivative>d[A-Za-z]?/d[A-Za-z][A-Za-z0-9]*)
  | (?P<dims>\d+x\d+\b)
  | (?P<plusminus>\+-)
  | (?P<norm>\|\|)
  | (?P<relation>->|<=|>=|!=|==)
  | (?P<number>\d+(?:\.\d+)?(?:e[-+]?\d+)?)
  | (?P<dotted>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
  | (?P<word>[A-Za-z]+(?:-[A-Za-z]+)+|[A-Za-z]+'s\b|[A-Za-z]+s'(?=\s))
  | (?P<name>[A-Za-z][A-Za-z0-9]*~?(?:_(?:\{[^{}]*\}|[A-Za-z0-9]+))*~?(?:'(?![A-Za-z]))*\*?)
  | (?P<other>.)
""", re.X)
_RELATIONS = {"->": r"\to", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "==": "="}


def _base(name: str) -> str:
    """A bare name: Greek, an operator, one letter (with trailing digits as a subscript), or upright."""
    if name in GREEK:
        return GREEK[name]
    if name == "inf":
        return r"\infty"
    if name in _OPERATORS:
        return _OPERATORS[name]
    letters, digits = re.fullmatch(r"([A-Za-z]+)(\d*)", name).groups()
    if len(letters) == 1 or letters in GREEK:
        head = GREEK.get(letters, letters)
        return f"{head}_{{{digits}}}" if digits else head
    if letters.endswith("bar") and len(letters) == 4 and not digits:
        return rf"\bar {letters[0]}"
    return rf"\mathrm{{{name}}}"


def symbol(name: str) -> str:
    """An ASCII identifier as LaTeX: ``Sigma_hat`` -> ``\\hat\\Sigma``, ``K~_P`` -> ``\\tilde K_{P}``,
    ``kappa_alpha`` -> ``\\kappa_{\\alpha}``, ``w*`` -> ``w^*``, ``relu'`` -> ``\\mathrm{relu}'``."""
    star = name.endswith("*")
    name = name.rstrip("*")
    primes = len(name) - len(name.rstrip("'"))
    name = name.rstrip("'")
    tilde = "~" in name
    head, *subscripts = name.replace("~", "").split("_")
    out = _base(head)
    accents = [s for s in subscripts if s in _ACCENTS]
    subscripts = [s.strip("{}") for s in subscripts if s not in _ACCENTS]
    for accent in accents + (["tilde"] if tilde else []):
        out = f"{_ACCENTS[accent]}{{{out}}}"
    if subscripts:
        out += "_{" + ",".join(symbol(s) if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", s) else s
                               for s in subscripts) + "}"
    return out + "'" * primes + ("^*" if star else "")


def _is_word(token: str, depth: int, following: str) -> bool:
    """Whether a name token is an English word (kept as text) rather than a variable."""
    if depth or following in ("(", "[", "_", "^", "=", "+", "*") or token in GREEK or token in _OPERATORS:
        return False
    return token.lower() in _WORDS or re.fullmatch(r"[A-Za-z]{2,}", token) is not None


def _tokens(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]


def _math(tokens: list[tuple[str, str]]) -> str:
    """LaTeX of a run of tokens that is mathematics."""
    out: list[str] = []
    angle = 0
    k = 0
    while k < len(tokens):
        kind, token = tokens[k]
        nxt = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if kind == "space":
            before, after = (out[-1] if out else ""), nxt
            if re.search(r"[\w})\]'|]$", before) and re.match(r"[\w\\(|]", after or " "):
                out.append(r"\ ")
        elif kind == "derivative":
            top, bottom = token.split("/")
            out.append(rf"\frac{{\mathrm{{d}}{symbol(top[1:]) if top[1:] else ''}}}"
                       rf"{{\mathrm{{d}}{symbol(bottom[1:])}}}")
        elif kind == "norm":
            out.append(r"\|")
        elif kind == "dims":
            out.append(token.replace("x", r" \times "))
        elif kind == "plusminus":
            out.append(r"\pm")
        elif kind == "name" and token == "sqrt" and nxt == "(":
            group, k = _script(tokens, k + 1)
            out.append(r"\sqrt{" + group[1:-1] + "}" if group.startswith("(") else r"\sqrt{" + group + "}")
            continue
        elif kind == "relation":
            out.append(_RELATIONS[token])
        elif kind in ("number", "word", "dotted"):
            out.append(token if kind == "number" else rf"\text{{{token}}}")
        elif kind == "name":
            if token == "E" and nxt == "[":
                out.append(r"\mathbb{E}")
            elif token in SYMBOLS and nxt == "=":
                out.append(SYMBOLS[token])
            elif re.fullmatch(r"[a-z]{2,}", token) and symbol(token).startswith(r"\mathrm") \
                    and nxt not in ("(", "_"):
                out.append(rf"\text{{{token}}}")
            else:
                out.append(symbol(token))
        elif token == "^":
            group, k = _script(tokens, k + 1)
            out.append("^{" + group + "}")
            continue
        elif token == "<" and any(t == ">" for _, t in tokens[k + 1:]):
            angle += 1
            out.append(r"\langle ")
        elif token == ">" and angle:
            angle -= 1
            out.append(r"\rangle")
        elif token == "." and out and out[-1] in (",", "(") and nxt in (")", ","):
            out.append(r"\cdot")
        elif token == "~":
            out.append(r"\sim ")
        elif token in "{}":
            out.append("\\" + token)
        elif token in "#%&$_":
            out.append("\\" + token)
        elif token == "\\":
            out.append(r"\backslash ")
        else:
            out.append(token)
        k += 1
    return "".join(out).strip()


def _script(tokens: list[tuple[str, str]], k: int) -> tuple[str, int]:
    """The superscript starting at token ``k``: a bracketed group (brackets kept unless it is a
    plain number such as ``-1/2``) or one token; and the index after it."""
    if k < len(tokens) and tokens[k][1] == "{":
        j = next((j for j in range(k, len(tokens)) if tokens[j][1] == "}"), len(tokens))
        return _math(tokens[k + 1:j]), j + 1
    if k + 1 < len(tokens) and tokens[k][1] in "-+" and tokens[k + 1][0] == "number":
        j = k + 2
        if j + 1 < len(tokens) and tokens[j][1] == "/" and tokens[j + 1][0] == "number":
            j += 2
        return "".join(t for _, t in tokens[k:j]), j
    if k < len(tokens) and tokens[k][1] == "(":
        depth, j = 0, k
        while j < len(tokens):
            depth += tokens[j][1] == "("
            depth -= tokens[j][1] == ")"
            if depth == 0:
                break
            j += 1
        inner = tokens[k + 1:j]
        body = _math(inner)
        plain = re.fullmatch(r"[-+]?[\d./]+", "".join(t for _, t in inner))
        return (body if plain else f"({body})"), j + 1
    if k < len(tokens):
        return _math(tokens[k:k + 1]), k + 1
    return "", k


def label(text: Any) -> str:
    """A label as text with inline math: unchanged when it has ``$...$`` already, else each run
    of ASCII mathematics typeset (words at the outer level stay words)."""
    text = str(text)
    if "$" in text:
        return text
    tokens = _tokens(re.sub(r"(?<=\s)\(x\)(?=\s)", "\u2297", text))
    pieces: list[tuple[bool, list]] = []
    stack: list[str] = []
    closers = {"(": ")", "[": "]", "{": "}", "<": ">", "|": "|", "||": "||"}
    for k, (kind, token) in enumerate(tokens):
        following = next((t for kk, t in tokens[k + 1:] if kk != "space"), "")
        previous = tokens[k - 1][1] if k else ""
        depth = len(stack)
        if kind == "dotted":
            is_math = False
        elif kind == "word":
            head = token.split("-")[0]
            is_math = False
            if head in GREEK:
                tokens[k] = (kind, "$" + GREEK[head] + "$" + token[len(head):])
                token = tokens[k][1]
        elif kind == "name":
            is_math = previous in ("^", "_") or not _is_word(token, depth, following)
        elif kind == "space":
            is_math = pieces[-1][0] if pieces else False
        elif kind in ("number", "dims"):
            is_math = depth > 0 or (pieces and pieces[-1][0]) or following in ("=", "^", "*", "/")
        else:
            is_math = token not in ",;:!?." or depth > 0
        if stack and token == stack[-1]:
            stack.pop()
        elif token in closers and any(t == closers[token] for _, t in tokens[k + 1:]):
            stack.append(closers[token])
        if pieces and pieces[-1][0] == bool(is_math):
            pieces[-1][1].append((kind, token))
        else:
            pieces.append((bool(is_math), [(kind, token)]))
    out = []
    for is_math, run in pieces:
        stripped = _strip(run)
        lead, body, trail = stripped
        if is_math and body and not all(k == "number" for k, _ in body):
            out.append("".join(t for _, t in lead) + "$" + _math(body) + "$" + "".join(t for _, t in trail))
        else:
            out.append("".join(t for _, t in run))
    return "".join(out)


def _strip(run: list) -> tuple[list, list, list]:
    """A run without its leading and trailing spaces (kept apart)."""
    start, end = 0, len(run)
    while start < end and run[start][0] == "space":
        start += 1
    while end > start and run[end - 1][0] == "space":
        end -= 1
    return run[:start], run[start:end], run[end:]


def _float(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return {math.inf: r"\infty", -math.inf: r"-\infty"}.get(x, "0" if x == 0 else r"\mathrm{NaN}")
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return (f"{mantissa} \\times " if mantissa not in ("1", "-1") else "-" * (mantissa == "-1")) \
        + f"10^{{{int(exponent)}}}"


def value(x: Any) -> str:
    """A configuration value as math (numbers, lists) or text (names); text with inline math."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"${x}$"
    if isinstance(x, float):
        return f"${_float(x)}$"
    if isinstance(x, (list, tuple)):
        items = list(x)
        if items and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            if len(set(items)) == 1 and len(items) > 2:
                return f"${len(items)} \\times {_float(float(items[0])) if isinstance(items[0], float) else items[0]}$"
            shown = [_float(v) if isinstance(v, float) else str(v) for v in items]
            if len(shown) > 6:
                shown = shown[:3] + [r"\dots"] + shown[-2:]
            return "$(" + ", ".join(shown) + ")$"
        return "(" + ", ".join(value(v) for v in items) + ")"
    return str(x).replace("_", " ")


def configuration(config: Iterable[tuple[str, Any]]) -> str:
    """``(name, value)`` pairs as ``$L = 2$, $\\sigma_w = 1.4$, activation relu``: the
    conventions' parameters as symbols, other names as words."""
    shown = []
    for name, x in config:
        text = value(x)
        if name in SYMBOLS:
            shown.append(f"${SYMBOLS[name]} = {text[1:]}" if text.startswith("$") else
                         f"${SYMBOLS[name]}$: {text}")
        else:
            shown.append(f"{str(name).replace('_', ' ')} {text}")
    return ", ".join(shown)
