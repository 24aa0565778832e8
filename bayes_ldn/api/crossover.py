"""``analyze_crossover``: the crossover mixed model on a DataFrame in one call.

The names and defaults are the command line's (``bayes-ldn crossover``), which is a thin layer
over this function: column roles (``subject=``, ``period=``, ...), ``active``/``control``
levels, ``better`` (required), ``carryover``, ``likelihood``, ``prior``, ``nuisance``,
``scale``, ``equivalence``, ``incomplete``, ``mcid``, ``rope``, ``ci_prob``, ``random_seed``,
``draws``, ``tune``, ``chains``, ``sampler``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.api._choices import magnitude_problems, shared_choices
from bayes_ldn.api.result import Analysis
from bayes_ldn.crossover_analysis import crossover_decision_row, effect_summary
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.designs.crossover import UNIT_FREE, crossover_model
from bayes_ldn.diagnostics import convergence_table, effect_and_worst, failed_checks, prob_mcse
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.fit import UNCHECKED, fit, sampling_problems
from bayes_ldn.ratios import scale_summaries

__all__ = ["CROSSOVER_SEED", "analyze_crossover", "crossover_option_problems"]

#: Default seed of a crossover fit (the command line's ``--seed``).
CROSSOVER_SEED = 1


def crossover_option_problems(*, better: str | None, mcid: float | None, rope: float | None, ci_prob: float,
                              draws: int, tune: int, chains: int, prefix: str = "",
                              random_seed: object = UNCHECKED) -> list[str]:
    """Every problem with the analysis options (``prefix="--"`` words them as flags)."""
    out = []
    if better is None:
        out.append(f"{prefix}better higher|lower is required: the direction of benefit is an analysis choice")
    out += magnitude_problems(mcid=mcid, rope=rope, ci_prob=ci_prob, prefix=prefix)
    return out + sampling_problems(draws=draws, tune=tune, chains=chains, prefix=prefix, random_seed=random_seed)



def _rows(df: pd.DataFrame) -> dict[str, dict[str, float]]:
    keys = ["mean", "sd", "median", "lower", "upper"]
    return {str(r["label"]): {k: float(r[k]) for k in keys} for _, r in df.iterrows()}


def analyze_crossover(
    data: pd.DataFrame | CrossoverData,
    *,
    active: str,
    control: str,
    better: str,
    subject: str = "subject",
    sequence: str = "sequence",
    period: str = "period",
    treatment: str = "treatment",
    outcome: str = "outcome",
    baseline: str | None = None,
    carryover: bool = False,
    likelihood: str = "normal",
    prior: str | pr.EffectPrior = "vague",
    nuisance: str = UNIT_FREE,
    scale: str = "linear",
    equivalence: str | tuple[float, float] | None = None,
    incomplete: str = "use",
    mcid: float | None = None,
    rope: float | None = None,
    ci_prob: float = defaults.CI_PROB,
    random_seed: int = CROSSOVER_SEED,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    sampler: str = defaults.NUTS_SAMPLER,
    trial: str = "",
    units: str = "",
) -> Analysis:
    r"""Fit the crossover mixed model (:func:`bayes_ldn.designs.crossover.crossover_model`) to a DataFrame.

    Parameters
    ----------
    data : pandas.DataFrame or CrossoverData
        Long format, one row per subject x period; the column of each role is named by
        ``subject``, ``sequence``, ``period``, ``treatment``, ``outcome`` (and ``baseline``).
    active, control : str
        Levels of the treatment column; the printed effect is active minus control.
    better : {"higher", "lower"}
        Direction of benefit (required: an analysis choice with no safe default).
    carryover : bool
        Add a sequence (= carry-over in AB/BA) effect.
    likelihood : {"normal", "student"}
    prior : str or EffectPrior
        ``"vague"``, a preset ``NAME[_strength]`` anchored on ``mcid`` (directional), or a prior
        on the **printed** scale (``"normal:MEAN,SD"``, ``"t:MEAN,SD,DF"``,
        :func:`bayes_ldn.priors.normal`); :func:`bayes_ldn.priors.from_printed` aligns it.
    nuisance : str
        ``"unit_free"`` (default) or a fixed preset (:mod:`bayes_ldn.designs.nuisance`).
    scale : {"linear", "log"}
        ``"log"`` analyses log(outcome) and reports the ratio of geometric means.
    equivalence : "L,U" or (L, U), optional
        Adds P(L < ratio < U) (log scale) or P(L < difference < U).
    incomplete : {"use", "drop"}
        Keep subjects missing a period (mixed model) or analyse complete subjects only.
    mcid, rope : float, optional
        Positive magnitudes on the analysis scale.
    ci_prob : float
        Credible interval probability.
    random_seed, draws, tune, chains, sampler
        Sampling settings (:func:`bayes_ldn.fit.fit`).

    Returns
    -------
    Analysis
        ``.summary()``, ``.plot()``, ``.idata`` (with ``treatment_effect`` = printed and
        ``treatment_effect_aligned`` = :math:`a \times` printed, :math:`a` = +1 for "higher",
        -1 for "lower"), ``.to_dict()`` (the command line's ``--json``).

    Raises
    ------
    DataValidationError
        Every problem with the options and the data, at once.
    """
    aligned, bounds, problems = shared_choices(prior=prior, better=better, mcid=mcid, equivalence=equivalence,
                                               scale=scale)
    problems = crossover_option_problems(better=better, mcid=mcid, rope=rope, ci_prob=ci_prob, draws=draws,
                                         tune=tune, chains=chains, random_seed=random_seed) + problems
    if incomplete not in ("use", "drop"):
        problems.append(f"incomplete must be 'use' or 'drop', got {incomplete!r}")
    xo = None
    dropped = 0
    try:
        if isinstance(data, CrossoverData):
            xo = data
        else:
            columns = {"subject": subject, "sequence": sequence, "period": period, "treatment": treatment,
                       "outcome": outcome}
            if baseline is not None:
                columns["baseline"] = baseline
            xo = CrossoverData.from_frame(data, treatment=active, reference=control, columns=columns, scale=scale)
        if incomplete == "drop":
            dropped = xo.completeness()["n_incomplete_subjects"]
            xo = xo.complete_only()
    except DataValidationError as err:
        problems += list(err.problems)
    if problems or xo is None or aligned is None:
        raise DataValidationError("crossover analysis", problems)

    kind = "sequence" if carryover else "none"
    model = crossover_model(xo, aligned, better=better, carryover=kind, likelihood=likelihood,
                            baseline=baseline is not None, nuisance=nuisance)
    checked = ["treatment_effect_aligned", "period_effect", "subject_sd", "residual_sd"]
    checked += ["sequence_effect"] if carryover else []
    checked += ["baseline_slope"] if baseline is not None else []
    checked += ["residual_df"] if likelihood == "student" else []
    idata = fit(model, random_seed=random_seed, draws=draws, tune=tune, chains=chains, nuts_sampler=sampler,
                var_names_check=checked)
    row = crossover_decision_row(model, idata, aligned, mcid=mcid, rope=rope, trial=trial, outcome=outcome,
                                 units=units, ci_prob=ci_prob)
    conv = convergence_table(idata, checked)
    out: dict[str, Any] = {k: row[k] for k in ("mean", "sd", "median", "lower", "upper", "ci_prob", "ci_kind",
                                               "prob_better")}
    if mcid is not None:
        out["prob_better_than_mcid"] = row["prob_better_than_mcid"]
    if rope is not None:
        out["prob_rope"] = row["prob_rope"]
    out.update(prob_harm=row["prob_harm"], contrast=f"{xo.treatment} - {xo.reference}", scale=xo.scale)
    # Each probability's own MCSE; the effect's mcse/ESS and the worst over every checked parameter
    # come below under names of their own (issue 18: `ess_bulk` once meant the minimum over all).
    aligned_draws = idata["posterior"]["treatment_effect_aligned"]
    indicators = {"prob_better": aligned_draws > 0, "prob_harm": aligned_draws < 0,
                  "prob_better_than_mcid": None if mcid is None else aligned_draws > mcid,
                  "prob_rope": None if rope is None else abs(aligned_draws) <= rope}
    out["prob_mcse"] = {k: prob_mcse(ind) for k, ind in indicators.items() if ind is not None}
    effect = idata["posterior"]["treatment_effect"]
    out.update(scale_summaries(effect, scale=xo.scale, ci_prob=ci_prob, bounds=bounds))
    out["period_effect"] = _rows(effect_summary(idata, "period_effect", ci_prob=ci_prob))
    if carryover:
        out["sequence_effect"] = _rows(effect_summary(idata, "sequence_effect", ci_prob=ci_prob))
    problems = failed_checks(conv)
    # The row's R-hat/ESS are the worst over every parameter reported, not only the effect.
    row.update(r_hat=float(conv["r_hat"].max()), ess_bulk=float(conv["ess_bulk"].min()))
    out.update(**effect_and_worst(idata, conv, "treatment_effect_aligned"), checked_parameters=list(conv["parameter"]),
               divergences=int(conv["divergences"].iloc[0]), converged=not problems,
               convergence_problems=problems, **xo.completeness(), incomplete=incomplete,
               n_subjects_dropped=dropped,
               nuisance=model.choices["nuisance"], data_scale=model.choices["data_scale"],
               prior=aligned.describe(), prior_scale="aligned (positive = better)",
               choices={k: v for k, v in model.choices.items() if k != "sequence_orders"},
               sequence_orders={k: list(v) for k, v in xo.sequence_orders.items()}, random_seed=random_seed)
    return Analysis(design="crossover", rows=[row], details=[out], fits={outcome: idata}, convergence=conv,
                    draws={outcome: effect.values.ravel()})
