"""Claims of the kernel-foundation family (EAI Math Reading Group, "Neural Tangent Kernels" slides, 2023; the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023): statements from
:mod:`derivations.rkhs`, confirmed on the Gram matrices of the library's kernels
(:mod:`numeric.kernels`, NTK parameterisation, depth L = number of affine layers).

None of these checks samples: each comparison is a deterministic float64 computation,
and the "SE" its z-test divides by is not a standard error but a stated rounding model
(an operation count times eps, Higham, "Accuracy and Stability of Numerical
Algorithms", 2002, ch. 3; for quadrature duals plus an estimated quadrature error), so a
z-test against the statement is an exactness test at that model's precision.
"""
from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from derivations import kernels as kernel_statements
from derivations import rkhs
from derivations.core import Relation
from numeric import activations, features, kernels, quadrature

from ..checks import predictor
from ..claim import Claim, Mutant, NumericCheck

__all__ = ["CLAIMS", "kernel_specs", "library_kernel", "sample_points"]

_EPS = float(np.finfo(float).eps)
_SOURCE = "eai2023; ntknotes2023"
_FLOPS_PER_LAYER = 10
"""Rounding model: floating-point operations per kernel entry and layer of the recursion."""
_COMPLEX_STEP = 1e-20
"""Step of the complex-step derivative Im F(f + i tau h)/tau (exact to rounding for analytic F)."""


def kernel_specs(*, max_depth: int = 4):
    """A library kernel (activation, NNGP or NTK, depth, sigma_w, sigma_b) and the input dimension."""
    return st.fixed_dictionaries({
        "activation": st.sampled_from(activations.names()),
        "kind": st.sampled_from(("nngp", "ntk")),
        "depth": st.integers(1, max_depth),
        "weight_std": st.floats(0.5, 1.5),
        "bias_std": st.floats(0.0, 1.0),
        "dim": st.integers(1, 5),
    })


def sample_points(rng: np.random.Generator, count: int, dim: int) -> np.ndarray:
    """``count`` points of R^dim: uniform directions, norms sqrt(dim) x U[0.5, 1.5] (so x.x/n0 ~ 1)."""
    x = rng.standard_normal((count, dim))
    x *= (np.sqrt(dim) * rng.uniform(0.5, 1.5, count) / np.linalg.norm(x, axis=1))[:, None]
    return x


def library_kernel(spec, x1, x2=None, *, activation=None) -> tuple[np.ndarray, np.ndarray, int]:
    """(NNGP, NTK, depth) from ``kernels.nngp_and_ntk`` at the drawn depth or, where the kernel
    overflows float64 there (exp, quadratic at large depth), at the deepest depth where it is finite."""
    for depth in range(spec["depth"], 0, -1):
        try:
            nngp, ntk = kernels.nngp_and_ntk(
                x1, x2, depth=depth, activation=activation or spec["activation"],
                weight_std=spec["weight_std"], bias_std=spec["bias_std"])
        except OverflowError:
            continue
        return nngp, ntk, depth
    raise AssertionError("the depth-1 kernel is always finite")


def _kernel(spec, x1, x2=None) -> tuple[np.ndarray, int]:
    nngp, ntk, depth = library_kernel(spec, x1, x2)
    return (nngp if spec["kind"] == "nngp" else ntk), depth


def _rounding_ops(points: int, spec, depth: int) -> int:
    """Operations of the rounding model: a length-n0 dot product, L layers, an N-term sum."""
    return points + spec["dim"] + _FLOPS_PER_LAYER * depth


def _gram_values(gram: np.ndarray) -> dict:
    return {rkhs.gram(i, j): gram[i, j] for i in range(gram.shape[0]) for j in range(gram.shape[1])}


# ---------------------------------------------------------------- rkhs.reproducing

def _reproducing_measure(statement, config, ctx):
    """<f, k(x,.)>_H in the coordinates of an explicit feature map against the stated f(x).

    For the library's NNGP of depth 1 or 2 with the identity or the quadratic activation,
    :func:`numeric.features.polynomial_nngp_features` builds phi with phi(x).phi(x') = k(x, x')
    from the inputs alone.  The RKHS of k is {w . phi(.)} with ||g||_H the least ||w|| that
    represents g (Aronszajn, "Theory of Reproducing Kernels", 1950; Schölkopf & Smola,
    "Learning with Kernels", 2002, Prop. 2.14), and w_f = sum_i beta_i phi(x_i), phi(x) lie
    in the span of the features, so <f, k(x,.)>_H = w_f . phi(x): one measurement.  The
    prediction is the lambdified stated f(x) = sum_i beta_i k(x_i, x) at the library's
    kernel values k(x_i, x) (``kernels.nngp``, its dual recursion), an independent computation.
    Rounding model: dot products of length D (features) and n, the library's recursion
    (``_rounding_ops``), on the scale sum_i |beta_i| |phi(x_i)| |phi(x)|.
    """
    n = config["n"]
    rng = ctx.rng("points")
    x = sample_points(rng, n + 1, config["dim"])
    coefs = rng.standard_normal(n)
    options = {"depth": config["depth"], "activation": config["activation"],
               "weight_std": config["weight_std"], "bias_std": config["bias_std"]}
    phi = features.polynomial_nngp_features(x, **options)
    estimate = float((coefs @ phi[1:]) @ phi[0])
    cross = kernels.nngp(x, x.copy(), **options)
    relation = statement[f"n={n}"]
    values = {**{rkhs.beta(i + 1): v for i, v in enumerate(coefs)}, **_gram_values(cross)}
    args = tuple(sorted(relation.rhs.free_symbols, key=str))
    prediction = float(predictor(relation, args)(*(values[a] for a in args)))
    norms = np.linalg.norm(phi, axis=1)
    scale = float(np.abs(coefs) @ norms[1:] * norms[0])
    return (ctx.exact(f"<f, k(x,.)>_H = f(x), n={n}", estimate, prediction, scale=scale,
                      operations=phi.shape[1] + _rounding_ops(n + 1, config, config["depth"])),)


def _reproducing_configs(budget):
    return st.fixed_dictionaries({
        "activation": st.sampled_from(features.POLYNOMIAL_ACTIVATIONS), "depth": st.integers(1, 2),
        "weight_std": st.floats(0.5, 1.5), "bias_std": st.floats(0.0, 1.0), "dim": st.integers(1, 5),
        "n": st.sampled_from(rkhs.SIZES)})


_REPRODUCING_EDGES = tuple(
    {"activation": name, "depth": depth, "weight_std": 1.2, "bias_std": bias, "dim": 2, "n": n}
    for n, name, depth, bias in zip(rkhs.SIZES, ("quadratic", "identity", "quadratic", "quadratic"),
                                     (2, 2, 1, 2), (0.0, 0.5, 0.3, 0.7)))
"""Always checked: every stated size n, both activations and depths."""


def _reproducing_mutants():
    s = rkhs.REPRODUCING
    rhs = s["n=3"].rhs
    return (
        Mutant("factor-2", "2 f(x) for n = 3", s.with_rhs("n=3", 2 * rhs)),
        Mutant("missing-term", r"the term $\beta_3 k(x_3, x)$ missing (n = 3)",
               s.with_rhs("n=3", rhs - rkhs.beta(3) * rkhs.gram(3, 0))),
        Mutant("at-the-centres", r"$\sum_i \beta_i k(x_i, x_i)$: evaluated at the centres (n = 2)",
               s.with_rhs("n=2", sum(rkhs.beta(i) * rkhs.gram(i, i) for i in (1, 2)))),
        Mutant("sign", "-f(x) for n = 5", s.with_rhs("n=5", -s["n=5"].rhs)),
    )


# ---------------------------------------------------------------- rkhs.functional_derivatives

_FD_SECTIONS = rkhs.FD_SIZE + 1
"""Points x, x_1, ..., x_n of the functional-derivative statement's span."""


@functools.cache
def _functional(name: str, g_name: str):
    """F(a) on coefficient vectors a over (x, x_1, x_2), given the Gram K (bilinear, complex-safe)."""
    g = sp.lambdify(rkhs.t, rkhs.CONCRETE_G[g_name], "numpy")
    evaluation = lambda a, K: (a @ K)[0]  # noqa: E731
    norm = lambda a, K: a @ K @ a  # noqa: E731
    return {"evaluation": evaluation, "norm": norm,
            "chain_evaluation": lambda a, K: g(evaluation(a, K)),
            "chain_norm": lambda a, K: g(norm(a, K))}[name]


@functools.cache
def _gradient(relation, g_name: str):
    """(args, numpy function) of the coefficients of the stated gradient, g made concrete."""
    rhs = rkhs.substitute_g(relation.rhs, g_name)
    coefs = rkhs.coefficients(rhs, _FD_SECTIONS - 1)
    derived = Relation(relation.name, relation.lhs, sp.ImmutableMatrix(coefs.T))
    args = tuple(sorted(coefs.free_symbols, key=str))
    return args, predictor(derived, args)


def _functional_measure(statement, config, ctx):
    """Complex-step Gateaux derivatives on the library's span against <stated gradient, h>_H.

    d/de F(f + e h)|_0 = Im F(f + i tau h)/tau + O(tau^2) with no cancellation; the
    prediction pairs the lambdified stated gradient with h through the same Gram.
    Rounding model: N^2 operations on the scale sum_ij |c_i| |K_ij| |h_j| (times |g'|).
    The inner product is that of a symmetric kernel, so the Gram's symmetric part is
    used (quadrature kernels leave asymmetries up to ~3e-4), and f is scaled to
    ||f||_H = 1 so that g = exp stays finite.
    """
    rng = ctx.rng("points")
    x = sample_points(rng, _FD_SECTIONS, config["dim"])
    gram, depth = _kernel(config, x)
    gram = (gram + gram.T) / 2
    f = np.concatenate([[0.0], rng.standard_normal(_FD_SECTIONS - 1)])
    norm = float(f @ gram @ f)
    f /= np.sqrt(norm) if norm > 0 else 1.0
    h = rng.standard_normal(_FD_SECTIONS)
    values = {**{rkhs.beta(i): f[i] for i in range(1, _FD_SECTIONS)}, **_gram_values(gram)}
    out = []
    for relation in statement.relations:
        functional = _functional(relation.name, config["g"])
        estimate = float(np.imag(functional(f + 1j * _COMPLEX_STEP * h, gram)) / _COMPLEX_STEP)
        args, gradient = _gradient(relation, config["g"])
        coefs = np.asarray(gradient(*(values[a] for a in args)), dtype=float).ravel()
        prediction = float(coefs @ gram @ h)
        scale = max(float(np.abs(coefs) @ np.abs(gram) @ np.abs(h)), abs(prediction))
        out.append(ctx.exact(f"d/de {relation.name}(f + e h) = <grad, h>_H (g = {config['g']})",
                             estimate, prediction, scale=scale,
                             operations=_rounding_ops(_FD_SECTIONS**2, config, depth)))
    return tuple(out)


def _functional_mutants():
    s = rkhs.FUNCTIONAL_DERIVATIVES
    kx = rkhs.section(0)
    fx = rkhs.evaluate(s["norm"].rhs / 2, 0, _FD_SECTIONS - 1)
    return (
        Mutant("evaluation-factor-2", r"$\nabla E_x[f] = 2k(x,\cdot)$", s.with_rhs("evaluation", 2 * kx)),
        Mutant("norm-missing-2", r"$\nabla\|f\|^2 = f$", s.with_rhs("norm", s["norm"].rhs / 2)),
        Mutant("norm-sign", r"$\nabla\|f\|^2 = -2f$", s.with_rhs("norm", -s["norm"].rhs)),
        Mutant("chain-g-for-g-prime", r"$\nabla g(E_x[f]) = g(f(x))\,k(x,\cdot)$",
               s.with_rhs("chain_evaluation", rkhs.g(fx) * kx)),
    )


# ---------------------------------------------------------------- rkhs.gram_psd

_LAYER_ARGS = {
    "sigma1": (kernel_statements.SW2, kernel_statements.SB2, kernel_statements.Q),
    "theta1": (kernel_statements.SW2, kernel_statements.SB2, kernel_statements.Q),
    "sigma": (kernel_statements.SW2, kernel_statements.SB2, kernel_statements.E),
    "sigma_dot": (kernel_statements.ED,),
    "theta": (kernel_statements.SIGMA_NEXT, kernel_statements.SW2, kernel_statements.SIGMA_DOT,
              kernel_statements.THETA),
}


def _maps(statement):
    return {name: predictor(statement[name], args) for name, args in _LAYER_ARGS.items()}


def _symmetric(upper: np.ndarray, size: int) -> np.ndarray:
    """The symmetric matrix whose upper triangle (row-major, diagonal included) is ``upper``."""
    out = np.empty((size, size))
    rows, cols = np.triu_indices(size)
    out[rows, cols] = upper
    out[cols, rows] = upper
    return out


def stated_layers(statement, activation, x, depth, weight_std, bias_std, *, order=None):
    """[(Sigma^l, Theta^l) for l = 1..depth] by the statement's lambdified layer maps on x.

    The duals are the library's (closed forms; quadrature at ``order`` when given, else
    the library's default), evaluated on the upper triangle.  Stops early where a Gram
    stops being a covariance (a negative or non-finite variance), which only a wrong
    statement produces.
    """
    maps = _maps(statement)
    size = len(x)
    rows, cols = np.triu_indices(size)
    full = lambda values: np.broadcast_to(values, (len(rows),)).astype(float)  # noqa: E731
    sw2, sb2 = weight_std**2, bias_std**2
    q = (x @ x.T / x.shape[1])[rows, cols]
    sigma, theta = full(maps["sigma1"](sw2, sb2, q)), full(maps["theta1"](sw2, sb2, q))
    layers = [(sigma, theta)]
    for _ in range(1, depth):
        var = _symmetric(sigma, size).diagonal()
        if not (np.isfinite(sigma).all() and (var >= 0).all()):
            break
        duals = activation.duals if order is None else functools.partial(
            activation.quadrature_duals, order=order)
        with np.errstate(all="ignore"):
            e, ed = duals(var[rows], var[cols], sigma)
            sigma_next = full(maps["sigma"](sw2, sb2, e))
            theta = full(maps["theta"](sigma_next, sw2, full(maps["sigma_dot"](ed)), theta))
        sigma = sigma_next
        layers.append((sigma, theta))
    return [(_symmetric(s, size), _symmetric(t, size)) for s, t in layers]


def psd_ratio(gram: np.ndarray) -> tuple[float, float]:
    """(lambda_min/lambda_max, |K|_2) of the quadratic form z^T K z, i.e. of (K + K^T)/2;
    -inf if it has no positive eigenvalue.  (The library's quadrature Grams are symmetric
    only to quadrature accuracy: the tensor rule is not symmetric in k11 and k22.)"""
    if not np.isfinite(gram).all():
        return -np.inf, np.inf
    w = np.linalg.eigvalsh((gram + gram.T) / 2)
    top = max(abs(w[0]), abs(w[-1]))
    if w[-1] <= 0:
        return (0.0 if top == 0 else -np.inf), top
    return float(w[0] / w[-1]), top


def _psd_points(config, ctx) -> np.ndarray:
    """Points in general position, then exact duplicates and (optionally) an antipodal copy."""
    rng = ctx.rng("points")
    x = sample_points(rng, config["n_points"], config["dim"])
    extra = [x[rng.integers(0, len(x), config["duplicates"])]]
    if config["antipodal"]:
        extra.append(-x[:1])
    return np.concatenate([x, *extra])


def _with_se(ctx, label: str, value: float, se: float):
    """A comparison of ``value`` with 0 whose tolerance (the z-test's SE) is the rounding model
    ``se`` (at scale 1), not a standard error."""
    return ctx.compare(label, value, se, 0.0, samples=1, scale=1.0)


_REFERENCE_ORDER = 3 * quadrature.DEFAULT_ORDER // 2
"""Quadrature order of the reference Grams that estimate the default order's error."""


def _gram_psd_measure(statement, config, ctx):
    """The most negative lambda_min/lambda_max over every library kernel, against 0 from below.

    For each activation of the library (and the drawn abrelu(a, b)): the library's NNGP
    and NTK Grams at the drawn depth, and, for closed-form duals, the Grams of the
    statement's layer maps at every depth 1..L.  The estimate is min(lambda_min/lambda_max, 0)
    (a one-sided test).  Its tolerance, a rounding model and not a standard error, stands for
    the error |K^ - K|_2 of the computed Gram (Weyl: lambda_min(K^) >= lambda_min(K) -
    |K^ - K|_2): an operation count (N + n0 + 10 L) eps (an N-term sum, a length-n0 dot
    product, about 10 operations per entry and layer of the recursion; Higham 2002, ch. 3),
    plus for quadrature duals the quadrature error, estimated as the distance to the same
    Gram at 1.5 x the order.  Per (source, kernel) the comparison with the most negative z
    (then the most negative ratio) is kept; every ratio is recorded per activation.
    """
    x = _psd_points(config, ctx)
    acts = [activations.get(name) for name in activations.names()]
    acts.append(activations.abrelu(config["a"], config["b"]))
    sw, sb = config["weight_std"], config["bias_std"]
    worst: dict = {}
    record = ctx.data.setdefault("most negative lambda_min/lambda_max", {})

    def consider(source, kind, act, depth, gram, reference=None):
        ratio, top = psd_ratio(gram)
        error = 0.0 if reference is None else float(np.linalg.norm(gram - reference, 2))
        se = _rounding_ops(len(x), config, depth) * _EPS + (error / top if top > 0 else 0.0)
        found = (min(ratio, 0.0) / se, ratio, se, act.name, depth)
        if (source, kind) not in worst or found[:2] < worst[(source, kind)][:2]:
            worst[(source, kind)] = found
        cell = record.setdefault(act.name, {})
        cell[f"{source} {kind}"] = min(cell.get(f"{source} {kind}", np.inf), ratio)

    for act in acts:
        nngp, ntk, depth = library_kernel(config, x, activation=act)
        if act.has_closed_form:
            for level, (sigma, theta) in enumerate(stated_layers(statement, act, x, depth, sw, sb), 1):
                consider("stated", "NNGP", act, level, sigma)
                consider("stated", "NTK", act, level, theta)
            consider("library", "NNGP", act, depth, nngp)
            consider("library", "NTK", act, depth, ntk)
        else:
            sigma, theta = stated_layers(statement, act, x, depth, sw, sb, order=_REFERENCE_ORDER)[-1]
            consider("library", "NNGP", act, depth, nngp, sigma)
            consider("library", "NTK", act, depth, ntk, theta)
    return tuple(
        _with_se(ctx, f"{source} {kind}: min(lambda_min/lambda_max, 0) ({name}, depth {depth})",
                 min(ratio, 0.0), se)
        for (source, kind), (_, ratio, se, name, depth) in sorted(worst.items()))


_PSD_EDGES = (
    {"n_points": 5, "dim": 2, "duplicates": 2, "antipodal": True, "depth": 4, "weight_std": 1.4,
     "bias_std": 0.7, "a": 0.1, "b": 1.0},
    {"n_points": 3, "dim": 5, "duplicates": 0, "antipodal": False, "depth": 3, "weight_std": 0.6,
     "bias_std": 0.0, "a": -1.0, "b": 1.0},
)
"""Always checked: duplicated and antipodal points (singular Grams, correlations +-1) with a
bias, and few points in more dimensions without one."""


def _psd_configs(budget):
    """Point sets in R^n0, n0 >= 2: collinear sets (n0 = 1 without bias, every correlation
    +-1) are excluded, since there arccos amplifies the rounding of the correlation to
    ~ eps^(1/2^(L-1)) and the float64 arc-cosine kernels lose PSD (step NNGP, depth 4:
    lambda_min/lambda_max ~ -3e-4), beyond any O(eps) rounding model."""
    return st.fixed_dictionaries({
        "n_points": st.integers(2, 6), "dim": st.integers(2, 5), "duplicates": st.integers(0, 2),
        "antipodal": st.booleans(), "depth": st.integers(1, 4), "weight_std": st.floats(0.5, 1.5),
        "bias_std": st.floats(0.0, 1.0), "a": st.floats(-1.5, 1.5), "b": st.floats(-1.5, 1.5),
    })


def _psd_mutants():
    s, K = rkhs.GRAM_PSD, kernel_statements
    return (
        Mutant("ntk-sign", r"$\Theta^{\ell+1} = \Sigma^{\ell+1} - \sigma_w^2\dot\Sigma^{\ell+1}\Theta^\ell$",
               s.with_rhs("theta", K.SIGMA_NEXT - K.SW2 * K.SIGMA_DOT * K.THETA)),
        Mutant("nngp-bias-sign", r"$\Sigma^{\ell+1} = \sigma_w^2\mathbb{E}[\sigma\sigma] - \sigma_b^2$",
               s.with_rhs("sigma", K.SW2 * K.E - K.SB2)),
        Mutant("input-bias-sign", r"$\Sigma^1 = \sigma_w^2 x\cdot x'/n_0 - \sigma_b^2$",
               s.with_rhs("sigma1", K.SW2 * K.Q - K.SB2)),
        Mutant("sigma-dot-sign", r"$\dot\Sigma^{\ell+1} = -\mathbb{E}[\sigma'\sigma']$",
               s.with_rhs("sigma_dot", -K.ED)),
    )


PLACE = 5
"""Where this family stands in the theory: the registry and the document order families by it."""

FAMILY = (
    'Kernel foundations: reproducing kernels',
    'A positive definite kernel defines a reproducing kernel Hilbert space, in which '
    'evaluation is an inner product and functional derivatives are kernel sections. These'
    ' identities are the language in which kernel gradient descent is written.',
    'eai2023; ntknotes2023; Schoenberg 1942',
)
"""This family's title, introduction and sources (bibliography keys or author-year text), for
the document."""

CLAIMS = (
    Claim("rkhs.reproducing", "The reproducing property on the span of kernel sections",
          _SOURCE, rkhs.REPRODUCING, rkhs.derive_reproducing,
          checks=(NumericCheck(
              "explicit-features",
              "<f, k(x,.)>_H = w_f . phi(x) in the coordinates of an explicit feature map of the "
              "library's NNGP (depth 1-2, identity or quadratic activation, features built from "
              "the inputs) against the stated f(x) = sum_i beta_i k(x_i, x) at the library's "
              "k(x_i, x); deterministic, SE = rounding model",
              _reproducing_configs, _reproducing_measure, explicit=_REPRODUCING_EDGES),),
          mutants=_reproducing_mutants()),
    Claim("rkhs.functional_derivatives",
          "Functional derivatives on the RKHS: grad E_x[f] = k(x,.), grad |f|^2 = 2f, chain rule",
          _SOURCE, rkhs.FUNCTIONAL_DERIVATIVES, rkhs.derive_functional_derivatives,
          checks=(NumericCheck(
              "complex-step",
              "complex-step directional derivatives of E_x, |.|^2, g(E_x), g(|.|^2) on the span of "
              "the library's kernel sections against <stated gradient, h>_H; g = cube, exp or sin",
              lambda budget: st.builds(lambda spec, g: {**spec, "g": g}, kernel_specs(),
                                       st.sampled_from(sorted(rkhs.CONCRETE_G))),
              _functional_measure, per_example=len(rkhs.FUNCTIONAL_DERIVATIVES.relations)),),
          mutants=_functional_mutants()),
    Claim("rkhs.gram_psd", "Every kernel of the library gives PSD Gram matrices",
          "eai2023; jacot2018 (Schur product theorem)", rkhs.GRAM_PSD, rkhs.derive_gram_psd,
          checks=(NumericCheck(
              "library-grams",
              "most negative lambda_min/lambda_max over every activation (closed form and "
              "quadrature, plus a drawn abrelu), NNGP and NTK: the library at the drawn depth and "
              "the stated layer maps at every depth, on hypothesis-drawn point sets (duplicates "
              "included); tolerance = a rounding model (operation count x eps, not a standard "
              "error) + estimated quadrature error",
              _psd_configs, _gram_psd_measure, per_example=4, explicit=_PSD_EDGES,
              examples=lambda budget: (2, 3, 10)[budget.level]),),
          mutants=_psd_mutants()),
)
