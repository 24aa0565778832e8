"""Crossover model structure for simulation studies.

A complete AB/BA crossover of ``n_subjects`` (no drop-out, so every simulation has the same
rows), normal residuals, no carry-over term, no baseline, the ``scale_0_10`` nuisance priors
(proper: intercept ~ N(5, 5), period effect ~ N(0, 2.5), SDs ~ HalfNormal(2.5)) and a normal
prior on the aligned treatment effect. SBC ranks the scalar parameters (:data:`TARGETS`), not
the 2 x ``n_subjects`` subject effects.
"""

from __future__ import annotations

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.priors import normal

__all__ = ["DEFAULT", "SCENARIOS", "TARGETS", "crossover_structure"]

#: The issue-9 benchmark size: 58 subjects, an NRS-like 0-10 outcome.
DEFAULT = {"n_subjects": 58, "prior_sd": 2.0, "nuisance": "scale_0_10"}
TARGETS = ["treatment_effect", "intercept", "period_effect", "subject_sd", "residual_sd"]


def crossover_structure(*, n_subjects: int, prior_sd: float, nuisance: str) -> TrialModel:
    """AB/BA crossover model over a fixed complete layout; the outcome is swapped in later."""
    frame, _ = simulate_crossover(treatment_effect=0.0, period_effect=0.0, subject_sd=1.0, residual_sd=1.0,
                                  random_seed=0, n_subjects=n_subjects, dropout=0.0, intercept=5.0)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    return crossover_model(data, normal(0.0, prior_sd), better="higher", carryover="none", likelihood="normal",
                           baseline=False, nuisance=nuisance)


#: This family's structure: name -> (builder, default scenario, SBC targets).
SCENARIOS = {"crossover": (crossover_structure, DEFAULT, TARGETS)}
