r"""Angle 6: is the change in the flagged measure associated with the change in clinical pain?

On patient-level data (long format: ``subject``, ``arm``, ``outcome``, ``baseline``,
``followup``) the per-subject changes ``y_i`` (pain) and ``x_i`` (flagged measure) enter

.. math::

    y_i = \alpha + \beta x_i + \gamma\, \text{arm}_i + \varepsilon_i,\qquad
    \varepsilon_i \sim N(0, \sigma^2),\qquad p(\alpha, \beta, \gamma, \sigma) \propto 1/\sigma,

whose exact marginal posterior is ``beta | y ~ t_{n-3}(beta_hat, se(beta_hat))`` with the least-
squares estimate and its usual standard error (Gelman et al., BDA3 section 14.2). The arm term
keeps the slope a within-arm association, not a by-product of both measures differing by arm.
The reported figure is ``P(|beta| < negligible_slope)``.

======================  =====================  =================
symbol                  variable               dims
======================  =====================  =================
``y_i``                 ``response_change``    subject
``x_i``                 ``effect_change``      subject
``beta``                ``slope``              scalar
======================  =====================  =================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.random_finding._common import NEUTRAL, RANDOM, REAL, not_available, row
from bayes_ldn.random_finding.choices import RandomFindingChoices
from bayes_ldn.stats import format_probability
from bayes_ldn.validation import array_problems, duplicate_column_problems

__all__ = ["SlopePosterior", "patient_frame", "pain_association_rows", "slope_posterior"]

_COLUMNS = ("subject", "arm", "outcome", "baseline", "followup")


def patient_frame(patient_data: Any) -> tuple[pd.DataFrame, bool]:
    """The long frame of ``patient_data`` (a DataFrame or an object with ``.frame``) and whether
    it is synthetic (an object carrying a ``.truth``, or ``frame.attrs["synthetic"]``).

    ``baseline`` and ``followup`` are returned as floats (an empty cell is missing); text,
    infinite values and values beyond ``MAX_ABS`` in them, and duplicated column names, are
    problems listed with their rows (1-based data rows)."""
    frame = getattr(patient_data, "frame", patient_data)
    synthetic = hasattr(patient_data, "truth") or bool(getattr(frame, "attrs", {}).get("synthetic", False))
    problems = []
    if not isinstance(frame, pd.DataFrame):
        problems.append(f"patient data must be a DataFrame or have a .frame DataFrame, got {type(frame).__name__}")
    else:
        missing = [c for c in _COLUMNS if c not in frame.columns]
        if missing:
            problems.append(
                f"patient data lack column(s) {', '.join(missing)}; the long format needs "
                f"{', '.join(_COLUMNS)}"
            )
        problems += duplicate_column_problems(frame, {c: c for c in _COLUMNS if c in frame.columns})
    raise_if("patient data", problems)
    assert isinstance(frame, pd.DataFrame)
    frame = frame.copy()
    for col in ("baseline", "followup"):
        raw = frame[col]
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        text = (values.isna() & raw.notna()).to_numpy()
        if text.any():
            problems.append(f"column {col!r} holds text in rows {_rows(text)}; give numbers "
                            "(leave a missing value empty)")
        inf = np.isinf(values.to_numpy())
        if inf.any():
            problems.append(f"column {col!r} holds infinite values in rows {_rows(inf)}; give finite "
                            "numbers (leave a missing value empty)")
        problems += array_problems(values.to_numpy(), what=f"column {col!r}", rows=_rows)
        frame[col] = values
    raise_if("patient data", problems)
    return frame, synthetic


def _rows(mask: np.ndarray) -> str:
    idx = np.flatnonzero(mask) + 1
    return ", ".join(map(str, idx[:10])) + (f" and {idx.size - 10} more" if idx.size > 10 else "")


class SlopePosterior:
    """Exact reference posterior of the slope: a Student-t."""

    def __init__(self, estimate: float, se: float, df: int, n: int):
        self.estimate, self.se, self.df, self.n = float(estimate), float(se), int(df), int(n)
        self.dist = stats.t(self.df, loc=self.estimate, scale=self.se)

    def prob_negligible(self, threshold: float) -> float:
        """``P(|slope| < threshold)``."""
        return float(self.dist.cdf(threshold) - self.dist.cdf(-threshold))

    def interval(self, ci_prob: float) -> tuple[float, float]:
        """Equal-tailed credible interval."""
        a = (1 - ci_prob) / 2
        return float(self.dist.ppf(a)), float(self.dist.ppf(1 - a))


def slope_posterior(effect_change: np.ndarray, response_change: np.ndarray, treated: np.ndarray) -> SlopePosterior:
    """Reference-prior posterior of the slope of ``response_change`` on ``effect_change`` (arm-adjusted)."""
    x = np.asarray(effect_change, dtype=float)
    y = np.asarray(response_change, dtype=float)
    design = np.column_stack([np.ones_like(x), x, np.asarray(treated, dtype=float)])
    coef, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
    n, k = design.shape
    raise_if("pain association", [] if rank == k and n > k else [
        f"the regression of pain change on the measure's change is not identifiable (n = {n}, rank {rank})"
    ])
    resid = y - design @ coef
    sigma2 = float(resid @ resid) / (n - k)
    cov = sigma2 * np.linalg.inv(design.T @ design)
    se = float(np.sqrt(cov[1, 1])) if cov[1, 1] >= 0 else math.nan
    # A perfect fit (residuals 0) or changes so extreme that the variance is lost to rounding.
    raise_if("pain association", [] if math.isfinite(se) and se > 0 and np.isfinite(coef[1]) else [
        f"the slope's standard error is {se:g}: the changes fit a line exactly or are too extreme to estimate it"
    ])
    return SlopePosterior(coef[1], se, n - k, n)


def pain_association_rows(
    effect_outcome: str, treatment_arm: str, patient_data: Any, choices: RandomFindingChoices
) -> list[dict]:
    """Posterior of the slope of pain change on the flagged measure's change."""
    angle = "6 association with pain"
    if patient_data is None:
        return [not_available(angle, "no patient-level data were given (FINAL's are not public)")]
    frame, synthetic = patient_frame(patient_data)
    have = set(frame["outcome"].unique())
    missing = [o for o in (effect_outcome, choices.response_outcome) if o not in have]
    if missing:
        return [not_available(angle, f"the patient data have no outcome {', '.join(map(repr, missing))}")]
    sub = frame[frame["outcome"].isin([effect_outcome, choices.response_outcome])]
    wide = (sub.assign(change=sub["followup"] - sub["baseline"])
            .pivot_table(index=["subject", "arm"], columns="outcome", values="change", aggfunc="first")
            .dropna().reset_index())
    if not {effect_outcome, choices.response_outcome} <= set(wide.columns):
        return [not_available(angle, "no subject has both changes (baseline and follow-up of both outcomes)")]
    try:
        post = slope_posterior(wide[effect_outcome].to_numpy(), wide[choices.response_outcome].to_numpy(),
                               (wide["arm"] == treatment_arm).to_numpy())
    except DataValidationError as err:  # too few subjects, or no variation in the measure's change
        return [not_available(angle, "; ".join(err.problems))]
    thr = choices.negligible_slope
    p_neg = post.prob_negligible(thr)
    p_benefit = float(post.dist.cdf(0.0))  # a larger gain in the measure with a larger pain drop
    lo, hi = post.interval(choices.ci_prob)
    pts = RANDOM if p_neg >= choices.real_prob else REAL if p_benefit >= choices.real_prob else NEUTRAL
    source = "synthetic FINAL-like data (a demonstration, not FINAL)" if synthetic else "user-given patient data"
    rows = [
        row(angle, f"slope of pain change on {effect_outcome} change (posterior mean)", post.estimate, NEUTRAL,
            f"{source}; n = {post.n}, arm-adjusted, reference prior: t_{post.df}; {choices.ci_prob:.0%} CrI {lo:.3g} to "
            f"{hi:.3g}; P(slope < 0) = {format_probability(p_benefit)}", units="response units per unit"),
        row(angle, f"P(|slope| < {thr:g}) (clinically negligible)", p_neg, pts,
            f"{source}; negligible = {thr:g} pain points per unit of {effect_outcome}"
            + ("; excluded from the overall verdict because the data are synthetic" if synthetic else ""),
            headline=True, units="probability"),
    ]
    if synthetic:
        for r in rows:
            r["in_verdict"] = False
    return rows
