"""Where kernel gradient descent ends: kernel regression, the GP posterior mean, min-norm.

With the kernel Theta = Theta(X, X) constant (the infinite-width NTK; Jacot, Gabriel & Hongler
2018, Sec. 5; Lee et al. 2019; the blog post "Understanding the Neural Tangent Kernel" by Rajat
V. D.; the notes "Neural Tangent Kernel" on functional gradient descent and RKHS, 2023; the
handwritten notes on the function-space ODE), the training outputs follow
f_t(X) - ybar = e^{-t Theta}(f_0(X) - ybar) (``flow.linear_solution``) and a test point x
follows d/dt f_t(x) = -Theta(x, X)(f_t(X) - ybar) (``flow.function_space_ode`` with x
appended to the inputs).  The claims:

* ``KERNEL_REGRESSION``: integrating the test-point ODE,
  f_t(x) = f_0(x) - Theta(x, X) Theta^{-1} (I - e^{-t Theta})(f_0(X) - ybar), and as t -> oo
  f_inf(x) = f_0(x) + Theta(x, X) Theta^{-1} (ybar - f_0(X)); a finite network of width n
  misses it by an amount whose first-order term in its kernel's error SymPy computes, so at
  the exponent of that error (``rate``, computed from ``flow.ntk_constant``'s deviation);
* ``GP_POSTERIOR_MEAN``: for f ~ GP(0, K), E[f(x) | f(X) = ybar] = K(x, X) K^{-1} ybar,
  by completing the square in the Gaussian density (the notes "Neural Tangent Kernel", 2023) -- kernel regression from
  f_0 = 0;
* ``MIN_NORM``: GD on 1/2 ||A w - b||^2 (A of size N x P, P > N, full row rank) from w_0
  stays in w_0 + row(A) and converges to w_0 + A^T (A A^T)^{-1} (b - A w_0), the solution
  closest to w_0 (the comment thread of the blog post "Understanding the Neural Tangent
  Kernel"; the minimum-norm solution when w_0 = 0).
"""
from __future__ import annotations

import sympy as sp

from .asymptotics import exponent, n
from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, cited
from .flow import GD_DISCRETE, K, P, SPECTRA, YBAR, eta, t
from .spectral import N, MatrixExp, NamedMatrix, explicit, matrix, real_link, real_step, symmetric, vector
from .widths import LEE, NTK_CONSTANT

__all__ = ["THETA", "KERNEL_REGRESSION", "GP_POSTERIOR_MEAN", "MIN_NORM",
           "derive_kernel_regression", "derive_gp_posterior_mean", "derive_min_norm"]

THETA = NamedMatrix("Theta", N, N, latex=r"\Theta(X, X)")
THETA_X = NamedMatrix("Theta_xX", 1, N, latex=r"\Theta(x, X)")
F0_TRAIN = NamedMatrix("f_0X", N, 1, latex=r"f_0(X)")
F0_TEST = NamedMatrix("f_0x", 1, 1, latex=r"f_0(x)")
K_X = NamedMatrix("K_xX", 1, N, latex=r"K(x, X)")
A = NamedMatrix("A", N, P)
B = NamedMatrix("b", N, 1)
W0 = NamedMatrix("w_0", P, 1)

KERNEL_REGRESSION = Statement(
    (Relation("trajectory", Quantity("f_t(x)"),
              F0_TEST - THETA_X * THETA.inv() * (sp.Identity(N) - MatrixExp(-t * THETA)) * (F0_TRAIN - YBAR)),
     Relation("limit", Quantity("f_inf(x)", r"f_\infty(x)"),
              F0_TEST + THETA_X * THETA.inv() * (YBAR - F0_TRAIN)),
     Relation("rate", Quantity("d log|f_T(x) - f_inf(x)| / d log n",
                               r"\frac{d\log|f^{(n)}_T(x) - f_\infty(x)|}{d\log n}"), -sp.Rational(1, 2))),
    Domain({}, description=r"\Theta(X, X) \succ 0,\ t \ge 0"),
    r"$\Theta$ the limiting NTK, constant in training; $f_0$ the network at initialisation; "
    r"training outputs $f_t(X) - \bar y = e^{-t\Theta}(f_0(X) - \bar y)$; finite width $n$ in the rate",
)

GP_POSTERIOR_MEAN = Statement(
    (Relation("mean", Quantity("E[f(x)|f(X)=ybar]", r"\mathbb{E}[f(x) \mid f(X) = \bar y]"),
              K_X * K.inv() * YBAR),),
    Domain({}, description=r"K \text{ positive definite on } (x, X)"),
    r"$f \sim \mathcal{GP}(0, K)$: $(f(x), f(X))$ jointly centred Gaussian with covariance from $K$",
)

MIN_NORM = Statement(
    (Relation("limit", Quantity("w_inf", r"w_\infty"),
              W0 + A.T * (A * A.T).inv() * (B - A * W0)),),
    Domain({}, description=r"A \in \mathbb{R}^{N\times P},\ P > N,\ \operatorname{rank} A = N"),
    r"GD $w_{k+1} = w_k - \eta A^\top(Aw_k - b)$ from $w_0$ with $0 < \eta < 2/\lambda_{\max}(AA^\top)$",
)


def _training_values(size: int) -> dict:
    return {"f_0X": vector("f0X", size), "ybar": vector("ybar", size),
            "Theta_xX": vector("theta_x", size).T,
            "f_0x": sp.ImmutableMatrix([[sp.Symbol("f0x", real=True)]])}


def derive_kernel_regression(statement: Statement) -> Derivation:
    """Integrate the test-point ODE at Theta = Q Lambda Q^T (N = 2), take t -> oo, perturb the kernel."""
    spectrum = SPECTRA[0]
    size, s = spectrum.size, sp.Symbol("s", nonnegative=True)
    values = _training_values(size)
    spectra = {"Theta": spectrum}
    trajectory = explicit(statement["trajectory"].rhs, sizes={N: size}, values=values, spectra=spectra)
    limit = explicit(statement["limit"].rhs, sizes={N: size}, values=values, spectra=spectra)
    kernel_x, start, residual = values["Theta_xX"], values["f_0x"], values["f_0X"] - values["ybar"]
    flow_at_s = spectrum.apply([sp.exp(-lam_i * s) for lam_i in spectrum.eigenvalues])
    integral = flow_at_s.applyfunc(lambda e: sp.integrate(e, (s, 0, t)))
    integrated = start - kernel_x * integral * residual
    taken = trajectory.applyfunc(lambda e: sp.limit(e, t, sp.oo))
    at_training_point = explicit(statement["limit"].rhs, sizes={N: size}, spectra=spectra, values={
        **values, "Theta_xX": spectrum.matrix[0, :], "f_0x": values["f_0X"][0:1, :]})
    eps = sp.Symbol("epsilon", real=True)
    error, error_x = symmetric("E", size), vector("e", size).T
    perturbed = explicit(statement["limit"].rhs, sizes={N: size}, values={
        **values, "Theta": spectrum.matrix + eps * error, "Theta_xX": kernel_x + eps * error_x})
    inverse = spectrum.apply([1 / lam_i for lam_i in spectrum.eigenvalues])
    first_order = (error_x * inverse - kernel_x * inverse * error * inverse) * (values["ybar"] - values["f_0X"])
    first, second = sp.symbols("D_1 D_2", positive=True)
    return Derivation((
        real_step(r"Integrate the test-point ODE "
                  r"$\partial_t f_t(x) = -\Theta(x, X)\,e^{-t\Theta}(f_0(X) - \bar y)$ "
                  r"from 0 to $t$ (SymPy, entry by entry in the eigenbasis, $N = 2$): the stated trajectory",
                  integrated, trajectory, Justification.INTEGRATE),
        real_step(r"Take $t \to \infty$ (all $\lambda_i > 0$): the stated limit",
                  taken, limit, Justification.LIMIT),
        real_step(r"At a training point $x = x_1$ ($\Theta(x, X)$ the first row of $\Theta$) the limit "
                  r"interpolates: $f_\infty(x_1) = \bar y_1$",
                  at_training_point, values["ybar"][0:1, :], Justification.SUBSTITUTE),
        real_step(r"Perturb the kernel, $\Theta \to \Theta + \varepsilon E$, $\Theta(x, X) \to \Theta(x, X) + "
                  r"\varepsilon e$: the limit moves to first order by $(e - \Theta(x,X)\Theta^{-1}E)\Theta^{-1}"
                  r"(\bar y - f_0(X))$, linear in the kernel's error",
                  perturbed.diff(eps).subs(eps, 0), first_order, Justification.DIFFERENTIATE),
        real_link(r"A width-$n$ network's kernel misses $\Theta$ by $\varepsilon$ of the exponent of flow.ntk_constant "
             r"(deviation); the miss of the limit is $\varepsilon D + O(\varepsilon^2)$ with $D$ the first-order "
             r"term above: the exponent of the miss",
             statement["rate"].rhs, "flow.ntk_constant", NTK_CONSTANT, "deviation",
             rhs=exponent(first * n ** NTK_CONSTANT["deviation"].rhs + second * n ** (2 * NTK_CONSTANT["deviation"].rhs))),
        cited(r"The network's own nonlinearity moves its outputs from those of its linearisation by "
              r"$O(n^{-1/2})$ uniformly in $t$: no larger than the kernel's part of the miss",
              sp.Rational(-1, 2), statement["rate"].rhs, LEE + ", Thm 2.1", op="<="),
    ), r"The ODE and its initial value fix $f_t(x)$; its limit is kernel regression with $\Theta$ "
       r"started from $f_0$, reached by a wide network up to its kernel's error.")


def derive_gp_posterior_mean(statement: Statement) -> Derivation:
    """Complete the square in the joint Gaussian density (N = 1, 2), then compare with kernel regression."""
    f = sp.Symbol("f", real=True)
    steps = []
    for size in (1, 2):
        cov = symmetric("s", size + 1)
        ybar = vector("ybar", size)
        z = sp.ImmutableMatrix([f, *ybar])
        quad = (z.T * cov.inv() * z)[0]
        mode, = sp.solve(quad.diff(f), f)
        stated = explicit(statement["mean"].rhs, sizes={N: size}, values={
            "K_xX": cov[0:1, 1:], "K": cov[1:, 1:], "ybar": ybar})[0]
        steps.append(real_step(
            rf"$N={size}$: the joint density of $(f(x), f(X))$ is $\propto e^{{-Q/2}}$, "
            r"$Q = z^\top\Sigma^{-1}z$, $z = (f, \bar y)$: quadratic in $f$ with leading coefficient "
            r"$(\Sigma^{-1})_{00} > 0$, so the conditional law is Gaussian with mean the root of "
            r"$\partial_f Q$ (SymPy solves it); it is the stated mean",
            mode, stated, Justification.DIFFERENTIATE))
    spectrum = SPECTRA[0]
    values = _training_values(spectrum.size)
    regression = explicit(KERNEL_REGRESSION["limit"].rhs, sizes={N: spectrum.size}, spectra={"Theta": spectrum},
                          values={**values, "f_0X": sp.zeros(spectrum.size, 1), "f_0x": sp.zeros(1, 1)})
    stated = explicit(statement["mean"].rhs, sizes={N: spectrum.size}, spectra={"K": spectrum},
                      values={"K_xX": values["Theta_xX"], "ybar": values["ybar"]})
    steps.append(real_link(r"Kernel regression started from $f_0 = 0$ with $\Theta = K$ (flow.kernel_regression_limit) "
                      r"is the posterior mean", stated, "flow.kernel_regression_limit", KERNEL_REGRESSION, "limit",
                      rhs=regression))
    return Derivation(tuple(steps), r"Gaussian conditioning and gradient flow to convergence give the same "
                                    r"predictor $K(x, X)K^{-1}\bar y$.")


def derive_min_norm(statement: Statement) -> Derivation:
    """Row-space invariance of GD, the residual recursion, and the constrained minimiser, at N = 2, P = 3."""
    size, params = 2, 3
    a, b, w0 = matrix("a", size, params), vector("b", size), vector("w0", params)
    w, c = vector("w", params), vector("c", size)
    loss = ((a * w - b).T * (a * w - b))[0] / 2
    grad = sp.ImmutableMatrix([loss.diff(wi) for wi in w])

    def step(v):
        return v - eta * grad.xreplace(dict(zip(w, v)))

    limit = explicit(statement["limit"].rhs, sizes={N: size, P: params},
                     values={"A": a, "b": b, "w_0": w0}).applyfunc(sp.cancel)
    null, = a.nullspace()
    mu = vector("mu", size)
    lagrangian = ((w - w0).T * (w - w0))[0] + (mu.T * (a * w - b))[0]
    solution = sp.solve([lagrangian.diff(v) for v in (*w, *mu)], [*w, *mu], dict=True)[0]
    closest = sp.ImmutableMatrix([solution[wi] for wi in w])
    return Derivation((
        real_step(r"Differentiate: $\nabla_w \frac12\|Aw - b\|^2 = A^\top(Aw - b)$", grad, a.T * (a * w - b),
                  Justification.DIFFERENTIATE),
        real_step(r"If $w_k = w_0 + A^\top c$, one GD step keeps the form: "
                  r"$w_{k+1} = w_0 + A^\top(c - \eta(A w_k - b))$; "
                  r"so $w_k - w_0 \in \operatorname{row}(A)$ for all $k$",
                  step(w0 + a.T * c), w0 + a.T * (c - eta * (a * (w0 + a.T * c) - b))),
        real_link(r"The residual obeys $r_{k+1} = (I - \eta AA^\top) r_k$ (flow.gd_discrete with $H = AA^\top$): "
             r"it vanishes for $\eta < 2/\lambda_{\max}$, so $Aw_\infty = b$",
             a * step(w) - b, "flow.gd_discrete", GD_DISCRETE, "recursion",
             rhs=explicit(GD_DISCRETE["recursion"].rhs, sizes={N: size}, values={"H": a * a.T, "u_k": a * w - b})),
        real_step(r"The stated limit solves the system: $A w_\infty = b$", a * limit, b),
        real_step(r"It differs from $w_0$ by a row-space vector: orthogonal to $\ker A$ (SymPy's null space)",
                  (null.T * (limit - w0))[0], sp.S.Zero),
        real_step(r"The closest solution to $w_0$: SymPy solves the Lagrange conditions of "
                  r"$\min \|w - w_0\|^2$ s.t. $Aw = b$", closest, limit, Justification.DIFFERENTIATE),
    ), r"GD stays in $w_0 + \operatorname{row}(A)$ and reaches $\{Aw = b\}$, which meet in exactly one "
       r"point (A is injective on its row space): the stated limit, which is also the solution closest "
       r"to $w_0$ -- the minimum-norm one when $w_0 = 0$.")
