"""Exact second-order derivatives of an MLP's outputs with respect to its parameters.

For fixed inputs x_1..x_N the outputs of a scalar-output network (numeric.networks,
either parameterisation, depth L = number of affine layers) form a map of the flat
parameter vector θ ∈ R^P (the flattening order of :class:`numeric.networks.MLP`):

    y(θ) = (f(x_1; θ), ..., f(x_N; θ)) ∈ R^N,   J = ∇y(θ) ∈ R^{N×P},
    ∇²y(θ): R^P × R^P → R^N,   (u, v) ↦ (uᵀ H_i v)_i,   H_i = ∇²_θ f(x_i; θ).

With an output scale α the model is αy (the scaled model of Rajat V. D., "Understanding the Neural Tangent Kernel", 2019): the readout
multipliers (a_{L−1}, c_{L−1}) are multiplied by α, so every quantity below is computed
for the scaled network itself.

Second-order Taylor mode (:meth:`OutputHessian.taylor`).  Along θ + εu, with
h⁰ = x, ḣ⁰ = ḧ⁰ = 0 and (V_ℓ, β_ℓ) the blocks of u,

    ż^{ℓ+1} = a_ℓ (ḣ^ℓ W_ℓ + h^ℓ V_ℓ) + c_ℓ β_ℓ,     z̈^{ℓ+1} = a_ℓ (ḧ^ℓ W_ℓ + 2 ḣ^ℓ V_ℓ),
    ḣ^ℓ = σ'(z^ℓ) ż^ℓ,                                ḧ^ℓ = σ''(z^ℓ) (ż^ℓ)² + σ'(z^ℓ) z̈^ℓ,

so ż^L = J u and z̈^L = ∇²y[u, u] (one pass for all N outputs).

Hessian–vector products (:meth:`OutputHessian.hvp`), forward-over-reverse.  For the
cotangent g ∈ R^N, F = ⟨g, y⟩ has gradient blocks a_ℓ h^ℓᵀ G^{ℓ+1}, c_ℓ Σ_n G^{ℓ+1}_n with
G^L = g, P^ℓ = G^{ℓ+1} W_ℓᵀ, G^ℓ = a_ℓ P^ℓ ⊙ σ'(z^ℓ); differentiating along u,

    Ġ^L = 0,   Ġ^ℓ = a_ℓ [(Ġ^{ℓ+1} W_ℓᵀ + G^{ℓ+1} V_ℓᵀ) ⊙ σ'(z^ℓ) + P^ℓ ⊙ σ''(z^ℓ) ⊙ ż^ℓ],
    (∇²F u)_{W_ℓ} = a_ℓ (ḣ^ℓᵀ G^{ℓ+1} + h^ℓᵀ Ġ^{ℓ+1}),   (∇²F u)_{b_ℓ} = c_ℓ Σ_n Ġ^{ℓ+1}_n,

which is H_g u with H_g = Σ_i g_i H_i, at about three gradient evaluations.

Operator norms (Chizat, Oyallon & Bach 2019, via Rajat V. D. 2019):

    ‖∇y‖  = max_{‖u‖=1} ‖J u‖ = √λ_max(Θ̂),  Θ̂ = J Jᵀ the empirical NTK on the N inputs;
    ‖∇²y‖ = max_{‖u‖=‖v‖=1} ‖∇²y[u, v]‖ = max_{‖c‖=1} ‖H_c‖₂ = max_{‖u‖=1} ‖∇²y[u, u]‖,

the last two equal because each c·∇²y is a symmetric form whose norm is its largest
|eigenvalue|, attained on the diagonal u = v.  For N = 1 the norm is the largest |eigenvalue|
of H_1, found by Lanczos (:func:`lanczos`) on the HVP operator, no P×P matrix formed.  For
N = 2, g(φ) = ‖H_{c(φ)}‖ with c(φ) = (cos φ, sin φ) is maximised over φ ∈ [0, π) (g has
period π): on a grid of 12 angles, then by bounded Brent search around the best one.  g is
Lipschitz with constant ≤ √2 max_i ‖H_i‖, so the grid alone is within (π/24)√2 max_i ‖H_i‖ of
the maximum and the refinement reaches the maximum of the best grid point's basin (the tests
compare with a dense search on small networks).  Larger N is not supported.

σ'' is needed where σ is smooth (:func:`second_derivative`); for piecewise-linear σ (relu,
abs, leaky relu, identity, step) it is 0 almost everywhere, and at a random initialisation
no pre-activation sits on a kink, so y is smooth near θ.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.optimize import minimize_scalar

from . import activations
from .networks import MLP, Params

__all__ = ["second_derivative", "is_piecewise_linear", "OutputHessian", "HessianNorm", "jacobian_norm",
           "lanczos", "dense_norm"]

_SMOOTH_SECOND = {
    "erf": lambda z: (-4.0 / math.sqrt(math.pi)) * z * np.exp(-np.square(z)),
    "tanh": lambda z: -2.0 * np.tanh(z) * (1.0 - np.square(np.tanh(z))),
    "sin": lambda z: -np.sin(z),
    "cos": lambda z: -np.cos(z),
    "quadratic": lambda z: np.full(np.shape(z), 2.0),
    "exp": np.exp,
}
_PIECEWISE_LINEAR = ("identity", "step")
_DENSE = 64
_GRID = 12


def is_piecewise_linear(activation) -> bool:
    """Whether σ is piecewise linear (relu, abs, leaky relu, every abrelu(a, b), identity, step)."""
    act = activations.get(activation)
    return act.name in _PIECEWISE_LINEAR or {"a", "b"} <= {k for k, _ in act.params}


def second_derivative(activation) -> Callable[[np.ndarray], np.ndarray]:
    """σ'' of ``activation`` (a name or an Activation): zero for piecewise-linear σ.

    Piecewise linear: relu, abs, leaky relu (every ``abrelu(a, b)``), identity, step.
    Smooth with a closed form: erf, tanh, sin, cos, quadratic, exp.  Anything else raises
    ValueError naming the accepted activations.
    """
    act = activations.get(activation)
    if is_piecewise_linear(act):
        return lambda z: np.zeros(np.shape(z))
    try:
        return _SMOOTH_SECOND[act.name]
    except KeyError:
        raise ValueError(
            f"activation={act.name!r} has no known second derivative; accepted: "
            f"relu, abs, leaky_relu, abrelu(a, b), {', '.join(_PIECEWISE_LINEAR)}, "
            f"{', '.join(_SMOOTH_SECOND)}"
        ) from None


def jacobian_norm(net: MLP, params: Params, x, *, scale: float = 1.0) -> float:
    """‖∇(scale·y)‖ = |scale| √λ_max(Θ̂(x, x)), Θ̂ the exact empirical NTK of ``net``."""
    ntk = net.empirical_ntk(params, x)
    if ntk.ndim != 2:
        raise ValueError(f"params carry batch axes {ntk.shape[:-2]}; expected one network")
    return abs(scale) * math.sqrt(max(float(np.linalg.eigvalsh(ntk)[-1]), 0.0))


def lanczos(matvec: Callable[[np.ndarray], np.ndarray], start: np.ndarray, *, tol: float = 1e-10,
            max_steps: int = 500) -> tuple[float, int]:
    """The largest |eigenvalue| of a symmetric operator, and the products used.

    Lanczos three-term recurrence from ``start`` (Golub & Van Loan, ch. 10), stopped when the
    Ritz pair's residual ‖A s − θ s‖ = β_m |e_mᵀ y| is at most ``tol``·|θ| (then θ is within
    ``tol``·|θ| of an eigenvalue), when the Krylov space becomes invariant, or after
    ``max_steps`` products (RuntimeError).  No reorthogonalisation: the extreme Ritz values
    converge before orthogonality is lost, and the copies ("ghosts") that appear afterwards
    repeat converged values (Paige 1976), so the largest magnitude is unaffected.  Operators
    of dimension ≤ 64 are formed densely instead (``matvec`` applied to the identity, rows as
    the batch).
    """
    start = np.asarray(start, dtype=float)
    dim = start.size
    size = math.sqrt(float(np.einsum("p,p->", start, start))) if start.ndim == 1 else 0.0
    if not (math.isfinite(size) and size > 0):
        raise ValueError("start must be a finite nonzero vector of shape (P,)")
    if dim <= _DENSE:
        dense = np.asarray(matvec(np.eye(dim)), dtype=float)
        return float(np.max(np.abs(np.linalg.eigvalsh(0.5 * (dense + dense.T))))), dim
    q, q_prev, beta = start / size, np.zeros(dim), 0.0
    alphas, betas = [], []
    for j in range(max_steps):
        w = np.asarray(matvec(q), dtype=float) - beta * q_prev
        alpha = float(np.einsum("p,p->", q, w))
        w -= alpha * q
        alphas.append(alpha)
        beta = math.sqrt(float(np.einsum("p,p->", w, w)))
        theta, S = eigh_tridiagonal(np.array(alphas), np.array(betas)) if j else (np.array(alphas), np.ones((1, 1)))
        i = int(np.argmax(np.abs(theta)))
        top = abs(float(theta[i]))
        if beta <= 1e-14 * max(top, abs(alpha)) or beta * abs(S[-1, i]) <= tol * top:
            return top, j + 1
        betas.append(beta)
        q_prev, q = q, w / beta
    raise RuntimeError(f"Lanczos did not reach tol={tol} in {max_steps} products")


def dense_norm(hessians) -> float:
    """‖∇²y‖ = max_{‖c‖=1} ‖Σ_i c_i H_i‖₂ from the dense Hessians H_i (shape (N, P, P), N ≤ 2).

    N = 1: the largest |eigenvalue| of H_1.  N = 2: g(φ) = ‖cos φ H_1 + sin φ H_2‖₂ (period π)
    on a grid of 48 angles, then bounded Brent search around the best one — dense
    eigenvalues throughout, a computation independent of :meth:`OutputHessian.norm`
    (Lanczos on Hessian–vector products).
    """
    H = np.asarray(hessians, dtype=float)
    if H.ndim != 3 or H.shape[1] != H.shape[2] or H.shape[0] not in (1, 2) or not np.all(np.isfinite(H)):
        raise ValueError(f"hessians has shape {H.shape}; expected finite reals of shape (N, P, P), N in (1, 2)")
    H = 0.5 * (H + np.swapaxes(H, 1, 2))
    top = lambda m: float(np.max(np.abs(np.linalg.eigvalsh(m))))  # noqa: E731
    if H.shape[0] == 1:
        return top(H[0])
    g = lambda phi: top(math.cos(phi) * H[0] + math.sin(phi) * H[1])  # noqa: E731
    step = math.pi / 48
    best = max((k * step for k in range(48)), key=g)
    refined = minimize_scalar(lambda phi: -g(phi), bounds=(best - step, best + step), method="bounded",
                              options={"xatol": 1e-9})
    return max(g(best), g(float(refined.x)))


@dataclass(frozen=True)
class HessianNorm:
    """‖∇²y‖ as found: the value, the output combination c attaining it, the products spent."""

    value: float
    cotangent: np.ndarray
    products: int


class OutputHessian:
    """Second-order derivatives of y = scale·(f(x_1), ..., f(x_N)) at one parameter point.

    ``net`` a scalar-output :class:`MLP`, ``params`` one network (no batch axes), ``x`` the
    (N, n_0) inputs, ``scale`` the output scale α (finite, nonzero).  The forward pass is
    done once; each product then costs tangent passes only (module docstring).
    """

    def __init__(self, net: MLP, params: Params, x, *, scale: float = 1.0):
        if net.widths[-1] != 1:
            raise ValueError(f"widths[-1]={net.widths[-1]} is not accepted; expected a scalar output (1)")
        params, batch = net.check_params(params)
        if batch:
            raise ValueError(f"params carry batch axes {batch}; expected one network")
        if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale != 0):
            raise ValueError(f"scale={scale!r} is not accepted; expected a finite nonzero real")
        self.net, self.params, self.x = net, params, net.check_inputs(x)
        self._sigma2 = second_derivative(net.activation)
        multipliers = net.multipliers()
        a, c = multipliers[-1]
        self.multipliers = multipliers[:-1] + [(scale * a, scale * c)]
        self.scale = float(scale)
        self.hs, self.zs = net._forward(params, self.x)
        self.zs[-1] = self.scale * self.zs[-1]
        self.d1 = [net.activation.deriv(z) for z in self.zs[:-1]]
        self.d2 = [self._sigma2(z) for z in self.zs[:-1]]

    @property
    def dim(self) -> int:
        """P, the number of parameters."""
        return self.net.n_params

    @property
    def outputs(self) -> int:
        """N, the number of inputs (outputs of y)."""
        return self.x.shape[0]

    def values(self) -> np.ndarray:
        """y(θ), shape (N,)."""
        return self.zs[-1][:, 0].copy()

    def _direction(self, u) -> Params:
        return self.net.unflatten(np.asarray(u, dtype=float))

    def _tangents(self, blocks: Params, *, second: bool = False):
        """[ḣ^ℓ] (ℓ = 0..L−1, ḣ⁰ = None), [ż^{ℓ+1}] and, if ``second``, z̈^L (None when L = 1)
        along the direction ``blocks``; batch axes of the direction lead."""
        last = len(self.params) - 1
        hdots, zdots, hdd, zdd = [None], [], None, None
        for l, ((W, _), (V, beta), (a, c)) in enumerate(zip(self.params, blocks, self.multipliers)):
            hd = hdots[-1]
            zd = self.hs[l] @ V if hd is None else hd @ W + self.hs[l] @ V
            zd = a * zd + c * beta[..., None, :]
            if second and hd is not None:
                zdd = a * (2.0 * (hd @ V) + (0.0 if hdd is None else hdd @ W))
            zdots.append(zd)
            if l < last:
                hdots.append(self.d1[l] * zd)
                if second:
                    hdd = self.d2[l] * np.square(zd) + (0.0 if zdd is None else self.d1[l] * zdd)
        return hdots, zdots, zdd

    def taylor(self, u) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(y(θ), J u, ∇²y[u, u]) for u of shape (..., P); the last two of shape (..., N)."""
        _, zdots, zdd = self._tangents(self._direction(u), second=True)
        second = np.zeros(zdots[-1].shape) if zdd is None else zdd
        return self.values(), zdots[-1][..., 0], second[..., 0]

    def _signals(self, g: np.ndarray):
        """Backpropagated G^ℓ (ℓ = 1..L) and P^ℓ = G^{ℓ+1} W_ℓᵀ for the cotangent g (N,)."""
        L = len(self.params)
        G, Pm = {L: g[:, None]}, {}
        for l in range(L - 1, 0, -1):
            Pm[l] = G[l + 1] @ self.params[l][0].T
            G[l] = self.multipliers[l][0] * Pm[l] * self.d1[l - 1]
        return G, Pm

    def _check_cotangent(self, g) -> np.ndarray:
        g = np.asarray(g, dtype=float)
        if g.shape != (self.outputs,) or not np.all(np.isfinite(g)):
            raise ValueError(f"cotangent has shape {g.shape}; expected finite reals of shape ({self.outputs},)")
        return g

    def product(self, g) -> Callable[[np.ndarray], np.ndarray]:
        """u ↦ H_g u = Σ_i g_i ∇²y_i u for u of shape (..., P) (the signals of g computed once)."""
        G, Pm = self._signals(self._check_cotangent(g))
        L = len(self.params)

        def matvec(u):
            u = np.asarray(u, dtype=float)
            blocks = self._direction(u)
            hdots, zdots, _ = self._tangents(blocks)
            Gd = {L: np.zeros(u.shape[:-1] + G[L].shape)}
            for l in range(L - 1, 0, -1):
                W, V = self.params[l][0], blocks[l][0]
                inner = (Gd[l + 1] @ W.T + G[l + 1] @ np.swapaxes(V, -1, -2)) * self.d1[l - 1]
                inner += Pm[l] * self.d2[l - 1] * zdots[l - 1]
                Gd[l] = self.multipliers[l][0] * inner
            out = np.zeros(u.shape)
            for l, ((Wb, bb), (a, c)) in enumerate(zip(self.net.unflatten(out), self.multipliers)):
                if hdots[l] is None:
                    np.matmul(a * self.hs[l].T, Gd[l + 1], out=Wb)
                else:
                    # (ḣ^ℓᵀ G^{ℓ+1} + h^ℓᵀ Ġ^{ℓ+1}) as one product of stacked factors
                    left = np.concatenate([np.broadcast_to(self.hs[l], hdots[l].shape), hdots[l]], axis=-2)
                    right = np.concatenate([Gd[l + 1], np.broadcast_to(G[l + 1], Gd[l + 1].shape)], axis=-2)
                    np.matmul(np.swapaxes(a * left, -1, -2), right, out=Wb)
                np.multiply(c, Gd[l + 1].sum(axis=-2), out=bb)
            return out

        return matvec

    def hvp(self, g, u) -> np.ndarray:
        """H_g u for one cotangent g (N,) and flat directions u (..., P)."""
        return self.product(g)(u)

    def _top(self, g: np.ndarray, start: np.ndarray, tol: float) -> tuple[float, int]:
        """(‖H_g‖ = largest |eigenvalue| of H_g, products used) by Lanczos from ``start``."""
        return lanczos(self.product(g), start, tol=tol)

    def norm(self, rng: np.random.Generator, *, tol: float = 1e-10) -> HessianNorm:
        """‖∇²y‖ (module docstring): Lanczos for N = 1, a search over c(φ) for N = 2.

        ``tol`` is the relative accuracy asked of each eigenvalue; for N = 2 the maximising
        angle is located to √tol, which suffices since g is flat at its maximum; one start vector is drawn from ``rng`` and used for every
        combination c, so ‖H_c‖ is a deterministic function of c.
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng={rng!r} is not accepted; expected a numpy.random.Generator")
        if not (isinstance(tol, (int, float)) and 0 < tol < 1):
            raise ValueError(f"tol={tol!r} is not accepted; expected a real 0 < tol < 1")
        if self.outputs > 2:
            raise ValueError(f"x has {self.outputs} inputs; the Hessian norm is implemented for N <= 2")
        start = rng.standard_normal(self.dim)
        if self.outputs == 1:
            value, used = self._top(np.ones(1), start, tol)
            return HessianNorm(value, np.ones(1), used)
        seen: dict[float, float] = {}
        used = [0]

        def g(phi: float) -> float:
            if phi not in seen:
                seen[phi], products = self._top(np.array([math.cos(phi), math.sin(phi)]), start, tol)
                used[0] += products
            return seen[phi]

        step = math.pi / _GRID
        best = max((k * step for k in range(_GRID)), key=g)
        refined = minimize_scalar(lambda phi: -g(phi), bounds=(best - step, best + step),
                                  method="bounded", options={"xatol": math.sqrt(tol)})
        phi = max((best, float(refined.x)), key=g)
        return HessianNorm(g(phi), np.array([math.cos(phi), math.sin(phi)]), used[0])
