"""Linear dynamics measured: eigen-components of residuals, per-step factors, Euler steps, GD.

Time normalisation as in :mod:`numeric.training` (the handwritten notes on the function-space
ODE; Jacot, Gabriel & Hongler 2018): GD with
step eta on 1/2 ||f(X) - y||^2 is the forward-Euler discretisation of the gradient flow
at time t = eta k.  For a linear model (or a network in its kernel regime, kernel H)
the residual u = f(X) - y obeys u_{k+1} = (I - eta H) u_k, so its component along an
eigenvector q_i of H is multiplied by rho_i = 1 - eta lambda_i at every step;
:func:`step_factors` estimates rho_i from a recorded trajectory, and a continuous-time
rate follows as lambda_i = (1 - rho_i)/eta.  :func:`linearised_flow` integrates the gradient
flow of a linearised model in its parameters, with an adaptive Runge-Kutta method.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

from .networks import _check_array, _check_int, _check_real

__all__ = ["components", "step_factors", "euler", "least_squares_gd", "linearised_flow"]


def components(residuals, basis) -> np.ndarray:
    """c_k = Q^T u_k: residuals (R, ..., N) in the orthonormal columns of basis (..., N, N)."""
    residuals = np.asarray(residuals, dtype=float)
    basis = np.asarray(basis, dtype=float)
    if basis.shape[-1] != basis.shape[-2] or residuals.shape[-1] != basis.shape[-1]:
        raise ValueError(f"residuals {residuals.shape} and basis {basis.shape} do not match; "
                         "expected (R, ..., N) and (..., N, N)")
    return np.einsum("r...i,...ij->r...j", residuals, basis)


def step_factors(comps, stop=None, start=None) -> np.ndarray:
    """Least-squares per-step factors rho of c_{k+1} = rho c_k, one per trailing entry.

    ``comps`` (R, ...) holds consecutive steps k = 0..R-1; ``stop`` (broadcastable to
    comps.shape[1:]) limits each fit to the steps k < stop (at least 2 steps, at most R),
    e.g. before a fast component has decayed into rounding; ``start`` (likewise, default 0)
    to the steps k >= start, e.g. a window late in the trajectory.  rho = sum c_{k+1} c_k /
    sum c_k^2 over start <= k, k + 1 < stop.
    """
    comps = _check_array("comps", comps, (), "(R, ...) with R >= 2")
    steps = comps.shape[0]
    if steps < 2:
        raise ValueError(f"comps has {steps} steps; expected at least 2 consecutive steps")
    stop = np.full(comps.shape[1:], steps) if stop is None else np.broadcast_to(stop, comps.shape[1:])
    if np.any(stop < 2) or np.any(stop > steps):
        raise ValueError(f"stop must lie in 2..{steps} (the recorded steps); got {np.unique(stop)}")
    start = np.zeros(comps.shape[1:], dtype=int) if start is None else np.broadcast_to(start, comps.shape[1:])
    if np.any(start < 0) or np.any(start + 2 > stop):
        raise ValueError(f"start must lie in 0..stop - 2 (one pair of steps at least); got {np.unique(start)}")
    k = np.arange(steps - 1).reshape((-1,) + (1,) * (comps.ndim - 1))
    used = (k + 1 < stop) & (k >= start)
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


def linearised_flow(jacobian, u0, times, *, rtol: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """The residual of the linearised model u(w) = u0 + J (w - w0) under the gradient flow of
    1/2 ||u||^2 in its P parameters, w' = -J^T u(w), at ``times`` (ascending, >= 0), (len(times), N).

    Integrated in parameter space (never through J J^T or a matrix exponential) by the
    Dormand-Prince method of order 8 (``scipy.integrate.solve_ivp``, "DOP853") at relative
    tolerance ``rtol``; returns u and an error bound |u - u_coarse|, the difference from a run
    at 100 rtol (whose error exceeds the finer run's).  Deterministic.
    """
    J = _check_array("jacobian", jacobian, (), "(N, P)")
    if J.ndim != 2:
        raise ValueError(f"jacobian has shape {J.shape}; expected a matrix (N, P)")
    u0 = _check_array("u0", u0, (J.shape[0],), f"({J.shape[0]},)")
    times = _check_array("times", times, (), "(T,) ascending, >= 0")
    if times.ndim != 1 or np.any(times < 0) or np.any(np.diff(times) < 0):
        raise ValueError(f"times={times!r}: expected a vector of ascending times >= 0")
    rtol = _check_real("rtol", rtol, positive=True)
    scale = float(np.linalg.norm(u0)) or 1.0

    def solve(tolerance):
        solution = solve_ivp(lambda _, w: -J.T @ (u0 + J @ w), (0.0, float(times[-1])), np.zeros(J.shape[1]),
                             method="DOP853", t_eval=times, rtol=tolerance, atol=tolerance * scale * 1e-2)
        return u0 + (J @ solution.y).T

    fine = solve(rtol)
    return fine, np.abs(fine - solve(100 * rtol))
