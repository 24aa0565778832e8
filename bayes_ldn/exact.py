"""Exact posteriors of summary-level models: conjugate where possible, else quadrature."""

from __future__ import annotations

from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.priors import EffectPrior
from bayes_ldn.stats import QuadraturePosterior, conjugate_normal

__all__ = ["exact_posterior"]


def exact_posterior(likelihood: EffectLikelihood, prior: EffectPrior):
    """Exact posterior of the aligned effect.

    Normal and flat priors use the closed form (:func:`bayes_ldn.stats.conjugate_normal`);
    Student-t and mixture priors use one-dimensional quadrature
    (:class:`bayes_ldn.stats.QuadraturePosterior`).
    """
    y, s = likelihood.estimate, likelihood.se
    if prior.family == "flat":
        return conjugate_normal(y, s, 0.0, float("inf"))
    if prior.family == "normal":
        return conjugate_normal(y, s, prior.params["mu"], prior.params["sigma"])
    return QuadraturePosterior(y, s, prior.logpdf, prior.mode_points)
