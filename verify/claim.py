"""What a claim is: a SymPy statement, its derivation, its numeric checks, its mutants.

A :class:`Claim` binds a :class:`derivations.core.Statement` to a function that
derives it (``Statement -> Derivation``) and to numeric checks that measure the
statement's left-hand side and compare it with its lambdified right-hand side.
Both take the statement as an argument, so a :class:`Mutant` (a wrong statement)
runs through exactly the same derivation and checks, and must be refuted.

The contracts the runner relies on are checked when the objects are made, and a
broken one raises :class:`ContractError` naming the claim (or check) and the field:
a claim has at least :data:`MIN_MUTANTS` mutants with distinct names, its ``uses``
are claim ids, a check declares how many comparisons one configuration makes
(``per_example``, the share of the Bonferroni m) and :func:`verify.checks.run_check`
holds ``measure`` to it.  Every claim and mutant remembers where it was made
(``defined_at``, ``module:line``), which ``python -m verify list --json`` shows.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

from derivations.core import Derivation, Statement

from .budgets import BUDGETS

__all__ = ["Claim", "Mutant", "NumericCheck", "ContractError", "MIN_MUTANTS", "KINDS"]

MIN_MUTANTS = 3
"""The fewest mutants a claim has: a claim whose checks refute only one wrong version
has not shown that it can tell right from wrong."""
KINDS = tuple(BUDGETS["standard"].targets)
"""The sensitivity targets a numeric check may ask of the budget (``NumericCheck.kind``)."""
_HERE = {os.path.abspath(__file__)}


class ContractError(ValueError):
    """A claim, check or mutant breaks a contract the runner relies on; names who and which field."""


def _fail(who: str, field_name: str, problem: str) -> ContractError:
    return ContractError(f"{who}: {field_name}: {problem}")


def helper_module(path: str) -> None:
    """Mark the file at ``path`` as a factory of claims (as :mod:`verify.authoring` is), so
    ``defined_at`` names the line that called it rather than a line inside it."""
    _HERE.add(os.path.abspath(path))


def _caller() -> str:
    """``module:line`` of the first frame outside this module, dataclass code and factories."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith("<")
                                 or os.path.abspath(frame.f_code.co_filename) in _HERE):
        frame = frame.f_back
    if frame is None:
        return ""
    return f"{frame.f_globals.get('__name__', '?')}:{frame.f_lineno}"


@dataclass(frozen=True)
class Mutant:
    """A wrong version of a claim's statement, named for what was broken."""

    name: str
    description: str
    statement: Statement
    defined_at: str = field(default="", compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise _fail(f"mutant {self.name!r}", "name", "give a non-empty string")
        if not isinstance(self.statement, Statement):
            raise _fail(f"mutant {self.name!r}", "statement",
                        f"got {type(self.statement).__name__}, need a derivations.core.Statement")
        if not self.defined_at:
            object.__setattr__(self, "defined_at", _caller())


@dataclass(frozen=True)
class NumericCheck:
    """A numeric confirmation of a statement over hypothesis-drawn configurations.

    ``configs(budget)`` is the hypothesis strategy of configurations;
    ``measure(statement, config, context)`` returns the comparisons made at one
    configuration (``per_example`` of them).  ``explicit`` configurations (edges)
    are always run.  ``kind`` picks the budget's sensitivity target
    ("expectation" or "width"); ``examples(budget)`` overrides the budget's
    number of drawn examples.
    """

    name: str
    description: str
    configs: Callable[[Any], Any]
    measure: Callable[[Statement, Any, Any], tuple]
    per_example: int = 1
    kind: str = "expectation"
    explicit: tuple = ()
    examples: Callable[[Any], int] | None = None

    def __post_init__(self):
        who = f"check {self.name!r}"
        if not isinstance(self.per_example, int) or isinstance(self.per_example, bool) or self.per_example < 0:
            raise _fail(who, "per_example", f"{self.per_example!r}: give a whole number >= 0, the comparisons "
                        "measure returns per configuration")
        if self.kind not in KINDS:
            raise _fail(who, "kind", f"{self.kind!r}: accepted are {', '.join(KINDS)}")
        for name in ("configs", "measure"):
            if not callable(getattr(self, name)):
                raise _fail(who, name, f"{getattr(self, name)!r} is not callable")

    def drawn(self, budget) -> int:
        return budget.examples if self.examples is None else self.examples(budget)

    def comparisons(self, budget) -> int:
        """An upper bound on the comparisons this check makes: its share of the family budget."""
        return (self.drawn(budget) + len(self.explicit)) * self.per_example


@dataclass(frozen=True)
class Claim:
    """One identity of the theory, with a stable dotted id such as ``dual.relu``."""

    id: str
    title: str
    source: str
    statement: Statement
    derive: Callable[[Statement], Derivation]
    checks: tuple[NumericCheck, ...] = ()
    mutants: tuple[Mutant, ...] = ()
    uses: tuple[str, ...] = ()
    defined_at: str = field(default="", compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.id, str) or "." not in self.id or self.id != self.id.strip():
            raise _fail(f"claim {self.id!r}", "id", "give a dotted id such as 'family.name'")
        who = f"claim {self.id!r}"
        if not isinstance(self.statement, Statement):
            raise _fail(who, "statement", f"got {type(self.statement).__name__}, need a derivations.core.Statement")
        if not callable(self.derive):
            raise _fail(who, "derive", f"{self.derive!r} is not callable (Statement -> Derivation)")
        for name, kind in (("checks", NumericCheck), ("mutants", Mutant)):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(x, kind) for x in value):
                raise _fail(who, name, f"give a tuple of {kind.__name__}; got {value!r:.80}")
        if isinstance(self.uses, str) or not all(isinstance(u, str) for u in self.uses):
            raise _fail(who, "uses", f"{self.uses!r}: give a tuple of claim ids")
        object.__setattr__(self, "uses", tuple(self.uses))
        names = [m.name for m in self.mutants]
        if len(set(names)) != len(names):
            raise _fail(who, "mutants", f"names {names!r} repeat")
        if len(names) < MIN_MUTANTS:
            raise _fail(who, "mutants", f"{len(names)} given, a claim needs at least {MIN_MUTANTS}")
        checks = [k.name for k in self.checks]
        if len(set(checks)) != len(checks):
            raise _fail(who, "checks", f"names {checks!r} repeat")
        if not self.defined_at:
            object.__setattr__(self, "defined_at", _caller())

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def mutant(self, name: str) -> Mutant:
        for m in self.mutants:
            if m.name == name:
                return m
        raise KeyError(f"claim {self.id} has no mutant {name!r}")
