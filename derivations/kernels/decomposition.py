"""The exact layer decomposition of the empirical NTK (kernel.ntk_layer_decomposition): the
readout's own parameters plus the chain rule through the layer below, derived by SymPy's
differentiation of small networks, and its limit n → ∞."""
from __future__ import annotations

import sympy as sp

from ..core import Derivation, Justification, Quantity, Relation, Statement, Step
from .recursion import _RECURSION_DOMAIN, _averages_converge
from .setting import E, ED, N_UNITS, SB2, SW2, THETA, _UNITS, _avg, _step, _units, gaussian_expectation


class SIGMA_PRIME_FN(sp.Function):
    """σ' as an undefined function that prints as such (the derivative of ``SIGMA_FN``)."""

    def _latex(self, printer, exp=None):
        arg = printer._print(self.args[0])
        base = rf"\sigma'\left({arg}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


SIGMA_FN = sp.Function("sigma")
_W, _Z, _ZP, _THETA_HAT = (sp.IndexedBase(s) for s in ("W", "z", "z'", "Theta_hat"))
_J, _K = sp.symbols("j k", integer=True)


def decomposition_symbols():
    """(W, z, z', Θ̂, n): the indexed objects of the decomposition, for lambdify."""
    return _W, _Z, _ZP, _THETA_HAT, N_UNITS


def _decomposition_rhs() -> sp.Expr:
    n = N_UNITS
    j, k = _J, _K
    own = SW2 / n * sp.Sum(SIGMA_FN(_Z[j]) * SIGMA_FN(_ZP[j]), (j, 0, n - 1)) + SB2
    below = SW2 / n * sp.Sum(_W[j] * _W[k] * SIGMA_PRIME_FN(_Z[j]) * SIGMA_PRIME_FN(_ZP[k])
                             * _THETA_HAT[j, k], (j, 0, n - 1), (k, 0, n - 1))
    return own + below


DECOMPOSITION = Statement(
    (Relation("decomposition", Quantity("Theta_hat^(l+1)(x,x')", r"\hat\Theta^{\ell+1}(x,x')"),
              _decomposition_rhs()),
     Relation("limit", Quantity("Theta^(l+1)(x,x')", r"\Theta^{\ell+1}(x,x')"),
              SW2 * E + SB2 + SW2 * ED * THETA)),
    _RECURSION_DOMAIN,
    r"$f = \sigma_w n^{-1/2}\sum_j W_j \sigma(z_j) + \sigma_b b$ on top of any network with "
    r"pre-activations $z_j = z^\ell_j(x)$, $z'_j = z^\ell_j(x')$; "
    r"$\hat\Theta^\ell_{jk} = \sum_\theta \partial_\theta z_j(x)\,\partial_\theta z_k(x')$ over the "
    r"parameters below; $\sigma$ differentiable",
)


def _concrete_decomposition(rhs, n: int, W, z_x, z_y, theta_hat, sigma=None, sigma_prime=None):
    """The decomposition's right side at width ``n`` with the indexed objects replaced."""
    expr = rhs.subs(N_UNITS, n).doit()
    table = {_W: W, _Z: z_x, _ZP: z_y}
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in table,
                        lambda e: table[e.base][int(e.indices[0])])
    expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base == _THETA_HAT,
                        lambda e: theta_hat(int(e.indices[0]), int(e.indices[1])))
    if sigma is not None:
        expr = expr.replace(SIGMA_FN, sigma).replace(SIGMA_PRIME_FN, sigma_prime)
    return expr


def _readout_on(units, sigma):
    """Σ_θ ∂f(x)∂f(x') for f = σ_w/√2 Σ_j C_j σ(z_j(·; t)) + σ_b c on top of 2 units z_j(x; t).

    ``units(j, x, t)`` is z_j at input x as a function of the two parameters t below the
    readout. Returns (that tangent kernel, z(x), z(x'), C, Θ̂_jk), everything by SymPy's diff.
    """
    sw, sb = sp.sqrt(SW2), sp.sqrt(SB2)
    x, y = sp.symbols("x y", real=True)
    t = sp.symbols("t0:2", real=True)
    C = sp.symbols("C0:2", real=True)
    cb = sp.Symbol("c_out", real=True)
    zx, zy = ([units(j, inp, t) for j in range(2)] for inp in (x, y))

    def out(zs):
        return sw / sp.sqrt(2) * sum(cj * sigma(zj) for cj, zj in zip(C, zs)) + sb * cb

    theta_hat = tuple(tuple(_tangent(zx[j], zy[k], t) for k in range(2)) for j in range(2))
    return _tangent(out(zx), out(zy), t + C + (cb,)), zx, zy, C, theta_hat


def _tangent(fx, fy, params) -> sp.Expr:
    return sum(sp.diff(fx, p) * sp.diff(fy, p) for p in params)


_GENERIC_UNITS = (sp.Function("z_0"), sp.Function("z_1"))


def _instance_unit(j, x, t):
    return t[0] * x ** (j + 1) + (j + 1) * t[1] ** 2


def _decomposition_steps(statement: Statement) -> tuple[Step, Step]:
    """Generic σ and generic units z_j(x; t), then σ = tanh on polynomial units.

    Both sides are expanded, so that a wrong statement leaves only the wrong terms in their
    difference (the engine's simplifiers then work on a small expression). The generic step
    is not sampled numerically (its unknown functions have no values): SymPy decides it or
    it stays unsupported, while the tanh instance gives counterexamples.
    """
    steps = []
    cases = (
        (SIGMA_FN, lambda j, x, t: _GENERIC_UNITS[j](x, *t),
         r"Two units $z_j(x; t)$, generic functions of two parameters $t$ below a readout with "
         r"generic $\sigma$: SymPy differentiates $f(x), f(x')$ with respect to all five parameters, "
         r"sums the products, and compares with the decomposition at $n = 2$, "
         r"$\hat\Theta^\ell_{jk} = \sum_t \partial_t z_j(x)\,\partial_t z_k(x')$"),
        (sp.tanh, _instance_unit,
         r"The same with $\sigma = \tanh$ and polynomial units, where a wrong statement has "
         r"numeric counterexamples"),
    )
    for sigma, units, text in cases:
        generic = sigma is SIGMA_FN
        lhs, zx, zy, C, theta_hat = _readout_on(units, sigma)
        xi = sp.Dummy("xi")
        rhs = _concrete_decomposition(
            statement["decomposition"].rhs, 2, C, zx, zy, lambda j, k: theta_hat[j][k],
            sigma, lambda arg: sp.diff(sigma(xi), xi).subs(xi, arg))
        steps.append(_step(text, sp.expand(lhs), sp.expand(rhs.doit()), Justification.DIFFERENTIATE,
                           statement.domain, extend=not generic))
    return tuple(steps)


def _readout_expectation(decomposition):
    """E over the readout of the decomposition with Θ̂_jk = δ_jk Θ^ℓ, at n = 3 symbolic units.

    Returns it with the unit symbols (h, g, d, e): h_j = σ(z_j), d_j = σ'(z_j), g, e at x'.
    """
    h, g, d, e = (_units(p) for p in ("h", "g", "d", "e"))
    w = _units("w")
    expr = _concrete_decomposition(decomposition, _UNITS, w, h, g,
                                   lambda j, k: THETA if j == k else 0)
    expr = expr.replace(SIGMA_FN, lambda arg: arg).replace(
        SIGMA_PRIME_FN, lambda arg: d[h.index(arg)] if arg in h else e[g.index(arg)])
    return gaussian_expectation(expr, w), (h, g, d, e)


def derive_decomposition(statement: Statement) -> Derivation:
    """SymPy differentiates a 2-2-2-1 network with generic σ; then the limit n → ∞."""
    sigma_steps = _decomposition_steps(statement)
    lhs, (h, g, d, e) = _readout_expectation(statement["decomposition"].rhs)
    rhs = statement["limit"].rhs.subs({E: _avg(h, g), ED: _avg(d, e)})
    limit = _step(
        r"Limit: with $\hat\Theta^\ell_{jk} \to \delta_{jk}\Theta^\ell$ (induction hypothesis) SymPy "
        rf"takes the moments over the readout $W_j$ ($n = {_UNITS}$ units, "
        r"$h_j = \sigma(z_j)$, $d_j = \sigma'(z_j)$ and $g_j, e_j$ at $x'$); "
        r"the averages stand for the expectations they converge to (next step)",
        lhs, rhs, Justification.INTEGRATE, statement.domain)
    return Derivation(
        sigma_steps + (limit, _averages_converge()),
        r"The chain rule splits the tangent kernel into the readout's own parameters and those "
        r"below, exactly at every width; in the limit it becomes the NTK recursion "
        r"$\Theta^{\ell+1} = \Sigma^{\ell+1} + \sigma_w^2\dot\Sigma^{\ell+1}\Theta^\ell$ (Jacot et al. 2018).",
    )


