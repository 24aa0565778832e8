"""``fit``: sample a :class:`TrialModel` and stamp the DataTree with its provenance."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.compile_cache import compiled_nutpie
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.diagnostics import convergence_table, failed_checks
from bayes_ldn.exceptions import ConvergenceWarning, DataValidationError
from bayes_ldn.provenance import provenance_attrs
from bayes_ldn.validation import integer_problems, real_problems

__all__ = ["KNOWN_NOISE", "MAX_CHAINS", "MAX_DRAWS", "UNCHECKED", "fit", "hidden_warnings", "provenance_attrs",
           "sampling_problems"]

#: Largest ``draws`` or ``tune`` per chain accepted (the draws are held in memory), and most chains.
MAX_DRAWS = 1_000_000
MAX_CHAINS = 64

#: (category, message pattern) of warnings known to be noise while sampling: hidden and counted.
KNOWN_NOISE: tuple[tuple[type[Warning], str], ...] = (
    # NumPy/PyTensor floating-point overflow while warm-up explores the tails (rejected proposals).
    (RuntimeWarning, r"(overflow|invalid value|divide by zero) encountered"),
    # CPython 3.12 on PyMC's forked chains; the chains do not use threads after the fork.
    (DeprecationWarning, r"use of fork\(\) may lead to deadlocks"),
)


@contextlib.contextmanager
def _quiet_pymc_logger() -> Iterator[None]:
    # PyMC logs a line per chain and sampler choice; quieten it while sampling, then restore it.
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _sort_warnings(caught: list[warnings.WarningMessage]) -> list[dict]:
    """Re-emit every warning that is not known noise; count the noise."""
    counts: dict[tuple[str, str], int] = {}
    for w in caught:
        noise = any(issubclass(w.category, cat) and re.search(pat, str(w.message)) for cat, pat in KNOWN_NOISE)
        if noise:
            key = (w.category.__name__, str(w.message))
            counts[key] = counts.get(key, 0) + 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return [{"category": c, "message": m, "count": n} for (c, m), n in counts.items()]


#: A setting not given to :func:`sampling_problems` (``None`` is a value, and refused).
UNCHECKED = object()


def sampling_problems(*, draws: object, tune: object, chains: object, random_seed: object = UNCHECKED,
                      target_accept: object = UNCHECKED, prefix: str = "") -> list[str]:
    """Every problem with NUTS settings: whole numbers ``draws``, ``tune`` in ``[1, MAX_DRAWS]`` and
    ``chains`` in ``[1, MAX_CHAINS]``, a seed >= 0 and ``target_accept`` in (0, 1). A seed not given
    or ``target_accept`` not given is not checked (the caller checks it its own way).
    ``prefix="--"`` words them as flags."""
    out = integer_problems({f"{prefix}draws": draws, f"{prefix}tune": tune}, minimum=1, maximum=MAX_DRAWS)
    out += integer_problems({f"{prefix}chains": chains}, minimum=1, maximum=MAX_CHAINS)
    if random_seed is not UNCHECKED:
        out += integer_problems({f"{prefix}{'seed' if prefix else 'random_seed'}": random_seed}, minimum=0)
    if target_accept is not UNCHECKED and (real_problems({"target_accept": target_accept})
                                           or not 0 < target_accept < 1):  # type: ignore[operator]
        out.append(f"{prefix}{'target-accept' if prefix else 'target_accept'} must lie in (0, 1), e.g. 0.9; "
                   f"got {target_accept!r}")
    return out


def hidden_warnings(idata: xr.DataTree) -> pd.DataFrame:
    """The known-noise warnings ``fit`` hid, one row per distinct message, with their count."""
    rows = json.loads(idata.attrs.get("hidden_warnings", "[]"))
    return pd.DataFrame(rows, columns=["category", "message", "count"])


def fit(
    model: TrialModel,
    *,
    random_seed: int,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    nuts_sampler: str = defaults.NUTS_SAMPLER,
    target_accept: float = defaults.TARGET_ACCEPT,
    log_likelihood: bool = False,
    var_names_check: list[str] | None = None,
) -> xr.DataTree:
    """Sample a model with NUTS and return a provenance-stamped ``xarray.DataTree``.

    Parameters
    ----------
    model : TrialModel
        From a design builder.
    random_seed : int
        Required: every fit is reproducible and says how.
    draws, tune, chains : int
        Computational settings (defaults in :mod:`bayes_ldn.defaults`).
    nuts_sampler : {"nutpie", "pymc"}
        NUTS implementation. ``"nutpie"`` compiles each model structure once per process and
        reuses it for later fits of models with the same structure and data shapes
        (:mod:`bayes_ldn.compile_cache`); ``"pymc"`` is PyMC's own NUTS, the fallback path.
    target_accept : float
        Step-size adaptation target.
    log_likelihood : bool
        Also compute the pointwise log-likelihood (needed for PSIS-LOO).
    var_names_check : list of str, optional
        Variables whose convergence is checked and stamped; default
        ``["treatment_effect_aligned"]`` (the printed ``treatment_effect`` is its sign flip, with
        the same diagnostics).

    Returns
    -------
    xarray.DataTree
        Groups ``posterior``, ``sample_stats``, ``observed_data`` (+ ``log_likelihood``); root
        attrs: versions, design, estimand, priors, choices, data digest, seed, sampler settings and
        the convergence table (JSON).

    Warns
    -----
    ConvergenceWarning
        When R-hat, ESS or divergences fail the thresholds in :mod:`bayes_ldn.defaults`.
    Any other warning raised while sampling
        Passed on unchanged, except the known noise in :data:`KNOWN_NOISE` (floating-point
        overflow while the sampler explores the tails during warm-up, the fork notice of
        PyMC's multiprocess sampler), which is counted in the DataTree's
        ``attrs["hidden_warnings"]`` (JSON list of ``category``, ``message``, ``count``;
        :func:`hidden_warnings` reads it as a table).

    Notes
    -----
    PyMC's logger is quietened to ERROR while sampling and restored to its previous level
    afterwards, so ``fit`` leaves global logging as it found it.
    """
    problems = [] if nuts_sampler in ("nutpie", "pymc") else [
        f"nuts_sampler must be 'nutpie' or 'pymc', got {nuts_sampler!r}"]
    # random_seed=None would be an unreproducible fit: required, as the signature says.
    problems += sampling_problems(draws=draws, tune=tune, chains=chains, target_accept=target_accept,
                                  random_seed=random_seed)
    if problems:
        raise DataValidationError("fit", problems)
    cores = min(chains, os.cpu_count() or 1)
    with _quiet_pymc_logger(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if nuts_sampler == "nutpie":
            idata = _sample_nutpie(model.pymc_model, draws=draws, tune=tune, chains=chains, cores=cores,
                                   random_seed=random_seed, target_accept=target_accept)
        else:
            with model.pymc_model:
                idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=cores, random_seed=random_seed,
                                  nuts_sampler="pymc", target_accept=target_accept, progressbar=False,
                                  compute_convergence_checks=False)
        if log_likelihood:
            idata = pm.compute_log_likelihood(idata, model=model.pymc_model, extend_inferencedata=True,
                                              progressbar=False)
    hidden = _sort_warnings(caught)
    # The printed effect is a deterministic sign flip of the aligned one: same diagnostics.
    check = var_names_check or ["treatment_effect_aligned"]
    table = convergence_table(idata, [v for v in check if v in idata["posterior"]])
    idata.attrs.update(
        provenance_attrs(
            design=model.design,
            estimand=dict(model.estimand),
            priors=dict(model.priors),
            choices=dict(model.choices),
            data_digest=model.data_digest,
            random_seed=str(random_seed),
            sampler={"nuts_sampler": nuts_sampler, "draws": draws, "tune": tune, "chains": chains,
                     "target_accept": target_accept},
            convergence=table.to_dict(orient="records"),
        )
    )
    idata.attrs["hidden_warnings"] = json.dumps(hidden)
    problems = failed_checks(table)
    if problems:
        warnings.warn("; ".join(problems), ConvergenceWarning, stacklevel=2)
    return idata


def _sample_nutpie(pymc_model: pm.Model, *, draws: int, tune: int, chains: int, cores: int, random_seed: int,
                   target_accept: float) -> xr.DataTree:
    # The compiled model is reused across fits of the same structure (compile_cache); sampling
    # the 58-subject crossover takes ~0.2 s, its compilation ~1 s (filled disk cache) to ~11 s (empty).
    import time

    import nutpie
    from pymc.backends.arviz import patch_nutpie_idata

    compiled = compiled_nutpie(pymc_model)
    # The seed pm.sample(nuts_sampler="nutpie") would pass, so both paths give the same draws.
    seed = int(np.random.default_rng(random_seed).spawn(chains)[0].integers(2**30))
    start = time.perf_counter()
    idata = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=cores, seed=seed,
                          save_warmup=False, progress_bar=False, target_accept=target_accept)
    patch_nutpie_idata(idata, pymc_model, sampling_time=time.perf_counter() - start)
    return idata
