"""Full-batch gradient descent on finite-width networks, with its trajectory.

Loss and time normalisation (the handwritten notes on the function-space ODE; Jacot, Gabriel &
Hongler 2018; Lee et al. 2019):

    L(θ) = ½ Σ_{n,k} (f_k(x_n; θ) − y_{nk})²          (a sum over the N training points, not a mean)
    θ_{k+1} = θ_k − η ∇_θ L(θ_k),   t = η k,

the forward-Euler discretisation of the gradient flow dθ/dt = −∇L(θ), under which the
training outputs follow df(X)/dt = −Θ̂_t(X, X)(f(X) − y).  Near the linear regime one
step is u_{k+1} ≈ (I − ηΘ̂)u_k with u = f(X) − y, stable iff η < 2/λ_max(Θ̂).
A stack of networks (params with leading batch axes, :mod:`numeric.networks`) trains
as independent networks at once, each on its own loss.

:func:`flow_derivative` measures the rate of change of any function of the parameters
(the outputs, a cost) along the gradient flow of a loss, from values alone: central
differences along -grad L, extrapolated by Richardson's rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .networks import MLP, Params, _check_batched, _check_int, _check_real

__all__ = ["Trajectory", "train_gd", "flow_derivative"]


@dataclass(frozen=True)
class Trajectory:
    """What :func:`train_gd` recorded; R recorded steps, batch axes ``...`` of the params.

    ``steps`` (R,) step numbers k (0, s, 2s, ..., and the last step), ``times`` (R,) = η k,
    ``loss`` (R, ...) = ½‖f(X) − y‖² per network, ``train_outputs`` (R, ..., N, n_L),
    ``test_outputs`` (R, ..., M, n_L) or None, ``params`` {k: params after k steps},
    ``ntk`` {k: Θ̂ on the stacked points (x_train; x_test), shape (..., N+M, N+M): the
    block [:N, :N] is train–train and [N:, :N] test–train}.
    """

    learning_rate: float
    steps: np.ndarray
    times: np.ndarray
    loss: np.ndarray
    train_outputs: np.ndarray
    test_outputs: np.ndarray | None
    params: dict[int, Params]
    ntk: dict[int, np.ndarray]


def _check_steps(name: str, steps, n_steps: int) -> frozenset[int]:
    steps = list(steps)
    for k in steps:
        _check_int(f"{name} entry", k, 0)
        if k > n_steps:
            raise ValueError(f"{name} entry {k!r} is not accepted; expected a step in 0..{n_steps}")
    return frozenset(int(k) for k in steps)


def _check_targets(net: MLP, y, n_points: int, batch: tuple[int, ...]) -> np.ndarray:
    """y as (N, n_L) or batch + (N, n_L); a vector (N,) stands for (N, 1)."""
    if np.ndim(y) == 1 and net.widths[-1] == 1:
        y = np.reshape(y, (-1, 1))
    return _check_batched("y_train", y, (n_points, net.widths[-1]), batch)


def train_gd(
    net: MLP,
    params: Params,
    x_train,
    y_train,
    *,
    learning_rate: float,
    n_steps: int,
    x_test=None,
    record_every: int = 1,
    params_at=(),
    ntk_at=(),
) -> Trajectory:
    """Run ``n_steps`` steps of full-batch gradient descent on ½‖f(X) − y‖² from ``params``.

    Outputs and loss are recorded every ``record_every`` steps (and at the last step);
    parameters at the steps in ``params_at`` and the empirical NTK at those in
    ``ntk_at``.  ``params`` is not modified.  Deterministic: no randomness is drawn.
    """
    params, batch = net.check_params(params)
    x_train = net.check_inputs(x_train, "x_train")
    y = _check_targets(net, y_train, x_train.shape[0], batch)
    x_test = None if x_test is None else net.check_inputs(x_test, "x_test")
    eta = _check_real("learning_rate", learning_rate, positive=True)
    n_steps = _check_int("n_steps", n_steps, 0)
    every = _check_int("record_every", record_every, 1)
    params_at, ntk_at = _check_steps("params_at", params_at, n_steps), _check_steps("ntk_at", ntk_at, n_steps)
    if ntk_at:
        net._check_scalar_output("ntk_at")
    x_all = x_train if x_test is None else np.concatenate([x_train, x_test])

    theta = [(W.copy(), b.copy()) for W, b in params]
    recorded, saved_params, saved_ntk = [], {}, {}
    for k in range(n_steps + 1):
        hs, zs = net._forward(theta, x_train)
        residual = zs[-1] - y
        if k % every == 0 or k == n_steps:
            test = None if x_test is None else net._forward(theta, x_test)[1][-1]
            loss = 0.5 * np.sum(residual**2, axis=(-2, -1))
            recorded.append((k, loss, zs[-1], test))
        if k in params_at:
            saved_params[k] = [(W.copy(), b.copy()) for W, b in theta]
        if k in ntk_at:
            saved_ntk[k] = net._empirical_ntk(theta, x_all, None, batch)
        if k == n_steps:
            break
        grads = net._param_grads(hs, net._backward(theta, zs, residual))
        for (W, b), (dW, db) in zip(theta, grads):
            W -= eta * dW
            b -= eta * db

    steps = np.array([r[0] for r in recorded])
    return Trajectory(
        learning_rate=eta,
        steps=steps,
        times=eta * steps,
        loss=np.stack([r[1] for r in recorded]),
        train_outputs=np.stack([r[2] for r in recorded]),
        test_outputs=None if x_test is None else np.stack([r[3] for r in recorded]),
        params=saved_params,
        ntk=saved_ntk,
    )


def flow_derivative(net: MLP, params: Params, x, cotangent, observe: Callable[[Params], np.ndarray], *,
                    displacement: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """d/dt observe(theta(t)) at t = 0 along the gradient flow theta' = -grad_theta L.

    ``cotangent`` is dL/df(X) (f(X) - y for 1/2 ||f(X) - y||^2; d/N for a mean cost with
    derivative d), so grad_theta L = ``net.vjp(params, x, cotangent)`` = g.  With
    D(h) = (observe(theta - h g) - observe(theta + h g)) / (2h), a central difference of
    truncation error O(h^2), Richardson's extrapolation R = (4 D(h/2) - D(h))/3 has error
    O(h^4); h moves the parameters by ``displacement`` (h ||g|| = displacement).  Returns R
    and an error bound: |R - D(h/2)|, which estimates the leading truncation error of D(h/2)
    and so exceeds R's, plus the rounding of the differences, max(n_l) eps |observe| / h (a
    forward pass sums at most max(n_l) products per output; Higham, Accuracy and Stability of
    Numerical Algorithms, 2002, ch. 3).  Deterministic.
    """
    params, _ = net.check_params(params)
    x = net.check_inputs(x)
    size = _check_real("displacement", displacement, positive=True)
    gradient = net.vjp(params, x, cotangent)
    norm = np.sqrt(sum(np.sum(dW**2) + np.sum(db**2) for dW, db in gradient))
    if norm == 0:
        raise ValueError("cotangent gives a zero gradient: the flow does not move, there is no rate to measure")
    h = size / norm

    def moved(s):
        return [(W - s * dW, b - s * db) for (W, b), (dW, db) in zip(params, gradient)]

    def central(s):
        return (np.asarray(observe(moved(s)), dtype=float) - np.asarray(observe(moved(-s)), dtype=float)) / (2 * s)

    coarse, fine = central(h), central(h / 2)
    extrapolated = (4 * fine - coarse) / 3
    rounding = max(net.widths) * np.finfo(float).eps * np.abs(np.asarray(observe(params), dtype=float)) / (h / 2)
    return extrapolated, np.abs(extrapolated - fine) + rounding
