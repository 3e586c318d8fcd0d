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
    allowed = (StepStatus.PROVED, StepStatus.CITED) if statement is lazy.KAPPA_WIDTH else (StepStatus.PROVED,)
    assert statuses and all(s in allowed for s in statuses), statuses


def test_the_width_exponents_are_computed_and_only_the_model_is_cited():
    steps = lazy.derive_kappa_width(lazy.KAPPA_WIDTH).steps
    cited = [s for s in steps if s.cite]
    assert len(cited) == 3 * len(lazy.CONFIGURATIONS)
    assert all("Jacot" in s.cite or ("Chizat" in s.cite and "Geman" in s.cite) for s in cited)
    links = {s.uses: s.linked for s in steps if s.uses}
    assert links == {"dual.relu": lazy.RELU, "dual.step": lazy.STEP, "lazy.kappa_alpha": lazy.KAPPA_ALPHA}
    # the exponents come from the model by limits, not from the statement's table
    assert lazy._model_exponents("standard", 3) == (1, sp.Rational(1, 2), sp.Rational(1, 2), sp.Rational(-1, 2))
    assert lazy._model_exponents("ntk", 2)[3] == sp.Rational(-1, 2)


def test_the_toy_kappa_links_the_general_relation():
    step = next(s for s in lazy.derive_toy(lazy.TOY).steps if s.uses)
    assert step.uses == "lazy.kappa_alpha" and step.linked is lazy.KAPPA_ALPHA


@pytest.mark.parametrize("statement,derive,name,rhs", [
    (lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, "zero_output",
     lazy.Rbar * lazy.Hn / (lazy.alpha**2 * lazy.G**2)),
    (lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, "large_alpha", sp.Integer(0) * lazy.Hn),
    (lazy.TOY, lazy.derive_toy, "kappa", lazy.TOY["kappa"].rhs * sp.Rational(101, 100)),
    (lazy.TOY, lazy.derive_toy, "minimiser", lazy.TOY["minimiser"].rhs * 2),
    (lazy.TOY, lazy.derive_toy, "loss_gap", lazy.TOY["loss_gap"].rhs * lazy.alpha),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "ntk_L2_kappa", sp.Integer(-1)),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "standard_L3_kappa", sp.Integer(-1)),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "ntk_L3_hessian", sp.Integer(0)),
    (lazy.KAPPA_WIDTH, lazy.derive_kappa_width, "standard_L2_jacobian", sp.Integer(0)),
    (lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, "general", lazy.KAPPA_ALPHA["general"].rhs / lazy.alpha),
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
