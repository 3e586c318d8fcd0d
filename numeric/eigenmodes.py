"""Train networks from residuals with prescribed eigen-components and watch each mode.

For a stack of S networks (:mod:`numeric.networks`) on N training inputs X, each with its
empirical NTK at initialisation Theta_0 = Q diag(lambda) Q^T (ascending eigenvalues),
:func:`train_modes` chooses the targets y = f_0(X) - Q c so that the training residual
u = f(X) - y starts at u_0 = Q c with the given coefficients c (e.g. all +-1, so every
mode is visible), runs full-batch GD (:func:`numeric.training.train_gd`, loss
1/2 ||f(X) - y||^2, time t = eta k) and returns the components Q^T u_k at every step.
In the kernel regime component i is multiplied by 1 - eta lambda_i per step (the
handwritten notes on the function-space ODE; Jacot, Gabriel & Hongler 2018, Sec. 5).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .linear_dynamics import components
from .networks import MLP, Params, _check_array
from .training import train_gd

__all__ = ["ModeRun", "train_modes"]


@dataclass(frozen=True)
class ModeRun:
    """``eigenvalues`` (S, N) ascending, ``basis`` (S, N, N) eigenvectors of Theta_0 in columns,
    ``comps`` (K+1, S, N) residual components at steps 0..K, ``learning_rates`` (S,)."""

    eigenvalues: np.ndarray
    basis: np.ndarray
    comps: np.ndarray
    learning_rates: np.ndarray


def train_modes(net: MLP, params: Params, x, *, learning_rates, n_steps: int, coefficients) -> ModeRun:
    """GD from u_0 = Q c for each of the S stacked networks in ``params``.

    ``learning_rates`` is one step size for all or an array (S,) of one per network
    (then the networks train one at a time); ``coefficients`` c is (S, N).
    """
    params, batch = net.check_params(params)
    if len(batch) != 1:
        raise ValueError(f"params have batch shape {batch}; expected one stacking axis (S networks)")
    x = net.check_inputs(x)
    size, count = x.shape[0], batch[0]
    coefficients = _check_array("coefficients", coefficients, (count, size), f"({count}, {size})")
    rates = np.broadcast_to(np.asarray(learning_rates, dtype=float), (count,))
    eigenvalues, basis = np.linalg.eigh(net.empirical_ntk(params, x))
    targets = net.apply(params, x)[..., 0] - np.einsum("sij,sj->si", basis, coefficients)
    if np.all(rates == rates[0]):
        outputs = train_gd(net, params, x, targets[..., None], learning_rate=rates[0],
                           n_steps=n_steps).train_outputs[..., 0]
    else:
        outputs = np.stack([
            train_gd(net, [(W[s], b[s]) for W, b in params], x, targets[s], learning_rate=rates[s],
                     n_steps=n_steps).train_outputs[..., 0]
            for s in range(count)], axis=1)
    return ModeRun(eigenvalues, basis, components(outputs - targets, basis), rates.copy())
