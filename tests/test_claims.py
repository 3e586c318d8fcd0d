"""Every registered claim is verified at the quick budget, and every mutant is refuted.

The claims are collected here through the project's own pytest plugin (``verify.pytest_plugin``,
``claims_here``), with pyproject's settings (the built-in claims, budget quick, seed 0): one item
per claim (``tests/test_claims.py::ntk-verify::dual.relu``) and one per mutant
(``...::dual.relu[mutant:over-pi]``).  The threshold is the one ``python -m verify all --budget
quick`` uses (Bonferroni over every claim's comparisons), so these items judge exactly what the
command line judges.  Running another test file alone collects none of them.

Each mutant runs through each layer on its own (the derivation; the numeric checks): every claim
with numeric checks must show them able to fail, by at least two mutants that its numeric checks
alone refute.  That test, and the one asking every derivation for steps, read the records the
plugin's items made (``pytest_plugin.result``): no claim or mutant is evaluated twice.
"""
import pytest

from verify import registry
from verify.pytest_plugin import claims_here, result
from verify.results import NUMERIC_LAYER

claims = claims_here()


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_every_claim_has_three_mutants_and_a_source(claim_id):
    claim = registry.get(claim_id)
    assert len(claim.mutants) >= 3
    assert claim.source and claim.title


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_every_claim_is_confirmed_numerically(claim_id):
    assert registry.get(claim_id).checks, f"{claim_id} has no numeric check"


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_every_derivation_has_steps(claim_id, pytestconfig):
    assert result(pytestconfig, claim_id).steps, "a claim without derivation steps proves nothing"


@pytest.mark.parametrize("claim_id", list(registry.claims()))
def test_the_numeric_checks_alone_refute_two_mutants(claim_id, pytestconfig):
    claim = registry.get(claim_id)
    numeric = [m.name for m in claim.mutants if NUMERIC_LAYER in result(pytestconfig, claim_id, m.name).refuted_by]
    assert len(numeric) >= 2, f"{claim_id}: the numeric checks alone refute only {numeric}"
