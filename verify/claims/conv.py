"""Claims of the convolutional family (conv.*).

Statements and derivations come from :mod:`derivations.conv`; finite networks and library
kernels from :mod:`numeric.conv` (1-D inputs, filter size 3, NTK parameterisation).
Predictions iterate the statement's relations over positions (:func:`statement_cnn_kernels`),
lambdified at 30 digits for comparisons with the library (rounding model of
``Context.exact``) and in float64 for the channel limits (standard errors of means over
independent initialisations and of log standard deviations, ``Context.width_limit``).
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import conv as C
from derivations.gaussian import k11, k12, k22
from derivations.kernels import SB2, SW2
from numeric.conv import CNN

from ..checks import predict
from ..claim import Claim, Mutant, NumericCheck
from .resnet import evaluator

__all__ = ["CLAIMS", "statement_cnn_kernels", "sample_cnn"]

_STATE = C.G + C.ES + C.DS + C.TS + (C.EBAR, C.DTBAR, k11, k22, k12, SW2, SB2)
_evaluate = evaluator(_STATE)
_C0, _P = 2, 4


def _shifted(F: np.ndarray, o: int, padding: str) -> np.ndarray:
    """F(p + o, p' + o) over positions (0 outside the input for zero padding)."""
    P = F.shape[-1]
    out = np.zeros_like(F)
    for p in range(P):
        for q in range(P):
            a, b = p + o, q + o
            if padding == "circular":
                out[..., p, q] = F[..., a % P, b % P]
            elif 0 <= a < P and 0 <= b < P:
                out[..., p, q] = F[..., a, b]
    return out


def statement_cnn_kernels(statement, config, x, *, digits: int | None = None):
    """(NNGP, NTK) of x[0] against x[1] with global average pooling, by the statement's
    relations over every pair of positions (the pairs (x, x), (x', x') for the variances)."""
    base = {SW2: config["weight_std"] ** 2, SB2: config["bias_std"] ** 2}
    pad, act = config["padding"], config["activation"]
    kind = float if digits is None else object

    def ev(name, state):
        return np.asarray(_evaluate(statement, name, {**base, **state}, digits=digits), dtype=kind)

    pairs = ((0, 0), (1, 1), (0, 1))
    grams = {ab: np.einsum("pc,qc->pq", x[ab[0]], x[ab[1]]).astype(kind) / x.shape[-1] for ab in pairs}
    shifts = lambda F: [_shifted(F, o, pad) for o in C.OFFSETS]  # noqa: E731
    K = {ab: ev("sigma1", dict(zip(C.G, shifts(grams[ab])))) for ab in pairs}
    T = ev("theta1", dict(zip(C.G, shifts(grams[0, 1]))))
    with np.errstate(invalid="ignore", divide="ignore"):
        for layer in range(config["depth"]):
            duals = {}
            for a, b in pairs:
                cov = {k11: np.diag(K[a, a])[:, None], k22: np.diag(K[b, b])[None, :], k12: K[a, b]}
                duals[a, b] = ev(f"dual[{act}]", cov), (ev(f"dual'[{act}]", cov) if (a, b) == (0, 1) else None)
            E, D = duals[0, 1]
            if layer + 1 == config["depth"]:
                state = {C.EBAR: E.mean(), C.DTBAR: (D * T).mean()}
                return float(ev("gap_nngp", state)), float(ev("gap_ntk", state))
            K = {ab: ev("sigma", dict(zip(C.ES, shifts(duals[ab][0])))) for ab in pairs}
            T = ev("theta", {**dict(zip(C.ES, shifts(E))), **dict(zip(C.DS, shifts(D))), **dict(zip(C.TS, shifts(T)))})


def _inputs(config) -> np.ndarray:
    """Two 1-D inputs of P = 4 positions and C₀ = 2 channels, drawn from the configuration's seed."""
    return np.random.default_rng(config["inputs"]).standard_normal((2, _P, _C0))


def _net(config, channels: int = 1, readout: str = "gap") -> CNN:
    return CNN(_C0, channels, config["depth"], 3, 1, config["padding"], readout, config["activation"],
               config["weight_std"], config["bias_std"])


def _configs():
    return st.fixed_dictionaries({
        "activation": st.sampled_from(C.DUAL_NAMES), "depth": st.integers(1, 3),
        "padding": st.sampled_from(("circular", "zero")), "weight_std": st.floats(0.6, 1.5),
        "bias_std": st.sampled_from((0.0, 0.3)), "inputs": st.integers(0, 2**16)})


_EXPLICIT = {"activation": "relu", "depth": 2, "padding": "zero", "weight_std": 1.3, "bias_std": 0.3, "inputs": 1}


def _tag(config) -> str:
    return f"{config['activation']} D={config['depth']} {config['padding']} sw={config['weight_std']:.3g} " \
           f"sb={config['bias_std']:.3g}"


def _measure_library(statement, config, ctx):
    """numeric.conv.CNN.nngp_and_ntk (blocked, all pairs of positions) against the statement
    iterated at 30 digits."""
    x = _inputs(config)
    nngp, ntk = _net(config).nngp_and_ntk(x)
    stated = statement_cnn_kernels(statement, config, x, digits=30)
    return tuple(ctx.exact(f"{_tag(config)}: library {label}(x,x')", float(lib[0, 1]), pred,
                           scale=math.sqrt(abs(lib[0, 0] * lib[1, 1])), operations=60 * (config["depth"] + 1))
                 for label, lib, pred in (("NNGP", nngp, stated[0]), ("NTK", ntk, stated[1])))


_LIBRARY_CHECK = NumericCheck(
    "library-kernels", "numeric.conv.CNN (GAP) NNGP and NTK against the statement iterated over every pair of "
    "positions at 30 digits (float64 rounding model)", lambda budget: _configs(), _measure_library,
    per_example=2, explicit=(_EXPLICIT,))

_WIDTHS = (16, 23, 32, 45, 64, 91, 128)
_SEEDS = {0: 600, 1: 600, 2: 1500}
_CHUNK = 100


def sample_cnn(net: CNN, x, seeds: int, rng, *, tangent: bool = True) -> tuple[np.ndarray, ...]:
    """(K̂,) or (K̂, Θ̂) of ``seeds`` independent initialisations, each (seeds, N, N), in chunks."""
    parts = []
    for start in range(0, seeds, _CHUNK):
        params = net.init(rng, x.shape[1:-1], n_networks=min(_CHUNK, seeds - start))
        parts.append((net.readout_covariance(params, x),) + ((net.empirical_ntk(params, x),) if tangent else ()))
    return tuple(np.concatenate(p) for p in zip(*parts))


def _measure_channels(statement, config, ctx):
    x = _inputs(config)
    seeds = _SEEDS[ctx.budget.level]
    draws = [sample_cnn(_net(config, n), x, seeds, ctx.rng("channels", n)) for n in _WIDTHS]
    stated = statement_cnn_kernels(statement, config, x)
    library = _net(config).nngp_and_ntk(x)
    rate = predict(statement, "fluctuation", {})
    out = []
    for k, label in enumerate(("K_hat", "Theta_hat")):
        scale = math.sqrt(abs(library[k][0, 0] * library[k][1, 1]))
        prediction = stated[k] if math.isfinite(stated[k]) else math.inf
        out += ctx.width_limit(f"{_tag(config)}: {label}(x,x')", _WIDTHS, [d[k][:, 0, 1] for d in draws],
                               prediction, rate=rate, scale=scale)
    return tuple(out)


_CHANNEL_CHECK = NumericCheck(
    "finite-channel-limit",
    "Finite CNNs with global average pooling (independent initialisations at 7 channel counts): the "
    "readout covariance K̂ and the exact empirical NTK at (x, x'); extrapolated limits against the iterated "
    "statement, fluctuation exponent against the statement's",
    lambda budget: _configs(), _measure_channels, per_example=6, kind="width", explicit=(_EXPLICIT,),
    examples=lambda budget: (1, 1, 3)[budget.level])


def _cntk_mutants():
    s = C.CNTK
    return (
        Mutant("no-patch-average", r"$K^{\ell+1}(p,p') = \sigma_w^2E_0 + \sigma_b^2$ (the filter's own position only)",
               s.with_rhs("sigma", SW2 * C.ES[1] + SB2)),
        Mutant("theta-own-dropped", r"$\Theta^{\ell+1}$ without the layer's own $K^{\ell+1}$",
               s.with_rhs("theta", SW2 * sum(d * t for d, t in zip(C.DS, C.TS)) / 3)),
        Mutant("gap-ntk-without-readout", r"the GAP NTK without the readout's own $\sigma_w^2\bar E + \sigma_b^2$",
               s.with_rhs("gap_ntk", SW2 * C.DTBAR)),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto C^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


# ------------------------------------------------------------------ shift invariance

def _shift_configs():
    return st.fixed_dictionaries({
        "activation": st.sampled_from(("relu", "erf", "tanh")), "depth": st.integers(1, 3),
        "padding": st.just("circular"), "weight_std": st.floats(0.6, 1.5),
        "bias_std": st.sampled_from((0.0, 0.3)), "inputs": st.integers(0, 2**16)})


_SHIFT_EXPLICIT = {"activation": "relu", "depth": 2, "padding": "circular", "weight_std": 1.3, "bias_std": 0.3,
                   "inputs": 2}


def _arranged(x):
    """The input pairs of the statement's quantities: key → (first input, second input)."""
    shift = lambda a: np.roll(a, -1, axis=0)  # noqa: E731
    return {"gap(x,x')": (x[0], x[1]), "gap(Sx,x')": (shift(x[0]), x[1]), "flat(x,x')": (x[0], x[1]),
            "flat(Sx,Sx')": (shift(x[0]), shift(x[1])), "flat(Sx,x')": (shift(x[0]), x[1])}


def _shift_comparisons(statement, ctx, label, values: dict):
    """Each relation: lhs measured at its inputs, rhs the statement's expression of the measured
    quantities (float64 rounding model: the two sides are separate float64 computations)."""
    out = []
    for relation in statement.relations:
        lhs_key = next(k for k, q in C.KERNELS.items() if q == relation.lhs)
        prediction = float(relation.rhs.subs({q: values[k] for k, q in C.KERNELS.items()}))
        out.append(ctx.exact(f"{label}: {relation.name}", values[lhs_key], prediction,
                             scale=abs(values[lhs_key]), operations=200))
    return tuple(out)


def _measure_shift_library(statement, config, ctx):
    x = _inputs(config)
    values = {}
    for key, (a, b) in _arranged(x).items():
        net = _net(config, readout="gap" if key.startswith("gap") else "flatten")
        values[key] = float(net.nngp(a[None], b[None])[0, 0])
    return _shift_comparisons(statement, ctx, f"{_tag(config)} library", values)


def _measure_shift_networks(statement, config, ctx):
    """One finite circular CNN of 16 channels per readout, its readout covariance K̂ (the NNGP
    given the layers below) at each arrangement of the inputs, same parameters throughout."""
    x = _inputs(config)
    rng = ctx.rng("network")
    nets = {r: _net(config, 16, r) for r in ("gap", "flatten")}
    params = {r: net.init(rng, (_P,)) for r, net in nets.items()}
    values = {}
    for key, (a, b) in _arranged(x).items():
        r = "gap" if key.startswith("gap") else "flatten"
        values[key] = float(nets[r].readout_covariance(params[r], a[None], b[None])[0, 0])
    return _shift_comparisons(statement, ctx, f"{_tag(config)} finite network", values)


_SHIFT_LIBRARY = NumericCheck(
    "library-kernels", "numeric.conv.CNN NNGP (circular padding) at shifted and unshifted inputs",
    lambda budget: _shift_configs(), _measure_shift_library, per_example=2, explicit=(_SHIFT_EXPLICIT,))
_SHIFT_NETWORKS = NumericCheck(
    "finite-networks", "finite circular CNNs (16 channels): readout covariances at shifted and unshifted inputs, "
    "one draw of the parameters per configuration", lambda budget: _shift_configs(), _measure_shift_networks,
    per_example=2, explicit=(_SHIFT_EXPLICIT,))


def _shift_mutants():
    s, Kq = C.SHIFT, C.KERNELS
    return (
        Mutant("flatten-one-sided", r"$K_{flat}(Sx, Sx') = K_{flat}(Sx, x')$ (flatten invariant to one shift)",
               s.with_rhs("flatten_joint", Kq["flat(Sx,x')"])),
        Mutant("gap-is-flatten", r"$K_{gap}(Sx, x') = K_{flat}(x, x')$", s.with_rhs("gap_one_sided", Kq["flat(x,x')"])),
        Mutant("gap-equals-flatten-shifted", r"$K_{gap}(Sx, x') = K_{flat}(Sx, x')$",
               s.with_rhs("gap_one_sided", Kq["flat(Sx,x')"])),
    )


CLAIMS = (
    Claim("conv.cntk_recursion",
          "CNTK with global average pooling: patch-averaged layer maps over every pair of positions",
          "Arora et al. 2019; Novak et al. 2019; Garriga-Alonso et al. 2019", C.CNTK, C.derive_cntk,
          checks=(_LIBRARY_CHECK, _CHANNEL_CHECK), mutants=_cntk_mutants(),
          uses=("dual.relu", "dual.erf", "dual.erf_prime", "dual.step")),
    Claim("conv.shift_invariance",
          "Circular padding and global average pooling: the kernel is invariant to cyclic shifts of either input",
          "Novak et al. 2019; Arora et al. 2019", C.SHIFT, C.derive_shift,
          checks=(_SHIFT_LIBRARY, _SHIFT_NETWORKS), mutants=_shift_mutants()),
)
