"""numeric.linear_dynamics, numeric.eigenmodes, numeric.width_sweep: linear recursions measured,
networks trained from prescribed residuals, width sweeps."""
import numpy as np
import pytest

from numeric.eigenmodes import train_modes
import scipy.linalg

from numeric.linear_dynamics import components, euler, least_squares_gd, linearised_flow, step_factors
from numeric.networks import MLP
from numeric.training import train_gd
from numeric.width_sweep import train_widths


def _orthonormal(rng, size):
    return np.linalg.qr(rng.standard_normal((size, size)))[0]


def test_step_factors_recover_an_exact_linear_recursion():
    rng = np.random.default_rng(0)
    Q, rho, c = _orthonormal(rng, 3), np.array([0.9, -0.5, 0.2]), np.array([1.0, -2.0, 0.5])
    residuals = np.stack([Q @ (rho**k * c) for k in range(8)])
    comps = components(residuals, Q)
    np.testing.assert_allclose(comps[:, 1], rho[1] ** np.arange(8) * c[1], atol=1e-14)
    np.testing.assert_allclose(step_factors(comps), rho, rtol=1e-12)
    np.testing.assert_allclose(step_factors(comps, stop=np.array([2, 8, 3])), rho, rtol=1e-12)


def test_step_factors_use_only_the_steps_before_stop():
    comps = np.array([[1.0], [0.5], [0.25], [7.0]])
    assert step_factors(comps, stop=3)[0] == pytest.approx(0.5)
    assert step_factors(comps)[0] != pytest.approx(0.5)


def test_step_factors_use_only_the_steps_from_start():
    comps = np.array([[7.0], [1.0], [0.5], [0.25]])
    assert step_factors(comps, start=1)[0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="start must lie in 0..stop - 2"):
        step_factors(comps, stop=3, start=2)


def test_linearised_flow_is_the_matrix_exponential_within_its_bound():
    rng = np.random.default_rng(7)
    J, u0, times = rng.standard_normal((3, 40)) / 6, rng.standard_normal(3), np.array([0.0, 0.7, 3.0])
    u, bound = linearised_flow(J, u0, times)
    expected = np.stack([scipy.linalg.expm(-t * J @ J.T) @ u0 for t in times])
    assert np.all(np.abs(u - expected) <= bound + 1e-15) and bound.max() < 1e-6


def test_linearised_flow_rejects_bad_input():
    with pytest.raises(ValueError, match="times"):
        linearised_flow(np.ones((2, 3)), np.ones(2), np.array([1.0, 0.5]))
    with pytest.raises(ValueError, match="jacobian"):
        linearised_flow(np.ones(3), np.ones(3), np.array([1.0]))


@pytest.mark.parametrize("stop", [1, 5])
def test_step_factors_reject_a_stop_outside_the_recording(stop):
    with pytest.raises(ValueError, match="stop must lie in 2..4"):
        step_factors(np.ones((4, 2)), stop=stop)


def test_components_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="residuals"):
        components(np.ones((5, 3)), np.eye(2))


def test_euler_is_the_geometric_recursion_of_a_linear_ode():
    A = np.array([[2.0, 0.3], [0.3, 1.0]])
    path = euler(lambda u: -A @ u, np.array([1.0, -1.0]), 0.1, 6)
    expected = np.linalg.matrix_power(np.eye(2) - 0.1 * A, 6) @ np.array([1.0, -1.0])
    np.testing.assert_allclose(path[-1], expected, rtol=1e-14)
    assert path.shape == (7, 2)
    with pytest.raises(ValueError, match="learning_rate"):
        euler(lambda u: u, np.ones(2), 0.0, 3)


def test_least_squares_gd_steps_and_checks_its_input():
    rng = np.random.default_rng(1)
    A, b, w0 = rng.standard_normal((2, 5)), rng.standard_normal(2), rng.standard_normal(5)
    one = least_squares_gd(A, b, w0, 0.05, 1)
    np.testing.assert_allclose(one, w0 - 0.05 * A.T @ (A @ w0 - b), rtol=1e-14)
    with pytest.raises(ValueError, match="b has shape"):
        least_squares_gd(A, np.ones(3), w0, 0.1, 2)
    with pytest.raises(ValueError, match="A has shape"):
        least_squares_gd(np.ones(4), b, w0, 0.1, 2)


def _net_and_inputs(width=64, seed=2):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 2))
    return MLP([2, width, 1], "erf", 2.0, 0.2), x / np.linalg.norm(x, axis=1, keepdims=True), rng


def test_train_modes_starts_from_the_prescribed_components():
    net, x, rng = _net_and_inputs()
    params = net.init(rng, n_networks=2)
    c = np.array([[1.0, -1.0, 1.0], [0.5, 2.0, -1.0]])
    run = train_modes(net, params, x, learning_rates=0.05, n_steps=4, coefficients=c)
    np.testing.assert_allclose(run.comps[0], c, atol=1e-12)
    assert run.comps.shape == (5, 2, 3) and np.all(np.diff(run.eigenvalues, axis=1) >= 0)


def test_train_modes_with_one_learning_rate_per_network_trains_each_alone():
    net, x, rng = _net_and_inputs()
    params = net.init(rng, n_networks=2)
    c = np.ones((2, 3))
    both = train_modes(net, params, x, learning_rates=np.array([0.05, 0.1]), n_steps=3, coefficients=c)
    second = train_modes(net, [(W[1:], b[1:]) for W, b in params], x, learning_rates=0.1, n_steps=3,
                         coefficients=c[1:])
    np.testing.assert_allclose(both.comps[:, 1], second.comps[:, 0], rtol=1e-12)


def test_a_wide_network_decays_mode_by_mode_at_one_minus_eta_lambda():
    net, x, rng = _net_and_inputs(width=4096)
    params = net.init(rng, n_networks=1)
    eta = 0.5 / np.linalg.eigvalsh(net.empirical_ntk(params, x))[0, -1]
    run = train_modes(net, params, x, learning_rates=eta, n_steps=5, coefficients=np.ones((1, 3)))
    np.testing.assert_allclose(step_factors(run.comps), 1 - eta * run.eigenvalues, atol=2e-3)


def test_train_widths_records_every_width_from_the_same_residual():
    _, x, rng = _net_and_inputs()
    start = np.array([0.5, -1.0, 2.0])
    runs = train_widths((16, 32), depth=2, activation="relu", weight_std=1.5, bias_std=0.1, x_train=x,
                        start=start, learning_rate=0.1, n_steps=3, seeds=(4, 3), rng=rng, x_test=x[:2] * 0.5)
    assert [r.width for r in runs] == [16, 32]
    for run, count in zip(runs, (4, 3)):
        np.testing.assert_allclose(run.residuals[0], np.tile(start, (count, 1)), atol=1e-12)
        assert run.residuals.shape == (4, count, 3) and run.test_outputs.shape == (2, count, 2)
        assert run.ntk.shape == (2, count, 3, 3) and np.all(run.weight_change > 0)


def test_train_widths_records_only_the_ends_when_asked():
    _, x, rng = _net_and_inputs()
    (run,) = train_widths((16,), depth=2, activation="relu", weight_std=1.5, bias_std=0.1, x_train=x,
                          start=np.ones(3), learning_rate=0.1, n_steps=5, seeds=2, rng=rng, record_every=5,
                          record_ntk=False)
    assert run.residuals.shape == (2, 2, 3) and run.ntk is None


def test_train_widths_matches_train_gd_on_the_same_draws():
    _, x, _ = _net_and_inputs()
    start = np.array([1.0, 0.0, -1.0])
    (run,) = train_widths((8,), depth=3, activation="relu", weight_std=1.5, bias_std=0.1, x_train=x,
                          start=start, learning_rate=0.2, n_steps=2, seeds=2, rng=np.random.default_rng(5))
    net = MLP([2, 8, 8, 1], "relu", 1.5, 0.1)
    params = net.init(np.random.default_rng(5), n_networks=2)
    targets = net.apply(params, x) - start[:, None]
    final = train_gd(net, params, x, targets, learning_rate=0.2, n_steps=2).train_outputs[-1]
    np.testing.assert_allclose(run.residuals[-1], (final - targets)[..., 0], rtol=1e-12)


def test_train_widths_rejects_bad_input():
    _, x, rng = _net_and_inputs()
    common = dict(activation="relu", weight_std=1.0, bias_std=0.0, x_train=x, learning_rate=0.1, n_steps=1,
                  rng=rng)
    with pytest.raises(ValueError, match="seeds entry=1"):
        train_widths((8,), depth=2, start=np.zeros(3), seeds=1, **common)
    with pytest.raises(ValueError, match="one count or one per width"):
        train_widths((8, 16), depth=2, start=np.zeros(3), seeds=(4, 4, 4), **common)
    with pytest.raises(ValueError, match="start has shape"):
        train_widths((8,), depth=2, start=np.zeros(4), seeds=2, **common)
    with pytest.raises(ValueError, match="depth=1"):
        train_widths((8,), depth=1, start=np.zeros(3), seeds=2, **common)
