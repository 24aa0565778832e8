"""``bayes-ldn synthesize --data FILE.csv`` when the file holds 2x2 tables (counts per arm).

Columns ``study, events_treatment, n_treatment, events_control, n_control``. Two analyses side by
side, so a user sees where they differ (few events per arm, zero cells): the binomial-normal
random-effects model (exact binomial likelihood, NUTS; :mod:`bayes_ldn.synthesis.binomial`) and
the normal approximation on log odds ratios (exact quadrature; 0.5 added to every cell of a
zero-cell study, stated in the output). ``--mu-prior`` is on the aligned log odds ratio (positive
= better, as for ``--data`` estimates); ``--better lower`` for harms; ``--mcid`` is an odds ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

from bayes_ldn.data.binary import COUNT_FIELDS
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import format_probability

__all__ = ["add_arguments", "is_binary_csv", "run_binary_synthesis"]

DEFAULT_SEED = 20261207


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Sampling options used only for 2x2-table input."""
    g = p.add_argument_group("2x2-table input (binomial-normal model)")
    g.add_argument("--random-seed", type=int, default=DEFAULT_SEED, help=f"NUTS seed (default {DEFAULT_SEED})")
    g.add_argument("--draws", type=int, default=1000, help="NUTS draws per chain (default 1000, 4 chains)")


def is_binary_csv(path: Path) -> bool:
    """True when the CSV's header names the four count columns."""
    try:
        with Path(path).open(newline="") as fh:
            header = next(csv.reader(fh), [])
    except OSError:
        return False
    return all(c in header for c in COUNT_FIELDS)


def run_binary_synthesis(args: argparse.Namespace, parse_mu_prior) -> int:
    """Validate, fit both analyses, print (and write ``--out``)."""
    from bayes_ldn import synthesis as sy
    from bayes_ldn.synthesis import binomial as bn

    problems: list[str] = []
    mu_prior = tau_prior = studies = None
    try:
        mu_prior = parse_mu_prior(args.mu_prior)
    except DataValidationError as err:
        problems += list(err.problems)
    try:
        tau_prior = sy.parse_tau_prior(args.tau_prior)
    except DataValidationError as err:
        problems += list(err.problems)
    if tau_prior is not None and tau_prior.family == "rhodes_logt":
        problems.append("the Rhodes prior is for standardized mean differences; for log odds ratios use "
                        "turner[:SETTING]")
    if not 0 < args.ci_prob < 1:
        problems.append(f"--ci-prob must lie in (0, 1), got {args.ci_prob}")
    if args.mcid is not None and not (args.mcid > 0 and args.mcid != 1):
        problems.append(f"--mcid is an odds ratio (> 0, not 1) for 2x2 tables, got {args.mcid}")
    if args.draws < 100:
        problems.append(f"--draws must be at least 100, got {args.draws}")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        problems.append(f"--out {str(args.out)!r} exists and is not a directory")
    try:
        studies = bn.read_binary_studies_csv(args.data)
    except DataValidationError as err:
        problems += [f"{err.what}: {p}" for p in err.problems]
    raise_if("bayes-ldn synthesize", problems)
    mcid = None if args.mcid is None else abs(float(np.log(args.mcid)))
    notes: list[str] = []
    try:
        approx, notes = bn.normal_approximation(studies, better=args.better, tau_prior=tau_prior, mu_prior=mu_prior)
        approx_summary = bn.summarize_normal_approximation(approx, better=args.better, ci_prob=args.ci_prob, mcid=mcid)
    except DataValidationError as err:
        approx_summary = {"not_fitted": "; ".join(err.problems)}
    from bayes_ldn.fit import fit

    if tau_prior.is_fixed:
        raise DataValidationError("bayes-ldn synthesize", ["the binomial-normal model needs a tau distribution, "
                                                           "not fixed:VALUE"])
    model = bn.binomial_normal_model(studies, better=args.better, tau_prior=tau_prior, mu_prior=mu_prior)
    # target_accept 0.95, as fit_synthesis: with few studies the posterior of tau reaches towards 0 (a funnel).
    idata = fit(model, random_seed=args.random_seed, draws=args.draws, target_accept=0.95,
                var_names_check=["mu", "tau", "theta_new"])
    exact = bn.summarize_binomial_normal(idata, better=args.better, ci_prob=args.ci_prob, mcid=mcid)
    out = {
        "measure": "log odds ratio (treatment vs control, as printed); *_or on the odds-ratio scale",
        "studies": [s.label for s in studies], "better": args.better, "ci_prob": args.ci_prob,
        "binomial_normal": exact, "normal_approximation": approx_summary,
        "continuity_correction": notes or ["none needed (no zero cells)"],
        "mu_prior": args.mu_prior + " (aligned log OR, positive = better)", "tau_prior": tau_prior.to_dict(),
        "baseline_prior": f"N(0, {bn.BASELINE_SD:g}^2) on each study's control log odds",
        "mcid_or": args.mcid, "random_seed": args.random_seed,
    }
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "binary_synthesis.json").write_text(json.dumps(out, indent=2))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print_text(out)
    return 0


def _fmt(d: dict) -> str:
    return f"{d['median']:.3f} ({d['lower']:.3f} to {d['upper']:.3f})"


def _print_text(out: dict) -> None:
    w = sys.stdout.write
    ex, ap = out["binomial_normal"], out["normal_approximation"]
    w(f"Meta-analysis of {len(out['studies'])} 2x2 tables: odds ratio, treatment vs control; "
      f"{100 * out['ci_prob']:g}% intervals; better = {out['better']}\n")
    w(f"priors: mu {out['mu_prior']}; tau {out['tau_prior']['rationale']}; {out['baseline_prior']}\n")
    w(f"{'':<24}{'binomial-normal (exact likelihood)':<38}normal approximation (log ORs)\n")
    rows = [("mean odds ratio", "mean_effect_or"), ("new study's odds ratio", "predictive_or"), ("tau (log OR)", "tau")]
    for name, key in rows:
        right = _fmt(ap[key]) if key in ap else ap.get("not_fitted", "")
        w(f"{name:<24}{_fmt(ex[key]):<38}{right}\n")
    keys = ["prob_better", "prob_new_study_better"]
    keys += ["prob_better_than_mcid"] if "prob_better_than_mcid" in ex else []
    for k in keys:
        left = f"{format_probability(ex[k])} (MC SE {ex['mcse'][k]:.2g})"
        right = format_probability(ap[k]) if k in ap else ""
        w(f"{k:<24}{left:<38}{right}\n")
    w(f"convergence: R-hat {ex['r_hat']:.3f}, ESS {ex['ess_bulk']:.0f}, divergences {ex['divergences']}\n")
    w("continuity correction (approximation only): " + "; ".join(out["continuity_correction"]) + "\n")
