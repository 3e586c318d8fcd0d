"""The width sweeps of the training-dynamics claims: networks trained at every width of the
budget on the same data and initial residual, and the four checks that read them (the kernel's
and the weights' change, the gap to the function-space ODE, the outputs at test points)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from derivations import flow as F
from derivations import regression as R
from derivations import widths as W
from numeric import jacot_fig1
from numeric.linear_dynamics import euler
from numeric.width_sweep import train_widths

from .. import figdata
from ..checks import predict, predictor
from ..claim import NumericCheck
from ._flow_setting import SMOOTH, _SWEEP_DATA, _data, _level, _simulated, _sweeps, _vanishing


def _sweep_run(ctx, activation: dict, seeds: str, *, decay: float, test_points: int = 0, step: float = 1.0):
    """Training data, the limiting kernel, and networks trained at every width of the budget with
    eta = ``step``/lambda_max(Theta^L), for as many steps as the slowest mode of the limit needs to
    shrink by ``decay``; with test
    points only the outputs at the first and last steps are recorded, and the empirical NTKs
    only for the kernel sweep (the only one that reads them)."""
    rng = ctx.rng("data")
    points = ctx.config["points"]
    x, theta = _data(rng, points, points + ctx.config["extra_dim"], activation, test=test_points)
    start = rng.standard_normal(points)
    spectrum = np.linalg.eigvalsh(theta[:points, :points])
    eta = step / spectrum[-1]
    steps = math.ceil(math.log(decay) / math.log(1.0 - eta * spectrum[0]))
    runs = train_widths(_level(ctx, "sweep", "widths"), depth=2, x_train=x[:points], start=start,
                        x_test=x[points:] if test_points else None, learning_rate=eta, n_steps=steps,
                        seeds=_level(ctx, "sweep", seeds), rng=ctx.rng("init"),
                        record_every=steps if test_points else 1, record_ntk=seeds == "kernel",
                        **activation)
    return {"x": x, "start": start, "theta": theta, "eta": eta, "steps": steps, "runs": runs}


_SETTLED = math.exp(-2.0)
_CONVERGED_TRAINING = 1e-4
_CONVERGING_STEP = 1.5
"""eta lambda_max(Theta^L) of the test-point sweep: GD on a linear model converges to the same limit for
every stable eta (sum_k eta (I - eta Theta)^k = Theta^{-1}), and at 1.5 the slowest mode contracts faster
than at 1 while the top mode (factor -0.5) keeps a margin of 1/3 to instability for the finite widths'
larger lambda_max."""


def _sweep_description(activation: dict, what: str) -> str:
    return (f"{activation['activation']} networks (L = 2, sigma_w = {activation['weight_std']}, sigma_b = "
            f"{activation['bias_std']}) at each width of the budget, 6-8 training points of the unit sphere "
            "in dimension 5-11 (limiting Gram condition number <= 10), every network from the same N(0, I) "
            "initial residual, trained by full-batch GD with eta = 1/lambda_max(Theta^L) (1.5/lambda_max for "
            "the test points) until the slowest mode of the limit has decayed by e^-2 (by 1e-4 for the test "
            "points): ceil(log(decay) / log(1 - "
            f"eta lambda_min)) steps, t = eta k; {what}")


def _kernel_change_check(statement, config, ctx):
    """The empirical NTK's change in training and its distance from Theta^L, against the exponents."""
    sweep = _simulated(ctx, "sweep", lambda c: _sweep_run(c, SMOOTH, "kernel", decay=_SETTLED))
    points = config["points"]
    limit = sweep["theta"][:points, :points]
    change, deviation = [], []
    for run in sweep["runs"]:
        initial, final = run.ntk
        change.append(np.linalg.norm(final - initial, axis=(-2, -1)) / np.linalg.norm(initial, axis=(-2, -1)))
        deviation.append(np.maximum(np.linalg.norm(initial - limit, axis=(-2, -1)),
                                    np.linalg.norm(final - limit, axis=(-2, -1))) / np.linalg.norm(limit))
    _record_fig1(ctx)
    widths = [run.width for run in sweep["runs"]]
    return (_vanishing(ctx, "||NTK_T - NTK_0|| / ||NTK_0||", widths, change, predict(statement, "change", {}),
                       r"$\|\hat\Theta_T - \hat\Theta_0\| / \|\hat\Theta_0\|$ (erf, $L = 2$)")
            + _vanishing(ctx, "max_t ||NTK_t - Theta|| / ||Theta||", widths, deviation,
                         predict(statement, "deviation", {}),
                         r"$\max_{t \in \{0, T\}} \|\hat\Theta_t - \Theta\| / \|\Theta\|$ (erf, $L = 2$)"))


_FIG1 = "Jacot et al. 2018, Fig. 1"


def _record_fig1(ctx) -> None:
    """Jacot et al. Fig. 1 at the budget's widths (figure data only; see numeric.jacot_fig1), once per
    check: the figure does not depend on the drawn data set."""
    if _FIG1 in ctx.data:
        return
    setting = jacot_fig1.Setting(widths=_level(ctx, "fig1", "widths"), seeds=_level(ctx, "fig1", "seeds"))
    data = _simulated(ctx, "fig1", lambda c: jacot_fig1.run(setting, c.rng("fig1")))
    curves = [figdata.curve(r"$\Theta^{(4)}$ (limit)", data.gamma, data.limit)]
    for w, width in enumerate(setting.widths):
        for s in range(setting.seeds):
            curves += [figdata.curve(f"$n = {width}$, $t = 0$" if s == 0 else "", data.gamma, data.initial[w, s]),
                       figdata.curve(f"$n = {width}$, $t = {setting.n_steps}$" if s == 0 else "", data.gamma,
                                     data.trained[w, s])]
    ctx.record(_FIG1, figdata.series(
        rf"$\Theta^{{(4)}}(x_0, x(\gamma))$, ReLU, $\sigma_w = 1$, $\beta = 0.1$, widths {setting.widths}, "
        f"{setting.seeds} initialisations, {setting.n_steps} GD steps (paper: $n$ = 500, 10000)",
        r"$\gamma$", r"$\Theta(x_0, x(\gamma))$", curves))


def _weight_change_check(statement, config, ctx):
    """||theta_T - theta_0|| / ||theta_0|| against the stated exponent."""
    sweep = _simulated(ctx, "sweep", lambda c: _sweep_run(c, SMOOTH, "weights", decay=_SETTLED))
    return _vanishing(ctx, "||theta_T - theta_0|| / ||theta_0||", [r.width for r in sweep["runs"]],
                      [r.weight_change for r in sweep["runs"]], predict(statement, "relative_change", {}),
                      r"relative weight change $\|\theta_T - \theta_0\| / \|\theta_0\|$ (erf, $L = 2$)")


def _ode_gap_check(statement, config, ctx):
    """The trained residual against the Euler path of the stated ODE with Theta^L, same eta and u_0."""
    sweep = _simulated(ctx, "sweep", lambda c: _sweep_run(c, SMOOTH, "gap", decay=_SETTLED))
    points = config["points"]
    rhs = predictor(statement["ode"], (W.THETA_INF, W.U))
    limit = sweep["theta"][:points, :points]
    gaps = []
    for run in sweep["runs"]:
        linear = euler(lambda u: rhs(limit, u), sweep["start"][:, None], sweep["eta"], sweep["steps"])[..., 0]
        gap = np.linalg.norm(run.residuals - linear[:, None, :], axis=-1).max(axis=0)
        gaps.append(gap / np.linalg.norm(sweep["start"]))
    return _vanishing(ctx, "max_k ||u_k - u_k^lin|| / ||u_0||", [r.width for r in sweep["runs"]], gaps,
                      predict(statement, "gap", {}),
                      r"gap to the linear dynamics, $\max_k \|u_k - u^{lin}_k\| / \|u_0\|$ (erf, $L = 2$)")


def _regression_check(statement, config, ctx):
    """Outputs at test points after convergence against the stated limit with Theta^L and each f_0."""
    sweep = _simulated(ctx, "sweep", lambda c: _sweep_run(c, SMOOTH, "test", decay=_CONVERGED_TRAINING,
                                                           test_points=config["test"], step=_CONVERGING_STEP))
    points = config["points"]
    theta = sweep["theta"]
    limit = predictor(statement["limit"], (R.F0_TEST, R.THETA_X, R.THETA, F.YBAR, R.F0_TRAIN))
    misses = []
    for run in sweep["runs"]:
        start, final = run.test_outputs
        predicted = np.stack([
            limit(start[s][:, None], theta[points:, :points], theta[:points, :points],
                  (run.initial_outputs[s] - sweep["start"])[:, None], run.initial_outputs[s][:, None])[:, 0]
            for s in range(start.shape[0])])
        misses.append(np.sqrt(np.mean((final - predicted) ** 2, axis=-1)))
    return _vanishing(ctx, "rms_x |f_T(x) - f_inf(x)| on test points", [r.width for r in sweep["runs"]], misses,
                      predict(statement, "rate", {}),
                      r"miss of kernel regression with $\Theta$, rms over test points (erf, $L = 2$)")


def _sweep_check(name: str, activation: dict, what: str, measure, per_example: int = 2,
                 configs=_SWEEP_DATA) -> NumericCheck:
    """A check on width sweeps, one per drawn data set (:func:`_sweeps`), against the stated
    exponents (kind "rate")."""
    return NumericCheck(name, _sweep_description(activation, what), lambda budget: configs, measure,
                        per_example=per_example, kind="rate", examples=_sweeps)


KERNEL_CHANGE_CHECK = _sweep_check(
    "kernel-change", SMOOTH,
    "the relative change of the empirical NTK on the training points and its largest distance from "
    "Theta^L (at t = 0 or t = T), their log-log slopes in n against the stated exponents; also records "
    "Jacot et al.'s Fig. 1 (ReLU, L = 4) at the budget's widths", _kernel_change_check, per_example=4)
WEIGHT_CHANGE_CHECK = _sweep_check(
    "weight-change", SMOOTH,
    "the relative change of the whole parameter vector, its log-log slope in n against the stated exponent",
    _weight_change_check)
ODE_GAP_CHECK = _sweep_check(
    "linear-ode-gap", SMOOTH,
    "the largest distance over the steps between the network's training residual and the forward-Euler "
    "path (same eta) of the stated ODE with Theta^L from the same u_0, relative to ||u_0||; its log-log "
    "slope in n against the stated exponent", _ode_gap_check)
REGRESSION_CHECK = _sweep_check(
    "test-points", SMOOTH,
    "outputs at 24-32 further points of the sphere after training against the stated limit with Theta^L "
    "and each network's own f_0; the log-log slope in n of the rms miss against the stated exponent",
    _regression_check, configs=st.fixed_dictionaries({"points": st.integers(6, 8), "test": st.integers(24, 32),
                                                       "extra_dim": st.integers(1, 3)}))
