"""``fit``: sample a :class:`TrialModel` and stamp the DataTree with its provenance."""

from __future__ import annotations

import logging
import os
import warnings

import pymc as pm
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.diagnostics import convergence_table, failed_checks
from bayes_ldn.exceptions import ConvergenceWarning, DataValidationError
from bayes_ldn.provenance import provenance_attrs

__all__ = ["fit", "provenance_attrs"]


def fit(
    model: TrialModel,
    *,
    random_seed: int,
    draws: int = defaults.DRAWS,
    tune: int = defaults.TUNE,
    chains: int = defaults.CHAINS,
    nuts_sampler: str = defaults.NUTS_SAMPLER,
    target_accept: float = 0.9,
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
        NUTS implementation.
    target_accept : float
        Step-size adaptation target.
    log_likelihood : bool
        Also compute the pointwise log-likelihood (needed for PSIS-LOO).
    var_names_check : list of str, optional
        Variables whose convergence is checked and stamped; default ``["treatment_effect"]``.

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
    """
    if nuts_sampler not in ("nutpie", "pymc"):
        raise DataValidationError("fit", [f"nuts_sampler must be 'nutpie' or 'pymc', got {nuts_sampler!r}"])
    logging.getLogger("pymc").setLevel(logging.ERROR)
    with model.pymc_model, warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        warnings.simplefilter("ignore", category=FutureWarning)
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=min(chains, os.cpu_count() or 1),
            random_seed=random_seed,
            nuts_sampler=nuts_sampler,
            target_accept=target_accept,
            progressbar=False,
            compute_convergence_checks=False,
            idata_kwargs={"log_likelihood": log_likelihood},
        )
    check = var_names_check or ["treatment_effect"]
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
    problems = failed_checks(table)
    if problems:
        warnings.warn("; ".join(problems), ConvergenceWarning, stacklevel=2)
    return idata
