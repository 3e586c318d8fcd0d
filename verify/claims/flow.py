"""Claims of the training-dynamics family (``flow.*``): function-space gradient flow, its linear
solution and spectral decay, discrete GD, the cost's decrease, kernel regression and the GP
posterior mean, the minimum-norm limit, and how wide trained networks approach all of it.

Statements and derivations: :mod:`derivations.flow`, :mod:`derivations.regression`,
:mod:`derivations.widths`.  Numeric checks train networks with :mod:`numeric.training`
(full-batch GD on 1/2 ||f(X) - y||^2, a sum over the training points; time t = eta k;
every learning rate and step count is stated in the check's description), in the NTK
parameterisation on inputs on the unit sphere, and compare with predictions lambdified
from the statements.  Limits in width use two patterns:

* X_n -> X (a rate ratio -> 1): E[X_n] = X + b/n fitted over >= 3 widths by weighted least
  squares over seeds, the intercept z-tested, kind "width";
* X_n -> 0 (a kernel change, a gap): the fluctuation pattern of ``Context.width_limit``
  does not fit a quantity whose mean itself vanishes like n^r, so the log-log slope of the
  quantity itself is fitted (mean of log X over seeds per width, its standard error from
  their spread, WLS across widths) and z-tested against the statement's derived exponent
  (kind "rate"), and separately required to differ from 0.

Simulations do not depend on the statement, only on the run seed, the configuration and
the budget; a mutant draws the same configurations and random streams as its claim, so
the trained networks are kept (a small per-process cache) and only the predictions are
recomputed.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import flow as F
from derivations import regression as R
from derivations import widths as W
from derivations.spectral import N, MatrixExp
from numeric import kernels, montecarlo
from numeric.eigenmodes import train_modes
from numeric.linear_dynamics import least_squares_gd, linearised_flow, step_factors
from numeric.networks import MLP
from numeric.training import flow_derivative, train_gd

from .. import figdata
from ..checks import MARGIN, predictor
from ..claim import Claim, Mutant, NumericCheck
from ..results import Comparison
from ._flow_setting import (SMOOTH, _DATA, _SIGNS, _config, _data, _derived, _extrapolated, _level, _one,
                            _simulated, _sphere)
from ._flow_sweeps import KERNEL_CHANGE_CHECK, ODE_GAP_CHECK, REGRESSION_CHECK, WEIGHT_CHANGE_CHECK

__all__ = ["CLAIMS"]


# ------------------------------------------------------------------ trained networks, exactly
_NETWORK = {"points": st.integers(3, 5), "dim": st.integers(3, 5), "width": st.sampled_from((32, 64, 128)),
            "trained": st.integers(0, 20)}
_FINITE = st.fixed_dictionaries(_NETWORK)
_FINITE_TIME = st.fixed_dictionaries({**_NETWORK, "time": st.floats(0.2, 2.0)})


def _trained(ctx):
    """An erf network of the drawn width trained for the drawn number of GD steps (eta = 1/lambda_max of
    its Theta_0) on Gaussian targets at points of the unit sphere: (net, params, x, targets)."""
    rng = ctx.rng("data")
    x = _sphere(rng, ctx.config["points"], ctx.config["dim"])
    targets = rng.standard_normal(ctx.config["points"])
    net = MLP([x.shape[1], ctx.config["width"], 1], **SMOOTH)
    params = net.init(ctx.rng("init"))
    eta = 1.0 / np.linalg.eigvalsh(net.empirical_ntk(params, x))[-1]
    steps = ctx.config["trained"]
    trained = train_gd(net, params, x, targets, learning_rate=eta, n_steps=steps, params_at=(steps,)).params[steps]
    return net, trained, x, targets


def _outputs(net, x):
    return lambda params: net.apply(params, x)[..., 0]


def _ode_check(statement, config, ctx):
    """The outputs' velocity along the gradient flow, from output values only, against the stated
    -H(y - ybar) with H from the stated kernel relation at the network's Jacobian."""
    net, params, x, targets = _trained(ctx)
    y = net.apply(params, x)[:, 0]
    velocity, error = flow_derivative(net, params, x, (y - targets)[:, None], _outputs(net, x))
    kernel = predictor(statement["kernel"], (F.J,))(net.jacobian(params, x))
    predicted = predictor(statement["ode"], (F.H, F.Y, F.YBAR))(kernel, y[:, None], targets[:, None])[:, 0]
    return (ctx.compare("||dy/dt measured - stated||", float(np.linalg.norm(velocity - predicted)),
                        float(np.linalg.norm(error)), 0.0, samples=1, scale=float(np.linalg.norm(predicted))),)


ODE_CHECK = NumericCheck(
    "gradient-flow-velocity",
    f"erf networks (L = 2, width 32-128, sigma_w = {SMOOTH['weight_std']}, sigma_b = {SMOOTH['bias_std']}) on "
    "3-5 points of the unit sphere in dimension 3-5 with N(0, 1) targets, trained 0-20 GD steps (eta = "
    "1/lambda_max(Theta_0)); the outputs' velocity dy/dt along theta' = -grad L measured from output values "
    "alone (central differences along -grad L, Richardson-extrapolated; numeric.training.flow_derivative) "
    "against the stated -H(y - ybar), H from the stated kernel relation at the backpropagated Jacobian J. "
    "Deterministic: ||measured - stated|| is z-tested against 0 with the error bound of the extrapolated "
    "difference (Richardson's estimate plus the rounding model max(n_l) eps |y| / h) as its standard error; "
    "MDE relative to ||stated||",
    lambda budget: _FINITE, _ode_check)


def _solution_check(statement, config, ctx):
    """The linearised network's residual under gradient flow in its parameters against the stated e^{-tH} u_0."""
    net, params, x, targets = _trained(ctx)
    jacobian = net.jacobian(params, x)
    start = net.apply(params, x)[:, 0] - targets
    kernel = jacobian @ jacobian.T
    time = config["time"] / np.linalg.eigvalsh(kernel)[0]
    measured, error = linearised_flow(jacobian, start, np.array([time]))
    predicted = predictor(statement["solution"], (F.H, F.U0, F.t))(kernel, start[:, None], time)[:, 0]
    return (ctx.compare("||u(t) measured - stated||", float(np.linalg.norm(measured[0] - predicted)),
                        float(np.linalg.norm(error[0])), 0.0, samples=1, scale=float(np.linalg.norm(start))),)


SOLUTION_CHECK = NumericCheck(
    "linearised-network",
    f"erf networks (L = 2, width 32-128, sigma_w = {SMOOTH['weight_std']}, sigma_b = {SMOOTH['bias_std']}) on "
    "3-5 points of the unit sphere in dimension 3-5, trained 0-20 GD steps on N(0, 1) targets; the network "
    "linearised there, u(w) = u_0 + J(w - w_0) (constant H = JJ^T), is integrated under gradient flow in "
    "its P parameters (Dormand-Prince order 8, rtol 1e-10; numeric.linear_dynamics.linearised_flow) up to "
    "t = 0.2-2 / lambda_min(H) and compared with the stated u(t) at H = JJ^T.  Deterministic: ||measured - "
    "stated|| is z-tested against 0 with the difference from a run at rtol 1e-8 as its standard error (an "
    "error bound); MDE relative to ||u_0||",
    lambda budget: _FINITE_TIME, _solution_check)


def _logistic(f, y):
    """c(f, y) = log(1 + e^{-y f}) for labels y = +-1."""
    return np.logaddexp(0.0, -y * f)


def _logistic_derivative(f, y):
    """d = dc/df = -y / (1 + e^{y f})."""
    return -y * np.exp(-np.logaddexp(0.0, y * f))


def _cost_check(statement, config, ctx):
    """dC/dt of the logistic cost along the network's gradient flow on C, from cost values only, against
    the stated rate with K the network's empirical NTK and d = dc/df."""
    net, params, x, targets = _trained(ctx)
    labels = np.sign(targets)
    points = x.shape[0]
    f = net.apply(params, x)[:, 0]
    d = _logistic_derivative(f, labels)
    rate, error = flow_derivative(net, params, x, (d / points)[:, None],
                                  lambda p: np.mean(_logistic(net.apply(p, x)[..., 0], labels), axis=-1))
    predicted = float(predictor(statement["rate"], (F.D, F.K, N))(d[:, None], net.empirical_ntk(params, x),
                                                                 points)[0, 0])
    return (ctx.compare("dC/dt", float(rate), float(error), predicted, samples=1, scale=abs(predicted)),)


COST_CHECK = NumericCheck(
    "network-cost-rate",
    f"erf networks (L = 2, width 32-128, sigma_w = {SMOOTH['weight_std']}, sigma_b = {SMOOTH['bias_std']}) on "
    "3-5 points of the unit sphere in dimension 3-5, trained 0-20 GD steps on N(0, 1) targets; the logistic "
    "cost C = (1/N) sum_j log(1 + exp(-y_j f(x_j))) with labels y_j = sign of the targets; gradient flow on C "
    "in parameters is kernel gradient descent with K the empirical NTK (Jacot et al. 2018, Sec. 3).  dC/dt "
    "measured from cost values alone (central differences along -grad C, Richardson-extrapolated) against the "
    "stated rate at d = dc/df and K = Theta_hat.  Deterministic: the error bound of the extrapolated "
    "difference (Richardson's estimate plus the rounding model) is the standard error; MDE relative to "
    "|stated rate|",
    lambda budget: _FINITE, _cost_check)


# ------------------------------------------------------------------ spectral decay
def _decay_run(ctx):
    """Networks of three widths trained from u_0 = Q c, c = +-1, on the eigenbasis of their own Theta_0."""
    x, theta = _data(ctx.rng("data"), ctx.config["points"], ctx.config["dim"], SMOOTH)
    spectrum = np.linalg.eigvalsh(theta)
    eta = 0.5 / spectrum[-1]
    steps = math.ceil(3.0 / (eta * spectrum[0]))
    seeds, runs = _level(ctx, "decay", "seeds"), []
    for width in _level(ctx, "decay", "widths"):
        net = MLP([x.shape[1], width, 1], **SMOOTH)
        signs = ctx.rng("signs", width).choice(_SIGNS, size=(seeds, x.shape[0]))
        runs.append(train_modes(net, net.init(ctx.rng("init", width), n_networks=seeds), x,
                                learning_rates=eta, n_steps=steps, coefficients=signs))
    return eta, steps, runs


def _windows(stop):
    """Two windows of the fitted steps, [0, mid) and [mid, stop - 1) with mid = floor((stop - 1)/2): the first
    and the second half of each mode's trajectory."""
    mid = np.maximum((stop - 1) // 2, 1)
    return ((np.zeros_like(stop), mid + 1), (mid, stop))


def _decay_check(statement, config, ctx):
    """Fitted per-mode rates over the first and the second half of each mode's trajectory against the
    stated rate -d/dt log(q_i^T u) averaged over the same steps, per mode, over the widths."""
    eta, steps, runs = _simulated(ctx, "modes", _decay_run)
    rate = predictor(_derived("decay rate", F.decay_rate(statement)), (F.lam, F.t, F.c0))
    component = predictor(statement["component"], (F.lam, F.t, F.c0))
    times = eta * np.arange(steps + 1)
    ratios = {0: [], 1: []}
    for run in runs:
        stop = np.minimum(steps + 1, np.ceil(3.0 / (eta * run.eigenvalues)).astype(int) + 1)
        stated = np.asarray(rate(run.eigenvalues[None], times[:, None, None], 1.0), dtype=float)
        stated = np.broadcast_to(stated, (steps + 1,) + run.eigenvalues.shape)
        k = np.arange(steps + 1)[:, None, None]
        for half, (start, end) in enumerate(_windows(stop)):
            fitted = (1.0 - step_factors(run.comps, end, start)) / eta
            used = (k >= start) & (k + 1 < end)
            mean = np.sum(np.where(used, stated, 0.0), axis=0) / np.sum(used, axis=0)
            ratios[half].append((fitted - mean) / run.eigenvalues)
    widest = runs[-1]
    curves = []
    for i, lam_i in enumerate(widest.eigenvalues[0]):
        start = widest.comps[0, 0, i]
        curves += [figdata.curve(f"$|q_{i + 1}^\\top u|$, $\\lambda_{i + 1} = {lam_i:.3g}$", times,
                                 np.abs(widest.comps[:, 0, i])),
                   figdata.curve(f"stated, mode {i + 1}", times, np.abs(component(lam_i, times, start)))]
    ctx.record("residual eigen-components", figdata.series(
        f"Residual components in the eigenbasis of $\\hat\\Theta_0$ (width {_level(ctx, 'decay', 'widths')[-1]})",
        r"$t = \eta k$", r"$|q_i^\top u(t)|$", curves, logy=True))
    widths = _level(ctx, "decay", "widths")
    return tuple(_extrapolated(ctx, f"mode {i + 1} of {config['points']}, {which} half of its trajectory: "
                                    "(fitted rate - stated rate)/lambda_i", widths, [r[:, i] for r in ratios[half]], 0.0)
                 for i in range(config["points"]) for half, which in enumerate(("first", "second")))


DECAY_CHECK = NumericCheck(
    "trained-networks",
    f"erf networks (L = 2, sigma_w = {SMOOTH['weight_std']}, sigma_b = {SMOOTH['bias_std']}) on 3-5 points of "
    "the unit sphere in dimension 3-5 (limiting Gram condition number <= 10), trained by "
    "full-batch GD with eta = 0.5/lambda_max(Theta^L) for ceil(3/(eta lambda_min)) steps (t = eta k) from a "
    "residual with components +-1 in the eigenbasis of each network's Theta_0; each mode's per-step "
    "factor rho is fitted by least squares over the first and over the second half of its trajectory up "
    "to t = 3/lambda_i, each converted to a rate (1 - rho)/eta (the Euler step of flow.gd_discrete) and "
    "compared with the stated rate -d/dt log(q_i^T u) averaged over the same steps (t = eta k), "
    "extrapolated in 1/n over three widths",
    lambda budget: _DATA, _decay_check, per_example=10, kind="width", examples=_one,
)


# ------------------------------------------------------------------ GD stability boundary
_EPSILON = 0.05
_WINDOW = 12


def _boundary_check(statement, config, ctx):
    """GD just below, at and just above the stated eta_c (each network at its own lambda_max)."""
    x, _ = _data(ctx.rng("data"), config["points"], config["dim"], SMOOTH)
    threshold = predictor(statement["threshold"], (F.lam_max,))
    factor = predictor(_derived("step factor", F.step_factor(statement)), (F.eta, F.lam))
    seeds, widths = _level(ctx, "decay", "seeds"), _level(ctx, "decay", "widths")
    below, at, above, paths = [], [], [], {}
    for width in widths:
        net = MLP([x.shape[1], width, 1], **SMOOTH)
        params = net.init(ctx.rng("init", width), n_networks=seeds)
        top = np.linalg.eigvalsh(net.empirical_ntk(params, x))[:, -1]
        signs = ctx.rng("signs", width).choice(_SIGNS, size=(seeds, x.shape[0]))
        measured = {}
        for scale in (1 - _EPSILON, 1.0, 1 + _EPSILON):
            rates = scale * threshold(top)
            with np.errstate(all="ignore"):
                run = train_modes(net, params, x, learning_rates=rates, n_steps=_WINDOW, coefficients=signs)
                measured[scale] = (step_factors(run.comps[..., -1]), factor(rates, top))
            paths[scale] = np.abs(run.comps[:, 0, -1])
        below.append(np.subtract(*measured[1 - _EPSILON]))
        at.append(np.abs(measured[1.0][0]) - 1.0)
        above.append(np.subtract(*measured[1 + _EPSILON]))
    steps = np.arange(_WINDOW + 1)
    ctx.record("top mode at the stability boundary", figdata.series(
        f"Top eigen-component of the residual, width {widths[-1]}", "step $k$", r"$|q_{\max}^\top u_k|$",
        [figdata.curve(f"$\\eta = {scale:g}\\,\\eta_c$", steps, path) for scale, path in paths.items()],
        logy=True))
    return (
        _extrapolated(ctx, f"eta = {1 - _EPSILON:g} eta_c: fitted top factor - stated factor", widths, below, 0.0),
        _extrapolated(ctx, "eta = eta_c: |fitted top factor| - 1 (marginal stability)", widths, at, 0.0),
        _extrapolated(ctx, f"eta = {1 + _EPSILON:g} eta_c: fitted top factor - stated factor", widths, above, 0.0),
    )


BOUNDARY_CHECK = NumericCheck(
    "stability-boundary",
    f"erf networks (L = 2, sigma_w = {SMOOTH['weight_std']}, sigma_b = {SMOOTH['bias_std']}) on 3-5 points of "
    f"the unit sphere, each trained for {_WINDOW} GD steps at "
    f"eta = (1 - {_EPSILON}) eta_c, eta_c and (1 + {_EPSILON}) eta_c with eta_c the stated threshold at its "
    "own lambda_max(Theta_0), from a residual with components +-1 in its eigenbasis; the top mode's per-step "
    "factor (least squares) against the stated recursion's factor 1 - eta lambda_max, and |factor| = 1 at "
    "eta_c; extrapolated in 1/n over three widths",
    lambda budget: _DATA, _boundary_check, per_example=3, kind="width", examples=_one,
)


# ------------------------------------------------------------------ GP conditioning
def _gp_check(statement, config, ctx):
    """E[f(x) | f(X) = ybar] of GP draws by least squares against the stated K(x, X) K^{-1} ybar."""
    rng = ctx.rng("data")
    points = config["points"]
    joint = kernels.ntk(_sphere(rng, points + 1, config["dim"]), depth=config["depth"],
                        activation=config["activation"], weight_std=1.0, bias_std=0.1)
    factor = np.linalg.cholesky(joint)
    train_factor = np.linalg.cholesky(joint[1:, 1:])
    ybar = train_factor @ rng.standard_normal(points)
    scale = math.sqrt(joint[0, 0]) * float(np.linalg.norm(np.linalg.solve(train_factor, ybar)))
    draws = int(min(montecarlo.samples_for(MARGIN, scale=1.0, target=ctx.target, threshold=ctx.threshold),
                    ctx.budget.max_samples))
    samples = factor @ rng.standard_normal((points + 1, draws))
    design, response = samples[1:].T, samples[0]
    coef, *_ = np.linalg.lstsq(design, response, rcond=None)
    residual = float(np.sum((response - design @ coef) ** 2)) / (draws - points)
    estimate = float(coef @ ybar)
    se = math.sqrt(residual * float(ybar @ np.linalg.solve(design.T @ design, ybar)))
    mean = predictor(statement["mean"], (R.K_X, F.K, F.YBAR))
    prediction = float(mean(joint[0:1, 1:], joint[1:, 1:], ybar[:, None])[0, 0])
    return (Comparison("E[f(x) | f(X) = ybar] by regression on GP draws", _config(ctx),
                       ctx.test(estimate, se, prediction, scale=scale), draws),)


GP_CHECK = NumericCheck(
    "gaussian-conditioning",
    "Joint draws of (f(x), f(X)) from the centred GP with the NTK Theta^L (L = 2-3, relu or erf, sigma_w = 1, "
    "sigma_b = 0.1) at 1-5 points of the unit sphere plus one; E[f(x) | f(X)] is linear in f(X), so its "
    "coefficients are estimated by least squares over the draws and applied to a data vector ybar drawn "
    "from the prior; SE from the residual variance; MDE relative to sqrt(K(x,x)) ||L^-1 ybar|| (the "
    "Cauchy-Schwarz bound of the mean), which the SE of n draws is below 1/sqrt(n) times; n sized to the "
    "target with the framework's margin",
    lambda budget: st.fixed_dictionaries({"points": st.integers(1, 5), "dim": st.integers(2, 4),
                                          "depth": st.integers(2, 3),
                                          "activation": st.sampled_from(("relu", "erf"))}),
    _gp_check)


# ------------------------------------------------------------------ minimum norm
_CONVERGED = 1e-18
_MAX_STEPS = 200_000


def _min_norm_check(statement, config, ctx):
    """GD on least squares run to convergence against the stated limit, deterministic."""
    rng = ctx.rng("data")
    rows, cols = config["rows"], 2 * config["rows"] + config["extra"]
    A = rng.standard_normal((rows, cols)) / math.sqrt(cols)
    b, w0 = rng.standard_normal(rows), rng.standard_normal(cols)
    spectrum = np.linalg.eigvalsh(A @ A.T)
    eta = 1.0 / spectrum[-1]
    contraction = 1.0 - eta * spectrum[0]
    steps = 1 if contraction <= 0 else min(_MAX_STEPS, math.ceil(math.log(_CONVERGED) / math.log(contraction)))
    found = least_squares_gd(A, b, w0, eta, steps)
    limit = predictor(statement["limit"], (R.A, R.B, R.W0))(A, b[:, None], w0[:, None])[:, 0]
    return (ctx.exact("||w_K - w_inf||", float(np.linalg.norm(found - limit)), 0.0,
                      scale=float(np.linalg.norm(limit - w0)), operations=steps,
                      condition=spectrum[-1] / spectrum[0]),)


MIN_NORM_CHECK = NumericCheck(
    "gradient-descent",
    "Over-parameterised least squares with A (N x P, N = 1-6, P = N + 1..N + 10) of N(0, 1/P) entries, "
    "b and w_0 standard normal: GD with eta = 1/lambda_max(AA^T) for ceil(log 1e-18 / log(1 - eta "
    "lambda_min)) steps (at most 2e5) against the stated limit; a deterministic comparison with the "
    "rounding model steps x cond(AA^T) x eps x ||w_inf - w_0||",
    lambda budget: st.fixed_dictionaries({"rows": st.integers(1, 6), "extra": st.integers(0, 10)}),
    _min_norm_check)


# ------------------------------------------------------------------ mutants
def _mutants(statement, *changes) -> tuple[Mutant, ...]:
    """Mutants (name, description, relation, wrong closed form) of ``statement``."""
    return tuple(Mutant(label, description, statement.with_rhs(relation, rhs))
                 for label, description, relation, rhs in changes)


def _ode_mutants():
    H, y, ybar, J = F.H, F.Y, F.YBAR, F.J
    return _mutants(F.FUNCTION_SPACE_ODE,
                    ("sign", r"$+H(y - \bar y)$: gradient ascent", "ode", H * (y - ybar)),
                    ("factor-2", r"$-2H(y - \bar y)$", "ode", -2 * H * (y - ybar)),
                    ("missing-target", r"$-Hy$: the targets dropped", "ode", -H * y),
                    ("kernel-factor-2", r"$H = 2JJ^\top$", "kernel", 2 * J * J.T))


def _solution_mutants():
    H, u0, t = F.H, F.U0, F.t
    return _mutants(F.LINEAR_SOLUTION,
                    ("growing", r"$e^{+tH}u_0$", "solution", MatrixExp(t * H) * u0),
                    ("factor-2", r"$e^{-2tH}u_0$", "solution", MatrixExp(-2 * t * H) * u0),
                    ("half-rate", r"$e^{-tH/2}u_0$ (the $\frac12$ of the handwritten notes on the function-space "
                     r"ODE, Remark 2)", "solution",
                     MatrixExp(-t * H / 2) * u0),
                    ("inverse-kernel", r"$e^{-tH^{-1}}u_0$", "solution", MatrixExp(-t * H.inv()) * u0))


def _decay_mutants():
    lam, t, c0 = F.lam, F.t, F.c0
    return _mutants(F.SPECTRAL_DECAY,
                    ("inverse-rate", r"rate $1/\lambda_i$ in place of $\lambda_i$", "component",
                     sp.exp(-t / lam) * c0),
                    ("factor-2", r"rate $2\lambda_i$", "component", sp.exp(-2 * lam * t) * c0),
                    ("growing", r"$e^{+\lambda_i t}$", "component", sp.exp(lam * t) * c0),
                    ("hyperbolic", r"$c_0/(1 + \lambda_i t)$: the stated rate at $t = 0$, algebraic decay after",
                     "component", c0 / (1 + lam * t)))


def _gd_mutants():
    H, uk, eta, lam_max = F.H, F.UK, F.eta, F.lam_max
    return _mutants(F.GD_DISCRETE,
                    ("plus-sign", r"$(I + \eta H)u_k$", "recursion", (sp.Identity(N) + eta * H) * uk),
                    ("factor-2", r"$(I - 2\eta H)u_k$", "recursion", (sp.Identity(N) - 2 * eta * H) * uk),
                    ("threshold-1-over-lambda", r"$\eta_c = 1/\lambda_{\max}$", "threshold", 1 / lam_max),
                    ("threshold-1pct", r"$\eta_c = 2.02/\lambda_{\max}$", "threshold",
                     sp.Rational(202, 100) / lam_max))


def _cost_mutants():
    d, K = F.D, F.K
    return _mutants(F.COST_DECREASE,
                    ("sign", r"$+\|d\|_K^2$: the cost grows", "rate", (d.T * K * d) / N**2),
                    ("normalisation", r"$-d^\top K d/N$", "rate", -(d.T * K * d) / N),
                    ("missing-kernel", r"$-\|d\|^2_{p^{in}}$ in place of $-\|d\|^2_K$", "rate", -(d.T * d) / N))


def _regression_mutants():
    f0x, tx, th, ybar, f0X, t = R.F0_TEST, R.THETA_X, R.THETA, F.YBAR, R.F0_TRAIN, F.t
    return _mutants(R.KERNEL_REGRESSION,
                    ("missing-f0", r"$f_0(x)$ dropped from the limit", "limit", tx * th.inv() * (ybar - f0X)),
                    ("sign", r"$f_0(x) - \Theta(x,X)\Theta^{-1}(\bar y - f_0(X))$", "limit",
                     f0x - tx * th.inv() * (ybar - f0X)),
                    ("kernel-not-inverted", r"$\Theta$ in place of $\Theta^{-1}$", "limit",
                     f0x + tx * th * (ybar - f0X)),
                    ("growing", r"$e^{+t\Theta}$ in the trajectory", "trajectory",
                     f0x - tx * th.inv() * (sp.Identity(N) - MatrixExp(t * th)) * (f0X - ybar)),
                    ("rate-0", "the miss does not shrink with width", "rate", sp.S.Zero),
                    ("rate-1", r"exponent $-1$ in place of $-\frac12$", "rate", sp.S.NegativeOne))


def _gp_mutants():
    kx, K, ybar = R.K_X, F.K, F.YBAR
    return _mutants(R.GP_POSTERIOR_MEAN,
                    ("kernel-not-inverted", r"$K(x,X)K\bar y$", "mean", kx * K * ybar),
                    ("sign", r"$-K(x,X)K^{-1}\bar y$", "mean", -kx * K.inv() * ybar),
                    ("factor-2", r"$2K(x,X)K^{-1}\bar y$", "mean", 2 * kx * K.inv() * ybar))


def _min_norm_mutants():
    A, b, w0 = R.A, R.B, R.W0
    pinv = A.T * (A * A.T).inv()
    return _mutants(R.MIN_NORM,
                    ("ignores-w0", r"$A^\top(AA^\top)^{-1}b$: the minimum-norm solution whatever $w_0$", "limit",
                     pinv * b),
                    ("sign", r"$w_0 - A^\top(AA^\top)^{-1}(b - Aw_0)$", "limit", w0 - pinv * (b - A * w0)),
                    ("factor-2", r"$w_0 + 2A^\top(AA^\top)^{-1}(b - Aw_0)$", "limit",
                     w0 + 2 * pinv * (b - A * w0)))


def _rate_mutants(statement, relation: str, *values):
    """Mutants giving the exponent of ``relation`` each of ``values``."""
    return tuple(Mutant(f"{relation}-exponent-{str(v).replace('/', 'over')}",
                        rf"exponent {sp.latex(v)} in place of {sp.latex(statement[relation].rhs)}",
                        statement.with_rhs(relation, v)) for v in values)


_HALF = sp.Rational(1, 2)

PLACE = 3
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Training dynamics',
    'Gradient flow on the parameters moves the network function by kernel gradient '
    'descent with the tangent kernel. With a constant kernel the training residual solves'
    " a linear ODE, decays along the kernel's eigenvectors, and training ends at kernel "
    'regression; wide networks follow this linear dynamics because their tangent kernel '
    'barely moves.',
    'Jacot, Gabriel & Hongler 2018; Lee et al. 2019; odenotes; rajatvd2019',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("flow.function_space_ode", "Gradient flow in parameters is kernel gradient flow in function space",
          "odenotes; rajatvd2019; jacot2018 (Sec. 3)", F.FUNCTION_SPACE_ODE, F.derive_function_space_ode,
          checks=(ODE_CHECK,), mutants=_ode_mutants()),
    Claim("flow.linear_solution", "Constant kernel: the training residual is u(t) = exp(-tH) u(0)",
          "rajatvd2019; odenotes; jacot2018 (Sec. 5)", F.LINEAR_SOLUTION, F.derive_linear_solution,
          checks=(SOLUTION_CHECK,), mutants=_solution_mutants(), uses=("flow.function_space_ode",)),
    Claim("flow.gd_discrete", "Discrete GD on the linearised model: u_{k+1} = (I - eta H) u_k, stable iff "
          "eta < 2/lambda_max", "rajatvd2019; odenotes; lee2019", F.GD_DISCRETE, F.derive_gd_discrete,
          checks=(BOUNDARY_CHECK,), mutants=_gd_mutants(), uses=("flow.function_space_ode",)),
    Claim("flow.spectral_decay", "Each eigen-component of the residual decays at its own eigenvalue's rate",
          "odenotes (Remark 3); jacot2018 (Sec. 5)", F.SPECTRAL_DECAY, F.derive_spectral_decay,
          checks=(DECAY_CHECK,), mutants=_decay_mutants(), uses=("flow.linear_solution", "flow.gd_discrete")),
    Claim("flow.cost_decrease", "Kernel gradient descent decreases the cost: dC/dt = -||d||_K^2",
          "eai2023; jacot2018 (Sec. 3)", F.COST_DECREASE, F.derive_cost_decrease,
          checks=(COST_CHECK,), mutants=_cost_mutants()),
    Claim("flow.ntk_constant", "The empirical NTK stays constant in training as the width grows",
          "eai2023; jacot2018 (Thm 2 and Fig. 1); dyer2019", W.NTK_CONSTANT,
          W.derive_ntk_constant, checks=(KERNEL_CHANGE_CHECK,),
          mutants=_rate_mutants(W.NTK_CONSTANT, "change", -_HALF, sp.S.Zero)
          + _rate_mutants(W.NTK_CONSTANT, "deviation", sp.S.NegativeOne)),
    Claim("flow.lazy_weights", "Lazy training: the relative weight change vanishes like n^-1/2",
          "rajatvd2019; chizat2019; lee2019", W.LAZY_WEIGHTS, W.derive_lazy_weights,
          checks=(WEIGHT_CHANGE_CHECK,),
          mutants=_rate_mutants(W.LAZY_WEIGHTS, "relative_change", sp.S.NegativeOne, sp.S.Zero, -_HALF / 2)),
    Claim("flow.wide_net_follows_ode", "Wide networks trained by GD follow the linear ODE with the limiting NTK",
          "rajatvd2019; lee2019 (Thm 2.1)", W.WIDE_NET_FOLLOWS_ODE, W.derive_wide_net_follows_ode,
          checks=(ODE_GAP_CHECK,),
          mutants=_mutants(W.WIDE_NET_FOLLOWS_ODE,
                           ("ode-sign", r"$\dot u = +\Theta u$", "ode", W.THETA_INF * W.U),
                           ("ode-factor-2", r"$\dot u = -2\Theta u$", "ode", -2 * W.THETA_INF * W.U))
          + _rate_mutants(W.WIDE_NET_FOLLOWS_ODE, "gap", sp.S.NegativeOne, sp.S.Zero),
          uses=("flow.linear_solution", "flow.ntk_constant", "flow.gd_discrete")),
    Claim("flow.kernel_regression_limit", "Trained to convergence, a wide network is kernel regression with "
          "the NTK from f_0", "odenotes; rajatvd2019; jacot2018 (Sec. 5); lee2019",
          R.KERNEL_REGRESSION, R.derive_kernel_regression, checks=(REGRESSION_CHECK,),
          mutants=_regression_mutants(),
          uses=("flow.function_space_ode", "flow.linear_solution", "flow.ntk_constant")),
    Claim("flow.gp_posterior_mean", "Kernel regression is the posterior mean of the GP conditioned on the data",
          "ntknotes2023; rasmussen2006 (Sec. 2.2)", R.GP_POSTERIOR_MEAN, R.derive_gp_posterior_mean,
          checks=(GP_CHECK,), mutants=_gp_mutants(), uses=("flow.kernel_regression_limit",)),
    Claim("flow.min_norm", "GD on over-parameterised least squares converges to the solution closest to w_0",
          "rajatvd2019 (comment thread); gunasekar2018", R.MIN_NORM, R.derive_min_norm,
          checks=(MIN_NORM_CHECK,), mutants=_min_norm_mutants(), uses=("flow.gd_discrete",)),
)
