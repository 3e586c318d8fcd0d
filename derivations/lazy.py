r"""Lazy training (Rajat V. D., "Understanding the Neural Tangent Kernel", 2019, after Chizat,
Oyallon & Bach, "On Lazy Training in Differentiable Programming", 2019): statements and their
derivations.

Notation of the blog post.  N fixed inputs \bar x_i, targets \bar y \in R^N, a model
y(w) = (f(\bar x_1, w), ..., f(\bar x_N, w)) of P weights, w_0 the initialisation, and

    \kappa(w_0) = \|y(w_0) - \bar y\| \, \|\nabla^2 y(w_0)\| / \|\nabla y(w_0)\|^2,

Euclidean norms on R^N and R^P, \|\nabla y\| the operator norm of the N x P Jacobian and
\|\nabla^2 y\| that of the Hessian as a bilinear map R^P x R^P -> R^N
(sup_{|u|=|v|=1} \|\nabla^2 y[u, v]\|).  The model scaled by \alpha > 0 is \alpha y.

Four statements:

* :data:`KAPPA_ALPHA`: \kappa_\alpha in general, = \kappa_1/\alpha when y(w_0) = 0, and its
  limit \|y(w_0)\| \|\nabla^2 y\|/\|\nabla y\|^2 as \alpha -> \infty (zero only when y(w_0) = 0).
* :data:`TOY`: the blog's one-weight model f(w) = (wx + w^2 x + \sin e^{w/10})(w - 2/5), x = 3/2,
  w_0 = 2/5: f(w_0) = 0, \kappa_\alpha, the minimiser of \tfrac12(\alpha f(w) - \bar y)^2 to
  third order in 1/\alpha, and the gap between the true and linearised losses.
* :data:`KAPPA_WIDTH`: the width exponents of \|\nabla y\|^2, \|\nabla^2 y\| and \kappa for ReLU
  networks with one and two hidden layers of width n, NTK and standard parameterisation
  (the library's conventions: depth L = number of affine layers; standard = the blog's
  "LeCun initialisation", weight variance \sigma_w^2/fan-in in every layer, readout included,
  which is the output normalisation that keeps f(w_0) = O(1)), by a scaling argument.
* :data:`LINEARIZATION`: f(w) - f_lin(w) = \tfrac12 \nabla^2 y[v, v] r^2 + o(r^2) along
  w = w_0 + r v, and the linearised model's kernel is the empirical NTK at w_0.
"""
from __future__ import annotations

import functools

import sympy as sp

from . import asymptotics
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from .duals import RELU, STEP
from .gaussian import k11, k12, k22

__all__ = ["KAPPA_ALPHA", "derive_kappa_alpha", "TOY", "derive_toy", "TOY_MODEL", "TOY_W", "TOY_W0",
           "TOY_F", "TOY_DERIVATIVES", "KAPPA_WIDTH", "derive_kappa_width", "CONFIGURATIONS",
           "exponent_name", "LINEARIZATION", "derive_linearization",
           "alpha", "R0", "Rbar", "rho", "G", "Hn", "ybar", "s", "r", "Q", "Theta0", "Theta_w"]

D, L_, S_, A_ = (Justification.DIFFERENTIATE, Justification.LIMIT, Justification.SUBSTITUTE,
                 Justification.ALGEBRA)

# ------------------------------------------------------------------ kappa and alpha

alpha = sp.Symbol("alpha", positive=True)
R0 = Quantity("lazy.norm_y0", r"\|y_0\|", nonnegative=True)
Rbar = Quantity("lazy.norm_ybar", r"\|\bar y\|", positive=True)
rho = sp.Symbol("rho", real=True)
G = Quantity("lazy.norm_J", r"\|\nabla y\|", positive=True)
Hn = Quantity("lazy.norm_H", r"\|\nabla^2 y\|", nonnegative=True)

_KAPPA_GENERAL = sp.sqrt(alpha**2 * R0**2 - 2 * alpha * rho * R0 * Rbar + Rbar**2) * Hn / (alpha * G**2)

KAPPA_ALPHA = Statement(
    (
        Relation("general", Quantity("lazy.kappa_alpha", r"\kappa_\alpha(w_0)"), _KAPPA_GENERAL),
        Relation("zero_output", Quantity("lazy.kappa_alpha_zero", r"\kappa_\alpha(w_0)\big|_{y(w_0)=0}"),
                 Rbar * Hn / (alpha * G**2)),
        Relation("large_alpha", Quantity("lazy.kappa_alpha_limit", r"\lim_{\alpha\to\infty}\kappa_\alpha(w_0)"),
                 R0 * Hn / G**2),
    ),
    Domain({alpha: sp.Interval.open(0, sp.oo), R0: sp.Interval(0, sp.oo), Rbar: sp.Interval.open(0, sp.oo),
            rho: sp.Interval(-1, 1), G: sp.Interval.open(0, sp.oo), Hn: sp.Interval(0, sp.oo)},
           description=r"\alpha > 0,\ \|y_0\| \ge 0,\ \|\bar y\| > 0,\ \rho\in[-1,1],\ "
                       r"\|\nabla y\| > 0,\ \|\nabla^2 y\| \ge 0"),
    r"$\|y_0\| = \|y(w_0)\|$, $\rho = \langle y(w_0), \bar y\rangle/(\|y_0\|\|\bar y\|)$, norms of the "
    r"unscaled model at $w_0$ (Rajat V. D. 2019; Chizat, Oyallon and Bach 2019)",
)


def _scaled_kappa():
    """kappa_alpha assembled from computed pieces: the residual of the scaled outputs in the
    plane of y(w_0) and ybar, and the factor by which the scaling multiplies a Euclidean norm."""
    residual_vector = alpha * sp.Matrix([R0, 0]) - sp.Matrix([rho * Rbar, sp.sqrt(1 - rho**2) * Rbar])
    residual = sp.sqrt(sp.expand(sp.simplify(residual_vector.dot(residual_vector))))
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    factor = sp.simplify(sp.sqrt((alpha * p1) ** 2 + (alpha * p2) ** 2) / sp.sqrt(p1**2 + p2**2))
    return residual, factor, residual * (factor * Hn) / (factor * G) ** 2


def derive_kappa_alpha(statement: Statement) -> Derivation:
    """Differentiate alpha y, use absolute homogeneity of the norms, compute the residual in the
    plane of y(w_0) and ybar, and assemble kappa_alpha from these computed pieces."""
    w1, w2 = sp.symbols("w_1 w_2", real=True)
    ws = sp.Matrix([w1, w2])
    y = sp.Matrix([sp.Function("y_1")(w1, w2), sp.Function("y_2")(w1, w2)])
    p1, p2, q1, q2 = sp.symbols("p_1 p_2 q_1 q_2", real=True)
    residual, factor, derived = _scaled_kappa()
    steps = (
        Step(r"The Jacobian of the scaled model is $\alpha$ times the Jacobian: "
             r"$\nabla(\alpha y) = \alpha \nabla y$ (generic $y: \mathbb{R}^2 \to \mathbb{R}^2$)",
             (alpha * y).jacobian(ws), alpha * y.jacobian(ws), D),
        Step(r"Each output's Hessian scales the same way: $\nabla^2(\alpha y_i) = \alpha \nabla^2 y_i$",
             sp.hessian(alpha * y[0], ws), alpha * sp.hessian(y[0], ws), D),
        Step(r"Euclidean norms are absolutely homogeneous: $\|\alpha v\|/\|v\|$ computed for $v \ne 0$ is "
             r"$\alpha$ ($\alpha > 0$); operator norms are suprema of $\|A u\|$ and $\|B[u, u]\|$ over "
             r"unit $u$, so $\|\nabla(\alpha y)\| = \alpha\|\nabla y\|$ and "
             r"$\|\nabla^2(\alpha y)\| = \alpha\|\nabla^2 y\|$",
             factor, alpha, A_),
        Step(r"The residual componentwise: $\|\alpha y_0 - \bar y\|^2 = \alpha^2\|y_0\|^2 - "
             r"2\alpha\langle y_0, \bar y\rangle + \|\bar y\|^2$ ($y_0 = (p_1, p_2)$, $\bar y = (q_1, q_2)$)",
             (alpha * p1 - q1) ** 2 + (alpha * p2 - q2) ** 2,
             alpha**2 * (p1**2 + p2**2) - 2 * alpha * (p1 * q1 + p2 * q2) + q1**2 + q2**2, A_),
        Step(r"$\kappa_\alpha = \|\alpha y_0 - \bar y\|\,\|\nabla^2(\alpha y)\|/\|\nabla(\alpha y)\|^2$ "
             r"assembled from the computed pieces: the residual of $\alpha y_0 - \bar y$ in the plane of "
             r"$y_0 = \|y_0\| e_1$ and $\bar y = \|\bar y\|(\rho e_1 + \sqrt{1 - \rho^2} e_2)$, the "
             r"scaling factor of the norms, and the norms of the unscaled model",
             derived, statement["general"].rhs, S_),
        Step(r"With $y(w_0) = 0$ ($\|y_0\| = 0$, the zero-output construction)",
             derived.subs(R0, 0), statement["zero_output"].rhs, S_),
        Step(r"So $\kappa_\alpha = \kappa_1/\alpha$ exactly: $\alpha\,\kappa_\alpha$ does not depend on $\alpha$",
             alpha * derived.subs(R0, 0), statement["zero_output"].rhs.subs(alpha, 1), A_),
        Step(r"Without it, $\kappa_\alpha$ tends to $\|y_0\|\|\nabla^2 y\|/\|\nabla y\|^2$, not to 0",
             sp.limit(derived, alpha, sp.oo), statement["large_alpha"].rhs, L_),
    )
    return Derivation(steps, r"Scaling the output by $\alpha$ scales the Jacobian and the Hessian by "
                             r"$\alpha$; with $y(w_0) = 0$ the residual stays $\|\bar y\|$, so "
                             r"$\kappa_\alpha = \kappa_1/\alpha \to 0$: the model becomes lazy.")


# ------------------------------------------------------------------ the toy model

TOY_W = sp.Symbol("w", real=True)
TOY_W0 = sp.Rational(2, 5)
_X = sp.Rational(3, 2)
TOY_MODEL = (TOY_W * _X + TOY_W**2 * _X + sp.sin(sp.exp(TOY_W / 10))) * (TOY_W - TOY_W0)
"""f(w) of the blog post (Rajat V. D. 2019) at x = 3/2."""

_E = sp.exp(sp.Rational(1, 25))
TOY_F = _F = sp.symbols("f_1 f_2 f_3", positive=True)
TOY_DERIVATIVES = {
    _F[0]: sp.Rational(21, 25) + sp.sin(_E),
    _F[1]: sp.Rational(27, 5) + _E * sp.cos(_E) / 5,
    _F[2]: 9 + 3 * _E * sp.cos(_E) / 100 - 3 * _E**2 * sp.sin(_E) / 100,
}
"""f_k = f^{(k)}(w_0), k = 1, 2, 3: symbols in the statement (so that SymPy's algebra stays
polynomial), their closed forms the domain's derived values, checked by differentiation."""

ybar = Quantity("lazy.ybar", r"\bar y", real=True)
s = sp.Symbol("s", real=True)
_F1, _F2, _F3 = _F
_t = ybar / alpha

TOY = Statement(
    (
        Relation("initial_output", Quantity("lazy.toy_f_w0", "f(w_0)"), sp.Integer(0)),
        Relation("kappa", Quantity("lazy.toy_kappa", r"\kappa_\alpha(w_0)"),
                 sp.Abs(ybar) * _F2 / (alpha * _F1**2)),
        Relation("minimiser", Quantity("lazy.toy_offset", r"w^*_\alpha - w_0"),
                 _t / _F1 - _F2 * _t**2 / (2 * _F1**3) + (3 * _F2**2 - _F1 * _F3) * _t**3 / (6 * _F1**5)),
        Relation("leading_coefficient", Quantity("lazy.toy_leading", r"\lim_{\alpha\to\infty}\alpha(w^*_\alpha - w_0)"),
                 ybar / _F1),
        Relation("loss_gap", Quantity("lazy.toy_loss_gap", r"(L_\alpha - L^{\mathrm{lin}}_\alpha)(w_0 + s/\alpha)"),
                 (_F1 * s - ybar) * _F2 * s**2 / (2 * alpha)),
    ),
    Domain({alpha: sp.Interval.open(0, sp.oo), ybar: sp.Interval(-2, 2), s: sp.Interval(-2, 2)},
           derived=TOY_DERIVATIVES, description=r"\alpha > 0,\ \bar y \in [-2, 2],\ s \in [-2, 2]"),
    r"$f(w) = (w x + w^2 x + \sin e^{w/10})(w - 2/5)$, $x = 3/2$, $w_0 = 2/5$, $f_k = f^{(k)}(w_0)$: "
    r"$f_1 = 21/25 + \sin e^{1/25}$, $f_2 = 27/5 + e^{1/25}\cos(e^{1/25})/5$, "
    r"$f_3 = 9 + 3e^{1/25}\cos(e^{1/25})/100 - 3e^{2/25}\sin(e^{1/25})/100$; "
    r"$L_\alpha(w) = \tfrac12(\alpha f(w) - \bar y)^2$, $L^{\mathrm{lin}}_\alpha(w) = "
    r"\tfrac12(\alpha f'(w_0)(w - w_0) - \bar y)^2$; the minimiser and the loss gap up to "
    r"$O(\alpha^{-4})$ and $O(\alpha^{-2})$ (Rajat V. D. 2019)",
)


def _series_coefficients(expr, order: int) -> sp.Matrix:
    """Coefficients of eps^0..eps^order of ``expr`` (a polynomial in eps after expansion)."""
    eps = sp.Symbol("epsilon", positive=True)
    poly = sp.expand(expr.subs(alpha, 1 / eps))
    return sp.Matrix([poly.coeff(eps, k) for k in range(order + 1)])


def derive_toy(statement: Statement) -> Derivation:
    """f(w_0) = 0, derivatives by SymPy, kappa from its definition, the minimiser by Taylor
    expansion of alpha f(w_0 + delta) - ybar in eps = 1/alpha, and the loss gap likewise."""
    w, w0 = TOY_W, TOY_W0
    derivs = [sp.diff(TOY_MODEL, w, k).subs(w, w0) for k in (1, 2, 3)]
    taylor = lambda d: sum(_F[k - 1] * d**k / sp.factorial(k) for k in (1, 2, 3))
    delta = statement["minimiser"].rhs
    root_residual = alpha * taylor(delta) - ybar
    true_loss = (alpha * taylor(s / alpha) - ybar) ** 2 / 2
    gap = true_loss - (_F[0] * s - ybar) ** 2 / 2
    steps = (
        Step(r"The model vanishes at initialisation: $f(w_0) = 0$",
             TOY_MODEL.subs(w, w0), statement["initial_output"].rhs, S_),
        Step(r"Its derivatives at $w_0$, by SymPy: $f'(w_0), f''(w_0), f'''(w_0)$",
             sp.Matrix(derivs), sp.Matrix(list(TOY_DERIVATIVES.values())), D),
        link(r"$\kappa_\alpha$ is lazy.kappa_alpha's general relation for one weight and one output, where "
             r"the norms are absolute values: $\|y_0\| = |f(w_0)|$ (computed above), "
             r"$\|\nabla y\| = |f'(w_0)|$, $\|\nabla^2 y\| = |f''(w_0)|$, $\|\bar y\| = |\bar y|$",
             statement["kappa"].rhs, "lazy.kappa_alpha", KAPPA_ALPHA, "general",
             rhs=KAPPA_ALPHA["general"].rhs.subs({R0: sp.Abs(TOY_MODEL.subs(w, w0)), G: _F[0], Hn: _F[1],
                                                  Rbar: sp.Abs(ybar)})),
        Step(r"The minimiser solves $\alpha f(w^*) = \bar y$ (loss 0).  Put $w^* = w_0 + \delta$ with the "
             r"stated $\delta$ into the Taylor polynomial of $f$ at $w_0$; in $\varepsilon = 1/\alpha$ the "
             r"coefficients of $\varepsilon^0, \varepsilon^1, \varepsilon^2$ of $\alpha f(w_0 + \delta) - \bar y$ "
             r"vanish, so $\delta$ is the root up to $O(\alpha^{-4})$ (terms of $f$ beyond third "
             r"order enter at $\varepsilon^3$)",
             _series_coefficients(root_residual, 2), sp.zeros(3, 1), S_),
        Step(r"The distance to $w_0$ is $O(1/\alpha)$ with coefficient $\bar y/f'(w_0)$",
             sp.limit(alpha * delta, alpha, sp.oo), statement["leading_coefficient"].rhs, L_),
        Step(r"At $w = w_0 + s/\alpha$ the loss gap $L_\alpha - L^{\mathrm{lin}}_\alpha$ has the same "
             r"coefficients of $\varepsilon^0$ (zero: the losses converge) and $\varepsilon^1$ as stated",
             _series_coefficients(gap, 1), _series_coefficients(statement["loss_gap"].rhs, 1), S_),
    )
    return Derivation(steps, r"As $\alpha \to \infty$ the minimiser approaches $w_0$ like "
                             r"$\bar y/(\alpha f'(w_0))$ and, on that scale, the true and linearised "
                             r"losses differ by $O(1/\alpha)$.")


# ------------------------------------------------------------------ width exponents

n = asymptotics.n
CONFIGURATIONS = (("ntk", 2), ("standard", 2), ("ntk", 3), ("standard", 3))
"""(parameterisation, depth L) pairs of :data:`KAPPA_WIDTH`: one and two hidden layers."""
_QUANTITIES = (("jacobian", r"\|\nabla y\|^2"), ("hessian", r"\|\nabla^2 y\|"), ("kappa", r"\kappa"))
_EXPONENTS = {
    ("ntk", 2): (0, sp.Rational(-1, 2), sp.Rational(-1, 2)),
    ("standard", 2): (1, 0, -1),
    ("ntk", 3): (0, sp.Rational(-1, 2), sp.Rational(-1, 2)),
    ("standard", 3): (1, sp.Rational(1, 2), sp.Rational(-1, 2)),
}


def exponent_name(parameterization: str, depth: int, quantity: str) -> str:
    """The relation name of one width exponent, e.g. ``ntk_L2_kappa``."""
    return f"{parameterization}_L{depth}_{quantity}"


KAPPA_WIDTH = Statement(
    tuple(
        Relation(exponent_name(p, L, q),
                 Quantity(f"lazy.exponent.{p}.L{L}.{q}",
                          rf"\partial\log {tex}/\partial\log n\,\big|_{{\mathrm{{{p}}},\,L={L}}}"),
                 sp.S(_EXPONENTS[(p, L)][i]))
        for p, L in CONFIGURATIONS for i, (q, tex) in enumerate(_QUANTITIES)
    ),
    Domain({}, description="hidden widths n \\to \\infty"),
    r"ReLU network, depth $L \in \{2, 3\}$ (one or two hidden layers, all of width $n$), fixed input "
    r"dimension and inputs, $\sigma_w, \sigma_b$ fixed; NTK parameterisation or standard "
    r"(LeCun: weight variance $\sigma_w^2/\text{fan-in}$ in every layer, readout included); "
    r"$\kappa$ with $y(w_0) = 0$ (zero-output construction), so its residual is $\|\bar y\|$",
)


_SW, _SB, _X1 = sp.symbols("sigma_w sigma_b x", positive=True)
_J = sp.Symbol("j", integer=True, positive=True)
_Q = sp.Symbol("q", positive=True)
_CONCENTRATION = ("Jacot, Gabriel & Hongler, Neural Tangent Kernel: Convergence and Generalization in "
                  "Neural Networks, 2018 (the NTK at initialisation concentrates at its mean); law of "
                  "large numbers for the n-term sums")
_BLOCKS = ("Chizat, Oyallon & Bach, On Lazy Training in Differentiable Programming, 2019 (the Hessian "
           "of a network by blocks of layers); Geman, A Limit Theorem for the Norm of Random Matrices, "
           "1980 (the 2-norm of an $n \\times n$ matrix of i.i.d. entries of std $s$ is about $2s\\sqrt{n}$)")


@functools.cache
def _relu_moments():
    """(E[relu(u)^2], E[relu'(u)^2]) for u ~ N(0, q): the statements of dual.relu and dual.step
    at k11 = k22 = k12 = q (the same input twice)."""
    same = {k11: _Q, k22: _Q, k12: _Q}
    return sp.simplify(RELU["relu"].rhs.subs(same)), sp.simplify(STEP["step"].rhs.subs(same))


def _network_model(parameterization: str, depth: int):
    """Mean squared norms of the forward and backward signals of a width-n ReLU network.

    Widths n_0 = 1 (one input x), n_1 = ... = n_{L-1} = n, n_L = 1.  Layer l has forward
    multiplier a_l, initial weight std s_l and bias multiplier c_l: NTK a_l = n_l^{-1/2},
    s_l = sigma_w, c_l = sigma_b; standard a_l = 1, s_l = sigma_w n_l^{-1/2}, c_l = 1 (bias
    std sigma_b).  Per-unit second moments, each n-term sum taken by SymPy:

        q_1 = a_0^2 s_0^2 sum_{i <= n_0} x^2 + sigma_b^2,   q_{l+1} = a_l^2 s_l^2 sum_{j <= n_l} E[relu(z)^2] + sigma_b^2,
        d_L = 1,                                           d_l = a_l^2 s_l^2 sum_{k <= n_{l+1}} d_{l+1} E[relu'(z)^2],

    and the mean squared norms |h^l|^2 = sum_{j <= n_l} E[h_j^2], |delta^l|^2 = sum_{j <= n_l} d_l.
    Returns (a, s, c, |h^l|^2 list, |delta^l|^2 dict).
    """
    fans = [sp.Integer(1)] + [asymptotics.n] * (depth - 1) + [sp.Integer(1)]
    if parameterization == "ntk":
        a, s, c = [1 / sp.sqrt(m) for m in fans[:-1]], [_SW] * depth, [_SB] * depth
    else:
        a, s, c = [sp.Integer(1)] * depth, [_SW / sp.sqrt(m) for m in fans[:-1]], [sp.Integer(1)] * depth
    second, slope = _relu_moments()
    h2 = [sp.summation(_X1**2, (_J, 1, fans[0]))]
    q = a[0] ** 2 * s[0] ** 2 * h2[0] + _SB**2
    for l in range(1, depth):
        h2.append(sp.summation(second.subs(_Q, q), (_J, 1, fans[l])))
        q = a[l] ** 2 * s[l] ** 2 * h2[l] + _SB**2
    d = {depth: sp.Integer(1)}
    for l in range(depth - 1, 0, -1):
        d[l] = a[l] ** 2 * s[l] ** 2 * sp.summation(d[l + 1] * slope, (_J, 1, fans[l + 1]))
    delta2 = {l: sp.summation(d[l], (_J, 1, fans[l])) for l in range(1, depth + 1)}
    return a, s, c, h2, delta2


@functools.cache
def network_norms(parameterization: str, depth: int):
    """(the model of |grad y|^2, the Hessian's block norms) of :func:`_network_model`.

    |grad y|^2 = sum_l (a_l^2 |h^l|^2 + c_l^2) |delta^{l+1}|^2 (dy/dW_l = a_l h^l (x) delta^{l+1},
    dy/db_l = c_l delta^{l+1}).  The Hessian of a ReLU network vanishes within a layer (y is
    affine in each layer's parameters); the block of layers l < m is
    d^2y/dW_l dW_m = a_l a_m h^l (x) [dh^m/dz^{l+1}] (x) delta^{m+1}, of norm
    (a_l |h^l| + c_l) a_m |dh^m/dz^{l+1}| |delta^{m+1}|, where dh^m/dz^{l+1} is a 0/1 diagonal
    (norm 1) for m = l + 1 and a masked a_{l+1} W_{l+1} (norm about 2 a_{l+1} s_{l+1} sqrt(n))
    for m = l + 2.
    """
    a, s, c, h2, delta2 = _network_model(parameterization, depth)
    jacobian = sum((a[l] ** 2 * h2[l] + c[l] ** 2) * delta2[l + 1] for l in range(depth))
    blocks = []
    for l in range(depth):
        for m in range(l + 1, depth):
            through = sp.Integer(1) if m == l + 1 else a[l + 1] * 2 * s[l + 1] * sp.sqrt(asymptotics.n)
            blocks.append((a[l] * sp.sqrt(h2[l]) + c[l]) * a[m] * through * sp.sqrt(delta2[m + 1]))
    return sp.expand(jacobian), [sp.powsimp(sp.expand(b)) for b in blocks]


@functools.cache
def _model_exponents(parameterization: str, depth: int):
    """Exponents in n, by :func:`derivations.asymptotics.exponent`, of the model's |grad y|^2, of
    the sum of its Hessian blocks, of its largest block, and of kappa by lazy.kappa_alpha's
    relation at the model's norms (cached: they do not depend on the statement under test)."""
    jacobian, blocks = network_norms(parameterization, depth)
    kappa = KAPPA_ALPHA["zero_output"].rhs.subs({alpha: 1, Rbar: 1, Hn: sum(blocks), G: sp.sqrt(jacobian)})
    exponent = asymptotics.exponent
    return (exponent(jacobian), exponent(sum(blocks)), sp.Max(*(exponent(b) for b in blocks)), exponent(kappa))


def derive_kappa_width(statement: Statement) -> Derivation:
    """Per configuration: the model of the norms (cited concentration and block bounds), their
    exponents computed by :func:`derivations.asymptotics.exponent`, and kappa's through
    lazy.kappa_alpha's statement."""
    kappa_one = KAPPA_ALPHA["zero_output"].rhs.subs(alpha, 1)
    second, slope = _relu_moments()
    steps = [link(r"The per-unit second moment of a ReLU unit with pre-activation variance $q$: "
                  r"$\mathbb{E}[\operatorname{relu}(u)^2]$ is dual.relu's relation at $k_{11} = k_{22} = k_{12} = q$",
                  _Q / 2, "dual.relu", RELU, "relu", rhs=second),
             link(r"and $\mathbb{E}[\operatorname{relu}'(u)^2]$ dual.step's at the same point",
                  sp.Rational(1, 2), "dual.step", STEP, "step", rhs=slope),
             link(r"$\kappa$ of the unscaled model with $y(w_0) = 0$ is $\|\bar y\|\,\|\nabla^2 y\|/\|\nabla y\|^2$ "
                  r"(lazy.kappa_alpha at $\alpha = 1$)",
                  Rbar * Hn / G**2, "lazy.kappa_alpha", KAPPA_ALPHA, "zero_output", rhs=kappa_one)]
    for p, L in CONFIGURATIONS:
        jacobian, blocks = network_norms(p, L)
        hessian = sum(blocks)
        e_jacobian, e_hessian, e_blocks, e_kappa = _model_exponents(p, L)
        names = [exponent_name(p, L, q) for q, _ in _QUANTITIES]
        tag = rf"{p}, $L = {L}$"
        steps += [
            cited(rf"{tag}: $\|\nabla y\|^2$ concentrates at its mean $\sum_\ell (a_\ell^2\|h^\ell\|^2 + "
                  r"c_\ell^2)\|\delta^{\ell+1}\|^2$, forward and backward signals independent at "
                  r"initialisation, the squared signal norms sums of $n$ per-unit second moments",
                  Quantity(f"lazy.J2.{p}.L{L}", r"\|\nabla y\|^2"), jacobian, _CONCENTRATION),
            cited(rf"{tag}: $\|\nabla^2 y\|$ is at most the sum of the block norms of layer pairs "
                  r"$\ell < m$, $(a_\ell\|h^\ell\| + c_\ell)\,a_m\|\partial h^m/\partial z^{\ell+1}\|\,"
                  r"\|\delta^{m+1}\|$", Quantity(f"lazy.H.{p}.L{L}", r"\|\nabla^2 y\|"), hessian, _BLOCKS,
                  op="<="),
            cited(rf"{tag}: and at least the largest of them (a block is a restriction of $\nabla^2 y$)",
                  Quantity(f"lazy.H.{p}.L{L}", r"\|\nabla^2 y\|"), sp.Max(*blocks), _BLOCKS, op=">="),
            Step(rf"{tag}: the exponent of $\|\nabla y\|^2$, $\lim_n \log(\cdot)/\log n$ of the model",
                 e_jacobian, statement[names[0]].rhs, L_),
            Step(rf"{tag}: the exponent of the upper bound of $\|\nabla^2 y\|$ (the sum of the blocks)",
                 e_hessian, statement[names[1]].rhs, L_),
            Step(rf"{tag}: equals that of the lower bound (the largest block), so it is the exponent of "
                 r"$\|\nabla^2 y\|$", e_blocks, statement[names[1]].rhs, L_),
            Step(rf"{tag}: the exponent of $\kappa$ (lazy.kappa_alpha's relation at the model's norms, "
                 r"$\|\bar y\| = 1$)",
                 e_kappa, statement[names[2]].rhs, L_),
        ]
    return Derivation(tuple(steps), r"NTK parameterisation: $\kappa \asymp n^{-1/2}$ for both depths; "
                                    r"for ReLU no $\sqrt{\log n}$ factor arises, since the maximum over "
                                    r"neurons is of $\sigma' \in \{0, 1\}$ (it appears for smooth "
                                    r"$\sigma$ through $\max_j |v_j \sigma''(z_j)|$).  Standard "
                                    r"parameterisation: $\kappa \asymp n^{-1}$ with one hidden layer "
                                    r"but $n^{-1/2}$ with two, where the $v$–$W_1$ Hessian block grows "
                                    r"like $\|h^1\| \asymp \sqrt{n}$.")


# ------------------------------------------------------------------ linearisation

r = sp.Symbol("r", nonnegative=True)
Q = Quantity("lazy.norm_Hvv", r"\|\nabla^2 y[v,v]\|", nonnegative=True)
Theta0 = Quantity("lazy.ntk_w0", r"\hat\Theta_{w_0}", real=True)
Theta_w = Quantity("lazy.ntk_w", r"\hat\Theta_{w}", real=True)

LINEARIZATION = Statement(
    (
        Relation("remainder", Quantity("lazy.remainder", r"\|f(w_0 + r v) - f_{\mathrm{lin}}(w_0 + r v)\|"),
                 Q * r**2 / 2),
        Relation("kernel", Quantity("lazy.linearised_kernel", r"\nabla_w f_{\mathrm{lin}}(x, w)\cdot\nabla_w f_{\mathrm{lin}}(x', w)"),
                 Theta0),
    ),
    Domain({r: sp.Interval(0, 1), Q: sp.Interval(0, sp.oo), Theta0: sp.Interval(-sp.oo, sp.oo),
            Theta_w: sp.Interval(-sp.oo, sp.oo)},
           description=r"r \ge 0,\ \|v\| = 1"),
    r"$f_{\mathrm{lin}}(x, w) = f(x, w_0) + \nabla_w f(x, w_0)\cdot(w - w_0)$; the remainder up to "
    r"$o(r^2)$ along the unit direction $v$; $\hat\Theta_{w}$ is the empirical NTK of $f$ at $w$ "
    r"(Rajat V. D. 2019: $\phi(x) = \nabla_w f(x, w_0)$)",
)


def _tiny_network():
    """f(x; u, v, c) = v tanh(u x + c): a smooth model with a non-trivial Hessian."""
    x, x2 = sp.symbols("x x'", real=True)
    w = sp.symbols("u v c", real=True)
    w0 = sp.symbols("u_0 v_0 c_0", real=True)
    f = lambda xx, ww: ww[1] * sp.tanh(ww[0] * xx + ww[2])
    return x, x2, w, w0, f


def derive_linearization(statement: Statement) -> Derivation:
    """Taylor coefficients of the remainder along w0 + r v; the gradient of f_lin."""
    x, x2, w, w0, f = _tiny_network()
    v = sp.symbols("v_u v_v v_c", real=True)
    line = [a + r * b for a, b in zip(w0, v)]
    grad0 = sp.Matrix([sp.diff(f(x, w), wi) for wi in w]).subs(dict(zip(w, w0)))
    lin = lambda xx, ww: f(xx, w0) + sum(sp.diff(f(xx, w), wi).subs(dict(zip(w, w0))) * (a - b)
                                        for wi, a, b in zip(w, ww, w0))
    gap = f(x, line) - lin(x, line)
    quad = (sp.Matrix(v).T * sp.hessian(f(x, w), w).subs(dict(zip(w, w0))) * sp.Matrix(v))[0]
    stated = statement["remainder"].rhs.subs(Q, quad)
    order = sp.degree(stated, r)
    coefficients = lambda e: sp.Matrix([sp.diff(e, r, k).subs(r, 0) / sp.factorial(k) for k in range(order + 1)])
    kernel = sum(sp.diff(lin(x, w), wi) * sp.diff(lin(x2, w), wi) for wi in w)
    ntk = lambda ww: sum(sp.diff(f(x, w), wi).subs(dict(zip(w, ww))) * sp.diff(f(x2, w), wi).subs(dict(zip(w, ww)))
                         for wi in w)
    box = Domain({sym: sp.Interval(-2, 2) for sym in (x, x2, *w, *w0, *v)} | {r: sp.Interval(0, 1)})
    steps = (
        Step(r"Along $w_0 + r v$ the remainder $f - f_{\mathrm{lin}}$ and the stated form have the same "
             r"Taylor coefficients in $r$ up to the stated order (second: "
             r"$\tfrac12 v^\top \nabla^2 f(w_0) v$), for $f(x; u, v, c) = v \tanh(u x + c)$",
             coefficients(gap), coefficients(stated), D, domain=box),
        Step(r"The gradient of the linearised model is $\nabla_w f(x, w_0)$ at every $w$: it is affine in $w$",
             sp.Matrix([sp.diff(lin(x, w), wi) for wi in w]), grad0, D, domain=box),
        Step(r"Hence its tangent kernel at any $w$ is the empirical NTK at $w_0$",
             kernel, statement["kernel"].rhs.subs({Theta0: ntk(w0), Theta_w: ntk(w)}), S_, domain=box),
    )
    return Derivation(steps, r"$f - f_{\mathrm{lin}} = O(\|w - w_0\|^2)$ with coefficient "
                             r"$\tfrac12\nabla^2 f[v, v]$, and the linearised model is kernel regression "
                             r"with the empirical NTK at initialisation, constant in $w$.")
