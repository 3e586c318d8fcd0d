"""Activation functions σ with their derivatives and dual kernels.

Minimal interface (extended by the dual-activation work): an :class:`Activation`
holds the finite function ``fn`` and its derivative ``deriv``, both numpy ufunc-like.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Activation", "get", "names"]

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    """A pointwise nonlinearity σ and its derivative σ'."""

    name: str
    fn: Callable[[Array], Array]
    deriv: Callable[[Array], Array]


def _relu() -> Activation:
    return Activation("relu", lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float))


def _step() -> Activation:
    return Activation("step", lambda z: (z > 0).astype(float), np.zeros_like)


_REGISTRY: dict[str, Callable[[], Activation]] = {"relu": _relu, "step": _step}


def names() -> tuple[str, ...]:
    """The accepted activation names."""
    return tuple(sorted(_REGISTRY))


def get(name: str | Activation) -> Activation:
    """The activation called ``name`` (an :class:`Activation` passes through)."""
    if isinstance(name, Activation):
        return name
    try:
        return _REGISTRY[name]()
    except (KeyError, TypeError):
        raise ValueError(
            f"activation={name!r} is not known; accepted: {', '.join(names())}, "
            "or an Activation object"
        ) from None
