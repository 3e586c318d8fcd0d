"""The Gram-matrix checks on the sphere: λ_min of the NTK Gram matrix iterated from the
statement (kernel.positive_definite) and its rank for polynomial σ
(kernel.polynomial_degenerate), each eigenvalue z-tested against its rounding error."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from derivations import kernels as K
from numeric.stats import CONSISTENT, INCONCLUSIVE, REFUTED, ZTest, mde

from ..checks import predict
from ..claim import NumericCheck
from ..results import Comparison
from ._kernel_predictions import limit_kernels
from ._kernel_sweeps import _config_items, _refuted


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
