"""Finite-width fully connected networks: forward pass, exact gradients, empirical NTK.

Conventions (docs/conventions.md; Jacot, Gabriel & Hongler 2018; Lee et al. 2019).  A network
with ``widths = [n_0, n_1, ..., n_L]`` has depth L = len(widths) − 1 affine layers
(L − 1 hidden nonlinear layers), weight_std σ_w, bias_std σ_b and activation σ:

    h⁰ = x,   z^{ℓ+1} = a_ℓ · h^ℓ W_ℓ + c_ℓ · b_ℓ,   h^ℓ = σ(z^ℓ) (ℓ = 1..L−1),   f = z^L,

with W_ℓ ∈ R^{n_ℓ × n_{ℓ+1}} and b_ℓ ∈ R^{n_{ℓ+1}} for ℓ = 0..L−1, and

    "ntk"       a_ℓ = σ_w/√n_ℓ, c_ℓ = σ_b;  every parameter entry ~ N(0, 1)
    "standard"  a_ℓ = c_ℓ = 1;  W_ℓ entries ~ N(0, σ_w²/n_ℓ), b_ℓ entries ~ N(0, σ_b²).

In both, (forward multiplier) × (initial std) is σ_w/√n_ℓ for weights and σ_b for
biases, so the same standard-normal draws give the same function at initialisation;
the gradients, and so the empirical NTK, differ (see :meth:`MLP.ntk_contributions`).

Stacks of networks: every array of ``params`` may carry the same leading batch axes,
e.g. W_ℓ of shape (S, n_ℓ, n_{ℓ+1}); the S networks are then evaluated together with
one ``np.matmul`` per layer.  Inputs ``x`` are (N, n_0), shared by the stack.

Flattening order (:meth:`MLP.flatten`, :meth:`MLP.jacobian`), as θ in the reading-group slides "Neural Tangent Kernels" (EAI Math Reading Group, 2023):
θ = (W_0, b_0, W_1, b_1, ..., W_{L−1}, b_{L−1}), each W_ℓ row-major, so W_ℓ[i, j]
sits at offset(ℓ) + i·n_{ℓ+1} + j and b_ℓ[j] at offset(ℓ) + n_ℓ·n_{ℓ+1} + j.
Flat parameter vectors and :meth:`MLP.vjp` are the seam for second-order tools
(Hessian–vector products) built elsewhere.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import activations

__all__ = ["MLP", "PARAMETERIZATIONS", "Params"]

PARAMETERIZATIONS = ("ntk", "standard")

Params = list[tuple[np.ndarray, np.ndarray]]
"""Parameters in the layout of docs/conventions.md: [(W_0, b_0), ..., (W_{L−1}, b_{L−1})]."""


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}={value!r} is not accepted; expected an integer ≥ {minimum}")
    return int(value)


def _check_real(name: str, value, *, positive: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = math.isfinite(value) and (value > 0 if positive else value >= 0)
    if not ok:
        bound = "> 0" if positive else "≥ 0"
        raise ValueError(f"{name}={value!r} is not accepted; expected a finite real {bound}")
    return value


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng={rng!r} is not accepted; expected a numpy.random.Generator, "
            "e.g. numpy.random.default_rng(seed)"
        )
    return rng


def _check_array(name: str, value, shape: tuple, what: str) -> np.ndarray:
    """``value`` as a finite float array whose trailing axes are ``shape``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not accepted; expected a real array of shape {what}") from None
    if arr.ndim < len(shape) or arr.shape[arr.ndim - len(shape):] != shape:
        raise ValueError(f"{name} has shape {arr.shape}; expected {what}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (nan or inf); expected finite reals")
    return arr


def _check_batched(name: str, value, shape: tuple, batch: tuple) -> np.ndarray:
    """``value`` as a finite float array of shape ``shape`` or ``batch + shape``."""
    what = f"{shape} or {batch + shape}" if batch else f"{shape}"
    arr = _check_array(name, value, shape, what)
    if arr.shape[:arr.ndim - len(shape)] not in ((), batch):
        raise ValueError(f"{name} has shape {arr.shape}; expected {what}")
    return arr


def _check_widths(widths) -> tuple[int, ...]:
    bad = (
        isinstance(widths, (str, bytes))
        or not isinstance(widths, Sequence | np.ndarray)
        or len(widths) < 2
        or any(isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1 for n in widths)
    )
    if bad:
        raise ValueError(
            f"widths={widths!r} is not accepted; expected a list [n_0, n_1, ..., n_L] of "
            "at least two integers ≥ 1 (input dimension, hidden widths, output width)"
        )
    return tuple(int(n) for n in widths)


def _gram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a bᵀ over the last axis (a symmetric rank-k update when ``b is a``)."""
    return np.matmul(a, np.swapaxes(b, -1, -2))


@dataclass(frozen=True)
class MLP:
    """A fully connected network in the NTK or standard parameterisation.

    ``widths`` = [n_0, ..., n_L] (depth L = len(widths) − 1), ``activation`` a name or
    an :class:`activations.Activation`, ``weight_std`` σ_w ≥ 0, ``bias_std`` σ_b ≥ 0,
    ``parameterization`` "ntk" or "standard" (module docstring for the mathematics).
    """

    widths: tuple[int, ...]
    activation: activations.Activation | str = "relu"
    weight_std: float = 1.0
    bias_std: float = 0.0
    parameterization: str = "ntk"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "widths", _check_widths(self.widths))
        set_(self, "activation", activations.get(self.activation))
        set_(self, "weight_std", _check_real("weight_std", self.weight_std))
        set_(self, "bias_std", _check_real("bias_std", self.bias_std))
        if self.parameterization not in PARAMETERIZATIONS:
            raise ValueError(
                f"parameterization={self.parameterization!r} is not accepted; "
                f"expected one of {', '.join(map(repr, PARAMETERIZATIONS))}"
            )

    # ----------------------------------------------------------------- layout
    @property
    def depth(self) -> int:
        """L, the number of affine layers."""
        return len(self.widths) - 1

    @property
    def n_params(self) -> int:
        """P = Σ_ℓ (n_ℓ + 1) n_{ℓ+1}."""
        return sum((n + 1) * m for n, m in zip(self.widths, self.widths[1:]))

    def multipliers(self) -> list[tuple[float, float]]:
        """Forward multipliers (a_ℓ, c_ℓ) of W_ℓ and b_ℓ, ℓ = 0..L−1."""
        if self.parameterization == "standard":
            return [(1.0, 1.0)] * self.depth
        return [(self.weight_std / math.sqrt(n), self.bias_std) for n in self.widths[:-1]]

    def init_stds(self) -> list[tuple[float, float]]:
        """Initial standard deviations of the entries of W_ℓ and b_ℓ, ℓ = 0..L−1."""
        if self.parameterization == "ntk":
            return [(1.0, 1.0)] * self.depth
        return [(self.weight_std / math.sqrt(n), self.bias_std) for n in self.widths[:-1]]

    def flatten(self, params: Params) -> np.ndarray:
        """θ of shape (..., P) in the module's flattening order."""
        params, batch = self.check_params(params)
        blocks = [a.reshape(batch + (-1,)) for layer in params for a in layer]
        return np.concatenate(blocks, axis=-1)

    def unflatten(self, theta) -> Params:
        """Inverse of :meth:`flatten`: (..., P) → [(W_ℓ, b_ℓ)] (views into ``theta``)."""
        theta = _check_array("theta", theta, (self.n_params,), f"(..., {self.n_params})")
        batch, params, start = theta.shape[:-1], [], 0
        for n, m in zip(self.widths, self.widths[1:]):
            W = theta[..., start:start + n * m].reshape(batch + (n, m))
            b = theta[..., start + n * m:start + (n + 1) * m]
            params.append((W, b))
            start += (n + 1) * m
        return params

    # ------------------------------------------------------------- validation
    def check_inputs(self, x, name: str = "x") -> np.ndarray:
        """``x`` as a finite float array of shape (N, n_0), N ≥ 1, or ValueError."""
        arr = _check_array(name, x, (self.widths[0],), f"(N, {self.widths[0]}) with N ≥ 1")
        if arr.ndim != 2 or arr.shape[0] < 1:
            raise ValueError(f"{name} has shape {arr.shape}; expected (N, {self.widths[0]}) with N ≥ 1")
        return arr

    def check_params(self, params) -> tuple[Params, tuple[int, ...]]:
        """(params as float arrays, common batch shape), or ValueError naming the entry."""
        if not isinstance(params, Sequence) or len(params) != self.depth:
            raise ValueError(
                f"params is not accepted; expected a list of {self.depth} pairs (W_ℓ, b_ℓ) "
                f"for widths {list(self.widths)}"
            )
        checked, batches = [], set()
        for l, (layer, n, m) in enumerate(zip(params, self.widths, self.widths[1:])):
            if not isinstance(layer, Sequence) or len(layer) != 2:
                raise ValueError(f"params[{l}] is not accepted; expected a pair (W_{l}, b_{l})")
            W = _check_array(f"params[{l}][0] (W_{l})", layer[0], (n, m), f"(..., {n}, {m})")
            b = _check_array(f"params[{l}][1] (b_{l})", layer[1], (m,), f"(..., {m})")
            batches |= {W.shape[:-2], b.shape[:-1]}
            checked.append((W, b))
        if len(batches) != 1:
            raise ValueError(
                f"params have differing leading batch shapes {sorted(batches)}; "
                "expected one batch shape shared by every W_ℓ and b_ℓ"
            )
        return checked, batches.pop()

    def _check_pair(self, x1, x2) -> tuple[np.ndarray, np.ndarray | None]:
        return self.check_inputs(x1, "x1"), None if x2 is None else self.check_inputs(x2, "x2")

    def _check_scalar_output(self, method: str) -> None:
        if self.widths[-1] != 1:
            raise ValueError(
                f"{method} needs a scalar output; widths[-1]={self.widths[-1]} is not "
                "accepted, expected 1"
            )

    # --------------------------------------------------------------- sampling
    def init(self, rng: np.random.Generator, n_networks: int | None = None) -> Params:
        """Initial parameters drawn from ``rng`` (entries as in :meth:`init_stds`).

        With ``n_networks = S`` every array gets a leading axis of length S.  The draws
        are network-major in the flattening order, so the stack equals S successive
        calls ``init(rng)`` and the NTK- and standard-parameterised networks drawn from
        equal generators compute the same function.
        """
        shape = () if n_networks is None else (_check_int("n_networks", n_networks, 1),)
        theta = _check_rng(rng).standard_normal(shape + (self.n_params,))
        return [(sw * W, sb * b) for (W, b), (sw, sb) in zip(self.unflatten(theta), self.init_stds())]

    # ---------------------------------------------------------- forward/back
    def _forward(self, params: Params, x: np.ndarray):
        """Activations [h⁰, ..., h^{L−1}] and pre-activations [z¹, ..., z^L]."""
        hs, zs = [], []
        for (W, b), (a, c) in zip(params, self.multipliers()):
            hs.append(self.activation.fn(zs[-1]) if zs else x)
            z = np.matmul(hs[-1], W)
            z *= a
            z += c * b[..., None, :]
            zs.append(z)
        return hs, zs

    def _backward(self, params: Params, zs: list[np.ndarray], cotangent: np.ndarray):
        """Backpropagated signals [G¹, ..., G^L]: G^L = cotangent, G^ℓ = a_ℓ (G^{ℓ+1} W_ℓᵀ) ⊙ σ'(z^ℓ).

        With cotangent g, G^ℓ = ∂⟨g, f⟩/∂z^ℓ row by row; with g = 1 and a scalar
        output, row n of G^ℓ is δ^ℓ(x_n) = ∂f(x_n)/∂z^ℓ(x_n).
        """
        signals, multipliers = [cotangent], self.multipliers()
        for l in range(self.depth - 1, 0, -1):
            G = np.matmul(signals[-1], np.swapaxes(params[l][0], -1, -2))
            G *= self.activation.deriv(zs[l - 1])
            G *= multipliers[l][0]
            signals.append(G)
        return signals[::-1]

    def _signals(self, params: Params, x: np.ndarray, batch: tuple[int, ...]):
        """(activations h^ℓ, output sensitivities δ^{ℓ+1}) for a scalar output."""
        hs, zs = self._forward(params, x)
        return hs, self._backward(params, zs, np.ones(batch + (x.shape[0], 1)))

    def _param_grads(self, hs: list[np.ndarray], signals: list[np.ndarray]) -> Params:
        """∂⟨g, f⟩/∂W_ℓ = a_ℓ h^ℓᵀ G^{ℓ+1},  ∂⟨g, f⟩/∂b_ℓ = c_ℓ Σ_n G^{ℓ+1}_n."""
        return [
            (a * np.matmul(np.swapaxes(h, -1, -2), G), c * G.sum(axis=-2))
            for h, G, (a, c) in zip(hs, signals, self.multipliers())
        ]

    def _ntk_contributions(self, params: Params, x1, x2, batch) -> Params:
        h1, d1 = self._signals(params, x1, batch)
        h2, d2 = (h1, d1) if x2 is None else self._signals(params, x2, batch)
        terms = []
        for ha, hb, da, db, (a, c) in zip(h1, h2, d1, d2, self.multipliers()):
            signal_gram = _gram(da, db)
            terms.append((a * a * _gram(ha, hb) * signal_gram, c * c * signal_gram))
        return terms

    # ------------------------------------------------------------ public maps
    def apply(self, params: Params, x) -> np.ndarray:
        """f(x) of shape (..., N, n_L) (batch axes of ``params`` first)."""
        params, _ = self.check_params(params)
        return self._forward(params, self.check_inputs(x))[1][-1]

    def vjp(self, params: Params, x, cotangent) -> Params:
        """∇_θ ⟨g, f(x)⟩ = Σ_{n,k} g_{nk} ∂f_k(x_n)/∂θ by backpropagation, in the params layout.

        ``cotangent`` g has shape (N, n_L) or (batch shape of ``params``) + (N, n_L).
        For the loss ½‖f(X) − y‖², g = f(X) − y; for one output f_k(x_n), g is the
        indicator of (n, k).
        """
        params, batch = self.check_params(params)
        x = self.check_inputs(x)
        shape = (x.shape[0], self.widths[-1])
        g = _check_batched("cotangent", cotangent, shape, batch)
        hs, zs = self._forward(params, x)
        return self._param_grads(hs, self._backward(params, zs, np.broadcast_to(g, batch + shape)))

    def jacobian(self, params: Params, x) -> np.ndarray:
        """∂f(x_n)/∂θ_p of shape (..., N, P) in the flattening order; for small networks.

        ∂f(x)/∂W_ℓ[i, j] = a_ℓ h^ℓ_i(x) δ^{ℓ+1}_j(x),  ∂f(x)/∂b_ℓ[j] = c_ℓ δ^{ℓ+1}_j(x).
        """
        self._check_scalar_output("jacobian")
        params, batch = self.check_params(params)
        hs, deltas = self._signals(params, self.check_inputs(x), batch)
        blocks = []
        for h, d, (a, c) in zip(hs, deltas, self.multipliers()):
            outer = a * h[..., :, :, None] * d[..., :, None, :]
            blocks += [outer.reshape(outer.shape[:-2] + (-1,)), c * d]
        return np.concatenate(blocks, axis=-1)

    def ntk_contributions(self, params: Params, x1, x2=None) -> Params:
        """Per-parameter-group parts [(Θ̂_{W_ℓ}, Θ̂_{b_ℓ})] of the empirical NTK, each (..., N1, N2).

        From :meth:`jacobian`'s formulas, with H^ℓ, Δ^{ℓ+1} the matrices whose rows are
        h^ℓ(x_n), δ^{ℓ+1}(x_n) (Jacot et al. 2018, layer by layer):

            Θ̂_{W_ℓ} = a_ℓ² (H^ℓ H'^ℓᵀ) ⊙ (Δ^{ℓ+1} Δ'^{ℓ+1}ᵀ),   Θ̂_{b_ℓ} = c_ℓ² Δ^{ℓ+1} Δ'^{ℓ+1}ᵀ.

        At equal functions h^ℓ and δ^ℓ agree between parameterisations and only the
        multipliers differ, (a_ℓ, c_ℓ) = (σ_w/√n_ℓ, σ_b) for "ntk" and (1, 1) for
        "standard", hence Θ̂^std_{W_ℓ} = (n_ℓ/σ_w²) Θ̂^ntk_{W_ℓ} and
        Θ̂^std_{b_ℓ} = Θ̂^ntk_{b_ℓ}/σ_b² (for σ_w, σ_b > 0).
        """
        self._check_scalar_output("ntk_contributions")
        params, batch = self.check_params(params)
        return self._ntk_contributions(params, *self._check_pair(x1, x2), batch)

    def empirical_ntk(self, params: Params, x1, x2=None) -> np.ndarray:
        """Θ̂(x1, x2) = Σ_θ ∂f(x1)/∂θ ∂f(x2)/∂θ, exact, (..., N1, N2); x2 = None means x1.

        Summed layer-wise formula of :meth:`ntk_contributions` (no Jacobian formed):
        Θ̂ = Σ_ℓ (a_ℓ² H^ℓ H'^ℓᵀ + c_ℓ²) ⊙ Δ^{ℓ+1} Δ'^{ℓ+1}ᵀ.
        """
        self._check_scalar_output("empirical_ntk")
        params, batch = self.check_params(params)
        return self._empirical_ntk(params, *self._check_pair(x1, x2), batch)

    def _empirical_ntk(self, params: Params, x1, x2, batch) -> np.ndarray:
        return sum(tw + tb for tw, tb in self._ntk_contributions(params, x1, x2, batch))
