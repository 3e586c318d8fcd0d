"""numeric.features against the lambdified SymPy statements of derivations.features."""
import math

import numpy as np
import pytest
import sympy as sp

from derivations import features as F
from derivations.gaussian import c, k11, k12, k22
from numeric import features


def _pair(corr: float) -> np.ndarray:
    return np.array([[1.0, 0.0, 0.0], [corr, math.sqrt(1 - corr**2), 0.0]]) * math.sqrt(3)


def _second_moment(f: np.ndarray) -> tuple[float, float]:
    products = f[0] * f[1]
    return float(products.mean()), float(products.std(ddof=1) / math.sqrt(products.size))


def test_fourier_features_have_the_gaussian_kernel_as_second_moment():
    x = np.array([[0.2, -0.1], [1.0, 0.5]])
    f = features.random_fourier_features(x, 400_000, np.random.default_rng(1), lengthscale=0.7)
    kernel = sp.lambdify((F.distance, F.lengthscale), F.RANDOM_FEATURES["fourier"].rhs)
    mean, se = _second_moment(f)
    assert abs(mean - kernel(np.linalg.norm(x[0] - x[1]), 0.7)) < 5 * se


@pytest.mark.parametrize("activation", F.NETWORK_ACTIVATIONS)
def test_network_features_have_the_depth_2_nngp_as_second_moment(activation):
    x = _pair(0.3)
    sw, sb = 1.3, 0.4
    f = features.network_features(x, 400_000, np.random.default_rng(2), activation=activation,
                                  weight_std=sw, bias_std=sb)
    q = x @ x.T / 3 * sw**2 + sb**2
    rhs = F.RANDOM_FEATURES[activation].rhs.subs(k12, c * sp.sqrt(k11 * k22))
    kernel = sp.lambdify((k11, k22, c, F.weight_std, F.bias_std), rhs)
    mean, se = _second_moment(f)
    assert abs(mean - kernel(q[0, 0], q[1, 1], q[0, 1] / math.sqrt(q[0, 0] * q[1, 1]), sw, sb)) < 5 * se


def test_feature_sets_are_independent_draws_of_the_same_law():
    x = _pair(0.5)
    many = features.network_features(x, 16, np.random.default_rng(3), n_sets=5)
    assert many.shape == (5, 2, 16)
    assert not np.allclose(many[0], many[1])
    assert features.random_fourier_features(x, 16, np.random.default_rng(3), n_sets=4).shape == (4, 2, 16)


def test_feature_kernel_is_the_tangent_kernel_of_the_linear_model():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 7)), rng.standard_normal((2, 7))
    assert np.allclose(features.feature_kernel(a, b), a @ b.T / 7)
    assert np.allclose(features.feature_kernel(a), a @ a.T / 7)
    with pytest.raises(ValueError, match="same number P of features"):
        features.feature_kernel(a, b[:, :3])


@pytest.mark.parametrize("loss", sorted(F.LOSSES))
def test_loss_gradients_match_the_lambdified_duals(loss):
    f, y = sp.symbols("f y", real=True)
    dual = sp.lambdify((f, y), F.loss_dual(loss))
    values = np.linspace(-3, 3, 13)
    targets = np.where(values > 0, 1.0, -1.0)
    assert np.allclose(features.LOSS_GRADIENTS[loss](values, targets), dual(values, targets), rtol=1e-14)


def test_one_gradient_step_moves_theta_by_the_scaled_feature_gradient():
    rng = np.random.default_rng(5)
    phi, y, theta = rng.standard_normal((4, 6)), rng.standard_normal(4), rng.standard_normal(6)
    train, evaluated = features.linear_gd(phi, y, theta, lr=0.3, steps=1, eval_features=phi[:2])
    f0 = phi @ theta / math.sqrt(6)
    theta1 = theta - 0.3 / math.sqrt(6) / 4 * phi.T @ (f0 - y)
    assert np.allclose(train, [f0, phi @ theta1 / math.sqrt(6)])
    assert np.allclose(evaluated, train[:, :2])


@pytest.mark.parametrize("call, message", [
    (lambda: features.random_fourier_features(np.ones((2, 2)), 0, np.random.default_rng()), "n_features=0"),
    (lambda: features.random_fourier_features(np.ones((2, 2)), 3, np.random.default_rng(), lengthscale=0),
     "lengthscale=0"),
    (lambda: features.network_features(np.ones(3), 3, np.random.default_rng()), r"x has shape \(3,\)"),
    (lambda: features.network_features(np.ones((2, 2)), 3, np.random.default_rng(), activation="nope"),
     "activation='nope'"),
    (lambda: features.linear_gd(np.ones((2, 3)), np.ones(2), np.ones(3), lr=0.1, steps=2, loss="hinge"),
     "loss='hinge'"),
    (lambda: features.linear_gd(np.ones((2, 3)), np.ones(3), np.ones(3), lr=0.1, steps=2), r"y has shape"),
    (lambda: features.linear_gd(np.ones((2, 3)), np.ones(2), np.ones(3), lr=float("nan"), steps=2), "lr=nan"),
])
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("activation", features.POLYNOMIAL_ACTIVATIONS)
@pytest.mark.parametrize("depth", [1, 2])
def test_polynomial_features_reproduce_the_library_nngp(activation, depth):
    from numeric import kernels

    x = np.random.default_rng(3).standard_normal((5, 3))
    options = {"depth": depth, "activation": activation, "weight_std": 1.3, "bias_std": 0.4}
    phi = features.polynomial_nngp_features(x, **options)
    assert np.allclose(phi @ phi.T, kernels.nngp(x, **options), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("kwargs,message", [
    ({"depth": 3}, "depth=3"), ({"depth": 2, "activation": "relu"}, "activation='relu'")])
def test_polynomial_features_name_what_they_accept(kwargs, message):
    with pytest.raises(ValueError, match=message):
        features.polynomial_nngp_features(np.ones((2, 2)), **kwargs)
