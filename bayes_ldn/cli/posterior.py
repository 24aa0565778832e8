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
import math

from bayes_ldn import defaults
from bayes_ldn.cli._binary_posterior import add_arguments as add_binary_arguments
from bayes_ldn.cli._binary_posterior import is_binary, run_binary
from bayes_ldn.cli._output import orientation, print_result
from bayes_ldn import priors as pr
from bayes_ldn.conversions import Converted
from bayes_ldn.data.records import CONVERSIONS, EffectLikelihood, PublishedRecord, Source, align_sign, to_likelihood
from bayes_ldn.exact import exact_posterior
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.summaries import decision_row_exact
from bayes_ldn.validation import MAX_ABS, number_problems, probability_problems

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


_NUMBERS = ("estimate", "lower", "upper", "ci_prob", "se", "p_value", "median", "iqr", "n", "df", "mcid", "rope",
            "report_ci_prob")


def _number_problems(a: argparse.Namespace) -> list[str]:
    out = number_problems({f"--{k.replace('_', '-')}": getattr(a, k) for k in _NUMBERS}, scales=("--se",))
    return out or probability_problems({"--ci-prob": a.ci_prob, "--report-ci-prob": a.report_ci_prob})


def _problems(a: argparse.Namespace) -> list[str]:
    out = []
    if a.better is None:
        out.append("--better higher|lower is required: the direction of benefit is an analysis choice")
    # Non-finite or overflowing numbers first: the comparisons below are meaningless on them.
    bad = _number_problems(a)
    if bad:
        return out + bad
    if a.median is not None:
        if a.estimate is not None:
            out.append("give --estimate or --median, not both")
        if a.conversion is None:
            out.append(
                "a median/IQR cannot enter a normal model without a named conversion: add "
                "--conversion wan2014|luo2018|cochrane (or effect_size / p_normal)"
            )
        if a.iqr is None and a.conversion in ("wan2014", "luo2018", "cochrane"):
            out.append("--median needs --iqr for a median/IQR conversion")
    elif a.estimate is None:
        out.append("give --estimate (or --median with --iqr, --n and --conversion)")
    has_ci = a.lower is not None or a.upper is not None
    if has_ci and (a.lower is None or a.upper is None):
        out.append("give both --lower and --upper")
    elif has_ci and not a.lower < a.upper:
        out.append(f"--lower ({a.lower}) must be below --upper ({a.upper}); swap them if reversed")
    if a.se is not None and (has_ci or a.p_value is not None):
        out.append("give --se alone, or a CI, or a p-value: not several")
    if a.se is None and not has_ci and a.p_value is None and a.median is None:
        out.append("give --lower/--upper, --se or --p-value")
    if a.mcid is not None and not a.mcid > 0:
        out.append(f"--mcid must be positive, got {a.mcid}")
    if a.mcid is not None and a.scale == "log" and a.mcid == 1:
        out.append("--mcid 1 on the ratio scale is no effect; give the clinically important ratio, e.g. 0.8")
    return out


def _likelihood(a: argparse.Namespace) -> EffectLikelihood:
    est = a.median if a.median is not None else a.estimate
    if a.se is not None:
        if not a.se > 0:
            raise DataValidationError("--se", [f"SE must be positive, got {a.se}"])
        value = est
        if a.scale == "log":
            if not est > 0:
                raise DataValidationError("--estimate", [f"a ratio on the log scale must be > 0, got {est}"])
            value = math.log(est)
        sign = align_sign(a.better)
        return EffectLikelihood(
            estimate=sign * value, se=a.se, sign=sign, scale=a.scale, units="",
            conversions=(Converted(a.se, "se_given", "SE as given on the command line"),),
            provenance={"trial": "command line", "record": "command line", "evidence": "user"},
        )
    conversion = a.conversion or ("ci_normal" if a.lower is not None else "p_normal")
    record = PublishedRecord(
        id="command-line input", trial="command line", outcome="effect", label="", units="",
        design="crossover" if a.median is not None else "parallel",
        measure="ratio" if a.scale == "log" else ("median_difference" if a.median is not None else "mean_difference"),
        contrast=("treatment", "control"), better=a.better, population="unknown",
        n={"n": a.n} if a.n is not None else {}, estimate=est, lower=a.lower, upper=a.upper,
        ci_prob=a.ci_prob if a.lower is not None else None, p=a.p_value, iqr=a.iqr,
        source=Source(citation="command line"), location="command line", evidence=("TAB",), verified=False,
    )
    lik = to_likelihood(record, conversion, df=a.df)
    return EffectLikelihood(**{**lik.__dict__, "provenance": {"trial": "command line", "evidence": "user"}})


def _prior(prior: pr.EffectPrior, lik: EffectLikelihood) -> pr.EffectPrior:
    if lik.sign < 0 and prior.family in ("normal", "student_t"):
        # User-given priors are on the printed analysis scale; the models use the aligned one.
        prior = pr.EffectPrior(name=prior.name, family=prior.family,
                               params={**prior.params, "mu": 0.0 - prior.params["mu"]}, rationale=prior.rationale)
    return prior


def run(args: argparse.Namespace) -> int:
    """Compute and print the posterior."""
    if is_binary(args):
        return run_binary(args)
    # Collect every problem (arguments, numbers, prior) before reporting any of them.
    problems = _problems(args)
    mcid = None
    if args.mcid is not None and args.mcid > 0:
        mcid = abs(math.log(args.mcid)) if args.scale == "log" else args.mcid
    try:
        prior = pr.parse_prior(args.prior, mcid=mcid)
    except DataValidationError as err:
        problems += list(err.problems)
    lik = None
    if (not problems or args.better is not None) and not _number_problems(args):
        try:
            lik = _likelihood(args)
        except DataValidationError as err:
            problems += list(err.problems)
    if problems or lik is None:
        raise DataValidationError("bayes-ldn posterior", list(dict.fromkeys(problems)))
    prior = _prior(prior, lik)
    post = exact_posterior(lik, prior)
    row = decision_row_exact(lik, prior, post, mcid=mcid, rope=args.rope, ci_prob=args.report_ci_prob)
    keys = ["mean", "sd", "median", "lower", "upper", "ci_prob", "ci_kind", "prob_better"]
    if mcid is not None:
        keys.append("prob_better_than_mcid")
    if args.rope is not None:
        keys.append("prob_rope")
    keys.append("prob_harm")
    out = {k: row[k] for k in keys}
    if args.scale == "log":
        if max(abs(row["lower"]), abs(row["upper"])) > math.log(MAX_ABS):
            raise DataValidationError("bayes-ldn posterior", [
                f"the posterior interval of the log ratio ({row['lower']:.4g} to {row['upper']:.4g}) spans ratios "
                f"beyond 1e+-100: check that --se (or the interval) is on the log scale and not the ratio scale"])
        out.update(median_ratio=math.exp(row["median"]), lower_ratio=math.exp(row["lower"]),
                   upper_ratio=math.exp(row["upper"]))
    out.update(scale=args.scale, prior=prior.describe(), prior_scale="aligned (positive = better)",
               conversions=lik.conversion_note, method="exact")
    out["orientation"] = orientation(out)
    return print_result(out, as_json=args.json)
