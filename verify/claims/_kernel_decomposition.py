"""kernel.ntk_layer_decomposition's check: MLP.empirical_ntk against the decomposition
evaluated on an independent complex-step Jacobian of an independent forward pass."""
from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special
from hypothesis import strategies as st

from derivations import kernels as K
from derivations.core import Relation
from derivations.gaussian import z
from numeric.networks import MLP

from ..checks import predictor
from ..claim import NumericCheck
from ._kernel_sweeps import _N0, _hidden


@functools.lru_cache(maxsize=None)
def _concrete(relation: Relation, activation: str) -> Relation:
    act = K.ACTIVATIONS[activation]
    rhs = relation.rhs.replace(K.SIGMA_FN, lambda arg: act.sigma.subs(z, arg)).replace(
        K.SIGMA_PRIME_FN, lambda arg: act.derivative.subs(z, arg))
    return Relation(relation.name, relation.lhs, rhs)


_COMPLEX_SIGMA = {"tanh": np.tanh, "erf": special.erf, "relu": lambda v: np.where(v.real > 0, v, 0.0)}
"""σ extended to complex arguments for the complex-step derivative (relu: its real branch)."""
_COMPLEX_STEP = 1e-30


def _flat(params) -> np.ndarray:
    """(W_0, b_0, W_1, b_1, ...) concatenated, each row-major."""
    return np.concatenate([a.ravel() for layer in params for a in layer])


def _last_layer(theta: np.ndarray, widths, multipliers, sigma, x) -> np.ndarray:
    """z^L (..., N, n_L) of the network with flat parameters ``theta`` (..., P), complex allowed.

    A forward pass written from the definition z^{ℓ+1} = a_ℓ h^ℓ W_ℓ + c_ℓ b_ℓ, h^ℓ = σ(z^ℓ),
    independent of numeric.networks.
    """
    h, start = x, 0
    for (n, m), (a, b) in zip(zip(widths, widths[1:]), multipliers):
        weights = theta[..., start:start + n * m].reshape(theta.shape[:-1] + (n, m))
        bias = theta[..., start + n * m:start + (n + 1) * m]
        start += (n + 1) * m
        layer = a * (h @ weights) + b * bias[..., None, :]
        h = sigma(layer)
    return layer


def _multipliers(config, widths) -> list[tuple[float, float]]:
    """(a_ℓ, c_ℓ) by definition: (σ_w/√n_ℓ, σ_b) in the NTK parameterisation, (1, 1) in the standard one."""
    if config["parameterization"] == "standard":
        return [(1.0, 1.0)] * (len(widths) - 1)
    return [(config["weight_std"] / math.sqrt(n), config["bias_std"]) for n in widths[:-1]]


def _below(params, widths, config, x) -> tuple[np.ndarray, np.ndarray]:
    """(z^{L−1} (N, n), Θ̂^{L−1} (N, N, n, n)) of the network below the readout: the unit
    tangent kernel from the complex-step Jacobian ∂z_j(x_a)/∂θ_p = Im z(θ + i h e_p)/h
    (exact to rounding: no difference is taken; Squire & Trapp 1998)."""
    flat = _flat(params)
    sigma = _COMPLEX_SIGMA[config["activation"]]
    multipliers = _multipliers(config, widths)
    probes = flat + 1j * _COMPLEX_STEP * np.eye(flat.size)
    jacobian = _last_layer(probes, widths, multipliers, sigma, x).imag / _COMPLEX_STEP
    values = _last_layer(flat.astype(complex), widths, multipliers, sigma, x).real
    return values, np.einsum("paj,pbk->abjk", jacobian, jacobian)


def _measure_decomposition(statement, config, ctx):
    """Θ̂ from numeric.networks (MLP.empirical_ntk, layer-wise backpropagation) against the
    decomposition evaluated on the readout weights and on z, Θ̂ of the network below from an
    independent complex-step Jacobian of an independent forward pass.

    The standard parameterisation (multipliers 1) is the decomposition with σ_w² = n and
    σ_b² = 1 in the readout's multiplier slots (a = σ_w/√n, c = σ_b), W the drawn readout.
    Rounding model (ctx.exact, Cauchy–Schwarz scale √(Θ̂(x,x)Θ̂(x',x'))): operations P + n² (the
    sums over the P parameters and the n² pairs of units), condition 1.
    """
    rng = ctx.rng()
    n, depth = config["width"], config["depth"]
    widths = _hidden(n, depth)
    net = MLP(widths, config["activation"], config["weight_std"], config["bias_std"], config["parameterization"])
    params = net.init(rng)
    x = rng.standard_normal((3, _N0))
    x[2] = x[0]
    z_below, theta_below = _below(params[:-1], widths[:-1], config, x)
    standard = config["parameterization"] == "standard"
    slots = (float(n), 1.0) if standard else (config["weight_std"]**2, config["bias_std"]**2)
    rhs = predictor(_concrete(statement["decomposition"], config["activation"]),
                    K.decomposition_symbols() + (K.SW2, K.SB2))
    readout = params[-1][0][:, 0]
    predicted = np.array([[float(rhs(readout, z_below[a], z_below[b], theta_below[a, b], n, *slots))
                           for b in range(3)] for a in range(3)])
    operations = net.n_params + n * n
    tag = f"{config['activation']} n={n} L={depth} {config['parameterization']}"
    out = []
    for path, theta in (("x2=None", net.empirical_ntk(params, x)),
                        ("x2=copy", net.empirical_ntk(params, x, x.copy()))):
        entries = ((0, 0), (0, 1), (1, 1), (0, 2)) if path == "x2=None" else ((2, 2), (1, 2))
        for a, b in entries:
            # Cauchy–Schwarz scale; a dead ReLU network at x has Θ̂ = 0 exactly, on both sides.
            scale = max(math.sqrt(abs(predicted[a, a] * predicted[b, b])), np.finfo(float).tiny)
            out.append(ctx.exact(f"{tag}: {path}: Theta_hat(x{a},x{b})", float(theta[a, b]), predicted[a, b],
                                 scale=scale, operations=operations))
    return tuple(out)


_DECOMPOSITION_CHECK = NumericCheck(
    "finite-network-decomposition",
    "Empirical NTK of a finite network from numeric.networks (MLP.empirical_ntk, both "
    "parameterisations, x2 = None and a copy of x1 with identical inputs) against the "
    "lambdified decomposition evaluated on the readout weights and on the pre-activations and "
    "unit tangent kernel Θ̂^{L−1}_{jk} of the network below, computed by an independent forward "
    "pass and its complex-step Jacobian; exact comparison under a rounding model of P + n² "
    "operations",
    lambda budget: st.fixed_dictionaries({
        "activation": st.sampled_from(("tanh", "erf", "relu")),
        "width": st.integers(3, 10),
        "depth": st.integers(2, 3),
        "weight_std": st.floats(0.5, 2.0),
        "bias_std": st.one_of(st.just(0.0), st.floats(0.1, 1.0)),
        "parameterization": st.sampled_from(("ntk", "standard")),
    }),
    _measure_decomposition, per_example=6,
    explicit=({"activation": "tanh", "width": 6, "depth": 3, "weight_std": 1.3, "bias_std": 0.4,
               "parameterization": "ntk"},
              {"activation": "relu", "width": 5, "depth": 3, "weight_std": 1.2, "bias_std": 0.3,
               "parameterization": "standard"}),
)
