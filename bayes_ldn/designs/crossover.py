r"""Crossover design: linear mixed model with period, treatment, optional carry-over and subjects.

See :func:`crossover_model` for the equations. Nuisance priors are fixed numbers on the outcome
scale (:class:`NuisancePriors`), never computed from the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pymc as pm

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior

__all__ = ["CARRYOVER", "LIKELIHOODS", "NuisancePriors", "crossover_model", "nuisance_priors"]

CARRYOVER = ("none", "sequence", "first_order")
LIKELIHOODS = ("normal", "student")


@dataclass(frozen=True, kw_only=True)
class NuisancePriors:
    """Priors of the nuisance parameters, as fixed numbers on the outcome scale.

    ``intercept ~ Normal(intercept_mu, intercept_sigma)``; ``period_effect``,
    ``sequence_effect ~ Normal(0, effect_sigma)``; ``subject_sd``, ``residual_sd ~
    HalfNormal(sd_sigma)``; ``baseline_slope ~ Normal(0, slope_sigma)``; ``residual_df ~
    Gamma(2, 0.1)`` (Juarez & Steel 2010, doi:10.1198/jbes.2009.07145).
    """

    name: str
    intercept_mu: float
    intercept_sigma: float
    effect_sigma: float
    sd_sigma: float
    slope_sigma: float = 2.0
    df_alpha: float = 2.0
    df_beta: float = 0.1
    rationale: str = ""

    def __post_init__(self) -> None:
        bad = [k for k in ("intercept_sigma", "effect_sigma", "sd_sigma", "slope_sigma", "df_alpha", "df_beta")
               if not (np.isfinite(getattr(self, k)) and getattr(self, k) > 0)]
        raise_if("nuisance priors", [f"{k} must be positive and finite, got {getattr(self, k)}" for k in bad])

    @classmethod
    def for_range(cls, low: float, high: float) -> NuisancePriors:
        """Weakly informative priors for an instrument scored on ``[low, high]``.

        With width ``W = high - low``: ``intercept ~ N((low + high) / 2, W / 2)``, period and
        sequence effects ``~ N(0, W / 4)``, SDs ``~ HalfNormal(W / 4)``. The range is a property
        of the instrument, not of the data.
        """
        raise_if("nuisance priors", [] if high > low else [f"need low < high, got {low}, {high}"])
        w = float(high - low)
        return cls(name=f"range({low:g},{high:g})", intercept_mu=(low + high) / 2, intercept_sigma=w / 2,
                   effect_sigma=w / 4, sd_sigma=w / 4,
                   rationale=f"weakly informative for an instrument scored {low:g}-{high:g}")


#: Named nuisance presets (fixed numbers; see :class:`NuisancePriors`).
NUISANCE_PRESETS: dict[str, NuisancePriors] = {
    "wide": NuisancePriors(
        name="wide", intercept_mu=0.0, intercept_sigma=100.0, effect_sigma=50.0, sd_sigma=50.0,
        rationale="vague for outcomes whose plausible values lie within about +-100 (NRS, FIQR, VAS)",
    ),
    "scale_0_10": NuisancePriors.for_range(0.0, 10.0),
    "scale_0_100": NuisancePriors.for_range(0.0, 100.0),
}


def nuisance_priors(spec: NuisancePriors | str) -> NuisancePriors:
    """A :class:`NuisancePriors` from itself or a preset name (``wide``, ``scale_0_10``, ``scale_0_100``)."""
    if isinstance(spec, NuisancePriors):
        return spec
    raise_if("nuisance priors", [] if spec in NUISANCE_PRESETS else
             [f"unknown nuisance preset {spec!r}; use one of {', '.join(NUISANCE_PRESETS)} or NuisancePriors(...)"])
    return NUISANCE_PRESETS[spec]


def _residual(name: str, mu: Any, sigma: Any, likelihood: str, nui: NuisancePriors, **kw: Any) -> Any:
    if likelihood == "student":
        nu = pm.Gamma("residual_df", alpha=nui.df_alpha, beta=nui.df_beta)
        return pm.StudentT(name, nu=nu, mu=mu, sigma=sigma, **kw)
    return pm.Normal(name, mu=mu, sigma=sigma, **kw)


def crossover_estimand(data: CrossoverData, better: str) -> dict[str, Any]:
    """The estimand every crossover builder records: treatment minus reference, and its aligned form."""
    return {"treatment": data.treatment, "reference": data.reference, "better": better,
            "scale": "linear", "variable": "treatment_effect (treatment - reference)",
            "aligned": "treatment_effect_aligned (positive = better)"}


def crossover_model(
    data: CrossoverData,
    prior: EffectPrior,
    *,
    better: str,
    carryover: str,
    likelihood: str,
    baseline: bool,
    nuisance: NuisancePriors | str = "wide",
    carryover_prior: EffectPrior | None = None,
) -> TrialModel:
    r"""Bayesian linear mixed model of a two-treatment crossover trial.

    Parameters
    ----------
    data : CrossoverData
        Validated long-format data (drop-outs kept: the model uses every observed row).
    prior : EffectPrior
        Prior on the **aligned** treatment effect (positive = treatment better).
    better : {"higher", "lower"}
        Direction of benefit of the outcome; ``treatment_effect = align_sign(better) *
        treatment_effect_aligned``.
    carryover : {"none", "sequence", "first_order"}
        ``"none"``: no carry-over. ``"sequence"``: a fixed ``sequence_effect`` per non-reference
        sequence (in AB/BA this *is* the carry-over contrast, see Notes). ``"first_order"``: an
        additive ``carryover_effect`` on every period that follows a period on the treatment;
        needs ``carryover_prior``.
    likelihood : {"normal", "student"}
        Residual distribution.
    baseline : bool
        Adjust for the centred period baseline (needs a ``baseline`` column).
    nuisance : NuisancePriors or str
        Nuisance priors or a preset name; the default ``"wide"`` is: intercept ~ N(0, 100),
        period and sequence effects ~ N(0, 50), ``subject_sd``, ``residual_sd`` ~
        HalfNormal(50), ``baseline_slope`` ~ N(0, 2), ``residual_df`` ~ Gamma(2, 0.1).
    carryover_prior : EffectPrior, optional
        Prior of ``carryover_effect`` on the outcome scale (``"first_order"`` only).

    Returns
    -------
    TrialModel

    Notes
    -----
    For subject :math:`i` in sequence :math:`s(i)` and period :math:`p`:

    .. math::

        y_{ip} &= \alpha + \pi_p + \tau\, d_{ip} + \gamma_{s(i)} + \lambda\, c_{ip}
                 + \beta (b_{ip} - \bar b) + \sigma_u z_i + \varepsilon_{ip} \\
        \tau &= a \cdot \theta, \quad a = \text{align\_sign(better)}, \quad \theta \sim p_0 \\
        z_i &\sim N(0, 1), \quad \varepsilon_{ip} \sim N(0, \sigma^2) \text{ or } t_\nu(0, \sigma^2)

    with :math:`\pi_1 = 0`, :math:`\gamma` = 0 for the first (sorted) sequence, :math:`d_{ip} = 1`
    on the treatment, :math:`c_{ip} = 1` when period :math:`p - 1` was on the treatment. The
    subject effects are non-centred (:math:`u_i = \sigma_u z_i`).

    ======================  ============================  ===================
    symbol                  variable                      dims
    ======================  ============================  ===================
    :math:`\alpha`          ``intercept``                 scalar
    :math:`\pi_p`           ``period_effect``             ``period_contrast``
    :math:`\theta`          ``treatment_effect_aligned``  scalar
    :math:`\tau`            ``treatment_effect``          scalar (treatment - reference)
    :math:`\gamma_s`        ``sequence_effect``           ``sequence_contrast``
    :math:`\lambda`         ``carryover_effect``          scalar
    :math:`\beta`           ``baseline_slope``            scalar
    :math:`\sigma_u`        ``subject_sd``                scalar
    :math:`z_i`             ``subject_z``                 ``subject``
    :math:`u_i`             ``subject_effect``            ``subject``
    :math:`\sigma`          ``residual_sd``               scalar
    :math:`\nu`             ``residual_df`` (student)     scalar
    :math:`y_{ip}`          ``outcome`` (observed)        ``obs``
    ======================  ============================  ===================

    **What a 2x2 (AB/BA) design cannot separate.** The sequence effect, a differential
    carry-over and a treatment x period interaction are aliased: each is estimable only from the
    between-subject contrast of the subjects' totals, so ``carryover="sequence"`` estimates "sequence
    or carry-over or selection" and leaves the within-subject treatment estimate (the
    Hills-Armitage estimate with complete data) unchanged. ``"first_order"`` with a flat carry-over
    prior reproduces the first-period-only (parallel) estimate; an informative carry-over prior
    interpolates between the two. Designs with three or more periods (ABB/BAA, ABBA/BAAB)
    estimate first-order carry-over within subjects.
    """
    problems = []
    if carryover not in CARRYOVER:
        problems.append(f"carryover must be one of {', '.join(CARRYOVER)}, got {carryover!r}")
    if likelihood not in LIKELIHOODS:
        problems.append(f"likelihood must be one of {', '.join(LIKELIHOODS)}, got {likelihood!r}")
    if better not in ("higher", "lower"):
        problems.append(f"better must be 'higher' or 'lower', got {better!r}")
    if baseline and not data.has_baseline:
        problems.append("baseline=True needs a baseline column in the data (map it with columns={'baseline': ...})")
    if carryover == "first_order" and carryover_prior is None:
        problems.append("carryover='first_order' needs carryover_prior (an EffectPrior on the outcome scale)")
    if carryover != "first_order" and carryover_prior is not None:
        problems.append("carryover_prior is used only with carryover='first_order'")
    raise_if("crossover model", problems)
    nui = nuisance_priors(nuisance)
    sign = align_sign(better)

    with pm.Model(coords=data.coords) as model:
        subject_index = pm.Data("subject_index", data.subject_index, dims="obs")
        treated = pm.Data("treated", data.treated, dims="obs")
        period_matrix = pm.Data("period_matrix", data.period_matrix, dims=("obs", "period_contrast"))

        intercept = pm.Normal("intercept", mu=nui.intercept_mu, sigma=nui.intercept_sigma)
        period_effect = pm.Normal("period_effect", mu=0.0, sigma=nui.effect_sigma, dims="period_contrast")
        aligned = effect_prior_rv("treatment_effect_aligned", prior)
        treatment_effect = pm.Deterministic("treatment_effect", sign * aligned)
        subject_sd = pm.HalfNormal("subject_sd", sigma=nui.sd_sigma)
        subject_z = pm.Normal("subject_z", mu=0.0, sigma=1.0, dims="subject")
        subject_effect = pm.Deterministic("subject_effect", subject_sd * subject_z, dims="subject")

        mu = intercept + pm.math.dot(period_matrix, period_effect) + treatment_effect * treated
        mu = mu + subject_effect[subject_index]
        if carryover == "sequence":
            sequence_matrix = pm.Data("sequence_matrix", data.sequence_matrix, dims=("obs", "sequence_contrast"))
            sequence_effect = pm.Normal("sequence_effect", mu=0.0, sigma=nui.effect_sigma, dims="sequence_contrast")
            mu = mu + pm.math.dot(sequence_matrix, sequence_effect)
        elif carryover == "first_order":
            assert carryover_prior is not None
            carried = pm.Data("carryover_indicator", data.carryover_indicator, dims="obs")
            mu = mu + effect_prior_rv("carryover_effect", carryover_prior) * carried
        if baseline:
            b = np.asarray(data.baseline, dtype=float)
            # Centred so that the intercept keeps its meaning (outcome at the mean baseline).
            centred = pm.Data("baseline_centred", b - b.mean(), dims="obs")
            mu = mu + pm.Normal("baseline_slope", mu=0.0, sigma=nui.slope_sigma) * centred
        residual_sd = pm.HalfNormal("residual_sd", sigma=nui.sd_sigma)
        observed = pm.Data("outcome_observed", data.outcome, dims="obs")
        _residual("outcome", mu, residual_sd, likelihood, nui, observed=observed, dims="obs")

    priors: dict[str, Any] = {"treatment_effect_aligned": prior.to_dict(), "nuisance": asdict(nui)}
    if carryover_prior is not None:
        priors["carryover_effect"] = carryover_prior.to_dict()
    return TrialModel(
        pymc_model=model,
        design="crossover",
        estimand=crossover_estimand(data, better),
        priors=priors,
        choices={"carryover": carryover, "likelihood": likelihood, "baseline": baseline, "better": better,
                 "sign": sign, "nuisance": nui.name, "sequence_orders": dict(data.sequence_orders)},
        data_digest=data_digest(*data.digest_payload()),
    )
