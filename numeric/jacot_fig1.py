"""The setting of Jacot et al. 2018, Fig. 1: Theta(x_0, x(gamma)) on the unit circle, at
initialisation and after training, for two widths and several initialisations, beside
the limiting Theta^L.

As the paper states it (Sec. 6.1 and the start of Sec. 6): depth L = 4 (three hidden
layers of width n; depth counts the affine layers), ReLU, NTK parameterisation with sigma_w = 1 and
beta = sigma_b = 0.1, x_0 = (1, 0) and x(gamma) = (cos gamma, sin gamma), widths n = 500
and n = 10000, 10 independent initialisations, the kernel plotted at t = 0 and after 200
steps of gradient descent with learning rate 1.0 on a least-squares cost, fitting
f*(x) = x_1 x_2 on inputs drawn from N(0, I_2).

What we choose where the paper is silent or our conventions differ (see :class:`Setting`):

* the cost: the paper's C(f) = 1/2 ||f - f*||^2_{p_in} averages over the N training points,
  our :func:`numeric.training.train_gd` sums; its learning rate 1.0 is our 1/N;
* the number of training points (``train_points``, default 4) and the gamma grid
  (``grid`` points on [-pi, pi]) are not stated;
* every run draws its initialisations and training inputs from the generator it is given,
  not from the paper's (unpublished) seeds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .networks import MLP, _check_int, _check_real, _check_rng
from .training import train_gd

__all__ = ["Setting", "Fig1Data", "PAPER", "circle", "run"]


@dataclass(frozen=True)
class Setting:
    """The experiment's parameters; :data:`PAPER` is Jacot et al.'s (with our choices above)."""

    widths: tuple[int, ...] = (500, 10000)
    seeds: int = 10
    depth: int = 4
    activation: str = "relu"
    weight_std: float = 1.0
    bias_std: float = 0.1
    n_steps: int = 200
    paper_learning_rate: float = 1.0
    train_points: int = 4
    grid: int = 101

    def __post_init__(self):
        if not self.widths:
            raise ValueError("widths=() is not accepted; expected at least one width")
        for width in self.widths:
            _check_int("widths entry", width, 1)
        _check_int("seeds", self.seeds, 1)
        _check_int("depth", self.depth, 2)
        _check_int("n_steps", self.n_steps, 0)
        _check_int("train_points", self.train_points, 1)
        _check_int("grid", self.grid, 2)
        _check_real("paper_learning_rate", self.paper_learning_rate, positive=True)

    @property
    def learning_rate(self) -> float:
        """Our step on the summed loss: the paper's step on the mean over the training points."""
        return self.paper_learning_rate / self.train_points


PAPER = Setting()


@dataclass(frozen=True)
class Fig1Data:
    """``gamma`` (G,); ``limit`` (G,) = Theta^L(x_0, x(gamma)); ``initial`` and ``trained``
    (W, S, G) = empirical Theta at steps 0 and K for each width and initialisation;
    ``loss`` (W, S) = 1/2 ||f(X) - f*(X)||^2 after training; ``setting``."""

    setting: Setting
    gamma: np.ndarray
    limit: np.ndarray
    initial: np.ndarray
    trained: np.ndarray
    loss: np.ndarray


def circle(gamma) -> np.ndarray:
    """x(gamma) = (cos gamma, sin gamma), shape (G, 2)."""
    gamma = np.asarray(gamma, dtype=float)
    return np.stack([np.cos(gamma), np.sin(gamma)], axis=-1)


def run(setting: Setting, rng: np.random.Generator) -> Fig1Data:
    """Train ``setting.seeds`` networks per width and evaluate Theta(x_0, x(gamma)) before and after."""
    _check_rng(rng)
    gamma = np.linspace(-np.pi, np.pi, setting.grid)
    x0, points = circle([0.0]), circle(gamma)
    x_train = rng.standard_normal((setting.train_points, 2))
    y_train = x_train[:, 0] * x_train[:, 1]
    common = dict(activation=setting.activation, weight_std=setting.weight_std, bias_std=setting.bias_std)
    limit = kernels.ntk(x0, points, depth=setting.depth, **common)[0]
    initial, trained, loss = [], [], []
    for width in setting.widths:
        net = MLP([2] + [width] * (setting.depth - 1) + [1], **common)
        parts = [_chunk(net, setting, x_train, y_train, x0, points, rng, count)
                 for count in _chunks(setting.seeds, max(1, _ELEMENTS // net.n_params))]
        initial.append(np.concatenate([p[0] for p in parts]))
        trained.append(np.concatenate([p[1] for p in parts]))
        loss.append(np.concatenate([p[2] for p in parts]))
    return Fig1Data(setting, gamma, limit, np.stack(initial), np.stack(trained), np.stack(loss))


_ELEMENTS = 1 << 26
"""Parameters (float64) of the networks trained together: a width-10000 network alone has 2e8."""


def _chunks(total: int, size: int):
    return [min(size, total - start) for start in range(0, total, size)]


def _chunk(net, setting, x_train, y_train, x0, points, rng, count):
    """Theta(x_0, x(gamma)) before and after training, and the final loss, of ``count`` new networks.

    Successive chunks draw their initialisations one after another from ``rng``, so the data do
    not depend on how the seeds are chunked (:meth:`MLP.init`).
    """
    params = net.init(rng, n_networks=count)
    trajectory = train_gd(net, params, x_train, y_train, learning_rate=setting.learning_rate,
                          n_steps=setting.n_steps, record_every=max(1, setting.n_steps),
                          params_at=(setting.n_steps,))
    return (net.empirical_ntk(params, x0, points)[:, 0],
            net.empirical_ntk(trajectory.params[setting.n_steps], x0, points)[:, 0],
            trajectory.loss[-1])
