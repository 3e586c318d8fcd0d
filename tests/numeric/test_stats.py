"""The statistics against known values."""
import math

import numpy as np
import pytest

from numeric import montecarlo, stats


def test_critical_z_is_bonferroni():
    assert stats.critical_z(0.05, 1) == pytest.approx(1.959963984540054)
    assert stats.critical_z(0.05, 10) == pytest.approx(2.807033768343811)


def test_mde_is_z_plus_z_power_times_se():
    assert stats.mde(2.0, 1.959963984540054) == pytest.approx(2 * (1.959963984540054 + 1.2815515655446004))


def test_z_test_verdicts():
    ok = stats.z_test(1.0, 0.01, 1.0, threshold=3, target=0.1)
    assert ok.status == stats.CONSISTENT and ok.z == 0 and ok.mde == pytest.approx((3 + 1.2815515655446004) * 0.01)
    assert stats.z_test(1.1, 0.01, 1.0, threshold=3, target=0.1).status == stats.REFUTED
    assert stats.z_test(1.0, 0.1, 1.0, threshold=3, target=0.1).status == stats.INCONCLUSIVE
    floor = stats.z_test(1.0, 0.0, 1.0 + 1e-16, threshold=3, target=0.1)
    assert floor.status == stats.CONSISTENT and floor.se == pytest.approx(stats.RESOLUTION * (1 + 1e-16))


def test_nonzero_test():
    assert stats.nonzero_test(-0.5, 0.05, threshold=4, scale=0.5).status == stats.CONSISTENT
    assert stats.nonzero_test(-0.5, 0.5, threshold=4, scale=0.5).status == stats.INCONCLUSIVE


def test_wls_recovers_an_exact_line_and_its_textbook_covariance():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    fit = stats.wls(np.column_stack([np.ones(4), x]), 2 + 3 * x, np.ones(4))
    assert fit.coef == pytest.approx([2, 3])
    # Var(slope) = sigma^2 / sum (x - mean)^2 = 1 / 5 for unit errors.
    assert fit.cov[1, 1] == pytest.approx(0.2) and fit.chi2_dof == pytest.approx(0, abs=1e-20)


def test_wls_inflates_by_chi2_but_never_deflates():
    x = np.arange(6.0)
    y = 1 + x + np.array([1, -1, 1, -1, 1, -1.0])
    fit = stats.wls(np.column_stack([np.ones(6), x]), y, np.full(6, 0.1))
    assert fit.chi2_dof > 1 and fit.se(1) > 0.1 / math.sqrt(17.5)


def test_extrapolation_and_loglog_slope():
    n = np.array([100.0, 400.0, 1600.0])
    assert stats.extrapolate(n, 3 + 5 / n, np.full(3, 1e-3)).coef == pytest.approx([3, 5])
    assert stats.loglog_slope(n, 2 * n**-0.5, np.full(3, 0.1)).coef[1] == pytest.approx(-0.5)
    assert stats.log_std_se(51) == pytest.approx(0.1)


@pytest.mark.parametrize("call", [
    lambda: stats.critical_z(0, 3), lambda: stats.critical_z(0.1, 0),
    lambda: stats.wls(np.ones((2, 1)), np.ones(3), np.ones(3)),
    lambda: stats.wls(np.ones((2, 1)), np.ones(2), np.zeros(2)),
    lambda: stats.z_test(1, -1, 1, threshold=3, target=0.1),
])
def test_bad_arguments_raise(call):
    with pytest.raises(ValueError):
        call()


def test_gaussian_pairs_have_the_covariance_asked_for():
    u, v = montecarlo.gaussian_pairs(2.0, 0.5, -0.7, 200_000, np.random.default_rng(1))
    for got, want, var in ((u @ u, 2.0, 2 * 2.0**2), (v @ v, 0.5, 2 * 0.5**2),
                           (u @ v, -0.7, 2.0 * 0.5 + 0.7**2)):
        assert abs(got / u.size - want) <= 5 * math.sqrt(var / u.size)


def test_expect_reports_the_standard_error_of_the_mean():
    est = montecarlo.expect(lambda a, b: a * b, 1.0, 1.0, 0.3, samples=300_001,
                            rng=np.random.default_rng(2), batch=4096)
    assert est.samples == 300_001
    assert est.se == pytest.approx(math.sqrt((1 + 0.3**2) / 300_001), rel=0.02)
    assert abs(est.mean - 0.3) <= 5 * est.se


def test_degenerate_covariances_are_exact_and_bad_ones_rejected():
    u, v = montecarlo.gaussian_pairs(4.0, 1.0, -2.0, 10, np.random.default_rng(0))
    assert np.allclose(v, -u / 2, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="positive semi-definite"):
        montecarlo.gaussian_pairs(1.0, 1.0, 1.5, 10, np.random.default_rng(0))


def test_samples_for_meets_the_target():
    n = montecarlo.samples_for(1.0, scale=1.0, target=0.02, threshold=4.0)
    assert stats.mde(1 / math.sqrt(n), 4.0) <= 0.02 < stats.mde(1 / math.sqrt(n - 1), 4.0) * 1.0001
    assert montecarlo.samples_for(1.0, scale=0.0, target=0.02, threshold=4.0) == math.inf
