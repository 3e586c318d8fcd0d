"""Dual activations: E[sigma(u) sigma(v)] in closed form, derived rather than restated.

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]), c = k12/sqrt(k11 k22), theta = arccos c
(Cho & Saul 2009; Williams 1997; seeds 002 and 004):

    step:      E[1{u>0} 1{v>0}] = (pi - theta) / (2 pi)                    (Sheppard)
    relu:      E[relu(u) relu(v)] = J = sqrt(k11 k22) (sin theta + (pi - theta) c) / (2 pi)
    abrelu:    sigma = a min(z, 0) + b max(z, 0):  (a - b)^2 J + a b k12   (leaky ReLU, abs)
    erf_prime: E[erf'(u) erf'(v)] = (4/pi) / sqrt((1 + 2k11)(1 + 2k22) - 4 k12^2)
    erf:       E[erf(u) erf(v)] = (2/pi) arcsin(2 k12 / sqrt((1 + 2k11)(1 + 2k22)))
    sin, cos:  e^{-(k11+k22)/2} sinh k12,  e^{-(k11+k22)/2} cosh k12
    identity:  k12;   quadratic (z^2): k11 k22 + 2 k12^2;   exp: exp((k11 + k22)/2 + k12)

How a closed form F of E[sigma(u) sigma(v)] is derived (:func:`price_derivation`):
by Price's theorem dF/dk12 = E[sigma'(u) sigma'(v)], a first-order ODE in k12 on
|k12| <= sqrt(k11 k22); at k12 = 0 the pair is independent, so
F(0) = E[sigma(u)] E[sigma(v)], which SymPy integrates.  The ODE and its initial
value fix F.  The right-hand side of the ODE is the derivative dual: for the step
function SymPy integrates delta(u) delta(v) against the density; for ReLU it is the
step dual; for erf it is the erf' dual, which SymPy integrates directly (a Gaussian
integral, :func:`derivations.gaussian.gaussian_pair_integral`); sin and cos are each other's derivative
duals (sigma'' = -sigma), identity's is 1, quadratic's 4 k12 (4 x identity's) and exp
is its own.  The abrelu dual follows from the ReLU dual by the symmetries of the
Gaussian.

:data:`DERIVATIVE_DUAL` states E[sigma'(u) sigma'(v)] for every closed-form pair
(:data:`PRICE`); :data:`QUADRATURE` states what the library's quadrature of order n
must reproduce: the closed forms to rounding, and, for tanh, gelu,
softplus, sigmoid and swish, the Gaussian integral itself.
"""
from __future__ import annotations

import sympy as sp

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step
from .gaussian import (COVARIANCE, c, density, expect_pair, gaussian_pair_integral, k11, k12, k22,
                       mean, price_identity, theta, u, v, z)

__all__ = ["a", "b", "SIGMA", "CLOSED_FORM", "DERIVATIVE_DUAL", "AB_DOMAIN", "QUADRATURE_DOMAIN",
           "STEP", "RELU", "ABRELU", "ERF_PRIME", "ERF", "TRIG", "POLYNOMIAL", "PRICE",
           "QUADRATURE", "CLOSED", "QUADRATURE_ONLY", "QUADRATURE_ORDER",
           "expectation", "quadrature_value", "price_derivation",
           "derive_step", "derive_relu", "derive_abrelu", "derive_erf_prime", "derive_erf",
           "derive_trig", "derive_polynomial", "derive_price", "derive_quadrature"]

a, b = sp.symbols("a b", real=True)
"""The slopes of sigma = a min(z, 0) + b max(z, 0) (relu: (0, 1), leaky relu: (slope, 1), abs: (-1, 1))."""


def _relu(x):
    return x * sp.Heaviside(x)


SIGMA = {
    "step": sp.Heaviside(z),
    "relu": _relu(z),
    "abrelu": b * _relu(z) - a * _relu(-z),
    "erf": sp.erf(z),
    "erf_prime": sp.diff(sp.erf(z), z),
    "sin": sp.sin(z),
    "cos": sp.cos(z),
    "identity": z,
    "quadratic": z**2,
    "exp": sp.exp(z),
    "tanh": sp.tanh(z),
    "gelu": z * (1 + sp.erf(z / sp.sqrt(2))) / 2,
    "softplus": sp.log(1 + sp.exp(z)),
    "sigmoid": 1 / (1 + sp.exp(-z)),
    "swish": z / (1 + sp.exp(-z)),
}
"""Each activation as a SymPy expression in z; sigma' is its SymPy derivative.

``abrelu`` is written as b relu(z) - a relu(-z), which equals a min(z, 0) + b max(z, 0);
gelu is the exact z Phi(z) (Hendrycks & Gimpel 2016), swish is z sigmoid(z)."""

_c = k12 / sp.sqrt(k11 * k22)
_erf_radicand = (1 + 2 * k11) * (1 + 2 * k22)
_ab_relu = sp.sqrt(k11 * k22) * (sp.sin(theta) + (sp.pi - theta) * _c) / (2 * sp.pi)
_trig_envelope = sp.exp(-(k11 + k22) / 2)

CLOSED_FORM = {
    "step": (sp.pi - theta) / (2 * sp.pi),
    "relu": _ab_relu,
    "abrelu": (a - b)**2 * _ab_relu + a * b * k12,
    "erf_prime": (4 / sp.pi) / sp.sqrt(_erf_radicand - 4 * k12**2),
    "erf": (2 / sp.pi) * sp.asin(2 * k12 / sp.sqrt(_erf_radicand)),
    "sin": _trig_envelope * sp.sinh(k12),
    "cos": _trig_envelope * sp.cosh(k12),
    "identity": k12,
    "quadratic": k11 * k22 + 2 * k12**2,
    "exp": sp.exp((k11 + k22) / 2 + k12),
}
"""The closed-form duals E[sigma(u) sigma(v)] as functions of (k11, k22, k12) (and a, b)."""


def _reflected(expr):
    """``expr`` at -k12: the dual of the pair (u, -v), whose correlation is -c."""
    return expr.subs(k12, -k12)


DERIVATIVE_DUAL = {
    "step": 1 / (2 * sp.pi * sp.sqrt(k11 * k22 - k12**2)),
    "relu": CLOSED_FORM["step"],
    "abrelu": (a**2 + b**2) * CLOSED_FORM["step"] + 2 * a * b * _reflected(CLOSED_FORM["step"]),
    "erf": CLOSED_FORM["erf_prime"],
    "sin": CLOSED_FORM["cos"],
    "cos": CLOSED_FORM["sin"],
    "identity": sp.Integer(1),
    "quadratic": 4 * CLOSED_FORM["identity"],
    "exp": CLOSED_FORM["exp"],
}
"""The stated E[sigma'(u) sigma'(v)] of every closed-form pair (the right side of Price's theorem).

step: sigma' = delta, E[delta(u) delta(v)] = p(0, 0); relu: the step dual; abrelu:
sigma' = b on z > 0 and a on z <= 0, so a^2 P(u<=0, v<=0) + b^2 P(u>0, v>0) + 2ab P(u>0, v<=0)
with P(u>0, v<=0) the step dual at -k12; erf: the erf' dual; sin: cos; cos: (-sin)(-sin);
identity: 1; quadratic: E[2u 2v] = 4 k12; exp: exp itself."""

_LATEX_NAME = {"step": r"\mathbb{1}_{>0}", "relu": r"\operatorname{relu}", "abrelu": r"\sigma_{a,b}",
               "erf_prime": r"\operatorname{erf}'", "erf": r"\operatorname{erf}", "sin": r"\sin",
               "cos": r"\cos", "identity": r"\operatorname{id}", "quadratic": r"(\cdot)^2",
               "exp": r"\exp", "tanh": r"\tanh", "gelu": r"\operatorname{gelu}",
               "softplus": r"\operatorname{softplus}", "sigmoid": r"\operatorname{sigmoid}",
               "swish": r"\operatorname{swish}"}

AB_DOMAIN = Domain(
    intervals={**COVARIANCE.intervals, a: sp.Interval(-2, 2), b: sp.Interval(-2, 2)},
    derived=COVARIANCE.derived,
    description=COVARIANCE.description + r",\ a, b \in [-2, 2]",
)
"""The covariance domain with the abrelu slopes a, b as further coordinates."""


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


STEP = _dual_statement("step")
RELU = _dual_statement("relu")
ABRELU = _dual_statement("abrelu", domain=AB_DOMAIN,
                         extra=r", $\sigma_{a,b}(z) = a\min(z, 0) + b\max(z, 0)$, $a, b$ real")
ERF_PRIME = _dual_statement("erf_prime", extra=r", $\operatorname{erf}'(z) = 2e^{-z^2}/\sqrt{\pi}$")
ERF = _dual_statement("erf")
TRIG = _dual_statement("sin", "cos")
POLYNOMIAL = _dual_statement("identity", "quadratic", "exp")


def price_derivation(closed_form, sigma, derivative_dual, *, derivative_source: str,
                     uses: str | None = None,
                     how: Justification = Justification.INTEGRATE) -> Derivation:
    """Derive a dual from Price's theorem plus its value at k12 = 0.

    ``closed_form`` is the statement's right-hand side F; ``derivative_dual`` is
    E[sigma'(u) sigma'(v)] as obtained by ``derivative_source`` (in words), taken
    from claim ``uses`` when given, else justified by ``how``.
    """
    how, label = (Justification.USES_CLAIM, uses) if uses else (how, None)
    ode = Step(
        r"Differentiate the closed form in $k_{12}$; by Price's theorem (dual.price) the result "
        rf"must be $\mathbb{{E}}[\sigma'(u)\sigma'(v)]$, {derivative_source}",
        sp.diff(closed_form, k12), derivative_dual, how, uses=label,
    )
    initial = Step(
        r"At $k_{12} = 0$ the pair is independent: $\mathbb{E}[\sigma(u)\sigma(v)] = "
        r"\mathbb{E}[\sigma(u)]\,\mathbb{E}[\sigma(v)]$, each integrated by SymPy",
        closed_form.subs(k12, 0), (mean(sigma, k11) * mean(sigma, k22)).rewrite(sp.erf),
        Justification.INTEGRATE,
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


def _odd(expr):
    """``expr`` with arccos x written as pi/2 - arcsin x, so SymPy sees arcsin(-x) = -arcsin(x)."""
    return expr.rewrite(sp.asin)


def derive_abrelu(statement: Statement) -> Derivation:
    """sigma = b relu(z) - a relu(-z); the Gaussian's symmetries reduce its dual to J = the ReLU dual.

    E[sigma(u) sigma(v)] = b^2 E[relu(u) relu(v)] + a^2 E[relu(-u) relu(-v)]
    - ab (E[relu(u) relu(-v)] + E[relu(-u) relu(v)]); (-u, -v) has the covariance of
    (u, v) and (u, -v), (-u, v) have k12 -> -k12, so the dual is
    (a^2 + b^2) J(k12) - 2ab J(-k12).  Since relu(v) - relu(-v) = v,
    J(k12) - J(-k12) = E[relu(u) v] = (k12/k11) E[relu(u) u] (regression of v on u),
    which SymPy integrates.
    """
    relu = SIGMA["relu"]
    split = Step(
        r"$a\min(z,0) + b\max(z,0) = b\operatorname{relu}(z) - a\operatorname{relu}(-z)$ "
        r"(min and max rewritten by SymPy with Heaviside functions)",
        (a * sp.Min(z, 0) + b * sp.Max(z, 0)).rewrite(sp.Heaviside), SIGMA["abrelu"],
        Justification.ALGEBRA,
        domain=Domain({z: sp.Interval(-sp.oo, sp.oo), a: sp.Interval(-2, 2), b: sp.Interval(-2, 2)}),
    )
    odd_part = Step(
        r"$\operatorname{relu}(v) - \operatorname{relu}(-v) = v$, so $J(k_{12}) - J(-k_{12}) = "
        r"\mathbb{E}[\operatorname{relu}(u)\,v] = (k_{12}/k_{11})\,\mathbb{E}[\operatorname{relu}(u)\,u]$, "
        r"the last integrated by SymPy ($\arccos$ written as $\pi/2 - \arcsin$, which is odd)",
        _odd(CLOSED_FORM["relu"] - _reflected(CLOSED_FORM["relu"])),
        k12 / k11 * mean(z * relu, k11), Justification.INTEGRATE,
    )
    expand = Step(
        r"Expand $\sigma(u)\sigma(v)$; $(-u,-v)$ has the covariance of $(u,v)$, while $(u,-v)$ and "
        r"$(-u,v)$ have $k_{12} \to -k_{12}$: the dual is $(a^2+b^2)J(k_{12}) - 2ab\,J(-k_{12})$ "
        r"with $J$ the ReLU dual (dual.relu)",
        _odd(statement["abrelu"].rhs),
        _odd((a**2 + b**2) * CLOSED_FORM["relu"] - 2 * a * b * _reflected(CLOSED_FORM["relu"])),
        Justification.USES_CLAIM, uses="dual.relu",
    )
    return Derivation(
        (split, odd_part, expand),
        "Every term of the product is a ReLU dual at k12 or -k12; the odd part of relu "
        "turns the cross terms into a b k12.  Leaky ReLU is (a, b) = (slope, 1), abs is (-1, 1).",
    )


def derive_erf_prime(statement: Statement) -> Derivation:
    """erf'(z) = (2/sqrt(pi)) e^{-z^2}: E[erf'(u) erf'(v)] is a Gaussian integral SymPy does."""
    prime = SIGMA["erf_prime"]
    shape = Step(
        r"$\operatorname{erf}'(z) = 2e^{-z^2}/\sqrt{\pi}$ (differentiated by SymPy)",
        prime, 2 / sp.sqrt(sp.pi) * sp.exp(-z**2), Justification.DIFFERENTIATE,
        domain=Domain({z: sp.Interval(-sp.oo, sp.oo)}),
    )
    integral = Step(
        r"With $u = \sqrt{k_{11}}\alpha$, $v = \sqrt{k_{22}}(c\alpha + \sqrt{1-c^2}\beta)$, "
        r"$\alpha, \beta$ independent standard normals, SymPy integrates over $\beta$ and then "
        r"$\alpha$ (Gaussian integrals)",
        statement["erf_prime"].rhs, gaussian_pair_integral(prime, prime), Justification.INTEGRATE,
    )
    return Derivation((shape, integral), "The derivative dual is the integral itself.")


def derive_erf(statement: Statement) -> Derivation:
    """The erf dual from Price's theorem with the erf' dual, and its value 0 at k12 = 0 (erf is odd)."""
    return price_derivation(
        statement["erf"].rhs, SIGMA["erf"], CLOSED_FORM["erf_prime"],
        derivative_source=r"here the $\operatorname{erf}'$ dual (dual.erf\_prime)",
        uses="dual.erf_prime",
    )


def derive_trig(statement: Statement) -> Derivation:
    """sin and cos are each other's derivative duals: (S, C)' = (C, S), S(0) = 0, C(0) = e^{-(k11+k22)/2}."""
    sin, cos = statement["sin"].rhs, statement["cos"].rhs
    steps = (
        price_derivation(sin, SIGMA["sin"], cos, how=Justification.DIFFERENTIATE,
                         derivative_source=r"here $\sin' = \cos$: the stated cos dual").steps
        + price_derivation(cos, SIGMA["cos"], sin, how=Justification.DIFFERENTIATE,
                           derivative_source=r"here $\cos' = -\sin$ and $(-\sin u)(-\sin v) = "
                                             r"\sin u \sin v$: the stated sin dual").steps
    )
    return Derivation(
        steps,
        "The linear system (S, C)' = (C, S) in k12 with its values at k12 = 0 has one "
        "solution: the stated pair.",
    )


def derive_polynomial(statement: Statement) -> Derivation:
    """identity: F' = E[1] = 1, F(0) = 0; quadratic: F' = E[2u 2v] = 4 k12, F(0) = k11 k22; exp: F' = F."""
    identity = statement["identity"].rhs
    steps = (
        price_derivation(identity, SIGMA["identity"], mean(sp.diff(SIGMA["identity"], z)**2, k11),
                         derivative_source=r"here $\mathbb{E}[1 \cdot 1] = 1$, the density's "
                                           r"total mass, integrated by SymPy").steps
        + price_derivation(statement["quadratic"].rhs, SIGMA["quadratic"], 4 * identity,
                           how=Justification.ALGEBRA,
                           derivative_source=r"here $\mathbb{E}[2u\cdot 2v] = 4\,\mathbb{E}[uv]$, "
                                             "four times the stated identity dual").steps
        + price_derivation(statement["exp"].rhs, SIGMA["exp"], statement["exp"].rhs,
                           how=Justification.DIFFERENTIATE,
                           derivative_source=r"here $\exp' = \exp$: the stated exp dual itself").steps
    )
    return Derivation(steps, "Each ODE with its value at k12 = 0 determines its dual.")


PRICE = Statement(
    tuple(Relation(name, sp.Derivative(expectation(name), k12), DERIVATIVE_DUAL[name])
          for name in DERIVATIVE_DUAL),
    AB_DOMAIN,
    r"$\sigma$ of polynomial growth; $\sigma'$ in the sense of distributions (step: "
    r"$\delta$); abrelu: $\sigma' = b$ on $z > 0$, $a$ on $z \le 0$",
)
"""Price's theorem for each closed-form pair (sigma, sigma'): the rhs is E[sigma' sigma']."""


def derive_price(statement: Statement) -> Derivation:
    """The general identity, then, per pair, dF_sigma/dk12 against the stated E[sigma' sigma']."""
    pairs = tuple(
        Step(rf"Differentiate the closed-form {r.name} dual in $k_{{12}}$",
             _odd(sp.diff(CLOSED_FORM[r.name], k12)), _odd(r.rhs), Justification.DIFFERENTIATE)
        for r in statement.relations
    )
    return Derivation(
        (price_identity(),) + pairs,
        "The density identity proves the theorem for every sigma of polynomial growth; "
        "each closed-form pair then agrees with it.",
    )


QUADRATURE_ORDER = 64
"""The order n of the Gauss-Hermite rule the quadrature claim is about (numeric.quadrature's default)."""
_SPECIAL_AB = {"relu": (0, 1), "abs": (-1, 1), "leaky_relu": (sp.Rational(1, 10), 1)}
CLOSED = ("step", "relu", "abs", "leaky_relu", "erf", "sin", "cos", "identity", "quadratic", "exp")
"""Activations with closed-form duals (abs and leaky relu (slope 0.1) are abrelu with
(a, b) = (-1, 1), (0.1, 1)).  The step's sigma' is 0 almost everywhere for a network (the
library's convention), so only its dual is held to its closed form."""
QUADRATURE_ONLY = ("tanh", "gelu", "softplus", "sigmoid", "swish")
"""Activations without a closed-form dual: the library integrates them."""

QUADRATURE_DOMAIN = Domain(
    intervals={k11: sp.Interval(sp.Rational(1, 20), sp.Rational(1, 2)),
               k22: sp.Interval(sp.Rational(1, 20), sp.Rational(1, 2)), c: sp.Interval(-1, 1)},
    derived=COVARIANCE.derived,
    description=r"k_{11}, k_{22} \in [0.05, 0.5],\ |k_{12}| \le \sqrt{k_{11} k_{22}}",
)
"""Variances up to 1/2, where the order-64 rule is exact to rounding on every closed form;
erf' (integrand e^{-k z^2}, narrowing as k grows) is off by ~1e-11 of its scale at k = 1
and ~1e-4 at k = 4 (numeric.quadrature's table)."""


def quadrature_value(name: str, prime: bool = False) -> Quantity:
    """Q_n[sigma sigma] (or with sigma'): the library's Gauss-Hermite value of the dual."""
    mark = "'" if prime else ""
    s = _LATEX_NAME.get(name, rf"\operatorname{{{name}}}".replace("_", r"\_")) + mark
    return Quantity(f"Q_n[{name}{mark} {name}{mark}]", rf"\mathcal{{Q}}_n[{s}\,{s}]")


def _closed_reference(name: str, prime: bool):
    """The closed form of E[sigma sigma] (prime: E[sigma' sigma']) for a name of :data:`CLOSED`."""
    forms = DERIVATIVE_DUAL if prime else CLOSED_FORM
    if name in _SPECIAL_AB:
        return forms["abrelu"].subs(dict(zip((a, b), _SPECIAL_AB[name])))
    return forms[name]


def _gaussian_expectation_integral(h):
    """E[h(u) h(v)] as an unevaluated SymPy integral against the bivariate density."""
    return sp.Integral(h.subs(z, u) * h.subs(z, v) * density(), (u, -sp.oo, sp.oo), (v, -sp.oo, sp.oo))


def _quadrature_relations():
    order = (Relation("order", Quantity("n", "n"), sp.Integer(QUADRATURE_ORDER)),)
    closed = tuple(
        Relation(name + mark, quadrature_value(name, bool(mark)), _closed_reference(name, bool(mark)))
        for name in CLOSED for mark in ("", "'") if not (name == "step" and mark)
    )
    integrals = tuple(
        Relation(name + mark, quadrature_value(name, bool(mark)),
                 _gaussian_expectation_integral(sp.diff(SIGMA[name], z) if mark else SIGMA[name]))
        for name in QUADRATURE_ONLY for mark in ("", "'")
    )
    return order + closed + integrals


QUADRATURE = Statement(
    _quadrature_relations(),
    QUADRATURE_DOMAIN,
    r"The library's rule of order $n$ (tensor Gauss--Hermite on the Cholesky factor; the polar "
    r"rule for a kink at 0): closed forms reproduced to rounding, relative to "
    r"$\sqrt{\mathbb{E}[\sigma(u)^2]\mathbb{E}[\sigma(v)^2]}$, for variances $\le 1/2$; "
    r"activations without a closed form equal to the Gaussian integral itself (by Monte Carlo, "
    r"variances $\le 4$)",
)
"""What the library's quadrature must reproduce: closed forms (and their derivative duals)
of the smooth activations, and the defining integrals of the others."""


def _hermite_exactness(nodes: int) -> Step:
    """The principle of the rule: n nodes integrate z^k, k < 2n, exactly (shown for small n)."""
    t = sp.Symbol("t", real=True)
    roots = sp.solve(sp.hermite_prob(nodes, z), z)
    weights = [sp.factorial(nodes) / (nodes**2 * sp.hermite_prob(nodes - 1, x)**2) for x in roots]
    mgf = mean(sp.exp(t * z), 1)
    return Step(
        rf"Gauss--Hermite with {nodes} nodes (the roots of $\mathrm{{He}}_{nodes}$, weights "
        rf"$n!/(n^2 \mathrm{{He}}_{{n-1}}(z_i)^2)$) reproduces $\mathbb{{E}}[z^k]$, $k < {2 * nodes}$ "
        r"(moments from the moment generating function, integrated by SymPy): the rule is exact on "
        r"polynomials of degree $< 2n$, so it converges geometrically on entire $\sigma$",
        sp.Matrix([sum(w * x**k for w, x in zip(weights, roots)) for k in range(2 * nodes)]),
        sp.Matrix([sp.diff(mgf, t, k).subs(t, 0) for k in range(2 * nodes)]),
        Justification.INTEGRATE, domain=Domain({}),
    )


_CLOSED_FORM_CLAIM = {"step": "dual.step", "relu": "dual.relu", "abs": "dual.abrelu",
                      "leaky_relu": "dual.abrelu", "erf": "dual.erf", "sin": "dual.trig",
                      "cos": "dual.trig", "identity": "dual.polynomial",
                      "quadratic": "dual.polynomial", "exp": "dual.polynomial"}


def _closed_form_target(relation: Relation) -> Step:
    """The reference a closed-form relation of :data:`QUADRATURE` states is its dual claim's closed form."""
    name, prime = relation.name.rstrip("'"), relation.name.endswith("'")
    claim = "dual.price" if prime else _CLOSED_FORM_CLAIM[name]
    reference = _closed_reference(name, prime)
    return Step(f"The {relation.name} reference is the closed form of {claim}",
                relation.rhs, reference, Justification.USES_CLAIM, uses=claim)


def derive_quadrature(statement: Statement) -> Derivation:
    """The Cholesky factorisation behind the tensor rule, its exactness on polynomials (small n),
    and the closed forms the library's quadrature is held to, which are those of the dual claims.

    (For sigma with a kink at 0 the library uses a polar rule with the kink on its cuts,
    numeric.quadrature.polar_rule; the numeric check holds both rules to the closed forms.)
    """
    root = sp.sqrt(1 - c**2)
    factor = sp.Matrix([[sp.sqrt(k11), 0], [c * sp.sqrt(k22), sp.sqrt(k22) * root]])
    cholesky = Step(
        r"$u = \sqrt{k_{11}}z_1$, $v = \sqrt{k_{22}}(c z_1 + \sqrt{1-c^2} z_2)$ has the covariance "
        r"$LL^\top = [[k_{11}, k_{12}], [k_{12}, k_{22}]]$, also at $c = \pm 1$",
        factor * factor.T, sp.Matrix([[k11, k12], [k12, k22]]), Justification.ALGEBRA,
    )
    targets = tuple(_closed_form_target(r) for r in statement.relations
                    if r.name.rstrip("'") in CLOSED)
    return Derivation(
        (cholesky, _hermite_exactness(3)) + targets,
        "The tensor rule on the Cholesky factor integrates polynomials in (u, v) exactly, hence "
        "converges geometrically on entire activations (kinks at 0 are cut out by the library's "
        "polar rule); the numeric checks measure its error against the closed forms and, without "
        "one, against Monte Carlo of the integral.",
    )
