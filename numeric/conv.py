"""Convolutional networks: the finite network and its NNGP and NTK, from one description.

A :class:`CNN` acts on inputs x of shape (*spatial, C₀) (k = 1 or 2 spatial axes,
channels last, P positions). With filter size q (odd), r = (q − 1)/2, the offsets
o ∈ {−r..r}^k and padding "circular" (x(p + o) taken modulo the spatial sizes) or "zero"
(x(p + o) = 0 outside, neural-tangents' 'SAME'), ``depth`` = D convolutions, each
followed by σ:

    z¹(p) = a·Σ_o x(p + o) W₁[o] + c·b₁,   z^{ℓ+1}(p) = a·Σ_o σ(z^ℓ)(p + o) W_{ℓ+1}[o] + c·b_{ℓ+1},
    f = A_out(mean_p σ(z^D)(p))                 readout "gap" (global average pooling)
    f = A_out(σ(z^D) flattened over p and channels)   readout "flatten"

stride 1, every conv of fan-in C_in·q^k and C = ``channels`` outputs; A_out is affine
with one output (fan-in C, or C·P for "flatten"); (a, c) as in
:mod:`numeric.architectures` (NTK or standard parameterisation).

Kernels (Novak et al. 2019, "Bayesian deep convolutional networks with many channels are
Gaussian processes"; Garriga-Alonso et al. 2019, "Deep convolutional networks as shallow
Gaussian processes"; Arora et al. 2019, "On exact computation with an infinitely wide
neural net"): K^ℓ(p, p') is the covariance of z^ℓ(x)(p) and z^ℓ(x')(p') in the limit of
many channels, Θ^ℓ(p, p') the tangent kernel, and S̄ F(p, p') = q^{−k} Σ_o F(p + o, p' + o)
the patch average (padded entries 0 for "zero"). With E = E[σ(u)σ(v)], Ė = E[σ'(u)σ'(v)],
(u, v) ~ N(0, [[K(p, p)(x), K(p, p')], [K(p, p'), K(p', p')(x')]]):

    K¹ = σ_w² S̄(x·x'/C₀) + σ_b²,                    Θ¹ = w_own S̄(x·x'/C₀) + b_own
    K^{ℓ+1} = σ_w² S̄(E) + σ_b²,                     Θ^{ℓ+1} = w_own S̄(E) + b_own + σ_w² S̄(Ė Θ^ℓ)
    "gap":     NNGP = σ_w² mean_{p,p'} E + σ_b²,      NTK = w_own mean_{p,p'} E + b_own + σ_w² mean_{p,p'} Ė Θ^D
    "flatten": NNGP = σ_w² mean_p E(p, p) + σ_b²,     NTK = the same with the means over p = p' only

((w_own, b_own) = (σ_w², σ_b²) for "ntk", (fan-in, 1) for "standard"). Since
S̄ F(p, p) needs only F(p + o, p + o), the flatten readout needs the diagonal p = p'
alone: the kernel of the locally connected network, whose weights are not shared across
positions (Novak et al. 2019); global average pooling needs every pair of positions.

neural-tangents gives the same kernels for

    stax.serial(*[stax.Conv(C, (q,)*k, padding='CIRCULAR' or 'SAME', W_std=σ_w, b_std=σ_b,
                            parameterization=...), act] * D,
                stax.GlobalAvgPool() or stax.Flatten(),
                stax.Dense(1, W_std=σ_w, b_std=σ_b, parameterization=...))

on inputs of shape (N, *spatial, C₀) (NHWC).

How it is computed: per-image variances K(p, p)(x) first, by the diagonal recursion;
then blocks of image pairs, kept with the spatial axes in front (patch averages are
separable, one strided slice addition per offset, spatial axis and wrap-around piece),
each block carried through all layers in place and threaded. Zero-norm patches give
zero variances, where the activations' duals take their exact degenerate values: no NaN.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from . import activations
from .architectures import (Affine, KernelMethods, affine_kernels, check_common, check_pairs, draw_params,
                            run_blocks)
from .kernels import _blocks, _point_labels
from .networks import Params, _check_array, _check_batched, _check_int

__all__ = ["CNN", "PADDINGS", "READOUTS"]

PADDINGS = ("circular", "zero")
READOUTS = ("gap", "flatten")
BLOCK_ENTRIES = 1 << 16
"""Entries of one block's arrays (512 KiB each): a layer's few arrays stay in cache."""


@dataclass(frozen=True)
class CNN(KernelMethods):
    """A CNN (module docstring): ``in_channels`` C₀, ``channels`` C, ``depth`` D ≥ 1
    convolutions of odd ``filter_size`` q over ``spatial_dims`` k ∈ {1, 2} axes,
    ``padding`` "circular" or "zero", ``readout`` "gap" or "flatten", ``activation``,
    ``weight_std`` σ_w, ``bias_std`` σ_b, ``parameterization`` "ntk" or "standard".

    Example::

        net = CNN(in_channels=3, channels=128, depth=4, weight_std=1.4, bias_std=0.1)
        x = np.random.default_rng(0).standard_normal((10, 8, 8, 3))
        params = net.init(np.random.default_rng(1), spatial_shape=(8, 8))
        f = net.apply(params, x)                   # (10, 1)
        theta_hat = net.empirical_ntk(params, x)   # (10, 10), exact
        theta = net.ntk(x)                         # (10, 10), C → ∞
        y = np.zeros((len(x), 1))                 # training by gradient descent on ½‖f − y‖²:
        for _ in range(100):
            grads = net.vjp(params, x, net.apply(params, x) - y)
            params = [(W - 0.1 * dW, b - 0.1 * db) for (W, b), (dW, db) in zip(params, grads)]
    """

    in_channels: int
    channels: int
    depth: int
    filter_size: int = 3
    spatial_dims: int = 2
    padding: str = "circular"
    readout: str = "gap"
    activation: activations.Activation | str = "relu"
    weight_std: float = 1.0
    bias_std: float = 0.0
    parameterization: str = "ntk"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "in_channels", _check_int("in_channels", self.in_channels, 1))
        set_(self, "channels", _check_int("channels", self.channels, 1))
        set_(self, "depth", _check_int("depth", self.depth, 1))
        q = _check_int("filter_size", self.filter_size, 1)
        if q % 2 == 0:
            raise ValueError(f"filter_size={q!r} is not accepted; expected an odd integer ≥ 1 "
                             "(a filter centred on its position)")
        set_(self, "filter_size", q)
        if self.spatial_dims not in (1, 2) or isinstance(self.spatial_dims, bool):
            raise ValueError(f"spatial_dims={self.spatial_dims!r} is not accepted; expected 1 or 2")
        for name, accepted in (("padding", PADDINGS), ("readout", READOUTS)):
            if getattr(self, name) not in accepted:
                raise ValueError(f"{name}={getattr(self, name)!r} is not accepted; expected one of "
                                 f"{', '.join(map(repr, accepted))}")
        check_common(self)

    # ----------------------------------------------------------------- layout
    @property
    def taps(self) -> int:
        """q^k, the number of offsets of a filter."""
        return self.filter_size ** self.spatial_dims

    def offsets(self) -> list[tuple[int, ...]]:
        """The offsets o in the row-major order of a filter's leading axes."""
        r = self.filter_size // 2
        return list(itertools.product(range(-r, r + 1), repeat=self.spatial_dims))

    def affines(self, positions: int = 1) -> list[Affine]:
        """The D convolutions and the readout (``positions`` = P matters for "flatten")."""
        args = (self.parameterization, self.weight_std, self.bias_std)
        readout_fan_in = self.channels * (positions if self.readout == "flatten" else 1)
        return ([Affine(*args, self.in_channels * self.taps)]
                + [Affine(*args, self.channels * self.taps)] * (self.depth - 1)
                + [Affine(*args, readout_fan_in)])

    def shapes(self, spatial_shape: tuple[int, ...]) -> list[tuple[tuple[int, ...], tuple[int]]]:
        """Shapes of each (W, b): W_ℓ (q,)*k + (C_in, C), b_ℓ (C,); readout (fan-in, 1), (1,)."""
        kernel, C = (self.filter_size,) * self.spatial_dims, self.channels
        positions = math.prod(spatial_shape) if self.readout == "flatten" else 1
        return ([(kernel + (self.in_channels, C), (C,))] + [(kernel + (C, C), (C,))] * (self.depth - 1)
                + [((C * positions, 1), (1,))])

    def check_spatial_shape(self, spatial_shape) -> tuple[int, ...]:
        """``spatial_shape`` as a tuple of k integers ≥ 1, or ValueError."""
        ok = (isinstance(spatial_shape, (tuple, list)) and len(spatial_shape) == self.spatial_dims
              and all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1
                      for s in spatial_shape))
        if not ok:
            raise ValueError(f"spatial_shape={spatial_shape!r} is not accepted; expected a tuple of "
                             f"{self.spatial_dims} integers ≥ 1 (the input's spatial sizes)")
        return tuple(int(s) for s in spatial_shape)

    def check_inputs(self, x, name: str = "x") -> np.ndarray:
        """``x`` as a finite float array (N, *spatial, C₀), N ≥ 1, or ValueError."""
        what = f"(N, {', '.join(['size'] * self.spatial_dims)}, {self.in_channels}) with N ≥ 1"
        arr = _check_array(name, x, (self.in_channels,), what)
        if arr.ndim != self.spatial_dims + 2 or 0 in arr.shape:
            raise ValueError(f"{name} has shape {arr.shape}; expected {what}")
        return arr

    def check_params(self, params, spatial_shape) -> tuple[Params, tuple[int, ...]]:
        """(params as float arrays, common batch shape), or ValueError naming the entry."""
        return check_pairs(params, self.shapes(spatial_shape), f"{self.depth} convolutions and the readout")

    # --------------------------------------------------------------- networks
    def init(self, rng: np.random.Generator, spatial_shape, n_networks: int | None = None) -> Params:
        """Initial parameters for inputs of ``spatial_shape`` (only "flatten" depends on it),
        optionally a stack of ``n_networks`` along a leading axis (network-major draws)."""
        spatial_shape = self.check_spatial_shape(spatial_shape)
        return draw_params(rng, self.shapes(spatial_shape), self.affines(math.prod(spatial_shape)), n_networks)

    def _shifted(self, h: np.ndarray, offset: tuple[int, ...]) -> np.ndarray:
        """g(p) = h(p + o) over the k spatial axes that end at axis −2 (padding applied)."""
        axes = tuple(range(-1 - self.spatial_dims, -1))
        if self.padding == "circular":
            return np.roll(h, tuple(-o for o in offset), axis=axes)
        out = np.zeros_like(h)
        dst, src = [slice(None)] * h.ndim, [slice(None)] * h.ndim
        for axis, o in zip(axes, offset):
            size = h.shape[axis]
            if abs(o) >= size:
                return out
            dst[axis] = slice(max(0, -o), size - max(0, o))
            src[axis] = slice(max(0, o), size + min(0, o))
        out[tuple(dst)] = h[tuple(src)]
        return out

    def _patches(self, h: np.ndarray) -> np.ndarray:
        """(..., *spatial, q^k·C): the patch of every position, offsets in filter order."""
        return np.concatenate([self._shifted(h, o) for o in self.offsets()], axis=-1)

    def _unpatch(self, d: np.ndarray) -> np.ndarray:
        """The adjoint of :meth:`_patches`: g(r) = Σ_o d(r − o)[o-th channel block]."""
        C = d.shape[-1] // self.taps
        total = 0.0
        for i, o in enumerate(self.offsets()):
            total = total + self._shifted(d[..., i * C:(i + 1) * C], tuple(-v for v in o))
        return total

    def _matrix(self, W: np.ndarray) -> np.ndarray:
        """A filter (..., q, [q,] C_in, C) as (..., 1, [1,] 1, q^k·C_in, C), which matmul
        broadcasts over images and positions."""
        batch = W.shape[:W.ndim - self.spatial_dims - 2]
        return W.reshape(batch + (1,) * (1 + self.spatial_dims - 1) + (-1, W.shape[-1]))

    def _forward(self, params: Params, x: np.ndarray):
        """(f, the inputs of every map: patches (..., N, *spatial, q^k·C_in) of each conv and
        the readout's (..., N, fan-in), pre-activations z^ℓ)."""
        affines = self.affines(math.prod(x.shape[1:-1]))
        h, inputs, pre = x, [], []
        for (W, b), aff in zip(params[:-1], affines):
            a, c = aff.multipliers
            inputs.append(self._patches(h))
            z = np.matmul(inputs[-1], self._matrix(W))
            z *= a
            z += c * b.reshape(b.shape[:-1] + (1,) * (self.spatial_dims + 1) + b.shape[-1:])
            pre.append(z)
            h = self.activation.fn(z)
        if self.readout == "gap":
            inputs.append(h.mean(axis=tuple(range(-1 - self.spatial_dims, -1))))
        else:
            inputs.append(h.reshape(h.shape[:h.ndim - 1 - self.spatial_dims] + (-1,)))
        (W, b), (a, c) = params[-1], affines[-1].multipliers
        f = np.matmul(inputs[-1], W)
        f *= a
        f += c * b[..., None, :]
        return f, inputs, pre

    def apply(self, params: Params, x) -> np.ndarray:
        """f(x) of shape (..., N, 1) (batch axes of ``params`` first)."""
        x = self.check_inputs(x)
        params, _ = self.check_params(params, x.shape[1:-1])
        return self._forward(params, x)[0]

    def vjp(self, params: Params, x, cotangent) -> Params:
        """∇_θ ⟨g, f(x)⟩ = Σ_n g_n ∂f(x_n)/∂θ in the params layout, by backpropagation; g of
        shape (N, 1) or (batch of params) + (N, 1) (for ½‖f(X) − y‖², g = f(X) − y). A filter's
        gradient is a Σ_{n,p} U_n(p) ⊗ g_n Δ_n(p) (U the patches, Δ = ∂f/∂z), a bias's c Σ g_n Δ_n(p)."""
        x = self.check_inputs(x)
        params, batch = self.check_params(params, x.shape[1:-1])
        g = _check_batched("cotangent", cotangent, (x.shape[0], 1), batch)
        _, inputs, pre = self._forward(params, x)
        deltas = self._sensitivities(params, pre, batch, x.shape)
        affines = self.affines(math.prod(x.shape[1:-1]))
        k = self.spatial_dims
        grads = []
        for l, (W, _) in enumerate(params[:-1]):
            a, c = affines[l].multipliers
            signal = deltas[l] * g.reshape(g.shape[:-1] + (1,) * (k + 1))
            U = inputs[l].reshape(inputs[l].shape[:inputs[l].ndim - k - 2] + (-1, inputs[l].shape[-1]))
            S = signal.reshape(signal.shape[:signal.ndim - k - 2] + (-1, signal.shape[-1]))
            grads.append((a * np.matmul(np.swapaxes(U, -1, -2), S).reshape(batch + W.shape[len(batch):]),
                          c * S.sum(axis=-2)))
        a, c = affines[-1].multipliers
        grads.append((a * np.matmul(np.swapaxes(inputs[-1], -1, -2), g), c * g.sum(axis=-2)))
        return grads

    def readout_covariance(self, params: Params, x1, x2=None) -> np.ndarray:
        """K̂(x1, x2) = a_out² g(x1)·g(x2) + c_out², (..., N1, N2), g the readout's input: the
        covariance of f over the readout's parameters given the layers below."""
        x1 = self.check_inputs(x1, "x1")
        params, _ = self.check_params(params, x1.shape[1:-1])
        g1 = self._forward(params, x1)[1][-1]
        g2 = g1 if x2 is None else self._forward(params, self.check_inputs(x2, "x2"))[1][-1]
        a, c = self.affines(math.prod(x1.shape[1:-1]))[-1].multipliers
        return np.matmul(g1, np.swapaxes(g2, -1, -2)) * (a * a) + c * c

    def _sensitivities(self, params: Params, pre, batch, x_shape) -> list[np.ndarray]:
        """Δ^ℓ = ∂f/∂z^ℓ (..., N, *spatial, C) of every conv, then ∂f/∂f = 1, in layer order.

        At the readout ∂f/∂σ(z^D)(p) = a_out W_out/P (gap) or a_out W_out[p] (flatten);
        below, ∂f/∂σ(z^ℓ) = a·(the adjoint of the patches of) Δ^{ℓ+1} W_{ℓ+1}ᵀ.
        """
        spatial = tuple(x_shape[1:-1])
        affines = self.affines(math.prod(spatial))
        a_out = affines[-1].multipliers[0]
        W_out = params[-1][0][..., 0]                                  # (..., fan-in)
        if self.readout == "gap":
            grad = (a_out / math.prod(spatial)) * W_out.reshape(batch + (1,) * (1 + len(spatial)) + (-1,))
        else:
            grad = a_out * W_out.reshape(batch + (1,) + spatial + (-1,))
        out = [np.ones(batch + (x_shape[0], 1))]
        for l in range(self.depth - 1, -1, -1):
            delta = grad * self.activation.deriv(pre[l])
            out.append(delta)
            if l:
                back = np.matmul(delta, np.swapaxes(self._matrix(params[l][0]), -1, -2))
                grad = affines[l].multipliers[0] * self._unpatch(back)
        return out[::-1]

    def empirical_ntk(self, params: Params, x1, x2=None) -> np.ndarray:
        """Θ̂(x1, x2) = Σ_θ ∂f(x1)/∂θ ∂f(x2)/∂θ, exact, (..., N1, N2); x2=None means x1.

        Layer-wise (no Jacobian formed): with U(p) the patch at p of a conv's input and
        Δ(p) = ∂f/∂z(p),  Θ̂_W = a² Σ_{p,p'} (U(p)·U'(p')) (Δ(p)·Δ'(p')),
        Θ̂_b = c² (Σ_p Δ(p))·(Σ_p' Δ'(p')); the readout adds a² g·g' + c², g its input.
        """
        x1 = self.check_inputs(x1, "x1")
        spatial = x1.shape[1:-1]
        params, batch = self.check_params(params, spatial)
        sides = []
        for x in ((x1,) if x2 is None else (x1, self.check_inputs(x2, "x2"))):
            if x.shape[1:-1] != spatial:
                raise ValueError(f"x2 has spatial shape {x.shape[1:-1]}; expected that of x1, {spatial}")
            _, inputs, pre = self._forward(params, x)
            sides.append((inputs, self._sensitivities(params, pre, batch, x.shape)))
        (ua, da), (ub, db) = sides[0], sides[-1]
        affines = self.affines(math.prod(spatial))
        a, c = affines[-1].multipliers
        total = np.matmul(ua[-1], np.swapaxes(ub[-1], -1, -2)) * (a * a) + c * c
        for l in range(self.depth):
            total = total + self._conv_tangent(ua[l], ub[l], da[l], db[l], *affines[l].multipliers)
        return total

    def _conv_tangent(self, U1, U2, D1, D2, a, c) -> np.ndarray:
        """a² Σ_{p,p'} (U1(p)·U2(p'))(D1(p)·D2(p')) + c² (Σ_p D1)·(Σ_p D2), per image pair."""
        k = self.spatial_dims

        def rows(v):                                  # (..., N·P, features)
            return v.reshape(v.shape[:v.ndim - k - 2] + (-1, v.shape[-1]))

        n1, n2 = D1.shape[-k - 2], D2.shape[-k - 2]
        batch = np.broadcast_shapes(U1.shape[:U1.ndim - k - 2], D1.shape[:D1.ndim - k - 2])
        inputs = np.matmul(rows(U1), np.swapaxes(rows(U2), -1, -2))
        signals = np.matmul(rows(D1), np.swapaxes(rows(D2), -1, -2))
        signals *= inputs
        weights = signals.reshape(batch + (n1, -1, n2, signals.shape[-1] // n2)).sum(axis=(-3, -1))
        axes = tuple(range(-1 - k, -1))
        sums1, sums2 = D1.sum(axis=axes), D2.sum(axis=axes)
        return (a * a) * weights + (c * c) * np.matmul(sums1, np.swapaxes(sums2, -1, -2))

    # ---------------------------------------------------------------- kernels
    def nngp_and_ntk(self, x1, x2=None) -> tuple[np.ndarray, np.ndarray]:
        """(NNGP, NTK) of the infinite-channel network (module docstring), each (N1, N2).

        x1: (N1, *spatial, C₀), x2: the same spatial shape, or None (= x1, the symmetric
        path). Image pairs that are identical get the per-image variances at p = p'
        (correlation exactly 1). OverflowError if a value exceeds float64.
        """
        a = self.check_inputs(x1, "x1")
        symmetric = x2 is None or x2 is x1
        b = a if symmetric else self.check_inputs(x2, "x2")
        spatial = a.shape[1:-1]
        if b.shape[1:-1] != spatial:
            raise ValueError(f"x2 has spatial shape {b.shape[1:-1]}; expected that of x1, {spatial}")
        k, P = self.spatial_dims, math.prod(spatial)
        gap = self.readout == "gap"
        var_a = self._diagonal(a, "x1")
        var_b = var_a if symmetric else self._diagonal(b, "x2")
        labels_a, labels_b = _point_labels(a.reshape(len(a), -1), None if symmetric else b.reshape(len(b), -1))
        groups = tuple((i, i + k) for i in range(k)) if gap else tuple((i,) for i in range(k))
        positions = tuple(p.ravel() for p in np.indices(spatial))
        sigma = np.empty((a.shape[0], b.shape[0]))
        theta = np.empty_like(sigma)
        front_a = np.moveaxis(a, 0, -2) / self.in_channels       # (*spatial, N1, C₀)
        front_b = np.moveaxis(b, 0, -2)

        def work(block):
            rows, cols = block
            si, sj = np.nonzero(labels_a[rows, None] == labels_b[None, cols])
            A, B = front_a[..., rows, :], front_b[..., cols, :]
            if gap:
                gram = np.matmul(A.reshape(-1, A.shape[-1]), B.reshape(-1, B.shape[-1]).T)
                gram = gram.reshape(spatial + A.shape[-2:-1] + spatial + B.shape[-2:-1])
                gram = np.ascontiguousarray(np.moveaxis(gram, k, -2))   # (*sp, *sp, bi, bj)
            else:
                gram = np.matmul(A, np.swapaxes(B, -1, -2))             # (*sp, bi, bj)

            def variances(stage, k12):
                va, vb = var_a[stage][..., rows], var_b[stage][..., cols]
                if gap:
                    if len(si):
                        k12[positions * 2 + (si[:, None], sj[:, None])] = va.reshape(P, -1)[:, si].T
                    return (va.reshape(spatial + (1,) * k + va.shape[-1:] + (1,)),
                            vb.reshape((1,) * k + spatial + (1,) + vb.shape[-1:]))
                if len(si):
                    k12[..., si, sj] = va[..., si]
                return va[..., :, None], vb[..., None, :]

            s, t = self._recursion(gram, variances, groups, 2 * k if gap else k)
            sigma[rows, cols], theta[rows, cols] = s, t
            if symmetric and rows != cols:
                sigma[cols, rows], theta[cols, rows] = s.T, t.T

        per_pair = P * P if gap else P
        size = max(1, math.isqrt(max(1, BLOCK_ENTRIES // per_pair)))
        run_blocks(work, _blocks(a.shape[0], b.shape[0], symmetric=symmetric, size=size))
        return sigma, theta

    def _diagonal(self, x: np.ndarray, label: str) -> list[np.ndarray]:
        """K^ℓ(p, p)(x) of every image, (*spatial, N), for ℓ = 1..D, by the diagonal
        recursion (S̄F(p, p) needs only F(p + o, p + o)); OverflowError if not finite."""
        recorded = []

        def variances(stage, k12):
            recorded.append(k12.copy())
            return recorded[-1], recorded[-1]

        k = self.spatial_dims
        gram = np.einsum("n...c,n...c->...n", x, x) / self.in_channels
        with np.errstate(over="ignore", invalid="ignore"):
            sigma, theta = self._recursion(gram, variances, tuple((i,) for i in range(k)), k)
        for values in recorded + [sigma, theta]:
            if not np.isfinite(values).all():
                i = int(np.flatnonzero(~np.isfinite(values).reshape(-1, len(x)).all(axis=0))[0])
                raise OverflowError(
                    f"the kernel of {label}[{i}] is not finite in float64 "
                    f"(activation={self.activation.name!r}, depth={self.depth}); "
                    "reduce weight_std, bias_std, depth or the scale of the inputs")
        return recorded

    def _recursion(self, gram: np.ndarray, variances, groups, spatial_axes: int):
        """(NNGP, NTK) from x·x'/C₀ over positions (consumed): D patch-averaged layers, then
        the readout's mean over the ``spatial_axes`` leading axes. ``variances(stage, k12)``
        gives (k11, k22) for the stage-th σ (and may adjust k12)."""
        affines = self.affines(math.prod(gram.shape[:len(groups)]))
        mean = 1.0 / self.taps
        sigma, theta = affine_kernels(affines[0], self._average(gram, groups), None, scale=mean)
        for layer in range(1, self.depth + 1):
            k11, k22 = variances(layer - 1, sigma)
            dual, below = self.activation.duals(k11, k22, sigma)
            below *= theta
            if layer < self.depth:
                moment, below, scale = self._average(dual, groups), self._average(below, groups), mean
            else:
                axes = tuple(range(spatial_axes))
                moment, below, scale = dual.mean(axis=axes), below.mean(axis=axes), 1.0
            sigma, theta = affine_kernels(affines[layer], moment, below, scale=scale)
        return sigma, theta

    def _average(self, F: np.ndarray, groups) -> np.ndarray:
        """q^k S̄F: the sum over offsets o of F shifted by o jointly along each axis group
        (one group per spatial dimension: (p, p') for pairs of positions, (p,) on the
        diagonal); separable, one slice addition per offset and wrap-around piece (for
        circular padding the first offset's pieces add F at once instead of copying it).
        The mean's 1/q^k is left to the affine map (``affine_kernels(scale=...)``)."""
        if self.filter_size == 1:
            return F
        r = self.filter_size // 2
        for group in groups:
            size = F.shape[group[0]]
            offsets = [o for o in range(-r, r + 1) if o]
            if self.padding == "circular":
                out = np.empty_like(F)
                for dst, src in self._pieces(offsets[0], size, group, F.ndim):
                    np.add(F[dst], F[src], out=out[dst])
                offsets = offsets[1:]
            else:
                out = F.copy()
            for o in offsets:
                for dst, src in self._pieces(o, size, group, F.ndim):
                    out[dst] += F[src]
            F = out
        return F

    def _pieces(self, o: int, size: int, group, ndim: int):
        """(destination, source) index tuples with out[p] += F[p + o] along every axis of
        ``group`` (none for o = 0, which the copy holds)."""
        if o == 0:
            return []
        if self.padding == "circular":
            s = o % size
            if s == 0:
                return [(Ellipsis, Ellipsis)]
            per_axis = [(slice(0, size - s), slice(s, size)), (slice(size - s, size), slice(0, s))]
        elif abs(o) >= size:
            return []
        else:
            per_axis = [(slice(max(0, -o), size - max(0, o)), slice(max(0, o), size + min(0, o)))]
        out = []
        for choice in itertools.product(per_axis, repeat=len(group)):
            dst, src = [slice(None)] * ndim, [slice(None)] * ndim
            for axis, (d, s_) in zip(group, choice):
                dst[axis], src[axis] = d, s_
            out.append((tuple(dst), tuple(src)))
        return out
