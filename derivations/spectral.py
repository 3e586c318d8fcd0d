"""Matrix statements made explicit: named matrices, the matrix exponential, spectra.

The training-dynamics claims are matrix identities of any size N (Jacot, Gabriel & Hongler
2018, Sec. 5; the handwritten notes on the function-space ODE): u(t) = e^{-tH} u(0), f_inf(x) = f_0(x) + Theta(x, X)
Theta^{-1} (ybar - f_0(X)), ...  A statement keeps them in SymPy matrix expressions
over :class:`NamedMatrix` symbols of symbolic size; a derivation makes them
explicit (:func:`explicit`) at small sizes (N = 2, 3), with symbolic entries, and
lets SymPy differentiate, integrate and take limits entry by entry.

A symmetric H is given by its spectrum H = Q Lambda Q^T (:class:`Spectrum`): a
rational orthogonal Q (the Cayley transform of a skew matrix, or a fixed rational
one) and symbolic eigenvalues.  Every analytic function of H is then
Q g(Lambda) Q^T: ``explicit`` evaluates the argument of a :class:`MatrixExp` at the
diagonal Lambda and exponentiates entry by entry.  That rule rests on
H^k = Q Lambda^k Q^T for every k, which :meth:`Spectrum.power_step` states for
SymPy to prove (the induction step, with k symbolic) and :meth:`Spectrum.orthogonality`
(Q^T Q = I) underlies.

:func:`eigencomponent` reduces a statement to one eigen-direction (N = 1, H = lambda):
the scalar the numeric checks lambdify for a decay rate or a growth factor.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy as sp
from sympy.core.symbol import Str
from sympy.core.function import AppliedUndef

from .core import Domain, Justification, Step, link

__all__ = ["N", "NamedMatrix", "MatrixExp", "Spectrum", "ROTATION", "PYTHAGOREAN",
           "explicit", "eigencomponent", "real_domain", "real_step", "real_link", "vector", "matrix", "symmetric"]

N = sp.Symbol("N", integer=True, positive=True)
"""The number of training points: the size of the function-space vectors."""


class NamedMatrix(sp.MatrixSymbol):
    """A matrix symbol that prints as its own LaTeX (e.g. f_0(X) for the outputs at init).

    The LaTeX is an argument of the object (``args[3]``), so it is part of its identity:
    two matrices of the same name but different LaTeX are different symbols, and no
    matrix's printed form depends on what else was built or imported.
    """

    def __new__(cls, name, rows, cols, latex: str | None = None):
        shown = latex.name if isinstance(latex, Str) else latex
        obj = super().__new__(cls, name, rows, cols)
        return sp.Basic.__new__(cls, *obj.args, Str(shown if shown is not None else ""))

    @property
    def latex(self) -> str | None:
        return self.args[3].name or None

    def _latex(self, printer) -> str:
        return self.latex or printer._print(sp.Symbol(self.name))


class MatrixExp(sp.MatrixExpr):
    """e^{A} of a square matrix expression A (SymPy's ``exp`` does not take matrices).

    Printed as e^{A}; lambdified to ``scipy.linalg.expm``; made explicit by
    :func:`explicit` when A is a function of a matrix with a known spectrum.
    """

    def __new__(cls, arg):
        arg = sp.sympify(arg)
        if not getattr(arg, "is_Matrix", False) or arg.shape[0] != arg.shape[1]:
            raise ValueError(f"MatrixExp: arg={arg!r} is not accepted; expected a square matrix expression")
        return sp.Basic.__new__(cls, arg)

    @property
    def arg(self):
        return self.args[0]

    @property
    def shape(self):
        return self.arg.shape

    def _latex(self, printer) -> str:
        return r"e^{%s}" % printer._print(self.arg)

    def _sympystr(self, printer) -> str:
        return "exp(%s)" % printer._print(self.arg)

    def _numpycode(self, printer) -> str:
        return "scipy.linalg.expm(%s)" % printer._print(self.arg)


ROTATION = sp.ImmutableMatrix([[3, -4], [4, 3]]) / 5
"""A fixed rational rotation of the plane (the 3-4-5 triangle)."""

PYTHAGOREAN = sp.ImmutableMatrix([[1, 2, 2], [2, 1, -2], [2, -2, 1]]) / 3
"""A fixed rational orthogonal 3x3 matrix (columns from the quadruple 1 + 4 + 4 = 9)."""


@dataclass(frozen=True)
class Spectrum:
    """H = Q diag(eigenvalues) Q^T with Q orthogonal: a generic symmetric matrix of size len(Q)."""

    Q: sp.ImmutableMatrix
    eigenvalues: tuple[sp.Symbol, ...]

    @property
    def size(self) -> int:
        return self.Q.shape[0]

    @property
    def diagonal(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(sp.diag(*self.eigenvalues))

    @property
    def matrix(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(self.Q * self.diagonal * self.Q.T)

    def apply(self, values) -> sp.ImmutableMatrix:
        """Q diag(values) Q^T: the function of H whose values on the eigenvalues are ``values``."""
        return sp.ImmutableMatrix(self.Q * sp.diag(*values) * self.Q.T)

    def orthogonality(self) -> Step:
        """Q^T Q = I, for SymPy to prove."""
        return real_step(r"$Q$ is orthogonal: $Q^\top Q = I$", sp.ImmutableMatrix(self.Q.T * self.Q),
                         sp.ImmutableMatrix(sp.eye(self.size)))

    def power_step(self) -> Step:
        """H (Q Lambda^k Q^T) = Q Lambda^{k+1} Q^T with k symbolic: the induction step of
        H^k = Q Lambda^k Q^T, hence g(H) = Q g(Lambda) Q^T for every power series g."""
        k = sp.Symbol("k", integer=True, nonnegative=True)
        return real_step(
            r"Induction step $H\,(Q\Lambda^kQ^\top) = Q\Lambda^{k+1}Q^\top$ ($k$ symbolic): so "
            r"$H^k = Q\Lambda^kQ^\top$ and every power series, $e^{-tH}$ included, acts on the "
            r"eigenvalues: $g(H) = Q\,g(\Lambda)\,Q^\top$",
            sp.ImmutableMatrix(self.matrix * self.apply([lam**k for lam in self.eigenvalues])),
            self.apply([lam**(k + 1) for lam in self.eigenvalues]),
        )


def vector(name: str, size: int, **assumptions) -> sp.ImmutableMatrix:
    """A column of symbols name_1 .. name_size (real unless told otherwise)."""
    assumptions = assumptions or {"real": True}
    return sp.ImmutableMatrix(sp.symbols(f"{name}_1:{size + 1}", **assumptions))


def matrix(name: str, rows: int, cols: int, **assumptions) -> sp.ImmutableMatrix:
    """A rows x cols matrix of symbols name_{ij} (real unless told otherwise)."""
    assumptions = assumptions or {"real": True}
    return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", **assumptions))


def symmetric(name: str, size: int) -> sp.ImmutableMatrix:
    """A symmetric size x size matrix of real symbols name_{ij}, i <= j."""
    def entry(i, j):
        return sp.Symbol(f"{name}_{min(i, j) + 1}{max(i, j) + 1}", real=True)
    return sp.ImmutableMatrix(size, size, entry)


def explicit(expr, *, sizes: Mapping[sp.Symbol, int], values: Mapping[str, sp.MatrixBase] = {},
             spectra: Mapping[str, Spectrum] = {}) -> sp.ImmutableMatrix:
    """``expr`` as an explicit matrix at the given sizes.

    ``sizes`` maps the dimension symbols (and so every scalar use of them) to
    integers; ``values`` gives a named matrix symbol its explicit entries;
    ``spectra`` gives a symmetric one its spectrum, so that H is Q Lambda Q^T and
    e^{g(H)} is Q e^{g(Lambda)} Q^T.  Raises ValueError if a matrix symbol is left
    without a value or a matrix exponential has an argument that is not a
    function of one spectral matrix.
    """
    expr = sp.sympify(expr).xreplace(dict(sizes))
    expr = expr.xreplace({node: _exp_of(node.arg, values, spectra) for node in expr.atoms(MatrixExp)})
    replacements = {}
    for symbol in expr.atoms(sp.MatrixSymbol):
        if symbol.name in spectra:
            replacements[symbol] = spectra[symbol.name].matrix
        elif symbol.name in values:
            replacements[symbol] = sp.ImmutableMatrix(values[symbol.name])
        else:
            raise ValueError(f"explicit: the matrix symbol {symbol.name} has no value; "
                             "give it in values= or spectra=")
    out = expr.xreplace(replacements).replace(lambda e: isinstance(e, sp.Inverse), _adjugate_inverse).doit()
    return sp.ImmutableMatrix(out.as_explicit() if hasattr(out, "as_explicit") else out)


def _adjugate_inverse(node: sp.Inverse) -> sp.ImmutableMatrix:
    """M^{-1} = adj(M)/det(M) for a generic (symbolic, invertible) M: for small M far cheaper than
    elimination or SymPy's checked inverse."""
    matrix = sp.Matrix(node.arg.doit())
    return sp.ImmutableMatrix(matrix.adjugate() / matrix.det())


def _exp_of(arg, values, spectra) -> sp.ImmutableMatrix:
    """e^{arg} = Q diag(e^{d_i}) Q^T where arg at H = Lambda is diag(d_i)."""
    names = {s.name for s in arg.atoms(sp.MatrixSymbol)} & set(spectra)
    if len(names) != 1:
        raise ValueError(f"explicit: e^({arg}) needs its argument to be a function of exactly "
                         f"one spectral matrix; found {sorted(names) or 'none'}")
    spectrum = spectra[names.pop()]
    diagonal = explicit(arg, sizes={}, values={**values, **{n: s.diagonal for n, s in spectra.items()}})
    if not diagonal.is_diagonal():
        raise ValueError(f"explicit: e^({arg}) is not diagonal in the eigenbasis of its matrix")
    return spectrum.apply([sp.exp(diagonal[i, i]) for i in range(spectrum.size)])


def eigencomponent(expr, *, spectral: str, eigenvalue: sp.Symbol, values: Mapping[str, sp.Expr] = {},
                   sizes: Mapping[sp.Symbol, int] = {N: 1}) -> sp.Expr:
    """``expr`` restricted to one eigen-direction of the matrix ``spectral``, as a scalar.

    At size 1, H = [[eigenvalue]] and each vector is its component along the
    eigenvector (``values``: name -> scalar), e.g. (I - eta H) u_k becomes
    (1 - eta lambda) c_k.  Valid for expressions built from functions of H acting on
    vectors, which is what the flow statements are.
    """
    spectrum = Spectrum(sp.ImmutableMatrix([[1]]), (eigenvalue,))
    out = explicit(expr, sizes=sizes, values={k: sp.ImmutableMatrix([[v]]) for k, v in values.items()},
                   spectra={spectral: spectrum})
    if out.shape != (1, 1):
        raise ValueError(f"eigencomponent: {expr} is not a scalar in one eigen-direction ({out.shape})")
    return out[0, 0]


def real_step(text: str, lhs, rhs, how: Justification = Justification.ALGEBRA, **kwargs) -> Step:
    """A :class:`Step` checked over :func:`real_domain` of both its sides (every free symbol)."""
    return Step(text, lhs, rhs, how, domain=real_domain(lhs, rhs), **kwargs)


def real_link(text: str, lhs, claim_id: str, statement, relation: str, *, rhs, op: str = "=") -> Step:
    """:func:`derivations.core.link` with ``rhs`` built from the linked statement, checked over
    :func:`real_domain` of both sides."""
    return link(text, lhs, claim_id, statement, relation, op=op, domain=real_domain(lhs, rhs), rhs=rhs)


_INTERVAL = (("positive", sp.Interval.open(0, sp.oo)), ("nonnegative", sp.Interval(0, sp.oo)),
             ("negative", sp.Interval.open(-sp.oo, 0)))


def real_domain(*exprs, description: str = "") -> Domain:
    """A domain for the free symbols of ``exprs``, each over the interval its assumptions allow.

    Left out, as no sampled number can stand for them: symbols that occur only as
    arguments of undefined functions (theta_p(t), y_i(theta(t))), and integer symbols
    (an induction variable k: the domain samples reals).
    """
    symbols = set()
    for expr in map(sp.sympify, exprs):
        inside = set().union(set(), *(f.free_symbols for f in expr.atoms(AppliedUndef)))
        symbols |= {s for s in expr.free_symbols - inside if not s.is_integer}
    intervals = {}
    for s in sorted(symbols, key=lambda s: s.name):
        intervals[s] = next((iv for flag, iv in _INTERVAL if getattr(s, f"is_{flag}")),
                            sp.Interval(-sp.oo, sp.oo))
    return Domain(intervals, description=description)
