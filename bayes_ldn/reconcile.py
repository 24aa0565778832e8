r"""Change score versus ANCOVA from published arm summaries, with the correlation as an input.

Given per-arm baseline and follow-up means and SDs, both estimates are exact functions of the
within-arm baseline/follow-up correlation ``rho`` (taken common to the arms), which is rarely
published. With ``S_bb = sum_a (n_a-1) sd_{B,a}^2``, ``S_ff`` likewise and
``S_bf = rho sum_a (n_a-1) sd_{B,a} sd_{F,a}``:

.. math::

    \hat\beta = S_{bf}/S_{bb},\qquad
    \hat\delta_{\text{ANCOVA}} = \Delta F - \hat\beta\,\Delta B,\qquad
    \mathrm{SE}^2 = \frac{S_{ff} - S_{bf}^2/S_{bb}}{N-3}\Big(\frac1{n_1}+\frac1{n_2}
        + \frac{\Delta B^2}{S_{bb}}\Big)

(exactly the OLS ANCOVA of follow-up on baseline and arm), and the change score
``Delta F - Delta B`` with pooled change variance ``sd_B^2 + sd_F^2 - 2 rho sd_B sd_F``. The two
differ by ``(1 - beta) Delta B``: only baseline imbalance separates them, and ANCOVA is more
precise whenever ``rho`` is not near 1.

``rho`` is never a silent constant: :func:`rho_sweep` tabulates both estimates over given values
and :func:`reconcile` integrates over a prior on ``rho`` (for example a Beta) by Gauss-Legendre
quadrature on the prior's probability scale. The summaries carry no information about ``rho``
(unless an SD of change is published: :func:`rho_from_change_sd`), so the prior is not updated and
the effect's posterior (flat effect prior, normal approximation) is the prior-weighted mixture
of the conditional normal posteriors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn import defaults
from bayes_ldn.data.records import align_sign
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import NormalMixture

__all__ = [
    "ArmSummary",
    "SummaryEstimate",
    "ancova_from_summaries",
    "change_from_summaries",
    "reconcile",
    "rho_from_change_sd",
    "rho_sweep",
]


@dataclass(frozen=True, kw_only=True)
class ArmSummary:
    """Baseline and follow-up summaries of one arm (complete cases)."""

    n: int
    baseline_mean: float
    baseline_sd: float
    followup_mean: float
    followup_sd: float
    name: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not self.n >= 2:
            problems.append(f"n must be >= 2, got {self.n}")
        for k in ("baseline_sd", "followup_sd"):
            v = getattr(self, k)
            if not (np.isfinite(v) and v > 0):
                problems.append(f"{k} must be positive and finite, got {v}")
        for k in ("baseline_mean", "followup_mean"):
            if not np.isfinite(getattr(self, k)):
                problems.append(f"{k} must be finite, got {getattr(self, k)}")
        raise_if(f"arm summary {self.name!r}", problems)


@dataclass(frozen=True)
class SummaryEstimate:
    """A between-group estimate (treatment minus reference), its SE, residual df and slope."""

    estimate: float
    se: float
    df: int
    slope: float


def _check_rho(rho: float) -> None:
    raise_if("baseline/follow-up correlation", [] if -1 < rho < 1 else [f"rho must lie in (-1, 1), got {rho}"])


def ancova_from_summaries(treatment: ArmSummary, reference: ArmSummary, *, rho: float) -> SummaryEstimate:
    """OLS ANCOVA estimate and SE from arm summaries at a given within-arm correlation."""
    _check_rho(rho)
    arms = (treatment, reference)
    s_bb = sum((a.n - 1) * a.baseline_sd**2 for a in arms)
    s_ff = sum((a.n - 1) * a.followup_sd**2 for a in arms)
    s_bf = rho * sum((a.n - 1) * a.baseline_sd * a.followup_sd for a in arms)
    slope = s_bf / s_bb
    d_b = treatment.baseline_mean - reference.baseline_mean
    d_f = treatment.followup_mean - reference.followup_mean
    df = treatment.n + reference.n - 3
    s2 = (s_ff - s_bf**2 / s_bb) / df
    se = np.sqrt(s2 * (1 / treatment.n + 1 / reference.n + d_b**2 / s_bb))
    return SummaryEstimate(float(d_f - slope * d_b), float(se), df, float(slope))


def change_from_summaries(treatment: ArmSummary, reference: ArmSummary, *, rho: float) -> SummaryEstimate:
    """Change-score estimate and pooled-variance SE from arm summaries at a given correlation."""
    _check_rho(rho)
    arms = (treatment, reference)
    df = treatment.n + reference.n - 2
    var_change = sum(
        (a.n - 1) * (a.baseline_sd**2 + a.followup_sd**2 - 2 * rho * a.baseline_sd * a.followup_sd) for a in arms
    ) / df
    est = (treatment.followup_mean - treatment.baseline_mean) - (reference.followup_mean - reference.baseline_mean)
    return SummaryEstimate(float(est), float(np.sqrt(var_change * (1 / treatment.n + 1 / reference.n))), df, 1.0)


def rho_from_change_sd(arm: ArmSummary, change_sd: float) -> float:
    """The correlation implied by a published SD of change (Cochrane Handbook 6.5.2.8)."""
    rho = (arm.baseline_sd**2 + arm.followup_sd**2 - change_sd**2) / (2 * arm.baseline_sd * arm.followup_sd)
    raise_if("SD of change", [] if -1 < rho < 1 else
             [f"change SD {change_sd} is incompatible with baseline SD {arm.baseline_sd} and follow-up SD "
              f"{arm.followup_sd} (implied rho {rho:.3f} outside (-1, 1)); check the numbers"])
    return float(rho)


def rho_sweep(treatment: ArmSummary, reference: ArmSummary, rhos, *, better: str) -> pd.DataFrame:
    """Both estimates over a grid of correlations, with flat-prior ``P(treatment better)``.

    Columns: ``rho``, ``change_estimate``, ``change_se``, ``ancova_estimate``, ``ancova_se``,
    ``ancova_slope``, ``difference`` (ANCOVA minus change), ``change_prob_better``,
    ``ancova_prob_better``.
    """
    sign = align_sign(better)
    rows = []
    for rho in np.atleast_1d(np.asarray(rhos, dtype=float)):
        c = change_from_summaries(treatment, reference, rho=rho)
        a = ancova_from_summaries(treatment, reference, rho=rho)
        rows.append({
            "rho": rho, "change_estimate": c.estimate, "change_se": c.se, "ancova_estimate": a.estimate,
            "ancova_se": a.se, "ancova_slope": a.slope, "difference": a.estimate - c.estimate,
            "change_prob_better": float(stats.norm.cdf(sign * c.estimate / c.se)),
            "ancova_prob_better": float(stats.norm.cdf(sign * a.estimate / a.se)),
        })
    return pd.DataFrame(rows)


def reconcile(
    treatment: ArmSummary,
    reference: ArmSummary,
    *,
    rho_prior: stats.rv_continuous,
    better: str,
    ci_prob: float = defaults.CI_PROB,
    panels: int = 64,
    nodes: int = 8,
) -> pd.DataFrame:
    r"""Change-score and ANCOVA posteriors with ``rho`` integrated over its prior.

    Parameters
    ----------
    treatment, reference : ArmSummary
    rho_prior : frozen scipy distribution with support inside (-1, 1)
        For example ``scipy.stats.beta(6, 4)`` (mean 0.6).
    better : {"higher", "lower"}
    ci_prob : float
    panels, nodes : int
        Composite Gauss-Legendre rule on the prior's probability scale (the quantile function
        is steep at both ends, so many short panels beat one long one).

    Returns
    -------
    DataFrame
        One row per method (``change``, ``ancova``): ``mean``, ``sd``, ``median``, ``lower``,
        ``upper`` (treatment minus reference, outcome units), ``prob_better``, ``ci_prob``,
        ``rho_prior``, ``rho_mean``. ``.attrs["posteriors"]`` holds the two
        :class:`~bayes_ldn.stats.NormalMixture` objects.
    """
    x, w = np.polynomial.legendre.leggauss(nodes)
    edges = np.linspace(0.0, 1.0, panels + 1)
    half = np.diff(edges)[:, None] / 2
    u = ((edges[:-1, None] + edges[1:, None]) / 2 + half * x).ravel()
    w = (half * w).ravel()
    rhos = np.asarray(rho_prior.ppf(u), dtype=float)
    if not (np.all(rhos > -1) and np.all(rhos < 1)):
        raise DataValidationError("rho prior", ["the prior on rho must have its support inside (-1, 1)"])
    sign = align_sign(better)
    q = (1 - ci_prob) / 2
    name = f"{rho_prior.dist.name}{tuple(round(a, 4) for a in rho_prior.args)}"
    rows, posts = [], {}
    for method, fn in (("change", change_from_summaries), ("ancova", ancova_from_summaries)):
        est = [fn(treatment, reference, rho=r) for r in rhos]
        post = NormalMixture(w, np.array([e.estimate for e in est]), np.array([e.se for e in est]))
        posts[method] = post
        rows.append({
            "method": method, "mean": post.mean, "sd": post.sd, "median": post.ppf(0.5),
            "lower": post.ppf(q), "upper": post.ppf(1 - q),
            "prob_better": post.prob_above(0.0) if sign > 0 else post.cdf(0.0),
            "ci_prob": ci_prob, "rho_prior": name, "rho_mean": float(np.sum(w * rhos)),
        })
    out = pd.DataFrame(rows)
    out.attrs["posteriors"] = posts
    return out
