"""The check context: sample sizes follow the measured spread."""
import numpy as np

from verify import budgets
from verify.checks import PILOT, Context
from verify.claim import NumericCheck


def _context():
    check = NumericCheck("spread", "spread", lambda budget: None, lambda *args: (), kind="expectation")
    return Context(budgets.get("quick"), 4.5, 0, "made.up", check, {})


def test_a_pilot_that_underestimates_the_spread_is_topped_up_to_the_target():
    calls = []

    def h(u, v):
        calls.append(u.size)
        # The pilot sees a tenth of the spread that the measured draws have.
        return u * (0.1 if len(calls) == 1 else 1.0)

    ctx = _context()
    tenth = (lambda x: np.full_like(x, 0.1 ** 0.5),) * 2  # the scale of the MDE: 0.1
    found = ctx.expectation("E[u]", h, 0.0, (1.0, 1.0, 0.0), scale_of=tenth)
    assert calls[0] == PILOT
    assert found.test.mde <= found.test.target
    # The pilot asks for fewer draws than PILOT; the measured spread, for (z* + z_power)^2 / (0.1 x 0.05)^2.
    assert found.samples > 50 * PILOT
    assert found.test.status == "consistent"
