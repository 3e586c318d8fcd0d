"""The verdict ladder: proved only when SymPy reduces to zero, never by numbers alone."""
import pytest
import sympy as sp

from derivations.core import Domain, Justification, Quantity, Statement, Relation, Step
from derivations.engine import StepStatus, check_step, worst

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", positive=True)
UNIT = Domain({x: sp.Interval(-1, 1)})
PLANE = Domain({x: sp.Interval(-sp.oo, sp.oo), y: sp.Interval.open(0, sp.oo)})


def test_a_true_identity_is_proved():
    out = check_step(Step("expand", (x + 1) ** 2, x**2 + 2 * x + 1), UNIT)
    assert out.status is StepStatus.PROVED


def test_a_false_identity_is_refuted_with_a_counterexample_in_the_domain():
    out = check_step(Step("wrong", sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Rational(101, 100)), UNIT)
    assert out.status is StepStatus.REFUTED
    (name, value), = out.counterexample
    assert name == "x" and -1 <= float(value) <= 1


def test_an_identity_simplify_cannot_close_is_only_checked_numerically():
    """acos(-x) + acos(x) = pi on [-1, 1]: simplify leaves it; the numbers agree."""
    step = Step("acos", sp.acos(-x) + sp.acos(x), sp.pi)
    assert sp.simplify(step.lhs - step.rhs) != 0
    out = check_step(step, UNIT)
    assert out.status is StepStatus.CHECKED_NUMERICALLY
    assert "12 points" in out.method


def test_numeric_only_steps_are_never_proved():
    out = check_step(Step("n", x + x, 2 * x, Justification.NUMERIC_ONLY), UNIT)
    assert out.status is StepStatus.CHECKED_NUMERICALLY


def test_a_1e_minus_20_change_is_not_called_equal():
    out = check_step(Step("tiny", sp.exp(x), sp.exp(x) * (1 + sp.Rational(1, 10**20)),
                          Justification.NUMERIC_ONLY), UNIT)
    assert out.status is not StepStatus.CHECKED_NUMERICALLY


def test_the_domain_is_respected_where_the_identity_fails_outside_it():
    """sqrt(y^2) = y holds for y > 0 only; the engine must not sample y < 0."""
    out = check_step(Step("root", sp.sqrt(y**2), y), PLANE)
    assert out.status is StepStatus.PROVED
    z = sp.Symbol("z", real=True)
    out = check_step(Step("root", sp.sqrt(z**2), z, Justification.NUMERIC_ONLY),
                     Domain({z: sp.Interval(-2, -1)}))
    assert out.status is StepStatus.REFUTED


def test_inequalities_are_decided_or_refuted():
    assert check_step(Step("sq", -x**2, 0, op="<="), UNIT).status is StepStatus.PROVED
    assert check_step(Step("sq", x**2 - sp.Rational(1, 2), 0, op="<="), UNIT).status is StepStatus.REFUTED


def test_matrix_steps_are_checked_entry_by_entry():
    m = sp.Matrix([[x, 1], [0, x]])
    assert check_step(Step("m", m * m, sp.Matrix([[x**2, 2 * x], [0, x**2]])), UNIT).status is StepStatus.PROVED
    assert check_step(Step("m", m * m, sp.Matrix([[x**2, x], [0, x**2]])), UNIT).status is StepStatus.REFUTED


def test_a_step_that_cannot_be_evaluated_is_unsupported():
    out = check_step(Step("complex", sp.sqrt(-1 - x**2), 0, Justification.NUMERIC_ONLY), UNIT)
    assert out.status is StepStatus.UNSUPPORTED


def test_derived_symbols_keep_edges_exact():
    c, k = sp.Symbol("c", real=True), sp.Symbol("k", real=True)
    domain = Domain({c: sp.Interval(-1, 1)}, derived={k: c})
    out = check_step(Step("edge", sp.sqrt(1 - k**2) * 0, 0, Justification.NUMERIC_ONLY), domain)
    assert out.status is StepStatus.CHECKED_NUMERICALLY


def test_worst_orders_verdicts():
    assert worst([StepStatus.PROVED, StepStatus.CHECKED_NUMERICALLY]) is StepStatus.CHECKED_NUMERICALLY
    assert worst([StepStatus.PROVED, StepStatus.REFUTED, StepStatus.UNSUPPORTED]) is StepStatus.REFUTED
    assert worst([]) is None


def test_statement_mutation_and_lookup():
    q = Quantity("Q", r"\mathcal{Q}")
    stmt = Statement((Relation("a", q, x),), UNIT)
    assert stmt.rhs == x and stmt.with_rhs("a", 2 * x)["a"].rhs == 2 * x
    assert sp.latex(q) == r"\mathcal{Q}"


def test_a_singular_edge_is_not_a_counterexample():
    """Both sides are infinite at x = +-1; evaluating there must not 'disagree'."""
    step = Step("edge", 1 / sp.sqrt(1 - x**2), 1 / sp.sqrt((1 - x) * (1 + x)), Justification.NUMERIC_ONLY)
    out = check_step(step, UNIT)
    assert out.status is StepStatus.CHECKED_NUMERICALLY and "10 points" in out.method


def test_a_step_samples_only_its_own_symbols_and_their_sources():
    a, b, k, unused = sp.symbols("a b k unused", real=True)
    domain = Domain({a: sp.Interval(0, 1), b: sp.Interval(0, 1), unused: sp.Interval(0, 1)},
                    derived={k: 2 * a})
    cut = domain.restricted((k + b).free_symbols)
    assert set(cut.intervals) == {a, b} and set(cut.derived) == {k}


def test_a_cited_step_is_never_proved_but_can_be_refuted():
    from derivations.core import cited
    true = check_step(cited("clt", (x + 1) ** 2, x**2 + 2 * x + 1, "Feller 1968"), UNIT)
    assert true.status is StepStatus.CITED and "Feller 1968" in true.method
    false = check_step(cited("clt", (x + 1) ** 2, x**2 + 3 * x + 1, "Feller 1968"), UNIT)
    assert false.status is StepStatus.REFUTED


def test_a_cited_or_linked_step_must_say_what_it_rests_on():
    with pytest.raises(ValueError, match="cite"):
        Step("no reference", x, x, Justification.CITED)
    with pytest.raises(ValueError, match="cite"):
        Step("reference without citing", x, x, cite="Feller 1968")
    with pytest.raises(ValueError, match="linked"):
        Step("no statement", x, x, Justification.USES_CLAIM, uses="dual.relu")
