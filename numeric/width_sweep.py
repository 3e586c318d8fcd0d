"""The same training run at several widths, many initialisations each: what lazy training measures.

At each width n a stack of ``seeds`` networks ``MLP([n_0] + [n] * (depth - 1) + [1])``
(NTK parameterisation, :mod:`numeric.networks`) is initialised from ``rng`` and trained by
full-batch GD on 1/2 ||f(X) - y||^2 with step eta for K steps (t = eta K;
:mod:`numeric.training`), every network from the same initial residual u_0 = f_0(X) - y
(its targets are y = f_0(X) - u_0, so the spread over initialisations is that of the
networks, not of ||u_0||).  Recorded per network: the training residual at every step,
the outputs at test inputs before and after, the empirical NTK on the training inputs
before and after, and the relative weight change ||theta_K - theta_0|| / ||theta_0||
(the blog post "Understanding the Neural Tangent Kernel" by Rajat V. D.; Jacot, Gabriel &
Hongler 2018; Lee et al. 2019).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .networks import MLP, _check_array, _check_int, _check_rng
from .training import train_gd

__all__ = ["WidthRun", "train_widths"]


@dataclass(frozen=True)
class WidthRun:
    """One width: ``residuals`` (R, S, N) at the R recorded steps, all starting at u_0;
    ``initial_outputs`` (S, N) = f_0(X);
    ``test_outputs`` (2, S, M) at steps 0 and K (None without test inputs); ``ntk`` (2, S, N, N)
    at steps 0 and K (None if not recorded); ``weight_change`` (S,)."""

    width: int
    residuals: np.ndarray
    initial_outputs: np.ndarray
    test_outputs: np.ndarray | None
    ntk: np.ndarray
    weight_change: np.ndarray


def train_widths(widths: Sequence[int], *, depth: int, activation, weight_std: float, bias_std: float,
                 x_train, start, learning_rate: float, n_steps: int, seeds,
                 rng: np.random.Generator, x_test=None, record_every: int = 1,
                 record_ntk: bool = True) -> tuple[WidthRun, ...]:
    """Train ``seeds`` networks at each width (in the order given, drawing from ``rng``) from the
    initial training residual ``start`` (N,), recording every ``record_every`` steps (and the last),
    and the empirical NTKs unless ``record_ntk`` is false.

    ``seeds`` is one count for every width or a sequence of one count per width (a slope in
    log n is estimated at least cost with more networks where they are cheap).
    """
    depth = _check_int("depth", depth, 2)
    counts = [seeds] * len(widths) if isinstance(seeds, numbers.Integral) else list(seeds)
    if len(counts) != len(widths):
        raise ValueError(f"seeds={seeds!r} is not accepted; expected one count or one per width ({len(widths)})")
    _check_rng(rng)
    runs = []
    for width, count in zip(widths, counts):
        width = _check_int("width", width, 1)
        count = _check_int("seeds entry", count, 2)
        net = MLP([np.shape(x_train)[-1]] + [width] * (depth - 1) + [1], activation, weight_std, bias_std)
        params = net.init(rng, n_networks=count)
        initial = net.apply(params, x_train)
        targets = initial - _check_array("start", start, (initial.shape[-2],), f"({initial.shape[-2]},)")[:, None]
        trajectory = train_gd(net, params, x_train, targets, learning_rate=learning_rate, n_steps=n_steps,
                              x_test=x_test, record_every=record_every, params_at=(0, n_steps),
                              ntk_at=(0, n_steps) if record_ntk else ())
        size = trajectory.train_outputs.shape[-2]
        first, last = net.flatten(trajectory.params[0]), net.flatten(trajectory.params[n_steps])
        outputs = trajectory.train_outputs[..., 0]
        test = None if x_test is None else trajectory.test_outputs[[0, -1], ..., 0]
        runs.append(WidthRun(
            width=width,
            residuals=outputs - targets[..., 0],
            initial_outputs=outputs[0],
            test_outputs=test,
            ntk=np.stack([trajectory.ntk[0][..., :size, :size], trajectory.ntk[n_steps][..., :size, :size]])
            if record_ntk else None,
            weight_change=np.linalg.norm(last - first, axis=-1) / np.linalg.norm(first, axis=-1),
        ))
    return tuple(runs)
