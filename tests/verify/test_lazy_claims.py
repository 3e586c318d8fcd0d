"""verify.claims.lazy: the claims are registered, verified, and record their figure data."""
import numpy as np
import pytest

from verify import registry, runner
from verify.results import VERIFIED

IDS = ("lazy.kappa_alpha", "lazy.toy_model", "lazy.kappa_width", "lazy.linearization")


def _evaluate(claim_id):
    return runner.evaluate(registry.get(claim_id), budget="quick", seed=3, threshold=4.5)


def test_the_family_is_registered_with_mutants():
    for claim_id in IDS:
        claim = registry.get(claim_id)
        assert len(claim.mutants) >= 3 and claim.checks


def test_kappa_against_alpha_figure():
    result = _evaluate("lazy.kappa_alpha")
    assert result.status == VERIFIED
    data = result.checks[0].data["kappa_vs_alpha"]
    alpha = np.array(data["alpha"])
    zero = data["zero_output"]
    assert np.allclose(np.array(zero["measured"]) * alpha, zero["measured"][0] * alpha[0], rtol=1e-10)
    assert np.allclose(zero["measured"], zero["exact"], rtol=1e-10)
    assert np.allclose(data["general"]["measured"], data["general"]["exact"], rtol=1e-10)
    assert data["general"]["exact"][-1] == pytest.approx(data["limit"], rel=0.05)


def test_toy_model_loss_curves():
    result = _evaluate("lazy.toy_model")
    assert result.status == VERIFIED
    curves = result.checks[0].data["loss_curves"]
    w0 = curves["w"].index(min(curves["w"], key=lambda w: abs(w - 0.4)))
    for a, true, lin in zip(curves["alpha"], curves["true"], curves["linearised"]):
        assert len(true) == len(lin) == len(curves["w"])
        assert true[w0] == pytest.approx(lin[w0], rel=0.05)
    gaps = [np.max(np.abs(np.array(t) - np.array(l))) for t, l in zip(curves["true_s"], curves["linearised_s"])]
    assert gaps == sorted(gaps, reverse=True)


def test_linearization_is_verified():
    assert _evaluate("lazy.linearization").status == VERIFIED


@pytest.mark.slow
def test_kappa_against_width_figure():
    result = _evaluate("lazy.kappa_width")
    assert result.status == VERIFIED
    data = result.checks[0].data
    for key in ("kappa_vs_width/ntk/L2", "kappa_vs_width/standard/L2", "kappa_vs_width/ntk/L3",
                "kappa_vs_width/standard/L3"):
        entry = data[key]
        assert len(entry["widths"]) == len(entry["kappa"]) == 4
        assert abs(entry["slope"] - entry["exponent"]) < 5 * entry["slope_se"]
