"""Synthesis model structure for simulation studies: the random-effects meta-regression on dose.

Five trials with fixed standard errors (standardized-effect scale, arms of 15 to 50) and doses
(1.5 to 6 mg, reference 4.5 mg), as :func:`~bayes_ldn.synthesis.mcmc.meta_regression_model`
builds them for ``fit_synthesis(dose_covariate=True)``: ``mu ~ N(0, 0.5^2)`` (mean effect at
the reference dose), ``slope ~ N(0, 0.2^2)`` per mg, ``tau ~ HalfNormal(0.3)``.

SBC targets are ``mu``, ``slope``, ``tau``, the trial effects ``theta`` and ``theta_new``.
``theta`` is drawn from its exact conditional given the estimates, which the builder reads from
the same data container as the likelihood: a simulation's outcome swapped into the compiled model
conditions ``theta`` too, and the joint prior draw takes ``theta`` given the drawn outcome
(:func:`~bayes_ldn.simulation.compiled.compile_trial_model`).
"""

from __future__ import annotations

from bayes_ldn.designs._common import TrialModel
from bayes_ldn.synthesis.heterogeneity import halfnormal_tau
from bayes_ldn.synthesis.mcmc import meta_regression_model

__all__ = ["SCENARIOS", "meta_regression_structure"]


def meta_regression_structure(
    *, ses: list[float], doses: list[float], dose_reference: float, mu_prior: list[float],
    slope_prior: list[float], tau_scale: float,
) -> TrialModel:
    """Meta-regression of ``len(ses)`` trials on dose with a half-normal tau prior."""
    labels = [f"trial{i + 1}" for i in range(len(ses))]
    return meta_regression_model(
        [0.0] * len(ses), ses, labels, {"dose_mg": doses}, covariate_reference={"dose_mg": dose_reference},
        mu_prior=(float(mu_prior[0]), float(mu_prior[1])),
        slope_prior=(float(slope_prior[0]), float(slope_prior[1])),
        tau_prior=halfnormal_tau(tau_scale),
    )


#: Structures of this family: name -> (builder, default scenario, SBC targets); listed by
#: :data:`bayes_ldn.simulation.structures.STRUCTURES`.
SCENARIOS = {
    "meta_regression": (meta_regression_structure,
                        {"ses": [0.2, 0.25, 0.3, 0.37, 0.45], "doses": [4.5, 4.5, 3.0, 6.0, 1.5],
                         "dose_reference": 4.5, "mu_prior": [0.0, 0.5], "slope_prior": [0.0, 0.2],
                         "tau_scale": 0.3},
                        ["mu", "slope", "tau", "theta", "theta_new"]),
}
