"""Crossover analyses in one call: the decision row of a fit and the carry-over sensitivity table.

:func:`carryover_sensitivity` fits, on the same data and prior,

* ``within_subject``: the standard model without carry-over;
* ``sequence_effect``: with a sequence (in AB/BA: carry-over) effect;
* ``carryover_prior``: first-order carry-over with the user's prior on it;
* ``first_period_only``: the parallel comparison of period 1 (carry-over free);

and compares the three models of all periods by PSIS-LOO (``arviz_stats.loo``/``compare``).
With one subject effect per two observations, pointwise PSIS-LOO is often unstable; the count
of Pareto k > 0.7 is in the table so a reader can discount the comparison.
"""

from __future__ import annotations

import warnings
from typing import Any

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.conversions import Converted
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.designs.crossover import UNIT_FREE, NuisancePriors, crossover_model
from bayes_ldn.designs.crossover_first_period import first_period_model
from bayes_ldn.diagnostics import convergence_table
from bayes_ldn.exceptions import raise_if
from bayes_ldn.fit import fit, sampling_problems
from bayes_ldn.priors import EffectPrior
from bayes_ldn.summaries import decision_row_from_draws
from bayes_ldn.validation import real_problems

__all__ = ["SENSITIVITY_COLUMNS", "carryover_sensitivity", "crossover_decision_row", "effect_summary"]

SENSITIVITY_COLUMNS = [
    "analysis", "carryover", "carryover_prior", "n_obs", "mean", "sd", "median", "lower", "upper",
    "ci_prob", "ci_kind", "prob_better", "carryover_mean", "carryover_sd", "elpd_loo", "elpd_se",
    "elpd_diff", "elpd_diff_se", "pareto_k_bad", "r_hat", "ess_bulk", "divergences",
]


def crossover_decision_row(
    model: TrialModel,
    idata: xr.DataTree,
    prior: EffectPrior,
    *,
    mcid: float | None,
    rope: float | None,
    trial: str,
    outcome: str,
    units: str,
    ci_prob: float = defaults.CI_PROB,
) -> dict[str, Any]:
    """The foundation's decision row (``summaries.DECISION_COLUMNS``) for a crossover fit.

    Location and interval are treatment minus reference on the outcome scale; probabilities are
    in the direction of benefit; ``mcid`` and ``rope`` are positive magnitudes.
    """
    sign = int(model.choices["sign"])
    # decision_row_from_draws reads its header (sign, units, provenance) from a likelihood; an
    # IPD fit has no published estimate, so the estimate is NaN and only the header is used.
    header = EffectLikelihood(
        estimate=float("nan"), se=1.0, sign=sign, scale=str(model.estimand.get("scale", "linear")), units=units,
        conversions=(Converted(float("nan"), "ipd", f"{model.design} model fitted to patient-level data; "
                               f"{_nuisance_note(model)}"),),
        provenance={"trial": trial, "outcome": outcome, "record": "", "evidence": "IPD", "verified": False},
        label=outcome,
    )
    return decision_row_from_draws(header, prior, idata, mcid=mcid, rope=rope,
                                   var_name="treatment_effect_aligned", ci_prob=ci_prob)


def _nuisance_note(model: TrialModel) -> str:
    """Which nuisance defaults the row rests on, and what the data contributed to them."""
    scale = model.choices.get("data_scale")
    if not scale:
        return f"nuisance priors {model.choices.get('nuisance', 'as given')!r} (fixed, outcome scale)"
    return (f"nuisance priors {model.choices.get('nuisance')!r} scaled by the outcome's mean {scale['location']:.6g} "
            f"and SD {scale['scale']:.6g}")


def effect_summary(idata: xr.DataTree, var_name: str, *, ci_prob: float = defaults.CI_PROB) -> pd.DataFrame:
    """Mean, sd, median and equal-tailed interval of every element of a posterior variable."""
    da = idata["posterior"][var_name]
    a = (1 - ci_prob) / 2
    extra = [d for d in da.dims if d not in ("chain", "draw")]
    stacked = da.stack(sample=("chain", "draw")).transpose(*extra, "sample")
    flat = stacked.values.reshape(-1, stacked.sizes["sample"])
    labels = ([""] if not extra else
              [",".join(str(da[d].values[i]) for d, i in zip(extra, idx, strict=True))
               for idx in np.ndindex(*[da.sizes[d] for d in extra])])
    lo, med, hi = np.quantile(flat, [a, 0.5, 1 - a], axis=1)
    return pd.DataFrame({"parameter": var_name, "label": labels, "mean": flat.mean(axis=1),
                         "sd": flat.std(axis=1), "median": med, "lower": lo, "upper": hi,
                         "ci_prob": ci_prob, "ci_kind": defaults.CI_KIND})


def _carryover_draws(idata: xr.DataTree) -> tuple[float, float]:
    post = idata["posterior"]
    for name in ("carryover_effect", "sequence_effect"):
        if name in post and post[name].size == post.sizes["chain"] * post.sizes["draw"]:
            return float(post[name].mean()), float(post[name].std())
    return np.nan, np.nan


def carryover_sensitivity(
    data: CrossoverData,
    prior: EffectPrior,
    *,
    better: str,
    likelihood: str,
    carryover_prior: EffectPrior,
    random_seed: int,
    nuisance: NuisancePriors | str = UNIT_FREE,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    nuts_sampler: str = defaults.NUTS_SAMPLER,
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """Carry-over sensitivity: four analyses of one trial, one tidy row each.

    Parameters
    ----------
    data : CrossoverData
    prior : EffectPrior
        Prior on the aligned treatment effect, the same in every analysis.
    better : {"higher", "lower"}
    likelihood : {"normal", "student"}
    carryover_prior : EffectPrior
        Prior of the first-order carry-over on the outcome scale (e.g. ``normal(0, mcid / 2)``).
    random_seed : int
    nuisance, draws, tune, chains, nuts_sampler, ci_prob
        As in :func:`crossover_model` and :func:`bayes_ldn.fit.fit`.

    Returns
    -------
    DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`: treatment effect (treatment minus reference) summaries,
        the carry-over / sequence effect posterior, PSIS-LOO ``elpd_loo``, ``elpd_diff`` from
        the best model (NaN for ``first_period_only``, which models other data), and diagnostics.
    """
    # Validated here, not at the first fit: before any of the three fits runs.
    problems = sampling_problems(draws=draws, tune=tune, chains=chains, random_seed=random_seed)
    if real_problems({"ci_prob": ci_prob}) or not 0 < ci_prob < 1:
        problems.append(f"ci_prob must lie in (0, 1), e.g. 0.95; got {ci_prob!r}")
    raise_if("carry-over sensitivity", problems)
    settings = {"random_seed": random_seed, "draws": draws, "tune": tune, "chains": chains,
                "nuts_sampler": nuts_sampler}
    common = {"better": better, "likelihood": likelihood, "nuisance": nuisance}
    specs = {
        "within_subject": ("none", None),
        "sequence_effect": ("sequence", None),
        "carryover_prior": ("first_order", carryover_prior),
    }
    fits: dict[str, xr.DataTree] = {}
    rows = []
    for name, (carry, cprior) in specs.items():
        model = crossover_model(data, prior, carryover=carry, carryover_prior=cprior, baseline=False, **common)
        fits[name] = fit(model, log_likelihood=True, **settings)
        rows.append({"analysis": name, "carryover": carry,
                     "carryover_prior": cprior.describe() if cprior else "", "n_obs": data.n_obs})
    first = first_period_model(data, prior, **common)
    fits["first_period_only"] = fit(first, **settings)
    rows.append({"analysis": "first_period_only", "carryover": "none (period 1 only)", "carryover_prior": "",
                 "n_obs": int((data.frame["period"] == 1).sum())})

    loos: dict[str, Any] = {}
    with warnings.catch_warnings():
        # High Pareto k is expected with per-subject effects; it is counted in the table instead.
        warnings.simplefilter("ignore", UserWarning)
        for name in specs:
            loos[name] = azs.loo(fits[name])
        comparison = azs.compare(loos, round_to="none")
    for row in rows:
        idata = fits[row["analysis"]]
        s = effect_summary(idata, "treatment_effect", ci_prob=ci_prob).iloc[0]
        conv = convergence_table(idata, ["treatment_effect"])
        draws_aligned = idata["posterior"]["treatment_effect_aligned"]
        cm, cs = _carryover_draws(idata)
        row.update(mean=s["mean"], sd=s["sd"], median=s["median"], lower=s["lower"], upper=s["upper"],
                   ci_prob=ci_prob, ci_kind=defaults.CI_KIND, prob_better=float((draws_aligned > 0).mean()),
                   carryover_mean=cm, carryover_sd=cs, r_hat=float(conv["r_hat"].max()),
                   ess_bulk=float(conv["ess_bulk"].min()), divergences=int(conv["divergences"].iloc[0]))
        name = row["analysis"]
        if name in loos:
            elpd = loos[name]
            row.update(elpd_loo=float(elpd.elpd), elpd_se=float(elpd.se),
                       elpd_diff=float(comparison.loc[name, "elpd_diff"]),
                       elpd_diff_se=float(comparison.loc[name, "dse"]),
                       pareto_k_bad=int((np.asarray(elpd.pareto_k) > 0.7).sum()))
        else:
            row.update(elpd_loo=np.nan, elpd_se=np.nan, elpd_diff=np.nan, elpd_diff_se=np.nan,
                       pareto_k_bad=np.nan)
    return pd.DataFrame(rows)[SENSITIVITY_COLUMNS]

