r"""Parallel-group trial, one outcome: ANCOVA or change score, Normal or Student-t residuals.

Both methods model the follow-up value ``y_i`` of subject ``i`` around its baseline ``b_i``, so the
arm-specific mean changes are parameters (and posteriors):

.. math::

    y_i = b_i + \underbrace{c_0 + \delta T_i}_{\text{arm mean change}}
          + (\beta - 1)(b_i - \bar b) + \gamma^\top (x_i - \bar x) + \varepsilon_i

with ``beta`` estimated (``method="ancova"``: follow-up on baseline and arm) or fixed at 1
(``method="change"``: the change score ``y - b`` on arm). ``c_0`` is the reference arm's mean
change at the sample mean baseline and covariates, ``c_0 + delta`` the treatment arm's, and
``delta`` the treatment effect (treatment minus reference) on the outcome's own scale. The
effect prior is on the aligned scale (positive = better): ``delta = s * delta_aligned`` with
``s = align_sign(better)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv
from bayes_ldn.designs.nuisance import NuisancePriors
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.priors import EffectPrior

__all__ = [
    "NU_PRIOR",
    "NuisancePriors",
    "parallel_model",
    "proper_nuisance",
    "reference_nuisance",
]

#: Prior of the Student-t degrees of freedom: Gamma(2, rate 0.1) (Juarez & Steel 2010,
#: doi:10.1198/jbes.2009.07113), mean 20, with mass on heavy and on near-normal tails.
NU_PRIOR = {"gamma": {"alpha": 2.0, "beta": 0.1}}


def reference_nuisance() -> NuisancePriors:
    """Flat locations and slopes, ``p(sigma) ~ 1/sigma`` (the OLS-matching reference analysis)."""
    return NuisancePriors(name="reference", intercept_mu=0.0, intercept_sigma=None, effect_sigma=None,
                          sd_sigma=None, slope_sigma=None, covariate_sigma=None,
                          rationale="reference priors: unit-free without using the data; OLS under a flat effect prior")


def proper_nuisance(
    *, change_sd: float, baseline_slope: tuple[float, float], covariate_sd: float, residual_sd_scale: float
) -> NuisancePriors:
    """Proper normal / half-normal nuisance priors on the outcome's units (needed for SBC)."""
    raise_if("nuisance priors 'proper'", [
        f"{k} must be positive, got {v}"
        for k, v in (("change_sd", change_sd), ("covariate_sd", covariate_sd), ("residual_sd_scale", residual_sd_scale),
                     ("baseline_slope sd", baseline_slope[1]))
        if not (np.isfinite(v) and v > 0)])
    return NuisancePriors(name="proper", intercept_mu=0.0, intercept_sigma=float(change_sd), effect_sigma=None,
                          sd_sigma=float(residual_sd_scale), slope_mu=float(baseline_slope[0]),
                          slope_sigma=float(baseline_slope[1]), covariate_sigma=float(covariate_sd),
                          rationale="proper normal / half-normal priors on the outcome's units (for SBC)")


def _normal_or_flat(name: str, sd: float | None, mean: float = 0.0, **kwargs):
    return pm.Flat(name, **kwargs) if sd is None else pm.Normal(name, mu=mean, sigma=sd, **kwargs)


def parallel_model(
    data: ParallelData,
    prior: EffectPrior,
    *,
    better: str,
    method: Literal["ancova", "change"],
    likelihood: Literal["normal", "student"] = "normal",
    nuisance: NuisancePriors | None = None,
) -> TrialModel:
    r"""Build the parallel-group model for one outcome.

    Parameters
    ----------
    data : ParallelData
        Single-outcome data (use ``data.select(name)``, or
        :func:`bayes_ldn.designs.parallel_family.parallel_family_model` for several outcomes).
    prior : EffectPrior
        Prior of the treatment effect on the aligned scale (positive = better).
    better : {"higher", "lower"}
        Direction of benefit on the outcome's scale.
    method : {"ancova", "change"}
        ANCOVA (baseline slope estimated) or change score (slope fixed at 1).
    likelihood : {"normal", "student"}
        Residual distribution; Student-t has ``nu ~ NU_PRIOR``.
    nuisance : NuisancePriors, optional
        Default :func:`reference_nuisance`: flat locations and slopes and :math:`p(\sigma)
        \propto 1/\sigma`. It is unit-free without using the data at all (flat priors are
        invariant to shifts, :math:`1/\sigma` to rescaling), so adding a constant to baseline and
        follow-up leaves the effect's posterior unchanged and multiplying them by k > 0 multiplies
        it by k; under a flat effect prior and normal residuals it reproduces OLS exactly.
        :func:`proper_nuisance` gives proper priors on the outcome's units (needed for SBC).

    Returns
    -------
    TrialModel

    Notes
    -----
    .. math::

        y_i \sim \mathcal D\big(b_i + c_0 + \delta T_i + (\beta-1)(b_i-\bar b)
                 + \gamma^\top(x_i-\bar x),\ \sigma[,\ \nu]\big),\qquad
        \delta = s\,\delta^{+},\quad \delta^{+} \sim \text{prior}

    ==================  ============================  ==========
    symbol              variable                      dims
    ==================  ============================  ==========
    :math:`\delta^{+}`  ``treatment_effect_aligned``  scalar
    :math:`\delta`      ``treatment_effect``          scalar
    :math:`c_0`         ``change_reference``          scalar
    :math:`c_0+\delta`  ``change_treatment``          scalar
    :math:`\beta`       ``baseline_slope``            scalar (ANCOVA; 1 for change)
    :math:`\gamma`      ``covariate_effect``          covariate
    :math:`\sigma`      ``residual_sd``               scalar
    :math:`\nu`         ``residual_df``               scalar (Student-t)
    :math:`y_i`         ``outcome`` (observed)        row
    ==================  ============================  ==========
    """
    problems = []
    if method not in ("ancova", "change"):
        problems.append(f"method must be 'ancova' or 'change', got {method!r}")
    if likelihood not in ("normal", "student"):
        problems.append(f"likelihood must be 'normal' or 'student', got {likelihood!r}")
    if better not in ("higher", "lower"):
        problems.append(f"better must be 'higher' or 'lower', got {better!r}")
    if len(data.outcomes) != 1:
        problems.append(
            f"the data hold {len(data.outcomes)} outcomes ({', '.join(data.outcomes)}); pass "
            "data.select(name) for one, or use parallel_family_model for the joint model"
        )
    n_params = 3 + (method == "ancova") + len(data.covariate_names)
    if data.n_rows <= n_params:
        problems.append(f"{data.n_rows} subjects cannot identify {n_params} parameters")
    raise_if("parallel model", problems, DataValidationError)
    nuisance = reference_nuisance() if nuisance is None else nuisance
    sign = align_sign(better)

    b = data.baseline
    b_centred = b - b.mean()
    x_centred = data.covariates - data.covariates.mean(axis=0)
    change = data.change
    # Initial values only (not priors): start the sampler near the data's scale.
    ref_change0 = float(change[data.treated == 0].mean())
    log_sd0 = float(np.log(np.std(change) + 1e-12))
    coords = {"row": np.arange(data.n_rows), "covariate": list(data.covariate_names)}
    with pm.Model(coords=coords) as model:
        treated = pm.Data("treated", data.treated.astype(float), dims="row")
        baseline = pm.Data("baseline", b, dims="row")
        baseline_c = pm.Data("baseline_centred", b_centred, dims="row")
        effect_aligned = effect_prior_rv("treatment_effect_aligned", prior)
        effect = pm.Deterministic("treatment_effect", sign * effect_aligned)
        change_reference = _normal_or_flat("change_reference", nuisance.intercept_sigma, mean=nuisance.intercept_mu,
                                           initval=ref_change0)
        pm.Deterministic("change_treatment", change_reference + effect)
        mu = baseline + change_reference + effect * treated
        if method == "ancova":
            slope = _normal_or_flat("baseline_slope", nuisance.slope_sigma, mean=nuisance.slope_mu, initval=1.0)
            mu = mu + (slope - 1.0) * baseline_c
        if data.covariate_names:
            cov = pm.Data("covariates_centred", x_centred, dims=("row", "covariate"))
            gamma = _normal_or_flat("covariate_effect", nuisance.covariate_sigma, dims="covariate")
            mu = mu + pt.dot(cov, gamma)
        if nuisance.sd_sigma is None:
            log_sd = pm.Flat("log_residual_sd", initval=log_sd0)
            sigma = pm.Deterministic("residual_sd", pt.exp(log_sd))
        else:
            sigma = pm.HalfNormal("residual_sd", sigma=nuisance.sd_sigma)
        # A data container, so a refit on new data of the same size reuses the compiled model.
        observed = pm.Data("outcome_observed", np.asarray(data.followup, dtype=float), dims="row")
        if likelihood == "normal":
            pm.Normal("outcome", mu=mu, sigma=sigma, observed=observed, dims="row")
        else:
            nu = pm.Gamma("residual_df", **NU_PRIOR["gamma"])
            pm.StudentT("outcome", nu=nu, mu=mu, sigma=sigma, observed=observed, dims="row")
    return TrialModel(
        pymc_model=model,
        design="parallel",
        estimand={"treatment": data.treatment, "reference": data.reference, "better": better,
                  "outcome": data.outcomes[0], "scale": data.scale,
                  "contrast": "treatment minus reference, mean change from baseline"},
        priors={"treatment_effect_aligned": prior.to_dict(), "nuisance": nuisance.describe(),
                **({"residual_df": NU_PRIOR} if likelihood == "student" else {})},
        choices={"method": method, "likelihood": likelihood, "better": better, "sign": sign,
                 "covariates": list(data.covariate_names),
                 "centring": "baseline and covariates centred at their sample means"},
        data_digest=data_digest(data.treated, b, data.followup, data.covariates,
                                [data.treatment, data.reference, list(data.covariate_names)]),
    )
