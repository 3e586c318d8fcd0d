"""``python -m verify new ID FILE``: write a working claim to start from.

The skeleton is a complete claim in the shape of :mod:`verify.authoring`: the moment
generating function of a Gaussian pair, E[e^u e^v] = exp((k11 + k22)/2 + k12), derived by
SymPy's Gaussian integral, confirmed by Monte Carlo, with three mutants.  It is verified
as written; replace the statement, the derivation, the check and the mutants with yours.
"""
from __future__ import annotations

import keyword
import os
import re

__all__ = ["write", "skeleton"]

_TEMPLATE = '''"""{title} (replace with your statement, its source and the assumptions it needs).

Run:  python -m verify run --claims {module} '{claim_id}' --mutants
      pytest --ntk-verify --ntk-verify-claims {module}
"""
import numpy as np
import sympy as sp

from derivations.gaussian import gaussian_pair_integral
from verify.authoring import (Derivation, Justification, Quantity, Step, c, claim, gaussian_pair_check,
                              identity, k11, k12, k22, z)

CLOSED_FORM = sp.exp((k11 + k22) / 2 + k12)
STATEMENT = identity("mgf", Quantity("E[exp(u) exp(v)]", r"\\mathbb{{E}}[e^u e^v]"), CLOSED_FORM)


def derive(statement):
    """SymPy integrates E[e^u e^v] over the Gaussian pair and compares it with the closed form."""
    integral = gaussian_pair_integral(sp.exp(z), sp.exp(z)).subs(c, k12 / sp.sqrt(k11 * k22))
    return Derivation((Step("The Gaussian integral of e^u e^v, done by SymPy", integral, statement.rhs,
                            Justification.INTEGRATE),), "SymPy's integral is the closed form.")


CLAIMS = (claim(
    "{claim_id}", "{title}", "the moment generating function of a Gaussian (replace with your source)",
    STATEMENT, derive,
    gaussian_pair_check("mgf", lambda u, v: np.exp(u) * np.exp(v), scale_of=np.exp, hi=1.0),
    mutants={{
        "without-half": ("(k11 + k22) instead of (k11 + k22)/2", sp.exp(k11 + k22 + k12)),
        "sign-of-k12": ("-k12 instead of k12", sp.exp((k11 + k22) / 2 - k12)),
        "constant-10pct": ("a 10% larger constant", sp.Rational(11, 10) * CLOSED_FORM),
    }}),)
'''


def skeleton(claim_id: str, module: str) -> str:
    """The text of a working claim file with id ``claim_id``, importable as ``module``."""
    if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", claim_id):
        raise ValueError(f"ID {claim_id!r}: give a dotted id of words, e.g. mine.lemma")
    return _TEMPLATE.format(claim_id=claim_id, module=module,
                            title=f"The claim {claim_id}: E[e^u e^v] for a Gaussian pair")


def write(claim_id: str, path: str) -> int:
    """Write :func:`skeleton` to ``path`` (a new ``.py`` file); print how to run it; return 0."""
    name = os.path.splitext(os.path.basename(path))[0]
    if not path.endswith(".py") or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"FILE {path!r}: give a new Python file whose name is a module name, e.g. my_claims.py")
    if os.path.exists(path):
        raise ValueError(f"FILE {path!r} exists; give a new file")
    text = skeleton(claim_id, name)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {path}; run it from its folder with\n"
          f"  python -m verify run --claims {name} '{claim_id}' --mutants")
    return 0
