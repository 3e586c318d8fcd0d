"""Where units run: inline, a local process pool, or a Dask cluster.

Every unit derives its random streams from the run seed and its own identity, so
the choice changes the wall-clock time and nothing else.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable

from .runner import InlineExecutor

__all__ = ["Plan", "make"]

_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Plan:
    """An executor, how to make a fresh one after a worker died, and how to close it."""

    executor: Executor
    remake: Callable[[], Executor] | None
    close: Callable[[], None]


def _start_method() -> str:
    """"fork" on Linux, "spawn" elsewhere.

    A forked worker starts at once with the claims already built; a spawned one spends about a
    second importing SymPy, SciPy and the registry, which was the largest cost of ``--jobs 2``.
    The parent's only other threads at that point are OpenBLAS's idle workers, which OpenBLAS
    stops and restarts around a fork (its own pthread_atfork handlers); units then run BLAS on
    one thread.  macOS forks unsafely (its system libraries), hence spawn there.
    """
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _process_pool(jobs: int) -> Executor:
    # Units limit BLAS to one thread anyway; spawned workers read these before they
    # load BLAS, so they do not even start a thread pool per core.
    for name in _ONE_THREAD:
        os.environ[name] = "1"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(_start_method()))


def _dask(scheduler: str) -> Plan:
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--executor dask needs the optional extra: "
                         "python -m pip install 'ntk-verify[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(f"--scheduler {scheduler!r}: no Dask scheduler answered ({exc})") from None
    return Plan(client.get_executor(), None, client.close)


def make(kind: str, jobs: int, scheduler: str | None) -> Plan:
    """The executor for ``--executor kind --jobs jobs --scheduler address``."""
    if jobs < 1:
        raise ValueError(f"--jobs {jobs}: give a whole number >= 1")
    if kind == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
        return _dask(scheduler)
    if kind != "local":
        raise ValueError(f"--executor {kind!r}: choose local or dask")
    if scheduler:
        raise ValueError("--scheduler goes with --executor dask")
    if jobs == 1:
        return Plan(InlineExecutor(), None, lambda: None)
    pool = _process_pool(jobs)
    plan = Plan(pool, lambda: _process_pool(jobs), lambda: None)
    plan.close = lambda: plan.executor.shutdown(wait=True, cancel_futures=True)
    return plan
