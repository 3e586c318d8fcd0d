"""Claim modules join by entry point, --claims or NTK_VERIFY_CLAIMS; broken ones are one line, exit 2;
the contracts of a claim are checked when it is made or run."""
import json
import textwrap

import pytest
from hypothesis import strategies as st

from derivations.duals import RELU
from verify import registry
from verify.checks import run_check
from verify.claim import Claim, ContractError, Mutant, NumericCheck
from verify.budgets import get as budget
from verify.cli import main

GOOD = """
from derivations.duals import RELU, derive_relu
from verify.claim import Claim, Mutant
CLAIMS = (Claim("mine.relu", "relu again", "tests", RELU, derive_relu,
                mutants=tuple(Mutant(f"m{{i}}", "x", RELU.with_rhs("relu", i)) for i in range(3)){uses}),)
"""
BROKEN = {
    "import error": ("import no_such_module_anywhere\n", "cannot be imported"),
    "no CLAIMS": ("X = 1\n", "has no CLAIMS"),
    "non-Claim": ("CLAIMS = (1,)\n", "CLAIMS[0] is a int"),
    "duplicate id": (GOOD.format(uses="").replace("mine.relu", "dual.relu"), "'dual.relu' is already registered"),
    "unknown uses": (GOOD.format(uses=', uses=("dual.nothing",)'), "uses: unknown claim ids ['dual.nothing']"),
    "broken contract": (GOOD.format(uses="").replace("range(3)", "range(2)"), "mutants: 2 given"),
}


@pytest.fixture
def claim_modules(tmp_path, monkeypatch):
    """Write modules into a folder on sys.path; the registry forgets them afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(registry.ENVIRONMENT, "")
    registry.claims.cache_clear()

    def write(name, text):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
        return name
    yield write
    registry.claims.cache_clear()


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_claim_module_is_one_line_and_exit_2(case, claim_modules, capsys):
    text, problem = BROKEN[case]
    name = claim_modules(f"broken_{case.replace(' ', '_').replace('-', '_')}", text)
    assert main(["list", "--claims", name]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"claim module {name!r}" in err and problem in err


def test_claims_option_adds_modules_comma_separated(claim_modules, capsys):
    first = claim_modules("mine_a", GOOD.format(uses=""))
    second = claim_modules("mine_b", GOOD.format(uses=', uses=("mine.relu",)').replace("mine.relu\"", "mine.b\"", 1))
    assert main(["list", "--claims", f"{first},{second}"]) == 0
    ids = capsys.readouterr().out.split()
    assert "mine.relu" in ids and "mine.b" in ids and registry.modules()[-2:] == [first, second]


def test_entry_point_group_registers_an_installed_package(claim_modules, tmp_path):
    name = claim_modules("installed_claims", GOOD.format(uses=""))
    info = tmp_path / "installed_claims-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: installed-claims\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{registry.ENTRY_POINTS}]\nmine = {name}\n")
    assert name in registry.modules() and "mine.relu" in registry.claims()


def test_list_json_says_where_each_part_is_defined(capsys):
    assert main(["list", "--json"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out) if r["id"] == "dual.relu")
    where = row["defined"]
    assert where["statement"].startswith("derivations.duals:") and where["derivation"].startswith("derivations.duals:")
    assert set(where["checks"]) == set(row["checks"]) and set(where["mutants"]) == set(row["mutants"])
    import derivations.duals
    import inspect
    line = int(where["statement"].rsplit(":", 1)[1])
    assert inspect.getsource(derivations.duals).splitlines()[line - 1].startswith("RELU =")


def _mutants(n, names=None):
    return tuple(Mutant(name, "x", RELU.with_rhs("relu", i)) for i, name in enumerate(names or range(n)))


@pytest.mark.parametrize("kwargs,field", [
    ({"mutants": _mutants(2, ["a", "b"])}, "mutants: 2 given"),
    ({"mutants": _mutants(3, ["a", "a", "b"])}, "mutants: names"),
    ({"mutants": _mutants(3, ["a", "b", "c"]), "uses": "dual.relu"}, "uses:"),
    ({"mutants": _mutants(3, ["a", "b", "c"]), "checks": (1,)}, "checks:"),
])
def test_a_claim_breaking_a_contract_names_the_claim_and_the_field(kwargs, field):
    with pytest.raises(ContractError, match=f"claim 'mine.bad': {field}"):
        Claim("mine.bad", "t", "s", RELU, lambda s: None, **kwargs)


def test_a_check_returning_more_comparisons_than_declared_is_a_contract_error():
    def measure(statement, config, ctx):
        return (ctx.exact("a", 1.0, 1.0), ctx.exact("b", 1.0, 1.0))
    check = NumericCheck("two", "two comparisons", lambda b: st.just(0), measure, per_example=1)
    with pytest.raises(ContractError, match="claim 'mine.x', check 'two': per_example: declared 1"):
        run_check(check, RELU, budget=budget("quick"), threshold=4.0, run_seed=0, claim_id="mine.x", shrink=False)
