"""Toy claims for the audit's tests, loaded through NTK_VERIFY_CLAIMS.

``toy.calibrated`` measures a sample mean of N(mu, 1) draws with its true standard
error; ``toy.overconfident`` reports half of it, so its z-scores spread twice as
wide.  ``toy.equal_mutant`` declares a "mutant" identical to its statement.
"""
import math

import sympy as sp
from hypothesis import strategies as st

from derivations.core import Derivation, Domain, Quantity, Relation, Statement, Step
from verify.checks import predict
from verify.claim import Claim, Mutant, NumericCheck
from verify.results import Comparison

mu = sp.Symbol("mu", real=True)
DRAWS = 400
_STATEMENT = Statement((Relation("mean", Quantity("E[X]"), mu),), Domain({mu: sp.Interval(-1, 1)}))


def _derive(statement):
    return Derivation((Step("the mean of N(mu, 1) is mu", statement.rhs, mu),))


def _check(name, se_factor):
    def measure(statement, config, ctx):
        draws = ctx.rng().normal(config, 1.0, DRAWS)
        prediction = predict(statement, "mean", {mu: config})
        se = se_factor / math.sqrt(DRAWS)
        test = ctx.test(float(draws.mean()), se, prediction, scale=1.0)
        return (Comparison("mean", (("mu", config),), test, DRAWS),)
    return NumericCheck(name, name, lambda budget: st.floats(-1, 1), measure)


def _mutants(*statements):
    return tuple(Mutant(f"m{i}", "mutant", s) for i, s in enumerate(statements))


_WRONG = [_STATEMENT.with_rhs("mean", mu + d) for d in (1, 2, 3)]

CLAIMS = (
    Claim("toy.calibrated", "honest standard errors", "tests", _STATEMENT, _derive,
          checks=(_check("honest", 1.0),), mutants=_mutants(*_WRONG)),
    Claim("toy.overconfident", "standard errors underestimated by half", "tests", _STATEMENT, _derive,
          checks=(_check("overconfident", 0.5),), mutants=_mutants(*_WRONG)),
    Claim("toy.equal_mutant", "a mutant equal to the statement", "tests", _STATEMENT, _derive,
          checks=(_check("honest", 1.0),), mutants=_mutants(_STATEMENT, *_WRONG[:2])),
)
