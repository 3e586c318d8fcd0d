"""Infinite-width kernels of fully connected networks, derived from small symbolic networks.

Conventions: NTK parameterisation, σ_w² = ``SW2``, σ_b² = ``SB2``, depth L =
number of affine layers (L − 1 hidden nonlinear layers), scalar output,

    h⁰ = x,  z^{ℓ+1} = σ_w h^ℓ W_ℓ/√n_ℓ + σ_b b_ℓ,  h^ℓ = σ(z^ℓ),  f = z^L,  entries N(0, 1).

For (u, v) ~ N(0, [[k11, k12], [k12, k22]]) with k = Σ^ℓ (Jacot, Gabriel & Hongler, "Neural
Tangent Kernel", 2018; Lee et al., "Deep Neural Networks as Gaussian Processes", 2018):

    Σ¹ = σ_w² x·x'/n0 + σ_b²,   Σ^{ℓ+1} = σ_w² E[σ(u)σ(v)] + σ_b²,   Σ̇^{ℓ+1} = E[σ'(u)σ'(v)],
    Θ¹ = Σ¹,   Θ^{ℓ+1} = Σ^{ℓ+1} + σ_w² Σ̇^{ℓ+1} Θ^ℓ,   NNGP Σ^L, NTK Θ^L (L − 1 layer maps).

Standard parameterisation (W_ℓ ~ N(0, σ_w²/n_ℓ), multipliers 1, all hidden widths n): its
NTK grows like n; Θ̂^std/n → Ξ^L with Ξ¹ = 0 and Ξ^{ℓ+1} = E[σ(u)σ(v)] + σ_w² Σ̇^{ℓ+1} Ξ^ℓ
(derived below from the same layer decomposition).

The layer map is stated once, generically in σ (symbols ``E`` = E[σ(u)σ(v)] and ``ED`` =
E[σ'(u)σ'(v)]); each activation adds its closed-form duals as relations ``dual[name]`` and
``dual'[name]``. Numeric predictions iterate these relations (lambdified) layer by layer,
so a mutated relation changes every prediction it feeds.

Every derivation computes its left-hand sides from a small symbolic network: Gaussian
moments of polynomials in independent N(0, 1) weights (:func:`gaussian_expectation`),
SymPy differentiation with respect to every parameter, sums and limits in the width n.
The duals are links to the statements of the dual claims (:mod:`derivations.duals`); the
fluctuation exponents are computed by :mod:`derivations.asymptotics` from the variance of
an average of n independent terms; what SymPy does not establish (the law of large numbers
across layers, Schoenberg's theorem) is cited.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations_with_replacement

import sympy as sp

from catalogue import activations as catalogue

from . import asymptotics, duals
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from .gaussian import COVARIANCE, c, k11, k12, k22, z

__all__ = [
    "SW2", "SB2", "Q", "E", "ED", "SIGMA_NEXT", "SIGMA_DOT", "THETA", "XI", "L", "N_UNITS",
    "ACTIVATIONS", "RECURSION_ACTIVATIONS", "SIGMA_FN", "SIGMA_PRIME_FN", "gaussian_expectation",
    "layer_relations", "dual_relations", "recursion_statement", "NNGP", "NTK", "derive_nngp", "derive_ntk",
    "DECOMPOSITION", "derive_decomposition", "decomposition_symbols",
    "GAUSSIAN_OUTPUTS", "derive_gaussian_outputs", "VAR_K", "MEAN_K",
    "sphere_kernels", "POSITIVE_DEFINITE", "NON_POLYNOMIAL", "derive_positive_definite", "N_POINTS",
    "MIN_DEPTH", "POLYNOMIAL_DEGENERATE", "POLYNOMIAL_DEGREES", "derive_polynomial_degenerate", "DEGREE", "DIMENSION", "P", "M", "D",
    "RELU_DIAGONAL", "derive_relu_diagonal", "K1", "FLUCTUATION", "STANDARD_WEIGHT_VAR",
    "STANDARD_BIAS_VAR",
]

SW2 = sp.Symbol("sigma_w^2", positive=True)
SB2 = sp.Symbol("sigma_b^2", nonnegative=True)
Q = Quantity("x.x'/n0", r"\tfrac{x\cdot x'}{n_0}", real=True)
E = Quantity("E[s(u)s(v)]", r"\mathbb{E}[\sigma(u)\sigma(v)]", real=True)
ED = Quantity("E[s'(u)s'(v)]", r"\mathbb{E}[\sigma'(u)\sigma'(v)]", real=True)
SIGMA_NEXT = Quantity("Sigma^(l+1)", r"\Sigma^{\ell+1}", real=True)
SIGMA_DOT = Quantity("Sigma_dot^(l+1)", r"\dot\Sigma^{\ell+1}", real=True)
THETA = Quantity("Theta^l", r"\Theta^{\ell}", real=True)
XI = Quantity("Xi^l", r"\Xi^{\ell}", real=True)
L = sp.Symbol("L", integer=True, positive=True)
N_UNITS = sp.Symbol("n", integer=True, positive=True)

_UNITS = 3
"""Units of the small symbolic layers whose moments SymPy computes."""


# ------------------------------------------------------------------ activations

@dataclass(frozen=True)
class Nonlinearity:
    """σ as a SymPy expression in z, its derivative, and (if any) its closed-form duals.

    ``links`` are (claim id, statement object, relation name) of the dual claims whose
    relations are ``dual`` = E[σ(u)σ(v)] and ``dual_prime`` = E[σ'(u)σ'(v)].
    """

    name: str
    sigma: sp.Expr
    derivative: sp.Expr
    links: tuple[tuple[str, Statement, str], ...] = ()

    @property
    def dual(self) -> sp.Expr | None:
        return self.links[0][1][self.links[0][2]].rhs if self.links else None

    @property
    def dual_prime(self) -> sp.Expr | None:
        return self.links[1][1][self.links[1][2]].rhs if self.links else None


def _from_catalogue(name: str) -> Nonlinearity:
    """σ and the network's σ' from the catalogue; the links to the claims stating the duals: the
    entry's dual claim, and for σ' = F (α = 0, β = 1) F's dual claim, else the entry's
    derivative claim (Price's theorem)."""
    entry = catalogue.entry(name)
    links = ()
    if entry.claim is not None:
        alpha, beta, f = duals.DERIVATIVE[name]
        prime = ((catalogue.entry(f).claim, f) if (alpha, beta) == (0, 1)
                 else (entry.derivative_claim, name))
        links = ((entry.claim, duals.STATEMENTS[entry.claim], name),
                 (prime[0], duals.STATEMENTS[prime[0]], prime[1]))
    return Nonlinearity(name, duals.SIGMA[name], duals.formula(entry.derivative), links)


ACTIVATIONS = {name: _from_catalogue(name) for name in ("relu", "erf", "identity", "quadratic", "tanh")}
"""σ, σ' and the closed-form duals E[σ(u)σ(v)], E[σ'(u)σ'(v)] in (k11, k22, k12) of the activations
the kernel claims state, read from the catalogue and the statements of the dual claims
(:mod:`derivations.duals`): relu' is the step function (the derivative the networks backpropagate),
so its dual is dual.step's; erf' has dual.erf_prime's; the polynomials' E[σ'σ'] is Price's theorem
(dual.price). tanh has no closed form and serves the finite-width identity only."""


def gaussian_expectation(expr, normals) -> sp.Expr:
    """E[expr] over independent N(0, 1) variables ``normals`` (expr polynomial in them).

    Expands and replaces each monomial Π w_i^{p_i} by Π E[w^{p_i}], with E[w^p] = (p − 1)!!
    for even p and 0 for odd p (Isserlis).
    """
    normals = tuple(normals)
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        powers = term.as_powers_dict()
        exponents = [int(powers.get(w, 0)) for w in normals]
        if any(p % 2 for p in exponents):
            continue
        rest = term / sp.Mul(*(w**p for w, p in zip(normals, exponents)))
        total += rest * sp.Mul(*(sp.factorial2(p - 1) for p in exponents))
    return sp.expand(total)


def _real_line(symbols) -> dict:
    return {s: sp.Interval.open(0, sp.oo) if s.is_positive else
            sp.Interval(0, sp.oo) if s.is_nonnegative else sp.Interval(-sp.oo, sp.oo)
            for s in symbols}


def _domain_for(base: Domain, *exprs) -> Domain:
    """``base`` extended by every other free symbol of ``exprs`` on its natural interval."""
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs))
    extra = free - set(base.intervals) - set(base.derived)
    return Domain({**base.intervals, **_real_line(extra)}, base.derived, base.description)


def _step(text, lhs, rhs, how, domain: Domain, *, op="=", uses=None, extend=True) -> Step:
    """A step whose numeric rung samples ``domain``, extended (``extend``) by the other symbols."""
    return Step(text, lhs, rhs, how, op=op, uses=uses,
                domain=_domain_for(domain, lhs, rhs) if extend else domain)


# ------------------------------------------------------------------ the recursion

def layer_relations(*, ntk: bool) -> tuple[Relation, ...]:
    """Σ¹, the Σ layer map, the number of maps and (``ntk``) Θ¹, Σ̇, Θ, Ξ¹, Ξ maps."""
    relations = [
        Relation("sigma1", Quantity("Sigma^1(x,x')", r"\Sigma^{1}(x,x')"), SW2 * Q + SB2),
        Relation("sigma", Quantity("Sigma^(l+1)(x,x')", r"\Sigma^{\ell+1}(x,x')"), SW2 * E + SB2),
        Relation("maps", Quantity("maps(L)", r"\#\{\text{layer maps in depth } L\}"), L - 1),
    ]
    if ntk:
        relations += [
            Relation("theta1", Quantity("Theta^1(x,x')", r"\Theta^{1}(x,x')"), SW2 * Q + SB2),
            Relation("sigma_dot", Quantity("Sigma_dot^(l+1)(x,x')", r"\dot\Sigma^{\ell+1}(x,x')"), ED),
            Relation("theta", Quantity("Theta^(l+1)(x,x')", r"\Theta^{\ell+1}(x,x')"),
                     SIGMA_NEXT + SW2 * SIGMA_DOT * THETA),
            Relation("xi1", Quantity("Xi^1(x,x')", r"\Xi^{1}(x,x') = \lim \hat\Theta^{1}_{std}/n"),
                     sp.Integer(0)),
            Relation("xi", Quantity("Xi^(l+1)(x,x')", r"\Xi^{\ell+1}(x,x') = \lim \hat\Theta^{\ell+1}_{std}/n"),
                     E + SW2 * SIGMA_DOT * XI),
        ]
    return tuple(relations)


def _dual_quantity(name: str, prime: bool) -> Quantity:
    mark = "'" if prime else ""
    op = rf"\operatorname{{{name}}}{mark}"
    return Quantity(f"E[{name}{mark}(u){name}{mark}(v)]", rf"\mathbb{{E}}[{op}(u)\,{op}(v)]")


def dual_relations(names, *, prime: bool) -> tuple[Relation, ...]:
    """``dual[name]`` (and ``dual'[name]`` when ``prime``) for each activation name."""
    out = []
    for name in names:
        act = ACTIVATIONS[name]
        out.append(Relation(f"dual[{name}]", _dual_quantity(name, False), act.dual))
        if prime:
            out.append(Relation(f"dual'[{name}]", _dual_quantity(name, True), act.dual_prime))
    return tuple(out)


_RECURSION_DOMAIN = Domain(
    {**COVARIANCE.intervals, **_real_line((SW2, SB2, Q, E, ED, SIGMA_NEXT, SIGMA_DOT, THETA, XI)),
     L: sp.Interval(1, 12)},
    COVARIANCE.derived,
    r"k_{11}, k_{22} > 0,\ |k_{12}| \le \sqrt{k_{11}k_{22}},\ \sigma_w^2 > 0,\ \sigma_b^2 \ge 0,\ L \ge 1",
)


FLUCTUATION = Quantity("fluctuation exponent",
                       r"\lim_{n\to\infty}\frac{\log\operatorname{sd}\hat K_n}{\log n}")
STANDARD_WEIGHT_VAR = Quantity("Var W_std", r"\operatorname{Var} W^{std}_{\ell,ij}", positive=True)
STANDARD_BIAS_VAR = Quantity("Var b_std", r"\operatorname{Var} b^{std}_{\ell,j}", nonnegative=True)


def _fluctuation_relation() -> Relation:
    """The exponent of the width n that the spread of a finite-width kernel entry decays like."""
    return Relation("fluctuation", FLUCTUATION, sp.Rational(-1, 2))


def recursion_statement(names, *, ntk: bool) -> Statement:
    """The layer maps and the duals of ``names``: the NNGP (``ntk`` False) or NTK recursion,
    with the fluctuation exponent of the finite-width kernels and (``ntk``) the initial
    variances of the standard parameterisation."""
    standard = (
        Relation("standard_weight_var", STANDARD_WEIGHT_VAR, SW2 / N_UNITS),
        Relation("standard_bias_var", STANDARD_BIAS_VAR, SB2),
    ) if ntk else ()
    return Statement(
        layer_relations(ntk=ntk) + dual_relations(names, prime=ntk) + (_fluctuation_relation(),) + standard,
        _RECURSION_DOMAIN,
        "NTK parameterisation with N(0, 1) entries; depth L = number of affine layers; "
        r"$(u, v) \sim \mathcal{N}(0, \Sigma^{\ell})$ restricted to $\{x, x'\}$; "
        "all hidden widths n → ∞ (Ξ: standard parameterisation, hidden widths n_ℓ = n, "
        r"entries $W_{\ell,ij} \sim \mathcal{N}(0, \operatorname{Var} W^{std})$, "
        r"$b_{\ell,j} \sim \mathcal{N}(0, \operatorname{Var} b^{std})$)",
    )


RECURSION_ACTIVATIONS = ("relu", "erf", "identity")
NNGP = recursion_statement(RECURSION_ACTIVATIONS, ntk=False)
NTK = recursion_statement(RECURSION_ACTIVATIONS, ntk=True)


def _units(prefix: str, count: int = _UNITS):
    return sp.symbols(f"{prefix}0:{count}", real=True)


def _inputs():
    return _units("x"), _units("y")


def _avg(a, b) -> sp.Expr:
    return sp.Add(*(p * q for p, q in zip(a, b))) / len(a)


def _ntk_affine(values, w, b) -> sp.Expr:
    """σ_w n^{-1/2} Σ_i values_i w_i + σ_b b: one unit of an NTK-parameterised layer."""
    return sp.sqrt(SW2) / sp.sqrt(len(values)) * sum(v * wi for v, wi in zip(values, w)) + sp.sqrt(SB2) * b


def _first_layer_covariance(statement: Statement) -> Step:
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)
    lhs = gaussian_expectation(_ntk_affine(x, w, b) * _ntk_affine(y, w, b), w + (b,))
    return _step(
        rf"First layer, $n_0 = {_UNITS}$: SymPy takes the Gaussian moments of "
        r"$z^1_j(x) z^1_j(x')$ over $W_0, b_0$",
        lhs, statement["sigma1"].rhs.subs(Q, _avg(x, y)), Justification.INTEGRATE, statement.domain)


def _layer_covariance(statement: Statement) -> Step:
    h, g = _units("h"), _units("g")
    w, (b,) = _units("w"), _units("b", 1)
    lhs = gaussian_expectation(_ntk_affine(h, w, b) * _ntk_affine(g, w, b), w + (b,))
    return _step(
        rf"Layer map, $n_\ell = {_UNITS}$ units with activations $h_j = \sigma(z^\ell_j(x))$, "
        r"$g_j = \sigma(z^\ell_j(x'))$ given: SymPy takes the moments over $W_\ell, b_\ell$; "
        r"the average $\frac1n\sum_j h_j g_j$ stands where the statement has "
        r"$\mathbb{E}[\sigma(u)\sigma(v)]$",
        lhs, statement["sigma"].rhs.subs(E, _avg(h, g)), Justification.INTEGRATE, statement.domain)


_LLN = ("Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein, Deep Neural Networks as "
        "Gaussian Processes, 2018 (law of large numbers by induction on the layer); Matthews et al., "
        "Gaussian Process Behaviour in Wide Deep Neural Networks, 2018, Thm 4")


def _averages_converge() -> Step:
    """Cited: averages over the units of a layer converge to Gaussian expectations."""
    return cited(
        r"Law of large numbers, by induction on $\ell$: as the widths of the layers up to $\ell$ grow, "
        r"the units $j$ of layer $\ell$ become i.i.d. with $(z^\ell_j(x), z^\ell_j(x')) \sim "
        r"\mathcal{N}(0, \Sigma^\ell)$, and averages $\frac1n\sum_j \phi_j$ over them converge to "
        r"$\mathbb{E}[\phi(u, v)]$",
        Quantity("lim (1/n) sum_j phi_j", r"\lim_{n\to\infty}\tfrac1n\textstyle\sum_j \phi(z^\ell_j(x), z^\ell_j(x'))"),
        Quantity("E[phi(u,v)]", r"\mathbb{E}[\phi(u, v)]"), _LLN)


def _fluctuation(statement: Statement, text: str, variance: sp.Expr) -> Step:
    """The exponent of sd = σ_w² √variance / n in n (the kernel is σ_w²/n times a sum whose
    variance SymPy summed), against the statement's fluctuation exponent."""
    spread = SW2 * sp.sqrt(variance) / asymptotics.n
    return _step(text, asymptotics.exponent(spread), statement["fluctuation"].rhs, Justification.LIMIT,
                 statement.domain)


def _fluctuation_of_average(statement: Statement) -> Step:
    """The spread of an average of n independent terms, computed by derivations.asymptotics."""
    s = sp.Symbol("s", positive=True)
    return _fluctuation(
        statement,
        r"Fluctuations of $\hat K_n = \sigma_w^2\frac1n\sum_j \sigma(z_j(x))\sigma(z_j(x')) + \sigma_b^2$: "
        r"given the layer below its $n$ terms are independent with a common variance $s^2$; SymPy sums "
        r"their covariance matrix (Bienaymé) for $\operatorname{sd}\hat K_n$ and takes "
        r"$\lim \log\operatorname{sd}/\log n$ (the layers below add fluctuations of the same order "
        r"through the averages they feed, by induction)",
        asymptotics.spread_of_sum(asymptotics.n, s**2) ** 2)


def _fluctuation_of_tangent(statement: Statement) -> Step:
    """The spread of the decomposition's sums: n diagonal terms and n(n−1)/2 centred pairs."""
    s, t = sp.symbols("s t", positive=True)
    n = asymptotics.n
    return _fluctuation(
        statement,
        r"Fluctuations of $\hat\Theta^{\ell+1}_n$ (kernel.ntk\_layer\_decomposition): $\frac{\sigma_w^2}{n}$ "
        r"times $n$ independent diagonal terms $h_jg_j + W_j^2 d_j e_j\hat\Theta^\ell_{jj}$ (variance "
        r"$s^2$) plus $n(n-1)/2$ uncorrelated centred pairs $W_jW_k(d_je_k\hat\Theta^\ell_{jk} + "
        r"d_ke_j\hat\Theta^\ell_{kj})$ whose $\hat\Theta^\ell_{jk}$, $j \ne k$, are themselves centred "
        r"averages of size $t\,n^{-1/2}$ (induction hypothesis); the two parts are uncorrelated "
        r"($\mathbb{E}[W_j^2 W_kW_l] = 0$ for $k \ne l$). SymPy sums both covariance matrices and takes "
        r"$\lim \log\operatorname{sd}/\log n$",
        asymptotics.spread_of_sum(n, s**2) ** 2 + asymptotics.spread_of_sum(n * (n - 1) / 2, t**2 / n) ** 2)


def _maps_count(statement: Statement) -> Step:
    l = sp.Symbol("ell", integer=True)
    return _step(
        r"Depth $L$ has hidden layers $\ell = 1, \dots, L-1$, one layer map each",
        sp.summation(1, (l, 1, L - 1)), statement["maps"].rhs, Justification.ALGEBRA, statement.domain)


def _dual_steps(statement: Statement) -> tuple[Step, ...]:
    """Each ``dual[...]`` and ``dual'[...]`` links the relation of its dual claim's statement."""
    covariance = Domain({**COVARIANCE.intervals, **statement.domain.intervals},
                        {**COVARIANCE.derived, **statement.domain.derived}, statement.domain.description)
    steps = []
    for relation in statement.relations:
        if not relation.name.startswith("dual"):
            continue
        prime = relation.name.startswith("dual'")
        name = relation.name[6:-1] if prime else relation.name[5:-1]
        claim_id, linked, linked_name = ACTIVATIONS[name].links[int(prime)]
        what = rf"$\mathbb{{E}}[\sigma'(u)\sigma'(v)]$ with $\sigma' = {sp.latex(ACTIVATIONS[name].derivative)}$" \
            if prime else r"$\mathbb{E}[\sigma(u)\sigma(v)]$"
        steps.append(link(rf"The {name} {what} is relation {linked_name.replace('_', chr(92) + '_')} of "
                          rf"claim {claim_id.replace('_', chr(92) + '_')}",
                          relation.rhs, claim_id, linked, linked_name, domain=covariance))
    return tuple(steps)


def derive_nngp(statement: Statement) -> Derivation:
    """Σ¹ and the Σ layer map from Gaussian moments of small layers, then the limit n → ∞."""
    return Derivation(
        (_first_layer_covariance(statement), _layer_covariance(statement), _averages_converge(),
         _maps_count(statement), _fluctuation_of_average(statement)) + _dual_steps(statement),
        r"Given layer $\ell$, the outputs of layer $\ell+1$ are centred Gaussian (linear in the "
        r"weights) with the stated covariance at finite width; the averages converge to "
        r"expectations over $\mathcal{N}(0, \Sigma^\ell)$, which makes layer $\ell+1$ Gaussian in "
        r"the limit (induction; Lee et al. 2018). Iterating $L - 1$ maps from $\Sigma^1$ gives "
        r"$\Sigma^L$; the finite-width kernel is an average of $n$ terms, whose spread decays like "
        r"$n^{-1/2}$.",
    )


# ------------------------------------------------------------------ the layer decomposition

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


# ------------------------------------------------------------------ the NTK recursion

def _first_layer_tangent(statement: Statement) -> Step:
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)
    return _step(
        r"First layer: SymPy differentiates $z^1(x), z^1(x')$ with respect to $W_0, b_0$",
        _tangent(_ntk_affine(x, w, b), _ntk_affine(y, w, b), w + (b,)), statement["theta1"].rhs.subs(Q, _avg(x, y)),
        Justification.DIFFERENTIATE, statement.domain)


def _layer_tangent(statement: Statement) -> Step:
    moments, (h, g, d, e) = _readout_expectation(DECOMPOSITION["decomposition"].rhs)
    layer_map = statement["theta"].rhs.subs({
        SIGMA_NEXT: statement["sigma"].rhs.subs(E, _avg(h, g)),
        SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, _avg(d, e)),
    })
    return link(
        r"Layer map (kernel.ntk\_layer\_decomposition): SymPy takes the moments over the readout of "
        r"the linked exact decomposition with $\hat\Theta^\ell_{jk} = \delta_{jk}\Theta^\ell$, $n = 3$ "
        r"units ($h_j = \sigma(z_j)$, $d_j = \sigma'(z_j)$; $g_j, e_j$ at $x'$)",
        layer_map, "kernel.ntk_layer_decomposition", DECOMPOSITION, "decomposition", rhs=moments,
        domain=_domain_for(statement.domain, layer_map, moments))


def _standard_units(statement: Statement) -> Step:
    """The standard parameterisation's initial variances give the NTK parameterisation's Σ¹."""
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)
    weight = sp.sqrt(statement["standard_weight_var"].rhs.subs(N_UNITS, _UNITS))
    bias = sp.sqrt(statement["standard_bias_var"].rhs)

    def z1(inp):
        return sum(i * weight * wi for i, wi in zip(inp, w)) + bias * b

    return _step(
        rf"Standard parameterisation, $n_0 = {_UNITS}$: with multipliers 1 and entries of the stated "
        r"variances ($W = \sqrt{\operatorname{Var}W^{std}}\,w$, $b = \sqrt{\operatorname{Var}b^{std}}\,b'$, "
        r"$w, b'$ standard normal) SymPy takes the moments of $z^1_j(x)z^1_j(x')$: the same $\Sigma^1$, "
        r"so both parameterisations compute the same function at initialisation",
        gaussian_expectation(z1(x) * z1(y), w + (b,)), statement["sigma1"].rhs.subs(Q, _avg(x, y)),
        Justification.INTEGRATE, statement.domain)


def _standard_first_layer(statement: Statement) -> Step:
    x, y = _inputs()
    w, (b,) = _units("w"), _units("b", 1)

    def z1(inp):
        return sum(i * wi for i, wi in zip(inp, w)) + b

    return _step(
        r"Standard parameterisation, first layer: the gradients are $x_i$ and 1 (multipliers 1), "
        r"so $\hat\Theta^1_{std}/n$ has the limit",
        sp.limit(_tangent(z1(x), z1(y), w + (b,)) / N_UNITS, N_UNITS, sp.oo),
        statement["xi1"].rhs, Justification.LIMIT, statement.domain)


def _standard_layer(statement: Statement) -> tuple[Step, Step]:
    h, g, d, e = (_units(p) for p in ("h", "g", "d", "e"))
    w = _units("w")
    n = _UNITS
    weights = [sp.sqrt(statement["standard_weight_var"].rhs.subs(N_UNITS, n)) * wi for wi in w]
    own = sum(a * b for a, b in zip(h, g))
    below = sum(weights[j] * weights[k] * d[j] * e[k] * (n * XI if j == k else 0)
                for j in range(n) for k in range(n))
    lhs = gaussian_expectation((own + below) / n, w)
    rhs = statement["xi"].rhs.subs({E: _avg(h, g), SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, _avg(d, e))})
    weights_step = _step(
        r"Standard parameterisation, layer map: $\hat\Theta^{\ell+1}_{std} = \sum_j h_j g_j + 1 + "
        r"\sum_{jk} W_j W_k d_j e_k \hat\Theta^{\ell}_{std,jk}$ with $W_j \sim \mathcal{N}(0, \operatorname{Var}W^{std})$ "
        r"and $\hat\Theta^\ell_{std,jk} = n\delta_{jk}\Xi^\ell$; SymPy takes the moments of the "
        r"weight part over $n$ ($n = 3$)",
        lhs, rhs, Justification.INTEGRATE, statement.domain)
    bias_step = Step(
        r"The readout bias adds $1/n$, which vanishes",
        sp.limit(1 / N_UNITS, N_UNITS, sp.oo), sp.Integer(0), Justification.LIMIT)
    return weights_step, bias_step


def derive_ntk(statement: Statement) -> Derivation:
    """Θ¹ and the Θ map from the exact decomposition; Σ as in :func:`derive_nngp`; Ξ likewise."""
    return Derivation(
        (_first_layer_covariance(statement), _layer_covariance(statement),
         _first_layer_tangent(statement), _layer_tangent(statement),
         _standard_units(statement), _standard_first_layer(statement)) + _standard_layer(statement)
        + (_averages_converge(), _maps_count(statement), _fluctuation_of_tangent(statement))
        + _dual_steps(statement),
        r"By induction on depth, the empirical NTK at initialisation converges to the "
        r"deterministic $\Theta^L$ (Jacot et al. 2018, Thm 1); in the standard parameterisation "
        r"$\hat\Theta/n \to \Xi^L$, the weights of the hidden layers dominating; the finite-width "
        r"kernels fluctuate like $n^{-1/2}$.",
    )


# ------------------------------------------------------------------ Gaussian outputs

KURTOSIS = Quantity("E[f^4]/E[f^2]^2", r"\mathbb{E}[f^4]/\mathbb{E}[f^2]^2")
VAR_K = Quantity("Var K_hat", r"\operatorname{Var}\hat K", nonnegative=True)
MEAN_K = Quantity("E K_hat", r"\mathbb{E}\hat K", positive=True)

GAUSSIAN_OUTPUTS = Statement(
    (Relation("mixture", KURTOSIS, 3 + 3 * VAR_K / MEAN_K**2),
     Relation("limit", Quantity("lim kurtosis", r"\lim_{n\to\infty}\mathbb{E}[f^4]/\mathbb{E}[f^2]^2"),
              sp.Integer(3)),
     Relation("rate", Quantity("kurtosis exponent",
                               r"\lim_{n\to\infty}\frac{\log(\mathbb{E}[f^4]/\mathbb{E}[f^2]^2 - 3)}{\log n}"),
              sp.Integer(-1))),
    Domain(_real_line((VAR_K, MEAN_K, SW2))),
    r"$f(x)$ at initialisation, one input; $\hat K = \sigma_w^2\|h^{L-1}(x)\|^2/n + \sigma_b^2$ the "
    r"output variance given the layers below; hidden widths $n$",
)


def derive_gaussian_outputs(statement: Statement) -> Derivation:
    """Kurtosis of a Gaussian scale mixture; Var K̂ = σ_w⁴ V/n; limit and exponent in n."""
    xi = sp.Symbol("xi", real=True)
    K = sp.Symbol("K", positive=True)
    fourth = gaussian_expectation(K**2 * xi**4, (xi,)).subs(K**2, VAR_K + MEAN_K**2)
    second = gaussian_expectation(K * xi**2, (xi,)).subs(K, MEAN_K)
    V, mu = sp.Symbol("V", positive=True), sp.Symbol("mu", real=True)
    n = asymptotics.n
    var_k = asymptotics.spread_of_sum(n, SW2**2 * V / n**2) ** 2
    terms = [mu + sp.sqrt(V) * t for t in _units("t")]
    k_hat = SW2 * sum(terms) / _UNITS + SB2
    centred = gaussian_expectation((k_hat - gaussian_expectation(k_hat, _units("t")))**2, _units("t"))
    kurtosis_n = statement["mixture"].rhs.subs(VAR_K, var_k)
    domain = statement.domain
    return Derivation(
        (_step(r"Given the layers below, $f = \sqrt{\hat K}\,\xi$ with $\xi \sim \mathcal{N}(0,1)$ "
               r"independent: SymPy takes $\mathbb{E}[\xi^4] = 3$, $\mathbb{E}[\xi^2] = 1$, then "
               r"averages over $\hat K$", fourth / second**2, statement["mixture"].rhs,
               Justification.INTEGRATE, domain),
         _step(r"One hidden layer: $\hat K = \sigma_w^2\frac1n\sum_j \phi_j + \sigma_b^2$ with "
               r"$\phi_j = \sigma(z_j)^2$ i.i.d. of variance $V$. SymPy computes "
               r"$\operatorname{Var}\hat K$ for general $n$ by summing the covariance matrix of the terms "
               r"(Bienaymé; derivations.asymptotics) and, at $n = 3$ with Gaussian $\phi_j = \mu + "
               r"\sqrt V t_j$, directly from the moments of $\hat K$: the two agree",
               centred, var_k.subs(n, _UNITS), Justification.INTEGRATE, _domain_for(domain, centred)),
         _step(r"With that $\operatorname{Var}\hat K$ in the mixture, SymPy takes the kurtosis's limit "
               r"$n \to \infty$", sp.limit(kurtosis_n, n, sp.oo), statement["limit"].rhs,
               Justification.LIMIT, _domain_for(domain, V)),
         _step(r"and the exponent of its excess over the limit, $\lim \log(\text{excess})/\log n$",
               asymptotics.exponent(kurtosis_n - statement["limit"].rhs), statement["rate"].rhs,
               Justification.LIMIT, _domain_for(domain, V))),
        r"The output is a Gaussian scale mixture whose mixing variance concentrates like $1/n$; "
        r"its kurtosis, 3 for the Gaussian, exceeds 3 by $3\operatorname{Var}\hat K/\mathbb{E}[\hat K]^2 "
        r"= O(1/n)$. Deeper networks add the propagated fluctuations of the layers below, also "
        r"$O(1/n)$ (Hanin 2019), so the same exponent holds asymptotically.",
    )


# ------------------------------------------------------------------ kernels on the sphere

def sphere_kernels(statement: Statement, name: str, depth: int) -> tuple[sp.Expr, sp.Expr]:
    """(Σ^L, Θ^L) at x·x'/n0 = c, |x|² = |x'|² = n0, by iterating the statement's relations."""
    maps = int(statement["maps"].rhs.subs(L, depth))
    sigma_d = statement["sigma1"].rhs.subs(Q, 1)
    sigma_c = statement["sigma1"].rhs.subs(Q, c)
    theta_c = statement["theta1"].rhs.subs(Q, c)
    dual, dual_prime = statement[f"dual[{name}]"].rhs, statement[f"dual'[{name}]"].rhs
    for _ in range(maps):
        at = {k11: sigma_d, k22: sigma_d, k12: sigma_c}
        new_c = statement["sigma"].rhs.subs(E, dual.subs(at))
        dot_c = statement["sigma_dot"].rhs.subs(ED, dual_prime.subs(at))
        theta_c = statement["theta"].rhs.subs({SIGMA_NEXT: new_c, SIGMA_DOT: dot_c, THETA: theta_c})
        sigma_d = statement["sigma"].rhs.subs(E, dual.subs({k11: sigma_d, k22: sigma_d, k12: sigma_d}))
        sigma_c = new_c
    return sigma_c, theta_c


N_POINTS = sp.Symbol("N", integer=True, positive=True)
MIN_DEPTH = Quantity("L_min", r"L_{\min}")
_SPHERE = Domain({**_RECURSION_DOMAIN.intervals, c: sp.Interval.open(-1, 1),
                  N_POINTS: sp.Interval(1, 64)}, COVARIANCE.derived,
                 r"x \cdot x'/n_0 = c \in (-1, 1) \text{ on the sphere } |x|^2 = n_0")
_HERMITE_ORDER = 4


def _pd_statement(names) -> Statement:
    return Statement(
        layer_relations(ntk=True) + dual_relations(names, prime=True) + (
            Relation("rank", Quantity("rank Theta^L(X,X)", r"\operatorname{rank}\Theta^L(X, X)"), N_POINTS),
            Relation("min_depth", MIN_DEPTH, sp.Integer(2))),
        _SPHERE,
        r"$N$ distinct points on the sphere; $\sigma$ not a polynomial; $L \ge L_{\min}$",
    )


NON_POLYNOMIAL = ("relu", "erf")
POSITIVE_DEFINITE = _pd_statement(NON_POLYNOMIAL)


@functools.cache
def _hermite_coefficients(name: str) -> sp.Matrix:
    """E[σ(z) He_k(z)]²/k! = E[σ^{(k)}(z)]²/k! for z ~ N(0, 1), k ≤ _HERMITE_ORDER + 1.

    Gaussian integration by parts (Stein) moves He_k onto σ as k derivatives; SymPy
    differentiates (distributionally for ReLU) and integrates term by term against the
    standard normal density (exponentials combined first, which keeps erf's fast).
    """
    sigma = ACTIVATIONS[name].sigma
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    means = [sp.integrate(sp.powsimp(sp.expand(sp.diff(sigma, z, k) * phi)), (z, -sp.oo, sp.oo))
             for k in range(_HERMITE_ORDER + 2)]
    return sp.Matrix([m**2 / sp.factorial(k) for k, m in enumerate(means)])


def _mehler_steps(statement: Statement, name: str) -> tuple[Step, Step]:
    unit = statement[f"dual[{name}]"].rhs.subs({k11: 1, k22: 1, k12: c})
    series = sp.series(unit, c, 0, _HERMITE_ORDER + 2).removeO()
    coefficients = sp.Matrix([series.coeff(c, k) for k in range(_HERMITE_ORDER + 2)])
    hermite = _hermite_coefficients(name)
    return (
        _step(rf"Mehler: the Taylor coefficients of the {name} dual at unit variances are "
              r"$a_k = \mathbb{E}[\sigma(z)\mathrm{He}_k(z)]^2/k! = \mathbb{E}[\sigma^{(k)}(z)]^2/k! \ge 0$ "
              rf"(SymPy expands the dual, differentiates $\sigma$ and integrates, $k \le {_HERMITE_ORDER + 1}$)",
              coefficients, hermite, Justification.INTEGRATE, statement.domain),
        _step(rf"Not a polynomial: $a_{{{_HERMITE_ORDER}}} + a_{{{_HERMITE_ORDER + 1}}} > 0$ (a polynomial "
              r"$\sigma$ of degree $p$ has $a_k = 0$ for $k > p$; the Hermite coefficients of a "
              r"non-polynomial $\sigma$ never all vanish beyond any order)",
              coefficients[_HERMITE_ORDER] + coefficients[_HERMITE_ORDER + 1], sp.Integer(0),
              Justification.ALGEBRA, statement.domain, op=">"),
    )


def derive_positive_definite(statement: Statement) -> Derivation:
    """Infinitely many positive Taylor coefficients (Mehler) and depth ≥ 2 ⇒ strictly PD."""
    names = [r.name[5:-1] for r in statement.relations if r.name.startswith("dual[")]
    steps = tuple(s for name in names for s in _mehler_steps(statement, name))
    depth = int(statement["min_depth"].rhs)
    depth_steps = []
    for name in names:
        sigma = sphere_kernels(statement, name, depth)[0]
        curvature = sum(sp.diff(sigma, c, k).subs(c, 0) for k in (2, 3))
        depth_steps.append(_step(
            rf"At depth $L_{{\min}} = {depth}$ the {name} NNGP on the sphere is not affine in $c$: its "
            r"Taylor coefficients of order 2 and 3 at $c = 0$ (non-negative by Mehler) do not both "
            r"vanish (SymPy iterates the statement's layer maps and differentiates), unlike "
            r"$\Sigma^1 = \Theta^1 = \sigma_w^2 c + \sigma_b^2$, whose Gram matrix has rank $\le n_0 + 1$",
            curvature, sp.Integer(0), Justification.DIFFERENTIATE, statement.domain, op=">"))
    schoenberg = cited(
        r"Schoenberg: a dot-product kernel $\sum_k b_k c^k$ on the sphere with $b_k \ge 0$ and infinitely "
        r"many $b_k > 0$ is strictly positive definite, so the Gram matrix of $N$ distinct points "
        r"has rank $N$ (with $\Theta^L \succeq \Sigma^L$ by the Schur product theorem)",
        statement["rank"].lhs, statement["rank"].rhs,
        "Schoenberg, Positive Definite Functions on Spheres, 1942; Gneiting, Strictly and Non-Strictly "
        "Positive Definite Functions on Spheres, 2013; Jacot, Gabriel & Hongler, Neural Tangent Kernel, "
        "2018, Prop. 2", domain=statement.domain)
    return Derivation(
        _dual_steps(statement) + steps + tuple(depth_steps) + (schoenberg,),
        r"For $L \ge 2$, $\Sigma^L(c) = \sigma_w^2\sum_k a_k (\cdot)^k + \sigma_b^2$ composed with "
        r"$\Sigma^{L-1}$ has non-negative Taylor coefficients in $c$, infinitely many positive; such a "
        r"dot-product kernel is strictly positive definite on the sphere (Schoenberg 1942; Gneiting "
        r"2013), and $\Theta^L = \Sigma^L + \sigma_w^2\dot\Sigma^L\odot\Theta^{L-1} \succeq \Sigma^L$ "
        r"by the Schur product theorem (Jacot et al. 2018, Prop. 2). Hence $\lambda_{\min} > 0$ and "
        r"the Gram matrix of $N$ distinct points has rank $N$.",
    )


# ------------------------------------------------------------------ polynomial activations

P, M, D = sp.symbols("p m d", integer=True, positive=True)
DEGREE = Quantity("deg_c Theta^L", r"\deg_c \Theta^L")
DIMENSION = Quantity("dim P_m(S^(d-1))", r"\dim \mathcal{P}_m(S^{d-1})")

POLYNOMIAL_DEGENERATE = Statement(
    layer_relations(ntk=True) + dual_relations(("identity", "quadratic"), prime=True) + (
        Relation("degree", DEGREE, P ** (L - 1)),
        Relation("dimension", DIMENSION, sp.binomial(M + D - 1, D - 1) + sp.binomial(M + D - 2, D - 1))),
    Domain({**_SPHERE.intervals, P: sp.Interval(1, 4), M: sp.Interval(1, 8), D: sp.Interval(2, 6)},
           _SPHERE.derived, _SPHERE.description),
    r"$\sigma$ a polynomial of degree $p$ (identity $p = 1$, quadratic $p = 2$); inputs on the "
    r"sphere $|x|^2 = n_0 = d$; the Gram matrix of $N$ points has rank $\le \min(N, "
    r"\dim\mathcal{P}_m(S^{d-1}))$ with $m = \deg_c\Theta^L$",
)

POLYNOMIAL_DEGREES = {name: catalogue.entry(name).polynomial_degree for name in ("identity", "quadratic")}


def _standard_monomials(d: int, m: int) -> int:
    """Polynomials of degree ≤ m on S^{d−1}: monomials of degree ≤ m outside the leading ideal."""
    xs = sp.symbols(f"t0:{d}")
    basis = sp.groebner([sum(t**2 for t in xs) - 1], *xs, order="grevlex")
    leading = [sp.Poly(g, *xs).monoms(order="grevlex")[0] for g in basis.exprs]
    count = 0
    for degree in range(m + 1):
        for combo in combinations_with_replacement(range(d), degree):
            exps = [combo.count(i) for i in range(d)]
            count += not any(all(e >= l for e, l in zip(exps, lead)) for lead in leading)
    return count


def derive_polynomial_degenerate(statement: Statement) -> Derivation:
    """Duals by moments; the degree of Θ^L in c; the dimension of polynomials on the sphere."""
    table = [(p_name, depth) for p_name in POLYNOMIAL_DEGREES for depth in (1, 2, 3)]
    degrees = sp.Matrix([sp.Poly(sp.expand(sphere_kernels(statement, name, depth)[1]), c).degree()
                         for name, depth in table])
    stated = sp.Matrix([statement["degree"].rhs.subs({P: POLYNOMIAL_DEGREES[name], L: depth})
                        for name, depth in table])
    shapes = [(d, m) for d in (2, 3, 4) for m in (1, 2, 3, 4)]
    counted = sp.Matrix([_standard_monomials(d, m) for d, m in shapes])
    formula = sp.Matrix([statement["dimension"].rhs.subs({D: d, M: m}) for d, m in shapes])
    return Derivation(
        _dual_steps(statement) + (
            _step(r"SymPy iterates the statement's layer maps on the sphere ($x\cdot x'/n_0 = c$) and "
                  r"reads off the degree of $\Theta^L$ in $c$ (identity and quadratic, $L = 1, 2, 3$)",
                  degrees, stated, Justification.ALGEBRA, statement.domain),
            _step(r"The dimension of polynomials of degree $\le m$ restricted to $S^{d-1}$ is the "
                  r"number of standard monomials modulo the Gröbner basis of $|t|^2 - 1$ "
                  r"($d = 2, 3, 4$; $m \le 4$)",
                  counted, formula, Justification.ALGEBRA, statement.domain)),
        r"$\Theta^L(x, x') = \sum_{k \le m} a_k (x\cdot x'/n_0)^k$ on the sphere, so each column of "
        r"the Gram matrix is a polynomial of degree $\le m$ restricted to the sphere evaluated at "
        r"the points: the rank is at most that dimension. Polynomial $\sigma$ is excluded by the "
        r"positive-definiteness theorem (kernel.positive\_definite) for this reason.",
    )


# ------------------------------------------------------------------ the ReLU diagonal

K1 = Quantity("Sigma^1(x,x)", r"\Sigma^1(x,x)", positive=True)

RELU_DIAGONAL = Statement(
    layer_relations(ntk=True) + dual_relations(("relu",), prime=True) + (
        Relation("weight_var", Quantity("sigma_w^2 (He)", r"\sigma_w^2"), sp.Integer(2)),
        Relation("bias_var", Quantity("sigma_b^2 (He)", r"\sigma_b^2"), sp.Integer(0)),
        Relation("sigma_diag", Quantity("Sigma^l(x,x)", r"\Sigma^{\ell}(x,x)"), K1),
        Relation("theta_diag", Quantity("Theta^L(x,x)", r"\Theta^{L}(x,x)"), L * K1),
        _fluctuation_relation()),
    Domain({K1: sp.Interval.open(0, sp.oo), L: sp.Interval(1, 12)}),
    r"ReLU, $\sigma_w^2 = 2$, $\sigma_b = 0$ (He initialisation), every $\ell \ge 1$ and depth $L \ge 1$",
)


def derive_relu_diagonal(statement: Statement) -> Derivation:
    """Induction: the diagonal layer map fixes Σ(x,x) and adds Σ¹(x,x) to Θ(x,x) per layer."""
    fixed = {SW2: statement["weight_var"].rhs, SB2: statement["bias_var"].rhs}
    q_xx = sp.solve(statement["sigma1"].rhs.subs(fixed) - K1, Q)[0]
    diagonal = statement["sigma_diag"].rhs
    at = {k11: diagonal, k22: diagonal, k12: diagonal}
    sigma_next = statement["sigma"].rhs.subs(E, statement["dual[relu]"].rhs.subs(at)).subs(fixed)
    theta_next = statement["theta"].rhs.subs({
        SIGMA_NEXT: sigma_next,
        SIGMA_DOT: statement["sigma_dot"].rhs.subs(ED, statement["dual'[relu]"].rhs.subs(at)),
        THETA: statement["theta_diag"].rhs.subs(L, L - 1)}).subs(fixed)
    domain = statement.domain
    return Derivation(
        (_step(r"Base: $\Sigma^1(x,x)$, with $x\cdot x/n_0$ solved from its definition $K_1 = \Sigma^1(x,x)$",
               statement["sigma1"].rhs.subs(fixed).subs(Q, q_xx), statement["sigma_diag"].rhs,
               Justification.SUBSTITUTE, domain),
         _step(r"Base: $\Theta^1(x,x)$ at the same input", statement["theta1"].rhs.subs(fixed).subs(Q, q_xx),
               statement["theta_diag"].rhs.subs(L, 1), Justification.SUBSTITUTE, domain),
         _step(r"On the diagonal $c = 1$ the ReLU dual is $k/2$: the layer map keeps $\Sigma(x,x)$ "
               r"(induction step for $\Sigma$)",
               sigma_next, diagonal, Justification.SUBSTITUTE, domain),
         _step(r"and $\dot\Sigma(x,x) = 1/2$, so the layer map adds $\Sigma^{\ell+1}(x,x)$ to "
               r"$\sigma_w^2\dot\Sigma\,\Theta^{L-1}(x,x) = \Theta^{L-1}(x,x)$ (induction step for $\Theta$)",
               theta_next, statement["theta_diag"].rhs, Justification.SUBSTITUTE, domain),
         _fluctuation_of_average(statement), _fluctuation_of_tangent(statement)) + _dual_steps(statement),
        r"By induction on the layer, He-initialised ReLU networks keep the input's scale "
        r"($\Sigma^\ell(x,x) = \Sigma^1(x,x)$) and every layer adds $\Sigma^1(x,x)$ to the NTK's "
        r"diagonal: $\Theta^L(x,x) = L\,\Sigma^1(x,x)$; at width $n$ both diagonals fluctuate "
        r"like $n^{-1/2}$.",
    )
