r"""Frequentist operating characteristics of Bayesian decision rules, computed exactly per data set.

The rule studied is the random-finding question of issue 9: *declare LDN better on some outcome
when* :math:`P(\theta_i > 0 \mid y) > c` *for any of* :math:`k` *outcomes*. Each simulation draws
:math:`k` independent estimates :math:`y_i \sim N(\delta, s_i^2)` (:math:`\delta = 0` under the
null) and evaluates the rule two ways on the same data:

* **unpooled** -- each outcome alone under the vague (flat) prior, so
  :math:`P(\theta_i > 0 \mid y_i) = \Phi(y_i / s_i)`;
* **pooled** -- the normal-normal hierarchical model with a flat prior on :math:`\mu` and
  :math:`\tau \sim \text{HalfNormal}(s_\tau)`, evaluated exactly by
  :func:`bayes_ldn.stats.normal_hierarchical`; :math:`P(\theta_i > 0 \mid y)` from each
  shrunken marginal.

Everything is exact, so one simulation costs a quadrature, not an MCMC run. Closed forms for
the unpooled rule under the null: :math:`1 - c` for one outcome and :math:`1 - c^k` for
:math:`k` independent outcomes (:func:`unpooled_false_positive_rate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from bayes_ldn.stats import normal_hierarchical

__all__ = ["any_outcome_rule", "summarize_rates", "unpooled_false_positive_rate"]


def any_outcome_rule(
    index: int,
    seed: np.random.SeedSequence,
    *,
    ses: Sequence[float],
    true_effect: float,
    threshold: float,
    tau_scale: float | None,
) -> dict[str, Any]:
    """One simulation of the "P(better) > threshold on any outcome" rule, unpooled and pooled.

    ``tau_scale=None`` skips the pooled analysis. Returns the largest posterior probability and
    the decision of each analysis.
    """
    rng = np.random.default_rng(seed)
    s = np.asarray(ses, dtype=float)
    y = rng.normal(true_effect, s)
    prob_unpooled = special.ndtr(y / s)
    row: dict[str, Any] = {
        "max_prob_unpooled": float(prob_unpooled.max()),
        "declared_unpooled": bool(np.any(prob_unpooled > threshold)),
    }
    if tau_scale is not None:
        labels = tuple(f"outcome{i + 1}" for i in range(s.size))
        post = normal_hierarchical(y, s, tau_prior=stats.halfnorm(scale=tau_scale), mu_prior=None, labels=labels)
        prob_pooled = np.array([post.theta[label].prob_above(0.0) for label in labels])
        row.update(max_prob_pooled=float(prob_pooled.max()), declared_pooled=bool(np.any(prob_pooled > threshold)),
                   declared_pooled_mean=bool(post.mu.prob_above(0.0) > threshold))
    return row


def unpooled_false_positive_rate(n_outcomes: int, threshold: float) -> float:
    """Closed form under the null for independent outcomes and flat priors: ``1 - threshold**k``."""
    return 1.0 - threshold**n_outcomes


def summarize_rates(rows: pd.DataFrame, *, ci_prob: float) -> pd.DataFrame:
    """Rate of each ``declared_*`` column with its binomial Monte Carlo SE and Wilson interval.

    Returns
    -------
    DataFrame
        Columns ``analysis``, ``n_sims``, ``rate``, ``mcse`` (= sqrt(p(1-p)/n)), ``lower``,
        ``upper`` (Wilson score interval with probability ``ci_prob``).
    """
    out = []
    for column in [c for c in rows.columns if c.startswith("declared_")]:
        hits = int(rows[column].sum())
        n = int(rows[column].size)
        rate = hits / n
        lower, upper = stats.binomtest(hits, n).proportion_ci(confidence_level=ci_prob, method="wilson")
        out.append({"analysis": column.removeprefix("declared_"), "n_sims": n, "rate": rate,
                    "mcse": float(np.sqrt(rate * (1 - rate) / n)), "lower": float(lower), "upper": float(upper)})
    return pd.DataFrame(out)
