"""``bayes-ldn crossover``: fit the crossover mixed model to a user's long-format CSV.

One row per subject x period. The printed effect is active minus control on the outcome scale;
``prob_better`` is P(active better) in the direction given by ``--better``, which is required
because the direction of benefit is an analysis choice with no safe default. The other
analysis choices default to the standard analysis and are echoed in the output (``choices``):
no carry-over term, normal residuals, the ``vague`` (flat) effect prior, the ``unit_free``
nuisance priors (scaled by the outcome's mean and SD, so the answer does not depend on the
outcome's units or zero point; the mean and SD used are printed as ``data_scale``), the linear
scale, and every observed period of every subject (``--incomplete use``; ``drop`` keeps complete
subjects only). User-given priors (``normal:MEAN,SD``, ``t:MEAN,SD,DF``) are on the printed
scale (active minus control; log ratio with ``--scale log``); named presets are anchored on
``--mcid`` (a positive magnitude, a log ratio with ``--scale log``).

``--scale log`` analyses log(outcome): every value must be positive, the effect is printed as a
log ratio (``mean``, ``lower``, ...) and as the ratio of geometric means (``ratio``: median and
interval, the exp of the log-scale ones). ``--equivalence L,U`` adds the posterior probability
that the ratio (log scale) or the difference (linear scale) lies in ``(L, U)``; average
bioequivalence uses ``--scale log --ci-prob 0.9 --equivalence 0.80,1.25``.

Nothing is written until the data, the prior and the options are validated and the model has
been fitted; ``--out DIR`` then receives ``decision.csv`` (the decision row) and
``crossover.nc`` (the DataTree, netCDF; ``crossover.zarr`` when no netCDF4 backend, h5netcdf or
netCDF4, is installed).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.api.crossover import CROSSOVER_SEED, analyze_crossover, crossover_option_problems
from bayes_ldn.cli._output import orientation, print_result
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import SYNTHETIC_LABEL, simulate_crossover
from bayes_ldn.designs.crossover import NUISANCE_NAMES, UNIT_FREE
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import parse_equivalence
from bayes_ldn.summaries import DECISION_COLUMNS

__all__ = ["register", "run"]

_ROLES = ("subject", "sequence", "period", "treatment", "outcome")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``crossover`` subcommand."""
    p = sub.add_parser("crossover", help="Bayesian mixed model of a crossover trial from a CSV")
    p.add_argument("data", metavar="DATA.csv", nargs="?", help="long format: one row per subject x period")
    p.add_argument("--synthetic-seed", type=int, metavar="N",
                   help="instead of DATA.csv: synthetic Bested-like data (AB/BA, 58 patients, FIQR-like; "
                        "LDN - placebo = -3, period 2 - 1 = -2) for demonstration, labelled synthetic")
    for role in _ROLES:
        p.add_argument(f"--{role}", default=role, metavar="COL", help=f"{role} column (default {role!r})")
    p.add_argument("--baseline", metavar="COL", help="period baseline column (adjusts for it)")
    p.add_argument("--active", metavar="LEVEL", help="treatment level of the active arm (required)")
    p.add_argument("--control", metavar="LEVEL", help="treatment level of the control (required)")
    p.add_argument("--better", choices=("higher", "lower"), help="direction of benefit (required)")
    p.add_argument("--carryover", action="store_true",
                   help="add a sequence (= carry-over in AB/BA) effect; aliased with sequence in 2x2")
    p.add_argument("--likelihood", choices=("normal", "student"), default="normal", help="residuals")
    p.add_argument("--prior", default="vague", help="NAME[_strength] | normal:MEAN,SD | t:MEAN,SD,DF")
    p.add_argument("--nuisance", choices=NUISANCE_NAMES, default=UNIT_FREE,
                   help="nuisance priors (default unit_free: scaled by the outcome's mean and SD)")
    p.add_argument("--scale", choices=("linear", "log"), default="linear",
                   help="analysis scale; log: effects are ratios of geometric means (outcome must be > 0)")
    p.add_argument("--equivalence", metavar="L,U",
                   help="P(L < effect < U): ratios with --scale log (e.g. 0.80,1.25), differences otherwise")
    p.add_argument("--incomplete", choices=("use", "drop"), default="use",
                   help="subjects missing a period: use every observed period (mixed model, default) "
                        "or drop them (complete pairs only)")
    p.add_argument("--mcid", type=float, help="clinically important difference (positive magnitude)")
    p.add_argument("--rope", type=float, help="half-width of the region of practical equivalence")
    p.add_argument("--ci-prob", type=float, default=defaults.CI_PROB, help="credible interval probability")
    p.add_argument("--seed", "--random-seed", dest="seed", type=int, default=CROSSOVER_SEED,
                   help=f"random seed (default {CROSSOVER_SEED})")
    p.add_argument("--draws", type=int, default=defaults.DRAWS, help="draws per chain")
    p.add_argument("--tune", type=int, default=defaults.TUNE, help="tuning steps per chain")
    p.add_argument("--chains", type=int, default=defaults.CHAINS, help="chains")
    p.add_argument("--sampler", choices=("nutpie", "pymc"), default=defaults.NUTS_SAMPLER, help="NUTS sampler")
    p.add_argument("--trial", default="", help="trial name for the decision row")
    p.add_argument("--units", default="", help="outcome units for the decision row")
    p.add_argument("--out", metavar="DIR", help="write decision.csv and crossover.nc here")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _option_problems(a: argparse.Namespace) -> list[str]:
    out = crossover_option_problems(better=a.better, mcid=a.mcid, rope=a.rope, ci_prob=a.ci_prob, draws=a.draws,
                                    tune=a.tune, chains=a.chains, prefix="--")
    if a.out is not None and Path(a.out).exists() and not Path(a.out).is_dir():
        out.append(f"--out {a.out!r} exists and is not a directory")
    return out


def _inputs(a: argparse.Namespace) -> CrossoverData:
    problems = _option_problems(a)
    try:
        parse_equivalence(a.equivalence, a.scale)
    except DataValidationError as err:
        problems += list(err.problems)
    prior = None
    try:
        prior = pr.parse_prior(a.prior, mcid=a.mcid)
    except DataValidationError as err:
        problems += list(err.problems)
    data = None
    df = None
    synthetic = a.synthetic_seed is not None
    # Synthetic data name their own levels; a user's CSV needs --active and --control.
    active = a.active or ("LDN" if synthetic else None)
    control = a.control or ("placebo" if synthetic else None)
    if (a.data is not None) != synthetic:
        if synthetic:
            df, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=12.0,
                                       residual_sd=10.0, random_seed=a.synthetic_seed,
                                       treatment=active, reference=control)
        elif not Path(a.data).is_file():
            problems.append(f"cannot read {a.data!r}: no such file")
        else:
            try:
                df = pd.read_csv(a.data)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
                problems.append(f"cannot read {a.data!r} as CSV: {err}")
    else:
        problems.append("give DATA.csv or --synthetic-seed N (one of them)")
    for flag, level in (("active", active), ("control", control)):
        if level is None:
            problems.append(f"--{flag} LEVEL is required: the {flag} level of the treatment column")
    if df is not None and active is not None and control is not None:
        columns = {role: getattr(a, role) for role in _ROLES}
        if a.baseline is not None:
            columns["baseline"] = a.baseline
        try:
            data = CrossoverData.from_frame(df, treatment=active, reference=control, columns=columns,
                                            scale=a.scale)
        except DataValidationError as err:
            problems += list(err.problems)
    if problems or data is None or prior is None:
        raise DataValidationError("bayes-ldn crossover", problems)
    return data


def _write_datatree(idata: Any, stem: Path) -> Path:
    """netCDF when a netCDF4 backend works (netCDF4, or h5netcdf with h5py), else a zarr store."""
    netcdf = stem.with_suffix(".nc")
    try:
        idata.to_netcdf(netcdf)
        return netcdf
    except (ImportError, ValueError):
        # xarray raises these when no netCDF4-capable backend is importable.
        netcdf.unlink(missing_ok=True)
    # Unconsolidated: consolidated metadata is not part of the zarr v3 format.
    idata.to_zarr(stem.with_suffix(".zarr"), mode="w", consolidated=False)
    return stem.with_suffix(".zarr")


def run(args: argparse.Namespace) -> int:
    """Validate, fit (:func:`bayes_ldn.api.analyze_crossover`), print and (with ``--out``) write."""
    data = _inputs(args)
    result = analyze_crossover(
        data, active=data.treatment, control=data.reference, better=args.better, outcome=args.outcome,
        baseline=args.baseline, carryover=args.carryover, likelihood=args.likelihood, prior=args.prior,
        nuisance=args.nuisance, scale=args.scale, equivalence=args.equivalence, incomplete=args.incomplete,
        mcid=args.mcid, rope=args.rope, ci_prob=args.ci_prob, random_seed=args.seed, draws=args.draws,
        tune=args.tune, chains=args.chains, sampler=args.sampler, trial=args.trial, units=args.units)
    out = dict(result.to_dict())
    out["data_source"] = SYNTHETIC_LABEL if args.synthetic_seed is not None else str(args.data)
    out["orientation"] = orientation(out)
    if args.out is not None:
        target = Path(args.out)
        target.mkdir(parents=True, exist_ok=True)
        row = result.rows[0]
        pd.DataFrame([row])[[c for c in DECISION_COLUMNS if c in row]].to_csv(target / "decision.csv", index=False)
        written = [target / "decision.csv", _write_datatree(result.idata, target / "crossover")]
        out["written"] = [str(w) for w in written]
    return print_result(out, as_json=args.json)
