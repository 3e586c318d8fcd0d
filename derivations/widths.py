"""How fast a wide network becomes its kernel limit: exponents of width n, by power counting.

The network (NTK parameterisation, DESIGN.md conventions, depth L = 2: one hidden layer
of width n, input dimension d, Jacot et al. 2018 with sigma_w, beta = sigma_b):

    f(x) = n^{-1/2} sum_j g_j(x) + beta b,   g_j(x) = a_j sigma(w_j . x / sqrt(d) + beta b_j),

all parameters N(0, 1) at initialisation, trained by gradient flow on 1/2 ||f(X) - ybar||^2
up to a time T with int_0^T |u| dt = O(1) (u decays at the kernel's rates).  Every
parameter of neuron j enters only through n^{-1/2} g_j, so (SymPy differentiates the
neuron):

* each gradient entry is n^{-1/2} x O(1), so each parameter moves by O(n^{-1/2});
  P = (d + 2) n + 1 parameters give ||theta_T - theta_0|| = O(1) against
  ||theta_0|| = O(sqrt(P)): the relative change has exponent -1/2 (``LAZY_WEIGHTS``; the
  blog's "weights don't budge", seed 001);
* the empirical NTK is (1/n) sum_j phi_j + beta^2 with i.i.d. phi_j, so it misses its
  limit by n^{-1/2} (CLT); during training it moves at dTheta/dt = -sum_i u_i
  (O3(x, x', x_i) + O3(x', x, x_i)), O3 = sum_pq d_p f d_pq f d_q f, a sum over neurons of
  terms n^{-3/2} omega_j with omega_j odd in a_j (SymPy checks both); the symmetric
  initialisation makes them centred, so O3 ~ sqrt(n) n^{-3/2} = n^{-1}: the change in
  training has exponent -1 (``NTK_CONSTANT``, "change"; the cruder bound without the
  cancellation, n x n^{-3/2}, is the n^{-1/2} of Jacot et al.'s proof), and the distance
  from the limit at any t <= T has exponent -1/2 ("deviation").  sigma is twice
  differentiable with bounded sigma'' as in Jacot et al. (e.g. erf); for ReLU the kinks
  change the counting (observed, not derived here);
* a network following dTheta-perturbed dynamics u' = -(Theta + eps E) u leaves the linear
  solution by eps g(t) + O(eps^2) with g from Duhamel's formula (SymPy integrates it), so
  the gap to the linear ODE has the exponent of the kernel's deviation, -1/2
  (``WIDE_NET_FOLLOWS_ODE``; Lee et al. 2019, Thm 2.1).
"""
from __future__ import annotations

import sympy as sp

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement
from .flow import H, SPECTRA, U0, t
from .spectral import N, MatrixExp, NamedMatrix, explicit, real_step, symmetric, vector

__all__ = ["n", "NTK_CONSTANT", "LAZY_WEIGHTS", "WIDE_NET_FOLLOWS_ODE", "exponent",
           "derive_ntk_constant", "derive_lazy_weights", "derive_wide_net_follows_ode"]

n = sp.Symbol("n", positive=True)
"""The hidden width."""
d = 2
"""Input dimension of the symbolic neuron (the counting does not depend on it)."""

_ONE_HIDDEN = (r"NTK parameterisation, one hidden layer of width $n$ ($L = 2$), $\sigma$ twice "
               r"differentiable with bounded $\sigma''$; gradient flow to a fixed time $T$ on a fixed data set")


def exponent(expr) -> sp.Expr:
    """lim_{n -> oo} log(expr) / log(n): the power of n that ``expr`` grows or decays like."""
    return sp.limit(sp.log(expr) / sp.log(n), n, sp.oo)


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


def derive_ntk_constant(statement: Statement) -> Derivation:
    """Per-neuron gradients carry n^{-1/2}; the third-order term is odd in a; count the exponents."""
    g, params = _neuron()
    x1, x2, x3 = _points("x", "xp", "xq")
    a = params[0]

    def f(x):
        return g(x) / sp.sqrt(n)

    grads = [[sp.diff(f(x), p) for p in params] for x in (x1, x2, x3)]
    kernel = sum(g1 * g2 for g1, g2 in zip(grads[0], grads[1]))
    phi = sum(sp.diff(g(x1), p) * sp.diff(g(x2), p) for p in params)
    o3 = sum(grads[0][i] * sp.diff(f(x2), params[i], params[j]) * grads[2][j]
             for i in range(len(params)) for j in range(len(params)))
    omega = sp.expand(o3 * n ** sp.Rational(3, 2))
    return Derivation((
        real_step(r"One neuron's share of the empirical NTK is $\phi_j(x, x')/n$ with $\phi_j = \langle "
                  r"\nabla_{\theta_j} g_j(x), \nabla_{\theta_j} g_j(x')\rangle$ free of $n$: "
                  r"$\hat\Theta = \frac1n\sum_j \phi_j + \beta^2$, an average of $n$ i.i.d. terms",
                  kernel * n, phi, Justification.DIFFERENTIATE),
        real_step(r"Its share of "
                  r"$O_3(x, x', x'') = \sum_{p,q}\partial_p f(x)\,\partial^2_{pq} f(x')\,\partial_q f(x'')$ "
                  r"(which drives $\partial_t\hat\Theta = -\sum_i u_i(O_3(x, x', x_i) + O_3(x', x, x_i))$) is "
                  r"$n^{-3/2}\omega_j$ with $\omega_j$ free of $n$",
                  sp.diff(omega, n), sp.S.Zero, Justification.DIFFERENTIATE),
        real_step(r"$\omega_j$ is odd in the output weight $a_j$, whose law is symmetric: each term is centred",
                  omega.subs(a, -a), -omega),
        real_step(r"The deviation at initialisation: $\frac1n\sum_j(\phi_j - \mathbb{E}\phi_j)$ is of size "
                  r"$n^{-1/2}$ (CLT); adding the change in training (exponent below) keeps the larger",
                  exponent(n ** sp.Rational(-1, 2) + n ** -1), statement["deviation"].rhs, Justification.LIMIT),
        real_step(r"$n$ centred terms of size $n^{-3/2}$ sum to $\sqrt{n}\,n^{-3/2}$ (CLT); integrated against "
                  r"$\int_0^T|u|\,dt = O(1)$ and relative to $\|\hat\Theta_0\| = O(1)$: the exponent of the "
                  r"change",
                  exponent(sp.sqrt(n) * n ** sp.Rational(-3, 2)), statement["change"].rhs, Justification.LIMIT),
    ), r"The NTK of a wide network stays within $n^{-1}$ of its initial value during training and within "
       r"$n^{-1/2}$ of the limiting $\Theta$: in the limit it is constant (Jacot et al. 2018, Thm 2).")


def derive_lazy_weights(statement: Statement) -> Derivation:
    """Each of the P = (d + 2) n + 1 parameters moves by O(n^{-1/2}); ||theta_0|| ~ sqrt(P)."""
    g, params = _neuron()
    x = vector("x", d)
    gradient = sp.ImmutableMatrix([sp.diff(g(x) / sp.sqrt(n), p) for p in params])
    count = (d + 2) * n + 1
    moved = sp.sqrt(count * (n ** sp.Rational(-1, 2)) ** 2)
    return Derivation((
        real_step(r"Every gradient entry of a neuron's parameters is $n^{-1/2}$ times an $n$-free function, so "
                  r"under gradient flow each moves by $O(n^{-1/2})$ over $[0, T]$",
                  gradient.diff(n) * n, -gradient / 2, Justification.DIFFERENTIATE),
        real_step(rf"$P = (d + 2)n + 1$ parameters ($d = {d}$), each $N(0, 1)$: $\|\theta_T - \theta_0\| = "
                  r"O(\sqrt{P/n})$ against $\|\theta_0\| \approx \sqrt{P}$; the exponent of the ratio",
                  exponent(moved / sp.sqrt(count)), statement["relative_change"].rhs, Justification.LIMIT),
    ), r"The relative weight change vanishes like $n^{-1/2}$ for one hidden layer (for deeper networks "
       r"the $n^2$ weights of the middle layers make $\|\theta_0\| \sim n$ and the exponent $-1$).")


def derive_wide_net_follows_ode(statement: Statement) -> Derivation:
    """The linear solution solves the stated ODE; Duhamel's first-order gap, integrated; its exponent."""
    spectrum = SPECTRA[0]
    size = spectrum.size
    u0 = vector("u", size)
    linear = explicit(MatrixExp(-t * H) * U0, sizes={N: size}, values={"u_0": u0}, spectra={"H": spectrum})
    stated = explicit(statement["ode"].rhs, sizes={N: size}, values={"Theta_inf": spectrum.matrix, "u": linear})
    s = sp.Symbol("s", nonnegative=True)
    lams = spectrum.eigenvalues
    error = symmetric("E", size)

    def decay(time):
        return sp.diag(*[sp.exp(-lam_i * time) for lam_i in lams])

    gap = -(decay(t - s) * error * decay(s) * u0).applyfunc(
        lambda e: sp.integrate(sp.expand(e), (s, 0, t), conds="none"))
    diagonal = sp.diag(*lams)
    kernel_deviation = NTK_CONSTANT["deviation"].rhs
    return Derivation((
        real_step(r"The linear solution $u(t) = e^{-t\Theta}u_0$ (flow.linear_solution, $N = 2$) solves the "
                  r"stated ODE",
                  linear.diff(t), stated, Justification.USES_CLAIM, uses="flow.linear_solution"),
        real_step(r"A network follows $\dot u = -(\Theta + \varepsilon E)u$; to first order in "
                  r"$\varepsilon$ its gap "
                  r"is $\varepsilon g$, $g(t) = -\int_0^t e^{-(t-s)\Theta}Ee^{-s\Theta}u_0\,ds$ (Duhamel; SymPy "
                  r"integrates it in the eigenbasis): $g$ solves $\dot g = -\Theta g - Ee^{-t\Theta}u_0$",
                  gap.diff(t), -diagonal * gap - error * decay(t) * u0, Justification.INTEGRATE),
        real_step(r"and starts at $g(0) = 0$", gap.subs(t, 0), sp.zeros(size, 1), Justification.SUBSTITUTE),
        real_step(r"The gap is linear in the kernel's deviation $\varepsilon = \sup_t\|\hat\Theta_t - \Theta\|$, "
                  r"of exponent $-1/2$ (flow.ntk_constant): the exponent of the gap",
                  exponent(n ** kernel_deviation), statement["gap"].rhs, Justification.USES_CLAIM,
                  uses="flow.ntk_constant"),
    ), r"A wide network's training residual follows the linear ODE with the limiting NTK up to a gap "
       r"of order $n^{-1/2}$ (Lee et al. 2019).")
