"""Summary-level model: a normal likelihood on one published (aligned) estimate."""

from __future__ import annotations

import pymc as pm

from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.exceptions import raise_if
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv
from bayes_ldn.priors import EffectPrior

__all__ = ["aggregate_model"]


def aggregate_model(likelihood: EffectLikelihood, prior: EffectPrior) -> TrialModel:
    r"""Normal likelihood on a published estimate, with any effect prior.

    Notes
    -----
    .. math::

        \hat\theta \sim N(\theta, s^2), \qquad \theta \sim p_0

    ==================  ============================  ======
    symbol              variable                      dims
    ==================  ============================  ======
    :math:`\theta`      ``treatment_effect_aligned``  scalar (positive = better)
    :math:`a\theta`     ``treatment_effect``          scalar (printed contrast)
    :math:`\hat\theta`  ``outcome`` (observed)        scalar (aligned)
    ==================  ============================  ======

    The likelihood and the prior are on the aligned scale (positive = treatment better);
    ``treatment_effect`` is the printed contrast, :math:`a = ` ``likelihood.sign``, the same two
    names as every other design. The exact posterior is
    ``bayes_ldn.exact.exact_posterior``; this PyMC version exists so the two can be checked
    against each other.
    """
    problems = []
    if not isinstance(likelihood, EffectLikelihood):
        problems.append(f"likelihood must be an EffectLikelihood (bayes_ldn.to_likelihood), got {likelihood!r}")
    if not isinstance(prior, EffectPrior):
        problems.append(f"prior must be an EffectPrior (bayes_ldn.priors), got {prior!r}")
    raise_if("aggregate model", problems)
    with pm.Model() as model:
        theta = effect_prior_rv("treatment_effect_aligned", prior)
        pm.Deterministic("treatment_effect", likelihood.sign * theta)
        se = pm.Data("se", likelihood.se)
        pm.Normal("outcome", mu=theta, sigma=se, observed=likelihood.estimate)
    return TrialModel(
        pymc_model=model,
        design="aggregate",
        estimand={"scale": likelihood.scale, "units": likelihood.units, "aligned": "treatment_effect_aligned (positive = better)",
                  "variable": "treatment_effect (printed contrast)"},
        priors={"treatment_effect_aligned": prior.to_dict()},
        choices={"conversions": likelihood.conversion_note, **dict(likelihood.provenance)},
        data_digest=data_digest(likelihood.estimate, likelihood.se),
    )
