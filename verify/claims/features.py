"""Claims of the random-features family (EAI Math Reading Group, "Neural Tangent Kernels" slides, 2023; the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023): statements from
:mod:`derivations.features`, random features from :mod:`numeric.features`.

* ``features.random_features``: K~_P(x, x') = (1/P) sum_p f^(p)(x) f^(p)(x') over
  P = 32 ... 2048 features and many independent feature sets: unbiased (pooled mean and
  the width-limit intercept, P in the role of the width) and fluctuating as P^rate with
  the rate d log std / d log P derived from the statement (-1/2).
* ``features.linear_param_gd``: full-batch gradient descent on theta for
  F^lin(theta) = P^{-1/2} sum_p theta_p f^(p) against the Euler path of the stated kernel
  gradient descent with K~ at the same step eta: for a linear model a parameter step moves
  F^lin by exactly eta times the stated velocity, so the two trajectories agree to rounding;
  and the tangent kernel sum_p dF/dtheta_p (x') dF/dtheta_p (x), its derivatives measured as
  differences of the model's outputs, against the stated K~ = Phi_x^T Phi / P.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import features as F
from derivations.gaussian import c, k11, k22, theta
from numeric import features, kernels
from numeric.linear_dynamics import euler
from numeric.stats import mde
from scipy.stats import chi2

from ..checks import MARGIN, predict, predictor
from ..claim import Claim, Mutant, NumericCheck
from .rkhs import sample_points

__all__ = ["CLAIMS"]

_SOURCE = "eai2023; ntknotes2023"
_WIDTHS = tuple(32 * 2**k for k in range(7))
"""Numbers of features P = 32 ... 2048 at which K~_P is drawn (the 'widths' of the limit P -> oo)."""
_INFLATION = float(chi2.ppf(0.999, len(_WIDTHS) - 2) / (len(_WIDTHS) - 2))
"""The 99.9% quantile of chi^2/dof of a two-parameter fit over the widths: the WLS fits inflate
their covariance by chi^2/dof, so the sets are sized for the MDE to meet its target even then."""
_PILOT = 4096
"""Features of the pilot set whose single products f(x) f(x') size the number of sets."""
_MIN_SETS = 8


# ---------------------------------------------------------------- features.random_features

def _pair_at_distance(rng, dim: int, distance: float) -> np.ndarray:
    """Two points of R^dim at Euclidean distance ``distance``."""
    x = sample_points(rng, 1, dim)[0]
    step = rng.standard_normal(dim)
    return np.stack([x, x + distance * step / np.linalg.norm(step)])


def _pair_at_correlation(rng, dim: int, corr: float, norms) -> np.ndarray:
    """Two points of R^dim (dim >= 2) with norms sqrt(dim) x ``norms`` and cosine ``corr``."""
    basis, _ = np.linalg.qr(rng.standard_normal((dim, 2)))
    e, e2 = basis.T
    second = corr * e + math.sqrt(max(0.0, 1.0 - corr * corr)) * e2
    return math.sqrt(dim) * np.stack([norms[0] * e, norms[1] * second])


def _draw(config, x, n_features: int, sets: int, rng) -> np.ndarray:
    """Features (sets, 2, P) of the configuration's family at the two points x."""
    if config["family"] == "fourier":
        return features.random_fourier_features(x, n_features, rng, lengthscale=config["lengthscale"],
                                                n_sets=sets)
    return features.network_features(x, n_features, rng, activation=config["family"],
                                     weight_std=config["weight_std"], bias_std=config["bias_std"],
                                     n_sets=sets)


def _coordinates(config, ctx) -> tuple[np.ndarray, list[dict]]:
    """The two points and the statement's coordinates at (x, x'), (x, x) and (x', x').

    Fourier: delta = |x - x'| and l.  Network: (k11, k22, c) of Sigma^1 from the library's
    depth-1 NNGP (``kernels.nngp``), with sigma_w and sigma_b.
    """
    rng = ctx.rng("points")
    if config["family"] == "fourier":
        x = _pair_at_distance(rng, config["dim"], config["distance"] * config["lengthscale"])
        at = lambda d: {F.distance: d, F.lengthscale: config["lengthscale"]}  # noqa: E731
        return x, [at(float(np.linalg.norm(x[0] - x[1]))), at(0.0), at(0.0)]
    x = _pair_at_correlation(rng, config["dim"], config["c"], config["norms"])
    first = kernels.nngp(x, depth=1, weight_std=config["weight_std"], bias_std=config["bias_std"])
    stds = {F.weight_std: config["weight_std"], F.bias_std: config["bias_std"]}
    corr = float(np.clip(first[0, 1] / math.sqrt(first[0, 0] * first[1, 1]), -1.0, 1.0))
    return x, [{k11: first[0, 0], k22: first[1, 1], c: corr, **stds},
               {k11: first[0, 0], k22: first[0, 0], c: 1.0, **stds},
               {k11: first[1, 1], k22: first[1, 1], c: 1.0, **stds}]


_SIZE_MARGIN = 1.3
"""Sets beyond what the pilot's spread asks for: sized exactly, the slope's MDE (its SE itself
estimated, and inflated by chi^2/dof when the fit is poor) missed the quick target in 2 of 10
audit runs."""


def _sets(ctx, spread: float, scale: float, rate: float) -> int:
    """Feature sets per P for every comparison to meet its target.

    With ``spread`` the standard deviation of one product f(x) f(x') (inflated by the
    pilot's ``MARGIN``), Var K~_P = spread^2/P: the pooled mean has variance
    spread^2/(sets sum P), the WLS intercept spread^2 v/sets (v from the design), the
    log-log slope 1/(2(sets - 1) sum dev^2); the two fits may inflate their covariance by
    chi^2/dof, sized for at its 99.9% quantile (``_INFLATION``).
    """
    widths = np.array(_WIDTHS, dtype=float)
    design = np.column_stack([np.ones_like(widths), 1 / widths])
    intercept = np.linalg.inv((design * widths[:, None]).T @ design)[0, 0]
    single = mde(MARGIN * spread, ctx.threshold) / scale
    dev = np.log(widths) - np.log(widths).mean()
    slope_se = ctx.budget.target("rate") * abs(rate) / mde(1.0, ctx.threshold)
    needed = max((single / ctx.target) ** 2 / widths.sum(),
                 _INFLATION * intercept * (single / ctx.budget.target("width")) ** 2,
                 1 + _INFLATION / (2 * slope_se**2 * float(dev @ dev)))
    return int(min(max(_MIN_SETS, math.ceil(_SIZE_MARGIN * needed)), ctx.budget.max_samples // int(widths.sum())))


def _random_features_measure(statement, config, ctx):
    """Unbiasedness (pooled mean over every P; width-limit intercept) and the P^rate fluctuation.

    Scale of the MDEs: sqrt(K(x,x) K(x',x')), the Cauchy-Schwarz bound on K(x,x').  The
    pooled mean weights K~_P by P (its variance is proportional to 1/P).
    """
    name = config["family"]
    x, points = _coordinates(config, ctx)
    prediction, *diagonal = (predict(statement, name, p) for p in points)
    scale = max(math.sqrt(max(diagonal[0], 0.0) * max(diagonal[1], 0.0)), abs(prediction))
    rate = float(F.fluctuation_exponent(statement))
    pilot = _draw(config, x, _PILOT, 1, ctx.rng("pilot"))[0]
    sets = _sets(ctx, float(np.std(pilot[0] * pilot[1], ddof=1)), scale, rate)
    rng = ctx.rng("features")
    values = []
    for width in _WIDTHS:
        f = _draw(config, x, width, sets, rng)
        values.append((f[:, 0] * f[:, 1]).mean(axis=1))
    total = sum(_WIDTHS)
    pooled = sum(w * v.sum() for w, v in zip(_WIDTHS, values)) / (sets * total)
    pooled_se = math.sqrt(sum(w**2 * np.var(v, ddof=1) for w, v in zip(_WIDTHS, values)) / sets) / total
    label = f"K~_P(x,x') {name}"
    return (*ctx.width_limit(label, _WIDTHS, values, prediction, rate=rate, scale=scale),
            ctx.compare(f"{label}: unbiased, pooled over P", float(pooled), pooled_se, prediction,
                        samples=sets * len(_WIDTHS), scale=scale))


def _feature_configs(budget):
    return st.one_of(
        st.fixed_dictionaries({"family": st.just("fourier"), "dim": st.integers(1, 5),
                               "distance": st.floats(0.0, 3.0), "lengthscale": st.floats(0.3, 3.0)}),
        st.fixed_dictionaries({"family": st.sampled_from(F.NETWORK_ACTIVATIONS), "dim": st.integers(2, 5),
                               "c": st.floats(-0.95, 1.0),
                               "norms": st.tuples(st.floats(0.5, 1.5), st.floats(0.5, 1.5)),
                               "weight_std": st.floats(0.5, 2.0), "bias_std": st.floats(0.0, 1.0)}),
    )


_FEATURE_EDGES = (
    {"family": "fourier", "dim": 3, "distance": 0.0, "lengthscale": 1.0},
    {"family": "fourier", "dim": 1, "distance": 1.5, "lengthscale": 0.5},
    {"family": "relu", "dim": 3, "c": 1.0, "norms": (0.5, 1.5), "weight_std": 1.4, "bias_std": 0.3},
    {"family": "step", "dim": 2, "c": -0.95, "norms": (1.0, 1.0), "weight_std": 1.0, "bias_std": 0.5},
)
"""Always checked: coinciding points (K = 1), points on a line, parallel inputs (c = 1) and
nearly opposite ones."""


def _random_features_mutants():
    s = F.RANDOM_FEATURES
    fourier, step = s["fourier"].rhs, s["step"].rhs
    relu_theta = s["relu"].rhs.subs(theta, sp.pi - theta)
    return (
        Mutant("fourier-exponent-factor-2", r"$e^{-\delta^2/\ell^2}$ (the 2 dropped)",
               s.with_rhs("fourier", fourier ** 2)),
        Mutant("relu-theta-for-pi-minus-theta", r"$\theta$ in place of $\pi - \theta$ in the ReLU dual",
               s.with_rhs("relu", relu_theta)),
        Mutant("step-missing-bias", r"the $\sigma_b^2$ of the per-feature bias missing (step)",
               s.with_rhs("step", step - F.bias_std**2)),
        Mutant("rate-1-over-P", r"$\operatorname{std}\tilde K_P = s/P$",
               s.with_rhs("fluctuation", F.spread / F.n_features)),
    )


# ---------------------------------------------------------------- features.linear_param_gd

@functools.cache
def _loss_dual(name: str):
    """d loss/d f (f, y) lambdified from :data:`derivations.features.LOSSES`."""
    f, y = sp.symbols("f y", real=True)
    return sp.lambdify((f, y), F.loss_dual(name), "numpy")


_VELOCITY_ARGS = (F.features_eval, F.features_train, F.dual_vector, F.n_train, F.n_features)


def _linear_gd_measure(statement, config, ctx):
    """Parameter GD (numeric.features.linear_gd) against the Euler path of the stated velocity.

    Both start from F^lin(theta_0) = P^{-1/2} Phi^T theta_0 at the N training and M evaluation
    points; the kernel path advances all N + M outputs by eta x the lambdified
    -(1/(N P)) Phi_all^T Phi d with d_j = loss'(f(x_j), y_j).  The step is
    eta = fraction x N / lambda_max(K~(X, X)) (stable for fraction < 2).  Rounding model:
    steps x (P + N) operations on the scale of the largest output of the path.
    """
    rng = ctx.rng("data")
    n, m, p = config["n_train"], config["n_eval"], config["n_features"]
    x = sample_points(rng, n + m, config["dim"])
    y = (np.sign(rng.standard_normal(n)) if config["loss"] == "logistic" else rng.standard_normal(n))
    if config["family"] == "fourier":
        phi = features.random_fourier_features(x, p, rng)
    else:
        phi = features.network_features(x, p, rng, activation=config["family"], bias_std=0.5)
    theta0 = rng.standard_normal(p)
    top = float(np.linalg.eigvalsh(features.feature_kernel(phi[:n]))[-1])
    lr = config["lr_fraction"] * n / max(top, 1e-12)
    train, evaluated = features.linear_gd(phi[:n], y, theta0, lr=lr, steps=config["steps"],
                                          loss=config["loss"], eval_features=phi[n:])
    velocity = predictor(statement["kernel_gd"], _VELOCITY_ARGS)
    dual = _loss_dual(config["loss"])
    start = phi @ theta0 / math.sqrt(p)
    path = euler(lambda u: np.ravel(velocity(phi.T, phi[:n].T, dual(u[:n], y)[:, None], n, p)),
                 start, lr, config["steps"])
    measured = np.concatenate([train, evaluated], axis=1)
    k, i = np.unravel_index(np.argmax(np.abs(measured - path)), path.shape)
    scale = float(np.abs(path).max())
    return (ctx.exact(f"F^lin(theta_k)(x) by parameter GD = kernel GD with K~ ({config['loss']})",
                      float(measured[k, i]), float(path[k, i]), scale=scale,
                      operations=config["steps"] * (p + n)),
            _tangent_kernel_comparison(statement, ctx, phi[:n], phi[n:], y, theta0))


def _tangent_kernel_comparison(statement, ctx, train, evaluation, y, theta0):
    """sum_p dF^lin(x')/dtheta_p dF^lin(x)/dtheta_p, the derivatives measured as central
    differences of the library's model outputs (``linear_gd`` with no step) at theta0 +- e_p,
    against the lambdified stated K~(X', X) = Phi_x^T Phi / P.

    F^lin is linear in theta, so the differences are exact up to rounding.  Rounding model:
    each output is a length-P dot product of size <= sum_p |phi_p| (|theta0_p| + 1)/sqrt(P),
    so a derivative is off by <= P eps that, and the kernel entry, a P-term sum of products,
    by about 2P eps x (its terms' scale) x that relative size (the ``operations`` below).
    """
    p = train.shape[1]
    outputs = lambda th: np.concatenate(features.linear_gd(  # noqa: E731
        train, y, th, lr=0.0, steps=0, eval_features=evaluation), axis=1)[0]
    steps = np.eye(p)
    derivatives = np.array([(outputs(theta0 + e) - outputs(theta0 - e)) / 2 for e in steps])
    n = train.shape[0]
    measured = derivatives[:, n:].T @ derivatives[:, :n]
    prediction = np.asarray(predictor(statement["tangent_kernel"], (F.features_eval, F.features_train,
                                                                     F.n_features))(evaluation.T, train.T, p))
    prediction = np.broadcast_to(prediction, measured.shape)
    m, j = np.unravel_index(np.argmax(np.abs(measured - prediction)), measured.shape)
    terms = np.abs(evaluation) @ np.abs(train).T / p
    size = 1.0 + float(np.abs(theta0).max())
    return ctx.exact("K~(X', X) from differences of F^lin along each theta_p", float(measured[m, j]),
                     float(prediction[m, j]), scale=float(terms.max()), operations=2 * p * size * math.sqrt(p))


def _linear_gd_configs(budget):
    return st.fixed_dictionaries({
        "family": st.sampled_from(("fourier", "relu")), "dim": st.integers(1, 4),
        "n_train": st.integers(1, 8), "n_eval": st.integers(1, 4), "n_features": st.integers(1, 256),
        "loss": st.sampled_from(sorted(F.LOSSES)), "lr_fraction": st.floats(0.05, 1.9),
        "steps": st.integers(1, 40),
    })


_GD_EDGES = (
    {"family": "relu", "dim": 2, "n_train": 6, "n_eval": 3, "n_features": 1, "loss": "squared",
     "lr_fraction": 1.9, "steps": 30},
    {"family": "fourier", "dim": 3, "n_train": 8, "n_eval": 2, "n_features": 200, "loss": "logistic",
     "lr_fraction": 1.0, "steps": 40},
)
"""Always checked: one feature at the edge of stability, and many features with the logistic loss."""


def _linear_gd_mutants():
    s = F.LINEAR_PARAM_GD
    gd, kernel = s["kernel_gd"].rhs, s["tangent_kernel"].rhs
    root = sp.sqrt(F.n_features)
    return (
        Mutant("sign", "gradient ascent: the velocity's sign flipped", s.with_rhs("kernel_gd", -gd)),
        Mutant("sqrt-P", r"$P^{-1/2}$ in place of $P^{-1}$ in the velocity",
               s.with_rhs("kernel_gd", gd * root)),
        Mutant("missing-1/N", r"the $1/N$ of the empirical $p^{in}$ missing",
               s.with_rhs("kernel_gd", gd * F.n_train)),
        Mutant("tangent-kernel-sqrt-P", r"$\tilde K = \Phi_x^T\Phi/\sqrt{P}$",
               s.with_rhs("tangent_kernel", kernel * root)),
        Mutant("tangent-kernel-sign", r"$\tilde K = -\Phi_x^T\Phi/P$", s.with_rhs("tangent_kernel", -kernel)),
    )


PLACE = 6
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Kernel foundations: random features',
    'A kernel is an expectation over random features; averaging $P$ features gives an '
    'unbiased estimate that fluctuates like $P^{-1/2}$, and gradient descent on the '
    'linear model of the features is kernel gradient descent with their kernel.',
    'Rahimi & Recht 2007; eai2023; ntknotes2023',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("features.random_features",
          "Random features: K~_P = (1/P) sum_p f^(p) (x) f^(p) is unbiased for K, fluctuating as P^(-1/2)",
          _SOURCE + "; Rahimi & Recht 2007", F.RANDOM_FEATURES, F.derive_random_features,
          checks=(NumericCheck(
              "feature-sets",
              "K~_P(x, x') for P = 32..2048 over independent feature sets (random Fourier features of "
              "the Gaussian kernel; last-layer features of random one-hidden-layer relu/step networks, "
              "NNGP of depth 2): pooled mean and extrapolated intercept against the stated K, "
              "log-log slope of the std against the stated exponent",
              _feature_configs, _random_features_measure, per_example=4, explicit=_FEATURE_EDGES,
              examples=lambda budget: (2, 4, 12)[budget.level]),),
          mutants=_random_features_mutants(), uses=tuple(f"dual.{n}" for n in F.NETWORK_ACTIVATIONS)),
    Claim("features.linear_param_gd",
          "Gradient descent on the random linear model F^lin is kernel gradient descent with K~",
          _SOURCE, F.LINEAR_PARAM_GD, F.derive_linear_param_gd,
          checks=(NumericCheck(
              "trajectories",
              "full-batch GD on theta (squared or logistic loss, step eta = fraction x N/lambda_max(K~)) "
              "against the Euler path of the stated kernel gradient descent, at training and "
              "evaluation points; the tangent kernel from central differences of the model's "
              "outputs along each theta_p against the stated K~; Fourier or relu-network features, "
              "P = 1..256; deterministic, SE = rounding model",
              _linear_gd_configs, _linear_gd_measure, per_example=2, explicit=_GD_EDGES),),
          mutants=_linear_gd_mutants()),
)
