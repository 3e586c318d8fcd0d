"""numeric.activations and numeric.quadrature: closed-form duals against Monte Carlo
(tolerance from the standard error), quadrature against every closed form, the abrelu
family, degenerate and extreme covariances, the registry."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import activations as catalogue
from numeric import activations, quadrature

CLOSED = list(catalogue.CLOSED)
SMOOTH = [n for n in CLOSED if not catalogue.entry(n).kink_at_zero]
QUADRATURE_ONLY = list(catalogue.QUADRATURE_ONLY)
DECLARED_NAMES = CLOSED + QUADRATURE_ONLY

# (k11, k22, c): generic, strong correlations, the edges c = ±1 and a zero variance
COVARIANCES = [(1.0, 1.0, 0.3), (0.5, 1.5, -0.7), (0.8, 0.3, 1.0), (1.2, 0.7, -1.0),
               (0.9, 0.9, 0.999), (0.0, 1.0, 0.0)]
MONTE_CARLO_SAMPLES = 200_000
Z = 5.0  # |estimate − prediction| ≤ Z·SE: a false alarm has probability 6e-7 per comparison


def _k12(k11, k22, c):
    return c * np.sqrt(k11 * k22)


def _scale(act, k11, k22, which):
    """√(E[h(u)²] E[h(v)²]) (Cauchy–Schwarz bound of the dual), h = σ or σ'."""
    index = 0 if which == "dual" else 1
    return np.sqrt(np.abs(act.duals(k11, k11, k11)[index] * act.duals(k22, k22, k22)[index]))


def _samples(k11, k22, c, seed):
    z = np.random.default_rng(seed).standard_normal((2, MONTE_CARLO_SAMPLES))
    u = np.sqrt(k11) * z[0]
    v = np.sqrt(k22) * (c * z[0] + np.sqrt(1.0 - c * c) * z[1])
    return u, v


@pytest.mark.parametrize("name", CLOSED + ["abrelu(0.3, -2)"])
@pytest.mark.parametrize("case", range(len(COVARIANCES)))
def test_closed_forms_agree_with_monte_carlo_within_five_standard_errors(name, case):
    act = activations.abrelu(0.3, -2.0) if name.startswith("abrelu") else activations.get(name)
    k11, k22, c = COVARIANCES[case]
    u, v = _samples(k11, k22, c, seed=case)
    predictions = act.duals(k11, k22, _k12(k11, k22, c))
    for h, prediction in zip((act.fn, act.deriv), predictions):
        products = h(u) * h(v)
        estimate = products.mean()
        se = products.std(ddof=1) / np.sqrt(products.size)
        # se = 0 where the product is constant (identity', a zero variance): exact then
        assert abs(estimate - prediction) <= Z * se + 1e-12 * max(1.0, abs(prediction)), (
            name, COVARIANCES[case], estimate, prediction, se)


covariances = st.tuples(
    st.floats(0.05, 1.0), st.floats(0.05, 1.0),
    st.one_of(st.sampled_from([-1.0, 1.0, 0.0]), st.floats(-1.0, 1.0)))


# |quadrature − closed form| / √(E[h(u)²] E[h(v)²]) for (σ, σ'): 1e-10, but the bounds
# stated in numeric.quadrature where the tensor rule meets a kink or jump at 0
TENSOR_RULE_AT_KINKS = {"relu": (5e-3, 6e-2), "leaky_relu": (4e-3, 5e-2),
                        "abs": (1e-2, 1.2e-1), "step": (6e-2, 0.0), "relu2": (1e-3, 6e-2)}


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(covariances)
@pytest.mark.parametrize("name", CLOSED)
@pytest.mark.parametrize("kink_at_zero", [False, True], ids=["tensor", "polar"])
def test_both_quadrature_rules_match_every_closed_form(name, kink_at_zero, cov):
    act = activations.get(name)
    k11, k22, c = cov
    k12 = _k12(k11, k22, c)
    numeric = quadrature.dual_expectations((act.fn, act.deriv), k11, k22, k12,
                                           kink_at_zero=kink_at_zero)
    bounds = (1e-10, 1e-10) if kink_at_zero else TENSOR_RULE_AT_KINKS.get(name, (1e-10, 1e-10))
    for which, closed, value, bound in zip(("dual", "deriv"), act.duals(k11, k22, k12),
                                           numeric, bounds):
        assert abs(value - closed) <= bound * _scale(act, k11, k22, which) + 1e-15, (
            which, closed, value)


def test_quadrature_duals_use_the_polar_rule_exactly_where_there_is_a_kink_at_zero():
    assert {n for n in CLOSED + QUADRATURE_ONLY if activations.get(n).kink_at_zero} == {
        "relu", "abs", "leaky_relu", "step", "relu2"}
    relu = activations.get("relu")
    np.testing.assert_allclose(relu.quadrature_duals(0.7, 1.2, 0.4), relu.duals(0.7, 1.2, 0.4),
                               rtol=1e-13)


@pytest.mark.parametrize("name", CLOSED)
def test_quadrature_equals_closed_form_at_zero_variance(name):
    """k11 = 0: u = 0 a.s., both sides are σ(0)·E[σ(v)] (and σ'(0)·E[σ'(v)])."""
    act = activations.get(name)
    for k11, k22 in [(0.0, 0.7), (0.7, 0.0), (0.0, 0.0)]:
        closed = act.duals(k11, k22, 0.0)
        numeric = act.quadrature_duals(k11, k22, 0.0)
        np.testing.assert_allclose(closed, numeric, rtol=1e-12, atol=1e-15)
        assert np.all(np.isfinite(closed))


def test_abrelu_special_cases_are_relu_abs_leaky_relu_and_identity():
    k11, k22 = np.array([[0.4], [1.3], [0.0]]), np.array([0.9, 2.0, 0.0])
    k12 = np.sqrt(k11 * k22) * np.array([[1.0, -0.4, 0.0], [0.2, -1.0, 0.0], [0.0, 0.0, 0.0]])
    cases = [(activations.abrelu(0, 1), activations.get("relu")),
             (activations.abrelu(-1, 1), activations.get("abs")),
             (activations.abrelu(0.1, 1), activations.get("leaky_relu")),
             (activations.abrelu(0.25, 1), activations.leaky_relu(0.25)),
             (activations.abrelu(1, 1), activations.get("identity"))]
    z = np.linspace(-2, 2, 9)
    for general, special in cases:
        np.testing.assert_allclose(general.fn(z), special.fn(z), rtol=0, atol=1e-15)
        for a, b in zip(general.duals(k11, k22, k12), special.duals(k11, k22, k12)):
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    assert activations.get("leaky_relu").params == (("a", 0.1), ("b", 1.0))


@pytest.mark.parametrize("name", [n for n in CLOSED if n != "step"])
def test_price_theorem_derivative_dual_is_d_dual_d_k12(name):
    """∂/∂k12 E[σ(u)σ(v)] = E[σ'(u)σ'(v)] (a central difference, |c| ≤ 0.9).

    Not for step: its σ' is taken as 0 (the almost-everywhere derivative networks see)."""
    act = activations.get(name)
    k11, k22 = 0.8, 1.3
    k12 = np.linspace(-0.9, 0.9, 7) * np.sqrt(k11 * k22)
    h = 1e-6
    slope = (act.dual(k11, k22, k12 + h) - act.dual(k11, k22, k12 - h)) / (2 * h)
    np.testing.assert_allclose(slope, act.dual_deriv(k11, k22, k12), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("name", CLOSED)
def test_duals_broadcast_and_accept_scalars(name):
    act = activations.get(name)
    k11, k22 = np.full((3, 1), 0.5), np.full((1, 4), 0.8)
    k12 = np.full((3, 4), 0.2)
    for value in act.duals(k11, k22, k12):
        assert value.shape == (3, 4)
    for value, scalar in zip(act.duals(k11, k22, k12), act.duals(0.5, 0.8, 0.2)):
        assert np.shape(scalar) == ()
        np.testing.assert_allclose(value, scalar, rtol=1e-15)
    assert np.shape(act.fn(0.3)) == np.shape(act.deriv(0.3)) == ()


@pytest.mark.parametrize("name", ["relu", "step", "abs", "leaky_relu"])
@pytest.mark.parametrize("k", [1e-300, 1e-200, 1e-7, 1.0, 3.7, 1e200, 1e300])
def test_arc_cosine_duals_are_exact_on_the_diagonal_at_every_scale(name, k):
    """c = k12/√(k11 k22) must be exactly 1 there: a rounded 1 − ε moves θ by √(2ε)."""
    act = activations.get(name)
    a, b = dict(act.params).get("a", 0.0), dict(act.params).get("b", 1.0)
    expected_deriv = 0.0 if name == "step" else (a * a + b * b) / 2
    expected_dual = 0.5 if name == "step" else (a * a + b * b) / 2 * k
    dual, deriv = act.duals(k, k, k)
    assert dual == pytest.approx(expected_dual, rel=1e-15)
    assert deriv == pytest.approx(expected_deriv, rel=1e-15)


def test_correlation_clips_rounding_beyond_one_and_handles_zero_variance():
    norm, c = quadrature.correlation([1.0, 1.0, 0.0, 2.0], [1.0, 1.0, 5.0, 8.0],
                                     [1.0 + 1e-15, -1.0 - 1e-15, 0.0, 4.0])
    np.testing.assert_array_equal(c, [1.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(norm, [1.0, 1.0, 0.0, 4.0])


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(st.floats(-250, 250), st.floats(0.1, 10), st.floats(-1, 1))
def test_relu_dual_is_homogeneous_without_overflow(log_scale, ratio, c):
    """E[relu(λu) relu(λv)] = λ² E[relu(u) relu(v)], down to 1e-250 and up to 1e250."""
    relu = activations.get("relu")
    k11, k22 = 1.0, ratio
    s = 10.0**log_scale
    k12 = _k12(k11, k22, c)
    scaled = relu.dual(s * k11, s * k22, s * k12)
    assert np.isfinite(scaled)
    assert scaled == pytest.approx(s * relu.dual(k11, k22, k12), rel=1e-12, abs=1e-300)
    # (π − θ)/(2π) inherits arccos' conditioning: a rounding ε of c near ±1 moves θ by √(2ε)
    assert relu.dual_deriv(s * k11, s * k22, s * k12) == pytest.approx(
        relu.dual_deriv(k11, k22, k12), rel=1e-12, abs=1e-8)


def test_trig_duals_underflow_instead_of_nan_at_huge_variance():
    for name in ["sin", "cos"]:
        values = activations.get(name).duals(1e4, 1e4, 1e4 * np.array([1.0, 0.5, -1.0]))
        assert all(np.all(np.isfinite(v)) for v in values)


@pytest.mark.parametrize("name", QUADRATURE_ONLY)
def test_quadrature_only_activations_are_consistent_and_converge(name):
    act = activations.get(name)
    assert not act.has_closed_form
    k11, k22, k12 = 0.7, 1.1, 0.5
    low = act.duals(k11, k22, k12)
    high = act.quadrature_duals(k11, k22, k12, order=200)
    for a, b, which in zip(low, high, ("dual", "deriv")):
        assert abs(a - b) <= 1e-7 * _scale(act, k11, k22, which)
    z = np.linspace(-3, 3, 13)
    h = 1e-6
    np.testing.assert_allclose((act.fn(z + h) - act.fn(z - h)) / (2 * h), act.deriv(z),
                               rtol=1e-7, atol=1e-8)


def test_custom_activation_runs_through_quadrature():
    cube = activations.custom("cube", lambda z: z**3, lambda z: 3 * z**2)
    k11, k22, k12 = 0.6, 0.9, 0.4
    dual, deriv = cube.duals(k11, k22, k12)
    # Isserlis: E[u³v³] = 9 k11 k22 k12 + 6 k12³, E[9u²v²] = 9(k11 k22 + 2 k12²)
    assert dual == pytest.approx(9 * k11 * k22 * k12 + 6 * k12**3, rel=1e-12)
    assert deriv == pytest.approx(9 * (k11 * k22 + 2 * k12**2), rel=1e-12)


def test_every_design_name_is_accepted():
    assert set(DECLARED_NAMES) <= set(activations.names())
    for name in DECLARED_NAMES:
        act = activations.get(name)
        assert act.name == name and activations.get(act) is act


@pytest.mark.parametrize("bad", ["Relu", "softmax", "", 3, None])
def test_unknown_activation_names_the_value_and_the_accepted_ones(bad):
    with pytest.raises(ValueError) as info:
        activations.get(bad)
    message = str(info.value)
    assert "activation" in message and repr(bad) in message and "relu, relu2, sigmoid" in message


@pytest.mark.parametrize("make, label, value", [
    (lambda: activations.custom("", np.sin, np.cos), "name", "''"),
    (lambda: activations.custom("f", 3, np.cos), "fn", "3"),
    (lambda: activations.custom("f", np.sin, None), "deriv", "None"),
    (lambda: activations.abrelu("x", 1.0), "a", "'x'"),
    (lambda: activations.abrelu(0.0, np.inf), "b", "inf"),
    (lambda: activations.leaky_relu(np.nan), "slope", "nan"),
])
def test_constructors_reject_bad_arguments_naming_parameter_and_value(make, label, value):
    with pytest.raises(ValueError) as info:
        make()
    assert f"{label} must" in str(info.value) and value in str(info.value)


def test_hermite_rule_integrates_gaussian_moments():
    nodes, weights = quadrature.hermite_rule(10)
    assert weights.sum() == pytest.approx(1.0, rel=1e-15)
    assert np.sum(weights * nodes**4) == pytest.approx(3.0, rel=1e-13)
    for rule in (quadrature.hermite_rule, quadrature.polar_rule):
        with pytest.raises(ValueError, match="order"):
            rule(0)
