"""numeric.training: full-batch gradient descent and its recorded trajectory."""
import numpy as np
import pytest

from numeric.networks import MLP
from numeric.training import flow_derivative, train_gd


def _problem(parameterization="ntk", widths=(3, 16, 16, 1), seed=0):
    rng = np.random.default_rng(seed)
    net = MLP(list(widths), "relu", 1.4, 0.1, parameterization)
    x_train, x_test = rng.standard_normal((6, 3)), rng.standard_normal((4, 3))
    y = np.sin(x_train.sum(axis=1))
    return net, net.init(rng), x_train, y, x_test


@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
def test_gd_reduces_the_loss_and_records_the_trajectory(parameterization):
    net, params, x, y, x_test = _problem(parameterization)
    eta = 0.1 / np.linalg.eigvalsh(net.empirical_ntk(params, x))[-1]
    traj = train_gd(net, params, x, y, learning_rate=eta, n_steps=50, x_test=x_test,
                    record_every=5, params_at=[0, 50], ntk_at=[0, 20])
    np.testing.assert_array_equal(traj.steps, np.arange(0, 51, 5))
    np.testing.assert_allclose(traj.times, eta * traj.steps)
    assert traj.train_outputs.shape == (11, 6, 1) and traj.test_outputs.shape == (11, 4, 1)
    assert traj.loss.shape == (11,) and np.all(np.diff(traj.loss) < 0)
    assert traj.loss[-1] < 0.9 * traj.loss[0]
    assert sorted(traj.params) == [0, 50] and sorted(traj.ntk) == [0, 20]
    assert traj.ntk[0].shape == (10, 10)


def test_records_agree_with_the_network_at_those_steps():
    net, params, x, y, x_test = _problem()
    traj = train_gd(net, params, x, y, learning_rate=0.05, n_steps=7, x_test=x_test,
                    record_every=3, params_at=[6], ntk_at=[6])
    np.testing.assert_array_equal(traj.steps, [0, 3, 6, 7])
    np.testing.assert_allclose(traj.train_outputs[0], net.apply(params, x), rtol=1e-13)
    p6, x_all = traj.params[6], np.concatenate([x, x_test])
    np.testing.assert_allclose(traj.train_outputs[2], net.apply(p6, x), rtol=1e-13)
    np.testing.assert_allclose(traj.test_outputs[2], net.apply(p6, x_test), rtol=1e-13)
    np.testing.assert_allclose(traj.ntk[6], net.empirical_ntk(p6, x_all), rtol=1e-13)
    np.testing.assert_allclose(traj.loss[2], 0.5 * np.sum((net.apply(p6, x)[:, 0] - y) ** 2))


def test_one_step_is_theta_minus_eta_grad_of_half_squared_error():
    net, params, x, y, _ = _problem()
    before = net.flatten(params)
    traj = train_gd(net, params, x, y, learning_rate=0.03, n_steps=1, params_at=[1])
    grad = net.vjp(params, x, net.apply(params, x) - y[:, None])
    np.testing.assert_allclose(net.flatten(traj.params[1]), before - 0.03 * net.flatten(grad), rtol=1e-14)
    np.testing.assert_array_equal(net.flatten(params), before)


def test_small_step_follows_the_ntk_ode():
    """f_1 − f_0 = −η Θ̂_0 (f_0 − y) + O(η²): relative error O(η λ_max(Θ̂)) ≲ 1e-4 here."""
    net, params, x, y, _ = _problem()
    eta = 1e-5
    traj = train_gd(net, params, x, y, learning_rate=eta, n_steps=1)
    f0, f1 = traj.train_outputs[:, :, 0]
    predicted = -eta * net.empirical_ntk(params, x) @ (f0 - y)
    np.testing.assert_allclose(f1 - f0, predicted, rtol=1e-3)


def test_a_stack_trains_as_independent_networks():
    net, _, x, y, _ = _problem()
    stack = net.init(np.random.default_rng(9), n_networks=3)
    traj = train_gd(net, stack, x, y, learning_rate=0.05, n_steps=4, ntk_at=[4])
    assert traj.train_outputs.shape == (5, 3, 6, 1) and traj.loss.shape == (5, 3)
    for s in range(3):
        one = train_gd(net, [(W[s], b[s]) for W, b in stack], x, y, learning_rate=0.05, n_steps=4, ntk_at=[4])
        np.testing.assert_allclose(traj.train_outputs[:, s], one.train_outputs, rtol=1e-12)
        np.testing.assert_allclose(traj.ntk[4][s], one.ntk[4], rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(learning_rate=0.0), "learning_rate=0.0"),
        (dict(n_steps=-1), "n_steps=-1"),
        (dict(record_every=0), "record_every=0"),
        (dict(ntk_at=[11]), "ntk_at entry 11"),
        (dict(y_train=np.zeros(5)), "y_train has shape"),
        (dict(y_train=np.zeros((2, 6, 1))), "y_train has shape"),
    ],
)
def test_bad_training_arguments_are_named(kwargs, match):
    net, params, x, y, _ = _problem()
    args = dict(learning_rate=0.1, n_steps=10, y_train=y) | kwargs
    with pytest.raises(ValueError, match=match):
        train_gd(net, params, x, **args)


def test_flow_derivative_of_the_outputs_is_minus_ntk_times_residual_from_values_alone():
    """A smooth network (erf): the extrapolated difference meets -Theta_hat (f - y) within its own bound."""
    rng = np.random.default_rng(3)
    net = MLP([3, 32, 1], "erf", 2.0, 0.2)
    params, x, y = net.init(rng), rng.standard_normal((4, 3)), rng.standard_normal(4)
    residual = net.apply(params, x)[:, 0] - y
    rate, bound = flow_derivative(net, params, x, residual[:, None], lambda p: net.apply(p, x)[..., 0])
    expected = -net.empirical_ntk(params, x) @ residual
    assert np.all(np.abs(rate - expected) <= bound) and np.all(bound < 1e-6 * np.abs(expected).max())


def test_flow_derivative_names_a_zero_gradient_and_a_bad_displacement():
    net, params, x, y, _ = _problem()
    with pytest.raises(ValueError, match="zero gradient"):
        flow_derivative(net, params, x, np.zeros((6, 1)), lambda p: net.apply(p, x))
    with pytest.raises(ValueError, match="displacement"):
        flow_derivative(net, params, x, np.ones((6, 1)), lambda p: net.apply(p, x), displacement=-1.0)
