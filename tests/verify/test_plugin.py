"""The pytest plugin: opt-in, one item per claim and per mutant, failures carry the evidence."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRONG = """
from dataclasses import replace
from examples.relu_squared import CLAIMS as RIGHT

CLAIMS = (replace(RIGHT[0], id="wrong.relu_squared", statement=RIGHT[0].mutant("over-pi").statement),)
"""


def pytest_in(folder, *args):
    """A user's pytest run in ``folder`` (its own rootdir), with the examples importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder)])}
    env.pop("NTK_VERIFY_CLAIMS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, env=env, capture_output=True, text=True)


def test_claims_and_mutants_are_items_that_pass(tmp_path):
    done = pytest_in(tmp_path, "--ntk-verify", "--ntk-verify-claims", "examples.relu_squared",
                     "--ntk-verify-claims", "examples.relu_ntk", "--ntk-verify-seed", "3",
                     "--ntk-verify-budget", "quick", "-vv")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ntk-verify: budget quick, seed 3" in done.stdout
    assert "ntk-verify::example.relu_squared PASSED" in done.stdout
    assert "ntk-verify::example.relu_ntk PASSED" in done.stdout
    assert done.stdout.count("[mutant:") == 8 and "10 passed" in done.stdout


def test_a_wrong_claim_fails_with_its_evidence(tmp_path):
    (tmp_path / "wrong_claims.py").write_text(WRONG)
    (tmp_path / "pytest.ini").write_text("[pytest]\nntk_verify = true\nntk_verify_claims = wrong_claims\n")
    done = pytest_in(tmp_path, "-k", "not mutant")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wrong.relu_squared: refuted" in done.stdout
    assert "step refuted" in done.stdout or ("z " in done.stdout and "threshold" in done.stdout)


def test_nothing_is_collected_unless_asked(tmp_path):
    done = pytest_in(tmp_path, "--ntk-verify-claims", "examples.relu_squared")
    assert done.returncode == 5 and "no tests ran" in done.stdout


def test_a_broken_claim_module_is_a_usage_error(tmp_path):
    done = pytest_in(tmp_path, "--ntk-verify", "--ntk-verify-claims", "no_such_claims")
    assert done.returncode == 4 and "claim module 'no_such_claims': not found" in done.stderr
