"""Command-line logic for ``wushe dispatch solve|check`` (wrapped by the project CLI).

Exit codes: 0 success; 1 the solution breaks a hard rule (``check``); 2 unusable input
(missing file, invalid JSON, invalid instance) -- always a one-line message, no traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, NoReturn, TextIO

from wushe.dispatch.engine.errors import InstanceError, SolutionError
from wushe.dispatch.engine.problem import validate_instance
from wushe.dispatch.engine.scoring import score_problem
from wushe.dispatch.engine.solver import solve


class UsageError(Exception):
    """Bad command line or unreadable input (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _load_json(path: str, what: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{what} file not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{what} file {path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{what} file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="wushe dispatch", description="Batch dispatch of tasks to volunteers.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_solve = sub.add_parser("solve", help="solve an instance, print or write the solution")
    p_solve.add_argument("instance", help="instance JSON (wushe-dispatch/1)")
    p_solve.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    p_solve.add_argument("--seed", type=int, default=0, metavar="N")
    p_solve.add_argument(
        "--iterations",
        type=int,
        default=None,
        metavar="N",
        help="stop the search after N iterations instead of the time limit (reproducible)",
    )
    p_solve.add_argument("-o", "--output", default=None, metavar="SOLUTION.json")
    p_check = sub.add_parser("check", help="score a solution, or print the first violation")
    p_check.add_argument("instance")
    p_check.add_argument("solution")
    for p in (p_solve, p_check):
        p.error = _Parser.error.__get__(p)  # type: ignore[method-assign]
    return parser


def _solve(args: argparse.Namespace, out: TextIO) -> int:
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise UsageError(
            f"--time-limit must be a positive number of seconds, got {args.time_limit}"
        )
    if args.iterations is not None and args.iterations <= 0:
        raise UsageError(f"--iterations must be positive, got {args.iterations}")
    instance = _load_json(args.instance, "instance")
    solution = solve(instance, args.time_limit, args.seed, max_iterations=args.iterations)
    text = json.dumps(solution)
    if args.output:
        try:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        out.write(text + "\n")
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    instance = _load_json(args.instance, "instance")
    solution = _load_json(args.solution, "solution")
    problem = validate_instance(instance)
    try:
        figures = score_problem(problem, solution)
    except SolutionError as exc:
        out.write(f"infeasible: {exc}\n")
        return 1
    out.write(json.dumps(figures) + "\n")
    return 0


def main(argv: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``solve`` or ``check``; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
        if args.command == "solve":
            return _solve(args, out)
        return _check(args, out)
    except UsageError as exc:
        err.write(f"error: {exc}\n")
        return 2
    except InstanceError as exc:
        err.write(f"error: invalid instance: {exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
