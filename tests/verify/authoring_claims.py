"""Claims made with the authoring factories (loaded through NTK_VERIFY_CLAIMS by test_authoring):
an exact identity under a rounding model and a width limit with a derived rate."""
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import asymptotics
from derivations.core import Domain
from verify.authoring import (Derivation, Justification, Mutant, Quantity, Relation, Statement, Step, claim,
                              exact_check, identity, width_limit_check)

x = sp.Symbol("x", real=True)
LINE = Domain({x: sp.Interval(-3, 3)})
PYTHAGORAS = identity("hyperbolic", Quantity("cosh(x)^2 - sinh(x)^2"), sp.Integer(1), domain=LINE)
s = sp.Symbol("s", positive=True)
AVERAGE = Statement((Relation("limit", Quantity("lim X_n"), sp.Integer(1)),
                     Relation("rate", Quantity("fluctuation exponent"), sp.Rational(-1, 2))),
                    Domain({s: sp.Interval(1, 2)}), "X_n the average of n squared standard normals")


def _hyperbolic(statement):
    value = (sp.cosh(x) ** 2 - sp.sinh(x) ** 2).rewrite(sp.exp)
    return Derivation((Step("cosh^2 - sinh^2 in exponentials", sp.expand(value), statement.rhs),))


def _average(statement):
    rate = asymptotics.exponent(asymptotics.spread_of_sum(asymptotics.n, 2) / asymptotics.n)
    return Derivation((Step("E[z^2] = 1", sp.integrate(x**2 * sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi), (x, -sp.oo, sp.oo)),
                            statement["limit"].rhs, Justification.INTEGRATE),
                       Step("sd of a mean of n terms of variance 2", rate, statement["rate"].rhs)))


EXACT = claim("mine.hyperbolic", "cosh^2 - sinh^2 = 1", "tests", PYTHAGORAS, _hyperbolic,
              exact_check("hyperbolic", lambda c: np.cosh(c["x"]) ** 2 - np.sinh(c["x"]) ** 2, operations=4,
                          condition=lambda c: np.cosh(c["x"]) ** 2 + np.sinh(c["x"]) ** 2, domain=LINE),
              mutants={"zero": ("0", 0), "two": ("2", 2), "off-by-1e-6": ("1 + 1e-6", 1 + sp.Rational(1, 10**6))})
WIDTH = claim("mine.average", "the average of squares tends to 1 like n^-1/2", "tests", AVERAGE, _average,
              width_limit_check("limit", "rate", lambda c, n, seeds, rng: (rng.standard_normal((seeds, n)) ** 2).mean(1),
                                widths=lambda level: (16, 64, 256), seeds=lambda level: 400,
                                configs=lambda budget: st.just({"s": 1.0})),
              mutants=(Mutant("limit-2", "2", AVERAGE.with_rhs("limit", 2)),
                       Mutant("limit-half", "1/2", AVERAGE.with_rhs("limit", sp.Rational(1, 2))),
                       Mutant("rate-1", "exponent -1", AVERAGE.with_rhs("rate", -1))))
CLAIMS = (EXACT, WIDTH)
