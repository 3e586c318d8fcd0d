"""The width-limit checks of the kernel recursions: finite networks' K̂_n and Θ̂_n over
independent initialisations at ≥ 3 widths against the iterated statement's limit (NNGP,
NTK in both parameterisations, the He-initialised ReLU diagonal) and fluctuation exponent."""
from __future__ import annotations

from hypothesis import strategies as st

from derivations import kernels as K

from ..checks import predict
from ..claim import NumericCheck
from ._kernel_predictions import _evaluate, _he
from ._kernel_sweeps import _EXPLICIT_NETWORK, _entry_limits, _examples, _limit, _network_configs, _sweep, _tag


def _measure_nngp(statement, config, ctx):
    widths, draws, _ = _sweep(ctx, config, ntk=False)
    return _entry_limits(ctx, f"{_tag(config)}: Sigma_hat", widths, draws, _limit(statement, config)["sigma"],
                         predict(statement, "fluctuation", {}))


_NNGP_CHECK = NumericCheck(
    "readout-covariance-width-limit",
    "K̂_n(x, x') = σ_w² h^{L−1}(x)·h^{L−1}(x')/n + σ_b², the covariance of the outputs over "
    "the readout given the layers below (so E[f(x) f(x')] = E[K̂_n]), over independent "
    "initialisations (Gaussian projections) at ≥ 3 widths: extrapolated intercept against "
    "Σ^L from the iterated statement, fluctuation exponent against the statement's",
    lambda budget: _network_configs(K.RECURSION_ACTIVATIONS, (2, 4)),
    _measure_nngp, per_example=6, kind="width", explicit=(_EXPLICIT_NETWORK,),
    examples=_examples(1, 2, 4),
)


def _measure_ntk(statement, config, ctx):
    widths, _, draws = _sweep(ctx, config, ntk=True)
    limits = _limit(statement, config)
    standard = config["parameterization"] == "standard"
    label = f"{_tag(config)}: " + ("Theta_hat_std/n" if standard else "Theta_hat")
    return _entry_limits(ctx, label, widths, draws, limits["xi" if standard else "theta"],
                         predict(statement, "fluctuation", {}))


_NTK_CHECK = NumericCheck(
    "empirical-ntk-width-limit",
    "Empirical NTK at initialisation (exact in distribution by Gaussian projections) at ≥ 3 "
    "widths: NTK parameterisation against Θ^L, standard parameterisation Θ̂/n against Ξ^L, "
    "both from the iterated statement; extrapolated intercept, and fluctuation exponent against "
    "the statement's",
    lambda budget: _network_configs(K.RECURSION_ACTIVATIONS, (2, 4), parameterizations=("ntk", "standard")),
    _measure_ntk, per_example=6, kind="width", explicit=(_EXPLICIT_NETWORK,),
    examples=_examples(1, 2, 4),
)


def _measure_diagonal_networks(statement, config, ctx):
    weight_std, bias_std = _he(statement)
    config = dict(config, activation="relu", weight_std=weight_std, bias_std=bias_std, r2=config["r1"],
                  angle=0.0)
    sigma1 = float(_evaluate(statement, "sigma1", {K.Q: config["r1"]**2, K.SW2: weight_std**2,
                                                   K.SB2: bias_std**2}))
    widths, readouts, thetas = _sweep(ctx, config, ntk=True)
    sigma = predict(statement, "sigma_diag", {K.K1: sigma1})
    theta = predict(statement, "theta_diag", {K.K1: sigma1, K.L: config["depth"]})
    tag = _tag(config)
    rate = predict(statement, "fluctuation", {})
    return (ctx.width_limit(f"{tag}: Sigma_hat(x,x)", widths, [d[:, 0, 0] for d in readouts], sigma, rate=rate)
            + ctx.width_limit(f"{tag}: Theta_hat(x,x)", widths, [d[:, 0, 0] for d in thetas], theta, rate=rate))


_DIAGONAL_NETWORK_CHECK = NumericCheck(
    "finite-network-diagonal",
    "He-initialised ReLU networks at ≥ 3 widths: K̂_n(x,x) and Θ̂_n(x,x) over independent "
    "initialisations (Gaussian projections); extrapolated intercepts against Σ¹(x,x) and "
    "L·Σ¹(x,x), fluctuation exponents against the statement's",
    lambda budget: st.fixed_dictionaries({"depth": st.integers(2, 4), "r1": st.floats(0.5, 2.0),
                                          "parameterization": st.just("ntk")}),
    _measure_diagonal_networks, per_example=6, kind="width", examples=_examples(1, 1, 2),
)
