"""``bayes-ldn synthesize``: random-effects synthesis of the LDN pain trials, or of a user's studies.

Bundled (default): FINAL, INNOVA, Bested 2023 (SPIR) and Younger 2013 on the SMD scale (crossover
correlation ``--rho``, default 0.5) or on NRS points (``--scale nrs``); exact posterior by quadrature.
``--out DIR`` writes ``synthesis_table.csv``, ``forest.png``, ``assurance.png`` (pain: the synthesis
predictive as design prior; CPM: FINAL's posterior under a moderately skeptical prior),
``assurance.csv``, ``leave_one_out.csv``, ``prior_sensitivity.csv`` and ``rho_sweep.csv``.

``--data FILE.csv`` (columns ``study``, ``estimate``, and ``se`` or ``lower``/``upper``; optional
``ci_prob``, ``dose_mg``, ``evidence``, ``verified``, ``design``) runs the same synthesis on the user's
studies; ``--out`` then writes the table and the forest plot (and the assurance curve when
``--outcome-sd`` is given). A ``--data`` file with columns ``study, events_treatment, n_treatment,
events_control, n_control`` is a set of 2x2 tables: the binomial-normal model and the normal
approximation on log odds ratios are fitted side by side (:mod:`bayes_ldn.cli._binary_synthesize`). Estimates are read as "positive = better" unless ``--better lower``.
Nothing is written until every input has been validated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn import synthesis as sy
from bayes_ldn.cli._output import json_safe
from bayes_ldn.cli._binary_synthesize import add_arguments as add_binary_arguments
from bayes_ldn.cli._binary_synthesize import is_binary_csv, run_binary_synthesis
from bayes_ldn.synthesis.outputs import DEFAULTS, MCID, synthesis_outputs
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import format_probability

__all__ = ["register", "run"]



def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``synthesize`` subcommand."""
    p = sub.add_parser("synthesize", help="random-effects synthesis of LDN trials (or your studies)")
    p.add_argument("--out", type=Path, help="directory to write the table and figures into")
    p.add_argument("--data", type=Path, help="CSV of studies: study, estimate, se or lower/upper")
    p.add_argument("--better", choices=("higher", "lower"), default="higher",
                   help="direction of benefit of --data estimates (default higher: positive = better)")
    p.add_argument("--mu-prior", default=DEFAULTS["mu_prior"], help="normal:MEAN,SD or flat (default flat)")
    p.add_argument("--tau-prior", default=DEFAULTS["tau_prior"],
                   help="halfnormal:SCALE | halfcauchy:SCALE | rhodes (SMD only) | fixed:VALUE | uniform:L,U | "
                        "turner[:SETTING] (log OR only) | gamma_precision:A,B "
                        "(default halfnormal:0.5, weakly informative on an SMD or log-OR scale)")
    p.add_argument("--mcid", type=float, help="clinical threshold (default 0.5 SMD, 1 NRS point; none for --data)")
    p.add_argument("--scale", choices=sy.SCALES, default=DEFAULTS["scale"], help="bundled trials' common scale (default smd)")
    p.add_argument("--rho", type=float, default=DEFAULTS["rho"], help="crossover within-patient correlation (default 0.5)")
    p.add_argument("--bested-outcome", choices=("spir", "fiqr"), default=DEFAULTS["bested_outcome"], help="Bested 2023 outcome")
    p.add_argument("--include-sensitivity", action="store_true", help="add Younger 2009 (symptoms)")
    p.add_argument("--outcome-sd", type=float, help="between-patient SD for --data assurance")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.add_argument("--json", action="store_true", help="print mu, tau, predictive and P(mu > 0) as JSON")
    add_binary_arguments(p)
    p.set_defaults(func=run)


def _parse_mu_prior(text: str) -> tuple[float, float] | None:
    if text == "flat":
        return None
    prior = pr.parse_prior(text) if text.startswith("normal:") else None
    if prior is None or prior.family != "normal":
        raise DataValidationError("mu prior", [f"cannot read --mu-prior {text!r}; write normal:MEAN,SD or flat"])
    return prior.params["mu"], prior.params["sigma"]


def _validate(args: argparse.Namespace) -> tuple:
    problems: list[str] = []
    mu_prior = tau_prior = None
    for parse, text, name in ((_parse_mu_prior, args.mu_prior, "mu"), (sy.parse_tau_prior, args.tau_prior, "tau")):
        try:
            val = parse(text)
        except DataValidationError as err:
            problems += list(err.problems)
            continue
        if name == "mu":
            mu_prior = val
        else:
            tau_prior = val
    if not 0 < args.ci_prob < 1:
        problems.append(f"--ci-prob must lie in (0, 1), got {args.ci_prob}")
    if args.data is None and not 0 <= args.rho < 1:
        problems.append(f"--rho must lie in [0, 1), got {args.rho}")
    if args.outcome_sd is not None and not args.outcome_sd > 0:
        problems.append(f"--outcome-sd must be positive, got {args.outcome_sd}")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        problems.append(f"--out {str(args.out)!r} exists and is not a directory")
    studies = None
    if args.data is not None:
        try:
            studies = sy.read_studies_csv(args.data, better=args.better)
        except DataValidationError as err:
            problems += [f"{err.what}: {p}" for p in err.problems]
    raise_if("bayes-ldn synthesize", problems)
    return mu_prior, tau_prior, studies


def run(args: argparse.Namespace) -> int:
    """Validate, compute everything in memory, then write (or print)."""
    if args.data is not None and is_binary_csv(args.data):
        return run_binary_synthesis(args, _parse_mu_prior)
    mu_prior, tau_prior, studies = _validate(args)
    bundled = studies is None
    result, studies, files = synthesis_outputs(
        studies, mu_prior=mu_prior, mu_prior_label=args.mu_prior, tau_prior=tau_prior, mcid=args.mcid,
        ci_prob=args.ci_prob, scale=args.scale, rho=args.rho, bested_outcome=args.bested_outcome,
        include_sensitivity=args.include_sensitivity, outcome_sd=args.outcome_sd,
        files=args.out is not None)
    mcid = args.mcid if args.mcid is not None else (MCID[args.scale] if bundled else None)
    summary = result.summary(args.ci_prob)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (args.out / name).write_bytes(content)
    if args.json:
        out = {
            "scale": result.scale, "studies": [s.label for s in studies],
            "mu": summary["mu"], "tau": summary["tau"], "predictive": summary["predictive"],
            "prob_mu_positive": summary["prob_mu_positive"],
            "prob_mu_above_mcid": summary.get("prob_mu_above_mcid"), "mcid": mcid,
            "mu_prior": args.mu_prior, "tau_prior": tau_prior.to_dict(), "ci_prob": args.ci_prob,
            "files": sorted(files), "quadrature_error": summary["quadrature_error"],
            "moments": "null where a moment does not exist (heavy-tailed tau prior, few studies)",
        }
        print(json.dumps(json_safe(out), indent=2, allow_nan=False))
    else:
        _print_text(result, summary, args, sorted(files))
    return 0


def _print_text(result, summary, args, files) -> None:
    w = sys.stdout.write
    w(f"Random-effects synthesis ({result.scale}), positive = treatment better; {100 * args.ci_prob:g}% intervals\n")
    w(f"priors: mu {args.mu_prior}; tau {result.tau_prior.name} ({result.tau_prior.rationale})\n")
    for s in result.studies:
        th = result.posterior.theta[s.label]
        lo, hi = th.interval(args.ci_prob)
        flag = "" if s.verified else "  [unverified]"
        w(f"  {s.label:<16} {s.estimate:7.3f} (SE {s.se:.3f})  shrunken {th.median:6.3f} ({lo:.3f} to {hi:.3f})"
          f"  [{s.evidence}]{flag}\n")
    for key, name in (("mu", "mean effect"), ("tau", "between-trial SD"), ("predictive", "new trial")):
        d = summary[key]
        w(f"  {name:<16} {d['median']:7.3f} ({d['lower']:.3f} to {d['upper']:.3f})\n")
    w(f"  P(mu > 0) = {format_probability(summary['prob_mu_positive'])}")
    if "prob_mu_above_mcid" in summary:
        w(f"; P(mu > {summary['mcid']:g}) = {format_probability(summary['prob_mu_above_mcid'])}")
    w("\n")
    if files:
        w(f"wrote {', '.join(files)} to {args.out}\n")
