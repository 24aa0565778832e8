"""Effects on the analysis scale mapped to what a reader wants: ratios, and equivalence.

On the log scale an additive effect :math:`\\delta` is the ratio :math:`e^{\\delta}` of geometric
means; an equal-tailed interval maps through :math:`\\exp` exactly (quantiles commute with
monotone maps), while the mean does not (:math:`E[e^\\delta] \\ne e^{E\\delta}`), so the ratio is
summarised by its median and interval, with the mean of :math:`e^\\delta` beside them.
Equivalence is the posterior probability that the effect lies in a range the user gives: on the
ratio scale for log-scale analyses (average bioequivalence: 0.80 to 1.25), on the effect scale
otherwise. This module never imports PyMC.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.diagnostics import prob_mcse
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import number_problems

__all__ = ["equivalence_probability", "parse_equivalence", "ratio_summary", "scale_summaries"]


def parse_equivalence(text: str | None, scale: str) -> tuple[float, float] | None:
    """``"0.80,1.25"`` -> ``(0.8, 1.25)``; on the log scale both limits must be positive ratios."""
    if text is None:
        return None
    try:
        lo, hi = (float(v) for v in text.split(","))
    except (ValueError, AttributeError):  # AttributeError: not text
        raise_if("--equivalence", [f"expected LOWER,UPPER (e.g. 0.80,1.25), got {text!r}"])
    problems = number_problems({"--equivalence LOWER": lo, "--equivalence UPPER": hi})
    if not problems and not lo < hi:
        problems.append(f"--equivalence needs LOWER < UPPER, got {text!r}")
    if scale == "log" and not lo > 0:
        problems.append(f"--equivalence on the log scale is a range of ratios and needs LOWER > 0, got {text!r}")
    raise_if("--equivalence", problems)
    return lo, hi


def _draws(effect: xr.DataArray) -> np.ndarray:
    return np.asarray(effect.values, dtype=float).ravel()


def ratio_summary(effect: xr.DataArray, *, ci_prob: float = defaults.CI_PROB) -> dict[str, Any]:
    """Median, equal-tailed interval and mean of the ratio :math:`e^\\delta` from log-scale draws."""
    x = _draws(effect)
    a = (1 - ci_prob) / 2
    lo, med, hi = np.quantile(x, [a, 0.5, 1 - a])
    return {"median": float(np.exp(med)), "lower": float(np.exp(lo)), "upper": float(np.exp(hi)),
            "mean": float(np.exp(x).mean()), "ci_prob": ci_prob, "ci_kind": defaults.CI_KIND,
            "note": "ratio = exp(log-scale effect); interval = exp of the log-scale interval"}


def equivalence_probability(effect: xr.DataArray, bounds: tuple[float, float], *, scale: str) -> dict[str, Any]:
    """P(lower < effect < upper) with its Monte Carlo SE; ``bounds`` are ratios when ``scale="log"``.

    ``effect`` holds draws with ``chain`` and ``draw`` dims (for the MCSE's effective sample size).
    """
    lo, hi = bounds
    if scale == "log":
        lo_eff, hi_eff = np.log(lo), np.log(hi)
    else:
        lo_eff, hi_eff = lo, hi
    inside = (effect > lo_eff) & (effect < hi_eff)
    return {"lower": lo, "upper": hi, "on": "ratio" if scale == "log" else "effect",
            "prob": float(inside.mean()), "mcse": prob_mcse(inside)}


def scale_summaries(effect: xr.DataArray, *, scale: str, ci_prob: float,
                    bounds: tuple[float, float] | None) -> dict[str, Any]:
    """What a log-scale or equivalence analysis adds to a result: ``ratio`` and/or ``equivalence``."""
    out: dict[str, Any] = {}
    if scale == "log":
        out["ratio"] = ratio_summary(effect, ci_prob=ci_prob)
    if bounds is not None:
        out["equivalence"] = equivalence_probability(effect, bounds, scale=scale)
    return out
