"""The pytest plugin: opt-in, one item per claim and per mutant, failures carry the evidence."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRONG = """
from dataclasses import replace
from examples.relu_squared import CLAIMS as RIGHT

CLAIMS = (replace(RIGHT[0], id="wrong.relu_squared", statement=RIGHT[0].mutant("over-pi").statement),)
"""
COUNTED = """
import collections
from verify import runner

EVALUATED = collections.Counter()
_evaluate = runner.evaluate


def counted(claim, mutant=None, **run):
    EVALUATED[claim.id, mutant] += 1
    return _evaluate(claim, mutant, **run)


runner.evaluate = counted
"""
HERE = """
from conftest import EVALUATED
from verify import registry
from verify.pytest_plugin import claims_here, result
from verify.results import LAYERS

claims = claims_here()


def test_the_records_are_the_items_own(pytestconfig):
    mutants = [m.name for m in registry.get("example.relu_squared").mutants]
    assert all(set(result(pytestconfig, "example.relu_squared", m).refuted_by) <= set(LAYERS) for m in mutants)
    assert sorted(EVALUATED.values()) == [1] * (1 + len(mutants)), EVALUATED
"""


def pytest_in(folder, *args):
    """A user's pytest run in ``folder`` (its own rootdir), with the examples importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder)])}
    env.pop("NTK_VERIFY_CLAIMS", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, env=env, capture_output=True, text=True)


def test_claims_and_mutants_are_items_that_pass(tmp_path):
    report = tmp_path / "report.xml"
    done = pytest_in(tmp_path, "--ntk-verify", "--ntk-verify-claims", "examples.relu_squared",
                     "--ntk-verify-claims", "examples.relu_ntk", "--ntk-verify-seed", "3",
                     "--ntk-verify-budget", "quick", "-vv", f"--junitxml={report}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ntk-verify: budget quick, seed 3" in done.stdout
    assert "ntk-verify::example.relu_squared PASSED" in done.stdout
    assert "ntk-verify::example.relu_ntk PASSED" in done.stdout
    assert done.stdout.count("[mutant:") == 8 and "10 passed" in done.stdout
    layers = [p.get("value") for p in ET.parse(report).iter("property") if p.get("name") == "refuted_by"]
    assert len(layers) == 8 and all(value in ("derivation", "numeric", "derivation numeric") for value in layers)


def test_a_module_declaring_the_claims_collects_them_and_another_file_runs_without_them(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\nntk_verify_claims = examples.relu_squared\n")
    (tmp_path / "conftest.py").write_text(COUNTED)
    (tmp_path / "test_here.py").write_text(HERE)
    (tmp_path / "test_other.py").write_text("def test_alone():\n    pass\n")
    done = pytest_in(tmp_path, "-vv")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_here.py::ntk-verify::example.relu_squared PASSED" in done.stdout
    assert "test_here.py::ntk-verify::example.relu_squared[mutant:over-pi] PASSED" in done.stdout
    assert "7 passed" in done.stdout
    alone = pytest_in(tmp_path, "test_other.py")
    assert alone.returncode == 0 and "1 passed" in alone.stdout, alone.stdout + alone.stderr


def test_a_wrong_claim_fails_with_its_evidence(tmp_path):
    (tmp_path / "wrong_claims.py").write_text(WRONG)
    (tmp_path / "pytest.ini").write_text("[pytest]\nntk_verify = true\nntk_verify_claims = wrong_claims\n")
    done = pytest_in(tmp_path, "-x")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed in" in done.stdout and "stopping after 1 failures" in done.stdout
    assert "wrong.relu_squared: refuted" in done.stdout
    assert "step refuted" in done.stdout or ("z " in done.stdout and "threshold" in done.stdout)


def test_nothing_is_collected_unless_asked(tmp_path):
    done = pytest_in(tmp_path, "--ntk-verify-claims", "examples.relu_squared")
    assert done.returncode == 5 and "no tests ran" in done.stdout


def test_a_broken_claim_module_is_a_usage_error(tmp_path):
    done = pytest_in(tmp_path, "--ntk-verify", "--ntk-verify-claims", "no_such_claims")
    assert done.returncode == 4 and "claim module 'no_such_claims': not found" in done.stderr
