"""The claims registry: the built-in families, installed packages' claims, and your own.

Claims come from modules with a ``CLAIMS`` tuple, gathered in this order:

1. every module of :mod:`verify.claims`, each family placed by its module's own ``PLACE``
   (an integer: where it stands in the theory; modules without one come last, by name),
   so a new family module needs no edit here;
2. the modules that installed packages declare in the entry-point group
   ``ntk_verify.claims`` (the packaging convention of pytest and flake8 plugins), e.g.
   in the package's ``pyproject.toml``::

       [project.entry-points."ntk_verify.claims"]
       mylemmas = "mypackage.claims"

3. the modules named (comma-separated) in the environment variable ``NTK_VERIFY_CLAIMS``,
   which :func:`add_modules` (``--claims MODULE`` on the command line) extends for one run.
   Worker processes see the same registry: a forked worker inherits it, a spawned one
   the environment.

A module that cannot be registered (it does not import, has no ``CLAIMS`` tuple, holds
something that is not a :class:`~verify.claim.Claim`, repeats a claim id, or uses a claim
no module registers) raises :class:`ClaimModuleError`, which names the module and the
problem in one line; the command line exits with code 2 on it.
"""
from __future__ import annotations

import difflib
import fnmatch
import functools
import importlib
import importlib.metadata
import inspect
import math
import os
import pkgutil
import re
import sys

from . import claims as _claims_package
from .claim import Claim

__all__ = ["claims", "get", "select", "modules", "add_modules", "locations", "ClaimModuleError",
           "ENVIRONMENT", "ENTRY_POINTS"]

ENVIRONMENT = "NTK_VERIFY_CLAIMS"
ENTRY_POINTS = "ntk_verify.claims"


class ClaimModuleError(Exception):
    """A claim module that cannot be registered: ``module`` names it, ``problem`` says why.

    One error type for every way a module can be broken; the registry adds the module's
    name where it loads it (the context is added at the boundary, as einops does with
    its ``EinopsError``).
    """

    def __init__(self, module: str, problem: str):
        super().__init__(f"claim module {module!r}: {problem}")
        self.module, self.problem = module, problem


def _place(name: str) -> tuple[float, str]:
    """A built-in family module's declared ``PLACE`` (infinite when it has none or fails to
    import; :func:`_load` then says what is wrong with it), and its name."""
    try:
        place = getattr(importlib.import_module(f"{_claims_package.__name__}.{name}"), "PLACE", math.inf)
    except Exception:
        place = math.inf
    return (place, name)


def _split(text: str) -> list[str]:
    return [m.strip() for m in text.split(",") if m.strip()]


def modules() -> list[str]:
    """The names of the claim modules, in registration order (built-in, entry points, environment)."""
    names = sorted((m.name for m in pkgutil.iter_modules(_claims_package.__path__)
                    if not m.name.startswith("_")), key=_place)
    found = [f"{_claims_package.__name__}.{name}" for name in names]
    found += sorted(ep.module for ep in importlib.metadata.entry_points(group=ENTRY_POINTS))
    found += _split(os.environ.get(ENVIRONMENT, ""))
    return list(dict.fromkeys(found))


def add_modules(names) -> None:
    """Register the claim modules ``names`` (strings, each possibly comma-separated) for this
    process and the worker processes it starts (through ``NTK_VERIFY_CLAIMS``)."""
    wanted = [m for name in names for m in _split(name)]
    if not wanted:
        return
    present = _split(os.environ.get(ENVIRONMENT, ""))
    os.environ[ENVIRONMENT] = ",".join(dict.fromkeys(present + wanted))
    claims.cache_clear()


def _load(name: str) -> tuple[Claim, ...]:
    """The claims of module ``name``, or :class:`ClaimModuleError` saying what is wrong with it."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        problem = "not found" if exc.name == name else f"cannot be imported ({exc})"
        raise ClaimModuleError(name, problem) from None
    except Exception as exc:  # any failure while the module runs is the module's problem
        raise ClaimModuleError(name, f"raised {type(exc).__name__} on import: {exc}") from None
    found = getattr(module, "CLAIMS", None)
    if found is None:
        raise ClaimModuleError(name, "has no CLAIMS (a tuple of verify.claim.Claim)")
    if not isinstance(found, (tuple, list)):
        raise ClaimModuleError(name, f"CLAIMS is a {type(found).__name__}, not a tuple of Claim")
    for index, claim in enumerate(found):
        if not isinstance(claim, Claim):
            raise ClaimModuleError(name, f"CLAIMS[{index}] is a {type(claim).__name__}, not a verify.claim.Claim")
    return tuple(found)


@functools.cache
def claims() -> dict[str, Claim]:
    """Every registered claim by id, in family order then declaration order."""
    found: dict[str, Claim] = {}
    owner: dict[str, str] = {}
    for name in modules():
        for claim in _load(name):
            if claim.id in found:
                raise ClaimModuleError(name, f"claim id {claim.id!r} is already registered by {owner[claim.id]}")
            found[claim.id], owner[claim.id] = claim, name
    for claim in found.values():
        missing = [u for u in claim.uses if u not in found]
        if missing:
            raise ClaimModuleError(owner[claim.id], f"claim {claim.id!r}: uses: unknown claim ids {missing}")
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


def _function_at(fn) -> str:
    """``module:line`` of the ``def`` of ``fn`` (through partials and decorators)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = inspect.unwrap(fn)
    try:
        module = inspect.getmodule(fn)
        line = inspect.getsourcelines(fn)[1]
    except (TypeError, OSError):
        return ""
    return f"{module.__name__ if module else '?'}:{line}"


def _global_at(module_name: str, value) -> str:
    """``module:line`` where a module-level name of ``module_name`` is bound to ``value``, or ""."""
    module = sys.modules.get(module_name)
    names = [k for k, v in vars(module).items() if v is value] if module else []
    if not names:
        return ""
    try:
        lines = inspect.getsource(module).splitlines()
    except (TypeError, OSError):
        return ""
    pattern = re.compile(rf"^({'|'.join(map(re.escape, names))})\s*(:[^=]*)?=")
    return next((f"{module_name}:{i}" for i, text in enumerate(lines, 1) if pattern.match(text)), "")


def locations(claim: Claim) -> dict:
    """Where ``claim`` is defined, each as ``module:line``: the claim (its ``Claim(...)``), its
    statement (the module-level name holding the object, in the derivation's module or the
    claim's, else the claim's line), its derivation (the derive function), each check (its
    measure function) and each mutant (its ``Mutant(...)``)."""
    derive = claim.derive.func if isinstance(claim.derive, functools.partial) else claim.derive
    homes = [getattr(inspect.getmodule(inspect.unwrap(derive)), "__name__", ""),
             claim.defined_at.rsplit(":", 1)[0]]
    statement = next((at for home in homes if (at := _global_at(home, claim.statement))), claim.defined_at)
    return {"claim": claim.defined_at, "statement": statement, "derivation": _function_at(claim.derive),
            "checks": {k.name: _function_at(k.measure) for k in claim.checks},
            "mutants": {m.name: m.defined_at for m in claim.mutants}}
