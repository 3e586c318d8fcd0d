"""numeric.jacot_fig1: the setting of Jacot et al. 2018, Fig. 1, at toy widths."""
import numpy as np
import pytest

from numeric import jacot_fig1, kernels
from numeric.networks import MLP

SMALL = jacot_fig1.Setting(widths=(8, 16), seeds=2, n_steps=3, grid=7)


def test_the_paper_setting_is_the_papers():
    s = jacot_fig1.PAPER
    assert (s.depth, s.activation, s.weight_std, s.bias_std) == (4, "relu", 1.0, 0.1)
    assert (s.widths, s.seeds, s.n_steps, s.paper_learning_rate) == ((500, 10000), 10, 200, 1.0)
    assert s.learning_rate == pytest.approx(1.0 / s.train_points)


def test_data_shapes_the_limit_and_the_kernel_at_initialisation():
    data = jacot_fig1.run(SMALL, np.random.default_rng(3))
    assert data.gamma.shape == (7,) and data.limit.shape == (7,)
    assert data.initial.shape == data.trained.shape == (2, 2, 7) and data.loss.shape == (2, 2)
    points = jacot_fig1.circle(data.gamma)
    np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1.0)
    limit = kernels.ntk(jacot_fig1.circle([0.0]), points, depth=4, activation="relu", weight_std=1.0,
                        bias_std=0.1)[0]
    np.testing.assert_allclose(data.limit, limit)
    rng = np.random.default_rng(3)
    rng.standard_normal((SMALL.train_points, 2))
    net = MLP([2, 8, 8, 8, 1], "relu", 1.0, 0.1)
    first = net.empirical_ntk(net.init(rng, n_networks=2), jacot_fig1.circle([0.0]), points)[:, 0]
    np.testing.assert_allclose(data.initial[0], first, rtol=1e-12)
    assert not np.allclose(data.trained, data.initial)


def test_the_same_generator_state_gives_the_same_data():
    a = jacot_fig1.run(SMALL, np.random.default_rng(7))
    b = jacot_fig1.run(SMALL, np.random.default_rng(7))
    np.testing.assert_array_equal(a.trained, b.trained)


@pytest.mark.parametrize("field,value", [("widths", ()), ("seeds", 0), ("depth", 1), ("grid", 1),
                                         ("paper_learning_rate", -1.0)])
def test_bad_settings_are_named(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]):
        jacot_fig1.Setting(**{field: value})


def test_training_the_seeds_in_chunks_changes_nothing(monkeypatch):
    whole = jacot_fig1.run(SMALL, np.random.default_rng(9))
    monkeypatch.setattr(jacot_fig1, "_ELEMENTS", 1)
    chunked = jacot_fig1.run(SMALL, np.random.default_rng(9))
    np.testing.assert_allclose(chunked.trained, whole.trained, rtol=1e-12)
    np.testing.assert_allclose(chunked.loss, whole.loss, rtol=1e-12)
