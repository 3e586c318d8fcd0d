"""Claims of the infinite-width kernel family (kernel.*): the family, its claims and their mutants.

Statements and derivations come from :mod:`derivations.kernels`; finite networks from
:mod:`numeric.networks`, :mod:`numeric.ensembles` and :mod:`numeric.kernel_ensembles`.
Conventions: NTK parameterisation unless a configuration says "standard", depth L = number
of affine layers, σ_w = ``weight_std``, σ_b = ``bias_std``; inputs in R³ scaled so that
x·x/n0 is the squared norm factor drawn by hypothesis.

Every prediction iterates the statement's lambdified relations (:func:`limit_kernels`,
:func:`pair_kernels`, ``predict``), so a mutated relation changes what the finite networks
are compared with. The checks live beside this module, each named for what it holds:
the library a user calls against the statements (:mod:`._kernel_library`), the layer
decomposition on a complex-step Jacobian (:mod:`._kernel_decomposition`), the width limits
of finite networks (:mod:`._kernel_width_limits`), the kurtosis of the outputs
(:mod:`._kernel_kurtosis`) and the Gram matrices on the sphere (:mod:`._kernel_gram`).
"""
from __future__ import annotations

import functools

import sympy as sp

from derivations import kernels as K
from derivations.gaussian import k11, k12, k22

from ..claim import Claim, Mutant
from ._kernel_decomposition import _DECOMPOSITION_CHECK
from ._kernel_gram import _PD_CHECK, _POLY_CHECK
from ._kernel_kurtosis import _GAUSSIAN_CHECK
from ._kernel_library import _DIAGONAL_CHECK, _STANDARD_INIT_CHECK, _library_check
from ._kernel_predictions import limit_kernels, pair_kernels
from ._kernel_width_limits import _DIAGONAL_NETWORK_CHECK, _NNGP_CHECK, _NTK_CHECK

__all__ = ["CLAIMS", "limit_kernels", "pair_kernels"]



# ------------------------------------------------------------------ kernel.ntk_layer_decomposition

def _decomposition_mutants():
    rhs = K.DECOMPOSITION["decomposition"].rhs
    W = K.decomposition_symbols()[0]
    j, k = sp.symbols("j k", integer=True)
    mutate = functools.partial(K.DECOMPOSITION.with_rhs, "decomposition")
    return (
        Mutant("missing-bias-term", r"the readout bias's $\sigma_b^2$ dropped", mutate(rhs - K.SB2)),
        Mutant("wj-squared", r"$W_j^2$ in place of $W_j W_k$", mutate(rhs.xreplace({W[k]: W[j]}))),
        Mutant("factor-2", "the whole right side doubled", mutate(2 * rhs)),
        Mutant("limit-without-sigma-term", r"the limit without its $\Sigma^{\ell+1}$ part",
               K.DECOMPOSITION.with_rhs("limit", K.SW2 * K.ED * K.THETA)),
    )


# ------------------------------------------------------------------ kernel.nngp_recursion

def _rate_mutant(statement) -> Mutant:
    return Mutant("fluctuation-rate-one", r"fluctuations $\propto n^{-1}$ in place of $n^{-1/2}$",
                  statement.with_rhs("fluctuation", sp.Integer(-1)))


def _relu_angle_mutant(statement) -> Mutant:
    root = sp.sqrt(k11 * k22)
    angle = sp.acos(k12 / root)
    return Mutant("relu-theta-for-pi-minus-theta", r"the ReLU dual with $\theta$ in place of $\pi - \theta$",
                  statement.with_rhs("dual[relu]", root * (sp.sin(angle) + angle * k12 / root) / (2 * sp.pi)))


def _recursion_mutants(statement):
    sigma, maps = statement["sigma"].rhs, statement["maps"].rhs
    return (
        Mutant("bias-variance-dropped", r"$\Sigma^{\ell+1} = \sigma_w^2\mathbb{E}[\sigma\sigma]$ without $\sigma_b^2$",
               statement.with_rhs("sigma", sigma - K.SB2)),
        Mutant("depth-off-by-one", r"$L$ layer maps in place of $L - 1$", statement.with_rhs("maps", maps + 1)),
        Mutant("weight-variance-dropped", r"$\mathbb{E}[\sigma\sigma] + \sigma_b^2$ without $\sigma_w^2$",
               statement.with_rhs("sigma", K.E + K.SB2)),
        _relu_angle_mutant(statement),
        _rate_mutant(statement),
    )


# ------------------------------------------------------------------ kernel.ntk_recursion

def _ntk_mutants():
    s = K.NTK
    theta, xi = s["theta"].rhs, s["xi"].rhs
    return _recursion_mutants(s)[:2] + (
        Mutant("theta-without-sigma", r"$\Theta^{\ell+1} = \sigma_w^2\dot\Sigma^{\ell+1}\Theta^\ell$: the "
               r"$\Sigma^{\ell+1}$ term dropped", s.with_rhs("theta", theta - K.SIGMA_NEXT)),
        Mutant("sigma-for-sigma-dot", r"$\Sigma^{\ell+1}$ in place of $\dot\Sigma^{\ell+1}$",
               s.with_rhs("theta", theta.subs(K.SIGMA_DOT, K.SIGMA_NEXT))),
        Mutant("standard-with-weight-variance", r"$\Xi^{\ell+1} = \sigma_w^2\mathbb{E}[\sigma\sigma] + \dots$",
               s.with_rhs("xi", xi.subs(K.E, K.SW2 * K.E))),
        Mutant("standard-variance-without-width", r"standard initial weight variance $\sigma_w^2$ in place of "
               r"$\sigma_w^2/n$", s.with_rhs("standard_weight_var", K.SW2)),
        _rate_mutant(s),
    )


# ------------------------------------------------------------------ kernel.gaussian_outputs

def _gaussian_mutants():
    s = K.GAUSSIAN_OUTPUTS
    return (
        Mutant("excess-for-kurtosis", "the limit 0 (the excess kurtosis) in place of 3", s.with_rhs("limit", sp.Integer(0))),
        Mutant("rate-one-half", r"excess $\propto n^{-1/2}$", s.with_rhs("rate", sp.Rational(-1, 2))),
        Mutant("mixture-factor", r"$1 + \operatorname{Var}\hat K/\mathbb{E}[\hat K]^2$ in the mixture",
               s.with_rhs("mixture", 3 + K.VAR_K / K.MEAN_K**2)),
    )


# ------------------------------------------------------------------ kernel.positive_definite

def _pd_mutants():
    s = K.POSITIVE_DEFINITE
    return (
        Mutant("singular", r"rank $N - 1$: a zero eigenvalue", s.with_rhs("rank", K.N_POINTS - 1)),
        Mutant("depth-one", r"$L_{\min} = 1$", s.with_rhs("min_depth", sp.Integer(1))),
        Mutant("polynomial-activation", r"the quadratic's duals in place of ReLU's",
               s.with_rhs("dual[relu]", K.ACTIVATIONS["quadratic"].dual)
                .with_rhs("dual'[relu]", K.ACTIVATIONS["quadratic"].dual_prime)),
        _relu_angle_mutant(s),
    )


# ------------------------------------------------------------------ kernel.polynomial_degenerate

def _poly_mutants():
    s = K.POLYNOMIAL_DEGENERATE
    dimension = s["dimension"].rhs
    return (
        Mutant("dimension-minus-one", "one dimension fewer", s.with_rhs("dimension", dimension - 1)),
        Mutant("degree-depth-off-by-one", r"degree $p^L$", s.with_rhs("degree", K.P ** K.L)),
        Mutant("ambient-polynomials", r"$\binom{m+d}{d}$: polynomials on $\mathbb{R}^d$, the sphere ignored",
               s.with_rhs("dimension", sp.binomial(K.M + K.D, K.D))),
        Mutant("homogeneous-only", r"$\binom{m+d-1}{d-1}$: the homogeneous polynomials of degree $m$ only",
               s.with_rhs("dimension", sp.binomial(K.M + K.D - 1, K.D - 1))),
    )


# ------------------------------------------------------------------ kernel.relu_diagonal

def _diagonal_mutants():
    s = K.RELU_DIAGONAL
    return (
        Mutant("depth-off-by-one", r"$\Theta^L(x,x) = (L-1)\Sigma^1(x,x)$",
               s.with_rhs("theta_diag", (K.L - 1) * K.K1)),
        Mutant("sigma-factor-2", r"$\Sigma^\ell(x,x) = 2\Sigma^1(x,x)$", s.with_rhs("sigma_diag", 2 * K.K1)),
        Mutant("lecun-variance", r"$\sigma_w^2 = 1$ in place of He's 2", s.with_rhs("weight_var", sp.Integer(1))),
        _rate_mutant(s),
    )


# ------------------------------------------------------------------ the claims

_JACOT = "jacot2018"

PLACE = 2
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Infinite-width kernels',
    'At initialisation the outputs of a wide network are a Gaussian process with '
    'covariance $\\Sigma^L$ (the NNGP kernel), and its empirical tangent kernel converges '
    'to the NTK $\\Theta^L$; both follow a layer recursion whose only nonlinear ingredient'
    ' is a dual activation. This family derives the recursion from the network itself, '
    'measures the width limits on finite networks, and establishes when the NTK is '
    'positive definite.',
    'Jacot, Gabriel & Hongler 2018; Lee et al. 2018; Neal 1996; Arora et al. 2019',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("kernel.ntk_layer_decomposition",
          "The empirical NTK splits exactly into the readout's parameters and those below",
          f"{_JACOT} (proof of Thm 1)", K.DECOMPOSITION, K.derive_decomposition,
          checks=(_DECOMPOSITION_CHECK,), mutants=_decomposition_mutants()),
    Claim("kernel.nngp_recursion",
          "The covariance of the outputs over random initialisations converges to the NNGP kernel",
          "ntknotes2023; jacot2018; neal1996; lee2018", K.NNGP, K.derive_nngp,
          checks=(_library_check("nngp"), _NNGP_CHECK), mutants=_recursion_mutants(K.NNGP),
          uses=("dual.relu", "dual.erf", "dual.polynomial")),
    Claim("kernel.gaussian_outputs", "Outputs at initialisation → Gaussian: the kurtosis tends to 3 like 1/n",
          "jacot2018; neal1996; lee2018; hanin2019", K.GAUSSIAN_OUTPUTS, K.derive_gaussian_outputs,
          checks=(_GAUSSIAN_CHECK,), mutants=_gaussian_mutants(), uses=("kernel.nngp_recursion",)),
    Claim("kernel.ntk_recursion",
          "The empirical NTK at initialisation converges to the NTK; fluctuations shrink like 1/√n",
          f"{_JACOT} (Thm 1)", K.NTK, K.derive_ntk,
          checks=(_library_check("ntk"), _STANDARD_INIT_CHECK, _NTK_CHECK), mutants=_ntk_mutants(),
          uses=("kernel.ntk_layer_decomposition", "kernel.nngp_recursion", "dual.relu", "dual.step",
                "dual.erf", "dual.erf_prime", "dual.polynomial", "dual.price")),
    Claim("kernel.positive_definite", "Non-polynomial σ, L ≥ 2: the NTK is strictly positive definite on the sphere",
          f"{_JACOT} (Prop. 2); Daniely et al. 2016", K.POSITIVE_DEFINITE, K.derive_positive_definite,
          checks=(_PD_CHECK,), mutants=_pd_mutants(),
          uses=("kernel.ntk_recursion", "dual.relu", "dual.step", "dual.erf", "dual.erf_prime")),
    Claim("kernel.polynomial_degenerate",
          "Polynomial σ: the NTK Gram rank is at most the dimension of polynomials on the sphere",
          f"{_JACOT} (the condition of Prop. 2)", K.POLYNOMIAL_DEGENERATE, K.derive_polynomial_degenerate,
          checks=(_POLY_CHECK,), mutants=_poly_mutants(),
          uses=("kernel.ntk_recursion", "dual.polynomial", "dual.price")),
    Claim("kernel.relu_diagonal",
          "He-initialised ReLU: the NNGP diagonal keeps its first-layer value, the NTK diagonal is L times it",
          "jacot2018; he2015; arora2019", K.RELU_DIAGONAL, K.derive_relu_diagonal,
          checks=(_DIAGONAL_CHECK, _DIAGONAL_NETWORK_CHECK), mutants=_diagonal_mutants(),
          uses=("kernel.ntk_recursion", "dual.relu", "dual.step")),
)
