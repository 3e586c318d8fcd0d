"""The LaTeX document: escaping, equation breaking, figures, atomic writing, and real builds.

The full build (every registered claim at the quick budget, through the CLI) runs once
per session; it compiles with pdflatex, which CI must have: the compile is skipped
only when pdflatex is missing and ``CI`` is not set.
"""
import json
import math
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp

from numeric.stats import z_test
from verify import budgets, figdata, registry
from verify.checks import Context
from verify.claim import NumericCheck
from verify.cli import main
from verify.report import figures, latex, texprint
from verify.results import CheckResult, ClaimResult, Comparison, MutantResult, RunResult, StepResult

HAVE_TEX = shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(not HAVE_TEX and not os.environ.get("CI"),
                               reason="pdflatex is not installed (CI installs TeX Live)")
OVERFULL_PT = 1.0
NASTY = r"50% of a_b & c #1 {x} ~y^2 \path <a|b> $5 100$ costs"


def _overfull(log: str) -> list[float]:
    return [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def _pdf_text(path) -> str:
    """The PDF's text without whitespace (table cells and line breaks split words)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


# --- printing ---------------------------------------------------------------------

def test_escape_makes_every_special_character_literal():
    assert texprint.escape("a_b%&#{}$") == r"a\_b\%\&\#\{\}\$"
    assert texprint.escape("^~\\<>|") == (r"\textasciicircum{}\textasciitilde{}\textbackslash{}"
                                         r"\textless{}\textgreater{}\textbar{}")
    assert texprint.escape("Θ ≤ κ²") == r"\ensuremath{\Theta} \ensuremath{\le} \ensuremath{\kappa}\ensuremath{^{2}}"
    assert texprint.escape("line\nbreak\ttab") == "line break tab"
    assert texprint.escape("\u2135") == "[U+2135]"
    assert texprint.escape("K\u0302 or \u0398\u0302") == r"\ensuremath{\hat{K}} or \ensuremath{\hat{\Theta}}"
    assert texprint.math("\u0398\u0302_1") == r"\hat{\Theta}_1"


def test_text_keeps_balanced_inline_math_and_escapes_the_rest():
    assert texprint.text(r"at $k_{12} = 0$ 50% & $\theta$") == r"at $k_{12} = 0$ 50\% \& $\theta$"
    assert texprint.text("a lone $ sign") == r"a lone \$ sign"
    assert texprint.text(r"$\frac{a}{$ b") == r"\$\textbackslash{}frac\{a\}\{\$ b"
    assert texprint.text(r"costs \$5") == r"costs \$5"


def test_identifiers_use_the_typewriter_underscore_and_may_break():
    assert texprint.identifier("kernel.ntk_x") == r"\texttt{kernel.\allowbreak{}ntk\idus{}\allowbreak{}x}"


def test_unbalanced_math_is_set_as_text():
    assert texprint.math(r"\frac{a}{b") == r"\text{\textbackslash{}frac\{a\}\{b}"
    assert texprint.math("Θ_1") == r"\Theta _1"
    assert texprint.math(r"(\cdot)^2'\,x^{ab}''") == r"(\cdot)^{2\prime}\,x^{ab\prime\prime}"


def test_terms_split_only_at_top_level_binary_signs():
    latex = r"- a + \frac{b + c}{d} - \left(x - y\right) \cdot -z + \begin{matrix}1 & -2\end{matrix}"
    pieces = texprint.terms(latex)
    assert pieces == [r"- a", r"+ \frac{b + c}{d}", r"- \left(x - y\right) \cdot -z",
                      r"+ \begin{matrix}1 & -2\end{matrix}"]
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", latex)


def test_long_equations_are_broken_into_lines_that_fit():
    x = sp.symbols("x_1:40")
    rhs = sp.latex(sum(sp.sin(s) * s**2 for s in x))
    lines = texprint.equation("f(x)", "<=", rhs)
    assert lines[0] == "f(x)" and lines[1].startswith(r"\quad \le") and len(lines) > 5
    assert all(texprint.width(line) <= texprint.LINE_UNITS + 4 for line in lines)
    assert texprint.display("f(x)", "<=", rhs).count(r"\mathline{") == len(lines)
    assert texprint.equation("a", "=", "b") == ["a = b"]
    assert texprint.display("a", "=", "b") == r"\fitmath{a = b}"
    with pytest.raises(ValueError, match="op"):
        texprint.equation("a", "!=", "b")


def test_a_long_parenthesised_product_is_opened_with_balanced_lines():
    x = sp.symbols("x_1:30")
    lines = texprint.equation("f", "=", sp.latex(sp.Symbol("n") * sp.Add(*[sp.sin(s) * s**2 for s in x]) ** 2))
    assert len(lines) > 3
    for line in lines:
        assert line.count(r"\left") == line.count(r"\right") and texprint.width(line) <= texprint.LINE_UNITS + 4
    assert lines[1].startswith(r"\quad = n \left(") and lines[-1].endswith(r"\right)^{2}")


def test_width_counts_a_fraction_as_its_wider_part():
    assert texprint.width(r"\frac{abcdef}{x}") < texprint.width("abcdef") + 1
    assert texprint.width(r"\begin{matrix}a & b\\ c & d\end{matrix}") > texprint.width("ab")


@pytest.mark.parametrize("value,shown", [
    (0.5, "$0.5000$"), (-1.23456e-7, r"$-1.235\times 10^{-7}$"), (123456.0, r"$1.235\times 10^{5}$"),
    (0.0, "$0$"), (math.nan, "--"), (math.inf, r"$\infty$"), (None, "--"), (9.99996e5, r"$1.000\times 10^{6}$"),
])
def test_numbers(value, shown):
    assert texprint.number(value) == shown


def test_estimate_and_error_share_their_last_digit():
    assert texprint.with_error(0.50175, 0.0035356) == r"$0.5018 \pm 0.0035$"
    assert texprint.percent(0.037) == r"3.7\%" and texprint.percent(None) == "--"


def test_family_titles_come_from_the_id_prefix_with_a_fallback():
    registry.claims()  # the claim modules declare their families
    assert latex.family_of("dual.relu") == "Dual activations"
    assert latex.family_of("lazy.kappa_alpha") == "Lazy training"
    assert latex.family_of("new_family.x") == "Claims new_family"


# --- a hand-made run with every kind of content -----------------------------------

def _ztest(estimate, se, prediction, status="consistent", kind="equal"):
    test = z_test(estimate, se, prediction, threshold=4.0, target=0.05)
    return test if status is None else test.__class__(**{**test.__dict__, "status": status, "kind": kind})


def _width_limit_data():
    check = NumericCheck("w", "w", lambda b: None, lambda *a: ())
    ctx = Context(budgets.get("quick"), 4.0, 0, "made.up", check, {"depth": 2})
    rng = np.random.default_rng(1)
    widths = [64, 128, 256, 512]
    values = [1.0 + 0.5 / n + rng.normal(0, n ** -0.5, 40) for n in widths]
    comparisons = ctx.width_limit("ntk_diag_% & #", widths, values, 1.0, rate=-0.5)
    return ctx.data, comparisons


def nasty_run() -> RunResult:
    long_rhs = sp.latex(sum(sp.exp(-s) * sp.sqrt(s + 1) / (s + 2) for s in sp.symbols("k_1:25")))
    matrix = sp.latex(sp.Matrix(3, 12, lambda i, j: sp.Symbol(f"a_{i}{j}") ** 2 + i - j))
    data, limit = _width_limit_data()
    data["circle"] = figdata.series("$\\Theta(x_0, x(\\gamma))$ on the circle", "$\\gamma$", "NTK", [
        figdata.curve("limit", np.linspace(0, 6.3, 50), np.cos(np.linspace(0, 6.3, 50))),
        figdata.curve("n=100 {init}", [0, 1, 2], [1.0, 0.5, -0.4], yerr=[0.1, 0.1, 0.1], style="points"),
    ])
    data["bad_mathtext"] = figdata.series("cost $ of \\undefined{$x$", "a_b", "c%", [
        figdata.curve("$\\notacommand$", [1, 10, 100], [1, 0.1, 0.01])], logx=True, logy=True)
    data["outputs"] = figdata.histogram("outputs at init, 50% & #", "f(x)", [
        figdata.bars("width 64", np.linspace(-3, 3, 21), np.arange(20) % 7)],
        [figdata.curve("N(0, 1)", np.linspace(-3, 3, 50), np.exp(-np.linspace(-3, 3, 50) ** 2 / 2) / 2.5066)])
    data["unknown"] = {"figure": "radar", "title": "no such kind"}
    data["plain"] = {"numbers": [1, 2, 3]}
    steps = (
        StepResult(r"Differentiate $f_{\theta}$ " + NASTY, "differentiate", "=", r"\frac{d}{dx} f", long_rhs,
                   "proved", "SymPy: cancel"),
        StepResult("Matrix form, 100% & #", "algebra", "<=", matrix, matrix, "checked-numerically",
                   "mpmath at 12 points"),
        StepResult("Wrong on purpose", "uses-claim", ">", "a_{1}", "b", "refuted", "mpmath at 12 points",
                   uses="first_claim.x_y", counterexample=(("k_12", "0.5"), ("c%", "-1"))),
        StepResult("Undecided", "numeric-only", "<", r"\Theta^{\ell}", r"\infty", "unsupported", "none"),
    )
    checks = (
        CheckResult("width_limit & more", "Width limit of " + NASTY, "refuted", limit + (
            Comparison("nonzero_slope", (("widths", (64, 128)), ("note", NASTY)),
                       _ztest(-0.5, 0.05, 0.0, kind="nonzero"), 400),
            Comparison("E[relu relu]", (("k11", 0.5), ("c", -1.0)), _ztest(0.51, 1e-3, 0.5, "refuted"), 20000),
        ), 3, counterexample="{'k_11': 0.5, 'c': '50%'}", data=data),
        CheckResult("empty_check", "no comparisons", "inconclusive", (), 0),
    )
    mutants = (
        MutantResult("factor_2", r"$2\times$ the " + NASTY, "refuted", ("derivation", "numeric"), 0.1),
        MutantResult("sign_%", "sign flipped", "survived", (), 0.2),
        MutantResult("crash#", "crashes", "error", (), 0.0, error="ValueError: " + NASTY),
    )
    first = ClaimResult(
        "first_claim.x_y", "A title with " + NASTY, "jacot2018 & Jacot_2018 " + NASTY, "refuted", 1.5,
        (("rel_1", r"\mathbb{E}[\mathbb{1}_{>0}(u)]", long_rhs), ("rel_2", r"\Sigma^{L}", r"\frac{1}{2}"),
         ("rel'", r"\mathbb{E}[(\cdot)^2'(u)]", "Θ ≤ κ²")),
        r"$\sigma$ of polynomial growth " + NASTY, r"k_{11} > 0,\ |c| \le 1", "Therefore " + NASTY,
        ("second.claim_%",), steps, checks, mutants, (("second.claim_%", "not run"),),
        error="RuntimeError: " + NASTY)
    second = ClaimResult("second.claim_%", "Plain", "eai2023", "verified", 0.1,
                         (("only", "x", "y"),), "", "a \\in $[0, 1]$", "", ("first_claim.x_y",),
                         steps[:1], (), (), (("first_claim.x_y", "refuted"),))
    return RunResult(7, "quick", 1e-3, 4.0, 12, True, {"python": "3.x_y", "numpy": "2 & more"},
                     (first, second), 3.25)


def test_every_figure_kind_is_drawn_and_unknown_kinds_are_reported(tmp_path):
    run = nasty_run()
    drawn, graph = latex.draw_figures(run, str(tmp_path / "f"), "f")
    found = drawn[(0, 0)]
    kinds = {f.spec["figure"]: f for f in found}
    assert set(kinds) == {"width_limit", "series", "histogram", "radar"} and len(found) == 5
    assert kinds["radar"].path is None and "radar" in kinds["radar"].problem
    for figure in found:
        if figure.path:
            assert (tmp_path / figure.path).read_bytes().startswith(b"%PDF")
    assert graph == "f/dependencies.pdf" and (tmp_path / graph).exists()


def test_one_drawing_serves_the_document_and_the_page(tmp_path, monkeypatch):
    from verify.report import common, html
    calls = []
    render = figures.render
    monkeypatch.setattr(figures, "render", lambda spec, *paths: calls.append(paths) or render(spec, *paths))
    drawing = common.Drawing(jobs=1)
    reporters = [latex.LatexReporter(str(tmp_path / "tex"), drawing=drawing),
                 html.HtmlReporter(str(tmp_path / "site"), drawing=drawing)]
    run = nasty_run()
    for reporter in reporters:
        reporter.stop(run)
    assert len(calls) == 5 and all(sorted(p[-3:] for p in paths) == ["pdf", "svg"] for paths in calls)
    assert len(list((tmp_path / "tex" / latex.FIGURES).glob("fig*.pdf"))) == 4
    assert len(list((tmp_path / "site" / html.FIGURES).glob("*.svg"))) == 4


def test_figures_drawn_in_worker_processes_are_the_same_files(tmp_path):
    from verify.report import common
    run = nasty_run()
    for jobs in (1, 2):
        common.draw(run, str(tmp_path / str(jobs)), "f", "svg", common.Drawing(jobs=jobs))
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert len(names) == 4 and names == sorted(p.name for p in (tmp_path / "2").iterdir())
    assert all((tmp_path / "1" / n).read_bytes() == (tmp_path / "2" / n).read_bytes() for n in names)
    with pytest.raises(ValueError, match="jobs=0"):
        common.Drawing(jobs=0)


def test_the_body_grows_with_claims_not_with_comparisons():
    run = nasty_run()
    first = run.claims[0]
    check = first.checks[0]
    many = check.__class__(**{**check.__dict__, "comparisons": check.comparisons * 50})
    crowded = run.__class__(**{**run.__dict__, "claims": (
        first.__class__(**{**first.__dict__, "checks": (many,) + first.checks[1:]}),) + run.claims[1:]})

    def body(tex):  # the counts of comparisons aside
        return re.sub(r"\d+ comparisons", "", tex[tex.index(r"\begin{document}"):tex.index(r"\appendix")])

    assert body(latex.document(crowded)) == body(latex.document(run))


def test_a_degenerate_width_limit_is_still_drawn(tmp_path):
    spec = dict(next(iter(_width_limit_data()[0].values())))
    spec.update(std=[0.0, 0.1, 0.0, 0.0], seeds=[40, 40, 1, 40])
    figures.render(spec, str(tmp_path / "w.pdf"))
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")


def test_figure_files_do_not_depend_on_when_they_are_drawn(tmp_path):
    spec = _width_limit_data()[0]
    (label,) = spec
    paths = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for path in paths:
        figures.render(spec[label], str(path))
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_the_document_shows_everything_escaped(tmp_path):
    run = nasty_run()
    tex = latex.document(run)
    for claim in run.claims:
        assert texprint.identifier(claim.id) in tex
    assert texprint.text(NASTY) in tex and NASTY not in tex
    assert tex.count(r"\alarm{bad}") >= 4
    assert "Not verified:" in tex and "survived" in tex and "Claims first\\_claim" in tex


# --- writing ----------------------------------------------------------------------

def test_the_directory_is_created_or_refused_clearly(tmp_path):
    target = tmp_path / "new" / "dir"
    latex.LatexReporter(str(target))
    assert target.is_dir()
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    for bad, reason in ((afile, "is a file"), (afile / "below", "cannot write")):
        with pytest.raises(ValueError, match=re.escape(f"--latex {str(bad)!r}") + ".*" + reason):
            latex.LatexReporter(str(bad))


def test_a_bad_latex_directory_is_a_one_line_usage_error(tmp_path, capsys):
    afile = tmp_path / "f"
    afile.write_text("")
    assert main(["run", "dual.step", "--budget", "quick", "--latex", str(afile)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--latex" in err[0] and str(afile) in err[0]


def test_without_tex_pdf_says_so_in_one_line_and_writes_the_tex(tmp_path, capsys):
    (tmp_path / "derivations.pdf").write_text("stale")
    reporter = latex.LatexReporter(str(tmp_path), pdf=True, engine="no-such-pdflatex")
    reporter.stop(nasty_run())
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "radar" in err[0] and "no-such-pdflatex not found" in err[1]
    assert (tmp_path / "derivations.tex").exists() and not (tmp_path / "derivations.pdf").exists()
    assert len(list((tmp_path / latex.FIGURES).glob("*.pdf"))) == 5
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_nothing_is_written_half_way(tmp_path, monkeypatch):
    (tmp_path / "derivations.tex").write_text("old")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(latex, "document", broken)
    with pytest.raises(RuntimeError):
        latex.LatexReporter(str(tmp_path)).stop(nasty_run())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["derivations.tex"]
    assert (tmp_path / "derivations.tex").read_text() == "old"


@needs_tex
def test_a_tex_error_is_reported_and_still_leaves_a_pdf(tmp_path):
    (tmp_path / latex.TEX).write_text("\\documentclass{article}\\begin{document}x $\\nosuchmacro$\\end{document}\n")
    compiled = latex.compile_pdf(str(tmp_path))
    assert "Undefined control sequence" in compiled.error and compiled.pages == 1 and compiled.passes == 1


@needs_tex
def test_the_nasty_run_compiles_without_errors_or_overfull_lines(tmp_path, capsys):
    latex.LatexReporter(str(tmp_path), pdf=True).stop(nasty_run())
    log = (tmp_path / "derivations.log").read_text(errors="replace")
    assert not re.search(r"^(! |.*:\d+: )", log, flags=re.M), log[-3000:]
    assert max(_overfull(log), default=0) <= OVERFULL_PT
    assert "2 pdflatex passes" in capsys.readouterr().out
    body = _pdf_text(tmp_path / "derivations.pdf")
    assert "first_claim.x_y" in body and "second.claim_%" in body


# --- the real document: every registered claim at the quick budget -----------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("document")
    code = main(["all", "--budget", "quick", "--latex", str(out), "--json", str(out / "run.json")]
                + (["--pdf"] if HAVE_TEX else []))
    return out, code, json.loads((out / "run.json").read_text())


def test_the_document_has_every_claim_and_every_figure(built):
    out, code, run = built
    assert code in (0, 1)
    tex = (out / "derivations.tex").read_text()
    for claim in run["claims"]:
        assert texprint.identifier(claim["id"]) in tex, claim["id"]
    included = re.findall(r"\\includegraphics\[[^]]*\]\{([^}]*)\}", tex)
    assert all((out / path).is_file() for path in included)
    recorded = sum(1 for c in run["claims"] for k in c["checks"] for v in k["data"].values()
                   if isinstance(v, dict) and v.get("figure") in figures.KINDS)
    ran = {c["id"] for c in run["claims"]}
    graph = any(set(c["uses"]) & ran for c in run["claims"])
    assert len(included) == recorded + graph


@needs_tex
def test_the_pdf_compiles_cleanly_and_shows_every_claim(built):
    out, _, run = built
    log = (out / "derivations.log").read_text(errors="replace")
    assert not re.search(r"^(! |.*:\d+: )", log, flags=re.M), log[-3000:]
    assert max(_overfull(log), default=0) <= OVERFULL_PT, [x for x in _overfull(log) if x > OVERFULL_PT]
    body = _pdf_text(out / "derivations.pdf")
    for claim in run["claims"]:
        assert claim["id"] in body, claim["id"]


# --- no Python reprs or ASCII mathematics in what the reader sees -------------------

_ASCII_MATH = re.compile(r"\b(?:Sigma|Theta|kappa|lambda|sigma|alpha|eta)_|_hat\b|\|\||\bE\[|\bsqrt\(|"
                         r"\b\w+=\d|\(\d+, \d+, \d+|\bK~|\^\(")


def _generated(tex: str) -> list[str]:
    """What the reporters write from recorded data: table rows, figure captions and the titles of
    sections, subsections and checks (the claims' own prose is their authors' text, not checked here)."""
    rows = [row for table in re.findall(r"\\midrule\\endhead(.*?)\\end\{longtable\}", tex, flags=re.S)
            for row in table.split("\n")]
    captions = re.findall(r"\\textbf\{Figure \d+\.\}(.*)", tex)
    titles = re.findall(r"\\(?:sub)?section\{(.*)\}|\\heading\{(.*)", tex)
    return rows + captions + [a or b for a, b in titles]


def _outside_math(tex: str) -> str:
    """The text of ``tex`` outside ``$...$``, identifiers (also as PDF bookmarks), URLs, file names and
    the derivations' own words (``\\prose``)."""
    tex = re.sub(r"\\texttt\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\url\{[^}]*\}|\\includegraphics\[[^]]*\]\{[^}]*\}"
                 r"|\\prose\{.*?\}(?= \\\\$)|\}\{[^{}]*\}(?=\}\\label)", " ", tex)
    return re.sub(r"(?<!\\)\$.*?(?<!\\)\$", " ", tex, flags=re.S)


def test_the_generated_text_finds_ascii_mathematics():
    tex = ("\\section{Sigma_hat}\n\\midrule\\endhead\nE[relu relu] & $L = 2$, depth=2 \\\\\n\\end{longtable}"
           "\n\\textbf{Figure 1.} $\\Theta_{1}$ kappa_alpha\n\\item set L=2 in prose")
    found = {m.group() for line in _generated(tex) for m in _ASCII_MATH.finditer(_outside_math(line))}
    assert found == {"Sigma_", "E[", "depth=2", "kappa_"}


def test_labels_titles_and_configurations_are_typeset(built):
    out, _, _ = built
    tex = (out / "derivations.tex").read_text()
    generated = _generated(tex[tex.index(r"\begin{document}"):])
    assert len(generated) > 100
    found = sorted({m.group() for line in generated
                    for m in _ASCII_MATH.finditer(_outside_math(line).replace(r"\_", "_"))})
    assert not found, found


def test_the_body_ends_before_the_appendix_and_cites_the_bibliography(built):
    out, _, _ = built
    tex = (out / "derivations.tex").read_text()
    assert tex.index(r"\appendix") < tex.index(r"\begin{thebibliography}")
    assert r"\cite" in tex and not re.search(r"seeds?/|seeds? 00\d", tex)  # no pointer outside the project
