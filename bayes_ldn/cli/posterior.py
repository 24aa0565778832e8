"""``bayes-ldn posterior``: reanalyse one published result given on the command line.

For posterior summary scripts: exact (conjugate or quadrature) posterior of one effect, printed
as a table or as one JSON object (``--json``) on the analysis scale (the log scale for ratios,
with ``median_ratio``, ``lower_ratio`` and ``upper_ratio`` too).

A binary outcome is given as a 2x2 table instead (``--events-treatment``, ``--n-treatment``,
``--events-control``, ``--n-control``, ``--measure rd|rr|or``): see
:mod:`bayes_ldn.cli._binary_posterior`.

User-given priors (``normal:MEAN,SD``, ``t:MEAN,SD,DF``) are on the analysis scale as printed
(for example on log HR); named presets are anchored on ``--mcid``, given as a positive
difference, or as a ratio (for example 0.5247) with ``--scale log``.
"""

from __future__ import annotations

import argparse

from bayes_ldn import defaults
from bayes_ldn.cli._binary_posterior import add_arguments as add_binary_arguments
from bayes_ldn.cli._binary_posterior import is_binary, run_binary
from bayes_ldn.cli._output import orientation, print_result
from bayes_ldn.api.estimate import analyze_estimate
from bayes_ldn.data.records import CONVERSIONS

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``posterior`` subcommand."""
    p = sub.add_parser("posterior", help="exact posterior of one published estimate")
    p.add_argument("--estimate", type=float, help="published estimate (a ratio itself with --scale log)")
    p.add_argument("--lower", type=float, help="lower CI bound")
    p.add_argument("--upper", type=float, help="upper CI bound")
    p.add_argument("--ci-prob", type=float, default=0.95, help="coverage of the published CI (default 0.95)")
    p.add_argument("--se", type=float, help="standard error on the analysis scale")
    p.add_argument("--p-value", type=float, help="two-sided p-value (SE from p with --conversion p_normal)")
    p.add_argument("--median", type=float, help="published median difference (needs --iqr, --n, --conversion)")
    p.add_argument("--iqr", type=float, help="published IQR width of the differences")
    p.add_argument("--n", type=int, help="sample size (pairs for a crossover)")
    p.add_argument("--conversion", choices=CONVERSIONS, help="named conversion to a normal likelihood")
    p.add_argument("--df", type=float, help="degrees of freedom for the *_t conversions")
    p.add_argument("--scale", choices=("linear", "log"), default="linear", help="log for HR/OR/RR")
    p.add_argument("--better", choices=("higher", "lower"), help="direction of benefit (required)")
    p.add_argument("--mcid", type=float, help="clinical threshold (a ratio with --scale log; for a 2x2 table a "
                                              "proportion with --measure rd, a ratio with rr/or)")
    p.add_argument("--rope", type=float, help="half-width of the region of practical equivalence (2x2 table: a "
                                              "proportion for rd, a ratio > 1 for rr/or)")
    p.add_argument("--prior", default="vague", help="NAME[_strength] | normal:MEAN,SD | t:MEAN,SD,DF")
    p.add_argument("--report-ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_binary_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute and print the posterior."""
    if is_binary(args):
        return run_binary(args)
    result = analyze_estimate(
        args.estimate, better=args.better, lower=args.lower, upper=args.upper, ci_prob=args.ci_prob, se=args.se,
        p_value=args.p_value, median=args.median, iqr=args.iqr, n=args.n, conversion=args.conversion, df=args.df,
        scale=args.scale, mcid=args.mcid, rope=args.rope, prior=args.prior, report_ci_prob=args.report_ci_prob)
    out = dict(result.to_dict())
    out["orientation"] = orientation(out)
    return print_result(out, as_json=args.json)
