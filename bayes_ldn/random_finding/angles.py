r"""Angles 1-4 and 7 of the verdict: shrinkage, sceptical priors, reverse-Bayes, Bayes factor,
replication. All exact (closed form or the quadrature of :func:`bayes_ldn.stats.normal_hierarchical`).

On the standardized scale the flagged result is ``d ~ N(delta, s^2)`` (see
:class:`~bayes_ldn.random_finding._common.StandardizedEffect`).

* Tipping point. Under ``delta ~ N(0, sigma_0^2)``,
  ``P(delta > 0 | d) = Phi(z / sqrt(1 + s^2 / sigma_0^2))`` with ``z = d / s``, increasing in
  ``sigma_0``; it equals ``q`` at

  .. math:: \sigma_0^* = s / \sqrt{z^2 / z_q^2 - 1}, \qquad z_q = \Phi^{-1}(q),

  which exists when ``|z| > z_q`` (otherwise P < q even under a flat prior).
* Replication. A new trial of the same size has ``d_new | delta ~ N(delta, s^2)``; with the
  posterior ``delta ~ N(m, v)`` the predictive is ``d_new ~ N(m, v + s^2)``, so
  ``P(d_new / s > c) = Phi((m - c s) / sqrt(v + s^2))``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from bayes_ldn import priors as pr
from bayes_ldn.bayes_factor import bf10_sensitivity, evidence_label, savage_dickey_bf10
from bayes_ldn.random_finding._common import (
    NEUTRAL, RANDOM, REAL, StandardizedEffect, not_available, points_from_prob, row, standardize,
)
from bayes_ldn.random_finding.choices import RandomFindingChoices
from bayes_ldn.reverse_bayes import advocacy_limit, intrinsic_credibility, sceptical_limit
from bayes_ldn.stats import conjugate_normal, format_probability, normal_hierarchical

__all__ = [
    "bayes_factor_rows",
    "replication_probability",
    "replication_rows",
    "reverse_bayes_rows",
    "shrinkage_rows",
    "skeptical_rows",
    "tipping_prior_sd",
]


# --- 1. multiplicity by shrinkage --------------------------------------------------------------


def shrinkage_rows(
    flagged: StandardizedEffect, family: Sequence | None, choices: RandomFindingChoices
) -> tuple[list[dict], pd.DataFrame | None]:
    """Flagged outcome pooled with its family under half-normal heterogeneity priors."""
    angle = "1 multiplicity (shrinkage)"
    if family is None:
        return [not_available(angle, "no sibling outcomes were given (no outcome family)")], None
    siblings = [r for r in family if r.id != flagged.record.id]
    if not siblings:
        return [not_available(angle, "the family holds no outcome besides the flagged one")], None
    effects = [flagged] + [
        standardize(r, "ci_normal" if r.lower is not None else "p_normal") for r in siblings
    ]
    labels = tuple(e.record.id for e in effects)
    d = np.array([e.estimate for e in effects])
    s = np.array([e.se for e in effects])
    unpooled = conjugate_normal(flagged.estimate, flagged.se, 0.0, np.inf)
    lo, hi = unpooled.interval(choices.ci_prob)
    detail = [{"tau_prior": "none (unpooled, flat prior)", "mean": unpooled.mean, "lower": lo,
               "upper": hi, "prob_better": unpooled.prob_above(0.0), "tau_mean": np.nan}]
    for scale in choices.tau_prior_scales:
        post = normal_hierarchical(d, s, tau_prior=stats.halfnorm(scale=scale),
                                   mu_prior=choices.mu_prior, labels=labels)
        theta = post.theta[flagged.record.id]
        lo, hi = theta.interval(choices.ci_prob)
        detail.append({"tau_prior": f"half-normal({scale:g})", "mean": theta.mean, "lower": lo,
                       "upper": hi, "prob_better": theta.prob_above(0.0), "tau_mean": post.tau_mean})
    table = pd.DataFrame(detail)
    unverified = [r.id for r in siblings if not r.verified]
    caveat = (f" Unverified sibling inputs: {', '.join(unverified)}." if unverified else "")
    rows = [row(angle, "P(LDN better), unpooled", unpooled.prob_above(0.0), NEUTRAL,
                f"flat prior, standardized d = {flagged.estimate:.3f} (SE {flagged.se:.3f}); "
                "the unadjusted reading", units="probability")]
    for scale, rec in zip(choices.tau_prior_scales, detail[1:], strict=True):
        head = scale == choices.headline_tau_scale
        rows.append(row(
            angle, f"P(LDN better), pooled, tau ~ half-normal({scale:g} SD)", rec["prob_better"],
            points_from_prob(rec["prob_better"], choices.real_prob, choices.random_prob),
            f"partial pooling of {len(effects)} outcomes (mu ~ N{choices.mu_prior}); posterior "
            f"mean d {rec['mean']:.3f} ({choices.ci_prob:.0%} CrI {rec['lower']:.3f} to {rec['upper']:.3f}) vs "
            f"unpooled {flagged.estimate:.3f}; outcomes treated as independent." + caveat,
            headline=head, units="probability"))
    return rows, table


# --- 2. sceptical priors and the tipping point -------------------------------------------------


def tipping_prior_sd(z: float, se: float, prob: float) -> float:
    """Sceptical prior SD ``sigma_0`` at which ``P(better)`` equals ``prob``; ``nan`` if never reached.

    Returns ``nan`` when ``P(better) < prob`` already under a flat prior (``z <= z_prob``).
    """
    z_q = float(stats.norm.ppf(prob))
    if z <= z_q:
        return float("nan")
    return float(se / np.sqrt(z**2 / z_q**2 - 1.0))


def skeptical_rows(flagged: StandardizedEffect, choices: RandomFindingChoices) -> list[dict]:
    """P(better) and P(better by > threshold) under sceptical presets; tipping SDs."""
    angle = "2 sceptical priors"
    d, s, sd = flagged.estimate, flagged.se, flagged.sd_change
    rows = []
    for strength in choices.skeptical_strengths:
        prior = pr.skeptical(mcid=choices.mcid_sd, strength=strength)
        post = conjugate_normal(d, s, 0.0, prior.params["sigma"])
        p_better = post.prob_above(0.0)
        desc = f"prior {prior.describe()} on d ({prior.params['sigma'] * sd:.3g} {flagged.likelihood.units})"
        rows.append(row(angle, f"P(LDN better), {prior.name}", p_better,
                        points_from_prob(p_better, choices.real_prob, choices.random_prob),
                        f"{desc}; P(d > {choices.mcid_sd:g}) = {pr.STRENGTHS[strength]:g} a priori",
                        headline=strength == "moderate", units="probability"))
        p_thr = post.prob_above(choices.threshold_sd)
        rows.append(row(angle, f"P(LDN better by > {choices.threshold_sd:g} SD), {prior.name}", p_thr,
                        points_from_prob(p_thr, choices.real_prob, choices.random_prob),
                        f"{desc}; threshold {choices.threshold_sd * sd:.3g} {flagged.likelihood.units}",
                        units="probability"))
    moderate_sd = pr.skeptical(mcid=choices.mcid_sd, strength="moderate").params["sigma"]
    for prob in choices.tipping_probs:
        tip = tipping_prior_sd(flagged.z, s, prob)
        if np.isnan(tip):
            rows.append(row(angle, f"tipping prior SD for P(better) < {prob:g}", tip, RANDOM,
                            f"P(LDN better) is below {prob:g} even under a flat prior", units="SD"))
            continue
        pts = REAL if tip < moderate_sd else RANDOM
        rows.append(row(
            angle, f"tipping prior SD for P(better) < {prob:g}", tip, pts,
            f"a sceptical N(0, sigma^2) prior with sigma below {tip:.3f} SD ({tip * sd:.3g} "
            f"{flagged.likelihood.units}; 95% of prior mass within +/-{1.96 * tip:.3f} SD) pulls "
            f"P(LDN better) below {prob:g}; the moderate sceptical prior has sigma {moderate_sd:.3f}",
            units="SD"))
    return rows


# --- 3. reverse-Bayes ---------------------------------------------------------------------------


def reverse_bayes_rows(flagged: StandardizedEffect) -> list[dict]:
    """Sceptical (or advocacy) limit and intrinsic credibility, with what they mean."""
    angle = "3 reverse-Bayes"
    units = flagged.likelihood.units
    lik = flagged.likelihood
    rec = flagged.record
    if rec.lower is not None and rec.upper is not None and rec.ci_prob is not None:
        # Matthews' formula takes the published interval as printed (rounding and all).
        bounds = np.log([rec.lower, rec.upper]) if rec.measure == "ratio" else np.array([rec.lower, rec.upper])
        lo, hi = sorted(lik.sign * bounds)
        ci_prob, source = rec.ci_prob, "the published interval"
    else:
        z975 = float(stats.norm.isf(0.025))
        lo, hi = lik.estimate - z975 * lik.se, lik.estimate + z975 * lik.se
        ci_prob, source = 0.95, f"the 95% interval rebuilt from the SE ({lik.conversion_note})"
    rows = []
    if lo * hi > 0:
        lim = sceptical_limit(lo, hi, ci_prob=ci_prob, scale="difference")
        meaning = (
            f"a sceptic whose prior puts 95% of the effect within +/-{lim.limit:.3g} {units} "
            f"would still see a 95% interval that includes 0. The result is credible only if "
            f"evidence outside this trial makes effects of {lim.limit:.3g} {units} plausible; "
            + ("the estimate itself lies beyond the limit (intrinsically credible)." if lim.credible
               else f"the estimate ({abs(lik.estimate):.3g}) lies inside it, so the trial alone is "
               "not enough (not intrinsically credible).")
        )
        rows.append(row(angle, "sceptical limit SL (Matthews 2018)", lim.limit,
                        REAL if lim.credible else RANDOM, f"from {source} ({lo:.3g}, {hi:.3g}): {meaning}",
                        headline=True, units=units))
        rows.append(row(angle, "sceptical limit SL, standardized", lim.limit / flagged.sd_change,
                        REAL if lim.credible else RANDOM,
                        f"SL in SD units of change (SD {flagged.sd_change:.3g} {units})", units="SD"))
    else:
        lim = advocacy_limit(lo, hi, ci_prob=ci_prob, scale="difference")
        rows.append(row(angle, "advocacy limit AL (Matthews 2018)", lim.limit, NEUTRAL,
                        f"from {source} ({lo:.3g}, {hi:.3g}): the result is not significant; only a "
                        f"prior already confident of effects between 0 and {lim.limit:.3g} {units} "
                        "would make it so", headline=True,
                        units=units))
    for method, cut in (("held", "p < 0.0056"), ("matthews", "p < 0.013")):
        p_i = intrinsic_credibility(flagged.z, method=method)
        rows.append(row(angle, f"intrinsic credibility p_I ({method.title()})", p_i,
                        REAL if p_i < 0.05 else RANDOM,
                        f"p_I < 0.05 (i.e. {cut}) means the result is credible on its own; z = "
                        f"{flagged.z:.3f}", units="p-value"))
    return rows


# --- 4. Bayes factor -----------------------------------------------------------------------------


def bayes_factor_rows(
    flagged: StandardizedEffect, choices: RandomFindingChoices
) -> tuple[list[dict], pd.DataFrame]:
    """Savage-Dickey ``BF_10`` under ``N(0, bf_prior_sd^2)`` on d, and its sensitivity."""
    angle = "4 Bayes factor"
    d, s = flagged.estimate, flagged.se
    bf = savage_dickey_bf10(d, s, prior_mean=0.0, prior_sd=choices.bf_prior_sd)
    low, high = choices.bf_bands
    pts = REAL if bf >= high else RANDOM if bf <= low else NEUTRAL
    table = bf10_sensitivity(d, s, prior_mean=0.0, prior_sds=choices.bf_prior_sds)
    span = f"{table['bf10'].min():.3g} to {table['bf10'].max():.3g}"
    rows = [row(angle, f"BF10, prior N(0, {choices.bf_prior_sd:g}^2) on d", bf, pts,
                f"{evidence_label(bf)} (Savage-Dickey, exact); over prior SDs "
                f"{', '.join(f'{v:g}' for v in choices.bf_prior_sds)} BF10 runs {span}",
                headline=True, units="ratio")]
    for sd_, b in zip(table["prior_sd"], table["bf10"], strict=True):
        if sd_ == choices.bf_prior_sd:
            continue
        rows.append(row(angle, f"BF10, prior N(0, {sd_:g}^2) on d", b,
                        REAL if b >= high else RANDOM if b <= low else NEUTRAL,
                        f"sensitivity: {evidence_label(b)}", units="ratio"))
    return rows, table


# --- 7. replication -------------------------------------------------------------------------------


def replication_probability(post_mean: float, post_sd: float, se: float, critical_z: float) -> float:
    """P(new same-size trial has ``estimate / se > critical_z``) under the predictive ``N(m, v + s^2)``."""
    return float(special.ndtr((post_mean - critical_z * se) / np.sqrt(post_sd**2 + se**2)))


def replication_rows(flagged: StandardizedEffect, choices: RandomFindingChoices) -> list[dict]:
    """Posterior predictive probability that a same-size trial is significant / convincing."""
    angle = "7 replication"
    d, s = flagged.estimate, flagged.se
    z_sig = float(stats.norm.isf(choices.replication_alpha / 2))
    z_95 = float(stats.norm.ppf(0.95))
    low, high = choices.replication_bands
    moderate = pr.skeptical(mcid=choices.mcid_sd, strength="moderate")
    rows = []
    for label, post in (("flat prior", conjugate_normal(d, s, 0.0, np.inf)),
                        (moderate.name, conjugate_normal(d, s, 0.0, moderate.params["sigma"]))):
        p_sig = replication_probability(post.mean, post.sd, s, z_sig)
        p_wrong = replication_probability(-post.mean, post.sd, s, z_sig)
        pts = RANDOM if p_sig < low else REAL if p_sig >= high else NEUTRAL
        rows.append(row(
            angle, f"P(new trial significant for LDN, two-sided {choices.replication_alpha:g}), {label}",
            p_sig, pts,
            f"same size, predictive N({post.mean:.3f}, {post.sd:.3f}^2 + {s:.3f}^2) on d; "
            f"significant in either direction: {format_probability(p_sig + p_wrong)}",
            headline=label == "flat prior", units="probability"))
        p_conv = replication_probability(post.mean, post.sd, s, z_95)
        rows.append(row(angle, f"P(new trial finds P(LDN better) > 0.95), {label}", p_conv,
                        RANDOM if p_conv < low else REAL if p_conv >= high else NEUTRAL,
                        "the new trial analysed alone with a flat prior", units="probability"))
    return rows
