"""The setting of the training-dynamics claims: the budget's widths and initialisations per
experiment, the per-process cache of simulations, the training data on the sphere, and the two
patterns of limits in width (:func:`_extrapolated`: X_n -> X; :func:`_vanishing`: X_n -> 0 like
n^r), described in :mod:`verify.claims.flow`."""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from hypothesis import strategies as st

from derivations.core import Quantity, Relation
from numeric import kernels
from numeric.stats import extrapolate, loglog_slope

from .. import figdata
from ..results import Comparison

SMOOTH = {"activation": "erf", "weight_std": 3.0, "bias_std": 0.2}
"""A twice-differentiable sigma with bounded sigma'' (the assumption of Jacot et al. 2018, Thm 2, and
Lee et al. 2019, Thm 2.1, under which the width exponents are derived) for every network check."""

_LEVELS = {
    "decay": {"widths": ((1024, 2048, 4096), (1024, 2048, 4096), (2048, 4096, 8192)), "seeds": (3, 4, 8)},
    "sweep": {"widths": ((256, 1024, 4096, 16384),) * 3,
              "kernel": ((64, 32, 16, 8), (96, 48, 24, 12), (640, 320, 160, 80)),
              "weights": ((16, 8, 4, 4), (16, 8, 4, 4), (64, 32, 16, 8)),
              "gap": ((128, 64, 32, 16), (192, 96, 48, 24), (640, 320, 160, 80)),
              "test": ((48, 24, 12, 6), (72, 36, 18, 9), (384, 192, 96, 48))},
    "fig1": {"widths": ((50, 200), (100, 400), (500, 1000)), "seeds": (2, 4, 10)},
}
"""Widths and initialisations per budget level (quick, standard, thorough) of each experiment.  The
sweeps put initialisations where they are cheap: for a slope in log n, seeds proportional to
n^{-1/2} reach a given standard error at about half the cost of equal counts.  At standard the kernel
and test-point sweeps use two thirds and three quarters of the seeds they had with ReLU test networks
(MDE 14 % and 25 % of the 50 % target then), which pays for the erf networks of the three sweeps that
used ReLU."""

_SIGNS = (-1.0, 1.0)


def _level(ctx, experiment: str, what: str):
    """The budget's ``what`` (widths, or seeds for a check) for ``experiment``."""
    return _LEVELS[experiment][what][ctx.budget.level]


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def _simulated(ctx, part: str, simulate):
    """``simulate(ctx)``, computed once per (run seed, claim, check, configuration, budget, part)."""
    key = (ctx.seed, ctx.claim_id, ctx.check.name, repr(ctx.config), ctx.budget.name, part)
    if key not in _CACHE:
        _CACHE[key] = simulate(ctx)
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return _CACHE[key]


_MAX_CONDITION = 10.0
_ATTEMPTS = 1000


def _data(rng, points: int, dim: int, activation: dict, *, test: int = 0, depth: int = 2):
    """``points`` training inputs (then ``test`` more) uniform on the unit sphere, redrawn until the
    limiting NTK Gram of the training inputs has condition number <= _MAX_CONDITION: the
    finite-width corrections grow with it, and well-conditioned data reach the asymptotic
    regime at affordable widths.  Returns (x, Theta^L on all the inputs)."""
    for _ in range(_ATTEMPTS):
        x = _sphere(rng, points + test, dim)
        theta = kernels.ntk(x, depth=depth, **activation)
        spectrum = np.linalg.eigvalsh(theta[:points, :points])
        if spectrum[-1] <= _MAX_CONDITION * spectrum[0]:
            return x, theta
    raise ValueError(f"points={points}, dim={dim}: no draw of {_ATTEMPTS} had a limiting NTK Gram of "
                     f"condition number <= {_MAX_CONDITION}; use fewer points or more dimensions")


def _sphere(rng, count: int, dim: int) -> np.ndarray:
    """``count`` points uniform on the unit sphere of R^dim."""
    x = rng.standard_normal((count, dim))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _config(ctx, widths=None, seeds=None) -> tuple:
    """The configuration of a comparison: the drawn one, and the widths and seeds per width it pooled."""
    pooled = () if widths is None else (("widths", tuple(int(w) for w in widths)),
                                        ("seeds", tuple(int(s) for s in seeds)))
    return tuple((str(k), v) for k, v in ctx.config.items()) + pooled


def _derived(name: str, expr) -> Relation:
    """A quantity derived from a statement's closed form, as a relation :func:`predictor` takes."""
    return Relation(name, Quantity(name), expr)


def _unusable(ctx, label: str, prediction: float, kind: str, config, samples: int) -> Comparison:
    """A measurement that is not a finite number (a diverged network): refuted, never consistent."""
    return Comparison(label, config, ctx.test(math.nan, 1.0, prediction, scale=1.0, kind=kind), samples)


def _extrapolated(ctx, label: str, widths, values, prediction: float) -> Comparison:
    """X_n -> X: E[X_n] = X + b/n fitted over the widths (WLS, the SE of each mean from its seeds),
    X z-tested against ``prediction`` (kind "width", scale 1: the X here are relative)."""
    values = [np.asarray(v, dtype=float) for v in values]
    config, samples = _config(ctx, widths, [v.size for v in values]), int(sum(v.size for v in values))
    label = f"{label}: extrapolated to infinite width"
    if not all(np.all(np.isfinite(v)) for v in values):
        return _unusable(ctx, label, prediction, "width", config, samples)
    fit = extrapolate(np.asarray(widths, dtype=float), np.array([v.mean() for v in values]),
                      np.array([v.std(ddof=1) / math.sqrt(v.size) for v in values]))
    return Comparison(label, config, ctx.test(float(fit.coef[0]), fit.se(0), prediction, scale=1.0, kind="width"),
                      samples)


def _vanishing(ctx, label: str, widths, values, rate: float, title: str) -> tuple[Comparison, Comparison]:
    """X_n -> 0 like n^rate: the slope of mean log X over seeds against log n (WLS, the SE of each
    mean from the spread of log X), z-tested against ``rate`` (kind "rate") and required to differ
    from 0; the points, the fit and the stated exponent are recorded as a log-log figure
    (``title`` in mathtext)."""
    widths = np.asarray(widths, dtype=float)
    values = [np.asarray(v, dtype=float) for v in values]
    config, samples = _config(ctx, widths, [v.size for v in values]), int(sum(v.size for v in values))
    labels = (f"{label}: exponent in n", f"{label}: exponent differs from 0")
    if not all(np.all(np.isfinite(v) & (v > 0)) for v in values):
        return tuple(_unusable(ctx, text, rate, "rate", config, samples) for text in labels)
    logs = [np.log(v) for v in values]
    centre = np.array([lg.mean() for lg in logs])
    se = np.array([lg.std(ddof=1) / math.sqrt(lg.size) for lg in logs])
    fit = loglog_slope(widths, np.exp(centre), se)
    slope, slope_se = float(fit.coef[1]), fit.se(1)
    anchor = centre.mean() - rate * np.log(widths).mean()
    ctx.record(label, figdata.series(
        title, "width $n$", "geometric mean over initialisations", [
            figdata.curve("measured", widths, np.exp(centre),
                          yerr=np.exp(centre) * se, style="points"),
            figdata.curve(f"fitted exponent ${slope:.3f} \\pm {slope_se:.3f}$", widths,
                          np.exp(fit.coef[0]) * widths ** slope),
            figdata.curve(f"stated exponent ${rate:g}$", widths, np.exp(anchor) * widths ** rate),
        ], logx=True, logy=True))
    return ctx.exponent(labels, slope, slope_se, rate, config=config, samples=samples)


_DATA = st.fixed_dictionaries({"points": st.integers(3, 5), "dim": st.integers(3, 5)})
_SWEEP_DATA = st.fixed_dictionaries({"points": st.integers(6, 8), "extra_dim": st.integers(1, 3)})


def _one(budget) -> int:
    """One drawn configuration: each is a whole sweep over widths and initialisations."""
    return 1


def _sweeps(budget) -> int:
    """Data sets drawn for a width sweep: three at quick and standard, so that an audit of R runs
    judges the check's calibration on 3R z-scores (on R, a calibrated check's spread falls outside
    the audit's band one time in six); two at thorough, where each sweep is long."""
    return (3, 3, 2)[budget.level]
