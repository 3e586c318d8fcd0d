"""The user claims of examples/ run as a user runs them: through the command line with --claims,
each verified with every mutant refuted; and the `new` scaffold writes a claim that is verified
as written and refuted once broken."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("relu_ntk", "relu_squared")


def verify(*args, cwd=ROOT):
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    env.pop("NTK_VERIFY_CLAIMS", None)
    return subprocess.run([sys.executable, "-m", "verify", *args], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_is_one_file_of_at_most_60_lines(name):
    assert len((ROOT / "examples" / f"{name}.py").read_text().splitlines()) <= 60


def test_the_examples_are_verified_through_the_command_line(tmp_path):
    out = tmp_path / "run.json"
    done = verify("run", "--claims", ",".join(f"examples.{n}" for n in EXAMPLES), "example.*",
                  "--budget", "quick", "--mutants", "--jobs", "2", "--json", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    claims = json.loads(out.read_text())["claims"]
    assert [c["id"] for c in claims] == ["example.relu_ntk", "example.relu_squared"]
    for claim in claims:
        assert claim["status"] == "verified" and len(claim["mutants"]) >= 3
        assert all(m["status"] == "refuted" for m in claim["mutants"])
        assert sum("numeric" in m["refuted_by"] for m in claim["mutants"]) >= 2


def test_the_scaffold_is_verified_and_refuted_once_broken(tmp_path):
    assert verify("new", "mine.lemma", str(tmp_path / "my_claims.py"), cwd=tmp_path).returncode == 0
    done = verify("run", "--claims", "my_claims", "mine.*", "--budget", "quick", "--mutants", cwd=tmp_path)
    assert done.returncode == 0 and "verified" in done.stdout, done.stdout + done.stderr
    path = tmp_path / "my_claims.py"
    path.write_text(path.read_text().replace("sp.exp((k11 + k22) / 2 + k12)", "sp.exp((k11 + k22) / 2 + 2 * k12)", 1))
    broken = verify("run", "--claims", "my_claims", "mine.*", "--budget", "quick", cwd=tmp_path)
    assert broken.returncode == 1 and "refuted" in broken.stdout, broken.stdout + broken.stderr
    assert verify("new", "mine.lemma", str(path), cwd=tmp_path).returncode == 2
