"""derivations.lazy: every step of the true statements is proved; wrong statements fail a step."""
import pytest
import sympy as sp

from derivations import lazy
from derivations.engine import StepStatus, check_derivation

STATEMENTS = [(lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha), (lazy.TOY, lazy.derive_toy),
              (lazy.KAPPA_WIDTH, lazy.derive_kappa_width), (lazy.LINEARIZATION, lazy.derive_linearization)]


def _statuses(statement, derive):
    return [o.status for o in check_derivation(derive(statement), statement.domain)]


@pytest.mark.parametrize("statement,derive", STATEMENTS)
def test_true_statements_are_proved_step_by_step(statement, derive):
    statuses = _statuses(statement, derive)
    assert statuses and all(s is StepStatus.PROVED for s in statuses), statuses


@pytest.mark.parametrize("statement,derive,name,rhs", [
    (lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, "zero_output",
     lazy.Rbar * lazy.Hn / (lazy.alpha**2 * lazy.G**2)),
    (lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, "large_alpha", sp.Integer(0) * lazy.Hn),
    (lazy.TOY, lazy.derive_toy, "kappa", lazy.TOY["kappa"].rhs * sp.Rational(101, 100)),
    (lazy.TOY, lazy.derive_toy, "minimiser", lazy.TOY["minimiser"].rhs * 2),
    (lazy.TOY, lazy.derive_toy, "loss_gap", lazy.TOY["loss_gap"].rhs * lazy.alpha),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "ntk_L2_kappa", sp.Integer(-1)),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "standard_L3_kappa", sp.Integer(-1)),
    (lazy.LINEARIZATION, lazy.derive_linearization, "remainder", lazy.Q * lazy.r**3 / 2),
    (lazy.LINEARIZATION, lazy.derive_linearization, "kernel", lazy.Theta_w),
])
def test_wrong_statements_are_refuted(statement, derive, name, rhs):
    assert StepStatus.REFUTED in _statuses(statement.with_rhs(name, rhs), derive)


def test_width_exponents_of_the_scaling_argument():
    exponents = {(p, L, q): lazy.KAPPA_WIDTH[lazy.exponent_name(p, L, q)].rhs
                 for p, L in lazy.CONFIGURATIONS for q in ("jacobian", "hessian", "kappa")}
    assert exponents[("ntk", 2, "kappa")] == exponents[("ntk", 3, "kappa")] == sp.Rational(-1, 2)
    assert exponents[("standard", 2, "kappa")] == -1
    assert exponents[("standard", 3, "hessian")] == sp.Rational(1, 2)
    for p, L in lazy.CONFIGURATIONS:
        assert exponents[(p, L, "kappa")] == exponents[(p, L, "hessian")] - exponents[(p, L, "jacobian")]


def test_toy_derivatives_are_those_of_the_model():
    for k, (symbol, value) in enumerate(lazy.TOY_DERIVATIVES.items(), start=1):
        exact = sp.diff(lazy.TOY_MODEL, lazy.TOY_W, k).subs(lazy.TOY_W, lazy.TOY_W0)
        assert sp.N(exact - value, 30) == 0
        assert symbol == lazy.TOY_F[k - 1]
