"""The NNGP and NTK recursions: the layer maps, stated generically in σ with each activation's
duals linked to the dual claims, the fluctuation exponent of the finite-width kernels, and the
derivation of the NNGP recursion from the Gaussian moments of small layers (kernel.nngp_recursion)."""
from __future__ import annotations

import sympy as sp

from .. import asymptotics
from ..core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from ..gaussian import COVARIANCE
from .setting import (ACTIVATIONS, E, ED, L, N_UNITS, Q, SB2, SIGMA_DOT, SIGMA_NEXT, SW2, THETA, XI, _UNITS, _avg,
                      _inputs, _ntk_affine, _real_line, _step, _units, gaussian_expectation)


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


