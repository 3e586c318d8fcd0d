"""The resnet.* and conv.* claims' measurement helpers: predictions iterated from the statements
equal the library kernels, and the exact samplers agree with the finite networks they replace."""
import math

import numpy as np
import pytest

from derivations import conv as C
from derivations import resnet as R
from numeric.conv import CNN
from numeric.resnet import ResMLP
from verify.claims import conv as VC
from verify.claims import resnet as VR


@pytest.mark.parametrize("alpha,activation,depth", [(0.5, "relu", 3), (-0.8, "erf", 2), (1.0, "relu", 0)])
def test_resnet_statement_iterated_at_30_digits_is_the_library_kernel(alpha, activation, depth):
    config = dict(VR._EXPLICIT, alpha=alpha, activation=activation, depth=depth)
    x = VR._inputs(config)
    for lib, stated in zip(VR._net(config).nngp_and_ntk(x), VR.statement_kernels(R.RECURSION, config, x, digits=30)):
        assert np.allclose(lib, stated, rtol=1e-13, atol=0)


@pytest.mark.parametrize("padding", ["circular", "zero"])
def test_cnn_statements_iterated_at_30_digits_are_the_library_kernels(padding):
    config = dict(VC._EXPLICIT, padding=padding, depth=3)
    x = VC._inputs(config)
    gap = VC._net(config).nngp_and_ntk(x)
    stated = VC.statement_cnn_kernels(C.CNTK, config, x, digits=30)
    assert math.isclose(gap[0][0, 1], stated[0], rel_tol=1e-13)
    assert math.isclose(gap[1][0, 1], stated[1], rel_tol=1e-13)
    flat = VC._net(config, readout="flatten").nngp(x)[0, 1]
    assert math.isclose(flat, VC.statement_flatten(C.FLATTEN, config, x, "cnn_diag", digits=30), rel_tol=1e-13)
    assert not math.isclose(flat, gap[0][0, 1], rel_tol=1e-3)  # GAP differs


def test_projection_sampler_matches_finite_residual_networks_in_mean_and_spread():
    config = {"weight_std": 1.2, "bias_std": 0.4, "r": 1.1}
    width, depth, seeds = 24, 3, 3000
    projected = VR.sample_diagonal(config, depth, 0.7, width, seeds, np.random.default_rng(0))
    net = ResMLP(3, width, depth, "relu", 1.2, 0.4, 0.7)
    x = math.sqrt(3) * 1.1 * np.array([[1.0, 0.0, 0.0]])
    direct = VR.sample_residual(net, x, seeds, np.random.default_rng(1), tangent=False)[0][:, 0, 0]
    se = math.sqrt(projected.var() / seeds + direct.var() / seeds)
    assert abs(projected.mean() - direct.mean()) < 4 * se
    assert abs(math.log(projected.std() / direct.std())) < 4 * math.sqrt(1 / seeds)


def test_locally_connected_sampler_has_the_flatten_kernel_as_channel_limit():
    config = dict(VC._EXPLICIT, depth=2)
    x = VC._inputs(config)
    draws = VC.sample_lcn(config, 256, x, 400, np.random.default_rng(2))
    limit = CNN(2, 1, 2, 3, 1, config["padding"], "flatten", "relu", 1.3, 0.3).nngp(x)[0, 1]
    assert abs(draws.mean() - limit) < 4 * draws.std() / math.sqrt(len(draws)) + 0.01 * abs(limit)
