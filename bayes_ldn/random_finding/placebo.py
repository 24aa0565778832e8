r"""Angle 5: the placebo decline, and how much of it a noisy measure produces by itself.

Within-group changes (aligned, positive = better) get flat-prior posteriors
``c_T ~ N(y_T, s_T^2)`` and ``c_P ~ N(y_P, s_P^2)``, independent (separate arms).

**Share of the difference carried by the placebo change**, ``R = -c_P / (c_T - c_P)``. With
``N = -c_P``, ``D = c_T - c_P`` (jointly normal, ``Cov(N, D) = s_P^2``) and ``W_r = N - r D``,

.. math:: P(R \le r) = P(W_r \le 0) + P(D < 0) - 2 P(W_r \le 0, D \le 0),

a bivariate-normal probability, so the median and interval of ``R`` are exact (root finding).

**Regression to the mean with measurement error.** A measure with test-retest reliability
``ICC`` and single-measurement SD ``sigma``: a group whose baseline mean lies ``D`` SDs from the
population mean is expected, with no true change, to move by ``-(1 - ICC) D sigma``. With
stable true scores the SD of change is ``sigma sqrt(2 (1 - ICC))``, which gives ``sigma`` from
the published within-arm CI. A randomized arm of ``n`` patients has ``D ~ N(0, 1/n)`` by chance;
the deviation needed to produce the observed placebo change, ``D* = -c_P / ((1 - ICC) sigma)``,
is then compared with that chance distribution: ``P(D >= D*) = Phi(-D* sqrt(n))``.
Selection of the whole sample (for example on pain) moves both arms alike and cancels in the
between-group difference; only a chance imbalance between arms can move the difference.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special

from bayes_ldn.data.records import PublishedRecord
from bayes_ldn.random_finding._common import (
    NEUTRAL, RANDOM, StandardizedEffect, not_available, row, standardize,
)
from bayes_ldn.random_finding.choices import RandomFindingChoices
from bayes_ldn.stats import conjugate_normal, format_probability

__all__ = ["PlaceboShare", "placebo_rows", "placebo_share", "rtm_expected_change"]


_SQRT_2PI = float(np.sqrt(2.0 * np.pi))


def _bivariate_normal_cdf(a: float, b: float, rho: float) -> float:
    """``P(X <= a, Y <= b)`` for standard normals with correlation ``rho``, by 1-D quadrature.

    Deterministic, unlike SciPy's quasi-Monte Carlo ``multivariate_normal.cdf``, so root finding
    on it is stable: ``int_{-inf}^{a} phi(x) Phi((b - rho x) / sqrt(1 - rho^2)) dx``.
    """
    rho = float(np.clip(rho, -1.0, 1.0))
    if abs(rho) > 1.0 - 1e-12:
        return float(special.ndtr(min(a, b)) if rho > 0 else max(0.0, special.ndtr(a) - special.ndtr(-b)))
    scale = np.sqrt(1.0 - rho**2)
    # The normal density written out: scipy.stats.norm.pdf's per-call overhead made this
    # integral (called ~100 times by each quantile search) most of the main job's verdict time.
    value, _ = integrate.quad(
        lambda x: np.exp(-0.5 * x * x) * special.ndtr((b - rho * x) / scale), -np.inf, a,
        epsabs=1e-13 * _SQRT_2PI, epsrel=1e-11, limit=200,
    )
    return float(value / _SQRT_2PI)


class PlaceboShare:
    """Exact distribution of ``R = -c_P / (c_T - c_P)`` for independent normal arm changes."""

    def __init__(self, treat_mean: float, treat_sd: float, placebo_mean: float, placebo_sd: float):
        self.treat_mean, self.treat_sd = float(treat_mean), float(treat_sd)
        self.placebo_mean, self.placebo_sd = float(placebo_mean), float(placebo_sd)

    def _joint(self, r: float) -> tuple[float, float, float, float, float]:
        m_n, m_d = -self.placebo_mean, self.treat_mean - self.placebo_mean
        v_p, v_t = self.placebo_sd**2, self.treat_sd**2
        v_d = v_t + v_p
        # W = N - r D = -(1 - r) c_P ... written through N and D to keep Cov(N, D) = v_p explicit.
        m_w = m_n - r * m_d
        v_w = v_p - 2 * r * v_p + r**2 * v_d
        c_wd = v_p - r * v_d
        return m_w, v_w, m_d, v_d, c_wd

    def cdf(self, r: float) -> float:
        """``P(R <= r)``."""
        m_w, v_w, m_d, v_d, c_wd = self._joint(r)
        rho = c_wd / np.sqrt(v_w * v_d)
        p_w = special.ndtr(-m_w / np.sqrt(v_w))
        p_d = special.ndtr(-m_d / np.sqrt(v_d))
        both = _bivariate_normal_cdf(-m_w / np.sqrt(v_w), -m_d / np.sqrt(v_d), rho)
        return float(np.clip(p_w + p_d - 2.0 * both, 0.0, 1.0))

    def ppf(self, q: float) -> float:
        """Quantile of ``R`` by Brent's method on an expanding bracket."""
        lo, hi = -1.0, 1.0
        while self.cdf(lo) > q:
            lo *= 2.0
        while self.cdf(hi) < q:
            hi *= 2.0
        return float(optimize.brentq(lambda r: self.cdf(r) - q, lo, hi, xtol=1e-10))


def placebo_share(treat: StandardizedEffect, placebo: StandardizedEffect) -> PlaceboShare:
    """The share distribution from two within-arm records (flat priors, raw units)."""
    t, p = treat.likelihood, placebo.likelihood
    return PlaceboShare(t.estimate, t.se, p.estimate, p.se)


def rtm_expected_change(icc: float, deviation_sd: float) -> float:
    """Expected change, in single-measurement SDs, of a group ``deviation_sd`` SDs from the mean."""
    return -(1.0 - icc) * deviation_sd


def placebo_rows(
    flagged: StandardizedEffect,
    within: Mapping[str, PublishedRecord] | None,
    choices: RandomFindingChoices,
) -> tuple[list[dict], pd.DataFrame | None]:
    """Within-arm posteriors, P(placebo decline), share of the difference, RTM plausibility."""
    angle = "5 placebo decline"
    if within is None:
        return [not_available(angle, "no within-group changes were given")], None
    missing = [k for k in ("treatment", "placebo") if k not in within]
    if missing:
        return [not_available(angle, f"the within-group change of {' and '.join(missing)} is missing")], None
    lacking = [r.id for r in within.values() if r.lower is None and r.p is None]
    if lacking:
        return [not_available(angle, f"{', '.join(lacking)} report no CI or p-value for the change")], None
    treat = standardize(within["treatment"], "ci_normal" if within["treatment"].lower is not None else "p_normal")
    plac = standardize(within["placebo"], "ci_normal" if within["placebo"].lower is not None else "p_normal")
    units = flagged.likelihood.units
    rows = []
    for label, eff in (("treatment", treat), ("placebo", plac)):
        post = conjugate_normal(eff.likelihood.estimate, eff.likelihood.se, 0.0, np.inf)
        lo, hi = post.interval(choices.ci_prob)
        rows.append(row(angle, f"within-group change, {label} arm ({eff.record.arm})", post.mean, NEUTRAL,
                        f"flat prior, {choices.ci_prob:.0%} CrI {lo:.3g} to {hi:.3g} {units} (aligned: positive = better)",
                        units=units))
    post_p = conjugate_normal(plac.likelihood.estimate, plac.likelihood.se, 0.0, np.inf)
    p_decline = post_p.prob_below(0.0)
    rows.append(row(angle, "P(placebo change < 0)", p_decline, NEUTRAL,
                    "a worsening placebo arm; the randomized contrast already accounts for it, so it "
                    "weighs only if it is unexplained", units="probability"))
    share = placebo_share(treat, plac)
    med = share.ppf(0.5)
    lo, hi = share.ppf((1 - choices.ci_prob) / 2), share.ppf((1 + choices.ci_prob) / 2)
    p_half = 1.0 - share.cdf(choices.share_threshold)
    diff = treat.likelihood.estimate - plac.likelihood.estimate
    rows.append(row(angle, "share of the difference carried by the placebo change (median)", med,
                    RANDOM if med > choices.share_threshold else NEUTRAL,
                    f"-c_P / (c_T - c_P), exact; {choices.ci_prob:.0%} CrI {lo:.3g} to {hi:.3g}; P(share > "
                    f"{choices.share_threshold:g}) = {format_probability(p_half)}; arm changes give a "
                    f"difference of {diff:.3g} vs the published {flagged.likelihood.estimate:.3g} {units}",
                    units="fraction"))
    rows.append(row(angle, f"P(share > {choices.share_threshold:g})", p_half, NEUTRAL,
                    "probability that the placebo change carries most of the difference",
                    units="probability"))
    n_p = int(sum(plac.record.n.values()))
    sd_change = plac.sd_change
    # Noise alone: with no true change, the arm's mean change is N(0, se^2) (sampling plus
    # measurement error, which the published interval already contains).
    p_noise = float(special.ndtr(plac.likelihood.estimate / plac.likelihood.se))
    rows.append(row(
        angle, "P(change at least this negative | no true placebo change)", p_noise,
        RANDOM if p_noise >= choices.rtm_plausible_prob else NEUTRAL,
        f"one-sided: how often noise alone (SE {plac.likelihood.se:.3g} {units}) gives a placebo "
        f"mean change of {plac.likelihood.estimate:.3g} {units} or less; at least "
        f"{choices.rtm_plausible_prob:g} means a chance dip in the placebo arm is plausible",
        headline=True, units="probability"))
    detail = []
    for icc in choices.icc_values:
        sigma = sd_change / np.sqrt(2.0 * (1.0 - icc))
        for dev in choices.deviation_sds:
            expected = rtm_expected_change(icc, dev) * sigma
            detail.append({"icc": icc, "deviation_sd": dev, "sigma": sigma,
                           "expected_change": expected,
                           "share_of_observed": expected / plac.likelihood.estimate
                           if plac.likelihood.estimate != 0 else np.nan})
        if plac.likelihood.estimate >= 0:
            rows.append(row(angle, f"RTM: baseline deviation needed, ICC {icc:g}", 0.0, NEUTRAL,
                            "the placebo arm did not decline: nothing for regression to the mean to explain",
                            units="SD"))
            continue
        needed = -plac.likelihood.estimate / ((1.0 - icc) * sigma)
        p_chance = float(special.ndtr(-needed * np.sqrt(n_p)))
        rows.append(row(
            angle, f"RTM: baseline deviation needed, ICC {icc:g}", needed,
            RANDOM if p_chance >= choices.rtm_plausible_prob else NEUTRAL,
            f"with ICC {icc:g} (single-measurement SD {sigma:.3g} {units}) the placebo arm's baseline "
            f"mean must sit {needed:.2f} SD above the population mean for noise alone to give "
            f"{plac.likelihood.estimate:.3g} {units}; a randomized arm of {n_p} deviates this much by "
            f"chance with probability {format_probability(p_chance)} (one-sided). Selection of the "
            "whole sample moves both arms alike and cancels in the difference. Assumes stable true "
            "scores and independent errors; the arm's baseline deviation itself is unknown.",
            units="SD"))
    return rows, pd.DataFrame(detail)
