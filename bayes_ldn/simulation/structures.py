"""Model structures for simulation studies: each shipped design with fixed, proper priors.

SBC needs proper priors (the truth is drawn from them) and a fixed data structure (sizes and
SEs); only the outcome varies between simulations. Each builder takes JSON-serialisable keyword
arguments so that :func:`cached_compiled` can key its cache and the
engine its output folder on them.

========================  =================================================================
structure                 default scenario (:data:`DEFAULT_STRUCTURES`)
========================  =================================================================
``aggregate``             one FINAL-like standardized effect, SE = sqrt(1/45 + 1/47),
                          prior N(0, 0.5^2)
``hierarchical``          five FINAL-like standardized outcomes, mu ~ N(0, 1),
                          tau ~ HalfNormal(0.5)
``crossover``             AB/BA, 58 subjects, normal residuals, ``scale_0_10`` nuisance
``crossover_student``     AB/BA, 30 subjects, Student-t residuals
``first_period``          period-1 rows of a 40-subject AB/BA trial, normal residuals
``first_period_student``  the same, Student-t residuals
``crossover_joint``       two outcomes of a 30-subject AB/BA trial, LKJ(2) subject effects
``parallel``              ANCOVA, 2 x 20 subjects, normal residuals, proper nuisance priors
``parallel_change``       change score, otherwise as ``parallel``
``parallel_student``      ANCOVA with Student-t residuals, otherwise as ``parallel``
``parallel_family``       three outcomes, 2 x 25 subjects, ANCOVA, pooled standardized
                          effects (mu ~ N(0, 0.5^2), tau ~ HalfNormal(0.5)), independent
                          residuals; flat location/slope priors made proper
``parallel_family_corr``  the same with change scores and LKJ(2)-correlated residuals
``meta_regression``       five trials with fixed SEs, dose covariate, tau ~ HalfNormal(0.3)
``binomial_normal``       five two-arm studies (40-150 per arm), exact binomial likelihood,
                          Turner log-normal tau prior (``structures_binary``)
========================  =================================================================

The scenarios beyond the first two live in ``structures_crossover``,
``structures_crossover_variants``, ``structures_parallel``, ``structures_synthesis`` and
``structures_binary``, one design family per module (each a ``SCENARIOS`` table), collected in
the static :data:`STRUCTURES`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bayes_ldn.conversions import Converted
from bayes_ldn.data.records import EffectLikelihood
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.designs.aggregate import aggregate_model
from bayes_ldn.designs.hierarchical import hierarchical_model
from bayes_ldn.priors import normal
from bayes_ldn.simulation import (
    structures_binary,
    structures_crossover,
    structures_crossover_variants,
    structures_parallel,
    structures_synthesis,
)
from bayes_ldn.simulation.compiled import CompiledTrialModel, compiled_once

__all__ = ["DEFAULT_STRUCTURES", "FINAL_SE", "SBC_TARGETS", "STRUCTURES", "aggregate_structure",
           "available_structures", "cached_compiled", "hierarchical_structure", "structure_builder"]

#: SE of a standardized mean difference with FINAL's arm sizes (45 LDN, 47 placebo).
FINAL_SE: float = math.sqrt(1 / 45 + 1 / 47)


def aggregate_structure(*, se: float, prior_mean: float, prior_sd: float) -> TrialModel:
    """Aggregate model for one estimate with standard error ``se`` and a normal prior."""
    likelihood = EffectLikelihood(
        estimate=0.0, se=se, sign=1, scale="linear", units="SD",
        conversions=(Converted(se, "se_given", "simulation structure"),),
        provenance={"trial": "simulation", "record": "simulation", "evidence": "simulated"},
    )
    return aggregate_model(likelihood, normal(prior_mean, prior_sd))


def hierarchical_structure(*, ses: Sequence[float], mu_prior: Sequence[float], tau_scale: float) -> TrialModel:
    """Hierarchical model over ``len(ses)`` units, ``mu ~ N(*mu_prior)``, ``tau ~ HalfNormal``."""
    k = len(ses)
    return hierarchical_model(
        [0.0] * k, list(ses), [f"outcome{i + 1}" for i in range(k)],
        mu_prior=(float(mu_prior[0]), float(mu_prior[1])), tau_prior=("halfnormal", float(tau_scale)),
        unit_dim="unit",  # "outcome" would clash with the observed variable's name
    )


#: Every structure: name -> (builder, default scenario, SBC targets; ``None`` = every free
#: variable and deterministic). A static table: no registration by import side effect.
STRUCTURES: dict[str, tuple[Callable[..., TrialModel], dict, list[str] | None]] = {
    "aggregate": (aggregate_structure, {"se": FINAL_SE, "prior_mean": 0.0, "prior_sd": 0.5}, None),
    "hierarchical": (hierarchical_structure, {"ses": [FINAL_SE] * 5, "mu_prior": [0.0, 1.0], "tau_scale": 0.5},
                     None),
    **structures_crossover.SCENARIOS,
    **structures_crossover_variants.SCENARIOS,
    **structures_parallel.SCENARIOS,
    **structures_synthesis.SCENARIOS,
    **structures_binary.SCENARIOS,
}

#: Default simulation scenario of each structure (the CLI's ``--model`` choices).
DEFAULT_STRUCTURES: dict[str, dict] = {name: params for name, (_, params, _) in STRUCTURES.items()}

#: Variables whose ranks SBC tests (``None``: every free variable and deterministic).
SBC_TARGETS: dict[str, list[str] | None] = {name: targets for name, (_, _, targets) in STRUCTURES.items()}


def available_structures() -> tuple[str, ...]:
    """Names of every structure."""
    return tuple(STRUCTURES)


def structure_builder(name: str) -> Callable[..., TrialModel]:
    """The builder of structure ``name``."""
    if name not in STRUCTURES:
        raise KeyError(f"no model structure {name!r}; known: {sorted(STRUCTURES)}")
    return STRUCTURES[name][0]


def cached_compiled(name: str, structure: Mapping[str, Any]) -> CompiledTrialModel:
    """The compiled model for ``(name, structure)``, compiled at most once per process.

    ``structure`` holds JSON-serialisable keyword arguments of the builder (sizes, SEs, priors):
    everything but the outcome, which :meth:`CompiledTrialModel.fit` swaps in.
    """
    builder = structure_builder(name)
    key = json.dumps([name, dict(structure)], sort_keys=True)
    return compiled_once(key, lambda: builder(**structure))
