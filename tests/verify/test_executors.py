"""Results do not depend on where units run; faults become `error` verdicts, not crashes."""
import json

import pytest

from verify.cli import main

SELECTION = ["run", "dual.step", "dual.relu", "--budget", "quick", "--seed", "3"]


@pytest.fixture
def run_json(tmp_path, strip_timings):
    def run(name, *extra):
        path = tmp_path / f"{name}.json"
        assert main([*SELECTION, "--json", str(path), *extra]) == 0
        return strip_timings(json.loads(path.read_text()))
    return run


def test_one_and_two_jobs_give_identical_json(run_json):
    assert run_json("one") == run_json("two", "--jobs", "2")


def test_a_dask_cluster_on_loopback_gives_identical_json(run_json):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = run_json("dask", "--executor", "dask", "--scheduler", cluster.scheduler_address)
    assert remote == run_json("local")


@pytest.fixture
def faulty(extra_claims):
    extra_claims("faulty_claims")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_unit_that_raises_is_an_error_verdict_and_the_run_completes(faulty, tmp_path, jobs):
    path = tmp_path / "r.json"
    code = main(["run", "faulty.raises", "dual.step", "--budget", "quick", "--jobs", jobs, "--json", str(path)])
    claims = {c["id"]: c for c in json.loads(path.read_text())["claims"]}
    assert code == 1 and claims["dual.step"]["status"] == "verified"
    assert claims["faulty.raises"]["status"] == "error"
    assert "RuntimeError: this check always fails" in claims["faulty.raises"]["error"]
    assert "faulty.raises, check 0, seed 0" in claims["faulty.raises"]["error"]


def test_a_claims_seconds_include_its_checks(faulty, tmp_path):
    from faulty_claims import SLOW
    path = tmp_path / "s.json"
    main(["run", "faulty.slow", "--budget", "quick", "--json", str(path)])
    assert json.loads(path.read_text())["claims"][0]["seconds"] >= SLOW


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
