"""What each family of claims is about: its title, a short introduction and its sources.

A claim module declares its family with a module-level ``FAMILY = (title,
introduction)`` or ``(title, introduction, sources)``: text with inline ``$...$``
math, sources as a ``;``-separated citation text or bibliography keys
(:func:`verify.bibliography.resolve`).  :func:`declarations` reads these for the
claims of a run; a family whose module declares nothing gets a generic entry, so a new
family needs no edit anywhere else.
"""
from __future__ import annotations

import sys
from typing import Iterable

__all__ = ["declarations", "title_of", "Family"]

Family = tuple[str, str, str, str]
"""(id prefix, title, introduction, sources)."""

def _declared(claim_ids: set[str]) -> dict[str, tuple]:
    """FAMILY of every loaded module whose CLAIMS hold one of ``claim_ids``, by id prefix."""
    found: dict[str, tuple] = {}
    for name in sorted(sys.modules):
        module = sys.modules[name]
        family = getattr(module, "FAMILY", None)
        members = getattr(module, "CLAIMS", None)
        if not (isinstance(family, tuple) and 2 <= len(family) <= 3 and isinstance(members, tuple)):
            continue
        for claim in members:
            if getattr(claim, "id", None) in claim_ids:
                found.setdefault(claim.id.split(".", 1)[0], family)
    return found


def title_of(prefix: str) -> str:
    """The declared title of family ``prefix`` among the loaded claim modules, else a generic one."""
    for module in list(sys.modules.values()):
        family, members = getattr(module, "FAMILY", None), getattr(module, "CLAIMS", None)
        if isinstance(family, tuple) and family and isinstance(members, tuple) and any(
                str(getattr(c, "id", "")).split(".", 1)[0] == prefix for c in members):
            return str(family[0])
    return f"Claims {prefix}"


def declarations(claims: Iterable) -> tuple[Family, ...]:
    """(prefix, title, introduction, sources) of each family of ``claims``, in order of appearance."""
    ids = [claim.id for claim in claims]
    declared = _declared(set(ids))
    out: list[Family] = []
    for prefix in dict.fromkeys(i.split(".", 1)[0] for i in ids):
        title, intro, *sources = declared.get(prefix) or (
            f"Claims {prefix}", f"The claims whose ids begin with {prefix}.")
        out.append((prefix, str(title), str(intro), str(sources[0]) if sources else ""))
    return tuple(out)
