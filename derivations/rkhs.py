"""Kernel foundations on the span of kernel sections (EAI Math Reading Group, "Neural Tangent Kernels" slides, 2023; the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023).

The span.  Points x_0 = x (where functions are evaluated) and x_1, ..., x_n; the
sections s_i = k(x_i, .) are printable symbols and an element of the span is a
linear expression sum_i a_i s_i (the notes on functional gradient descent and RKHS, 2023, "Reproducing Kernel Hilbert Space":
f = sum_i beta_i k(x_i, .)).  The Gram entries K_ij = k(x_i, x_j) are symbols; the
kernel's symmetry K_ji = K_ij is carried by the domain (derived symbols), so a step
that needs symmetry is proved only "after substituting the domain's coordinates" and
says so.  The identities are polynomial in the entries: they hold for every
symmetric Gram matrix (positive definiteness makes the span a pre-Hilbert space; it
is not used by the algebra).

* Inner product (the same notes, "Inner product and norm": f . g = alpha^T K beta):
  <sum a_i s_i, sum b_j s_j>_H = sum_ij a_i b_j K_ij, by bilinearity from the
  definition <k(x_i, .), k(x_j, .)>_H = k(x_i, x_j) on sections.
* Evaluation: (sum a_i s_i)(x_j) = sum a_i K_ij, since the section k(x_i, .) is the
  function x' -> k(x_i, x').
* Functional derivative (the same notes, "Functional derivative"; the EAI slides, "Tangent 2"): the
  gradient of F at f is the element grad F of the span with
  d/de F(f + e h)|_{e=0} = <grad F, h>_H for every h in the span (Gateaux derivative,
  Riesz representer; unique because <., .>_H is positive definite on the span).

``rkhs.gram_psd`` (EAI Math Reading Group slides, 2023: "a positive definite kernel ... the matrix
[k(x_i, x_j)] is positive (semi-)definite") states the NNGP/NTK layer maps of
the library's conventions (NTK parameterisation, sigma_w = weight_std, sigma_b =
bias_std, depth L = number of affine layers):

    Sigma^1 = sigma_w^2 x.x'/n0 + sigma_b^2,   Sigma^{l+1} = sigma_w^2 E[s(u)s(v)] + sigma_b^2,
    Theta^{l+1} = Sigma^{l+1} + sigma_w^2 E[s'(u)s'(v)] Theta^l,

and derives that each maps PSD Gram matrices to PSD Gram matrices by writing the
image as Phi Phi^T (Schur's product theorem for the NTK; Jacot et al. 2018).
"""
from __future__ import annotations

import functools

import sympy as sp

from . import kernels
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step

__all__ = ["SIZES", "N_MAX", "section", "gram", "beta", "gamma", "coefficients", "inner",
           "evaluate", "span_element", "SPAN", "REPRODUCING", "derive_reproducing", "g", "t",
           "FUNCTIONAL_DERIVATIVES", "derive_functional_derivatives", "CONCRETE_G",
           "substitute_g", "FD_SIZE", "n0", "PSD_RELATIONS", "GRAM_PSD", "derive_gram_psd"]

SIZES = (1, 2, 3, 5)
"""The numbers n of sections x_1..x_n for which the reproducing property is derived."""
N_MAX = max(SIZES)
_BOX = sp.Interval(-2, 2)


def _point(i: int) -> tuple[str, str]:
    return ("x", "x") if i == 0 else (f"x_{i}", f"x_{{{i}}}")


@functools.cache
def section(i: int) -> Quantity:
    """The section k(x_i, .) (i = 0 is the evaluation point x) as a printable symbol."""
    name, tex = _point(i)
    return Quantity(f"k({name},.)", rf"k({tex}, \cdot)")


@functools.cache
def gram(i: int, j: int) -> Quantity:
    """The Gram entry K_ij = k(x_i, x_j) (its own symbol for each order of i, j)."""
    (a, ta), (b, tb) = _point(i), _point(j)
    return Quantity(f"k({a},{b})", rf"k({ta}, {tb})", real=True)


@functools.cache
def beta(i: int) -> sp.Symbol:
    return sp.Symbol(f"beta_{i}", real=True)


@functools.cache
def gamma(i: int) -> sp.Symbol:
    return sp.Symbol(f"gamma_{i}", real=True)


def span_element(coefs, first: int = 1) -> sp.Expr:
    """sum_i coefs[i] s_{first + i}: an element of the span."""
    return sp.Add(*(a * section(first + i) for i, a in enumerate(coefs)))


def coefficients(f, n: int) -> sp.Matrix:
    """The coefficients (a_0, ..., a_n) of f = sum_i a_i s_i; ValueError if f is not in the span."""
    f = sp.expand(f)
    coefs = [f.coeff(section(i)) for i in range(n + 1)]
    rest = sp.expand(f - sum(a * section(i) for i, a in enumerate(coefs)))
    if rest != 0 or any(c.has(section(i)) for c in coefs for i in range(n + 1)):
        raise ValueError(f"f={f}: not a linear combination of the sections k(x_i, .), i <= {n}")
    return sp.Matrix(coefs)


def _gram_matrix(n: int) -> sp.Matrix:
    return sp.Matrix(n + 1, n + 1, lambda i, j: gram(i, j))


def inner(a, b, n: int) -> sp.Expr:
    """<a, b>_H = alpha^T K beta: bilinear, with <k(x_i, .), k(x_j, .)>_H = k(x_i, x_j)."""
    return (coefficients(a, n).T * _gram_matrix(n) * coefficients(b, n))[0, 0]


def evaluate(f, j: int, n: int) -> sp.Expr:
    """f(x_j) = sum_i a_i k(x_i, x_j) for f = sum_i a_i k(x_i, .)."""
    return sum(a * gram(i, j) for i, a in enumerate(coefficients(f, n)))


SPAN = Domain(
    intervals={**{gram(i, j): _BOX for i in range(N_MAX + 1) for j in range(i, N_MAX + 1)},
               **{beta(i): _BOX for i in range(1, N_MAX + 1)},
               **{gamma(i): _BOX for i in range(N_MAX + 1)}},
    derived={gram(j, i): gram(i, j) for i in range(N_MAX + 1) for j in range(i + 1, N_MAX + 1)},
    description=r"\beta_i, \gamma_j \in \mathbb{R},\ k(x_i, x_j) = k(x_j, x_i) \in \mathbb{R}",
)
"""Real coefficients and a symmetric Gram matrix (a box suffices: the identities are polynomial)."""


def _f(n: int) -> sp.Expr:
    return span_element([beta(i) for i in range(1, n + 1)])


def _reproducing_relation(n: int) -> Relation:
    lhs = Quantity(f"<f_{n},k(x,.)>_H",
                   rf"\langle \textstyle\sum_{{i=1}}^{{{n}}} \beta_i k(x_i,\cdot),\, k(x,\cdot)\rangle_H")
    return Relation(f"n={n}", lhs, evaluate(_f(n), 0, n))


REPRODUCING = Statement(
    tuple(_reproducing_relation(n) for n in SIZES),
    SPAN,
    r"$f = \sum_{i=1}^n \beta_i k(x_i, \cdot)$ in the span of kernel sections; the right-hand "
    r"side is $f(x) = \sum_i \beta_i k(x_i, x)$; $k$ symmetric",
)
"""<f, k(x, .)>_H = f(x) for f = sum_{i<=n} beta_i k(x_i, .), n in SIZES."""


def _norm_squared(u, n: int) -> sp.Expr:
    """||u||_H^2 = a^T K a for u = sum_i a_i k(x_i, .): the Gram quadratic form on the span."""
    a = coefficients(u, n)
    return (a.T * _gram_matrix(n) * a)[0, 0]


def derive_reproducing(statement: Statement) -> Derivation:
    """Per size n: <f, k(x,.)>_H by polarisation of the Gram norm, and in the other order
    by bilinearity, each confirmed equal to the evaluation f(x) (the second needs symmetry)."""
    steps = []
    for n in SIZES:
        stated = statement[f"n={n}"].rhs
        f, kx = _f(n), section(0)
        polarised = (_norm_squared(f + kx, n) - _norm_squared(f - kx, n)) / 4
        steps.append(Step(
            rf"$n = {n}$: the norm on the span is the Gram quadratic form, $\|\sum_i a_i k(x_i,\cdot)\|_H^2 "
            r"= a^T K a$ (notes on functional gradient descent and RKHS, 2023); the inner product it induces, "
            r"$\tfrac14(\|f + k(x,\cdot)\|_H^2 - \|f - k(x,\cdot)\|_H^2)$, computed from $K$, is the "
            r"evaluation $f(x) = \sum_i \beta_i k(x_i, x)$ (with the symmetry $k(x, x_i) = k(x_i, x)$)",
            polarised, stated))
        steps.append(Step(
            rf"$n = {n}$: in the other order, bilinearity with $\langle k(x_i,\cdot), k(x_j,\cdot)\rangle_H = "
            r"k(x_i, x_j)$ gives $\langle k(x,\cdot), f\rangle_H = \sum_i \beta_i k(x, x_i)$, which is $f(x)$ "
            r"by the symmetry $k(x, x_i) = k(x_i, x)$",
            inner(kx, f, n), stated))
    return Derivation(tuple(steps), r"The inner product the Gram norm induces on the span pairs $f$ with "
        r"$k(x,\cdot)$ to the value $f(x)$, in either order, for every symmetric Gram matrix.")


# ---------------------------------------------------------------- functional derivatives

FD_SIZE = 2
"""n of f = sum_{i<=n} beta_i k(x_i, .) in the functional-derivative statement (sections x, x_1, x_2)."""
g = sp.Function("g")
"""A generic differentiable g: R -> R for the chain rule."""
t = sp.Symbol("t", real=True)
_eps = sp.Symbol("epsilon", real=True)

CONCRETE_G = {"cube": t**3, "exp": sp.exp(t), "sin": sp.sin(t)}
"""Instances of g (as expressions in t) in which every step can also be evaluated.  The
derivation uses the first two (no trigonometry: SymPy's trigsimp is slow on sin of a
polynomial in many symbols); the numeric check draws any of them."""
_DERIVED_G = ("cube", "exp")


def substitute_g(expr, name: str):
    """``expr`` with the generic g replaced by CONCRETE_G[name], derivatives carried out."""
    return expr.subs(g, sp.Lambda(t, CONCRETE_G[name])).doit()


def _g_prime_at(value):
    return sp.Subs(sp.Derivative(g(t), t), t, value)


def _functional_statement() -> Statement:
    n = FD_SIZE
    f = _f(n)
    fx, norm = evaluate(f, 0, n), inner(f, f, n)
    return Statement(
        (Relation("evaluation", Quantity("grad E_x[f]", r"\nabla E_x[f]"), section(0)),
         Relation("norm", Quantity("grad |f|^2", r"\nabla \|f\|_H^2"), 2 * f),
         Relation("chain_evaluation", Quantity("grad g(E_x[f])", r"\nabla g(E_x[f])"),
                  _g_prime_at(fx) * section(0)),
         Relation("chain_norm", Quantity("grad g(|f|^2)", r"\nabla g(\|f\|_H^2)"),
                  _g_prime_at(norm) * 2 * f)),
        SPAN,
        rf"$f = \sum_{{i=1}}^{n} \beta_i k(x_i,\cdot)$; $E_x[f] = f(x)$; gradients are "
        r"representers in $H$ of the Gateaux derivative $\frac{d}{d\epsilon} F(f + \epsilon h)|_0$, "
        r"$h$ in the span of $k(x,\cdot), k(x_1,\cdot), \dots$; $g$ differentiable",
    )


FUNCTIONAL_DERIVATIVES = _functional_statement()
"""grad E_x[f] = k(x, .), grad |f|^2 = 2f, grad g(E[f]) = g'(E[f]) grad E[f] (notes on functional gradient descent, 2023)."""


def _gateaux(functional, f, h) -> sp.Expr:
    """d/de functional(f + e h) at e = 0, taken by SymPy."""
    return sp.diff(functional(f + _eps * h), _eps).subs(_eps, 0)


def derive_functional_derivatives(statement: Statement) -> Derivation:
    """Gateaux derivatives by SymPy differentiation, identified with <stated gradient, h>_H."""
    n = FD_SIZE
    f = _f(n)
    h = span_element([gamma(j) for j in range(n + 1)], first=0)
    symmetric = SPAN.substitute
    at_x = lambda u: symmetric(evaluate(u, 0, n))  # noqa: E731
    norm = lambda u: symmetric(inner(u, u, n))  # noqa: E731
    pair = lambda name: symmetric(inner(statement[name].rhs, h, n))  # noqa: E731
    steps = [
        Step(r"Notes on functional gradient descent (2023), Example 2: $\|f + \epsilon h\|^2 = \|f\|^2 + 2\epsilon\langle f, h\rangle + "
             r"\epsilon^2\|h\|^2$ (bilinearity and symmetry; $k(x_j, x_i)$ is written $k(x_i, x_j)$, "
             r"$i < j$, from here on)",
             norm(f + _eps * h), norm(f) + 2 * _eps * symmetric(inner(f, h, n)) + _eps**2 * norm(h)),
        Step(r"$\frac{d}{d\epsilon} E_x[f + \epsilon h]|_0 = h(x)$ is $\langle \nabla E_x[f], h\rangle_H$",
             _gateaux(at_x, f, h), pair("evaluation"), Justification.DIFFERENTIATE),
        Step(r"$\frac{d}{d\epsilon} \|f + \epsilon h\|_H^2|_0$ is $\langle \nabla\|f\|^2, h\rangle_H$",
             _gateaux(norm, f, h), pair("norm"), Justification.DIFFERENTIATE),
    ]
    chains = (("chain_evaluation", at_x, r"E_x[f]", r"E_x[f + \epsilon h]"),
              ("chain_norm", norm, r"\|f\|_H^2", r"\|f + \epsilon h\|_H^2"))
    for name, functional, tex, moved in chains:
        derivative = _gateaux(lambda u: g(functional(u)), f, h)
        steps.append(Step(
            rf"Chain rule, generic $g$: $\frac{{d}}{{d\epsilon}} g({moved})|_0$ "
            rf"is $\langle \nabla g({tex}), h\rangle_H$",
            derivative, pair(name), Justification.DIFFERENTIATE))
        for g_name in _DERIVED_G:
            steps.append(Step(
                rf"The same with $g(t) = {sp.latex(CONCRETE_G[g_name])}$",
                substitute_g(derivative, g_name), substitute_g(pair(name), g_name),
                Justification.DIFFERENTIATE))
    return Derivation(tuple(steps), r"Each Gateaux derivative is linear in the direction $h$ and equals $\langle G, h\rangle_H$ "
        r"for the stated $G$ and every $h$ of the span; $\langle\cdot,\cdot\rangle_H$ is positive "
        r"definite there, so $G$ is the unique representer: the functional gradient.")


# ---------------------------------------------------------------- PSD Gram matrices

n0 = sp.Symbol("n_0", positive=True)
PSD_RELATIONS = ("sigma1", "theta1", "sigma", "sigma_dot", "theta")
"""The layer maps of :func:`derivations.kernels.layer_relations` that build every kernel."""

_M, _RANK, _DIM, _ATOMS = 3, 2, 2, 2  # points, rank of the symbolic factors, input dimension, atoms


def _matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


_X, _A, _B, _C, _D = (_matrix(s, _M, r) for s, r in
                      (("x", _DIM), ("a", _RANK), ("b", _RANK), ("c", _RANK), ("d", _RANK)))
_W = _matrix("w", _ATOMS, _M)
_P = [sp.Symbol(f"p_{q}", positive=True) for q in range(_ATOMS)]
_Z = sp.Matrix(sp.symbols(f"z_0:{_M}", real=True))
_ONES = sp.ones(_M, 1)

GRAM_PSD = Statement(
    tuple(r for r in kernels.layer_relations(ntk=True) if r.name in PSD_RELATIONS),
    Domain(intervals={kernels.SW2: sp.Interval.open(0, 9), kernels.SB2: sp.Interval(0, 9),
                      n0: sp.Interval(1, 10),
                      **{s: _BOX for m in (_X, _A, _B, _C, _D, _W, _Z) for s in m},
                      **{p: sp.Interval.open(0, 1) for p in _P}},
           description=r"\sigma_w^2 > 0,\ \sigma_b^2 \ge 0,\ n_0 > 0,\ \text{real points and factors}"),
    r"NTK parameterisation (the library's conventions): $(u, v) \sim \mathcal{N}(0, \Sigma^\ell)$ restricted to "
    r"$(x, x')$; every NNGP and NTK of the library is built by these maps, so its Gram matrices "
    r"on any finite point set are PSD",
)
"""The layer maps of the NNGP and NTK recursions (the library's conventions), shared with
the kernel.* claims through :mod:`derivations.kernels`."""


def _elementwise(rhs, entries: dict) -> sp.Matrix:
    """The Gram matrix [rhs with each symbol replaced by entry (i, j) of its matrix]."""
    return sp.Matrix(_M, _M, lambda i, j: rhs.subs({s: m[i, j] for s, m in entries.items()}))


def _columns_product(left: sp.Matrix, right: sp.Matrix) -> sp.Matrix:
    """The columns left_k * right_m (entrywise), all pairs (k, m): the Schur-product factor."""
    return sp.Matrix.hstack(*(left[:, k].multiply_elementwise(right[:, m])
                              for k in range(left.cols) for m in range(right.cols)))


def derive_gram_psd(statement: Statement) -> Derivation:
    """Each layer map sends PSD Gram matrices (written A A^T) to a Gram F F^T, on 3 points;
    every F F^T is PSD."""
    sw, sb = sp.sqrt(kernels.SW2), sp.sqrt(kernels.SB2)
    inputs = {kernels.Q: _X * _X.T / n0}
    first = sp.Matrix.hstack(sw * _X / sp.sqrt(n0), sb * _ONES)
    atoms = sp.Matrix.hstack(*(sp.sqrt(p) * _W[q, :].T for q, p in enumerate(_P)))
    grams = (
        (r"Second moments: for $w$ taking values $w_q$ with probabilities $p_q$, "
         r"$\mathbb{E}[w w^T] = F F^T$ with $F = [\sqrt{p_q} w_q]_q$; so the Gram matrices of "
         r"$\mathbb{E}[\sigma(u)\sigma(v)]$ and $\mathbb{E}[\sigma'(u)\sigma'(v)]$ are $A A^T$ for some $A$",
         sum((p * _W[q, :].T * _W[q, :] for q, p in enumerate(_P)), sp.zeros(_M, _M)), atoms),
        (r"Input layer: $[\Sigma^1(x_i, x_j)] = F F^T$ with $F = [\sigma_w X/\sqrt{n_0},\ "
         r"\sigma_b \mathbf{1}]$", _elementwise(statement["sigma1"].rhs, inputs), first),
        (r"$[\Theta^1(x_i, x_j)]$ likewise", _elementwise(statement["theta1"].rhs, inputs), first),
        (r"NNGP layer: with $\mathbb{E}[\sigma\sigma] = A A^T$, $[\Sigma^{\ell+1}] = F F^T$, "
         r"$F = [\sigma_w A,\ \sigma_b \mathbf{1}]$",
         _elementwise(statement["sigma"].rhs, {kernels.E: _A * _A.T}),
         sp.Matrix.hstack(sw * _A, sb * _ONES)),
        (r"$\dot\Sigma^{\ell+1}$: with $\mathbb{E}[\sigma'\sigma'] = D D^T$, $F = D$",
         _elementwise(statement["sigma_dot"].rhs, {kernels.ED: _D * _D.T}), _D),
        (r"NTK layer (Schur's product theorem): with $\Sigma^{\ell+1} = B B^T$, "
         r"$\dot\Sigma^{\ell+1} = D D^T$, $\Theta^\ell = C C^T$, $[\Theta^{\ell+1}] = F F^T$, "
         r"$F = [B,\ \sigma_w (d_k \odot c_m)_{k,m}]$",
         _elementwise(statement["theta"].rhs, {kernels.SIGMA_NEXT: _B * _B.T,
                                               kernels.SIGMA_DOT: _D * _D.T, kernels.THETA: _C * _C.T}),
         sp.Matrix.hstack(_B, sw * _columns_product(_D, _C))),
    )
    steps = [Step(text, gram_matrix, factor * factor.T) for text, gram_matrix, factor in grams]
    squares = sum(e**2 for e in _A.T * _Z)
    steps += [
        Step(r"Every $F F^T$ is PSD: $z^T F F^T z = \|F^T z\|^2$", (_Z.T * _A * _A.T * _Z)[0, 0],
              squares),
        Step(r"$\|F^T z\|^2 \ge 0$", squares, sp.Integer(0), op=">="),
    ]
    return Derivation(tuple(steps), r"By induction over $\ell$: $\Sigma^1$ and $\Theta^1$ are PSD; if $\Sigma^\ell$ is, $(u_i)$ is a "
        r"Gaussian vector whose second-moment matrices are PSD, so $\Sigma^{\ell+1}$, "
        r"$\dot\Sigma^{\ell+1}$ and $\Theta^{\ell+1}$ are. (Quadrature duals are computed pair by "
        r"pair, so they are PSD only up to the quadrature error.)")
