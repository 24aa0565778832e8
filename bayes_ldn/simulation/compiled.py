"""Compile a model structure once, then fit and simulate it for many data sets.

``pm.sample(nuts_sampler="nutpie")`` recompiles the model with numba on every call (seconds);
for simulation studies the structure is fixed and only the observed outcome changes. Here the
observed ``outcome`` of a :class:`~bayes_ldn.designs._common.TrialModel` is rebound to a
``pm.Data`` container (``pm.observe``), the model is compiled once with
:func:`bayes_ldn.nutpie_numba.compile_nutpie_numba` (``nutpie.compile_pymc_model`` with its C entry
points kept in PyTensor's disk cache, so a worker whose structure is on disk starts in about a
second instead of recompiling them) and each new data set is swapped in with
``CompiledModel.with_data`` (no recompilation). A compiled forward (prior-predictive) function
draws the true parameters and the data, reseeded per simulation.

Measured on this 2-core machine: see ``benchmarks/results/fast_fitting.md``.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bayes_ldn import defaults
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.compile_cache import structure_key
from bayes_ldn.nutpie_numba import compile_nutpie_numba
from bayes_ldn.simulation.draws import thinned

__all__ = ["CompiledTrialModel", "compile_trial_model", "compiled_once", "flat_draws", "thinned"]

#: Name of the data container that replaces the observed values of ``outcome``.
OUTCOME_DATA = "outcome_data"


@dataclass(frozen=True)
class CompiledTrialModel:
    """A model compiled once for repeated fitting and prior simulation.

    Attributes
    ----------
    trial_model : TrialModel
        The model as built.
    nutpie_model : nutpie CompiledModel
        Compiled with ``outcome`` read from the ``outcome_data`` container.
    forward : callable
        ``forward(seed: int) -> dict`` of one joint prior draw of ``parameters`` and ``outcome``.
    parameters : tuple of str
        Free random variables and deterministics of the model (the SBC targets).
    data_name : str
        The data container holding the outcome.
    """

    trial_model: TrialModel
    nutpie_model: Any
    forward: Callable[[int], dict[str, np.ndarray]]
    parameters: tuple[str, ...]
    data_name: str = OUTCOME_DATA

    def fit(self, outcome: np.ndarray, *, random_seed: int, draws: int, tune: int, chains: int,
            target_accept: float = defaults.TARGET_ACCEPT, cores: int = 1, raw: bool = False) -> Any:
        """Sample the posterior given a new ``outcome`` (no recompilation); returns a DataTree.

        ``target_accept`` defaults to :func:`bayes_ldn.fit.fit`'s, so simulation studies fit the
        way users do. ``cores=1`` by default: simulation studies parallelise over simulations
        instead. ``raw=True`` returns nutpie's raw trace instead (no DataTree conversion, about
        half of a crossover fit's time; see :func:`bayes_ldn.simulation.sbc.posterior_arrays`).
        """
        import nutpie

        model = self.nutpie_model.with_data(**{self.data_name: np.asarray(outcome, dtype=float)})
        return nutpie.sample(model, draws=draws, tune=tune, chains=chains, seed=int(random_seed),
                             target_accept=float(target_accept), cores=cores, progress_bar=False,
                             return_raw_trace=raw)


def compile_trial_model(trial_model: TrialModel) -> CompiledTrialModel:
    """Compile ``trial_model`` once for :meth:`CompiledTrialModel.fit` and prior draws."""
    import pymc as pm
    from pymc.pytensorf import reseed_rngs
    from pytensor.graph.replace import graph_replace
    from pytensor.tensor.random.type import RandomType

    logging.getLogger("pymc").setLevel(logging.ERROR)
    model = trial_model.pymc_model
    outcome = model["outcome"]
    value = model.rvs_to_values[outcome]
    parameters = tuple(v.name for v in model.free_RVs + model.deterministics)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if value in model.data_vars:
            # The builder already reads the outcome from a data container (e.g. the crossover model).
            data_name, observed_model = value.name, model
        else:
            data_name = OUTCOME_DATA
            with model:
                if OUTCOME_DATA not in model.named_vars:
                    pm.Data(OUTCOME_DATA, np.asarray(value.data, dtype=float), dims=model.named_vars_to_dims.get("outcome"))
            observed_model = pm.observe(model, {"outcome": model[OUTCOME_DATA]})
        compiled = compile_nutpie_numba(observed_model, structure_key(observed_model))
        # In a joint prior draw the observed data *are* the drawn outcome: a deterministic that
        # reads the outcome's container (the meta-regression's conditional theta) must read the draw.
        outputs = graph_replace([model[name] for name in (*parameters, "outcome")],
                                {model[data_name]: model["outcome"]}, strict=False)
        fn = pm.compile([], outputs, random_seed=0)
    rngs = [v for v in fn.get_shared() if isinstance(v.type, RandomType)]
    names = (*parameters, "outcome")

    def forward(seed: int) -> dict[str, np.ndarray]:
        reseed_rngs(rngs, int(seed))
        return dict(zip(names, (np.asarray(x) for x in fn()), strict=True))

    return CompiledTrialModel(trial_model=trial_model, nutpie_model=compiled, forward=forward, parameters=parameters,
                              data_name=data_name)


# --- per-process cache keyed by model structure -------------------------------------------------

_CACHE: dict[str, CompiledTrialModel] = {}


def compiled_once(key: str, build: Callable[[], TrialModel]) -> CompiledTrialModel:
    """``compile_trial_model(build())``, at most once per process for each ``key``.

    :func:`bayes_ldn.simulation.structures.cached_compiled` keys it by structure name and
    parameters; the builders live there, so this module knows no structure.
    """
    if key not in _CACHE:
        _CACHE[key] = compile_trial_model(build())
    return _CACHE[key]


def flat_draws(tree: Any, name: str, n_draws: int) -> np.ndarray:
    """``n_draws`` posterior draws of ``name`` in a DataTree, as :func:`thinned`."""
    return thinned(np.asarray(tree["posterior"][name].values), n_draws)
