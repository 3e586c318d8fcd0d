"""Networks of the kernel claims: configurations drawn by hypothesis, the input pairs, and the
width sweeps whose draws the claims hold to the statement's limit and fluctuation exponent."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from numeric.kernel_ensembles import sample_kernels
from numeric.networks import MLP
from numeric.stats import REFUTED, ZTest

from ..results import Comparison
from ._kernel_predictions import limit_kernels

_N0 = 3
"""Input dimension of the width-limit checks."""


def _pair_inputs(config) -> np.ndarray:
    """x, x' in R³ with x·x/n0 = r1², x'·x'/n0 = r2² and angle ``angle`` between them."""
    a = config["angle"]
    directions = np.array([[1.0, 0.0, 0.0], [math.cos(a), math.sin(a), 0.0]])
    return math.sqrt(_N0) * np.array([[config["r1"]], [config["r2"]]]) * directions


def _hidden(width: int, depth: int) -> list[int]:
    return [_N0] + [width] * (depth - 1) + [1]


def _tag(config) -> str:
    """A short name of a network configuration, prefixing labels and figure-data keys (the
    figure data of a check is one dict shared by its configurations)."""
    parts = [config["activation"], f"L={config['depth']}"]
    if config.get("parameterization") == "standard":
        parts.append("standard")
    if config.get("bias_std"):
        parts.append(f"sb={config['bias_std']:.3g}")
    return " ".join(parts)


def _config_items(config, **extra) -> tuple:
    return tuple((str(k), v) for k, v in config.items()) + tuple(extra.items())


# ------------------------------------------------------------------ configurations

def _network_configs(activations, depths, *, parameterizations=("ntk",)):
    return st.fixed_dictionaries({
        "activation": st.sampled_from(activations),
        "depth": st.integers(*depths),
        "parameterization": st.sampled_from(parameterizations),
        "weight_std": st.floats(0.7, 1.5),
        "bias_std": st.one_of(st.just(0.0), st.floats(0.1, 0.8)),
        "r1": st.floats(0.6, 1.6),
        "r2": st.floats(0.6, 1.6),
        "angle": st.floats(0.15 * math.pi, 0.85 * math.pi),
    })


_EXPLICIT_NETWORK = {"activation": "relu", "depth": 3, "parameterization": "ntk", "weight_std": 1.3,
                     "bias_std": 0.5, "r1": 1.0, "r2": 1.2, "angle": 1.1}
"""Always run: ReLU, depth 3, σ_b > 0, σ_w ≠ 1, so that every mutant of a layer map shows."""

def _widths(largest: int) -> tuple[int, ...]:
    """256, 362, 512, ... up to ``largest``: factors of √2, so that the WLS fits have several
    degrees of freedom (a χ²/dof inflation from two residuals is too erratic)."""
    return tuple(int(round(256 * 2 ** (k / 2))) for k in range(round(2 * math.log2(largest / 256)) + 1))


_SWEEPS = {0: (_widths(1448), 600), 1: (_widths(2048), 600), 2: (_widths(4096), 1000)}
"""Hidden widths and independent initialisations per width, by budget level. From n = 256
the draws are close to Gaussian (kurtosis ≤ 3.3 at depth ≤ 4; up to 4.3 at n = 128), as the
standard error of log std in ``ctx.width_limit`` assumes."""


def _sweep(ctx, config, *, ntk: bool):
    """(widths, K̂ draws, Θ̂ draws or None): S initialisations per width of the budget.

    Θ̂ of the standard parameterisation is divided by the width n.
    """
    widths, seeds = _SWEEPS[ctx.budget.level]
    x = _pair_inputs(config)
    readouts, thetas = [], []
    for n in widths:
        net = MLP(_hidden(n, config["depth"]), config["activation"], config["weight_std"],
                  config["bias_std"], config.get("parameterization", "ntk"))
        readout, theta = sample_kernels(net, x, n_networks=seeds, rng=ctx.rng("width", n), ntk=ntk)
        readouts.append(readout)
        if ntk:
            thetas.append(theta / n if net.parameterization == "standard" else theta)
    return widths, readouts, thetas if ntk else None


def _entry_limits(ctx, label: str, widths, draws, prediction: np.ndarray, rate: float) -> tuple[Comparison, ...]:
    """Width limits of the off-diagonal and the first diagonal entry (scales: Cauchy–Schwarz),
    fluctuation exponent ``rate`` (the statement's "fluctuation" relation).

    A statement whose iteration gives no finite kernel (e.g. a wrong dual leaving the
    positive semi-definite cone) is refuted outright.
    """
    if not np.all(np.isfinite(prediction)):
        test = _refuted(float(np.mean(draws[-1][:, 0, 1])), float(prediction[0, 1]), ctx, "width")
        return (Comparison(f"{label}: the stated limit is not a finite number", _config_items(ctx.config),
                           test, sum(d.shape[0] for d in draws)),)
    scale = math.sqrt(abs(prediction[0, 0] * prediction[1, 1]))
    return (ctx.width_limit(f"{label}(x,x')", widths, [d[:, 0, 1] for d in draws], prediction[0, 1],
                            rate=rate, scale=scale)
            + ctx.width_limit(f"{label}(x,x)", widths, [d[:, 0, 0] for d in draws], prediction[0, 0], rate=rate))


def _limit(statement, config) -> dict:
    return limit_kernels(statement, config["activation"], _pair_inputs(config), depth=config["depth"],
                         weight_std=config["weight_std"], bias_std=config["bias_std"])


def _examples(quick: int, standard: int, thorough: int):
    return lambda budget: (quick, standard, thorough)[budget.level]


def _refuted(estimate, prediction, ctx, kind: str) -> ZTest:
    """A refuted comparison whose estimate or prediction cannot be a finite number: an excess
    at or below the stated limit, a stated kernel that is not finite."""
    return ZTest(float(estimate), math.inf, float(prediction), math.nan, ctx.threshold, math.inf,
                 ctx.budget.target(kind), abs(prediction), REFUTED)
