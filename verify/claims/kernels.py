"""Claims of the infinite-width kernel family (kernel.*).

Statements and derivations come from :mod:`derivations.kernels`; finite networks from
:mod:`numeric.networks`, :mod:`numeric.ensembles` and :mod:`numeric.kernel_ensembles`.
Conventions: NTK parameterisation unless a configuration says "standard", depth L = number
of affine layers, σ_w = ``weight_std``, σ_b = ``bias_std``; inputs in R³ scaled so that
x·x/n0 is the squared norm factor drawn by hypothesis.

Every prediction iterates the statement's lambdified relations (:func:`limit_kernels`,
:func:`pair_kernels`, ``predict``), so a mutated relation changes what the finite networks
are compared with. The library a user calls is held to the statements within every run:
the analytic kernels of :mod:`numeric.kernels` (every path: x2 = None, x2 is x1, a copy of
x1, rectangular blocks, the blocked path beyond BLOCK points) against the statement iterated
at 30 digits; :meth:`MLP.empirical_ntk` (both parameterisations) against the decomposition
evaluated on an independent complex-step Jacobian; the standard parameterisation's initial
variances against the statement's, from a million drawn entries per parameter group.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from scipy import special
from scipy import stats as scipy_stats
from hypothesis import strategies as st

from derivations import kernels as K
from derivations.core import Relation
from derivations.gaussian import k11, k12, k22, z
from numeric import kernels as analytic
from numeric.ensembles import sample_outputs
from numeric.kernel_ensembles import sample_kernels
from numeric.networks import MLP
from numeric.stats import (CONSISTENT, INCONCLUSIVE, POWER, REFUTED, ZTest, extrapolate, loglog_slope,
                           mde)

from ..checks import predict, predictor
from ..claim import Claim, Mutant, NumericCheck
from ..results import Comparison
from ._kernel_predictions import _evaluate, limit_kernels, pair_kernels
from ._kernel_sweeps import (_EXPLICIT_NETWORK, _N0, _config_items, _entry_limits, _examples, _hidden, _limit,
                             _network_configs, _pair_inputs, _refuted, _sweep, _tag)

__all__ = ["CLAIMS", "limit_kernels", "pair_kernels"]

_POWER_Z = float(scipy_stats.norm.ppf(POWER))


# ------------------------------------------------------------------ the library against the statements

_EPS = float(np.finfo(float).eps)
_NEAR_PARALLEL = 1e-6
"""|c| within this of 1, inputs not identical: numeric.kernels forms c in float64 there and
arccos turns its rounding δ into an angle error √(2δ) (the module's documented limit)."""


def _library_inputs(rng, count: int) -> np.ndarray:
    """``count`` ≥ 4 points of R³: random, an identical copy of the first, an antiparallel
    multiple of it (c = −1) and a copy of the first at the last position (identical inputs at
    different positions of x1 and x2 in the rectangular split)."""
    x = rng.standard_normal((count, _N0))
    x[1] = x[0]
    x[2] = -0.5 * x[0]
    x[-1] = x[0]
    return x


def _library_paths(config, x):
    """(label, x1, x2, result of numeric.kernels) for every path a user reaches."""
    kwargs = {k: config[k] for k in ("depth", "activation", "weight_std", "bias_std")}
    half = x.shape[0] // 2
    both = analytic.nngp_and_ntk(x, x, **kwargs)
    return (
        ("nngp(x1)", slice(None), slice(None), (analytic.nngp(x, **kwargs), None)),
        ("ntk(x1)", slice(None), slice(None), (None, analytic.ntk(x, **kwargs))),
        ("nngp_and_ntk(x1, x1)", slice(None), slice(None), both),
        ("nngp_and_ntk(x1, copy of x1)", slice(None), slice(None), analytic.nngp_and_ntk(x, x.copy(), **kwargs)),
        ("nngp_and_ntk(x1[:h], x1[h:])", slice(0, half), slice(half, None),
         analytic.nngp_and_ntk(x[:half], x[half:], **kwargs)),
    )


def _library_pairs(count: int, rng) -> list[tuple[int, int]]:
    """Every pair of a small input set; for the blocked path (> BLOCK points) the pairs among the
    special points and the block edges and a sample across and within the blocks. Every point
    of a pair also comes with its diagonal pair (the scale of the comparison)."""
    if count <= 16:
        return [(i, j) for i in range(count) for j in range(count)]
    special_points = (0, 1, 2, count - 1, analytic.BLOCK - 1, analytic.BLOCK)
    pairs = {(i, j) for i in special_points for j in special_points}
    pairs |= {(int(i), int(j)) for i, j in rng.integers(0, count, size=(24, 2))}
    pairs |= {(i, i) for pair in pairs for i in pair}
    return sorted(pairs)


def _measure_library(statement, config, ctx):
    """Each path of numeric.kernels against the statement at 30 digits (:func:`pair_kernels`).

    Rounding model of an entry (ctx.exact, Cauchy–Schwarz scale √(K(x,x)K(x',x'))): operations
    n0 + 10 per layer map (the Gram product, the dual, its scaling and the bias; the Θ update),
    condition 1, except at near-parallel distinct inputs (|c| > 1 − 1e-6) of the arc-cosine
    duals, where the library's documented float64 limit is an angle error √(2δ) for a rounding δ
    of c: condition √(2/ε) there. One comparison per path and kernel: its worst entry.
    """
    rng = ctx.rng()
    x = _library_inputs(rng, config["points"])
    pairs = _library_pairs(x.shape[0], rng)
    reference = pair_kernels(statement, config["activation"], x, pairs, depth=config["depth"],
                             weight_std=config["weight_std"], bias_std=config["bias_std"])
    where = {pair: k for k, pair in enumerate(pairs)}
    norms = np.linalg.norm(x, axis=1)
    operations = _N0 + 10 * config["depth"]
    out = []
    for label, rows, cols, kernels in _library_paths(config, x):
        row_ids, col_ids = range(x.shape[0])[rows], range(x.shape[0])[cols]
        inside = [(i, j) for i, j in pairs if i in row_ids and j in col_ids]
        for name, computed in zip(("sigma", "theta"), kernels):
            if computed is None or name not in reference:
                continue
            stated = reference[name]
            worst = None
            for i, j in inside:
                value, prediction = float(computed[i - row_ids.start, j - col_ids.start]), float(stated[where[i, j]])
                scale = math.sqrt(abs(stated[where[i, i]] * stated[where[j, j]]))
                parallel = (not np.array_equal(x[i], x[j])
                            and abs(x[i] @ x[j]) > (1 - _NEAR_PARALLEL) * norms[i] * norms[j])
                condition = math.sqrt(2 / _EPS) if parallel and config["activation"] == "relu" else 1.0
                gap = abs(value - prediction) / max(operations * condition * _EPS * scale, 1e-300)
                if worst is None or not gap <= worst[0]:
                    worst = (gap, i, j, value, prediction, scale, condition)
            _, i, j, value, prediction, scale, condition = worst
            label_ij = f"{_tag(config)} N={x.shape[0]}: {label}: {name}[{i},{j}]"
            if not (math.isfinite(prediction) and math.isfinite(scale)):
                out.append(Comparison(f"{label_ij}: the statement gives no finite kernel",
                                      _config_items(config), _refuted(value, prediction, ctx, "expectation"), 1))
                continue
            out.append(ctx.exact(label_ij, value, prediction,
                                 scale=scale, operations=operations, condition=condition))
    return tuple(out)


def _library_check(statement_kind: str):
    return NumericCheck(
        f"library-{statement_kind}",
        f"numeric.kernels ({'nngp' if statement_kind == 'nngp' else 'ntk'} and nngp_and_ntk) "
        "against the statement iterated pair by pair at 30 digits, on every path: x2 = None, x2 is "
        "x1, a copy of x1, a rectangular split (identical inputs at different positions), the "
        "blocked path beyond numeric.kernels.BLOCK points; inputs with identical, antiparallel and "
        "random points, "
        "the Gram diagonal included. Exact comparison under a rounding model (operations n0 + 10 "
        "per layer, condition 1; √(2/ε) at near-parallel distinct inputs of ReLU, the library's "
        "documented arccos limit), the worst entry of each path",
        lambda budget: st.fixed_dictionaries({
            "activation": st.sampled_from(K.RECURSION_ACTIVATIONS),
            "depth": st.integers(1, 6),
            "weight_std": st.one_of(st.just(1.0), st.floats(0.5, 2.0)),
            "bias_std": st.one_of(st.just(0.0), st.floats(0.1, 1.0)),
            "points": st.integers(4, 8),
        }),
        _measure_library, per_example=10,
        explicit=({"activation": "relu", "depth": 3, "weight_std": 1.4, "bias_std": 0.7, "points": 6},
                  {"activation": "erf", "depth": 4, "weight_std": 1.0, "bias_std": 0.0, "points": 5},
                  {"activation": "identity", "depth": 2, "weight_std": 1.2, "bias_std": 0.3, "points": 4},
                  {"activation": "relu", "depth": 2, "weight_std": 1.0, "bias_std": 0.5,
                   "points": analytic.BLOCK + 2}),
        examples=_examples(1, 2, 6),
    )


# ------------------------------------------------------------------ kernel.ntk_layer_decomposition

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


def _decomposition_mutants():
    rhs = K.DECOMPOSITION["decomposition"].rhs
    W = K.decomposition_symbols()[0]
    j, k = sp.symbols("j k", integer=True)
    mutate = functools.partial(K.DECOMPOSITION.with_rhs, "decomposition")
    return (
        Mutant("missing-bias-term", r"the readout bias's $\sigma_b^2$ dropped", mutate(rhs - K.SB2)),
        Mutant("wj-squared", r"$W_j^2$ in place of $W_j W_k$", mutate(rhs.xreplace({W[k]: W[j]}))),
        Mutant("factor-2", "the whole right side doubled", mutate(2 * rhs)),
        Mutant("limit-without-sigma-term", r"the limit without its $\Sigma^{\ell+1}$ part",
               K.DECOMPOSITION.with_rhs("limit", K.SW2 * K.ED * K.THETA)),
    )


# ------------------------------------------------------------------ kernel.nngp_recursion

def _measure_nngp(statement, config, ctx):
    widths, draws, _ = _sweep(ctx, config, ntk=False)
    return _entry_limits(ctx, f"{_tag(config)}: Sigma_hat", widths, draws, _limit(statement, config)["sigma"],
                         predict(statement, "fluctuation", {}))


_NNGP_CHECK = NumericCheck(
    "readout-covariance-width-limit",
    "K̂_n(x, x') = σ_w² h^{L−1}(x)·h^{L−1}(x')/n + σ_b², the covariance of the outputs over "
    "the readout given the layers below (so E[f(x) f(x')] = E[K̂_n]), over independent "
    "initialisations (Gaussian projections) at ≥ 3 widths: extrapolated intercept against "
    "Σ^L from the iterated statement, fluctuation exponent against the statement's",
    lambda budget: _network_configs(K.RECURSION_ACTIVATIONS, (2, 4)),
    _measure_nngp, per_example=6, kind="width", explicit=(_EXPLICIT_NETWORK,),
    examples=_examples(1, 2, 4),
)


def _rate_mutant(statement) -> Mutant:
    return Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$ in place of $n^{-1/2}$",
                  statement.with_rhs("fluctuation", sp.Integer(-1)))


def _relu_angle_mutant(statement) -> Mutant:
    root = sp.sqrt(k11 * k22)
    angle = sp.acos(k12 / root)
    return Mutant("relu-theta-for-pi-minus-theta", r"the ReLU dual with $\theta$ in place of $\pi - \theta$",
                  statement.with_rhs("dual[relu]", root * (sp.sin(angle) + angle * k12 / root) / (2 * sp.pi)))


def _recursion_mutants(statement):
    sigma, maps = statement["sigma"].rhs, statement["maps"].rhs
    return (
        Mutant("bias-variance-dropped", r"$\Sigma^{\ell+1} = \sigma_w^2\mathbb{E}[\sigma\sigma]$ without $\sigma_b^2$",
               statement.with_rhs("sigma", sigma - K.SB2)),
        Mutant("depth-off-by-one", r"$L$ layer maps in place of $L - 1$", statement.with_rhs("maps", maps + 1)),
        Mutant("weight-variance-dropped", r"$\mathbb{E}[\sigma\sigma] + \sigma_b^2$ without $\sigma_w^2$",
               statement.with_rhs("sigma", K.E + K.SB2)),
        _relu_angle_mutant(statement),
        _rate_mutant(statement),
    )


# ------------------------------------------------------------------ kernel.ntk_recursion

def _measure_ntk(statement, config, ctx):
    widths, _, draws = _sweep(ctx, config, ntk=True)
    limits = _limit(statement, config)
    standard = config["parameterization"] == "standard"
    label = f"{_tag(config)}: " + ("Theta_hat_std/n" if standard else "Theta_hat")
    return _entry_limits(ctx, label, widths, draws, limits["xi" if standard else "theta"],
                         predict(statement, "fluctuation", {}))


_NTK_CHECK = NumericCheck(
    "empirical-ntk-width-limit",
    "Empirical NTK at initialisation (exact in distribution by Gaussian projections) at ≥ 3 "
    "widths: NTK parameterisation against Θ^L, standard parameterisation Θ̂/n against Ξ^L, "
    "both from the iterated statement; extrapolated intercept, and fluctuation exponent against "
    "the statement's",
    lambda budget: _network_configs(K.RECURSION_ACTIVATIONS, (2, 4), parameterizations=("ntk", "standard")),
    _measure_ntk, per_example=6, kind="width", explicit=(_EXPLICIT_NETWORK,),
    examples=_examples(1, 2, 4),
)


_INIT_WIDTH = 1000
"""Standard-parameterisation networks of widths (1000, 1000, 1000) and (1, 1000²): a million
entries in each tested parameter group."""


def _measure_standard_init(statement, config, ctx):
    """E[w²] of the entries of each large parameter group drawn by MLP(parameterization=
    "standard").init against the statement's initial variances (mean zero by symmetry): sample
    mean of the squares with its sample SE, 10⁶ entries (relative SE √(2/10⁶) ≈ 0.14 %, MDE
    ≈ 0.8 % of the variance)."""
    rng = ctx.rng()
    weight_std, bias_std = config["weight_std"], config["bias_std"]
    out = []
    for widths in ((_INIT_WIDTH,) * 3, (1, _INIT_WIDTH**2)):
        net = MLP(list(widths), "relu", weight_std, bias_std, "standard")
        for l, (weights, biases) in enumerate(net.init(rng)):
            groups = (("W", weights, "standard_weight_var", {K.SW2: weight_std**2, K.N_UNITS: widths[l]}),
                      ("b", biases, "standard_bias_var", {K.SB2: bias_std**2}))
            for label, entries, name, point in groups:
                if entries.size < _INIT_WIDTH**2:
                    continue
                squares = np.square(entries.ravel())
                out.append(ctx.compare(f"widths {widths}: Var {label}_{l}", float(squares.mean()),
                                       float(squares.std(ddof=1) / math.sqrt(squares.size)),
                                       predict(statement, name, point), samples=int(squares.size)))
    return tuple(out)


_STANDARD_INIT_CHECK = NumericCheck(
    "standard-initial-variances",
    "Initial parameters of standard-parameterised networks (numeric.networks MLP.init): the mean "
    "square of 10⁶ drawn entries of W_0 and W_1 (fan-in 1000), W_0 (fan-in 1) and b_0 against "
    "the statement's Var W^std = σ_w²/n and Var b^std = σ_b², z-tested with the sample SE",
    lambda budget: st.fixed_dictionaries({"weight_std": st.floats(0.5, 2.0), "bias_std": st.floats(0.1, 1.0)}),
    _measure_standard_init, per_example=4, explicit=({"weight_std": 1.3, "bias_std": 0.6},),
    examples=_examples(1, 1, 3),
)


def _ntk_mutants():
    s = K.NTK
    theta, xi = s["theta"].rhs, s["xi"].rhs
    return _recursion_mutants(s)[:2] + (
        Mutant("theta-without-sigma", r"$\Theta^{\ell+1} = \sigma_w^2\dot\Sigma^{\ell+1}\Theta^\ell$: the "
               r"$\Sigma^{\ell+1}$ term dropped", s.with_rhs("theta", theta - K.SIGMA_NEXT)),
        Mutant("sigma-for-sigma-dot", r"$\Sigma^{\ell+1}$ in place of $\dot\Sigma^{\ell+1}$",
               s.with_rhs("theta", theta.subs(K.SIGMA_DOT, K.SIGMA_NEXT))),
        Mutant("standard-with-weight-variance", r"$\Xi^{\ell+1} = \sigma_w^2\mathbb{E}[\sigma\sigma] + \dots$",
               s.with_rhs("xi", xi.subs(K.E, K.SW2 * K.E))),
        Mutant("standard-variance-without-width", r"standard initial weight variance $\sigma_w^2$ in place of "
               r"$\sigma_w^2/n$", s.with_rhs("standard_weight_var", K.SW2)),
        _rate_mutant(s),
    )


# ------------------------------------------------------------------ kernel.gaussian_outputs

_KURTOSIS_WIDTHS = {0: (32, 64, 128, 256), 1: (32, 64, 128, 256, 512), 2: (32, 64, 128, 256, 512, 1024, 2048)}
_PILOT = 1000
_HISTOGRAM_DRAWS = 10_000
_MARGIN = 1.5
"""Sizes aim at SEs 1.5 times below those the targets require."""
_BINS = 41


def _kurtosis(readout: np.ndarray) -> tuple[float, float]:
    """E[f⁴]/E[f²]² = 3 E[K̂²]/E[K̂]² from draws of K̂, and its delta-method standard error.

    Given the layers below the readout, f is exactly N(0, K̂) (linear in Gaussian readout
    weights), so E[f⁴ | K̂] = 3K̂² and E[f² | K̂] = K̂: the same kurtosis as from draws of f,
    with the readout's own noise integrated out (Rao–Blackwell; K̂ is an average over units,
    light-tailed where f is not).
    """
    m1, m2 = readout.mean(), (readout * readout).mean()
    influence = 3.0 * ((readout * readout - m2) / m1**2 - 2.0 * m2 * (readout - m1) / m1**3)
    return 3.0 * m2 / m1**2, float(influence.std(ddof=1) / math.sqrt(readout.size))


def _histogram(f: np.ndarray, variance: float, width: int) -> dict:
    edges = np.linspace(-4.0, 4.0, _BINS + 1) * math.sqrt(variance)
    counts, _ = np.histogram(f, bins=edges)
    return {"width": width, "edges": edges.tolist(), "counts": counts.tolist(), "samples": int(f.size)}


def _sample_sizes(ctx, widths: np.ndarray, sds: np.ndarray, excess: np.ndarray, rate: float,
                  scale: float) -> np.ndarray:
    """Draws per width so that the slope of log(excess) and the extrapolated intercept reach
    their target MDEs with a margin of 1.5.

    ``sds`` are the per-draw standard deviations of the kurtosis estimator (from pilots),
    ``excess`` the expected excess per width, ``scale`` that of the intercept's MDE. The
    slope's SE is that of a WLS line over log n; the intercept's is computed from the design
    [1, 1/n] with the resulting SEs, and every size is scaled up together when it falls short.
    """
    z_sum = ctx.threshold + _POWER_Z
    logs = np.log(widths)
    spread = math.sqrt(float(np.sum((logs - logs.mean()) ** 2)))
    log_se = ctx.budget.target("rate") * abs(rate) / z_sum * spread / _MARGIN
    sizes = np.maximum(_PILOT, (sds / (log_se * excess)) ** 2)
    design = np.column_stack([np.ones_like(widths), 1.0 / widths])
    weights = sizes / sds**2
    intercept_se = math.sqrt(np.linalg.inv(design.T @ (design * weights[:, None]))[0, 0])
    wanted = ctx.budget.target("width") * scale / z_sum / _MARGIN
    if intercept_se > wanted:
        sizes *= (intercept_se / wanted) ** 2
    return np.minimum(np.ceil(sizes), ctx.budget.max_samples).astype(int)


def _measure_gaussian(statement, config, ctx):
    limit = predict(statement, "limit", {})
    rate = predict(statement, "rate", {})
    widths = np.array(_KURTOSIS_WIDTHS[ctx.budget.level])
    x = _pair_inputs(config)[:1]

    def readouts(n, count, key):
        net = MLP(_hidden(int(n), config["depth"]), config["activation"], config["weight_std"],
                  config["bias_std"])
        return sample_kernels(net, x, n_networks=int(count), rng=ctx.rng(key, int(n)), ntk=False)[0][:, 0, 0]

    pilots = [readouts(n, _PILOT, "pilot") for n in widths]
    first, first_se = _kurtosis(pilots[0])
    excess = max(first - limit, 10 * first_se) * (widths / widths[0]) ** rate
    sds = np.array([_kurtosis(k)[1] for k in pilots]) * math.sqrt(_PILOT)
    scale = _kurtosis(pilots[-1])[0]  # the kurtosis at the widest width: its natural unit
    sizes = _sample_sizes(ctx, widths.astype(float), sds, excess, rate, scale)
    draws = [np.concatenate([k, readouts(n, size - _PILOT, "readouts")]) if size > _PILOT else k
             for n, k, size in zip(widths, pilots, sizes)]
    estimates, errors = (np.array(v) for v in zip(*(_kurtosis(k) for k in draws)))
    samples = [int(k.size) for k in draws]
    widths = tuple(int(n) for n in widths)
    variance = float(limit_kernels(K.NNGP, config["activation"], x, depth=config["depth"],
                                   weight_std=config["weight_std"], bias_std=config["bias_std"])["sigma"][0, 0])
    tag = _tag(config)

    def outputs(n):
        f = sample_outputs(_hidden(n, config["depth"]), config["activation"], x, _HISTOGRAM_DRAWS,
                           ctx.rng("histogram", n), config["weight_std"], config["bias_std"])[:, 0]
        return _histogram(f, variance, n)

    ctx.record(f"{tag}: histograms", {"variance": variance, "narrow": outputs(widths[0]),
                                      "wide": outputs(widths[-1])})
    fit = extrapolate(np.array(widths), estimates, errors)
    excess = estimates - limit
    if np.all(excess > 0):
        slope = loglog_slope(np.array(widths), excess, errors / excess)
        s_hat, s_se = float(slope.coef[1]), slope.se(1)
    else:
        s_hat, s_se = math.nan, math.inf
    ctx.record(f"{tag}: kurtosis", {"widths": list(widths), "kurtosis": estimates.tolist(),
                                    "se": errors.tolist(), "samples": samples, "limit": limit,
                                    "intercept": float(fit.coef[0]), "intercept_se": fit.se(0),
                                    "slope": s_hat, "slope_se": s_se, "rate": rate})
    items = _config_items(config, widths=widths, samples=tuple(samples))
    total = int(sum(samples))
    labels = (f"{tag}: kurtosis excess: exponent in n", f"{tag}: kurtosis excess: exponent differs from 0")
    exponent = (ctx.exponent(labels, s_hat, s_se, rate, config=items, samples=total) if math.isfinite(s_se)
                else tuple(Comparison(text, items, _refuted(s_hat, rate, ctx, "rate"), total) for text in labels))
    return (
        Comparison(f"{tag}: kurtosis: extrapolated limit", items,
                   ctx.test(float(fit.coef[0]), fit.se(0), limit, scale=scale, kind="width"), total),
        *exponent,
    )




_GAUSSIAN_CHECK = NumericCheck(
    "kurtosis-width-limit",
    "Kurtosis E[f⁴]/E[f²]² of the outputs at initialisation at ≥ 3 widths, as 3E[K̂²]/E[K̂]² "
    "over draws of the readout variance K̂ (f | layers below ~ N(0, K̂) exactly; Gaussian "
    "projections), delta-method SE, draws sized per width from pilots so that the comparisons "
    "reach their targets; extrapolated intercept against the stated limit (3, the "
    "Gaussian's), log-log slope of the excess against the stated exponent; output "
    "histograms at the narrowest and widest width recorded beside the limiting variance",
    lambda budget: st.fixed_dictionaries({
        "activation": st.sampled_from(K.RECURSION_ACTIVATIONS),
        "depth": st.integers(2, 3),
        "weight_std": st.floats(0.7, 1.5),
        "bias_std": st.one_of(st.just(0.0), st.floats(0.1, 0.8)),
        "r1": st.floats(0.7, 1.4), "r2": st.just(1.0), "angle": st.just(1.0),
    }),
    _measure_gaussian, per_example=3, kind="width",
    explicit=({"activation": "relu", "depth": 2, "weight_std": 1.2, "bias_std": 0.1, "r1": 1.0,
               "r2": 1.0, "angle": 1.0},),
    examples=_examples(1, 2, 4),
)


def _gaussian_mutants():
    s = K.GAUSSIAN_OUTPUTS
    return (
        Mutant("excess-for-kurtosis", "the limit 0 (the excess kurtosis) in place of 3", s.with_rhs("limit", sp.Integer(0))),
        Mutant("rate-one-half", r"excess $\propto n^{-1/2}$", s.with_rhs("rate", sp.Rational(-1, 2))),
        Mutant("mixture-factor", r"$1 + \operatorname{Var}\hat K/\mathbb{E}[\hat K]^2$ in the mixture",
               s.with_rhs("mixture", 3 + K.VAR_K / K.MEAN_K**2)),
    )


# ------------------------------------------------------------------ Gram matrices on the sphere

def _sphere_points(rng, count: int, dim: int, min_angle: float) -> np.ndarray:
    """``count`` points on the unit sphere of R^dim, pairwise angles ≥ ``min_angle``."""
    for _ in range(1000):
        x = rng.standard_normal((count, dim))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        cosines = np.clip(x @ x.T, -1.0, 1.0)[np.triu_indices(count, 1)]
        if count < 2 or np.arccos(cosines).min() >= min_angle:
            return x
    raise ValueError(f"could not place {count} points with pairwise angles >= {min_angle} on S^{dim - 1}")


def _positive(label, items, value: float, se: float, scale: float, ctx) -> Comparison:
    """λ > 0 against its rounding error: consistent above z* SE, refuted below −z* SE."""
    z_score = value / se
    status = CONSISTENT if z_score > ctx.threshold else REFUTED if z_score < -ctx.threshold else INCONCLUSIVE
    test = ZTest(value, se, 0.0, z_score, ctx.threshold, mde(se, ctx.threshold) / scale,
                 ctx.target, scale, status, "positive")
    return Comparison(label, items, test, 1)


def _rank_comparisons(ctx, config, gram: np.ndarray, rank: int, condition: float) -> tuple[Comparison, ...]:
    """λ_rank > 0 and, when rank < N, λ_{rank+1} = 0 (eigenvalues in decreasing order).

    Rounding model: the kernel recursion (about 10 operations per entry per layer) and the
    symmetric eigensolver (backward error ~ N ε ‖K‖), times ``condition``.
    """
    eigenvalues = np.linalg.eigvalsh(gram)[::-1]
    size = gram.shape[0]
    operations = size + 10 * config["depth"]
    top = float(eigenvalues[0])
    se = operations * condition * float(np.finfo(float).eps) * top
    items = _config_items(config, points=size, predicted_rank=rank)
    out = (_positive(f"lambda_{rank} > 0", items, float(eigenvalues[rank - 1]), se, top, ctx),)
    if rank < size:
        out += (ctx.exact(f"lambda_{rank + 1} = 0", float(eigenvalues[rank]), 0.0, scale=top,
                          operations=operations, condition=condition),)
    return out


def _sphere_gram(statement, config, points: np.ndarray) -> np.ndarray:
    """Θ^L of the points (scaled to |x|² = n0) by iterating the statement's own relations and duals."""
    x = math.sqrt(points.shape[1]) * points
    return limit_kernels(statement, config["activation"], x, depth=config["depth"],
                         weight_std=config["weight_std"], bias_std=config["bias_std"])["theta"]


def _measure_positive(statement, config, ctx):
    points = _sphere_points(ctx.rng(), config["points"], config["dim"], config["min_angle"])
    rank = int(predict(statement, "rank", {K.N_POINTS: config["points"]}))
    config = dict(config, depth=int(predict(statement, "min_depth", {})) + config["extra_depth"])
    gram = _sphere_gram(statement, config, points)
    if not np.all(np.isfinite(gram)):
        return (Comparison("the stated kernel is not a finite number", _config_items(config),
                           _refuted(float(np.nanmax(np.abs(gram), initial=0.0)), math.nan, ctx, "expectation"), 1),)
    return _rank_comparisons(ctx, config, gram, rank, 1.0)


_PD_CHECK = NumericCheck(
    "gram-lambda-min",
    "λ_min of the NTK Gram matrix iterated from the statement's layer maps and duals (depth "
    "L_min + 0..3) of hypothesis-drawn points "
    "on the sphere (|x|² = n0, pairwise angles ≥ 0.15) against 0 with its rounding error as "
    "SE: consistent when it exceeds z* SE; a stated rank below N is z-tested as a zero eigenvalue",
    lambda budget: st.fixed_dictionaries({
        "activation": st.sampled_from(K.NON_POLYNOMIAL),
        "extra_depth": st.integers(0, 3),
        "dim": st.sampled_from((2, 3, 5)),
        "points": st.integers(2, 14),
        "min_angle": st.just(0.15),
        "weight_std": st.floats(0.5, 2.0),
        "bias_std": st.one_of(st.just(0.0), st.floats(0.1, 1.0)),
    }),
    _measure_positive, per_example=2,
    explicit=({"activation": "relu", "extra_depth": 0, "dim": 2, "points": 12, "min_angle": 0.15,
               "weight_std": 1.0, "bias_std": 0.0},),
)


def _pd_mutants():
    s = K.POSITIVE_DEFINITE
    return (
        Mutant("singular", r"rank $N - 1$: a zero eigenvalue", s.with_rhs("rank", K.N_POINTS - 1)),
        Mutant("depth-one", r"$L_{\min} = 1$", s.with_rhs("min_depth", sp.Integer(1))),
        Mutant("polynomial-activation", r"the quadratic's duals in place of ReLU's",
               s.with_rhs("dual[relu]", K.ACTIVATIONS["quadratic"].dual)
                .with_rhs("dual'[relu]", K.ACTIVATIONS["quadratic"].dual_prime)),
        _relu_angle_mutant(s),
    )


def _measure_polynomial(statement, config, ctx):
    p = K.POLYNOMIAL_DEGREES[config["activation"]]
    degree = predict(statement, "degree", {K.P: p, K.L: config["depth"]})
    dimension = int(round(predict(statement, "dimension", {K.M: degree, K.D: config["dim"]})))
    points = _sphere_points(ctx.rng(), dimension + config["extra"], config["dim"], 0.0)
    gram = _sphere_gram(statement, config, points)
    return _rank_comparisons(ctx, config, gram, min(points.shape[0], dimension), degree)


_POLY_CHECK = NumericCheck(
    "gram-rank",
    "NTK Gram matrix iterated from the statement's layer maps and duals, of dim + extra random "
    "points on the sphere for polynomial σ: "
    "the eigenvalue after the stated rank bound is 0 within rounding (condition: the "
    "degree m, which multiplies relative errors), the one at the bound is positive",
    lambda budget: st.fixed_dictionaries({
        "activation": st.sampled_from(tuple(K.POLYNOMIAL_DEGREES)),
        "depth": st.integers(1, 3),
        "dim": st.sampled_from((2, 3)),
        "extra": st.integers(1, 4),
        "weight_std": st.floats(0.6, 1.3),
        "bias_std": st.floats(0.2, 1.0),
    }),
    _measure_polynomial, per_example=2,
    explicit=({"activation": "quadratic", "depth": 2, "dim": 3, "extra": 2, "weight_std": 1.0,
               "bias_std": 0.5},),
)


def _poly_mutants():
    s = K.POLYNOMIAL_DEGENERATE
    dimension = s["dimension"].rhs
    return (
        Mutant("dimension-minus-one", "one dimension fewer", s.with_rhs("dimension", dimension - 1)),
        Mutant("degree-depth-off-by-one", r"degree $p^L$", s.with_rhs("degree", K.P ** K.L)),
        Mutant("ambient-polynomials", r"$\binom{m+d}{d}$: polynomials on $\mathbb{R}^d$, the sphere ignored",
               s.with_rhs("dimension", sp.binomial(K.M + K.D, K.D))),
        Mutant("homogeneous-only", r"$\binom{m+d-1}{d-1}$: the homogeneous polynomials of degree $m$ only",
               s.with_rhs("dimension", sp.binomial(K.M + K.D - 1, K.D - 1))),
    )


# ------------------------------------------------------------------ kernel.relu_diagonal

def _he(statement) -> tuple[float, float]:
    return (math.sqrt(predict(statement, "weight_var", {})), math.sqrt(predict(statement, "bias_var", {})))


def _measure_diagonal(statement, config, ctx):
    weight_std, bias_std = _he(statement)
    rng = ctx.rng()
    x = rng.standard_normal((1, config["dim"]))
    x *= config["norm"] / np.linalg.norm(x)
    depth = config["depth"]
    sigma1 = float(_evaluate(statement, "sigma1", {K.Q: float(x[0] @ x[0]) / config["dim"],
                                                   K.SW2: weight_std**2, K.SB2: bias_std**2}))
    sigma, theta = analytic.nngp_and_ntk(x, depth=depth, activation="relu", weight_std=weight_std,
                                         bias_std=bias_std)
    operations = 10 * depth
    return (
        ctx.exact("Sigma^L(x,x)", float(sigma[0, 0]), predict(statement, "sigma_diag", {K.K1: sigma1}),
                  operations=operations),
        ctx.exact("Theta^L(x,x)", float(theta[0, 0]),
                  predict(statement, "theta_diag", {K.K1: sigma1, K.L: depth}), operations=operations),
    )


_DIAGONAL_CHECK = NumericCheck(
    "analytic-diagonal",
    "Diagonal of the analytic NNGP and NTK (numeric.kernels) with the statement's σ_w², σ_b² "
    "against Σ¹(x,x) and L·Σ¹(x,x): exact comparison under a rounding model of 10 "
    "operations per layer",
    lambda budget: st.fixed_dictionaries({
        "depth": st.integers(1, 10), "dim": st.integers(1, 8), "norm": st.floats(0.1, 10.0)}),
    _measure_diagonal, per_example=2, explicit=({"depth": 4, "dim": 3, "norm": 2.0},),
)


def _measure_diagonal_networks(statement, config, ctx):
    weight_std, bias_std = _he(statement)
    config = dict(config, activation="relu", weight_std=weight_std, bias_std=bias_std, r2=config["r1"],
                  angle=0.0)
    sigma1 = float(_evaluate(statement, "sigma1", {K.Q: config["r1"]**2, K.SW2: weight_std**2,
                                                   K.SB2: bias_std**2}))
    widths, readouts, thetas = _sweep(ctx, config, ntk=True)
    sigma = predict(statement, "sigma_diag", {K.K1: sigma1})
    theta = predict(statement, "theta_diag", {K.K1: sigma1, K.L: config["depth"]})
    tag = _tag(config)
    rate = predict(statement, "fluctuation", {})
    return (ctx.width_limit(f"{tag}: Sigma_hat(x,x)", widths, [d[:, 0, 0] for d in readouts], sigma, rate=rate)
            + ctx.width_limit(f"{tag}: Theta_hat(x,x)", widths, [d[:, 0, 0] for d in thetas], theta, rate=rate))


_DIAGONAL_NETWORK_CHECK = NumericCheck(
    "finite-network-diagonal",
    "He-initialised ReLU networks at ≥ 3 widths: K̂_n(x,x) and Θ̂_n(x,x) over independent "
    "initialisations (Gaussian projections); extrapolated intercepts against Σ¹(x,x) and "
    "L·Σ¹(x,x), fluctuation exponents against the statement's",
    lambda budget: st.fixed_dictionaries({"depth": st.integers(2, 4), "r1": st.floats(0.5, 2.0),
                                          "parameterization": st.just("ntk")}),
    _measure_diagonal_networks, per_example=6, kind="width", examples=_examples(1, 1, 2),
)


def _diagonal_mutants():
    s = K.RELU_DIAGONAL
    return (
        Mutant("depth-off-by-one", r"$\Theta^L(x,x) = (L-1)\Sigma^1(x,x)$",
               s.with_rhs("theta_diag", (K.L - 1) * K.K1)),
        Mutant("sigma-factor-2", r"$\Sigma^\ell(x,x) = 2\Sigma^1(x,x)$", s.with_rhs("sigma_diag", 2 * K.K1)),
        Mutant("lecun-variance", r"$\sigma_w^2 = 1$ in place of He's 2", s.with_rhs("weight_var", sp.Integer(1))),
        _rate_mutant(s),
    )


# ------------------------------------------------------------------ the claims

_JACOT = "jacot2018"

PLACE = 2
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Infinite-width kernels',
    'At initialisation the outputs of a wide network are a Gaussian process with '
    'covariance $\\Sigma^L$ (the NNGP kernel), and its empirical tangent kernel converges '
    'to the NTK $\\Theta^L$; both follow a layer recursion whose only nonlinear ingredient'
    ' is a dual activation. This family derives the recursion from the network itself, '
    'measures the width limits on finite networks, and establishes when the NTK is '
    'positive definite.',
    'Jacot, Gabriel & Hongler 2018; Lee et al. 2018; Neal 1996; Arora et al. 2019',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("kernel.ntk_layer_decomposition",
          "The empirical NTK splits exactly into the readout's parameters and those below",
          f"{_JACOT} (proof of Thm 1)", K.DECOMPOSITION, K.derive_decomposition,
          checks=(_DECOMPOSITION_CHECK,), mutants=_decomposition_mutants()),
    Claim("kernel.nngp_recursion",
          "The covariance of the outputs over random initialisations converges to the NNGP kernel",
          "ntknotes2023; jacot2018; neal1996; lee2018", K.NNGP, K.derive_nngp,
          checks=(_library_check("nngp"), _NNGP_CHECK), mutants=_recursion_mutants(K.NNGP),
          uses=("dual.relu", "dual.erf", "dual.polynomial")),
    Claim("kernel.gaussian_outputs", "Outputs at initialisation → Gaussian: the kurtosis tends to 3 like 1/n",
          "jacot2018; neal1996; lee2018; hanin2019", K.GAUSSIAN_OUTPUTS, K.derive_gaussian_outputs,
          checks=(_GAUSSIAN_CHECK,), mutants=_gaussian_mutants(), uses=("kernel.nngp_recursion",)),
    Claim("kernel.ntk_recursion",
          "The empirical NTK at initialisation converges to the NTK; fluctuations shrink like 1/√n",
          f"{_JACOT} (Thm 1)", K.NTK, K.derive_ntk,
          checks=(_library_check("ntk"), _STANDARD_INIT_CHECK, _NTK_CHECK), mutants=_ntk_mutants(),
          uses=("kernel.ntk_layer_decomposition", "kernel.nngp_recursion", "dual.relu", "dual.step",
                "dual.erf", "dual.erf_prime", "dual.polynomial", "dual.price")),
    Claim("kernel.positive_definite", "Non-polynomial σ, L ≥ 2: the NTK is strictly positive definite on the sphere",
          f"{_JACOT} (Prop. 2); Daniely et al. 2016", K.POSITIVE_DEFINITE, K.derive_positive_definite,
          checks=(_PD_CHECK,), mutants=_pd_mutants(),
          uses=("kernel.ntk_recursion", "dual.relu", "dual.step", "dual.erf", "dual.erf_prime")),
    Claim("kernel.polynomial_degenerate",
          "Polynomial σ: the NTK Gram rank is at most the dimension of polynomials on the sphere",
          f"{_JACOT} (the condition of Prop. 2)", K.POLYNOMIAL_DEGENERATE, K.derive_polynomial_degenerate,
          checks=(_POLY_CHECK,), mutants=_poly_mutants(),
          uses=("kernel.ntk_recursion", "dual.polynomial", "dual.price")),
    Claim("kernel.relu_diagonal",
          "He-initialised ReLU: the NNGP diagonal keeps its first-layer value, the NTK diagonal is L times it",
          "jacot2018; he2015; arora2019", K.RELU_DIAGONAL, K.derive_relu_diagonal,
          checks=(_DIAGONAL_CHECK, _DIAGONAL_NETWORK_CHECK), mutants=_diagonal_mutants(),
          uses=("kernel.ntk_recursion", "dual.relu", "dual.step")),
)
