"""The derivation layer's words for a step, importable without SymPy (reporters read them).

``proved``: SymPy reduced the difference of the two sides to zero (or decided the sign of an
inequality); ``checked-numerically``: the sides agree to many digits at points of the domain;
``cited``: a fact SymPy does not establish, taken from its reference (only probed for a
counterexample); ``refuted``: a counterexample; ``unsupported``: neither decided nor
evaluated.  The numeric layer's words are ``numeric.stats.ComparisonStatus``, the verdicts on
claims and mutants ``verify.results.Verdict``.
"""
from __future__ import annotations

import enum

__all__ = ["StepStatus"]


class StepStatus(str, enum.Enum):
    """The verdict on one step (:func:`derivations.engine.check_step`)."""

    __str__ = str.__str__

    PROVED = "proved"
    CHECKED_NUMERICALLY = "checked-numerically"
    CITED = "cited"
    REFUTED = "refuted"
    UNSUPPORTED = "unsupported"
