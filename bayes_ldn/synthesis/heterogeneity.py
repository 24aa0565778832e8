"""Heterogeneity priors: :class:`bayes_ldn.priors_tau.TauPrior`, the one type, re-exported here."""

from bayes_ldn.priors_tau import (
    RHODES_GENERAL,
    RHODES_PAIN_PHARMA_PLACEBO,
    TURNER_SETTINGS,
    TauPrior,
    as_tau_prior,
    fixed_tau,
    gamma_precision_tau,
    halfcauchy_tau,
    halfnormal_tau,
    parse_tau_prior,
    rhodes_tau,
    turner_tau,
    uniform_tau,
)

__all__ = [
    "RHODES_GENERAL",
    "RHODES_PAIN_PHARMA_PLACEBO",
    "TURNER_SETTINGS",
    "TauPrior",
    "as_tau_prior",
    "fixed_tau",
    "gamma_precision_tau",
    "halfcauchy_tau",
    "halfnormal_tau",
    "parse_tau_prior",
    "rhodes_tau",
    "turner_tau",
    "uniform_tau",
]
