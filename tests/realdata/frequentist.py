r"""Independent frequentist references for the bundled real datasets (statsmodels, no bayes_ldn code).

Every function takes the tidy frame as :func:`bayes_ldn.datasets.examples.load_example` returns it
and fits the standard analysis with statsmodels, so a test can hold bayes_ldn (and the published
numbers) against software that shares no code with it.

Crossover (two treatments, periods :math:`p`, subjects :math:`i`):

.. math::

    y_{ip} = \alpha_i + \pi_p + \tau d_{ip} + \varepsilon_{ip}

* :func:`crossover_within` - OLS with subject fixed effects :math:`\alpha_i`, on the subjects
  observed in every period. With complete AB/BA data :math:`\hat\tau` is the period-adjusted
  Hills-Armitage estimate (half the difference of the sequences' mean period differences) and the
  residual df are :math:`n - 2`.
* :func:`crossover_reml` - REML linear mixed model, :math:`\alpha_i = \alpha + u_i`,
  :math:`u_i \sim N(0, \sigma_u^2)` (statsmodels ``MixedLM``), on every observed row, so a subject
  seen in one period only contributes through the between-subject stratum. Its df are the
  "containment" df (SAS ``DDFM=CONTAIN``): rows minus subjects minus within-subject fixed effects,
  which is :math:`n - 2` for complete AB/BA data.

``log=True`` analyses :math:`\log y` (average bioequivalence); :meth:`Reference.ratio` gives the
geometric mean ratio and its interval, :math:`\exp(\hat\tau \pm t_{df,\,(1+q)/2}\,\mathrm{SE})`.

Parallel group (follow-up :math:`y`, baseline :math:`b`, arm indicator :math:`T`):

* :func:`parallel_ancova` - OLS :math:`y = c + \delta T + \beta b + \varepsilon` (ANCOVA);
* :func:`parallel_change` - OLS :math:`y - b = c + \delta T + \varepsilon` (change score);
* :func:`ancova_all_arms` - OLS on every arm with a treatment contrast against one reference arm
  (the model Venables & Ripley fit to ``anorexia``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

__all__ = [
    "Reference",
    "ancova_all_arms",
    "crossover_reml",
    "crossover_within",
    "parallel_ancova",
    "parallel_change",
]


@dataclass(frozen=True)
class Reference:
    """One frequentist estimate of the treatment effect (treatment minus reference).

    ``lower``/``upper`` are the ``ci_prob`` t-interval ``estimate -+ t * se`` with ``df``
    degrees of freedom; on the log scale when ``scale == "log"``.
    """

    method: str
    estimate: float
    se: float
    df: float
    ci_prob: float
    n_subjects: int
    n_obs: int
    scale: str = "identity"

    @property
    def lower(self) -> float:
        return self.estimate - self.t_quantile * self.se

    @property
    def upper(self) -> float:
        return self.estimate + self.t_quantile * self.se

    @property
    def t_quantile(self) -> float:
        return float(stats.t.ppf(0.5 + self.ci_prob / 2, self.df))

    @property
    def t_sd(self) -> float:
        """SD of the t-distribution the interval comes from, ``se * sqrt(df / (df - 2))``.

        Under flat priors the normal model's marginal posterior of the effect is this t, so the
        posterior SD is compared with it, not with ``se``.
        """
        return self.se * float(np.sqrt(self.df / (self.df - 2)))

    def ratio(self) -> tuple[float, float, float]:
        """Geometric mean ratio and its interval, ``exp`` of the log-scale numbers."""
        if self.scale != "log":
            raise ValueError("ratio() needs a log-scale reference (log=True)")
        return float(np.exp(self.estimate)), float(np.exp(self.lower)), float(np.exp(self.upper))

    def with_ci_prob(self, ci_prob: float) -> Reference:
        """The same estimate with another interval probability."""
        return Reference(self.method, self.estimate, self.se, self.df, ci_prob, self.n_subjects, self.n_obs,
                         self.scale)


def _crossover_frame(frame: pd.DataFrame, treatment: str, outcome: str, log: bool) -> pd.DataFrame:
    d = frame[["subject", "period", "treatment", outcome]].dropna().copy()
    y = d[outcome].to_numpy(dtype=float)
    if log and (y <= 0).any():
        raise ValueError(f"log=True needs positive {outcome}")
    d["y"] = np.log(y) if log else y
    d["treated"] = (d["treatment"].astype(str) == str(treatment)).astype(float)
    d["subject"] = d["subject"].astype(str)
    d["period"] = d["period"].astype(int)
    return d


def crossover_within(
    frame: pd.DataFrame, *, treatment: str, outcome: str = "outcome", log: bool = False, ci_prob: float = 0.95
) -> Reference:
    """Period-adjusted within-subject estimate: OLS ``y ~ C(subject) + C(period) + treated`` on completers.

    Rows with a missing ``outcome`` are dropped first; subjects not observed in every period are
    then left out (with complete AB/BA data this is the Hills-Armitage analysis).
    """
    d = _crossover_frame(frame, treatment, outcome, log)
    n_periods = d["period"].nunique()
    complete = d.groupby("subject")["period"].transform("nunique") == n_periods
    d = d[complete]
    fit = smf.ols("y ~ C(subject) + C(period) + treated", data=d).fit()
    return Reference("OLS subject fixed effects (completers)", float(fit.params["treated"]),
                     float(fit.bse["treated"]), float(fit.df_resid), ci_prob, d["subject"].nunique(), len(d),
                     "log" if log else "identity")


def crossover_reml(
    frame: pd.DataFrame, *, treatment: str, outcome: str = "outcome", log: bool = False, ci_prob: float = 0.95
) -> Reference:
    """REML mixed model ``y ~ C(period) + treated + (1 | subject)`` on every observed row.

    df are the containment df: rows - subjects - (periods - 1) - 1.
    """
    d = _crossover_frame(frame, treatment, outcome, log)
    model = smf.mixedlm("y ~ C(period) + treated", data=d, groups=d["subject"])
    fit = model.fit(reml=True, method=["lbfgs"])
    if not fit.converged:
        raise RuntimeError("MixedLM did not converge")
    n_sub = d["subject"].nunique()
    df = len(d) - n_sub - (d["period"].nunique() - 1) - 1
    return Reference("REML mixed model (all rows)", float(fit.fe_params["treated"]), float(fit.bse_fe["treated"]),
                     float(df), ci_prob, n_sub, len(d), "log" if log else "identity")


def _two_arm(frame: pd.DataFrame, treatment: str, reference: str) -> pd.DataFrame:
    d = frame[frame["arm"].astype(str).isin([str(treatment), str(reference)])].copy()
    d["treated"] = (d["arm"].astype(str) == str(treatment)).astype(float)
    return d


def parallel_ancova(frame: pd.DataFrame, *, treatment: str, reference: str, ci_prob: float = 0.95) -> Reference:
    """OLS ANCOVA ``followup ~ treated + baseline`` on the two named arms."""
    d = _two_arm(frame, treatment, reference)
    fit = smf.ols("followup ~ treated + baseline", data=d).fit()
    return Reference("OLS ANCOVA", float(fit.params["treated"]), float(fit.bse["treated"]), float(fit.df_resid),
                     ci_prob, len(d), len(d))


def parallel_change(frame: pd.DataFrame, *, treatment: str, reference: str, ci_prob: float = 0.95) -> Reference:
    """OLS change score ``followup - baseline ~ treated`` on the two named arms."""
    d = _two_arm(frame, treatment, reference)
    d["change"] = d["followup"] - d["baseline"]
    fit = smf.ols("change ~ treated", data=d).fit()
    return Reference("OLS change score", float(fit.params["treated"]), float(fit.bse["treated"]),
                     float(fit.df_resid), ci_prob, len(d), len(d))


def ancova_all_arms(frame: pd.DataFrame, *, reference: str, offset: bool = False) -> pd.DataFrame:
    """OLS on every arm: ``followup ~ baseline + arm`` with treatment contrasts against ``reference``.

    ``offset=True`` fits ``followup - baseline`` instead (R's ``offset(baseline)``), so the
    baseline coefficient is the slope minus 1, as Venables & Ripley print it.

    Returns
    -------
    DataFrame
        Index: ``Intercept``, ``baseline``, one row per non-reference arm (its label); columns
        ``estimate``, ``se``, ``df``.
    """
    d = frame.copy()
    d["y"] = d["followup"] - d["baseline"] if offset else d["followup"]
    arms = [str(a) for a in pd.unique(d["arm"].astype(str)) if str(a) != str(reference)]
    x = pd.DataFrame({"Intercept": 1.0, "baseline": d["baseline"].astype(float)})
    for arm in arms:
        x[arm] = (d["arm"].astype(str) == arm).astype(float)
    fit = sm.OLS(d["y"].astype(float), x).fit()
    return pd.DataFrame({"estimate": fit.params, "se": fit.bse, "df": float(fit.df_resid)})
