"""Claims of depth scales (``depth.*``): signal propagation through deep networks at initialisation.

Statements from :mod:`derivations.depth`; the numbers from :mod:`numeric.depth`. Finite networks are simulated exactly in distribution and
cheaply: given layer ℓ, the n units of layer ℓ+1 of a fully connected network with
i.i.d. N(0, 1) weights are i.i.d. Gaussian pairs (z_j(x), z_j(x')) with covariance the
empirical kernel K̂^{ℓ+1} = σ_w² σ(z^ℓ)ᵀσ(z^ℓ)/n + σ_b², so each layer draws n pairs from
K̂ instead of multiplying by an n × n matrix (the same law, O(n) per layer). The first
layer's pairs have covariance Σ¹ exactly for inputs whose Gram gives Σ¹.

Tolerances: the deterministic library checks use the rounding model of
``Context.exact`` (operations × eps × scale, operations stated at each call); the
network checks use the width-limit pattern (standard errors over independent
initialisations, Bonferroni threshold); rates of approach are generalised-least-squares slopes with a
jackknife SE; the maximum effective depth is a crossing depth from a fixed window of layers, with a
delta-method SE; the critical relu recursion is iterated in the angle arccos c_ℓ (truncation and
rounding models stated there).
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import asymptotics
from derivations import depth as D
from numeric import activations
from numeric import depth as numeric_depth
from numeric import kernels
from numeric.networks import MLP
from numeric.stats import log_std_se, loglog_slope

from .. import figdata
from ..checks import predict
from ..claim import Claim, Mutant, NumericCheck

__all__ = ["CLAIMS", "FAMILY", "simulate_correlations", "WIDTHS", "seeds"]

WIDTHS = (64, 256, 1024)
"""The widths of every width-limit check of the depth and design families: a factor 16 (not 4 at half the
cost) halves the SE of the fitted fluctuation exponent and of the extrapolated limit, so that the fits'
χ²/dof inflation (one degree of freedom) rarely lifts the MDE over the target."""


def seeds(budget) -> int:
    """Independent networks per width at ``budget``."""
    return (800, 1200, 8000)[budget.level]


def simulate_correlations(activation, weight_std: float, q: float, c0: float, layers: int, width: int,
                          networks: int, rng: np.random.Generator, bias_std: float = 0.0) -> np.ndarray:
    """ĉ_ℓ for ℓ = 1..layers of ``networks`` independent width-``width`` networks.

    Σ¹ = q[[1, c0], [c0, 1]]; ĉ_ℓ is the correlation of the empirical kernel K̂^ℓ (ĉ_1 = c0).
    Returns shape (networks, layers).
    """
    fn = activation.fn
    kernel = np.broadcast_to(q * np.array([[1.0, c0], [c0, 1.0]]), (networks, 2, 2))
    out = np.empty((networks, layers))
    for level in range(layers):
        out[:, level] = kernel[:, 0, 1] / np.sqrt(kernel[:, 0, 0] * kernel[:, 1, 1])
        chol = np.linalg.cholesky(kernel + 1e-300 * np.eye(2))
        z = rng.standard_normal((networks, width, 2)) @ np.swapaxes(chol, -1, -2)
        h = fn(z)
        k11, k12, k22 = (np.mean(a * b, axis=1) for a, b in
                         ((h[..., 0], h[..., 0]), (h[..., 0], h[..., 1]), (h[..., 1], h[..., 1])))
        kernel = (weight_std ** 2 * np.stack([np.stack([k11, k12], -1), np.stack([k12, k22], -1)], -2)
                  + bias_std ** 2)
    return out


# ------------------------------------------------------------------ depth.erf_correlation_map

def _erf_point(statement, weight_std: float, q: float, c: float | None = None) -> dict:
    point = {D.SW2: weight_std ** 2, D.Q: q}
    if c is not None:
        point[D.C] = c
    return point


def _measure_library(statement, config, ctx):
    """The library's depth scales of erf at σ_b = 0 against the statement (rounding model)."""
    w = config["weight_std"]
    scales = numeric_depth.depth_scales("erf", w, 0.0)
    q = float(scales.q_star)
    out = [ctx.exact(f"sigma_w={w:.4g}: chi_c", float(scales.chi_c),
                     predict(statement, "slope", _erf_point(statement, w, q)), operations=64)]
    for c in (-0.7, 0.3, 0.9):
        out.append(ctx.exact(f"sigma_w={w:.4g}: f({c})", float(numeric_depth.correlation_map("erf", w, 0.0, c)),
                             predict(statement, "map", _erf_point(statement, w, q, c)), operations=64))
    critical = math.sqrt(predict(statement, "critical", {}))
    out.append(ctx.exact("chi_1 at the critical sigma_w", float(numeric_depth.depth_scales("erf", critical, 0.0).chi_1),
                         1.0, operations=16))
    if config.get("figure"):
        _record_phase_diagram(ctx)
    return tuple(out)


def _record_phase_diagram(ctx) -> None:
    """The (σ_b², σ_w²) phase diagrams of tanh and erf (Schoenholz et al. 2017, Fig. 1): contours of ξ_c
    and the critical line χ₁ = 1, all from one numeric.depth call per activation."""
    w2 = np.linspace(0.3, 4.0, 60)
    b2 = np.linspace(0.0, 0.5, 26)
    for name in ("tanh", "erf"):
        scales = numeric_depth.depth_scales(name, np.sqrt(w2)[:, None], np.sqrt(b2)[None, :])
        crossing = np.argmax(scales.chi_1 >= 1, axis=0)
        lo = np.clip(crossing - 1, 0, w2.size - 1)
        x0, x1 = scales.chi_1[lo, np.arange(b2.size)], scales.chi_1[crossing, np.arange(b2.size)]
        line = w2[lo] + (w2[crossing] - w2[lo]) * (1 - x0) / np.where(x1 != x0, x1 - x0, 1)
        ctx.record(f"{name}: phase diagram", figdata.contour(
            f"{name}: ξ_c (ordered below χ₁ = 1, chaotic above)", "σ_b²", "σ_w²",
            b2, w2, np.minimum(scales.xi_c, 1e3), (1, 2, 5, 10, 20, 50),
            [figdata.curve("χ₁ = 1", b2, line)]))


_LIBRARY_CHECK = NumericCheck(
    "library-depth-scales",
    "numeric.depth's χ_c, correlation map and critical point for erf at σ_b = 0 (closed-form duals, "
    "Newton for q* and c*) against the statement's map, slope and critical σ_w² (rounding model)",
    lambda budget: st.fixed_dictionaries({"weight_std": st.floats(1.0, 3.0)}),
    _measure_library, per_example=5, explicit=({"weight_std": 2.0, "figure": True},),
    examples=lambda budget: (2, 4, 10)[budget.level],
)


def _measure_networks(statement, config, ctx):
    """ĉ_L of finite erf networks at three widths against f^{L−1}(c₀) from the statement's map."""
    w, c0, layers = config["weight_std"], config["c0"], config["layers"]
    q = float(numeric_depth.depth_scales("erf", w, 0.0).q_star)
    predicted = [c0]
    for _ in range(layers - 1):
        predicted.append(predict(statement, "map", _erf_point(statement, w, q, predicted[-1])))
    erf = activations.get("erf")
    draws = [simulate_correlations(erf, w, q, c0, layers, n, seeds(ctx.budget), ctx.rng("widths", n))
             for n in WIDTHS]
    if config.get("figure"):
        mean, sd = draws[-1].mean(axis=0), draws[-1].std(axis=0, ddof=1) / math.sqrt(draws[-1].shape[0])
        ell = np.arange(1, layers + 1)
        ctx.record("erf: c_l against l", figdata.series(
            f"erf, σ_w = {w:g}, σ_b = 0: correlation against depth (width {WIDTHS[-1]})", "ℓ", "c_ℓ",
            [figdata.curve("f^{ℓ−1}(c₀), the statement's map", ell, predicted),
             figdata.curve("finite networks (mean ± SE)", ell, mean, yerr=sd, style="points")]))
    return ctx.width_limit(f"sigma_w={w:.3g}, c0={c0:g}: c_hat_{layers}", WIDTHS,
                           [d[:, -1] for d in draws], predicted[-1],
                           rate=predict(statement, "fluctuation", {}), scale=abs(predicted[-1]))


_NETWORK_CHECK = NumericCheck(
    "finite-network-correlations",
    "the correlation ĉ_L of two inputs' empirical kernel in erf networks (σ_b = 0, inputs at the fixed "
    "length q*) over independent initialisations at widths 64, 256, 1024: extrapolated limit against "
    "the statement's map iterated from c₀, fluctuation exponent against the statement's",
    lambda budget: st.fixed_dictionaries({"weight_std": st.sampled_from((1.5, 2.0, 2.5)),
                                          "c0": st.sampled_from((0.6, 0.9)), "layers": st.just(4)}),
    _measure_networks, per_example=3, kind="width",
    explicit=({"weight_std": 2.0, "c0": 0.9, "layers": 6, "figure": True},),
    examples=lambda budget: (1, 1, 4)[budget.level],
)


def _erf_mutants():
    s = D.ERF_MAP
    return (
        Mutant("map-without-pi", r"the map without its $2/\pi$", s.with_rhs("map", s["map"].rhs * sp.pi / 2)),
        Mutant("slope-without-length", r"$\chi_c = 4\sigma_w^2/\pi$ (the $1 + 2q$ dropped)",
               s.with_rhs("slope", s["slope"].rhs * (1 + 2 * D.Q))),
        Mutant("critical-pi-over-2", r"critical $\sigma_w^2 = \pi/2$", s.with_rhs("critical", sp.pi / 2)),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


# ------------------------------------------------------------------ depth.exponential_approach

_GROUPS = 20


def _fitted_rate(draws: np.ndarray, c_star: float, weights: np.ndarray) -> float:
    """The generalised-least-squares slope of log|mean ĉ_ℓ − c*| against ℓ = 1..L (mean over the networks).

    The covariance of the log gaps is that of ĉ_ℓ/g_ℓ over the networks, divided by their number, with g_ℓ =
    ``weights[ℓ]`` the mean-field gap |c_ℓ − c*| (numeric.depth), not the measured one: weights estimated
    from the gaps themselves would correlate with them and flatten the slope. Later layers of one network
    inherit earlier layers' noise; GLS uses that correlation instead of counting the layers as independent."""
    gaps = np.log(np.abs(draws.mean(axis=0)[1:] - c_star))
    design = np.column_stack([np.ones(gaps.size), np.arange(1, draws.shape[1])])
    inverse = np.linalg.inv(np.cov((draws[:, 1:] / weights[1:]).T) / draws.shape[0])
    return float(np.linalg.solve(design.T @ inverse @ design, design.T @ inverse @ gaps)[1])


def _measure_approach(statement, config, ctx):
    """The rate of log|ĉ_ℓ − c*| in finite tanh networks against ln χ_c (χ_c from numeric.depth).

    Standard error by the delete-one-group jackknife over 20 groups of networks (the fit's covariance
    re-estimated in each), which keeps the correlation between the layers of one network."""
    w, b, layers = config["weight_std"], config["bias_std"], config["layers"]
    scales = numeric_depth.depth_scales("tanh", w, b)
    q, c_star, chi = float(scales.q_star), float(scales.c_star), float(scales.chi_c)
    c0 = c_star + config["offset"] if c_star < 1 else 1.0 - config["offset"]
    networks = (800, 1200, 3000)[ctx.budget.level]
    draws = simulate_correlations(activations.get("tanh"), w, q, c0, layers + 1, config["width"], networks,
                                  ctx.rng("networks"), bias_std=b)
    weights = np.abs(numeric_depth.correlations("tanh", w, b, c0, layers) - c_star)
    groups = np.array_split(np.arange(networks), _GROUPS)
    jack = np.array([_fitted_rate(np.delete(draws, g, axis=0), c_star, weights) for g in groups])
    se = float(np.sqrt((_GROUPS - 1) / _GROUPS * np.sum((jack - jack.mean()) ** 2)))
    prediction = predict(statement, "rate", {D.CHI: chi})
    if config.get("figure"):
        _record_phases(ctx, b)
    return (ctx.compare(f"tanh sigma_w={w:g} sigma_b={b:g}: rate of log|c_hat_l - c*|",
                        _fitted_rate(draws, c_star, weights), se, prediction, samples=networks, kind="rate",
                        scale=abs(prediction)),)


def _record_phases(ctx, bias_std: float) -> None:
    """c_ℓ against ℓ for tanh networks in the ordered, critical and chaotic phases beside numeric.depth."""
    grid = np.linspace(0.5, 2.5, 401)
    chi = numeric_depth.depth_scales("tanh", grid, bias_std).chi_1
    critical = float(np.interp(1.0, chi, grid))
    curves, ell = [], np.arange(21)
    for label, w in (("ordered", 0.9), ("critical", critical), ("chaotic", 2.0)):
        q = float(numeric_depth.depth_scales("tanh", w, bias_std).q_star)
        draws = simulate_correlations(activations.get("tanh"), w, q, 0.5, ell.size, 512, 100,
                                      ctx.rng("phases", label), bias_std=bias_std)
        curves += [figdata.curve(f"{label} σ_w = {w:.3g}: mean-field", ell,
                                 numeric_depth.correlations("tanh", w, bias_std, 0.5, ell.size - 1)),
                   figdata.curve(f"{label}: width 512 (mean ± SE)", ell, draws.mean(axis=0),
                                 yerr=draws.std(axis=0, ddof=1) / 10, style="points")]
    ctx.record("tanh: c_l against l", figdata.series(
        f"tanh, σ_b = {bias_std:g}: c_ℓ against ℓ in the three phases", "ℓ", "c_ℓ", curves))


_APPROACH_CHECK = NumericCheck(
    "finite-network-rate",
    "the generalised-least-squares slope (covariance of the layers over networks, mean-field weights) of "
    "log|mean ĉ_ℓ − c*| against ℓ = 1..8 in tanh networks (width 2048 ordered, where the O(1/n) finite-width "
    "bias of the slope, ~0.1% at width 512, is then below the thorough SE; 4096 chaotic, where the noise "
    "floor is not relative) started near c* "
    "(ordered: c₀ = 1 − 0.02, where the map's curvature biases the slope by < 1e-4; chaotic: c₀ = c* + 0.05, "
    "where it biases the slope by < 2%), c* and χ_c from numeric.depth, against the statement's rate ln χ_c; jackknife SE",
    lambda budget: st.sampled_from(({"weight_std": 0.9, "bias_std": 0.3, "offset": 0.02, "layers": 8, "width": 2048},
                                    {"weight_std": 2.5, "bias_std": 0.5, "offset": 0.05, "layers": 8, "width": 4096},
                                    {"weight_std": 0.7, "bias_std": 0.1, "offset": 0.02, "layers": 8, "width": 2048})),
    _measure_approach,
    explicit=({"weight_std": 2.0, "bias_std": 0.3, "offset": 0.05, "layers": 8, "width": 4096, "figure": True},),
    examples=lambda budget: (1, 1, 3)[budget.level],
)


def _approach_mutants():
    s = D.APPROACH
    return (
        Mutant("rate-doubled", r"rate $2\ln\chi_c$", s.with_rhs("rate", 2 * sp.log(D.CHI))),
        Mutant("rate-per-two-layers", r"rate $\tfrac12\ln\chi_c$", s.with_rhs("rate", sp.log(D.CHI) / 2)),
        Mutant("depth-scale-inverted", r"$\xi_c = -\ln\chi_c$", s.with_rhs("depth scale", -sp.log(D.CHI))),
    )


# ------------------------------------------------------------------ depth.relu_critical

_DOUBLINGS = (12, 13, 16)
"""The relu recursion runs to ℓ = 2^12 (2^13 at standard, 2^16 at thorough); each limit's error is estimated by its change over the last
doubling of ℓ (ε) or halving of ε (the truncation model of a sequence converging like 1/ℓ or ε^{1/2})."""
_C0S = (-0.5, 0.0, 0.5)
_ANGLE_OPERATIONS = 32
"""Rounding model of one step of :func:`_relu_angle_map`: a relative error of at most this many eps in θ_{ℓ+1}
(a dozen operations, each well conditioned: no difference of nearly equal numbers)."""


def _relu_map(c):
    """The library's relu correlation map at σ_w² = 2, σ_b = 0 (the dual at unit lengths, doubled)."""
    return np.clip(2.0 * activations.get("relu").dual(1.0, 1.0, c), -1.0, 1.0)


def _relu_angle_map(theta: np.ndarray) -> np.ndarray:
    """The same map in the angle θ = arccos c, well conditioned as θ → 0 where c_ℓ → 1 loses digits.

    With f(cos θ) = (sin θ + (π − θ) cos θ)/π (the arc-cosine kernel of order 1, Cho & Saul, Kernel
    methods for deep learning, 2009), 1 − f = ((π − θ)·2 sin²(θ/2) + (θ − sin θ))/π, θ − sin θ by its
    Taylor series below θ = 1/4 (8 terms: truncation < θ^19/19! < 1e-28 θ), and
    θ_{ℓ+1} = 2 arcsin √((1 − f)/2): every term positive, no cancellation."""
    small = np.minimum(theta, 0.25)
    series = sum((-1) ** (k + 1) * small ** (2 * k + 1) / math.factorial(2 * k + 1) for k in range(1, 9))
    excess = np.where(theta < 0.25, series, theta - np.sin(theta))
    gap = ((np.pi - theta) * 2 * np.sin(theta / 2) ** 2 + excess) / np.pi
    return 2 * np.arcsin(np.sqrt(gap / 2))


def _measure_relu_recursion(statement, config, ctx):
    """ℓ²(1 − c_ℓ) and the local decay exponent per c₀, and the ε^{3/2} coefficient, from the library's map.

    The map is iterated in the angle θ_ℓ (:func:`_relu_angle_map`), whose first step is checked against the
    library's dual (rounding model); 1 − c_ℓ = 2 sin²(θ_ℓ/2). Error model: truncation, the change over the
    last doubling of ℓ, plus rounding, ℓ × :data:`_ANGLE_OPERATIONS` eps relative (each step's relative
    error, not amplified: dθ_{ℓ+1}/dθ_ℓ · θ_ℓ/θ_{ℓ+1} → 1)."""
    c0 = np.array(config["c0"], dtype=float)
    theta = np.arccos(c0)
    out = [ctx.exact(f"c0={c:g}: the angle form of the map against the library's", float(np.cos(t)),
                     float(lib), operations=_ANGLE_OPERATIONS, scale=1.0)
           for c, t, lib in zip(config["c0"], _relu_angle_map(theta), _relu_map(c0))]
    doublings = _DOUBLINGS[ctx.budget.level]
    gaps = {}
    for level in range(1, 2 ** doublings + 1):
        theta = _relu_angle_map(theta)
        if level & (level - 1) == 0 and level >= 2 ** (doublings - 2):
            gaps[level] = 2 * np.sin(theta / 2) ** 2
    last, middle, first = (2 ** (doublings - j) for j in range(3))
    rounding = 2 * last * _ANGLE_OPERATIONS * float(np.finfo(float).eps)
    for i, c in enumerate(config["c0"]):
        scaled = [ell * ell * gaps[ell][i] for ell in (middle, last)]
        slopes = [math.log(gaps[b][i] / gaps[a][i]) / math.log(2) for a, b in ((first, middle), (middle, last))]
        out += [ctx.compare(f"c0={c:g}: l^2 (1 - c_l) at l = {last}", scaled[1],
                            math.hypot(scaled[1] - scaled[0], rounding * scaled[1]),
                            predict(statement, "limit", {}), samples=1, kind="width"),
                ctx.compare(f"c0={c:g}: d log(1 - c_l)/d log l at l = {last}", slopes[1],
                            math.hypot(slopes[1] - slopes[0], rounding), predict(statement, "exponent", {}),
                            samples=1, kind="rate")]
    eps = np.array([1e-6, 4e-6])
    coefficient = (_relu_map(1.0 - eps) - 1.0 + eps) / eps ** 1.5
    out.append(ctx.compare("(f(1 - eps) - 1 + eps)/eps^1.5 at eps = 1e-6", float(coefficient[0]),
                           abs(float(coefficient[0] - coefficient[1])), predict(statement, "coefficient", {}),
                           samples=1))
    return tuple(out)


_RELU_RECURSION_CHECK = NumericCheck(
    "library-recursion",
    "the relu map (σ_w² = 2, σ_b = 0), in the angle θ = arccos c so that no digits are lost as c_ℓ → 1, "
    "checked against the library's dual (rounding model), iterated to ℓ = 4096 (8192 at standard, 65536 at "
    "thorough) from three c₀: ℓ²(1 − c_ℓ) and the local exponent of 1 − c_ℓ in ℓ, and the library's "
    "(f(1 − ε) − 1 + ε)/ε^{3/2} at ε = 1e-6, each against the statement, with the change over the last "
    "doubling of ℓ (quadrupling of ε) as the standard error (the truncation model of a sequence converging "
    "like log ℓ/ℓ, resp. ε^{1/2}) plus the stated rounding",
    lambda budget: st.just({"c0": _C0S}),
    _measure_relu_recursion, per_example=3 * len(_C0S) + 1, examples=lambda budget: 1,
)


def _measure_relu_networks(statement, config, ctx):
    """ĉ_L of finite critical relu networks at three widths against f^{L−1}(c₀) from the statement."""
    c0, layers = config["c0"], config["layers"]
    predicted = [c0]
    for _ in range(layers - 1):
        predicted.append(predict(statement, "map", {D.C: predicted[-1]}))
    draws = [simulate_correlations(activations.get("relu"), math.sqrt(2.0), 1.0, c0, layers, n,
                                   seeds(ctx.budget), ctx.rng("widths", n)) for n in WIDTHS]
    return ctx.width_limit(f"relu critical, c0={c0:g}: c_hat_{layers}", WIDTHS, [d[:, -1] for d in draws],
                           predicted[-1], rate=predict(statement, "fluctuation", {}), scale=abs(predicted[-1]))


_RELU_NETWORK_CHECK = NumericCheck(
    "finite-network-correlations",
    "the correlation ĉ_L of two inputs' empirical kernel in critical relu networks (σ_w² = 2, σ_b = 0) "
    "over independent initialisations at widths 64, 256, 1024: extrapolated limit against the statement's "
    "map iterated from c₀, fluctuation exponent against the statement's",
    lambda budget: st.fixed_dictionaries({"c0": st.sampled_from((0.0, 0.5)), "layers": st.just(8)}),
    _measure_relu_networks, per_example=3, kind="width", explicit=(),
    examples=lambda budget: (1, 1, 3)[budget.level],
)


def _relu_mutants():
    s = D.RELU_CRITICAL
    return (
        Mutant("limit-without-9", r"$\ell^2(1 - c_\ell) \to \pi^2/2$", s.with_rhs("limit", sp.pi**2 / 2)),
        Mutant("exponential-rate-one", r"$1 - c_\ell \sim \ell^{-1}$", s.with_rhs("exponent", sp.Integer(-1))),
        Mutant("coefficient-without-third", r"$A = 2\sqrt2/\pi$", s.with_rhs("coefficient", 2 * sp.sqrt(2) / sp.pi)),
        Mutant("map-theta-for-pi-minus-theta", r"the map with $\theta$ in place of $\pi - \theta$",
               s.with_rhs("map", (sp.sqrt(1 - D.C**2) + sp.acos(D.C) * D.C) / sp.pi)),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


# ------------------------------------------------------------------ depth.max_effective_depth

_DEPTH_WIDTHS = (128, 512, 2048)
"""Widths of the maximum-depth check: a factor 16 in n moves L_max by ξ_c ln 4, several SEs of its slope;
equal steps in ln n, so the least-squares slope is the extreme widths' difference quotient."""


_WINDOW = (-2, -1, 0, 1)
"""Layers, relative to numeric.depth's integer L_max, over which the crossing depth is fitted."""


def _crossing_depth(draws: np.ndarray, c_star: float, z: float, around: int) -> tuple[float, float]:
    """The depth D at which |mean ĉ_ℓ − c*| falls to z × s, and its standard error (``draws`` column ℓ:
    ĉ_ℓ per network; s the standard deviation of ĉ over networks at the last layer, run far enough past
    L_max to be the stationary noise τ/√n).

    r_ℓ = ln(|mean ĉ_ℓ − c*|/(z s)) is linear in ℓ where c_ℓ − c* ≈ A χ_c^ℓ: least squares over the fixed
    layers ℓ_k = ``around`` + :data:`_WINDOW` gives r ≈ α + β(ℓ − ℓ̄), and D = ℓ̄ − α/β. A fixed window makes
    D a smooth function of means (a crossing bracketed by the data is not), so the delta method applies:
    D's influence function per network is −IF_α/β + α IF_β/β², from those of the log gaps,
    ±(ĉ_{iℓ} − mean)/gap, and of ln s, ((ĉ_{iL} − mean)² − s²)/(2s²); SE = sd(IF)/√N, which keeps the
    correlation between one network's layers."""
    networks = draws.shape[0]
    layers = around + np.array(_WINDOW)
    if layers[0] < 1 or layers[-1] >= draws.shape[1] - 1:
        raise ValueError(f"around={around}: the window {layers.tolist()} must lie inside layers 1.."
                         f"{draws.shape[1] - 2}")
    mean = draws.mean(axis=0)
    deviation = draws - mean
    noise = draws[:, -1].std(ddof=1)
    gap = np.abs(mean[layers] - c_star)
    ratio = np.log(gap / (z * noise))
    centred = layers - layers.mean()
    alpha, beta = ratio.mean(), centred @ ratio / (centred @ centred)
    influence = (np.sign(mean[layers] - c_star) * deviation[:, layers] / gap
                 - ((deviation[:, -1] ** 2 - noise ** 2) / (2 * noise ** 2))[:, None])
    total = -influence.mean(axis=1) / beta + alpha * (influence @ centred) / (centred @ centred) / beta ** 2
    return float(layers.mean() - alpha / beta), float(np.sqrt(np.mean(total ** 2) / networks))


def _measure_max_depth(statement, config, ctx):
    """The crossing depth of finite tanh networks at three widths against the statement's L_max (χ_c, c*,
    τ and the mean-field amplitude A from numeric.depth); its slope in ln n; the noise's exponent."""
    w, b, c0, z = config["weight_std"], config["bias_std"], config["c0"], 1.0
    scales = numeric_depth.depth_scales("tanh", w, b)
    q, c_star, chi = float(scales.q_star), float(scales.c_star), float(scales.chi_c)
    networks = (400, 500, 2000)[ctx.budget.level]
    depths, ses, stds = [], [], []
    out = []
    for n in _DEPTH_WIDTHS:
        library = numeric_depth.max_effective_depth("tanh", w, b, n, c0, threshold=z)
        draws = simulate_correlations(activations.get("tanh"), w, q, c0, int(library.depth) + 6, n, networks,
                                      ctx.rng("width", n), bias_std=b)
        prediction = predict(statement, "depth", {D.CHI: chi, D.AMPLITUDE: abs(library.amplitude),
                                                  D.TAU: library.noise, D.ZETA: z, asymptotics.n: n})
        depth, se = _crossing_depth(draws, c_star, z, int(library.depth))
        depths.append(depth)
        ses.append(se)
        stds.append(draws[:, -1].std(ddof=1))
        out.append(ctx.compare(f"tanh sigma_w={w:g} sigma_b={b:g} c0={c0:g} n={n}: crossing depth", depth, se,
                               prediction, samples=networks, kind="rate", scale=prediction))
    span = math.log(_DEPTH_WIDTHS[-1] / _DEPTH_WIDTHS[0])
    slope = predict(statement, "width slope", {D.CHI: chi})
    out.append(ctx.compare(f"sigma_w={w:g}: d L_max / d ln n", (depths[-1] - depths[0]) / span,
                           math.hypot(ses[-1], ses[0]) / span, slope,
                           samples=networks * len(_DEPTH_WIDTHS), kind="rate", scale=abs(slope)))
    noise = loglog_slope(np.array(_DEPTH_WIDTHS, dtype=float), np.array(stds),
                         np.full(len(stds), log_std_se(networks)))
    out.extend(ctx.exponent((f"sigma_w={w:g}: exponent of sd(c_hat) in n past L_max",
                             f"sigma_w={w:g}: exponent of sd(c_hat) differs from 0"),
                            float(noise.coef[1]), noise.se(1), predict(statement, "fluctuation", {}),
                            config=tuple(sorted(config.items())), samples=networks * len(_DEPTH_WIDTHS)))
    return tuple(out)


_MAX_DEPTH_CHECK = NumericCheck(
    "finite-network-max-depth",
    "tanh networks (chaotic phase, c* < 1; σ_b = 0 or small, where the map's curvature at c* = 0 vanishes and "
    "c_ℓ − c* = A χ_c^ℓ holds to < 1% at the crossing) at widths 128, 512, 2048, 400 initialisations each "
    "(500 at standard, 2000 at thorough), run 6 layers past numeric.depth.max_effective_depth's L: the depth where "
    "|mean ĉ_ℓ − c*| falls to one standard deviation of ĉ across networks at the last layer (the stationary "
    "finite-width noise), from a log-linear fit over layers L − 2 .. L + 1 (delta-method SE) against the statement's "
    "L_max with χ_c, c*, τ and the mean-field amplitude A from numeric.depth (tested at the rate target: L_max "
    "is a logarithm over a rate); the slope of that depth in ln n against the statement's ξ_c/2; the exponent "
    "of the noise past L_max against −1/2",
    lambda budget: st.sampled_from(({"weight_std": 3.0, "bias_std": 0.0, "c0": 0.5},
                                    {"weight_std": 3.0, "bias_std": 0.0, "c0": -0.4},
                                    {"weight_std": 3.0, "bias_std": 0.1, "c0": 0.5})),
    _measure_max_depth, per_example=len(_DEPTH_WIDTHS) + 3, examples=lambda budget: (1, 1, 3)[budget.level],
)


def _max_depth_mutants():
    s = D.MAX_DEPTH
    return (
        Mutant("depth-scale-doubled", r"$L_{\max} = 2\xi_c\ln(\sqrt n A/(z\tau))$",
               s.with_rhs("depth", 2 * s["depth"].rhs)),
        Mutant("log-n-for-log-sqrt-n", r"$L_{\max} = \xi_c\ln(nA/(z\tau))$",
               s.with_rhs("depth", -sp.log(asymptotics.n * D.AMPLITUDE / (D.ZETA * D.TAU)) / sp.log(D.CHI))),
        Mutant("width-slope-xi", r"$\mathrm{d}L_{\max}/\mathrm{d}\ln n = \xi_c$",
               s.with_rhs("width slope", -1 / sp.log(D.CHI))),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


# ------------------------------------------------------------------ depth.ntk_degeneracy

def _inputs_at_fixed_length(weight_std: float, bias_std: float, q: float, correlations: np.ndarray) -> np.ndarray:
    """Inputs x_a ∈ R^N (N = len(correlations)) whose first-layer NNGP is q × ``correlations``:
    σ_w² x·x'/N + σ_b² = q C_ab, from the Cholesky factor of C_ab = (q C − σ_b²)/(q − σ_b²) scaled."""
    gram = (q * correlations - bias_std ** 2) / (q - bias_std ** 2)
    return np.linalg.cholesky(gram) * math.sqrt(len(gram) * (q - bias_std ** 2)) / weight_std


def _normalised(theta: np.ndarray) -> np.ndarray:
    diagonal = np.sqrt(np.diagonal(theta, axis1=-2, axis2=-1))
    return theta / (diagonal[..., :, None] * diagonal[..., None, :])


_EQUICORRELATED = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]])


def _window_slope(depths: np.ndarray, values: np.ndarray) -> float:
    return float(np.polyfit(depths, values, 1)[0])


def _measure_degeneracy(statement, config, ctx):
    """Slopes of log e_ℓ − p log ℓ and log κ_ℓ + p log ℓ over depth on the library's analytic erf NTK
    (numeric.kernels.ntk) against the statement's rates at χ₁ from numeric.depth; p the statement's
    secular exponent. SE: the change of the slope between the windows [L/4, L/2] and [L/2, L] (the
    truncation model of a fit whose bias decays like 1/ℓ²)."""
    w, b, last = config["weight_std"], config["bias_std"], config["depth"]
    scales = numeric_depth.depth_scales("erf", w, b)
    q, chi = float(scales.q_star), float(scales.chi_1)
    x = _inputs_at_fixed_length(w, b, q, _EQUICORRELATED)
    secular = predict(statement, "secular", {})
    windows = [np.linspace(last // 4, last // 2, 9).round(), np.linspace(last // 2, last, 9).round()]
    gaps, conditions = [], []
    for depths in windows:
        grams = [_normalised(kernels.ntk(x, depth=int(d), activation="erf", weight_std=w, bias_std=b))
                 for d in depths]
        gaps.append(_window_slope(depths, np.log([1 - g[0, 1] for g in grams]) - secular * np.log(depths)))
        conditions.append(_window_slope(depths, np.log([np.linalg.cond(g) for g in grams])
                                        + secular * np.log(depths)))
    rate, condition_rate = (predict(statement, name, {D.CHI: chi}) for name in ("rate", "condition rate"))
    label = f"erf sigma_w={w:g} sigma_b={b:g} (chi_1={chi:.4g})"
    return (ctx.compare(f"{label}: slope of log e_l - p log l, l in [{last // 2}, {last}]", gaps[1],
                        abs(gaps[1] - gaps[0]), rate, samples=1, kind="rate", scale=abs(rate)),
            ctx.compare(f"{label}: slope of log kappa_l + p log l, l in [{last // 2}, {last}]", conditions[1],
                        abs(conditions[1] - conditions[0]), condition_rate, samples=1, kind="rate",
                        scale=abs(condition_rate)))


_DEGENERACY_CHECK = NumericCheck(
    "library-ntk-over-depth",
    "the normalised analytic NTK Gram (numeric.kernels.ntk) of three equicorrelated inputs (c = 0.5) at the "
    "fixed length q*, erf in the ordered phase, at 9 depths in each of [L/4, L/2] and [L/2, L]: the slopes "
    "of log e_ℓ − p log ℓ and log κ_ℓ + p log ℓ in the deeper window against the statement's ln χ₁ and "
    "−ln χ₁ (χ₁ from numeric.depth, p the statement's secular exponent); SE the change between windows",
    lambda budget: st.sampled_from(({"weight_std": 1.2, "bias_std": 0.5, "depth": 160},
                                    {"weight_std": 1.0, "bias_std": 0.3, "depth": 100})),
    _measure_degeneracy, per_example=2, examples=lambda budget: (1, 1, 2)[budget.level],
)

_NTK_WIDTHS = (32, 64, 256)
"""The empirical NTK costs O(n²) per network: a factor 8 from 32 (not 4 from 64) widens the fluctuation fit's
span for less time."""
_NTK_DEPTH = 4


def _measure_finite_ntk(statement, config, ctx):
    """ê_L of finite erf networks' empirical NTKs (numeric.networks.MLP) at three widths against the
    library's analytic e_L; the fluctuation exponent against the statement's."""
    w, b, c0 = config["weight_std"], config["bias_std"], config["c0"]
    q = float(numeric_depth.depth_scales("erf", w, b).q_star)
    x = _inputs_at_fixed_length(w, b, q, np.array([[1.0, c0], [c0, 1.0]]))
    analytic = 1 - _normalised(kernels.ntk(x, depth=_NTK_DEPTH, activation="erf", weight_std=w, bias_std=b))[0, 1]
    networks, batch = (400, 600, 4400)[ctx.budget.level], 20
    values = []
    for n in _NTK_WIDTHS:
        net = MLP((2,) + (n,) * (_NTK_DEPTH - 1) + (1,), "erf", w, b)
        rng = ctx.rng("width", n)
        gaps = [1 - _normalised(net.empirical_ntk(net.init(rng, batch), x))[:, 0, 1]
                for _ in range(networks // batch)]
        values.append(np.concatenate(gaps))
    return ctx.width_limit(f"erf sigma_w={w:g} sigma_b={b:g} c0={c0:g}: e_hat_{_NTK_DEPTH}", _NTK_WIDTHS, values,
                           float(analytic), rate=predict(statement, "fluctuation", {}), scale=float(analytic))


_FINITE_NTK_CHECK = NumericCheck(
    "finite-network-ntk",
    "1 − the normalised empirical NTK of two inputs (correlation c₀ at the fixed length q*) of finite erf "
    "MLPs of depth 4 (numeric.networks, NTK parameterisation) over 400 independent initialisations (600 at "
    "standard, 4400 at thorough) at widths 32, 64, 256: extrapolated limit against the library's analytic "
    "e_4 (the trend check library-ntk-over-depth fits), fluctuation exponent against the statement's",
    lambda budget: st.fixed_dictionaries({"weight_std": st.just(1.2), "bias_std": st.just(0.5),
                                          "c0": st.sampled_from((0.3, 0.6))}),
    _measure_finite_ntk, per_example=3, kind="width", examples=lambda budget: (1, 1, 2)[budget.level],
)


def _degeneracy_mutants():
    s = D.DEGENERACY
    return (
        Mutant("rate-doubled", r"rate $2\ln\chi_1$", s.with_rhs("rate", 2 * sp.log(D.CHI))),
        Mutant("no-secular-factor", r"$e_\ell \propto \chi_1^\ell$ (no factor $\ell$)",
               s.with_rhs("secular", sp.Integer(0))),
        Mutant("condition-shrinks", r"$\kappa_\ell \propto \chi_1^{\ell}$",
               s.with_rhs("condition rate", sp.log(D.CHI))),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


PLACE = 9
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    "Depth scales",
    "Two inputs sent through a deep network at initialisation have a correlation $c_\\ell$ that follows "
    "the correlation map of the dual activation at the fixed length $q^*$. Off the critical line "
    "$\\chi_1 = 1$ it reaches its fixed point $c^*$ geometrically, at the depth scale "
    "$\\xi_c = -1/\\ln\\chi_c$; on it (ReLU at $\\sigma_w^2 = 2$) only polynomially. These claims derive "
    "the maps from the dual claims and confirm them on finite deep networks.",
    "Poole et al. 2016; Schoenholz et al. 2017; Xiao et al. 2020; Hayou et al. 2019",
)
"""This family's title, introduction and sources, for the document."""

CLAIMS = (
    Claim("depth.erf_correlation_map",
          "erf without bias: the correlation map, its slope χ_c = 4σ_w²/(π(1+2q)) and the transition at σ_w² = π/4",
          "Poole et al. 2016; Schoenholz et al. 2017", D.ERF_MAP, D.derive_erf_map,
          checks=(_LIBRARY_CHECK, _NETWORK_CHECK), mutants=_erf_mutants(),
          uses=("dual.erf", "dual.erf_prime")),
    Claim("depth.exponential_approach",
          "Off the critical line c_ℓ approaches c* geometrically: log|c_ℓ − c*| falls by ln χ_c per layer",
          "Schoenholz et al. 2017", D.APPROACH, D.derive_approach,
          checks=(_APPROACH_CHECK,), mutants=_approach_mutants()),
    Claim("depth.relu_critical",
          "Critical relu (σ_w² = 2, σ_b = 0): correlations approach 1 polynomially, 1 − c_ℓ ~ 9π²/(2ℓ²)",
          "Schoenholz et al. 2017; Hayou et al. 2019", D.RELU_CRITICAL, D.derive_relu_critical,
          checks=(_RELU_RECURSION_CHECK, _RELU_NETWORK_CHECK), mutants=_relu_mutants(), uses=("dual.relu",)),
    Claim("depth.max_effective_depth",
          "Past L_max = ξ_c ln(√n A/(zτ)) two inputs' correlation is lost in the finite-width noise; L_max grows "
          "by ξ_c/2 per unit of ln n",
          "Schoenholz et al. 2017", D.MAX_DEPTH, D.derive_max_depth,
          checks=(_MAX_DEPTH_CHECK,), mutants=_max_depth_mutants(), uses=("depth.exponential_approach",)),
    Claim("depth.ntk_degeneracy",
          "Ordered phase: the normalised NTK Gram tends to a constant matrix, 1 − Θ̂ ~ ℓχ₁^ℓ, its condition number "
          "grows like χ₁^{−ℓ}/ℓ",
          "Xiao et al. 2020; Schoenholz et al. 2017", D.DEGENERACY, D.derive_degeneracy,
          checks=(_DEGENERACY_CHECK, _FINITE_NTK_CHECK), mutants=_degeneracy_mutants(),
          uses=("depth.exponential_approach",)),
)
