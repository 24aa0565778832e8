"""Binary-outcome structure for simulation studies: the binomial-normal meta-analysis.

Five two-arm studies (40 to 150 patients per arm), exact binomial likelihood, as
:func:`~bayes_ldn.synthesis.binomial.binomial_normal_model` builds it: mean log odds ratio
``mu ~ N(0, 0.5^2)``, ``tau`` from Turner et al.'s log-normal prior for pain outcomes
(``log tau^2 ~ N(-1.83, 1.52^2)``), study baselines ``N(-1, 0.7^2)`` on the log odds (control
risks mostly 0.1 to 0.5; SBC needs proper priors that generate plausible tables, not the wide
N(0, 10^2) of real analyses). SBC targets: ``mu``, ``tau``, ``theta`` and ``theta_new``.
"""

from __future__ import annotations

from bayes_ldn.data.binary import two_by_two
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.synthesis.binomial import BinaryStudy, binomial_normal_model
from bayes_ldn.synthesis.heterogeneity import turner_tau

__all__ = ["SCENARIOS", "binomial_normal_structure"]


def binomial_normal_structure(
    *, n_per_arm: list[int], mu_prior: list[float], turner_setting: str, baseline: list[float]
) -> TrialModel:
    """Binomial-normal meta-analysis of ``len(n_per_arm)`` studies with equal arms."""
    studies = [BinaryStudy(f"study{i + 1}", two_by_two(0, n, 0, n)) for i, n in enumerate(n_per_arm)]
    return binomial_normal_model(studies, better="higher", tau_prior=turner_tau(turner_setting),
                                 mu_prior=(float(mu_prior[0]), float(mu_prior[1])), baseline_mean=float(baseline[0]),
                                 baseline_sd=float(baseline[1]))


#: Structures of this family: name -> (builder, default scenario, SBC targets); listed by
#: :data:`bayes_ldn.simulation.structures.STRUCTURES`.
SCENARIOS = {
    "binomial_normal": (binomial_normal_structure,
                        {"n_per_arm": [40, 60, 80, 100, 150], "mu_prior": [0.0, 0.5], "turner_setting": "pain",
                         "baseline": [-1.0, 0.7]},
                        ["mu", "tau", "theta", "theta_new"]),
}
