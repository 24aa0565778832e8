r"""First-period-only analysis of a crossover trial: a parallel-group comparison of period 1.

Free of carry-over by construction (nothing precedes period 1) at the price of losing the
within-subject comparison; the classical sensitivity analysis for carry-over (Grizzle 1965,
doi:10.2307/2528090; Senn 2002, *Cross-over Trials in Clinical Research*, ch. 3).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pymc as pm

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv
from bayes_ldn.designs.crossover import (
    LIKELIHOODS,
    UNIT_FREE,
    NuisancePriors,
    _residual,
    crossover_estimand,
    nuisance_rvs,
    resolve_nuisance,
)
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior

__all__ = ["first_period_model"]


def first_period_model(
    data: CrossoverData,
    prior: EffectPrior,
    *,
    better: str,
    likelihood: str = "normal",
    nuisance: NuisancePriors | str = UNIT_FREE,
) -> TrialModel:
    r"""Bayesian two-group comparison of the period-1 outcomes.

    Parameters
    ----------
    data : CrossoverData
        Only the period-1 rows are used.
    prior : EffectPrior
        Prior on the aligned treatment effect (positive = better).
    better : {"higher", "lower"}
    likelihood : {"normal", "student"}
    nuisance : NuisancePriors or str
        As in :func:`bayes_ldn.designs.crossover.crossover_model` (``residual_sd`` here is the
        total, between- plus within-subject, SD). The unit-free default is scaled by the
        period-1 outcomes' mean and SD.

    Notes
    -----
    .. math::

        y_{i1} = \alpha + \tau d_{i1} + \varepsilon_i, \quad \tau = a\,\theta, \quad
        \varepsilon_i \sim N(0, \sigma^2) \text{ or } t_\nu(0, \sigma^2)

    ==============  ============================  ======
    symbol          variable                      dims
    ==============  ============================  ======
    :math:`\alpha`  ``intercept``                 scalar
    :math:`\theta`  ``treatment_effect_aligned``  scalar
    :math:`\tau`    ``treatment_effect``          scalar
    :math:`\sigma`  ``residual_sd``               scalar
    :math:`y_{i1}`  ``outcome`` (observed)        ``obs``
    ==============  ============================  ======
    """
    raise_if("first-period model", [] if likelihood in LIKELIHOODS else
             [f"likelihood must be one of {', '.join(LIKELIHOODS)}, got {likelihood!r}"])
    sign = align_sign(better)
    first = data.first_period()
    treated_values = (first["treatment"] == data.treatment).to_numpy(dtype=float)
    y = first["outcome"].to_numpy(dtype=float)
    resolved = resolve_nuisance(nuisance, y, what="period-1 outcome")
    nui = resolved.priors
    with pm.Model(coords={"obs": list(range(len(first)))}) as model:
        treated = pm.Data("treated", treated_values, dims="obs")
        rv = nuisance_rvs(nui)
        intercept = rv.intercept()
        aligned = effect_prior_rv("treatment_effect_aligned", prior)
        treatment_effect = pm.Deterministic("treatment_effect", sign * aligned)
        residual_sd = rv.sd("residual_sd")
        observed = pm.Data("outcome_observed", y, dims="obs")
        _residual("outcome", intercept + treatment_effect * treated, residual_sd, likelihood, nui,
                  observed=observed, dims="obs")
    priors: dict[str, Any] = {"treatment_effect_aligned": prior.to_dict(), "nuisance": resolved.record()}
    return TrialModel(
        pymc_model=model,
        design="crossover_first_period",
        estimand=crossover_estimand(data, better),
        priors=priors,
        choices={"likelihood": likelihood, "better": better, "sign": sign, "nuisance": nui.name,
                 "data_scale": resolved.data_scale, "periods_used": [1], "n_subjects": len(first),
                 "n_obs": len(first)},
        data_digest=data_digest(np.asarray(y), treated_values.tolist(), data.treatment, data.reference),
    )
