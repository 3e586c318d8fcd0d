"""The command line as a user meets it: verdicts, exit codes, JSON, and one-line errors."""
import json
import os
import subprocess
import sys

import pytest

from verify.cli import main


def test_run_prints_a_verdict_line_and_exits_0(capsys):
    assert main(["run", "dual.relu", "--budget", "quick"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "dual.relu" in l)
    assert "verified" in line and "max|z|" in line and "MDE" in line and " s " in line


def test_mutants_are_listed_as_refuted(capsys):
    assert main(["run", "dual.step", "--budget", "quick", "--mutants"]) == 0
    assert "mutants 3/3 refuted" in capsys.readouterr().out


def test_same_seed_same_json_apart_from_timings(tmp_path, strip_timings):
    """Every claim, in two processes with different hash seeds: byte-identical apart from timings."""
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for hash_seed, path in zip(("1", "2"), paths):
        done = subprocess.run([sys.executable, "-m", "verify", "all", "--budget", "quick", "--seed", "7",
                               "--jobs", "2", "--json", str(path)], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert done.returncode in (0, 1), done.stderr
    a, b = (json.loads(p.read_text()) for p in paths)
    assert json.dumps(strip_timings(a), indent=1) == json.dumps(strip_timings(b), indent=1)
    assert a["seed"] == 7 and a["budget"] == "quick" and a["alpha"] == 1e-3
    check = a["claims"][0]["checks"][0]["comparisons"][0]["test"]
    assert {"estimate", "prediction", "se", "z", "threshold", "mde"} <= set(check)


def test_a_different_seed_draws_differently(tmp_path):
    runs = []
    for seed in ("1", "2"):
        path = tmp_path / f"{seed}.json"
        main(["run", "dual.relu", "--budget", "quick", "--seed", seed, "--json", str(path)])
        runs.append(json.loads(path.read_text())["claims"][0]["checks"][0]["comparisons"])
    assert runs[0] != runs[1]


def test_list_as_json(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"dual.step", "dual.relu", "dual.price"} <= {r["id"] for r in rows}


BAD_COMMANDS = [
    (["run", "no.such.claim"], "closest"),
    (["run", "dual.rleu"], "dual.relu"),
    (["all", "--budget", "huge"], "quick, standard, thorough"),
    (["all", "--seed", "-1"], "--seed"),
    (["all", "--seed", "seven"], "--seed"),
    (["all", "--alpha", "2"], "--alpha"),
    (["all", "--alpha", "0"], "--alpha"),
    (["all", "--json", "/no/such/folder/a.json"], "does not exist"),
    (["all", "--json", "/"], "directory"),
    ([], "required"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv,hint", BAD_COMMANDS)
def test_usage_errors_are_one_line_and_exit_2(argv, hint, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and hint in lines[0] and "Traceback" not in captured.err
    assert captured.out == ""


def test_nothing_is_written_when_the_command_is_bad(tmp_path):
    path = tmp_path / "out.json"
    assert main(["run", "no.such.claim", "--json", str(path)]) == 2
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_python_dash_m_verify_exits_2_without_a_traceback():
    done = subprocess.run([sys.executable, "-m", "verify", "run", "no.such.claim"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
