"""verify.claims.kernels and its check modules: the iterated statement against numeric.kernels,
and the check helpers."""
import math

import numpy as np
import pytest
import sympy as sp

from derivations import kernels as K
from numeric import kernels as analytic
from numeric.stats import CONSISTENT, INCONCLUSIVE, REFUTED
from verify.budgets import get as budget
from verify.checks import Context
from verify.claims import _kernel_decomposition as decomposition
from verify.claims import _kernel_gram as gram_checks
from verify.claims import _kernel_kurtosis as kurtosis
from verify.claims import _kernel_library as library
from verify.claims import kernels as claims


@pytest.mark.parametrize("activation", K.RECURSION_ACTIVATIONS)
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("weight_std, bias_std", [(1.0, 0.0), (1.4, 0.3)])
def test_analytic_kernels_equal_the_iterated_statement(activation, depth, weight_std, bias_std):
    x = np.random.default_rng(depth).standard_normal((6, 4))
    x[1] = -0.5 * x[0]
    limits = claims.limit_kernels(K.NTK, activation, x, depth=depth, weight_std=weight_std, bias_std=bias_std)
    sigma, theta = analytic.nngp_and_ntk(x, depth=depth, activation=activation, weight_std=weight_std,
                                         bias_std=bias_std)
    # arccos has infinite condition at |c| = 1 (the diagonal; x[1] = -x[0]/2): a rounding δ of
    # c moves θ by √(2δ). numeric.kernels pins c = 1 on the diagonal; the lambdified closed form
    # computes k12/√(k11 k22), so ReLU's two computations differ by ~√ε from the second layer on.
    rtol = 1e-7 if activation == "relu" else 1e-12
    for computed, stated in ((sigma, limits["sigma"]), (theta, limits["theta"])):
        np.testing.assert_allclose(computed, stated, rtol=rtol, atol=rtol * np.abs(computed).max())
    nngp_only = claims.limit_kernels(K.NNGP, activation, x, depth=depth, weight_std=weight_std,
                                     bias_std=bias_std)
    assert set(nngp_only) == {"sigma"}
    np.testing.assert_allclose(nngp_only["sigma"], limits["sigma"], rtol=1e-15)


def test_standard_limit_of_one_hidden_layer_is_the_readout_dual():
    """Ξ² = E[σ(u)σ(v)] at Σ¹ (Ξ¹ = 0): the hidden layer's weights carry the whole limit."""
    x = np.random.default_rng(0).standard_normal((3, 4))
    limits = claims.limit_kernels(K.NTK, "identity", x, depth=2, weight_std=1.3, bias_std=0.5)
    np.testing.assert_allclose(limits["xi"], 1.3**2 * x @ x.T / 4 + 0.25, rtol=1e-13)


def test_a_statement_with_negative_layer_maps_is_refused():
    wrong = K.NTK.with_rhs("maps", K.L - 3)
    with pytest.raises(ValueError, match="layer maps"):
        claims.limit_kernels(wrong, "relu", np.ones((2, 3)), depth=2, weight_std=1.0, bias_std=0.0)


@pytest.mark.parametrize("draw, expected", [
    (lambda rng, n: 1.0 + 0.01 * rng.standard_normal(n), 3.0 * (1 + 1e-4)),
    (lambda rng, n: rng.exponential(size=n), 6.0),  # f ~ N(0, Exp(1)): the Laplace law
])
def test_kurtosis_estimate_and_its_standard_error(draw, expected):
    """3E[K²]/E[K]² from draws of the readout variance K: the kurtosis of f ~ N(0, K)."""
    rng = np.random.default_rng(1)
    estimates = [kurtosis._kurtosis(draw(rng, 20_000)) for _ in range(40)]
    values, errors = np.array(estimates).T
    assert abs(values.mean() - expected) < 5 * values.std(ddof=1) / math.sqrt(len(values))
    assert 0.7 < errors.mean() / values.std(ddof=1) < 1.3


def test_sphere_points_are_unit_and_separated():
    points = gram_checks._sphere_points(np.random.default_rng(0), 12, 3, 0.3)
    np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1.0)
    cosines = (points @ points.T)[np.triu_indices(12, 1)]
    assert np.arccos(np.clip(cosines, -1, 1)).min() >= 0.3
    with pytest.raises(ValueError, match="could not place"):
        gram_checks._sphere_points(np.random.default_rng(0), 20, 2, 1.0)


def _context():
    return Context(budget("quick"), 4.5, 0, "kernel.positive_definite", gram_checks._PD_CHECK, {"depth": 2})


def test_rank_comparisons_on_known_spectra():
    ctx = _context()
    gram = np.diag([3.0, 2.0, 1.0, 0.0])
    positive, zero = gram_checks._rank_comparisons(ctx, {"depth": 2}, gram, 3, 1.0)
    assert positive.test.status == CONSISTENT and zero.test.status == CONSISTENT
    _, too_small = gram_checks._rank_comparisons(ctx, {"depth": 2}, gram, 2, 1.0)
    assert too_small.test.status == REFUTED
    (singular,) = gram_checks._rank_comparisons(ctx, {"depth": 2}, gram, 4, 1.0)
    assert singular.test.status == INCONCLUSIVE
    (negative,) = gram_checks._rank_comparisons(ctx, {"depth": 2}, np.diag([1.0, -1e-6]), 2, 1.0)
    assert negative.test.status == REFUTED


def test_the_decomposition_prediction_is_the_lambdified_statement_with_sigma_substituted():
    relation = decomposition._concrete(K.DECOMPOSITION["decomposition"], "tanh")
    assert not relation.rhs.has(K.SIGMA_FN) and relation.rhs.has(sp.tanh)


@pytest.mark.parametrize("kwargs, message", [
    ({"activation": "tanh"}, "activation='tanh'"),
    ({"depth": 0}, "depth=0"),
    ({"x": np.ones(3)}, "x of shape"),
])
def test_limit_kernels_names_bad_arguments(kwargs, message):
    arguments = {"activation": "relu", "x": np.ones((2, 3)), "depth": 2, **kwargs}
    with pytest.raises(ValueError, match=message):
        claims.limit_kernels(K.NTK, arguments["activation"], arguments["x"], depth=arguments["depth"],
                             weight_std=1.0, bias_std=0.0)


@pytest.mark.parametrize("activation, rtol", [("relu", 1e-7), ("erf", 1e-12), ("identity", 1e-12)])
def test_pair_kernels_at_30_digits_agree_with_the_float_iteration(activation, rtol):
    x = np.random.default_rng(3).standard_normal((4, 3))
    pairs = [(i, j) for i in range(4) for j in range(4)]
    exact = claims.pair_kernels(K.NTK, activation, x, pairs, depth=3, weight_std=1.3, bias_std=0.4)
    floats = claims.limit_kernels(K.NTK, activation, x, depth=3, weight_std=1.3, bias_std=0.4)
    for name in ("sigma", "theta"):
        np.testing.assert_allclose(exact[name], [floats[name][p] for p in pairs], rtol=rtol)


@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_complex_step_tangent_kernel_equals_backpropagation(parameterization, activation):
    from numeric.networks import MLP
    from numeric.tangents import unit_tangent_kernel
    config = {"activation": activation, "weight_std": 1.3, "bias_std": 0.4, "parameterization": parameterization}
    net = MLP([3, 5, 4], activation, 1.3, 0.4, parameterization)
    params = net.init(np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((2, 3))
    values, theta = decomposition._below(params, net.widths, config, x)
    np.testing.assert_allclose(values, net.apply(params, x), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(theta, unit_tangent_kernel(net, params, x), rtol=1e-12, atol=1e-12)


def _library_context(check, config):
    return Context(budget("quick"), 4.5, 0, "kernel.ntk_recursion", check, config)


def test_the_library_check_refutes_a_one_percent_change(monkeypatch):
    config = {"activation": "erf", "depth": 3, "weight_std": 1.2, "bias_std": 0.3, "points": 5}
    check = library._library_check("ntk")
    statuses = {c.test.status for c in library._measure_library(K.NTK, config, _library_context(check, config))}
    assert statuses == {CONSISTENT}

    class Changed:
        @staticmethod
        def nngp_and_ntk(*args, **kwargs):
            sigma, theta = analytic.nngp_and_ntk(*args, **kwargs)
            return sigma, 1.01 * theta

        nngp = staticmethod(analytic.nngp)

        @staticmethod
        def ntk(*args, **kwargs):
            return Changed.nngp_and_ntk(*args, **kwargs)[1]

    monkeypatch.setattr(library, "analytic", Changed)
    comparisons = library._measure_library(K.NTK, config, _library_context(check, config))
    assert {c.label.split(": ")[-1][:5] for c in comparisons if c.test.status == REFUTED} == {"theta"}


def test_the_standard_init_check_sees_a_one_percent_change_of_the_variance(monkeypatch):
    from numeric.networks import MLP
    config = {"weight_std": 1.3, "bias_std": 0.6}
    ctx = _library_context(library._STANDARD_INIT_CHECK, config)
    assert {c.test.status for c in library._measure_standard_init(K.NTK, config, ctx)} == {CONSISTENT}
    stds = MLP.init_stds
    monkeypatch.setattr(MLP, "init_stds", lambda self: [(math.sqrt(1.01) * w, b) for w, b in stds(self)])
    statuses = [c.test.status for c in library._measure_standard_init(K.NTK, config, ctx)]
    assert statuses.count(REFUTED) == 3  # the three weight groups; the bias group is unchanged
