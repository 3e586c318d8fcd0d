"""derivations.duals: the Gaussian integrals, the statements, and derivations that fail on wrong statements."""
import pytest
import sympy as sp

from derivations import duals, gaussian
from derivations.engine import StepStatus, check_derivation, check_step
from derivations.gaussian import c, k11, k12, k22, z

PASSED = {StepStatus.PROVED, StepStatus.CHECKED_NUMERICALLY, StepStatus.CITED}


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
    steps = duals.derive_trig(swapped).steps
    statuses = _statuses(swapped, duals.derive_trig)
    refuted = [s.text for s, status in zip(steps, statuses) if status is StepStatus.REFUTED]
    assert len(refuted) == 2 and all(text.startswith("At $k_{12} = 0$") for text in refuted)
    assert sum(status in PASSED for status in statuses) == len(steps) - 2


def test_the_price_theorem_is_proved_where_sympy_can_and_cited_where_not():
    statuses = _statuses(duals.PRICE, duals.derive_price)
    assert statuses[0] is StepStatus.PROVED and statuses[1] is StepStatus.CITED
    assert set(statuses[2:]) == {StepStatus.PROVED}


@pytest.mark.parametrize("name", list(duals.DERIVATIVE))
def test_sympy_finds_the_stated_form_of_each_derivative(name):
    assert check_step(duals.derivative_form(name), duals.PRICE.domain).status is StepStatus.PROVED


def test_a_wrong_derivative_dual_fails_its_linked_step():
    wrong = duals.PRICE.with_rhs("abrelu", (duals.a - duals.b)**2 * duals.CLOSED_FORM["step"])
    steps, statuses = duals.derive_price(wrong).steps, _statuses(wrong, duals.derive_price)
    refuted = [s for s, status in zip(steps, statuses) if status is StepStatus.REFUTED]
    assert [s.uses for s in refuted] == ["dual.step"]


def test_the_abrelu_expansion_is_computed_from_the_relu_statement():
    expand = duals.derive_abrelu(duals.ABRELU).steps[-1]
    assert expand.linked is duals.RELU and expand.uses == "dual.relu"
    j = duals.CLOSED_FORM["relu"]
    stated = (duals.a**2 + duals.b**2) * j - 2 * duals.a * duals.b * j.subs(k12, -k12)
    assert sp.simplify(expand.rhs - stated.rewrite(sp.asin)) == 0


def test_price_has_every_closed_form_pair():
    assert [r.name for r in duals.PRICE.relations] == [n for n in duals.DERIVATIVE_DUAL if n != "relu2"]
    assert duals.RELU2["relu2'"].rhs == duals.DERIVATIVE_DUAL["relu2"]
    assert set(duals.DERIVATIVE_DUAL) <= set(duals.CLOSED_FORM)


def test_quadrature_statement_names_its_rule_accuracy_and_integrals():
    names = [r.name for r in duals.QUADRATURE.relations]
    assert names[:3] == ["order", "exact degree", "accuracy"]
    assert int(duals.QUADRATURE["order"].rhs) == duals.QUADRATURE_ORDER
    assert int(duals.QUADRATURE["exact degree"].rhs) == 2 * (duals.QUADRATURE_ORDER // 2) - 1
    for name in duals.QUADRATURE_ONLY:
        assert isinstance(duals.QUADRATURE[name].rhs, sp.Integral)
        assert isinstance(duals.QUADRATURE[name + "'"].rhs, sp.Integral)


def test_quadrature_derivation_refutes_a_wrong_exact_degree():
    wrong = duals.QUADRATURE.with_rhs("exact degree", duals.QUADRATURE["order"].rhs + 1)
    assert _statuses(wrong, duals.derive_quadrature)[-1] is StepStatus.REFUTED
