"""Kernels of residual MLPs, derived from small symbolic residual networks.

Network (NTK parameterisation, entries N(0, 1), as ``numeric.resnet.ResMLP`` with one dense
layer per branch): h⁰ = σ_w x W/√n₀ + σ_b b, then L blocks

    h^{ℓ+1} = h^ℓ + α (σ_w σ(h^ℓ) W_ℓ/√n + σ_b b_ℓ),     f = σ_w h^L W_out/√n + σ_b b_out.

Recursion (Hayou et al. 2021, "Stable ResNet"; Yang 2019, "Scaling limits of wide neural
networks with weight sharing"), with E = E[σ(u)σ(v)], Ė = E[σ'(u)σ'(v)] over N(0, Σ^ℓ):

    Σ⁰ = σ_w² x·x'/n₀ + σ_b²,   Σ^{ℓ+1} = Σ^ℓ + α²(σ_w² E + σ_b²),
    Θ⁰ = Σ⁰,                    Θ^{ℓ+1} = Θ^ℓ + α²(σ_w² E + σ_b² + σ_w² Ė Θ^ℓ),
    NNGP = σ_w² Σ^L + σ_b²,     NTK = σ_w² Σ^L + σ_b² + σ_w² Θ^L.

Depth (ReLU, where E[relu(u)²] = q/2 on the diagonal q = Σ^ℓ(x, x)): the diagonal solves
q_{ℓ+1} = (1 + α²σ_w²/2) q_ℓ + α²σ_b², so with α = 1 it grows geometrically in L, with
ratio 1 + σ_w²/2, and with α = 1/√L it has a finite limit as L → ∞ (Hayou et al. 2021).

Derivations: Gaussian moments of a block of n = 3 units over its weights, with the units
below given (generic σ, then σ = tanh where a wrong statement has counterexamples); the
tangent kernel by SymPy differentiation with respect to every parameter, the units below
carrying one parameter each (z_i = u_i + s t_i, so Θ̂^ℓ_{ik} = δ_ik s s' as in the limit);
the depth statements by solving the diagonal recursion (checked by substitution into the
linked recursion) and SymPy limits.
"""
from __future__ import annotations

import sympy as sp

from . import asymptotics
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from .kernels import E, ED, Q, SB2, SIGMA_FN, SW2, dual_relations, gaussian_expectation
from .kernels.recursion import _RECURSION_DOMAIN, _dual_steps

__all__ = ["ALPHA", "SIGMA_L", "THETA_L", "Q0", "DEPTH", "RECURSION", "derive_recursion",
           "DEPTH_LIMIT", "derive_depth_limit", "DUAL_NAMES", "FLUCTUATION"]

ALPHA = sp.Symbol("alpha", real=True)
SIGMA_L = Quantity("Sigma^l_res", r"\Sigma^{\ell}", real=True)
THETA_L = Quantity("Theta^l_res", r"\Theta^{\ell}", real=True)
Q0 = sp.Symbol("q_0", positive=True)
DEPTH = sp.Symbol("L", integer=True, nonnegative=True)
DUAL_NAMES = ("relu", "erf")
FLUCTUATION = Quantity("fluctuation exponent (width)",
                       r"\lim_{n\to\infty}\frac{\log\operatorname{sd}\hat K_n}{\log n}")
_N = 3
"""Units of the symbolic residual block."""

_DOMAIN = Domain(
    {**_RECURSION_DOMAIN.intervals, ALPHA: sp.Interval(-2, 2),
     SIGMA_L: sp.Interval(-sp.oo, sp.oo), THETA_L: sp.Interval(-sp.oo, sp.oo)},
    _RECURSION_DOMAIN.derived,
    r"k_{11}, k_{22} > 0,\ |k_{12}| \le \sqrt{k_{11}k_{22}},\ \sigma_w^2 > 0,\ \sigma_b^2 \ge 0,\ \alpha \in \mathbb{R}",
)

RECURSION = Statement(
    (Relation("sigma0", Quantity("Sigma^0_res(x,x')", r"\Sigma^{0}(x,x')"), SW2 * Q + SB2),
     Relation("theta0", Quantity("Theta^0_res(x,x')", r"\Theta^{0}(x,x')"), SW2 * Q + SB2),
     Relation("sigma", Quantity("Sigma^(l+1)_res", r"\Sigma^{\ell+1}(x,x')"),
              SIGMA_L + ALPHA**2 * (SW2 * E + SB2)),
     Relation("theta", Quantity("Theta^(l+1)_res", r"\Theta^{\ell+1}(x,x')"),
              THETA_L + ALPHA**2 * (SW2 * E + SB2 + SW2 * ED * THETA_L)),
     Relation("nngp", Quantity("NNGP_res", r"K(x,x')"), SW2 * SIGMA_L + SB2),
     Relation("ntk", Quantity("NTK_res", r"\Theta(x,x')"), SW2 * SIGMA_L + SB2 + SW2 * THETA_L),
     Relation("fluctuation", FLUCTUATION, sp.Rational(-1, 2)))
    + dual_relations(DUAL_NAMES, prime=True),
    _DOMAIN,
    r"Residual MLP $h^{\ell+1} = h^\ell + \alpha(\sigma_w\sigma(h^\ell)W_\ell/\sqrt n + \sigma_b b_\ell)$, "
    r"embedding and readout dense, NTK parameterisation with $\mathcal{N}(0,1)$ entries; "
    r"$(u, v) \sim \mathcal{N}(0, \Sigma^\ell)$ on $\{x, x'\}$; in nngp and ntk, "
    r"$\Sigma^\ell, \Theta^\ell$ are those of $h^L$; width $n \to \infty$",
)


def _units(prefix: str, count: int = _N):
    return sp.symbols(f"{prefix}0:{count}", real=True)


def _avg(a, b) -> sp.Expr:
    return sp.Add(*(p * q for p, q in zip(a, b))) / len(a)


def _dense(values, weights, bias) -> sp.Expr:
    """σ_w n^{-1/2} Σ_i values_i weights_i + σ_b bias: one unit of an NTK-parameterised map."""
    return sp.sqrt(SW2) / sp.sqrt(len(values)) * sum(v * w for v, w in zip(values, weights)) + sp.sqrt(SB2) * bias


def _tangent(fx, fy, params) -> sp.Expr:
    return sum(sp.diff(fx, p) * sp.diff(fy, p) for p in params)


def _sigma_prime(sigma, value):
    """σ'(value), as SymPy writes the derivative of σ (a function or a generic one)."""
    xi = sp.Dummy("xi")
    return sp.diff(sigma(xi), xi).subs(xi, value).doit()


def _block(base, sigma, W, b, j) -> sp.Expr:
    """Unit j of h^{ℓ+1} = h^ℓ + α(σ_w σ(h^ℓ) W/√n + σ_b b) on the units ``base`` of h^ℓ."""
    return base[j] + ALPHA * _dense([sigma(h) for h in base], [W[i][j] for i in range(len(base))], b[j])


def _block_parameters():
    W = [[sp.Symbol(f"W_{i}{j}", real=True) for j in range(_N)] for i in range(_N)]
    return W, _units("b"), [w for row in W for w in row] + list(_units("b"))


def _sigmas():
    return ((SIGMA_FN, r"generic $\sigma$"), (sp.tanh, r"$\sigma = \tanh$ (where a wrong statement has counterexamples)"))


def _block_covariance(statement: Statement) -> list[Step]:
    u, v = _units("u"), _units("v")
    W, b, normals = _block_parameters()
    steps = []
    for sigma, what in _sigmas():
        lhs = gaussian_expectation(sum(_block(u, sigma, W, b, j) * _block(v, sigma, W, b, j) for j in range(_N)) / _N,
                                   normals)
        rhs = statement["sigma"].rhs.subs({SIGMA_L: _avg(u, v), E: _avg([sigma(a) for a in u], [sigma(a) for a in v])})
        steps.append(Step(
            rf"Residual block, {what}, $n = {_N}$ units $u_j = h^\ell_j(x)$, $v_j = h^\ell_j(x')$ given: "
            r"SymPy takes the Gaussian moments of $\frac1n\sum_j h^{\ell+1}_j(x)h^{\ell+1}_j(x')$ over "
            r"$W_\ell, b_\ell$; the averages $\frac1n\sum_j u_jv_j$ and $\frac1n\sum_j\sigma(u_j)\sigma(v_j)$ "
            r"stand where the statement has $\Sigma^\ell$ and $\mathbb{E}[\sigma(u)\sigma(v)]$",
            lhs, rhs, Justification.INTEGRATE, domain=_extended(statement.domain, lhs, rhs, generic=sigma is SIGMA_FN)))
    return steps


def _extended(domain: Domain, *exprs, generic: bool = False) -> Domain:
    """``domain`` with every further free symbol of ``exprs`` on the real line (generic steps
    are decided symbolically; their functions have no values to sample)."""
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(domain.intervals) - set(domain.derived)
    extra = {s: (sp.Interval.open(0, sp.oo) if s.is_positive else sp.Interval(-3, 3)) for s in free}
    return Domain({**domain.intervals, **extra}, domain.derived, domain.description)


def _below(prefix: str, scale: sp.Symbol):
    """Units z_i = c_i + scale·t_i below a map: Θ̂_{ik} = δ_ik scale·scale' at t = 0."""
    return [c + scale * t for c, t in zip(_units(prefix), _units("t"))]


def _block_tangent(statement: Statement) -> list[Step]:
    s, s2 = sp.symbols("s s'", real=True)
    zx, zy = _below("u", s), _below("v", s2)
    W, b, normals = _block_parameters()
    at_zero = {t: 0 for t in _units("t")}
    u, v = _units("u"), _units("v")
    steps = []
    for sigma, what in _sigmas():
        total = sum(_tangent(_block(zx, sigma, W, b, j), _block(zy, sigma, W, b, j), list(_units("t")) + normals)
                    for j in range(_N)) / _N
        lhs = gaussian_expectation(total.subs(at_zero).doit(), normals)
        rhs = statement["theta"].rhs.subs({
            THETA_L: s * s2, E: _avg([sigma(a) for a in u], [sigma(a) for a in v]),
            ED: _avg([_sigma_prime(sigma, a) for a in u], [_sigma_prime(sigma, a) for a in v])})
        steps.append(Step(
            rf"Residual block tangent kernel, {what}: the units below are $z_i = u_i + s\,t_i$ "
            r"($\hat\Theta^\ell_{ik} = \delta_{ik}ss'$, the induction hypothesis); SymPy differentiates "
            r"$h^{\ell+1}_j(x), h^{\ell+1}_j(x')$ with respect to every $t_i$, $W_{ij}$, $b_j$, averages over $j$ "
            r"and takes the moments over $W_\ell, b_\ell$ at $t = 0$ (the cross terms skip × branch are centred)",
            lhs, rhs, Justification.DIFFERENTIATE,
            domain=_extended(statement.domain, lhs, rhs, generic=sigma is SIGMA_FN)))
    return steps


def _dense_ends(statement: Statement) -> list[Step]:
    """Embedding covariance, readout covariance and readout tangent kernel."""
    x, y = _units("x"), _units("y")
    w, (b,) = _units("w"), _units("c", 1)
    emb = gaussian_expectation(_dense(x, w, b) * _dense(y, w, b), list(w) + [b])
    emb_tangent = _tangent(_dense(x, w, b), _dense(y, w, b), list(w) + [b])
    s, s2 = sp.symbols("s s'", real=True)
    zx, zy = _below("u", s), _below("v", s2)
    u, v = _units("u"), _units("v")
    at_zero = {t: 0 for t in _units("t")}
    cov = gaussian_expectation(_dense(u, w, b) * _dense(v, w, b), list(w) + [b])
    tan = gaussian_expectation(_tangent(_dense(zx, w, b), _dense(zy, w, b), list(_units("t")) + list(w) + [b])
                               .subs(at_zero), list(w) + [b])
    return [
        Step(r"Embedding, $n_0 = 3$: SymPy takes the moments of $h^0_j(x)h^0_j(x')$ over $W, b$",
             emb, statement["sigma0"].rhs.subs(Q, _avg(x, y)), Justification.INTEGRATE,
             domain=_extended(statement.domain, emb, x, y)),
        Step(r"Embedding tangent kernel: SymPy differentiates $h^0_j(x), h^0_j(x')$ with respect to $W, b$",
             emb_tangent, statement["theta0"].rhs.subs(Q, _avg(x, y)), Justification.DIFFERENTIATE,
             domain=_extended(statement.domain, emb_tangent, x, y)),
        Step(r"Readout covariance: the moments of $f(x)f(x')$ over $W_{out}, b_{out}$ with $h^L$ given",
             cov, statement["nngp"].rhs.subs(SIGMA_L, _avg(u, v)), Justification.INTEGRATE,
             domain=_extended(statement.domain, cov)),
        Step(r"Readout tangent kernel: SymPy differentiates $f$ with respect to $t, W_{out}, b_{out}$ on units "
             r"$z_i = u_i + s\,t_i$ and takes the moments over the readout",
             tan, statement["ntk"].rhs.subs({SIGMA_L: _avg(u, v), THETA_L: s * s2}), Justification.DIFFERENTIATE,
             domain=_extended(statement.domain, tan)),
    ]


_LIMIT_REFERENCE = ("Hayou, Clerico, He, Deligiannidis, Doucet & Rousseau, Stable ResNet, 2021; "
                    "Yang, Scaling Limits of Wide Neural Networks with Weight Sharing, 2019 (Tensor Programs I)")


def _limit_step() -> Step:
    return cited(
        r"Width limit, by induction on the block: the units of $h^\ell$ become i.i.d. centred Gaussian "
        r"with covariance $\Sigma^\ell$, the averages over units converge to expectations over "
        r"$\mathcal{N}(0, \Sigma^\ell)$ and $\hat\Theta^\ell_{ik} \to \delta_{ik}\Theta^\ell$",
        Quantity("lim (1/n) sum_j phi(h_j(x), h_j(x'))",
                 r"\lim_{n\to\infty}\tfrac1n\textstyle\sum_j \phi(h^\ell_j(x), h^\ell_j(x'))"),
        Quantity("E[phi(u,v)] res", r"\mathbb{E}[\phi(u, v)]"), _LIMIT_REFERENCE)


def fluctuation_step(statement: Statement, what: str) -> Step:
    """The exponent of the spread of an average of n independent terms, computed by
    :mod:`derivations.asymptotics`, against the statement's ``fluctuation`` relation."""
    s = sp.Symbol("s", positive=True)
    n = asymptotics.n
    return Step(
        rf"Fluctuations: {what} is an average of $n$ terms independent given the layer below (variance "
        r"$s^2$ each); SymPy sums their covariance matrix (Bienaymé) and takes $\lim\log\operatorname{sd}/\log n$",
        asymptotics.exponent(asymptotics.spread_of_sum(n, s**2) / n), statement["fluctuation"].rhs,
        Justification.LIMIT, domain=statement.domain)


def derive_recursion(statement: Statement) -> Derivation:
    """Moments and tangent kernels of a symbolic residual block and of the dense ends."""
    return Derivation(
        tuple(_dense_ends(statement)[:2]) + tuple(_block_covariance(statement)) + tuple(_block_tangent(statement))
        + tuple(_dense_ends(statement)[2:]) + (_limit_step(), fluctuation_step(statement, r"$\hat K_n$"))
        + _dual_steps(statement),
        r"At every width the block adds to the skip path a branch that is centred given $h^\ell$, so "
        r"covariances and tangent kernels add with weight $\alpha^2$ and the cross terms vanish in "
        r"expectation; in the limit the averages become the Gaussian expectations of the statement "
        r"(Hayou et al. 2021). Iterating $L$ blocks from $\Sigma^0$ and applying the readout gives the kernels.",
    )


# ------------------------------------------------------------------ depth

_KQ = sp.Symbol("k", positive=True)
RELU_SQUARE = Quantity("E[relu(u)^2]", r"\mathbb{E}[\operatorname{relu}(u)^2]")
DIAGONAL = Quantity("q_L", r"\Sigma^{L}(x,x)")
GROWTH = Quantity("growth ratio (alpha=1)", r"\lim_{L\to\infty}\Sigma^{L+1}(x,x)/\Sigma^{L}(x,x)\big|_{\alpha=1}")
LIMIT = Quantity("limit (alpha=1/sqrt(L))", r"\lim_{L\to\infty}\Sigma^{L}(x,x)\big|_{\alpha=1/\sqrt L}")


def _diagonal_closed_form():
    fixed = 2 * SB2 / SW2
    return (Q0 + fixed) * (1 + ALPHA**2 * SW2 / 2) ** DEPTH - fixed


DEPTH_LIMIT = Statement(
    (Relation("relu_square", RELU_SQUARE, _KQ / 2),
     Relation("diagonal", DIAGONAL, _diagonal_closed_form()),
     Relation("growth", GROWTH, 1 + SW2 / 2),
     Relation("limit", LIMIT, (Q0 + 2 * SB2 / SW2) * sp.exp(SW2 / 2) - 2 * SB2 / SW2),
     Relation("fluctuation", FLUCTUATION, sp.Rational(-1, 2))),
    Domain({Q0: sp.Interval.open(0, sp.oo), SW2: sp.Interval.open(0, 4), SB2: sp.Interval(0, 2),
            ALPHA: sp.Interval(-2, 2), DEPTH: sp.Interval(0, 30), _KQ: sp.Interval.open(0, sp.oo)}),
    r"ReLU residual MLP (resnet.recursion), $q_0 = \Sigma^0(x,x) > 0$ the embedding's variance, "
    r"$L$ blocks; growth at $\alpha = 1$, limit at $\alpha = 1/\sqrt L$",
)


def derive_depth_limit(statement: Statement) -> Derivation:
    """E[relu²] by integration; the closed form checked against the linked recursion; limits."""
    u = sp.Symbol("u", real=True)
    density = sp.exp(-u**2 / (2 * _KQ)) / sp.sqrt(2 * sp.pi * _KQ)
    second = sp.integrate(u**2 * density, (u, 0, sp.oo))
    q = statement["diagonal"].rhs
    relu_sq = statement["relu_square"].rhs.subs(_KQ, q)
    recursion = RECURSION["sigma"].rhs.subs({SIGMA_L: q, E: relu_sq})
    alpha1 = q.subs(ALPHA, 1)
    growth = sp.limit(sp.simplify(alpha1.subs(DEPTH, DEPTH + 1) / alpha1), DEPTH, sp.oo)
    scaled = sp.limit(q.subs(ALPHA, 1 / sp.sqrt(DEPTH)), DEPTH, sp.oo)
    return Derivation(
        (Step(r"On the diagonal $u = v \sim \mathcal{N}(0, k)$: SymPy integrates $\int_0^\infty u^2 "
              r"\varphi_k(u)\,du$", second, statement["relu_square"].rhs, Justification.INTEGRATE,
              domain=statement.domain),
         link(r"The closed form advances by one block of resnet.recursion (its $\Sigma$ map with "
              r"$\Sigma^\ell = q_L$ and $\mathbb{E}[\operatorname{relu}(u)^2] = q_L/2$)",
              q.subs(DEPTH, DEPTH + 1), "resnet.recursion", RECURSION, "sigma", rhs=recursion,
              domain=statement.domain),
         Step(r"and starts at the embedding's variance: $q_0$ at $L = 0$", q.subs(DEPTH, 0), Q0,
              Justification.SUBSTITUTE, domain=statement.domain),
         Step(r"$\alpha = 1$: SymPy takes $\lim_{L\to\infty} q_{L+1}/q_L$ of the closed form", growth,
              statement["growth"].rhs, Justification.LIMIT, domain=statement.domain),
         Step(r"$\alpha = 1/\sqrt L$: SymPy takes $\lim_{L\to\infty} q_L$ of the closed form", scaled,
              statement["limit"].rhs, Justification.LIMIT, domain=statement.domain),
         fluctuation_step(statement, r"$\hat K_n(x, x)$")),
        r"The diagonal recursion is linear, so the closed form that starts at $q_0$ and advances by one "
        r"block is its solution (induction on $L$). With $\alpha = 1$ each block multiplies the variance by "
        r"$1 + \sigma_w^2/2 > 1$; with $\alpha = 1/\sqrt L$ the product $(1 + \sigma_w^2/(2L))^L$ tends to "
        r"$e^{\sigma_w^2/2}$ (Hayou et al. 2021).",
    )
