"""numeric.kernel_ensembles (Gaussian projections) against explicit weights; numeric.tangents."""
import numpy as np
import pytest

from numeric.ensembles import sample_ntks
from numeric.kernel_ensembles import sample_kernels
from numeric.networks import MLP
from numeric.tangents import unit_tangent_kernel

Z_MAX = 5.0
"""Two-sided 5σ per comparison: with ≤ 12 comparisons per test the false-alarm rate is ≤ 1e-5."""
S = 20_000


def _z_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z of the differences of E[K_ij] and E[K_ij²] (i ≤ j) between two independent samples."""
    i, j = np.triu_indices(a.shape[1])
    z = []
    for power in (1, 2):
        ta, tb = a[:, i, j] ** power, b[:, i, j] ** power
        se = np.sqrt(ta.var(axis=0, ddof=1) / len(ta) + tb.var(axis=0, ddof=1) / len(tb))
        z.append((ta.mean(axis=0) - tb.mean(axis=0)) / se)
    return np.concatenate(z)


CASES = [("ntk", "relu", [3, 6, 5, 1]), ("standard", "relu", [3, 6, 5, 1]),
         ("ntk", "tanh", [3, 4, 7, 3, 1]), ("standard", "erf", [3, 5, 1])]


@pytest.mark.parametrize("parameterization, activation, widths", CASES)
def test_projected_ntks_have_the_law_of_explicit_ones(parameterization, activation, widths):
    net = MLP(widths, activation, 1.3, 0.4, parameterization)
    x = np.random.default_rng(10).standard_normal((3, 3))
    explicit = sample_ntks(net, x, n_networks=S, rng=np.random.default_rng(1))
    readout, projected = sample_kernels(net, x, n_networks=S, rng=np.random.default_rng(2))
    assert projected.shape == readout.shape == (S, 3, 3)
    assert np.max(np.abs(_z_scores(projected, explicit))) <= Z_MAX


def test_the_comparison_detects_a_five_percent_error():
    net = MLP([3, 6, 5, 1], "relu", 1.3, 0.4)
    x = np.random.default_rng(10).standard_normal((3, 3))
    explicit = sample_ntks(net, x, n_networks=S, rng=np.random.default_rng(1))
    _, projected = sample_kernels(net, x, n_networks=S, rng=np.random.default_rng(2))
    assert np.max(np.abs(_z_scores(1.05 * projected, explicit))) > Z_MAX


def test_readout_covariance_is_the_output_covariance():
    net = MLP([3, 5, 4, 1], "relu", 1.2, 0.3)
    x = np.random.default_rng(0).standard_normal((2, 3))
    readout, none = sample_kernels(net, x, n_networks=S, rng=np.random.default_rng(3), ntk=False)
    assert none is None
    f = net.apply(net.init(np.random.default_rng(4), n_networks=S), x)[..., 0]
    products = f[:, :, None] * f[:, None, :]
    se = np.sqrt(products.var(axis=0) / S + readout.var(axis=0) / S)
    assert np.max(np.abs((products.mean(axis=0) - readout.mean(axis=0)) / se)) <= Z_MAX


def test_batches_do_not_change_the_law_and_seeds_reproduce():
    net = MLP([3, 7, 7, 1], "relu", 1.0, 0.2)
    x = np.random.default_rng(0).standard_normal((2, 3))
    a = sample_kernels(net, x, n_networks=10, rng=np.random.default_rng(5), batch_size=4)
    b = sample_kernels(net, x, n_networks=10, rng=np.random.default_rng(5), batch_size=4)
    np.testing.assert_array_equal(a[1], b[1])
    assert a[1].shape == (10, 2, 2)
    np.testing.assert_allclose(a[1], np.swapaxes(a[1], 1, 2), rtol=1e-12)


def test_repeated_inputs_give_equal_kernel_entries():
    net = MLP([3, 9, 9, 1], "relu", 1.4, 0.0)
    x = np.random.default_rng(0).standard_normal((2, 3))[[0, 1, 1]]
    readout, theta = sample_kernels(net, x, n_networks=50, rng=np.random.default_rng(1))
    np.testing.assert_allclose(theta[:, 1, 1], theta[:, 1, 2], rtol=1e-10)
    np.testing.assert_allclose(readout[:, 1, 1], readout[:, 2, 2], rtol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_networks": 0}, "n_networks"),
    ({"n_networks": 3, "batch_size": 0}, "batch_size"),
    ({"n_networks": 3, "rng": 7}, "rng"),
])
def test_bad_arguments_name_the_parameter(kwargs, message):
    net = MLP([3, 4, 1])
    kwargs = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=message):
        sample_kernels(net, np.ones((2, 3)), **kwargs)


def test_vector_output_is_refused():
    with pytest.raises(ValueError, match="scalar output"):
        sample_kernels(MLP([3, 4, 2]), np.ones((2, 3)), n_networks=2, rng=np.random.default_rng(0))


def test_unit_tangent_kernel_diagonal_blocks_are_scalar_ntks():
    net = MLP([3, 4, 5], "tanh", 1.2, 0.3)
    params = net.init(np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((2, 3))
    theta = unit_tangent_kernel(net, params, x)
    assert theta.shape == (2, 2, 5, 5)
    for j in range(5):
        unit = MLP([3, 4, 1], "tanh", 1.2, 0.3)
        sliced = [params[0], (params[1][0][:, j:j + 1], params[1][1][j:j + 1])]
        np.testing.assert_allclose(theta[:, :, j, j], unit.empirical_ntk(sliced, x), rtol=1e-12)
    np.testing.assert_allclose(theta[:, :, 0, 1], theta[:, :, 1, 0].T, rtol=1e-12)


def test_unit_tangent_kernel_refuses_a_stack_of_networks():
    net = MLP([3, 4, 2])
    with pytest.raises(ValueError, match="batch shape"):
        unit_tangent_kernel(net, net.init(np.random.default_rng(0), n_networks=2), np.ones((1, 3)))
