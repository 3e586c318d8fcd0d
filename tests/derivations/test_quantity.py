"""A Quantity's LaTeX is its own: part of its identity, never a table shared by name."""
import pickle

import sympy as sp

from derivations.core import Quantity


def test_two_quantities_of_one_name_but_different_latex_are_different_symbols():
    alpha, beta = Quantity("q.house", r"\alpha"), Quantity("q.house", r"\beta")
    assert alpha != beta and hash(alpha) != hash(beta)
    assert sp.latex(alpha) == r"\alpha" and sp.latex(beta) == r"\beta"
    assert sp.latex(alpha + beta) in (r"\alpha + \beta", r"\beta + \alpha")


def test_a_quantity_built_later_does_not_change_how_an_earlier_one_prints():
    first = Quantity("q.order", "A")
    Quantity("q.order", "B")
    assert sp.latex(first) == "A" and sp.latex(Quantity("q.order")) == "q.order"


def test_equal_arguments_give_the_cached_object_and_a_pickle_keeps_the_latex():
    q = Quantity("q.cache", r"\kappa", positive=True)
    assert Quantity("q.cache", r"\kappa", positive=True) is q
    back = pickle.loads(pickle.dumps(q))
    assert back == q and sp.latex(back) == r"\kappa" and back.is_positive


def test_named_matrices_of_one_name_keep_their_own_latex():
    from derivations.spectral import NamedMatrix
    size = sp.Symbol("N", integer=True, positive=True)
    shown, plain = NamedMatrix("K", size, size, latex=r"K(X, X)"), NamedMatrix("K", size, size)
    assert shown != plain
    assert sp.latex(shown) == r"K(X, X)" and sp.latex(plain) == "K"
    assert sp.latex(shown.subs(size, 2)) == r"K(X, X)" and shown.subs(size, 2).shape == (2, 2)
