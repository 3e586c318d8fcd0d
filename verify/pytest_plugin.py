"""A pytest plugin: claims as test items, one per claim and one per mutant.

Where the items are collected:

* in a test module that declares ``claims = claims_here()``: as its children
  (``tests/test_claims.py::ntk-verify::dual.relu``,
  ``tests/test_claims.py::ntk-verify::dual.relu[mutant:over-pi]``), so they run whenever that
  module is collected (the whole suite, its folder, the file, a node id, ``-k``) and never when another
  file is run alone.  The declaration is the opt-in; ``--ntk-verify`` is not needed;
* with ``pytest --ntk-verify`` (or ``ntk_verify = true`` in the ini file), and no collected module
  declaring them: at the session (``ntk-verify::example.relu_ntk``), on every run.

Nothing is collected otherwise, so installing ntk-verify changes no test suite.  Collected are the
claims of your modules (``--ntk-verify-claims MODULE``, repeatable or comma-separated, the
ini option ``ntk_verify_claims``, the ``ntk_verify.claims`` entry points of installed
packages, the environment variable ``NTK_VERIFY_CLAIMS``) and, with ``--ntk-verify-builtin``
(ini ``ntk_verify_builtin``), the built-in ones.  A claim's item passes when the claim is
verified and fails with its verdict and the evidence: the refuted step (with the counterexample)
or the comparison furthest from its prediction (estimate, prediction, SE, z and the threshold).
A mutant's item passes when some layer (derivation or numeric checks) refutes the mutant; the
layers that did are its ``refuted_by`` user property (in ``--junitxml`` reports).

``--ntk-verify-seed`` and ``--ntk-verify-budget`` (default quick) fix the run;
``--ntk-verify-alpha`` is the false-alarm rate of the collected claims together (the
Bonferroni threshold counts every comparison their checks may make, as the command line does).
Each claim and each mutant is evaluated at most once per session: :func:`result` returns the
record an item made (evaluating it first if no item did), so a project's own tests can judge more
of it (e.g. how many mutants the numeric checks alone refute) without running anything again.
After collection one line states the run (budget, seed, alpha, z*) and how many claims and
mutants are selected.  Registered through the ``pytest11`` entry point; nothing heavy is
imported unless asked.
"""
from __future__ import annotations

import pytest

__all__ = ["ClaimItem", "ClaimError", "claims_here", "result"]

_GROUP = "ntk-verify"
_PLAN = pytest.StashKey[tuple]()
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup(_GROUP, "ntk-verify: claims as test items")
    group.addoption("--ntk-verify", action="store_true", default=None,
                    help="collect claims as test items (ini: ntk_verify = true)")
    group.addoption("--ntk-verify-claims", action="append", default=[], metavar="MODULE",
                    help="a claim module (with a CLAIMS tuple) to collect; repeat or separate by commas")
    group.addoption("--ntk-verify-builtin", action="store_true", default=None,
                    help="also collect the built-in claims (ini: ntk_verify_builtin = true)")
    group.addoption("--ntk-verify-seed", type=int, default=None, metavar="SEED",
                    help="the run seed (default: ini ntk_verify_seed, else 0)")
    group.addoption("--ntk-verify-budget", default=None, metavar="BUDGET",
                    help="quick, standard or thorough (default: ini ntk_verify_budget, else quick)")
    group.addoption("--ntk-verify-alpha", type=float, default=None, metavar="ALPHA",
                    help="family-wise false-alarm rate of the collected claims (default 1e-3)")
    parser.addini("ntk_verify", "collect claims as test items", type="bool", default=False)
    parser.addini("ntk_verify_claims", "claim modules to collect", type="args", default=[])
    parser.addini("ntk_verify_builtin", "also collect the built-in claims", type="bool", default=False)
    parser.addini("ntk_verify_seed", "the run seed", default="0")
    parser.addini("ntk_verify_budget", "the run budget", default="quick")
    parser.addini("ntk_verify_alpha", "the family-wise false-alarm rate", default="1e-3")


def _setting(config, name: str):
    option = config.getoption(name)
    return config.getini(name) if option is None else option


class ClaimError(Exception):
    """A claim not verified, or a mutant not refuted; the message is the evidence."""


class ClaimItem(pytest.Item):
    """One claim (``mutant`` None) or one of its mutants, run as :func:`verify.runner.evaluate` runs it."""

    def __init__(self, *, claim_id: str, mutant: str | None, **kwargs):
        super().__init__(**kwargs)
        self.claim_id, self.mutant = claim_id, mutant

    def runtest(self):
        found = result(self.config, self.claim_id, self.mutant)
        if self.mutant:
            self.user_properties.append(("refuted_by", " ".join(found.refuted_by)))
        evidence = _mutant_evidence(found) if self.mutant else _claim_evidence(found)
        if evidence:
            raise ClaimError(evidence)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        what = f"mutant {self.mutant} of claim" if self.mutant else "claim"
        return self.path, None, f"{what} {self.claim_id}"


def result(config, claim_id: str, mutant: str | None = None):
    """The ClaimResult of ``claim_id`` (or the MutantResult of its ``mutant``) in this session's run
    (seed, budget, threshold of the collected claims), evaluated at most once per session."""
    from . import registry, runner
    done = config.stash.setdefault(_RESULTS, {})
    if (claim_id, mutant) not in done:
        done[claim_id, mutant] = runner.evaluate(registry.get(claim_id), mutant, **_plan(config)[1])
    return done[claim_id, mutant]


def _claim_evidence(result) -> str:
    """"" when verified, else the verdict and what refuted it or left it short."""
    from .results import VERIFIED
    if result.status == VERIFIED:
        return ""
    lines = [f"{result.id}: {result.verdict}"]
    if result.error:
        lines.append(f"  error: {result.error}")
    for step in result.steps:
        if step.status not in ("proved", "checked-numerically", "cited"):
            lines.append(f"  step {step.status}: {step.text}\n    {step.lhs}  {step.op}  {step.rhs}"
                         + (f"\n    at {dict(step.counterexample)}" if step.counterexample else ""))
    for check in result.checks:
        if check.status != "consistent" and check.comparisons:
            worst = max(check.comparisons, key=lambda c: abs(c.test.z))
            t = worst.test
            lines.append(f"  check {check.name} {check.status}: {worst.label} at {dict(worst.config)}\n"
                         f"    estimate {t.estimate:.6g} vs prediction {t.prediction:.6g}, SE {t.se:.3g}, "
                         f"z {t.z:.2f} (threshold {t.threshold:.2f}), MDE {t.mde:.3g} of target {t.target:.3g}"
                         + (f"\n    counterexample {check.counterexample}" if check.counterexample else ""))
        elif check.status != "consistent":
            lines.append(f"  check {check.name} {check.status}: no comparison made")
    return "\n".join(lines)


def _mutant_evidence(result) -> str:
    from .results import REFUTED
    if result.status == REFUTED:
        return ""
    return (f"mutant {result.name} ({result.description}): {result.status}"
            + (f"; error: {result.error}" if result.error else ": neither the derivation nor the checks refute it"))


class _Claims(pytest.Collector):
    """The collected claims, each followed by its mutants."""

    def collect(self):
        for claim in _plan(self.config)[0]:
            yield ClaimItem.from_parent(self, name=claim.id, claim_id=claim.id, mutant=None)
            for mutant in claim.mutants:
                yield ClaimItem.from_parent(self, name=f"{claim.id}[mutant:{mutant.name}]",
                                            claim_id=claim.id, mutant=mutant.name)


class _Here:
    """What :func:`claims_here` returns: a place, in a test module, for the claim items."""


def claims_here() -> _Here:
    """Declared in a test module (``claims = claims_here()``), collects the claims there: one item
    per claim and per mutant, children of that module, run whenever it is collected."""
    return _Here()


def _plan(config):
    """The claims to collect and how to run them (computed once per session), or a pytest usage
    error saying what is wrong."""
    if _PLAN in config.stash:
        return config.stash[_PLAN]
    from numeric.stats import critical_z
    from . import budgets, registry, runner
    builtin = f"{registry.__package__}.claims."
    try:
        registry.add_modules(list(config.getoption("ntk_verify_claims")) + list(config.getini("ntk_verify_claims")))
        everything = list(registry.claims().values())
        budget = budgets.get(_setting(config, "ntk_verify_budget"))
        seed, alpha = int(_setting(config, "ntk_verify_seed")), float(_setting(config, "ntk_verify_alpha"))
    except (registry.ClaimModuleError, ValueError) as exc:
        raise pytest.UsageError(f"ntk-verify: {exc}") from None
    if _setting(config, "ntk_verify_builtin"):
        chosen = everything
    else:
        chosen = [c for c in everything if not c.defined_at.startswith(builtin)]
    threshold = critical_z(alpha, max(1, runner.comparisons(chosen, budget)))
    config.stash[_PLAN] = chosen, {"budget": budget.name, "seed": seed, "threshold": threshold}
    return config.stash[_PLAN]


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    if isinstance(obj, _Here):
        return _Claims.from_parent(collector, name=_GROUP)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    if not _setting(config, "ntk_verify") or any(isinstance(item, ClaimItem) for item in items):
        return
    items.extend(_Claims.from_parent(session, name=_GROUP, nodeid=_GROUP).collect())


def pytest_report_collectionfinish(config, items):
    selected = [item for item in items if isinstance(item, ClaimItem)]
    if not selected:
        return None
    run = _plan(config)[1]
    mutants = sum(item.mutant is not None for item in selected)
    return (f"ntk-verify: budget {run['budget']}, seed {run['seed']}, alpha {_setting(config, 'ntk_verify_alpha')}, "
            f"z* {run['threshold']:.2f}; {len(selected) - mutants} claims and {mutants} mutants selected")
