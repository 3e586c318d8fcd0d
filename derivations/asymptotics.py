"""Rates in a large parameter, computed rather than typed.

A rate that a numeric check tests (a fluctuation exponent in the width n, a slope in
the number of features P) is a relation of its claim's statement; its derivation
computes the exponent from a model of the quantity, never from a power written by
hand:

* :func:`spread_of_sum` is the standard deviation of a sum of ``count`` terms, from
  the covariance of the terms summed by SymPy over all pairs (the variance of a sum of
  independent terms is the sum of their variances; Bienaymé's formula, e.g. Feller,
  "An Introduction to Probability Theory and Its Applications", 1968);
* :func:`exponent` is the power of the large parameter that an expression grows or
  decays like, lim log(expr)/log(n), taken by SymPy's ``limit``.

So "a centred average of n i.i.d. terms fluctuates like n^{-1/2}" is derived as
exponent(spread_of_sum(n, s², 0)/n) = -1/2, and a mutated rate (-1, say) is refuted by
the same computation.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["n", "exponent", "spread_of_sum"]

n = sp.Symbol("n", positive=True)
"""The large parameter: a width, a number of features, a number of seeds."""

_J = sp.Symbol("j", integer=True, positive=True)
_K = sp.Symbol("k", integer=True, positive=True)


def exponent(expr, variable: sp.Symbol = n) -> sp.Expr:
    """lim_{variable -> oo} log(expr)/log(variable): the power that ``expr`` grows or decays like."""
    return sp.limit(sp.log(expr) / sp.log(variable), variable, sp.oo)


def spread_of_sum(count, variance, covariance=0) -> sp.Expr:
    """The standard deviation of X_1 + ... + X_count.

    Each term has variance ``variance`` and each pair of distinct terms covariance
    ``covariance`` (0 for independent terms).  SymPy sums the covariance matrix: the
    diagonal over j, then the off-diagonal entries of each row over k != j.
    """
    diagonal = sp.summation(variance, (_J, 1, count))
    off_diagonal = sp.summation(sp.summation(covariance, (_K, 1, count)) - covariance, (_J, 1, count))
    return sp.sqrt(sp.factor(diagonal + off_diagonal))
