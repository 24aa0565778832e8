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

import numpy as np
import pandas as pd

from bayes_ldn.cli._output import orientation
from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.records import align_sign
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import equivalence_probability, parse_equivalence, ratio_summary
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
    p.add_argument("--mcid", type=float, help="clinical threshold for the preset priors (positive)")
    p.add_argument("--seed", type=int, default=20250411, help="random seed (default 20250411)")
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


def _validate(args: argparse.Namespace) -> tuple[ParallelData, pr.EffectPrior]:
    problems: list[str] = []
    if args.better is None:
        problems.append("--better higher|lower is required: the direction of benefit is an analysis choice")
    if args.mcid is not None and not args.mcid > 0:
        problems.append(f"--mcid must be positive, got {args.mcid}")
    if not 0 < args.ci_prob < 1:
        problems.append(f"--ci-prob must lie in (0, 1), got {args.ci_prob}")
    if min(args.draws, args.tune, args.chains) < 1:
        problems.append("--draws, --tune and --chains must be positive")
    try:
        parse_equivalence(args.equivalence, args.scale)
    except DataValidationError as err:
        problems += list(err.problems)
    prior = None
    try:
        prior = pr.parse_prior(args.prior, mcid=args.mcid if args.mcid and args.mcid > 0 else None)
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
    if problems or data is None or prior is None:
        raise DataValidationError("bayes-ldn parallel", problems)
    if args.better == "lower" and prior.family in ("normal", "student_t"):
        # User-given priors are on the printed contrast; the models take the aligned one.
        prior = pr.EffectPrior(name=prior.name, family=prior.family,
                               params={**prior.params, "mu": 0.0 - prior.params["mu"]}, rationale=prior.rationale)
    return data, prior


def _summary(idata, *, outcome: str, better: str, ci_prob: float) -> dict:
    from bayes_ldn.diagnostics import convergence_table, divergences

    post = idata["posterior"]
    q = [(1 - ci_prob) / 2, 0.5, 1 - (1 - ci_prob) / 2]

    def describe(name: str) -> dict:
        x = post[name].values.ravel()
        lo, med, hi = np.quantile(x, q)
        return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)), "median": float(med),
                "lower": float(lo), "upper": float(hi)}

    effect = describe("treatment_effect")
    aligned = align_sign(better) * post["treatment_effect"].values.ravel()
    table = convergence_table(idata, ["treatment_effect"]).iloc[0]
    return {
        "outcome": outcome, "contrast": "active minus control", **effect, "ci_prob": ci_prob,
        "ci_kind": defaults.CI_KIND, "prob_better": float(np.mean(aligned > 0)),
        "change_active": describe("change_treatment"), "change_control": describe("change_reference"),
        "r_hat": float(table["r_hat"]), "ess_bulk": float(table["ess_bulk"]), "divergences": divergences(idata),
    }


def run(args: argparse.Namespace) -> int:
    """Validate, fit each outcome, print, and write outputs."""
    data, prior = _validate(args)
    from bayes_ldn.designs.parallel import parallel_model, reference_nuisance
    from bayes_ldn.fit import fit

    results, draws = [], []
    for outcome in data.outcomes:
        model = parallel_model(data.select(outcome), prior, better=args.better, method=args.method,
                               likelihood=args.likelihood, nuisance=reference_nuisance())
        idata = fit(model, random_seed=args.seed, draws=args.draws, tune=args.tune, chains=args.chains)
        res = _summary(idata, outcome=outcome, better=args.better, ci_prob=args.ci_prob)
        res.update(method=args.method, likelihood=args.likelihood, prior=prior.describe(),
                   prior_scale="aligned (positive = better)", seed=args.seed, scale=data.scale,
                   nuisance="reference (flat locations and slopes, 1/sigma): unit-free, uses no data")
        effect = idata["posterior"]["treatment_effect"]
        if data.scale == "log":
            res["ratio"] = ratio_summary(effect, ci_prob=args.ci_prob)
        bounds = parse_equivalence(args.equivalence, data.scale)
        if bounds is not None:
            res["equivalence"] = equivalence_probability(effect, bounds, scale=data.scale)
        res["orientation"] = orientation(res)
        results.append(res)
        draws.append(pd.DataFrame({"outcome": outcome,
                                   "treatment_effect": idata["posterior"]["treatment_effect"].values.ravel()}))
    payload = results[0] if len(results) == 1 else results
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(payload, indent=2))
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
