"""``analyze_parallel``: ANCOVA or change-score reanalysis of a parallel-group DataFrame in one call.

Names and defaults are the command line's (``bayes-ldn parallel``, a thin layer over this):
``arm``, ``baseline``, ``followup`` columns, ``active``/``control`` levels, ``method`` and
``better`` (required), ``likelihood``, ``prior``, ``mcid``, ``scale``, ``equivalence``,
``ci_prob``, ``random_seed``, ``draws``, ``tune``, ``chains``. The nuisance priors are the
reference ones (flat locations and slopes, p(sigma) ~ 1/sigma): unit-free without using the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.api._choices import magnitude_problems, shared_choices
from bayes_ldn.api.result import Analysis
from bayes_ldn.crossover_analysis import crossover_decision_row
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.designs.parallel import parallel_model, reference_nuisance
from bayes_ldn.diagnostics import convergence_table, divergences
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.fit import UNCHECKED, fit, sampling_problems
from bayes_ldn.ratios import scale_summaries

__all__ = ["PARALLEL_SEED", "analyze_parallel", "parallel_option_problems"]

#: Default seed of a parallel-group fit (the command line's ``--seed``).
PARALLEL_SEED = 20250411
#: Every parameter a parallel-group row reports, whose convergence is checked.
_REPORTED = ["treatment_effect_aligned", "change_reference", "residual_sd"]


def parallel_option_problems(*, better: str | None, method: str | None, mcid: float | None, ci_prob: float,
                             draws: int, tune: int, chains: int, prefix: str = "",
                             random_seed: object = UNCHECKED) -> list[str]:
    """Every problem with the analysis options (``prefix="--"`` words them as flags)."""
    problems: list[str] = []
    if better is None:
        problems.append(f"{prefix}better higher|lower is required: the direction of benefit is an analysis choice")
    if method not in ("ancova", "change"):
        problems.append(f"{prefix}method must be 'ancova' or 'change' (no default), got {method!r}")
    problems += magnitude_problems(mcid=mcid, rope=None, ci_prob=ci_prob, prefix=prefix)
    return problems + sampling_problems(draws=draws, tune=tune, chains=chains, prefix=prefix, random_seed=random_seed)


def _describe(x: np.ndarray, ci_prob: float) -> dict[str, float]:
    lo, med, hi = np.quantile(x, [(1 - ci_prob) / 2, 0.5, 1 - (1 - ci_prob) / 2])
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)), "median": float(med), "lower": float(lo),
            "upper": float(hi)}


def analyze_parallel(
    data: pd.DataFrame | ParallelData,
    *,
    active: str,
    control: str,
    better: str,
    method: str,
    arm: str = "arm",
    baseline: str = "baseline",
    followup: str = "followup",
    subject: str | None = None,
    outcome_name: str | None = None,
    covariates: Sequence[str] = (),
    likelihood: str = "normal",
    prior: str | pr.EffectPrior = "vague",
    mcid: float | None = None,
    rope: float | None = None,
    scale: str = "linear",
    equivalence: str | tuple[float, float] | None = None,
    ci_prob: float = defaults.CI_PROB,
    random_seed: int = PARALLEL_SEED,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    trial: str = "",
    units: str = "",
) -> Analysis:
    r"""Fit :func:`bayes_ldn.designs.parallel.parallel_model` to each outcome of a DataFrame.

    Parameters
    ----------
    data : pandas.DataFrame or ParallelData
        One row per subject (x outcome with ``outcome_name``).
    active, control : str
        Levels of the ``arm`` column; the printed effect is active minus control.
    better : {"higher", "lower"}
        Direction of benefit (required).
    method : {"ancova", "change"}
        Required: ANCOVA (baseline slope estimated) or change score (slope 1).
    prior : str or EffectPrior
        As :func:`bayes_ldn.api.analyze_crossover`: printed-scale locations, directional presets.
    mcid, rope : float, optional
        Positive magnitudes; add P(better by > MCID) and P(|effect| <= rope) to the decision row.
    scale, equivalence, ci_prob, random_seed, draws, tune, chains
        As the command line.

    Returns
    -------
    Analysis
        One decision row and one DataTree per outcome (``.fits``); ``.to_dict()`` is the
        command line's ``--json``.
    """
    aligned, bounds, problems = shared_choices(prior=prior, better=better, mcid=mcid, equivalence=equivalence,
                                               scale=scale)
    problems = parallel_option_problems(better=better, method=method, mcid=mcid, ci_prob=ci_prob, draws=draws,
                                        tune=tune, chains=chains, random_seed=random_seed) + problems
    problems += magnitude_problems(mcid=None, rope=rope, ci_prob=0.5)  # rope only (ci_prob checked above)
    pdata = data if isinstance(data, ParallelData) else None
    if pdata is None:
        columns = {"arm": arm, "baseline": baseline, "followup": followup, "outcome": outcome_name,
                   "subject": subject}
        try:
            pdata = ParallelData.from_frame(data, treatment=active, reference=control, columns=columns,
                                            covariates=list(covariates), scale=scale)
        except DataValidationError as err:
            problems += list(err.problems)
    if problems or pdata is None or aligned is None:
        raise DataValidationError("parallel analysis", problems)

    rows, details, fits, draws_out, tables = [], [], {}, {}, []
    for name in pdata.outcomes:
        model = parallel_model(pdata.select(name), aligned, better=better, method=method, likelihood=likelihood,
                               nuisance=reference_nuisance())
        checked = _REPORTED + (["baseline_slope"] if method == "ancova" else [])
        checked += ["residual_df"] if likelihood == "student" else []
        idata = fit(model, random_seed=random_seed, draws=draws, tune=tune, chains=chains, var_names_check=checked)
        post = idata["posterior"]
        conv = convergence_table(idata, checked)
        row = crossover_decision_row(model, idata, aligned, mcid=mcid, rope=rope, trial=trial, outcome=name,
                                     units=units, ci_prob=ci_prob)
        row.update(r_hat=float(conv["r_hat"].max()), ess_bulk=float(conv["ess_bulk"].min()))
        effect = post["treatment_effect"]
        res: dict[str, Any] = {
            "outcome": name, "contrast": "active minus control", **_describe(effect.values.ravel(), ci_prob),
            "ci_prob": ci_prob, "ci_kind": defaults.CI_KIND,
            "prob_better": float(np.mean(post["treatment_effect_aligned"].values > 0)),
            "change_active": _describe(post["change_treatment"].values.ravel(), ci_prob),
            "change_control": _describe(post["change_reference"].values.ravel(), ci_prob),
            "r_hat": row["r_hat"], "ess_bulk": row["ess_bulk"], "divergences": divergences(idata),
        }
        if mcid is not None:
            res["prob_better_than_mcid"] = row["prob_better_than_mcid"]
        res.update(method=method, likelihood=likelihood, prior=aligned.describe(),
                   prior_scale="aligned (positive = better)", seed=random_seed, scale=pdata.scale,
                   nuisance="reference (flat locations and slopes, 1/sigma): unit-free, uses no data")
        res.update(scale_summaries(effect, scale=pdata.scale, ci_prob=ci_prob, bounds=bounds))
        rows.append(row)
        details.append(res)
        fits[name] = idata
        draws_out[name] = effect.values.ravel()
        tables.append(conv.assign(outcome=name))
    return Analysis(design="parallel", rows=rows, details=details, fits=fits,
                    convergence=pd.concat(tables, ignore_index=True), draws=draws_out)
