"""The prediction engine of the kernel claims: the statement's lambdified relations iterated
layer by layer, in floats (:func:`limit_kernels`) and at 30 digits on chosen input pairs
(:func:`pair_kernels`), so that a mutated relation changes every prediction it feeds."""
from __future__ import annotations

import math

import numpy as np

from derivations import kernels as K
from derivations.gaussian import c, k11, k12, k22

from ..checks import predict, predictor

__all__ = ["limit_kernels", "pair_kernels"]

_STATE = (K.Q, k11, k22, k12, K.E, K.ED, K.SIGMA_NEXT, K.SIGMA_DOT, K.THETA, K.XI, K.SW2, K.SB2, K.L)


# ------------------------------------------------------------------ predictions

def _evaluate(statement, name: str, state: dict):
    """Relation ``name`` lambdified on _STATE; symbols not defined yet at this point of the
    iteration are NaN, so a relation that should not depend on them shows it."""
    values = [state.get(symbol, math.nan) for symbol in _STATE]
    return np.asarray(predictor(statement[name], _STATE)(*values), dtype=float)


def _he(statement) -> tuple[float, float]:
    """(σ_w, σ_b) of the statement's initial variances (He's for kernel.relu_diagonal)."""
    return (math.sqrt(predict(statement, "weight_var", {})), math.sqrt(predict(statement, "bias_var", {})))


def limit_kernels(statement, activation: str, x, *, depth: int, weight_std: float,
                  bias_std: float) -> dict[str, np.ndarray]:
    """{"sigma": Σ^L, "theta": Θ^L, "xi": Ξ^L} on the Gram of ``x`` (N, n0), each (N, N).

    Iterates the statement's lambdified relations: Σ¹ (and Θ¹, Ξ¹), then "maps" layer maps
    with the ``dual[activation]`` closed forms at k11 = Σ(x, x), k22 = Σ(x', x'),
    k12 = Σ(x, x'). Θ and Ξ only when the statement has them (the NTK recursion). A wrong
    statement may leave the PSD cone; its entries are then NaN (no warning), which the
    checks refute. Accuracy: the closed forms lose ~√ε at |c| = 1 (arccos), far below any
    Monte Carlo standard error.
    """
    names = {r.name for r in statement.relations}
    if f"dual[{activation}]" not in names:
        have = sorted(n[5:-1] for n in names if n.startswith("dual["))
        raise ValueError(f"activation={activation!r}: the statement has closed-form duals for {have}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth={depth!r}: expected an integer >= 1 (the number of affine layers)")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"x of shape {x.shape}: expected a finite (N, n0) array")
    with np.errstate(invalid="ignore"):
        return _iterate(statement, activation, x, depth, weight_std, bias_std, "theta" in names)


def _iterate(statement, activation, x, depth, weight_std, bias_std, ntk) -> dict[str, np.ndarray]:
    gram = x @ x.T / x.shape[1]
    state = {K.Q: gram, K.SW2: weight_std**2, K.SB2: bias_std**2, K.L: depth}
    out = {"sigma": np.broadcast_to(_evaluate(statement, "sigma1", state), gram.shape)}
    if ntk:
        out["theta"] = np.broadcast_to(_evaluate(statement, "theta1", state), gram.shape)
        out["xi"] = np.broadcast_to(_evaluate(statement, "xi1", state), gram.shape)
    maps = float(_evaluate(statement, "maps", state))
    if maps < 0 or maps != round(maps):
        raise ValueError(f"the statement gives {maps} layer maps at depth {depth}; expected an integer >= 0")
    for _ in range(int(maps)):
        diagonal = np.diag(out["sigma"])
        state.update({k11: diagonal[:, None], k22: diagonal[None, :], k12: out["sigma"]})
        state[K.E] = _evaluate(statement, f"dual[{activation}]", state)
        following = np.broadcast_to(_evaluate(statement, "sigma", state), gram.shape)
        if ntk:
            state[K.ED] = _evaluate(statement, f"dual'[{activation}]", state)
            state.update({K.SIGMA_NEXT: following, K.SIGMA_DOT: _evaluate(statement, "sigma_dot", state),
                          K.THETA: out["theta"], K.XI: out["xi"]})
            out["theta"] = np.broadcast_to(_evaluate(statement, "theta", state), gram.shape)
            out["xi"] = np.broadcast_to(_evaluate(statement, "xi", state), gram.shape)
        out["sigma"] = following
    return out


def pair_kernels(statement, activation: str, x, pairs, *, depth: int, weight_std: float,
                 bias_std: float) -> dict[str, np.ndarray]:
    """{"sigma": Σ^L, "theta": Θ^L (NTK statements only)} at the index ``pairs`` (i, j) of ``x``.

    The statement's relations are iterated pair by pair, each evaluated at 30 digits by
    ``predict`` (the values are rounded to float64 between layers): at (x, x') the layer map
    needs only Σ(x, x), Σ(x', x') and Σ(x, x'), and the correlation k12/√(k11 k22) is formed
    at 30 digits, exactly 1 where k12 = k11 = k22 (the diagonal, identical inputs). So the
    reference is accurate to about one rounding per layer, arccos included, independently of
    how a float64 implementation forms the correlation.
    """
    x = np.asarray(x, dtype=float)
    ntk = any(r.name == "theta" for r in statement.relations)
    variances = {K.SW2: weight_std**2, K.SB2: bias_std**2}
    maps = int(round(predict(statement, "maps", {K.L: depth})))
    dual, dual_prime = f"dual[{activation}]", f"dual'[{activation}]"

    def at(name, point):
        """NaN where a (wrong) statement leaves the reals, e.g. a correlation beyond ±1."""
        try:
            return predict(statement, name, point)
        except ValueError:
            return math.nan

    def first(i, j):
        q = math.fsum(x[i] * x[j]) / x.shape[1]
        return [at("sigma1", {K.Q: q, **variances}),
                at("theta1", {K.Q: q, **variances}) if ntk else math.nan]

    def layer(a, b, ab):
        point = {k11: a[0], k22: b[0], c: _correlation(a[0], b[0], ab[0])}
        sigma = at("sigma", {K.E: at(dual, point), **variances})
        if not ntk:
            return [sigma, math.nan]
        dot = at("sigma_dot", {K.ED: at(dual_prime, point)})
        return [sigma, at("theta", {K.SIGMA_NEXT: sigma, K.SIGMA_DOT: dot, K.THETA: ab[1], **variances})]

    points = sorted({i for pair in pairs for i in pair})
    diagonal = {i: first(i, i) for i in points}
    values = {pair: first(*pair) for pair in pairs}
    for _ in range(maps):
        values = {(i, j): layer(diagonal[i], diagonal[j], v) for (i, j), v in values.items()}
        diagonal = {i: layer(d, d, d) for i, d in diagonal.items()}
    out = {"sigma": np.array([values[p][0] for p in pairs])}
    if ntk:
        out["theta"] = np.array([values[p][1] for p in pairs])
    return out


def _correlation(a: float, b: float, ab: float):
    """k12/√(k11 k22) at 30 digits (1 exactly when the three are equal); 0 for a zero variance."""
    import mpmath
    with mpmath.workdps(30):
        root = mpmath.sqrt(mpmath.mpf(a) * mpmath.mpf(b))
        return mpmath.mpf(ab) / root if root > 0 else mpmath.mpf(0)
