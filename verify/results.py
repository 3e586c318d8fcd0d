"""Immutable result records.  Reporters only read them.

Everything a report shows is here, already rendered to text or LaTeX strings, so
reporters need neither SymPy nor the claims.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from derivations.status import StepStatus
from numeric.stats import ZTest

__all__ = ["StepResult", "Comparison", "CheckResult", "MutantResult", "ClaimResult",
           "RunResult", "Verdict", "VERIFIED", "REFUTED", "INCONCLUSIVE", "ERROR", "SURVIVED", "LAYERS",
           "NOT_RUN", "DERIVATION_LAYER", "NUMERIC_LAYER"]



class Verdict(str, enum.Enum):
    """The verdict on a claim (verified, refuted, inconclusive, error; ``not run`` for a claim a
    run did not select) and on a mutant (refuted, survived, error).

    Each layer has its own words, defined once and used as they are: a step is
    ``derivations.engine.StepStatus``, a comparison and a check ``numeric.stats.ComparisonStatus``;
    the runner judges a claim from both (``verify.runner``); it never renames one into the other.
    """

    __str__ = str.__str__

    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"
    SURVIVED = "survived"
    NOT_RUN = "not run"


VERIFIED, REFUTED, INCONCLUSIVE, ERROR, SURVIVED, NOT_RUN = Verdict
DERIVATION_LAYER, NUMERIC_LAYER = "derivation", "numeric"
LAYERS = (DERIVATION_LAYER, NUMERIC_LAYER)


@dataclass(frozen=True)
class StepResult:
    """One derivation step: what it says, its two sides in LaTeX, and its verdict; ``mathml`` is
    the whole relation as presentation MathML (empty unless the run was asked for it)."""

    text: str
    how: str
    op: str
    lhs: str
    rhs: str
    status: str
    method: str
    uses: str | None = None
    counterexample: tuple[tuple[str, str], ...] = ()
    cite: str | None = None
    mathml: str = ""


@dataclass(frozen=True)
class Comparison:
    """One numeric comparison: its label, the configuration it ran at, and the test."""

    label: str
    config: tuple[tuple[str, Any], ...]
    test: ZTest
    samples: int


@dataclass(frozen=True)
class CheckResult:
    """A numeric check over its hypothesis-drawn configurations.

    ``data`` holds series for the document's figures (read-only by convention).
    """

    name: str
    description: str
    status: str
    comparisons: tuple[Comparison, ...]
    examples: int
    counterexample: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class MutantResult:
    """A wrong version of a claim's statement and whether the verifier refuted it.

    Each layer runs on its own, up to its first refutation: ``refuted_by`` names the
    layers (``LAYERS``: the derivation, the numeric checks) that refuted the mutant.
    """

    name: str
    description: str
    status: str
    refuted_by: tuple[str, ...]
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim and all the evidence behind it; ``statement_mathml`` holds
    (relation name, MathML) when the run was asked for MathML."""

    id: str
    title: str
    source: str
    status: str
    seconds: float
    statement: tuple[tuple[str, str, str], ...]
    assumptions: str
    domain: str
    conclusion: str
    uses: tuple[str, ...]
    steps: tuple[StepResult, ...] = ()
    checks: tuple[CheckResult, ...] = ()
    mutants: tuple[MutantResult, ...] = ()
    dependencies: tuple[tuple[str, str], ...] = ()
    error: str | None = None
    statement_mathml: tuple[tuple[str, str], ...] = ()

    JSON_EXTRAS = ("verdict", "cited_steps", "max_abs_z", "max_mde", "mde_target", "surviving_mutants")

    @property
    def cited_steps(self) -> int:
        """Steps that rest on a cited fact rather than a derivation."""
        return sum(s.status == StepStatus.CITED for s in self.steps)

    @property
    def verdict(self) -> str:
        """The status, saying how many steps it rests on by citation: ``verified (2 cited)``."""
        return self.status + (f" ({self.cited_steps} cited)" if self.cited_steps else "")

    @property
    def comparisons(self) -> tuple[Comparison, ...]:
        return tuple(c for check in self.checks for c in check.comparisons)

    @property
    def max_abs_z(self) -> float | None:
        zs = [abs(c.test.z) for c in self.comparisons if c.test.kind == "equal"]
        return max(zs) if zs else None

    @property
    def least_sensitive(self) -> Comparison | None:
        """The comparison whose MDE is the largest fraction of its target."""
        tested = [c for c in self.comparisons if c.test.kind == "equal" and c.test.target > 0]
        return max(tested, key=lambda c: c.test.mde / c.test.target) if tested else None

    @property
    def max_mde(self) -> float | None:
        """The relative MDE of :attr:`least_sensitive` (its target is ``mde_target``)."""
        worst = self.least_sensitive
        return worst.test.mde if worst else None

    @property
    def mde_target(self) -> float | None:
        worst = self.least_sensitive
        return worst.test.target if worst else None

    @property
    def surviving_mutants(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.mutants if m.status != REFUTED)


@dataclass(frozen=True)
class RunResult:
    """A whole run: its settings and every claim's result, in registry order; ``families``
    holds (id prefix, title, introduction, sources) of each family (:mod:`verify.families`)."""

    seed: int
    budget: str
    alpha: float
    threshold: float
    comparisons: int
    mutants: bool
    versions: Mapping[str, str] = field(hash=False)
    claims: tuple[ClaimResult, ...] = ()
    seconds: float = math.nan
    families: tuple[tuple[str, str, str, str], ...] = ()

    JSON_EXTRAS = ("exit_code",)

    @property
    def exit_code(self) -> int:
        """0 when every claim is verified (and, with mutants, every mutant refuted), else 1."""
        ok = all(c.status == VERIFIED and not c.surviving_mutants for c in self.claims)
        return 0 if ok else 1
