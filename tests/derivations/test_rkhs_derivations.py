"""The span of kernel sections in SymPy (derivations.rkhs): inner product, evaluation, and
that each derivation's steps fail for wrong statements."""
import pytest
import sympy as sp

from derivations import kernels as K
from derivations import rkhs
from derivations.engine import StepStatus, check_derivation, check_step

s0, s1, s2 = (rkhs.section(i) for i in range(3))


def test_inner_product_pairs_sections_through_the_gram_entries():
    a, b = sp.symbols("a b", real=True)
    assert sp.expand(rkhs.inner(a * s1 + b * s2, s0, 2) - (a * rkhs.gram(1, 0) + b * rkhs.gram(2, 0))) == 0
    assert rkhs.inner(s1, s2, 2) == rkhs.gram(1, 2)


def test_evaluation_reads_the_column_of_the_point():
    assert rkhs.evaluate(3 * s1 - s2, 0, 2) == 3 * rkhs.gram(1, 0) - rkhs.gram(2, 0)


def test_only_linear_combinations_of_sections_are_in_the_span():
    with pytest.raises(ValueError, match="not a linear combination"):
        rkhs.coefficients(s1 * s2, 2)
    with pytest.raises(ValueError, match="not a linear combination"):
        rkhs.coefficients(s1 + 1, 2)


def test_the_reproducing_steps_are_proved_only_with_the_kernels_symmetry():
    derivation = rkhs.derive_reproducing(rkhs.REPRODUCING)
    outcomes = check_derivation(derivation, rkhs.REPRODUCING.domain)
    assert all(o.status is StepStatus.PROVED for o in outcomes)
    assert all("after substituting" in o.method for o in outcomes)


def test_the_polarised_norm_is_not_the_stated_sum_but_equals_it():
    f, kx = rkhs.span_element([rkhs.beta(1), rkhs.beta(2)]), rkhs.section(0)
    polarised = sp.expand((rkhs._norm_squared(f + kx, 2) - rkhs._norm_squared(f - kx, 2)) / 4)
    stated = rkhs.REPRODUCING["n=2"].rhs
    assert polarised != stated  # built from both orders of the Gram entries
    assert sp.expand(rkhs.SPAN.substitute(polarised) - rkhs.SPAN.substitute(stated)) == 0


def test_a_wrong_gradient_fails_its_gateaux_step():
    wrong = rkhs.FUNCTIONAL_DERIVATIVES.with_rhs("norm", 3 * rkhs.span_element([rkhs.beta(1), rkhs.beta(2)]))
    steps = rkhs.derive_functional_derivatives(wrong).steps
    assert check_step(steps[2], wrong.domain).status is StepStatus.REFUTED
    assert check_step(steps[1], wrong.domain).status is StepStatus.PROVED


def test_the_chain_rule_with_a_concrete_g_differentiates_it():
    expr = rkhs.substitute_g(sp.Subs(sp.Derivative(rkhs.g(rkhs.t), rkhs.t), rkhs.t, 2), "cube")
    assert expr == 12


def test_a_layer_map_that_breaks_psd_fails_its_factorisation():
    wrong = rkhs.GRAM_PSD.with_rhs("theta", K.SIGMA_NEXT - K.SW2 * K.SIGMA_DOT * K.THETA)
    outcomes = check_derivation(rkhs.derive_gram_psd(wrong), wrong.domain)
    assert [o.status for o in outcomes].count(StepStatus.REFUTED) == 1
