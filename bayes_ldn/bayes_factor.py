r"""Savage-Dickey Bayes factors for an effect against none, under a stated normal prior.

With a normal likelihood ``y ~ N(theta, s^2)`` and, under H1, a proper prior
``theta ~ N(m_0, sigma_0^2)`` (H0: ``theta = 0``), the Savage-Dickey density ratio is exact:

.. math::

    BF_{10} = \frac{p(y \mid H_1)}{p(y \mid H_0)}
            = \frac{p(\theta = 0 \mid H_1)}{p(\theta = 0 \mid y, H_1)}
            = \frac{N(y;\, m_0,\, \sigma_0^2 + s^2)}{N(y;\, 0,\, s^2)}.

A flat prior makes ``BF_10`` undefined (brms #566; bayestestR #82): ``prior_sd`` must be finite.
``BF_10`` depends on the prior scale (Lindley's paradox: it tends to 0 as ``sigma_0`` grows), so
:func:`bf10_sensitivity` reports it over a range of scales.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn.exceptions import raise_if
from bayes_ldn.stats import conjugate_normal

__all__ = ["bf10_sensitivity", "evidence_label", "savage_dickey_bf10"]

#: Jeffreys-style evidence bands on BF_10 (Lee & Wagenmakers 2013), lower bounds.
_BANDS = ((100, "extreme for H1"), (30, "very strong for H1"), (10, "strong for H1"),
          (3, "moderate for H1"), (1, "anecdotal for H1"), (1 / 3, "anecdotal for H0"),
          (1 / 10, "moderate for H0"), (1 / 30, "strong for H0"), (1 / 100, "very strong for H0"))


def _check(estimate: float, se: float, prior_sd: float) -> None:
    problems = []
    if not (np.isfinite(se) and se > 0):
        problems.append(f"se must be positive and finite, got {se}")
    if not (np.isfinite(prior_sd) and prior_sd > 0):
        problems.append(
            f"prior_sd must be positive and finite, got {prior_sd}: a Bayes factor against a point "
            "null needs a proper prior"
        )
    if not np.isfinite(estimate):
        problems.append(f"estimate must be finite, got {estimate}")
    raise_if("Savage-Dickey Bayes factor", problems)


def savage_dickey_bf10(estimate: float, se: float, *, prior_mean: float, prior_sd: float) -> float:
    """``BF_10`` of ``theta != 0`` against ``theta = 0``: prior density at 0 / posterior density at 0.

    Parameters
    ----------
    estimate, se : float
        The normal likelihood on the aligned scale.
    prior_mean, prior_sd : float
        The H1 prior ``N(prior_mean, prior_sd^2)`` (a stated analysis choice).

    Examples
    --------
    >>> round(savage_dickey_bf10(0.0, 1.0, prior_mean=0.0, prior_sd=1.0), 4)  # sqrt(1/2)
    0.7071
    """
    _check(estimate, se, prior_sd)
    post = conjugate_normal(estimate, se, prior_mean, prior_sd)
    log_prior_0 = stats.norm.logpdf(0.0, prior_mean, prior_sd)
    log_post_0 = stats.norm.logpdf(0.0, post.mean, post.sd)
    return float(np.exp(log_prior_0 - log_post_0))


def evidence_label(bf10: float) -> str:
    """Verbal band of ``BF_10`` (Lee & Wagenmakers 2013 wording of Jeffreys' scale)."""
    for bound, label in _BANDS:
        if bf10 >= bound:
            return label
    return "extreme for H0"


def bf10_sensitivity(
    estimate: float, se: float, *, prior_mean: float, prior_sds: Sequence[float]
) -> pd.DataFrame:
    """``BF_10`` over a range of prior scales: columns ``prior_sd``, ``bf10``, ``log10_bf10``, ``evidence``."""
    bfs = [savage_dickey_bf10(estimate, se, prior_mean=prior_mean, prior_sd=s) for s in prior_sds]
    return pd.DataFrame({
        "prior_sd": np.asarray(prior_sds, dtype=float),
        "bf10": bfs,
        "log10_bf10": np.log10(bfs),
        "evidence": [evidence_label(b) for b in bfs],
    })
