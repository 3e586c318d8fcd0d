"""Claims that misbehave on purpose, loaded through NTK_VERIFY_CLAIMS by the executor tests."""
import os
import time

import sympy as sp
from hypothesis import strategies as st

from derivations.core import Derivation, Domain, Relation, Statement, Step
from verify.claim import Claim, Mutant, NumericCheck

x = sp.Symbol("x", real=True)
_STATEMENT = Statement((Relation("x", x, x),), Domain({x: sp.Interval(0, 1)}))


def _derive(statement):
    return Derivation((Step("x = x", statement.rhs, x),))


def _check(name, action):
    def measure(statement, config, ctx):
        action()
        return ()
    return NumericCheck(name, name, lambda budget: st.just(0), measure, per_example=0)


def _raise():
    raise RuntimeError("this check always fails")


def _die():
    os._exit(3)


def _dawdle():
    time.sleep(SLOW)


SLOW = 0.3


_MUTANTS = tuple(Mutant(f"m{i}", "x + i", _STATEMENT.with_rhs("x", x + i)) for i in (1, 2, 3))

CLAIMS = (
    Claim("faulty.raises", "a check that raises", "tests", _STATEMENT, _derive,
          checks=(_check("raises", _raise),), mutants=_MUTANTS),
    Claim("faulty.dies", "a check whose worker dies", "tests", _STATEMENT, _derive,
          checks=(_check("dies", _die),), mutants=_MUTANTS),
    Claim("faulty.slow", f"a check that sleeps {SLOW} s", "tests", _STATEMENT, _derive,
          checks=(_check("sleeps", _dawdle),), mutants=_MUTANTS),
)
