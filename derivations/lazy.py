r"""Lazy training (seed 001, after Chizat & Bach 2019): statements and their derivations.

Notation of seed 001.  N fixed inputs \bar x_i, targets \bar y \in R^N, a model
y(w) = (f(\bar x_1, w), ..., f(\bar x_N, w)) of P weights, w_0 the initialisation, and

    \kappa(w_0) = \|y(w_0) - \bar y\| \, \|\nabla^2 y(w_0)\| / \|\nabla y(w_0)\|^2,

Euclidean norms on R^N and R^P, \|\nabla y\| the operator norm of the N x P Jacobian and
\|\nabla^2 y\| that of the Hessian as a bilinear map R^P x R^P -> R^N
(sup_{|u|=|v|=1} \|\nabla^2 y[u, v]\|).  The model scaled by \alpha > 0 is \alpha y.

Four statements:

* :data:`KAPPA_ALPHA`: \kappa_\alpha in general, = \kappa_1/\alpha when y(w_0) = 0, and its
  limit \|y(w_0)\| \|\nabla^2 y\|/\|\nabla y\|^2 as \alpha -> \infty (zero only when y(w_0) = 0).
* :data:`TOY`: the seed's one-weight model f(w) = (wx + w^2 x + \sin e^{w/10})(w - 2/5), x = 3/2,
  w_0 = 2/5: f(w_0) = 0, \kappa_\alpha, the minimiser of \tfrac12(\alpha f(w) - \bar y)^2 to
  third order in 1/\alpha, and the gap between the true and linearised losses.
* :data:`KAPPA_WIDTH`: the width exponents of \|\nabla y\|^2, \|\nabla^2 y\| and \kappa for ReLU
  networks with one and two hidden layers of width n, NTK and standard parameterisation
  (conventions of DESIGN.md: depth L = number of affine layers; standard = the seed's
  "LeCun initialisation", weight variance \sigma_w^2/fan-in in every layer, readout included,
  which is the output normalisation that keeps f(w_0) = O(1)), by a scaling argument.
* :data:`LINEARIZATION`: f(w) - f_lin(w) = \tfrac12 \nabla^2 y[v, v] r^2 + o(r^2) along
  w = w_0 + r v, and the linearised model's kernel is the empirical NTK at w_0.
"""
from __future__ import annotations

import sympy as sp

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step

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
    r"unscaled model at $w_0$ (seed 001; Chizat and Bach 2019)",
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
"""f(w) of seed 001 at x = 3/2."""

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
    r"$O(\alpha^{-4})$ and $O(\alpha^{-2})$ (seed 001)",
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
        Step(r"$\kappa_\alpha = |\alpha f(w_0) - \bar y|\,|\alpha f''(w_0)|/(\alpha f'(w_0))^2$ "
             r"(one weight, one output: the norms are absolute values)",
             sp.Abs(alpha * TOY_MODEL.subs(w, w0) - ybar) * sp.Abs(alpha * _F[1]) / (alpha * _F[0]) ** 2,
             statement["kappa"].rhs, S_),
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

n = sp.Symbol("n", positive=True)
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


_BIAS = sp.Integer(1)
"""The size of the bias multiplier c_l: sigma_b (NTK) or 1 (standard), O(1) in both."""


def _scales(parameterization: str, depth: int):
    """Magnitudes (as powers of n) of the forward and backward signals of a width-n ReLU net.

    a_l, s_l: forward multiplier and initial std of W_l (fan-in 1 for the input layer, whose
    dimension is fixed, and n after it).  Forward: an entry of z^{l+1} = a_l h^l W_l is a sum
    of n_l random terms, of size a_l s_l |h^l|; backward likewise delta^l = a_l (W_l
    delta^{l+1}) * sigma'(z^l), delta^L = 1.
    """
    fans = [sp.Integer(1)] + [n] * (depth - 1)
    if parameterization == "ntk":
        a, std = [1 / sp.sqrt(m) for m in fans], [sp.Integer(1)] * depth
    else:
        a, std = [sp.Integer(1)] * depth, [1 / sp.sqrt(m) for m in fans]
    h = [sp.Integer(1)]
    for l in range(1, depth):
        h.append(sp.sqrt(fans[l]) * a[l - 1] * std[l - 1] * h[l - 1])
    delta = {depth: sp.Integer(1)}
    for l in range(depth - 1, 0, -1):
        delta[l] = sp.sqrt(fans[l]) * a[l] * std[l] * delta[l + 1]
    return a, std, h, delta


def _exponent(expr) -> sp.Expr:
    """The leading exponent of n in a sum of positive monomials."""
    terms = sp.Add.make_args(sp.expand(sp.powsimp(expr)))
    return sp.Max(*(sp.powsimp(t).as_coeff_exponent(n)[1] for t in terms))


def _block_norms(parameterization: str, depth: int):
    """(|grad y|^2 by blocks, Hessian block norms) for one input, ReLU (sigma'' = 0).

    Gradient: dy/dW_l = a_l h^l (x) delta^{l+1} (rank one), dy/db_l = c_l delta^{l+1}.
    Hessian: the W_l-W_l blocks vanish (y is affine in each layer's weights and sigma'' = 0);
    for l < m, d^2y/dW_l dW_m = a_l a_m h^l (x) [dh^m/dz^{l+1}] (x) delta^{m+1}, of norm
    a_l a_m |h^l| |dh^m/dz^{l+1}| |delta^{m+1}|, with |dh^m/dz^{l+1}| = O(1) (a product of
    a_k W_k, each of norm ~ 2 a_k s_k sqrt(n), and 0/1 diagonals); bias rows replace |h^l| by c_l.
    """
    a, _, h, delta = _scales(parameterization, depth)
    jacobian = sum(a[l] ** 2 * h[l] ** 2 * delta[l + 1] ** 2 + _BIAS**2 * delta[l + 1] ** 2
                   for l in range(depth))
    hessian = [a[l] * a[m] * h[l] * delta[m + 1] + a[m] * _BIAS * delta[m + 1]
               for l in range(depth) for m in range(l + 1, depth)]
    return jacobian, sum(hessian)


def derive_kappa_width(statement: Statement) -> Derivation:
    """The scaling argument: signal sizes, block norms, leading exponents, then kappa."""
    steps = []
    for p in ("ntk", "standard"):
        a, std, h, delta = _scales(p, 3)
        steps.append(Step(
            rf"{p}: the product of forward multiplier and initial std is $n^{{-1/2}}$ for the hidden "
            r"and readout layers (the same function at initialisation), so pre-activations have O(1) "
            r"entries, $\|h^\ell\| \asymp \sqrt{n}$ and $\|\delta^\ell\| \asymp 1$",
            sp.Matrix([a[1] * std[1], h[1], h[2], delta[1], delta[2]]),
            sp.Matrix([1 / sp.sqrt(n), sp.sqrt(n), sp.sqrt(n), 1, 1]), A_))
    for p, L in CONFIGURATIONS:
        jacobian, hessian = _block_norms(p, L)
        e_j, e_h = _exponent(jacobian), _exponent(hessian)
        names = [exponent_name(p, L, q) for q, _ in _QUANTITIES]
        steps += [
            Step(rf"{p}, $L = {L}$: $\|\nabla y\|^2 = \sum_\ell a_\ell^2\|h^\ell\|^2\|\delta^{{\ell+1}}\|^2 + "
                 r"c_\ell^2\|\delta^{\ell+1}\|^2$; its leading power of $n$",
                 e_j, statement[names[0]].rhs, L_),
            Step(rf"{p}, $L = {L}$: $\|\nabla^2 y\|$ lies between the largest block norm and the sum of the "
                 r"(fixed number of) block norms; its leading power of $n$",
                 e_h, statement[names[1]].rhs, L_),
            Step(rf"{p}, $L = {L}$: $\kappa = \|\bar y\|\,\|\nabla^2 y\|/\|\nabla y\|^2$, exponent "
                 r"$e_H - e_{J^2}$",
                 e_h - e_j, statement[names[2]].rhs, A_),
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
    r"(seed 001: $\phi(x) = \nabla_w f(x, w_0)$)",
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
