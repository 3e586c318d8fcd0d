"""The claims registry: every module of :mod:`verify.claims` contributes its ``CLAIMS``.

Families appear in the order of the theory (duals, kernels, training dynamics,
lazy training, kernel foundations); a new family module needs no edit here.
Claims of your own live in any importable module with a ``CLAIMS`` tuple: name it
(or several, comma-separated) in the environment variable ``NTK_VERIFY_CLAIMS``
and they join the registry, in every worker process too.
"""
from __future__ import annotations

import difflib
import fnmatch
import functools
import importlib
import os
import pkgutil

from . import claims as _claims_package
from .claim import Claim

__all__ = ["claims", "get", "select"]

_FAMILY_ORDER = ("duals", "kernels", "flow", "lazy", "rkhs", "features", "resnet", "conv")
ENVIRONMENT = "NTK_VERIFY_CLAIMS"


def _module_rank(name: str) -> tuple[int, str]:
    return (_FAMILY_ORDER.index(name) if name in _FAMILY_ORDER else len(_FAMILY_ORDER), name)


@functools.cache
def claims() -> dict[str, Claim]:
    """Every registered claim by id, in family order then declaration order."""
    names = sorted((m.name for m in pkgutil.iter_modules(_claims_package.__path__)
                    if not m.name.startswith("_")), key=_module_rank)
    modules = [f"{_claims_package.__name__}.{name}" for name in names]
    modules += [m.strip() for m in os.environ.get(ENVIRONMENT, "").split(",") if m.strip()]
    found: dict[str, Claim] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ValueError(f"{ENVIRONMENT}: module {name!r} cannot be imported ({exc})") from None
        for claim in module.CLAIMS:
            if claim.id in found:
                raise RuntimeError(f"claim id {claim.id!r} is registered twice")
            found[claim.id] = claim
    for claim in found.values():
        missing = [u for u in claim.uses if u not in found]
        if missing:
            raise RuntimeError(f"claim {claim.id!r} uses unknown claims {missing}")
    return found


def _unknown(pattern: str) -> ValueError:
    close = difflib.get_close_matches(pattern, list(claims()), n=3, cutoff=0.0)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return ValueError(f"claim id {pattern!r} matches no claim{hint} "
                      "(`python -m verify list` shows them all)")


def get(claim_id: str) -> Claim:
    try:
        return claims()[claim_id]
    except KeyError:
        raise _unknown(claim_id) from None


def select(patterns) -> list[Claim]:
    """The claims matching any of ``patterns`` (ids or shell globs), in registry order."""
    chosen = set()
    for pattern in patterns:
        hits = fnmatch.filter(claims(), pattern)
        if not hits:
            raise _unknown(pattern)
        chosen.update(hits)
    return [c for cid, c in claims().items() if cid in chosen]
