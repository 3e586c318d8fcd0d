"""Random features and the random linear model (EAI Math Reading Group, "Neural Tangent Kernels" slides, 2023, "Random functions approximation";
the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023, "Random functions approximation").

P random functions f^(p) with second moments E[f^(p)(x) f^(p)(x')] = K(x, x') give

    K~_P(x, x') = (1/P) sum_p f^(p)(x) f^(p)(x'),

unbiased for K, with standard deviation s P^{-1/2} (s the standard deviation of one
product f(x) f(x')): :data:`RANDOM_FEATURES` states both for

* random Fourier features f = sqrt(2) cos(omega . x + b), omega ~ N(0, I/l^2),
  b ~ U[0, 2 pi) (Rahimi & Recht 2007): K = exp(-|x - x'|^2 / (2 l^2));
* the last-layer features of a random network with one hidden layer,
  f = sigma_w s(z(x)) + sigma_b xi, z ~ GP(0, Sigma^1), xi ~ N(0, 1): K = Sigma^2 =
  sigma_w^2 E[s(u)s(v)] + sigma_b^2 with (u, v) ~ N(0, Sigma^1) (the library's
  conventions, NTK parameterisation), for s = relu and step (dual.relu, dual.step).

:data:`LINEAR_PARAM_GD` states that gradient flow on theta for
F^lin(theta) = P^{-1/2} sum_p theta_p f^(p) and the cost C(f) = (1/N) sum_j loss(f(x_j), y_j)
is kernel gradient descent with K~: with Phi (P x N) the features at the training points,
Phi_x (P x M) at evaluation points and d_j = d loss/d f (f(x_j), y_j) (the dual of
dC, EAI slides 2023, "Kernel gradient"),

    K~(X', X) = Phi_x^T Phi / P,      d/dt F^lin(theta(t))(X') = -(1/N) K~(X', X) d.
"""
from __future__ import annotations

import functools

import sympy as sp
import sympy.stats as stats

from . import duals
from .duals import RELU, STEP
from . import asymptotics
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, link
from .gaussian import COVARIANCE

__all__ = ["distance", "lengthscale", "weight_std", "bias_std", "spread", "n_features",
           "NETWORK_ACTIVATIONS", "RANDOM_FEATURES", "derive_random_features", "fluctuation_exponent",
           "n_train", "n_eval", "features_train", "features_eval", "dual_vector", "LOSSES",
           "loss_dual", "LINEAR_PARAM_GD", "derive_linear_param_gd"]

distance = sp.Symbol("delta", nonnegative=True)
lengthscale = sp.Symbol("ell", positive=True)
weight_std = sp.Symbol("sigma_w", nonnegative=True)
bias_std = sp.Symbol("sigma_b", nonnegative=True)
spread = sp.Symbol("s", positive=True)
n_features = sp.Symbol("P", positive=True, integer=True)

NETWORK_ACTIVATIONS = ("relu", "step")
"""Activations whose last-layer features are stated (their duals are claims dual.*)."""
_DUAL_STATEMENTS = {"relu": RELU, "step": STEP}
"""The statement objects of the claims dual.relu and dual.step, linked by the derivation."""

_w = sp.Symbol("w", real=True)
_phase, _a, _a2 = sp.symbols("b a a'", real=True)
_unit, _unit2 = sp.symbols("z z'", real=True)
_p = sp.Symbol("p", positive=True, integer=True)


def _second_moment(tag: str, tex: str) -> Quantity:
    return Quantity(f"E[f(x)f(x')]_{tag}", rf"\mathbb{{E}}[f(x) f(x')]_{{\mathrm{{{tex}}}}}")


RANDOM_FEATURES = Statement(
    (Relation("fourier", _second_moment("fourier", "Fourier"),
              sp.exp(-distance**2 / (2 * lengthscale**2))),
     *(Relation(name, _second_moment(name, name),
                weight_std**2 * duals.CLOSED_FORM[name] + bias_std**2) for name in NETWORK_ACTIVATIONS),
     Relation("fluctuation", Quantity("std K~_P", r"\operatorname{std} \tilde K_P(x, x')"),
              spread * n_features ** sp.Rational(-1, 2))),
    Domain(intervals={**COVARIANCE.intervals, weight_std: sp.Interval(0, 3), bias_std: sp.Interval(0, 3),
                      distance: sp.Interval(0, sp.oo), lengthscale: sp.Interval.open(0, sp.oo),
                      spread: sp.Interval.open(0, sp.oo), n_features: sp.Interval(1, sp.oo)},
           derived=dict(COVARIANCE.derived),
           description=COVARIANCE.description + r",\ \delta = \|x - x'\|,\ \ell > 0,\ P \ge 1"),
    r"$f^{(p)}$ i.i.d.; Fourier: $\omega \sim \mathcal{N}(0, \ell^{-2} I)$, $b \sim U[0, 2\pi)$; network: "
    r"$(k_{11}, k_{12}, k_{22}) = \Sigma^1$ at $(x, x')$, NTK parameterisation; "
    r"$s = \operatorname{std}(f(x) f(x'))$",
)
"""E[f(x)f(x')] = K for each feature family, and std K~_P = s P^{-1/2}."""


def fluctuation_exponent(statement: Statement) -> sp.Expr:
    """d log std K~_P / d log P of the stated fluctuation: the rate the numeric check tests."""
    rhs = statement["fluctuation"].rhs
    return sp.simplify(n_features * sp.diff(sp.log(rhs), n_features))


@functools.cache
def _phase_average() -> sp.Expr:
    """E_b[2 cos(a + b) cos(a' + b)] for b ~ U[0, 2 pi), integrated by SymPy (after expand_trig)."""
    integrand = sp.expand(sp.expand_trig(2 * sp.cos(_a + _phase) * sp.cos(_a2 + _phase)))
    return sp.simplify(sp.integrate(integrand, (_phase, 0, 2 * sp.pi)) / (2 * sp.pi))


@functools.cache
def _frequency_average() -> sp.Expr:
    """E_w[cos(delta w / l)] for w ~ N(0, 1), integrated by SymPy: omega . (x - x') for
    omega ~ N(0, I/l^2) is (delta/l) w by rotation invariance."""
    integrand = sp.cos(distance * _w / lengthscale) * sp.exp(-_w**2 / 2) / sp.sqrt(2 * sp.pi)
    return sp.simplify(sp.integrate(integrand, (_w, -sp.oo, sp.oo)))


@functools.cache
def _bias_average() -> sp.Expr:
    """E_xi[(sigma_w z + sigma_b xi)(sigma_w z' + sigma_b xi)], xi ~ N(0, 1), by sympy.stats."""
    xi = stats.Normal("xi", 0, 1)
    return sp.expand(stats.E((weight_std * _unit + bias_std * xi) * (weight_std * _unit2 + bias_std * xi)))


def derive_random_features(statement: Statement) -> Derivation:
    """Each second moment by integration, then unbiasedness and the P^{-1/2} fluctuation."""
    fourier = statement["fourier"].rhs
    kernel = sp.Symbol("K", real=True)
    steps = [
        Step(r"Fourier: average over the phase, $\mathbb{E}_b[2\cos(a + b)\cos(a' + b)] = \cos(a - a')$, "
             r"with $a = \omega\cdot x$, $a' = \omega\cdot x'$",
             _phase_average(), sp.cos(_a - _a2), Justification.INTEGRATE),
        Step(r"then over $\omega \sim \mathcal{N}(0, \ell^{-2} I)$: by rotation invariance "
             r"$\omega\cdot(x - x') = (\delta/\ell)\, w$ with $w \sim \mathcal{N}(0, 1)$, in any dimension, "
             r"and $\mathbb{E}_w[\cos(\delta w/\ell)]$ is the stated kernel",
             _frequency_average(), fourier, Justification.INTEGRATE),
        Step(r"Network: the per-feature bias $\xi \sim \mathcal{N}(0,1)$, independent of the unit, "
             r"adds $\sigma_b^2$: $\mathbb{E}_\xi[(\sigma_w z + \sigma_b\xi)(\sigma_w z' + \sigma_b\xi)]$ "
             r"(sympy.stats)",
             _bias_average(), weight_std**2 * _unit * _unit2 + bias_std**2, Justification.INTEGRATE),
    ]
    for name in NETWORK_ACTIVATIONS:
        dual = _DUAL_STATEMENTS[name]
        steps.append(link(
            rf"then $\mathbb{{E}}[z z'] = \mathbb{{E}}[\sigma(u)\sigma(v)]$ for $\sigma$ = {name}, "
            rf"$(u, v) \sim \mathcal{{N}}(0, \Sigma^1)$ (dual.{name})",
            statement[name].rhs, f"dual.{name}", dual, name,
            rhs=_bias_average().subs(_unit * _unit2, dual[name].rhs)))
    steps += [
        Step(r"Unbiased: $\mathbb{E}[\tilde K_P] = \frac1P \sum_{p=1}^P \mathbb{E}[f^{(p)}(x) f^{(p)}(x')] = K$",
             sp.Sum(kernel, (_p, 1, n_features)).doit() / n_features, kernel),
        Step(r"Independent features: $\operatorname{std}\sum_{p=1}^P f^{(p)}(x) f^{(p)}(x')$ is the square "
             r"root of the summed covariance matrix ($s^2$ on the diagonal, 0 off it; Bienaym\'e), "
             r"so $\operatorname{std} \tilde K_P$ is $1/P$ of it",
             asymptotics.spread_of_sum(n_features, spread**2) / n_features, statement["fluctuation"].rhs),
        Step(r"Its exponent in $P$, $\lim_{P\to\infty} \log(\cdot)/\log P$ of that spread (the rate the "
             r"numeric check tests, derived from the model of $P$ independent terms)",
             asymptotics.exponent(asymptotics.spread_of_sum(n_features, spread**2) / n_features, n_features),
             fluctuation_exponent(statement)),
    ]
    return Derivation(
        tuple(steps),
        r"$\tilde K_P$ is an average of $P$ i.i.d. terms with mean $K$: unbiased for every $P$, "
        r"fluctuating as $s P^{-1/2}$.")


# ---------------------------------------------------------------- the random linear model

n_train = sp.Symbol("N", positive=True, integer=True)
n_eval = sp.Symbol("M", positive=True, integer=True)
features_train = sp.MatrixSymbol("Phi", n_features, n_train)
features_eval = sp.MatrixSymbol("Phi_x", n_features, n_eval)
dual_vector = sp.MatrixSymbol("d", n_train, 1)

_f, _y = sp.symbols("f y", real=True)
LOSSES = {
    "squared": (_f - _y) ** 2 / 2,
    "logistic": sp.log(1 + sp.exp(-_y * _f)),
}
"""Per-point losses loss(f, y); the cost is C(f) = (1/N) sum_j loss(f(x_j), y_j)."""


def loss_dual(name: str) -> sp.Expr:
    """d loss/d f as an expression in (f, y): the dual d(x_j) of the cost."""
    return sp.diff(LOSSES[name], _f)


_SIZES = {n_features: 3, n_train: 2, n_eval: 1}
_THETA = sp.symbols(f"theta_1:{_SIZES[n_features] + 1}", real=True)
_time = sp.Symbol("t", real=True)
_loss = sp.Function("loss")


def _entries(name: str, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


_PHI = _entries("F", _SIZES[n_features], _SIZES[n_train])
_PHI_EVAL = _entries("G", _SIZES[n_features], _SIZES[n_eval])
_Y = sp.symbols(f"y_1:{_SIZES[n_train] + 1}", real=True)

LINEAR_PARAM_GD = Statement(
    (Relation("tangent_kernel", Quantity("K~(X',X)", r"\tilde K(X', X)"),
              features_eval.T * features_train / n_features),
     Relation("kernel_gd", Quantity("d/dt F^lin(X')", r"\partial_t F^{\mathrm{lin}}(\theta(t))(X')"),
              -features_eval.T * features_train * dual_vector / (n_train * n_features))),
    Domain(intervals={s: sp.Interval(-2, 2) for s in (*_PHI, *_PHI_EVAL, *_THETA, *_Y)},
           description=r"\text{real features } F_{pj} = f^{(p)}(x_j),\ G_{pm} = f^{(p)}(x'_m),\ "
                       r"\theta_p,\ y_j"),
    r"$F^{\mathrm{lin}}(\theta) = P^{-1/2}\sum_p \theta_p f^{(p)}$; $\Phi_{pj} = f^{(p)}(x_j)$ "
    r"($P \times N$), $\Phi_{x,pm} = f^{(p)}(x'_m)$; $\dot\theta = -\nabla_\theta C$, "
    r"$C = \frac1N\sum_j \ell(f(x_j), y_j)$, $d_j = \partial_f \ell(f(x_j), y_j)$",
)
"""K~ = Phi_x^T Phi / P and d/dt F^lin(X') = -(1/N) K~(X', X) d."""


def _at_sizes(expr, d=None) -> sp.Matrix:
    """``expr`` at the derivation's sizes, the matrix symbols replaced by explicit entries."""
    small = expr.subs(_SIZES)
    explicit = {features_train.subs(_SIZES): _PHI, features_eval.subs(_SIZES): _PHI_EVAL}
    if d is not None:
        explicit[dual_vector.subs(_SIZES)] = d
    return sp.Matrix(small.subs(explicit).doit())


def derive_linear_param_gd(statement: Statement) -> Derivation:
    """The chain rule through theta(t), by SymPy differentiation, for a generic and two concrete losses."""
    p, n = _SIZES[n_features], _SIZES[n_train]
    scale = 1 / sp.sqrt(p)
    model_train = scale * _PHI.T * sp.Matrix(_THETA)
    model_eval = scale * _PHI_EVAL.T * sp.Matrix(_THETA)
    jac_train, jac_eval = model_train.jacobian(_THETA), model_eval.jacobian(_THETA)
    steps = [
        Step(r"$\partial_{\theta_p} F^{\mathrm{lin}}(\theta) = P^{-1/2} f^{(p)}$ (EAI slides 2023), "
             rf"here $P = {p}$, $N = {n}$, one evaluation point",
             jac_eval, scale * _PHI_EVAL.T, Justification.DIFFERENTIATE),
        Step(r"The tangent kernel $\sum_p \partial_{\theta_p} F \otimes \partial_{\theta_p} F$",
             jac_eval * jac_train.T, _at_sizes(statement["tangent_kernel"].rhs),
             Justification.DIFFERENTIATE),
    ]
    path = {th: sp.Function(f"theta_{i + 1}")(_time) for i, th in enumerate(_THETA)}
    back = {v: k for k, v in path.items()}
    generic = {"generic": lambda f, y: _loss(f, y)}
    concrete = {name: sp.Lambda((_f, _y), LOSSES[name]) for name in LOSSES}
    for name, loss in {**generic, **concrete}.items():
        cost = sum(loss(model_train[j], _Y[j]) for j in range(n)) / n
        flow = {sp.Derivative(path[th], _time): -sp.diff(cost, th).subs(path) for th in _THETA}
        velocity = sp.diff(model_eval.subs(path), _time).subs(flow).subs(back)
        d = sp.Matrix([sp.diff(loss(_f, _y), _f).subs({_f: model_train[j], _y: _Y[j]}) for j in range(n)])
        tex = r"a generic loss $\ell$" if name == "generic" else rf"$\ell = {sp.latex(LOSSES[name])}$"
        steps.append(Step(
            rf"Gradient flow $\dot\theta_p = -\partial_{{\theta_p}} C$, {tex}: the chain rule "
            r"$\partial_t F^{\mathrm{lin}}(\theta(t)) = \sum_p \partial_{\theta_p}F^{\mathrm{lin}}\,\dot\theta_p$ "
            r"is kernel gradient descent with $\tilde K$",
            velocity, _at_sizes(statement["kernel_gd"].rhs, d), Justification.DIFFERENTIATE))
    return Derivation(
        tuple(steps),
        r"For every loss the parameter flow moves $F^{\mathrm{lin}}$ by $-\frac1N \tilde K d$: "
        r"parameter gradient descent on $C \circ F^{\mathrm{lin}}$ is kernel gradient descent with "
        r"the tangent kernel $\tilde K$ (EAI slides 2023; notes on functional gradient descent 2023).")
