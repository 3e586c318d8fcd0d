"""Polynomial activations give degenerate kernels (kernel.polynomial_degenerate): Θ^L is a
polynomial in c whose Gram matrices have rank at most the dimension of polynomials on the sphere."""
from __future__ import annotations

from itertools import combinations_with_replacement

import sympy as sp

from catalogue import activations as catalogue

from ..core import Derivation, Domain, Justification, Quantity, Relation, Statement
from ..gaussian import c
from .recursion import _dual_steps, dual_relations, layer_relations
from .setting import L, _step
from .sphere import _SPHERE, sphere_kernels

P, M, D = sp.symbols("p m d", integer=True, positive=True)
DEGREE = Quantity("deg_c Theta^L", r"\deg_c \Theta^L")
DIMENSION = Quantity("dim P_m(S^(d-1))", r"\dim \mathcal{P}_m(S^{d-1})")

POLYNOMIAL_DEGENERATE = Statement(
    layer_relations(ntk=True) + dual_relations(("identity", "quadratic"), prime=True) + (
        Relation("degree", DEGREE, P ** (L - 1)),
        Relation("dimension", DIMENSION, sp.binomial(M + D - 1, D - 1) + sp.binomial(M + D - 2, D - 1))),
    Domain({**_SPHERE.intervals, P: sp.Interval(1, 4), M: sp.Interval(1, 8), D: sp.Interval(2, 6)},
           _SPHERE.derived, _SPHERE.description),
    r"$\sigma$ a polynomial of degree $p$ (identity $p = 1$, quadratic $p = 2$); inputs on the "
    r"sphere $|x|^2 = n_0 = d$; the Gram matrix of $N$ points has rank $\le \min(N, "
    r"\dim\mathcal{P}_m(S^{d-1}))$ with $m = \deg_c\Theta^L$",
)

POLYNOMIAL_DEGREES = {name: catalogue.entry(name).polynomial_degree for name in ("identity", "quadratic")}


def _standard_monomials(d: int, m: int) -> int:
    """Polynomials of degree ≤ m on S^{d−1}: monomials of degree ≤ m outside the leading ideal."""
    xs = sp.symbols(f"t0:{d}")
    basis = sp.groebner([sum(t**2 for t in xs) - 1], *xs, order="grevlex")
    leading = [sp.Poly(g, *xs).monoms(order="grevlex")[0] for g in basis.exprs]
    count = 0
    for degree in range(m + 1):
        for combo in combinations_with_replacement(range(d), degree):
            exps = [combo.count(i) for i in range(d)]
            count += not any(all(e >= l for e, l in zip(exps, lead)) for lead in leading)
    return count


def derive_polynomial_degenerate(statement: Statement) -> Derivation:
    """Duals by moments; the degree of Θ^L in c; the dimension of polynomials on the sphere."""
    table = [(p_name, depth) for p_name in POLYNOMIAL_DEGREES for depth in (1, 2, 3)]
    degrees = sp.Matrix([sp.Poly(sp.expand(sphere_kernels(statement, name, depth)[1]), c).degree()
                         for name, depth in table])
    stated = sp.Matrix([statement["degree"].rhs.subs({P: POLYNOMIAL_DEGREES[name], L: depth})
                        for name, depth in table])
    shapes = [(d, m) for d in (2, 3, 4) for m in (1, 2, 3, 4)]
    counted = sp.Matrix([_standard_monomials(d, m) for d, m in shapes])
    formula = sp.Matrix([statement["dimension"].rhs.subs({D: d, M: m}) for d, m in shapes])
    return Derivation(
        _dual_steps(statement) + (
            _step(r"SymPy iterates the statement's layer maps on the sphere ($x\cdot x'/n_0 = c$) and "
                  r"reads off the degree of $\Theta^L$ in $c$ (identity and quadratic, $L = 1, 2, 3$)",
                  degrees, stated, Justification.ALGEBRA, statement.domain),
            _step(r"The dimension of polynomials of degree $\le m$ restricted to $S^{d-1}$ is the "
                  r"number of standard monomials modulo the Gröbner basis of $|t|^2 - 1$ "
                  r"($d = 2, 3, 4$; $m \le 4$)",
                  counted, formula, Justification.ALGEBRA, statement.domain)),
        r"$\Theta^L(x, x') = \sum_{k \le m} a_k (x\cdot x'/n_0)^k$ on the sphere, so each column of "
        r"the Gram matrix is a polynomial of degree $\le m$ restricted to the sphere evaluated at "
        r"the points: the rank is at most that dimension. Polynomial $\sigma$ is excluded by the "
        r"positive-definiteness theorem (kernel.positive\_definite) for this reason.",
    )


