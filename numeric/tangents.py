"""Tangent kernels between the output units of a vector-output network.

For an MLP (:mod:`numeric.networks`) with outputs z_j(x), j < n_L, the unit tangent kernel is

    Θ̂_{jk}(x, x') = Σ_θ ∂z_j(x)/∂θ · ∂z_k(x')/∂θ,

the object Θ̂^ℓ_{jk} of the layer decomposition of the NTK (Jacot et al. 2018;
claim kernel.ntk_layer_decomposition). Each gradient ∂z_j(x_a)/∂θ is one backpropagation
(:meth:`MLP.vjp` with the indicator cotangent of (a, j)); for small networks.
"""
from __future__ import annotations

import numpy as np

from .networks import MLP, Params

__all__ = ["unit_tangent_kernel"]


def unit_tangent_kernel(net: MLP, params: Params, x) -> np.ndarray:
    """Θ̂[a, b, j, k] = Σ_θ ∂z_j(x_a)/∂θ ∂z_k(x_b)/∂θ, shape (N, N, n_L, n_L).

    ``params`` of one network (no batch axes); ``x`` of shape (N, n_0).
    """
    params, batch = net.check_params(params)
    if batch:
        raise ValueError(f"params have batch shape {batch}; expected the parameters of one network")
    x = net.check_inputs(x)
    n_points, n_out = x.shape[0], net.widths[-1]
    grads = np.empty((n_points, n_out, net.n_params))
    for a in range(n_points):
        for j in range(n_out):
            cotangent = np.zeros((n_points, n_out))
            cotangent[a, j] = 1.0
            grads[a, j] = net.flatten(net.vjp(params, x, cotangent))
    return np.einsum("ajp,bkp->abjk", grads, grads)
