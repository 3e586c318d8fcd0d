"""Infinite-width NNGP and NTK kernels of fully connected networks.

NTK parameterisation, weight_std = σ_w, bias_std = σ_b, input x ∈ R^{n0}, depth L =
number of affine layers (L − 1 hidden nonlinear layers), scalar output (docs/conventions.md).
With (u, v) ~ N(0, [[k11, k12], [k12, k22]]) and k = Σ^ℓ:

    Σ¹(x, x') = σ_w² x·x'/n0 + σ_b²
    Σ^{ℓ+1}   = σ_w² E[σ(u)σ(v)] + σ_b²,      Σ̇^{ℓ+1} = E[σ'(u)σ'(v)]
    Θ¹ = Σ¹,   Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Σ̇^{ℓ+1} Θ^ℓ;     NNGP = Σ^L,  NTK = Θ^L

(Jacot, Gabriel & Hongler 2018; Lee et al. 2018). L = 1 gives the linear kernel
Σ¹. This equals neural-tangents' ``stax.serial([Dense(W_std, b_std), act] * (L − 1),
Dense(1))`` with parameterization "ntk". The expectations are the activation's
closed-form duals where it has them, Gauss–Hermite quadrature otherwise (see
``numeric.activations``, ``numeric.quadrature`` for its accuracy).

How it is computed: the diagonal Σ^ℓ(x, x) needs only the per-point recursion, so it is
computed first for every layer; the Gram matrix is then cut into cache-sized blocks,
each carried through all L layers in place in the output arrays (only the upper
triangle of blocks, mirrored, when x2 = x1), the blocks shared among a thread pool
(numpy releases the GIL; every block is computed the same way whatever the schedule,
so results are deterministic). Peak memory is the two outputs plus a few blocks.

Numerics: correlations are clipped to [−1, 1], and they are exactly 1 on the diagonal
and between identical inputs, which get the per-point values. For exactly parallel
inputs (x' = λx, λ ≠ 1) the rounding of x·x' leaves c = ±(1 − ε), and arccos turns
that into an angle error √(2ε): the derivative duals of the arc-cosine family (relu,
abs, leaky relu), and so the NTK, are then correct to ~1e-8 relative, a limit of
arccos near ±1 in float64 (the step NNGP is itself only Hölder-1/2 at c = 1, so there
each layer takes the square root of the previous error). Zero inputs give finite (with
σ_b = 0, zero) rows. A kernel value beyond float64 raises OverflowError;
values below ~1e-308 underflow to 0. Activations without closed forms cost a few
thousand σ evaluations per entry and layer and are as accurate as the quadrature table of
``numeric.quadrature`` at the variances the layers reach.
"""
from __future__ import annotations

import numbers
import os
import reprlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from numeric import activations
from numeric.activations import Activation
from numeric.depth import DepthScales, correlations, depth_scales, max_effective_depth

__all__ = ["nngp", "ntk", "nngp_and_ntk", "depth_scales", "correlations", "max_effective_depth",
           "DepthScales"]

Array = np.ndarray
BLOCK = 128  # 128 KiB per float64 block: the half-dozen arrays of a layer stay in a 1 MiB L2


def nngp(x1, x2=None, *, depth, activation="relu", weight_std=1.0, bias_std=0.0) -> Array:
    """The NNGP kernel Σ^L(x1, x2), shape (N1, N2); x2=None means x2 = x1.

    See the module docstring for the parameterisation and the depth convention.
    """
    return nngp_and_ntk(x1, x2, depth=depth, activation=activation,
                        weight_std=weight_std, bias_std=bias_std)[0]


def ntk(x1, x2=None, *, depth, activation="relu", weight_std=1.0, bias_std=0.0) -> Array:
    """The NTK Θ^L(x1, x2), shape (N1, N2); x2=None means x2 = x1.

    See the module docstring for the parameterisation and the depth convention.
    """
    return nngp_and_ntk(x1, x2, depth=depth, activation=activation,
                        weight_std=weight_std, bias_std=bias_std)[1]


def nngp_and_ntk(x1, x2=None, *, depth, activation="relu", weight_std=1.0,
                 bias_std=0.0) -> tuple[Array, Array]:
    """(Σ^L(x1, x2), Θ^L(x1, x2)) in one pass, each of shape (N1, N2).

    x1: (N1, n0) and x2: (N2, n0) finite real arrays, or x2=None (or x1 itself) for
    x2 = x1 (the symmetric, twice cheaper path); depth L ≥ 1 = number of affine layers; activation:
    a name of ``activations.names()`` or an ``Activation``; weight_std = σ_w ≥ 0 and
    bias_std = σ_b ≥ 0 (the variances are σ_w², σ_b²). NTK parameterisation, see the
    module docstring. Raises ValueError for bad input (naming the parameter, the value
    and what is accepted) and OverflowError when a kernel value exceeds float64.
    """
    rec = _Recursion.validated(depth, activation, weight_std, bias_std)
    a = _as_inputs(x1, "x1")
    symmetric = x2 is None or x2 is x1
    b = a if symmetric else _as_inputs(x2, "x2", features=a.shape[1])
    diag_a = rec.diagonals(a, "x1")
    diag_b = diag_a if symmetric else rec.diagonals(b, "x2")
    labels_a, labels_b = _point_labels(a, None if symmetric else b)
    sigma = np.empty((a.shape[0], b.shape[0]))
    theta = np.empty_like(sigma)
    blocks = _blocks(a.shape[0], b.shape[0], symmetric=symmetric)

    def work(block):
        rows, cols = block
        same = np.nonzero(labels_a[rows, None] == labels_b[None, cols])
        rec.block(a[rows], b[cols], diag_a, diag_b, rows, cols,
                  sigma[rows, cols], theta[rows, cols], same)
        if symmetric and rows != cols:
            sigma[cols, rows] = sigma[rows, cols].T
            theta[cols, rows] = theta[rows, cols].T

    _run_blocks(work, blocks)
    return sigma, theta


@dataclass(frozen=True)
class _Recursion:
    """The validated hyper-parameters and the layer map of the recursion."""

    activation: Activation
    depth: int
    weight_var: float
    bias_var: float

    @classmethod
    def validated(cls, depth, activation, weight_std, bias_std) -> "_Recursion":
        """From the public arguments; ValueError naming the parameter and value otherwise."""
        if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 1:
            raise ValueError(f"depth must be an integer >= 1 (the number of affine layers); "
                             f"got {depth!r}")
        variances = [_variance(weight_std, "weight_std"), _variance(bias_std, "bias_std")]
        return cls(activations.get(activation), int(depth), *variances)

    def first(self, gram: Array, n0: int) -> None:
        """In place: the Gram matrix x·x' becomes Σ¹ = σ_w² x·x'/n0 + σ_b²."""
        gram *= self.weight_var / n0
        gram += self.bias_var

    def layer(self, sigma: Array, theta: Array, k11: Array, k22: Array) -> None:
        """In place, with k12 = Σ and (k11, k22) the per-point variances of the layer:
        Σ ← σ_w² E[σ(u)σ(v)] + σ_b² and then Θ ← Σ + σ_w² E[σ'(u)σ'(v)] Θ."""
        dual, dual_deriv = self.activation.duals(k11, k22, sigma)
        if self.weight_var != 1.0:
            dual *= self.weight_var
            dual_deriv *= self.weight_var
        if self.bias_var != 0.0:
            dual += self.bias_var
        sigma[...] = dual
        theta *= dual_deriv
        theta += sigma

    def diagonals(self, x: Array, label: str) -> list[tuple[Array, Array]]:
        """[(Σ^ℓ(x, x), Θ^ℓ(x, x)) for ℓ = 1..L] per point of x, by the per-point recursion.

        Raises OverflowError if a value is not finite (off-diagonal entries are bounded
        by the diagonal ones by Cauchy–Schwarz, so this check covers the whole kernel).
        """
        with np.errstate(over="ignore", invalid="ignore"):  # reported by _check_finite
            sigma = np.einsum("ij,ij->i", x, x)
            self.first(sigma, x.shape[1])
            theta = sigma.copy()
            self._check_finite(sigma, theta, 1, label)
            out = [(sigma.copy(), theta.copy())]
            for level in range(2, self.depth + 1):
                previous = sigma.copy()
                self.layer(sigma, theta, previous, previous)
                self._check_finite(sigma, theta, level, label)
                out.append((sigma.copy(), theta.copy()))
        return out

    def _check_finite(self, sigma: Array, theta: Array, level: int, label: str) -> None:
        bad = ~(np.isfinite(sigma) & np.isfinite(theta))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise OverflowError(
                f"the layer-{level} kernel of {label}[{i}] is not finite in float64 "
                f"(Σ = {sigma[i]!r}, Θ = {theta[i]!r}; activation={self.activation.name!r}); "
                "reduce weight_std, bias_std, depth or the scale of the inputs")

    def block(self, a, b, diag_a, diag_b, rows, cols, sigma, theta, same) -> None:
        """Σ^L and Θ^L of one block (rows of x1 against cols of x2), in place in the views.

        At the block positions ``same`` of identical points the per-point values are set
        after each layer, so that the correlation there is exactly 1 (x·x computed by
        the Gram product and by the per-point sum may differ in the last bit, and
        arccos(1 − ε) ≈ √(2ε)).
        """
        np.matmul(a, b.T, out=sigma)
        self.first(sigma, a.shape[1])
        theta[...] = sigma
        for level in range(self.depth):
            point_sigma, point_theta = diag_a[level]
            sigma[same] = point_sigma[rows][same[0]]
            theta[same] = point_theta[rows][same[0]]
            if level + 1 < self.depth:
                self.layer(sigma, theta, point_sigma[rows, None], diag_b[level][0][None, cols])
        if not np.isfinite(sigma.sum() + theta.sum()) and not (
                np.isfinite(sigma).all() and np.isfinite(theta).all()):  # a sum may overflow
            raise FloatingPointError(
                f"non-finite kernel values in block rows {rows}, cols {cols} although the "
                f"diagonal is finite; activation={self.activation.name!r} returned non-finite "
                "duals")


def _variance(value, label: str) -> float:
    """σ² for a standard deviation σ = ``value`` ≥ 0 whose square is finite in float64
    (ValueError naming ``label`` and the value otherwise)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        variance = float(value) * float(value)  # inf on overflow, where ** would raise
        if value >= 0 and np.isfinite(variance):
            return variance
    raise ValueError(f"{label} must be a real number >= 0 whose square is finite in float64; "
                     f"got {value!r}")


def _as_inputs(x, label: str, features: int | None = None) -> Array:
    """x as a finite float64 (N, n0) array; ValueError naming ``label`` otherwise."""
    try:
        arr = np.asarray(x)
    except ValueError:  # ragged nested sequences
        arr = np.asarray(x, dtype=object)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{label} must be a real (N, n0) array; got {reprlib.repr(x)} "
                         f"(dtype {arr.dtype})")
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise ValueError(f"{label} must be a 2-D array of shape (N, n0) with n0 >= 1; "
                         f"got shape {arr.shape}")
    if features is not None and arr.shape[1] != features:
        raise ValueError(f"{label} must have the feature dimension n0 = {features} of x1; "
                         f"got shape {arr.shape}")
    if not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{label} must be finite; got {arr[row]!r} in row {row}")
    return arr


def _point_labels(a: Array, b: Array | None) -> tuple[Array, Array]:
    """Integer labels of the rows of a and b, equal exactly where the rows are identical."""
    rows = a if b is None else np.concatenate([a, b])
    rows = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))
    labels = np.unique(rows.ravel(), return_inverse=True)[1].ravel()
    return (labels, labels) if b is None else (labels[:len(a)], labels[len(a):])


def _blocks(n1: int, n2: int, *, symmetric: bool, size: int = BLOCK) -> list[tuple[slice, slice]]:
    """Row/column slices of size-by-size tiles; the upper triangle only when symmetric."""
    starts1, starts2 = range(0, n1, size), range(0, n2, size)
    return [(slice(i, min(i + size, n1)), slice(j, min(j + size, n2)))
            for i in starts1 for j in starts2 if not symmetric or j >= i]


def _run_blocks(work, blocks) -> None:
    """``work(block)`` for every block, shared among a thread pool of the process's cores
    (each block writes only its own outputs, so results do not depend on the schedule)."""
    workers = min(_workers(), len(blocks))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(work, blocks):
                pass
    else:
        for block in blocks:
            work(block)


def _workers() -> int:
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
