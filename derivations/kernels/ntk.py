"""The derivation of the NTK recursion (kernel.ntk_recursion): Θ¹ by differentiation, the Θ
layer map from the linked exact decomposition, and the standard parameterisation's Ξ."""
from __future__ import annotations

import sympy as sp

from ..core import Derivation, Justification, Statement, Step, link
from .decomposition import DECOMPOSITION, _readout_expectation, _tangent
from .recursion import (_averages_converge, _dual_steps, _first_layer_covariance, _fluctuation_of_tangent,
                        _layer_covariance, _maps_count)
from .setting import (E, ED, N_UNITS, Q, SIGMA_DOT, SIGMA_NEXT, XI, _UNITS, _avg, _domain_for, _inputs,
                      _ntk_affine, _step, _units, gaussian_expectation)


def _first_layer_tangent(statement: Statement) -> Step:
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)
    return _step(
        r"First layer: SymPy differentiates $z^1(x), z^1(x')$ with respect to $W_0, b_0$",
        _tangent(_ntk_affine(x, w, b), _ntk_affine(y, w, b), w + (b,)), statement["theta1"].rhs.subs(Q, _avg(x, y)),
        Justification.DIFFERENTIATE, statement.domain)


def _layer_tangent(statement: Statement) -> Step:
    moments, (h, g, d, e) = _readout_expectation(DECOMPOSITION["decomposition"].rhs)
    layer_map = statement["theta"].rhs.subs({
        SIGMA_NEXT: statement["sigma"].rhs.subs(E, _avg(h, g)),
        SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, _avg(d, e)),
    })
    return link(
        r"Layer map (kernel.ntk\_layer\_decomposition): SymPy takes the moments over the readout of "
        r"the linked exact decomposition with $\hat\Theta^\ell_{jk} = \delta_{jk}\Theta^\ell$, $n = 3$ "
        r"units ($h_j = \sigma(z_j)$, $d_j = \sigma'(z_j)$; $g_j, e_j$ at $x'$)",
        layer_map, "kernel.ntk_layer_decomposition", DECOMPOSITION, "decomposition", rhs=moments,
        domain=_domain_for(statement.domain, layer_map, moments))


def _standard_units(statement: Statement) -> Step:
    """The standard parameterisation's initial variances give the NTK parameterisation's Σ¹."""
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)
    weight = sp.sqrt(statement["standard_weight_var"].rhs.subs(N_UNITS, _UNITS))
    bias = sp.sqrt(statement["standard_bias_var"].rhs)

    def z1(inp):
        return sum(i * weight * wi for i, wi in zip(inp, w)) + bias * b

    return _step(
        rf"Standard parameterisation, $n_0 = {_UNITS}$: with multipliers 1 and entries of the stated "
        r"variances ($W = \sqrt{\operatorname{Var}W^{std}}\,w$, $b = \sqrt{\operatorname{Var}b^{std}}\,b'$, "
        r"$w, b'$ standard normal) SymPy takes the moments of $z^1_j(x)z^1_j(x')$: the same $\Sigma^1$, "
        r"so both parameterisations compute the same function at initialisation",
        gaussian_expectation(z1(x) * z1(y), w + (b,)), statement["sigma1"].rhs.subs(Q, _avg(x, y)),
        Justification.INTEGRATE, statement.domain)


def _standard_first_layer(statement: Statement) -> Step:
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)

    def z1(inp):
        return sum(i * wi for i, wi in zip(inp, w)) + b

    return _step(
        r"Standard parameterisation, first layer: the gradients are $x_i$ and 1 (multipliers 1), "
        r"so $\hat\Theta^1_{std}/n$ has the limit",
        sp.limit(_tangent(z1(x), z1(y), w + (b,)) / N_UNITS, N_UNITS, sp.oo),
        statement["xi1"].rhs, Justification.LIMIT, statement.domain)


def _standard_layer(statement: Statement) -> tuple[Step, Step]:
    h, g, d, e = (_units(p) for p in ("h", "g", "d", "e"))
    w = _units("w")
    n = _UNITS
    weights = [sp.sqrt(statement["standard_weight_var"].rhs.subs(N_UNITS, n)) * wi for wi in w]
    own = sum(a * b for a, b in zip(h, g))
    below = sum(weights[j] * weights[k] * d[j] * e[k] * (n * XI if j == k else 0)
                for j in range(n) for k in range(n))
    lhs = gaussian_expectation((own + below) / n, w)
    rhs = statement["xi"].rhs.subs({E: _avg(h, g), SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, _avg(d, e))})
    weights_step = _step(
        r"Standard parameterisation, layer map: $\hat\Theta^{\ell+1}_{std} = \sum_j h_j g_j + 1 + "
        r"\sum_{jk} W_j W_k d_j e_k \hat\Theta^{\ell}_{std,jk}$ with $W_j \sim \mathcal{N}(0, \operatorname{Var}W^{std})$ "
        r"and $\hat\Theta^\ell_{std,jk} = n\delta_{jk}\Xi^\ell$; SymPy takes the moments of the "
        r"weight part over $n$ ($n = 3$)",
        lhs, rhs, Justification.INTEGRATE, statement.domain)
    bias_step = Step(
        r"The readout bias adds $1/n$, which vanishes",
        sp.limit(1 / N_UNITS, N_UNITS, sp.oo), sp.Integer(0), Justification.LIMIT)
    return weights_step, bias_step


def derive_ntk(statement: Statement) -> Derivation:
    """Θ¹ and the Θ map from the exact decomposition; Σ as in :func:`derive_nngp`; Ξ likewise."""
    return Derivation(
        (_first_layer_covariance(statement), _layer_covariance(statement),
         _first_layer_tangent(statement), _layer_tangent(statement),
         _standard_units(statement), _standard_first_layer(statement)) + _standard_layer(statement)
        + (_averages_converge(), _maps_count(statement), _fluctuation_of_tangent(statement))
        + _dual_steps(statement),
        r"By induction on depth, the empirical NTK at initialisation converges to the "
        r"deterministic $\Theta^L$ (Jacot et al. 2018, Thm 1); in the standard parameterisation "
        r"$\hat\Theta/n \to \Xi^L$, the weights of the hidden layers dominating; the finite-width "
        r"kernels fluctuate like $n^{-1/2}$.",
    )


