"""``bayes-ldn reanalyze``: every bundled published result, under every named prior."""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import sys
import tempfile
from pathlib import Path

from bayes_ldn import defaults
from bayes_ldn.reanalysis import write_reanalysis

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reanalyze`` subcommand."""
    p = sub.add_parser("reanalyze", help="reanalyse every bundled published LDN result (writes DIR/decisions.csv)")
    p.add_argument("--out", default="reanalysis", help="output folder (default: reanalysis/)")
    p.add_argument("--models", default=None, help="folder of analysis specs (default: the repository's models/)")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.add_argument("--no-report", action="store_true",
                   help="skip report.html (its 20 figures take about half of the run); every table is still written")
    p.add_argument("--workers", type=int, default=None,
                   help="processes that draw the report's figures (default: every available CPU)")
    p.set_defaults(func=run)


def _via_command(argv: list[str], folder: str):
    """A section that runs another subcommand into a scratch folder and returns its files.

    The subcommand validates and computes everything itself; its files land under ``folder/``
    of the reanalysis output, which is written only after every section has succeeded.
    """

    def section(table, specs) -> dict[str, bytes]:
        from bayes_ldn.cli import build_parser

        with tempfile.TemporaryDirectory(prefix=".bayes_ldn-") as tmp:
            args = build_parser(argv[0].replace("-", "_")).parse_args([*argv, "--out", tmp])
            with contextlib.redirect_stdout(io.StringIO()):
                args.func(args)
            return {f"{folder}/{p.name}": p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}

    return section


def sections(*, report: bool = True, workers: int | None = None) -> list:
    """Output sections contributed by the other analyses: verdicts, synthesis, report.

    ``workers`` processes draw the report's figures (:class:`bayes_ldn.report.render.FigureRenderer`).
    """
    from bayes_ldn.reanalysis import family_section

    parts = [
        family_section,
        _via_command(["random-finding", "--trial", "final", "--outcome", "cpm"], "random_finding_cpm"),
        _via_command(["random-finding", "--trial", "final", "--outcome", "memory"], "random_finding_memory"),
        _via_command(["synthesize"], "synthesis"),
    ]
    if report:
        from bayes_ldn.report import report_section

        parts.append(functools.partial(report_section, workers=workers))
    return parts


def run(args: argparse.Namespace) -> int:
    """Run the reanalysis and print where the outputs went."""
    report = not args.no_report
    if args.workers is not None and args.workers < 1:
        print(f"bayes-ldn reanalyze: --workers must be at least 1, got {args.workers}", file=sys.stderr)
        return 2
    table = write_reanalysis(args.out, models_dir=args.models, ci_prob=args.ci_prob,
                             sections=sections(report=report, workers=args.workers))
    print(
        f"bayes-ldn reanalyze: {len(table)} decision rows for {table['spec'].nunique()} analyses "
        f"written to {args.out}/ (decisions.csv, summary.md, {'report.html, ' if report else ''}random_finding_*/, "
        "synthesis/)",
        file=sys.stdout,
    )
    return 0
