"""The layers stay apart: derivations/ is pure SymPy, numeric/ pure numpy/scipy.

``derivations`` imports nothing of ``numeric`` or ``verify``; ``numeric`` imports nothing of
``derivations`` or ``verify`` and no SymPy (so the library a user calls imports fast); ``catalogue``, read by
both, imports neither layer, nor numpy, SciPy or SymPy.
Read from the source with ``ast``, so an import inside a function counts too.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FORBIDDEN = {"derivations": {"numeric", "verify"}, "numeric": {"derivations", "verify", "sympy"},
             "catalogue": {"derivations", "numeric", "verify", "sympy", "numpy", "scipy"}}


def _imported(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for package in FORBIDDEN
                                        for p in (ROOT / package).rglob("*.py")))
def test_a_module_imports_nothing_of_the_layers_it_must_not_know(path):
    package = path.split("/")[0]
    assert not _imported(ROOT / path) & FORBIDDEN[package], f"{path} imports {_imported(ROOT / path) & FORBIDDEN[package]}"


def test_the_claim_catalogue_names_every_registered_claim():
    from verify import registry
    catalogue = (ROOT / "docs" / "claims.md").read_text()
    missing = [claim_id for claim_id in registry.claims() if f"`{claim_id}`" not in catalogue]
    assert not missing, f"docs/claims.md does not list {missing}"
