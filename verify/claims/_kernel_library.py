"""The library a user calls, held to the kernel statements within every run.

The analytic kernels of :mod:`numeric.kernels` (every path: x2 = None, x2 is x1, a copy of x1,
rectangular blocks, the blocked path beyond BLOCK points) against the statement iterated at
30 digits (:func:`pair_kernels`); their ReLU diagonal with He's variances against the
statement's closed form; the standard parameterisation's initial variances drawn by
:meth:`MLP.init` against the statement's, from a million entries per parameter group.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from derivations import kernels as K
from numeric import kernels as analytic
from numeric.networks import MLP

from ..checks import predict
from ..claim import NumericCheck
from ..results import Comparison
from ._kernel_predictions import _evaluate, _he, pair_kernels
from ._kernel_sweeps import _N0, _config_items, _examples, _refuted, _tag


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


_INIT_WIDTHS = (1000, 1000, 2500)
"""Per budget level, the width n of the standard-parameterisation networks (n, n, n) and (1, n²): n²
entries in each tested parameter group, relative SE √(2/n²) of a mean square, so that the MDE
(z* + 1.28)·√2/n stays under the expectation target (0.9% at quick and standard, 0.37% of the
0.5% at thorough, with z* ≈ 5)."""


def _measure_standard_init(statement, config, ctx):
    """E[w²] of the entries of each large parameter group drawn by MLP(parameterization=
    "standard").init against the statement's initial variances (mean zero by symmetry): sample
    mean of the squares with its sample SE, n² entries per group (``_INIT_WIDTHS``)."""
    rng = ctx.rng()
    weight_std, bias_std = config["weight_std"], config["bias_std"]
    width = _INIT_WIDTHS[ctx.budget.level]
    out = []
    for widths in ((width,) * 3, (1, width**2)):
        net = MLP(list(widths), "relu", weight_std, bias_std, "standard")
        for l, (weights, biases) in enumerate(net.init(rng)):
            groups = (("W", weights, "standard_weight_var", {K.SW2: weight_std**2, K.N_UNITS: widths[l]}),
                      ("b", biases, "standard_bias_var", {K.SB2: bias_std**2}))
            for label, entries, name, point in groups:
                if entries.size < width**2:
                    continue
                squares = np.square(entries.ravel())
                out.append(ctx.compare(f"widths {widths}: Var {label}_{l}", float(squares.mean()),
                                       float(squares.std(ddof=1) / math.sqrt(squares.size)),
                                       predict(statement, name, point), samples=int(squares.size)))
    return tuple(out)


_STANDARD_INIT_CHECK = NumericCheck(
    "standard-initial-variances",
    "Initial parameters of standard-parameterised networks (numeric.networks MLP.init): the mean "
    "square of n² drawn entries (n = 1000, 2500 at thorough) of W_0 and W_1 (fan-in n), W_0 (fan-in 1) "
    "and b_0 against the statement's Var W^std = σ_w²/n and Var b^std = σ_b², z-tested with the sample SE",
    lambda budget: st.fixed_dictionaries({"weight_std": st.floats(0.5, 2.0), "bias_std": st.floats(0.1, 1.0)}),
    _measure_standard_init, per_example=4, explicit=({"weight_std": 1.3, "bias_std": 0.6},),
    examples=_examples(1, 1, 3),
)


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
