r"""Parallel-group trial, several outcomes jointly: standardized effects under partial pooling.

Each outcome ``k`` has the model of :mod:`bayes_ldn.designs.parallel` (ANCOVA or change score,
normal residuals) and its aligned treatment effect is a standardized effect times the outcome's
residual SD; the standardized effects share a normal hierarchy:

.. math::

    y_{ik} = b_{ik} + c_k + \delta_k T_i + (\beta_k - 1)(b_{ik} - \bar b_k) + \varepsilon_{ik},\qquad
    \delta_k = s_k\,\sigma_k\,d_k,\qquad d_k = \mu + \tau z_k,\quad z_k \sim N(0, 1)

with ``mu ~`` the given effect prior (SMD scale, positive = better) and ``tau ~ HalfNormal`` of a
stated scale. Residuals ``epsilon_i`` are independent across outcomes, or multivariate normal with
an LKJ prior on their correlation (``residual_correlation=True``). Under ANCOVA the standardizer
``sigma_k`` is the residual SD given baseline, smaller than the SD of change that
:mod:`bayes_ldn.family` uses for published aggregates; with ``method="change"`` they coincide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pymc as pm

from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv, prior_data
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.priors import EffectPrior

__all__ = ["parallel_family_model", "wide_arrays"]


def wide_arrays(data: ParallelData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(treated[subject], baseline[subject, outcome], followup[subject, outcome])``.

    Raises
    ------
    DataValidationError
        When a subject lacks an outcome (the joint model needs complete cases).
    """
    s, k = len(data.subjects), len(data.outcomes)
    baseline = np.full((s, k), np.nan)
    followup = np.full((s, k), np.nan)
    baseline[data.subject_index, data.outcome_index] = data.baseline
    followup[data.subject_index, data.outcome_index] = data.followup
    incomplete = np.isnan(baseline).any(axis=1)
    if incomplete.any():
        who = [data.subjects[i] for i in np.flatnonzero(incomplete)]
        raise DataValidationError("parallel family model", [
            f"subject(s) {', '.join(who[:8])}{' ...' if len(who) > 8 else ''} lack some outcome(s); the joint "
            "model needs every outcome for every subject: drop them or fit outcomes one at a time"])
    treated = np.zeros(s, dtype=int)
    treated[data.subject_index] = data.treated
    return treated, baseline, followup


def parallel_family_model(
    data: ParallelData,
    mean_prior: EffectPrior,
    *,
    better: Mapping[str, str],
    method: Literal["ancova", "change"],
    tau_prior: tuple[str, float],
    residual_sd_scales: Mapping[str, float] | str = "unit_free",
    residual_correlation: bool,
    lkj_eta: float = 2.0,
) -> TrialModel:
    r"""Joint model of several outcomes with partially pooled standardized effects.

    Parameters
    ----------
    data : ParallelData
        Two or more outcomes, complete for every subject.
    mean_prior : EffectPrior
        Prior of the family mean standardized effect ``mu`` (aligned, SMD units).
    better : mapping
        Direction of benefit per outcome.
    method : {"ancova", "change"}
    tau_prior : ("halfnormal", scale)
        Heterogeneity prior of the standardized effects (e.g. ``("halfnormal", 0.5)``).
    residual_sd_scales : mapping or "unit_free"
        Half-normal scale of each outcome's residual SD, in the outcome's units; the default
        ``"unit_free"`` uses 2.5 x the SD (ddof 1) of each outcome's change from baseline,
        recorded in ``choices["data_scale"]``. With it (and the flat locations and slopes, and
        effects in SMD units) the model is unit-free: shifting an outcome and its baseline leaves
        every effect unchanged, rescaling them by k > 0 scales that outcome's effect by k.
    residual_correlation : bool
        Correlated residuals across outcomes with an ``LKJ(lkj_eta)`` correlation prior.
    lkj_eta : float
        LKJ shape; 2 mildly favours weak correlations.

    Notes
    -----
    The outcome dimension is named ``measure`` (``outcome`` is the observed variable).
    Locations ``c_k`` and slopes ``beta_k`` have flat priors (the residual SDs' priors are proper).

    Divergences: at ``fit``'s default ``target_accept=0.9`` some fits diverge when the outcomes'
    effects barely differ (small ``tau``). In simulation-based calibration of three outcomes,
    2 x 25 subjects (``bayes_ldn.simulation`` structures ``parallel_family`` and
    ``parallel_family_corr``, 2 x 500 draws) 152 of 1000 fits diverged with independent
    residuals and 119 of 400 with LKJ residuals, yet the ranks stayed uniform; in 200 simulations
    ``target_accept=0.95`` left 7 (independent) and 20 (LKJ) divergent fits instead of 33 and 66,
    and ``0.99`` none, at about 1.2x and 2x the time of 0.9. When ``fit`` warns of divergences,
    refit with ``target_accept=0.95`` or ``0.99``.

    ==================  ===================================  ================
    symbol              variable                             dims
    ==================  ===================================  ================
    :math:`\mu`         ``mean_effect``                      scalar
    :math:`\tau`        ``heterogeneity_sd``                 scalar
    :math:`d_k`         ``standardized_effect``              measure
    :math:`\delta_k`    ``treatment_effect``                 measure
    :math:`s_k\delta_k` ``treatment_effect_aligned``         measure
    :math:`c_k`         ``change_reference``                 measure
    :math:`c_k+\delta_k` ``change_treatment``                measure
    :math:`\beta_k`     ``baseline_slope``                   measure (ANCOVA)
    :math:`\sigma_k`    ``residual_sd``                      measure
    :math:`\Omega`      ``residual_chol_corr``               measure x measure
    :math:`y_{ik}`      ``outcome`` (observed)               subject x measure
    ==================  ===================================  ================
    """
    outcomes = list(data.outcomes)
    problems = []
    if len(outcomes) < 2:
        problems.append("the joint model needs two or more outcomes; use parallel_model for one")
    if method not in ("ancova", "change"):
        problems.append(f"method must be 'ancova' or 'change', got {method!r}")
    unit_free = isinstance(residual_sd_scales, str)
    if unit_free and residual_sd_scales != "unit_free":
        problems.append(f"residual_sd_scales must be a mapping or 'unit_free', got {residual_sd_scales!r}")
        unit_free, residual_sd_scales = False, {}
    for name, given in (("better", better), ("residual_sd_scales", {} if unit_free else residual_sd_scales)):
        if name == "residual_sd_scales" and unit_free:
            continue
        missing = [k for k in outcomes if k not in given]
        if missing:
            problems.append(f"{name} lacks outcome(s) {', '.join(missing)}")
    if any(better.get(k) not in ("higher", "lower") for k in outcomes if k in better):
        problems.append("better must be 'higher' or 'lower' for every outcome")
    if tau_prior[0] != "halfnormal" or not tau_prior[1] > 0:
        problems.append(f"tau_prior must be ('halfnormal', scale > 0), got {tau_prior!r}")
    raise_if("parallel family model", problems)
    treated, baseline, followup = wide_arrays(data)
    signs = np.array([align_sign(better[k]) for k in outcomes], dtype=float)
    if unit_free:
        change_sd = (followup - baseline).std(axis=0, ddof=1)
        raise_if("parallel family model", [
            f"outcome {k!r} has a constant change from baseline; the unit-free residual SD prior scales with "
            "its SD: give residual_sd_scales" for k, v in zip(outcomes, change_sd, strict=True)
            if not (np.isfinite(v) and v > 0)])
        scales = 2.5 * change_sd
        data_scale = {"scale": dict(zip(outcomes, change_sd.tolist(), strict=True)),
                      "source": "SD (ddof=1) of each outcome's change from baseline; residual SD prior "
                                "HalfNormal(2.5 x that SD)"}
    else:
        scales = np.array([residual_sd_scales[k] for k in outcomes], dtype=float)
        data_scale = None
    b_centred = baseline - baseline.mean(axis=0)
    coords = {"subject": list(data.subjects), "measure": outcomes}
    with pm.Model(coords=coords) as model:
        t = pm.Data("treated", treated.astype(float), dims="subject")[:, None]
        # A data container: unit-free scales change with the data, the compiled model need not.
        scales_data = prior_data("residual_sd", "sigma", scales)
        mu = effect_prior_rv("mean_effect", mean_prior)
        tau = pm.HalfNormal("heterogeneity_sd", sigma=tau_prior[1])
        z = pm.Normal("effect_offset", 0.0, 1.0, dims="measure")
        smd = pm.Deterministic("standardized_effect", mu + tau * z, dims="measure")
        if residual_correlation:
            packed = pm.LKJCholeskyCov("residual_chol", eta=lkj_eta, n=len(outcomes), compute_corr=False,
                                       sd_dist=pm.HalfNormal.dist(sigma=scales_data, shape=len(outcomes)))
            # PyMC's own SDs and correlations of the packed factor, stored once under our names:
            # its default ``residual_chol_stds`` would make ``residual_sd`` an alias, and PyMC's
            # model <-> graph round trip (pm.observe, pm.do) keeps only one name of an alias.
            chol, corr, sigma = pm.LKJCholeskyCov.helper_deterministics(len(outcomes), packed)
            pm.Deterministic("residual_chol_corr", corr)
            sigma = pm.Deterministic("residual_sd", sigma, dims="measure")
        else:
            sigma = pm.HalfNormal("residual_sd", sigma=scales_data, dims="measure")
        aligned = pm.Deterministic("treatment_effect_aligned", smd * sigma, dims="measure")
        effect = pm.Deterministic("treatment_effect", signs * aligned, dims="measure")
        # No initial values: starting the flat locations at 0 (nutpie's jittered default) instead of the
        # reference arm's mean change made no difference to divergences, R-hat or ESS even with
        # changes 100 residual SDs from 0 (4 x 1000 draws, 3 seeds x 2 designs), and initial values
        # stop pm.observe and pm.do from rewriting the model (simulation studies need both).
        c0 = pm.Flat("change_reference", dims="measure")
        pm.Deterministic("change_treatment", c0 + effect, dims="measure")
        mean = baseline + c0 + effect * t
        if method == "ancova":
            slope = pm.Flat("baseline_slope", dims="measure")
            mean = mean + (slope - 1.0) * b_centred
        if residual_correlation:
            pm.MvNormal("outcome", mu=mean, chol=chol, observed=followup, dims=("subject", "measure"))
        else:
            pm.Normal("outcome", mu=mean, sigma=sigma, observed=followup, dims=("subject", "measure"))
    return TrialModel(
        pymc_model=model,
        design="parallel_family",
        estimand={"treatment": data.treatment, "reference": data.reference, "better": dict(better),
                  "outcomes": outcomes, "standardizer": "residual SD of each outcome"},
        priors={"mean_effect": mean_prior.to_dict(), "heterogeneity_sd": {"halfnormal": tau_prior[1]},
                "residual_sd": {"halfnormal": dict(zip(outcomes, scales.tolist(), strict=True))},
                "change_reference": "flat", "baseline_slope": "flat",
                **({"residual_correlation": {"lkj": lkj_eta}} if residual_correlation else {})},
        choices={"method": method, "likelihood": "normal", "residual_correlation": residual_correlation,
                 "signs": dict(zip(outcomes, signs.tolist(), strict=True)), "parametrisation": "non-centred",
                 "residual_sd_scales": "unit_free" if unit_free else "given", "data_scale": data_scale},
        data_digest=data_digest(treated, baseline, followup, outcomes),
    )
