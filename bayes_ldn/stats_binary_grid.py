"""The logistic model of a 2x2 table by 2-D quadrature (NumPy only): the main job's exact presets.

:func:`logistic_grid_posterior` evaluates the posterior of :func:`bayes_ldn.designs.binary.logistic_model`
on a grid over (control log odds, aligned log OR), so a prior on the log odds ratio (skeptical,
enthusiastic, pessimistic) is reported without sampling; :func:`summarize_weighted` turns any
contrast's weighted grid values into a :class:`~bayes_ldn.stats_binary.ContrastSummary`. The tests
check it against the closed-form beta-binomial (flat effect prior) and against NUTS (a preset).
This module never imports PyMC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import special

from bayes_ldn import defaults
from bayes_ldn.stats_binary import ContrastSummary, contrast_from_risks, nnt_summary

__all__ = ["GridPosterior", "logistic_grid_posterior", "summarize_weighted"]




@dataclass(frozen=True)
class GridPosterior:
    r"""The logistic model's posterior on a grid over (baseline log odds, aligned log OR).

    .. math:: p(\alpha, \theta \mid y) \propto \mathrm{Bin}(y_c; n_c, \mathrm{expit}\,\alpha)\,
              \mathrm{Bin}(y_t; n_t, \mathrm{expit}(\alpha + s\theta))\, p_\alpha(\alpha)\, p_0(\theta)

    on a tensor grid of midpoints (``weights`` normalised to one); every contrast is a function
    of the grid point, so its posterior is a weighted discrete distribution whose quantiles are
    read from the interpolated weighted CDF (midpoint rule). The grid spans 9 likelihood SEs
    around the estimates and the prior's centre (401 x 401 points by default); its accuracy is
    tested against the closed forms (quantiles and probabilities to about 1e-3).
    """

    p_t: np.ndarray
    p_c: np.ndarray
    weights: np.ndarray
    #: The printed log OR of each grid column, and the posterior mass of each column (its marginal).
    log_or_axis: np.ndarray
    log_or_weights: np.ndarray

    def contrast(self, measure: str) -> np.ndarray:
        """The printed contrast at every grid point."""
        return contrast_from_risks(self.p_t, self.p_c, measure)

    def summary(self, measure: str, *, sign: int, mcid: float | None = None, rope: float | None = None,
                ci_prob: float = defaults.CI_PROB) -> ContrastSummary:
        """:func:`summarize_weighted` of one contrast.

        P(better) and P(harm) are the same event on every scale (the sign of the log OR), and are
        read on the log-OR axis of the grid, where the midpoint rule is accurate; on the RD scale
        the grid rows near 0 would blur them by half a row's mass.
        """
        if measure == "or":  # the log OR is a grid axis: its marginal is exact on that axis
            return summarize_weighted(self.log_or_axis, self.log_or_weights, measure="or", sign=sign, mcid=mcid,
                                      rope=rope, ci_prob=ci_prob)
        out = summarize_weighted(self.contrast(measure), self.weights, measure=measure, sign=sign, mcid=mcid,
                                 rope=rope, ci_prob=ci_prob)
        by_or = summarize_weighted(self.log_or_axis, self.log_or_weights, measure="or", sign=sign, ci_prob=ci_prob)
        probs = {**out.probs, "prob_better": by_or.probs["prob_better"], "prob_harm": by_or.probs["prob_harm"]}
        return replace(out, probs=probs)


def logistic_grid_posterior(
    events_t: int, n_t: int, events_c: int, n_c: int, *, sign: int, prior_logpdf: Any, baseline_logpdf: Any,
    prior_center: float = 0.0, points: int = 401,
) -> GridPosterior:
    """Posterior of the logistic model (see :class:`GridPosterior`) by 2-D midpoint quadrature."""
    # Likelihood location and scale of each parameter, with 0.5 added only to place the grid.
    lc = math.log((events_c + 0.5) / (n_c - events_c + 0.5))
    se_c = math.sqrt(1 / (events_c + 0.5) + 1 / (n_c - events_c + 0.5))
    lt = math.log((events_t + 0.5) / (n_t - events_t + 0.5))
    se_t = math.sqrt(1 / (events_t + 0.5) + 1 / (n_t - events_t + 0.5))
    est, se = sign * (lt - lc), math.hypot(se_t, se_c)
    a = np.linspace(lc - 9 * se_c, lc + 9 * se_c, points)
    t = np.linspace(min(est, prior_center) - 9 * se, max(est, prior_center) + 9 * se, points)
    A, T = np.meshgrid(a, t, indexing="ij")
    logit_t = A + sign * T
    loglik = (events_c * -np.logaddexp(0, -A) + (n_c - events_c) * -np.logaddexp(0, A)
              + events_t * -np.logaddexp(0, -logit_t) + (n_t - events_t) * -np.logaddexp(0, logit_t))
    logp = loglik + np.asarray(baseline_logpdf(A)) + np.asarray(prior_logpdf(T))
    w = np.exp(logp - logp.max())
    w /= w.sum()
    return GridPosterior(p_t=special.expit(logit_t).ravel(), p_c=special.expit(A).ravel(), weights=w.ravel(),
                         log_or_axis=sign * t, log_or_weights=w.sum(axis=0))


def summarize_weighted(
    printed: np.ndarray, weights: np.ndarray, *, measure: str, sign: int, mcid: float | None = None,
    rope: float | None = None, ci_prob: float = defaults.CI_PROB,
) -> ContrastSummary:
    """:class:`ContrastSummary` of a weighted discrete posterior (quadrature; no Monte Carlo error)."""
    # Grid points with equal contrast (the log OR is one grid axis) are merged; each node's mass is
    # centred on it, so the CDF is interpolated between the mid-masses (the midpoint rule).
    x, inverse = np.unique(np.round(printed, 12), return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weights)
    cdf = np.cumsum(w) - 0.5 * w

    def q(p: float) -> float:
        return float(np.interp(p, cdf, x))

    def below(v: float) -> float:
        return float(np.interp(v, x, cdf, left=0.0, right=1.0))

    a = (1.0 - ci_prob) / 2.0
    lo, med, hi = q(a), q(0.5), q(1.0 - a)
    mean = float(np.sum(w * x))
    # Probabilities in the direction of benefit: sign * contrast > v  <=>  contrast > v (sign +1) or < -v.
    def above_aligned(v: float) -> float:
        return 1.0 - below(v) if sign > 0 else below(-v)

    probs = {
        "prob_better": above_aligned(0.0),
        "prob_better_than_mcid": above_aligned(mcid) if mcid is not None else float("nan"),
        "prob_rope": below(rope) - below(-rope) if rope is not None else float("nan"),
        "prob_harm": 1.0 - above_aligned(0.0),
    }
    if measure == "rd":
        natural = {"mean": mean, "median": med, "lower": lo, "upper": hi}
    else:
        natural = {"mean": float(np.sum(w * np.exp(x))), "median": math.exp(med), "lower": math.exp(lo),
                   "upper": math.exp(hi)}
    return ContrastSummary(
        measure=measure, sign=sign, mean=mean, sd=float(np.sqrt(np.sum(w * (x - mean) ** 2))), median=med, lower=lo,
        upper=hi, ci_prob=ci_prob, natural=natural, probs=probs, mcse={k: 0.0 for k, v in probs.items()
                                                                      if np.isfinite(v)},
        n_draws=0, ess=float("inf"), nnt=nnt_summary(med, lo, hi, sign) if measure == "rd" else None,
    )
