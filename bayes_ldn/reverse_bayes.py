r"""Reverse-Bayes: the Analysis of Credibility and intrinsic credibility (NumPy/SciPy only).

The Analysis of Credibility (AnCred; Matthews 2018, doi:10.1098/rsos.180209) asks which prior
would *just* overturn a published result, instead of which posterior a chosen prior gives.
With a 95% interval ``(L, U)`` on the analysis scale (a difference, or a log ratio),
``m = (L + U) / 2`` and ``z s = (U - L) / 2``:

* **Sceptical Limit** (significant result, ``L U > 0``). The sceptical prior ``N(0, sigma_0^2)``
  whose 95% interval is ``(-SL, SL)`` makes the posterior 95% interval touch 0 exactly:

  .. math:: SL = \frac{(U - L)^2}{4 \sqrt{U L}}, \qquad \sigma_0 = SL / z.

  The result is credible only if prior evidence makes effects beyond ``SL`` plausible.
  ``|m| > SL`` (intrinsic credibility) is the same as ``|z_obs| > z sqrt(phi)`` with ``phi`` the
  golden ratio, i.e. two-sided ``p < 0.013`` at the 95% level.

* **Advocacy Limit** (non-significant result, ``L < 0 < U``). The advocacy prior has its 95%
  interval from 0 to ``AL`` (mean ``AL/2``, SD ``|AL|/(2z)``) and makes the posterior 95%
  interval touch 0 exactly:

  .. math:: AL = -\frac{(U + L)(U - L)^2}{2 U L}.

  (Derived in ``docs/reference/check-cases.md`` 7.3 by solving "posterior limit = 0"; note the
  leading minus sign, which a public ``meta_ancred()`` snippet omits.) ``|AL|`` grows without
  bound as a CI limit approaches 0.

* **Intrinsic credibility** ``p_I`` of a result with ``z = estimate / se``:
  Held (2019, doi:10.1098/rsos.181534) ``p_I = 2 {1 - Phi(|z| / sqrt 2)}``, so a result is
  intrinsically credible at 5% when ``p < 0.0056``; Matthews (2018)
  ``p_I = 2 {1 - Phi(|z| sqrt((sqrt 5 - 1) / 2))}``, credible at 5% when ``p < 0.013``.

For ratios pass ``scale="ratio"``: the interval is logged first and the limits are returned on
both the log scale and as ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_ABS, MIN_SCALE, number_problems

__all__ = [
    "CredibilityLimit",
    "advocacy_limit",
    "intrinsic_credibility",
    "sceptical_limit",
]

#: Square of the golden ratio's inverse, (sqrt 5 - 1) / 2, Matthews' variance inflation.
_MATTHEWS_FACTOR = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class CredibilityLimit:
    """A sceptical or advocacy limit and the prior that attains it.

    Attributes
    ----------
    kind : {"sceptical", "advocacy"}
    limit : float
        SL (positive) or AL (signed, on the side of the estimate), on the analysis scale (log
        scale for ratios).
    prior_mean, prior_sd : float
        The critical prior ``N(prior_mean, prior_sd^2)`` on the analysis scale.
    prior_interval : (float, float)
        Its central interval at ``ci_prob`` (``(-SL, SL)`` or ``(0, AL)`` ordered).
    ratio_interval : (float, float) or None
        ``exp(prior_interval)`` for ``scale="ratio"``.
    credible : bool or None
        Sceptical limit only: whether the estimate lies outside ``(-SL, SL)`` (intrinsically
        credible in Matthews' sense).
    """

    kind: str
    limit: float
    prior_mean: float
    prior_sd: float
    prior_interval: tuple[float, float]
    ratio_interval: tuple[float, float] | None
    credible: bool | None

    def __post_init__(self) -> None:
        problems = [] if self.kind in ("sceptical", "advocacy") else [
            f"kind must be 'sceptical' or 'advocacy', got {self.kind!r}"]
        problems += number_problems({"limit": self.limit, "prior_mean": self.prior_mean, "prior_sd": self.prior_sd},
                                    required=True)
        if not problems and not self.prior_sd > 0:
            problems.append(f"prior_sd must be positive, got {self.prior_sd}")
        raise_if("credibility limit", problems)


def _analysis_interval(lower: float, upper: float, ci_prob: float, scale: str) -> tuple[float, float, float]:
    problems = number_problems({"lower": lower, "upper": upper, "ci_prob": ci_prob}, required=True)
    if problems:
        raise_if("credibility limit", problems)
    if not isinstance(scale, str) or scale not in ("difference", "ratio"):
        problems.append(f"scale must be 'difference' or 'ratio', got {scale!r}")
    if not 0.01 <= ci_prob <= 0.9999:  # beyond, the interval's normal quantile is ~0 or huge (as se_from_ci)
        problems.append(f"ci_prob must lie in [0.01, 0.9999] (the interval's coverage, e.g. 0.95), got {ci_prob}")
    if not lower < upper:
        problems.append(f"lower ({lower}) must be below upper ({upper}); swap them if reversed")
    if scale == "ratio" and not (lower > 0 and upper > 0):
        problems.append(f"a ratio interval must be positive, got ({lower}, {upper})")
    raise_if("credibility limit", problems)
    if scale == "ratio":
        lower, upper = float(np.log(lower)), float(np.log(upper))
    return float(lower), float(upper), float(stats.norm.isf((1 - ci_prob) / 2))


def sceptical_limit(lower: float, upper: float, *, ci_prob: float, scale: str) -> CredibilityLimit:
    """Matthews' (2018) Sceptical Limit of a significant result.

    Parameters
    ----------
    lower, upper : float
        The published interval (as ratios for ``scale="ratio"``), not containing the null.
    ci_prob : float
        Coverage of that interval (0.95); the sceptical prior gets the same coverage.
    scale : {"difference", "ratio"}

    Examples
    --------
    >>> round(sceptical_limit(0.60, 0.94, ci_prob=0.95, scale="ratio").limit, 4)
    0.2834
    """
    lo, hi, z = _analysis_interval(lower, upper, ci_prob, scale)
    raise_if(
        "sceptical limit",
        [] if lo > 0 or hi < 0 else [  # signs, not lo * hi > 0: a product of tiny limits underflows to 0
            f"the interval ({lower}, {upper}) contains the null: the result is not significant; "
            "use advocacy_limit"
        ],
    )
    with np.errstate(over="ignore"):  # a limit beyond double precision is refused just below
        limit = (hi - lo) / (2.0 * np.sqrt(abs(lo))) * ((hi - lo) / (2.0 * np.sqrt(abs(hi))))
    _check_limit("sceptical", limit, lower, upper, scale)
    estimate = (lo + hi) / 2.0
    ratio = (float(np.exp(-limit)), float(np.exp(limit))) if scale == "ratio" else None
    return CredibilityLimit(
        kind="sceptical", limit=float(limit), prior_mean=0.0, prior_sd=float(limit / z),
        prior_interval=(-float(limit), float(limit)), ratio_interval=ratio,
        credible=bool(abs(estimate) > limit),
    )


def advocacy_limit(lower: float, upper: float, *, ci_prob: float, scale: str) -> CredibilityLimit:
    """Matthews' (2018) Advocacy Limit of a non-significant result.

    The limit carries the sign of the estimate: the advocacy prior's interval runs from the null
    to ``AL`` on the estimate's side.
    """
    lo, hi, z = _analysis_interval(lower, upper, ci_prob, scale)
    problems = []
    if not lo < 0 < hi:
        problems.append(
            f"the interval ({lower}, {upper}) excludes the null: the result is significant; "
            "use sceptical_limit"
        )
    elif lo + hi == 0:
        problems.append("the estimate is exactly the null: no prior can make it significant")
    raise_if("advocacy limit", problems)
    with np.errstate(over="ignore"):  # a limit beyond double precision is refused just below
        limit = -((hi + lo) / hi) * ((hi - lo) / (2.0 * lo)) * (hi - lo)
    _check_limit("advocacy", limit, lower, upper, scale)
    interval = (min(0.0, limit), max(0.0, limit))
    ratio = (float(np.exp(interval[0])), float(np.exp(interval[1]))) if scale == "ratio" else None
    return CredibilityLimit(
        kind="advocacy", limit=float(limit), prior_mean=float(limit / 2.0),
        prior_sd=float(abs(limit) / (2.0 * z)), prior_interval=interval, ratio_interval=ratio,
        credible=None,
    )


def _check_limit(kind: str, limit: float, lower: float, upper: float, scale: str) -> None:
    """Refuse a limit (or, for ratios, exp(limit)) beyond MAX_ABS, a CI limit so close to the null
    relative to the interval's width that the critical prior's scale leaves double precision, or one
    below MIN_SCALE (an interval of 1e-200 width)."""
    bound = np.log(MAX_ABS) if scale == "ratio" else MAX_ABS
    raise_if(f"{kind} limit", [] if abs(limit) <= bound else [
        f"the {kind} limit of ({lower}, {upper}) is {limit:g}{' on the log scale' if scale == 'ratio' else ''}, "
        f"beyond {bound:g}: a limit of the interval is too close to the null for any prior to be stated; "
        "check the interval"])
    # Below MIN_SCALE the critical prior's SD (limit / z) is no usable scale (it underflows to 0 at 1e-324).
    raise_if(f"{kind} limit", [] if abs(limit) >= MIN_SCALE else [
        f"the {kind} limit of ({lower}, {upper}) is {limit:g}, below {MIN_SCALE:g}: rescale the units"])


def intrinsic_credibility(z: float, *, method: str) -> float:
    """Two-sided intrinsic-credibility p-value ``p_I`` of a result with z-statistic ``z``.

    Parameters
    ----------
    z : float
        ``estimate / se``.
    method : {"held", "matthews"}
        Held (2019): ``|z| / sqrt 2``; Matthews (2018): ``|z| sqrt((sqrt 5 - 1) / 2)``.

    Examples
    --------
    >>> round(intrinsic_credibility(stats.norm.isf(0.0056 / 2), method="held"), 3)
    0.05
    """
    raise_if(
        "intrinsic credibility",
        number_problems({"z": z}, required=True)
        + ([] if method in ("held", "matthews") else [f"method must be 'held' or 'matthews', got {method!r}"]),
    )
    factor = np.sqrt(0.5) if method == "held" else np.sqrt(_MATTHEWS_FACTOR)
    return float(2.0 * special.ndtr(-abs(z) * factor))
