"""``bayes-ldn reanalyze``: every bundled published result, under every named prior."""

from __future__ import annotations

import argparse
import functools
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
    p.add_argument("--no-report", action="store_true",
                   help="skip report.html (its 20 figures take about half of the run); every table is still written")
    p.add_argument("--workers", type=int, default=None,
                   help="processes that draw the report's figures (default: every available CPU)")
    p.set_defaults(func=run)


def sections(*, report: bool = True, workers: int | None = None, ci_prob: float = defaults.CI_PROB) -> list:
    """Output sections contributed by the other analyses: verdicts, synthesis, report.

    Each is a library call that returns its files in memory (:mod:`bayes_ldn.reanalysis_sections`),
    with intervals and labels at ``ci_prob``; ``workers`` processes draw the report's figures
    (:class:`bayes_ldn.report.render.FigureRenderer`).
    """
    from bayes_ldn.reanalysis import family_section
    from bayes_ldn.reanalysis_sections import random_finding_section, synthesis_section

    parts = [
        functools.partial(family_section, ci_prob=ci_prob),
        functools.partial(random_finding_section, trial="final", outcome="cpm", ci_prob=ci_prob),
        functools.partial(random_finding_section, trial="final", outcome="memory", ci_prob=ci_prob),
        functools.partial(synthesis_section, ci_prob=ci_prob),
    ]
    if report:
        from bayes_ldn.report import report_section

        parts.append(functools.partial(report_section, workers=workers))
    return parts


def run(args: argparse.Namespace) -> int:
    """Run the reanalysis and print where the outputs went."""
    report = not args.no_report
    problems = []
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers must be at least 1, got {args.workers}")
    # Checked before any section runs: a NaN or 1.5 once reached the quantile solvers (traceback).
    if not 0.01 <= args.ci_prob <= 0.999:
        problems.append(f"--ci-prob must lie in [0.01, 0.999] (e.g. 0.95 or 0.9), got {args.ci_prob}")
    if problems:
        print(f"bayes-ldn reanalyze: {'; '.join(problems)}", file=sys.stderr)
        return 2
    table = write_reanalysis(args.out, models_dir=args.models, ci_prob=args.ci_prob,
                             sections=sections(report=report, workers=args.workers, ci_prob=args.ci_prob))
    print(
        f"bayes-ldn reanalyze: {len(table)} decision rows for {table['spec'].nunique()} analyses "
        f"written to {args.out}/ (decisions.csv, summary.md, {'report.html, ' if report else ''}random_finding_*/, "
        "synthesis/)",
        file=sys.stdout,
    )
    return 0
