"""Linear dynamics measured: eigen-components of residuals, per-step factors, Euler steps, GD.

Time normalisation as in :mod:`numeric.training` (seed 003; Jacot et al. 2018): GD with
step eta on 1/2 ||f(X) - y||^2 is the forward-Euler discretisation of the gradient flow
at time t = eta k.  For a linear model (or a network in its kernel regime, kernel H)
the residual u = f(X) - y obeys u_{k+1} = (I - eta H) u_k, so its component along an
eigenvector q_i of H is multiplied by rho_i = 1 - eta lambda_i at every step;
:func:`step_factors` estimates rho_i from a recorded trajectory, and a continuous-time
rate follows as lambda_i = (1 - rho_i)/eta.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .networks import _check_array, _check_int, _check_real

__all__ = ["components", "step_factors", "euler", "least_squares_gd"]


def components(residuals, basis) -> np.ndarray:
    """c_k = Q^T u_k: residuals (R, ..., N) in the orthonormal columns of basis (..., N, N)."""
    residuals = np.asarray(residuals, dtype=float)
    basis = np.asarray(basis, dtype=float)
    if basis.shape[-1] != basis.shape[-2] or residuals.shape[-1] != basis.shape[-1]:
        raise ValueError(f"residuals {residuals.shape} and basis {basis.shape} do not match; "
                         "expected (R, ..., N) and (..., N, N)")
    return np.einsum("r...i,...ij->r...j", residuals, basis)


def step_factors(comps, stop=None) -> np.ndarray:
    """Least-squares per-step factors rho of c_{k+1} = rho c_k, one per trailing entry.

    ``comps`` (R, ...) holds consecutive steps k = 0..R-1; ``stop`` (broadcastable to
    comps.shape[1:]) limits each fit to the steps k < stop (at least 2 steps, at most R),
    e.g. before a fast component has decayed into rounding.  rho = sum c_{k+1} c_k /
    sum c_k^2 over k + 1 < stop.
    """
    comps = _check_array("comps", comps, (), "(R, ...) with R >= 2")
    steps = comps.shape[0]
    if steps < 2:
        raise ValueError(f"comps has {steps} steps; expected at least 2 consecutive steps")
    stop = np.full(comps.shape[1:], steps) if stop is None else np.broadcast_to(stop, comps.shape[1:])
    if np.any(stop < 2) or np.any(stop > steps):
        raise ValueError(f"stop must lie in 2..{steps} (the recorded steps); got {np.unique(stop)}")
    k = np.arange(steps - 1).reshape((-1,) + (1,) * (comps.ndim - 1))
    used = k + 1 < stop
    now, after = comps[:-1], comps[1:]
    return np.sum(np.where(used, after * now, 0.0), axis=0) / np.sum(np.where(used, now**2, 0.0), axis=0)


def euler(rhs: Callable[[np.ndarray], np.ndarray], u0, learning_rate: float, n_steps: int) -> np.ndarray:
    """u_{k+1} = u_k + eta rhs(u_k), k < n_steps: the forward-Euler path of u' = rhs(u), (n_steps+1, ...)."""
    eta = _check_real("learning_rate", learning_rate, positive=True)
    n_steps = _check_int("n_steps", n_steps, 0)
    path = [np.asarray(u0, dtype=float)]
    for _ in range(n_steps):
        path.append(path[-1] + eta * np.asarray(rhs(path[-1]), dtype=float))
    return np.stack(path)


def least_squares_gd(A, b, w0, learning_rate: float, n_steps: int) -> np.ndarray:
    """n_steps of GD on 1/2 ||A w - b||^2 from w0: w_{k+1} = w_k - eta A^T (A w_k - b)."""
    A = _check_array("A", A, (), "(N, P)")
    if A.ndim != 2:
        raise ValueError(f"A has shape {A.shape}; expected a matrix (N, P)")
    b = _check_array("b", b, (A.shape[0],), f"({A.shape[0]},)")
    w = _check_array("w0", w0, (A.shape[1],), f"({A.shape[1]},)").copy()
    eta = _check_real("learning_rate", learning_rate, positive=True)
    for _ in range(_check_int("n_steps", n_steps, 0)):
        w -= eta * (A.T @ (A @ w - b))
    return w
