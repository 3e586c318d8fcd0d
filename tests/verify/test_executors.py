"""Results do not depend on where units run; faults become `error` verdicts, not crashes."""
import json

import pytest

from verify import registry
from verify.cli import main

SELECTION = ["run", "dual.step", "dual.relu", "--budget", "quick", "--seed", "3"]


def _strip_timings(value):
    if isinstance(value, dict):
        return {k: _strip_timings(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_strip_timings(v) for v in value]
    return value


def _run(tmp_path, name, *extra):
    path = tmp_path / f"{name}.json"
    assert main([*SELECTION, "--json", str(path), *extra]) == 0
    return _strip_timings(json.loads(path.read_text()))


def test_one_and_two_jobs_give_identical_json(tmp_path):
    assert _run(tmp_path, "one") == _run(tmp_path, "two", "--jobs", "2")


def test_a_dask_cluster_on_loopback_gives_identical_json(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = _run(tmp_path, "dask", "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert remote == _run(tmp_path, "local")


@pytest.fixture
def faulty(monkeypatch):
    monkeypatch.setenv(registry.ENVIRONMENT, "faulty_claims")
    registry.claims.cache_clear()
    yield
    registry.claims.cache_clear()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_unit_that_raises_is_an_error_verdict_and_the_run_completes(faulty, tmp_path, jobs):
    path = tmp_path / "r.json"
    code = main(["run", "faulty.raises", "dual.step", "--budget", "quick", "--jobs", jobs, "--json", str(path)])
    claims = {c["id"]: c for c in json.loads(path.read_text())["claims"]}
    assert code == 1 and claims["dual.step"]["status"] == "verified"
    assert claims["faulty.raises"]["status"] == "error"
    assert "RuntimeError: this check always fails" in claims["faulty.raises"]["error"]
    assert "faulty.raises, check 0, seed 0" in claims["faulty.raises"]["error"]


def test_a_worker_that_dies_is_an_error_verdict_and_the_run_completes(faulty, tmp_path):
    path = tmp_path / "d.json"
    code = main(["run", "faulty.dies", "dual.step", "--budget", "quick", "--jobs", "2", "--json", str(path)])
    claims = {c["id"]: c for c in json.loads(path.read_text())["claims"]}
    assert code == 1 and claims["dual.step"]["status"] == "verified"
    assert claims["faulty.dies"]["status"] == "error"
    assert "worker died [faulty.dies, check 0, seed 0]" in claims["faulty.dies"]["error"]


@pytest.mark.parametrize("argv,hint", [
    (["--jobs", "0"], "--jobs"),
    (["--executor", "dask"], "--scheduler"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--executor dask"),
    (["--executor", "spark"], "invalid choice"),
])
def test_executor_usage_errors(argv, hint, capsys):
    assert main(["run", "dual.step", *argv]) == 2
    assert hint in capsys.readouterr().err
