"""The terminal reporter: a line per claim as it finishes, then a summary."""
from __future__ import annotations

import os
import sys
from collections import Counter

from numeric.stats import CONSISTENT

from ..audit import MIN_Z
from ..results import LAYERS, NOT_RUN, VERIFIED, ClaimResult, RunResult

__all__ = ["TerminalReporter"]


def _percent(x: float) -> str:
    return f"{100 * x:.3g}%" if x < 10 else ">1000%"


def _figures(result: ClaimResult) -> str:
    """Largest |z|, and the MDE of the least sensitive comparison beside its target."""
    z = result.max_abs_z
    shown = f"max|z| {z:5.2f}" if z is not None else "max|z|    - "
    if result.max_mde is None:
        return shown
    return f"{shown}  MDE {_percent(result.max_mde)} of {_percent(result.mde_target)}"


class TerminalReporter:
    """Prints to ``stream``; only reads results."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def _print(self, text: str = "") -> None:
        try:
            print(text, file=self.stream, flush=True)
        except BrokenPipeError:
            # The reader left (e.g. `| head`): print nothing more, let the other
            # reporters finish, and keep the interpreter's final flush quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
            self.stream = open(os.devnull, "w")

    def start(self, run: RunResult, count: int) -> None:
        self._print(f"ntk-verify: {count} claims, budget {run.budget}, seed {run.seed}, "
                    f"alpha_F {run.alpha:g} over {run.comparisons} comparisons "
                    f"(z* = {run.threshold:.2f}){', with mutants' if run.mutants else ''}")

    def handle(self, result: ClaimResult, index: int, total: int) -> None:
        width = len(str(total))
        line = (f"[{index:{width}d}/{total}] {result.verdict:<22} {result.id:<34} "
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
            if step.status not in ("proved", "checked-numerically", "cited"):
                where = ", ".join(f"{k}={v}" for k, v in step.counterexample)
                yield f"step {step.status}: {step.text[:80]}" + (f" at {where}" if where else "")
        for check in result.checks:
            if check.status != CONSISTENT:
                yield f"check {check.name}: {check.status}" + (
                    f" at {check.counterexample}" if check.counterexample else "")
        for uid, status in result.dependencies:
            if status not in (VERIFIED, NOT_RUN):
                yield f"uses {uid}, which is {status}"
        for mutant in result.mutants:
            if mutant.status != "refuted":
                yield f"mutant {mutant.name} {mutant.status}" + (f": {mutant.error}" if mutant.error else "")

    def stop(self, run: RunResult) -> None:
        counts = Counter(c.status for c in run.claims)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        steps = Counter(s.status for c in run.claims for s in c.steps)
        if steps:
            summary += "; steps: " + ", ".join(f"{n} {s}" for s, n in sorted(steps.items()))
        self._print(f"\n{summary} in {run.seconds:.1f} s "
                    f"(budget {run.budget}, seed {run.seed}, alpha_F {run.alpha:g}, z* {run.threshold:.2f})")
        if run.mutants:
            total = sum(len(c.mutants) for c in run.claims)
            survivors = [f"{c.id}:{m}" for c in run.claims for m in c.surviving_mutants]
            by_layer = ", ".join(f"{sum(layer in m.refuted_by for c in run.claims for m in c.mutants)} by the "
                                 f"{layer} alone" for layer in LAYERS)
            self._print(f"mutants: {total - len(survivors)}/{total} refuted ({by_layer})"
                        + (f"; surviving: {', '.join(survivors)}" if survivors else ""))


def print_audit(result, stream=None) -> None:
    """The audit as tables: per claim, per family, and the checks' calibration."""
    out = stream or sys.stdout
    say = lambda text="": print(text, file=out, flush=True)  # noqa: E731
    say(f"\naudit: {result.runs} runs (seeds {result.seeds[0]}..{result.seeds[-1]}), budget "
        f"{result.budget}, alpha_F {result.alpha:g}: at most {result.runs * result.alpha:.3g} "
        "runs with a false alarm expected")
    say(f"{'claim':<34} {'refuted':>7} {'inconcl.':>8} {'error':>5}  mutants refuted")
    for c in result.claims:
        say(f"{c.id:<34} {c.refuted:>7} {c.inconclusive:>8} {c.errors:>5}  {c.mutants_refuted}/{c.mutants}"
            + (f"  survivors: {', '.join(c.survivors)}" if c.survivors else ""))
    families: dict[str, list] = {}
    for c in result.claims:
        families.setdefault(c.family, []).append(c)
    say("\nper family: runs not verified (refuted = false alarms) / claim-runs; mutants refuted")
    for family, members in families.items():
        runs = sum(c.runs for c in members)
        bad = sum(c.refuted + c.inconclusive + c.errors for c in members)
        alarms = sum(c.refuted for c in members)
        mutants = sum(c.mutants for c in members)
        killed = sum(c.mutants_refuted for c in members)
        judged = [k for k in result.checks if k.claim_id.split(".", 1)[0] == family and k.count >= MIN_Z]
        spread = (f"z ({sum(k.count for k in judged)} over {len(judged)} checks): max|mean| "
                  f"{max(abs(k.mean) for k in judged):.2f}, std {min(k.std for k in judged):.2f}.."
                  f"{max(k.std for k in judged):.2f}") if judged else "no random comparisons"
        say(f"  {family:<10} {bad} ({alarms}) / {runs}; {killed}/{mutants}; {spread}")
    say("\ncalibration of each numeric check (z-scores across runs)")
    for k in result.checks:
        moments = (f"mean {k.mean:+.2f}  std " + (f"{k.std:.2f}" if k.count > 1 else "-")) if k.count else ""
        say(f"  {k.status:<15} {k.claim_id:<30} {k.check:<34} n {k.count:>4}  {moments}")
    say(f"\nfalse alarms: {result.false_alarm_runs} of {result.runs} runs "
        f"(binomial tail {result.false_alarm_tail:.3g}); mutants refuted: "
        f"{100 * result.mutants_refuted_fraction:.1f}%"
        + (f"; surviving: {', '.join(result.survivors)}" if result.survivors else "")
        + (f"; mis-calibrated checks: {len(result.miscalibrated)}" if result.miscalibrated else "")
        + f"; {result.seconds:.0f} s")
