"""Residual MLPs and CNNs (numeric.resnet, numeric.conv): kernels against an independent
30-digit evaluation of the recursions with the SymPy duals, empirical NTKs against
finite-difference Jacobians, degenerate inputs, and argument validation."""
import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from derivations import duals
from derivations.gaussian import k11, k12, k22
from numeric.conv import CNN
from numeric.resnet import ResMLP

ACTIVATIONS = {"relu": (0, 1), "abs": (-1, 1), "leaky_relu": (sp.Rational(1, 10), 1),
               "erf": None, "sin": None, "identity": None}
RTOL = 1e-10
_CLIPPED = {"acos": lambda x: mpmath.acos(max(-1, min(1, x))),
            "asin": lambda x: mpmath.asin(max(-1, min(1, x)))}


def _mp_duals(name):
    """(E[σσ], E[σ'σ']) as 30-digit scalar functions of (k11, k22, k12), from the SymPy forms."""
    out = []
    for forms in (duals.CLOSED_FORM, duals.DERIVATIVE_DUAL):
        slopes = ACTIVATIONS[name]
        expr = forms["abrelu"].subs(dict(zip((duals.a, duals.b), slopes))) if slopes else forms[name]
        f = sp.lambdify((k11, k22, k12), expr, modules=[_CLIPPED, "mpmath"])

        def dual(a, b, c, f=f, prime=forms is duals.DERIVATIVE_DUAL):
            if a * b == 0:  # u or v is 0 almost surely: σ(0)σ(v), σ'(0)σ'(v) with σ(0) = 0
                if name == "erf" and prime:
                    return 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b))
                if prime and ACTIVATIONS[name]:
                    s0, s1 = (mpmath.mpf(v) for v in ACTIVATIONS[name])
                    pos = (a > 0) * mpmath.mpf(1) / 2 + (b > 0) * mpmath.mpf(1) / 2
                    return s0 * s0 + s0 * (s1 - s0) * pos
                return mpmath.re(f(a + mpmath.mpf(10) ** -40, b + mpmath.mpf(10) ** -40, c)) if prime else mpmath.mpf(0)
            bound = mpmath.sqrt(a * b)
            return mpmath.re(f(a, b, max(-bound, min(bound, c))))

        out.append(dual)
    return out


def _own(parameterization, sw2, sb2, fan_in):
    return (sw2, sb2) if parameterization == "ntk" else (mpmath.mpf(fan_in), mpmath.mpf(1))


def _resnet_reference(net: ResMLP, x1, x2, name):
    """The residual recursion entry by entry, in 30-digit arithmetic."""
    dual, dual_deriv = _mp_duals(name)
    sw2, sb2 = mpmath.mpf(net.weight_std) ** 2, mpmath.mpf(net.bias_std) ** 2
    alpha2 = mpmath.mpf(net.alpha) ** 2
    own_in = _own(net.parameterization, sw2, sb2, net.in_dim)
    own = _own(net.parameterization, sw2, sb2, net.width)

    def dense(o, s11, s22, s12, t12):
        e, ed = dual(s11, s22, s12), dual_deriv(s11, s22, s12)
        return (sw2 * dual(s11, s11, s11) + sb2, sw2 * dual(s22, s22, s22) + sb2, sw2 * e + sb2,
                o[0] * e + o[1] + sw2 * ed * t12)

    def pair(u, v):
        u, v = [mpmath.mpf(float(a)) for a in u], [mpmath.mpf(float(a)) for a in v]
        d = net.in_dim
        g11, g22, g12 = (sum(a * b for a, b in zip(p, q)) / d for p, q in ((u, u), (v, v), (u, v)))
        s11, s22, s12 = sw2 * g11 + sb2, sw2 * g22 + sb2, sw2 * g12 + sb2
        t12 = own_in[0] * g12 + own_in[1]
        for _ in range(net.depth):
            b = (s11, s22, s12, t12)
            for _ in range(net.branch_layers):
                b = dense(own, *b)
            s11, s22, s12, t12 = (s + alpha2 * bb for s, bb in zip((s11, s22, s12, t12), b))
        return float(sw2 * s12 + sb2), float(own[0] * s12 + own[1] + sw2 * t12)

    with mpmath.workdps(30):
        values = [[pair(u, v) for v in x2] for u in x1]
    return np.array(values)[..., 0], np.array(values)[..., 1]


def _cnn_reference(net: CNN, x1, x2, name):
    """Every pair of positions, patch sums by explicit loops, in 30-digit arithmetic."""
    dual, dual_deriv = _mp_duals(name)
    sw2, sb2 = mpmath.mpf(net.weight_std) ** 2, mpmath.mpf(net.bias_std) ** 2
    spatial = x1.shape[1:-1]
    positions = list(itertools.product(*(range(s) for s in spatial)))
    P, taps = len(positions), net.taps
    owns = [_own(net.parameterization, sw2, sb2, f) for f in
            [net.in_channels * taps] + [net.channels * taps] * (net.depth - 1)
            + [net.channels * (P if net.readout == "flatten" else 1)]]

    def shifted(p, o):
        q = tuple(a + b for a, b in zip(p, o))
        if net.padding == "circular":
            return tuple(a % s for a, s in zip(q, spatial))
        return q if all(0 <= a < s for a, s in zip(q, spatial)) else None

    def average(F):
        out = {}
        for p, pp in itertools.product(positions, positions):
            total = mpmath.mpf(0)
            for o in net.offsets():
                q, qq = shifted(p, o), shifted(pp, o)
                if q is not None and qq is not None:
                    total += F[q, qq]
            out[p, pp] = total / taps
        return out

    def kernel(u, v):
        images = [{p: [mpmath.mpf(float(c)) for c in img[p]] for p in positions} for img in (u, v)]
        grams = {(a, b): {(p, pp): sum(s * t for s, t in zip(images[a][p], images[b][pp])) / net.in_channels
                          for p, pp in itertools.product(positions, positions)}
                 for a, b in ((0, 0), (1, 1), (0, 1))}
        X = {key: average(g) for key, g in grams.items()}
        K = {key: {pq: sw2 * v + sb2 for pq, v in m.items()} for key, m in X.items()}
        T = {pq: owns[0][0] * v + owns[0][1] for pq, v in X[0, 1].items()}
        for layer in range(1, net.depth + 1):
            E = {key: {(p, pp): dual(K[key[0], key[0]][p, p], K[key[1], key[1]][pp, pp], K[key][p, pp])
                       for p, pp in itertools.product(positions, positions)} for key in K}
            below = {(p, pp): dual_deriv(K[0, 0][p, p], K[1, 1][pp, pp], K[0, 1][p, pp]) * T[p, pp]
                     for p, pp in itertools.product(positions, positions)}
            o = owns[layer]
            if layer == net.depth:
                pairs = [(p, p) for p in positions] if net.readout == "flatten" else list(E[0, 1])
                m_e = sum(E[0, 1][pq] for pq in pairs) / len(pairs)
                m_b = sum(below[pq] for pq in pairs) / len(pairs)
                return float(sw2 * m_e + sb2), float(o[0] * m_e + o[1] + sw2 * m_b)
            X = {key: average(m) for key, m in E.items()}
            K = {key: {pq: sw2 * v + sb2 for pq, v in m.items()} for key, m in X.items()}
            Y = average(below)
            T = {pq: o[0] * X[0, 1][pq] + o[1] + sw2 * Y[pq] for pq in Y}

    with mpmath.workdps(30):
        values = [[kernel(u, v) for v in x2] for u in x1]
    return np.array(values)[..., 0], np.array(values)[..., 1]


def _close(actual, expected):
    scale = np.abs(expected).max()
    assert np.all(np.abs(actual - expected) <= RTOL * scale), \
        f"largest gap/scale {np.max(np.abs(actual - expected)) / scale:.3g}"


# Inputs (and patches) with at least two components: distinct parallel inputs, whose float64
# correlation is ±(1 − ε), cost arccos its accuracy (numeric.kernels: ~1e-8 relative).
@st.composite
def _resnets(draw):
    name = draw(st.sampled_from(sorted(ACTIVATIONS)))
    net = ResMLP(in_dim=draw(st.integers(2, 3)), width=draw(st.integers(1, 50)), depth=draw(st.integers(0, 4)),
                 activation=name, weight_std=draw(st.floats(0.3, 1.6)), bias_std=draw(st.sampled_from([0.0, 0.4])),
                 alpha=draw(st.sampled_from([1.0, 0.5, -0.7])), branch_layers=draw(st.integers(1, 2)),
                 parameterization=draw(st.sampled_from(["ntk", "standard"])))
    return net, name, draw(st.integers(0, 2**31))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_resnets())
def test_resnet_kernels_match_a_30_digit_recursion(case):
    net, name, seed = case
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal((3, net.in_dim)), rng.standard_normal((2, net.in_dim))
    x2[0] = x1[1]
    _close_pair(net.nngp_and_ntk(x1, x2), _resnet_reference(net, x1, x2, name))
    _close_pair(net.nngp_and_ntk(x1), _resnet_reference(net, x1, x1, name))


def _close_pair(actual, expected):
    _close(actual[0], expected[0])
    _close(actual[1], expected[1])


@st.composite
def _cnns(draw):
    name = draw(st.sampled_from(sorted(ACTIVATIONS)))
    k = draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(1, 5 if k == 1 else 3)) for _ in range(k))
    net = CNN(in_channels=draw(st.integers(2, 3)), channels=draw(st.integers(1, 9)), depth=draw(st.integers(1, 3)),
              filter_size=draw(st.sampled_from([1, 3, 5])), spatial_dims=k,
              padding=draw(st.sampled_from(["circular", "zero"])), readout=draw(st.sampled_from(["gap", "flatten"])),
              activation=name, weight_std=draw(st.floats(0.3, 1.6)), bias_std=draw(st.sampled_from([0.0, 0.3])),
              parameterization=draw(st.sampled_from(["ntk", "standard"])))
    return net, name, spatial, draw(st.integers(0, 2**31))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_cnns())
def test_cnn_kernels_match_a_30_digit_recursion(case):
    net, name, spatial, seed = case
    rng = np.random.default_rng(seed)
    x1 = rng.standard_normal((2,) + spatial + (net.in_channels,))
    x2 = rng.standard_normal((2,) + spatial + (net.in_channels,))
    x2[1] = x1[0]
    _close_pair(net.nngp_and_ntk(x1, x2), _cnn_reference(net, x1, x2, name))
    _close_pair(net.nngp_and_ntk(x1), _cnn_reference(net, x1, x1, name))


@pytest.mark.parametrize("readout", ["gap", "flatten"])
@pytest.mark.parametrize("padding", ["circular", "zero"])
def test_zero_patches_and_constant_images_give_finite_correct_kernels(padding, readout):
    x = np.zeros((4, 4, 3, 2))
    x[1] = 0.7                                      # a constant image
    x[2, 1:3, 1, 0] = 1.0                           # zero patches around a small bump
    x[3] = -0.7
    for name, bias in (("relu", 0.0), ("erf", 0.2), ("abs", 0.0)):
        net = CNN(2, 8, 3, padding=padding, readout=readout, activation=name, weight_std=1.2, bias_std=bias)
        nngp, ntk = net.nngp_and_ntk(x)
        assert np.isfinite(nngp).all() and np.isfinite(ntk).all()
        _close_pair((nngp, ntk), _cnn_reference(net, x, x, name))


def _finite_difference_ntk(net, params, x, apply):
    """Σ_θ ∂f/∂θ ∂f/∂θ with every derivative a central difference (step 1e-6)."""
    columns, eps = [], 1e-6
    for W, b in params:
        for arr in (W, b):
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + eps
                plus = apply(params, x)[:, 0]
                arr[idx] = old - eps
                minus = apply(params, x)[:, 0]
                arr[idx] = old
                columns.append((plus - minus) / (2 * eps))
    jac = np.array(columns).T
    return jac @ jac.T


@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
@pytest.mark.parametrize("branch_layers", [1, 2])
def test_resnet_empirical_ntk_equals_the_jacobian_product(parameterization, branch_layers):
    rng = np.random.default_rng(branch_layers)
    net = ResMLP(3, 4, 2, activation="tanh", weight_std=1.3, bias_std=0.4, alpha=0.7,
                 branch_layers=branch_layers, parameterization=parameterization)
    params, x = net.init(rng), rng.standard_normal((3, 3))
    exact = net.empirical_ntk(params, x)
    assert np.allclose(exact, _finite_difference_ntk(net, params, x, net.apply), rtol=1e-7, atol=1e-8 * np.abs(exact).max())


@pytest.mark.parametrize("parameterization", ["ntk", "standard"])
@pytest.mark.parametrize("spatial,padding,readout", [((5,), "circular", "gap"), ((5,), "zero", "flatten"),
                                                     ((3, 4), "zero", "gap"), ((3, 2), "circular", "flatten")])
def test_cnn_empirical_ntk_equals_the_jacobian_product(spatial, padding, readout, parameterization):
    rng = np.random.default_rng(len(spatial))
    net = CNN(2, 3, 2, spatial_dims=len(spatial), padding=padding, readout=readout, activation="tanh",
              weight_std=1.3, bias_std=0.4, parameterization=parameterization)
    params, x = net.init(rng, spatial), rng.standard_normal((3,) + spatial + (2,))
    exact = net.empirical_ntk(params, x)
    assert np.allclose(exact, _finite_difference_ntk(net, params, x, net.apply), rtol=1e-7, atol=1e-8 * np.abs(exact).max())


def _finite_difference_gradient(params, x, apply, cotangent):
    grads, eps = [], 1e-6
    for W, b in params:
        pair = []
        for arr in (W, b):
            grad = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + eps
                plus = np.sum(cotangent * apply(params, x))
                arr[idx] = old - eps
                minus = np.sum(cotangent * apply(params, x))
                arr[idx] = old
                grad[idx] = (plus - minus) / (2 * eps)
            pair.append(grad)
        grads.append(pair)
    return grads


@pytest.mark.parametrize("make,shape", [
    (lambda: ResMLP(3, 4, 2, activation="tanh", weight_std=1.3, bias_std=0.4, alpha=0.7, branch_layers=2), (3,)),
    (lambda: CNN(2, 3, 2, spatial_dims=2, padding="zero", activation="tanh", bias_std=0.4), (3, 2, 2)),
    (lambda: CNN(2, 3, 2, spatial_dims=1, readout="flatten", activation="tanh", bias_std=0.4,
                 parameterization="standard"), (4, 2)),
])
def test_vjp_is_the_gradient_of_the_cotangent_weighted_outputs(make, shape):
    net, rng = make(), np.random.default_rng(3)
    params = net.init(rng) if isinstance(net, ResMLP) else net.init(rng, shape[:-1])
    x, g = rng.standard_normal((3,) + shape), rng.standard_normal((3, 1))
    for (dW, db), (fW, fb) in zip(net.vjp(params, x, g), _finite_difference_gradient(params, x, net.apply, g)):
        assert np.allclose(dW, fW, atol=1e-7) and np.allclose(db, fb, atol=1e-7)


def test_stacks_equal_successive_draws_and_x2_paths_agree():
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    net = CNN(2, 3, 2, spatial_dims=1)
    stack = net.init(np.random.default_rng(5), (4,), n_networks=2)
    rng = np.random.default_rng(5)
    singles = [net.init(rng, (4,)) for _ in range(2)]
    for s in range(2):
        one = [(W[s], b[s]) for W, b in stack]
        assert np.array_equal(net.apply(one, x), net.apply(singles[s], x))
        assert np.allclose(net.empirical_ntk(stack, x)[s], net.empirical_ntk(one, x, x), rtol=1e-13)
    res = ResMLP(2, 5, 3)
    z = np.random.default_rng(1).standard_normal((4, 2))
    for a, b in zip(res.nngp_and_ntk(z), res.nngp_and_ntk(z, z.copy())):
        assert np.allclose(a, b, rtol=1e-14)


@pytest.mark.parametrize("make,match", [
    (lambda: ResMLP(3, 4, 2, alpha=float("nan")), "alpha"),
    (lambda: ResMLP(3, 4, 2, branch_layers=3), "branch_layers"),
    (lambda: ResMLP(0, 4, 2), "in_dim"),
    (lambda: ResMLP(3, 4, 2, activation="nope"), "activation"),
    (lambda: CNN(3, 4, 2, filter_size=2), "filter_size"),
    (lambda: CNN(3, 4, 2, padding="same"), "padding"),
    (lambda: CNN(3, 4, 2, readout="max"), "readout"),
    (lambda: CNN(3, 4, 0), "depth"),
    (lambda: CNN(3, 4, 2, spatial_dims=3), "spatial_dims"),
    (lambda: CNN(3, 4, 2, weight_std=-1), "weight_std"),
    (lambda: CNN(3, 4, 2, parameterization="mup"), "parameterization"),
    (lambda: CNN(3, 4, 2).nngp(np.zeros((2, 4, 4, 2))), "x1"),
    (lambda: CNN(3, 4, 2).ntk(np.zeros((2, 4, 4, 3)), np.zeros((2, 5, 4, 3))), "x2"),
    (lambda: CNN(3, 4, 2, readout="flatten").init(np.random.default_rng(0), (4,)), "spatial_shape"),
    (lambda: ResMLP(3, 4, 2).ntk(np.ones((2, 4))), "x1"),
    (lambda: ResMLP(3, 4, 2).apply([], np.ones((2, 3))), "params"),
])
def test_bad_arguments_raise_value_errors_naming_the_parameter(make, match):
    with pytest.raises(ValueError, match=match):
        make()
