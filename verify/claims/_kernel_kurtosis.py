"""kernel.gaussian_outputs' check: the kurtosis of the outputs at initialisation over
widths, draws sized from pilots, against the stated limit and exponent of its excess."""
from __future__ import annotations

import math

import numpy as np
from scipy import stats as scipy_stats
from hypothesis import strategies as st

from derivations import kernels as K
from numeric.ensembles import sample_outputs
from numeric.kernel_ensembles import sample_kernels
from numeric.networks import MLP
from numeric.stats import POWER, extrapolate, loglog_slope

from ..checks import predict
from ..claim import NumericCheck
from ..results import Comparison
from ._kernel_predictions import limit_kernels
from ._kernel_sweeps import _config_items, _examples, _hidden, _pair_inputs, _refuted, _tag


_POWER_Z = float(scipy_stats.norm.ppf(POWER))
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
