"""Helpers of the rkhs.* and features.* claims: the stated recursion is the library's kernel,
PSD ratios, the overflow fallback, and the sizes of the feature checks."""
import numpy as np
import pytest

from derivations import kernels as K
from derivations import rkhs as R
from numeric import activations, kernels
from verify.claims import rkhs


@pytest.mark.parametrize("name, rtol", [("relu", 1e-13), ("step", 1e-13), ("erf", 1e-13), ("tanh", 1e-4)])
def test_the_stated_layer_maps_reproduce_the_library_kernels(name, rtol):
    """Closed forms to rounding; tanh's quadrature is not symmetric in (k11, k22), and the
    stated layers evaluate the upper triangle only, the library both orders."""
    x = rkhs.sample_points(np.random.default_rng(0), 5, 3)
    layers = rkhs.stated_layers(R.GRAM_PSD, activations.get(name), x, 3, 1.3, 0.4)
    for depth, (sigma, theta) in enumerate(layers, start=1):
        nngp, ntk = kernels.nngp_and_ntk(x, depth=depth, activation=name, weight_std=1.3, bias_std=0.4)
        assert np.abs(sigma - nngp).max() <= rtol * np.abs(nngp).max()
        assert np.abs(theta - ntk).max() <= rtol * np.abs(ntk).max()


def test_a_wrong_layer_map_gives_a_gram_that_is_not_psd():
    x = rkhs.sample_points(np.random.default_rng(1), 6, 2)
    wrong = R.GRAM_PSD.with_rhs("theta", K.SIGMA_NEXT - K.SW2 * K.SIGMA_DOT * K.THETA)
    layers = rkhs.stated_layers(wrong, activations.get("relu"), x, 3, 1.4, 0.0)
    assert min(rkhs.psd_ratio(theta)[0] for _, theta in layers) < -0.1


def test_psd_ratio():
    assert rkhs.psd_ratio(np.diag([4.0, 1.0]))[0] == pytest.approx(0.25)
    assert rkhs.psd_ratio(np.array([[1.0, 2.0], [2.0, 1.0]]))[0] == pytest.approx(-1 / 3)
    assert rkhs.psd_ratio(np.zeros((2, 2)))[0] == 0.0
    assert rkhs.psd_ratio(-np.eye(2))[0] == -np.inf
    assert rkhs.psd_ratio(np.full((2, 2), np.nan))[0] == -np.inf
    assert rkhs.psd_ratio(np.array([[1.0, 0.0], [4.0, 4.0]]))[0] == pytest.approx(0.0, abs=1e-15)


def test_a_kernel_that_overflows_is_taken_at_the_deepest_finite_depth():
    x = 3 * np.ones((2, 2))
    spec = {"activation": "exp", "depth": 5, "weight_std": 1.5, "bias_std": 1.0}
    nngp, ntk, depth = rkhs.library_kernel(spec, x)
    assert 1 <= depth < 5 and np.isfinite(nngp).all() and np.isfinite(ntk).all()
    with pytest.raises(OverflowError):
        kernels.nngp(x, depth=depth + 1, activation="exp", weight_std=1.5, bias_std=1.0)


def test_sample_points_have_the_stated_norms():
    x = rkhs.sample_points(np.random.default_rng(2), 50, 4)
    norms = np.linalg.norm(x, axis=1) / 2
    assert x.shape == (50, 4) and norms.min() >= 0.5 and norms.max() <= 1.5


def test_feature_check_pairs_have_the_drawn_geometry():
    from verify.claims import features as claims
    rng = np.random.default_rng(3)
    x = claims._pair_at_correlation(rng, 4, -0.3, (0.5, 1.5))
    assert np.allclose(np.linalg.norm(x, axis=1), [1.0, 3.0])
    assert x[0] @ x[1] / 3 == pytest.approx(-0.3)
    y = claims._pair_at_distance(rng, 3, 0.7)
    assert np.linalg.norm(y[0] - y[1]) == pytest.approx(0.7)


def test_the_reproducing_check_sees_a_kernel_that_is_not_the_features(monkeypatch):
    """<f, k(x,.)>_H is measured in feature coordinates, independently of the library's kernel:
    a library kernel 1% off makes the comparison with the stated f(x) fail."""
    from verify import registry, runner
    from verify.results import REFUTED

    real = rkhs.kernels.nngp
    monkeypatch.setattr(rkhs.kernels, "nngp", lambda *args, **kwargs: 1.01 * real(*args, **kwargs))
    result = runner.evaluate(registry.get("rkhs.reproducing"), budget="quick", seed=0, threshold=4.5)
    assert result.status == REFUTED
