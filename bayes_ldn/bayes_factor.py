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
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import number_problems, scale_problems

__all__ = ["bf10_sensitivity", "evidence_label", "savage_dickey_bf10"]

#: Jeffreys-style evidence bands on BF_10 (Lee & Wagenmakers 2013), lower bounds.
_BANDS = ((100, "extreme for H1"), (30, "very strong for H1"), (10, "strong for H1"),
          (3, "moderate for H1"), (1, "anecdotal for H1"), (1 / 3, "anecdotal for H0"),
          (1 / 10, "moderate for H0"), (1 / 30, "strong for H0"), (1 / 100, "very strong for H0"))


def _check(estimate: float, se: float, prior_mean: float, prior_sd: float) -> None:
    problems = number_problems({"estimate": estimate, "prior_mean": prior_mean}, required=True)
    problems += scale_problems({"se": se}, required=True)
    if isinstance(prior_sd, Real) and not (0 < prior_sd < np.inf):  # NaN too
        problems.append(f"prior_sd must be positive and finite, got {prior_sd}: a Bayes factor against a point "
                        "null needs a proper prior")
    else:
        problems += scale_problems({"prior_sd": prior_sd}, required=True)
    raise_if("Savage-Dickey Bayes factor", problems)


def _log_bf10(estimate: float, se: float, prior_mean: float, prior_sd: float) -> float:
    """Natural log of ``BF_10`` (validated arguments), from the marginal likelihoods: the density
    ratio at 0 is the same number, but a prior far narrower than the SE makes both its logs huge and
    their difference lose every digit (a prior SD of 1e-47 gave BF 1 instead of exp(-1/2))."""
    with np.errstate(over="ignore"):  # a density beyond 1e154 SDs has log -inf, its limit
        log_h1 = stats.norm.logpdf(estimate, prior_mean, np.hypot(prior_sd, se))
        log_h0 = stats.norm.logpdf(estimate, 0.0, se)
    raise_if("Savage-Dickey Bayes factor", [] if np.isfinite(log_h1) and np.isfinite(log_h0) else [
        f"the estimate lies beyond 1e150 SEs of 0 or of the prior: BF_10 is 0/0 in double precision; check the units"])
    return float(log_h1 - log_h0)


def savage_dickey_bf10(estimate: float, se: float, *, prior_mean: float, prior_sd: float) -> float:
    """``BF_10`` of ``theta != 0`` against ``theta = 0``: prior density at 0 / posterior density at 0,
    computed as the equal ratio of marginal likelihoods (module docstring).

    Parameters
    ----------
    estimate, se : float
        The normal likelihood on the aligned scale.
    prior_mean, prior_sd : float
        The H1 prior ``N(prior_mean, prior_sd^2)`` (a stated analysis choice).

    Raises
    ------
    DataValidationError
        For a non-finite or non-numeric argument, and when ``BF_10`` exceeds double precision's
        range (beyond 1e308: the evidence is overwhelming, but the number cannot be returned;
        :func:`bf10_sensitivity` gives its ``log10``). A ``BF_10`` below 1e-308 underflows to 0.

    Examples
    --------
    >>> round(savage_dickey_bf10(0.0, 1.0, prior_mean=0.0, prior_sd=1.0), 4)  # sqrt(1/2)
    0.7071
    """
    _check(estimate, se, prior_mean, prior_sd)
    log_bf = _log_bf10(estimate, se, prior_mean, prior_sd)
    raise_if("Savage-Dickey Bayes factor", [] if log_bf < np.log(np.finfo(float).max) else [
        f"BF_10 = 10^{log_bf / np.log(10):.1f} is beyond double precision (1.8e308): extreme evidence for H1; "
        "report log10 BF_10 (bf10_sensitivity)"])
    return float(np.exp(log_bf))


def evidence_label(bf10: float) -> str:
    """Verbal band of ``BF_10`` (Lee & Wagenmakers 2013 wording of Jeffreys' scale)."""
    problems = number_problems({"bf10": bf10}, required=True)
    raise_if("evidence label", problems or ([] if bf10 >= 0 else [f"bf10 must be a Bayes factor >= 0, got {bf10}"]))
    for bound, label in _BANDS:
        if bf10 >= bound:
            return label
    return "extreme for H0"


def bf10_sensitivity(
    estimate: float, se: float, *, prior_mean: float, prior_sds: Sequence[float]
) -> pd.DataFrame:
    """``BF_10`` over a range of prior scales: columns ``prior_sd``, ``bf10``, ``log10_bf10``, ``evidence``.

    ``log10_bf10`` is computed in logs, so it stays exact where ``bf10`` underflows to 0.
    """
    if isinstance(prior_sds, (str, bytes)) or not hasattr(prior_sds, "__iter__"):
        raise_if("Savage-Dickey Bayes factor", [f"prior_sds must be a sequence of numbers, got {prior_sds!r}"])
    prior_sds = list(prior_sds)
    problems = [p for i, s in enumerate(prior_sds) for p in number_problems({f"prior_sds[{i}]": s}, required=True)]
    raise_if("Savage-Dickey Bayes factor", problems)
    bfs = [savage_dickey_bf10(estimate, se, prior_mean=prior_mean, prior_sd=s) for s in prior_sds]
    logs = [_log_bf10(estimate, se, prior_mean, s) / np.log(10) for s in prior_sds]
    return pd.DataFrame({
        "prior_sd": np.asarray(prior_sds, dtype=float),
        "bf10": bfs,
        "log10_bf10": np.asarray(logs, dtype=float),
        "evidence": [evidence_label(b) for b in bfs],
    })
