"""derivations.kernels: Gaussian moments, the symbolic networks, and that wrong statements fail."""
import pytest
import sympy as sp

from derivations import kernels as K
from derivations.kernels.polynomial import _standard_monomials
from derivations.engine import StepStatus, check_derivation, check_step
from derivations.gaussian import c


def test_gaussian_expectation_is_isserlis():
    a, b = sp.symbols("a b", real=True)
    s = sp.Symbol("s")
    assert K.gaussian_expectation(a**4, (a,)) == 3
    assert K.gaussian_expectation(a**6 * b**2, (a, b)) == 15
    assert K.gaussian_expectation(a**3 * b + s * a * b, (a, b)) == 0
    assert K.gaussian_expectation((s * a + b) ** 2, (a, b)) == s**2 + 1


def _statuses(statement, derive):
    return [o.status for o in check_derivation(derive(statement), statement.domain)]


def _refuted(statement, derive) -> bool:
    """Whether some step is refuted (checking stops at the first one)."""
    return any(check_step(step, statement.domain).status is StepStatus.REFUTED
               for step in derive(statement).steps)


@pytest.mark.parametrize("statement, derive, cited", [
    (K.DECOMPOSITION, K.derive_decomposition, 1), (K.GAUSSIAN_OUTPUTS, K.derive_gaussian_outputs, 0),
    (K.RELU_DIAGONAL, K.derive_relu_diagonal, 0), (K.NNGP, K.derive_nngp, 1), (K.NTK, K.derive_ntk, 1),
])
def test_every_step_is_proved_or_cited(statement, derive, cited):
    """Only the law of large numbers across layers is cited (the other statements' derivations
    are run by tests/test_claims.py)."""
    statuses = _statuses(statement, derive)
    assert statuses.count(StepStatus.CITED) == cited
    assert set(statuses) <= {StepStatus.PROVED, StepStatus.CITED}


@pytest.mark.parametrize("statement, derive", [
    (K.NNGP, K.derive_nngp), (K.NTK, K.derive_ntk), (K.RELU_DIAGONAL, K.derive_relu_diagonal)])
@pytest.mark.parametrize("wrong", [sp.Integer(-1), sp.Integer(0), sp.Rational(-1, 4)])
def test_a_wrong_fluctuation_exponent_is_refuted_by_the_computed_one(statement, derive, wrong):
    assert _refuted(statement.with_rhs("fluctuation", wrong), derive)


def test_the_duals_are_links_to_the_dual_claims_statement_objects():
    from derivations import duals
    links = {(s.uses, id(s.linked)) for s in K.derive_ntk(K.NTK).steps if s.uses and s.uses.startswith("dual.")}
    assert links == {("dual.relu", id(duals.RELU)), ("dual.step", id(duals.STEP)), ("dual.erf", id(duals.ERF)),
                     ("dual.erf_prime", id(duals.ERF_PRIME)), ("dual.polynomial", id(duals.POLYNOMIAL)),
                     ("dual.price", id(duals.PRICE))}


def test_a_wrong_dual_is_refuted_by_its_link():
    wrong = K.NTK.with_rhs("dual'[relu]", 2 * K.NTK["dual'[relu]"].rhs)
    (step,) = [s for s in K.derive_ntk(wrong).steps if s.uses == "dual.step"]
    assert check_step(step, wrong.domain).status is StepStatus.REFUTED


def test_a_wrong_standard_initial_variance_is_refuted():
    assert _refuted(K.NTK.with_rhs("standard_weight_var", K.SW2), K.derive_ntk)
    assert _refuted(K.NTK.with_rhs("standard_bias_var", 2 * K.SB2), K.derive_ntk)


def test_a_wrong_decomposition_is_refuted_by_the_tanh_instance_not_the_generic_step():
    wrong = K.DECOMPOSITION.with_rhs("decomposition", K.DECOMPOSITION["decomposition"].rhs - K.SB2)
    generic, instance, limit, _ = _statuses(wrong, K.derive_decomposition)
    assert generic is StepStatus.UNSUPPORTED  # unknown functions have no values to sample
    assert instance is StepStatus.REFUTED and limit is StepStatus.REFUTED


@pytest.mark.parametrize("relation, wrong", [
    ("theta", K.SW2 * K.SIGMA_DOT * K.THETA),
    ("sigma", K.SW2 * K.E),
    ("maps", K.L),
    ("xi", K.SW2 * K.E + K.SW2 * K.SIGMA_DOT * K.XI),
    ("theta1", K.SW2 * K.Q),
])
def test_wrong_layer_maps_are_refuted_symbolically(relation, wrong):
    assert _refuted(K.NTK.with_rhs(relation, wrong), K.derive_ntk)


def test_sphere_kernels_relu_depth_two_is_the_arc_cosine_formula():
    sigma, theta = K.sphere_kernels(K.NTK, "relu", 2)
    values = {K.SW2: 2, K.SB2: 0, c: sp.Rational(1, 3)}
    angle = sp.acos(sp.Rational(1, 3))
    expected_sigma = 2 * (sp.sin(angle) + (sp.pi - angle) / 3) / (2 * sp.pi) * 2
    assert abs(sp.N(sigma.subs(values) - expected_sigma, 30)) < 1e-25
    expected_theta = expected_sigma + 2 * (sp.pi - angle) / (2 * sp.pi) * sp.Rational(2, 3)
    assert abs(sp.N(theta.subs(values) - expected_theta, 30)) < 1e-25


def test_identity_network_kernels_are_affine_in_c():
    _, theta = K.sphere_kernels(K.POLYNOMIAL_DEGENERATE, "identity", 3)
    assert sp.Poly(sp.expand(theta), c).degree() == 1


@pytest.mark.parametrize("d, m", [(2, 3), (3, 2), (4, 4)])
def test_standard_monomials_count_harmonics(d, m):
    harmonics = sum(sp.binomial(j + d - 1, d - 1) - (sp.binomial(j + d - 3, d - 1) if j >= 2 else 0)
                    for j in range(m + 1))
    assert _standard_monomials(d, m) == harmonics


def test_the_positive_definite_depth_step_refutes_depth_one():
    wrong = K.POSITIVE_DEFINITE.with_rhs("min_depth", sp.Integer(1))
    depth_step = K.derive_positive_definite(wrong).steps[-2]
    assert check_step(depth_step, wrong.domain).status is StepStatus.REFUTED


def test_schoenberg_is_cited_not_proved():
    step = K.derive_positive_definite(K.POSITIVE_DEFINITE).steps[-1]
    assert step.cite and "Schoenberg" in step.cite
    assert check_step(step, K.POSITIVE_DEFINITE.domain).status is StepStatus.CITED


def test_relu_diagonal_refutes_lecun_variance():
    assert _refuted(K.RELU_DIAGONAL.with_rhs("weight_var", sp.Integer(1)), K.derive_relu_diagonal)
