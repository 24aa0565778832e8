"""Crossover model variants for simulation studies: Student-t, first period only, joint outcomes.

Every variant uses the complete AB/BA layout of :mod:`bayes_ldn.simulation.structures_crossover`
(``simulate_crossover`` with no drop-out, seed 0), the ``scale_0_10`` nuisance priors (intercept
~ N(5, 5^2), period effect ~ N(0, 2.5^2), SDs ~ HalfNormal(2.5), ``residual_df`` ~ Gamma(2, 0.1))
and a normal prior on the aligned treatment effect; only the outcome varies between simulations.
The joint model's outcomes have opposite directions of benefit (``a`` higher, ``b`` lower) so
that the per-outcome sign flip is part of what is calibrated.
"""

from __future__ import annotations

import pymc as pm

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.designs.crossover_first_period import first_period_model
from bayes_ldn.designs.crossover_joint import crossover_joint_model
from bayes_ldn.priors import normal

__all__ = ["SCENARIOS", "crossover_joint_structure", "crossover_student_structure", "first_period_structure"]

NUISANCE = "scale_0_10"


def _layout(n_subjects: int) -> CrossoverData:
    """Complete AB/BA layout of ``n_subjects`` (placeholder outcomes, replaced by each simulation)."""
    frame, _ = simulate_crossover(treatment_effect=0.0, period_effect=0.0, subject_sd=1.0, residual_sd=1.0,
                                  random_seed=0, n_subjects=n_subjects, dropout=0.0, intercept=5.0)
    return CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")


def crossover_student_structure(*, n_subjects: int, prior_sd: float) -> TrialModel:
    """:func:`~bayes_ldn.designs.crossover.crossover_model` with Student-t residuals, no carry-over."""
    return crossover_model(_layout(n_subjects), normal(0.0, prior_sd), better="lower", carryover="none",
                           likelihood="student", baseline=False, nuisance=NUISANCE)


def first_period_structure(*, n_subjects: int, prior_sd: float, likelihood: str) -> TrialModel:
    """:func:`~bayes_ldn.designs.crossover_first_period.first_period_model` (period-1 rows)."""
    return first_period_model(_layout(n_subjects), normal(0.0, prior_sd), better="lower",
                              likelihood=likelihood, nuisance=NUISANCE)


def crossover_joint_structure(
    *, n_subjects: int, prior_sd: float, lkj_eta: float, likelihood: str
) -> TrialModel:
    """:func:`~bayes_ldn.designs.crossover_joint.crossover_joint_model` of two outcomes ``a``, ``b``.

    Adds the deterministic ``subject_corr_ab`` (the one free element of the 2 x 2 subject-effect
    correlation matrix) as the SBC target of the correlation: the matrix's diagonal is constant.
    """
    data = _layout(n_subjects)
    prior = normal(0.0, prior_sd)
    built = crossover_joint_model({"a": data, "b": data}, {"a": prior, "b": prior},
                                  better={"a": "higher", "b": "lower"}, likelihood=likelihood,
                                  nuisance=NUISANCE, lkj_eta=lkj_eta)
    with built.pymc_model as model:
        pm.Deterministic("subject_corr_ab", model["subject_corr"][1, 0])
    return built


_SCALARS = ["treatment_effect", "intercept", "residual_sd"]

#: Structures of this family: name -> (builder, default scenario, SBC targets); listed by
#: :data:`bayes_ldn.simulation.structures.STRUCTURES`.
SCENARIOS = {
    "crossover_student": (crossover_student_structure, {"n_subjects": 30, "prior_sd": 2.0},
                          [*_SCALARS, "period_effect", "subject_sd", "residual_df"]),
    "first_period": (first_period_structure,
                     {"n_subjects": 40, "prior_sd": 2.0, "likelihood": "normal"}, _SCALARS),
    "first_period_student": (first_period_structure,
                             {"n_subjects": 40, "prior_sd": 2.0, "likelihood": "student"},
                             [*_SCALARS, "residual_df"]),
    "crossover_joint": (crossover_joint_structure,
                        {"n_subjects": 30, "prior_sd": 2.0, "lkj_eta": 2.0, "likelihood": "normal"},
                        [*_SCALARS, "period_effect", "subject_sd", "subject_corr_ab"]),
}
