"""Many independent random networks at once: outputs and empirical NTKs at initialisation.

Conventions as in :mod:`numeric.networks` (depth L = len(widths) − 1).

Gaussian shortcut (Neal 1996; Lee et al. 2018).  Given the activations h^ℓ of one
network at the N inputs (an N × n_ℓ matrix), the pre-activations of the next layer,
z^{ℓ+1}_j = (σ_w/√n_ℓ) h^ℓ W_{:, j} + σ_b b_j with independent N(0, 1) entries, are
i.i.d. across units j and Gaussian with the N × N covariance

    K = σ_w² h^ℓ h^ℓᵀ / n_ℓ + σ_b² 1 1ᵀ = F Fᵀ.

So z^{ℓ+1} = F ξ with ξ ~ N(0, I) of shape r × n_{ℓ+1} has exactly the distribution of
the explicit-weight network (in either parameterisation: both compute the same
function at initialisation).  F is the explicit factor [σ_w h^ℓ/√n_ℓ, σ_b 1] when it has
r = n_ℓ + [σ_b > 0] ≤ N columns, otherwise the Cholesky factor of K (r = N), or
Q Λ^{1/2} from K = QΛQᵀ when K is singular.  This draws N·n_{ℓ+1} normals per layer instead
of n_ℓ·n_{ℓ+1}.
"""
from __future__ import annotations

import numpy as np

from .networks import MLP, _check_int, _check_rng

__all__ = ["sample_outputs", "sample_ntks"]

_BATCH_ELEMENTS = 1 << 22
"""Working-set size (float64 elements) a batch of networks aims for."""


def _batch_size(batch_size, per_network: int) -> int:
    if batch_size is None:
        return max(1, _BATCH_ELEMENTS // per_network)
    return _check_int("batch_size", batch_size, 1)


def _factor_rank(n: int, n_points: int, bias_std: float) -> int:
    return min(n_points, n + (bias_std > 0))


def _covariance_factor(h: np.ndarray, weight_std: float, bias_std: float) -> np.ndarray:
    """F (..., N, r) with F Fᵀ = σ_w² h hᵀ/n + σ_b² 1 1ᵀ, r = :func:`_factor_rank`."""
    n_points, n = h.shape[-2:]
    if n + (bias_std > 0) <= n_points:
        columns = [weight_std / np.sqrt(n) * h]
        if bias_std > 0:
            columns.append(np.full(h.shape[:-1] + (1,), bias_std))
        return np.concatenate(columns, axis=-1)
    K = weight_std**2 / n * np.matmul(h, np.swapaxes(h, -1, -2))
    K += bias_std**2
    try:
        return np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        flat = K.reshape((-1,) + K.shape[-2:])
        return np.stack([_psd_factor(k) for k in flat]).reshape(K.shape)


def _psd_factor(K: np.ndarray) -> np.ndarray:
    """A square root F Fᵀ = K of one PSD matrix: Cholesky, or eigh when K is singular."""
    try:
        return np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        eigenvalues, vectors = np.linalg.eigh(K)
        return vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))


def sample_outputs(
    widths,
    activation,
    x,
    n_networks: int,
    rng: np.random.Generator,
    weight_std: float = 1.0,
    bias_std: float = 0.0,
    *,
    batch_size: int | None = None,
) -> np.ndarray:
    """Outputs f(x) of ``n_networks`` independent networks at initialisation, (n_networks, N).

    Exact in distribution (Gaussian shortcut of the module docstring), scalar output
    (widths[-1] = 1).  Each batch of networks draws its normals in one network-major
    block, so the result depends on ``rng`` and the arguments but not on ``batch_size``.
    """
    net = MLP(widths, activation, weight_std, bias_std)
    if net.widths[-1] != 1:
        raise ValueError(f"widths[-1]={net.widths[-1]} is not accepted; sample_outputs expects 1")
    x = net.check_inputs(x)
    n_networks = _check_int("n_networks", n_networks, 1)
    _check_rng(rng)
    n_points = x.shape[0]
    ranks = [_factor_rank(n, n_points, net.bias_std) for n in net.widths[:-1]]
    sizes = [r * m for r, m in zip(ranks, net.widths[1:])]
    first_factor = _covariance_factor(x, net.weight_std, net.bias_std)
    batch = _batch_size(batch_size, sum(sizes) + n_points * max(net.widths))
    out = np.empty((n_networks, n_points))
    for start in range(0, n_networks, batch):
        count = min(batch, n_networks - start)
        noise = rng.standard_normal((count, sum(sizes)))
        factor, offset = first_factor, 0
        for l, (r, m, size) in enumerate(zip(ranks, net.widths[1:], sizes)):
            z = np.matmul(factor, noise[:, offset:offset + size].reshape(count, r, m))
            offset += size
            if l < net.depth - 1:
                factor = _covariance_factor(net.activation.fn(z), net.weight_std, net.bias_std)
        out[start:start + count] = z[..., 0]
    return out


def sample_ntks(
    net: MLP,
    x1,
    x2=None,
    *,
    n_networks: int,
    rng: np.random.Generator,
    batch_size: int | None = None,
) -> np.ndarray:
    """Empirical NTKs Θ̂(x1, x2) of ``n_networks`` independent initialisations of ``net``.

    Returns (n_networks, N1, N2); network s is ``net.empirical_ntk(net.init(rng), ...)``
    of the s-th successive draw, whatever ``batch_size`` (networks per stacked batch).
    """
    net._check_scalar_output("sample_ntks")
    x1, x2 = net._check_pair(x1, x2)
    n_networks = _check_int("n_networks", n_networks, 1)
    _check_rng(rng)
    n_points = x1.shape[0] + (0 if x2 is None else x2.shape[0])
    batch = _batch_size(batch_size, net.n_params + 2 * n_points * sum(net.widths))
    kernels = []
    for start in range(0, n_networks, batch):
        count = min(batch, n_networks - start)
        kernels.append(net._empirical_ntk(net.init(rng, n_networks=count), x1, x2, (count,)))
    return np.concatenate(kernels)
