"""verify.claims.depth and .design: the network simulation, the claims at the quick budget, the mutants' layers."""
import numpy as np
import pytest

from numeric import activations, depth
from numeric.stats import critical_z
from verify import budgets, registry, runner
from verify.claims import depth as claims
from verify.claims import design
from verify.results import REFUTED

IDS = [c.id for c in claims.CLAIMS + design.CLAIMS]


def test_simulated_networks_follow_the_mean_field_map():
    """At width 2048 the mean correlation after one layer is the mean-field map's value (O(1/n) bias)."""
    q = float(depth.depth_scales("erf", 2.0, 0.0).q_star)
    draws = claims.simulate_correlations(activations.get("erf"), 2.0, q, 0.9, 2, 2048, 400,
                                         np.random.default_rng(0))
    assert np.all(draws[:, 0] == pytest.approx(0.9))
    mean, se = draws[:, 1].mean(), draws[:, 1].std(ddof=1) / np.sqrt(len(draws))
    assert abs(mean - float(depth.correlation_map("erf", 2.0, 0.0, 0.9))) < 5 * se + 1e-3


DERIVATION_ONLY = {"depth-scale-inverted", "relu-dual-theta", "no-secular-factor"}
"""ξ_c = −1/ln χ_c is not measured (its rate ln χ_c is), nor is the arc-cosine closed form of
design.hermite_dual (its series' coefficients are); the NTK's secular factor ℓ biases the fitted
rate by ~1/ℓ, which the fit's truncation SE (the change between depth windows) absorbs: those
mutants are the derivation's alone."""


@pytest.mark.parametrize("claim_id", IDS)
def test_claims_are_verified_and_every_mutant_is_refuted_by_the_intended_layers(claim_id):
    claim = registry.get(claim_id)
    threshold = critical_z(1e-3, max(1, runner.comparisons([claim], budgets.get("quick"))))
    result = runner.evaluate(claim, None, budget="quick", seed=0, threshold=threshold)
    assert result.status == "verified", result.verdict
    assert len(claim.mutants) >= 3
    numeric = 0
    for mutant in claim.mutants:
        outcome = runner.evaluate(claim, mutant.name, budget="quick", seed=0, threshold=threshold)
        layers = {"derivation"} if mutant.name in DERIVATION_ONLY else {"derivation", "numeric"}
        assert outcome.status == REFUTED and layers <= set(outcome.refuted_by), mutant.name
        numeric += "numeric" in outcome.refuted_by
    assert numeric >= 2
