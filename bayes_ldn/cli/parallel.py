"""``bayes-ldn parallel``: ANCOVA or change-score reanalysis of a user's parallel-group CSV.

The CSV has one row per subject (x outcome with ``--outcome-name``). Every input is validated
before anything is sampled or written. With several outcomes each is fitted on its own and
``--json`` prints a list. User-given priors (``normal:MEAN,SD``, ``t:MEAN,SD,DF``) are on the
printed contrast (active minus control); presets are anchored on ``--mcid`` (a positive
difference).

The nuisance priors are the reference ones (flat locations and slopes, p(sigma) ~ 1/sigma), which
are unit-free without using the data: the answer does not change with the outcome's units or zero
point. ``--scale log`` analyses log(baseline) and log(follow-up) (all positive) and prints the
effect as a log ratio and as a ratio of geometric means (``ratio``); ``--equivalence L,U`` adds
P(L < ratio < U) (log scale) or P(L < difference < U) (linear scale).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.cli._output import orientation
from bayes_ldn import priors as pr
from bayes_ldn.api.parallel import PARALLEL_SEED, analyze_parallel, parallel_option_problems
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import parse_equivalence
from bayes_ldn.stats import format_probability

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``parallel`` subcommand."""
    p = sub.add_parser("parallel", help="ANCOVA / change-score model of a parallel-group CSV")
    p.add_argument("data", help="CSV file, one row per subject (x outcome)")
    p.add_argument("--arm", required=True, help="arm column")
    p.add_argument("--baseline", required=True, help="baseline column")
    p.add_argument("--followup", required=True, help="follow-up column")
    p.add_argument("--subject", help="subject id column (needed with several outcomes)")
    p.add_argument("--outcome-name", help="column naming the outcome of each row")
    p.add_argument("--covariates", default="", help="comma-separated covariate columns")
    p.add_argument("--active", required=True, help="level of --arm for the active (treatment) arm")
    p.add_argument("--control", required=True, help="level of --arm for the control arm")
    p.add_argument("--method", required=True, choices=("ancova", "change"), help="analysis method (no default)")
    p.add_argument("--better", choices=("higher", "lower"), help="direction of benefit (required)")
    p.add_argument("--likelihood", choices=("normal", "student"), default="normal", help="residuals (default normal)")
    p.add_argument("--prior", default="vague", help="NAME[_strength] | normal:MEAN,SD | t:MEAN,SD,DF")
    p.add_argument("--mcid", type=float, help="clinical threshold for the preset priors (positive); adds "
                                              "prob_better_than_mcid")
    p.add_argument("--seed", "--random-seed", dest="seed", type=int, default=PARALLEL_SEED,
                   help=f"random seed (default {PARALLEL_SEED})")
    p.add_argument("--draws", type=int, default=defaults.DRAWS, help="draws per chain")
    p.add_argument("--tune", type=int, default=defaults.TUNE, help="tuning steps per chain")
    p.add_argument("--chains", type=int, default=defaults.CHAINS, help="chains")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.add_argument("--scale", choices=("linear", "log"), default="linear",
                   help="analysis scale; log: effects are ratios of geometric means (values must be > 0)")
    p.add_argument("--equivalence", metavar="L,U",
                   help="P(L < effect < U): ratios with --scale log (e.g. 0.80,1.25), differences otherwise")
    p.add_argument("--out", help="folder for summary.json and draws.csv")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _validate(args: argparse.Namespace) -> ParallelData:
    problems = parallel_option_problems(better=args.better, method=args.method, mcid=args.mcid,
                                        ci_prob=args.ci_prob, draws=args.draws, tune=args.tune, chains=args.chains,
                                        prefix="--")
    try:
        parse_equivalence(args.equivalence, args.scale)
    except DataValidationError as err:
        problems += list(err.problems)
    try:
        pr.parse_prior(args.prior, mcid=args.mcid if args.mcid and args.mcid > 0 else None)
    except DataValidationError as err:
        problems += list(err.problems)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        problems.append(f"--out {args.out!r} exists and is not a folder")
    frame = None
    path = Path(args.data)
    if not path.is_file():
        problems.append(f"data file {args.data!r} not found")
    else:
        try:
            frame = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            problems.append(f"cannot read {args.data!r} as CSV: {err}")
    data = None
    if frame is not None:
        covs = [c.strip() for c in args.covariates.split(",") if c.strip()]
        columns = {"arm": args.arm, "baseline": args.baseline, "followup": args.followup,
                   "outcome": args.outcome_name, "subject": args.subject}
        try:
            data = ParallelData.from_frame(frame, treatment=args.active, reference=args.control,
                                           columns=columns, covariates=covs, scale=args.scale)
        except DataValidationError as err:
            problems += list(err.problems)
    if problems or data is None:
        raise DataValidationError("bayes-ldn parallel", problems)
    return data


def run(args: argparse.Namespace) -> int:
    """Validate, fit each outcome (:func:`bayes_ldn.api.analyze_parallel`), print, and write outputs."""
    data = _validate(args)
    result = analyze_parallel(data, active=data.treatment, control=data.reference, better=args.better,
                              method=args.method, likelihood=args.likelihood, prior=args.prior, mcid=args.mcid,
                              scale=args.scale, equivalence=args.equivalence, ci_prob=args.ci_prob,
                              random_seed=args.seed, draws=args.draws, tune=args.tune, chains=args.chains)
    results = result.details
    payload = result.to_dict()
    for res in [payload] if isinstance(payload, dict) else payload:
        res["orientation"] = orientation(res)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(payload, indent=2))
        draws = [pd.DataFrame({"outcome": name, "treatment_effect": x}) for name, x in result.draws.items()]
        pd.concat(draws, ignore_index=True).to_csv(out / "draws.csv", index=False)
    if args.json:
        print(json.dumps(payload, indent=2))
        return 0
    for res in results:
        print(f"{res['outcome']}: {args.method}, {args.likelihood} residuals, prior {res['prior']}")
        print(f"  treatment effect (active - control): {res['mean']:.4g} "
              f"({res['ci_prob']:.0%} CrI {res['lower']:.4g} to {res['upper']:.4g}), "
              f"P(active better) = {format_probability(res['prob_better'])}")
        if "ratio" in res:
            r = res["ratio"]
            print(f"  ratio of geometric means: {r['median']:.4g} ({r['ci_prob']:.0%} CrI {r['lower']:.4g} to "
                  f"{r['upper']:.4g})")
        if "equivalence" in res:
            e = res["equivalence"]
            print(f"  P({e['lower']:g} < {e['on']} < {e['upper']:g}) = {format_probability(e['prob'])} "
                  f"(MCSE {e['mcse']:.3f})")
        print(f"  mean change: active {res['change_active']['mean']:.4g}, control {res['change_control']['mean']:.4g}")
        print(f"  r_hat {res['r_hat']:.3f}, ess_bulk {res['ess_bulk']:.0f}, divergences {res['divergences']}",
              file=sys.stdout)
    return 0
