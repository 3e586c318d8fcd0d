"""verify.claims.flow: the numeric code against the lambdified statements, and the width patterns.

(Every claim verified and every mutant refuted at the quick budget: tests/test_claims.py.)"""
import math

import numpy as np
import pytest

from derivations import flow as F
from derivations import regression as R
from derivations import widths as W
from derivations.core import Relation
from derivations.spectral import N
from numeric.linear_dynamics import euler, least_squares_gd, step_factors
from numeric.stats import CONSISTENT, INCONCLUSIVE, REFUTED
from verify.budgets import get as budget
from verify.checks import Context, predictor
from verify.claim import NumericCheck
from verify.claims import _flow_setting, flow

CLAIM_IDS = {"flow.function_space_ode", "flow.linear_solution", "flow.spectral_decay", "flow.gd_discrete",
              "flow.cost_decrease", "flow.kernel_regression_limit", "flow.gp_posterior_mean", "flow.min_norm",
              "flow.ntk_constant", "flow.lazy_weights", "flow.wide_net_follows_ode"}


def _context(level="standard", config=None):
    check = NumericCheck("test", "", lambda b: None, lambda s, c, x: ())
    return Context(budget(level), 4.5, 0, "flow.test", check, config or {"points": 3})


def _sized(relation, args, size):
    """The relation lambdified at N = size (NumPy's printer needs a number for the identity's size)."""
    sizes = {N: size}
    fixed = Relation(relation.name, relation.lhs, relation.rhs.xreplace(sizes))
    return predictor(fixed, tuple(a.xreplace(sizes) for a in args))


def _spd(rng, size):
    A = rng.standard_normal((size, size))
    return A @ A.T + size * np.eye(size)


def test_every_claim_id_is_a_claim_with_sources_three_mutants_and_a_check():
    assert {c.id for c in flow.CLAIMS} == CLAIM_IDS
    assert all(c.source and len(c.mutants) >= 3 and c.checks for c in flow.CLAIMS)


def test_every_network_check_uses_a_twice_differentiable_activation():
    """The width exponents are derived for sigma with bounded sigma'' (Jacot et al. 2018, Thm 2)."""
    assert flow.SMOOTH["activation"] in ("erf", "tanh") and not hasattr(flow, "RELU")


def test_the_decay_windows_split_each_trajectory_in_two_halves():
    (first_start, first_stop), (second_start, second_stop) = flow._windows(np.array([7, 3]))
    assert first_start.tolist() == [0, 0] and first_stop.tolist() == [4, 2]
    assert second_start.tolist() == [3, 1] and second_stop.tolist() == [7, 3]


def test_euler_on_the_stated_ode_is_the_stated_gd_recursion():
    rng = np.random.default_rng(0)
    theta, u0, eta = _spd(rng, 3), rng.standard_normal((3, 1)), 0.05
    ode = predictor(W.WIDE_NET_FOLLOWS_ODE["ode"], (W.THETA_INF, W.U))
    recursion = _sized(F.GD_DISCRETE["recursion"], (F.H, F.UK, F.eta), 3)
    u = u0
    for _ in range(7):
        u = recursion(theta, u, eta)
    np.testing.assert_allclose(euler(lambda v: ode(theta, v), u0, eta, 7)[-1], u, rtol=1e-13)


def test_step_factors_measure_the_stated_factor():
    rng = np.random.default_rng(1)
    theta = _spd(rng, 3)
    lam, Q = np.linalg.eigh(theta)
    recursion = _sized(F.GD_DISCRETE["recursion"], (F.H, F.UK, F.eta), 3)
    path = [rng.standard_normal((3, 1))]
    for _ in range(6):
        path.append(recursion(theta, path[-1], 0.1))
    comps = np.stack([Q.T @ u for u in path])[..., 0]
    factor = predictor(flow._derived("step factor", F.step_factor(F.GD_DISCRETE)), (F.eta, F.lam))
    np.testing.assert_allclose(step_factors(comps), factor(0.1, lam), rtol=1e-10)


def test_gradient_descent_reaches_the_stated_min_norm_limit():
    rng = np.random.default_rng(2)
    A, b, w0 = rng.standard_normal((3, 8)) / math.sqrt(8), rng.standard_normal(3), rng.standard_normal(8)
    limit = predictor(R.MIN_NORM["limit"], (R.A, R.B, R.W0))(A, b[:, None], w0[:, None])[:, 0]
    eta = 1.0 / np.linalg.eigvalsh(A @ A.T)[-1]
    np.testing.assert_allclose(least_squares_gd(A, b, w0, eta, 5000), limit, atol=1e-10)
    np.testing.assert_allclose(A @ limit, b, atol=1e-12)


def test_the_stated_regression_limit_interpolates_and_is_the_gp_mean_from_zero():
    rng = np.random.default_rng(3)
    theta, ybar, f0 = _spd(rng, 4), rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    limit = predictor(R.KERNEL_REGRESSION["limit"], (R.F0_TEST, R.THETA_X, R.THETA, F.YBAR, R.F0_TRAIN))
    np.testing.assert_allclose(limit(f0, theta, theta, ybar, f0), ybar, rtol=1e-12)
    trajectory = _sized(R.KERNEL_REGRESSION["trajectory"],
                        (R.F0_TEST, R.THETA_X, R.THETA, F.YBAR, R.F0_TRAIN, F.t), 4)
    np.testing.assert_allclose(trajectory(f0[:1], theta[:1], theta, ybar, f0, 1e3), limit(
        f0[:1], theta[:1], theta, ybar, f0), rtol=1e-12)
    mean = predictor(R.GP_POSTERIOR_MEAN["mean"], (R.K_X, F.K, F.YBAR))
    np.testing.assert_allclose(mean(theta[:1], theta, ybar), limit(np.zeros((1, 1)), theta[:1], theta, ybar,
                                                                   np.zeros((4, 1))), rtol=1e-12)


def test_the_vanishing_pattern_finds_the_exponent_and_refutes_a_wrong_one():
    ctx, rng = _context(), np.random.default_rng(4)
    widths = np.array([256, 1024, 4096, 16384])
    values = [0.3 * w ** -0.5 * np.exp(0.3 * rng.standard_normal(24)) for w in widths]
    slope, nonzero = _flow_setting._vanishing(ctx, "synthetic", widths, values, -0.5, "x")
    assert slope.test.status == CONSISTENT and nonzero.test.status == CONSISTENT
    assert abs(slope.test.estimate + 0.5) < 4 * slope.test.se
    assert ctx.data["synthetic"]["figure"] == "series"
    flat = [np.exp(0.3 * rng.standard_normal(24)) for _ in widths]
    slope, nonzero = _flow_setting._vanishing(ctx, "flat", widths, flat, -0.5, "x")
    assert slope.test.status == REFUTED and nonzero.test.status == INCONCLUSIVE


def test_the_extrapolated_pattern_fits_one_over_n_and_refutes_nonfinite_values():
    ctx, rng = _context(), np.random.default_rng(5)
    widths = [1024, 2048, 4096]
    values = [1.0 + 30.0 / w + 1e-3 * rng.standard_normal(8) for w in widths]
    assert flow._extrapolated(ctx, "ratio", widths, values, 1.0).test.status == CONSISTENT
    assert flow._extrapolated(ctx, "ratio", widths, values, 1.05).test.status == REFUTED
    broken = [np.array([1.0, np.inf]), np.ones(2), np.ones(2)]
    assert flow._extrapolated(ctx, "ratio", widths, broken, 1.0).test.status == REFUTED


def test_data_are_well_conditioned_or_rejected_by_name():
    x, theta = flow._data(np.random.default_rng(6), 5, 5, flow.SMOOTH, test=2)
    assert x.shape == (7, 5) and np.allclose(np.linalg.norm(x, axis=1), 1.0)
    lam = np.linalg.eigvalsh(theta[:5, :5])
    assert lam[-1] <= _flow_setting._MAX_CONDITION * lam[0]
    with pytest.raises(ValueError, match="points=40, dim=2"):
        flow._data(np.random.default_rng(6), 40, 2, flow.SMOOTH)


def test_simulations_are_computed_once_per_configuration():
    calls = []
    ctx = _context(config={"points": 4})
    first = flow._simulated(ctx, "part", lambda c: calls.append(1) or len(calls))
    again = flow._simulated(_context(config={"points": 4}), "part", lambda c: calls.append(1) or len(calls))
    other = flow._simulated(_context(config={"points": 5}), "part", lambda c: calls.append(1) or len(calls))
    assert (first, again, other) == (1, 1, 2)
