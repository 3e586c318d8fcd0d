"""Every registered claim is verified at the quick budget, and every mutant is refuted.

Each mutant runs through each layer on its own (the derivation; the numeric checks):
every claim with numeric checks must show them able to fail, by at least two mutants
that its numeric checks alone refute.  The threshold is the one ``python -m verify all --budget quick`` uses (Bonferroni over
every claim's comparisons), so these tests judge exactly what the CLI judges.
"""
import functools

import pytest

from numeric.stats import critical_z
from verify import registry, runner
from verify.budgets import get as budget
from verify.results import NUMERIC_LAYER, REFUTED, VERIFIED

BUDGET, SEED, ALPHA = "quick", 0, 1e-3


@functools.cache
def _threshold() -> float:
    return critical_z(ALPHA, max(1, runner.comparisons(registry.claims().values(), budget(BUDGET))))


@functools.cache
def _evaluate(claim_id, mutant=None):
    return runner.evaluate(registry.get(claim_id), mutant, budget=BUDGET, seed=SEED, threshold=_threshold())


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_claim_is_verified(claim_id):
    result = _evaluate(claim_id)
    assert result.error is None, result.error
    failing = [s.text for s in result.steps if s.status not in ("proved", "checked-numerically", "cited")]
    assert not failing, failing
    assert result.status == VERIFIED, [(c.name, c.status, c.counterexample) for c in result.checks]
    assert result.steps, "a claim without derivation steps proves nothing"


@pytest.mark.parametrize("claim_id,mutant", [(c.id, m.name) for c in registry.claims().values()
                                             for m in c.mutants])
def test_mutant_is_refuted(claim_id, mutant):
    result = _evaluate(claim_id, mutant)
    assert result.error is None, result.error
    assert result.status == REFUTED, f"{claim_id}: mutant {mutant} survived"


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_every_claim_has_three_mutants_and_a_source(claim_id):
    claim = registry.get(claim_id)
    assert len(claim.mutants) >= 3
    assert claim.source and claim.title


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_every_claim_is_confirmed_numerically(claim_id):
    assert registry.get(claim_id).checks, f"{claim_id} has no numeric check"


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_the_numeric_checks_alone_refute_two_mutants(claim_id):
    claim = registry.get(claim_id)
    numeric = [m.name for m in claim.mutants if NUMERIC_LAYER in _evaluate(claim_id, m.name).refuted_by]
    assert len(numeric) >= 2, f"{claim_id}: the numeric checks alone refute only {numeric}"
