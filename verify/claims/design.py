"""Claims of designed activations (``design.*``): activations built from Hermite coefficients to
realise a chosen kernel.

Statement from :mod:`derivations.depth` (``DESIGN``); the activations from
:mod:`numeric.design`. The dual is a Monte Carlo expectation over Gaussian pairs; the NTK a
width limit over independent one-hidden-layer networks, whose first-layer pre-activations on
the sphere are exactly i.i.d. Gaussian pairs with correlation ρ.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import depth as D
from numeric import activations
from numeric import design as numeric_design
from numeric import hermite

from scipy import special

from .. import figdata
from ..checks import predict
from ..claim import Claim, Mutant, NumericCheck
from .depth import WIDTHS

__all__ = ["CLAIMS", "FAMILY"]

_GAUSSIAN_TARGET, _GAUSSIAN_TAIL = numeric_design.gaussian_target(D.GAUSSIAN_TERMS)
_GAUSSIAN = numeric_design.design_activation(_GAUSSIAN_TARGET, tail=_GAUSSIAN_TAIL, name="designed_gaussian")
_NTK = numeric_design.design_activation([0.25, 0.5, 0.25], kernel="ntk", name="designed_ntk")


def _measure_dual(statement, config, ctx):
    rho = config["rho"]
    fn = _GAUSSIAN.activation.fn
    out = ctx.expectation(f"rho={rho:.3g}: E[s_G(u) s_G(v)]", lambda a, b: fn(a) * fn(b),
                          predict(statement, "dual", {D.RHO: rho}), (1.0, 1.0, rho), scale_of=(fn, fn))
    if config.get("figure"):
        z = np.linspace(-3, 3, 61)
        ctx.record("designed activation", figdata.series(
            "σ_G, designed for the Gaussian kernel e^{ρ−1} (20 Hermite terms), beside e^{z−1}", "z", "σ(z)",
            [figdata.curve("σ_G (designed)", z, fn(z)), figdata.curve("e^{z−1}", z, np.exp(z - 1), style="points")]))
        grid = np.linspace(-1, 1, 21)
        ctx.record("designed kernel", figdata.series(
            "the designed activation's dual against its target", "ρ", "k(ρ)",
            [figdata.curve("target e^{ρ−1}", grid, np.exp(grid - 1)),
             figdata.curve("realised Σ a_k² ρ^k", grid, _GAUSSIAN.kernel_series(grid), style="points")]))
    return (out,)


_DUAL_CHECK = NumericCheck(
    "designed-dual-monte-carlo",
    "E[σ_G(u)σ_G(v)] by Monte Carlo over unit-variance Gaussian pairs, σ_G the designed 20-term "
    "activation (truncation < 1e-19, far below the MDE), against the statement's e^{ρ−1}",
    lambda budget: st.fixed_dictionaries({"rho": st.floats(-1.0, 1.0)}),
    _measure_dual, explicit=({"rho": 0.5, "figure": True}, {"rho": -1.0}),
    examples=lambda budget: (3, 5, 20)[budget.level],
)


def _measure_ntk(statement, config, ctx):
    """Θ̂_n(x, x') of one-hidden-layer networks with σ_N on the sphere, three widths."""
    rho = config["rho"]
    fn, deriv = _NTK.activation.fn, _NTK.activation.deriv
    chol = np.linalg.cholesky(np.array([[1.0, rho], [rho, 1.0]]) + 1e-15 * np.eye(2))
    draws, networks = [], (800, 800, 4500)[ctx.budget.level]
    for n in WIDTHS:
        rng = ctx.rng("width", n)
        z = rng.standard_normal((networks, n, 2)) @ chol.T
        readout = rng.standard_normal((networks, n))
        h, dh = fn(z), deriv(z)
        draws.append(np.mean(h[..., 0] * h[..., 1] + rho * readout**2 * dh[..., 0] * dh[..., 1], axis=1))
    prediction = predict(statement, "ntk", {D.RHO: rho})
    return ctx.width_limit(f"rho={rho:.3g}: Theta_hat", WIDTHS, draws, prediction,
                           rate=predict(statement, "fluctuation", {}), scale=max(abs(prediction), 0.25))


_NTK_CHECK = NumericCheck(
    "designed-ntk-width-limit",
    "the empirical NTK Θ̂_n = (1/n)Σ_j σ_N(z_j)σ_N(z'_j) + ρ(1/n)Σ_j v_j² σ_N'(z_j)σ_N'(z'_j) of "
    "one-hidden-layer networks with the activation designed for (1 + ρ)²/4, over independent "
    "initialisations at widths 64, 256, 1024: extrapolated limit and fluctuation exponent",
    lambda budget: st.fixed_dictionaries({"rho": st.floats(-0.9, 0.9)}),
    _measure_ntk, per_example=3, kind="width", explicit=({"rho": 0.4},),
    examples=lambda budget: (1, 2, 4)[budget.level],
)


def _design_mutants():
    s = D.DESIGN
    return (
        Mutant("dual-without-normalisation", r"$e^{\rho}$ in place of $e^{\rho-1}$",
               s.with_rhs("dual", sp.exp(D.RHO))),
        Mutant("ntk-doubled", r"$(1+\rho)^2/2$", s.with_rhs("ntk", (1 + D.RHO) ** 2 / 2)),
        Mutant("ntk-is-the-dual", r"$\Theta = D$ ($\sum_k \frac{t_k}{k+1}\rho^k$, the derivative term dropped)",
               s.with_rhs("ntk", sp.Rational(1, 4) + D.RHO / 4 + D.RHO**2 / 12)),
        Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$", s.with_rhs("fluctuation", sp.Integer(-1))),
    )


# ------------------------------------------------------------------ design.hermite_dual

_SERIES_TERMS = 160
"""Terms of the truncated Mehler series in the Monte Carlo check: at |ρ| ≤ 0.9 the omitted tail is at most
0.9^160 (V − Σ_{k<160} a_k²) < 3e-8 (V = E[σ(z)²] = 1/2 for relu and step)."""
_MAX_RHO = 0.9


def _squares(statement, name: str, terms: int) -> np.ndarray:
    """The statement's squared Hermite coefficients a_0², …, a_{terms−1}² of ``name`` (relu or its
    derivative, the step: b_k² = (k+1) a_{k+1}², from the stated closed forms)."""
    out = np.zeros(terms)
    if name == "relu":
        out[0] = predict(statement, "relu a0", {}) ** 2
        out[1] = predict(statement, "relu a1", {}) ** 2
        for k in range(2, terms):
            out[k] = (predict(statement, "relu even", {D.M: k // 2}) if k % 2 == 0
                      else predict(statement, "relu odd", {}) ** 2)
        return out
    out[0] = predict(statement, "relu a1", {}) ** 2
    for k in range(1, terms):
        out[k] = (predict(statement, "step odd", {D.M: (k + 1) // 2}) if k % 2
                  else (k + 1) * predict(statement, "relu odd", {}) ** 2)
    return out


def _operations(k: int) -> float:
    """Rounding model of a coefficient formed as exp(Σ log-gamma terms): the relative error is eps times
    the magnitude of the summed logarithms (≈ 2 ln k! + 16)."""
    return 16.0 + 2.0 * float(special.gammaln(k + 1))


def _measure_coefficients(statement, config, ctx):
    """numeric.hermite's closed-form coefficients of exp, relu and step (relu') squared, against the
    statement's closed forms (rounding model)."""
    out = []
    exp_a = hermite.coefficients("exp", 41)
    relu_a = hermite.coefficients("relu", 41)
    step_a = hermite.coefficients("step", 41)
    for k in config["exp"]:
        out.append(ctx.exact(f"exp: a_{k}^2", exp_a[k] ** 2, predict(statement, "exp coefficient", {D.K: k}),
                             operations=_operations(k)))
    for k in config["relu"]:
        out.append(ctx.exact(f"relu: a_{k}^2", relu_a[k] ** 2, predict(statement, "relu even", {D.M: k // 2}),
                             operations=_operations(k)))
    for k in config["step"]:
        out.append(ctx.exact(f"step: b_{k}^2", step_a[k] ** 2, predict(statement, "step odd", {D.M: (k + 1) // 2}),
                             operations=_operations(k)))
    return tuple(out)


_COEFFICIENT_CONFIG = {"exp": (0, 3, 12, 40), "relu": (2, 4, 12, 40), "step": (1, 5, 13, 39)}

_COEFFICIENT_CHECK = NumericCheck(
    "library-coefficients",
    "numeric.hermite's coefficients of exp, relu and the step (formed in log-gamma arithmetic) squared, "
    "at k up to 40, against the statement's e/k!, a_{2m}² and b_{2m−1}² (rounding model: eps × the summed "
    "logarithms' size)",
    lambda budget: st.just(_COEFFICIENT_CONFIG), _measure_coefficients,
    per_example=sum(len(v) for v in _COEFFICIENT_CONFIG.values()), examples=lambda budget: 1,
)


def _measure_mehler(statement, config, ctx):
    """E[σ(u)σ(v)] by Monte Carlo against the statement's coefficients summed to 160 terms."""
    name, rho = config["activation"], config["rho"]
    squares = _squares(statement, name, _SERIES_TERMS)
    full = predict(statement, "relu dual" if name == "relu" else "step dual", {D.RHO: 1.0})
    tail = abs(rho) ** _SERIES_TERMS * (full - squares.sum())
    if tail > 1e-6:
        raise ArithmeticError(f"the Mehler tail bound {tail:.3g} is not negligible at rho={rho}")
    fn = activations.get(name).fn
    return (ctx.expectation(f"{name}, rho={rho:.3g}: E[s(u) s(v)] vs sum_(k<{_SERIES_TERMS}) a_k^2 rho^k",
                            lambda a, b: fn(a) * fn(b), float(hermite.power_series(squares, rho)),
                            (1.0, 1.0, rho), scale_of=(fn, fn)),)


_MEHLER_CHECK = NumericCheck(
    "mehler-monte-carlo",
    "E[σ(u)σ(v)] for relu and its derivative, the step, by Monte Carlo over unit-variance Gaussian pairs "
    "with |ρ| ≤ 0.9, against Mehler's series of the statement's coefficients truncated at 160 terms (the "
    "tail bound |ρ|^160 (V − Σ a_k²) < 3e-8 is checked, far below the MDE)",
    lambda budget: st.fixed_dictionaries({"activation": st.sampled_from(("relu", "step")),
                                          "rho": st.floats(-_MAX_RHO, _MAX_RHO)}),
    _measure_mehler, explicit=({"activation": "relu", "rho": _MAX_RHO}, {"activation": "step", "rho": -0.5}),
    examples=lambda budget: (2, 4, 12)[budget.level],
)


def _hermite_mutants():
    s = D.HERMITE
    return (
        Mutant("relu-even-doubled", r"$a_{2m}(\mathrm{relu})^2$ doubled",
               s.with_rhs("relu even", 2 * s["relu even"].rhs)),
        Mutant("exp-coefficient-over-k", r"$a_k(\exp)^2 = e/(k+1)$",
               s.with_rhs("exp coefficient", sp.E / (D.K + 1))),
        Mutant("step-without-index-factor", r"$b_{2m-1}^2 = a_{2m}^2$ (the factor $2m$ of $h_k' = \sqrt k h_{k-1}$ dropped)",
               s.with_rhs("step odd", s["relu even"].rhs)),
        Mutant("relu-dual-theta", r"the arc-cosine dual with $\theta$ for $\pi - \theta$",
               s.with_rhs("relu dual", (sp.sqrt(1 - D.RHO**2) + sp.acos(D.RHO) * D.RHO) / (2 * sp.pi))),
    )


PLACE = 10
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    "Designed activations",
    "Mehler's formula makes the dual of $\\sigma = \\sum_k a_k h_k$ the power series "
    "$\\sum_k a_k^2\\rho^k$; read backwards, it designs an activation for a chosen kernel on the sphere, "
    "for the dual (NNGP) or for the one-hidden-layer NTK $\\sum_k (k+1)a_k^2\\rho^k$.",
    "Daniely, Frostig & Singer 2016; Simon, Anand & DeWeese 2021; O'Donnell 2014",
)
"""This family's title, introduction and sources, for the document."""

CLAIMS = (
    Claim("design.realised_kernels",
          "Activations designed from Hermite coefficients realise e^{ρ−1} (dual) and (1+ρ)²/4 (NTK)",
          "Daniely et al. 2016; Simon et al. 2021", D.DESIGN, D.derive_design,
          checks=(_DUAL_CHECK, _NTK_CHECK), mutants=_design_mutants()),
    Claim("design.hermite_dual",
          "Mehler: E[σ(u)σ(v)] = Σ a_k² ρ^k; relu's coefficients in closed form reproduce the arc-cosine dual, "
          "and the dual of σ' has coefficients (k+1)a_{k+1}²",
          "Daniely et al. 2016; O'Donnell 2014", D.HERMITE, D.derive_hermite,
          checks=(_COEFFICIENT_CHECK, _MEHLER_CHECK), mutants=_hermite_mutants(),
          uses=("dual.polynomial", "dual.relu", "dual.step")),
)
