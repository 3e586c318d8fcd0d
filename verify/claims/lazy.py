"""Claims of the lazy-training family (Rajat V. D., "Understanding the Neural Tangent Kernel",
2019; Chizat, Oyallon & Bach 2019): statements from
:mod:`derivations.lazy`, measurements on finite ReLU networks (:mod:`numeric.hessian`,
:mod:`numeric.lazy`) and on the blog's one-weight model (:mod:`numeric.toy_model`).

Conventions: networks of :mod:`numeric.networks` (depth L = number of affine layers, NTK or
standard parameterisation, σ_b = 0), ReLU; norms as in :mod:`derivations.lazy`.

Figure data (``CheckResult.data``, in the shapes of :mod:`verify.figdata`, all "series"):

* ``kappa_vs_alpha`` (lazy.kappa_alpha): one network swept over α, log-log: κ_α measured
  with and without the zero-output construction (points) and the statement's relations
  (lines), with the large-α limit of the general one.
* ``toy_losses``, ``toy_losses_lazy_scale``, ``toy_minimiser`` (lazy.toy_model): the
  normalised losses L_α(w)/α² and their linearisations for α = 2, 100 (ȳ = 1); the losses
  at w = w₀ + s/α for α = 2, 5, 20, 100 with the α-independent linearised one; the minimiser's
  offset w*_α − w₀ against α beside ȳ/(α f'(w₀)).
* ``kappa_vs_width/<parameterization>/L<depth>`` (lazy.kappa_width, depth 2 and 3): κ =
  mean ‖∇²y‖ / mean ‖∇y‖² (‖ȳ‖ = 1) against n (points, 1 SE), the fitted line (slope ± SE
  in the label) and the derived exponent's line through the points' centre.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp
from hypothesis import assume, strategies as st

from derivations import lazy
from numeric import ensembles, toy_model
from numeric.hessian import OutputHessian, dense_norm
from numeric.lazy import Linearization, differences, inverse_relative_scale, kink_free_radius
from numeric.networks import MLP, PARAMETERIZATIONS
from numeric.stats import loglog_slope

from .. import figdata
from ..checks import predict, predictor
from ..claim import Claim, Mutant, NumericCheck
from ..results import Comparison

__all__ = ["CLAIMS"]

_SOURCE = "rajatvd2019; chizat2019"
_EPS = float(np.finfo(float).eps)
_TOL = 1e-12
"""Relative accuracy asked of the Lanczos eigenvalues where results are compared exactly."""


def _config(config) -> tuple:
    return tuple((str(k), v) for k, v in config.items())


def _unit_rows(rng: np.random.Generator, count: int, dim: int) -> np.ndarray:
    rows = rng.standard_normal((count, dim))
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def _network(config, ctx, inputs: int, dim: int = 3):
    """The configuration's ReLU network, its initial parameters and ``inputs`` unit inputs."""
    net = MLP([dim] + [config["width"]] * (config["depth"] - 1) + [1],
              parameterization=config["parameterization"])
    rng = ctx.rng("network")
    return net, net.init(rng), _unit_rows(rng, inputs, dim)


# ------------------------------------------------------------------ lazy.kappa_alpha

_TARGET = np.array([1.0, -0.5])
_ALPHA_SWEEP = np.logspace(-2, 3, 6)


def _kappa_point(kappa) -> dict:
    """The statement's coordinates measured on the unscaled model."""
    r0 = float(np.linalg.norm(kappa.outputs))
    rbar = float(np.linalg.norm(_TARGET))
    cosine = float(kappa.outputs @ _TARGET) / (r0 * rbar) if r0 > 0 else 0.0
    return {lazy.R0: r0, lazy.Rbar: rbar, lazy.rho: cosine, lazy.G: kappa.jacobian, lazy.Hn: kappa.hessian}


@dataclass(frozen=True)
class _Scaled:
    """κ_α measured on the α-scaled model αy, built as its own function and differentiated
    by central differences of its values (:func:`numeric.lazy.differences`); ``relative``
    is the rounding model's relative error of κ_α (see :func:`_scaled`)."""

    zero: float
    general: float
    residual: float
    relative: float


def _scaled(net, params, x, alpha_value) -> _Scaled:
    """κ_α of αy with the zero-output construction (residual ‖ȳ‖) and without it (‖αy(w₀) − ȳ‖).

    The derivatives come from values of αy alone, so no α-law is assumed: ‖∇(αy)‖ is the
    largest singular value of the difference Jacobian and ‖∇²(αy)‖ the dense operator norm
    (:func:`numeric.hessian.dense_norm`) of the difference Hessians.  Rounding model (Higham,
    ch. 3): each value is a forward pass of ≤ P operations, off by ≤ P eps S with S the
    largest |αy| evaluated; a second difference divides 4 such errors by 4h², a first
    difference 2 by 2h; the P×P error matrix has 2-norm ≤ P times its largest entry and the
    N×P one ≤ √(NP) times; relative to the measured norms (κ has ‖∇(αy)‖²).
    """
    d = differences(net, params, x, scale=alpha_value)
    jacobian = float(np.linalg.svd(d.jacobian, compute_uv=False)[0])
    hessian = dense_norm(d.hessians)
    dim = net.n_params
    value_error = dim * _EPS * d.size
    relative = (dim * value_error / d.step**2 / hessian
                + 2 * math.sqrt(d.jacobian.size) * value_error / d.step / jacobian)
    residual = float(np.linalg.norm(d.values - _TARGET))
    ratio = hessian / jacobian**2
    return _Scaled(float(np.linalg.norm(_TARGET)) * ratio, residual * ratio, residual, relative)


def _alpha_measure(statement, config, ctx):
    """κ_α measured on the α-scaled model against the statement at the norms of the unscaled
    network, which come from another computation (empirical NTK, Lanczos on exact
    Hessian-vector products: :func:`numeric.lazy.inverse_relative_scale` at α = 1)."""
    net, params, x = _network(config, ctx, inputs=2)
    base = inverse_relative_scale(net, params, x, _TARGET, centred=False, rng=ctx.rng("lanczos"), tol=_TOL)
    point = _kappa_point(base)
    # kappa needs a non-zero gradient and curvature: a narrow ReLU net whose units are all
    # dead at the inputs is outside the statement's domain (0/0, or 0 = 0 proving nothing).
    assume(point[lazy.G] > 0 and point[lazy.Hn] > 0)
    alpha_value = 10.0 ** config["log10_alpha"]
    scaled = _scaled(net, params, x, alpha_value)
    coordinates = {**point, lazy.alpha: alpha_value}
    # The reference side: P-term sums (Higham) and the eigen-solver's tolerance.
    relative = scaled.relative + math.hypot(net.n_params * _EPS, _TOL)
    cancellation = (alpha_value * point[lazy.R0] + point[lazy.Rbar]) / scaled.residual
    out = []
    for label, value, name, condition in (("kappa_alpha with y(w0) = 0", scaled.zero, "zero_output", 1.0),
                                          ("kappa_alpha", scaled.general, "general", cancellation)):
        prediction = predict(statement, name, coordinates)
        out.append(ctx.compare(label, value, condition * relative * abs(value), prediction, samples=1))
    if config.get("sweep"):
        _record_alpha_sweep(statement, net, params, x, point, ctx)
    return tuple(out)


def _record_alpha_sweep(statement, net, params, x, point, ctx) -> None:
    measured = [_scaled(net, params, x, float(a)) for a in _ALPHA_SWEEP]
    args = (lazy.alpha, lazy.R0, lazy.Rbar, lazy.rho, lazy.G, lazy.Hn)
    values = [point[s] for s in args[1:]]
    fine = np.logspace(-2, 3, 61)
    exact = {name: np.broadcast_to(predictor(statement[name], args)(fine, *values), fine.shape)
             for name in ("zero_output", "general")}
    limit = predict(statement, "large_alpha", {s: point[s] for s in args[1:]})
    ctx.record("kappa_vs_alpha", figdata.series(
        r"$\kappa_\alpha$ of one network (2 inputs) against the output scale $\alpha$", r"$\alpha$",
        r"$\kappa_\alpha(w_0)$", [
            figdata.curve(r"$y(w_0) = 0$: $\kappa_1/\alpha$", fine, exact["zero_output"]),
            figdata.curve(r"$y(w_0) = 0$: measured", _ALPHA_SWEEP, [m.zero for m in measured], style="points"),
            figdata.curve(r"$y(w_0) \ne 0$: general relation", fine, exact["general"]),
            figdata.curve(r"$y(w_0) \ne 0$: measured", _ALPHA_SWEEP, [m.general for m in measured], style="points"),
            figdata.curve(r"limit $\|y_0\|\|\nabla^2 y\|/\|\nabla y\|^2$", fine[[0, -1]], [limit, limit]),
        ], logx=True, logy=True))


def _alpha_configs(budget):
    return st.fixed_dictionaries({
        "log10_alpha": st.floats(-2.0, 3.0),
        "parameterization": st.sampled_from(PARAMETERIZATIONS),
        "depth": st.sampled_from((2, 3)),
        "width": st.integers(4, 8),
        "seed": st.integers(0, 2**16),
    })


_ALPHA_CHECK = NumericCheck(
    "exact-scaling-on-networks",
    "Networks of one or two hidden layers (ReLU, 2 unit inputs in R^3, target (1, -1/2)): "
    "kappa_alpha of the alpha-scaled model alpha*y, its Jacobian and Hessian measured by central "
    "differences of its values (exact for ReLU at a fixed activation pattern; dense norms), with "
    "and without the zero-output construction, against the statement at the norms of the "
    "unscaled network from another computation (empirical NTK; Lanczos on exact Hessian-vector "
    "products); deterministic, SE = rounding model of the differences, P-term sums and the "
    "eigen-solver tolerance",
    _alpha_configs, _alpha_measure, per_example=2, examples=lambda budget: 2 + 2 * budget.level,
    explicit=({"log10_alpha": 1.5, "parameterization": "ntk", "depth": 2, "width": 8, "seed": 1, "sweep": True},
              {"log10_alpha": -1.5, "parameterization": "standard", "depth": 3, "width": 6, "seed": 2}),
)


def _alpha_mutants():
    s, rhs = lazy.KAPPA_ALPHA, lazy.KAPPA_ALPHA["general"].rhs
    return (
        Mutant("kappa-over-alpha-squared", r"$\kappa_\alpha = \kappa_1/\alpha^2$ with $y(w_0) = 0$",
               s.with_rhs("zero_output", s["zero_output"].rhs / lazy.alpha)),
        Mutant("hessian-not-scaled", r"$\|\nabla^2(\alpha y)\| = \|\nabla^2 y\|$ (the Hessian's factor $\alpha$ dropped)",
               s.with_rhs("general", rhs / lazy.alpha)),
        Mutant("residual-not-scaled", r"$\|y(w_0) - \bar y\|$ in place of $\|\alpha y(w_0) - \bar y\|$",
               s.with_rhs("general", rhs.subs(lazy.alpha**2 * lazy.R0**2, lazy.R0**2)
                          .subs(2 * lazy.alpha * lazy.rho * lazy.R0 * lazy.Rbar, 2 * lazy.rho * lazy.R0 * lazy.Rbar))),
        Mutant("kappa-vanishes-anyway", r"$\kappa_\alpha \to 0$ even when $y(w_0) \ne 0$",
               s.with_rhs("large_alpha", 0 * lazy.Hn)),
    )


# ------------------------------------------------------------------ lazy.toy_model

_LOSS_ALPHAS = (2.0, 5.0, 20.0, 100.0)
_NEAR_ALPHAS = (2.0, 100.0)
_LOSS_TARGET = 1.0


def _toy_measure(statement, config, ctx):
    alpha_value, target = 10.0 ** config["log10_alpha"], config["ybar"]
    coordinates = {lazy.alpha: alpha_value, lazy.ybar: target, lazy.s: 0.0}
    offset = toy_model.minimiser_offset(alpha_value, target)
    # Brent's root to 4 eps relative, f(w0 + d) = g(w0 + d) d evaluated to ~16 eps; the
    # series' omitted term, (ybar/alpha)^4-small, is below that for alpha >= 1e6.
    root = ctx.exact("minimiser offset w* - w0", offset, predict(statement, "minimiser", coordinates),
                     operations=16)
    measured = _toy_kappa(statement, ctx, alpha_value, target, coordinates)
    if config.get("figure"):
        _record_loss_curves(ctx)
    return root, measured


_CIRCLE = {"radius": 0.5, "points": 64}


def _toy_kappa(statement, ctx, alpha_value, target, coordinates):
    """κ_α = |g(w₀) − ȳ| |g''(w₀)| / g'(w₀)² of the α-scaled model g = α f, built as its own
    function: g(w₀) evaluated, g' and g'' from g's values on a circle around w₀
    (:func:`numeric.toy_model.circle_derivatives`, no α-law and no closed-form derivative
    used).  Rounding model: each derivative off by about M eps max|g| k!/r^k on the circle
    (M points, radius r), the value by eps |g(w₀)|; relative errors added, the first
    derivative's twice."""
    scaled = lambda w: alpha_value * toy_model.model(w)  # noqa: E731
    _, first, second = toy_model.circle_derivatives(scaled, toy_model.W0, 3, **_CIRCLE)
    value = float(scaled(toy_model.W0))
    kappa = abs(value - target) * abs(second) / first**2
    theta = np.linspace(0.0, 2 * math.pi, _CIRCLE["points"], endpoint=False)
    size = float(np.abs(scaled(toy_model.W0 + _CIRCLE["radius"] * np.exp(1j * theta))).max())
    error = [_CIRCLE["points"] * _EPS * size * math.factorial(k) / _CIRCLE["radius"] ** k for k in (1, 2)]
    relative = 2 * error[0] / abs(first) + error[1] / abs(second) + _EPS * abs(value) / abs(value - target)
    return ctx.compare("kappa_alpha of the scaled model alpha*f", kappa, relative * kappa,
                       predict(statement, "kappa", coordinates), samples=1)


def _record_loss_curves(ctx) -> None:
    """The blog's figures: normalised losses near w0, the same on the lazy scale w0 + s/alpha,
    and the minimiser's distance to w0 against alpha."""
    w = np.linspace(-0.2, 1.0, 121)
    s = np.linspace(-1.5, 1.5, 61)
    near, lazy_scale = [], []
    for a in _LOSS_ALPHAS:
        if a in _NEAR_ALPHAS:
            true, lin = toy_model.losses(a, _LOSS_TARGET, w)
            near += [figdata.curve(rf"$\alpha = {a:g}$", w, true / a**2),
                     figdata.curve(rf"$\alpha = {a:g}$, linearised", w, lin / a**2)]
        lazy_scale.append(figdata.curve(rf"$\alpha = {a:g}$", s, toy_model.losses(a, _LOSS_TARGET, toy_model.W0 + s / a)[0]))
    lazy_scale.append(figdata.curve("linearised (every alpha)", s,
                                    toy_model.losses(1.0, _LOSS_TARGET, toy_model.W0 + s)[1]))
    ctx.record("toy_losses", figdata.series(
        rf"Normalised losses $L_\alpha(w)/\alpha^2$, $\bar y = {_LOSS_TARGET:g}$", "$w$", r"$L/\alpha^2$", near))
    ctx.record("toy_losses_lazy_scale", figdata.series(
        r"Losses at $w = w_0 + s/\alpha$: the true ones approach the linearised one", "$s$",
        r"$L_\alpha(w_0 + s/\alpha)$", lazy_scale))
    alphas = np.logspace(1, 9, 17)
    offsets = [toy_model.minimiser_offset(float(a), _LOSS_TARGET) for a in alphas]
    ctx.record("toy_minimiser", figdata.series(
        r"Distance of the minimiser from $w_0$: $O(1/\alpha)$", r"$\alpha$", r"$w^*_\alpha - w_0$", [
            figdata.curve("root of alpha f(w) = ybar", alphas, offsets, style="points"),
            figdata.curve(r"$\bar y/(\alpha f'(w_0))$", alphas, _LOSS_TARGET / (alphas * toy_model.derivatives()[0])),
        ], logx=True, logy=True))


_TOY_CHECK = NumericCheck(
    "root-finding-on-the-toy-model",
    "The blog's one-weight model in numpy: the minimiser of the alpha-scaled loss by Brent's "
    "method (offset from w0 kept exact) against the statement's expansion to (ybar/alpha)^3, "
    "and kappa_alpha of the scaled model alpha*f with its derivatives from values on a circle "
    "(Cauchy's formula), for alpha in [1e6, 1e9]; deterministic, SE = rounding model",
    lambda budget: st.fixed_dictionaries({
        "log10_alpha": st.floats(6.0, 9.0),
        "ybar": st.one_of(st.floats(-2.0, -0.1), st.floats(0.1, 2.0)),
    }),
    _toy_measure, per_example=2,
    explicit=({"log10_alpha": 6.0, "ybar": 1.0, "figure": True},),
)


def _toy_mutants():
    s = lazy.TOY
    f1, f2, _ = lazy.TOY_F
    t = lazy.ybar / lazy.alpha
    return (
        Mutant("offset-order-alpha-squared", r"$w^*_\alpha - w_0 = O(\alpha^{-2})$: every term one power of $1/\alpha$ smaller",
               s.with_rhs("minimiser", s["minimiser"].rhs / lazy.alpha)),
        Mutant("second-order-sign", r"the $\alpha^{-2}$ term of the minimiser with its sign flipped",
               s.with_rhs("minimiser", s["minimiser"].rhs + f2 * t**2 / f1**3)),
        Mutant("offset-coefficient-2", r"leading coefficient $2\bar y/f'(w_0)$",
               s.with_rhs("leading_coefficient", 2 * s["leading_coefficient"].rhs)),
        Mutant("kappa-over-alpha-squared", r"$\kappa_\alpha \propto 1/\alpha^2$",
               s.with_rhs("kappa", s["kappa"].rhs / lazy.alpha)),
        Mutant("kappa-constant-1pct", r"$\kappa_\alpha$ 1% larger",
               s.with_rhs("kappa", s["kappa"].rhs * sp.Rational(101, 100))),
        Mutant("loss-gap-order-one", r"a linearisation error of order 1: the loss gap without its $1/\alpha$",
               s.with_rhs("loss_gap", s["loss_gap"].rhs * lazy.alpha)),
    )


# ------------------------------------------------------------------ lazy.kappa_width

_DEEP_WIDTHS = {"ntk": (32, 64, 128, 256), "standard": (64, 128, 256, 512)}
_SHALLOW_WIDTHS = (256, 1024, 4096, 16384)
_SEEDS = {0: (128, 8), 1: (256, 10), 2: (2048, 40)}
"""(initialisations for ‖∇y‖² at the smallest width, for ‖∇²y‖ at every width), by budget level.
The relative spread of ‖∇y‖² falls like n^{-1/2}, so wider nets need proportionally fewer
initialisations for the same SE (at least 16).  With one hidden layer, one input in R^1 and
σ_b = 0, ‖∇²y‖ does not depend on the initialisation (it is σ_w²|x|/√n, resp. √(x² + 1), once
a unit is active), so two initialisations suffice there."""
_WIDTH_TOL = 1e-3
"""Relative accuracy asked of the Lanczos eigenvalue (a bound from the solver's stopping rule,
Golub & Van Loan, ch. 10, not a standard error), added in quadrature to the SE of each log
Hessian norm; far below the spread over initialisations."""


def _widths(parameterization: str, depth: int) -> tuple[int, ...]:
    """Widths where the sub-leading terms of the scaling argument change the slope by < 0.02:
    wider two-hidden-layer nets in the standard parameterisation, whose first-layer Hessian
    blocks enter ‖∇²y‖² at relative order ~4/n."""
    return _SHALLOW_WIDTHS if depth == 2 else _DEEP_WIDTHS[parameterization]


def _width_statistics(config, ctx):
    """Per width: mean ‖∇y‖² and mean ‖∇²y‖ with the SEs of their logs, from independent inits."""
    p, depth = config["parameterization"], config["depth"]
    x = np.array([[config["input"]]])
    base, n_hessian = _SEEDS[ctx.budget.level]
    n_hessian = n_hessian if depth > 2 else 2
    widths = _widths(p, depth)
    rows = []
    for n in widths:
        n_jacobian = max(16, base * widths[0] // n)
        net = MLP([1] + [n] * (depth - 1) + [1], weight_std=config["weight_std"], parameterization=p)
        ntk = ensembles.sample_ntks(net, x, n_networks=n_jacobian, rng=ctx.rng("jacobian", n))[:, 0, 0]
        norms = []
        for k in range(n_hessian):
            rng = ctx.rng("hessian", n, k)
            norms.append(OutputHessian(net, net.init(rng), x).norm(rng, tol=_WIDTH_TOL).value)
        norms = np.array(norms)
        rows.append((n, ntk.mean(), ntk.std(ddof=1) / (ntk.mean() * math.sqrt(n_jacobian)), norms.mean(),
                     math.hypot(norms.std(ddof=1) / (norms.mean() * math.sqrt(n_hessian)), _WIDTH_TOL)))
    return np.array(rows).T


def _width_measure(statement, config, ctx):
    p, depth = config["parameterization"], config["depth"]
    widths, jacobian, jacobian_se, hessian, hessian_se = _width_statistics(config, ctx)
    fit_j = loglog_slope(widths, jacobian, jacobian_se)
    fit_h = loglog_slope(widths, hessian, hessian_se)
    exponent = {q: predict(statement, lazy.exponent_name(p, depth, q), {}) for q in ("jacobian", "hessian", "kappa")}
    slope = float(fit_h.coef[1] - fit_j.coef[1])
    slope_se = math.hypot(fit_h.se(1), fit_j.se(1))
    scale = abs(exponent["kappa"])
    tag = _config(config) + (("widths", tuple(int(w) for w in widths)),)
    samples = len(widths) * (_SEEDS[ctx.budget.level][1] if depth > 2 else 2)
    if config.get("figure"):
        _record_width_figure(ctx, p, depth, widths, hessian / jacobian, np.hypot(hessian_se, jacobian_se),
                             (float(fit_h.coef[0] - fit_j.coef[0]), slope, slope_se), exponent["kappa"])
    return (
        *ctx.exponent(("exponent of kappa", "exponent of kappa differs from 0"), slope, slope_se, exponent["kappa"],
                      config=tag, samples=samples),
        Comparison("exponent of the Hessian norm", tag,
                   ctx.test(float(fit_h.coef[1]), fit_h.se(1), exponent["hessian"], scale=scale, kind="rate"), samples),
        Comparison("exponent of the squared Jacobian norm", tag,
                   ctx.test(float(fit_j.coef[1]), fit_j.se(1), exponent["jacobian"], scale=scale, kind="rate"), samples),
    )


def _record_width_figure(ctx, p, depth, widths, kappa, log_se, fit, exponent) -> None:
    """κ against n at one parameterisation and depth, with the fitted and the derived lines."""
    intercept, slope, slope_se = fit
    fine = np.geomspace(widths[0], widths[-1], 20)
    anchor = np.exp(np.mean(np.log(kappa)) - exponent * np.mean(np.log(widths)))
    hidden = f"{depth - 1} hidden layer{'s' if depth > 2 else ''}"
    ctx.record(f"kappa_vs_width/{p}/L{depth}", figdata.series(
        rf"$\kappa$ against width, {p} parameterisation, {hidden} (ReLU, $\|\bar y\| = 1$)",
        "$n$", r"$\kappa(w_0)$", [
            figdata.curve("measured", widths, kappa, yerr=kappa * log_se, style="points"),
            figdata.curve(f"fitted slope {slope:.3f} ± {slope_se:.3f}", fine, np.exp(intercept) * fine**slope),
            figdata.curve(f"derived exponent {exponent:g}", fine, anchor * fine**exponent),
        ], logx=True, logy=True))


_WIDTH_CHECK = NumericCheck(
    "slopes-against-width",
    "ReLU networks with one or two hidden layers of width n, one input x in R^1, sigma_b = 0: "
    "log-log slopes (WLS, SEs from independent initialisations) of the mean squared Jacobian "
    "norm (many inits, empirical NTK) and of the mean Hessian operator norm (Lanczos on exact "
    "HVPs); the exponent of kappa = ||ybar|| ||H|| / ||J||^2 is their difference, z-tested "
    "against the derived exponents and required to differ from 0",
    lambda budget: st.fixed_dictionaries({
        "parameterization": st.sampled_from(PARAMETERIZATIONS), "depth": st.just(2),
        "weight_std": st.floats(1.0, 2.0), "input": st.floats(2.0, 4.0)}),
    _width_measure, per_example=4, kind="rate", examples=lambda budget: 1,
    explicit=tuple({"parameterization": p, "depth": depth, "weight_std": 1.0, "input": 3.0, "figure": True}
                   for p, depth in lazy.CONFIGURATIONS),
)


def _width_mutants():
    s, name = lazy.KAPPA_WIDTH, lazy.exponent_name
    return (
        Mutant("ntk-exponent-minus-one", r"NTK parameterisation, one hidden layer: $\kappa \propto n^{-1}$",
               s.with_rhs(name("ntk", 2, "kappa"), sp.Integer(-1))),
        Mutant("standard-like-ntk", r"standard parameterisation, one hidden layer: $\kappa \propto n^{-1/2}$",
               s.with_rhs(name("standard", 2, "kappa"), sp.Rational(-1, 2))),
        Mutant("standard-two-hidden-minus-one", r"standard parameterisation, two hidden layers: "
               r"$\kappa \propto n^{-1}$ as with one",
               s.with_rhs(name("standard", 3, "kappa"), sp.Integer(-1))),
        Mutant("ntk-hessian-flat", r"NTK parameterisation, two hidden layers: $\|\nabla^2 y\| \propto n^0$",
               s.with_rhs(name("ntk", 3, "hessian"), sp.Integer(0))),
    )


# ------------------------------------------------------------------ lazy.linearization

_DIRECTIONS = 3
_RADII = 6


def _remainder_comparisons(statement, config, ctx, net, params, x, lin):
    """Slope and size of ‖f − f_lin‖ at radii below the first kink, along random directions."""
    remainder = predictor(statement["remainder"], (lazy.Q, lazy.r))
    logs_r, measured, predicted, condition = [], [], [], []
    for v in _unit_rows(ctx.rng("directions"), _DIRECTIONS, net.n_params):
        radii = min(kink_free_radius(net, params, x, v), 1.0) * 0.5 ** np.arange(1, _RADII + 1)
        thetas = lin.theta0 + radii[:, None] * v
        gap = np.linalg.norm(lin.remainder(thetas), axis=-1)
        scale = 2 * np.linalg.norm(lin.apply(thetas), axis=-1) + gap
        logs_r.append(np.log(radii))
        measured.append(gap)
        predicted.append(np.broadcast_to(remainder(np.linalg.norm(lin.curvature(v)), radii), radii.shape))
        condition.append(scale / gap)
    logs_r, measured, predicted, condition = map(np.array, (logs_r, measured, predicted, condition))
    centred = logs_r - logs_r.mean(axis=1, keepdims=True)
    slope = lambda values: float(np.mean(np.sum(centred * np.log(values), axis=1) / np.sum(centred**2, axis=1)))
    # A relative error e_k of each gap moves the least-squares slope by <= sum|l_k - mean| e_k / sum (l_k - mean)^2.
    slope_condition = float(np.max(np.sum(np.abs(centred), axis=1) * condition.max(axis=1) / np.sum(centred**2, axis=1)))
    return (
        ctx.exact("fitted slope of the remainder", slope(measured), slope(predicted), scale=1.0,
                  operations=net.n_params, condition=slope_condition),
        ctx.exact("remainder summed over radii and directions", float(measured.sum()), float(predicted.sum()),
                  operations=net.n_params, condition=float(condition.max())),
    )


def _linear_measure(statement, config, ctx):
    net, params, x = _network({**config, "depth": 2}, ctx, inputs=2)
    lin = Linearization(net, params, x)
    kernel = lin.kernel()
    theta_w = lin.theta0 + _unit_rows(ctx.rng("displacement"), 1, net.n_params)[0]
    ntk0 = net.empirical_ntk(params, x)
    prediction = predictor(statement["kernel"], (lazy.Theta0, lazy.Theta_w))(
        ntk0, net.empirical_ntk(net.unflatten(theta_w), x))
    prediction = np.broadcast_to(prediction, kernel.shape)
    i, j = np.unravel_index(np.argmax(np.abs(kernel - prediction)), kernel.shape)
    scale = float(np.max(np.abs(np.diag(ntk0))))
    return _remainder_comparisons(statement, config, ctx, net, params, x, lin) + (
        ctx.exact("kernel of the linearised model (worst entry)", float(kernel[i, j]), float(prediction[i, j]),
                  scale=scale, operations=2 * net.n_params),)


_LINEAR_CHECK = NumericCheck(
    "one-hidden-layer-relu-networks",
    "ReLU networks with one hidden layer (2 unit inputs in R^3): along random unit directions, at "
    "radii below the first activation change (where f is exactly quadratic in the weights), the "
    "remainder ||f - f_lin|| (f_lin by forward-mode Jacobian-vector products) against the statement "
    "with ||grad^2 y[v, v]|| from second-order forward mode: fitted log-log slope and size; the "
    "linearised model's kernel (features by forward mode) against the statement with the empirical "
    "NTK (backward, layer-wise) at w0 and at a displaced w; deterministic, SE = rounding",
    lambda budget: st.fixed_dictionaries({
        "parameterization": st.sampled_from(PARAMETERIZATIONS), "width": st.integers(4, 24),
        "seed": st.integers(0, 2**16)}),
    _linear_measure, per_example=3,
    explicit=({"parameterization": "ntk", "width": 16, "seed": 0},
              {"parameterization": "standard", "width": 16, "seed": 0}),
)


def _linear_mutants():
    s = lazy.LINEARIZATION
    rhs = s["remainder"].rhs
    return (
        Mutant("remainder-order-one", "a linearisation error of order 1 (not vanishing with r)",
               s.with_rhs("remainder", lazy.Q / 2)),
        Mutant("remainder-linear", r"$\|f - f_{\mathrm{lin}}\| = O(r)$", s.with_rhs("remainder", rhs / lazy.r)),
        Mutant("remainder-cubic", r"$\|f - f_{\mathrm{lin}}\| = O(r^3)$", s.with_rhs("remainder", rhs * lazy.r)),
        Mutant("remainder-missing-half", r"coefficient $\|\nabla^2 y[v, v]\|$ without the $\tfrac12$",
               s.with_rhs("remainder", 2 * rhs)),
        Mutant("kernel-at-w", r"the kernel of the linearised model is the NTK at $w$, not at $w_0$",
               s.with_rhs("kernel", lazy.Theta_w)),
        Mutant("kernel-doubled", r"twice the empirical NTK", s.with_rhs("kernel", 2 * lazy.Theta0)),
    )


PLACE = 4
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Lazy training',
    'A model scaled by $\\alpha$ trains in the lazy regime when its inverse relative scale'
    ' $\\kappa_\\alpha$ is small: the model then stays close to its linearisation, whose '
    'kernel is the empirical NTK. This family derives how $\\kappa$ scales with $\\alpha$ '
    'and with the width, and checks the toy model of the blog post.',
    'Chizat, Oyallon & Bach 2019; rajatvd2019',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("lazy.kappa_alpha", "The inverse relative scale of the alpha-scaled model: kappa_alpha = kappa_1/alpha",
          _SOURCE, lazy.KAPPA_ALPHA, lazy.derive_kappa_alpha, checks=(_ALPHA_CHECK,), mutants=_alpha_mutants()),
    Claim("lazy.toy_model", "The blog's one-weight model: kappa_alpha, the minimiser's approach to w0, "
          "and the convergence of the true and linearised losses", "rajatvd2019", lazy.TOY, lazy.derive_toy,
          checks=(_TOY_CHECK,), mutants=_toy_mutants(), uses=("lazy.kappa_alpha",)),
    Claim("lazy.kappa_width", "Width exponents of the Jacobian norm, the Hessian norm and kappa",
          _SOURCE + "; Liu, Zhu & Belkin 2020", lazy.KAPPA_WIDTH, lazy.derive_kappa_width,
          checks=(_WIDTH_CHECK,), mutants=_width_mutants(), uses=("lazy.kappa_alpha", "dual.relu", "dual.step")),
    Claim("lazy.linearization", "The linearised model: quadratic remainder and the empirical NTK as its kernel",
          _SOURCE, lazy.LINEARIZATION, lazy.derive_linearization, checks=(_LINEAR_CHECK,),
          mutants=_linear_mutants()),
)
