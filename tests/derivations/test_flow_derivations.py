"""derivations.spectral (explicit matrices, spectra, domains) and what .flow, .regression and
.widths derive from their statements."""
import numpy as np
import pytest
import scipy.linalg
import sympy as sp

from derivations import flow as F
from derivations import widths as W
from derivations.engine import StepStatus, check_derivation
from derivations.spectral import (N, PYTHAGOREAN, ROTATION, MatrixExp, NamedMatrix, Spectrum, eigencomponent,
                                  explicit, real_domain, symmetric, vector)

LAM = sp.symbols("lambda_1:3", positive=True)


def test_rational_orthogonal_matrices_are_orthogonal():
    for Q in (ROTATION, PYTHAGOREAN):
        assert Q.T * Q == sp.eye(Q.shape[0])


def test_explicit_exponential_matches_scipy_expm():
    t = sp.Symbol("t", nonnegative=True)
    H, u0 = NamedMatrix("H", N, N), NamedMatrix("u_0", N, 1)
    spectrum = Spectrum(ROTATION, LAM)
    u = explicit(MatrixExp(-t * H) * u0, sizes={N: 2}, values={"u_0": vector("u", 2)}, spectra={"H": spectrum})
    point = {LAM[0]: 0.7, LAM[1]: 2.5, t: 0.3, **dict(zip(vector("u", 2), (1.0, -2.0)))}
    matrix = np.array(spectrum.matrix.subs(point), dtype=float)
    expected = scipy.linalg.expm(-0.3 * matrix) @ np.array([1.0, -2.0])
    np.testing.assert_allclose(np.array(u.subs(point), dtype=float)[:, 0], expected, rtol=1e-12)


def test_lambdified_matrix_exponential_is_expm():
    t = sp.Symbol("t")
    H = NamedMatrix("H", N, N)
    fn = sp.lambdify((H, t), MatrixExp(-t * H), modules=["numpy", "scipy"])
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    np.testing.assert_allclose(fn(A, 0.4), scipy.linalg.expm(-0.4 * A), rtol=1e-13)


def test_eigencomponent_reduces_functions_of_h_to_scalars():
    lam, eta, t = sp.symbols("lambda eta t", positive=True)
    H, u = NamedMatrix("H", N, N), NamedMatrix("u_k", N, 1)
    assert eigencomponent((sp.Identity(N) - eta * H) * u, spectral="H", eigenvalue=lam,
                          values={"u_k": 1}) == 1 - eta * lam
    assert eigencomponent(MatrixExp(-t * H.inv()) * u, spectral="H", eigenvalue=lam,
                          values={"u_k": 1}) == sp.exp(-t / lam)


def test_explicit_names_the_matrix_left_without_a_value():
    with pytest.raises(ValueError, match="A has no value"):
        explicit(NamedMatrix("A", N, N) * NamedMatrix("B", N, 1), sizes={N: 2}, values={"B": sp.ones(2, 1)})


def test_matrix_exp_takes_only_square_matrices():
    with pytest.raises(ValueError, match="square"):
        MatrixExp(NamedMatrix("A", 2, 3))


def test_real_domain_follows_assumptions_and_skips_function_arguments_and_indices():
    t, k = sp.Symbol("t", nonnegative=True), sp.Symbol("k", integer=True)
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", positive=True)
    theta = sp.Function("theta")(t)
    domain = real_domain(x * theta.diff(t) + y**k)
    assert set(domain.intervals) == {x, y}
    assert domain.intervals[y] == sp.Interval.open(0, sp.oo)


def test_symmetric_is_symmetric():
    S = symmetric("E", 3)
    assert S == S.T and len(S.free_symbols) == 6


def test_the_stability_threshold_is_derived_not_restated():
    """A threshold off by a factor 2 fails where SymPy solves |1 - eta lambda| < 1 (every claim's own
    steps and mutants run in tests/test_claims.py)."""
    wrong = F.GD_DISCRETE.with_rhs("threshold", 1 / F.lam_max)
    outcomes = check_derivation(F.derive_gd_discrete(wrong), wrong.domain)
    assert [o.status for o in outcomes][2:] == [StepStatus.REFUTED, StepStatus.REFUTED]


def test_step_factor_and_decay_rate_come_from_the_statements():
    assert F.step_factor(F.GD_DISCRETE) == 1 - F.eta * F.lam
    assert F.decay_rate(F.SPECTRAL_DECAY) == F.lam
    assert F.decay_rate(F.SPECTRAL_DECAY.with_rhs("component", sp.exp(-F.t / F.lam) * F.c0)) == 1 / F.lam


def test_width_exponents_are_computed_from_the_network_not_typed():
    """The NTK multiplier's powers come from differentiating the neuron; a wrong exponent fails its step."""
    outcomes = check_derivation(W.derive_ntk_constant(W.NTK_CONSTANT), W.NTK_CONSTANT.domain)
    assert [o.status for o in outcomes] == [StepStatus.PROVED] * 5 + [StepStatus.CITED] * 2
    wrong = W.LAZY_WEIGHTS.with_rhs("relative_change", -1)
    assert check_derivation(W.derive_lazy_weights(wrong), wrong.domain)[1].status is StepStatus.REFUTED
