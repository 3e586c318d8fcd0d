"""verify.claims.duals: the estimators behind the dual checks, the registry order, the mutants' layers."""
import math

import numpy as np
import pytest

from derivations import duals
from numeric import montecarlo
from numeric.stats import critical_z
from verify import budgets, registry, runner
from verify.claims import duals as claims
from verify.results import REFUTED

ORDER = ["dual.step", "dual.relu", "dual.abrelu", "dual.erf_prime", "dual.erf", "dual.trig",
         "dual.polynomial", "dual.price", "dual.relu2", "dual.quadrature"]


def _mean_and_se(h, cov, samples=200_000, seed=0):
    est = montecarlo.expect(h, *cov, samples=samples, rng=np.random.default_rng(seed))
    return est.mean, est.se


@pytest.mark.parametrize("f,derivative", [
    (lambda x: x, lambda k11, k22, k12: 1.0),                     # E[uv] = k12
    (np.square, lambda k11, k22, k12: 4 * k12),                   # E[u^2 v^2] = k11 k22 + 2 k12^2
    (np.cos, lambda k11, k22, k12: math.exp(-(k11 + k22) / 2) * math.sinh(k12)),
])
def test_difference_quotient_estimates_the_k12_derivative(f, derivative):
    k11, k22, c = 0.7, 1.8, 0.85
    cov = (k11, k22, c * math.sqrt(k11 * k22))
    mean, se = _mean_and_se(claims.difference_quotient(f, f, k11, k22, c, 1e-4 * (1 - c)), cov)
    assert abs(mean - derivative(*cov)) < 5 * se


def test_registry_order_and_uses_are_acyclic():
    ids = [cid for cid in registry.claims() if cid.startswith("dual.")]
    assert ids == ORDER
    graph = {cid: registry.get(cid).uses for cid in ids}
    visiting, done = set(), set()

    def visit(node):
        assert node not in visiting, f"cycle through {node}"
        if node in done:
            return
        visiting.add(node)
        for used in graph.get(node, ()):
            visit(used)
        visiting.discard(node)
        done.add(node)

    for cid in ids:
        visit(cid)


@pytest.mark.parametrize("claim_id", [cid for cid in ORDER if cid != "dual.quadrature"])
def test_every_closed_form_claim_holds_the_library_to_rounding(claim_id):
    """The last check of every closed-form claim compares the library's duals with the statement,
    and its comparisons are within a few rounding units."""
    claim = registry.get(claim_id)
    assert claim.checks[-1].name == "library"
    threshold = critical_z(1e-3, max(1, runner.comparisons([claim], budgets.get("quick"))))
    result = runner.evaluate(claim, None, budget="quick", seed=0, threshold=threshold)
    library = result.checks[-1]
    assert library.status == "consistent" and library.comparisons
    assert max(abs(c.test.z) for c in library.comparisons) < 1.0


def test_the_integrand_of_a_scaled_integral_is_scaled():
    doubled = duals.QUADRATURE.with_rhs("tanh", 2 * duals.QUADRATURE["tanh"].rhs)
    h = claims._integrand(doubled["tanh"])
    assert h(0.5, -0.2) == pytest.approx(2 * math.tanh(0.5) * math.tanh(-0.2))


LAYERS = {
    "dual.quadrature": {"too-few-nodes": {"derivation", "numeric"}, "tanh-factor-2": {"numeric"},
                        "gelu-prime-sign": {"numeric"}, "exact-degree-n-plus-1": {"derivation"}},
    "dual.erf_prime": {"factor-2": {"derivation", "numeric"}, "missing-term": {"derivation", "numeric"},
                       "wrong-exponent": {"derivation", "numeric"}, "constant-1pct": {"derivation", "numeric"}},
    "dual.relu2": {name: {"derivation", "numeric"} for name in (
        "theta-for-pi-minus-theta", "sin-term-1-for-3", "constant-1pct", "derivative-factor-2")},
}
"""The layers that must refute each mutant (others may too)."""


@pytest.mark.parametrize("claim_id", list(LAYERS))
def test_mutants_are_refuted_by_the_intended_layers(claim_id):
    """A 1% change is caught by both layers (the library check holds the library's closed form to
    rounding); integrals only by Monte Carlo; the exact degree of the rule only by the derivation."""
    claim = registry.get(claim_id)
    assert {m.name for m in claim.mutants} == set(LAYERS[claim_id])
    threshold = critical_z(1e-3, max(1, runner.comparisons([claim], budgets.get("quick"))))
    for name, layers in LAYERS[claim_id].items():
        mutant = runner.evaluate(claim, name, budget="quick", seed=0, threshold=threshold)
        assert mutant.status == REFUTED and layers <= set(mutant.refuted_by)
