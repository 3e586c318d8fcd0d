"""Kernels of convolutional networks, derived from small symbolic convolutions.

Network (``numeric.conv.CNN``, NTK parameterisation, entries N(0, 1)): 1-D inputs x(p) ∈ R^{C₀}
at P positions, filters of size q = 3 (offsets o ∈ {−1, 0, 1}), circular or zero padding,

    z^{ℓ+1}_j(p) = σ_w/√(3C) Σ_{o,c} W_ℓ[o, c, j] σ(z^ℓ_c)(p + o) + σ_b b_ℓ[j],
    f = σ_w/√C Σ_c W_c mean_p σ(z^D_c)(p) + σ_b b          (global average pooling).

With E_o = E[σ(u)σ(v)] and Ė_o = E[σ'(u)σ'(v)] at the positions (p + o, p' + o) (covariance
K^ℓ there), Θ_o = Θ^ℓ(p + o, p' + o), and entries outside a zero-padded input 0:

    K^{ℓ+1}(p, p') = σ_w² (E₋ + E₀ + E₊)/3 + σ_b²,
    Θ^{ℓ+1}(p, p') = K^{ℓ+1}(p, p') + σ_w² (Ė₋Θ₋ + Ė₀Θ₀ + Ė₊Θ₊)/3,
    NNGP = σ_w² Ē + σ_b²,   NTK = σ_w² Ē + σ_b² + σ_w² \\overline{ĖΘ},   means over all (p, p')

(Arora et al. 2019, "On exact computation with an infinitely wide neural net"; Novak et al.
2019; Garriga-Alonso et al. 2019). The first layer has x(p + o)·x'(p' + o)/C₀ for E.

Shift invariance: with circular padding every map commutes with shifting the positions of
one input (K_{Sx,x'}(p, p') = K_{x,x'}(p + s, p')), and the mean over all pairs (p, p') is
invariant, so the GAP kernel satisfies K(Sx, x') = K(x, x'); the flatten readout (mean over
p = p') is only invariant under shifting both inputs together.

Derivations: Gaussian moments and SymPy derivatives of one convolution with C = 2 input
channels at P = 3 positions (generic σ, and σ = tanh), units below carrying one parameter per
channel (z_c(p) = u_c(p) + s(p)t_c, so Θ̂_{cc'}(p, p') = δ_cc' s(p)s'(p')); shift invariance on a
symbolic one-layer recursion over P = 3 positions with a generic dual map.
"""
from __future__ import annotations

import itertools

import sympy as sp

from .core import Derivation, Domain, Justification, Quantity, Relation, Statement, Step, cited
from .kernels import SB2, SW2, dual_relations, gaussian_expectation
from .kernels.recursion import _RECURSION_DOMAIN, _dual_steps
from .resnet import FLUCTUATION, _extended, _sigma_prime, _sigmas, _tangent, fluctuation_step

__all__ = ["EDG", "EDIAG", "FLATTEN", "derive_flatten", "OFFSETS", "G", "ES", "DS", "TS", "EBAR", "DTBAR", "CNTK", "derive_cntk",
           "SHIFT", "derive_shift", "KERNELS", "DUAL_NAMES"]

OFFSETS = (-1, 0, 1)
_NAMES = {-1: "-", 0: "0", 1: "+"}
G = tuple(Quantity(f"G{_NAMES[o]}", rf"\tfrac{{x(p{'+' if o >= 0 else ''}{o})\cdot x'(p'{'+' if o >= 0 else ''}{o})}}{{C_0}}" if o else r"\tfrac{x(p)\cdot x'(p')}{C_0}", real=True) for o in OFFSETS)
ES = tuple(Quantity(f"E{_NAMES[o]}", rf"\mathbb{{E}}_{{{_NAMES[o]}}}[\sigma\sigma]", real=True) for o in OFFSETS)
DS = tuple(Quantity(f"D{_NAMES[o]}", rf"\mathbb{{E}}_{{{_NAMES[o]}}}[\sigma'\sigma']", real=True) for o in OFFSETS)
TS = tuple(Quantity(f"T{_NAMES[o]}", rf"\Theta^\ell_{{{_NAMES[o]}}}", real=True) for o in OFFSETS)
EBAR = Quantity("mean E", r"\overline{\mathbb{E}[\sigma\sigma]}", real=True)
DTBAR = Quantity("mean D*T", r"\overline{\mathbb{E}[\sigma'\sigma']\Theta^D}", real=True)
DUAL_NAMES = ("relu", "erf")
_C = 2
_P = 3

CNTK = Statement(
    (Relation("sigma1", Quantity("K^1(p,p')", r"K^{1}(p,p')"), SW2 * sum(G) / 3 + SB2),
     Relation("theta1", Quantity("Theta^1(p,p')", r"\Theta^{1}(p,p')"), SW2 * sum(G) / 3 + SB2),
     Relation("sigma", Quantity("K^(l+1)(p,p')", r"K^{\ell+1}(p,p')"), SW2 * sum(ES) / 3 + SB2),
     Relation("theta", Quantity("Theta^(l+1)(p,p')", r"\Theta^{\ell+1}(p,p')"),
              SW2 * sum(ES) / 3 + SB2 + SW2 * sum(d * t for d, t in zip(DS, TS)) / 3),
     Relation("gap_nngp", Quantity("NNGP_gap", r"K(x,x')"), SW2 * EBAR + SB2),
     Relation("gap_ntk", Quantity("NTK_gap", r"\Theta(x,x')"), SW2 * EBAR + SB2 + SW2 * DTBAR),
     Relation("fluctuation", FLUCTUATION, sp.Rational(-1, 2)))
    + dual_relations(DUAL_NAMES, prime=True),
    Domain({**_RECURSION_DOMAIN.intervals, **{s: sp.Interval(-sp.oo, sp.oo) for s in G + ES + DS + TS}},
           _RECURSION_DOMAIN.derived, _RECURSION_DOMAIN.description),
    r"1-D CNN, filter size 3, stride 1, circular or zero padding, global average pooling; "
    r"$E_o, \dot E_o, \Theta_o$ at positions $(p+o, p'+o)$ (0 outside a zero-padded input); "
    r"channels $C \to \infty$",
)


def _channels(prefix: str):
    """Symbols prefix[c][p] for C channels at P positions."""
    return [[sp.Symbol(f"{prefix}_{c}{p}", real=True) for p in range(_P)] for c in range(_C)]


def _conv_unit(values, W, b, p) -> sp.Expr:
    """σ_w/√(3C) Σ_{o,c} W[o][c] values[c][p + o] + σ_b b, circular over P positions."""
    total = sum(W[i][c] * values[c][(p + o) % _P] for i, o in enumerate(OFFSETS) for c in range(_C))
    return sp.sqrt(SW2) / sp.sqrt(3 * _C) * total + sp.sqrt(SB2) * b


def _weights():
    W = [[sp.Symbol(f"W_{i}{c}", real=True) for c in range(_C)] for i in range(3)]
    b = sp.Symbol("b", real=True)
    return W, b, [w for row in W for w in row] + [b]


def _pair_average(a, b, p, q) -> sp.Expr:
    return sum(a[c][p] * b[c][q] for c in range(_C)) / _C


_P0, _P1 = 0, 1
"""The pair of positions (p, p') of the symbolic steps."""


def _covariance_steps(statement: Statement) -> list[Step]:
    W, b, normals = _weights()
    x, y = _channels("x"), _channels("y")
    first = gaussian_expectation(_conv_unit(x, W, b, _P0) * _conv_unit(y, W, b, _P1), normals)
    first_rhs = statement["sigma1"].rhs.subs({g: _pair_average(x, y, (_P0 + o) % _P, (_P1 + o) % _P)
                                             for g, o in zip(G, OFFSETS)})
    steps = [Step(rf"First convolution, $C_0 = {_C}$ channels at $P = {_P}$ positions (circular): SymPy takes the "
                  r"moments of $z^1_j(p)(x)\,z^1_j(p')(x')$ over the filter and bias",
                  first, first_rhs, Justification.INTEGRATE, domain=_extended(statement.domain, first, first_rhs))]
    u, v = _channels("u"), _channels("v")
    for sigma, what in _sigmas():
        h = [[sigma(a) for a in row] for row in u]
        g = [[sigma(a) for a in row] for row in v]
        lhs = gaussian_expectation(_conv_unit(h, W, b, _P0) * _conv_unit(g, W, b, _P1), normals)
        rhs = statement["sigma"].rhs.subs({e: _pair_average(h, g, (_P0 + o) % _P, (_P1 + o) % _P)
                                           for e, o in zip(ES, OFFSETS)})
        steps.append(Step(
            rf"Layer map, {what}: the moments of $z^{{\ell+1}}_j(p)(x)\,z^{{\ell+1}}_j(p')(x')$ with "
            r"$u_c(p) = z^\ell_c(p)(x)$, $v_c(p) = z^\ell_c(p)(x')$ given; the channel averages stand for $E_o$",
            lhs, rhs, Justification.INTEGRATE, domain=_extended(statement.domain, lhs, rhs)))
    return steps


def _below(prefix: str, scales):
    return [[sp.Symbol(f"{prefix}_{c}{p}", real=True) + scales[p] * sp.Symbol(f"t_{c}", real=True)
             for p in range(_P)] for c in range(_C)]


def _tangent_steps(statement: Statement) -> list[Step]:
    W, b, normals = _weights()
    s, s2 = sp.symbols(f"s0:{_P}", real=True), sp.symbols(f"r0:{_P}", real=True)
    zx, zy = _below("u", s), _below("v", s2)
    u, v = _channels("u"), _channels("v")
    t = [sp.Symbol(f"t_{c}", real=True) for c in range(_C)]
    at_zero = {ti: 0 for ti in t}
    C = sp.symbols(f"C0:{_C}", real=True)
    cb = sp.Symbol("c_out", real=True)
    steps = []
    for sigma, what in _sigmas():
        h = [[sigma(a) for a in row] for row in zx]
        g = [[sigma(a) for a in row] for row in zy]
        lhs = gaussian_expectation(
            _tangent(_conv_unit(h, W, b, _P0), _conv_unit(g, W, b, _P1), t + normals).subs(at_zero).doit(), normals)
        hu = [[sigma(a) for a in row] for row in u]
        gv = [[sigma(a) for a in row] for row in v]
        du = [[_sigma_prime(sigma, a) for a in row] for row in u]
        dv = [[_sigma_prime(sigma, a) for a in row] for row in v]
        shifted = [((_P0 + o) % _P, (_P1 + o) % _P) for o in OFFSETS]
        rhs = statement["theta"].rhs.subs(
            {**{e: _pair_average(hu, gv, p, q) for e, (p, q) in zip(ES, shifted)},
             **{d: _pair_average(du, dv, p, q) for d, (p, q) in zip(DS, shifted)},
             **{tt: s[p] * s2[q] for tt, (p, q) in zip(TS, shifted)}})
        steps.append(Step(
            rf"Layer tangent kernel, {what}: units below $z_c(p) = u_c(p) + s(p)\,t_c$ (one parameter per "
            r"channel, shared over positions: $\hat\Theta^\ell_{cc'}(p,p') = \delta_{cc'}s(p)s'(p')$); SymPy "
            r"differentiates with respect to $t$, the filter and the bias and takes the moments at $t = 0$",
            lhs, rhs, Justification.DIFFERENTIATE, domain=_extended(statement.domain, lhs, rhs)))
        pooled_x = [sum(row) / _P for row in h]
        pooled_y = [sum(row) / _P for row in g]
        fx = sp.sqrt(SW2) / sp.sqrt(_C) * sum(ci * m for ci, m in zip(C, pooled_x)) + sp.sqrt(SB2) * cb
        fy = sp.sqrt(SW2) / sp.sqrt(_C) * sum(ci * m for ci, m in zip(C, pooled_y)) + sp.sqrt(SB2) * cb
        readout = list(C) + [cb]
        pairs = list(itertools.product(range(_P), repeat=2))
        ebar = sum(_pair_average(hu, gv, p, q) for p, q in pairs) / len(pairs)
        dtbar = sum(_pair_average(du, dv, p, q) * s[p] * s2[q] for p, q in pairs) / len(pairs)
        cov = gaussian_expectation((fx * fy).subs(at_zero), readout)
        tan = gaussian_expectation(_tangent(fx, fy, t + readout).subs(at_zero).doit(), readout)
        steps += [
            Step(rf"Global average pooling, {what}: the moments of $f(x)f(x')$ over the readout",
                 sp.expand(cov), sp.expand(statement["gap_nngp"].rhs.subs(EBAR, ebar)), Justification.INTEGRATE,
                 domain=_extended(statement.domain, cov)),
            Step(rf"and its tangent kernel, {what} (SymPy differentiates with respect to $t$ and the readout)",
                 sp.expand(tan), sp.expand(statement["gap_ntk"].rhs.subs({EBAR: ebar, DTBAR: dtbar})),
                 Justification.DIFFERENTIATE, domain=_extended(statement.domain, tan))]
    return steps


_CHANNEL_LIMIT = ("Novak, Xiao, Bahri, Lee, Yang, Hron, Abolafia, Pennington & Sohl-Dickstein, Bayesian Deep "
                  "Convolutional Networks with Many Channels are Gaussian Processes, 2019; Garriga-Alonso, "
                  "Rasmussen & Aitchison, Deep Convolutional Networks as Shallow Gaussian Processes, 2019; "
                  "Arora, Du, Hu, Li, Salakhutdinov & Wang, On Exact Computation with an Infinitely Wide "
                  "Neural Net, 2019")


def _channel_limit(statement: Statement, text: str) -> tuple[Step, Step]:
    """The cited channel limit and the fluctuation exponent of a channel average."""
    return (cited(text, Quantity("lim (1/C) sum_c phi(z_c(p), z_c(p'))",
                                 r"\lim_{C\to\infty}\tfrac1C\textstyle\sum_c \phi(z^\ell_c(p)(x), z^\ell_c(p')(x'))"),
                  Quantity("E[phi(u,v)] conv", r"\mathbb{E}[\phi(u, v)]"), _CHANNEL_LIMIT),
            fluctuation_step(statement, r"a channel average such as $\hat K_C$"))


def derive_cntk(statement: Statement) -> Derivation:
    return Derivation(
        tuple(_covariance_steps(statement)) + tuple(_tangent_steps(statement))
        + _channel_limit(statement, r"Channel limit, by induction on the layer: the channels of $z^\ell$ become "
                                    r"i.i.d. centred Gaussian processes over positions with covariance $K^\ell$, channel "
                                    r"averages converge to the expectations $E_o$, and $\hat\Theta^\ell_{cc'} \to "
                                    r"\delta_{cc'}\Theta^\ell$ (weight sharing over positions does not change the limit)")
        + _dual_steps(statement),
        r"Each convolution averages the previous layer's expectations over the filter's offsets (the "
        r"filter entries are independent across offsets and channels); global average pooling averages "
        r"over every pair of positions. In the limit of many channels the averages become the stated "
        r"expectations (Arora et al. 2019).",
    )


# ------------------------------------------------------------------ shift invariance

_SP = 3
"""Positions of the symbolic shift-invariance recursion (one circular convolution of size 3, then σ and the readout)."""
KERNELS = {key: Quantity(f"K_{key}", latex) for key, latex in (
    ("gap(x,x')", r"K_{gap}(x,x')"), ("gap(Sx,x')", r"K_{gap}(Sx,x')"),
    ("flat(x,x')", r"K_{flat}(x,x')"), ("flat(Sx,Sx')", r"K_{flat}(Sx,Sx')"),
    ("flat(Sx,x')", r"K_{flat}(Sx,x')"))}

SHIFT = Statement(
    (Relation("gap_one_sided", KERNELS["gap(Sx,x')"], KERNELS["gap(x,x')"]),
     Relation("flatten_joint", KERNELS["flat(Sx,Sx')"], KERNELS["flat(x,x')"])),
    Domain({SW2: sp.Interval.open(0, 4), SB2: sp.Interval(0, 2)}),
    r"CNN with circular padding (any depth, filter size, activation); $S$ the cyclic shift of positions "
    r"by one; NNGP of the infinite-channel network",
)


def _symbolic_kernel(x, y, phi, readout: str):
    """One circular convolution on scalar inputs x(p), y(p), the dual map φ(k11, k22, k12), then
    the readout mean over all pairs (gap) or over p = p' (flat)."""
    def layer(Fxy, Fxx, Fyy):
        avg = lambda F, p, q: sum(F[(p + o) % _SP][(q + o) % _SP] for o in OFFSETS) / 3  # noqa: E731
        return ([[SW2 * avg(Fxy, p, q) + SB2 for q in range(_SP)] for p in range(_SP)],
                [[SW2 * avg(Fxx, p, q) + SB2 for q in range(_SP)] for p in range(_SP)],
                [[SW2 * avg(Fyy, p, q) + SB2 for q in range(_SP)] for p in range(_SP)])

    def dual(Kxy, Kxx, Kyy):
        return ([[phi(Kxx[p][p], Kyy[q][q], Kxy[p][q]) for q in range(_SP)] for p in range(_SP)],
                [[phi(Kxx[p][p], Kxx[q][q], Kxx[p][q]) for q in range(_SP)] for p in range(_SP)],
                [[phi(Kyy[p][p], Kyy[q][q], Kyy[p][q]) for q in range(_SP)] for p in range(_SP)])

    gram = lambda a, b: [[a[p] * b[q] for q in range(_SP)] for p in range(_SP)]  # noqa: E731
    K = layer(gram(x, y), gram(x, x), gram(y, y))
    E = dual(*K)[0]
    pairs = (itertools.product(range(_SP), repeat=2) if readout == "gap" else ((p, p) for p in range(_SP)))
    pairs = list(pairs)
    return SW2 * sum(E[p][q] for p, q in pairs) / len(pairs) + SB2


def _instance_phi(k11_, k22_, k12_):
    return k12_ * sp.exp(-(k11_ + k22_) / 4) + k12_**2 / 3


def derive_shift(statement: Statement) -> Derivation:
    """Both sides of each relation computed on a symbolic two-layer circular recursion."""
    x = sp.symbols(f"x0:{_SP}", real=True)
    y = sp.symbols(f"y0:{_SP}", real=True)
    shift = lambda a: a[1:] + a[:1]  # noqa: E731
    phi = sp.Function("phi")
    arrangements = {"gap(x,x')": (x, y, "gap"), "gap(Sx,x')": (shift(x), y, "gap"),
                    "flat(x,x')": (x, y, "flat"), "flat(Sx,Sx')": (shift(x), shift(y), "flat"),
                    "flat(Sx,x')": (shift(x), y, "flat")}
    steps = []
    for function, what in ((phi, r"generic dual map $\phi(k_{11}, k_{22}, k_{12})$"),
                           (_instance_phi, r"$\phi = k_{12}e^{-(k_{11}+k_{22})/4} + k_{12}^2/3$ (where a wrong "
                                           r"statement has counterexamples)")):
        generic = function is phi
        values = {key: _symbolic_kernel(a, b, function, r) for key, (a, b, r) in arrangements.items()}
        if generic:
            values = {key: sp.expand(v) for key, v in values.items()}
        for relation in statement.relations:
            lhs_key = next(k for k, q in KERNELS.items() if q == relation.lhs)
            rhs = relation.rhs.subs({q: values[k] for k, q in KERNELS.items()})
            steps.append(Step(
                rf"Relation {relation.name.replace('_', chr(92) + '_')}, {what}, {_SP} positions, a circular "
                r"convolution of size 3, σ and the readout: SymPy computes both kernels from the shifted and "
                r"unshifted inputs",
                values[lhs_key], rhs, Justification.ALGEBRA,
                domain=Domain({**statement.domain.intervals,
                               **{s: sp.Interval(-2, 2) for s in x + y}})))
    return Derivation(
        tuple(steps),
        r"A circular convolution commutes with shifting the positions of one input (the covariance of "
        r"$(Sx, x')$ at $(p, p')$ is that of $(x, x')$ at $(p+1, p')$), and so do the pointwise dual maps; "
        r"global average pooling sums over every pair of positions, which the shift permutes, while the "
        r"flatten readout sums over $p = p'$, which only a joint shift permutes. The instance shows it for "
        r"one layer; each further layer is the same map, so the property holds at any depth (induction).",
    )


# ------------------------------------------------------------------ flatten readout = locally connected network

EDG = tuple(Quantity(f"Ediag{_NAMES[o]}", rf"\mathbb{{E}}_{{{_NAMES[o]}{_NAMES[o]}}}[\sigma\sigma]", real=True)
            for o in OFFSETS)
EDIAG = Quantity("mean_p E(p,p)", r"\overline{\mathbb{E}[\sigma\sigma]}_{p=p'}", real=True)

FLATTEN = Statement(
    (Relation("first_diag", Quantity("K^1(p,p)", r"K^{1}(p,p)"), SW2 * sum(G) / 3 + SB2),
     Relation("cnn_diag", Quantity("K_cnn^(l+1)(p,p)", r"K^{\ell+1}_{CNN}(p,p)"), SW2 * sum(EDG) / 3 + SB2),
     Relation("lcn_diag", Quantity("K_lcn^(l+1)(p,p)", r"K^{\ell+1}_{LCN}(p,p)"), SW2 * sum(EDG) / 3 + SB2),
     Relation("lcn_off", Quantity("K_lcn^(l+1)(p,p'), p != p'", r"K^{\ell+1}_{LCN}(p,p'),\ p \ne p'"), sp.Integer(0)),
     Relation("flatten", Quantity("NNGP_flatten", r"K_{flat}(x,x')"), SW2 * EDIAG + SB2),
     Relation("fluctuation", FLUCTUATION, sp.Rational(-1, 2)))
    + dual_relations(DUAL_NAMES, prime=False),
    Domain({**_RECURSION_DOMAIN.intervals, **{s: sp.Interval(-sp.oo, sp.oo) for s in G + EDG + (EDIAG,)}},
           _RECURSION_DOMAIN.derived, _RECURSION_DOMAIN.description),
    r"1-D CNN (shared filters) and locally connected network (a filter and bias per position), filter size 3, "
    r"flatten readout; $\mathbb{E}_{oo}$ at positions $(p+o, p+o)$; channels $C \to \infty$",
)


def _lcn_unit(values, W, b, p) -> sp.Expr:
    """As :func:`_conv_unit` with the filter of position p: W[p][o][c]."""
    return _conv_unit(values, W[p], b[p], p)


def derive_flatten(statement: Statement) -> Derivation:
    """Moments of one shared and one position-wise convolution, and of the flatten readout."""
    Wc, bc, normals_c = _weights()
    Wl = [[[sp.Symbol(f"V_{p}{i}{c}", real=True) for c in range(_C)] for i in range(3)] for p in range(_P)]
    bl = [sp.Symbol(f"a_{p}", real=True) for p in range(_P)]
    normals_l = [w for pos in Wl for row in pos for w in row] + bl
    x, y = _channels("x"), _channels("y")
    h, g = _channels("h"), _channels("g")
    diag = lambda a, b, p: {e: _pair_average(a, b, (p + o) % _P, (p + o) % _P) for e, o in zip(EDG, OFFSETS)}  # noqa: E731
    first = gaussian_expectation(_conv_unit(x, Wc, bc, _P0) ** 1 * _conv_unit(y, Wc, bc, _P0), normals_c)
    cnn = gaussian_expectation(_conv_unit(h, Wc, bc, _P0) * _conv_unit(g, Wc, bc, _P0), normals_c)
    lcn = gaussian_expectation(_lcn_unit(h, Wl, bl, _P0) * _lcn_unit(g, Wl, bl, _P0), normals_l)
    off = gaussian_expectation(_lcn_unit(h, Wl, bl, _P0) * _lcn_unit(g, Wl, bl, _P1), normals_l)
    R = [[sp.Symbol(f"R_{p}{c}", real=True) for c in range(_C)] for p in range(_P)]
    rb = sp.Symbol("c_out", real=True)
    readout = lambda a: sp.sqrt(SW2) / sp.sqrt(_C * _P) * sum(R[p][c] * a[c][p] for p in range(_P)  # noqa: E731
                                                            for c in range(_C)) + sp.sqrt(SB2) * rb
    flat = gaussian_expectation(readout(h) * readout(g), [r for row in R for r in row] + [rb])
    mean_diag = sum(_pair_average(h, g, p, p) for p in range(_P)) / _P
    mean_all = sum(_pair_average(h, g, p, q) for p in range(_P) for q in range(_P)) / _P**2
    dom = lambda *e: _extended(statement.domain, *e)  # noqa: E731
    return Derivation(
        (Step(r"First convolution at $p = p'$: the moments over the shared filter", first,
              statement["first_diag"].rhs.subs({q: _pair_average(x, y, (_P0 + o) % _P, (_P0 + o) % _P)
                                                 for q, o in zip(G, OFFSETS)}), Justification.INTEGRATE, domain=dom(first)),
         Step(r"Shared filter (CNN), $p = p'$: SymPy takes the moments of $z_j(p)(x)z_j(p)(x')$ with the channels "
              r"$h_c = \sigma(z^\ell_c)(x)$, $g_c$ at $x'$ given: only $h(p+o)\cdot g(p+o)$ appear",
              cnn, statement["cnn_diag"].rhs.subs(diag(h, g, _P0)), Justification.INTEGRATE, domain=dom(cnn)),
         Step(r"A filter per position (locally connected), $p = p'$: the same moments",
              lcn, statement["lcn_diag"].rhs.subs(diag(h, g, _P0)), Justification.INTEGRATE, domain=dom(lcn)),
         Step(r"Locally connected, $p \ne p'$: independent filters and biases, no correlation",
              off, statement["lcn_off"].rhs, Justification.INTEGRATE, domain=dom(off)),
         Step(r"Flatten readout (a weight per position and channel): the moments of $f(x)f(x')$ involve "
              r"$h(p)\cdot g(p)$ at equal positions only", flat, statement["flatten"].rhs.subs({EDIAG: mean_diag, EBAR: mean_all}),
              Justification.INTEGRATE, domain=dom(flat)),
         ) + _channel_limit(statement, r"Channel limit, by induction on the layer (as for conv.cntk\_recursion): "
                                      r"channel averages converge to the Gaussian expectations, for shared and "
                                      r"position-wise filters alike")
        + _dual_steps(statement),
        r"With the flatten readout the kernel needs the covariances at equal positions only, and those obey "
        r"the same map for shared and for position-wise filters; so the flatten CNN-GP is the locally "
        r"connected network's GP (Novak et al. 2019). Global average pooling also sums the covariances at "
        r"$p \ne p'$, which weight sharing makes nonzero: its kernel differs.",
    )
