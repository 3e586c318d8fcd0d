"""Claims of the dual-activation family: statements from :mod:`derivations.duals`,
Monte Carlo over (u, v) from :mod:`numeric.montecarlo`, the library's duals and quadrature
from :mod:`numeric.activations` and :mod:`numeric.quadrature`, and their mutants.

Every closed-form claim's last check, "library", holds the duals a user calls
(``activations.get(name).duals``) to the statement at rounding precision, so a wrong
constant in the library fails a verify run; the Monte Carlo checks measure the
expectations themselves, independently of any closed form.  Every prediction is the
statement's SymPy right-hand side evaluated by ``predict``; the only exception is the
quadrature claim's integrals (tanh, gelu, ...), which have no closed form: there the
statement's integrand, lambdified, is averaged by Monte Carlo and compared with the
library's quadrature value (the left-hand side).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import duals
from derivations.duals import a, b
from derivations.gaussian import c, density, k11, k12, k22, theta, u, v
from catalogue import activations as catalogue
from numeric import activations, quadrature

from .. import reference

from ..checks import predict
from ..claim import Claim, Mutant, NumericCheck
from ..strategies import coordinates, covariance, covariances

__all__ = ["CLAIMS", "dual_check", "price_check", "difference_quotient"]

_COV_ARGS = (k11, k22, k12)
_SOURCE_DUALS = "ntknotes2023; jacot2018; cho2009"
_PRICE_MAX_ABS_C = 0.9
"""Price's theorem is measured for |c| <= 0.9 (the derivative in k12 is singular at |c| = 1)."""
_SCORE_MAX_ABS_C = 0.5
"""The score-function estimator (step only) has variance ~ 1/(1 - c^2)^2: |c| <= 0.5."""


def _edges(top: float = 2.0) -> tuple[dict, ...]:
    """Configurations at the edges c = +-1 with unequal variances top/4 and top."""
    return ({"k11": top / 4, "k22": top, "c": 1.0}, {"k11": top, "k22": top / 4, "c": -1.0})


_AB_EDGES = ({**_edges()[0], "a": 0.1, "b": 1.0}, {**_edges()[1], "a": -1.0, "b": 1.0})
"""Leaky ReLU at c = 1 and abs at c = -1: the two named members of the abrelu family."""


def _with_slopes(strategy):
    """Add abrelu slopes (a, b) in [-2, 2]^2, not both near 0 (where the dual vanishes)."""
    slopes = st.tuples(st.floats(-2, 2), st.floats(-2, 2)).filter(lambda s: max(map(abs, s)) >= 0.1)
    return st.builds(lambda cov, s: {**cov, "a": s[0], "b": s[1]}, strategy, slopes)


def _point(config) -> dict:
    """The statement's free coordinates at a configuration (with a, b for abrelu)."""
    point = coordinates(config)
    if "a" in config:
        point.update({a: config["a"], b: config["b"]})
    return point


def _activation(name: str, config) -> activations.Activation:
    if name == "abrelu":
        return activations.abrelu(config["a"], config["b"])
    return activations.get(name)


def _sigma(name: str, config):
    """The numpy sigma of relation ``name`` (erf_prime is erf's derivative)."""
    return activations.get("erf").deriv if name == "erf_prime" else _activation(name, config).fn


def dual_check(name: str, *, top: float = 20.0) -> NumericCheck:
    """Monte Carlo of E[sigma(u) sigma(v)] against the statement's lambdified closed form.

    Covariances have variances in [0.05, ``top``] (exp needs a small ``top``: the
    variance of e^{u+v} grows like e^{2(k11 + k22)}).
    """
    ab = name == "abrelu"

    def measure(statement, config, ctx):
        sigma = _sigma(name, config)
        prediction = predict(statement, name, _point(config))
        return (ctx.expectation(f"E[{name} {name}]", lambda x, y: sigma(x) * sigma(y),
                                prediction, covariance(config), scale_of=(sigma, sigma)),)

    strategy = covariances(hi=top)
    return NumericCheck(
        f"monte-carlo-{name}",
        f"Monte Carlo of E[{name}(u){name}(v)] over hypothesis-drawn 2x2 covariances "
        f"(variances <= {top:g}, rho = +-1 included){' and slopes (a, b)' if ab else ''} "
        "against the lambdified closed form; MDE relative to sqrt(E[sigma(u)^2] E[sigma(v)^2])",
        lambda budget: _with_slopes(strategy) if ab else strategy, measure,
        explicit=_AB_EDGES if ab else _edges(min(top, 2.0)),
    )


def difference_quotient(f, g, k11_: float, k22_: float, c_: float, dc: float):
    """h(u, v) whose mean over N(0, K) is the central difference of E[f(u) g(v)] in k12.

    Common random numbers in the symmetric factorisation u = sqrt(k11)(alpha cos phi +
    beta sin phi), v = sqrt(k22)(alpha cos phi - beta sin phi), cos 2 phi = c: each draw
    (u, v) at c (|c| < 1) is mapped back to (alpha, beta) and forward to c +- dc, and
    h = [f(u+) g(v+) - f(u-) g(v-)] / (2 dc sqrt(k11 k22)).  Unlike the score function,
    its variance stays bounded as |c| -> 1 for Lipschitz f, g; the bias is dc^2/6 times
    the third derivative (dc ~ 1e-4 makes it negligible).  Only f and g are evaluated,
    never their derivatives.
    """
    ru, rv = math.sqrt(k11_), math.sqrt(k22_)
    phi = math.acos(c_) / 2
    (cp, sp_), (cm, sm) = [(math.cos(math.acos(x) / 2), math.sin(math.acos(x) / 2))
                           for x in (c_ + dc, c_ - dc)]

    def h(x, y):
        x, y = x / ru, y / rv
        alpha, beta = (x + y) / (2 * math.cos(phi)), (x - y) / (2 * math.sin(phi))
        plus = f(ru * (alpha * cp + beta * sp_)) * g(rv * (alpha * cp - beta * sp_))
        minus = f(ru * (alpha * cm + beta * sm)) * g(rv * (alpha * cm - beta * sm))
        return (plus - minus) / (2 * dc * ru * rv)

    return h


@functools.cache
def _score():
    """d log p(u, v) / d k12, derived by SymPy from the density."""
    return sp.lambdify((u, v, *_COV_ARGS), sp.simplify(sp.diff(sp.log(density()), k12)), "numpy")


def _centred(sigma, cov, ctx):
    """(sigma - m, sigma - m') with m, m' the means of sigma(u), sigma(v) from an independent pilot.

    E[sigma(u)] and E[sigma(v)] do not depend on k12, so the derivative of
    E[(sigma(u) - m)(sigma(v) - m')] in k12 is that of E[sigma(u) sigma(v)] for any
    constants; centring removes the variance of the parts that depend on u or on v
    alone (e.g. cos u cos v ~ 1 - u^2/2 - v^2/2 at small variances).
    """
    x, y = ctx.rng("centre").standard_normal((2, 20_000))
    m_u = float(np.mean(sigma(math.sqrt(cov[0]) * x)))
    m_v = float(np.mean(sigma(math.sqrt(cov[1]) * y)))
    return (lambda p: sigma(p) - m_u), (lambda q: sigma(q) - m_v)


def price_check(name: str, *, top: float = 20.0, relation: str | None = None) -> NumericCheck:
    """The left side of Price's theorem measured on its own terms, against the stated E[sigma' sigma'].

    d/dk12 E[sigma(u) sigma(v)] is estimated from (centred, :func:`_centred`) sigma alone:
    by a central difference with common random numbers (:func:`difference_quotient`,
    |c| <= 0.9) or, for the step function (where a difference of indicators has
    variance ~ 1/dc), by the score-function identity E[f(u) g(v) d log p/dk12]
    (|c| <= 0.5, its variance grows like 1/(1 - c^2)^2).  The symbolic derivation
    covers the whole domain.
    """
    score = name == "step"
    max_abs_c = _SCORE_MAX_ABS_C if score else _PRICE_MAX_ABS_C

    def measure(statement, config, ctx):
        act = _activation(name, config)
        cov = covariance(config)
        prediction = predict(statement, relation or name, _point(config))
        f, g = _centred(act.fn, cov, ctx)
        if score:
            h = (lambda p, q: f(p) * g(q) * _score()(p, q, *cov))
            # sigma' = delta has no finite second moment: the step's scale is |prediction|.
            scale_of = (np.zeros_like, np.zeros_like)
        else:
            h = difference_quotient(f, g, *cov[:2], config["c"], 1e-4 * (1 - abs(config["c"])))
            scale_of = (act.deriv, act.deriv)
        return (ctx.expectation(f"d/dk12 E[{name} {name}]", h, prediction, cov, scale_of=scale_of),)

    strategy = covariances(hi=top, max_abs_c=max_abs_c)
    return NumericCheck(
        f"{'score-function' if score else 'difference-quotient'}-{name}",
        f"Monte Carlo of d/dk12 E[{name}(u){name}(v)] by "
        + ("the centred score-function identity" if score else
           "centred central differences with common random numbers")
        + f" (|c| <= {max_abs_c}, variances <= {top:g}) against the stated E[{name}'(u){name}'(v)]",
        lambda budget: _with_slopes(strategy) if name == "abrelu" else strategy, measure,
    )


def _scale(statement, name: str, config) -> float:
    """sqrt(F(k11, k11, k11) F(k22, k22, k22)) = sqrt(E[sigma(u)^2] E[sigma(v)^2]) from the statement."""
    diagonal = {c: 1.0, **({a: config["a"], b: config["b"]} if "a" in config else {})}
    return math.sqrt(predict(statement, name, {k11: config["k11"], k22: config["k11"], **diagonal})
                     * predict(statement, name, {k11: config["k22"], k22: config["k22"], **diagonal}))


_EPS = float(np.finfo(float).eps)


def _arccos_condition(config) -> float:
    """1/sqrt(max(1 - c^2, eps)): the library forms arccos c and sqrt(1 - c^2) from the rounded
    c = k12/sqrt(k11 k22), and both amplify an error of c by 1/sqrt(1 - c^2) (at most
    1/sqrt(eps) for the floats next to +-1; exactly 0 error at c = +-1)."""
    return 1.0 / math.sqrt(max(1.0 - config["c"] ** 2, _EPS))


def _arcsin_condition(config) -> float:
    """1/sqrt(1 - x^2) for the argument x = 2 k12/sqrt((1 + 2k11)(1 + 2k22)) of erf's arcsin."""
    k11_, k22_, k12_ = covariance(config)
    x = 2 * k12_ / math.sqrt((1 + 2 * k11_) * (1 + 2 * k22_))
    return 1.0 / math.sqrt(1.0 - x * x)


def _exp_condition(config) -> float:
    """1 + the largest |exponent| the library exponentiates ((k11 + k22)/2 + |k12|): the
    condition number of exp(x) is |x|."""
    k11_, k22_, k12_ = covariance(config)
    return 1.0 + (k11_ + k22_) / 2 + abs(k12_)


def _trig_magnitude(statement, name, config) -> float:
    """e^{-(k11+k22)/2} cosh k12, the registered cos dual: the size of the two exponentials
    e^{+-k12 - (k11+k22)/2} whose half-sum and half-difference the library returns."""
    return predict(duals.TRIG, "cos", coordinates(config))


def _value_scale(statement, name, config) -> float:
    """|F| at the configuration, from the registered statement (a sum of positive terms)."""
    return abs(predict(statement, name, _point(config)))


_ROUNDING = {
    "arccos": (_scale, 10, _arccos_condition),
    "erf": (_scale, 10, _arcsin_condition),
    "erf'": (_value_scale, 10, lambda config: 1.0),
    "trig": (_trig_magnitude, 6, _exp_condition),
    "exp": (_value_scale, 3, _exp_condition),
    "polynomial": (_scale, 4, lambda config: 1.0),
}
"""Rounding models of the library's closed forms: (scale, operations, condition).  The
library's value is the exact dual at inputs perturbed by a few eps (k12 and c rounded) plus
a few roundings of its own, so |error| <= operations x condition x eps x scale with the
operations counted generously (the flops of the formula), the condition of the formula in
its rounded intermediate (arccos/sqrt(1 - c^2), arcsin, exp) and the scale of the values
it adds (sqrt(E[sigma(u)^2] E[sigma(v)^2]) for the arc-cosine family, erf and the
polynomials; the value itself for sums of positive terms; the exponentials for sin, cos).
The z-test floors every standard error at numeric.stats.RESOLUTION (1e-12) of the scale, which
is the binding tolerance except next to |c| = 1; a 1% change of a constant is ~1e9 of it."""


def _library_activation(name: str, config) -> activations.Activation:
    """The library's activation for relation ``name``: abrelu(a, b) of the configuration for
    "abrelu", erf for erf's derivative dual, else the registered activation of that name."""
    if name == "abrelu":
        return activations.abrelu(config["a"], config["b"])
    return activations.get("erf" if name == "erf_prime" else name)


def library_check(entries, *, registered, ab: bool = False) -> NumericCheck:
    """The library's closed-form duals (what a user calls) against the statement, to rounding.

    ``entries`` are (relation, activation or None, index, rounding): the library value is
    ``activations.get(activation).duals(k11, k22, k12)[index]`` (index 1: the derivative
    dual; None: the relation's own activation, abrelu(a, b) drawn with the covariance) and
    the prediction the statement's right side, 30-digit mpmath at the configuration.  The
    comparison is exact (``ctx.exact``) with the rounding model :data:`_ROUNDING` [rounding],
    whose scale comes from ``registered`` (the claim's registered statement, so a wrong
    statement cannot loosen it).  Configurations: hypothesis-drawn covariances (variances in
    [0.05, 20]), c = +-1 and the diagonal k11 = k22, c = 1 always.
    """
    def measure(statement, config, ctx):
        point, cov = _point(config), covariance(config)
        out = []
        for relation, name, index, rounding in entries:
            act = _library_activation(relation if name is None else name, config)
            value = float(act.duals(*cov)[index])
            scale_of, operations, condition = _ROUNDING[rounding]
            out.append(ctx.exact(f"{act.name}.duals[{index}] vs {relation}", value,
                                 predict(statement, relation, point),
                                 scale=scale_of(registered, relation, config),
                                 operations=operations, condition=condition(config)))
        return tuple(out)

    strategy = covariances(hi=20.0)
    explicit = _edges() + ({"k11": 0.7, "k22": 0.7, "c": 1.0}, {"k11": 3.0, "k22": 0.2, "c": 0.0})
    if ab:
        explicit = tuple({**e, "a": 0.1, "b": 1.0} for e in explicit[:2]) + tuple(
            {**e, "a": -1.0, "b": 1.0} for e in explicit[2:])
    shown = ", ".join(sorted({(n or r) + ("'" if i else "") for r, n, i, _ in entries}))
    return NumericCheck(
        "library",
        f"the library's duals ({shown}) from numeric.activations against the lambdified statement, "
        "to rounding (operations x condition x eps x scale, the model stated in the claims module), "
        "over hypothesis-drawn covariances (variances <= 20), c = +-1 and the diagonal",
        lambda budget: _with_slopes(strategy) if ab else strategy, measure,
        per_example=len(entries), explicit=explicit,
    )


def _within(ctx, label: str, value: float, reference: float, *, bound: float, scale: float):
    """A stated accuracy bound as a comparison: refuted exactly when |value - reference| > bound.

    The bound is a promise, not a standard error: it enters as se = bound/z*, so the z-test
    refutes at |gap| > bound (and its MDE, ~2 bound, is far below any budget's target).
    """
    return ctx.compare(label, value, bound / ctx.threshold, reference, samples=1, scale=scale)


_QUADRATURE_USES = ("dual.step", "dual.relu", "dual.abrelu", "dual.erf_prime", "dual.erf", "dual.trig",
                    "dual.polynomial", "dual.price")
"""The claims the quadrature claim relies on: it holds the quadrature to their closed forms."""


def _references(entry):
    """(dual, derivative dual) references (statement, relation, slopes) of a catalogue entry:
    its dual claim's relation, and its derivative claim's relation (None for the step, whose
    stated derivative dual is that of delta, while a network's sigma' is 0)."""
    relation, slopes = entry.relation or entry.name, {sp.Symbol(k, real=True): v for k, v in entry.params}
    dual = (duals.STATEMENTS[entry.claim], relation, slopes)
    return dual, None if entry.form is None and entry.family is None else (
        duals.STATEMENTS[entry.derivative_claim], relation, slopes)


_CLOSED_REFERENCES = {name: _references(catalogue.entry(name)) for name in duals.CLOSED
                      if {catalogue.entry(name).claim, catalogue.entry(name).derivative_claim} <= set(_QUADRATURE_USES)}
"""For each closed-form activation of the catalogue whose claims the quadrature claim uses, the
registered statements that give its dual and derivative dual."""


def quadrature_closed_check() -> NumericCheck:
    """The library's quadrature of the statement's order against the dual claims' closed forms,
    within the statement's accuracy times sqrt(E[sigma(u)^2] E[sigma(v)^2]) (:func:`_within`),
    at variances <= 1 (where the statement's order is the library's default choice)."""
    def measure(statement, config, ctx):
        order, bound = int(statement["order"].rhs), float(statement["accuracy"].rhs)
        cov, point = covariance(config), coordinates(config)
        out = []
        for name in _CLOSED_REFERENCES:
            values = activations.get(name).quadrature_duals(*cov, order=order)
            for index, closed in enumerate(_CLOSED_REFERENCES[name]):
                if closed is None:
                    continue
                claim_statement, relation, slopes = closed
                config_ab = {**config, **{str(s): v for s, v in slopes.items()}}
                mark = "'" if index else ""
                out.append(_within(ctx, f"Q_{order}[{name}]{mark}",
                                   float(values[index]),
                                   predict(claim_statement, relation, {**point, **slopes}),
                                   bound=bound * _scale(claim_statement, relation, config_ab),
                                   scale=_scale(claim_statement, relation, config_ab)))
        return tuple(out)

    per_example = sum(r is not None for refs in _CLOSED_REFERENCES.values() for r in refs)
    return NumericCheck(
        "quadrature-vs-closed-forms",
        "the library's quadrature duals (and derivative duals) of every closed-form activation, at "
        "the stated order, against the dual claims' lambdified closed forms, within the stated "
        "accuracy of sqrt(E[sigma(u)^2] E[sigma(v)^2]); variances in [0.05, 1], rho = +-1 included",
        lambda budget: covariances(hi=1.0), measure, per_example=per_example, explicit=_edges(1.0),
    )


def _moments(degree: int) -> tuple[int, ...]:
    """The moments compared: the lowest three, the middle, and the top two (where a rule of too
    few nodes fails first)."""
    return tuple(sorted({0, 1, 2, degree // 2, degree - 1, degree}))


def rule_check() -> NumericCheck:
    """The library's constants against the statement, and its polar rule's radial part exact.

    Exact comparisons: numeric.quadrature.DEFAULT_ORDER and ACCURACY with the stated order and
    accuracy; the Gauss-Laguerre part (t, lambda) of ``polar_rule(n)`` against k! for the
    moments of :func:`_moments` up to the stated exact degree.  sum_i lambda_i t_i^k adds m = n/2
    positive terms after k multiplications of nodes each rounded once (scipy's roots), so the
    rounding model is (m + k) eps k! with condition 1.
    """
    def measure(statement, config, ctx):
        order, degree = int(statement["order"].rhs), int(statement["exact degree"].rhs)
        _, _, nodes, weights = quadrature.polar_rule(order)
        out = [ctx.exact("numeric.quadrature.DEFAULT_ORDER", float(quadrature.DEFAULT_ORDER),
                         float(order), scale=1.0),
               ctx.exact("numeric.quadrature.ACCURACY", quadrature.ACCURACY,
                         float(statement["accuracy"].rhs), scale=float(statement["accuracy"].rhs))]
        for k in _moments(degree):
            out.append(ctx.exact(f"sum lambda t^{k} (n = {order})", float(weights @ nodes**k),
                                 float(math.factorial(k)), scale=float(math.factorial(k)),
                                 operations=len(nodes) + k))
        return tuple(out)

    return NumericCheck(
        "rule",
        "the library's default order and stated accuracy against the statement's, and the moments "
        "of its polar rule's Gauss-Laguerre part (k = 0, 1, 2, D/2, D - 1, D for the stated exact "
        "degree D) against k!, to rounding ((m + k) eps k!)",
        lambda budget: st.just({}), measure,
        per_example=2 + len(_moments(2 * (duals.QUADRATURE_ORDER // 2) - 1)), examples=lambda budget: 1,
    )


def _diagonal_configs(hi: float):
    """{k, k, c = +-1}: the Gram diagonal and its reflection, variances log-uniform in [0.05, hi]
    (where the reference is a 1-D integral, milliseconds)."""
    return st.fixed_dictionaries({
        "log_k": st.floats(math.log(0.05), math.log(hi)), "c": st.sampled_from((1.0, -1.0)),
    }).map(lambda d: {"k11": math.exp(d["log_k"]), "k22": math.exp(d["log_k"]), "c": d["c"]})


_REFERENCE_DIGITS = 20
"""Digits of the reference: ten beyond the stated accuracy, at two thirds of the cost of 30."""


def quadrature_reference_check() -> NumericCheck:
    """The duals a user calls for tanh, gelu, softplus, sigmoid and swish (``Activation.duals``,
    the library's default quadrature) against the independent high-precision reference
    (verify.reference, composite Gauss-Legendre in mpmath at 20 digits), within the stated accuracy of
    sqrt(E[sigma(u)^2] E[sigma(v)^2]) (the reference's own diagonal values).

    Configurations: the Gram diagonal (k, k, k) and (k, k, -k), k log-uniform over the declared
    range [0.05, 1500], where the reference is 1-D and fast; the interior correlations are
    covered by the closed-form comparison (same rule) and Monte Carlo.
    """
    def measure(statement, config, ctx):
        bound = float(statement["accuracy"].rhs)
        cov = covariance(config)
        out = []
        for name in duals.QUADRATURE_ONLY:
            values = activations.get(name).duals(*cov)
            diagonal = reference.dual_reference(name, cov[0], cov[0], cov[0], _REFERENCE_DIGITS)
            exact = reference.dual_reference(name, *cov, _REFERENCE_DIGITS)
            for index, mark in enumerate(("", "'")):
                scale = float(diagonal[index])
                out.append(_within(ctx, f"{name}.duals[{index}] vs reference {name}{mark}",
                                   float(values[index]), float(exact[index]),
                                   bound=bound * scale, scale=scale))
        return tuple(out)

    top = float(duals.QUADRATURE_MAX_VARIANCE)
    return NumericCheck(
        "library-vs-reference",
        f"the library's duals and derivative duals of {', '.join(duals.QUADRATURE_ONLY)} (default "
        "quadrature) against a 20-digit mpmath reference within the stated accuracy, on the Gram "
        f"diagonal and its reflection c = -1, variances log-uniform in [0.05, {top:g}]",
        lambda budget: _diagonal_configs(top), measure, per_example=2 * len(duals.QUADRATURE_ONLY),
        explicit=({"k11": 0.7, "k22": 0.7, "c": 1.0}, {"k11": top, "k22": top, "c": -1.0}),
        examples=lambda budget: 1 + budget.level,
    )


@functools.cache
def _integrand(relation):
    """The relation's right side with each integral over the density replaced by its integrand
    divided by the density (what Monte Carlo over (u, v) averages), lambdified."""
    sampled = relation.rhs.replace(lambda e: isinstance(e, sp.Integral), lambda e: e.function / density())
    return sp.lambdify((u, v), sampled, ["numpy", "scipy"])


def quadrature_monte_carlo_check() -> NumericCheck:
    """For activations without a closed form: Monte Carlo of the statement's integral against
    the library's quadrature value (the statement's left side), duals and derivative duals."""
    def measure(statement, config, ctx):
        order = int(statement["order"].rhs)
        cov = covariance(config)
        out = []
        for name in duals.QUADRATURE_ONLY:
            act = activations.get(name)
            values = act.quadrature_duals(*cov, order=order)
            for rel, value, f in ((name, values[0], act.fn), (name + "'", values[1], act.deriv)):
                out.append(ctx.expectation(f"E[{rel} {rel}] vs Q_{order}", _integrand(statement[rel]),
                                           float(value), cov, scale_of=(f, f)))
        return tuple(out)

    return NumericCheck(
        "quadrature-vs-monte-carlo",
        f"Monte Carlo of the Gaussian integrals of {', '.join(duals.QUADRATURE_ONLY)} (and their "
        "derivatives) against the library's quadrature, variances <= 4, rho = +-1 included",
        lambda budget: covariances(hi=4.0), measure, per_example=2 * len(duals.QUADRATURE_ONLY),
        explicit=_edges(),
    )


def _mutant(statement, name: str, rhs, label: str, description: str) -> Mutant:
    return Mutant(label, description, statement.with_rhs(name, rhs))


def _step_mutants():
    rhs = duals.STEP.rhs
    return (
        _mutant(duals.STEP, "step", theta / (2 * sp.pi), "theta-for-pi-minus-theta",
                r"$\theta$ in place of $\pi - \theta$"),
        _mutant(duals.STEP, "step", 2 * rhs, "factor-2", r"$(\pi - \theta)/\pi$: the factor 2 dropped"),
        _mutant(duals.STEP, "step", rhs * sp.Rational(101, 100), "constant-1pct", "every value 1% larger"),
    )


def _relu_mutants():
    rhs = duals.RELU.rhs
    root = sp.sqrt(k11 * k22)
    cc = k12 / root
    return (
        _mutant(duals.RELU, "relu", root * (sp.sin(theta) + theta * cc) / (2 * sp.pi),
                "theta-for-pi-minus-theta", r"$\theta$ in place of $\pi - \theta$"),
        _mutant(duals.RELU, "relu", 2 * sp.pi * rhs, "missing-2pi", r"the factor $1/(2\pi)$ missing"),
        _mutant(duals.RELU, "relu", rhs * sp.Rational(101, 100), "constant-1pct",
                "the constant 1/(2 pi) changed by 1%"),
        _mutant(duals.RELU, "relu", root * (sp.sin(theta) - (sp.pi - theta) * cc) / (2 * sp.pi),
                "sign-of-c-term", r"$-(\pi - \theta)c$ in place of $+(\pi - \theta)c$"),
    )


def _abrelu_mutants():
    j = duals.CLOSED_FORM["relu"]
    rhs = duals.ABRELU.rhs
    return (
        _mutant(duals.ABRELU, "abrelu", (a - b)**2 * j - a * b * k12, "cross-term-sign",
                r"$-ab\,k_{12}$ in place of $+ab\,k_{12}$"),
        _mutant(duals.ABRELU, "abrelu", (a - b)**2 * j, "missing-cross-term", r"the term $ab\,k_{12}$ missing"),
        _mutant(duals.ABRELU, "abrelu", (a + b)**2 * j + a * b * k12, "a-plus-b",
                r"$(a + b)^2$ in place of $(a - b)^2$"),
        _mutant(duals.ABRELU, "abrelu", rhs * sp.Rational(101, 100), "constant-1pct", "every value 1% larger"),
    )


def _erf_prime_mutants():
    rhs = duals.ERF_PRIME.rhs
    radicand = (1 + 2 * k11) * (1 + 2 * k22)
    return (
        _mutant(duals.ERF_PRIME, "erf_prime", 2 * rhs, "factor-2", r"$8/\pi$ in place of $4/\pi$"),
        _mutant(duals.ERF_PRIME, "erf_prime", (4 / sp.pi) / sp.sqrt(radicand), "missing-term",
                r"the term $-4k_{12}^2$ missing"),
        _mutant(duals.ERF_PRIME, "erf_prime", (4 / sp.pi) / (radicand - 4 * k12**2), "wrong-exponent",
                r"power $-1$ in place of $-1/2$"),
        _mutant(duals.ERF_PRIME, "erf_prime", rhs * sp.Rational(101, 100), "constant-1pct",
                "the constant 4/pi changed by 1%"),
    )


def _erf_mutants():
    rhs = duals.ERF.rhs
    radicand = sp.sqrt((1 + 2 * k11) * (1 + 2 * k22))
    return (
        _mutant(duals.ERF, "erf", (2 / sp.pi) * sp.asin(k12 / radicand), "arcsin-without-2",
                r"$\arcsin(k_{12}/\cdots)$: the factor 2 in the argument missing"),
        _mutant(duals.ERF, "erf", 2 * rhs, "factor-2", r"$4/\pi$ in place of $2/\pi$"),
        _mutant(duals.ERF, "erf", (2 / sp.pi) * sp.asin(2 * k12 / sp.sqrt(4 * k11 * k22)), "missing-ones",
                r"the 1s of $(1 + 2k_{11})(1 + 2k_{22})$ missing"),
        _mutant(duals.ERF, "erf", rhs * sp.Rational(101, 100), "constant-1pct", "the constant 2/pi changed by 1%"),
    )


def _trig_mutants():
    trig = duals.TRIG
    envelope = sp.exp(-(k11 + k22) / 2)
    return (
        Mutant("sinh-cosh-swapped", r"$\sinh$ and $\cosh$ exchanged",
               trig.with_rhs("sin", envelope * sp.cosh(k12)).with_rhs("cos", envelope * sp.sinh(k12))),
        _mutant(trig, "sin", sp.exp((k11 + k22) / 2) * sp.sinh(k12), "envelope-sign",
                r"$e^{+(k_{11}+k_{22})/2}$ in the sin dual"),
        _mutant(trig, "cos", 2 * trig["cos"].rhs, "cos-factor-2", "the cos dual doubled"),
        _mutant(trig, "sin", trig["sin"].rhs * sp.Rational(101, 100), "sin-constant-1pct",
                "the sin dual 1% larger"),
    )


def _polynomial_mutants():
    poly = duals.POLYNOMIAL
    return (
        _mutant(poly, "quadratic", k11 * k22 + 4 * k12**2, "quadratic-factor-2",
                r"$4k_{12}^2$ in place of $2k_{12}^2$"),
        _mutant(poly, "quadratic", 2 * k12**2, "quadratic-missing-term", r"the term $k_{11}k_{22}$ missing"),
        _mutant(poly, "exp", sp.exp(k11 + k22 + k12), "exp-without-half",
                r"$\exp(k_{11} + k_{22} + k_{12})$: the factor 1/2 missing"),
        _mutant(poly, "identity", -k12, "identity-sign", r"$-k_{12}$"),
        _mutant(poly, "exp", poly["exp"].rhs * sp.Rational(101, 100), "exp-constant-1pct",
                "the exp dual 1% larger"),
    )


def _price_mutants():
    price = duals.PRICE
    step = duals.CLOSED_FORM["step"]
    return (
        _mutant(price, "relu", 2 * price["relu"].rhs, "relu-factor-2", "twice the relu derivative dual"),
        _mutant(price, "relu", -price["relu"].rhs, "relu-sign", "the relu derivative dual with its sign flipped"),
        _mutant(price, "relu", theta / (2 * sp.pi), "relu-theta-for-pi-minus-theta",
                r"$\theta/(2\pi)$ in place of $(\pi - \theta)/(2\pi)$"),
        _mutant(price, "abrelu", (a**2 + b**2) * step - 2 * a * b * step.subs(k12, -k12),
                "abrelu-cross-sign", r"$-2ab\,P(u>0, v\le 0)$ in place of $+2ab\,P(u>0, v\le 0)$"),
        _mutant(price, "sin", duals.CLOSED_FORM["sin"], "sin-sinh-for-cosh",
                r"$E[\sin'\sin'] = e^{-(k_{11}+k_{22})/2}\sinh k_{12}$"),
        _mutant(price, "erf", price["erf"].rhs * sp.Rational(101, 100), "erf-constant-1pct",
                "the erf' dual 1% larger"),
    )


def _relu2_mutants():
    rel = duals.RELU2
    rhs, j = rel["relu2"].rhs, duals.CLOSED_FORM["relu"]
    cc, sin = k12 / sp.sqrt(k11 * k22), sp.sin(theta)
    return (
        _mutant(rel, "relu2", k11 * k22 * (3 * sin * cc + theta * (1 + 2 * cc**2)) / (2 * sp.pi),
                "theta-for-pi-minus-theta", r"$\theta$ in place of $\pi - \theta$"),
        _mutant(rel, "relu2", k11 * k22 * (sin * cc + (sp.pi - theta) * (1 + 2 * cc**2)) / (2 * sp.pi),
                "sin-term-1-for-3", r"$\sin\theta\cos\theta$ in place of $3\sin\theta\cos\theta$"),
        _mutant(rel, "relu2", rhs * sp.Rational(101, 100), "constant-1pct", "the constant 1/(2 pi) changed by 1%"),
        _mutant(rel, "relu2'", 2 * j, "derivative-factor-2", r"$2J$ in place of $4J$: the square of the factor 2 dropped"),
    )


def _quadrature_mutants():
    quad = duals.QUADRATURE
    order = quad["order"].rhs
    return (
        _mutant(quad, "order", sp.Integer(6), "too-few-nodes", "order 6 claimed as accurate as order 64"),
        _mutant(quad, "exact degree", order + 1, "exact-degree-n-plus-1",
                "the polar rule's radial part exact on polynomials of degree n + 1"),
        _mutant(quad, "tanh", 2 * quad["tanh"].rhs, "tanh-factor-2", "the tanh integral doubled"),
        _mutant(quad, "gelu'", -quad["gelu'"].rhs, "gelu-prime-sign", "the gelu' integral with its sign flipped"),
    )


_PRICE_TOP = {"exp": 0.25}


def _library(claim_statement, *entries, ab: bool = False) -> NumericCheck:
    return library_check(entries, registered=claim_statement, ab=ab)


PLACE = 1
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Dual activations',
    'Everything about an infinitely wide network reduces to Gaussian expectations '
    '$\\mathbb{E}[\\sigma(u)\\sigma(v)]$ over a pair $(u, v)$ with covariance '
    '$\\bigl[\\begin{smallmatrix} k_{11} & k_{12}\\\\ k_{12} & '
    'k_{22}\\end{smallmatrix}\\bigr]$, the dual of the activation. This family derives the '
    'closed forms: the derivative dual by direct Gaussian integration, the dual itself '
    "from Price's theorem (differentiate in $k_{12}$) and its value at $k_{12} = 0$. The "
    'kernels of the next family are built from these duals.',
    'Cho & Saul 2009; Williams 1997; Price 1958; Daniely, Frostig & Singer 2016',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("dual.step", "Sheppard's formula: the dual of the step function",
          "jacot2018; sheppard1899; cho2009", duals.STEP, duals.derive_step,
          checks=(dual_check("step"), _library(duals.STEP, ("step", None, 0, "arccos"))),
          mutants=_step_mutants()),
    Claim("dual.relu", "The arc-cosine kernel: the dual of ReLU", _SOURCE_DUALS,
          duals.RELU, duals.derive_relu,
          checks=(dual_check("relu"), _library(duals.RELU, ("relu", None, 0, "arccos"))),
          mutants=_relu_mutants(), uses=("dual.step",)),
    Claim("dual.abrelu", "a min(z,0) + b max(z,0) (leaky ReLU, abs) from the ReLU dual by symmetry",
          _SOURCE_DUALS, duals.ABRELU, duals.derive_abrelu,
          checks=(dual_check("abrelu"), _library(duals.ABRELU, ("abrelu", None, 0, "arccos"), ab=True)),
          mutants=_abrelu_mutants(), uses=("dual.relu",)),
    Claim("dual.erf_prime", "The dual of erf' by direct Gaussian integration", "williams1997; jacot2018",
          duals.ERF_PRIME, duals.derive_erf_prime,
          checks=(dual_check("erf_prime"), _library(duals.ERF_PRIME, ("erf_prime", "erf", 1, "erf'"))),
          mutants=_erf_prime_mutants()),
    Claim("dual.erf", "The dual of erf (Williams' arcsine kernel)", "williams1997; jacot2018",
          duals.ERF, duals.derive_erf,
          checks=(dual_check("erf"), _library(duals.ERF, ("erf", None, 0, "erf"))), mutants=_erf_mutants(),
          uses=("dual.erf_prime",)),
    Claim("dual.trig", "The duals of sin and cos: e^{-(k11+k22)/2} sinh k12 and cosh k12",
          "ntknotes2023 (Gaussian integrals); rahimi2007", duals.TRIG, duals.derive_trig,
          checks=(dual_check("sin"), dual_check("cos"),
                  _library(duals.TRIG, ("sin", None, 0, "trig"), ("cos", None, 0, "trig"))),
          mutants=_trig_mutants()),
    Claim("dual.polynomial", "The duals of identity, z^2 (Isserlis) and exp (moment generating function)",
          "ntknotes2023; isserlis1918", duals.POLYNOMIAL, duals.derive_polynomial,
          checks=(dual_check("identity"), dual_check("quadratic"), dual_check("exp", top=0.25),
                  _library(duals.POLYNOMIAL, ("identity", None, 0, "polynomial"),
                           ("quadratic", None, 0, "polynomial"), ("exp", None, 0, "exp"))),
          mutants=_polynomial_mutants()),
    Claim("dual.price", "Price's theorem: d/dk12 E[sigma(u)sigma(v)] = E[sigma'(u)sigma'(v)], every closed-form pair",
          "price1958; jacot2018", duals.PRICE, duals.derive_price,
          checks=tuple(price_check(r.name, top=_PRICE_TOP.get(r.name, 20.0)) for r in duals.PRICE.relations)
          + (_library(duals.PRICE, ("relu", None, 1, "arccos"), ("abrelu", None, 1, "arccos"),
                      ("erf", None, 1, "erf'"), ("sin", None, 1, "trig"), ("cos", None, 1, "trig"),
                      ("identity", None, 1, "polynomial"), ("quadratic", None, 1, "polynomial"),
                      ("exp", None, 1, "exp"), ab=True),),
          mutants=_price_mutants(), uses=("dual.step", "dual.erf_prime", "dual.trig", "dual.polynomial")),
    Claim("dual.relu2", "The arc-cosine kernel of order 2: the dual of relu^2 by Price's theorem from the ReLU dual",
          "cho2009; price1958", duals.RELU2, duals.derive_relu2,
          checks=(dual_check("relu2"), price_check("relu2", relation="relu2'"),
                  _library(duals.RELU2, ("relu2", None, 0, "arccos"), ("relu2'", "relu2", 1, "arccos"))),
          mutants=_relu2_mutants(), uses=("dual.relu",)),
    Claim("dual.quadrature", "Quadrature duals: the library's rule, exact on polynomials, within its stated accuracy",
          "numeric.quadrature; Golub & Welsch 1969", duals.QUADRATURE, duals.derive_quadrature,
          checks=(rule_check(), quadrature_closed_check(), quadrature_monte_carlo_check(),
                  quadrature_reference_check()),
          mutants=_quadrature_mutants(),
          uses=("dual.step", "dual.relu", "dual.abrelu", "dual.erf_prime", "dual.erf", "dual.trig",
                "dual.polynomial", "dual.price")),
)
