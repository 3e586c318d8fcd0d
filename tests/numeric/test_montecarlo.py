"""Monte Carlo estimates: their standard errors and the pooling of two stages."""
import math

import numpy as np
import pytest

from numeric import montecarlo


def _estimate(values: np.ndarray) -> montecarlo.Estimate:
    return montecarlo.Estimate(float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size)),
                               values.size)


def test_the_sd_of_an_estimate_is_the_sample_sd_of_its_draws():
    values = np.random.default_rng(0).standard_normal(1000) * 3 + 1
    assert _estimate(values).sd == pytest.approx(values.std(ddof=1), rel=1e-12)


def test_pooling_two_stages_equals_the_estimate_from_all_their_draws():
    rng = np.random.default_rng(1)
    first, second = rng.exponential(2.0, 700), rng.exponential(2.0, 300) + 0.5
    pooled = montecarlo.pool(_estimate(first), _estimate(second))
    whole = _estimate(np.concatenate([first, second]))
    assert (pooled.mean, pooled.se, pooled.samples) == pytest.approx((whole.mean, whole.se, whole.samples),
                                                                     rel=1e-12)


def test_expect_matches_a_known_moment():
    est = montecarlo.expect(lambda u, v: u * v, 2.0, 3.0, 1.5, samples=400_000, rng=np.random.default_rng(2))
    assert abs(est.mean - 1.5) < 5 * est.se
    # Var(uv) = k11 k22 + k12^2 for a centred Gaussian pair.
    assert est.sd == pytest.approx(math.sqrt(2.0 * 3.0 + 1.5 ** 2), rel=0.02)
