"""Residual MLPs: the finite network and its NNGP and NTK, from one description.

A :class:`ResMLP` with input dimension d, width n, L residual blocks, activation σ,
branch scale α and m = ``branch_layers`` ∈ {1, 2} dense layers per branch computes

    h⁰ = A_in(x),   h^{ℓ+1} = h^ℓ + α·B_ℓ(h^ℓ),   f = A_out(h^L)   (ℓ = 0..L−1),
    B_ℓ(h) = A(σ(h))  (m = 1),   B_ℓ(h) = A(σ(A(σ(h))))  (m = 2),

where every A is an affine map h ↦ a·hW + c·b of its own (fan-in d for A_in, n
otherwise; A_out has one output), parameterised as in :mod:`numeric.architectures`
(NTK: a = σ_w/√fan_in, c = σ_b, entries N(0, 1); or standard). The branch is applied
after σ, as in the stable ResNets of Hayou et al. 2021 ("Stable ResNet"), so h⁰ is the
embedding itself and the readout is linear in h^L.

Kernels (Hayou et al. 2021; Yang 2019, "Scaling limits of wide neural networks"): with
E = E[σ(u)σ(v)], Ė = E[σ'(u)σ'(v)] over (u, v) ~ N(0, [[k11, k12], [k12, k22]]) and
(w_own, b_own) = (σ_w², σ_b²) ("ntk") or (fan-in, 1) ("standard"),

    Σ⁰ = σ_w² x·x'/d + σ_b²,                 Θ⁰ = w_own x·x'/d + b_own
    one dense map D on (Σ, Θ):  Σ_D = σ_w² E_Σ + σ_b²,   Θ_D = w_own E_Σ + b_own + σ_w² Ė_Σ Θ
    Σ^{ℓ+1} = Σ^ℓ + α² Σ_B,   Θ^{ℓ+1} = Θ^ℓ + α² Θ_B,   (Σ_B, Θ_B) = D(Σ^ℓ, Θ^ℓ) or D(D(Σ^ℓ, Θ^ℓ))
    NNGP = σ_w² Σ^L + σ_b²,   NTK = w_own Σ^L + b_own + σ_w² Θ^L.

The skip path and the branch are independent in the limit (the branch's last weights
are centred and independent of h^ℓ), so their covariances add; the cross terms of the
tangent kernel are O(n^{-1/2}). With α = 1 and ReLU the diagonal grows like
(1 + α²σ_w²/2)^L; with α = 1/√L it has a finite limit as L → ∞.

neural-tangents (``parameterization='ntk'``) gives the same kernels for

    stax.serial(stax.Dense(n, W_std=σ_w, b_std=σ_b),
                *[stax.serial(stax.FanOut(2),
                              stax.parallel(stax.Identity(), branch),
                              stax.FanInSum())] * L,
                stax.Dense(1, W_std=σ_w, b_std=σ_b))

with branch = serial(act, Dense(n, W_std=α·σ_w, b_std=α·σ_b)) for m = 1, and
serial(act, Dense(n, σ_w, σ_b), act, Dense(n, α·σ_w, α·σ_b)) for m = 2: in the NTK
parameterisation α folded into the branch's last Dense gives the same function and the
same gradients. (In the standard parameterisation it would change the gradients: there α
multiplies the branch output here.)
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from . import activations
from .architectures import (Affine, KernelMethods, affine_kernels, check_common, check_pairs, draw_params,
                            run_blocks)
from .kernels import _as_inputs, _blocks, _point_labels
from .networks import Params, _check_array, _check_batched, _check_int

__all__ = ["ResMLP"]


@dataclass(frozen=True)
class ResMLP(KernelMethods):
    """A residual MLP (module docstring): ``in_dim`` = d, ``width`` = n, ``depth`` = L
    blocks, ``branch_layers`` m ∈ {1, 2}, ``alpha`` = α (any finite real, e.g.
    1/√L), ``activation`` a name of ``activations.names()`` or an Activation,
    ``weight_std`` σ_w ≥ 0, ``bias_std`` σ_b ≥ 0, ``parameterization`` "ntk" or
    "standard".

    Example::

        net = ResMLP(in_dim=4, width=256, depth=3, alpha=1 / np.sqrt(3))
        params = net.init(np.random.default_rng(0))
        f = net.apply(params, x)                  # (N, 1)
        theta_hat = net.empirical_ntk(params, x)  # (N, N), exact
        theta = net.ntk(x)                        # (N, N), n → ∞
        y = np.zeros((len(x), 1))                 # training by gradient descent on ½‖f − y‖²:
        for _ in range(100):
            grads = net.vjp(params, x, net.apply(params, x) - y)
            params = [(W - 0.1 * dW, b - 0.1 * db) for (W, b), (dW, db) in zip(params, grads)]
    """

    in_dim: int
    width: int
    depth: int
    activation: activations.Activation | str = "relu"
    weight_std: float = 1.0
    bias_std: float = 0.0
    alpha: float = 1.0
    branch_layers: int = 1
    parameterization: str = "ntk"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "in_dim", _check_int("in_dim", self.in_dim, 1))
        set_(self, "width", _check_int("width", self.width, 1))
        set_(self, "depth", _check_int("depth", self.depth, 0))
        if self.branch_layers not in (1, 2) or isinstance(self.branch_layers, bool):
            raise ValueError(f"branch_layers={self.branch_layers!r} is not accepted; "
                             "expected 1 or 2 (dense layers per residual branch)")
        alpha = self.alpha
        if not (isinstance(alpha, numbers.Real) and not isinstance(alpha, bool) and np.isfinite(alpha)):
            raise ValueError(f"alpha={alpha!r} is not accepted; expected a finite real number "
                             "(the branch scale, e.g. 1 or 1/sqrt(depth))")
        set_(self, "alpha", float(alpha))
        check_common(self)

    # ----------------------------------------------------------------- layout
    def affines(self) -> list[Affine]:
        """The affine maps in order: embedding, the m maps of each block, readout."""
        args = (self.parameterization, self.weight_std, self.bias_std)
        hidden = Affine(*args, self.width)
        return [Affine(*args, self.in_dim)] + [hidden] * (self.depth * self.branch_layers) + [hidden]

    def shapes(self) -> list[tuple[tuple[int, int], tuple[int]]]:
        """Shapes ((fan-in, fan-out), (fan-out,)) of each (W, b), in the order of :meth:`affines`."""
        n = self.width
        return ([((self.in_dim, n), (n,))] + [((n, n), (n,))] * (self.depth * self.branch_layers)
                + [((n, 1), (1,))])

    def check_params(self, params) -> tuple[Params, tuple[int, ...]]:
        """(params as float arrays, common batch shape), or ValueError naming the entry."""
        return check_pairs(params, self.shapes(),
                           f"embedding, {self.depth} × {self.branch_layers} branch maps, readout")

    def check_inputs(self, x, name: str = "x") -> np.ndarray:
        """``x`` as a finite float array of shape (N, d), N ≥ 1, or ValueError."""
        arr = _check_array(name, x, (self.in_dim,), f"(N, {self.in_dim}) with N ≥ 1")
        if arr.ndim != 2 or arr.shape[0] < 1:
            raise ValueError(f"{name} has shape {arr.shape}; expected (N, {self.in_dim}) with N ≥ 1")
        return arr

    # --------------------------------------------------------------- networks
    def init(self, rng: np.random.Generator, n_networks: int | None = None) -> Params:
        """Initial parameters (entries as the parameterisation says), optionally a stack of
        ``n_networks`` networks along a leading axis; network-major draws, so the stack
        equals successive single draws."""
        return draw_params(rng, self.shapes(), self.affines(), n_networks)

    def _forward(self, params: Params, x: np.ndarray):
        """(f, inputs of every affine map, arguments of every σ)."""
        affines, act = self.affines(), self.activation
        inputs, args = [x], []

        def affine(i, h):
            (W, b), (a, c) = params[i], affines[i].multipliers
            z = np.matmul(h, W)
            z *= a
            z += c * b[..., None, :]
            return z

        h, i = affine(0, x), 1
        for _ in range(self.depth):
            u = h
            for _ in range(self.branch_layers):
                args.append(u)
                inputs.append(act.fn(u))
                u = affine(i, inputs[-1])
                i += 1
            h = h + self.alpha * u
        inputs.append(h)
        return affine(i, h), inputs, args

    def _sensitivities(self, params: Params, args, batch, n_points: int) -> list[np.ndarray]:
        """∂f(x_n)/∂(output of each affine map), row by row, in the order of :meth:`affines`.

        Backwards: δ_{h^L} = a_out W_outᵀ; the last map of block ℓ has α δ_{h^{ℓ+1}};
        a map's input sensitivity is a (δ Wᵀ) ⊙ σ'(argument); δ_{h^ℓ} = δ_{h^{ℓ+1}} + the
        branch's input sensitivity.
        """
        affines, act = self.affines(), self.activation
        out = [np.ones(batch + (n_points, 1))]
        W_out = params[-1][0]
        delta = np.broadcast_to(affines[-1].multipliers[0] * np.swapaxes(W_out, -1, -2),
                                batch + (n_points, self.width))
        i, a = len(params) - 2, len(args) - 1
        for _ in range(self.depth):
            d = self.alpha * delta
            for _ in range(self.branch_layers):
                out.append(d)
                d = np.matmul(d, np.swapaxes(params[i][0], -1, -2))
                d *= affines[i].multipliers[0] * act.deriv(args[a])
                i, a = i - 1, a - 1
            delta = delta + d
        out.append(delta)
        return out[::-1]

    def apply(self, params: Params, x) -> np.ndarray:
        """f(x) of shape (..., N, 1) (batch axes of ``params`` first)."""
        params, _ = self.check_params(params)
        return self._forward(params, self.check_inputs(x))[0]

    def vjp(self, params: Params, x, cotangent) -> Params:
        """∇_θ ⟨g, f(x)⟩ = Σ_n g_n ∂f(x_n)/∂θ in the params layout, by backpropagation; g of
        shape (N, 1) or (batch of params) + (N, 1). For the loss ½‖f(X) − y‖², g = f(X) − y:
        ``params[i] − η·grad[i]`` is a gradient-descent step. dW = a Aᵀ(g ⊙ Δ), db = c Σ_n g_n Δ_n
        with A the inputs and Δ the output sensitivities of each affine map."""
        params, batch = self.check_params(params)
        x = self.check_inputs(x)
        g = _check_batched("cotangent", cotangent, (x.shape[0], 1), batch)
        _, inputs, args = self._forward(params, x)
        grads = []
        for A, D, aff in zip(inputs, self._sensitivities(params, args, batch, x.shape[0]), self.affines()):
            a, c = aff.multipliers
            signal = D * g
            grads.append((a * np.matmul(np.swapaxes(A, -1, -2), signal), c * signal.sum(axis=-2)))
        return grads

    def readout_covariance(self, params: Params, x1, x2=None) -> np.ndarray:
        """K̂(x1, x2) = a_out² h^L(x1)·h^L(x2) + c_out², (..., N1, N2): the covariance of f over
        the readout's parameters given the layers below, whose width limit is the NNGP."""
        params, _ = self.check_params(params)
        h1 = self._forward(params, self.check_inputs(x1, "x1"))[1][-1]
        h2 = h1 if x2 is None else self._forward(params, self.check_inputs(x2, "x2"))[1][-1]
        a, c = self.affines()[-1].multipliers
        return np.matmul(h1, np.swapaxes(h2, -1, -2)) * (a * a) + c * c

    def empirical_ntk(self, params: Params, x1, x2=None) -> np.ndarray:
        """Θ̂(x1, x2) = Σ_θ ∂f(x1)/∂θ ∂f(x2)/∂θ, exact, (..., N1, N2); x2=None means x1.

        Layer-wise, no Jacobian formed: with A the inputs and Δ the output sensitivities of
        each affine map (a, c), Θ̂ = Σ_maps (a² A A'ᵀ + c²) ⊙ Δ Δ'ᵀ (the chain rule, as for
        :meth:`numeric.networks.MLP.empirical_ntk`).
        """
        params, batch = self.check_params(params)
        sides = []
        for x in ((x1,) if x2 is None else (x1, x2)):
            x = self.check_inputs(x, "x1" if not sides else "x2")
            _, inputs, args = self._forward(params, x)
            sides.append((inputs, self._sensitivities(params, args, batch, x.shape[0])))
        (ia, da), (ib, db) = sides[0], sides[-1]
        total = 0.0
        for A, B, D1, D2, aff in zip(ia, ib, da, db, self.affines()):
            a, c = aff.multipliers
            gram = np.matmul(A, np.swapaxes(B, -1, -2))
            gram *= a * a
            gram += c * c
            signal = np.matmul(D1, np.swapaxes(D2, -1, -2))
            signal *= gram
            total = total + signal
        return total

    # ---------------------------------------------------------------- kernels
    def nngp_and_ntk(self, x1, x2=None) -> tuple[np.ndarray, np.ndarray]:
        """(NNGP, NTK) of the infinite-width network (module docstring), each (N1, N2).

        x1: (N1, d), x2: (N2, d) or None (= x1, the symmetric, twice cheaper path). Blocked
        and threaded as :func:`numeric.kernels.nngp_and_ntk`: per-point variances first,
        then cache-sized blocks carried through all layers in place; identical inputs get the
        per-point values (correlation exactly 1). OverflowError if a value exceeds float64.
        """
        a = _as_inputs(x1, "x1", features=self.in_dim)
        symmetric = x2 is None or x2 is x1
        b = a if symmetric else _as_inputs(x2, "x2", features=self.in_dim)
        var_a = self._diagonal(a, "x1")
        var_b = var_a if symmetric else self._diagonal(b, "x2")
        labels_a, labels_b = _point_labels(a, None if symmetric else b)
        sigma = np.empty((a.shape[0], b.shape[0]))
        theta = np.empty_like(sigma)

        def work(block):
            rows, cols = block
            same = np.nonzero(labels_a[rows, None] == labels_b[None, cols])

            def variances(stage, k12):
                va, vb = var_a[stage][rows], var_b[stage][cols]
                k12[same] = va[same[0]]
                return va[:, None], vb[None, :]

            s, t = self._recursion(np.matmul(a[rows], b[cols].T), variances)
            sigma[rows, cols], theta[rows, cols] = s, t
            if symmetric and rows != cols:
                sigma[cols, rows], theta[cols, rows] = s.T, t.T

        run_blocks(work, _blocks(a.shape[0], b.shape[0], symmetric=symmetric))
        return sigma, theta

    def _diagonal(self, x: np.ndarray, label: str) -> list[np.ndarray]:
        """The per-point variances at which each σ is applied, by the per-point recursion.

        OverflowError when a value is not finite (off-diagonal entries are bounded by the
        diagonal ones, so this covers the whole kernel).
        """
        recorded = []

        def variances(stage, k12):
            recorded.append(k12.copy())
            return recorded[-1], recorded[-1]

        with np.errstate(over="ignore", invalid="ignore"):
            sigma, theta = self._recursion(np.einsum("ij,ij->i", x, x), variances)
        for values in recorded + [sigma, theta]:
            if not np.isfinite(values).all():
                i = int(np.flatnonzero(~np.isfinite(values))[0])
                raise OverflowError(
                    f"the kernel of {label}[{i}] is not finite in float64 "
                    f"(activation={self.activation.name!r}, depth={self.depth}, alpha={self.alpha}); "
                    "reduce alpha, weight_std, bias_std, depth or the scale of the inputs")
        return recorded

    def _recursion(self, gram: np.ndarray, variances) -> tuple[np.ndarray, np.ndarray]:
        """(NNGP, NTK) from the Gram matrix x·x' (consumed), in place where possible.

        ``variances(stage, k12)`` gives (k11, k22) for the stage-th σ (and may adjust k12).
        """
        affines, alpha2 = self.affines(), self.alpha * self.alpha
        gram *= 1.0 / self.in_dim
        sigma, theta = affine_kernels(affines[0], gram, None)
        stage = 0
        for block in range(self.depth):
            s, t = sigma, theta
            for m in range(self.branch_layers):
                k11, k22 = variances(stage, s)
                dual, dual_deriv = self.activation.duals(k11, k22, s)
                dual_deriv *= t
                s, t = affine_kernels(affines[1 + block * self.branch_layers + m], dual, dual_deriv)
                stage += 1
            s *= alpha2
            t *= alpha2
            sigma += s
            theta += t
        return affine_kernels(affines[-1], sigma, theta)
