"""Hypothesis strategies for the configurations a claim must hold for."""
from __future__ import annotations

import math

from hypothesis import strategies as st

from derivations.gaussian import c, k11, k22

__all__ = ["covariances", "covariance", "coordinates", "COVARIANCE_EDGES"]


def covariances(*, lo: float = 0.05, hi: float = 20.0, max_abs_c: float = 1.0):
    """2x2 covariances as {k11, k22, c} with k11, k22 in [lo, hi] and |c| <= max_abs_c.

    The correlation c = k12/sqrt(k11 k22) is drawn directly, so the edges c = +-1
    (perfectly (anti-)correlated pairs) are reachable and every draw is PSD.
    """
    return st.fixed_dictionaries({
        "k11": st.floats(lo, hi),
        "k22": st.floats(lo, hi),
        "c": st.floats(-max_abs_c, max_abs_c),
    })


COVARIANCE_EDGES = (
    {"k11": 0.5, "k22": 2.0, "c": 1.0},
    {"k11": 2.0, "k22": 0.5, "c": -1.0},
)
"""Always-checked configurations at the edges rho = +-1 (unequal variances)."""


def covariance(config) -> tuple[float, float, float]:
    """(k11, k22, k12) of a configuration drawn by :func:`covariances`."""
    k11, k22, c = config["k11"], config["k22"], config["c"]
    return k11, k22, c * math.sqrt(k11 * k22)


def coordinates(config) -> dict:
    """The configuration as the free coordinates of :data:`derivations.gaussian.COVARIANCE`."""
    return {k11: config["k11"], k22: config["k22"], c: config["c"]}
