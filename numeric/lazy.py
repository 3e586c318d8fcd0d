"""Lazy training on finite networks: the inverse relative scale κ and the linearised model.

Setting (Rajat V. D., "Understanding the Neural Tangent Kernel", 2019, after Chizat, Oyallon &
Bach 2019, "On lazy training in differentiable
programming"): N fixed inputs X, targets ȳ ∈ R^N, a scalar-output network f of
:mod:`numeric.networks` (depth L = number of affine layers, NTK or standard
parameterisation; the blog's "LeCun initialisation" is the standard one, in which every
layer including the readout has weight variance σ_w²/fan-in, so that f(w₀) = O(1)), and
the model

    y(w) = α (f(X; w) − [centred] f(X; w₀))

with output scale α > 0; ``centred`` is the blog's zero-output-at-initialisation
construction (subtract a frozen copy), which gives y(w₀) = 0 exactly and leaves ∇y, ∇²y
unchanged.  The inverse relative scale at w₀ is

    κ(w₀) = ‖y(w₀) − ȳ‖ · ‖∇²y(w₀)‖ / ‖∇y(w₀)‖²

with Euclidean norms and the operator norms of :mod:`numeric.hessian`.

The linearised model (:class:`Linearization`) is f_lin(x, w) = f(x, w₀) + φ(x)·(w − w₀)
with the feature map φ(x) = ∇_w f(x, w₀); its kernel φ(x)·φ(x') is the empirical NTK at w₀.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .hessian import OutputHessian, is_piecewise_linear, jacobian_norm
from .networks import MLP, Params, _check_array

__all__ = ["Kappa", "inverse_relative_scale", "Differences", "differences", "Linearization",
           "kink_free_radius"]


@dataclass(frozen=True)
class Kappa:
    """The three factors of κ(w₀) and its value; ``outputs`` is y(w₀)."""

    residual: float
    jacobian: float
    hessian: float
    outputs: np.ndarray

    @property
    def value(self) -> float:
        """κ = ‖y(w₀) − ȳ‖ ‖∇²y(w₀)‖ / ‖∇y(w₀)‖²."""
        return self.residual * self.hessian / self.jacobian ** 2


def inverse_relative_scale(net: MLP, params: Params, x, target, *, alpha: float = 1.0,
                           centred: bool = True, rng: np.random.Generator,
                           tol: float = 1e-10) -> Kappa:
    """κ(w₀) of y(w) = α (f(X; w) − [centred] f(X; w₀)) at w₀ = ``params``.

    ‖∇²y‖ by Lanczos on exact Hessian–vector products of the α-scaled network (relative
    accuracy ``tol``, start vectors from ``rng``); ‖∇y‖ = α √λ_max(Θ̂(X, X)).
    """
    hessian = OutputHessian(net, params, x, scale=alpha)
    target = _check_array("target", target, (hessian.outputs,), f"({hessian.outputs},)")
    if target.ndim != 1:
        raise ValueError(f"target has shape {target.shape}; expected ({hessian.outputs},)")
    outputs = np.zeros(hessian.outputs) if centred else hessian.values()
    return Kappa(float(np.linalg.norm(outputs - target)),
                 jacobian_norm(net, params, x, scale=alpha),
                 hessian.norm(rng, tol=tol).value, outputs)


@dataclass(frozen=True)
class Differences:
    """Derivatives of a model y: R^P -> R^N at θ₀ measured by central differences.

    ``values`` y(θ₀) (N,), ``jacobian`` (N, P), ``hessians`` (N, P, P), ``step`` the
    difference step h, ``size`` the largest |y| over the evaluated points (the scale of
    their rounding errors).
    """

    values: np.ndarray
    jacobian: np.ndarray
    hessians: np.ndarray
    step: float
    size: float


_CHUNK = 4096


def differences(net: MLP, params: Params, x, *, scale: float = 1.0, step: float = 1.0 / 16) -> Differences:
    """∇y and ∇²y of the model y(θ) = scale · f(X; θ) at θ₀ = ``params``, from its values alone.

    The model is evaluated at θ₀ ± h e_p and θ₀ ± h e_p ± h e_q (p < q):

        ∂_p y ≈ (y(θ₀ + h e_p) − y(θ₀ − h e_p)) / 2h,
        ∂²_pp y ≈ (y(θ₀ + h e_p) − 2 y(θ₀) + y(θ₀ − h e_p)) / h²,
        ∂²_pq y ≈ (y(++) − y(+−) − y(−+) + y(−−)) / 4h².

    For a piecewise-linear activation and an activation pattern that is the same at every
    evaluated point, y is a polynomial of degree ≤ 1 in each layer's parameters (so of
    degree ≤ 1 in any one coordinate and ≤ 2 in any pair), and these differences are
    exact up to rounding.  h starts at ``step`` and is halved until no pre-activation
    changes sign at any evaluated point.  About 2P² forward passes: for small networks.
    """
    if not is_piecewise_linear(net.activation):
        raise ValueError(f"net.activation={net.activation.name!r} is not accepted; expected a piecewise-linear "
                         "activation (relu, abs, leaky relu, abrelu(a, b), identity, step)")
    params, batch = net.check_params(params)
    if batch:
        raise ValueError(f"params carry batch axes {batch}; expected one network")
    x = net.check_inputs(x)
    theta0, dim = net.flatten(params), net.n_params
    rows, cols = np.triu_indices(dim, 1)
    signs = ((1, 1), (1, -1), (-1, 1), (-1, -1))

    def evaluate(thetas):
        """(scale · f(X; θ) for each row, whether every pattern matches θ₀'s); in chunks."""
        out, same = [], True
        for start in range(0, len(thetas), _CHUNK):
            _, zs = net._forward(net.unflatten(thetas[start:start + _CHUNK]), x)
            out.append(scale * zs[-1][..., 0])
            same = same and all(np.array_equal(z > 0, np.broadcast_to(p, z.shape)) for z, p in zip(zs, base))
        return np.concatenate(out), same

    _, zs0 = net._forward(params, x)
    base = [z > 0 for z in zs0[:-1]]
    centre = scale * zs0[-1][:, 0]
    h = float(step)
    for _ in range(40):
        axis = h * np.eye(dim)
        single, same = evaluate(np.concatenate([theta0 + axis, theta0 - axis]))
        pairs = []
        for s1, s2 in signs:
            moved = np.repeat(theta0[None], len(rows), axis=0)
            moved[np.arange(len(rows)), rows] += s1 * h
            moved[np.arange(len(rows)), cols] += s2 * h
            values, ok = evaluate(moved)
            pairs.append(values)
            same = same and ok
        if same:
            break
        h /= 2
    else:
        raise RuntimeError("no difference step keeps the activation pattern")
    plus, minus = single[:dim], single[dim:]
    hessians = np.empty((x.shape[0], dim, dim))
    mixed = (pairs[0] - pairs[1] - pairs[2] + pairs[3]) / (4 * h * h)
    hessians[:, rows, cols] = mixed.T
    hessians[:, cols, rows] = mixed.T
    diagonal = (plus - 2 * centre + minus) / (h * h)
    hessians[:, np.arange(dim), np.arange(dim)] = diagonal.T
    size = float(max(np.abs(single).max(), *(np.abs(p).max() for p in pairs), np.abs(centre).max()))
    return Differences(centre, ((plus - minus) / (2 * h)).T, hessians, h, size)


class Linearization:
    """The linearised model f_lin(x, w) = f(x, w₀) + φ(x)·(w − w₀), φ(x) = ∇_w f(x, w₀).

    ``net`` a scalar-output MLP, ``params`` w₀ (one network), ``x`` the (N, n_0) inputs.
    Directional derivatives φ·u come from the exact forward (tangent) mode of
    :class:`numeric.hessian.OutputHessian`, independently of the network's backward pass.
    """

    def __init__(self, net: MLP, params: Params, x):
        self.net = net
        self._taylor = OutputHessian(net, params, x)
        self.theta0 = net.flatten(params)
        self.x = self._taylor.x

    def _displacement(self, theta) -> np.ndarray:
        theta = _check_array("theta", theta, (self.net.n_params,), f"(..., {self.net.n_params})")
        return theta - self.theta0

    def apply(self, theta) -> np.ndarray:
        """f_lin(X, θ) for flat θ of shape (..., P): shape (..., N)."""
        _, jvp, _ = self._taylor.taylor(self._displacement(theta))
        return self._taylor.values() + jvp

    def remainder(self, theta) -> np.ndarray:
        """f(X, θ) − f_lin(X, θ), shape (..., N)."""
        exact = self.net.apply(self.net.unflatten(np.asarray(theta, dtype=float)), self.x)[..., 0]
        return exact - self.apply(theta)

    def curvature(self, u) -> np.ndarray:
        """∇²y(w₀)[u, u] for u of shape (..., P), by second-order forward mode: shape (..., N)."""
        return self._taylor.taylor(np.asarray(u, dtype=float))[2]

    def features(self) -> np.ndarray:
        """φ(X) = ∇_w f(X, w₀), shape (N, P), one tangent pass per coordinate."""
        return self._taylor.taylor(np.eye(self.net.n_params))[1].T

    def kernel(self) -> np.ndarray:
        """The linearised model's kernel φ(X)·φ(X)ᵀ, shape (N, N)."""
        phi = self.features()
        return phi @ phi.T


def kink_free_radius(net: MLP, params: Params, x, direction) -> float:
    """The largest r with no first-layer pre-activation changing sign on w₀ + [0, r) u.

    For a network with one hidden layer (depth 2) and a piecewise-linear activation,
    z¹(w₀ + r u) = z¹ + r ż¹ is linear in r, so below this radius every activation pattern
    is fixed and f(x, w₀ + r u) is exactly a polynomial of degree 2 in r.  Returns inf when
    no pre-activation changes sign.
    """
    if net.depth != 2:
        raise ValueError(f"net has depth {net.depth}; expected 2 (one hidden layer)")
    params, batch = net.check_params(params)
    if batch:
        raise ValueError(f"params carry batch axes {batch}; expected one network")
    x = net.check_inputs(x)
    (W, b), (V, beta) = params[0], net.unflatten(direction)[0]
    a, c = net.multipliers()[0]
    z = a * (x @ W) + c * b
    zdot = a * (x @ V) + c * beta
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = -z / zdot
    crossing = crossing[np.isfinite(crossing) & (crossing > 0)]
    return float(crossing.min()) if crossing.size else math.inf
