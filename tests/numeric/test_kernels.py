"""numeric.kernels: the blocked, threaded NNGP/NTK against a per-pair reference recursion,
the symmetric path, the depth convention, the ReLU diagonal identities, robustness and
input validation."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import activations, kernels


def reference(x1, x2, depth, activation, weight_std, bias_std):
    """the conventions of docs/conventions.md, one pair at a time with scalar duals."""
    act = activations.get(activation)
    w, b = weight_std**2, bias_std**2
    n0 = x1.shape[1]
    sigma, theta = np.empty((len(x1), len(x2))), np.empty((len(x1), len(x2)))
    for i, p in enumerate(x1):
        for j, q in enumerate(x2):
            k11, k22, k12 = w * p @ p / n0 + b, w * q @ q / n0 + b, w * p @ q / n0 + b
            t = k12
            for _ in range(depth - 1):
                dual, dual_deriv = act.duals(k11, k22, k12)
                k11 = w * act.duals(k11, k11, k11)[0] + b
                k22 = w * act.duals(k22, k22, k22)[0] + b
                k12 = w * dual + b
                t = k12 + w * dual_deriv * t
            sigma[i, j], theta[i, j] = k12, t
    return sigma, theta


def _points(n, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def _assert_close(actual, expected, rtol=1e-12):
    scale = np.abs(expected).max()
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("name", activations.names())
def test_every_activation_matches_the_per_pair_reference_on_both_paths(name):
    x1, x2 = _points(5, seed=1), _points(4, seed=2)
    weight_std = 0.8 if name == "exp" else 1.3
    kwargs = dict(depth=3, activation=name, weight_std=weight_std, bias_std=0.3)
    for got, want in [(kernels.nngp_and_ntk(x1, **kwargs), reference(x1, x1, **kwargs)),
                      (kernels.nngp_and_ntk(x1, x2, **kwargs), reference(x1, x2, **kwargs))]:
        for a, b in zip(got, want):
            _assert_close(a, b)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(n=st.integers(1, 6), depth=st.integers(1, 6),
       name=st.sampled_from(["relu", "erf", "abs", "leaky_relu", "sin", "identity", "step"]),
       weight_std=st.floats(0.1, 2.0), bias_std=st.floats(0.0, 1.0), seed=st.integers(0, 99))
def test_reference_property(n, depth, name, weight_std, bias_std, seed):
    x = _points(n, d=4, seed=seed)
    kwargs = dict(depth=depth, activation=name, weight_std=weight_std, bias_std=bias_std)
    for a, b in zip(kernels.nngp_and_ntk(x, **kwargs), reference(x, x, **kwargs)):
        _assert_close(a, b, rtol=1e-11)


def test_several_blocks_symmetric_path_equals_the_x2_path_and_is_symmetric():
    x = _points(kernels.BLOCK * 2 + 17, d=5)
    symmetric = kernels.nngp_and_ntk(x, depth=4, bias_std=0.1)
    general = kernels.nngp_and_ntk(x, x.copy(), depth=4, bias_std=0.1)
    for s, g in zip(symmetric, general):
        np.testing.assert_array_equal(s, s.T)
        _assert_close(s, g, rtol=1e-13)
    rows = [0, kernels.BLOCK - 1, kernels.BLOCK, len(x) - 1]
    for a, b in zip(symmetric, reference(x[rows], x, 4, "relu", 1.0, 0.1)):
        _assert_close(a[rows], b)


def test_nngp_and_ntk_are_the_two_halves_and_the_run_is_deterministic():
    x = _points(300, d=4)
    both = kernels.nngp_and_ntk(x, depth=3, activation="erf")
    np.testing.assert_array_equal(kernels.nngp(x, depth=3, activation="erf"), both[0])
    np.testing.assert_array_equal(kernels.ntk(x, depth=3, activation="erf"), both[1])
    again = kernels.nngp_and_ntk(x, depth=3, activation="erf")
    itself = kernels.nngp_and_ntk(x, x, depth=3, activation="erf")  # the symmetric path too
    for a, b, c in zip(both, again, itself):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("name", ["relu", "tanh", "sin"])
def test_depth_one_is_the_linear_kernel(name):
    x1, x2 = _points(6, d=7), _points(3, d=7, seed=5)
    linear = 1.7**2 * x1 @ x2.T / 7 + 0.4**2
    for kernel in kernels.nngp_and_ntk(x1, x2, depth=1, activation=name, weight_std=1.7,
                                       bias_std=0.4):
        _assert_close(kernel, linear, rtol=1e-14)


@pytest.mark.parametrize("depth", [1, 2, 5, 30])
def test_relu_with_weight_variance_two_keeps_the_diagonal(depth):
    """Σ^ℓ(x, x) = Σ¹(x, x) and Θ^L(x, x) = L·Σ¹(x, x) for ReLU, σ_w² = 2, σ_b = 0."""
    x = _points(9, d=6)
    sigma, theta = kernels.nngp_and_ntk(x, depth=depth, weight_std=np.sqrt(2.0))
    first = 2.0 * np.sum(x * x, axis=1) / 6
    np.testing.assert_allclose(np.diag(sigma), first, rtol=1e-14)
    np.testing.assert_allclose(np.diag(theta), depth * first, rtol=1e-13)


def test_identical_inputs_have_correlation_exactly_one_on_every_path():
    x = _points(4, d=3)
    x2 = np.concatenate([x, x[::-1]])
    for name in ["relu", "step", "erf", "abs"]:
        got = kernels.nngp_and_ntk(x, x2, depth=4, activation=name)
        for a, b, symmetric in zip(got, reference(x, x2, 4, name, 1.0, 0.0),
                                   kernels.nngp_and_ntk(x, depth=4, activation=name)):
            _assert_close(a, b)
            np.testing.assert_array_equal(np.diag(a[:, :4]), np.diag(symmetric))


def test_parallel_inputs_with_correlation_rounded_beyond_plus_minus_one_stay_finite():
    """x' = λx: c = ±(1 − ε) or beyond after rounding, clipped; arccos turns ε into √(2ε),
    which limits Σ̇, and so the NTK, to ~1e-8 relative.

    Not step: its NNGP is only Hölder-1/2 at c = 1, so every layer takes the square
    root of the previous layer's rounding (ε, √ε, ε^(1/4), ...)."""
    x = _points(4, d=3)
    x2 = np.concatenate([3.0 * x, 0.1 * x, -x, -7.0 * x])
    for name in ["relu", "erf", "abs", "leaky_relu"]:
        got = kernels.nngp_and_ntk(x, x2, depth=4, activation=name)
        for a, b in zip(got, reference(x, x2, 4, name, 1.0, 0.0)):
            assert np.all(np.isfinite(a))
            _assert_close(a, b, rtol=1e-7)


def test_zero_inputs_give_finite_kernels():
    x = np.vstack([np.zeros(3), _points(3, d=3)])
    for name in ["relu", "step", "abs", "erf", "tanh"]:
        for bias_std in [0.0, 0.5]:
            got = kernels.nngp_and_ntk(x, depth=3, activation=name, bias_std=bias_std)
            want = reference(x, x, 3, name, 1.0, bias_std)
            for a, b in zip(got, want):
                assert np.all(np.isfinite(a))
                _assert_close(a, b)
    sigma, theta = kernels.nngp_and_ntk(x, depth=3)
    assert not sigma[0].any() and not theta[0].any()


@pytest.mark.parametrize("name, weight_std", [("relu", 1.0), ("relu", np.sqrt(2.0)),
                                              ("erf", 1.5), ("tanh", 1.2), ("sin", 1.0)])
def test_depth_two_hundred_stays_finite_and_matches_the_reference(name, weight_std):
    x = _points(3, d=2)
    got = kernels.nngp_and_ntk(x, depth=200, activation=name, weight_std=weight_std,
                               bias_std=0.1)
    want = reference(x, x, 200, name, weight_std, 0.1)
    for a, b in zip(got, want):
        assert np.all(np.isfinite(a)) and np.all(np.diag(a) > 0)
        _assert_close(a, b, rtol=1e-9)


@pytest.mark.parametrize("scale", [1e-30, 1e-5, 1e5, 1e30])
def test_relu_kernels_scale_as_weight_variance_to_the_depth(scale):
    """σ_b = 0: every layer multiplies Σ and Θ by σ_w², down to 1e-180 and up to 1e180."""
    x, depth = _points(5, d=4), 3
    unit = kernels.nngp_and_ntk(x, depth=depth)
    scaled = kernels.nngp_and_ntk(x, depth=depth, weight_std=scale)
    for a, b in zip(scaled, unit):
        _assert_close(a, scale ** (2 * depth) * b)


@pytest.mark.parametrize("kwargs", [dict(weight_std=1e60, depth=3),
                                    dict(activation="exp", weight_std=3.0, depth=4)])
def test_overflow_is_a_clear_error(kwargs):
    with pytest.raises(OverflowError, match="not finite in float64"):
        kernels.nngp_and_ntk(_points(3), **kwargs)


def test_large_inputs_overflowing_the_gram_matrix_are_a_clear_error():
    with pytest.raises(OverflowError, match="x1"):
        kernels.nngp_and_ntk(np.full((2, 3), 1e160), depth=2)


def test_empty_inputs_give_empty_kernels():
    sigma, theta = kernels.nngp_and_ntk(np.empty((0, 3)), _points(2), depth=3)
    assert sigma.shape == theta.shape == (0, 2)


BAD_INPUTS = [
    (dict(x1=[1.0, 2.0, 3.0]), "x1", "(3,)"),
    (dict(x1=np.empty((3, 0))), "x1", "(3, 0)"),
    (dict(x1=[[1.0, np.nan]]), "x1", "nan"),
    (dict(x1=[[np.inf, 1.0]]), "x1", "inf"),
    (dict(x1="abc"), "x1", "'abc'"),
    (dict(x1=np.ones((2, 2), dtype=complex)), "x1", "complex"),
    (dict(x2=np.ones((2, 3))), "x2", "(2, 3)"),
    (dict(x2=[[1.0, 2.0], [3.0]]), "x2", "[[1.0, 2.0], [3.0]]"),
    (dict(depth=0), "depth", "0"),
    (dict(depth=-2), "depth", "-2"),
    (dict(depth=2.5), "depth", "2.5"),
    (dict(depth=True), "depth", "True"),
    (dict(depth="3"), "depth", "'3'"),
    (dict(weight_std=-1.0), "weight_std", "-1.0"),
    (dict(weight_std=float("nan")), "weight_std", "nan"),
    (dict(weight_std=float("inf")), "weight_std", "inf"),
    (dict(weight_std="1"), "weight_std", "'1'"),
    (dict(bias_std=-0.5), "bias_std", "-0.5"),
    (dict(bias_std=None), "bias_std", "None"),
    (dict(bias_std=1e200), "bias_std", "1e+200"),
    (dict(activation="softmax"), "activation", "'softmax'"),
    (dict(activation=7), "activation", "7"),
]


@pytest.mark.parametrize("function", [kernels.nngp, kernels.ntk, kernels.nngp_and_ntk])
@pytest.mark.parametrize("bad, parameter, value", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_parameter_and_value(function, bad, parameter, value):
    kwargs = {"x1": np.ones((2, 2)), "depth": 2, **bad}
    with pytest.raises(ValueError) as info:
        function(kwargs.pop("x1"), **kwargs)
    message = str(info.value)
    assert parameter in message and value in message, message
