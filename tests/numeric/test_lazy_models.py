"""numeric.lazy (κ, the linearised model, kink-free radii) and numeric.toy_model (the blog's
one-weight model, checked against the lambdified SymPy model of derivations.lazy)."""
import math

import numpy as np
import pytest
import sympy as sp

from derivations import lazy
from numeric import toy_model
from numeric.lazy import Linearization, differences, inverse_relative_scale, kink_free_radius
from numeric.networks import MLP

TARGET = np.array([1.0, -0.5])


def _net(par="ntk", widths=(3, 6, 1), act="relu", seed=0):
    net = MLP(list(widths), activation=act, parameterization=par)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, widths[0]))
    return net, net.init(rng), x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("par", ["ntk", "standard"])
def test_kappa_of_the_centred_model_scales_as_one_over_alpha(par):
    net, params, x = _net(par, (3, 5, 4, 1))
    base = inverse_relative_scale(net, params, x, TARGET, rng=np.random.default_rng(1), tol=1e-12)
    assert base.residual == pytest.approx(np.linalg.norm(TARGET)) and not base.outputs.any()
    for alpha in (0.01, 3.7, 250.0):
        scaled = inverse_relative_scale(net, params, x, TARGET, alpha=alpha, rng=np.random.default_rng(1), tol=1e-12)
        assert scaled.value * alpha == pytest.approx(base.value, rel=1e-12)


def test_kappa_without_centring_uses_the_outputs():
    net, params, x = _net("standard")
    k = inverse_relative_scale(net, params, x, TARGET, alpha=2.0, centred=False, rng=np.random.default_rng(1))
    assert np.allclose(k.outputs, 2.0 * net.apply(params, x)[:, 0])
    assert k.residual == pytest.approx(np.linalg.norm(k.outputs - TARGET))
    assert k.value == pytest.approx(k.residual * k.hessian / k.jacobian**2)


def test_kappa_rejects_a_target_of_the_wrong_shape():
    net, params, x = _net()
    with pytest.raises(ValueError, match="target"):
        inverse_relative_scale(net, params, x, np.ones(3), rng=np.random.default_rng(0))


@pytest.mark.parametrize("act", ["relu", "tanh"])
def test_linearization(act):
    net, params, x = _net("standard", (3, 4, 3, 1), act)
    lin = Linearization(net, params, x)
    phi = net.jacobian(params, x)
    assert np.allclose(lin.features(), phi, rtol=1e-12, atol=1e-14)
    assert np.allclose(lin.kernel(), net.empirical_ntk(params, x), rtol=1e-12)
    theta = lin.theta0 + np.random.default_rng(3).standard_normal((2, net.n_params))
    assert np.allclose(lin.apply(theta), net.apply(params, x)[:, 0] + (theta - lin.theta0) @ phi.T)
    assert np.allclose(lin.remainder(lin.theta0), 0.0)


def test_one_hidden_layer_relu_is_quadratic_below_the_kink_free_radius():
    net, params, x = _net("ntk", (3, 8, 1))
    lin = Linearization(net, params, x)
    v = np.random.default_rng(4).standard_normal(net.n_params)
    v /= np.linalg.norm(v)
    radius = kink_free_radius(net, params, x, v)
    radii = radius * np.array([0.9, 0.5, 0.1])
    gaps = lin.remainder(lin.theta0 + radii[:, None] * v)
    assert np.allclose(gaps / radii[:, None] ** 2, 0.5 * lin.curvature(v), rtol=1e-7)
    beyond = lin.remainder(lin.theta0 + 3 * radius * v) / (3 * radius) ** 2
    assert not np.allclose(beyond, 0.5 * lin.curvature(v), rtol=1e-7)


def test_kink_free_radius_needs_one_hidden_layer():
    net, params, x = _net("ntk", (3, 4, 4, 1))
    with pytest.raises(ValueError, match="depth"):
        kink_free_radius(net, params, x, np.ones(net.n_params))


def test_kink_free_radius_is_infinite_when_no_sign_changes():
    net = MLP([1, 2, 1])
    params = [(np.array([[1.0, 2.0]]), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]
    direction = np.zeros(net.n_params)
    direction[:2] = 1.0
    assert kink_free_radius(net, params, np.array([[1.0]]), direction) == math.inf


def test_toy_model_matches_the_sympy_model():
    w = np.linspace(-1.0, 1.5, 11)
    f = sp.lambdify(lazy.TOY_W, lazy.TOY_MODEL, "numpy")
    assert np.allclose(toy_model.model(w), f(w), rtol=1e-14, atol=1e-15)
    assert np.allclose(toy_model.offset_model(w - toy_model.W0), f(w), rtol=1e-14, atol=1e-15)
    exact = [float(v) for v in lazy.TOY_DERIVATIVES.values()][:2]
    assert np.allclose(toy_model.derivatives(), exact, rtol=1e-14)
    assert toy_model.model(toy_model.W0) == 0.0


@pytest.mark.parametrize("alpha,target", [(50.0, 1.0), (1e4, -0.3), (1e7, 2.0)])
def test_minimiser_offset_solves_the_root_equation(alpha, target):
    delta = toy_model.minimiser_offset(alpha, target)
    assert alpha * toy_model.offset_model(delta) == pytest.approx(target, rel=1e-14)
    assert delta * alpha * toy_model.derivatives()[0] / target == pytest.approx(1.0, abs=5.0 / alpha)


def test_losses_agree_at_initialisation_and_differ_away():
    true, lin = toy_model.losses(3.0, 1.0, np.array([toy_model.W0, 1.0]))
    assert true[0] == lin[0] == 0.5
    assert true[1] != lin[1]


@pytest.mark.parametrize("call,message", [
    (lambda: toy_model.minimiser_offset(0.0, 1.0), "alpha"),
    (lambda: toy_model.minimiser_offset(2.0, math.nan), "target"),
    (lambda: toy_model.losses(-1.0, 1.0, [0.0]), "alpha"),
    (lambda: toy_model.minimiser_offset(1.0, -1.0), "no root"),
])
def test_toy_model_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("par,widths", [("ntk", (3, 6, 1)), ("standard", (3, 5, 4, 1))])
def test_differences_of_a_relu_model_are_its_exact_derivatives(par, widths):
    from numeric.hessian import OutputHessian, dense_norm

    net, params, x = _net(par, widths)
    d = differences(net, params, x, scale=7.0)
    exact = 7.0 * net.jacobian(params, x)
    assert np.allclose(d.jacobian, exact, rtol=0, atol=1e-9 * np.abs(exact).max())
    hessian = OutputHessian(net, params, x, scale=7.0)
    for i in range(2):
        dense = hessian.hvp(np.eye(2)[i], np.eye(net.n_params))
        assert np.allclose(d.hessians[i], dense, rtol=0, atol=1e-8 * np.abs(dense).max())
    assert dense_norm(d.hessians) == pytest.approx(hessian.norm(np.random.default_rng(0), tol=1e-12).value, rel=1e-9)
    assert np.array_equal(d.values, 7.0 * net.apply(params, x)[:, 0])


def test_differences_refuse_smooth_activations():
    net, params, x = _net(act="tanh")
    with pytest.raises(ValueError, match="net.activation='tanh'"):
        differences(net, params, x)


def test_circle_derivatives_of_the_toy_model():
    values = toy_model.circle_derivatives(toy_model.model, toy_model.W0, 3)
    assert values[0] == pytest.approx(0.0, abs=1e-14)
    assert values[1:] == pytest.approx(toy_model.derivatives(), rel=1e-13)
    with pytest.raises(ValueError, match="orders=0"):
        toy_model.circle_derivatives(toy_model.model, toy_model.W0, 0)
