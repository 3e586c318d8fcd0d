"""Statements and derivations: the SymPy objects every claim is made of.

A :class:`Statement` is one or more named relations ``lhs = rhs`` over a
:class:`Domain`.  The ``lhs`` names the quantity (an expectation, a kernel, a
limit) and the ``rhs`` is the closed form: the numeric checks lambdify the
``rhs`` to make their predictions, so the expression that is derived is the very
expression that is measured.

A :class:`Derivation` is an ordered tuple of :class:`Step` objects, each one
relation with its justification; the engine (:mod:`derivations.engine`) checks
every step on its own.  Derivations are built *from* a statement (a function
``Statement -> Derivation``), so a wrong statement (a mutant) yields steps that
fail.
"""
from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field, replace
from typing import Mapping

import sympy as sp

__all__ = ["Quantity", "Domain", "Relation", "Statement", "Justification", "Step", "Derivation",
           "link", "cited"]

# Sampling of unbounded ends: a coordinate on (lo, oo) is drawn as lo + exp(N(0, s)).
_LOG_SPREAD = 1.5
# Distance from an open finite end at which that end is sampled.
_OPEN_EDGE = sp.Rational(1, 10**6)
# The large value at which an unbounded end is sampled.
_FAR = sp.Integer(10**3)


class Quantity(sp.Symbol):
    """A named quantity that prints as its own LaTeX: an expectation, a kernel, a norm.

    It is the left-hand side of a relation: what a numeric check measures.  The
    plain name is what ``str`` shows; ``latex`` (the name when None) is what the
    document shows.  The LaTeX belongs to the object and is part of its identity (like a
    Dummy's index): two quantities of the same name but different LaTeX are different
    symbols, so no quantity's printed form depends on what else was built or imported.
    """

    __slots__ = ("latex",)

    latex: str | None

    def __new__(cls, name: str, latex: str | None = None, **assumptions):
        cls._sanitize(assumptions, cls)
        return Quantity._interned(cls, name, latex, **assumptions)

    @staticmethod
    @sp.cacheit
    def _interned(cls, name: str, latex: str | None, **assumptions):
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)
        obj.latex = latex
        return obj

    def __getnewargs_ex__(self):
        return ((self.name, self.latex), self._assumptions_orig)

    def _hashable_content(self):
        return super()._hashable_content() + (self.latex,)

    def _latex(self, printer) -> str:
        return self.name if self.latex is None else self.latex


@dataclass(frozen=True)
class Domain:
    """Where a statement's symbols live.

    ``intervals`` maps each free coordinate to a SymPy ``Interval``; ``derived``
    maps further symbols to expressions in those coordinates (for example
    ``k12 = c*sqrt(k11*k22)`` with ``c`` in [-1, 1], which keeps a 2x2
    covariance positive semi-definite without rejection).  ``description`` is the
    domain in words or LaTeX, for the reports.
    """

    intervals: Mapping[sp.Symbol, sp.Interval] = field(hash=False)
    derived: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict, hash=False)
    description: str = ""

    def edges(self, symbol: sp.Symbol) -> tuple[sp.Expr, ...]:
        """The values at (closed ends) or next to (open or infinite ends) the edges."""
        iv = self.intervals[symbol]
        out = []
        for end, is_open, sign in ((iv.start, iv.left_open, 1), (iv.end, iv.right_open, -1)):
            if end.is_infinite:
                out.append(-sign * _FAR)
            elif is_open:
                out.append(end + sign * _OPEN_EDGE)
            else:
                out.append(end)
        return tuple(out)

    def interior(self, symbol: sp.Symbol, rnd: random.Random) -> sp.Expr:
        """A random point inside the interval of ``symbol`` (as an exact Rational)."""
        iv = self.intervals[symbol]
        lo, hi = iv.start, iv.end
        if lo.is_finite and hi.is_finite:
            t = rnd.uniform(0.02, 0.98)
            value = float(lo) + t * float(hi - lo)
        elif lo.is_finite:
            value = float(lo) + rnd.lognormvariate(0.0, _LOG_SPREAD)
        elif hi.is_finite:
            value = float(hi) - rnd.lognormvariate(0.0, _LOG_SPREAD)
        else:
            value = rnd.gauss(0.0, 2.0)
        return sp.Rational(value).limit_denominator(10**9)

    def interior_points(self, count: int, rnd: random.Random) -> list[dict[sp.Symbol, sp.Expr]]:
        """``count`` points with every coordinate inside its interval."""
        return [self._complete({s: self.interior(s, rnd) for s in self.intervals}) for _ in range(count)]

    def sample(self, count: int, rnd: random.Random) -> list[dict[sp.Symbol, sp.Expr]]:
        """``count`` points: first the edges of every coordinate in turn, then interior ones.

        Each point assigns every coordinate and every derived symbol.
        """
        coords = list(self.intervals)
        points = []
        for i in range(count):
            point = {s: self.interior(s, rnd) for s in coords}
            edge_round, which = divmod(i, 2)
            if coords and edge_round < len(coords):
                symbol = coords[edge_round]
                point[symbol] = self.edges(symbol)[which]
            points.append(point)
        return [self._complete(p) for p in points]

    def _complete(self, point: dict[sp.Symbol, sp.Expr]) -> dict[sp.Symbol, sp.Expr]:
        full = dict(point)
        for symbol, expr in self.derived.items():
            full[symbol] = expr.subs(point)
        return full

    def restricted(self, symbols) -> "Domain":
        """The domain of just ``symbols`` (and the coordinates their derived symbols need)."""
        needed = set(symbols)
        for symbol, expr in self.derived.items():
            if symbol in needed:
                needed |= expr.free_symbols
        return Domain({s: iv for s, iv in self.intervals.items() if s in needed},
                      {s: e for s, e in self.derived.items() if s in needed}, self.description)

    def substitute(self, expr):
        """``expr`` with the derived symbols written in the free coordinates."""
        return expr.subs(dict(self.derived)) if self.derived else expr


@dataclass(frozen=True)
class Relation:
    """One named relation ``lhs = rhs``; ``rhs`` is the closed form that is checked."""

    name: str
    lhs: sp.Basic
    rhs: sp.Basic


@dataclass(frozen=True)
class Statement:
    """The relations a claim asserts, their domain and their assumptions in words."""

    relations: tuple[Relation, ...]
    domain: Domain
    assumptions: str = ""

    def __post_init__(self):
        names = [r.name for r in self.relations]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"relations={names!r}: need at least one, with distinct names")

    def __getitem__(self, name: str) -> Relation:
        for relation in self.relations:
            if relation.name == name:
                return relation
        raise KeyError(f"no relation named {name!r}; have {[r.name for r in self.relations]}")

    @property
    def rhs(self) -> sp.Basic:
        """The closed form of a single-relation statement."""
        if len(self.relations) != 1:
            raise ValueError("rhs is ambiguous for a statement of several relations; index by name")
        return self.relations[0].rhs

    def with_rhs(self, name: str, rhs: sp.Basic) -> "Statement":
        """A copy with relation ``name`` given a different closed form (how mutants are made)."""
        self[name]
        relations = tuple(replace(r, rhs=rhs) if r.name == name else r for r in self.relations)
        return replace(self, relations=relations)


class Justification(enum.Enum):
    """Why a step holds; the engine checks every kind the same way."""

    ALGEBRA = "algebra"
    DIFFERENTIATE = "differentiate"
    INTEGRATE = "integrate"
    SUBSTITUTE = "substitute"
    LIMIT = "limit"
    USES_CLAIM = "uses-claim"
    NUMERIC_ONLY = "numeric-only"
    CITED = "cited"


@dataclass(frozen=True)
class Step:
    """One checked relation ``lhs op rhs`` of a derivation.

    ``lhs`` and ``rhs`` are SymPy expressions or matrices that SymPy has already
    computed (a derivative taken, an integral done, a limit evaluated); ``op`` is
    one of ``=, <=, <, >=, >``.  ``text`` says in words what the step does.
    ``domain`` overrides the statement's domain for this step.

    Three kinds of step are more than a computation:

    * a ``USES_CLAIM`` step relies on another claim: ``uses`` is that claim's id and
      ``linked`` its :class:`Statement` object (the very object the claim is
      registered with, never a retyped copy; the runner checks that it is);
    * a ``CITED`` step is a fact SymPy does not establish (the central limit theorem, a
      theorem of a paper): ``cite`` names the reference.  It is never counted as proved;
      where both sides can be evaluated they are still compared, so a wrong cited
      relation is refuted;
    * a ``NUMERIC_ONLY`` step skips the simplifiers (it is at best checked numerically).
    """

    text: str
    lhs: sp.Basic
    rhs: sp.Basic
    how: Justification = Justification.ALGEBRA
    op: str = "="
    uses: str | None = None
    domain: Domain | None = None
    linked: "Statement | None" = field(default=None, compare=False, repr=False)
    cite: str | None = None

    def __post_init__(self):
        if self.op not in ("=", "<=", "<", ">=", ">"):
            raise ValueError(f"op={self.op!r}: accepted are '=', '<=', '<', '>=', '>'")
        if self.how is Justification.USES_CLAIM and not (self.uses and isinstance(self.linked, Statement)):
            raise ValueError(f"step {self.text!r}: a USES_CLAIM step names the claim it uses (uses=...) "
                             "and links its Statement object (linked=...)")
        if (self.how is Justification.CITED) != bool(self.cite):
            raise ValueError(f"step {self.text!r}: a CITED step, and only a cited step, names its "
                             f"reference (cite=...); got how={self.how.value!r}, cite={self.cite!r}")


def link(text: str, lhs: sp.Basic, claim_id: str, statement: Statement, relation: str, *,
         op: str = "=", domain: Domain | None = None, rhs: sp.Basic | None = None) -> Step:
    """A step that relies on relation ``relation`` of claim ``claim_id``'s statement.

    ``lhs`` is what this derivation computed; the right-hand side is taken from the
    linked statement object itself (or is ``rhs``, an expression the caller built from
    it, e.g. by substitution), so the step can only pass if the used claim's closed form
    is what this derivation needs.
    """
    statement[relation]
    return Step(text, lhs, statement[relation].rhs if rhs is None else rhs, Justification.USES_CLAIM,
                op, uses=claim_id, domain=domain, linked=statement)


def cited(text: str, lhs: sp.Basic, rhs: sp.Basic, reference: str, *, op: str = "=",
          domain: Domain | None = None) -> Step:
    """A step that holds by ``reference`` (author, title, year): shown as cited, never as proved."""
    return Step(text, lhs, rhs, Justification.CITED, op, domain=domain, cite=reference)


@dataclass(frozen=True)
class Derivation:
    """Ordered steps and, in words, why together they establish the statement."""

    steps: tuple[Step, ...]
    conclusion: str = ""
