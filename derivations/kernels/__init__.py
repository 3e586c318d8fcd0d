"""Infinite-width kernels of fully connected networks, derived from small symbolic networks.

Conventions: NTK parameterisation, σ_w² = ``SW2``, σ_b² = ``SB2``, depth L =
number of affine layers (L − 1 hidden nonlinear layers), scalar output,

    h⁰ = x,  z^{ℓ+1} = σ_w h^ℓ W_ℓ/√n_ℓ + σ_b b_ℓ,  h^ℓ = σ(z^ℓ),  f = z^L,  entries N(0, 1).

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]) with k = Σ^ℓ (Jacot, Gabriel & Hongler, "Neural
Tangent Kernel", 2018; Lee et al., "Deep Neural Networks as Gaussian Processes", 2018):

    Σ¹ = σ_w² x·x'/n0 + σ_b²,   Σ^{ℓ+1} = σ_w² E[σ(u)σ(v)] + σ_b²,   Σ̇^{ℓ+1} = E[σ'(u)σ'(v)],
    Θ¹ = Σ¹,   Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Σ̇^{ℓ+1} Θ^ℓ,   NNGP Σ^L, NTK Θ^L (L − 1 layer maps).

Standard parameterisation (W_ℓ ~ N(0, σ_w²/n_ℓ), multipliers 1, all hidden widths n): its
NTK grows like n; Θ̂^std/n → Ξ^L with Ξ¹ = 0 and Ξ^{ℓ+1} = E[σ(u)σ(v)] + σ_w² Σ̇^{ℓ+1} Ξ^ℓ
(derived below from the same layer decomposition).

The layer map is stated once, generically in σ (symbols ``E`` = E[σ(u)σ(v)] and ``ED`` =
E[σ'(u)σ'(v)]); each activation adds its closed-form duals as relations ``dual[name]`` and
``dual'[name]``. Numeric predictions iterate these relations (lambdified) layer by layer,
so a mutated relation changes every prediction it feeds.

Every derivation computes its left-hand sides from a small symbolic network: Gaussian
moments of polynomials in independent N(0, 1) weights (:func:`gaussian_expectation`),
SymPy differentiation with respect to every parameter, sums and limits in the width n.
The duals are links to the statements of the dual claims (:mod:`derivations.duals`); the
fluctuation exponents are computed by :mod:`derivations.asymptotics` from the variance of
an average of n independent terms; what SymPy does not establish (the law of large numbers
across layers, Schoenberg's theorem) is cited.

The derivations live in one module per job: :mod:`.setting` (symbols, activations, Gaussian
moments), :mod:`.recursion` (the layer maps, NNGP), :mod:`.decomposition`, :mod:`.ntk`,
:mod:`.outputs`, :mod:`.sphere` (positive definiteness), :mod:`.polynomial` and
:mod:`.relu_diagonal`; this package re-exports their public names.
"""
from __future__ import annotations

from .setting import (ACTIVATIONS, E, ED, L, N_UNITS, Q, SB2, SIGMA_DOT, SIGMA_NEXT, SW2, THETA, XI,
                      gaussian_expectation)
from .recursion import (FLUCTUATION, NNGP, NTK, RECURSION_ACTIVATIONS, STANDARD_BIAS_VAR, STANDARD_WEIGHT_VAR,
                        derive_nngp, dual_relations, layer_relations, recursion_statement)
from .decomposition import DECOMPOSITION, SIGMA_FN, SIGMA_PRIME_FN, decomposition_symbols, derive_decomposition
from .ntk import derive_ntk
from .outputs import GAUSSIAN_OUTPUTS, MEAN_K, VAR_K, derive_gaussian_outputs
from .sphere import MIN_DEPTH, N_POINTS, NON_POLYNOMIAL, POSITIVE_DEFINITE, derive_positive_definite, sphere_kernels
from .polynomial import (DEGREE, DIMENSION, POLYNOMIAL_DEGENERATE, POLYNOMIAL_DEGREES, D, M, P,
                         derive_polynomial_degenerate)
from .relu_diagonal import K1, RELU_DIAGONAL, derive_relu_diagonal

__all__ = [
    "SW2", "SB2", "Q", "E", "ED", "SIGMA_NEXT", "SIGMA_DOT", "THETA", "XI", "L", "N_UNITS",
    "ACTIVATIONS", "RECURSION_ACTIVATIONS", "SIGMA_FN", "SIGMA_PRIME_FN", "gaussian_expectation",
    "layer_relations", "dual_relations", "recursion_statement", "NNGP", "NTK", "derive_nngp", "derive_ntk",
    "DECOMPOSITION", "derive_decomposition", "decomposition_symbols",
    "GAUSSIAN_OUTPUTS", "derive_gaussian_outputs", "VAR_K", "MEAN_K",
    "sphere_kernels", "POSITIVE_DEFINITE", "NON_POLYNOMIAL", "derive_positive_definite", "N_POINTS",
    "MIN_DEPTH", "POLYNOMIAL_DEGENERATE", "POLYNOMIAL_DEGREES", "derive_polynomial_degenerate", "DEGREE", "DIMENSION", "P", "M", "D",
    "RELU_DIAGONAL", "derive_relu_diagonal", "K1", "FLUCTUATION", "STANDARD_WEIGHT_VAR",
    "STANDARD_BIAS_VAR",
]
