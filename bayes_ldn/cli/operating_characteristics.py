"""``bayes-ldn operating-characteristics``: how often a posterior-probability rule fires.

Example
-------
``bayes-ldn operating-characteristics --n-outcomes 5 --n-sims 20000 --threshold 0.95
--pooling both --tau-scale 0.5`` estimates the false-positive rate of "P(LDN better) > 0.95 on
any of five outcomes" under the null (five independent outcomes with FINAL-like standardized
SEs, sqrt(1/45 + 1/47)), unpooled (flat prior per outcome) and pooled (normal-normal
hierarchical model, flat prior on the mean, half-normal prior on tau), with binomial Monte Carlo
errors and the closed form of the unpooled rate. Exact posteriors: no MCMC.
"""

from __future__ import annotations

import argparse

from bayes_ldn import defaults
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.validation import number_problems

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``operating-characteristics`` subcommand."""
    from bayes_ldn.simulation.structures import FINAL_SE

    p = sub.add_parser("operating-characteristics",
                       help="false-positive rate / power of 'P(better) > threshold on any outcome'")
    p.add_argument("--n-outcomes", type=int, required=True, help="number of independent outcomes")
    p.add_argument("--n-sims", type=int, required=True, help="number of simulated trials")
    p.add_argument("--threshold", type=float, required=True, help="posterior probability threshold, e.g. 0.95")
    p.add_argument("--pooling", choices=("none", "hierarchical", "both"), required=True,
                   help="unpooled flat-prior analysis, the hierarchical model, or both on the same data")
    p.add_argument("--tau-scale", type=float,
                   help="scale of the half-normal prior on tau (SD units); required with hierarchical pooling")
    p.add_argument("--se", type=float, default=FINAL_SE,
                   help=f"standardized SE of each outcome (default FINAL-like {FINAL_SE:.4f})")
    p.add_argument("--true-effect", type=float, default=0.0,
                   help="true standardized effect on every outcome (default 0: the null)")
    p.add_argument("--scheduler", default="serial", help="serial | processes | Dask address HOST:PORT")
    p.add_argument("--out", help="folder for resumable output")
    p.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="coverage of the Wilson interval")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate, simulate, print the rates."""
    problems = []
    if args.n_outcomes < 1:
        problems.append(f"--n-outcomes must be at least 1, got {args.n_outcomes}")
    if args.n_sims < 1:
        problems.append(f"--n-sims must be at least 1, got {args.n_sims}")
    if not 0 < args.threshold < 1:
        problems.append(f"--threshold must be strictly between 0 and 1, got {args.threshold}")
    if args.pooling != "none" and args.tau_scale is None:
        problems.append("--pooling hierarchical/both needs --tau-scale (the half-normal prior scale of tau, "
                        "e.g. 0.5 SD): the heterogeneity prior is an analysis choice")
    if args.tau_scale is not None and not args.tau_scale > 0:
        problems.append(f"--tau-scale must be positive, got {args.tau_scale}")
    if not args.se > 0:
        problems.append(f"--se must be positive, got {args.se}")
    if not 0 < args.ci_prob < 1:
        problems.append(f"--ci-prob must be strictly between 0 and 1, got {args.ci_prob}")
    if args.seed < 0:
        problems.append(f"--seed must be a non-negative integer, got {args.seed}")
    if args.scheduler not in ("serial", "processes") and ":" not in args.scheduler:
        problems.append(f"--scheduler must be serial, processes or a Dask address HOST:PORT, got {args.scheduler!r}")
    # Non-finite or overflowing numbers (--se inf passed "positive", --true-effect nan was unchecked).
    problems += number_problems({"--se": args.se, "--true-effect": args.true_effect, "--tau-scale": args.tau_scale},
                                scales=("--se", "--tau-scale"))
    if problems:
        raise DataValidationError("bayes-ldn operating-characteristics", problems)

    from bayes_ldn.simulation import Study, any_outcome_rule, run_study, summarize_rates, unpooled_false_positive_rate

    tau_scale = None if args.pooling == "none" else args.tau_scale
    study = Study("operating-any-outcome", any_outcome_rule,
                  {"ses": [args.se] * args.n_outcomes, "true_effect": args.true_effect,
                   "threshold": args.threshold, "tau_scale": tau_scale})
    result = run_study(study, n_sims=args.n_sims, root_seed=args.seed, scheduler=args.scheduler,
                       out_dir=args.out, progress=args.progress)
    table = summarize_rates(result.rows, ci_prob=args.ci_prob)
    if args.pooling == "hierarchical":
        table = table[table["analysis"] != "unpooled"]
    labels = {"unpooled": "unpooled, flat prior per outcome",
              "pooled": f"pooled, any outcome (tau ~ HalfNormal({tau_scale}), flat mu)",
              "pooled_mean": "pooled, mean effect mu"}
    table = table.assign(analysis=table["analysis"].map(labels))
    print(f"rule: P(effect > 0 | data) > {args.threshold} on any of {args.n_outcomes} outcome(s); "
          f"true effect {args.true_effect} SD, SE {args.se:.4f}; {args.n_sims} simulations, root seed {args.seed}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.true_effect == 0 and args.pooling != "hierarchical":
        print(f"closed form (unpooled, null): 1 - {args.threshold}^{args.n_outcomes} = "
              f"{unpooled_false_positive_rate(args.n_outcomes, args.threshold):.4f}")
    print(f"interval: Wilson {args.ci_prob:g}; mcse = sqrt(rate (1 - rate) / n_sims)")
    return 0
