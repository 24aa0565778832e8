"""What every design builder returns, and the PyMC form of an effect prior."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pymc as pm

from bayes_ldn.priors import EffectPrior

__all__ = ["TrialModel", "data_digest", "effect_prior_rv", "prior_data"]


@dataclass(frozen=True, kw_only=True)
class TrialModel:
    """A built (not yet sampled) model plus everything ``fit`` stamps on the result.

    Attributes
    ----------
    pymc_model : pm.Model
        The model; its observed variable is ``outcome`` and its estimand ``treatment_effect``.
    design : str
        ``"aggregate"``, ``"crossover"``, ``"parallel"``, ``"hierarchical"``, ...
    estimand : dict
        The estimand (treatment, reference, better, units, scale).
    priors : dict
        Name -> JSON-serialisable prior description, for every prior in the model.
    choices : dict
        Every analysis choice (method, carry-over, likelihood, sign alignment, ...).
    data_digest : str
        SHA-256 of the canonical data the model was built from.
    """

    pymc_model: pm.Model
    design: str
    estimand: Mapping[str, Any]
    priors: Mapping[str, Any]
    choices: Mapping[str, Any] = field(default_factory=dict)
    data_digest: str = ""


def data_digest(*arrays: Any) -> str:
    """SHA-256 over arrays and JSON-able objects, in order."""
    h = hashlib.sha256()
    for a in arrays:
        if isinstance(a, np.ndarray):
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update(json.dumps(a, sort_keys=True, default=str).encode())
    return h.hexdigest()


def effect_prior_rv(name: str, prior: EffectPrior, **kwargs: Any) -> Any:
    """Create the PyMC random variable for an :class:`EffectPrior` (inside a model context).

    The prior's parameters are data containers named ``{name}_prior_{parameter}`` (mixtures:
    ``{name}_prior_weights`` and ``{name}_prior_{j}_{parameter}`` for component ``j``), not
    constants: two models that differ only in the values of a prior of the same family (and, for
    a mixture, the same component families) share one compiled structure
    (:mod:`bayes_ldn.compile_cache`), so a refit under another prior swaps the values in instead of
    recompiling. The values also appear in the fit's ``constant_data`` group.
    """
    p = prior.params
    if prior.family == "flat":
        return pm.Flat(name, **kwargs)

    def hyper(key: str, value: Any) -> Any:
        return pm.Data(f"{name}_prior_{key}", np.asarray(value, dtype=float))

    if prior.family == "normal":
        return pm.Normal(name, mu=hyper("mu", p["mu"]), sigma=hyper("sigma", p["sigma"]), **kwargs)
    if prior.family == "student_t":
        return pm.StudentT(name, nu=hyper("nu", p["nu"]), mu=hyper("mu", p["mu"]), sigma=hyper("sigma", p["sigma"]),
                           **kwargs)
    dists = []
    for j, (_, c) in enumerate(prior.components()):
        mu, sigma = hyper(f"{j}_mu", c.params["mu"]), hyper(f"{j}_sigma", c.params["sigma"])
        dists.append(pm.Normal.dist(mu=mu, sigma=sigma) if c.family == "normal"
                     else pm.StudentT.dist(nu=hyper(f"{j}_nu", c.params["nu"]), mu=mu, sigma=sigma))
    return pm.Mixture(name, w=hyper("weights", p["weights"]), comp_dists=dists, **kwargs)


def prior_data(name: str, key: str, value: Any) -> Any:
    """A prior hyperparameter as the data container ``{name}_prior_{key}`` (inside a model context).

    Data containers, not constants: the unit-free nuisance priors change with the data set, and a
    refit on new data of the same shape must reuse the compiled model (:mod:`bayes_ldn.compile_cache`).
    """
    return pm.Data(f"{name}_prior_{key}", np.asarray(value, dtype=float))
