"""``bayes-ldn reanalyze``: every bundled published result, under every named prior."""

from __future__ import annotations

import argparse
import sys

from bayes_ldn import defaults
from bayes_ldn.reanalysis import write_reanalysis

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reanalyze`` subcommand."""
    p = sub.add_parser("reanalyze", help="reanalyse every bundled published LDN result (writes DIR/decisions.csv)")
    p.add_argument("--out", default="reanalysis", help="output folder (default: reanalysis/)")
    p.add_argument("--models", default=None, help="folder of analysis specs (default: the repository's models/)")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.set_defaults(func=run)


def sections() -> list:
    """Output sections contributed by the other analyses (random finding, synthesis, report)."""
    from bayes_ldn.report import report_section

    return [report_section]


def run(args: argparse.Namespace) -> int:
    """Run the reanalysis and print where the outputs went."""
    table = write_reanalysis(args.out, models_dir=args.models, ci_prob=args.ci_prob, sections=sections())
    print(
        f"bayes-ldn reanalyze: {len(table)} decision rows for {table['spec'].nunique()} analyses "
        f"written to {args.out}/decisions.csv and {args.out}/summary.md",
        file=sys.stdout,
    )
    return 0
