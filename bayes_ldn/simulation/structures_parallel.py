"""Parallel-group model structures for simulation studies (single outcome and outcome family).

The layout is fixed: ``n_per_arm`` subjects per arm whose baselines are one standard-normal draw
(seed 0), so every simulation has the same rows and baselines and only the follow-up varies. The
outcome is on a unit scale (SD of change about 1), matching the proper nuisance priors of
``tests/parallel/test_fit.py::test_sbc_ancova``: ``c_0 ~ N(0, 1)``, ``beta ~ N(0.7, 0.2^2)``,
``sigma ~ HalfNormal(1)``, Student-t ``nu ~ Gamma(2, 0.1)`` (the shipped :data:`NU_PRIOR`).

:func:`~bayes_ldn.designs.parallel_family.parallel_family_model` puts flat priors on each
outcome's ``change_reference`` and ``baseline_slope`` and has no option for proper ones; SBC
needs proper priors, so :func:`parallel_family_structure` replaces those two flat priors by the
same normal priors as above (``pymc.do``), leaving every other part of the shipped graph as built.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymc as pm

from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.designs._common import TrialModel
from bayes_ldn.designs.parallel import parallel_model, proper_nuisance
from bayes_ldn.designs.parallel_family import parallel_family_model
from bayes_ldn.priors import normal

__all__ = ["SCENARIOS", "family_model", "parallel_family_structure", "parallel_structure", "with_offdiagonal",
           "with_proper_priors"]

#: Proper nuisance priors on the unit outcome scale: c_0 ~ N(0, 1), beta ~ N(0.7, 0.2^2).
CHANGE_SD = 1.0
SLOPE_PRIOR = (0.7, 0.2)


def _layout(n_per_arm: int, outcomes: int) -> pd.DataFrame:
    """Tidy frame of a fixed layout: standard-normal baselines (seed 0), placeholder follow-ups."""
    rng = np.random.default_rng(0)
    n = 2 * n_per_arm
    frame = pd.DataFrame({
        "subject": np.repeat([f"s{i:03d}" for i in range(n)], outcomes),
        "arm": np.repeat(np.where(np.arange(n) < n_per_arm, "LDN", "placebo"), outcomes),
        "outcome": np.tile([f"m{k + 1}" for k in range(outcomes)], n),
        "baseline": rng.normal(0.0, 1.0, n * outcomes),
    })
    frame["followup"] = frame["baseline"]  # replaced by every simulated outcome
    return frame if outcomes > 1 else frame.drop(columns="outcome")


def parallel_structure(*, n_per_arm: int, method: str, likelihood: str, prior_sd: float) -> TrialModel:
    """:func:`~bayes_ldn.designs.parallel.parallel_model` over a fixed layout, proper priors.

    ``better="lower"`` so that the aligned and raw effects differ in sign (the sign flip is
    part of what is calibrated).
    """
    data = ParallelData.from_frame(_layout(n_per_arm, 1), treatment="LDN", reference="placebo")
    nuisance = proper_nuisance(change_sd=CHANGE_SD, baseline_slope=SLOPE_PRIOR, covariate_sd=1.0,
                               residual_sd_scale=1.0)
    return parallel_model(data, normal(0.0, prior_sd), better="lower", method=method, likelihood=likelihood,
                          nuisance=nuisance)


def with_proper_priors(trial_model: TrialModel, priors: dict[str, tuple[float, float]]) -> TrialModel:
    """``trial_model`` with the free variables ``priors`` (flat in the builder) made ``N(mean, sd^2)``.

    Each named variable is replaced (``pymc.do``) by ``mean + sd * <name>_z`` with a new standard
    normal ``<name>_z`` of the same dims, so the variable keeps its name (as a deterministic) and
    every downstream expression of the shipped graph is unchanged.
    """
    model = trial_model.pymc_model
    with model:
        replacements = {}
        for name, (mean, sd) in priors.items():
            dims = model.named_vars_to_dims.get(name)
            z = pm.Normal(f"{name}_z", 0.0, 1.0, dims=dims, shape=None if dims else model[name].shape)
            replacements[name] = mean + sd * z
    new = pm.do(model, replacements)
    described = {**trial_model.priors, **{name: {"normal": [mean, sd], "replaces": "flat (for SBC)"}
                                          for name, (mean, sd) in priors.items()}}
    return TrialModel(pymc_model=new, design=trial_model.design, estimand=trial_model.estimand,
                      priors=described, choices=trial_model.choices, data_digest=trial_model.data_digest)


def with_offdiagonal(trial_model: TrialModel, matrix: str, size: int, name: str) -> TrialModel:
    """Add deterministic ``name``: the elements below the diagonal of ``size`` x ``size`` ``matrix``.

    A correlation matrix's diagonal is 1 and its upper triangle repeats the lower one; ranking
    them would add constant or duplicated columns to the SBC test.
    """
    model = trial_model.pymc_model
    rows, cols = np.tril_indices(size, -1)
    with model:
        pm.Deterministic(name, model[matrix][rows, cols])
    return trial_model


def family_model(
    *, n_per_arm: int, outcomes: int, method: str, mean_prior_sd: float, tau_scale: float,
    residual_correlation: bool,
) -> TrialModel:
    """:func:`~bayes_ldn.designs.parallel_family.parallel_family_model` as shipped, over a fixed layout.

    Residual SD scales 1 for every outcome, ``mu ~ N(0, mean_prior_sd^2)``, ``tau ~
    HalfNormal(tau_scale)``, LKJ(2) residual correlation when ``residual_correlation``. Outcome
    ``m1`` is lower-is-better, the others higher-is-better.
    """
    data = ParallelData.from_frame(_layout(n_per_arm, outcomes), treatment="LDN", reference="placebo")
    names = list(data.outcomes)
    return parallel_family_model(
        data, normal(0.0, mean_prior_sd), better={k: "lower" if k == "m1" else "higher" for k in names},
        method=method, tau_prior=("halfnormal", float(tau_scale)),
        residual_sd_scales=dict.fromkeys(names, 1.0), residual_correlation=residual_correlation)


def parallel_family_structure(**params) -> TrialModel:
    """:func:`family_model` (same keyword arguments) with its flat priors made proper.

    ``change_reference ~ N(0, CHANGE_SD^2)`` and (ANCOVA) ``baseline_slope ~ N(*SLOPE_PRIOR)``
    replace the builder's flat priors; with residual correlation the deterministic
    ``residual_corr_lower`` holds the correlations below the diagonal (the SBC targets).
    """
    flat = {"change_reference": (0.0, CHANGE_SD)}
    if params["method"] == "ancova":
        flat["baseline_slope"] = SLOPE_PRIOR
    model = with_proper_priors(family_model(**params), flat)
    if params["residual_correlation"]:
        model = with_offdiagonal(model, "residual_chol_corr", params["outcomes"], "residual_corr_lower")
    return model


_PARALLEL_TARGETS = ["treatment_effect", "change_reference", "residual_sd"]
_FAMILY_TARGETS = ["mean_effect", "heterogeneity_sd", "treatment_effect", "residual_sd", "change_reference"]

#: Structures of this family: name -> (builder, default scenario, SBC targets); listed by
#: :data:`bayes_ldn.simulation.structures.STRUCTURES`.
SCENARIOS = {
    "parallel": (parallel_structure,
                 {"n_per_arm": 20, "method": "ancova", "likelihood": "normal", "prior_sd": 1.0},
                 [*_PARALLEL_TARGETS, "baseline_slope"]),
    "parallel_change": (parallel_structure,
                        {"n_per_arm": 20, "method": "change", "likelihood": "normal", "prior_sd": 1.0},
                        _PARALLEL_TARGETS),
    "parallel_student": (parallel_structure,
                         {"n_per_arm": 20, "method": "ancova", "likelihood": "student", "prior_sd": 1.0},
                         [*_PARALLEL_TARGETS, "baseline_slope", "residual_df"]),
    "parallel_family": (parallel_family_structure,
                        {"n_per_arm": 25, "outcomes": 3, "method": "ancova", "mean_prior_sd": 0.5,
                         "tau_scale": 0.5, "residual_correlation": False},
                        [*_FAMILY_TARGETS, "baseline_slope"]),
    "parallel_family_corr": (parallel_family_structure,
                             {"n_per_arm": 25, "outcomes": 3, "method": "change", "mean_prior_sd": 0.5,
                              "tau_scale": 0.5, "residual_correlation": True},
                             [*_FAMILY_TARGETS, "residual_corr_lower"]),
}
