"""What residual and convolutional networks share: parameterisation, validation, blocks.

An architecture is described once (:class:`numeric.resnet.ResMLP`,
:class:`numeric.conv.CNN`) and the same object gives the finite network (``init``,
``apply``, ``empirical_ntk``) and its infinite-width kernels (``nngp``, ``ntk``,
``nngp_and_ntk``), as neural-tangents' ``stax`` layers give ``(init_fn, apply_fn,
kernel_fn)`` from one expression (Novak et al. 2020, "Neural Tangents: Fast and Easy
Infinite Neural Networks in Python").

Every affine map z = a·(h W) + c·b of fan-in n (the number of terms of each sum h W) is
parameterised as in :mod:`numeric.networks`:

    "ntk"       a = σ_w/√n, c = σ_b;  W, b entries ~ N(0, 1)
    "standard"  a = c = 1;  W entries ~ N(0, σ_w²/n), b entries ~ N(0, σ_b²).

Both give the same function from the same standard-normal draws. In the kernels the map
contributes, with X the (fan-in averaged) second moment of its input h,

    covariance  σ_w² X + σ_b²                                (both)
    own tangent w_own X + b_own,   (w_own, b_own) = (σ_w², σ_b²)   "ntk"
                                                    (n, 1)          "standard"

and multiplies the tangent kernel from below by σ_w² (Jacot et al. 2018; for the
standard parameterisation the leading order in the widths, which grows like n, as
neural-tangents computes it for ``parameterization='standard'``; Sohl-Dickstein et al.
2020, "On the infinite width limit of neural networks with a standard parameterization").
"""
from __future__ import annotations

import math
import numpy as np

from . import activations
from .kernels import _run_blocks as run_blocks
from .networks import PARAMETERIZATIONS, _check_array, _check_int, _check_real, _check_rng

__all__ = ["Affine", "affine_kernels", "check_common", "check_pairs", "draw_params", "run_blocks", "KernelMethods"]


class Affine:
    """The constants of one affine map of fan-in ``fan_in`` (see the module docstring)."""

    __slots__ = ("multipliers", "init_stds", "own", "weight_var", "bias_var")

    def __init__(self, parameterization: str, weight_std: float, bias_std: float, fan_in: int):
        ntk = parameterization == "ntk"
        scaled = (weight_std / math.sqrt(fan_in), bias_std)
        self.multipliers = scaled if ntk else (1.0, 1.0)
        self.init_stds = (1.0, 1.0) if ntk else scaled
        self.weight_var, self.bias_var = weight_std * weight_std, bias_std * bias_std
        self.own = (self.weight_var, self.bias_var) if ntk else (float(fan_in), 1.0)


def affine_kernels(aff: Affine, moment: np.ndarray, below: np.ndarray | None, *, scale: float = 1.0):
    """(σ_w² X + σ_b², w_own X + b_own + σ_w² Y) of one affine map, X = scale·``moment`` its
    input's second moment and Y = scale·``below`` (Ė ⊙ Θ) the tangent kernel reaching it from
    below (None: no parameters below). Both arrays are consumed (updated in place)."""
    w_own, b_own = aff.own
    theta = moment * (w_own * scale)
    theta += b_own
    if below is not None:
        below *= aff.weight_var * scale
        theta += below
    moment *= aff.weight_var * scale
    moment += aff.bias_var
    return moment, theta


def check_common(obj) -> None:
    """Validate and normalise ``activation``, ``weight_std``, ``bias_std`` and
    ``parameterization`` of a frozen dataclass ``obj`` in place (ValueError otherwise)."""
    set_ = object.__setattr__
    set_(obj, "activation", activations.get(obj.activation))
    set_(obj, "weight_std", _check_real("weight_std", obj.weight_std))
    set_(obj, "bias_std", _check_real("bias_std", obj.bias_std))
    if obj.parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization={obj.parameterization!r} is not accepted; "
                         f"expected one of {', '.join(map(repr, PARAMETERIZATIONS))}")


def check_pairs(params, shapes, what: str) -> tuple[list, tuple[int, ...]]:
    """``params`` as [(W, b)] float arrays of the trailing ``shapes`` [(W shape, b shape)]
    with one common leading batch shape, returned with it; ValueError naming the entry
    otherwise (``what`` says in words which maps the list holds)."""
    if not isinstance(params, (list, tuple)) or len(params) != len(shapes):
        raise ValueError(f"params is not accepted; expected a list of {len(shapes)} pairs (W, b): {what}")
    checked, batches = [], set()
    for i, (layer, (w_shape, b_shape)) in enumerate(zip(params, shapes)):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise ValueError(f"params[{i}] is not accepted; expected a pair (W, b)")
        W = _check_array(f"params[{i}][0]", layer[0], w_shape, f"(..., {', '.join(map(str, w_shape))})")
        b = _check_array(f"params[{i}][1]", layer[1], b_shape, f"(..., {b_shape[0]})")
        batches |= {W.shape[:W.ndim - len(w_shape)], b.shape[:-1]}
        checked.append((W, b))
    if len(batches) != 1:
        raise ValueError(f"params have differing leading batch shapes {sorted(batches)}; "
                         "expected one batch shape shared by every W and b")
    return checked, batches.pop()


def draw_params(rng, shapes, affines, n_networks) -> list:
    """Standard-normal draws scaled by each map's initial stds, network-major in the order
    of ``shapes``, so a stack of ``n_networks`` equals successive single draws."""
    batch = () if n_networks is None else (_check_int("n_networks", n_networks, 1),)
    sizes = [math.prod(w) + math.prod(b) for w, b in shapes]
    theta = _check_rng(rng).standard_normal(batch + (sum(sizes),))
    params, start = [], 0
    for (w, b), size, aff in zip(shapes, sizes, affines):
        block = theta[..., start:start + size]
        start += size
        sw, sb = aff.init_stds
        params.append((sw * block[..., :math.prod(w)].reshape(batch + w), sb * block[..., math.prod(w):]))
    return params


class KernelMethods:
    """``nngp`` and ``ntk`` from an ``nngp_and_ntk(x1, x2=None)`` method."""

    def nngp(self, x1, x2=None) -> np.ndarray:
        """The NNGP kernel K(x1, x2) of the network's scalar output; x2=None means x1."""
        return self.nngp_and_ntk(x1, x2)[0]

    def ntk(self, x1, x2=None) -> np.ndarray:
        """The NTK Θ(x1, x2) of the network's scalar output; x2=None means x1."""
        return self.nngp_and_ntk(x1, x2)[1]
