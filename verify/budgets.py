"""Run budgets: how many examples, how many draws, and the sensitivity each must reach.

Targets are minimal detectable effects relative to the prediction's scale
(docs/design.md): expectations over samples <= 2% at ``standard`` and <= 0.5% at
``thorough``; width limits of networks <= 5% and <= 1.5%.  Fitted rates (log-log
slopes) must resolve a fraction of the predicted exponent ("rate": half of it at
``standard``, so an exponent off by a factor 2 is caught).  ``quick`` serves CI and
pytest.  A check that cannot reach its target within ``max_samples`` draws is
``inconclusive``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["Budget", "BUDGETS", "get"]


@dataclass(frozen=True)
class Budget:
    """The resources of one run.

    ``level`` (0, 1, 2) lets a claim family scale sizes of its own (widths, seeds)
    with the budget; ``seconds`` is the wall-clock the design allows for all claims.
    """

    name: str
    level: int
    examples: int
    targets: Mapping[str, float] = field(hash=False)
    max_samples: int
    seconds: float

    def target(self, kind: str) -> float:
        try:
            return self.targets[kind]
        except KeyError:
            raise ValueError(f"kind={kind!r}: accepted are {', '.join(self.targets)}") from None


BUDGETS = {
    "quick": Budget("quick", 0, 4, {"expectation": 0.05, "width": 0.10, "rate": 0.6}, 2_000_000, 30),
    "standard": Budget("standard", 1, 10, {"expectation": 0.02, "width": 0.05, "rate": 0.5}, 10_000_000, 90),
    "thorough": Budget("thorough", 2, 30, {"expectation": 0.005, "width": 0.015, "rate": 0.25}, 100_000_000, 900),
}


def get(name: str) -> Budget:
    try:
        return BUDGETS[name]
    except (KeyError, TypeError):
        raise ValueError(f"budget={name!r} is not a budget; choose one of "
                         f"{', '.join(BUDGETS)}") from None
