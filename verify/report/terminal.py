"""The terminal reporter: a line per claim as it finishes, then a summary."""
from __future__ import annotations

import sys
from collections import Counter

from numeric.stats import CONSISTENT

from ..results import ClaimResult, RunResult, VERIFIED

__all__ = ["TerminalReporter"]


def _percent(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.2f}%" if x < 10 else "  >1000%"


def _figures(result: ClaimResult) -> str:
    z = result.max_abs_z
    shown = f"max|z| {z:5.2f}" if z is not None else "max|z|    - "
    return f"{shown}  MDE {_percent(result.max_mde)}"


class TerminalReporter:
    """Prints to ``stream``; only reads results."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def _print(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def start(self, run: RunResult, count: int) -> None:
        self._print(f"ntk-verify: {count} claims, budget {run.budget}, seed {run.seed}, "
                    f"alpha_F {run.alpha:g} over {run.comparisons} comparisons "
                    f"(z* = {run.threshold:.2f}){', with mutants' if run.mutants else ''}")

    def handle(self, result: ClaimResult, index: int, total: int) -> None:
        width = len(str(total))
        line = (f"[{index:{width}d}/{total}] {result.status:<12} {result.id:<34} "
                f"{result.seconds:6.2f} s  {_figures(result)}")
        if result.mutants:
            refuted = len(result.mutants) - len(result.surviving_mutants)
            line += f"  mutants {refuted}/{len(result.mutants)} refuted"
        self._print(line)
        for note in self._notes(result):
            self._print(f"      {note}")

    @staticmethod
    def _notes(result: ClaimResult):
        if result.error:
            yield f"error: {result.error}"
        for step in result.steps:
            if step.status not in ("proved", "checked-numerically"):
                where = ", ".join(f"{k}={v}" for k, v in step.counterexample)
                yield f"step {step.status}: {step.text[:80]}" + (f" at {where}" if where else "")
        for check in result.checks:
            if check.status != CONSISTENT:
                yield f"check {check.name}: {check.status}" + (
                    f" at {check.counterexample}" if check.counterexample else "")
        for uid, status in result.dependencies:
            if status not in (VERIFIED, "not run"):
                yield f"uses {uid}, which is {status}"
        for mutant in result.mutants:
            if mutant.status != "refuted":
                yield f"mutant {mutant.name} {mutant.status}" + (f": {mutant.error}" if mutant.error else "")

    def stop(self, run: RunResult) -> None:
        counts = Counter(c.status for c in run.claims)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        self._print(f"\n{summary} in {run.seconds:.1f} s "
                    f"(budget {run.budget}, seed {run.seed}, alpha_F {run.alpha:g}, z* {run.threshold:.2f})")
        if run.mutants:
            total = sum(len(c.mutants) for c in run.claims)
            survivors = [f"{c.id}:{m}" for c in run.claims for m in c.surviving_mutants]
            self._print(f"mutants: {total - len(survivors)}/{total} refuted"
                        + (f"; surviving: {', '.join(survivors)}" if survivors else ""))
