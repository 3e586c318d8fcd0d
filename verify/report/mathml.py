"""MathML for the web version: SymPy's presentation printer, and LaTeX snippets converted.

Statements and derivation steps are SymPy objects: :func:`relation` prints them with
SymPy's presentation-MathML printer (``sympy.printing.mathml``), in the worker that
checked them, like their LaTeX.  An object that prints itself in LaTeX (a quantity
such as :math:`\\mathbb{E}[\\sigma(u)\\sigma(v)]`, a named kernel) has no MathML
printer of its own: its LaTeX is converted (:func:`from_latex`, by ``latex2mathml``),
so the web page shows the same notation as the document.  Prose with inline
``$...$`` (titles, step texts, captions) is converted the same way (:func:`text`).
"""
from __future__ import annotations

import functools
import html
import re
from xml.dom.minidom import parseString

import sympy as sp
from latex2mathml.converter import convert
from sympy.printing.mathml import MathMLPresentationPrinter

from .texprint import balanced, math

__all__ = ["relation", "from_latex", "text", "block", "RELATIONS", "LATEX_RELATIONS"]

RELATIONS = {"=": "=", "<=": "\u2264", ">=": "\u2265", "<": "&lt;", ">": "&gt;"}
LATEX_RELATIONS = {"=": "=", "<=": r"\le", ">=": r"\ge", "<": "<", ">": ">"}
_NAMESPACE = ' xmlns="http://www.w3.org/1998/Math/MathML"'


def _inner(math: str) -> str:
    """The contents of a ``<math>`` element."""
    return re.sub(r"^<math[^>]*>|</math>$", "", math.strip())


@functools.lru_cache(maxsize=4096)
def _convert(latex: str) -> str:
    """The MathML (without ``<math>``) of a LaTeX math string, read as the document reads it
    (:func:`verify.report.texprint.math`: Unicode made LaTeX, ``x^2'`` as ``x^{2\\prime}``)."""
    if not balanced(latex):
        raise ValueError(f"latex={latex!r}: its braces do not balance")
    return _inner(convert(math(latex)))


class _Printer(MathMLPresentationPrinter):
    """Presentation MathML in which objects with their own LaTeX keep that notation."""

    def _print(self, expr, **kwargs):
        if (isinstance(expr, sp.Basic) and hasattr(expr, "_latex")
                and not hasattr(expr, "_mathml_presentation")):
            try:
                body = _convert(sp.latex(expr))
            except Exception:  # a LaTeX form latex2mathml cannot read: SymPy's own MathML
                return super()._print(expr, **kwargs)
            node = parseString(f"<mrow{_NAMESPACE}>{body}</mrow>").documentElement
            node.removeAttribute("xmlns")
            return self.dom.importNode(node, True)
        return super()._print(expr, **kwargs)

    def doprint(self, expr) -> str:
        """As SymPy's, but through :meth:`_print` at the top too (SymPy's calls the base)."""
        return self._print(expr).toxml().encode("ascii", "xmlcharrefreplace").decode()


def _mathml(expr) -> str:
    return _Printer().doprint(expr)


def relation(lhs, op: str, rhs) -> str:
    """``lhs op rhs`` as a block ``<math>`` element, the sides printed by SymPy."""
    if op not in RELATIONS:
        raise ValueError(f"op={op!r}: accepted are {', '.join(RELATIONS)}")
    return (f'<math display="block"><mrow>{_mathml(lhs)}<mo>{RELATIONS[op]}</mo>{_mathml(rhs)}'
            "</mrow></math>")


def from_latex(latex: str, display: bool = False) -> str:
    """A LaTeX math string as a ``<math>`` element; what latex2mathml cannot read as
    ``<mtext>`` of the LaTeX, so a page never breaks on one formula."""
    try:
        body = _convert(str(latex))
    except Exception:  # any parse failure of an author's snippet degrades to its source text
        body = f"<mtext>{html.escape(str(latex))}</mtext>"
    mode = ' display="block"' if display else ""
    return f"<math{mode}>{body}</math>"


def block(latex: str) -> str:
    """A displayed formula from LaTeX."""
    return from_latex(latex, display=True)


_INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", flags=re.S)


def text(value) -> str:
    """HTML of text in which ``$...$`` segments are math and the rest is escaped."""
    value = str(value)
    out, last = [], 0
    for found in _INLINE.finditer(value):
        out.append(html.escape(value[last:found.start()].replace(r"\$", "$")))
        out.append(from_latex(found.group(1)))
        last = found.end()
    out.append(html.escape(value[last:].replace(r"\$", "$")))
    return "".join(out)
