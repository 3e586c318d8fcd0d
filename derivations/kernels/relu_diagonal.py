"""The ReLU diagonal under He initialisation (kernel.relu_diagonal): Σ^ℓ(x,x) = Σ¹(x,x) and
Θ^L(x,x) = L Σ¹(x,x), by induction on the layer."""
from __future__ import annotations

import sympy as sp

from ..core import Derivation, Domain, Justification, Quantity, Relation, Statement
from ..gaussian import k11, k12, k22
from .recursion import (_dual_steps, _fluctuation_of_average, _fluctuation_of_tangent, _fluctuation_relation,
                        dual_relations, layer_relations)
from .setting import E, ED, L, Q, SB2, SIGMA_DOT, SIGMA_NEXT, SW2, THETA, _step

K1 = Quantity("Sigma^1(x,x)", r"\Sigma^1(x,x)", positive=True)

RELU_DIAGONAL = Statement(
    layer_relations(ntk=True) + dual_relations(("relu",), prime=True) + (
        Relation("weight_var", Quantity("sigma_w^2 (He)", r"\sigma_w^2"), sp.Integer(2)),
        Relation("bias_var", Quantity("sigma_b^2 (He)", r"\sigma_b^2"), sp.Integer(0)),
        Relation("sigma_diag", Quantity("Sigma^l(x,x)", r"\Sigma^{\ell}(x,x)"), K1),
        Relation("theta_diag", Quantity("Theta^L(x,x)", r"\Theta^{L}(x,x)"), L * K1),
        _fluctuation_relation()),
    Domain({K1: sp.Interval.open(0, sp.oo), L: sp.Interval(1, 12)}),
    r"ReLU, $\sigma_w^2 = 2$, $\sigma_b = 0$ (He initialisation), every $\ell \ge 1$ and depth $L \ge 1$",
)


def derive_relu_diagonal(statement: Statement) -> Derivation:
    """Induction: the diagonal layer map fixes Σ(x,x) and adds Σ¹(x,x) to Θ(x,x) per layer."""
    fixed = {SW2: statement["weight_var"].rhs, SB2: statement["bias_var"].rhs}
    q_xx = sp.solve(statement["sigma1"].rhs.subs(fixed) - K1, Q)[0]
    diagonal = statement["sigma_diag"].rhs
    at = {k11: diagonal, k22: diagonal, k12: diagonal}
    sigma_next = statement["sigma"].rhs.subs(E, statement["dual[relu]"].rhs.subs(at)).subs(fixed)
    theta_next = statement["theta"].rhs.subs({
        SIGMA_NEXT: sigma_next,
        SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, statement["dual'[relu]"].rhs.subs(at)),
        THETA: statement["theta_diag"].rhs.subs(L, L - 1)}).subs(fixed)
    domain = statement.domain
    return Derivation(
        (_step(r"Base: $\Sigma^1(x,x)$, with $x\cdot x/n_0$ solved from its definition $K_1 = \Sigma^1(x,x)$",
               statement["sigma1"].rhs.subs(fixed).subs(Q, q_xx), statement["sigma_diag"].rhs,
               Justification.SUBSTITUTE, domain),
         _step(r"Base: $\Theta^1(x,x)$ at the same input", statement["theta1"].rhs.subs(fixed).subs(Q, q_xx),
               statement["theta_diag"].rhs.subs(L, 1), Justification.SUBSTITUTE, domain),
         _step(r"On the diagonal $c = 1$ the ReLU dual is $k/2$: the layer map keeps $\Sigma(x,x)$ "
               r"(induction step for $\Sigma$)",
               sigma_next, diagonal, Justification.SUBSTITUTE, domain),
         _step(r"and $\dot\Sigma(x,x) = 1/2$, so the layer map adds $\Sigma^{\ell+1}(x,x)$ to "
               r"$\sigma_w^2\dot\Sigma\,\Theta^{L-1}(x,x) = \Theta^{L-1}(x,x)$ (induction step for $\Theta$)",
               theta_next, statement["theta_diag"].rhs, Justification.SUBSTITUTE, domain),
         _fluctuation_of_average(statement), _fluctuation_of_tangent(statement)) + _dual_steps(statement),
        r"By induction on the layer, He-initialised ReLU networks keep the input's scale "
        r"($\Sigma^\ell(x,x) = \Sigma^1(x,x)$) and every layer adds $\Sigma^1(x,x)$ to the NTK's "
        r"diagonal: $\Theta^L(x,x) = L\,\Sigma^1(x,x)$; at width $n$ both diagonals fluctuate "
        r"like $n^{-1/2}$.",
    )
