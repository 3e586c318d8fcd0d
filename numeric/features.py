"""Random features and gradient descent on the random linear model (EAI Math Reading Group, "Neural Tangent Kernels" slides, 2023;
the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023).

The EAI slides, "Random functions approximation": a kernel K is approximated by P random
functions f^(p) whose second moments are K, E[f^(p)(x) f^(p)(x')] = K(x, x'), through

    K~(x, x') = (1/P) sum_p f^(p)(x) f^(p)(x'),

the tangent kernel of the random linear model F^lin(theta) = P^{-1/2} sum_p theta_p f^(p).

Features are arrays of shape (..., N, P): row n holds f^(1..P)(x_n); leading axes are
independent sets of features (one per seed), drawn together.

* :func:`random_fourier_features`: f(x) = sqrt(2) cos(omega . x + b), omega ~ N(0, I/l^2),
  b ~ U[0, 2 pi) (Rahimi & Recht 2007), second moments exp(-|x - x'|^2 / (2 l^2)).
* :func:`network_features`: the last-layer features of a random network with one hidden
  layer of width P, f^(p)(x) = sigma_w s(z_p(x)) + sigma_b xi_p, where z_p is hidden unit
  p of ``networks.MLP([n0, P], ...)`` (NTK parameterisation, so z ~ N(0, Sigma^1)) and
  xi_p ~ N(0, 1) a per-feature bias draw; second moments sigma_w^2 E[s(u)s(v)] +
  sigma_b^2 = Sigma^2, the NNGP of depth 2 (the library's conventions), for every P.
* :func:`polynomial_nngp_features`: an explicit, finite feature map phi with
  phi(x) . phi(x') = Sigma^L(x, x') for the NNGP of depth L <= 2 with the identity or the
  quadratic activation (below).
* :func:`linear_gd`: full-batch gradient descent on theta for the cost
  C = (1/N) sum_j loss(F^lin(theta)(x_j), y_j), recording F^lin at the training points
  and at evaluation points after every step.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import special

from .networks import MLP, _check_array, _check_int, _check_real, _check_rng

__all__ = ["LOSS_GRADIENTS", "random_fourier_features", "network_features", "feature_kernel",
           "polynomial_nngp_features", "linear_gd"]

POLYNOMIAL_ACTIVATIONS = ("identity", "quadratic")
"""Activations whose depth-2 NNGP has the explicit features of :func:`polynomial_nngp_features`."""

LOSS_GRADIENTS = {
    "squared": lambda f, y: f - y,
    "logistic": lambda f, y: -y * special.expit(-y * f),
}
"""d loss(f, y) / d f for loss = (f - y)^2 / 2 and loss = log(1 + exp(-y f))."""


def _inputs(x) -> np.ndarray:
    x = _check_array("x", x, (), "(N, n0)")
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x has shape {x.shape}; expected (N, n0) with N, n0 >= 1")
    return x


def _sets(n_sets) -> tuple[int, ...]:
    return () if n_sets is None else (_check_int("n_sets", n_sets, 1),)


def random_fourier_features(x, n_features: int, rng: np.random.Generator, *,
                            lengthscale: float = 1.0, n_sets: int | None = None) -> np.ndarray:
    """sqrt(2) cos(x . omega_p + b_p), shape (n_sets..., N, P); see the module docstring."""
    x = _inputs(x)
    n_features = _check_int("n_features", n_features, 1)
    lengthscale = _check_real("lengthscale", lengthscale, positive=True)
    shape = _sets(n_sets)
    rng = _check_rng(rng)
    omega = rng.standard_normal(shape + (x.shape[1], n_features)) / lengthscale
    phase = rng.uniform(0.0, 2.0 * np.pi, shape + (1, n_features))
    return math.sqrt(2.0) * np.cos(np.matmul(x, omega) + phase)


def network_features(x, n_features: int, rng: np.random.Generator, *, activation="relu",
                     weight_std: float = 1.0, bias_std: float = 0.0,
                     n_sets: int | None = None) -> np.ndarray:
    """sigma_w s(z_p(x)) + sigma_b xi_p, shape (n_sets..., N, P); see the module docstring."""
    x = _inputs(x)
    n_features = _check_int("n_features", n_features, 1)
    layer = MLP([x.shape[1], n_features], activation, weight_std, bias_std)
    shape = _sets(n_sets)
    params = layer.init(_check_rng(rng), n_networks=shape[0] if shape else None)
    hidden = layer.activation.fn(layer.apply(params, x))
    xi = rng.standard_normal(shape + (1, n_features))
    return layer.weight_std * hidden + layer.bias_std * xi


def feature_kernel(features, features2=None) -> np.ndarray:
    """K~ = (1/P) F F2^T over the last axis: (..., N1, P) x (..., N2, P) -> (..., N1, N2)."""
    a = _check_array("features", features, (), "(..., N, P)")
    b = a if features2 is None else _check_array("features2", features2, (), "(..., N, P)")
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise ValueError(f"features {a.shape} and features2 {b.shape}: expected (..., N, P) "
                         "arrays with the same number P of features")
    return np.matmul(a, np.swapaxes(b, -1, -2)) / a.shape[-1]


def polynomial_nngp_features(x, *, depth: int, activation: str = "quadratic", weight_std: float = 1.0,
                             bias_std: float = 0.0) -> np.ndarray:
    """phi(x) (shape (N, D)) with phi(x) . phi(x') = Sigma^L(x, x'), by explicit construction.

    Depth 1: Sigma^1(x, x') = sigma_w^2 x.x'/n0 + sigma_b^2 = a(x) . a(x') with
    a(x) = (sigma_w x / sqrt(n0), sigma_b).  Depth 2 (Sigma^2 = sigma_w^2 E[s(u)s(v)] +
    sigma_b^2, (u, v) ~ N(0, Sigma^1)): for s = identity E[uv] = a.a', so
    phi = (sigma_w a, sigma_b); for s = quadratic, Isserlis' theorem gives
    E[u^2 v^2] = |a|^2 |a'|^2 + 2 (a.a')^2 and (a.a')^2 = vec(a a^T) . vec(a' a'^T), so
    phi = (sigma_w |a|^2, sigma_w sqrt(2) vec(a a^T), sigma_b).  Built from the inputs
    alone, without the library's kernel recursion.
    """
    x = _inputs(x)
    if isinstance(depth, bool) or depth not in (1, 2):
        raise ValueError(f"depth={depth!r} is not accepted; expected 1 or 2")
    if activation not in POLYNOMIAL_ACTIVATIONS:
        raise ValueError(f"activation={activation!r} is not accepted; expected one of "
                         f"{', '.join(POLYNOMIAL_ACTIVATIONS)}")
    sw, sb = _check_real("weight_std", weight_std), _check_real("bias_std", bias_std)
    ones = np.ones((x.shape[0], 1))
    a = np.concatenate([sw * x / math.sqrt(x.shape[1]), sb * ones], axis=1)
    if depth == 1:
        return a
    if activation == "identity":
        return np.concatenate([sw * a, sb * ones], axis=1)
    outer = (a[:, :, None] * a[:, None, :]).reshape(x.shape[0], -1)
    squared = np.sum(a * a, axis=1, keepdims=True)
    return np.concatenate([sw * squared, sw * math.sqrt(2.0) * outer, sb * ones], axis=1)


def linear_gd(features, y, theta0, *, lr: float, steps: int, loss: str = "squared",
              eval_features=None) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent theta <- theta - lr grad_theta C on F^lin(theta) = P^{-1/2} F theta.

    ``features`` F (N, P) at the training points, ``y`` (N,), ``theta0`` (P,),
    ``eval_features`` (M, P) (default: the training features), ``loss`` a key of
    LOSS_GRADIENTS.  grad_theta C = P^{-1/2} F^T d / N with d_j = loss'(F^lin(x_j), y_j).
    Returns (outputs at the training points (steps + 1, N), at the evaluation points
    (steps + 1, M)), row k after k steps.
    """
    F = _check_array("features", features, (), "(N, P)")
    if F.ndim != 2:
        raise ValueError(f"features has shape {F.shape}; expected (N, P)")
    n, p = F.shape
    G = F if eval_features is None else _check_array("eval_features", eval_features, (p,), f"(M, {p})")
    if G.ndim != 2:
        raise ValueError(f"eval_features has shape {G.shape}; expected (M, {p})")
    y = _check_array("y", y, (n,), f"({n},)")
    theta = _check_array("theta0", theta0, (p,), f"({p},)").copy()
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr):
        raise ValueError(f"lr={lr!r} is not accepted; expected a finite real")
    steps = _check_int("steps", steps, 0)
    if loss not in LOSS_GRADIENTS:
        raise ValueError(f"loss={loss!r} is not accepted; expected one of {', '.join(LOSS_GRADIENTS)}")
    gradient = LOSS_GRADIENTS[loss]
    scale = 1.0 / math.sqrt(p)
    train, evaluated = np.empty((steps + 1, n)), np.empty((steps + 1, G.shape[0]))
    for k in range(steps + 1):
        train[k] = scale * (F @ theta)
        evaluated[k] = scale * (G @ theta)
        if k < steps:
            theta -= lr * scale / n * (F.T @ gradient(train[k], y))
    return train, evaluated
