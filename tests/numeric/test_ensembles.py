"""numeric.ensembles: the Gaussian shortcut against explicit weights, batching, seeds."""
import numpy as np
import pytest

from numeric.ensembles import sample_ntks, sample_outputs
from numeric.networks import MLP

Z_MAX = 5.0
"""Two-sided 5σ per comparison: with ≤ 20 comparisons per test the false-alarm rate is ≤ 1e-5."""

S = 20_000


def _moment_z_scores(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z of the differences of E[f_i f_j] and E[f_i² f_j²] (i ≤ j) between two samples.

    Each estimate is a sample mean over independent networks; its SE is the sample std
    over √S, and the two samples are independent, so SE² of the difference adds.
    """
    i, j = np.triu_indices(a.shape[1])
    z = []
    for power in (1, 2):
        ta, tb = (s[:, i] ** power * s[:, j] ** power for s in (a, b))
        se = np.sqrt(ta.var(axis=0, ddof=1) / len(ta) + tb.var(axis=0, ddof=1) / len(tb))
        z.append((ta.mean(axis=0) - tb.mean(axis=0)) / se)
    return np.concatenate(z)


def _explicit_outputs(widths, x, rng, weight_std, bias_std):
    net = MLP(widths, "relu", weight_std, bias_std)
    return net.apply(net.init(rng, n_networks=S), x)[..., 0]


# N = 4 points, n = 6, 5: Cholesky factors; N = 8 points, n = 3, 4: explicit factors.
CONFIGS = [([3, 6, 5, 1], 4, 1.5, 0.3), ([3, 4, 4, 1], 8, 1.2, 0.5)]


@pytest.mark.parametrize("widths, n_points, weight_std, bias_std", CONFIGS)
def test_shortcut_matches_explicit_weights(widths, n_points, weight_std, bias_std):
    x = np.random.default_rng(10).standard_normal((n_points, 3))
    explicit = _explicit_outputs(widths, x, np.random.default_rng(11), weight_std, bias_std)
    shortcut = sample_outputs(widths, "relu", x, S, np.random.default_rng(12), weight_std, bias_std)
    assert shortcut.shape == (S, n_points)
    assert np.max(np.abs(_moment_z_scores(shortcut, explicit))) <= Z_MAX


def test_moment_comparison_detects_a_ten_percent_scale_error():
    widths, n_points, weight_std, bias_std = CONFIGS[0]
    x = np.random.default_rng(10).standard_normal((n_points, 3))
    explicit = _explicit_outputs(widths, x, np.random.default_rng(11), weight_std, bias_std)
    shortcut = sample_outputs(widths, "relu", x, S, np.random.default_rng(12), weight_std, bias_std)
    assert np.max(np.abs(_moment_z_scores(1.1 * shortcut, explicit))) > Z_MAX


def test_outputs_reproduce_and_do_not_depend_on_batch_size():
    x = np.random.default_rng(0).standard_normal((5, 3))

    def draw(batch_size):
        return sample_outputs([3, 7, 1], "tanh", x, 50, np.random.default_rng(4), 1.0, 0.2, batch_size=batch_size)

    np.testing.assert_array_equal(draw(None), draw(None))
    np.testing.assert_array_equal(draw(7), draw(50))


def test_singular_covariance_gives_equal_outputs_at_repeated_points():
    x = np.random.default_rng(0).standard_normal((3, 3))[[0, 1, 1, 2]]
    out = sample_outputs([3, 8, 8, 1], "relu", x, 200, np.random.default_rng(1), 1.4, 0.0)
    # eigh of a rank-deficient K: rounding of order √ε relative to the output scale.
    np.testing.assert_allclose(out[:, 1], out[:, 2], rtol=0, atol=1e-6 * np.abs(out).max())


def test_sample_ntks_equals_successive_empirical_ntks():
    net = MLP([3, 5, 1], "relu", 1.3, 0.2, "standard")
    x = np.random.default_rng(0).standard_normal((4, 3))
    kernels = sample_ntks(net, x, n_networks=7, rng=np.random.default_rng(3), batch_size=3)
    rng = np.random.default_rng(3)
    expected = np.stack([net.empirical_ntk(net.init(rng), x) for _ in range(7)])
    np.testing.assert_allclose(kernels, expected, rtol=1e-13)


def test_bad_sampler_arguments_are_named():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="n_networks=0"):
        sample_outputs([3, 4, 1], "relu", x, 0, np.random.default_rng())
    with pytest.raises(ValueError, match="widths\\[-1\\]=2"):
        sample_outputs([3, 4, 2], "relu", x, 5, np.random.default_rng())
    with pytest.raises(ValueError, match="batch_size=0"):
        sample_outputs([3, 4, 1], "relu", x, 5, np.random.default_rng(), batch_size=0)
    with pytest.raises(ValueError, match="rng="):
        sample_ntks(MLP([3, 4, 1]), x, n_networks=2, rng=None)
