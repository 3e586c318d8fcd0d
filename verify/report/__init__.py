"""Reporters read results and never change them: start(run, count), handle(result, i, n), stop(run)."""
from __future__ import annotations

__all__ = ["Reporters"]


class Reporters:
    """Several reporters seen as one."""

    def __init__(self, *reporters):
        self.reporters = reporters

    def start(self, run, count):
        for r in self.reporters:
            r.start(run, count)

    def handle(self, result, index, total):
        for r in self.reporters:
            r.handle(result, index, total)

    def stop(self, run):
        for r in self.reporters:
            r.stop(run)
