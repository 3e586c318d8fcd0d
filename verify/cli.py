"""The command line: ``python -m verify all | run ID_OR_GLOB... | list``.

Exit codes: 0 every claim verified (and, with --mutants, every mutant refuted);
1 some claim not verified; 2 a usage error or a broken claim module
(:class:`verify.registry.ClaimModuleError`), printed as one line.
``--claims MODULE`` (repeatable, or comma-separated) adds claim modules for one run.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import audit, budgets, executors, registry, runner
from .report import Reporters
from .report.json import JsonReporter, check_writable, to_jsonable, write_atomically
from .report.terminal import TerminalReporter, print_audit

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A mistake in the command line; shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _number(convert, accept, option: str, wanted: str):
    """An argparse type: ``convert`` the text, keep it if ``accept``, else say what is wanted."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"{option} {text!r}: give {wanted}")
        return value
    return parse


_seed = _number(int, lambda v: v >= 0, "--seed", "a whole number >= 0")
_alpha = _number(float, lambda v: 0 < v < 1, "--alpha", "a false-alarm rate strictly between 0 and 1")
_jobs = _number(int, lambda v: v >= 1, "--jobs", "a whole number >= 1")
_runs = _number(int, lambda v: v >= 1, "--runs", "a whole number >= 1")


def _budget(text: str) -> str:
    try:
        return budgets.get(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m verify",
                     description="Check the derivations of NTK theory symbolically and numerically.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{all,run,list,audit,new}")
    extra = _Parser(add_help=False)
    extra.add_argument("--claims", action="append", default=[], metavar="MODULE",
                       help="also register the claims of MODULE (importable, with a CLAIMS tuple); "
                            "repeat or separate by commas")
    options = _Parser(add_help=False, parents=[extra])
    options.add_argument("--seed", type=_seed, default=0, help="fixes every random draw (default 0)")
    options.add_argument("--budget", type=_budget, default="standard",
                         help="quick (CI), standard (default) or thorough")
    options.add_argument("--alpha", type=_alpha, default=1e-3,
                         help="family-wise false-alarm rate of the run (default 1e-3)")
    options.add_argument("--json", metavar="PATH", help="write the full results as JSON")
    options.add_argument("--mutants", action="store_true",
                         help="also run every claim's mutants; each must be refuted")
    where = _Parser(add_help=False)
    where.add_argument("--jobs", type=_jobs, default=1,
                       help="worker processes for independent units (default 1: in this process)")
    where.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local processes (default) or a running dask.distributed cluster")
    where.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, with --executor dask")
    options.add_argument("--latex", metavar="DIR",
                         help="write DIR/derivations.tex and its figures: the checked derivations")
    options.add_argument("--pdf", action="store_true", help="with --latex, also compile DIR/derivations.pdf")
    options.add_argument("--html", metavar="DIR",
                         help="write DIR/index.html and its figures: the same derivations as a web page")
    commands.add_parser("all", parents=[options, where], help="verify every claim")
    run = commands.add_parser("run", parents=[options, where], help="verify the claims named")
    run.add_argument("ids", nargs="+", metavar="ID_OR_GLOB", help="claim ids or globs, e.g. 'dual.*'")
    listing = commands.add_parser("list", parents=[extra], help="list the claims")
    listing.add_argument("--json", action="store_true",
                         help="as JSON, with where each part is defined (module:line)")
    new = commands.add_parser("new", help="write a working claim skeleton to start from")
    new.add_argument("id", metavar="ID", help="the new claim's dotted id, e.g. mine.lemma")
    new.add_argument("file", metavar="FILE", help="the Python file to write (must not exist)")
    audit = commands.add_parser("audit", parents=[where, extra],
                                help="measure the false-alarm rate, the mutants and the calibration")
    audit.add_argument("--runs", type=_runs, default=10, help="runs with independent seeds (default 10)")
    audit.add_argument("--budget", type=_budget, default="quick", help="default quick")
    audit.add_argument("--seed", type=_seed, default=0, help="the first seed (default 0)")
    audit.add_argument("--alpha", type=_alpha, default=1e-3, help="family-wise false-alarm rate per run")
    audit.add_argument("--json", metavar="PATH", help="write the audit as JSON")
    audit.add_argument("ids", nargs="*", metavar="ID_OR_GLOB", help="claims to audit (default: all)")
    return parser


def _list(as_json: bool) -> int:
    rows = [{"id": c.id, "title": c.title, "source": c.source, "uses": list(c.uses),
             "mutants": [m.name for m in c.mutants], "checks": [k.name for k in c.checks],
             "defined": registry.locations(c)}
            for c in registry.claims().values()]
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            print(f"{r['id']:<{width}}  {r['title']}")
    return 0


def _audit(args, claims, plan) -> int:
    def run_once(seed, mutants):
        return runner.run(claims, budget=args.budget, seed=seed, alpha=args.alpha, mutants=mutants,
                          executor=plan.executor, remake=plan.remake)

    def progress(done, total, run):
        counts = ", ".join(f"{sum(c.status == s for c in run.claims)} {s}"
                           for s in sorted({c.status for c in run.claims}))
        print(f"[{done}/{total}] seed {run.seed}: {counts} ({run.seconds:.1f} s)", flush=True)

    result = audit.audit(claims, runs=args.runs, budget=args.budget, seed=args.seed, alpha=args.alpha,
                         run_once=run_once, progress=progress)
    print_audit(result)
    if args.json:
        write_atomically(args.json, json.dumps(to_jsonable(result), indent=1) + "\n")
    return result.exit_code


def _verify(args, claims, plan, reporters) -> int:
    result = runner.run(claims, budget=args.budget, seed=args.seed, alpha=args.alpha,
                        mutants=args.mutants, executor=plan.executor, remake=plan.remake,
                        reporter=Reporters(*reporters), mathml=bool(args.html))
    return result.exit_code


def _prepare(args):
    """Validate everything a command needs; return the work as a call that takes the plan."""
    claims = (list(registry.claims().values()) if args.command == "all" or not args.ids
              else registry.select(args.ids))
    if args.command == "audit":
        if args.json:
            check_writable(args.json)
        return lambda plan: _audit(args, claims, plan)
    if args.pdf and not args.latex:
        raise UsageError("--pdf goes with --latex DIR")
    reporters = [TerminalReporter()] + ([JsonReporter(args.json)] if args.json else [])
    if args.latex or args.html:
        from .report.common import Drawing
        drawing = Drawing(jobs=args.jobs)  # each figure drawn once for both outputs
    if args.latex:
        from .report.latex import LatexReporter
        reporters.append(LatexReporter(args.latex, pdf=args.pdf, drawing=drawing))
    if args.html:
        from .report.html import HtmlReporter
        reporters.append(HtmlReporter(args.html, drawing=drawing))
    return lambda plan: _verify(args, claims, plan, reporters)


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "new":
            from .scaffold import write
            return write(args.id, args.file)
        registry.add_modules(args.claims)
        if args.command == "list":
            return _list(args.json)
        work = _prepare(args)
        plan = executors.make(args.executor, args.jobs, args.scheduler)
    except (UsageError, registry.ClaimModuleError, ValueError) as exc:  # nothing ran: code 2
        print(f"python -m verify: error: {exc}", file=sys.stderr)
        return 2
    try:
        return work(plan)
    finally:
        plan.close()
