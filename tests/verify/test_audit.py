"""The audit measures what it claims to: calibration, survivors, false alarms."""
import json

import pytest

from verify import audit
from verify.cli import main


@pytest.fixture
def report(extra_claims, tmp_path, capsys):
    extra_claims("audit_claims")
    path = tmp_path / "audit.json"
    code = main(["audit", "toy.*", "--runs", "10", "--json", str(path)])
    return code, json.loads(path.read_text()), capsys.readouterr().out


def test_an_overconfident_check_is_flagged_and_an_honest_one_is_not(report):
    _, result, out = report
    status = {(c["claim_id"], c["check"]): c for c in result["checks"]}
    flagged = status[("toy.overconfident", "overconfident")]
    assert flagged["status"] == "mis-calibrated" and flagged["std"] > audit.STD_RANGE[1]
    assert flagged["count"] >= 20  # runs it refuted stop at their first failing example
    assert status[("toy.calibrated", "honest")]["status"] == "calibrated"
    assert "mis-calibrated" in out


def test_a_mutant_equal_to_the_statement_survives_and_fails_the_audit(report):
    code, result, out = report
    assert result["survivors"] == ["toy.equal_mutant:m0"]
    assert code == 1 and result["exit_code"] == 1
    assert "surviving: toy.equal_mutant:m0" in out


def test_counts_and_the_binomial_allowance():
    calm = audit.calibrate("c", "k", [0.1, -0.2, 1.0, -1.1, 0.5, -0.4, 1.6, -1.5, 0.0])
    assert calm.status == "calibrated"
    assert audit.calibrate("c", "k", [0.0] * 3).status == "too few"
    assert audit.calibrate("c", "k", []).status == "deterministic"
    assert audit.calibrate("c", "k", [3.0] * 10).status == "mis-calibrated"


def test_bad_runs_is_a_usage_error(capsys):
    assert main(["audit", "--runs", "0"]) == 2
    assert "--runs" in capsys.readouterr().err
