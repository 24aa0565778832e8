r"""Crossover design: linear mixed model with period, treatment, optional carry-over and subjects.

See :func:`crossover_model` for the equations. The default nuisance priors are unit-free
(scaled by the outcome's mean and SD, :mod:`bayes_ldn.designs.nuisance`), so the answer does not
change with the outcome's units or zero point; user-given nuisance priors stay on the outcome scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv, prior_data
from bayes_ldn.designs.nuisance import (
    NUISANCE_NAMES,
    NUISANCE_PRESETS,
    UNIT_FREE,
    NuisancePriors,
    ResolvedNuisance,
    nuisance_priors,
    resolve_nuisance,
)
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior

__all__ = ["CARRYOVER", "LIKELIHOODS", "NUISANCE_NAMES", "NUISANCE_PRESETS", "UNIT_FREE", "NuisancePriors",
           "ResolvedNuisance", "crossover_model", "nuisance_priors", "nuisance_rvs", "resolve_nuisance"]

CARRYOVER = ("none", "sequence", "first_order")
LIKELIHOODS = ("normal", "student")


def _residual(name: str, mu: Any, sigma: Any, likelihood: str, nui: NuisancePriors, **kw: Any) -> Any:
    if likelihood == "student":
        nu = pm.Gamma("residual_df", alpha=prior_data("residual_df", "alpha", nui.df_alpha),
                      beta=prior_data("residual_df", "beta", nui.df_beta))
        return pm.StudentT(name, nu=nu, mu=mu, sigma=sigma, **kw)
    return pm.Normal(name, mu=mu, sigma=sigma, **kw)


class nuisance_rvs:  # noqa: N801 - used like a function: rv = nuisance_rvs(nui); rv.intercept()
    """The crossover family's nuisance random variables, hyperparameters as data containers.

    Containers (``{name}_prior_{parameter}``) rather than constants, so a refit on new data (whose
    unit-free priors differ) reuses the compiled model. Call inside a model context.
    """

    def __init__(self, nui: NuisancePriors, dims: str | None = None) -> None:
        self.nui = nui
        self.dims = dims

    def intercept(self) -> Any:
        return pm.Normal("intercept", mu=prior_data("intercept", "mu", self.nui.intercept_mu),
                         sigma=prior_data("intercept", "sigma", self.nui.intercept_sigma))

    def effect(self, name: str, dims: Any) -> Any:
        return pm.Normal(name, mu=0.0, sigma=prior_data(name, "sigma", self.nui.effect_sigma), dims=dims)

    def sd(self, name: str) -> Any:
        return pm.HalfNormal(name, sigma=prior_data(name, "sigma", self.nui.sd_sigma))

    def slope(self) -> Any:
        return pm.Normal("baseline_slope", mu=0.0, sigma=prior_data("baseline_slope", "sigma", self.nui.slope_sigma))


def crossover_estimand(data: CrossoverData, better: str) -> dict[str, Any]:
    """The estimand every crossover builder records: treatment minus reference, and its aligned form."""
    return {"treatment": data.treatment, "reference": data.reference, "better": better,
            "scale": data.scale, "variable": "treatment_effect (treatment - reference)",
            "aligned": "treatment_effect_aligned (positive = better)"}


def crossover_model(
    data: CrossoverData,
    prior: EffectPrior,
    *,
    better: str,
    carryover: str = "none",
    likelihood: str = "normal",
    baseline: bool = False,
    nuisance: NuisancePriors | str = UNIT_FREE,
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
        Direction of benefit of the outcome (required); ``treatment_effect = align_sign(better) *
        treatment_effect_aligned``. The other choices default as ``bayes-ldn crossover`` does
        (no carry-over, normal residuals, no baseline, unit-free nuisance priors).
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
        Nuisance priors or a preset name. The default ``"unit_free"`` scales them by the
        outcome's mean :math:`m` and SD :math:`s` (as rstanarm's autoscale does): intercept ~
        N(m, 10 s), period and sequence effects ~ N(0, 10 s), ``subject_sd``, ``residual_sd`` ~
        HalfNormal(2.5 s), ``baseline_slope`` ~ N(0, 10 s / s_b), ``residual_df`` ~ Gamma(2, 0.1);
        so adding a constant to the outcome (and baseline) leaves the effect's posterior unchanged
        and multiplying them by k > 0 multiplies it by k. :math:`m, s, s_b` are recorded in
        ``choices["data_scale"]``. Fixed presets (``"wide"``, ``"scale_0_10"``,
        ``"scale_0_100"``) and a :class:`NuisancePriors` are numbers on the outcome scale, used as
        given, with a :class:`~bayes_ldn.exceptions.PriorDataConflictWarning` when far out of line
        with the data (:mod:`bayes_ldn.designs.nuisance`).
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
    b = np.asarray(data.baseline, dtype=float) if baseline else None
    resolved = resolve_nuisance(nuisance, data.outcome, b)
    nui = resolved.priors
    sign = align_sign(better)

    with pm.Model(coords=data.coords) as model:
        subject_index = pm.Data("subject_index", data.subject_index, dims="obs")
        treated = pm.Data("treated", data.treated, dims="obs")
        period_matrix = pm.Data("period_matrix", data.period_matrix, dims=("obs", "period_contrast"))

        rv = nuisance_rvs(nui)
        intercept = rv.intercept()
        period_effect = rv.effect("period_effect", dims="period_contrast")
        aligned = effect_prior_rv("treatment_effect_aligned", prior)
        treatment_effect = pm.Deterministic("treatment_effect", sign * aligned)
        subject_sd = rv.sd("subject_sd")
        subject_z = pm.Normal("subject_z", mu=0.0, sigma=1.0, dims="subject")
        subject_effect = pm.Deterministic("subject_effect", subject_sd * subject_z, dims="subject")

        mu = intercept + pm.math.dot(period_matrix, period_effect) + treatment_effect * treated
        mu = mu + subject_effect[subject_index]
        if carryover == "sequence":
            sequence_matrix = pm.Data("sequence_matrix", data.sequence_matrix, dims=("obs", "sequence_contrast"))
            sequence_effect = rv.effect("sequence_effect", dims="sequence_contrast")
            mu = mu + pm.math.dot(sequence_matrix, sequence_effect)
        elif carryover == "first_order":
            assert carryover_prior is not None
            carried = pm.Data("carryover_indicator", data.carryover_indicator, dims="obs")
            mu = mu + effect_prior_rv("carryover_effect", carryover_prior) * carried
        if b is not None:
            # Centred so that the intercept keeps its meaning (outcome at the mean baseline).
            centred = pm.Data("baseline_centred", b - b.mean(), dims="obs")
            mu = mu + rv.slope() * centred
        residual_sd = rv.sd("residual_sd")
        observed = pm.Data("outcome_observed", data.outcome, dims="obs")
        _residual("outcome", mu, residual_sd, likelihood, nui, observed=observed, dims="obs")

    priors: dict[str, Any] = {"treatment_effect_aligned": prior.to_dict(), "nuisance": resolved.record()}
    if carryover_prior is not None:
        priors["carryover_effect"] = carryover_prior.to_dict()
    return TrialModel(
        pymc_model=model,
        design="crossover",
        estimand=crossover_estimand(data, better),
        priors=priors,
        choices={"carryover": carryover, "likelihood": likelihood, "baseline": baseline, "better": better,
                 "sign": sign, "nuisance": nui.name, "data_scale": resolved.data_scale,
                 "sequence_orders": dict(data.sequence_orders), **data.completeness()},
        data_digest=data_digest(*data.digest_payload()),
    )
