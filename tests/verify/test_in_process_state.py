"""A run's JSON depends on its seed, not on what the process did before it.

Hypothesis draws now and then from constants it collects in the source of the user's modules
loaded in the process; the test suite, ``--html``'s printers or a user's claim module add to that
pool.  Here a module of constants is imported between two runs in one process.
"""
import contextlib
import importlib
import json
import sys

import pytest

from verify import isolation
from verify.cli import main

SELECTION = ["run", "dual.step", "--budget", "quick", "--seed", "3"]
CONSTANTS = tuple(round(0.0123 * i - 0.9, 4) for i in range(300))
"""Floats across dual.step's configuration bounds (correlations, variances): once Hypothesis picks
one of its pool's constants, a pool holding these gives another."""

providers = pytest.importorskip("hypothesis.internal.conjecture.providers")


@pytest.fixture
def run_json(tmp_path, strip_timings):
    def run(name):
        path = tmp_path / f"{name}.json"
        assert main([*SELECTION, "--json", str(path)]) == 0
        return strip_timings(json.loads(path.read_text()))
    return run


@pytest.fixture
def constants_imported(tmp_path, monkeypatch):
    """Import a module of CONSTANTS; Hypothesis's pool and the module are forgotten afterwards."""
    if not hasattr(providers, "_get_local_constants"):
        pytest.skip("this Hypothesis draws no constants from the user's modules")
    for name in ("_local_constants", "_sys_modules_len"):
        monkeypatch.setattr(providers, name, getattr(providers, name))
    monkeypatch.setattr(providers, "_seen_modules", set(providers._seen_modules))
    monkeypatch.setattr(providers, "CONSTANTS_CACHE", type(providers.CONSTANTS_CACHE)(1024))
    (tmp_path / "constants_for_hypothesis.py").write_text(f"VALUES = {CONSTANTS!r}\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def load():
        importlib.import_module("constants_for_hypothesis")
        assert set(CONSTANTS) <= set(providers._get_local_constants().floats)
    yield load
    sys.modules.pop("constants_for_hypothesis", None)


def test_a_module_imported_between_two_runs_leaves_the_json_unchanged(run_json, constants_imported):
    first = run_json("first")
    constants_imported()
    assert run_json("second") == first


def test_without_the_isolation_hypothesis_draws_other_configurations(run_json, constants_imported, monkeypatch):
    """The check above can fail: unisolated, Hypothesis draws from its pool and the JSON changes."""
    first = run_json("first")
    constants_imported()
    monkeypatch.setattr(isolation, "SEED_ONLY", contextlib.nullcontext())
    assert run_json("unisolated") != first


def test_a_held_setting_is_restored_only_when_the_last_holder_leaves():
    """Units overlapping in threads of one worker: the first applies, the last restores."""
    state = ["process's own"]

    def apply():
        state.append("unit's")
        return state.pop
    held = isolation.Held(apply)
    with held:
        with held:
            assert state[-1] == "unit's"
        assert state[-1] == "unit's"
    assert state == ["process's own"]
