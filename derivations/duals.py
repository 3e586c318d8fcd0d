"""Dual activations: E[sigma(u) sigma(v)] in closed form, derived rather than restated.

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]), c = k12/sqrt(k11 k22), theta = arccos c
(Cho & Saul 2009; seeds 002 and 004):

    step:  E[1{u>0} 1{v>0}] = (pi - theta) / (2 pi)                    (Sheppard)
    relu:  E[relu(u) relu(v)] = sqrt(k11 k22) (sin theta + (pi - theta) c) / (2 pi)

How a closed form F of E[sigma(u) sigma(v)] is derived (:func:`price_derivation`):
by Price's theorem dF/dk12 = E[sigma'(u) sigma'(v)], a first-order ODE in k12 on
|k12| <= sqrt(k11 k22); at k12 = 0 the pair is independent, so
F(0) = E[sigma(u)] E[sigma(v)], which SymPy integrates.  The ODE and its initial
value fix F.  The right-hand side of the ODE is the derivative dual: for the step
function SymPy integrates delta(u) delta(v) against the density; for ReLU it is the
step dual.
"""
from __future__ import annotations

import sympy as sp

from .core import Derivation, Justification, Quantity, Relation, Statement, Step
from .gaussian import COVARIANCE, expect_pair, k11, k12, k22, mean, price_identity, theta, z

__all__ = ["SIGMA", "CLOSED_FORM", "STEP", "RELU", "PRICE", "price_derivation",
           "derive_step", "derive_relu", "derive_price", "expectation"]

SIGMA = {
    "step": sp.Heaviside(z),
    "relu": z * sp.Heaviside(z),
}
"""Each activation as a SymPy expression in z; sigma' is its SymPy derivative."""

_c = k12 / sp.sqrt(k11 * k22)

CLOSED_FORM = {
    "step": (sp.pi - theta) / (2 * sp.pi),
    "relu": sp.sqrt(k11 * k22) * (sp.sin(theta) + (sp.pi - theta) * _c) / (2 * sp.pi),
}
"""The closed-form duals E[sigma(u) sigma(v)] as functions of (k11, k22, k12)."""

_LATEX_NAME = {"step": r"\mathbb{1}_{>0}", "relu": r"\operatorname{relu}"}


def expectation(name: str, prime: bool = False) -> Quantity:
    """The quantity E[sigma(u) sigma(v)] (or with sigma') as a printable symbol."""
    mark = "'" if prime else ""
    s = _LATEX_NAME[name] + mark
    return Quantity(f"E[{name}{mark}(u){name}{mark}(v)]", rf"\mathbb{{E}}[{s}(u)\,{s}(v)]")


def _dual_statement(name: str) -> Statement:
    return Statement(
        (Relation(name, expectation(name), CLOSED_FORM[name]),),
        COVARIANCE,
        r"$(u, v) \sim \mathcal{N}(0, [[k_{11}, k_{12}], [k_{12}, k_{22}]])$, "
        r"$\theta = \arccos(k_{12}/\sqrt{k_{11}k_{22}})$",
    )


STEP = _dual_statement("step")
RELU = _dual_statement("relu")


def price_derivation(closed_form, sigma, derivative_dual, *, derivative_source: str,
                     uses: str | None = None) -> Derivation:
    """Derive a dual from Price's theorem plus its value at k12 = 0.

    ``closed_form`` is the statement's right-hand side F; ``derivative_dual`` is
    E[sigma'(u) sigma'(v)] as obtained by ``derivative_source`` (in words), taken
    from claim ``uses`` when given.
    """
    how, label = ((Justification.USES_CLAIM, uses) if uses else (Justification.INTEGRATE, None))
    ode = Step(
        r"Differentiate the closed form in $k_{12}$; by Price's theorem (dual.price) the result "
        rf"must be $\mathbb{{E}}[\sigma'(u)\sigma'(v)]$, {derivative_source}",
        sp.diff(closed_form, k12), derivative_dual, how, uses=label,
    )
    initial = Step(
        r"At $k_{12} = 0$ the pair is independent: $\mathbb{E}[\sigma(u)\sigma(v)] = "
        r"\mathbb{E}[\sigma(u)]\,\mathbb{E}[\sigma(v)]$, each integrated by SymPy",
        closed_form.subs(k12, 0), mean(sigma, k11) * mean(sigma, k22), Justification.INTEGRATE,
    )
    return Derivation(
        (ode, initial),
        r"The first-order ODE in $k_{12}$ on $|k_{12}| \le \sqrt{k_{11}k_{22}}$ and its value at "
        r"$k_{12} = 0$ determine the function: the closed form is the dual.",
    )


def derive_step(statement: Statement) -> Derivation:
    """Sheppard's formula: dF/dk12 = E[delta(u) delta(v)] = p(0, 0), and F(0) = 1/4."""
    sigma = SIGMA["step"]
    delta = sp.diff(sigma, z)
    return price_derivation(
        statement["step"].rhs, sigma, expect_pair(delta, delta),
        derivative_source=r"here $\mathbb{E}[\delta(u)\delta(v)] = p(0,0)$ integrated by SymPy",
    )


def derive_relu(statement: Statement) -> Derivation:
    """The ReLU dual: relu' is the step function, whose dual is Sheppard's formula."""
    return price_derivation(
        statement["relu"].rhs, SIGMA["relu"], CLOSED_FORM["step"],
        derivative_source=r"here the step dual, since $\operatorname{relu}' = \mathbb{1}_{>0}$ (dual.step)",
        uses="dual.step",
    )


PRICE = Statement(
    tuple(Relation(name, sp.Derivative(expectation(name), k12), derivative)
          for name, derivative in (("relu", CLOSED_FORM["step"]),)),
    COVARIANCE,
    r"$\sigma$ of polynomial growth; $\sigma'$ in the sense of distributions",
)
"""Price's theorem for each closed-form pair (sigma, sigma'): the rhs is E[sigma' sigma']."""


def derive_price(statement: Statement) -> Derivation:
    """The general identity, then, per pair, dF_sigma/dk12 against the stated E[sigma' sigma']."""
    pairs = tuple(
        Step(rf"Differentiate the closed-form {r.name} dual in $k_{{12}}$",
             sp.diff(CLOSED_FORM[r.name], k12), r.rhs, Justification.DIFFERENTIATE)
        for r in statement.relations
    )
    return Derivation(
        (price_identity(),) + pairs,
        "The density identity proves the theorem for every sigma of polynomial growth; "
        "each closed-form pair then agrees with it.",
    )
