"""Simulation studies: SBC, operating characteristics and fast repeated fitting.

:mod:`~bayes_ldn.simulation.engine` runs any study (a pure function of the simulation index
and seed) serially, on local processes or on Dask, resumably; :mod:`.sbc` and
:mod:`.operating` define the studies; :mod:`.compiled` compiles a model structure once for
repeated NUTS fits; :mod:`.structures` holds the simulated scenarios of each design.
PyMC and nutpie are imported only by the studies that sample.
"""

from bayes_ldn.simulation.engine import Study, StudyRun, run_study, simulation_seeds, study_key, throughput
from bayes_ldn.simulation.operating import any_outcome_rule, summarize_rates, unpooled_false_positive_rate
from bayes_ldn.simulation.sbc import (
    SBC_ALPHA,
    SBC_BINS,
    SBC_DRAWS,
    nuts_study,
    rank_uniformity,
    sbc_aggregate_exact,
    sbc_hierarchical_exact,
    sbc_nuts,
)

__all__ = [
    "SBC_ALPHA",
    "SBC_BINS",
    "SBC_DRAWS",
    "Study",
    "StudyRun",
    "any_outcome_rule",
    "nuts_study",
    "rank_uniformity",
    "run_study",
    "sbc_aggregate_exact",
    "sbc_hierarchical_exact",
    "sbc_nuts",
    "simulation_seeds",
    "study_key",
    "summarize_rates",
    "throughput",
    "unpooled_false_positive_rate",
]
