"""``bayes-ldn sbc``: simulation-based calibration of a shipped model.

Examples
--------
``bayes-ldn sbc --model hierarchical --n-sims 1000 --scheduler processes --out sbc_runs``
runs 1000 SBC simulations of the hierarchical model (NUTS via nutpie, compiled once per
worker), saving rows under ``sbc_runs/`` so that an interrupted run resumes, and prints the
chi-square uniformity test of every parameter's ranks. ``--method exact`` uses the exact
posterior instead (aggregate and hierarchical models), which checks the closed forms. NUTS
samples at ``--target-accept`` (default :data:`bayes_ldn.defaults.TARGET_ACCEPT`, the value every
bayes-ldn fit uses), recorded with the other settings in the study's ``study.json``.
"""

from __future__ import annotations

import argparse
import sys

from bayes_ldn import defaults
from bayes_ldn.exceptions import DataValidationError

__all__ = ["register", "run"]

#: Every registered structure (bayes_ldn.simulation.structures; a test checks the two lists agree).
MODELS = ("crossover", "crossover_student", "first_period", "first_period_student", "crossover_joint", "parallel",
          "parallel_change", "parallel_student", "parallel_family", "parallel_family_corr", "meta_regression",
          "binomial_normal", "aggregate", "hierarchical")
EXACT_MODELS = ("aggregate", "hierarchical")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``sbc`` subcommand."""
    p = sub.add_parser("sbc", help="simulation-based calibration of a model (serial, processes or Dask)")
    p.add_argument("--model", choices=MODELS, required=True, help="model structure to calibrate")
    p.add_argument("--n-sims", type=int, required=True, help="number of simulations (>= 100 for 20 rank bins)")
    p.add_argument("--method", choices=("nuts", "exact"), default="nuts",
                   help="posterior engine: NUTS (nutpie, compiled once) or the exact posterior (default nuts)")
    p.add_argument("--scheduler", default="serial",
                   help="serial | processes | a Dask scheduler address such as tcp://HOST:8786 (default serial)")
    p.add_argument("--workers", type=int, help="worker processes for --scheduler processes (default: CPU count)")
    p.add_argument("--out", help="folder for resumable output (rows.jsonl per study); none = in memory")
    p.add_argument("--seed", type=int, default=1, help="root seed of all simulations (default 1)")
    p.add_argument("--draws", type=int, default=500, help="NUTS draws per chain (default 500)")
    p.add_argument("--tune", type=int, default=500, help="NUTS tuning steps per chain (default 500)")
    p.add_argument("--chains", type=int, default=2, help="NUTS chains per fit (default 2)")
    p.add_argument("--target-accept", type=float, default=defaults.TARGET_ACCEPT,
                   help=f"NUTS step-size adaptation target (default {defaults.TARGET_ACCEPT}, as bayes-ldn fits use)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar (default: when standard error is a terminal)")
    p.set_defaults(func=run)


def _bins(n_sims: int) -> int:
    """Most bins (dividing the 100 possible ranks) with an expected count of at least 5."""
    return next(b for b in (20, 10, 5, 4, 2) if n_sims / b >= 5)


def run(args: argparse.Namespace) -> int:
    """Validate, run the study, print the uniformity table."""
    from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, available_structures

    problems = []
    if args.n_sims is None or args.n_sims < 10:
        problems.append(f"--n-sims must be at least 10 for a rank test (100+ recommended), got {args.n_sims}")
    if args.model not in available_structures():
        problems.append(f"--model {args.model}: its design module is not installed here; available: "
                        f"{', '.join(available_structures())}")
    if args.method == "exact" and args.model not in EXACT_MODELS:
        problems.append(f"--method exact exists only for {', '.join(EXACT_MODELS)}; use --method nuts")
    if args.seed < 0:
        problems.append(f"--seed must be a non-negative integer, got {args.seed}")
    for name in ("draws", "tune", "chains"):
        if getattr(args, name) < 1:
            problems.append(f"--{name} must be at least 1, got {getattr(args, name)}")
    if not 0 < args.target_accept < 1:
        problems.append(f"--target-accept must lie strictly between 0 and 1, got {args.target_accept}")
    if args.workers is not None and args.workers < 1:
        problems.append(f"--workers must be at least 1, got {args.workers}")
    if args.scheduler not in ("serial", "processes") and ":" not in args.scheduler:
        problems.append(f"--scheduler must be serial, processes or a Dask address HOST:PORT, got {args.scheduler!r}")
    if problems:
        raise DataValidationError("bayes-ldn sbc", problems)

    from bayes_ldn.simulation import Study, rank_uniformity, run_study, throughput
    from bayes_ldn.simulation.sbc import SBC_ALPHA, SBC_DRAWS, nuts_study, sbc_aggregate_exact, sbc_hierarchical_exact

    structure = DEFAULT_STRUCTURES[args.model]
    if args.method == "exact":
        function = sbc_aggregate_exact if args.model == "aggregate" else sbc_hierarchical_exact
        study = Study(f"sbc-{args.model}-exact", function, {**structure, "n_draws": SBC_DRAWS})
    else:
        study = nuts_study(args.model, draws=args.draws, tune=args.tune, chains=args.chains,
                           target_accept=args.target_accept)
    result = run_study(study, n_sims=args.n_sims, root_seed=args.seed, scheduler=args.scheduler,
                       out_dir=args.out, workers=args.workers, progress=args.progress)
    table = rank_uniformity(result.rows, n_draws=SBC_DRAWS, bins=_bins(args.n_sims))
    settings = (f", NUTS {args.chains} x {args.draws} draws after {args.tune} tuning, target_accept "
                f"{args.target_accept}" if args.method == "nuts" else "")
    print(f"SBC of the {args.model} model ({args.method}{settings}), {args.n_sims} simulations, root seed "
          f"{args.seed}, scheduler {result.scheduler}; {result.n_computed} computed now")
    if result.n_computed:
        rate = throughput(result)
        print(f"throughput: {rate['overall']:.0f} fits/min in {result.wall_seconds:.1f} s (start-up included), "
              f"{rate['steady']:.0f} fits/min once warm on {rate['workers']:.0f} worker(s); "
              f"slowest first fit (imports, compile) {rate['first_fit_seconds']:.1f} s")
    print(f"test: chi-square on {table['bins'].iloc[0]} rank bins (L = {SBC_DRAWS} draws), uniform when "
          f"p >= {SBC_ALPHA} / {len(table)} parameters (Bonferroni)")
    if "divergences" in result.rows:
        print(f"divergent transitions: {int(result.rows['divergences'].sum())} in total")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if result.folder is not None:
        print(f"rows: {result.folder / 'rows.jsonl'}")
    if not table["uniform"].all():
        print("SBC FAILED for: " + ", ".join(table.loc[~table["uniform"], "parameter"]), file=sys.stderr)
        return 1
    return 0
