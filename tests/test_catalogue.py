"""The catalogue of activations is the one place an activation is declared.

Every name a registry of the library or the claims holds is in ``catalogue.activations``; a
source scan finds every activation named in code (a string looked up in an activation table,
or a table literal listing several activations) and fails on any the catalogue does not
declare.  Adding an activation anywhere else, without its catalogue entry, fails here.
"""
import ast
import pathlib

import pytest

from catalogue import activations as catalogue

ROOT = pathlib.Path(__file__).resolve().parents[1]
DECLARED = set(catalogue.names())
PARTS = ("derivations", "numeric", "verify")
TABLES = {"SIGMA", "CLOSED_FORM", "DERIVATIVE_DUAL", "DERIVATIVE", "_LATEX_NAME", "ACTIVATIONS", "_FAST",
          "_FAST_FUNCTIONS", "_REGISTRY", "_CLOSED_REFERENCES"}
"""Tables keyed by activation name."""
FUNCTIONS = {"expectation", "dual_check", "price_check", "_from_duals", "derivative_form", "derivative_dual",
             "_activation", "_library_activation", ("activations", "get"), ("catalogue", "entry")}
"""Functions whose first argument is an activation name (module-qualified where the name is common)."""


def _name(node) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)


def _function(node):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return (node.value.id, node.attr) if (node.value.id, node.attr) in FUNCTIONS else node.attr
    return getattr(node, "id", None)


def _strings(nodes) -> list[str]:
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _named_activations(path: pathlib.Path) -> set[str]:
    """Strings the module uses as activation names: looked up in an activation table, passed to a
    function of an activation, the value of a configuration's "activation", or listed in a table
    literal (not ``__all__``) alongside at least two declared names (the formulas' vocabulary aside)."""
    found = set()
    tree = ast.parse(path.read_text(), str(path))
    exports = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and any(getattr(t, "id", None) == "__all__" for t in node.targets)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _name(node.value) in TABLES:
            found |= set(_strings([node.slice]))
        elif isinstance(node, ast.Call) and _function(node.func) in FUNCTIONS and node.args:
            found |= set(_strings(node.args[:1]))
        elif isinstance(node, ast.Dict):
            found |= {v for k, v in zip(_strings(node.keys), _strings(node.values)) if k == "activation"}
        if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Set)) and id(node) not in exports:
            items = _strings(node.keys if isinstance(node, ast.Dict) else node.elts)
            if len({s.rstrip("'") for s in items} & DECLARED) >= 2:
                found |= set(items) - catalogue.VOCABULARY  # the formulas' words are not activations
    return {s.rstrip("'") for s in found}


MODULES = sorted(p.relative_to(ROOT).as_posix() for part in PARTS for p in (ROOT / part).rglob("*.py")
                 if "verify/report/" not in p.as_posix())
"""The library and the claims (the reporters print mathematical function names such as sin and exp)."""
NOT_ACTIVATIONS = {
    "verify/claims/duals.py": {"arccos", "trig", "polynomial"},  # the rounding models' names
    "derivations/rkhs.py": {"cube"},  # functions g of an RKHS, not activations
}
"""Strings of table literals that name something else, per module."""


@pytest.mark.parametrize("path", MODULES)
def test_no_module_knows_an_activation_the_catalogue_does_not(path):
    unknown = _named_activations(ROOT / path) - DECLARED - NOT_ACTIVATIONS.get(path, set())
    assert not unknown, f"{path} names activations {sorted(unknown)} that catalogue.activations does not declare"


def test_the_registries_hold_exactly_the_catalogue():
    from derivations import duals, kernels
    from numeric import activations
    assert set(activations.names()) == set(catalogue.LIBRARY)
    for table in (duals.SIGMA, duals.CLOSED_FORM, duals.DERIVATIVE, duals.DERIVATIVE_DUAL, kernels.ACTIVATIONS):
        assert set(table) <= DECLARED
    assert set(kernels.RECURSION_ACTIVATIONS + kernels.NON_POLYNOMIAL) <= DECLARED
    for name, degree in kernels.POLYNOMIAL_DEGREES.items():
        assert catalogue.entry(name).polynomial_degree == degree


def test_every_dual_claim_the_catalogue_names_is_registered_and_states_its_relation():
    from verify import registry
    claims = {e.claim for e in catalogue.ENTRIES if e.claim} | {
        e.derivative_claim for e in catalogue.ENTRIES if e.derivative_claim}
    registered = set(registry.claims())
    assert claims <= registered
    for e in catalogue.ENTRIES:
        if e.claim:
            names = {r.name for r in registry.get(e.claim).statement.relations}
            assert (e.relation or e.name) in names


def test_a_formula_outside_the_vocabulary_is_refused_by_both_layers():
    from derivations import duals
    from numeric import activations
    with pytest.raises(ValueError, match="softmax"):
        duals.formula("softmax(z)")
    with pytest.raises(ValueError, match="softmax"):
        activations.formula("softmax(z)", z=1.0)


@pytest.mark.parametrize("name", catalogue.LIBRARY)
def test_the_library_evaluates_the_catalogue_formulas_of_sigma_and_its_derivative(name):
    """The hand-optimised σ, σ' agree with the catalogue's formulas (softplus and the sigmoids
    away from where the formulas overflow)."""
    import numpy as np
    from numeric import activations
    z = np.linspace(-6.0, 6.0, 97)
    entry, act = catalogue.entry(name), activations.get(name)
    for text, f in ((entry.sigma, act.fn), (entry.derivative, act.deriv)):
        expected = np.broadcast_to(activations.formula(text, z=z), z.shape)
        np.testing.assert_allclose(f(z), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", catalogue.LIBRARY)
def test_the_library_flags_are_the_catalogue_flags(name):
    from numeric import activations
    entry, act = catalogue.entry(name), activations.get(name)
    assert (act.kink_at_zero, act.polynomial_degree, act.has_closed_form) == (
        entry.kink_at_zero, entry.polynomial_degree, entry.claim is not None)
