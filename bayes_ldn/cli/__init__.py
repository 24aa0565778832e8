"""The ``bayes-ldn`` command line: one module per subcommand, each exposing ``register``.

A subcommand module defines ``register(subparsers)``, which adds its parser and sets
``func=run``; ``run(args) -> int`` does the work. Errors of bayes_ldn (``BayesLDNError``) are
printed to standard error as one message with exit status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Sequence

from bayes_ldn.exceptions import BayesLDNError

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
    try:
        return int(args.func(args) or 0)
    except BayesLDNError as err:
        print(f"bayes-ldn {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
