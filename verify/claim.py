"""What a claim is: a SymPy statement, its derivation, its numeric checks, its mutants.

A :class:`Claim` binds a :class:`derivations.core.Statement` to a function that
derives it (``Statement -> Derivation``) and to numeric checks that measure the
statement's left-hand side and compare it with its lambdified right-hand side.
Both take the statement as an argument, so a :class:`Mutant` (a wrong statement)
runs through exactly the same derivation and checks, and must be refuted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from derivations.core import Derivation, Statement

__all__ = ["Claim", "Mutant", "NumericCheck"]


@dataclass(frozen=True)
class Mutant:
    """A wrong version of a claim's statement, named for what was broken."""

    name: str
    description: str
    statement: Statement


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

    def __post_init__(self):
        names = [m.name for m in self.mutants]
        if len(set(names)) != len(names):
            raise ValueError(f"claim {self.id}: mutant names {names!r} repeat")

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def mutant(self, name: str) -> Mutant:
        for m in self.mutants:
            if m.name == name:
                return m
        raise KeyError(f"claim {self.id} has no mutant {name!r}")
