"""The authoring factories make ordinary claims that verify a true statement and refute wrong ones."""
import pytest

from verify import registry, runner
from verify.results import REFUTED, VERIFIED


@pytest.fixture
def made(extra_claims):
    extra_claims("authoring_claims")
    return registry.select(["mine.*"])


def test_a_factory_claim_is_verified(made):
    for claim in made:
        assert runner.evaluate(claim, budget="quick", seed=0, threshold=4.0).status == VERIFIED, claim.id


def test_its_mutants_are_refuted_by_the_numeric_layer(made):
    for claim in made:
        for mutant in claim.mutants:
            result = runner.evaluate(claim, mutant.name, budget="quick", seed=0, threshold=4.0)
            assert result.status == REFUTED and "numeric" in result.refuted_by, (claim.id, mutant.name)
