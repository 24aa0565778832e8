"""Exact posteriors of summary-level models: conjugate where possible, else quadrature."""

from __future__ import annotations

import numpy as np
from scipy import stats

from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.priors import EffectPrior
from bayes_ldn.stats import NormalMixture, QuadraturePosterior, conjugate_normal

__all__ = ["exact_posterior"]


def exact_posterior(likelihood: EffectLikelihood, prior: EffectPrior):
    r"""Exact posterior of the aligned effect.

    Normal and flat priors use the closed form (:func:`bayes_ldn.stats.conjugate_normal`); a
    mixture of normals gives a mixture of the conjugate posteriors, each weighted by its prior
    weight times its marginal likelihood :math:`N(\hat\theta; m_j, s_j^2 + s^2)`; Student-t priors
    and mixtures with a Student-t component use one-dimensional quadrature
    (:class:`bayes_ldn.stats.QuadraturePosterior`).

    Raises
    ------
    DataValidationError
        When the arguments are not an :class:`EffectLikelihood` with an estimate (not the NaN
        placeholder of a likelihood summarised from draws) and an :class:`EffectPrior`, or when the
        posterior lies outside the quadrature's window (a Student-t prior far narrower than the SE
        and far from the estimate).
    """
    problems = []
    if not isinstance(likelihood, EffectLikelihood):
        problems.append(f"likelihood must be an EffectLikelihood (bayes_ldn.to_likelihood), got {likelihood!r}")
    elif not np.isfinite(likelihood.estimate):
        problems.append(f"the likelihood's estimate is {likelihood.estimate}: a likelihood summarised from "
                        "draws has no exact posterior; give a finite estimate")
    if not isinstance(prior, EffectPrior):
        problems.append(f"prior must be an EffectPrior (bayes_ldn.priors), got {prior!r}")
    raise_if("exact posterior", problems)
    y, s = likelihood.estimate, likelihood.se
    if prior.family == "flat":
        return conjugate_normal(y, s, 0.0, float("inf"))
    if prior.family == "normal":
        return conjugate_normal(y, s, prior.params["mu"], prior.params["sigma"])
    parts = prior.components()
    if all(c.family == "normal" for _, c in parts):
        return _normal_mixture(y, s, parts)
    post = QuadraturePosterior(y, s, prior.logpdf, prior.mode_points,
                               prior_scales=tuple(float(c.params["sigma"]) for _, c in parts))
    try:
        post.mean  # noqa: B018 - builds the grid now, so a posterior outside it is refused here
    except DataValidationError as err:
        raise DataValidationError("exact posterior", [f"prior {prior.describe()}: {p}" for p in err.problems]) from None
    return post


def _normal_mixture(y: float, s: float, parts: list[tuple[float, EffectPrior]]) -> NormalMixture:
    """Posterior of ``N(y; theta, s^2)`` under a mixture of normal priors (conjugate per component)."""
    comps = [(w, c.params["mu"], c.params["sigma"]) for w, c in parts if w > 0]
    posts = [conjugate_normal(y, s, m, sd) for _, m, sd in comps]
    with np.errstate(over="ignore"):  # a component beyond 1e154 of its SDs has log weight -inf, its limit
        logw = np.array([np.log(w) + stats.norm.logpdf(y, m, np.hypot(sd, s)) for w, m, sd in comps])
    raise_if("exact posterior", [] if np.isfinite(logw.max()) else [
        f"the estimate {y:g} lies beyond 1e150 SDs from every mixture component: check the prior's units"])
    w = np.exp(logw - logw.max())
    return NormalMixture(w / w.sum(), np.array([p.mean for p in posts]), np.array([p.sd for p in posts]))
