"""The ``bayes-ldn`` command line: one module per subcommand, each exposing ``register``.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets
``func=run``; ``run(args) -> int`` does the work. Errors of bayes_ldn (``BayesLDNError``) are
printed to standard error as one message with exit status 2, never as a traceback; so is a
missing optional package, with the extra that installs it. Warnings print as one line
(``bayes-ldn crossover: warning: ConvergenceWarning: ...``), without the line of source code
Python's default format adds.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from bayes_ldn.exceptions import BayesLDNError
from bayes_ldn.extras import missing_extra_message

__all__ = ["main"]

#: Subcommand modules under bayes_ldn.cli, in help order.
COMMANDS = (
    "reanalyze",
    "posterior",
    "crossover",
    "parallel",
    "random_finding",
    "synthesize",
    "sbc",
    "operating_characteristics",
    "precompile",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered, or only ``only``.

    Registering one subcommand imports only its module, so ``bayes-ldn posterior`` starts
    without loading PyMC; ``bayes-ldn --help`` registers them all.
    """
    parser = argparse.ArgumentParser(
        prog="bayes-ldn", description="Bayesian reanalysis of LDN trials (and trials like them)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = COMMANDS if only is None else (only,)
    for name in names:
        if importlib.util.find_spec(f"bayes_ldn.cli.{name}") is None:
            continue
        importlib.import_module(f"bayes_ldn.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``bayes-ldn``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argv[0].replace("-", "_") if argv else ""
    parser = build_parser(first if first in COMMANDS else None)
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        # catch_warnings restores showwarning on exit, so a caller's (a test's) format is untouched.
        warnings.showwarning = _one_line_warning(args.command)
        try:
            return int(args.func(args) or 0)
        except BayesLDNError as err:
            print(f"bayes-ldn {args.command}: error: {err}", file=sys.stderr)
            return 2
        except ModuleNotFoundError as err:
            message = missing_extra_message(err.name or "", f"bayes-ldn {args.command}")
            if message is None:
                raise
            print(f"bayes-ldn {args.command}: error: {message}", file=sys.stderr)
            return 2


def _one_line_warning(command: str) -> Any:
    """A ``warnings.showwarning`` printing ``bayes-ldn CMD: warning: Category: message`` on one
    line: a user needs the message, not the line of our source that raised it."""

    def show(message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        text = " ".join(str(message).split())
        print(f"bayes-ldn {command}: warning: {category.__name__}: {text}", file=file or sys.stderr)

    return show


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
