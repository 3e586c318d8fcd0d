"""Dual activations: E[sigma(u) sigma(v)] in closed form, derived rather than restated.

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]), c = k12/sqrt(k11 k22), theta = arccos c
(Cho & Saul, Kernel methods for deep learning, 2009; Williams, Computing with infinite
networks, 1997):

    step:      E[1{u>0} 1{v>0}] = (pi - theta) / (2 pi)                    (Sheppard 1899)
    relu:      E[relu(u) relu(v)] = J = sqrt(k11 k22) (sin theta + (pi - theta) c) / (2 pi)
    abrelu:    sigma = a min(z, 0) + b max(z, 0):  (a - b)^2 J + a b k12   (leaky ReLU, abs)
    erf_prime: E[erf'(u) erf'(v)] = (4/pi) / sqrt((1 + 2k11)(1 + 2k22) - 4 k12^2)
    erf:       E[erf(u) erf(v)] = (2/pi) arcsin(2 k12 / sqrt((1 + 2k11)(1 + 2k22)))
    sin, cos:  e^{-(k11+k22)/2} sinh k12,  e^{-(k11+k22)/2} cosh k12
    identity:  k12;   quadratic (z^2): k11 k22 + 2 k12^2;   exp: exp((k11 + k22)/2 + k12)

How a closed form F of E[sigma(u) sigma(v)] is derived (:func:`price_derivation`):
by Price's theorem dF/dk12 = E[sigma'(u) sigma'(v)] (the density identity behind it proved
by SymPy, the integration by parts cited: Price, A useful theorem for nonlinear devices
having Gaussian inputs, 1958), a first-order ODE in k12 on |k12| <= sqrt(k11 k22); at
k12 = 0 the pair is independent, so F(0) = E[sigma(u)] E[sigma(v)], which SymPy
integrates.  The ODE and its initial value fix F.  SymPy differentiates sigma and finds
sigma' = alpha + beta F' for an activation F' whose dual is stated by a claim
(:data:`DERIVATIVE`): relu' is the step (dual.step), erf' has its own dual (dual.erf_prime,
a Gaussian integral SymPy does), sin and cos are each other's derivatives up to sign,
identity' = 1, quadratic' = 2 identity, exp' = exp; the right side of the ODE is built from
that claim's statement object (a link).  The step's derivative dual E[delta delta] = p(0, 0)
is integrated.  The abrelu dual follows from the ReLU dual by the reflections of the
Gaussian, computed as substitutions k12 -> -k12.

:data:`PRICE` states E[sigma'(u) sigma'(v)] for every closed-form pair; its derivation links
each to the dual of sigma'.  :data:`QUADRATURE` states what the library's default quadrature
promises: its order, the exactness of its rule, its stated accuracy over a declared range,
and the Gaussian integrals of tanh, gelu, softplus, sigmoid and swish, which it alone
evaluates.
"""
from __future__ import annotations

import functools

import sympy as sp

from sympy.core.function import AppliedUndef

from catalogue import activations as catalogue

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from .gaussian import (COVARIANCE, c, density, expect_pair, gaussian_pair_integral, k11, k12, k22,
                       mean, price_theorem, reflection_step, theta, u, v, z)

__all__ = ["a", "b", "SIGMA", "CLOSED_FORM", "DERIVATIVE_DUAL", "AB_DOMAIN", "QUADRATURE_DOMAIN",
           "STATEMENTS", "STEP", "RELU", "RELU2", "ABRELU", "ERF_PRIME", "ERF", "TRIG", "POLYNOMIAL", "PRICE",
           "QUADRATURE", "CLOSED", "QUADRATURE_ONLY", "QUADRATURE_ORDER", "QUADRATURE_ACCURACY",
           "QUADRATURE_MAX_VARIANCE",
           "DERIVATIVE", "expectation", "quadrature_value", "price_derivation", "initial_value",
           "derivative_form", "derivative_dual",
           "derive_step", "derive_relu", "derive_relu2", "formula", "derive_abrelu", "derive_erf_prime", "derive_erf",
           "derive_trig", "derive_polynomial", "derive_price", "derive_quadrature"]

a, b = sp.symbols("a b", real=True)
"""The slopes of sigma = a min(z, 0) + b max(z, 0) (relu: (0, 1), leaky relu: (slope, 1), abs: (-1, 1))."""

_R = sp.Function("R")
"""An unspecified function standing for relu while the abrelu product is expanded."""
_AB_FORM = b * _R(z) - a * _R(-z)
"""a min(z, 0) + b max(z, 0) written as b relu(z) - a relu(-z), with relu left unspecified."""

_c = k12 / sp.sqrt(k11 * k22)
_VOCABULARY = {
    "z": z, "k11": k11, "k22": k22, "k12": k12, "c": _c, "theta": theta, "a": a, "b": b, "pi": sp.pi,
    "step": sp.Heaviside, "erf": sp.erf, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin,
    "cos": sp.cos, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "asin": sp.asin, "acos": sp.acos,
}
"""The catalogue's vocabulary (catalogue.activations.VOCABULARY) as SymPy objects."""


def formula(text: str) -> sp.Expr:
    """A catalogue formula parsed by SymPy; ValueError if it uses a name outside the vocabulary."""
    unknown = set(catalogue.VOCABULARY) ^ set(_VOCABULARY)
    if unknown:
        raise ValueError(f"the SymPy vocabulary and the catalogue's differ in {sorted(unknown)}")
    expr = sp.parse_expr(text, local_dict=dict(_VOCABULARY))
    stray = expr.free_symbols - {z, k11, k22, k12, a, b} | {f.func for f in expr.atoms(AppliedUndef)}
    if stray:
        raise ValueError(f"formula={text!r} uses {sorted(map(str, stray))}, outside the catalogue's vocabulary")
    return expr


_STATED = tuple(e for e in catalogue.ENTRIES if e.relation is None)
"""The catalogue's entries the claims state under their own name (not as a member of a family)."""

SIGMA = {e.name: formula(e.sigma) for e in _STATED}
"""Each activation of the catalogue as a SymPy expression in z; sigma' is its SymPy derivative.

``abrelu`` is b relu(z) - a relu(-z), which equals a min(z, 0) + b max(z, 0) (a step of
:func:`derive_abrelu` shows it); ``erf_prime`` is 2 e^{-z^2}/sqrt(pi), which a step of
:func:`derive_erf_prime` shows to be erf's derivative; gelu is the exact z Phi(z)
(Hendrycks & Gimpel, Gaussian error linear units, 2016), swish is z sigmoid(z)."""

CLOSED_FORM = {e.name: formula(e.dual) for e in _STATED if e.dual is not None}
"""The closed-form duals E[sigma(u) sigma(v)] as functions of (k11, k22, k12) (and a, b)."""


def _reflected(expr):
    """``expr`` at -k12: the dual of the pair (u, -v), whose correlation is -c."""
    return expr.subs(k12, -k12)


DERIVATIVE = {e.name: (formula(e.form.alpha), formula(e.form.beta), e.form.of) for e in _STATED if e.form}
"""sigma' = alpha + beta F for each pair but the step (alpha, beta, F): F is an activation whose
dual a claim states, so E[sigma'(u) sigma'(v)] = alpha^2 + alpha beta (E[F(u)] + E[F(v)]) + beta^2 E[F(u) F(v)].
A step of every derivation that uses it has SymPy differentiate sigma and confirm the form."""


def _stated_derivative_dual(entry) -> sp.Expr:
    """E[sigma' sigma'] as the catalogue states it, or beta^2 E[F F] (alpha = 0), alpha^2 (no F)."""
    if entry.derivative_dual is not None:
        return formula(entry.derivative_dual)
    alpha, beta, f = DERIVATIVE[entry.name]
    if f is None:
        return alpha**2
    if alpha != 0:
        raise ValueError(f"{entry.name}: alpha != 0 needs the derivative dual stated in the catalogue")
    return beta**2 * CLOSED_FORM[f]


DERIVATIVE_DUAL = {e.name: _stated_derivative_dual(e) for e in _STATED if e.derivative_claim}
"""The stated E[sigma'(u) sigma'(v)] of every closed-form pair (the right side of Price's theorem).

step: sigma' = delta, E[delta(u) delta(v)] = p(0, 0); relu: the step dual; abrelu:
sigma' = b on z > 0 and a on z <= 0, so a^2 P(u<=0, v<=0) + b^2 P(u>0, v>0) + 2ab P(u>0, v<=0)
with P(u>0, v<=0) the step dual at -k12; erf: the erf' dual; sin: cos; cos: (-sin)(-sin);
identity: 1; quadratic: E[2u 2v] = 4 k12; exp: exp itself; relu2: E[2 relu 2 relu] = 4 J."""

_LATEX_NAME = {e.name: e.latex for e in _STATED}

_SLOPES = {a: sp.Interval(-2, 2), b: sp.Interval(-2, 2)}
AB_DOMAIN = Domain(
    intervals={**COVARIANCE.intervals, **_SLOPES},
    derived=COVARIANCE.derived,
    description=COVARIANCE.description + r",\ a, b \in [-2, 2]",
)
"""The covariance domain with the abrelu slopes a, b as further coordinates."""
_LINE = Domain({z: sp.Interval(-sp.oo, sp.oo), **_SLOPES})
"""The real line (and the slopes): where an identity between activations is checked."""


def expectation(name: str, prime: bool = False) -> Quantity:
    """The quantity E[sigma(u) sigma(v)] (or with sigma') as a printable symbol."""
    mark = "'" if prime else ""
    s = "{" + _LATEX_NAME[name] + "}" + mark  # braced: (.)^2 then ' must not be a double superscript
    return Quantity(f"E[{name}{mark}(u){name}{mark}(v)]", rf"\mathbb{{E}}[{s}(u)\,{s}(v)]")


_GAUSSIAN_PAIR = r"$(u, v) \sim \mathcal{N}(0, [[k_{11}, k_{12}], [k_{12}, k_{22}]])$"


def _dual_statement(*names: str, domain: Domain = COVARIANCE, extra: str = "") -> Statement:
    return Statement(
        tuple(Relation(name, expectation(name), CLOSED_FORM[name]) for name in names),
        domain,
        _GAUSSIAN_PAIR + r", $\theta = \arccos(k_{12}/\sqrt{k_{11}k_{22}})$" + extra,
    )


def _verified_by(claim_id: str) -> tuple[str, ...]:
    """The catalogue's activations whose dual the claim ``claim_id`` verifies, in catalogue order."""
    return tuple(e.name for e in _STATED if e.claim == claim_id)


STEP = _dual_statement(*_verified_by("dual.step"))
RELU = _dual_statement(*_verified_by("dual.relu"))
ABRELU = _dual_statement(*_verified_by("dual.abrelu"), domain=AB_DOMAIN,
                         extra=r", $\sigma_{a,b}(z) = a\min(z, 0) + b\max(z, 0)$, $a, b$ real")
ERF_PRIME = _dual_statement(*_verified_by("dual.erf_prime"),
                            extra=r", $\operatorname{erf}'(z) = 2e^{-z^2}/\sqrt{\pi}$")
ERF = _dual_statement(*_verified_by("dual.erf"))
TRIG = _dual_statement(*_verified_by("dual.trig"))
POLYNOMIAL = _dual_statement(*_verified_by("dual.polynomial"))


def _price_relation(name: str) -> Relation:
    return Relation(name + "'", sp.Derivative(expectation(name), k12), DERIVATIVE_DUAL[name])


RELU2 = Statement((Relation("relu2", expectation("relu2"), CLOSED_FORM["relu2"]), _price_relation("relu2")),
                  COVARIANCE, _GAUSSIAN_PAIR + r", $\theta = \arccos(k_{12}/\sqrt{k_{11}k_{22}})$, "
                  r"$\operatorname{relu}^2(z) = \max(z, 0)^2$")
"""Cho & Saul's arc-cosine kernel of order 2 and, by Price's theorem, its derivative dual 4 J."""

STATEMENTS = {"dual.step": STEP, "dual.relu": RELU, "dual.abrelu": ABRELU, "dual.erf_prime": ERF_PRIME,
              "dual.erf": ERF, "dual.trig": TRIG, "dual.polynomial": POLYNOMIAL, "dual.relu2": RELU2}
"""The statement of each dual claim the catalogue names (dual.price is added below)."""
_DUAL_OWNER = {e.name: e.claim for e in _STATED if e.claim in STATEMENTS}
"""The claim that states the dual of each F of :data:`DERIVATIVE`."""


def _distributional_derivative(sigma):
    """sigma' by SymPy, with z delta(z) = 0 (as distributions) and H(-z) = 1 - H(z) (SymPy's H(0) = 1/2)."""
    prime = sp.diff(sigma, z).replace(sp.DiracDelta, lambda *args: sp.Integer(0))
    return sp.expand(prime.subs(sp.Heaviside(-z), 1 - sp.Heaviside(z)))


def derivative_form(name: str) -> Step:
    """SymPy differentiates sigma and confirms sigma' = alpha + beta F (:data:`DERIVATIVE`)."""
    alpha, beta, f = DERIVATIVE[name]
    shape = alpha + beta * (SIGMA[f] if f else 0)
    return Step(
        rf"${_LATEX_NAME[name]}' = {sp.latex(shape)}$ (differentiated by SymPy; $z\,\delta(z) = 0$ "
        r"and $H(-z) = 1 - H(z)$ as distributions)",
        _distributional_derivative(SIGMA[name]), shape, Justification.DIFFERENTIATE, domain=_LINE,
    )


def derivative_dual(name: str, dual_of_f) -> sp.Expr:
    """E[sigma'(u) sigma'(v)] from sigma' = alpha + beta F, given ``dual_of_f`` = E[F(u) F(v)].

    The constant term is alpha^2 times the density's total mass and the cross terms need the
    means E[F(u)], E[F(v)]: all integrated by SymPy.
    """
    alpha, beta, f = DERIVATIVE[name]
    if f is None:
        return alpha**2 * mean(sp.Integer(1), k11)
    cross = alpha * beta * (mean(SIGMA[f], k11) + mean(SIGMA[f], k22)) if alpha != 0 else 0
    return alpha**2 + cross + beta**2 * dual_of_f


def _linked_derivative_dual(text: str, lhs, name: str) -> Step:
    """``lhs`` = E[sigma' sigma'] built from the dual of F as the claim owning it states it."""
    alpha, beta, f = DERIVATIVE[name]
    if f is None:
        return Step(text + r": $\mathbb{E}[1] = 1$, the density's total mass integrated by SymPy",
                    lhs, derivative_dual(name, None), Justification.INTEGRATE)
    owner = _DUAL_OWNER[f]
    statement = STATEMENTS[owner]
    shown = owner.replace("_", r"\_")
    return link(text + rf" (the dual of ${_LATEX_NAME[f]}$, {shown})", lhs,
                owner, statement, f, rhs=_odd(derivative_dual(name, statement[f].rhs)))


def initial_value(closed_form, sigma) -> Step:
    """At k12 = 0 the pair is independent: F(0) = E[sigma(u)] E[sigma(v)], integrated by SymPy."""
    return Step(
        r"At $k_{12} = 0$ the pair is independent: $\mathbb{E}[\sigma(u)\sigma(v)] = "
        r"\mathbb{E}[\sigma(u)]\,\mathbb{E}[\sigma(v)]$, each integrated by SymPy",
        closed_form.subs(k12, 0), (mean(sigma, k11) * mean(sigma, k22)).rewrite(sp.erf),
        Justification.INTEGRATE,
    )


def price_derivation(closed_form, sigma, ode: Step) -> tuple[Step, ...]:
    """The steps that fix a dual F by Price's theorem: the theorem, F's ODE in k12, F(0).

    ``ode`` has dF/dk12 (differentiated by SymPy) on its left and E[sigma' sigma'] on its
    right; with :func:`initial_value`, the first-order ODE on |k12| <= sqrt(k11 k22)
    determines F.
    """
    return price_theorem() + (ode, initial_value(closed_form, sigma))


_ODE = r"Differentiate the closed form in $k_{12}$; by Price's theorem it must be $\mathbb{E}[\sigma'(u)\sigma'(v)]$"
_DETERMINED = (r"The first-order ODE in $k_{12}$ on $|k_{12}| \le \sqrt{k_{11}k_{22}}$ and its value at "
               r"$k_{12} = 0$ determine the function: the closed form is the dual.")


def _linked_ode(statement: Statement, name: str) -> tuple[Step, ...]:
    """sigma' = alpha + beta F, then dF_sigma/dk12 against the linked dual of F, and F_sigma(0)."""
    rhs = statement[name].rhs
    ode = _linked_derivative_dual(_ODE, _odd(sp.diff(rhs, k12)), name)
    return (derivative_form(name),) + price_derivation(rhs, SIGMA[name], ode)


def derive_step(statement: Statement) -> Derivation:
    """Sheppard's formula: dF/dk12 = E[delta(u) delta(v)] = p(0, 0), and F(0) = 1/4."""
    sigma = SIGMA["step"]
    delta = sp.diff(sigma, z)
    rhs = statement["step"].rhs
    ode = Step(_ODE + r", here $\mathbb{E}[\delta(u)\delta(v)] = p(0,0)$ integrated by SymPy",
               sp.diff(rhs, k12), expect_pair(delta, delta), Justification.INTEGRATE)
    return Derivation(price_derivation(rhs, sigma, ode), _DETERMINED)


def derive_relu(statement: Statement) -> Derivation:
    """The ReLU dual: relu' is the step function, whose dual is Sheppard's formula (dual.step)."""
    return Derivation(_linked_ode(statement, "relu"), _DETERMINED)


def derive_relu2(statement: Statement) -> Derivation:
    """Cho & Saul's order-2 arc-cosine kernel by Price's theorem: relu2' = 2 relu, whose dual is the
    ReLU dual J (dual.relu), so dF/dk12 = 4 J, and F(0) = E[relu(u)^2] E[relu(v)^2] = k11 k22/4.
    The stated derivative dual is the same 4 J, built from dual.relu's statement."""
    ode = _linked_ode(statement, "relu2")
    derivative = _linked_derivative_dual(
        r"$\mathbb{E}[\operatorname{relu}^2{}'(u)\,\operatorname{relu}^2{}'(v)]$ from the form of the derivative",
        _odd(statement["relu2'"].rhs), "relu2")
    return Derivation(ode + (derivative,), _DETERMINED)


def _odd(expr):
    """``expr`` with arccos x written as pi/2 - arcsin x, so SymPy sees arcsin(-x) = -arcsin(x)."""
    return expr.rewrite(sp.asin)


def _reflected_duals(form, dual):
    """E[form(u) form(v)] for form = sum of c_s R(s z): each E[R(s u) R(t v)] is ``dual`` at s t k12.

    SymPy expands the product; the reflection step shows that (s u, t v) has the density of
    (u, v) with k12 -> s t k12, so every term is the dual of R at that covariance.
    """
    product = sp.expand(form.subs(z, u) * form.subs(z, v))
    signs = [(s, t) for s in (1, -1) for t in (1, -1)]
    terms = {(s, t): product.coeff(_R(s * u) * _R(t * v)) for s, t in signs}
    if sp.expand(sum(w * _R(s * u) * _R(t * v) for (s, t), w in terms.items()) - product) != 0:
        raise ValueError(f"form={form}: expected a combination of R(z) and R(-z)")
    return sum(w * dual.subs(k12, s * t * k12) for (s, t), w in terms.items())


def derive_abrelu(statement: Statement) -> Derivation:
    """sigma = b relu(z) - a relu(-z); the Gaussian's reflections reduce its dual to J = the ReLU dual.

    SymPy expands sigma(u) sigma(v) into b^2 relu(u) relu(v) + a^2 relu(-u) relu(-v)
    - ab (relu(u) relu(-v) + relu(-u) relu(v)); by the reflection step each term is J at
    k12 or -k12, so the dual is (a^2 + b^2) J(k12) - 2ab J(-k12).  Since
    relu(v) - relu(-v) = v, J(k12) - J(-k12) = E[relu(u) v] = (k12/k11) E[relu(u) u]
    (the regression of v on u), which SymPy integrates; so the dual is (a - b)^2 J + ab k12.
    """
    relu = SIGMA["relu"]
    j = RELU["relu"].rhs
    split = Step(
        r"$a\min(z,0) + b\max(z,0) = b\operatorname{relu}(z) - a\operatorname{relu}(-z)$ "
        r"(min and max rewritten by SymPy with Heaviside functions)",
        (a * sp.Min(z, 0) + b * sp.Max(z, 0)).rewrite(sp.Heaviside), SIGMA["abrelu"],
        Justification.ALGEBRA, domain=_LINE,
    )
    odd_relu = Step(r"$\operatorname{relu}(z) - \operatorname{relu}(-z) = z$",
                    relu - relu.subs(z, -z), z, Justification.ALGEBRA, domain=_LINE)
    odd_part = link(
        r"Hence $J(k_{12}) - J(-k_{12}) = \mathbb{E}[\operatorname{relu}(u)\,v] = "
        r"(k_{12}/k_{11})\,\mathbb{E}[\operatorname{relu}(u)\,u]$ (regression of $v$ on $u$), the last "
        r"integrated by SymPy; $J$ the ReLU dual (dual.relu), $\arccos$ written as $\pi/2 - \arcsin$",
        k12 / k11 * mean(z * relu, k11), "dual.relu", RELU, "relu", rhs=_odd(j - _reflected(j)),
    )
    expand = link(
        r"Expand $\sigma(u)\sigma(v)$ (SymPy) and replace each $\mathbb{E}[\operatorname{relu}(su)"
        r"\operatorname{relu}(tv)]$ by $J(st\,k_{12})$ (the reflection step): "
        r"$(a^2+b^2)J(k_{12}) - 2ab\,J(-k_{12})$ with $J$ the ReLU dual (dual.relu)",
        _odd(statement["abrelu"].rhs), "dual.relu", RELU, "relu",
        rhs=_odd(_reflected_duals(_AB_FORM, j)),
    )
    return Derivation(
        (split, reflection_step(), odd_relu, odd_part, expand),
        "Every term of the product is a ReLU dual at k12 or -k12; the odd part of relu "
        "turns the cross terms into a b k12.  Leaky ReLU is (a, b) = (slope, 1), abs is (-1, 1).",
    )


def derive_erf_prime(statement: Statement) -> Derivation:
    """erf'(z) = (2/sqrt(pi)) e^{-z^2}: E[erf'(u) erf'(v)] is a Gaussian integral SymPy does."""
    prime = SIGMA["erf_prime"]
    shape = Step(
        r"$\operatorname{erf}'(z) = 2e^{-z^2}/\sqrt{\pi}$ (erf differentiated by SymPy)",
        sp.diff(SIGMA["erf"], z), prime, Justification.DIFFERENTIATE, domain=_LINE,
    )
    integral = Step(
        r"With $u = \sqrt{k_{11}}\alpha$, $v = \sqrt{k_{22}}(c\alpha + \sqrt{1-c^2}\beta)$, "
        r"$\alpha, \beta$ independent standard normals, SymPy integrates over $\beta$ and then "
        r"$\alpha$ (Gaussian integrals)",
        statement["erf_prime"].rhs, gaussian_pair_integral(prime, prime), Justification.INTEGRATE,
    )
    return Derivation((shape, integral), "The derivative dual is the integral itself.")


def derive_erf(statement: Statement) -> Derivation:
    """The erf dual from Price's theorem with the erf' dual (dual.erf_prime), and 0 at k12 = 0 (erf is odd)."""
    return Derivation(_linked_ode(statement, "erf"), _DETERMINED)


def _own_ode(statement: Statement, name: str) -> tuple[Step, ...]:
    """sigma' = alpha + beta F with F's dual a relation of the same statement: the ODE system."""
    f = DERIVATIVE[name][2]
    rhs = statement[name].rhs
    ode = Step(_ODE + rf", here from the stated ${_LATEX_NAME[f]}$ dual",
               sp.diff(rhs, k12), derivative_dual(name, statement[f].rhs), Justification.DIFFERENTIATE)
    return derivative_form(name), ode, initial_value(rhs, SIGMA[name])


def derive_trig(statement: Statement) -> Derivation:
    """sin and cos are each other's derivative duals: (S, C)' = (C, S), S(0) = 0, C(0) = e^{-(k11+k22)/2}."""
    return Derivation(
        price_theorem() + _own_ode(statement, "sin") + _own_ode(statement, "cos"),
        "The linear system (S, C)' = (C, S) in k12 with its values at k12 = 0 has one "
        "solution: the stated pair.",
    )


def derive_polynomial(statement: Statement) -> Derivation:
    """identity: F' = E[1] = 1, F(0) = 0; quadratic: F' = E[2u 2v] = 4 k12, F(0) = k11 k22; exp: F' = F."""
    identity = statement["identity"].rhs
    first = Step(_ODE + r", here $\mathbb{E}[1 \cdot 1] = 1$, the density's total mass integrated by SymPy",
                 sp.diff(identity, k12), derivative_dual("identity", None), Justification.INTEGRATE)
    steps = (
        (derivative_form("identity"), first, initial_value(identity, SIGMA["identity"]))
        + _own_ode(statement, "quadratic") + _own_ode(statement, "exp")
    )
    return Derivation(price_theorem() + steps, "Each ODE with its value at k12 = 0 determines its dual.")


PRICE = Statement(
    tuple(Relation(e.name, sp.Derivative(expectation(e.name), k12), DERIVATIVE_DUAL[e.name])
          for e in _STATED if e.derivative_claim == "dual.price"),
    AB_DOMAIN,
    r"$\sigma$ of polynomial growth; $\sigma'$ in the sense of distributions (step: "
    r"$\delta$); abrelu: $\sigma' = b$ on $z > 0$, $a$ on $z \le 0$",
)
"""Price's theorem for each closed-form pair (sigma, sigma'): the rhs is E[sigma' sigma']."""
STATEMENTS["dual.price"] = PRICE


def derive_price(statement: Statement) -> Derivation:
    """The theorem (density identity proved, integration by parts cited), then, per pair, the
    right side E[sigma'(u) sigma'(v)]: sigma' differentiated by SymPy and its dual integrated
    (step: delta) or taken from the claim that states the dual of sigma' (linked)."""
    delta = sp.diff(SIGMA["step"], z)
    pairs = [Step(r"$\mathbb{E}[\delta(u)\delta(v)] = p(0,0)$, integrated by SymPy",
                  statement["step"].rhs, expect_pair(delta, delta), Justification.INTEGRATE)]
    for relation in statement.relations[1:]:
        name = relation.name
        text = rf"$\mathbb{{E}}[{_LATEX_NAME[name]}'(u)\,{_LATEX_NAME[name]}'(v)]$ from the form of the derivative"
        pairs += [derivative_form(name), _linked_derivative_dual(text, _odd(relation.rhs), name)]
    return Derivation(
        price_theorem() + tuple(pairs),
        "The density identity and two integrations by parts give the theorem for every sigma of "
        "polynomial growth; the derivative duals are those of sigma', integrated or linked.",
    )


QUADRATURE_ORDER = 64
"""The library's default order n (numeric.quadrature.DEFAULT_ORDER): nodes per dimension of its
mapped trapezoidal rule at variances <= 1, and the order of its polar rule (n/2 Gauss-Legendre
nodes per arc, n/2 Gauss-Laguerre nodes in t = r^2/2)."""
QUADRATURE_ACCURACY = sp.Rational(1, 10**10)
"""The stated accuracy of the library's quadrature duals (numeric.quadrature.ACCURACY),
relative to sqrt(E[sigma(u)^2] E[sigma(v)^2]), over :data:`QUADRATURE_DOMAIN`."""
QUADRATURE_MAX_VARIANCE = 1500
"""The largest variance of the declared range (numeric.quadrature.RANGE.max_variance)."""
CLOSED = catalogue.CLOSED
"""Library activations with closed-form duals (abs and leaky relu (slope 0.1) are abrelu with
(a, b) = (-1, 1), (0.1, 1))."""
QUADRATURE_ONLY = catalogue.QUADRATURE_ONLY
"""Activations without a closed-form dual: the library integrates them."""

QUADRATURE_DOMAIN = Domain(
    intervals={k11: sp.Interval(sp.Rational(1, 20), QUADRATURE_MAX_VARIANCE),
               k22: sp.Interval(sp.Rational(1, 20), QUADRATURE_MAX_VARIANCE), c: sp.Interval(-1, 1)},
    derived=COVARIANCE.derived,
    description=rf"k_{{11}}, k_{{22}} \in [0.05, {QUADRATURE_MAX_VARIANCE}],\ |k_{{12}}| \le \sqrt{{k_{{11}} k_{{22}}}}",
)
"""The declared range of the stated accuracy: variances in [0.05, 1500], every correlation."""

_EXACT_DEGREE = Quantity("D_n", r"D_n")
_ACCURACY = Quantity("eps_Q", r"\varepsilon_{\mathcal{Q}}")


def quadrature_value(name: str, prime: bool = False) -> Quantity:
    """Q_n[sigma sigma] (or with sigma'): the library's Gauss-Hermite value of the dual."""
    mark = "'" if prime else ""
    s = _LATEX_NAME.get(name, rf"\operatorname{{{name}}}".replace("_", r"\_")) + mark
    return Quantity(f"Q_n[{name}{mark} {name}{mark}]", rf"\mathcal{{Q}}_n[{s}\,{s}]")


def _gaussian_expectation_integral(h):
    """E[h(u) h(v)] as an unevaluated SymPy integral against the bivariate density."""
    return sp.Integral(h.subs(z, u) * h.subs(z, v) * density(), (u, -sp.oo, sp.oo), (v, -sp.oo, sp.oo))


def _quadrature_relations():
    rule = (
        Relation("order", Quantity("n", "n"), sp.Integer(QUADRATURE_ORDER)),
        Relation("exact degree", _EXACT_DEGREE, sp.Integer(2 * (QUADRATURE_ORDER // 2) - 1)),
        Relation("accuracy", _ACCURACY, QUADRATURE_ACCURACY),
    )
    integrals = tuple(
        Relation(name + mark, quadrature_value(name, bool(mark)),
                 _gaussian_expectation_integral(sp.diff(SIGMA[name], z) if mark else SIGMA[name]))
        for name in QUADRATURE_ONLY for mark in ("", "'")
    )
    return rule + integrals


QUADRATURE = Statement(
    _quadrature_relations(),
    QUADRATURE_DOMAIN,
    r"The library's quadrature of default order $n$ (a mapped trapezoidal rule on the Cholesky "
    r"factor for smooth $\sigma$; a polar rule whose radial Gauss--Laguerre part, exact on "
    r"polynomials in $t = r^2/2$ of degree $\le D_n$, makes it exact for a kink at 0): its duals "
    r"and derivative duals are within $\varepsilon_{\mathcal{Q}}\sqrt{\mathbb{E}[\sigma(u)^2]"
    r"\mathbb{E}[\sigma(v)^2]}$ of the Gaussian integrals over the declared range (the integrals "
    r"written out for activations without a closed form, the dual claims' closed forms for the others)",
)
"""What the library's quadrature promises: its order, the exactness of its polar rule's radial
part, its stated accuracy, and the defining integrals of the activations it alone evaluates."""

GAUSS_REFERENCE = "Golub & Welsch, Calculation of Gauss quadrature rules, 1969"
TRAPEZOID_REFERENCE = "Trefethen & Weideman, The exponentially convergent trapezoidal rule, 2014"
_t = sp.Symbol("t", positive=True)


def _laguerre_rule(nodes: int):
    """The Gauss-Laguerre rule with ``nodes`` nodes, exactly: roots x_i of L_n, weights
    x_i/((n+1)^2 L_{n+1}(x_i)^2) (denominators rationalised)."""
    roots = sp.Poly(sp.laguerre(nodes, _t), _t).all_roots()
    return roots, [sp.radsimp(x / ((nodes + 1)**2 * sp.laguerre(nodes + 1, x)**2)) for x in roots]


@functools.cache
def _exact_degree(nodes: int) -> int:
    """The largest D such that the rule with ``nodes`` nodes reproduces the integral of
    t^k e^{-t} over t > 0 (integrated by SymPy) for every k <= D."""
    roots, weights = _laguerre_rule(nodes)
    k = 0
    while sp.expand(sum(w * x**k for w, x in zip(weights, roots))
                    - sp.integrate(_t**k * sp.exp(-_t), (_t, 0, sp.oo))) == 0:
        k += 1
    return k - 1


def _map_steps() -> tuple[Step, Step]:
    """The library's mapped trapezoidal rule: SymPy differentiates its change of variables
    z(t) = t - (2(1 - eps)/kappa) artanh(kappa tanh((t - p)/2)), kappa = sqrt(1 - 2 eps), and
    confirms the weight factor the library uses and the stretch 1/eps at the feature point p."""
    t, p = sp.symbols("t p", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    kappa = sp.sqrt(1 - 2 * eps)
    mapped = t - (2 * (1 - eps) / kappa) * sp.atanh(kappa * sp.tanh((t - p) / 2))
    slope = sp.diff(mapped, t)
    domain = Domain({t: sp.Interval(-10, 10), p: sp.Interval(-5, 5),
                     eps: sp.Interval(sp.Rational(1, 100), sp.Rational(2, 5))})
    weight = Step(
        r"The library's map $z(t) = t - \tfrac{2(1-\varepsilon)}{\kappa}\operatorname{artanh}"
        r"(\kappa\tanh\tfrac{t-p}{2})$, $\kappa = \sqrt{1-2\varepsilon}$, differentiated by SymPy: "
        r"$z'(t) = 1 - (1-\varepsilon)/(1 + \varepsilon(\cosh(t-p) - 1))$, the factor of its weights "
        r"(both sides in exponentials)",
        slope.rewrite(sp.exp), (1 - (1 - eps) / (1 + eps * (sp.cosh(t - p) - 1))).rewrite(sp.exp),
        Justification.DIFFERENTIATE, domain=domain,
    )
    feature = Step(
        r"At the feature point: $z(p) = p$ and $z'(p) = \varepsilon$, so a feature of width "
        r"$\varepsilon$ in $z$ is spread over a width $\sim 1$ in $t$",
        sp.Matrix([mapped.subs(t, p), slope.subs(t, p)]), sp.Matrix([p, eps]),
        Justification.SUBSTITUTE, domain=domain,
    )
    return weight, feature


def derive_quadrature(statement: Statement) -> Derivation:
    """The Cholesky factorisation behind both rules, the library's change of variables, and the
    exactness of the polar rule's radial Gauss-Laguerre part.

    SymPy builds the Laguerre rules with 1 and 2 nodes, finds the first moment each fails to
    reproduce and so computes their exact degrees 2m - 1; the general case is Gauss's theorem
    (as computed by Golub & Welsch 1969), cited and applied to the stated order (m = n/2
    nodes).  The geometric convergence of the trapezoidal rule on analytic integrands
    (Trefethen & Weideman 2014) is why the stated accuracy is reachable; the accuracy itself
    is a property of the library, measured by the numeric checks against a 30-digit
    reference, not derived.
    """
    root = sp.sqrt(1 - c**2)
    factor = sp.Matrix([[sp.sqrt(k11), 0], [c * sp.sqrt(k22), sp.sqrt(k22) * root]])
    cholesky = Step(
        r"$u = \sqrt{k_{11}}z_1$, $v = \sqrt{k_{22}}(c z_1 + \sqrt{1-c^2} z_2)$ has the covariance "
        r"$LL^\top = [[k_{11}, k_{12}], [k_{12}, k_{22}]]$, also at $c = \pm 1$",
        factor * factor.T, sp.Matrix([[k11, k12], [k12, k22]]), Justification.ALGEBRA,
    )
    small = (1, 2)
    exactness = Step(
        r"Gauss--Laguerre with $m = 1, 2$ nodes (roots of $L_m$, weights $x_i/((m+1)^2 L_{m+1}(x_i)^2)$, "
        r"built by SymPy) reproduces $\int_0^\infty t^k e^{-t}\,dt$ (integrated by SymPy) exactly up to "
        r"$k = D$ and not at $k = D + 1$: the computed $D$ are $2m - 1$",
        sp.Matrix([_exact_degree(nodes) for nodes in small]),
        sp.Matrix([2 * nodes - 1 for nodes in small]),
        Justification.INTEGRATE, domain=Domain({}),
    )
    general = cited(
        r"For every $m$ the rule with $m$ nodes is exact on polynomials of degree $\le 2m - 1$ "
        r"(Gauss); the polar rule of order $n$ has $m = n/2$ radial nodes",
        statement["exact degree"].rhs, 2 * sp.floor(statement["order"].rhs / 2) - 1, GAUSS_REFERENCE,
        domain=Domain({}),
    )
    return Derivation(
        (cholesky,) + _map_steps() + (exactness, general),
        "Both rules integrate over the Cholesky factor; the map stretches the feature of a smooth "
        "activation to a width ~1 in t, where the trapezoidal rule converges geometrically "
        f"({TRAPEZOID_REFERENCE}); the polar rule's radial part is exact on the polynomials a kink "
        "at 0 leaves on each arc.  The stated accuracy and the integrals are measured by the numeric "
        "checks.",
    )
