"""How fast a wide network becomes its kernel limit: exponents of width n, computed from models.

The network (NTK parameterisation, depth L = 2: one hidden layer of width n, input
dimension d; Jacot, Gabriel & Hongler, "Neural Tangent Kernel", 2018, with sigma_w and
beta = sigma_b):

    f(x) = n^{-1/2} sum_j g_j(x) + beta b,   g_j(x) = a_j sigma(w_j . x / sqrt(d) + beta b_j),

all parameters N(0, 1) at initialisation, trained by gradient flow on 1/2 ||f(X) - ybar||^2
up to a time T with int_0^T |u| dt = O(1) (u decays at the kernel's rates).  sigma is twice
differentiable with bounded sigma'' (e.g. erf), the assumption of Jacot et al. 2018 (Thm 2)
and of Lee et al., "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient
Descent", 2019 (Thm 2.1).  Every exponent is computed by :mod:`derivations.asymptotics` from a
model of the quantity whose n-dependence SymPy has derived from the network:

* ``NTK_CONSTANT``: one neuron's share of the empirical NTK is phi_j / n with phi_j free of n
  (SymPy differentiates the neuron), so Theta_0 - E Theta_0 is a centred average of n independent
  terms, whose standard deviation (the variance of a sum of independent terms) has exponent
  -1/2 ("deviation"); in training the kernel moves by O3 = sum_j n^{-3/2} omega_j, the factor
  n^{-3/2} again computed, omega_j odd in a_j hence centred: n centred terms of size n^{-3/2}
  have exponent -1 ("change").  The central limit theorem (the size of a centred sum is of
  the order of its standard deviation) and Jacot et al.'s Thm 2 (the scalings hold along
  training up to T) are cited;
* ``LAZY_WEIGHTS``: every gradient entry of a hidden parameter is n^{-1/2} times an n-free
  function (computed), so over [0, T] each of the (d + 2) n hidden parameters moves by
  O(n^{-1/2}) and the output bias by O(1); against E||theta_0||^2 = P (the second moment of
  N(0, 1), integrated) the relative change has exponent -1/2 (the blog post "Understanding the
  Neural Tangent Kernel" by Rajat V. D.: the weights barely move); Lee et al. 2019, Thm 2.1
  (sup_t ||theta_t - theta_0|| = O(1)) and the law of large numbers are cited;
* ``WIDE_NET_FOLLOWS_ODE``: a network following u' = -(Theta + eps E) u leaves the linear
  solution by eps g(t) + O(eps^2), g from Duhamel's formula (SymPy integrates it); with eps
  of the kernel's deviation exponent (linked to ``NTK_CONSTANT``) the gap's exponent is
  computed; Lee et al. 2019, Thm 2.1 bounds the network's own nonlinearity at n^{-1/2}.
"""
from __future__ import annotations

import sympy as sp

from .asymptotics import exponent, n, spread_of_sum
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, cited
from .flow import LINEAR_SOLUTION, SPECTRA, t
from .spectral import N, NamedMatrix, explicit, real_link, real_step, symmetric, vector

__all__ = ["n", "NTK_CONSTANT", "LAZY_WEIGHTS", "WIDE_NET_FOLLOWS_ODE", "THETA_INF", "U",
           "derive_ntk_constant", "derive_lazy_weights", "derive_wide_net_follows_ode"]

d = 2
"""Input dimension of the symbolic neuron (the exponents do not depend on it)."""

JACOT = "Jacot, Gabriel & Hongler, Neural Tangent Kernel: Convergence and Generalization in Neural Networks, 2018"
LEE = ("Lee, Xiao, Schoenholz, Bahri, Novak, Sohl-Dickstein & Pennington, Wide Neural Networks of Any Depth "
       "Evolve as Linear Models Under Gradient Descent, 2019")
CLT = "central limit theorem (Lindeberg-Levy; e.g. Feller, An Introduction to Probability Theory and Its Applications, 1971, VIII.4)"

_ONE_HIDDEN = (r"NTK parameterisation, one hidden layer of width $n$ ($L = 2$), $\sigma$ twice "
               r"differentiable with bounded $\sigma''$; gradient flow to a fixed time $T$ on a fixed data set")


def _rate(name: str, latex: str, value) -> Relation:
    return Relation(name, Quantity(f"exponent of {name}", latex), sp.nsimplify(value))


NTK_CONSTANT = Statement(
    (_rate("change", r"\frac{d \log(\|\hat\Theta_T - \hat\Theta_0\|/\|\hat\Theta_0\|)}{d\log n}", -1),
     _rate("deviation", r"\frac{d \log(\sup_{t\le T}\|\hat\Theta_t - \Theta\|/\|\Theta\|)}{d\log n}",
           sp.Rational(-1, 2))),
    Domain({}, description=r"n \to \infty"),
    _ONE_HIDDEN,
)

LAZY_WEIGHTS = Statement(
    (_rate("relative_change", r"\frac{d \log(\|\theta_T - \theta_0\|/\|\theta_0\|)}{d\log n}",
           sp.Rational(-1, 2)),),
    Domain({}, description=r"n \to \infty"),
    _ONE_HIDDEN,
)

THETA_INF = NamedMatrix("Theta_inf", N, N, latex=r"\Theta")
U = NamedMatrix("u", N, 1)

WIDE_NET_FOLLOWS_ODE = Statement(
    (Relation("ode", Quantity("du/dt", r"\dot u"), -THETA_INF * U),
     _rate("gap", r"\frac{d \log(\sup_{t \le T}\|u^{(n)}_t - u_t\|/\|u_0\|)}{d\log n}", sp.Rational(-1, 2))),
    Domain({}, description=r"n \to \infty"),
    _ONE_HIDDEN + r"; $u^{(n)}$ the network's training residual, $u$ the solution of the stated ODE "
    r"with the limiting NTK $\Theta$ from the same $u_0$",
)


MULTIPLIER = n ** sp.Rational(-1, 2)
"""The NTK parameterisation's output multiplier: f = c sum_j g_j with c = n^{-1/2} (a definition)."""
_C = sp.Symbol("c", positive=True)
_J = sp.Symbol("j", integer=True, positive=True)


def _neuron():
    """g(x) = a sigma(w . x / sqrt(d) + beta b) for a generic sigma, its parameters and inputs."""
    sigma = sp.Function("sigma", real=True)
    a, b, beta = sp.symbols("a b beta", real=True)
    w = vector("w", d)
    params = (a, *w, b)

    def g(x):
        return a * sigma((w.T * x)[0] / sp.sqrt(d) + beta * b)
    return g, params


def _points(*names):
    return [vector(name, d) for name in names]


def _degree(expr) -> int:
    """The degree in the multiplier c of a monomial in c (the largest over the entries of a matrix)."""
    return max(sp.degree(sp.expand(e), _C) for e in (expr if isinstance(expr, sp.MatrixBase) else [expr]))


def derive_ntk_constant(statement: Statement) -> Derivation:
    """Shares of Theta_hat and O3 per neuron carry c^2 and c^3 (c = n^{-1/2}); sums of n independent
    terms; the exponents computed by derivations.asymptotics."""
    g, params = _neuron()
    x1, x2, x3 = _points("x", "xp", "xq")
    a = params[0]

    def f(x):
        return _C * g(x)

    grads = [[sp.diff(f(x), p) for p in params] for x in (x1, x2, x3)]
    share = sum(g1 * g2 for g1, g2 in zip(grads[0], grads[1]))
    phi = sum(sp.diff(g(x1), p) * sp.diff(g(x2), p) for p in params)
    o3 = sum(grads[0][i] * sp.diff(f(x2), params[i], params[j]) * grads[2][j]
             for i in range(len(params)) for j in range(len(params)))
    omega = sum(sp.diff(g(x1), params[i]) * sp.diff(g(x2), params[i], params[j]) * sp.diff(g(x3), params[j])
                for i in range(len(params)) for j in range(len(params)))
    share_power, o3_power = _degree(share), _degree(o3)
    spread, size, mean, drive = sp.symbols("s s_omega m U", positive=True)
    at_width = {_C: MULTIPLIER}
    kernel = sp.summation(_C ** share_power * mean, (_J, 1, n)).subs(at_width)
    change = (drive * spread_of_sum(n, (_C ** o3_power * size) ** 2)).subs(at_width) / kernel
    deviation = spread_of_sum(n, (_C ** share_power * spread) ** 2).subs(at_width) / kernel + change
    return Derivation((
        real_step(r"One neuron's share of the empirical NTK, differentiated through $f = c\sum_j g_j$, is "
                  r"$c^{2}\phi_j(x, x')$ with $\phi_j = \langle\nabla_{\theta_j} g_j(x), \nabla_{\theta_j} "
                  r"g_j(x')\rangle$ free of $n$: $\hat\Theta = c^2\sum_j \phi_j + \beta^2$, $n$ i.i.d. terms",
                  share, _C ** share_power * phi, Justification.DIFFERENTIATE),
        real_step(r"Its share of $O_3(x, x', x'') = \sum_{p,q}\partial_p f(x)\,\partial^2_{pq} f(x')\,"
                  r"\partial_q f(x'')$ (which drives $\partial_t\hat\Theta = -\sum_i u_i(O_3(x, x', x_i) + "
                  r"O_3(x', x, x_i))$) is $c^{3}\omega_j$, $\omega_j$ the same sum for $g_j$",
                  o3, _C ** o3_power * omega, Justification.DIFFERENTIATE),
        real_step(r"$\omega_j$ is odd in the output weight $a_j$, whose law is symmetric: each term is centred",
                  omega.subs(a, -a), -omega),
        real_step(r"The change in training: $n$ independent centred terms $c^3\omega_j$, $c = n^{-1/2}$ "
                  r"(standard deviation of their sum by Bienaym\'e's formula), integrated against "
                  r"$\int_0^T|u|\,dt = U$ and relative to $\|\mathbb{E}\hat\Theta_0\| = \sum_j c^2 m$: "
                  r"the exponent of the change",
                  exponent(change), statement["change"].rhs, Justification.LIMIT),
        real_step(r"The deviation: $\hat\Theta_0 - \mathbb{E}\hat\Theta_0 = \sum_j c^2(\phi_j - \mathbb{E}\phi_j)$, "
                  r"$n$ independent centred terms (standard deviation by Bienaym\'e's formula), plus the change "
                  r"in training, relative to $\|\mathbb{E}\hat\Theta_0\|$: the exponent of the deviation",
                  exponent(deviation), statement["deviation"].rhs, Justification.LIMIT),
        cited(r"A centred sum of $n$ i.i.d. terms of finite variance, divided by its standard deviation, "
              r"tends in law to $N(0, 1)$: its size is of the order of its standard deviation, neither "
              r"smaller nor larger (for the deviation and, the $\omega_j$ being independent at "
              r"initialisation, the change)",
              Quantity("lim P(|S_n| <= z sd(S_n))", r"\lim_n P(|S_n| \le z\,\mathrm{sd}(S_n))"),
              sp.erf(sp.Symbol("z", positive=True) / sp.sqrt(2)), CLT),
        cited(r"Along training up to $T$ the kernel converges uniformly to its initial limit, so the terms "
              r"keep the sizes they have at initialisation: the change vanishes",
              statement["change"].rhs, sp.S.Zero, JACOT + ", Thm 2", op="<"),
    ), r"The NTK of a wide network stays within $n^{-1}$ of its initial value during training and within "
       r"$n^{-1/2}$ of the limiting $\Theta$: in the limit it is constant (Jacot et al. 2018, Thm 2).")


def derive_lazy_weights(statement: Statement) -> Derivation:
    """Hidden parameters' gradients carry c = n^{-1/2}, the output bias's does not; the displacement over
    [0, T] and E||theta_0||^2 summed over the P = (d + 2) n + 1 parameters; the exponent computed."""
    g, params = _neuron()
    x = vector("x", d)
    beta, b_out = sp.symbols("beta b_out", real=True)
    everything = (*params, b_out)
    gradient = sp.ImmutableMatrix([sp.diff(_C * g(x) + beta * b_out, p) for p in everything])
    powers = [_degree(entry) for entry in gradient]
    unscaled = sp.ImmutableMatrix([sp.diff(g(x), p) for p in params] + [beta])
    copies = [n] * len(params) + [1]
    z, drive = sp.Symbol("z", real=True), sp.Symbol("G", positive=True)
    moment = sp.integrate(z**2 * sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo))
    moved = sp.sqrt(sum(k * (_C ** p * drive) ** 2 for k, p in zip(copies, powers))).subs(_C, MULTIPLIER)
    norm = sp.sqrt(sum(k * moment for k in copies))
    return Derivation((
        real_step(r"Differentiate $f = c\sum_j g_j + \beta b$: each gradient entry of a neuron's parameters "
                  r"is $c = n^{-1/2}$ times the $n$-free entry of $\nabla g_j$; the output bias's is $\beta$",
                  gradient, sp.diag(*[_C ** p for p in powers]) * unscaled, Justification.DIFFERENTIATE),
        real_step(rf"Over $[0, T]$ each parameter moves by $\int_0^T|u|\,dt$ times its gradient scale, $G c^{{p}}$; "
                  rf"$n$ copies of the neuron's ${len(params)}$ parameters ($d = {d}$) and the output bias; "
                  r"$\mathbb{E}\|\theta_0\|^2 = P\,\mathbb{E}z^2$ with $\mathbb{E}z^2$ integrated for $N(0, 1)$: "
                  r"the exponent of $\|\theta_T - \theta_0\|/\|\theta_0\|$",
                  exponent(moved / norm), statement["relative_change"].rhs, Justification.LIMIT),
        cited(r"The gradients keep their initial scale along training: $\sup_{t \le T}\|\theta_t - \theta_0\| = O(1)$, "
              r"the displacement's exponent here",
              exponent(moved), sp.S.Zero, LEE + ", Thm 2.1", op="<="),
        cited(r"$\|\theta_0\|^2/P \to \mathbb{E}z^2$ (law of large numbers): $\|\theta_0\|$ is of the order of "
              r"its root mean square",
              Quantity("lim ||theta_0||^2/P", r"\lim_P \|\theta_0\|^2/P"), moment,
              "strong law of large numbers (Kolmogorov; e.g. Feller, An Introduction to Probability Theory "
              "and Its Applications, 1971, VII.8)"),
    ), r"The relative weight change vanishes like $n^{-1/2}$ for one hidden layer (for deeper networks "
       r"the $n^2$ weights of the middle layers make $\|\theta_0\| \sim n$ and the exponent $-1$).")


def derive_wide_net_follows_ode(statement: Statement) -> Derivation:
    """The linear solution (linked) solves the stated ODE; Duhamel's first-order gap, integrated; its
    exponent from the kernel's deviation (linked)."""
    spectrum = SPECTRA[0]
    size = spectrum.size
    u0 = vector("u", size)
    linear = explicit(LINEAR_SOLUTION["solution"].rhs, sizes={N: size}, values={"u_0": u0},
                      spectra={"H": spectrum})
    stated = explicit(statement["ode"].rhs, sizes={N: size}, values={"Theta_inf": spectrum.matrix, "u": linear})
    s = sp.Symbol("s", nonnegative=True)
    lams = spectrum.eigenvalues
    error = symmetric("E", size)

    def decay(time):
        return sp.diag(*[sp.exp(-lam_i * time) for lam_i in lams])

    gap = -(decay(t - s) * error * decay(s) * u0).applyfunc(
        lambda e: sp.integrate(sp.expand(e), (s, 0, t), conds="none"))
    diagonal = sp.diag(*lams)
    first, second = sp.symbols("g_1 g_2", positive=True)
    deviation = n ** NTK_CONSTANT["deviation"].rhs
    return Derivation((
        real_link(r"The linear solution $u(t) = e^{-t\Theta}u_0$ (flow.linear_solution, $N = 2$) solves the "
             r"stated ODE: its derivative is the stated right-hand side",
             stated, "flow.linear_solution", LINEAR_SOLUTION, "solution", rhs=linear.diff(t)),
        real_step(r"A network follows $\dot u = -(\Theta + \varepsilon E)u$; to first order in "
                  r"$\varepsilon$ its gap "
                  r"is $\varepsilon g$, $g(t) = -\int_0^t e^{-(t-s)\Theta}Ee^{-s\Theta}u_0\,ds$ (Duhamel; SymPy "
                  r"integrates it in the eigenbasis): $g$ solves $\dot g = -\Theta g - Ee^{-t\Theta}u_0$",
                  gap.diff(t), -diagonal * gap - error * decay(t) * u0, Justification.INTEGRATE),
        real_step(r"and starts at $g(0) = 0$", gap.subs(t, 0), sp.zeros(size, 1), Justification.SUBSTITUTE),
        real_link(r"The gap is $\varepsilon\|g\| + O(\varepsilon^2)$ with $\varepsilon = \sup_t\|\hat\Theta_t - "
             r"\Theta\|$ of the exponent of flow.ntk_constant (deviation): the exponent of the gap",
             statement["gap"].rhs, "flow.ntk_constant", NTK_CONSTANT, "deviation",
             rhs=exponent(first * deviation + second * deviation**2)),
        cited(r"The network's own nonlinearity, $\sup_t\|u_t - u^{\mathrm{lin}}_t\|$ against its linearisation "
              r"at $\theta_0$, is $O(n^{-1/2})$: no larger than the kernel's part of the gap",
              sp.Rational(-1, 2), statement["gap"].rhs, LEE + ", Thm 2.1", op="<="),
    ), r"A wide network's training residual follows the linear ODE with the limiting NTK up to a gap "
       r"of order $n^{-1/2}$ (Lee et al. 2019).")
