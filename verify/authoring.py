"""Writing a claim of your own: the vocabulary in one import, and factories for the common shapes.

A claim is a SymPy statement (``lhs = rhs`` relations over a domain), a function that
derives it (``Statement -> Derivation``, every step checked by SymPy or cited), numeric
checks that measure the left-hand side and compare it with the lambdified right-hand side
within standard errors, and at least three mutants (wrong statements that must be
refuted).  The factories below return ordinary :class:`~verify.claim.Claim` and
:class:`~verify.claim.NumericCheck` objects, the same ones the built-in claims are made of:

* :func:`identity` -- a one-relation statement, by default over a centred Gaussian pair
  (u, v) ~ N(0, [[k11, k12], [k12, k22]]) (:data:`COVARIANCE`);
* :func:`gaussian_pair_check` -- Monte Carlo of E[h(u, v)] against the closed form
  (the sample sized by :meth:`verify.checks.Context.expectation` to the budget);
* :func:`exact_check` -- a deterministic floating-point computation against the closed
  form, its standard error the rounding model ``operations x condition x eps x scale``;
* :func:`width_limit_check` -- finite networks of growing width: the extrapolated limit
  against the closed form and the fitted fluctuation exponent against a rate relation;
* :func:`claim` -- the claim, with mutants given as ``{name: (description, wrong rhs)}``.

A typical file (see ``examples/`` and ``docs/writing-claims.md``)::

    STATEMENT = identity("relu2", Quantity("E[relu(u)^2 relu(v)^2]"), closed_form)
    CLAIMS = (claim("mine.relu2", "The ReLU^2 dual", "Cho & Saul, 2009", STATEMENT, derive,
                    gaussian_pair_check("relu2", lambda u, v: relu(u)**2 * relu(v)**2, scale_of=square),
                    mutants={"no-3": ("3 sin cos -> sin cos", wrong)}),)

Run it with ``python -m verify run --claims mymodule 'mine.*' --mutants`` or with pytest
(``pytest --ntk-verify --ntk-verify-claims mymodule``).
"""
from __future__ import annotations

import inspect
from typing import Callable, Mapping

import sympy as sp
from hypothesis import strategies as st

from derivations.core import (Derivation, Domain, Justification, Quantity, Relation, Statement, Step,
                              cited, link)
from derivations.gaussian import COVARIANCE, c, k11, k12, k22, theta, u, v, z

from .checks import Context, predict
from .claim import Claim, ContractError, Mutant, NumericCheck, helper_module
from .strategies import COVARIANCE_EDGES, coordinates, covariance, covariances

__all__ = [
    # the factories
    "identity", "claim", "gaussian_pair_check", "exact_check", "width_limit_check", "domain_configs",
    "point_of",
    # the vocabulary, re-exported so a claim file needs one import
    "Claim", "Mutant", "NumericCheck", "Context", "ContractError", "predict",
    "Statement", "Relation", "Quantity", "Domain", "Derivation", "Step", "Justification", "link", "cited",
    "COVARIANCE", "GAUSSIAN_PAIR", "k11", "k22", "k12", "c", "theta", "u", "v", "z",
]

helper_module(__file__)

GAUSSIAN_PAIR = r"$(u, v) \sim \mathcal{N}(0, [[k_{11}, k_{12}], [k_{12}, k_{22}]])$"
"""The assumption of every statement over :data:`COVARIANCE`, in words."""
_BOUND = 10.0
"""Where :func:`domain_configs` cuts an unbounded end of an interval."""


def identity(name: str, lhs, rhs, *, domain: Domain = COVARIANCE, assumptions: str | None = None) -> Statement:
    """The statement ``lhs = rhs`` (one relation called ``name``) over ``domain``.

    ``lhs`` names what is measured (a :class:`Quantity`), ``rhs`` is the closed form that
    the checks lambdify.  Over the default :data:`COVARIANCE` domain the assumption is the
    Gaussian pair; say it in words otherwise.
    """
    if assumptions is None:
        assumptions = GAUSSIAN_PAIR if domain is COVARIANCE else ""
    return Statement((Relation(name, sp.sympify(lhs), sp.sympify(rhs)),), domain, assumptions)


def claim(id: str, title: str, source: str, statement: Statement, derive: Callable[[Statement], Derivation],
          *checks: NumericCheck, mutants: Mapping[str, tuple] | tuple[Mutant, ...], relation: str | None = None,
          uses: tuple[str, ...] = ()) -> Claim:
    """A :class:`Claim`; ``mutants`` maps a name to (what was broken, the wrong right-hand side of
    ``relation``, by default the statement's only relation), or is a tuple of :class:`Mutant`.

    ``uses`` defaults to the claims the derivation links (:func:`link`), found by deriving the
    statement once."""
    if isinstance(mutants, Mapping):
        name = relation or statement.relations[0].name
        if relation is None and len(statement.relations) > 1:
            raise ContractError(f"claim {id!r}: relation: the statement has several relations; "
                                "name the one the mutants change")
        mutants = tuple(Mutant(key, text, statement.with_rhs(name, sp.sympify(rhs)))
                        for key, (text, rhs) in mutants.items())
    if not uses:
        uses = tuple(dict.fromkeys(s.uses for s in derive(statement).steps if s.uses))
    return Claim(id, title, source, statement, derive, tuple(checks), tuple(mutants), tuple(uses))


def point_of(statement: Statement, config: Mapping) -> dict:
    """The statement domain's free coordinates at ``config``, a dict keyed by the symbols' names."""
    try:
        return {s: config[s.name] for s in statement.domain.intervals}
    except KeyError as exc:
        raise ValueError(f"config={dict(config)!r}: no value for coordinate {exc.args[0]!r}; "
                         f"give {[s.name for s in statement.domain.intervals]}") from None


def domain_configs(domain: Domain, *, bound: float = _BOUND):
    """A hypothesis strategy of dicts {coordinate name: float} inside ``domain``; unbounded
    ends are cut at +-``bound``, open ends excluded."""
    def floats(iv: sp.Interval):
        lo = -bound if iv.start.is_infinite else float(iv.start)
        hi = bound if iv.end.is_infinite else float(iv.end)
        return st.floats(lo, hi, exclude_min=bool(iv.left_open), exclude_max=bool(iv.right_open))
    return st.fixed_dictionaries({s.name: floats(iv) for s, iv in domain.intervals.items()})


def _covariance_aware(h: Callable) -> Callable:
    """``h(u, v)``, or ``h(u, v, k12=..)`` for any of k11, k22, k12, c it names, as (u, v, config) -> array."""
    extra = [p for p in inspect.signature(h).parameters][2:]
    unknown = set(extra) - {"k11", "k22", "k12", "c"}
    if unknown:
        raise ValueError(f"h: parameters {sorted(unknown)} after (u, v); accepted are k11, k22, k12, c")

    def bound(x, y, config):
        k = dict(zip(("k11", "k22", "k12"), covariance(config)), c=config["c"])
        return h(x, y, **{p: k[p] for p in extra})
    return bound


def gaussian_pair_check(relation: str, h: Callable, *, scale_of, name: str | None = None,
                        description: str | None = None, lo: float = 0.05, hi: float = 20.0,
                        max_abs_c: float = 1.0, edges: tuple = COVARIANCE_EDGES) -> NumericCheck:
    """Monte Carlo of E[h(u, v)] over (u, v) ~ N(0, K) against relation ``relation``'s closed form.

    K is drawn by hypothesis (variances in [lo, hi], correlation |c| <= max_abs_c, ``edges``
    always); ``h`` takes arrays u, v and may also take k11, k22, k12 or c by name.  The
    standard error is the sample's; the sample is sized so that an effect of the budget's
    target times sqrt(E[f(u)^2] E[g(v)^2]) is detected, for ``scale_of`` = (f, g) or f for
    both (the Cauchy-Schwarz bound on E[f(u) g(v)]: name the functions whose product h is).
    """
    integrand = _covariance_aware(h)
    scales = scale_of if isinstance(scale_of, tuple) else (scale_of, scale_of)

    def measure(statement, config, ctx):
        prediction = predict(statement, relation, coordinates(config))
        return (ctx.expectation(f"E[{relation}]", lambda x, y: integrand(x, y, config), prediction,
                                covariance(config), scale_of=scales),)

    return NumericCheck(
        name or f"monte-carlo-{relation}",
        description or f"Monte Carlo of {relation} over hypothesis-drawn 2x2 covariances (variances in "
                       f"[{lo:g}, {hi:g}], |c| <= {max_abs_c:g}) against the lambdified closed form",
        lambda budget: covariances(lo=lo, hi=hi, max_abs_c=max_abs_c), measure, explicit=tuple(edges))


def exact_check(relation: str, compute: Callable[[dict], float], *, operations: float,
                condition: float | Callable[[dict], float] = 1.0, domain: Domain | None = None, configs=None, name: str | None = None,
                description: str | None = None, explicit: tuple = ()) -> NumericCheck:
    """``compute(config)`` in floating point against relation ``relation``'s closed form.

    ``config`` is a dict {coordinate name: value}, drawn from ``domain`` (:func:`domain_configs`)
    or by ``configs`` (a function of the budget returning a hypothesis strategy).  The standard
    error is the rounding model operations x condition x eps x |prediction| (Higham, Accuracy
    and Stability of Numerical Algorithms, 2002, ch. 1-3): state the number of rounded
    operations and the condition number honestly (``condition`` may be a function of the
    configuration, e.g. (cosh^2 x + sinh^2 x) / 1 for cosh^2 x - sinh^2 x = 1).
    """
    if (domain is None) == (configs is None):
        raise ValueError(f"exact_check({relation!r}): give either domain= or configs=, not "
                         f"{'both' if domain is not None else 'neither'}")

    def measure(statement, config, ctx):
        prediction = predict(statement, relation, point_of(statement, config))
        kappa = condition(config) if callable(condition) else condition
        return (ctx.exact(relation, float(compute(config)), prediction, operations=operations, condition=kappa),)

    return NumericCheck(
        name or f"floating-point-{relation}",
        description or f"{relation} computed in floating point against the closed form, within "
                       f"{operations:g} x {'its condition' if callable(condition) else f'{condition:g}'} x eps",
        configs or (lambda budget: domain_configs(domain)), measure, explicit=tuple(explicit))


def width_limit_check(relation: str, rate: str, sample: Callable, *, widths: Callable[[int], tuple],
                      seeds: Callable[[int], int], configs, name: str | None = None,
                      description: str | None = None, explicit: tuple = ()) -> NumericCheck:
    """Finite networks of growing width n against the limit X = relation ``relation``'s closed form.

    ``sample(config, width, seeds, rng)`` returns ``seeds`` independent values X_n (one per
    initialisation); ``widths(level)`` and ``seeds(level)`` scale with the budget level (0, 1,
    2).  :meth:`verify.checks.Context.width_limit` fits E[X_n] = X + b/n and z-tests X, and
    fits the fluctuation exponent and z-tests it against relation ``rate`` of the statement
    (a derived rate, so a rate mutant changes what is tested): three comparisons.
    ``configs`` is a function of the budget returning a hypothesis strategy of dicts
    {coordinate name: value}.
    """
    def measure(statement, config, ctx):
        level = ctx.budget.level
        ns = tuple(widths(level))
        values = [sample(config, n, seeds(level), ctx.rng("width", n)) for n in ns]
        prediction = predict(statement, relation, point_of(statement, config))
        return ctx.width_limit(relation, ns, values, prediction, rate=predict(statement, rate, {}))

    return NumericCheck(
        name or f"width-limit-{relation}",
        description or f"finite networks of growing width: extrapolated {relation} against the closed "
                       f"form, fluctuation exponent against {rate}",
        configs, measure, per_example=3, kind="width", explicit=tuple(explicit))

