"""Training dynamics in function space: gradient flow, its linear solution, GD, the cost.

Least squares on N training points (Jacot, Gabriel & Hongler 2018, Secs. 3-5; Lee et al. 2019;
the blog post "Understanding the Neural Tangent Kernel" by Rajat V. D.; the handwritten notes on
the function-space ODE): outputs y(theta) in R^N of parameters theta in R^P, targets ybar,

    L(theta) = 1/2 ||y(theta) - ybar||^2        (a sum over the points, as in numeric.training)
    gradient flow  dtheta/dt = -grad_theta L,   GD  theta_{k+1} = theta_k - eta grad L(theta_k),

GD being the forward-Euler discretisation of the flow at time t = eta k.  The claims:

* ``FUNCTION_SPACE_ODE``: by the chain rule dy/dt = -H(theta)(y - ybar), H = J J^T with
  J = grad_theta y (N x P): the empirical NTK (the handwritten notes write K_t for it);
* ``LINEAR_SOLUTION``: for constant H, u(t) = e^{-tH} u_0 solves u' = -Hu, u(0) = u_0;
* ``SPECTRAL_DECAY``: along an eigenvector q_i (H q_i = lambda_i q_i), q_i^T u(t) =
  e^{-lambda_i t} q_i^T u_0: each component decays at its own eigenvalue's rate;
* ``GD_DISCRETE``: for the linearised model y = f_0 + J(w - w_0), GD is exactly
  u_{k+1} = (I - eta H) u_k, which converges for every u_0 iff eta < 2/lambda_max;
* ``COST_DECREASE``: kernel gradient descent on the empirical p_in (Jacot et al. Sec. 3; the
  EAI Math Reading Group slides "Neural Tangent Kernels", 2023): f' = -grad_K C, grad_K C(x_i) = (1/N) sum_j K(x_i, x_j) d(x_j), makes the
  cost C = (1/N) sum_j c(f(x_j), y_j) change at the rate -||d||_K^2 = -d^T K d / N^2 <= 0.

Matrix statements are written over named matrices of symbolic size N and made explicit
at N = 2, 3 by :mod:`derivations.spectral`; symmetric matrices enter through their
spectra H = Q Lambda Q^T with a rational orthogonal Q and symbolic eigenvalues.
"""
from __future__ import annotations

import sympy as sp

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement
from .spectral import (N, PYTHAGOREAN, ROTATION, MatrixExp, NamedMatrix, Spectrum, eigencomponent,
                       explicit, matrix, real_domain, real_link, real_step, symmetric, vector)

__all__ = ["t", "eta", "lam", "lam_max", "c0", "P", "H", "SPECTRA",
           "FUNCTION_SPACE_ODE", "LINEAR_SOLUTION", "SPECTRAL_DECAY", "GD_DISCRETE", "COST_DECREASE",
           "derive_function_space_ode", "derive_linear_solution", "derive_spectral_decay",
           "derive_gd_discrete", "derive_cost_decrease", "decay_rate", "step_factor"]

t = sp.Symbol("t", nonnegative=True)
eta = sp.Symbol("eta", positive=True)
lam = sp.Symbol("lambda", positive=True)
lam_max = sp.Symbol("lambda_max", positive=True)
c0 = sp.Symbol("c_0", real=True)
P = sp.Symbol("P", integer=True, positive=True)

H = NamedMatrix("H", N, N)
J = NamedMatrix("J", N, P)
Y = NamedMatrix("y", N, 1)
YBAR = NamedMatrix("ybar", N, 1)
U0 = NamedMatrix("u_0", N, 1)
UK = NamedMatrix("u_k", N, 1)
K = NamedMatrix("K", N, N, latex=r"K(X, X)")
D = NamedMatrix("d", N, 1, latex=r"d|_{f_t}(X)")

SPECTRA = (
    Spectrum(ROTATION, sp.symbols("lambda_1:3", positive=True)),
    Spectrum(PYTHAGOREAN, sp.symbols("lambda_1:4", positive=True)),
)
"""H = Q Lambda Q^T at N = 2 and N = 3: rational orthogonal Q, symbolic eigenvalues."""

_FLOW = (r"$L(\theta) = \frac12\|y(\theta) - \bar y\|^2$ (a sum over the $N$ points), "
         r"$\dot\theta = -\nabla_\theta L$")

FUNCTION_SPACE_ODE = Statement(
    (Relation("ode", Quantity("dy/dt", r"\dot{y}"), -H * (Y - YBAR)),
     Relation("kernel", Quantity("H(theta)", r"H(\theta)"), J * J.T)),
    Domain({}, description=r"y: \mathbb{R}^P \to \mathbb{R}^N \text{ differentiable (any model)}"),
    _FLOW + r"; $J = \nabla_\theta y$ is $N \times P$",
)

LINEAR_SOLUTION = Statement(
    (Relation("solution", Quantity("u(t)"), MatrixExp(-t * H) * U0),),
    Domain({}, description=r"H = H^\top \succeq 0 \text{ constant},\ t \ge 0"),
    r"$u = y - \bar y$ obeys $\dot u = -Hu$, $u(0) = u_0$, with $H$ constant (the kernel regime)",
)

SPECTRAL_DECAY = Statement(
    (Relation("component", Quantity("q_i^T u(t)", r"q_i^\top u(t)"), sp.exp(-lam * t) * c0),),
    real_domain(lam, t, c0, description=r"\lambda_i > 0,\ t \ge 0,\ c_0 = q_i^\top u(0)"),
    r"$H q_i = \lambda_i q_i$, $\|q_i\| = 1$; $u(t)$ the solution of $\dot u = -Hu$",
)

GD_DISCRETE = Statement(
    (Relation("recursion", Quantity("u_{k+1}"), (sp.Identity(N) - eta * H) * UK),
     Relation("threshold", Quantity("eta_c", r"\eta_c"), 2 / lam_max)),
    real_domain(eta, lam_max, description=r"\eta > 0,\ \lambda_{\max} = \max \operatorname{spec} H > 0"),
    r"linearised model $y(w) = f_0 + J(w - w_0)$, GD with step $\eta$; $u_k = y(w_k) - \bar y$, $H = JJ^\top$",
)

COST_DECREASE = Statement(
    (Relation("rate", Quantity("dC/dt", r"\partial_t C|_{f(t)}"), -(D.T * K * D) / N**2),),
    Domain({}, description=r"K(X, X) \succeq 0,\ c \text{ differentiable}"),
    r"$C(f) = \frac1N\sum_j c(f(x_j), y_j)$; $\partial_f C = \langle d, \cdot\rangle_{p^{in}}$; "
    r"kernel gradient descent $\partial_t f = -\nabla_K C$, "
    r"$\nabla_K C(x) = \frac1N \sum_j K(x, x_j)\, d(x_j)$",
)


def _symbolised(expr, mapping):
    """``expr`` with derivatives and function values at time t renamed to plain symbols."""
    return sp.ImmutableMatrix(expr).xreplace(mapping)


def derive_function_space_ode(statement: Statement) -> Derivation:
    """The chain rule on a generic model y_i(theta_1(t), ..., theta_P(t)) at (N, P) = (2, 3), (3, 2)."""
    steps = []
    for n, p in ((2, 3), (3, 2)):
        thetas = [sp.Function(f"theta_{j + 1}", real=True)(t) for j in range(p)]
        y = sp.ImmutableMatrix([sp.Function(f"y_{i + 1}", real=True)(*thetas) for i in range(n)])
        ybar = vector("ybar", n)
        loss = ((y - ybar).T * (y - ybar))[0] / 2
        grad = sp.ImmutableMatrix([loss.diff(th) for th in thetas])
        jac = y.jacobian(thetas)
        steps.append(real_step(
            rf"$N={n}$, $P={p}$: differentiate the loss, $\nabla_\theta L = J^\top (y - \bar y)$ with "
            r"$J_{ip} = \partial y_i/\partial\theta_p$",
            grad, jac.T * (y - ybar), Justification.DIFFERENTIATE))
        velocity = sp.ImmutableMatrix([th.diff(t) for th in thetas])
        steps.append(real_step(
            r"Chain rule: $\frac{d}{dt} y(\theta(t)) = J\,\dot\theta$",
            y.diff(t), jac * velocity, Justification.DIFFERENTIATE))
        flowed = y.diff(t).xreplace({v: -g for v, g in zip(velocity, grad)})
        kernel = explicit(statement["kernel"].rhs, sizes={N: n, P: p}, values={"J": jac})
        stated = explicit(statement["ode"].rhs, sizes={N: n}, values={"H": kernel, "y": y, "ybar": ybar})
        names = {**dict(zip(jac, matrix("J", n, p))), **dict(zip(y, vector("y", n)))}
        lhs, rhs = _symbolised(flowed, names), _symbolised(stated, names)
        steps.append(real_step(
            r"Substitute the gradient flow $\dot\theta = -\nabla_\theta L$: $\dot y = -JJ^\top(y - \bar y)$, "
            r"the stated ODE with the stated kernel (values and derivatives at time $t$ as symbols)",
            lhs, rhs, Justification.SUBSTITUTE))
    return Derivation(tuple(steps),
                      "The chain rule holds entry by entry for any N and P; the sizes shown are "
                      "instances of the same computation.")


def _linear_solution(spectrum: Spectrum, statement: Statement = LINEAR_SOLUTION):
    u0 = vector("u", spectrum.size)
    u = explicit(statement["solution"].rhs, sizes={N: spectrum.size}, values={"u_0": u0},
                 spectra={"H": spectrum})
    return u0, u


def derive_linear_solution(statement: Statement) -> Derivation:
    """Differentiate the stated solution at H = Q Lambda Q^T (N = 2, 3): u' + Hu = 0, u(0) = u_0."""
    steps = []
    for spectrum in SPECTRA:
        u0, u = _linear_solution(spectrum, statement)
        n = spectrum.size
        steps += [
            spectrum.orthogonality(),
            spectrum.power_step(),
            real_step(rf"$N={n}$: differentiate the stated $u(t)$ in $t$; it solves $\dot u = -Hu$",
                      u.diff(t), -spectrum.matrix * u, Justification.DIFFERENTIATE),
            real_step(rf"$N={n}$: at $t = 0$ it starts at $u_0$", u.subs(t, 0), u0, Justification.SUBSTITUTE),
        ]
    return Derivation(tuple(steps),
                      r"A linear ODE with constant coefficients has exactly one solution for each "
                      r"initial value (Picard-Lindelöf); the stated $u(t)$ solves it and starts at "
                      r"$u_0$, so it is the solution.")


def derive_spectral_decay(statement: Statement) -> Derivation:
    """The component ODE c' = -lambda c solved by SymPy, and the projection of the linear solution."""
    rhs = statement["component"].rhs
    spectrum = SPECTRA[0]
    c = sp.Function("c", real=True)
    solved = sp.dsolve(sp.Eq(c(t).diff(t), -lam * c(t)), c(t), ics={c(0): c0}).rhs
    u0, u = _linear_solution(spectrum)
    components = spectrum.Q.T * u0
    stated = sp.ImmutableMatrix([rhs.subs({lam: spectrum.eigenvalues[i], c0: components[i]})
                                 for i in range(spectrum.size)])
    return Derivation((
        real_step(r"The columns of $Q$ are eigenvectors: $Q^\top H = \Lambda Q^\top$, so "
                  r"$c_i = q_i^\top u$ obeys $\dot c_i = -q_i^\top H u = -\lambda_i c_i$",
                  sp.ImmutableMatrix(spectrum.Q.T * spectrum.matrix),
                  sp.ImmutableMatrix(spectrum.diagonal * spectrum.Q.T)),
        real_step(r"Solve $\dot c = -\lambda c$, $c(0) = c_0$ (SymPy's dsolve)", solved, rhs,
                  Justification.INTEGRATE),
        real_link(r"Project the linear solution $u(t) = Qe^{-t\Lambda}Q^\top u_0$ (flow.linear_solution) on the "
             r"eigenvectors ($N=2$): each component is the stated one",
             stated, "flow.linear_solution", LINEAR_SOLUTION, "solution", rhs=sp.ImmutableMatrix(spectrum.Q.T * u)),
    ), "Each eigen-component evolves on its own: fastest along the largest eigenvalues "
       "(spectral bias; Jacot et al. Sec. 5, early stopping).")


def step_factor(statement: Statement) -> sp.Expr:
    """The recursion restricted to one eigen-direction: u_{k+1} = rho(eta, lambda) u_k, rho as an expression."""
    return eigencomponent(statement["recursion"].rhs, spectral="H", eigenvalue=lam, values={"u_k": 1})


def decay_rate(statement: Statement) -> sp.Expr:
    """-d/dt log(q_i^T u(t)) of the stated component: the continuous-time rate (lambda if true)."""
    rhs = statement["component"].rhs
    return sp.simplify(-rhs.diff(t) / rhs)


def derive_gd_discrete(statement: Statement) -> Derivation:
    """GD on the linearised model, the recursion in the eigenbasis, and its stability interval."""
    n, p = 2, 3
    jac, f0, ybar = matrix("J", n, p), vector("f0", n), vector("ybar", n)
    w, w0 = vector("w", p), vector("w0", p)
    model = f0 + jac * (w - w0)
    loss = ((model - ybar).T * (model - ybar))[0] / 2
    w_next = w - eta * sp.ImmutableMatrix([loss.diff(wi) for wi in w])
    u_next = model.xreplace(dict(zip(w, w_next))) - ybar
    stated = explicit(statement["recursion"].rhs, sizes={N: n},
                      values={"H": jac * jac.T, "u_k": model - ybar})
    spectrum = SPECTRA[0]
    columns = [explicit(statement["recursion"].rhs, sizes={N: n}, values={"u_k": spectrum.Q[:, i]},
                        spectra={"H": spectrum}) for i in range(n)]
    rho = step_factor(statement)
    modes = sp.ImmutableMatrix(sp.diag(*[rho.subs(lam, e) for e in spectrum.eigenvalues]))
    stable = sp.solve_univariate_inequality(sp.Abs(rho) < 1, eta, relational=False)
    supremum = sp.S.Zero if stable is sp.S.EmptySet else stable.sup
    threshold = statement["threshold"].rhs
    return Derivation((
        real_step(r"One GD step on the linearised model ($N=2$, $P=3$, gradient by differentiation): "
                  r"$u_{k+1} = u_k - \eta JJ^\top u_k$, the stated recursion with $H = JJ^\top$ "
                  r"(flow.function_space_ode)",
                  u_next, stated, Justification.DIFFERENTIATE),
        real_step(r"In the eigenbasis of $H = Q\Lambda Q^\top$ the recursion is diagonal: "
                  r"$Q^\top (I - \eta H) Q = \operatorname{diag}(\rho(\eta, \lambda_i))$, so "
                  r"$q_i^\top u_k = \rho(\eta, \lambda_i)^k\, q_i^\top u_0$",
                  sp.ImmutableMatrix(spectrum.Q.T * sp.ImmutableMatrix.hstack(*columns)), modes),
        real_step(r"Every mode decays iff $|\rho(\eta, \lambda_i)| < 1$ for all $i$: SymPy solves "
                  r"$|\rho(\eta, \lambda)| < 1$ for $\eta > 0$; the supremum of the interval, at the largest "
                  r"eigenvalue, is the stated threshold",
                  supremum, threshold.subs(lam_max, lam)),
        real_step(r"At $\eta = \eta_c$ the top mode is marginal: $\rho(\eta_c, \lambda_{\max}) = -1$ "
                  r"(it flips sign and keeps its size)",
                  rho.subs({eta: threshold, lam: lam_max}), sp.Integer(-1), Justification.SUBSTITUTE),
    ), r"Below $\eta_c$ every mode contracts (geometrically, at rate $|1 - \eta\lambda_i|$), above it the "
       r"top mode grows: GD converges for every start iff $\eta < 2/\lambda_{\max}$.")


def derive_cost_decrease(statement: Statement) -> Derivation:
    """The dual element by a directional derivative, then dC/dt under kernel GD, at N = 2, 3."""
    cost = sp.Function("c", real=True)
    eps = sp.Symbol("epsilon", real=True)
    steps = []
    for n in (2, 3):
        ys, g, values = vector("y", n), vector("g", n), vector("F", n)
        dual = sp.ImmutableMatrix([sp.Derivative(cost(values[j], ys[j]), values[j]) for j in range(n)])
        moved = sum(cost(values[j] + eps * g[j], ys[j]) for j in range(n)) / n
        steps.append(real_step(
            rf"$N={n}$: the directional derivative of $C$ is $\langle d, g\rangle_{{p^{{in}}}}$ with "
            r"$d(x_j) = \partial_1 c(f(x_j), y_j)$: $d$ is the dual element of $\partial_f C$",
            moved.diff(eps).subs(eps, 0).doit(), (g.T * dual)[0] / n, Justification.DIFFERENTIATE))
        f = [sp.Function(f"f_{j + 1}", real=True)(t) for j in range(n)]
        kernel = symmetric("K", n)
        d = sp.ImmutableMatrix([sp.Derivative(cost(f[j], ys[j]), f[j]) for j in range(n)])
        kernel_gd = {f[i].diff(t): -(kernel[i, :] * d)[0] / n for i in range(n)}
        rate = (sum(cost(f[j], ys[j]) for j in range(n)) / n).diff(t).xreplace(kernel_gd)
        ds = vector("d", n)
        stated = explicit(statement["rate"].rhs, sizes={N: n}, values={"K": kernel, "d": ds})[0]
        lhs = rate.xreplace(dict(zip(d, ds)))
        steps.append(real_step(
            r"Differentiate $C(f(t))$ along kernel gradient descent "
            r"$\dot f(x_i) = -\frac1N\sum_j K(x_i, x_j)\,d(x_j)$",
            lhs, stated, Justification.SUBSTITUTE))
        factor = matrix("F", n, n)
        squares = -sum(((factor.T * ds)[r]) ** 2 for r in range(n)) / n**2
        psd = explicit(statement["rate"].rhs, sizes={N: n}, values={"K": factor * factor.T, "d": ds})[0]
        steps.append(real_step(
            r"A PSD Gram matrix factors as $K = FF^\top$: the rate is $-\|F^\top d\|^2/N^2$",
            psd, squares))
        steps.append(real_step(r"A sum of squares of reals: the rate is $\le 0$", squares, sp.S.Zero, op="<="))
    return Derivation(tuple(steps),
                      r"$\partial_t C = -\|d\|_K^2 \le 0$: kernel gradient descent never increases the "
                      r"cost, and decreases it while $d \ne 0$ when $K$ is positive definite.")
