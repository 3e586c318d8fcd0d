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
from numeric import activations
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


def _configs(depths=(1, 3)):
    return st.fixed_dictionaries({
        "activation": st.sampled_from(C.DUAL_NAMES), "depth": st.integers(*depths),
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
_SEEDS = {0: 400, 1: 400, 2: 5000}
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
    "Finite CNNs with global average pooling (independent initialisations at 7 channel counts, 16–128): the "
    "readout covariance K̂ and the exact empirical NTK at (x, x'); extrapolated limits against the iterated "
    "statement, fluctuation exponent against the statement's",
    lambda budget: _configs((1, 2)), _measure_channels, per_example=6, kind="width", explicit=(_EXPLICIT,),
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


# ------------------------------------------------------------------ flatten = locally connected

_FSTATE = C.G + C.EDG + (C.EDIAG, C.EBAR, k11, k22, k12, SW2, SB2)
_fevaluate = evaluator(_FSTATE)


def _shifted_diagonal(v: np.ndarray, o: int, padding: str) -> np.ndarray:
    """v(p + o) over positions (0 outside the input for zero padding)."""
    P = v.shape[-1]
    out = np.zeros_like(v)
    for p in range(P):
        if padding == "circular" or 0 <= p + o < P:
            out[..., p] = v[..., (p + o) % P]
    return out


def statement_flatten(statement, config, x, layer: str, *, ebar: float = math.nan, digits: int | None = None) -> float:
    """K_flat(x[0], x[1]) by the statement's relations at equal positions only: ``first_diag``,
    then ``layer`` ("cnn_diag" or "lcn_diag") with the duals, then ``flatten``. ``ebar`` is the
    mean over all pairs that a statement may name (NaN unless given)."""
    base = {SW2: config["weight_std"] ** 2, SB2: config["bias_std"] ** 2, C.EBAR: ebar}
    pad, act = config["padding"], config["activation"]
    kind = float if digits is None else object

    def ev(name, state):
        return np.asarray(_fevaluate(statement, name, {**base, **state}, digits=digits), dtype=kind)

    pairs = ((0, 0), (1, 1), (0, 1))
    K = {}
    for a, b in pairs:
        gram = np.einsum("pc,pc->p", x[a], x[b]).astype(kind) / x.shape[-1]
        K[a, b] = ev("first_diag", {g: _shifted_diagonal(gram, o, pad) for g, o in zip(C.G, C.OFFSETS)})
    with np.errstate(invalid="ignore", divide="ignore"):
        for level in range(config["depth"]):
            E = {(a, b): ev(f"dual[{act}]", {k11: K[a, a], k22: K[b, b], k12: K[a, b]}) for a, b in pairs}
            if level + 1 == config["depth"]:
                return float(ev("flatten", {C.EDIAG: E[0, 1].mean()}))
            K = {ab: ev(layer, {e: _shifted_diagonal(E[ab], o, pad) for e, o in zip(C.EDG, C.OFFSETS)})
                 for ab in pairs}


def _measure_flatten_library(statement, config, ctx):
    """numeric.conv.CNN(readout="flatten") NNGP against the statement at equal positions, 30
    digits (the GAP kernel of the same network supplies the all-pairs mean a statement may name)."""
    x = _inputs(config)
    flat = _net(config, readout="flatten").nngp(x)
    gap = float(_net(config).nngp(x)[0, 1])
    ebar = (gap - config["bias_std"] ** 2) / config["weight_std"] ** 2
    stated = statement_flatten(statement, config, x, "cnn_diag", ebar=ebar, digits=30)
    return (ctx.exact(f"{_tag(config)}: library flatten NNGP(x,x')", float(flat[0, 1]), stated,
                      scale=math.sqrt(abs(flat[0, 0] * flat[1, 1])), operations=60 * (config["depth"] + 1)),)


def sample_lcn(config, channels: int, x, seeds: int, rng) -> np.ndarray:
    """K̂(x[0], x[1]) of ``seeds`` locally connected networks (a filter and bias per position,
    NTK parameterisation, the readout covariance of a flatten readout), by direct forward passes."""
    sigma = activations.get(config["activation"]).fn
    sw, sb, pad = config["weight_std"], config["bias_std"], config["padding"]

    def patches(h):
        parts = []
        for o in C.OFFSETS:
            if pad == "circular":
                parts.append(np.roll(h, -o, axis=-2))
            else:
                shifted = np.zeros_like(h)
                P = h.shape[-2]
                src = slice(max(0, o), P + min(0, o))
                dst = slice(max(0, -o), P - max(0, o))
                shifted[..., dst, :] = h[..., src, :]
                parts.append(shifted)
        return np.concatenate(parts, axis=-1)

    out = []
    for start in range(0, seeds, _CHUNK):
        count = min(_CHUNK, seeds - start)
        h = x
        for _ in range(config["depth"]):
            u = patches(h)
            W = rng.standard_normal((count, x.shape[1], u.shape[-1], channels))
            b = rng.standard_normal((count, 1, x.shape[1], channels))
            z = sw / math.sqrt(u.shape[-1]) * np.einsum("npk,spkj->snpj" if u.ndim == 3 else "snpk,spkj->snpj", u, W) + sb * b
            h = sigma(z)
        out.append(sw**2 / (channels * x.shape[1]) * np.einsum("spc,spc->s", h[:, 0], h[:, 1]) + sb**2)
    return np.concatenate(out)


_LCN_WIDTHS = (8, 11, 16, 23, 32, 45, 64)
_LCN_SEEDS = {0: 600, 1: 600, 2: 1500}
"""The locally connected networks' channel counts and initialisations per count (a filter per
position makes them P times larger than a CNN's, so they stop at 64 channels)."""


def _measure_lcn(statement, config, ctx):
    x = _inputs(config)
    seeds = _LCN_SEEDS[ctx.budget.level]
    draws = [sample_lcn(config, n, x, seeds, ctx.rng("lcn", n)) for n in _LCN_WIDTHS]
    library = _net(config, readout="flatten").nngp(x)
    prediction = statement_flatten(statement, config, x, "lcn_diag")
    return ctx.width_limit(f"{_tag(config)}: LCN K_hat(x,x')", _LCN_WIDTHS, draws,
                           prediction if math.isfinite(prediction) else math.inf,
                           rate=predict(statement, "fluctuation", {}),
                           scale=math.sqrt(abs(library[0, 0] * library[1, 1])))


_FLATTEN_LIBRARY = NumericCheck(
    "library-flatten", "numeric.conv.CNN flatten NNGP against the statement iterated at equal positions (30 digits)",
    lambda budget: _configs(), _measure_flatten_library, per_example=1, explicit=(_EXPLICIT,))
_LCN_CHECK = NumericCheck(
    "finite-lcn-limit", "finite locally connected networks (a filter per position) with a flatten readout at 7 "
    "channel counts: K̂(x, x') extrapolated against the statement iterated with the LCN map; fluctuation exponent",
    lambda budget: _configs((1, 2)), _measure_lcn, per_example=3, kind="width", explicit=(_EXPLICIT,),
    examples=lambda budget: (1, 1, 3)[budget.level])


def _flatten_mutants():
    s = C.FLATTEN
    return (
        Mutant("flatten-is-gap", r"the flatten kernel as the mean over all pairs of positions (the GAP kernel)",
               s.with_rhs("flatten", SW2 * C.EBAR + SB2)),
        Mutant("lcn-without-patch", r"$K_{LCN}^{\ell+1}(p,p) = \sigma_w^2E_{00} + \sigma_b^2$",
               s.with_rhs("lcn_diag", SW2 * C.EDG[1] + SB2)),
        Mutant("cnn-without-patch", r"$K_{CNN}^{\ell+1}(p,p) = \sigma_w^2E_{00} + \sigma_b^2$",
               s.with_rhs("cnn_diag", SW2 * C.EDG[1] + SB2)),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto C^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


PLACE = 8
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Convolutional networks',
    'A convolution applies one filter at every position, so the kernels of a '
    'convolutional network are recursions over pairs of positions, averaged over patches.'
    ' With global average pooling the readout needs every pair of positions (the CNTK); '
    'flattening needs only same-position covariances, which makes the CNN-GP that of a '
    'locally connected network; circular padding with pooling makes the kernel invariant '
    'to cyclic shifts.',
    'arora2019; novak2019; garriga2019',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("conv.cntk_recursion",
          "CNTK with global average pooling: patch-averaged layer maps over every pair of positions",
          "Arora et al. 2019; Novak et al. 2019; Garriga-Alonso et al. 2019", C.CNTK, C.derive_cntk,
          checks=(_LIBRARY_CHECK, _CHANNEL_CHECK), mutants=_cntk_mutants(),
          uses=("dual.relu", "dual.erf", "dual.erf_prime", "dual.step")),
    Claim("conv.flatten_is_local",
          "Flatten readout: the CNN-GP kernel is that of the locally connected network; GAP's differs",
          "Novak et al. 2019", C.FLATTEN, C.derive_flatten,
          checks=(_FLATTEN_LIBRARY, _LCN_CHECK), mutants=_flatten_mutants(), uses=("dual.relu", "dual.erf")),
    Claim("conv.shift_invariance",
          "Circular padding and global average pooling: the kernel is invariant to cyclic shifts of either input",
          "Novak et al. 2019; Arora et al. 2019", C.SHIFT, C.derive_shift,
          checks=(_SHIFT_LIBRARY, _SHIFT_NETWORKS), mutants=_shift_mutants()),
)
