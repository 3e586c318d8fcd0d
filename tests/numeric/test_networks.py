"""numeric.networks: exact gradients, Jacobian, layer-wise empirical NTK, parameterisations."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import activations
from numeric.networks import MLP


def _activation(name):
    try:
        return activations.get(name)
    except ValueError:
        return activations.Activation("tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2)


ACTIVATIONS = ["relu", "erf", "tanh"]
PARAMETERIZATIONS = ["ntk", "standard"]


def _net(parameterization="ntk", activation="tanh", widths=(3, 5, 4, 1), bias_std=0.4):
    return MLP(list(widths), _activation(activation), 1.3, bias_std, parameterization)


def _setup(seed=0, n=6, **kw):
    rng = np.random.default_rng(seed)
    net = _net(**kw)
    return net, net.init(rng), rng.standard_normal((n, net.widths[0]))


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("parameterization", PARAMETERIZATIONS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_empirical_ntk_equals_jacobian_gram(parameterization, activation):
    net, params, x = _setup(parameterization=parameterization, activation=activation)
    x2 = np.random.default_rng(1).standard_normal((4, 3))
    J, J2 = net.jacobian(params, x), net.jacobian(params, x2)
    assert J.shape == (6, net.n_params)
    assert _relative_error(net.empirical_ntk(params, x), J @ J.T) < 1e-12
    assert _relative_error(net.empirical_ntk(params, x, x2), J @ J2.T) < 1e-12


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    widths=st.lists(st.integers(1, 5), min_size=2, max_size=5).map(lambda w: w[:-1] + [1]),
    parameterization=st.sampled_from(PARAMETERIZATIONS),
    weight_std=st.floats(0.1, 3.0),
    bias_std=st.floats(0.0, 2.0),
    n_points=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_empirical_ntk_equals_jacobian_gram_for_any_shape(
    widths, parameterization, weight_std, bias_std, n_points, seed
):
    net = MLP(widths, _activation("tanh"), weight_std, bias_std, parameterization)
    rng = np.random.default_rng(seed)
    params, x = net.init(rng), rng.standard_normal((n_points, widths[0]))
    J = net.jacobian(params, x)
    assert _relative_error(net.empirical_ntk(params, x), J @ J.T) < 1e-12


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_vjp_matches_central_differences(activation):
    net, params, x = _setup(activation=activation)
    rng = np.random.default_rng(2)
    g, v = rng.standard_normal((6, 1)), rng.standard_normal(net.n_params)
    theta = net.flatten(params)

    def pairing(t):
        return np.sum(g * net.apply(net.unflatten(t), x))

    # Central differences: truncation O(ε²) ≈ 1e-10, rounding O(1e-16/ε) ≈ 1e-11.
    eps = 1e-5
    numeric = (pairing(theta + eps * v) - pairing(theta - eps * v)) / (2 * eps)
    exact = net.flatten(net.vjp(params, x, g)) @ v
    assert abs(numeric - exact) <= 1e-7 * abs(exact)


def test_jacobian_matches_central_differences_per_coordinate():
    net, params, x = _setup(widths=(2, 3, 1))
    theta, eps = net.flatten(params), 1e-6  # error ≈ ε² + 1e-16/ε ≈ 1e-10 ≪ atol
    columns = []
    for p in range(net.n_params):
        step = np.zeros(net.n_params)
        step[p] = eps
        plus, minus = (net.apply(net.unflatten(theta + s), x)[:, 0] for s in (step, -step))
        columns.append((plus - minus) / (2 * eps))
    np.testing.assert_allclose(net.jacobian(params, x), np.stack(columns, axis=1), rtol=0, atol=1e-8)


def test_vjp_of_indicator_is_jacobian_row():
    net, params, x = _setup()
    g = np.zeros((6, 1))
    g[4, 0] = 1.0
    np.testing.assert_allclose(net.flatten(net.vjp(params, x, g)), net.jacobian(params, x)[4], rtol=1e-13)


def test_flatten_order_and_roundtrip():
    net, params, _ = _setup(widths=(3, 5, 4, 1))
    theta = net.flatten(params)
    assert theta.shape == (net.n_params,) == ((3 + 1) * 5 + (5 + 1) * 4 + (4 + 1) * 1,)
    W1, b1 = params[1]
    offset = (3 + 1) * 5
    assert theta[offset + 2 * 4 + 3] == W1[2, 3]
    assert theta[offset + 5 * 4 + 1] == b1[1]
    for (W, b), (W2, b2) in zip(params, net.unflatten(theta)):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)


def test_seed_reproduces_and_stack_equals_successive_draws():
    net = _net()
    stack = net.init(np.random.default_rng(7), n_networks=3)
    rng = np.random.default_rng(7)
    for s in range(3):
        for (W, b), (Ws, bs) in zip(net.init(rng), stack):
            np.testing.assert_array_equal(W, Ws[s])
            np.testing.assert_array_equal(b, bs[s])


@pytest.mark.parametrize("parameterization", PARAMETERIZATIONS)
def test_stacked_networks_match_one_at_a_time(parameterization):
    net = _net(parameterization)
    rng = np.random.default_rng(3)
    stack, x = net.init(rng, n_networks=4), rng.standard_normal((5, 3))
    g = rng.standard_normal((4, 5, 1))
    outputs, kernels = net.apply(stack, x), net.empirical_ntk(stack, x)
    jacobians, grads = net.jacobian(stack, x), net.flatten(net.vjp(stack, x, g))
    for s in range(4):
        one = [(W[s], b[s]) for W, b in stack]
        np.testing.assert_allclose(outputs[s], net.apply(one, x), rtol=1e-13)
        np.testing.assert_allclose(kernels[s], net.empirical_ntk(one, x), rtol=1e-12)
        np.testing.assert_allclose(jacobians[s], net.jacobian(one, x), rtol=1e-13)
        np.testing.assert_allclose(grads[s], net.flatten(net.vjp(one, x, g[s])), rtol=1e-12)


def test_parameterizations_compute_the_same_function_at_init():
    ntk, standard = _net("ntk"), _net("standard")
    p_ntk, p_std = ntk.init(np.random.default_rng(5)), standard.init(np.random.default_rng(5))
    for (W, b), (Ws, bs), n in zip(p_ntk, p_std, ntk.widths):
        np.testing.assert_allclose(Ws, 1.3 / np.sqrt(n) * W, rtol=1e-15)
        np.testing.assert_allclose(bs, 0.4 * b, rtol=1e-15)
    x = np.random.default_rng(6).standard_normal((7, 3))
    assert _relative_error(standard.apply(p_std, x), ntk.apply(p_ntk, x)) < 1e-13


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_ntk_layer_contributions_scale_between_parameterizations(activation):
    """Θ̂^std_{W_ℓ} = (n_ℓ/σ_w²) Θ̂^ntk_{W_ℓ},  Θ̂^std_{b_ℓ} = Θ̂^ntk_{b_ℓ}/σ_b² (ntk_contributions)."""
    ntk, standard = _net("ntk", activation), _net("standard", activation)
    p_ntk, p_std = ntk.init(np.random.default_rng(5)), standard.init(np.random.default_rng(5))
    x = np.random.default_rng(6).standard_normal((7, 3))
    parts = zip(ntk.ntk_contributions(p_ntk, x), standard.ntk_contributions(p_std, x), ntk.widths)
    for (w_ntk, b_ntk), (w_std, b_std), n in parts:
        assert _relative_error(w_std, n / 1.3**2 * w_ntk) < 1e-12
        assert _relative_error(b_std, b_ntk / 0.4**2) < 1e-12
    assert not np.allclose(ntk.empirical_ntk(p_ntk, x), standard.empirical_ntk(p_std, x))


def test_vector_output_apply_and_vjp():
    net, params, x = _setup(widths=(3, 4, 2))
    assert net.apply(params, x).shape == (6, 2)
    grads = net.vjp(params, x, np.ones((6, 2)))
    assert [(W.shape, b.shape) for W, b in grads] == [((3, 4), (4,)), ((4, 2), (2,))]
    with pytest.raises(ValueError, match="scalar output"):
        net.empirical_ntk(params, x)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(widths=[3]), "widths"),
        (dict(widths=[3, 0, 1]), "widths"),
        (dict(widths=[3, 2.0, 1]), "widths"),
        (dict(widths="31"), "widths"),
        (dict(widths=[3, 1], parameterization="mup"), "parameterization='mup'.*'ntk', 'standard'"),
        (dict(widths=[3, 1], weight_std=-1.0), "weight_std=-1.0"),
        (dict(widths=[3, 1], bias_std=float("nan")), "bias_std=nan"),
        (dict(widths=[3, 1], activation="nope"), "activation='nope'"),
    ],
)
def test_bad_network_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


def test_bad_inputs_and_params_are_named():
    net, params, x = _setup()
    with pytest.raises(ValueError, match=r"x has shape \(6, 2\); expected \(N, 3\)"):
        net.apply(params, x[:, :2])
    with pytest.raises(ValueError, match="x contains non-finite"):
        net.apply(params, np.full((2, 3), np.inf))
    with pytest.raises(ValueError, match=r"params\[1\]\[0\] \(W_1\) has shape \(4, 5\)"):
        net.apply([params[0], (params[1][0].T, params[1][1]), params[2]], x)
    with pytest.raises(ValueError, match="list of 3 pairs"):
        net.apply(params[:2], x)
    with pytest.raises(ValueError, match="batch shape"):
        net.apply([(W[None], b) for W, b in params], x)
    with pytest.raises(ValueError, match=r"cotangent has shape \(2, 6, 1\); expected \(6, 1\)"):
        net.vjp(params, x, np.zeros((2, 6, 1)))
    with pytest.raises(ValueError, match="rng="):
        net.init(0)
    with pytest.raises(ValueError, match="n_networks=0"):
        net.init(np.random.default_rng(), n_networks=0)
