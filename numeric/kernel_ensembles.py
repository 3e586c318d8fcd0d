"""Empirical NNGP and NTK kernels of many random networks, by Gaussian projections.

Conventions as in :mod:`numeric.networks` (depth L = len(widths) − 1
affine layers, z^{ℓ+1} = a_ℓ h^ℓ W_ℓ + c_ℓ b_ℓ, scalar output f = z^L; a_ℓ = σ_w/√n_ℓ,
c_ℓ = σ_b in the NTK parameterisation, a_ℓ = c_ℓ = 1 in the standard one).

For S initialisations at N inputs this returns, exactly in distribution,

    K̂(x, x') = σ_w² h^{L−1}(x)·h^{L−1}(x')/n_{L−1} + σ_b²      (the readout covariance)
    Θ̂(x, x') = Σ_ℓ (α_ℓ h^ℓ(x)·h^ℓ(x') + β_ℓ) δ^{ℓ+1}(x)·δ^{ℓ+1}(x')   (the empirical NTK)

with (α_ℓ, β_ℓ) = (a_ℓ², c_ℓ²) and δ^ℓ = ∂f/∂z^ℓ (:meth:`MLP.ntk_contributions`). K̂ is
the covariance of f(x), f(x') over the readout (W_{L−1}, b_{L−1}) given the layers below,
so E[f(x) f(x')] = E[K̂(x, x')] (Lee et al. 2018; Jacot et al. 2018).

Gaussian projections (the shortcut of :mod:`numeric.ensembles`, extended to the backward
pass). A layer needs W_ℓ only through the products h^ℓ W_ℓ (forward) and δ^{ℓ+1} W_ℓᵀ
(backward). With P (n_ℓ × r) an orthonormal basis of a space containing the rows of h^ℓ,
W_ℓ = P A + W⊥, where A = Pᵀ W_ℓ (r × n_{ℓ+1}) has i.i.d. entries of W_ℓ's law and
W⊥ = (I − PPᵀ) W_ℓ is independent of A. The forward pass uses h^ℓ W_ℓ = (h^ℓ P) A. The
backward signal δ^{ℓ+1} depends on W_ℓ only through A, so δ^{ℓ+1} W⊥ᵀ has the law of
δ^{ℓ+1} W'ᵀ (I − PPᵀ) for an independent copy W'; with δ^{ℓ+1} = R Qᵀ (Q orthonormal,
n_{ℓ+1} × r'), δ^{ℓ+1} W'ᵀ = R B where B = (W' Q)ᵀ (r' × n_ℓ) has i.i.d. N(0, 1) entries.
Hence δ^{ℓ+1} W_ℓᵀ = (δ^{ℓ+1} Aᵀ) Pᵀ + R B (I − PPᵀ), and a layer costs O(n N²) instead of
the O(n²) of explicit weights; r, r' ≤ N. Biases enter the forward pass only.
"""
from __future__ import annotations

import numpy as np

from .networks import MLP, _check_int, _check_rng

__all__ = ["sample_kernels"]

_BATCH_ELEMENTS = 1 << 21
"""Working-set size (float64 elements per array) a batch of networks aims for."""


def _basis(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Q, R) with rows = R Qᵀ: Q (..., n, r) orthonormal, r = min(N, n), for rows (..., N, n)."""
    q, r = np.linalg.qr(np.swapaxes(rows, -1, -2))
    return q, np.swapaxes(r, -1, -2)


def _one_batch(net: MLP, x: np.ndarray, count: int, rng: np.random.Generator, ntk: bool):
    multipliers = net.multipliers()
    scales = [(a * sw, c * sb) for (a, c), (sw, sb) in zip(multipliers, net.init_stds())]
    act = net.activation
    h = np.broadcast_to(x, (count,) + x.shape)
    hs, zs, weights = [], [], []
    for (a, c), m in zip(scales, net.widths[1:]):
        basis, _ = _basis(h)
        A = rng.standard_normal((count, basis.shape[-1], m))
        z = a * np.matmul(np.matmul(h, basis), A) + c * rng.standard_normal((count, 1, m))
        hs.append(h)
        zs.append(z)
        weights.append((basis, A))
        h = act.fn(z)
    readout = net.weight_std**2 / hs[-1].shape[-1] * _gram(hs[-1]) + net.bias_std**2
    if not ntk:
        return readout, None
    deltas = [np.ones((count, x.shape[0], 1))]
    for l in range(net.depth - 1, 0, -1):
        delta = deltas[-1]
        basis, A = weights[l]
        Q, R = _basis(delta)
        B = rng.standard_normal((count, Q.shape[-1], basis.shape[-2]))
        B -= np.matmul(np.matmul(B, basis), np.swapaxes(basis, -1, -2))
        back = np.matmul(np.matmul(delta, np.swapaxes(A, -1, -2)), np.swapaxes(basis, -1, -2))
        back += np.matmul(R, B)
        back *= scales[l][0] * act.deriv(zs[l - 1])
        deltas.append(back)
    deltas.reverse()
    theta = 0.0
    for h_l, d, (a, c) in zip(hs, deltas, multipliers):
        theta = theta + (a * a * _gram(h_l) + c * c) * _gram(d)
    return readout, theta


def _gram(a: np.ndarray) -> np.ndarray:
    return np.matmul(a, np.swapaxes(a, -1, -2))


def sample_kernels(net: MLP, x, *, n_networks: int, rng: np.random.Generator,
                   ntk: bool = True, batch_size: int | None = None):
    """(K̂, Θ̂) of ``n_networks`` independent initialisations of ``net``, each (S, N, N).

    K̂ is the readout covariance σ_w² h^{L−1}·h^{L−1}/n_{L−1} + σ_b² (the same in both
    parameterisations), Θ̂ the empirical NTK of ``net``'s parameterisation, or None when
    ``ntk`` is False (forward pass only); exact in distribution (module docstring), scalar
    output (widths[-1] = 1). ``batch_size`` networks are drawn together (default: a
    working set of about 2M floats per array).
    """
    net._check_scalar_output("sample_kernels")
    x = net.check_inputs(x)
    n_networks = _check_int("n_networks", n_networks, 1)
    _check_rng(rng)
    if batch_size is None:
        batch_size = max(1, _BATCH_ELEMENTS // (x.shape[0] * max(net.widths)))
    batch_size = _check_int("batch_size", batch_size, 1)
    readouts, thetas = [], []
    for start in range(0, n_networks, batch_size):
        readout, theta = _one_batch(net, x, min(batch_size, n_networks - start), rng, ntk)
        readouts.append(readout)
        thetas.append(theta)
    return np.concatenate(readouts), np.concatenate(thetas) if ntk else None
