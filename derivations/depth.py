"""Depth scales and designed activations: the SymPy statements and their derivations.

``depth.erf_correlation_map`` — for erf networks without bias (σ_b = 0) the correlation
of two inputs at the fixed length q* follows

    c_{ℓ+1} = f(c_ℓ),   f(c) = (2σ_w²/(π q)) arcsin(2qc/(1 + 2q)),

which is σ_w² E[erf(u) erf(v)]/q at k11 = k22 = q, k12 = qc (the dual of the claim
dual.erf; Williams 1997, "Computing with infinite networks"); its slope at the fixed
point c* = 0 is χ_c = f'(0) = 4σ_w²/(π(1 + 2q)), which Price's theorem also gives as
σ_w² E[erf'(u) erf'(v)] at k12 = 0 (claim dual.erf_prime); and as q → 0 the slope at
c = 1 is σ_w²·4/π, so the order-to-chaos transition at σ_b = 0 is σ_w² = π/4 (Poole
et al. 2016, "Exponential expressivity in deep neural networks through transient
chaos"; Schoenholz et al. 2017, "Deep information propagation"). The empirical
correlation of a width-n network fluctuates about f^ℓ(c₀) like n^{−1/2}.

``design.realised_kernels`` — Mehler's formula E[σ(u)σ(v)] = Σ a_k² ρ^k (unit
variances, σ = Σ a_k h_k; O'Donnell 2014, "Analysis of Boolean Functions", §11.2) turns
a target series into an activation (Daniely, Frostig & Singer 2016; Simon, Anand &
DeWeese 2021, "Reverse engineering the neural tangent kernel"): a_k² = e^{−1}/k! gives
the Gaussian kernel e^{ρ−1} on the sphere, and a_k² = t_k/(k + 1) gives the
one-hidden-layer NTK Θ = D + ρD' = Σ t_k ρ^k, e.g. (1 + ρ)²/4.
"""
from __future__ import annotations

import functools

import sympy as sp

from . import asymptotics, duals
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited, link
from .gaussian import k11, k12, k22

__all__ = ["SW2", "Q", "C", "RHO", "K", "ELL", "CHI", "ERF_MAP", "derive_erf_map", "APPROACH", "derive_approach",
           "RELU_CRITICAL",
           "derive_relu_critical", "DESIGN", "derive_design", "GAUSSIAN_TERMS", "NTK_TARGET",
           "M", "HERMITE", "HERMITE_TERMS", "derive_hermite", "AMPLITUDE", "TAU", "ZETA", "MAX_DEPTH",
           "derive_max_depth", "DEGENERACY", "derive_degeneracy"]

SW2 = sp.Symbol("sigma_w^2", positive=True)
Q = sp.Symbol("q", positive=True)
C = sp.Symbol("c", real=True)
RHO = sp.Symbol("rho", real=True)
ELL = sp.Symbol("ell", positive=True)
CHI = sp.Symbol("chi_c", positive=True)
_DELTA0 = sp.Symbol("delta_0", positive=True)
_T = sp.Symbol("t", positive=True)
K = sp.Symbol("k", integer=True, nonnegative=True)
_S = sp.Symbol("s", positive=True)

_POOLE = "Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli, Exponential expressivity in deep neural networks through transient chaos, 2016"
_SCHOENHOLZ = "Schoenholz, Gilmer, Ganguli & Sohl-Dickstein, Deep information propagation, 2017"
_CESARO = "Stolz-Cesàro theorem (e.g. Knopp, Theory and Application of Infinite Series, 1951, §3.4)"
_MEHLER = "O'Donnell, Analysis of Boolean Functions, 2014, Prop. 11.31 (Mehler's formula)"
_JACOT = "Jacot, Gabriel & Hongler, Neural Tangent Kernel, 2018, Thm 1"

# ------------------------------------------------------------------ depth.erf_correlation_map

_MAP_DOMAIN = Domain(
    {SW2: sp.Interval(sp.pi / 4, 9), Q: sp.Interval.Lopen(0, 10), C: sp.Interval(-1, 1)},
    description=r"\pi/4 \le \sigma_w^2 \le 9,\ 0 < q \le 10,\ |c| \le 1,\ \sigma_b = 0")

ERF_MAP = Statement(
    (
        Relation("map", Quantity("c_next", r"c_{\ell+1}"),
                 2 * SW2 / (sp.pi * Q) * sp.asin(2 * Q * C / (1 + 2 * Q))),
        Relation("slope", Quantity("chi_c", r"\chi_c"), 4 * SW2 / (sp.pi * (1 + 2 * Q))),
        Relation("critical", Quantity("sigma_w^2 crit", r"\sigma_{w,\mathrm{crit}}^2"), sp.pi / 4),
        Relation("fluctuation", Quantity("sd exponent", r"\lim_n \log\operatorname{sd}\hat c_\ell/\log n"),
                 sp.Rational(-1, 2)),
    ),
    _MAP_DOMAIN,
    r"$\sigma = \operatorname{erf}$, $\sigma_b = 0$, both inputs at the length $q$ "
    r"($\Sigma^\ell = q[[1, c_\ell], [c_\ell, 1]]$); $\chi_c$ is the slope at the fixed point $c^* = 0$; "
    r"$\hat c_\ell$ the correlation of the width-$n$ empirical kernel",
)


def derive_erf_map(statement: Statement) -> Derivation:
    """The map from dual.erf, its slope by differentiation and by Price's theorem (dual.erf_prime),
    the critical σ_w² as the root of the q → 0 slope at c = 1, the fluctuation exponent from the
    spread of an average of n independent units."""
    at = {k11: Q, k22: Q, k12: Q * C}
    f = statement["map"].rhs
    slope_at_one = sp.limit(sp.diff(f, C).subs(C, 1), Q, 0)
    spread = sp.sqrt(asymptotics.spread_of_sum(asymptotics.n, _S**2) ** 2) / asymptotics.n
    return Derivation((
        link(r"$c_{\ell+1} = \Sigma^{\ell+1}_{12}/q = \sigma_w^2\,\mathbb{E}[\operatorname{erf}(u)"
             r"\operatorname{erf}(v)]/q$ at $k_{11} = k_{22} = q$, $k_{12} = qc$: the dual of dual.erf",
             f, "dual.erf", duals.ERF, "erf", rhs=SW2 * duals.ERF["erf"].rhs.subs(at) / Q),
        Step(r"$\chi_c = f'(0)$, differentiated by SymPy", sp.diff(f, C).subs(C, 0),
             statement["slope"].rhs, Justification.DIFFERENTIATE),
        link(r"Price's theorem: $f'(c) = \sigma_w^2\,\mathbb{E}[\operatorname{erf}'(u)\operatorname{erf}'(v)]$; "
             r"at $c^* = 0$ this is the dual of dual.erf\_prime at $k_{12} = 0$",
             statement["slope"].rhs, "dual.erf_prime", duals.ERF_PRIME, "erf_prime",
             rhs=SW2 * duals.ERF_PRIME["erf_prime"].rhs.subs({k11: Q, k22: Q, k12: 0})),
        Step(r"Order to chaos at $\sigma_b = 0$: $q^* \to 0$ at the transition, where $\chi_1 = f'(1) \to "
             r"4\sigma_w^2/\pi$ (SymPy's limit); $\chi_1 = 1$ solved for $\sigma_w^2$",
             sp.solve(sp.Eq(slope_at_one, 1), SW2)[0], statement["critical"].rhs, Justification.LIMIT),
        cited(r"Given layer $\ell$, the $n$ units of layer $\ell+1$ are i.i.d. Gaussian, and the empirical "
              r"correlation $\hat c_\ell$ tends to the mean-field $c_\ell$ (law of large numbers by induction)",
              Quantity("lim c_hat", r"\lim_{n\to\infty}\hat c_\ell"), Quantity("c_l", r"c_\ell"), _POOLE),
        Step(r"$\hat c_\ell$ is a smooth function of averages of $n$ independent units: SymPy sums their "
             r"covariance (Bienaymé) for the spread of an average and takes $\lim\log\operatorname{sd}/\log n$",
             asymptotics.exponent(spread), statement["fluctuation"].rhs, Justification.LIMIT),
    ), "The map is the erf dual at equal lengths; its slope, by differentiation and by Price's theorem, "
       "sets the depth scale ξ_c = −1/ln χ_c; the transition is where the slope at c = 1 reaches 1.")


# ------------------------------------------------------------------ depth.exponential_approach

APPROACH = Statement(
    (
        Relation("rate", Quantity("lim log|c_l - c*|/l", r"\lim_{\ell\to\infty}\tfrac1\ell\log|c_\ell - c^*|"),
                 sp.log(CHI)),
        Relation("depth scale", Quantity("xi_c", r"\xi_c"), -1 / sp.log(CHI)),
    ),
    Domain({CHI: sp.Interval.open(0, 1), _DELTA0: sp.Interval.open(0, 2)},
           description=r"0 < \chi_c < 1,\ 0 < |c_0 - c^*| < 2"),
    r"$c_{\ell+1} = f(c_\ell)$, the correlation map at the fixed length $q^*$, with an attracting fixed "
    r"point $c^*$ of slope $\chi_c = f'(c^*) \in (0, 1)$ (off the critical line)",
)


def derive_approach(statement: Statement) -> Derivation:
    """Linearisation (cited), the linear recurrence solved by SymPy (rsolve), its rate by SymPy's limit, and
    ξ_c solved from δ₀χ_c^ℓ = δ₀e^{−ℓ/ξ_c}."""
    ell = sp.Symbol("l", integer=True, nonnegative=True)
    delta = sp.Function("delta")
    solution = sp.rsolve(delta(ell + 1) - CHI * delta(ell), delta(ell), {delta(0): _DELTA0})
    xi = sp.Symbol("xi", positive=True)
    return Derivation((
        cited(r"Near an attracting fixed point $\delta_{\ell+1} = f'(c^*)\,\delta_\ell + O(\delta_\ell^2)$, "
              r"$\delta_\ell = c_\ell - c^*$, and the quadratic term changes the rate by nothing "
              r"(it multiplies $\delta_\ell$ by $1 + O(\chi_c^\ell)$)",
              Quantity("delta_next", r"\delta_{\ell+1}"), Quantity("chi_c delta", r"\chi_c\,\delta_\ell"), _SCHOENHOLZ),
        Step(r"The linear recurrence solved by SymPy (rsolve): $\delta_\ell = \delta_0\chi_c^\ell$; its rate "
             r"$\lim \frac1\ell\log\delta_\ell$ by SymPy's limit",
             sp.limit(sp.expand_log(sp.log(solution.subs(ell, ELL)), force=True) / ELL, ELL, sp.oo),
             statement["rate"].rhs, Justification.LIMIT),
        Step(r"$\xi_c$ solved from $\delta_0\chi_c^\ell = \delta_0 e^{-\ell/\xi_c}$",
             sp.solve(sp.Eq(sp.log(solution.subs(ell, 1) / _DELTA0), -1 / xi), xi)[0],
             statement["depth scale"].rhs, Justification.ALGEBRA),
    ), "Off the critical line the correlation approaches its fixed point geometrically, at rate ln χ_c per layer.")


# ------------------------------------------------------------------ depth.relu_critical

RELU_CRITICAL = Statement(
    (
        Relation("map", Quantity("c_next", r"c_{\ell+1}"),
                 (sp.sqrt(1 - C**2) + (sp.pi - sp.acos(C)) * C) / sp.pi),
        Relation("coefficient", Quantity("A", r"A = \lim_{\epsilon\to 0}\frac{f(1-\epsilon) - 1 + \epsilon}{\epsilon^{3/2}}"),
                 2 * sp.sqrt(2) / (3 * sp.pi)),
        Relation("limit", Quantity("lim l^2 (1 - c_l)", r"\lim_{\ell\to\infty}\ell^2(1 - c_\ell)"),
                 9 * sp.pi**2 / 2),
        Relation("exponent", Quantity("decay exponent", r"\lim_\ell \log(1 - c_\ell)/\log\ell"), sp.Integer(-2)),
        Relation("fluctuation", Quantity("sd exponent", r"\lim_n \log\operatorname{sd}\hat c_\ell/\log n"),
                 sp.Rational(-1, 2)),
    ),
    Domain({C: sp.Interval(-1, 1), Q: sp.Interval.Lopen(0, 10)}, description=r"|c| \le 1,\ q > 0"),
    r"$\sigma = \operatorname{relu}$ at its critical point $\sigma_w^2 = 2$, $\sigma_b = 0$ (the lengths are "
    r"preserved, so the map does not depend on $q$); $c_{\ell+1} = f(c_\ell)$ from any $c_0 < 1$",
)


def derive_relu_critical(statement: Statement) -> Derivation:
    """The map from dual.relu; its series at c = 1 (slope 1: critical; the ε^{3/2} term); the increment of
    ε^{−1/2} per layer, whose Cesàro mean gives ℓ²ε_ℓ → 4/A²; the exponent of that model in ℓ."""
    f = statement["map"].rhs
    series = sp.series(f.subs(C, 1 - _T**2), _T, 0, 4).removeO()
    a = series.coeff(_T, 3)
    increment = sp.limit(sp.expand((1 - series) / _T**2) ** sp.Rational(-1, 2) / _T - 1 / _T, _T, 0, "+")
    spread = sp.sqrt(asymptotics.spread_of_sum(asymptotics.n, _S**2) ** 2) / asymptotics.n
    return Derivation((
        link(r"$c_{\ell+1} = \sigma_w^2\,\mathbb{E}[\operatorname{relu}(u)\operatorname{relu}(v)]/q$ at "
             r"$\sigma_w^2 = 2$, $k_{11} = k_{22} = q$, $k_{12} = qc$: the dual of dual.relu",
             f, "dual.relu", duals.RELU, "relu", rhs=2 * duals.RELU["relu"].rhs.subs({k11: Q, k22: Q, k12: Q * C}) / Q),
        Step(r"Critical: $\chi_1 = f'(1) = 1$ (the $\epsilon = t^2$ term of SymPy's series of $f(1 - t^2)$)",
             -series.coeff(_T, 2), sp.Integer(1), Justification.LIMIT),
        Step(r"The next term of the series: $f(1-\epsilon) = 1 - \epsilon + A\epsilon^{3/2} + O(\epsilon^2)$",
             a, statement["coefficient"].rhs, Justification.LIMIT),
        Step(r"Per layer $\epsilon_\ell^{-1/2}$ grows by $\lim_{\epsilon\to0}[(1 - f(1-\epsilon))^{-1/2} - "
             r"\epsilon^{-1/2}]$ (SymPy's limit on the series; the $O(\epsilon^2)$ remainder adds $O(\epsilon^{1/2})$)",
             increment, statement["coefficient"].rhs / 2, Justification.LIMIT),
        cited(r"Stolz--Cesàro: increments of $\epsilon_\ell^{-1/2}$ tending to $A/2$ give "
              r"$\epsilon_\ell^{-1/2}/\ell \to A/2$, i.e. $\ell^2\epsilon_\ell \to 4/A^2$",
              Quantity("lim l^2 eps_l", r"\lim_\ell \ell^2\epsilon_\ell"), Quantity("4/A^2", r"4/A^2"), _CESARO),
        Step(r"$4/A^2$ with the derived $A$", 4 / a**2, statement["limit"].rhs, Justification.ALGEBRA),
        Step(r"The exponent of $\epsilon_\ell \approx (4/A^2)\,\ell^{-2}$ in $\ell$ (SymPy's "
             r"$\lim \log/\log$)", asymptotics.exponent(4 / a**2 / ELL**2, ELL), statement["exponent"].rhs,
             Justification.LIMIT),
        Step(r"$\hat c_\ell$ is a smooth function of averages of $n$ independent units: SymPy sums their "
             r"covariance (Bienaymé) and takes $\lim\log\operatorname{sd}/\log n$",
             asymptotics.exponent(spread), statement["fluctuation"].rhs, Justification.LIMIT),
    ), "At criticality the map touches the diagonal at c = 1 with a 3/2-power correction, so 1 − c_ℓ "
       "decays polynomially, 9π²/(2ℓ²), instead of exponentially.")


# ------------------------------------------------------------------ design.realised_kernels

GAUSSIAN_TERMS = 20
"""Terms of the designed Gaussian-kernel activation: the omitted tail is P(Poisson(1) ≥ 20) < 1e-19."""
NTK_TARGET = (1 + RHO) ** 2 / 4

_DESIGN_DOMAIN = Domain({RHO: sp.Interval(-1, 1)}, description=r"|\rho| \le 1")

DESIGN = Statement(
    (
        Relation("dual", Quantity("E[s_G(u) s_G(v)]", r"\mathbb{E}[\sigma_G(u)\sigma_G(v)]"), sp.exp(RHO - 1)),
        Relation("ntk", Quantity("Theta_N(rho)", r"\Theta_{\sigma_N}(\rho)"), NTK_TARGET),
        Relation("fluctuation", Quantity("sd exponent", r"\lim_n \log\operatorname{sd}\hat\Theta_n/\log n"),
                 sp.Rational(-1, 2)),
    ),
    _DESIGN_DOMAIN,
    r"unit variances, correlation $\rho$; $\sigma_G = \sum_k a_k h_k$ with $a_k = \sqrt{e^{-1}/k!}$ "
    r"($h_k$ the normalised Hermite polynomials); $\sigma_N = \sum_k \sqrt{t_k/(k+1)}\,h_k$ for the "
    r"coefficients $t_k$ of $(1+\rho)^2/4$; one hidden layer, $\sigma_w = 1$, $\sigma_b = 0$, inputs on the "
    r"sphere $\|x\|^2 = n_0$",
)


def derive_design(statement: Statement) -> Derivation:
    """Mehler's formula (cited), the Gaussian series summed by SymPy, and the NTK D + ρD'
    computed from the designed coefficients."""
    a2 = sp.exp(-1) / sp.factorial(K)
    target = sp.Poly(sp.expand(NTK_TARGET), RHO)
    dual = sum(target.coeff_monomial(RHO**k) / (k + 1) * RHO**k for k in range(target.degree() + 1))
    mehler = Quantity("sum a_k^2 rho^k", r"\sum_k a_k^2\rho^k")
    return Derivation((
        cited(r"Mehler's formula: for $\sigma = \sum_k a_k h_k$ and unit variances, "
              r"$\mathbb{E}[\sigma(u)\sigma(v)] = \sum_k a_k^2\rho^k$",
              Quantity("E[s(u)s(v)]", r"\mathbb{E}[\sigma(u)\sigma(v)]"), mehler, _MEHLER),
        Step(r"$\sum_k \frac{e^{-1}}{k!}\rho^k$ summed by SymPy", sp.summation(a2 * RHO**K, (K, 0, sp.oo)),
             statement["dual"].rhs, Justification.ALGEBRA),
        cited(r"One hidden layer, $\sigma_w = 1$, $\sigma_b = 0$, $\Sigma^1 = \rho$: "
              r"$\Theta = \Sigma^2 + \dot\Sigma^2\,\Sigma^1$ with $\dot\Sigma^2 = \mathbb{E}[\sigma'\sigma'] = D'(\rho)$ "
              r"(Price's theorem)", Quantity("Theta^2", r"\Theta^2"),
              Quantity("D + rho D'", r"D(\rho) + \rho D'(\rho)"), _JACOT),
        Step(r"$D = \sum_k \frac{t_k}{k+1}\rho^k$ for the coefficients $t_k$ of the target; "
             r"$D + \rho D'$ differentiated and expanded by SymPy",
             sp.expand(dual + RHO * sp.diff(dual, RHO)), sp.expand(statement["ntk"].rhs), Justification.DIFFERENTIATE),
        Step(r"$\hat\Theta_n$ is an average of $n$ independent hidden units: SymPy sums their covariance "
             r"(Bienaymé) for its spread and takes $\lim\log\operatorname{sd}/\log n$",
             asymptotics.exponent(sp.sqrt(asymptotics.spread_of_sum(asymptotics.n, _S**2) ** 2) / asymptotics.n),
             statement["fluctuation"].rhs, Justification.LIMIT),
    ), "Mehler's formula makes the kernel a power series in the squared Hermite coefficients; the "
       "designed coefficients sum to the targets.")


# ------------------------------------------------------------------ design.hermite_dual

HERMITE_TERMS = 12
"""Coefficients SymPy integrates (k < 12) and Taylor orders of the arc-cosine dual it matches (ρ^k, k < 24)."""
_SERIES_ORDER = 24
M = sp.Symbol("m", integer=True, positive=True)
_X = sp.Symbol("x")
_Z = sp.Symbol("z", real=True)
_DANIELY = "Daniely, Frostig & Singer, Toward deeper understanding of neural networks, 2016, §4 (Hermite expansion of the dual)"
_UNIT = {k11: 1, k22: 1, k12: RHO}


def _h(k: int, z=_Z) -> sp.Expr:
    """The normalised probabilists' Hermite polynomial He_k/√(k!)."""
    return sp.hermite_prob(k, z) / sp.sqrt(sp.factorial(k))


@functools.lru_cache(maxsize=None)
def _moment(power: int, lower) -> sp.Expr:
    """∫ z^power φ(z) dz over (lower, ∞), integrated by SymPy."""
    return sp.integrate(_Z**power * sp.exp(-_Z**2 / 2) / sp.sqrt(2 * sp.pi), (_Z, lower, sp.oo))


def _gauss(polynomial, lower=-sp.oo) -> sp.Expr:
    """∫ polynomial(z) φ(z) dz over (lower, ∞): SymPy's integrals of the monomials, by linearity."""
    poly = sp.Poly(sp.expand(polynomial), _Z)
    return sp.nsimplify(sp.expand(sum(coeff * _moment(power, lower) for (power,), coeff in poly.terms())))


def _as_polynomial(values) -> sp.Expr:
    """Σ_k values[k] x^k: a list of coefficients compared in one SymPy identity."""
    return sum(v * _X**k for k, v in enumerate(values))


HERMITE = Statement(
    (
        Relation("exp coefficient", Quantity("a_k(exp)^2", r"a_k(\exp)^2"), sp.E / sp.factorial(K)),
        Relation("exp dual", Quantity("sum a_k(exp)^2 rho^k", r"\sum_k a_k(\exp)^2\rho^k"), sp.exp(1 + RHO)),
        Relation("relu a0", Quantity("a_0(relu)", r"a_0(\mathrm{relu})"), 1 / sp.sqrt(2 * sp.pi)),
        Relation("relu a1", Quantity("a_1(relu)", r"a_1(\mathrm{relu})"), sp.Rational(1, 2)),
        Relation("relu even", Quantity("a_2m(relu)^2", r"a_{2m}(\mathrm{relu})^2"),
                 (sp.factorial(2 * M - 2) / (2 ** (M - 1) * sp.factorial(M - 1))) ** 2
                 / (2 * sp.pi * sp.factorial(2 * M))),
        Relation("relu odd", Quantity("a_2m+1(relu)", r"a_{2m+1}(\mathrm{relu})"), sp.Integer(0)),
        Relation("relu dual", Quantity("sum a_k(relu)^2 rho^k", r"\sum_k a_k(\mathrm{relu})^2\rho^k"),
                 (sp.sqrt(1 - RHO**2) + (sp.pi - sp.acos(RHO)) * RHO) / (2 * sp.pi)),
        Relation("step odd", Quantity("b_2m-1^2", r"b_{2m-1}^2 = 2m\,a_{2m}(\mathrm{relu})^2"),
                 sp.factorial(2 * M - 2) / (2 ** (2 * M - 1) * sp.pi * sp.factorial(M - 1) ** 2 * (2 * M - 1))),
        Relation("step dual", Quantity("sum b_k^2 rho^k", r"\sum_k b_k^2\rho^k = \mathbb{E}[\sigma'(u)\sigma'(v)]"),
                 (sp.pi - sp.acos(RHO)) / (2 * sp.pi)),
    ),
    Domain({RHO: sp.Interval(-1, 1), K: sp.Interval(0, 30), M: sp.Interval(1, 30)},
           description=r"|\rho| \le 1,\ k \ge 0,\ m \ge 1"),
    r"unit variances, correlation $\rho$; $a_k(\sigma) = \mathbb{E}[\sigma(z)h_k(z)]$ in the normalised "
    r"probabilists' Hermite basis $h_k = He_k/\sqrt{k!}$; $b_k = \sqrt{k+1}\,a_{k+1}(\mathrm{relu})$ the "
    r"coefficients of $\mathrm{relu}' = \mathrm{step}$",
)


def derive_hermite(statement: Statement) -> Derivation:
    """exp's and relu's Hermite coefficients integrated by SymPy (k < 12) against the stated closed
    forms; exp's series summed to dual.polynomial's e^{1+ρ}; relu's series matched to dual.relu's Taylor
    series to order 24 (the rest cited); h_k' = √k h_{k−1} differentiated, the step's coefficients
    integrated and (k+1)a_{k+1}², and the derivative of the relu dual against dual.step."""
    terms = range(HERMITE_TERMS)
    shifted = [sp.exp(sp.Rational(1, 2)) * _gauss(_h(k, _Z + 1)) for k in terms]
    relu = [_gauss(_Z * _h(k), 0) for k in terms]
    step = [_gauss(_h(k), 0) for k in terms]

    def relu_square(k):
        if k == 0:
            return statement["relu a0"].rhs ** 2
        if k == 1:
            return statement["relu a1"].rhs ** 2
        if k % 2:
            return statement["relu odd"].rhs ** 2
        return statement["relu even"].rhs.subs(M, k // 2)

    stated_relu = [relu_square(k) for k in range(_SERIES_ORDER)]
    exp_sum = sp.summation(statement["exp coefficient"].rhs * RHO**K, (K, 0, sp.oo))
    relu_partial = sum(stated_relu[k] * RHO**k for k in range(_SERIES_ORDER))
    relu_dual = statement["relu dual"].rhs
    phi = sp.exp(-_Z**2 / 2) / sp.sqrt(2 * sp.pi)
    return Derivation((
        Step(r"Completing the square: $e^{z}\varphi(z) = e^{1/2}\varphi(z - 1)$", sp.exp(_Z) * phi,
             sp.exp(sp.Rational(1, 2)) * phi.subs(_Z, _Z - 1), Justification.ALGEBRA),
        Step(r"So $a_k(\exp) = e^{1/2}\mathbb{E}[h_k(z + 1)]$: SymPy integrates $k < 12$ and squares; against the "
             r"stated $e/k!$ (one polynomial identity in $x$)", _as_polynomial([a**2 for a in shifted]),
             _as_polynomial([statement["exp coefficient"].rhs.subs(K, k) for k in terms]), Justification.INTEGRATE),
        Step(r"Mehler's series $\sum_k \frac{e}{k!}\rho^k$ summed by SymPy", exp_sum, statement["exp dual"].rhs,
             Justification.ALGEBRA),
        link(r"... is the dual of exp at unit variances ($k_{11} = k_{22} = 1$, $k_{12} = \rho$): dual.polynomial",
             statement["exp dual"].rhs, "dual.polynomial", duals.POLYNOMIAL, "exp",
             rhs=duals.POLYNOMIAL["exp"].rhs.subs(_UNIT)),
        Step(r"$a_k(\mathrm{relu}) = \int_0^\infty z\,h_k(z)\varphi(z)\,dz$ integrated by SymPy for $k < 12$; "
             r"squared, against the stated $a_0^2$, $a_1^2$, $a_{2m}^2$, $a_{2m+1}^2$",
             _as_polynomial([a**2 for a in relu]), _as_polynomial(stated_relu[:HERMITE_TERMS]),
             Justification.INTEGRATE),
        link(r"The stated arc-cosine form is dual.relu's at unit variances", relu_dual, "dual.relu", duals.RELU,
             "relu", rhs=duals.RELU["relu"].rhs.subs(_UNIT)),
        Step(r"Mehler's series with the stated coefficients, $\sum_{k<24} a_k^2\rho^k$, against SymPy's Taylor "
             r"series of the arc-cosine dual at $\rho = 0$ (the first 24 coefficients derived)",
             relu_partial, sp.series(relu_dual, RHO, 0, _SERIES_ORDER).removeO(), Justification.ALGEBRA),
        cited(r"Mehler's formula for every $k$: $\mathbb{E}[\mathrm{relu}(u)\mathrm{relu}(v)] = "
              r"\sum_k a_k^2\rho^k$ on $|\rho| \le 1$",
              Quantity("sum_k a_k(relu)^2 rho^k", r"\sum_k a_k(\mathrm{relu})^2\rho^k"), relu_dual, _DANIELY),
        Step(r"$h_k' = \sqrt{k}\,h_{k-1}$, differentiated by SymPy for $k < 12$ (one identity)",
             _as_polynomial([sp.diff(_h(k), _Z) for k in range(1, HERMITE_TERMS)]),
             _as_polynomial([sp.sqrt(k) * _h(k - 1) for k in range(1, HERMITE_TERMS)]), Justification.DIFFERENTIATE),
        Step(r"so $b_k = \sqrt{k+1}\,a_{k+1}$: the step's coefficients $\int_0^\infty h_k\varphi$ integrated by "
             r"SymPy, squared, against $(k+1)a_{k+1}^2$ from the stated relu coefficients ($k < 11$)",
             _as_polynomial([b**2 for b in step[:HERMITE_TERMS - 1]]),
             _as_polynomial([(k + 1) * stated_relu[k + 1] for k in range(HERMITE_TERMS - 1)]),
             Justification.INTEGRATE),
        Step(r"The stated $b_{2m-1}^2$ is $2m\,a_{2m}^2$ (SymPy simplifies the ratio)",
             sp.simplify(statement["step odd"].rhs / (2 * M * statement["relu even"].rhs)), sp.Integer(1),
             Justification.ALGEBRA),
        Step(r"Hence $\sum_k b_k^2\rho^k = \frac{d}{d\rho}\sum_k a_k^2\rho^k$: the arc-cosine dual "
             r"differentiated by SymPy", sp.diff(relu_dual, RHO), statement["step dual"].rhs,
             Justification.DIFFERENTIATE),
        link(r"... which is dual.step at unit variances (relu' = step)", statement["step dual"].rhs, "dual.step",
             duals.STEP, "step", rhs=duals.STEP["step"].rhs.subs(_UNIT)),
    ), "The Hermite coefficients, integrated by SymPy, square to series that sum (exp) or expand (relu) to the "
       "linked closed-form duals; differentiating the basis shifts the coefficients, so the dual of σ' is the "
       "derivative of the dual.")


# ------------------------------------------------------------------ depth.max_effective_depth

AMPLITUDE = sp.Symbol("A", positive=True)
TAU = sp.Symbol("tau", positive=True)
ZETA = sp.Symbol("z", positive=True)
_LYAPUNOV = ("Schoenholz, Gilmer, Ganguli & Sohl-Dickstein, Deep information propagation, 2017, §3 (linearised "
             "signal propagation); the stationary covariance of a stable linear recursion driven by noise solves "
             "Lyapunov's equation P = J P J^T + Q (Kailath, Linear Systems, 1980, §9.2)")

MAX_DEPTH = Statement(
    (
        Relation("depth", Quantity("L_max", r"L_{\max}"),
                 -sp.log(sp.sqrt(asymptotics.n) * AMPLITUDE / (ZETA * TAU)) / sp.log(CHI)),
        Relation("width slope", Quantity("dL_max/dlog n", r"\mathrm{d}L_{\max}/\mathrm{d}\ln n"),
                 -1 / (2 * sp.log(CHI))),
        Relation("fluctuation", Quantity("sd exponent", r"\lim_n \log\operatorname{sd}\hat c_\ell/\log n"),
                 sp.Rational(-1, 2)),
    ),
    Domain({CHI: sp.Interval.open(0, 1), AMPLITUDE: sp.Interval.open(0, 2), TAU: sp.Interval.open(0, 10),
            ZETA: sp.Interval.open(0, 10), asymptotics.n: sp.Interval(1, 10**6)},
           description=r"0 < \chi_c < 1,\ 0 < A < 2,\ \tau, z > 0,\ n \ge 1"),
    r"off the critical line, $c_\ell - c^* \approx A\chi_c^\ell$ ($A$ the amplitude of the linear regime); "
    r"at width $n$ the empirical $\hat c_\ell$ fluctuates about $c_\ell$ with standard deviation "
    r"$\tau n^{-1/2}$ at $c^*$ ($\tau$ from the linearised fluctuations, numeric.depth.max\_effective\_depth); "
    r"$L_{\max}$ is the depth at which the signal $|c_\ell - c^*|$ equals $z$ such standard deviations",
)


def _rate_link(text: str, amplitude: sp.Symbol) -> Step:
    """A signal amplitude·e^{ℓ r}, r the rate of depth.exponential_approach: SymPy's lim (1/ℓ) log of it
    against that claim's rate."""
    signal = amplitude * sp.exp(ELL * APPROACH["rate"].rhs)
    return link(text, sp.limit(sp.expand_log(sp.log(signal), force=True) / ELL, ELL, sp.oo),
                "depth.exponential_approach", APPROACH, "rate")


def derive_max_depth(statement: Statement) -> Derivation:
    """The signal's rate from depth.exponential_approach, the noise's width exponent from the spread of an
    average of n units, the crossing depth solved by SymPy, and its slope in ln n by differentiation."""
    signal = AMPLITUDE * sp.exp(ELL * APPROACH["rate"].rhs)
    spread = sp.sqrt(asymptotics.spread_of_sum(asymptotics.n, _S**2) ** 2) / asymptotics.n
    noise_exponent = asymptotics.exponent(spread)
    noise = ZETA * TAU * asymptotics.n ** noise_exponent
    crossing = sp.solve(sp.Eq(sp.log(signal), sp.log(noise)), ELL)[0]
    log_width = sp.Symbol("s", real=True)
    return Derivation((
        _rate_link(r"The signal $|c_\ell - c^*| = A e^{\ell r}$ falls at the rate $r = \ln\chi_c$ per layer "
                   r"(SymPy's $\lim \frac1\ell\log$ of it): depth.exponential\_approach", AMPLITUDE),
        Step(r"$\hat c_\ell$ is a smooth function of averages of $n$ independent units: SymPy sums their "
             r"covariance (Bienaymé) and takes $\lim\log\operatorname{sd}/\log n$", noise_exponent,
             statement["fluctuation"].rhs, Justification.LIMIT),
        cited(r"At $c^*$ the fluctuation's amplitude is $\tau$: the stationary solution of the linearised "
              r"recursion of the empirical kernel (numeric.depth.max\_effective\_depth)",
              Quantity("sqrt(n) sd c_hat", r"\sqrt n\,\operatorname{sd}\hat c_\ell"), TAU, _LYAPUNOV),
        Step(r"$A\chi_c^{L} = z\tau n^{-1/2}$ (the derived exponent) solved for $L$ by SymPy", crossing,
             statement["depth"].rhs, Justification.ALGEBRA),
        Step(r"Its slope in $\ln n$: $L$ at $n = e^s$ differentiated by SymPy",
             sp.diff(crossing.subs(asymptotics.n, sp.exp(log_width)), log_width), statement["width slope"].rhs,
             Justification.DIFFERENTIATE),
    ), "The signal falls by ln χ_c per layer and the noise by n^{-1/2}; they cross at ξ_c ln(√n A/(zτ)), "
       "which grows by ξ_c/2 per unit of ln n.")


# ------------------------------------------------------------------ depth.ntk_degeneracy

_XIAO = ("Xiao, Pennington & Schoenholz, Disentangling trainability and generalization in deep neural networks, "
         "2020, §3 (the NTK recursion linearised about its ordered-phase fixed point)")
_POINTS = 3

DEGENERACY = Statement(
    (
        Relation("rate", Quantity("lim log e_l / l", r"\lim_{\ell\to\infty}\tfrac1\ell\log e_\ell"), sp.log(CHI)),
        Relation("secular", Quantity("lim log(e_l chi^-l)/log l", r"\lim_\ell \log(e_\ell\chi_1^{-\ell})/\log\ell"),
                 sp.Integer(1)),
        Relation("condition rate", Quantity("lim log kappa_l / l", r"\lim_{\ell\to\infty}\tfrac1\ell\log\kappa_\ell"),
                 -sp.log(CHI)),
        Relation("fluctuation", Quantity("sd exponent", r"\lim_n \log\operatorname{sd}\hat e_\ell/\log n"),
                 sp.Rational(-1, 2)),
    ),
    Domain({CHI: sp.Interval.open(0, 1)}, description=r"0 < \chi_1 < 1"),
    r"ordered phase ($c^* = 1$, $\chi_c = \chi_1 < 1$), $\sigma$ smooth ($f''(1)$ finite); inputs at the fixed "
    r"length $q^*$; $e_\ell = 1 - \Theta^\ell(x, x')/\sqrt{\Theta^\ell(x, x)\Theta^\ell(x', x')}$ the off-constant "
    r"part of the normalised NTK Gram, $\kappa_\ell$ the condition number of the normalised Gram of "
    r"equicorrelated inputs; $\hat e_\ell$ that of a width-$n$ network's empirical NTK",
)


def derive_degeneracy(statement: Statement) -> Derivation:
    """The correlation's rate from depth.exponential_approach; the NTK's off-diagonal gap forced at that rate
    (cited linearisation) solved by SymPy (a resonant ℓχ^ℓ); its rate and secular exponent by SymPy's limits;
    the condition number of the equicorrelated Gram from SymPy's eigenvalues."""
    ell = sp.Symbol("l", integer=True, nonnegative=True)
    gap = sp.Function("D")
    amplitude, forcing, start, e = sp.symbols("B K D_0 e", positive=True)
    solution = sp.rsolve(gap(ell + 1) - CHI * gap(ell) - forcing * CHI**ell, gap(ell), {gap(0): start})
    e_ell = sp.factor(solution.subs(ell, ELL))
    gram = (1 - e) * sp.ones(_POINTS, _POINTS) + e * sp.eye(_POINTS)
    eigen = sorted(gram.eigenvals(), key=lambda value: sp.limit(value, e, 0))
    log_condition = sp.log(sp.limit(eigen[-1], e, 0)) - sp.expand_log(sp.log(eigen[0].subs(e, e_ell)), force=True)
    spread = sp.sqrt(asymptotics.spread_of_sum(asymptotics.n, _S**2) ** 2) / asymptotics.n
    return Derivation((
        _rate_link(r"Ordered phase: $1 - c_\ell = B e^{\ell r}$ with $r = \ln\chi_1$ (SymPy's "
                   r"$\lim\frac1\ell\log$): depth.exponential\_approach at $c^* = 1$", amplitude),
        cited(r"With $\Theta^{\ell+1} = \Sigma^{\ell+1} + \sigma_w^2\dot\Sigma^{\ell+1}\Theta^\ell$, the gap "
              r"$D_\ell = \Theta^\ell(x,x) - \Theta^\ell(x,x')$ obeys $D_{\ell+1} = \chi_1 D_\ell + K\chi_1^\ell + "
              r"O(\chi_1^{2\ell})$: the forcing $q^*(1 - c_{\ell+1}) + (\chi_1 - f'(c_\ell))\Theta^\ell(x,x')$ is "
              r"linear in $1 - c_\ell$ when $f''(1)$ is finite",
              Quantity("D_next", r"D_{\ell+1}"), Quantity("chi D + K chi^l", r"\chi_1 D_\ell + K\chi_1^\ell"), _XIAO),
        Step(r"The resonant recurrence solved by SymPy (rsolve), $e_\ell \propto D_\ell$ ($\Theta^\ell(x,x)$ "
             r"converges); its rate $\lim\frac1\ell\log e_\ell$ by SymPy's limit",
             sp.limit(sp.expand_log(sp.log(e_ell), force=True) / ELL, ELL, sp.oo), statement["rate"].rhs,
             Justification.LIMIT),
        Step(r"The secular factor: $\lim\log(D_\ell\chi_1^{-\ell})/\log\ell$ of the solution (SymPy)",
             asymptotics.exponent(sp.simplify(e_ell * CHI**-ELL), ELL), statement["secular"].rhs,
             Justification.LIMIT),
        Step(r"$\kappa_\ell$ of the equicorrelated normalised Gram $(1 - e)J + eI$ ($3$ inputs) from SymPy's "
             r"eigenvalues ($\kappa = \lambda_{\max}/\lambda_{\min}$, ordered as $e \to 0$, where $\lambda_{\max}$ tends to "
             r"its limit), at $e = e_\ell$; its rate "
             r"by SymPy's limit",
             sp.limit(log_condition / ELL, ELL, sp.oo), statement["condition rate"].rhs,
             Justification.LIMIT),
        Step(r"$\hat e_\ell$ is a smooth function of averages over $n$ units: SymPy sums their covariance "
             r"(Bienaymé) and takes $\lim\log\operatorname{sd}/\log n$", asymptotics.exponent(spread),
             statement["fluctuation"].rhs, Justification.LIMIT),
    ), "In the ordered phase the correlation's approach to 1 forces the NTK's off-constant part at the same "
       "rate χ₁, which resonates into ℓχ₁^ℓ: the normalised Gram tends to the constant matrix and its "
       "condition number grows like χ₁^{−ℓ}/ℓ.")
