"""One table of bad inputs to the public API: each raises ValueError naming the parameter and value."""
import numpy as np
import pytest
import sympy as sp

from derivations.core import Domain, Relation, Statement, Step
from numeric import activations, montecarlo, stats
from verify import budgets, registry

x = sp.Symbol("x")

BAD_CALLS = [
    (lambda: activations.get("relux"), "relux"),
    (lambda: budgets.get("huge"), "huge"),
    (lambda: registry.get("no.such.claim"), "no.such.claim"),
    (lambda: registry.select(["kernal.*"]), "kernal.*"),
    (lambda: stats.critical_z(1.5, 10), "1.5"),
    (lambda: stats.critical_z(0.01, 0), "comparisons=0"),
    (lambda: montecarlo.validate_covariance(1.0, 1.0, 2.0), "k12"),
    (lambda: montecarlo.validate_covariance(-1.0, 1.0, 0.0), "k11=-1.0"),
    (lambda: montecarlo.validate_covariance(float("nan"), 1.0, 0.0), "k11=nan"),
    (lambda: montecarlo.expect(np.multiply, 1.0, 1.0, 0.0, samples=1, rng=np.random.default_rng()), "samples=1"),
    (lambda: Step("s", x, x, op="=="), "op='=='"),
    (lambda: Statement((), Domain({})), "relations"),
    (lambda: Statement((Relation("a", x, x), Relation("a", x, x)), Domain({})), "distinct"),
]


@pytest.mark.parametrize("call,named", BAD_CALLS)
def test_bad_input_is_named_in_the_error(call, named):
    with pytest.raises(ValueError) as info:
        call()
    assert named in str(info.value)
