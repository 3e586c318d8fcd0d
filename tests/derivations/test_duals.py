"""derivations.duals: the Gaussian integrals, the statements, and derivations that fail on wrong statements."""
import pytest
import sympy as sp

from derivations import duals, gaussian
from derivations.engine import StepStatus, check_derivation
from derivations.gaussian import c, k11, k12, k22, z

PASSED = {StepStatus.PROVED, StepStatus.CHECKED_NUMERICALLY}


def _statuses(statement, derive):
    return [o.status for o in check_derivation(derive(statement), statement.domain)]


def test_gaussian_pair_integral_of_one_gaussian_factor():
    """E[e^{-u^2}] = 1/sqrt(1 + 2 k11)."""
    got = gaussian.gaussian_pair_integral(sp.exp(-z**2), sp.Integer(1))
    assert sp.simplify(got - 1 / sp.sqrt(1 + 2 * k11)) == 0


def test_gaussian_pair_integral_reproduces_the_erf_prime_dual():
    prime = duals.SIGMA["erf_prime"]
    got = gaussian.gaussian_pair_integral(prime, prime)
    stated = duals.CLOSED_FORM["erf_prime"].subs(k12, c * sp.sqrt(k11 * k22))
    assert sp.simplify(got - stated) == 0


def test_gaussian_integral_rejects_what_is_not_gaussian():
    with pytest.raises(ValueError, match="expr="):
        gaussian.gaussian_pair_integral(sp.tanh(z), sp.exp(-z**2))


def test_abrelu_expression_is_a_min_plus_b_max():
    for point in ({z: -1.5, duals.a: 0.3, duals.b: 2}, {z: 0.7, duals.a: -1, duals.b: 1}):
        expected = point[duals.a] * min(point[z], 0) + point[duals.b] * max(point[z], 0)
        assert float(duals.SIGMA["abrelu"].subs(point)) == pytest.approx(expected)


def test_abrelu_closed_form_specialises_to_relu():
    relu = duals.CLOSED_FORM["abrelu"].subs({duals.a: 0, duals.b: 1})
    assert sp.simplify(relu - duals.CLOSED_FORM["relu"]) == 0


@pytest.mark.parametrize("statement,derive", [
    (duals.ABRELU, duals.derive_abrelu),
    (duals.ERF, duals.derive_erf),
    (duals.TRIG, duals.derive_trig),
])
def test_true_statements_derive(statement, derive):
    assert set(_statuses(statement, derive)) <= PASSED


@pytest.mark.parametrize("statement,derive,name,wrong", [
    (duals.ABRELU, duals.derive_abrelu, "abrelu", (duals.a + duals.b)**2 * duals.CLOSED_FORM["relu"]),
    (duals.ERF, duals.derive_erf, "erf", 2 / sp.pi * sp.asin(k12 / sp.sqrt((1 + 2 * k11) * (1 + 2 * k22)))),
    (duals.POLYNOMIAL, duals.derive_polynomial, "quadratic", k11 * k22 + 4 * k12**2),
])
def test_a_wrong_statement_fails_a_step(statement, derive, name, wrong):
    assert StepStatus.REFUTED in _statuses(statement.with_rhs(name, wrong), derive)


def test_the_sinh_cosh_swap_is_caught_by_the_initial_values_only():
    """(S, C) = e^{-(k11+k22)/2}(cosh, sinh) solves (S, C)' = (C, S); only S(0) = 0 rules it out."""
    envelope = sp.exp(-(k11 + k22) / 2)
    swapped = duals.TRIG.with_rhs("sin", envelope * sp.cosh(k12)).with_rhs("cos", envelope * sp.sinh(k12))
    statuses = _statuses(swapped, duals.derive_trig)
    assert statuses[0] in PASSED and statuses[2] in PASSED
    assert statuses[1] is StepStatus.REFUTED and statuses[3] is StepStatus.REFUTED


def test_price_has_every_closed_form_pair():
    assert [r.name for r in duals.PRICE.relations] == list(duals.DERIVATIVE_DUAL)
    assert set(duals.DERIVATIVE_DUAL) <= set(duals.CLOSED_FORM)


def test_quadrature_statement_names_every_closed_form_and_integral():
    names = [r.name for r in duals.QUADRATURE.relations]
    assert names[0] == "order" and int(duals.QUADRATURE["order"].rhs) == duals.QUADRATURE_ORDER
    for name in duals.CLOSED:
        assert name in names and (name + "'" in names) == (name != "step")
    for name in duals.QUADRATURE_ONLY:
        assert isinstance(duals.QUADRATURE[name].rhs, sp.Integral)
        assert isinstance(duals.QUADRATURE[name + "'"].rhs, sp.Integral)


def test_quadrature_derivation_refutes_a_wrong_reference():
    wrong = duals.QUADRATURE.with_rhs("sin'", duals.CLOSED_FORM["sin"])
    assert StepStatus.REFUTED in _statuses(wrong, duals.derive_quadrature)
