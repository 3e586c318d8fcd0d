"""The one catalogue of activations: every σ the library or a claim knows is declared here.

An :class:`Entry` states σ and the network's σ' as formulas in ``z``, the closed form of the
dual E[σ(u)σ(v)] (and, where it is not derived from σ', of E[σ'(u)σ'(v)]) in ``k11, k22,
k12``, the form σ' = α + β F that Price's theorem derives the derivative dual from, the
LaTeX name, the claim that verifies the dual, and flags (kink at 0, polynomial degree, the
parameters of the abrelu family).  The formulas are text in one small vocabulary
(:data:`VOCABULARY`): Python expression syntax over the names

    z                       the argument of σ
    k11, k22, k12           the covariance of (u, v) ~ N(0, [[k11, k12], [k12, k22]])
    c, theta                k12/√(k11 k22) and arccos c
    a, b                    the slopes of the abrelu family
    pi                      π
    step                    the Heaviside function (1 for z > 0, 0 for z < 0)
    erf exp log sqrt sin cos sinh cosh tanh asin acos

``derivations`` parses them with SymPy (``derivations.duals``) and ``numeric`` evaluates
them with numpy (``numeric.activations``); this module imports neither layer, nor numpy or
SymPy.  ``numeric`` keeps hand-optimised evaluations of some formulas (in-place arc-cosine
duals, overflow-safe softplus, ...); each is held to the catalogue's formula at rounding
precision by the library check of the claim named in ``claim``.

Sources: the arc-cosine kernels of order 0, 1, 2 (step, relu, relu2) are Cho & Saul,
Kernel methods for deep learning, 2009; erf is Williams, Computing with infinite networks,
1997; the others are direct Gaussian integrals.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VOCABULARY", "Derivative", "Entry", "ENTRIES", "LIBRARY", "CLOSED", "QUADRATURE_ONLY",
           "entry", "names"]

VOCABULARY = frozenset({
    "z", "k11", "k22", "k12", "c", "theta", "a", "b", "pi", "step",
    "erf", "exp", "log", "sqrt", "sin", "cos", "sinh", "cosh", "tanh", "asin", "acos",
})
"""The names a formula may use (see the module docstring for their meaning)."""


@dataclass(frozen=True)
class Derivative:
    """σ' = α + β F, F the activation ``of`` (None: σ' = α), α and β formulas in a, b.

    E[σ'(u)σ'(v)] = α² + αβ(E[F(u)] + E[F(v)]) + β² E[F(u)F(v)] then follows from F's dual.
    """

    alpha: str
    beta: str
    of: str | None


@dataclass(frozen=True)
class Entry:
    """One activation.

    ``sigma``, ``derivative``: σ and the σ' a network backpropagates (formulas in z);
    ``dual``: E[σ(u)σ(v)] in closed form, or None (quadrature only); ``derivative_dual``:
    E[σ'(u)σ'(v)] where it is stated rather than derived from ``form`` (the step's
    distributional δ, the abrelu family's orthant sum); ``form``: σ' = α + β F;
    ``claim``: the claim verifying the dual (its relation is ``relation``, default the
    name, at the slopes ``params``); ``derivative_claim``: the claim stating E[σ'(u)σ'(v)]; ``library``: a name ``numeric.activations.get``
    accepts (False: an auxiliary σ of the derivations, e.g. erf'); ``family``: the
    declared family this member instantiates with ``params``.
    """

    name: str
    latex: str
    sigma: str
    derivative: str
    description: str
    dual: str | None = None
    derivative_dual: str | None = None
    form: Derivative | None = None
    claim: str | None = None
    derivative_claim: str | None = None
    relation: str | None = None
    params: tuple[tuple[str, float], ...] = ()
    family: str | None = None
    kink_at_zero: bool = False
    polynomial_degree: int | None = None
    library: bool = True

    def __post_init__(self):
        if (self.dual is None and self.family is None) != (self.claim is None):
            raise ValueError(f"{self.name}: a closed-form dual needs the claim that verifies it, and only it")


_ARC_COSINE = "sqrt(k11*k22)*(sin(theta) + (pi - theta)*c)/(2*pi)"
_ERF_RADICAND = "(1 + 2*k11)*(1 + 2*k22)"
_ENVELOPE = "exp(-(k11 + k22)/2)"

ENTRIES: tuple[Entry, ...] = (
    Entry("step", r"\mathbb{1}_{>0}", "step(z)", "0", "1{z > 0}",
          dual="(pi - theta)/(2*pi)", derivative_dual="1/(2*pi*sqrt(k11*k22 - k12**2))",
          derivative_claim="dual.price", claim="dual.step", kink_at_zero=True),
    Entry("relu", r"\operatorname{relu}", "z*step(z)", "step(z)", "0·min(z, 0) + 1·max(z, 0)",
          dual=_ARC_COSINE, form=Derivative("0", "1", "step"), derivative_claim="dual.price", claim="dual.relu",
          params=(("a", 0.0), ("b", 1.0)), family="abrelu", kink_at_zero=True),
    Entry("abrelu", r"\sigma_{a,b}", "b*z*step(z) + a*z*step(-z)", "a + (b - a)*step(z)",
          "a·min(z, 0) + b·max(z, 0)",
          dual=f"(a - b)**2*{_ARC_COSINE} + a*b*k12",
          derivative_dual="(a**2 + b**2)*(pi - theta)/(2*pi) + 2*a*b*(pi - acos(-c))/(2*pi)",
          form=Derivative("a", "b - a", "step"), derivative_claim="dual.price", claim="dual.abrelu", library=False),
    Entry("abs", r"|\cdot|", "z*step(z) - z*step(-z)", "2*step(z) - 1", "-1·min(z, 0) + 1·max(z, 0)",
          claim="dual.abrelu", derivative_claim="dual.price", relation="abrelu",
          params=(("a", -1.0), ("b", 1.0)), family="abrelu", kink_at_zero=True),
    Entry("leaky_relu", r"\operatorname{lrelu}", "z*step(z) + z*step(-z)/10", "1/10 + 9*step(z)/10",
          "0.1·min(z, 0) + 1·max(z, 0)", claim="dual.abrelu", derivative_claim="dual.price",
          relation="abrelu", params=(("a", 0.1), ("b", 1.0)), family="abrelu", kink_at_zero=True),
    Entry("erf_prime", r"\operatorname{erf}'", "2/sqrt(pi)*exp(-z**2)", "-4*z/sqrt(pi)*exp(-z**2)",
          "2 e^{-z²}/√π", dual=f"(4/pi)/sqrt({_ERF_RADICAND} - 4*k12**2)", claim="dual.erf_prime",
          library=False),
    Entry("erf", r"\operatorname{erf}", "erf(z)", "2/sqrt(pi)*exp(-z**2)", "erf(z)",
          dual=f"(2/pi)*asin(2*k12/sqrt({_ERF_RADICAND}))", form=Derivative("0", "1", "erf_prime"),
          derivative_claim="dual.price", claim="dual.erf"),
    Entry("sin", r"\sin", "sin(z)", "cos(z)", "sin(z)", dual=f"{_ENVELOPE}*sinh(k12)",
          form=Derivative("0", "1", "cos"), derivative_claim="dual.price", claim="dual.trig"),
    Entry("cos", r"\cos", "cos(z)", "-sin(z)", "cos(z)", dual=f"{_ENVELOPE}*cosh(k12)",
          form=Derivative("0", "-1", "sin"), derivative_claim="dual.price", claim="dual.trig"),
    Entry("identity", r"\operatorname{id}", "z", "1", "z", dual="k12", form=Derivative("1", "0", None),
          derivative_claim="dual.price", claim="dual.polynomial", polynomial_degree=1),
    Entry("quadratic", r"(\cdot)^2", "z**2", "2*z", "z**2", dual="k11*k22 + 2*k12**2",
          form=Derivative("0", "2", "identity"), derivative_claim="dual.price", claim="dual.polynomial", polynomial_degree=2),
    Entry("exp", r"\exp", "exp(z)", "exp(z)", "exp(z)", dual="exp((k11 + k22)/2 + k12)",
          form=Derivative("0", "1", "exp"), derivative_claim="dual.price", claim="dual.polynomial"),
    Entry("relu2", r"\operatorname{relu}^2", "z**2*step(z)", "2*z*step(z)", "max(z, 0)**2",
          dual="k11*k22*(3*sin(theta)*c + (pi - theta)*(1 + 2*c**2))/(2*pi)",
          form=Derivative("0", "2", "relu"), claim="dual.relu2", derivative_claim="dual.relu2", kink_at_zero=True),
    Entry("tanh", r"\tanh", "tanh(z)", "1 - tanh(z)**2", "tanh(z)"),
    Entry("gelu", r"\operatorname{gelu}", "z*(1 + erf(z/sqrt(2)))/2", "(1 + erf(z/sqrt(2)))/2 + z*exp(-z**2/2)/sqrt(2*pi)",
          "z·Φ(z), Φ the standard normal CDF (exact, not the tanh approximation)"),
    Entry("softplus", r"\operatorname{softplus}", "log(1 + exp(z))", "1/(1 + exp(-z))", "log(1 + e^z)"),
    Entry("sigmoid", r"\operatorname{sigmoid}", "1/(1 + exp(-z))", "exp(-z)/(1 + exp(-z))**2",
          "1/(1 + e^{−z})"),
    Entry("swish", r"\operatorname{swish}", "z/(1 + exp(-z))", "1/(1 + exp(-z)) + z*exp(-z)/(1 + exp(-z))**2",
          "z·sigmoid(z) (SiLU)"),
)
"""Every activation, in the order the claims state them.  abrelu is the family
a·min(z, 0) + b·max(z, 0) (Cho & Saul's order-1 kernel reflected), of which relu, abs and
leaky_relu (slope 0.1) are members; gelu is the exact z Φ(z) (Hendrycks & Gimpel, Gaussian
error linear units, 2016); relu2 = max(z, 0)² is Cho & Saul's arc-cosine kernel of order 2."""

_BY_NAME = {e.name: e for e in ENTRIES}
if len(_BY_NAME) != len(ENTRIES):
    raise ValueError("catalogue.activations: an activation is declared twice")

LIBRARY = tuple(e.name for e in ENTRIES if e.library)
"""The names ``numeric.activations.get`` accepts."""
CLOSED = tuple(e.name for e in ENTRIES if e.library and e.claim is not None)
"""Library activations with closed-form duals."""
QUADRATURE_ONLY = tuple(e.name for e in ENTRIES if e.library and e.claim is None)
"""Library activations without one: the library integrates them."""


def names() -> tuple[str, ...]:
    """Every declared name (library activations and the auxiliary σ of the derivations)."""
    return tuple(_BY_NAME)


def entry(name: str) -> Entry:
    """The entry called ``name``; ValueError naming it and the declared names otherwise."""
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise ValueError(f"activation={name!r} is not in the catalogue; declared: {', '.join(_BY_NAME)}") from None
