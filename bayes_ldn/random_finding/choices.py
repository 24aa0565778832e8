"""The analysis choices of the random-finding verdict, all explicit and named.

Every threshold and prior of the verdict lives in :class:`RandomFindingChoices`; nothing is read
from the data. Effects are analysed on the standardized scale (units of the SD of change), so
the priors are data-independent and comparable across the outcomes of a family.
:func:`standard_choices` is the named set the command line uses, with its rationale.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import STRENGTHS

__all__ = ["RandomFindingChoices", "standard_choices"]


@dataclass(frozen=True, kw_only=True)
class RandomFindingChoices:
    """Thresholds and priors of the random-finding analysis (standardized units unless stated).

    Attributes
    ----------
    conversion : str
        How the flagged record becomes a normal likelihood (``ci_normal``, ``p_normal``, ...).
    real_prob, random_prob : float
        A posterior P(LDN better) >= ``real_prob`` points to "real effect", < ``random_prob``
        to "random finding", in between "neutral".
    mcid_sd : float
        Effect anchoring the sceptical presets (SD units): ``skeptical(mcid=mcid_sd, strength)``.
    skeptical_strengths : tuple of str
        Strengths from :data:`bayes_ldn.priors.STRENGTHS`, weakest first.
    threshold_sd : float
        "Better by more than" threshold (SD units).
    tipping_probs : tuple of float
        Probabilities whose tipping prior SD is reported (0.95, 0.9).
    tau_prior_scales : tuple of float
        Half-normal scales of the heterogeneity prior across the family's outcomes (SD units).
    headline_tau_scale : float
        The one of ``tau_prior_scales`` whose pooled result is the shrinkage headline.
    mu_prior : (float, float)
        Normal prior (mean, SD) of the family's mean effect (SD units).
    bf_prior_sd : float
        SD of the H1 prior ``N(0, bf_prior_sd^2)`` of the headline Bayes factor.
    bf_prior_sds : tuple of float
        Prior SDs of the Bayes-factor sensitivity table.
    bf_bands : (float, float)
        ``BF_10 <= bf_bands[0]`` points to "random finding", ``>= bf_bands[1]`` to "real effect".
    share_threshold : float
        A median share of the difference carried by the placebo change above this points to
        "random finding".
    icc_values : tuple of float
        Test-retest ICCs of the measure (cuff CPM: 0.47 to 0.73; docs/reference/published-numbers.md 6.2).
    deviation_sds : tuple of float
        Baseline deviations of a group mean from the population mean (SD units), for the
        regression-to-the-mean sweep.
    rtm_plausible_prob : float
        A chance baseline deviation at least as large as the one needed to explain the placebo
        change, with probability >= this, makes noise alone a plausible explanation.
    negligible_slope : float
        Clinically negligible slope of pain change on effect-measure change (response units per
        effect unit).
    response_outcome : str
        Clinical outcome in patient-level data (``pain_nrs``).
    replication_alpha : float
        Two-sided significance level of the hypothetical new trial.
    ci_prob : float
        Probability of every credible interval reported (default
        :data:`bayes_ldn.defaults.CI_PROB`; ``bayes-ldn reanalyze --ci-prob`` sets it).
    replication_bands : (float, float)
        Replication probability < ``[0]`` points to "random finding", >= ``[1]`` "real effect".
    rationale : str
        Why these values.
    """

    conversion: str
    real_prob: float
    random_prob: float
    mcid_sd: float
    skeptical_strengths: tuple[str, ...]
    threshold_sd: float
    tipping_probs: tuple[float, ...]
    tau_prior_scales: tuple[float, ...]
    headline_tau_scale: float
    mu_prior: tuple[float, float]
    bf_prior_sd: float
    bf_prior_sds: tuple[float, ...]
    bf_bands: tuple[float, float]
    share_threshold: float
    icc_values: tuple[float, ...]
    deviation_sds: tuple[float, ...]
    rtm_plausible_prob: float
    negligible_slope: float
    response_outcome: str
    replication_alpha: float
    replication_bands: tuple[float, float]
    rationale: str = ""
    ci_prob: float = defaults.CI_PROB

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.random_prob <= self.real_prob < 1:
            problems.append(
                f"need 0 < random_prob <= real_prob < 1, got {self.random_prob} and {self.real_prob}"
            )
        bad = [s for s in self.skeptical_strengths if s not in STRENGTHS]
        if bad:
            problems.append(f"unknown sceptical strengths {bad}; use {', '.join(STRENGTHS)}")
        positive = {
            "mcid_sd": (self.mcid_sd,), "threshold_sd": (self.threshold_sd,),
            "tau_prior_scales": self.tau_prior_scales, "bf_prior_sd": (self.bf_prior_sd,),
            "bf_prior_sds": self.bf_prior_sds, "deviation_sds": self.deviation_sds,
            "negligible_slope": (self.negligible_slope,), "mu_prior sd": (self.mu_prior[1],),
        }
        for name, values in positive.items():
            if not values or not all(np.isfinite(v) and v > 0 for v in values):
                problems.append(f"{name} must be positive and finite, got {values}")
        if self.headline_tau_scale not in self.tau_prior_scales:
            problems.append(
                f"headline_tau_scale {self.headline_tau_scale} must be one of tau_prior_scales "
                f"{self.tau_prior_scales}"
            )
        for name, values in {"tipping_probs": self.tipping_probs, "icc_values": self.icc_values}.items():
            if not values or not all(0 < v < 1 for v in values):
                problems.append(f"{name} must lie in (0, 1), got {values}")
        if not 0 < self.bf_bands[0] < 1 < self.bf_bands[1]:
            problems.append(f"bf_bands must satisfy 0 < low < 1 < high, got {self.bf_bands}")
        if not 0 < self.replication_bands[0] <= self.replication_bands[1] < 1:
            problems.append(f"replication_bands must satisfy 0 < low <= high < 1, got {self.replication_bands}")
        for name, v in {"share_threshold": self.share_threshold, "replication_alpha": self.replication_alpha,
                        "rtm_plausible_prob": self.rtm_plausible_prob}.items():
            if not 0 < v < 1:
                problems.append(f"{name} must lie in (0, 1), got {v}")
        if not 0 < self.ci_prob < 1:
            problems.append(f"ci_prob must lie in (0, 1), got {self.ci_prob}")
        raise_if("random-finding choices", problems)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, for provenance."""
        return asdict(self)


def standard_choices(*, conversion: str, ci_prob: float = defaults.CI_PROB) -> RandomFindingChoices:
    """The named choice set of ``bayes-ldn random-finding``.

    Standardized thresholds follow Cohen's conventions (0.2 small, 0.5 medium); the heterogeneity
    scales span near-common (0.1 SD) to very different (1 SD) effects across outcomes; the
    Bayes-factor prior N(0, 0.5^2) puts 95% of its mass on |d| < 1; the ICC range is the cuff CPM
    test-retest range (doi:10.1002/ejp.958); a pain slope below 0.1 NRS per kPa means FINAL's
    2-kPa CPM difference would carry under 0.2 NRS points, a tenth of the ~2-point clinically
    important change (Farrar 2001).
    """
    return RandomFindingChoices(
        conversion=conversion,
        real_prob=0.95,
        random_prob=0.90,
        mcid_sd=0.5,
        skeptical_strengths=("weak", "moderate", "strong"),
        threshold_sd=0.2,
        tipping_probs=(0.95, 0.90),
        tau_prior_scales=(0.1, 0.25, 0.5, 1.0),
        headline_tau_scale=0.5,
        mu_prior=(0.0, 1.0),
        bf_prior_sd=0.5,
        bf_prior_sds=(0.1, 0.2, 0.5, 1.0, 2.0),
        bf_bands=(1 / 3, 3.0),
        share_threshold=0.5,
        icc_values=(0.47, 0.60, 0.73),
        deviation_sds=(0.1, 0.25, 0.5, 1.0),
        rtm_plausible_prob=0.05,
        negligible_slope=0.1,
        response_outcome="pain_nrs",
        replication_alpha=0.05,
        replication_bands=(0.5, 0.8),
        rationale=standard_choices.__doc__.split("\n\n")[1].strip() if standard_choices.__doc__ else "",
        ci_prob=ci_prob,
    )
