"""Claims of the dual-activation family: statements from :mod:`derivations.duals`,
Monte Carlo over (u, v) from :mod:`numeric.montecarlo`, and their mutants."""
from __future__ import annotations

import functools

import sympy as sp

from derivations import duals
from derivations.gaussian import density, k11, k12, k22, theta, u, v
from numeric import activations

from ..checks import predict
from ..claim import Claim, Mutant, NumericCheck
from ..strategies import COVARIANCE_EDGES, coordinates, covariance, covariances

__all__ = ["CLAIMS"]

_COV_ARGS = (k11, k22, k12)
_SOURCE_DUALS = "seeds 002, 004; Cho & Saul 2009"


def dual_check(name: str) -> NumericCheck:
    """Monte Carlo of E[sigma(u) sigma(v)] against the statement's lambdified closed form."""
    sigma = activations.get(name).fn

    def measure(statement, config, ctx):
        cov = covariance(config)
        prediction = predict(statement, name, coordinates(config))
        return (ctx.expectation(f"E[{name} {name}]", lambda a, b: sigma(a) * sigma(b),
                                prediction, cov, scale_of=(sigma, sigma)),)

    return NumericCheck(
        f"monte-carlo-{name}",
        f"Monte Carlo of E[{name}(u){name}(v)] over hypothesis-drawn 2x2 covariances "
        "(rho = +-1 included) against the lambdified closed form; MDE relative to "
        "sqrt(E[sigma(u)^2] E[sigma(v)^2])",
        lambda budget: covariances(), measure, explicit=COVARIANCE_EDGES,
    )


@functools.cache
def _score():
    """d log p(u, v) / d k12, derived by SymPy from the density."""
    return sp.lambdify((u, v, *_COV_ARGS), sp.simplify(sp.diff(sp.log(density()), k12)), "numpy")


def price_check(name: str, *, max_abs_c: float = 0.8) -> NumericCheck:
    """The left side of Price's theorem measured on its own terms.

    d/dk12 E[sigma(u) sigma(v)] = E[sigma(u) sigma(v) d log p/dk12] (the score-function
    identity), estimated by Monte Carlo and compared with the stated E[sigma' sigma'].
    The score's variance grows as |c| -> 1, so this check keeps |c| <= ``max_abs_c``;
    the symbolic derivation covers the whole domain.
    """
    act = activations.get(name)

    def measure(statement, config, ctx):
        cov = covariance(config)
        prediction = predict(statement, name, coordinates(config))
        score = _score()
        return (ctx.expectation(f"d/dk12 E[{name} {name}]",
                                lambda a, b: act.fn(a) * act.fn(b) * score(a, b, *cov),
                                prediction, cov, scale_of=(act.deriv, act.deriv)),)

    return NumericCheck(
        f"score-function-{name}",
        f"Monte Carlo of d/dk12 E[{name}(u){name}(v)] by the score-function identity "
        f"(|c| <= {max_abs_c}) against the stated E[{name}'(u){name}'(v)]",
        lambda budget: covariances(max_abs_c=max_abs_c), measure,
    )


def _c():
    return k12 / sp.sqrt(k11 * k22)


def _step_mutants():
    rhs = duals.STEP.rhs
    return (
        Mutant("theta-for-pi-minus-theta", r"$\theta$ in place of $\pi - \theta$",
               duals.STEP.with_rhs("step", theta / (2 * sp.pi))),
        Mutant("factor-2", r"$(\pi - \theta)/\pi$: the factor 2 dropped",
               duals.STEP.with_rhs("step", 2 * rhs)),
        Mutant("constant-1pct", "every value 1% larger", duals.STEP.with_rhs("step", rhs * sp.Rational(101, 100))),
    )


def _relu_mutants():
    rhs = duals.RELU.rhs
    root = sp.sqrt(k11 * k22)
    return (
        Mutant("theta-for-pi-minus-theta", r"$\theta$ in place of $\pi - \theta$",
               duals.RELU.with_rhs("relu", root * (sp.sin(theta) + theta * _c()) / (2 * sp.pi))),
        Mutant("missing-2pi", r"the factor $1/(2\pi)$ missing", duals.RELU.with_rhs("relu", 2 * sp.pi * rhs)),
        Mutant("constant-1pct", "the constant 1/(2 pi) changed by 1%",
               duals.RELU.with_rhs("relu", rhs * sp.Rational(101, 100))),
        Mutant("sign-of-c-term", r"$-(\pi - \theta)c$ in place of $+(\pi - \theta)c$",
               duals.RELU.with_rhs("relu", root * (sp.sin(theta) - (sp.pi - theta) * _c()) / (2 * sp.pi))),
    )


def _price_mutants():
    rhs = duals.PRICE["relu"].rhs
    return (
        Mutant("factor-2", "twice the derivative dual", duals.PRICE.with_rhs("relu", 2 * rhs)),
        Mutant("sign", "the derivative dual with its sign flipped", duals.PRICE.with_rhs("relu", -rhs)),
        Mutant("theta-for-pi-minus-theta", r"$\theta/(2\pi)$ in place of $(\pi - \theta)/(2\pi)$",
               duals.PRICE.with_rhs("relu", theta / (2 * sp.pi))),
    )


CLAIMS = (
    Claim("dual.step", "Sheppard's formula: the dual of the step function",
          "seed 004; Sheppard 1899; Cho & Saul 2009", duals.STEP, duals.derive_step,
          checks=(dual_check("step"),), mutants=_step_mutants(), uses=("dual.price",)),
    Claim("dual.relu", "The arc-cosine kernel: the dual of ReLU", _SOURCE_DUALS,
          duals.RELU, duals.derive_relu, checks=(dual_check("relu"),),
          mutants=_relu_mutants(), uses=("dual.price", "dual.step")),
    Claim("dual.price", "Price's theorem: d/dk12 E[sigma(u)sigma(v)] = E[sigma'(u)sigma'(v)]",
          "Price 1958; seed 004", duals.PRICE, duals.derive_price,
          checks=(price_check("relu"),), mutants=_price_mutants()),
)
