"""Activation functions σ with their derivatives and dual kernels.

An :class:`Activation` holds σ (``fn``), σ' (``deriv``) and, where one exists, the closed
form of its *dual*

    dual(k11, k22, k12)       = E[σ(u) σ(v)]
    dual_deriv(k11, k22, k12) = E[σ'(u) σ'(v)],     (u, v) ~ N(0, [[k11, k12], [k12, k22]]),

as plain vectorised functions of broadcastable arrays. These are the two expectations of
the infinite-width recursions (docs/conventions.md). Where no closed form is known
(tanh, gelu, softplus, sigmoid, swish, user-supplied σ) :meth:`Activation.duals` uses
quadrature (``numeric.quadrature``: a trapezoidal rule on a variance-adapted change of
variables, accurate to its stated ``ACCURACY`` over its declared ``RANGE``; a polar rule
for σ with a kink at 0),
which :meth:`Activation.quadrature_duals` also runs for any activation, closed forms
included.

Notation: c = k12/√(k11 k22) clipped to [−1, 1], θ = arccos c. Sources: the arc-cosine
kernels (step, relu) are Cho & Saul 2009, "Kernel methods for deep learning"; erf is
Williams 1997, "Computing with infinite networks"; the recursion and its use for the NTK
are Jacot, Gabriel & Hongler 2018. The remaining closed forms are direct Gaussian
integrals: E[e^{i(u±v)}] gives the trigonometric ones, E[e^{u+v}] the exponential one,
Isserlis' theorem the quadratic one.

Degenerate covariances: where k11 k22 = 0 one of u, v is 0 almost surely, and every
dual below equals the exact expectation with the activation's own values at 0 (e.g.
relu' (0) = 0, step(0) = 0); nothing returns NaN.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special

from catalogue import activations as catalogue
from numeric import quadrature
from numeric.quadrature import correlation_parts, on_arrays

__all__ = ["Activation", "abrelu", "leaky_relu", "custom", "get", "names", "designed", "formula"]

Array = np.ndarray
Dual = Callable[[Array, Array, Array], Array]


@dataclass(frozen=True)
class Activation:
    """A pointwise nonlinearity σ, its derivative σ' and (optionally) its closed-form duals.

    Fields: ``name``; ``fn`` = σ and ``deriv`` = σ' (numpy ufunc-like); ``dual`` and
    ``dual_deriv``, the closed forms of E[σ(u)σ(v)] and E[σ'(u)σ'(v)] as functions of
    (k11, k22, k12), or None; ``polynomial_degree`` (None unless σ is a polynomial);
    ``description`` (the formula, in words); ``params`` ((name, value) pairs of a
    parametrised family such as :func:`abrelu`); ``joint_duals``, optionally both closed
    forms computed together when they share work (θ for the arc-cosine family). The dual
    functions must return new arrays: the kernels update them in place.
    ``kink_at_zero``: σ is smooth except for a kink or jump at 0, which the quadrature
    then resolves (``numeric.quadrature.polar_rule``).
    """

    name: str
    fn: Callable[[Array], Array]
    deriv: Callable[[Array], Array]
    dual: Dual | None = None
    dual_deriv: Dual | None = None
    polynomial_degree: int | None = None
    description: str = ""
    params: tuple[tuple[str, float], ...] = ()
    joint_duals: Callable[[Array, Array, Array], tuple[Array, Array]] | None = None
    kink_at_zero: bool = False

    @property
    def has_closed_form(self) -> bool:
        """Whether both duals have closed forms (otherwise :meth:`duals` integrates)."""
        return self.dual is not None and self.dual_deriv is not None

    def duals(self, k11, k22, k12) -> tuple[Array, Array]:
        """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]): the closed forms, or quadrature where there are none."""
        if self.joint_duals is not None:
            return self.joint_duals(k11, k22, k12)
        if self.has_closed_form:
            return self.dual(k11, k22, k12), self.dual_deriv(k11, k22, k12)
        return self.quadrature_duals(k11, k22, k12)

    def quadrature_duals(self, k11, k22, k12, *, order: int | None = None):
        """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]) by ``quadrature.dual_expectations`` (order None:
        chosen from the largest variance, ``quadrature.order_for``).

        Runs for every activation, so the closed forms can be checked against it; the
        accuracy is stated in ``numeric.quadrature`` (rounding level for entire σ and,
        by the polar rule, for σ with ``kink_at_zero``).
        """
        dual, dual_deriv = quadrature.dual_expectations(
            (self.fn, self.deriv), k11, k22, k12, order=order, kink_at_zero=self.kink_at_zero
        )
        return dual, dual_deriv


def _filled(value, k11, k22, k12) -> Array:
    """``value`` as a new float array of the broadcast shape of (k11, k22, k12)."""
    return np.array(np.broadcast_to(value, np.broadcast(k11, k22, k12).shape), dtype=float)


# ---------------------------------------------------------------- arc-cosine family

def _orthant(k11, k22, k12) -> tuple[Array, Array, Array, Array | None]:
    """(√(k11 k22), c, P(u > 0, v > 0), degenerate) with P = (π − θ)/(2π).

    Sheppard's formula (Cho & Saul 2009, arc-cosine kernel of degree 0). ``degenerate``
    is the mask of k11 k22 = 0 (None when there is none); there u or v is 0 almost
    surely and P = 0.
    """
    norm, c, degenerate = correlation_parts(k11, k22, k12)
    p = np.arccos(c)
    p -= np.pi
    p *= -1.0 / (2.0 * np.pi)
    if degenerate is not None:
        p[degenerate] = 0.0
    return norm, c, p, degenerate


def _abrelu_duals(a: float, b: float, k11, k22, k12) -> tuple[Array, Array]:
    """(E[σ(u)σ(v)], E[σ'(u)σ'(v)]) for σ = a·min(z, 0) + b·max(z, 0); see :func:`abrelu`.

    In-place operations, multiplications by 1 and additions of 0 skipped: this is the
    inner loop of the ReLU kernels.
    """
    norm, c, p, degenerate = _orthant(k11, k22, k12)
    scale, cross = (a - b) ** 2, a * b
    dual = np.multiply(c, c)                 # J = √(k11 k22)(√(1 − c²)/(2π) + P c)
    np.subtract(1.0, dual, out=dual)
    np.sqrt(dual, out=dual)
    dual *= 1.0 / (2.0 * np.pi)
    dual += np.multiply(p, c, out=c)
    dual *= norm
    deriv = p                                # (a² + b²)P + ab θ/π = (a − b)²P + ab
    if scale != 1.0:
        dual *= scale
        deriv *= scale
    if cross != 0.0:
        dual += cross * np.asarray(k12)
        deriv += cross
    if degenerate is not None:
        positive = np.where(np.asarray(k11) > 0, 0.5, 0.0) + np.where(np.asarray(k22) > 0, 0.5, 0.0)
        deriv[degenerate] = np.broadcast_to(a * a + a * (b - a) * positive, deriv.shape)[degenerate]
    return dual, deriv


def abrelu(a: float, b: float, *, name: str | None = None) -> Activation:
    """σ(z) = a·min(z, 0) + b·max(z, 0): relu (0, 1), leaky relu (slope, 1), abs (−1, 1).

    With J(k12) = E[relu(u) relu(v)] = √(k11 k22)(sin θ + (π − θ) c)/(2π) (Cho & Saul
    2009, arc-cosine kernel of degree 1) and σ = b·relu(z) − a·relu(−z), symmetry of the
    Gaussian gives E[relu(−u) relu(−v)] = J(k12) and E[relu(u) relu(−v)] = J(−k12)
    = J(k12) − k12/2 (because relu(v) − relu(−v) = v and E[relu(u) v] = k12/2), so

        E[σ(u)σ(v)]   = (a − b)² J + a b k12,
        E[σ'(u)σ'(v)] = (a² + b²) P + a b θ/π,   P = P(u > 0, v > 0) = (π − θ)/(2π),

    using σ'(z) = b for z > 0 and a for z ≤ 0 (the convention of ``deriv``). In general
    the second is a²·P(u≤0, v≤0) + b²·P(u>0, v>0) + ab·(P(u>0, v≤0) + P(u≤0, v>0)),
    which is what is evaluated where k11 k22 = 0 (u or v is then 0 almost surely).
    """
    a, b = _finite(a, "a"), _finite(b, "b")

    def fn(z):
        out = np.maximum(z, 0.0)
        if b != 1.0:
            out = out * b
        return out if a == 0.0 else out + a * np.minimum(z, 0.0)

    def deriv(z):
        positive = np.asarray(z) > 0
        return positive * b if a == 0.0 else a + (b - a) * positive

    @on_arrays
    def duals(k11, k22, k12):
        return _abrelu_duals(a, b, k11, k22, k12)

    return Activation(
        name=name or f"abrelu(a={a:g}, b={b:g})",
        fn=fn,
        deriv=deriv,
        dual=lambda k11, k22, k12: duals(k11, k22, k12)[0],
        dual_deriv=lambda k11, k22, k12: duals(k11, k22, k12)[1],
        joint_duals=duals,
        kink_at_zero=a != b,
        polynomial_degree=1 if a == b else None,
        description=f"{a:g}·min(z, 0) + {b:g}·max(z, 0)",
        params=(("a", a), ("b", b)),
    )


def leaky_relu(slope: float = 0.1) -> Activation:
    """Leaky ReLU max(z, 0) + slope·min(z, 0) = ``abrelu(slope, 1)``."""
    slope = _finite(slope, "slope")
    return abrelu(slope, 1.0, name="leaky_relu" if slope == 0.1 else f"leaky_relu(slope={slope:g})")


def _finite(value, label: str) -> float:
    """``value`` as a float; ValueError naming ``label`` unless it is a finite real number."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    raise ValueError(f"{label} must be a finite real number; got {value!r}")


def _step() -> Activation:
    """σ = 1{z > 0}: E[σ(u)σ(v)] = (π − θ)/(2π) (Sheppard's formula; Cho & Saul 2009, n = 0).

    σ' = 0 almost everywhere, the derivative a network's backpropagation sees, so the
    derivative dual is 0 and the step network's NTK is its NNGP. (The distributional
    derivative δ would give 1/(2π√(k11 k22 − k12²)), infinite on the diagonal.)
    """
    return Activation(
        name="step",
        fn=lambda z: (np.asarray(z) > 0).astype(float),
        deriv=lambda z: np.zeros(np.shape(z)),
        dual=on_arrays(lambda k11, k22, k12: _orthant(k11, k22, k12)[2]),
        dual_deriv=lambda k11, k22, k12: _filled(0.0, k11, k22, k12),
        description="1{z > 0}",
        kink_at_zero=True,
    )


# ---------------------------------------------------------------- smooth closed forms

def _erf() -> Activation:
    """σ = erf (Williams 1997): E[σσ] = (2/π) arcsin(2k12/√((1+2k11)(1+2k22))),
    E[σ'σ'] = (4/π)/√((1+2k11)(1+2k22) − 4k12²), with σ'(z) = (2/√π) e^{−z²}.

    The radicand of the second is evaluated as 1 + 2k11 + 2k22 + 4(k11 k22 − k12²), whose
    last term is ≥ 0 and is clamped there against rounding.
    """

    def dual(k11, k22, k12):
        k11, k22, k12 = (np.asarray(k, dtype=float) for k in (k11, k22, k12))
        x = 2.0 * k12 / (np.sqrt(1.0 + 2.0 * k11) * np.sqrt(1.0 + 2.0 * k22))
        return (2.0 / np.pi) * np.arcsin(np.clip(x, -1.0, 1.0))

    def dual_deriv(k11, k22, k12):
        k11, k22, k12 = (np.asarray(k, dtype=float) for k in (k11, k22, k12))
        radicand = 1.0 + 2.0 * k11 + 2.0 * k22 + 4.0 * np.maximum(k11 * k22 - k12 * k12, 0.0)
        return (4.0 / np.pi) / np.sqrt(radicand)

    return Activation(
        name="erf",
        fn=special.erf,
        deriv=lambda z: (2.0 / np.sqrt(np.pi)) * np.exp(-np.square(z)),
        dual=dual,
        dual_deriv=dual_deriv,
        description="erf(z)",
    )


def _trig_parts(k11, k22, k12) -> tuple[Array, Array]:
    """(E[sin u sin v], E[cos u cos v]) = e^{−(k11+k22)/2} (sinh k12, cosh k12).

    From E[cos(u ∓ v)] = e^{−(k11 + k22 ∓ 2k12)/2}; written with exponents ≤ 0
    (|k12| ≤ (k11 + k22)/2) so large variances underflow to 0 instead of giving inf·0,
    and the sinh part as e^{|k12| − m}(1 − e^{−2|k12|})/2 with expm1, so that at small
    k12 (sin's length map near σ_w = 1) no digits cancel.
    """
    k11, k22, k12 = (np.asarray(k, dtype=float) for k in (k11, k22, k12))
    mean = 0.5 * (k11 + k22)
    plus, minus = np.exp(np.abs(k12) - mean), np.exp(-np.abs(k12) - mean)
    return -0.5 * np.sign(k12) * plus * np.expm1(-2 * np.abs(k12)), 0.5 * (plus + minus)


def _trig(name: str, fn, deriv, *, odd: bool) -> Activation:
    """σ = sin (odd) or cos, σ' = cos or −sin:

        E[sin u sin v] = e^{−(k11+k22)/2} sinh k12,   E[cos u cos v] = e^{−(k11+k22)/2} cosh k12,

    so sin has the sinh dual and the cosh derivative dual, and cos the other way round.
    """
    dual, dual_deriv = (0, 1) if odd else (1, 0)
    return Activation(
        name=name,
        fn=fn,
        deriv=deriv,
        dual=lambda k11, k22, k12: _trig_parts(k11, k22, k12)[dual],
        dual_deriv=lambda k11, k22, k12: _trig_parts(k11, k22, k12)[dual_deriv],
        description=f"{name}(z)",
    )


def _identity() -> Activation:
    """σ(z) = z: E[uv] = k12 and E[1·1] = 1."""
    return Activation(
        name="identity",
        fn=lambda z: np.asarray(z, dtype=float),
        deriv=lambda z: np.ones(np.shape(z)),
        dual=lambda k11, k22, k12: _filled(k12, k11, k22, k12),
        dual_deriv=lambda k11, k22, k12: _filled(1.0, k11, k22, k12),
        polynomial_degree=1,
        description="z",
    )


def _quadratic() -> Activation:
    """σ(z) = z²: E[u²v²] = k11 k22 + 2k12² (Isserlis); σ' = 2z, E[4uv] = 4k12."""
    return Activation(
        name="quadratic",
        fn=np.square,
        deriv=lambda z: 2.0 * np.asarray(z, dtype=float),
        dual=lambda k11, k22, k12: (np.asarray(k11, dtype=float) * np.asarray(k22)
                                    + 2.0 * np.square(k12)),
        dual_deriv=lambda k11, k22, k12: _filled(4.0 * np.asarray(k12), k11, k22, k12),
        polynomial_degree=2,
        description="z**2",
    )


def _exp() -> Activation:
    """σ = exp = σ': E[e^{u+v}] = exp((k11 + k22)/2 + k12), the Gaussian moment generating
    function at (1, 1)."""

    def dual(k11, k22, k12):
        return np.exp(0.5 * (np.asarray(k11, dtype=float) + np.asarray(k22)) + np.asarray(k12))

    return Activation(name="exp", fn=np.exp, deriv=np.exp, dual=dual, dual_deriv=dual,
                      description="exp(z)")


# ---------------------------------------------------------------- quadrature only

def custom(name: str, fn, deriv, *, dual=None, dual_deriv=None, polynomial_degree=None,
           description: str = "", kink_at_zero: bool = False) -> Activation:
    """A user-supplied σ with σ'; its duals go through quadrature unless given.

    ``dual`` and ``dual_deriv``, if both are given, must be closed forms of E[σ(u)σ(v)]
    and E[σ'(u)σ'(v)] as vectorised functions of (k11, k22, k12) returning new arrays.
    ``kink_at_zero=True`` for σ smooth except at 0 (e.g. relu-like) selects the polar
    rule, exact for piecewise-linear σ; otherwise tensor Gauss–Hermite, accurate for
    smooth σ only (see ``numeric.quadrature``).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}")
    for label, f in (("fn", fn), ("deriv", deriv)):
        if not callable(f):
            raise ValueError(f"{label} must be callable; got {f!r}")
    return Activation(name=name, fn=fn, deriv=deriv, dual=dual, dual_deriv=dual_deriv,
                      polynomial_degree=polynomial_degree, description=description,
                      kink_at_zero=bool(kink_at_zero))


def _sigmoid_deriv(z):
    s = special.expit(z)
    return s * (1.0 - s)


def _gelu(z):
    return z * special.ndtr(z)


def _gelu_deriv(z):
    return special.ndtr(z) + z * np.exp(-0.5 * np.square(z)) / np.sqrt(2.0 * np.pi)


def _swish(z):
    return z * special.expit(z)


def _swish_deriv(z):
    s = special.expit(z)
    return s * (1.0 + z * (1.0 - s))


# ---------------------------------------------------------------- the catalogue's formulas

_NUMPY = {
    "pi": np.pi, "step": lambda x: (np.asarray(x) > 0).astype(float), "erf": special.erf, "exp": np.exp,
    "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "asin": np.arcsin, "acos": np.arccos,
}
"""The functions and constants of the catalogue's vocabulary (catalogue.activations.VOCABULARY) in numpy."""


def formula(text: str, **values) -> Array:
    """The catalogue formula ``text`` evaluated by numpy with the variables ``values``.

    ValueError if it names anything outside the catalogue's vocabulary (or a variable not given).
    """
    code = compile(text, "<catalogue>", "eval")
    known = (set(_NUMPY) | set(values)) & catalogue.VOCABULARY
    outside = set(code.co_names) - known
    if outside:
        raise ValueError(f"formula={text!r} uses {sorted(outside)}, outside the catalogue's vocabulary "
                         f"or the variables given ({sorted(values)})")
    return eval(code, {"__builtins__": {}}, {**_NUMPY, **values})


def _pointwise(text: str) -> Callable[[Array], Array]:
    """σ or σ' of a catalogue formula in z, as a new float array of z's shape."""
    def f(z):
        z = np.asarray(z, dtype=float)
        return np.array(np.broadcast_to(formula(text, z=z), z.shape), dtype=float)
    return f


def _catalogue_dual(text: str) -> Dual:
    """A closed-form dual of the catalogue evaluated with c = k12/√(k11 k22) clipped to [−1, 1]
    and θ = arccos c (``correlation_parts``: c = 0 where k11 k22 = 0, where the formula must give
    the exact expectation, e.g. through a factor k11 k22)."""
    @on_arrays
    def dual(k11, k22, k12):
        _, c, _ = correlation_parts(k11, k22, k12)
        return _filled(formula(text, k11=k11, k22=k22, k12=k12, c=c, theta=np.arccos(c)), k11, k22, k12)
    return dual


def _from_catalogue(entry) -> Activation:
    """The Activation of a catalogue entry without a hand-optimised evaluation: σ, σ' and the
    dual evaluated from the catalogue's formulas; the derivative dual, from σ' = α + β F with
    α = 0, is β² times F's dual (quadrature where the catalogue states no closed form)."""
    dual = dual_deriv = None
    if entry.dual is not None:
        dual = _catalogue_dual(entry.dual)
        form = entry.form
        if form is None or float(formula(form.alpha)) != 0.0:
            raise ValueError(f"{entry.name}: numeric derives the derivative dual only for sigma' = beta F")
        factor = float(formula(form.beta)) ** 2
        dual_deriv = lambda k11, k22, k12: factor * get(form.of).duals(k11, k22, k12)[0]  # noqa: E731
    return custom(entry.name, _pointwise(entry.sigma), _pointwise(entry.derivative), dual=dual,
                  dual_deriv=dual_deriv, polynomial_degree=entry.polynomial_degree,
                  description=entry.description, kink_at_zero=entry.kink_at_zero)


_FAST_FUNCTIONS = {
    "tanh": (np.tanh, lambda z: 1.0 - np.square(np.tanh(z))),
    "gelu": (_gelu, _gelu_deriv),
    "softplus": (lambda z: np.logaddexp(0.0, z), special.expit),
    "sigmoid": (special.expit, _sigmoid_deriv),
    "swish": (_swish, _swish_deriv),
}
"""Overflow-safe σ, σ' of catalogue entries without closed-form duals (held to the catalogue's
formulas by tests/numeric/test_activations.py)."""

_FAST = {
    "relu": abrelu(0.0, 1.0, name="relu"),
    "abs": abrelu(-1.0, 1.0, name="abs"),
    "leaky_relu": leaky_relu(0.1),
    "step": _step(),
    "erf": _erf(),
    "identity": _identity(),
    "sin": _trig("sin", np.sin, np.cos, odd=True),
    "cos": _trig("cos", np.cos, lambda z: -np.sin(z), odd=False),
    "quadratic": _quadratic(),
    "exp": _exp(),
    **{name: custom(name, f, d, description=catalogue.entry(name).description)
       for name, (f, d) in _FAST_FUNCTIONS.items()},
}
"""Hand-optimised evaluations of catalogue entries (in-place arc-cosine duals, clamped radicands,
overflow-safe exponentials); the library check of each entry's dual claim holds its duals to the
catalogue's formula at rounding precision."""
if set(_FAST) - set(catalogue.LIBRARY):
    raise ValueError(f"numeric.activations: {sorted(set(_FAST) - set(catalogue.LIBRARY))} not in the catalogue")

_REGISTRY: dict[str, Activation] = {}
for _entry in catalogue.ENTRIES:
    if _entry.library:
        _REGISTRY[_entry.name] = _FAST.get(_entry.name) or _from_catalogue(_entry)


def names() -> tuple[str, ...]:
    """The accepted activation names."""
    return tuple(sorted(_REGISTRY))


def get(name: str | Activation) -> Activation:
    """The activation called ``name`` (an :class:`Activation` passes through).

    Raises ValueError naming the bad value and the accepted names.
    """
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"activation={name!r} is not known; accepted: {', '.join(names())}, "
            "or an Activation object (see activations.abrelu, leaky_relu, custom)"
        ) from None


def designed(target, *, kernel: str = "nngp", tail: float = 0.0, name: str | None = None):
    """The activation realising a target dual kernel ("nngp") or one-hidden-layer NTK
    ("ntk") with power-series coefficients ``target``; see ``numeric.design``, which
    returns it with its Hermite coefficients and error bound (``design_activation``)."""
    from numeric.design import design_activation  # numeric.design builds on this module
    return design_activation(target, kernel=kernel, tail=tail, name=name).activation
