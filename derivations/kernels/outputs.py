"""Gaussian outputs at initialisation (kernel.gaussian_outputs): the kurtosis of a Gaussian scale
mixture whose mixing variance concentrates like 1/n."""
from __future__ import annotations

import sympy as sp

from .. import asymptotics
from ..core import Derivation, Domain, Justification, Quantity, Relation, Statement
from .setting import SB2, SW2, _UNITS, _domain_for, _real_line, _step, _units, gaussian_expectation

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


