"""The command line: ``python -m verify all | run ID_OR_GLOB... | list``.

Exit codes: 0 every claim verified (and, with --mutants, every mutant refuted);
1 some claim not verified; 2 a usage error, printed as one line.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import budgets, executors, registry, runner
from .report import Reporters
from .report.json import JsonReporter
from .report.terminal import TerminalReporter

__all__ = ["main", "build_parser"]


class UsageError(Exception):
    """A mistake in the command line; shown as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"--seed {text!r}: give a whole number >= 0")
    return value


def _alpha(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"--alpha {text!r}: give a false-alarm rate strictly between 0 and 1")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs {text!r}: give a whole number >= 1")
    return value


def _budget(text: str) -> str:
    try:
        return budgets.get(text).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m verify",
                     description="Check the derivations of NTK theory symbolically and numerically.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{all,run,list}")
    options = _Parser(add_help=False)
    options.add_argument("--seed", type=_seed, default=0, help="fixes every random draw (default 0)")
    options.add_argument("--budget", type=_budget, default="standard",
                         help="quick (CI), standard (default) or thorough")
    options.add_argument("--alpha", type=_alpha, default=1e-3,
                         help="family-wise false-alarm rate of the run (default 1e-3)")
    options.add_argument("--json", metavar="PATH", help="write the full results as JSON")
    options.add_argument("--mutants", action="store_true",
                         help="also run every claim's mutants; each must be refuted")
    options.add_argument("--latex", metavar="DIR",
                         help="write DIR/derivations.tex and its figures: the checked derivations")
    options.add_argument("--pdf", action="store_true", help="with --latex, also compile DIR/derivations.pdf")
    options.add_argument("--jobs", type=_jobs, default=1,
                         help="worker processes for independent units (default 1: in this process)")
    options.add_argument("--executor", choices=("local", "dask"), default="local",
                         help="local processes (default) or a running dask.distributed cluster")
    options.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, with --executor dask")
    commands.add_parser("all", parents=[options], help="verify every claim")
    run = commands.add_parser("run", parents=[options], help="verify the claims named")
    run.add_argument("ids", nargs="+", metavar="ID_OR_GLOB", help="claim ids or globs, e.g. 'dual.*'")
    listing = commands.add_parser("list", help="list the claims")
    listing.add_argument("--json", action="store_true", help="as JSON")
    return parser


def _list(as_json: bool) -> int:
    rows = [{"id": c.id, "title": c.title, "source": c.source, "uses": list(c.uses),
             "mutants": [m.name for m in c.mutants], "checks": [k.name for k in c.checks]}
            for c in registry.claims().values()]
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            print(f"{r['id']:<{width}}  {r['title']}")
    return 0


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list":
            return _list(args.json)
        claims = list(registry.claims().values()) if args.command == "all" else registry.select(args.ids)
        if args.pdf and not args.latex:
            raise UsageError("--pdf goes with --latex DIR")
        reporters = [TerminalReporter()] + ([JsonReporter(args.json)] if args.json else [])
        if args.latex:
            from .report.latex import LatexReporter
            reporters.append(LatexReporter(args.latex, pdf=args.pdf))
        plan = executors.make(args.executor, args.jobs, args.scheduler)
    except (UsageError, ValueError) as exc:
        print(f"python -m verify: error: {exc}", file=sys.stderr)
        return 2
    try:
        result = runner.run(claims, budget=args.budget, seed=args.seed, alpha=args.alpha,
                            mutants=args.mutants, executor=plan.executor, remake=plan.remake,
                            reporter=Reporters(*reporters))
    finally:
        plan.close()
    return result.exit_code
