"""Process-wide settings a unit of work needs, held while any unit of the process runs.

A unit's results must depend on its seed alone, wherever it runs: in the caller's process after
a test suite, in a forked worker, or in one of several threads of a Dask worker.  Two pieces of
state that decide a unit's numbers belong to the whole process, not to the unit:

* the BLAS thread pools: a reduction split over other threads rounds differently, so every unit
  runs with one BLAS thread;
* Hypothesis's pool of constants (from 6.131): besides its seeded draws, Hypothesis now and then
  draws constants it collects from the source of the user's own modules loaded in the process
  (``_get_local_constants``) and caches the constants each strategy's bounds admit
  (``CONSTANTS_CACHE``).  The pool grows with every import (a test suite, a user's claim module,
  ``--html``'s printers), so a check's configurations would depend on the process's history.
  While a check draws, the pool is empty and the cache is a fresh one.

Units may overlap in threads, so each setting is reference-counted: the first unit to enter
applies it, the last to leave restores what the process had.
"""
from __future__ import annotations

import threading
from typing import Callable

from threadpoolctl import threadpool_limits

try:
    from hypothesis.internal.conjecture import providers as hypothesis_providers
except ImportError:  # Hypothesis before its provider module had no pool of local constants
    hypothesis_providers = None

__all__ = ["Held", "SINGLE_BLAS_THREAD", "SEED_ONLY"]


class Held:
    """A context applying ``apply()`` while at least one thread is inside it.

    ``apply`` changes the process's state and returns the function that restores it.
    """

    def __init__(self, apply: Callable[[], Callable[[], None]]):
        self.apply = apply
        self.lock = threading.Lock()
        self.holders = 0
        self.restore: Callable[[], None] = lambda: None

    def __enter__(self):
        with self.lock:
            if self.holders == 0:
                self.restore = self.apply()
            self.holders += 1

    def __exit__(self, *exc_info):
        with self.lock:
            self.holders -= 1
            if self.holders == 0:
                self.restore()


def _one_blas_thread() -> Callable[[], None]:
    return threadpool_limits(limits=1).restore_original_limits


def _empty_constant_pool() -> Callable[[], None]:
    if not hasattr(hypothesis_providers, "_get_local_constants"):
        return lambda: None
    own = hypothesis_providers._get_local_constants, hypothesis_providers.CONSTANTS_CACHE
    hypothesis_providers._get_local_constants = hypothesis_providers.Constants  # an empty pool
    hypothesis_providers.CONSTANTS_CACHE = {}

    def restore():
        hypothesis_providers._get_local_constants, hypothesis_providers.CONSTANTS_CACHE = own
    return restore


SINGLE_BLAS_THREAD = Held(_one_blas_thread)
SEED_ONLY = Held(_empty_constant_pool)
