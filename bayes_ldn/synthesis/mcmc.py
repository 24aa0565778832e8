r"""PyMC versions of the synthesis: the plain random-effects model and a meta-regression on dose.

The plain model is :func:`bayes_ldn.designs.hierarchical.hierarchical_model` (half-normal and
half-Cauchy tau priors); :func:`meta_regression_model` adds covariates (e.g. dose) and the
empirical Rhodes tau prior. Both are checked against the exact quadrature in the slow tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pymc as pm
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.designs._common import TrialModel, data_digest
from bayes_ldn.designs.hierarchical import hierarchical_model
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.fit import fit
from bayes_ldn.synthesis.heterogeneity import TauPrior
from bayes_ldn.synthesis.studies import SynthesisStudy

__all__ = ["fit_synthesis", "meta_regression_model", "tau_rv"]


def tau_rv(tau_prior: TauPrior):
    """The PyMC variable ``tau`` for a :class:`TauPrior` (inside a model context)."""
    p = tau_prior.params
    if tau_prior.family == "halfnormal":
        return pm.HalfNormal("tau", sigma=p["scale"])
    if tau_prior.family == "halfcauchy":
        return pm.HalfCauchy("tau", beta=p["scale"])
    if tau_prior.family == "rhodes_logt":
        log_tau_sq = pm.StudentT("log_tau_sq", nu=p["df"], mu=p["location"], sigma=p["scale"])
        return pm.Deterministic("tau", pm.math.exp(0.5 * log_tau_sq))
    if tau_prior.family == "turner_lognormal":
        log_tau_sq = pm.Normal("log_tau_sq", mu=p["location"], sigma=p["scale"])
        return pm.Deterministic("tau", pm.math.exp(0.5 * log_tau_sq))
    if tau_prior.family == "uniform":
        return pm.Uniform("tau", lower=p["lower"], upper=p["upper"])
    if tau_prior.family == "gamma_precision":
        precision = pm.Gamma("tau_precision", alpha=p["shape"], beta=p["rate"])
        return pm.Deterministic("tau", precision**-0.5)
    raise DataValidationError("meta-regression", [f"tau prior {tau_prior.name} cannot be sampled; use a distribution"])


def meta_regression_model(
    estimates: Sequence[float],
    ses: Sequence[float],
    labels: Sequence[str],
    covariates: Mapping[str, Sequence[float]],
    *,
    covariate_reference: Mapping[str, float],
    mu_prior: tuple[float, float] | None,
    slope_prior: tuple[float, float],
    tau_prior: TauPrior,
) -> TrialModel:
    r"""Random-effects meta-regression over aligned estimates, with the trial effects marginalised.

    Notes
    -----
    .. math::

        y_i \mid \mu, \beta, \tau \sim N(m_i, s_i^2 + \tau^2),\quad
        m_i = \mu + \sum_c \beta_c (x_{ic} - x^{ref}_c),

        \theta_i \mid y, \mu, \beta, \tau \sim N\big((1 - B_i) y_i + B_i m_i,\ (1 - B_i) s_i^2\big),
        \quad B_i = s_i^2 / (s_i^2 + \tau^2),

        \mu \sim N(m_0, s_0^2)\ (\text{or flat}),\quad \beta_c \sim N(b_0, B_0^2),\quad
        \tau \sim p(\tau),\quad
        \theta_{new} \sim N(\mu, \tau^2)\ \text{(a new trial at the reference covariates)}

    This is the same joint posterior as ``theta_i ~ N(m_i, tau^2)``, ``y_i ~ N(theta_i, s_i^2)``,
    but NUTS only explores the 2-D (mu, tau) funnel-free marginal; ``theta_i`` is drawn from its
    exact conditional through ``z_i ~ N(0, 1)``, which is independent of everything a posteriori.
    (``hierarchical_model`` diverges on the four LDN trials, 11-39 divergences in 2 x 1000
    draws at target_accept 0.95; its centred ``theta_new ~ N(mu, tau)`` is a funnel as tau -> 0,
    a likely cause, not isolated here.)

    ====================  ==================  ===========
    symbol                variable            dims
    ====================  ==================  ===========
    :math:`\mu`           ``mu``              scalar
    :math:`\beta_c`       ``slope``           covariate
    :math:`\tau`          ``tau``             scalar
    :math:`\log\tau^2`    ``log_tau_sq``      scalar (Rhodes prior only)
    :math:`z_i`           ``z``               trial
    :math:`\theta_i`      ``theta``           trial
    :math:`z_{new}`       ``z_new``           scalar
    :math:`\theta_{new}`  ``theta_new``       scalar (``mu + tau z_new``)
    :math:`y_i`           ``outcome``         trial (observed: data ``outcome_observed``)
    ====================  ==================  ===========

    Parameters
    ----------
    estimates, ses, labels : sequence
        Aligned estimates (positive = better), SEs, trial names.
    covariates : mapping
        Covariate name -> one value per trial (e.g. ``{"dose_mg": [6, 4.5, ...]}``).
    covariate_reference : mapping
        Covariate name -> the value at which ``mu`` and ``theta_new`` are defined (e.g. 4.5 mg).
    mu_prior : (mean, sd) or None
        Normal prior on the mean effect at the reference covariates; ``None`` = flat.
    slope_prior : (mean, sd)
        Normal prior on each slope (effect change per covariate unit).
    tau_prior : TauPrior
        Half-normal, half-Cauchy or Rhodes log-t.
    """
    y = np.asarray(estimates, dtype=float)
    s = np.asarray(ses, dtype=float)
    names = list(covariates)
    problems = [f"covariate {c!r}: give one value per trial ({len(y)})" for c in names if len(covariates[c]) != len(y)]
    problems += [f"covariate {c!r} has missing values" for c in names
                 if len(covariates[c]) == len(y) and not np.all(np.isfinite(np.asarray(covariates[c], float)))]
    problems += [f"no reference value for covariate {c!r}" for c in names if c not in covariate_reference]
    if not slope_prior[1] > 0:
        problems.append(f"slope_prior sd must be positive, got {slope_prior[1]}")
    raise_if("meta-regression", problems)
    x = np.column_stack([np.asarray(covariates[c], float) - covariate_reference[c] for c in names]) if names \
        else np.zeros((len(y), 0))
    coords = {"trial": list(labels), "covariate": names}
    with pm.Model(coords=coords) as model:
        mu = pm.Flat("mu") if mu_prior is None else pm.Normal("mu", mu_prior[0], mu_prior[1])
        tau = tau_rv(tau_prior)
        z = pm.Normal("z", 0.0, 1.0, dims="trial")
        mean = mu
        if names:
            slope = pm.Normal("slope", slope_prior[0], slope_prior[1], dims="covariate")
            mean = mu + pm.math.dot(pm.Data("covariate_values", x, dims=("trial", "covariate")), slope)
        se = pm.Data("se", s, dims="trial")
        # theta reads the estimates from the same container as the likelihood, so a compiled model
        # refitted on new estimates (with_data) conditions theta on those, not on these.
        observed = pm.Data("outcome_observed", y, dims="trial")
        var = se**2 + tau**2
        shrink = se**2 / var
        pm.Deterministic("theta", (1 - shrink) * observed + shrink * mean + pm.math.sqrt((1 - shrink) * se**2) * z,
                         dims="trial")
        # Non-centred: a centred theta_new ~ N(mu, tau) is Neal's funnel as tau -> 0.
        pm.Deterministic("theta_new", mu + tau * pm.Normal("z_new", 0.0, 1.0))
        pm.Normal("outcome", mean, pm.math.sqrt(var), observed=observed, dims="trial")
    return TrialModel(
        pymc_model=model,
        design="meta_regression",
        estimand={"aligned": "positive = better", "unit_dim": "trial",
                  "mu": f"mean effect at {dict(covariate_reference)}"},
        priors={"mu": "flat" if mu_prior is None else {"normal": list(mu_prior)},
                "slope": {"normal": list(slope_prior)}, "tau": tau_prior.to_dict()},
        choices={"parametrisation": "marginal (theta drawn from its conditional)", "covariates": names,
                 "covariate_reference": dict(covariate_reference)},
        data_digest=data_digest(y, s, list(labels), x),
    )


def fit_synthesis(
    studies: Sequence[SynthesisStudy],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior,
    dose_covariate: bool,
    dose_reference_mg: float | None,
    slope_prior: tuple[float, float] | None,
    random_seed: int,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    target_accept: float = 0.95,
    builder: str = "marginal",
) -> xr.DataTree:
    """Sample the synthesis with PyMC.

    Without a dose covariate and with a half-normal or half-Cauchy tau prior this is
    Computational choice ``builder``: ``"marginal"`` (default) samples :func:`meta_regression_model`
    (trial effects marginalised, no funnel); ``"hierarchical_model"`` samples the shared non-centred
    :func:`bayes_ldn.designs.hierarchical.hierarchical_model` (half-normal/half-Cauchy tau, no
    covariates). The DataTree's attrs record the studies' evidence tags.
    """
    labels = [s.label for s in studies]
    y = [s.estimate for s in studies]
    se = [s.se for s in studies]
    if dose_covariate:
        doses = [s.dose_mg for s in studies]
        problems = [f"study {s.label!r} has no dose" for s in studies if s.dose_mg is None]
        if dose_reference_mg is None or slope_prior is None:
            problems.append("a dose covariate needs dose_reference_mg and slope_prior")
        raise_if("dose meta-regression", problems)
    if builder not in ("marginal", "hierarchical_model"):
        raise DataValidationError("fit_synthesis", [f"builder must be 'marginal' or 'hierarchical_model', got {builder!r}"])
    if builder == "hierarchical_model":
        raise_if("fit_synthesis", ["hierarchical_model takes no covariates and a half-normal or half-Cauchy tau prior"]
                 if dose_covariate or tau_prior.family not in ("halfnormal", "halfcauchy") else [])
        model = hierarchical_model(
            y, se, labels, mu_prior=mu_prior, tau_prior=(tau_prior.family, tau_prior.params["scale"]),
            unit_dim="trial",
        )
    else:
        model = meta_regression_model(
            y, se, labels,
            {"dose_mg": doses} if dose_covariate else {},
            covariate_reference={"dose_mg": dose_reference_mg} if dose_covariate else {},
            mu_prior=mu_prior, slope_prior=slope_prior or (0.0, 1.0), tau_prior=tau_prior,
        )
    idata = fit(model, random_seed=random_seed, draws=draws, tune=tune, chains=chains,
                target_accept=target_accept, var_names_check=["mu", "tau"])
    idata.attrs["studies_evidence"] = "; ".join(f"{s.label}: {s.evidence}" for s in studies)
    return idata
