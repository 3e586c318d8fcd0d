"""Random features and the random linear model in SymPy (derivations.features)."""
import sympy as sp

from derivations import features as F
from derivations.engine import StepStatus, check_derivation


def test_the_fluctuation_exponent_comes_from_the_statement():
    assert F.fluctuation_exponent(F.RANDOM_FEATURES) == sp.Rational(-1, 2)
    wrong = F.RANDOM_FEATURES.with_rhs("fluctuation", F.spread / F.n_features)
    assert F.fluctuation_exponent(wrong) == -1


def test_loss_duals_are_the_derivatives_of_the_losses():
    f, y = sp.symbols("f y", real=True)
    assert sp.simplify(F.loss_dual("squared") - (f - y)) == 0
    assert sp.simplify(F.loss_dual("logistic") + y / (1 + sp.exp(y * f))) == 0


def test_the_fourier_kernel_is_integrated_not_restated():
    assert sp.simplify(F._frequency_average() - sp.exp(-F.distance**2 / (2 * F.lengthscale**2))) == 0
    a, a2 = sp.symbols("a a'", real=True)
    assert sp.simplify(F._phase_average() - sp.cos(a - a2)) == 0


def test_a_velocity_with_one_power_of_p_too_few_fails_every_loss():
    statement = F.LINEAR_PARAM_GD
    wrong = statement.with_rhs("kernel_gd", statement["kernel_gd"].rhs * sp.sqrt(F.n_features))
    statuses = [o.status for o in check_derivation(F.derive_linear_param_gd(wrong), wrong.domain)]
    assert statuses[:2] == [StepStatus.PROVED, StepStatus.PROVED]
    assert statuses[3:] == [StepStatus.REFUTED, StepStatus.REFUTED]
