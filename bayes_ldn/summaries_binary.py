"""Binary outcomes to decisions: contrast summaries and decision-table rows, exact or from MCMC.

:func:`exact_contrast` draws the exact beta-binomial posterior (independent Beta draws from a
recorded ``random_seed``; :mod:`bayes_ldn.stats_binary`) and :func:`logistic_contrast` reads a
fitted logistic model's DataTree; both return a :class:`~bayes_ldn.stats_binary.ContrastSummary`.
:func:`binary_decision_row` turns one into a row with the columns of
:data:`bayes_ldn.summaries.DECISION_COLUMNS`: location on the printed analysis scale (risk
difference as a proportion; log RR, log OR), probabilities in the direction of benefit, the
largest Monte Carlo SE of the row's probabilities in ``mcse`` (independent draws:
``sqrt(p(1-p)/N)``; MCMC: from the indicator's ESS), and R-hat/ESS/divergences for MCMC rows.
This module never imports PyMC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import arviz_stats as azs
import numpy as np
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.data.binary import BinaryRecord, TwoByTwo
from bayes_ldn.diagnostics import convergence_table
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors_binary import BetaPrior
from bayes_ldn.stats_binary import (
    MEASURE_NAMES,
    ContrastSummary,
    analysis_scale,
    beta_binomial_posterior,
    contrast_from_risks,
    summarize_contrast,
)
from bayes_ldn.validation import probability_problems, optional_real_problems

__all__ = [
    "EXACT_DRAWS",
    "MAX_DRAWS",
    "binary_decision_row",
    "exact_contrast",
    "logistic_contrast",
    "summary_json",
]

#: Independent draws of the exact beta-binomial posterior: probabilities' MC SE <= 0.0016.
EXACT_DRAWS: int = 100_000
#: DataTree variable holding each printed contrast of the logistic model.
_LOGISTIC_VAR = {"rd": "risk_difference", "rr": "log_risk_ratio", "or": "log_odds_ratio"}


#: Most draws accepted: 10 million already give probabilities' MC SE <= 0.00016 (memory grows with it).
MAX_DRAWS: int = 10_000_000


def _exact_contrast_problems(counts: Any, measure: Any, better: Any, arm_prior: Any, random_seed: Any, mcid: Any,
                             rope: Any, ci_prob: Any, draws: Any) -> list[str]:
    """Every problem with :func:`exact_contrast`'s arguments (types first, then ranges)."""
    problems = []
    if not isinstance(counts, TwoByTwo):
        problems.append(f"counts must be a TwoByTwo (bayes_ldn.two_by_two(...)), got {type(counts).__name__}")
    if not isinstance(measure, str) or measure not in MEASURE_NAMES:
        problems.append(f"unknown measure {measure!r}; use one of {', '.join(MEASURE_NAMES)}")
    if better not in ("higher", "lower"):
        problems.append(f"better must be 'higher' or 'lower', got {better!r}")
    if not isinstance(arm_prior, BetaPrior):
        problems.append(f"arm_prior must be a BetaPrior (bayes_ldn.priors_binary), got {type(arm_prior).__name__}")
    if not isinstance(random_seed, np.random.Generator) and (
            isinstance(random_seed, bool) or not isinstance(random_seed, (int, np.integer)) or random_seed < 0):
        problems.append(f"random_seed must be a non-negative whole number or a numpy Generator, got {random_seed!r}")
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or not 2 <= draws <= MAX_DRAWS:
        problems.append(f"draws must be a whole number from 2 to {MAX_DRAWS:.0e}, got {draws!r}")
    problems += probability_problems({"ci_prob": "missing" if ci_prob is None else ci_prob})
    for name, v in (("mcid", mcid), ("rope", rope)):
        p = optional_real_problems({name: v})
        if not p and v is not None and float(v) < 0:
            p = [f"{name} is a magnitude on the analysis scale and must be >= 0, got {v!r}"]
        problems += p
    return problems


def exact_contrast(
    counts: TwoByTwo,
    *,
    measure: str,
    better: str,
    arm_prior: BetaPrior,
    random_seed: int | np.random.Generator,
    mcid: float | None = None,
    rope: float | None = None,
    ci_prob: float = defaults.CI_PROB,
    draws: int = EXACT_DRAWS,
) -> tuple[ContrastSummary, dict[str, np.ndarray]]:
    """Exact beta-binomial posterior of one contrast, summarised from independent draws.

    Returns the summary and the raw draws (``p_t``, ``p_c`` and ``printed``, the contrast).
    ``mcid`` and ``rope`` are magnitudes on the analysis scale
    (:func:`bayes_ldn.stats_binary.mcid_on_analysis_scale`).
    """
    raise_if("exact contrast", _exact_contrast_problems(counts, measure, better, arm_prior, random_seed, mcid, rope,
                                                         ci_prob, draws))
    post = beta_binomial_posterior(*counts.as_tuple(), prior_t=(arm_prior.a, arm_prior.b),
                                   prior_c=(arm_prior.a, arm_prior.b))
    d = post.draws(draws, random_seed)
    d["printed"] = contrast_from_risks(d["p_t"], d["p_c"], measure)
    sign = 1 if better == "higher" else -1
    return summarize_contrast(d["printed"], measure=measure, sign=sign, mcid=mcid, rope=rope, ci_prob=ci_prob), d


def logistic_contrast(
    idata: xr.DataTree,
    *,
    measure: str,
    better: str,
    mcid: float | None = None,
    rope: float | None = None,
    ci_prob: float = defaults.CI_PROB,
) -> tuple[ContrastSummary, dict[str, float]]:
    """Summary of one contrast from a fitted :func:`bayes_ldn.designs.binary.logistic_model`.

    Returns the summary (MC SEs from the contrast's bulk ESS) and the convergence of the
    contrast: ``r_hat``, ``ess_bulk`` (worst over the contrast, the effect and the baseline), and
    ``divergences``.
    """
    var = _LOGISTIC_VAR[measure]
    da = idata["posterior"][var]
    ess = float(azs.ess(da, method="bulk"))
    summ = summarize_contrast(da.values, measure=measure, sign=1 if better == "higher" else -1, mcid=mcid,
                              rope=rope, ci_prob=ci_prob, ess=ess)
    conv = convergence_table(idata, [var, "treatment_effect_aligned", "baseline_logit"])
    return summ, {"r_hat": float(conv["r_hat"].max()), "ess_bulk": float(conv["ess_bulk"].min()),
                  "divergences": int(conv["divergences"].iloc[0])}


def binary_decision_row(
    record: BinaryRecord | Mapping[str, Any],
    summary: ContrastSummary,
    *,
    prior: str,
    prior_spec: str,
    method: str,
    mcid: float | None,
    rope: float | None,
    convergence: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """A decision row (:data:`bayes_ldn.summaries.DECISION_COLUMNS`) for a binary contrast.

    ``method`` is ``"exact_draws"`` (independent draws of the exact posterior) or ``"mcmc"``.
    ``record`` is a bundled :class:`BinaryRecord` or a mapping with ``trial``, ``outcome``,
    ``record``, ``counts``, ``evidence``, ``verified``, ``citation``.
    """
    if isinstance(record, BinaryRecord):
        head = {"trial": record.trial, "outcome": record.outcome, "record": record.id, "counts": str(record.counts),
                "evidence": "+".join(record.evidence), "verified": record.verified,
                "citation": record.source.citation + (f" doi:{record.source.doi}" if record.source.doi else "")}
    else:
        head = dict(record)
    conv = convergence or {}
    scale = analysis_scale(summary.measure)
    units = MEASURE_NAMES[summary.measure] + (" (proportion)" if scale == "linear" else " (log)")
    return {
        "trial": head["trial"], "outcome": head["outcome"], "record": head["record"], "prior": prior,
        "prior_spec": prior_spec, "units": units, "better": "higher" if summary.sign > 0 else "lower",
        "scale": scale, "mean": summary.mean, "sd": summary.sd, "median": summary.median, "lower": summary.lower,
        "upper": summary.upper, "ci_prob": summary.ci_prob, "ci_kind": defaults.CI_KIND,
        "prob_better": summary.probs["prob_better"], "mcid": np.nan if mcid is None else float(mcid),
        "prob_better_than_mcid": summary.probs["prob_better_than_mcid"],
        "rope": np.nan if rope is None else float(rope), "prob_rope": summary.probs["prob_rope"],
        "prob_harm": summary.probs["prob_harm"], "method": method,
        "mcse": max(summary.mcse.values()) if summary.mcse else 0.0,
        "r_hat": conv.get("r_hat", np.nan), "ess_bulk": conv.get("ess_bulk", summary.ess),
        "divergences": conv.get("divergences", np.nan),
        "evidence": head["evidence"], "verified": head["verified"],
        "conversions": f"none: exact binomial likelihood of the counts {head['counts']}",
        "citation": head["citation"],
    }


def summary_json(summary: ContrastSummary) -> dict[str, Any]:
    """The ``--json`` fields on the measure's natural scale, with the analysis-scale numbers beside them."""
    nat = summary.natural
    out: dict[str, Any] = {
        "measure": summary.measure, "mean": nat["mean"], "median": nat["median"], "lower": nat["lower"],
        "upper": nat["upper"], "ci_prob": summary.ci_prob, "ci_kind": defaults.CI_KIND,
        **summary.probs, "mcse": dict(summary.mcse), "n_draws": summary.n_draws, "ess": summary.ess,
    }
    out = {k: v for k, v in out.items() if not (isinstance(v, float) and np.isnan(v))}
    if summary.measure != "rd":
        out.update(mean_log=summary.mean, sd_log=summary.sd, median_log=summary.median, lower_log=summary.lower,
                   upper_log=summary.upper)
    else:
        out["sd"] = summary.sd
    if summary.nnt is not None:
        out["nnt"] = dict(summary.nnt)
    return out
