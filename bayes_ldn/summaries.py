"""Decision tables: one tidy row per (result, prior), from an exact posterior or from draws.

Columns (in order): ``trial``, ``outcome``, ``record``, ``prior``, ``prior_spec``, ``units``,
``better``, ``scale``, ``mean``, ``sd``, ``median``, ``lower``, ``upper``, ``ci_prob``, ``ci_kind``,
``prob_better``, ``mcid``, ``prob_better_than_mcid``, ``rope``, ``prob_rope``, ``prob_harm``,
``method``, ``mcse``, ``r_hat``, ``ess_bulk``, ``divergences``, ``evidence``, ``verified``,
``conversions``, ``citation``.

Location and interval are on the **published contrast scale** (treatment minus reference, as
printed; log ratio for ratios), so a vague-prior row reproduces the published estimate.
Probabilities are in the direction of benefit: ``prob_better`` = P(treatment better),
``prob_better_than_mcid`` = P(better by more than the MCID), ``prob_rope`` = P(|effect| <= rope),
``prob_harm`` = P(treatment worse). This module never imports PyMC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.diagnostics import convergence_table, draw_problems, prob_mcse
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior
from bayes_ldn.stats import format_probability
from bayes_ldn.validation import number_problems, probability_problems, real_problems, scale_problems

__all__ = [
    "DECISION_COLUMNS",
    "decision_row_from_draws",
    "decision_row_exact",
    "format_decision_table",
    "table_ci_prob",
]

DECISION_COLUMNS = [
    "trial", "outcome", "record", "prior", "prior_spec", "units", "better", "scale",
    "mean", "sd", "median", "lower", "upper", "ci_prob", "ci_kind",
    "prob_better", "mcid", "prob_better_than_mcid", "rope", "prob_rope", "prob_harm",
    "method", "mcse", "r_hat", "ess_bulk", "divergences",
    "evidence", "verified", "conversions", "citation",
]
PROB_COLUMNS = ["prob_better", "prob_better_than_mcid", "prob_rope", "prob_harm"]


def _printed(sign: int, mean: float, median: float, lo: float, hi: float) -> dict[str, float]:
    """Aligned-scale summaries mapped back to the printed contrast (``sign`` is its own inverse)."""
    lo_p, hi_p = sorted((sign * lo, sign * hi))
    return {"mean": sign * mean, "median": sign * median, "lower": lo_p, "upper": hi_p}


def _header(lik: EffectLikelihood, prior: EffectPrior, mcid: float | None, rope: float | None) -> dict[str, Any]:
    prov = dict(lik.provenance)
    return {
        "trial": prov.get("trial", ""),
        "outcome": prov.get("outcome", lik.label),
        "record": prov.get("record", ""),
        "prior": prior.name,
        "prior_spec": prior.describe(),
        "units": lik.units,
        "better": "higher" if lik.sign > 0 else "lower",
        "scale": lik.scale,
        "mcid": np.nan if mcid is None else float(mcid),
        "rope": np.nan if rope is None else float(rope),
        "evidence": prov.get("evidence", ""),
        "verified": prov.get("verified", False),
        "conversions": lik.conversion_note,
        "citation": prov.get("citation", ""),
    }


def decision_row_exact(
    lik: EffectLikelihood,
    prior: EffectPrior,
    posterior: Any,
    *,
    mcid: float | None,
    rope: float | None,
    ci_prob: float = defaults.CI_PROB,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Decision row from an exact posterior (``stats`` posterior object, aligned scale).

    ``mcid`` and ``rope`` are positive magnitudes on the aligned scale (``rope`` is the
    half-width of the region of practical equivalence around 0); ``None`` leaves their columns NaN,
    as are ``r_hat``, ``ess_bulk`` and ``divergences`` (no MCMC).
    """
    problems = [] if isinstance(lik, EffectLikelihood) else [f"lik must be an EffectLikelihood, got {lik!r}"]
    problems += [] if isinstance(prior, EffectPrior) else [f"prior must be an EffectPrior, got {prior!r}"]
    problems += [] if all(callable(getattr(posterior, k, None)) for k in ("interval", "prob_above", "prob_below",
                                                                         "prob_between")) else [
        f"posterior must be an exact posterior (bayes_ldn.exact_posterior), got {posterior!r}"]
    problems += scale_problems({"mcid": mcid, "rope": rope})
    problems += number_problems({"ci_prob": ci_prob}, required=True) or probability_problems({"ci_prob": ci_prob})
    raise_if("decision row", problems)
    lo, hi = posterior.interval(ci_prob)
    row = _header(lik, prior, mcid, rope)
    row.update(_printed(lik.sign, posterior.mean, posterior.median, lo, hi))
    row.update(
        sd=posterior.sd,
        ci_prob=ci_prob,
        ci_kind=defaults.CI_KIND,
        prob_better=posterior.prob_above(0.0),
        prob_better_than_mcid=np.nan if mcid is None else posterior.prob_above(mcid),
        prob_rope=np.nan if rope is None else posterior.prob_between(-rope, rope),
        prob_harm=posterior.prob_below(0.0),
        method="exact",
        mcse=0.0,
        r_hat=np.nan,
        ess_bulk=np.nan,
        divergences=np.nan,
    )
    row.update(extra or {})
    return row


def decision_row_from_draws(
    lik: EffectLikelihood,
    prior: EffectPrior,
    idata: xr.DataTree,
    *,
    mcid: float | None,
    rope: float | None,
    var_name: str = "treatment_effect_aligned",
    ci_prob: float = defaults.CI_PROB,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Decision row from posterior draws of the aligned effect (``method = "mcmc"``).

    ``var_name`` names the **aligned** effect (positive = better); every design stores it as
    ``treatment_effect_aligned`` beside the printed ``treatment_effect``
    (= ``align_sign(better)`` x aligned), so the default is right for every model.

    ``mcse`` is the largest Monte Carlo SE among the row's probabilities; ``r_hat``,
    ``ess_bulk`` and ``divergences`` qualify every probability in the row (NaN: they do not
    exist with fewer than 4 draws per chain). Probabilities not asked for (no ``mcid``, no
    ``rope``) are NaN.

    Raises
    ------
    DataValidationError
        ``mcid`` or ``rope`` not a positive number, ``ci_prob`` outside (0, 1), or draws that are
        absent, non-finite or beyond ``MAX_ABS``.
    """
    problems = draw_problems(idata, [var_name])
    for name, v in (("mcid", mcid), ("rope", rope)):
        if v is not None:
            problems += real_problems({name: v}) or ([] if v > 0 else [f"{name} must be positive, got {v}"])
    if real_problems({"ci_prob": ci_prob}) or not 0 < ci_prob < 1:
        problems.append(f"ci_prob must lie in (0, 1), e.g. 0.95; got {ci_prob!r}")
    raise_if("decision row", problems)
    draws = idata["posterior"][var_name]
    a = (1 - ci_prob) / 2
    lo, hi = (float(q) for q in np.quantile(draws.values, [a, 1 - a]))
    row = _header(lik, prior, mcid, rope)
    row.update(_printed(lik.sign, float(draws.mean()), float(draws.median()), lo, hi))
    indicators = {
        "prob_better": draws > 0,
        "prob_better_than_mcid": None if mcid is None else draws > mcid,
        "prob_rope": None if rope is None else (draws >= -rope) & (draws <= rope),
        "prob_harm": draws < 0,
    }
    mcses = []
    for key, ind in indicators.items():
        if ind is None:
            row[key] = np.nan
        else:
            row[key] = float(ind.mean())
            mcses.append(prob_mcse(ind))
    conv = convergence_table(idata, [var_name])
    row.update(
        sd=float(draws.std()),
        ci_prob=ci_prob,
        ci_kind=defaults.CI_KIND,
        method="mcmc",
        mcse=max(mcses),
        r_hat=float(conv["r_hat"].max()),
        ess_bulk=float(conv["ess_bulk"].min()),
        divergences=int(conv["divergences"].iloc[0]),
    )
    row.update(extra or {})
    return row


def format_decision_table(table: pd.DataFrame, columns: Sequence[str] | None = None, digits: int = 3) -> pd.DataFrame:
    """A copy for printing: probabilities as ">0.999"/"<0.001" strings, numbers rounded.

    The CSV keeps numbers as numbers; only printed tables use this. Text in a number column, a
    probability outside [0, 1], a column named twice or a ``columns`` entry the table lacks raise one
    :class:`~bayes_ldn.exceptions.DataValidationError` listing each.
    """
    raise_if("decision table", _table_problems(table, columns, digits))
    out = table.copy()
    for c in PROB_COLUMNS:
        if c in out:
            out[c] = [format_probability(v) if pd.notna(v) else "" for v in out[c]]
    for c in ("mean", "sd", "median", "lower", "upper"):
        if c in out:
            out[c] = out[c].map(lambda v: f"{v:.{digits}g}" if pd.notna(v) else "")
    return out[list(columns)] if columns else out


def _table_problems(table: Any, columns: Sequence[str] | None, digits: Any) -> list[str]:
    if not isinstance(table, pd.DataFrame):
        return [f"table must be a pandas DataFrame (a decision table), got {type(table).__name__}"]
    problems = []
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 15:
        problems.append(f"digits must be a whole number from 1 to 15, got {digits!r}")
    names = [str(c) for c in table.columns]
    problems += [f"column {c!r} appears {names.count(c)} times; give each column a unique name"
                 for c in sorted(set(names)) if names.count(c) > 1]
    if columns is not None:
        problems += [f"column {c!r} is not in the table (it has {', '.join(names) or 'no columns'})"
                     for c in columns if c not in table.columns]
    for c in PROB_COLUMNS + ["mean", "sd", "median", "lower", "upper"]:
        if c not in table or names.count(c) > 1:
            continue
        values = pd.to_numeric(table[c], errors="coerce")
        text = table[c].notna() & values.isna()
        if text.any():
            problems.append(f"column {c!r} holds text in rows {', '.join(map(str, np.flatnonzero(text)))}; "
                            "give numbers (NaN or empty for not computed)")
        inf = np.isinf(values.to_numpy(dtype=float))
        if inf.any():
            problems.append(f"column {c!r} is infinite in rows {', '.join(map(str, np.flatnonzero(inf)))}")
        if c in PROB_COLUMNS:
            out = ~values.isna() & ~values.between(0.0, 1.0)
            if out.any():
                problems.append(f"column {c!r} holds values outside [0, 1] in rows "
                                f"{', '.join(map(str, np.flatnonzero(out)))}; a probability lies in [0, 1]")
    return problems


def table_ci_prob(table: pd.DataFrame) -> float:
    """The interval probability a decision table was computed with (its ``ci_prob`` column)."""
    if "ci_prob" in table and table["ci_prob"].notna().any():
        return float(table["ci_prob"].dropna().iloc[0])
    return defaults.CI_PROB
