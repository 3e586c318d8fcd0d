"""numeric.hessian: exact Hessian–vector products, Taylor mode and operator norms of an MLP,
against finite differences of backprop gradients and dense Hessians of small networks."""
import math

import numpy as np
import pytest

from numeric import activations
from numeric.hessian import OutputHessian, jacobian_norm, lanczos, second_derivative
from numeric.networks import MLP

CASES = [(act, par, widths) for act in ("tanh", "relu", "erf") for par in ("ntk", "standard")
         for widths in ([3, 5, 1], [2, 4, 3, 1])]


def _setup(act, par, widths, seed=0):
    rng = np.random.default_rng(seed)
    net = MLP(widths, activation=act, weight_std=1.3, bias_std=0.4, parameterization=par)
    return net, net.init(rng), rng.standard_normal((2, widths[0])), rng


def _dense_hessians(net, params, x, scale=1.0, h=1e-6):
    """H_i by central differences of the backprop gradient of scale * f(x_i)."""
    theta = net.flatten(params)
    out = []
    for i in range(x.shape[0]):
        g = np.zeros((x.shape[0], 1))
        g[i] = scale
        cols = [(net.flatten(net.vjp(net.unflatten(theta + e), x, g))
                 - net.flatten(net.vjp(net.unflatten(theta - e), x, g))) / (2 * h)
                for e in h * np.eye(theta.size)]
        H = np.column_stack(cols)
        out.append(0.5 * (H + H.T))
    return out


@pytest.mark.parametrize("act,par,widths", CASES)
def test_hvp_and_taylor_match_finite_differences(act, par, widths):
    net, params, x, rng = _setup(act, par, widths)
    scale = 2.5
    H = _dense_hessians(net, params, x, scale)
    op = OutputHessian(net, params, x, scale=scale)
    u, g = rng.standard_normal(net.n_params), rng.standard_normal(2)
    reference = (g[0] * H[0] + g[1] * H[1]) @ u
    assert np.allclose(op.hvp(g, u), reference, rtol=1e-6, atol=1e-7 * np.abs(reference).max())
    values, jvp, second = op.taylor(u)
    assert np.allclose(values, scale * net.apply(params, x)[:, 0], rtol=1e-14)
    assert np.allclose(jvp, scale * net.jacobian(params, x) @ u, rtol=1e-12, atol=1e-12)
    assert np.allclose(second, [u @ Hi @ u for Hi in H], rtol=1e-6, atol=1e-7)


def test_products_and_taylor_accept_batches_of_directions():
    net, params, x, rng = _setup("tanh", "ntk", [2, 4, 3, 1])
    op = OutputHessian(net, params, x)
    U = rng.standard_normal((5, net.n_params))
    g = np.array([0.3, -1.0])
    assert np.allclose(op.hvp(g, U), np.stack([op.hvp(g, u) for u in U]), rtol=1e-13, atol=1e-14)
    batched = op.taylor(U)
    for k, u in enumerate(U):
        assert np.allclose(batched[1][k], op.taylor(u)[1]) and np.allclose(batched[2][k], op.taylor(u)[2])


def test_identity_network_is_affine_in_each_layer():
    net = MLP([3, 4, 1], activation="identity")
    params = net.init(np.random.default_rng(1))
    x = np.eye(3)[:2]
    op = OutputHessian(net, params, x)
    u = np.random.default_rng(2).standard_normal(net.n_params)
    # f = a_1 (a_0 x W_0 + c_0 b_0) W_1 + c_1 b_1 is affine in each layer: only cross-layer blocks.
    H = _dense_hessians(net, params, x)
    assert np.allclose(op.taylor(u)[2], [u @ Hi @ u for Hi in H], atol=1e-7)
    assert np.allclose(np.diag(H[0])[: 3 * 4], 0.0, atol=1e-8)


@pytest.mark.parametrize("act,par,widths", CASES[:8])
def test_norm_matches_a_dense_search(act, par, widths):
    net, params, x, _ = _setup(act, par, widths, seed=3)
    H = _dense_hessians(net, params, x)
    op = OutputHessian(net, params, x)
    single = OutputHessian(net, params, x[:1]).norm(np.random.default_rng(0)).value
    assert single == pytest.approx(np.abs(np.linalg.eigvalsh(H[0])).max(), rel=1e-6)
    grid = np.linspace(0, np.pi, 721)
    dense = max(np.abs(np.linalg.eigvalsh(math.cos(t) * H[0] + math.sin(t) * H[1])).max() for t in grid)
    found = op.norm(np.random.default_rng(0))
    lipschitz = math.sqrt(2) * max(np.abs(np.linalg.eigvalsh(h)).max() for h in H)
    assert dense * (1 - 1e-6) <= found.value <= dense + lipschitz * (grid[1] - grid[0]) / 2
    assert np.linalg.norm(found.cotangent) == pytest.approx(1.0)


def test_lanczos_finds_the_largest_magnitude_of_a_large_operator():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((200, 200))
    A = A + A.T
    A[0, 0] = -60.0
    value, used = lanczos(lambda v: A @ v, rng.standard_normal(200), tol=1e-10)
    assert value == pytest.approx(np.abs(np.linalg.eigvalsh(A)).max(), rel=1e-9)
    assert used < 200


def test_lanczos_stops_on_an_invariant_subspace():
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((100, 3)))
    A = q @ np.diag([3.0, -1.0, 0.5]) @ q.T
    value, used = lanczos(lambda v: A @ v, rng.standard_normal(100))
    assert value == pytest.approx(3.0, rel=1e-12) and used <= 4


def test_relu_hessian_norm_of_a_one_hidden_layer_ntk_network():
    # y = sigma_w n^{-1/2} sum_j v_j relu(sigma_w u_j x / sqrt(d)): with one input and sigma_b = 0 the
    # Hessian is block diagonal over neurons with blocks [[0, a], [a^T, 0]] n^{-1/2}, a = sigma_w^2 x/sqrt(d).
    n, d = 64, 3
    net = MLP([d, n, 1], parameterization="ntk", weight_std=1.5)
    params = net.init(np.random.default_rng(6))
    x = np.array([[0.5, -1.0, 2.0]])
    expected = 1.5**2 * np.linalg.norm(x) / math.sqrt(d) / math.sqrt(n)
    assert OutputHessian(net, params, x).norm(np.random.default_rng(0)).value == pytest.approx(expected, rel=1e-10)


def test_jacobian_norm_is_the_largest_singular_value():
    net, params, x, _ = _setup("tanh", "standard", [2, 4, 3, 1])
    expected = np.linalg.svd(net.jacobian(params, x), compute_uv=False)[0]
    assert jacobian_norm(net, params, x, scale=-3.0) == pytest.approx(3.0 * expected, rel=1e-12)


def test_second_derivatives():
    z = np.linspace(-2, 2, 9)
    h = 1e-5
    for name in ("tanh", "erf", "sin", "cos", "quadratic", "exp"):
        act = activations.get(name)
        numeric = (act.deriv(z + h) - act.deriv(z - h)) / (2 * h)
        assert np.allclose(second_derivative(name)(z), numeric, atol=1e-8)
    for name in ("relu", "abs", "leaky_relu", "identity", "step"):
        assert np.all(second_derivative(name)(z) == 0)


@pytest.mark.parametrize("call,message", [
    (lambda net, p, x: second_derivative("gelu"), "gelu"),
    (lambda net, p, x: OutputHessian(net, p, x, scale=0.0), "scale"),
    (lambda net, p, x: OutputHessian(net, net.init(np.random.default_rng(0), n_networks=2), x), "batch"),
    (lambda net, p, x: OutputHessian(net, p, np.ones((3, 3))).norm(np.random.default_rng(0)), "N <= 2"),
    (lambda net, p, x: OutputHessian(net, p, x).norm(0), "rng"),
    (lambda net, p, x: OutputHessian(net, p, x).norm(np.random.default_rng(0), tol=0.0), "tol"),
    (lambda net, p, x: OutputHessian(net, p, x).hvp(np.ones(3), np.ones(net.n_params)), "cotangent"),
    (lambda net, p, x: OutputHessian(MLP([3, 2, 2]), MLP([3, 2, 2]).init(np.random.default_rng(0)), x), "scalar"),
    (lambda net, p, x: lanczos(lambda v: v, np.zeros(5)), "start"),
])
def test_bad_input_raises_value_error(call, message):
    net = MLP([3, 4, 1])
    params = net.init(np.random.default_rng(0))
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match=message):
        call(net, params, x)
