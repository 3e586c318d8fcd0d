"""The setting of the kernel derivations: the symbols of the layer maps, the activations with
their closed-form duals, Gaussian moments of polynomials, and the small symbolic layers the
derivations compute with (conventions in :mod:`derivations.kernels`)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from catalogue import activations as catalogue

from .. import duals
from ..core import Domain, Quantity, Statement, Step

SW2 = sp.Symbol("sigma_w^2", positive=True)
SB2 = sp.Symbol("sigma_b^2", nonnegative=True)
Q = Quantity("x.x'/n0", r"\tfrac{x\cdot x'}{n_0}", real=True)
E = Quantity("E[s(u)s(v)]", r"\mathbb{E}[\sigma(u)\sigma(v)]", real=True)
ED = Quantity("E[s'(u)s'(v)]", r"\mathbb{E}[\sigma'(u)\sigma'(v)]", real=True)
SIGMA_NEXT = Quantity("Sigma^(l+1)", r"\Sigma^{\ell+1}", real=True)
SIGMA_DOT = Quantity("Sigma_dot^(l+1)", r"\dot\Sigma^{\ell+1}", real=True)
THETA = Quantity("Theta^l", r"\Theta^{\ell}", real=True)
XI = Quantity("Xi^l", r"\Xi^{\ell}", real=True)
L = sp.Symbol("L", integer=True, positive=True)
N_UNITS = sp.Symbol("n", integer=True, positive=True)

_UNITS = 3
"""Units of the small symbolic layers whose moments SymPy computes."""


# ------------------------------------------------------------------ activations

@dataclass(frozen=True)
class Nonlinearity:
    """σ as a SymPy expression in z, its derivative, and (if any) its closed-form duals.

    ``links`` are (claim id, statement object, relation name) of the dual claims whose
    relations are ``dual`` = E[σ(u)σ(v)] and ``dual_prime`` = E[σ'(u)σ'(v)].
    """

    name: str
    sigma: sp.Expr
    derivative: sp.Expr
    links: tuple[tuple[str, Statement, str], ...] = ()

    @property
    def dual(self) -> sp.Expr | None:
        return self.links[0][1][self.links[0][2]].rhs if self.links else None

    @property
    def dual_prime(self) -> sp.Expr | None:
        return self.links[1][1][self.links[1][2]].rhs if self.links else None


def _from_catalogue(name: str) -> Nonlinearity:
    """σ and the network's σ' from the catalogue; the links to the claims stating the duals: the
    entry's dual claim, and for σ' = F (α = 0, β = 1) F's dual claim, else the entry's
    derivative claim (Price's theorem)."""
    entry = catalogue.entry(name)
    links = ()
    if entry.claim is not None:
        alpha, beta, f = duals.DERIVATIVE[name]
        prime = ((catalogue.entry(f).claim, f) if (alpha, beta) == (0, 1)
                 else (entry.derivative_claim, name))
        links = ((entry.claim, duals.STATEMENTS[entry.claim], name),
                 (prime[0], duals.STATEMENTS[prime[0]], prime[1]))
    return Nonlinearity(name, duals.SIGMA[name], duals.formula(entry.derivative), links)


ACTIVATIONS = {name: _from_catalogue(name) for name in ("relu", "erf", "identity", "quadratic", "tanh")}
"""σ, σ' and the closed-form duals E[σ(u)σ(v)], E[σ'(u)σ'(v)] in (k11, k22, k12) of the activations
the kernel claims state, read from the catalogue and the statements of the dual claims
(:mod:`derivations.duals`): relu' is the step function (the derivative the networks backpropagate),
so its dual is dual.step's; erf' has dual.erf_prime's; the polynomials' E[σ'σ'] is Price's theorem
(dual.price). tanh has no closed form and serves the finite-width identity only."""


def gaussian_expectation(expr, normals) -> sp.Expr:
    """E[expr] over independent N(0, 1) variables ``normals`` (expr polynomial in them).

    Expands and replaces each monomial Π w_i^{p_i} by Π E[w^{p_i}], with E[w^p] = (p − 1)!!
    for even p and 0 for odd p (Isserlis).
    """
    normals = tuple(normals)
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        powers = term.as_powers_dict()
        exponents = [int(powers.get(w, 0)) for w in normals]
        if any(p % 2 for p in exponents):
            continue
        rest = term / sp.Mul(*(w**p for w, p in zip(normals, exponents)))
        total += rest * sp.Mul(*(sp.factorial2(p - 1) for p in exponents))
    return sp.expand(total)


def _real_line(symbols) -> dict:
    return {s: sp.Interval.open(0, sp.oo) if s.is_positive else
            sp.Interval(0, sp.oo) if s.is_nonnegative else sp.Interval(-sp.oo, sp.oo)
            for s in symbols}


def _domain_for(base: Domain, *exprs) -> Domain:
    """``base`` extended by every other free symbol of ``exprs`` on its natural interval."""
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs))
    extra = free - set(base.intervals) - set(base.derived)
    return Domain({**base.intervals, **_real_line(extra)}, base.derived, base.description)


def _step(text, lhs, rhs, how, domain: Domain, *, op="=", uses=None, extend=True) -> Step:
    """A step whose numeric rung samples ``domain``, extended (``extend``) by the other symbols."""
    return Step(text, lhs, rhs, how, op=op, uses=uses,
                domain=_domain_for(domain, lhs, rhs) if extend else domain)


def _units(prefix: str, count: int = _UNITS):
    return sp.symbols(f"{prefix}0:{count}", real=True)


def _inputs():
    return _units("x"), _units("y")


def _avg(a, b) -> sp.Expr:
    return sp.Add(*(p * q for p, q in zip(a, b))) / len(a)


def _ntk_affine(values, w, b) -> sp.Expr:
    """σ_w n^{-1/2} Σ_i values_i w_i + σ_b b: one unit of an NTK-parameterised layer."""
    return sp.sqrt(SW2) / sp.sqrt(len(values)) * sum(v * wi for v, wi in zip(values, w)) + sp.sqrt(SB2) * b


