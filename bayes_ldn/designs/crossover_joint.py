r"""Joint crossover model of several outcomes of one trial with correlated subject effects.

See :func:`crossover_joint_model` for the equations. Each outcome keeps its own intercept,
period effects, treatment effect, residual SD and nuisance priors (as in
:func:`bayes_ldn.designs.crossover.crossover_model`); only the subjects' random intercepts are
shared, as a correlated vector across outcomes with an LKJ prior on their correlation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import align_sign
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv, prior_data
from bayes_ldn.designs.crossover import LIKELIHOODS, UNIT_FREE, NuisancePriors, resolve_nuisance
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior

__all__ = ["crossover_joint_model"]

_WHAT = "joint crossover model"
_MAX_LISTED = 8
# Measure names become parts of variable names (treatment_effect_aligned_<measure>).
_MEASURE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _listing(values: list[Any]) -> str:
    vals = [str(v) for v in values]
    more = len(vals) - _MAX_LISTED
    return ", ".join(vals[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _check_keys(measures: list[str], name: str, given: Mapping[str, Any]) -> list[str]:
    missing = [m for m in measures if m not in given]
    extra = [str(k) for k in given if k not in measures]
    problems = []
    if missing:
        problems.append(f"{name} has no entry for outcome(s) {_listing(missing)}; give one per outcome of data_by_outcome")
    if extra:
        problems.append(f"{name} has entries for unknown outcome(s) {_listing(extra)}; "
                        f"the outcomes are {', '.join(measures)}")
    return problems


def _check_alignment(data_by_outcome: Mapping[str, CrossoverData]) -> list[str]:
    """Same subjects, levels, periods and sequence allocation in every outcome."""
    measures = list(data_by_outcome)
    first_name, first = measures[0], data_by_outcome[measures[0]]
    all_subjects = sorted(set().union(*(set(d.subjects) for d in data_by_outcome.values())))
    problems = []
    for m in measures:
        absent = [s for s in all_subjects if s not in set(data_by_outcome[m].subjects)]
        if absent:
            problems.append(
                f"outcome {m!r} has no rows for subject(s) {_listing(absent)} that other outcomes have; "
                "every subject must appear in every outcome (keep at least one period row, or drop the "
                "subject from all outcomes)"
            )
    for m in measures[1:]:
        d = data_by_outcome[m]
        if (d.treatment, d.reference) != (first.treatment, first.reference):
            problems.append(f"outcome {m!r} compares {d.treatment!r} with {d.reference!r} but {first_name!r} "
                            f"compares {first.treatment!r} with {first.reference!r}; use the same levels")
        if d.periods != first.periods:
            problems.append(f"outcome {m!r} has periods {list(d.periods)} but {first_name!r} has "
                            f"{list(first.periods)}; the outcomes must come from the same periods")
        if dict(d.sequence_orders) != dict(first.sequence_orders):
            problems.append(f"outcome {m!r} has sequences {dict(d.sequence_orders)} but {first_name!r} has "
                            f"{dict(first.sequence_orders)}; the outcomes must share the sequences")
        seq_a = first.frame.drop_duplicates("subject").set_index("subject")["sequence"].astype(str)
        seq_b = d.frame.drop_duplicates("subject").set_index("subject")["sequence"].astype(str)
        both = seq_a.index.intersection(seq_b.index)
        differ = [str(s) for s in both if seq_a[s] != seq_b[s]]
        if differ:
            problems.append(f"subject(s) {_listing(sorted(differ))} are in different sequences in {first_name!r} "
                            f"and {m!r}; a subject has one randomised sequence")
    return problems


def _validate(data_by_outcome, priors, better, likelihood, nuisance, lkj_eta) -> list[str]:
    problems: list[str] = []
    measures = [str(m) for m in data_by_outcome]
    if len(measures) < 2:
        problems.append(f"need at least two outcomes for a joint model, got {len(measures)} "
                        "(use crossover_model for a single outcome)")
    bad_names = [m for m in measures if not _MEASURE_NAME.match(m)]
    if bad_names:
        problems.append(f"outcome name(s) {_listing([repr(m) for m in bad_names])} are not identifiers; "
                        "use letters, digits and underscores starting with a letter (e.g. 'fiqr', 'summed_pain')")
    not_data = [m for m, d in data_by_outcome.items() if not isinstance(d, CrossoverData)]
    if not_data:
        problems.append(f"outcome(s) {_listing(not_data)} are not CrossoverData; build them with "
                        "CrossoverData.from_frame")
    problems += _check_keys(measures, "priors", priors)
    problems += _check_keys(measures, "better", better)
    wrong_dir = [f"{m}={v!r}" for m, v in better.items() if v not in ("higher", "lower")]
    if wrong_dir:
        problems.append(f"better must be 'higher' or 'lower' for every outcome, got {_listing(wrong_dir)}")
    if not isinstance(nuisance, (str, NuisancePriors)):
        problems += _check_keys(measures, "nuisance", nuisance)
    if likelihood not in LIKELIHOODS:
        problems.append(f"likelihood must be one of {', '.join(LIKELIHOODS)}, got {likelihood!r}")
    if not (isinstance(lkj_eta, (int, float)) and np.isfinite(lkj_eta) and lkj_eta > 0):
        problems.append(f"lkj_eta must be a positive finite number (1 = uniform over correlations), got {lkj_eta!r}")
    if len(measures) >= 2 and not not_data:
        problems += _check_alignment(data_by_outcome)
    return problems


def crossover_joint_model(
    data_by_outcome: Mapping[str, CrossoverData],
    priors: Mapping[str, EffectPrior],
    *,
    better: Mapping[str, str],
    likelihood: str,
    nuisance: Mapping[str, NuisancePriors | str] | NuisancePriors | str = UNIT_FREE,
    lkj_eta: float,
) -> TrialModel:
    r"""Bayesian linear mixed model of several outcomes of one crossover trial, jointly.

    Parameters
    ----------
    data_by_outcome : mapping of str to CrossoverData
        Outcome name (an identifier, e.g. ``"fiqr"``, ``"summed_pain"``) -> validated data. Every
        outcome must have the same subjects, treatment levels, periods and sequences; a subject
        may miss a period in one outcome (the model uses every observed row).
    priors : mapping of str to EffectPrior
        Per outcome, the prior on the **aligned** treatment effect (positive = treatment better).
    better : mapping of str to {"higher", "lower"}
        Per outcome, the direction of benefit; ``treatment_effect[k] = align_sign(better[k]) *
        treatment_effect_aligned[k]``.
    likelihood : {"normal", "student"}
        Residual distribution (Student-t with one ``residual_df`` per outcome).
    nuisance : NuisancePriors, str or mapping of str to either
        Nuisance priors (or a preset name) for every outcome, or one per outcome. The default
        ``"unit_free"`` scales each outcome's priors by that outcome's own mean and SD
        (:mod:`bayes_ldn.designs.nuisance`), so outcomes on different scales (FIQR 0-100, pain
        0-10) each get theirs; fixed presets are on each outcome's scale.
    lkj_eta : float
        Shape of the LKJ prior on the subject-effect correlation (1 = uniform; for two outcomes
        the correlation :math:`\rho` has :math:`(\rho + 1)/2 \sim \mathrm{Beta}(\eta, \eta)`).

    Returns
    -------
    TrialModel
        ``design="crossover_joint"``; one stacked observed variable ``outcome`` (dims ``obs``,
        the rows of all outcomes in the order given, with ``measure_index`` saying whose row).

    Raises
    ------
    DataValidationError
        Listing every problem at once (missing per-outcome entries, mismatched subjects, ...).

    Notes
    -----
    For subject :math:`i`, period :math:`p` and outcome :math:`k = 1..K`:

    .. math::

        y_{ipk} &= \alpha_k + \pi_{pk} + \tau_k d_{ip} + u_{ik} + \varepsilon_{ipk} \\
        \tau_k &= a_k \theta_k, \quad a_k = \text{align\_sign(better}_k), \quad \theta_k \sim p_{0k} \\
        u_i &= \operatorname{diag}(\sigma_u)\, L\, z_i, \quad z_{ik} \sim N(0, 1), \quad
               R = L L^\top \sim \mathrm{LKJ}(\eta), \quad \sigma_{u,k} \sim \mathrm{HalfNormal} \\
        \varepsilon_{ipk} &\sim N(0, \sigma_k^2) \text{ or } t_{\nu_k}(0, \sigma_k^2),
               \text{ independent across } i, p, k

    so that :math:`u_i \sim N(0, \operatorname{diag}(\sigma_u) R \operatorname{diag}(\sigma_u))`
    (non-centred). :math:`\pi_{1k} = 0`; :math:`d_{ip} = 1` on the treatment.

    ======================  ========================================  ==============================
    symbol                  variable                                  dims
    ======================  ========================================  ==============================
    :math:`\alpha_k`        ``intercept``                             ``measure``
    :math:`\pi_{pk}`        ``period_effect``                         ``measure, period_contrast``
    :math:`\theta_k`        ``treatment_effect_aligned_<k>`` (free),  scalar each;
                            ``treatment_effect_aligned``              ``measure``
    :math:`\tau_k`          ``treatment_effect``                      ``measure`` (treatment - ref.)
    :math:`\sigma_{u,k}`    ``subject_sd``                            ``measure``
    :math:`L`               ``subject_corr_cholesky``                 ``measure, measure_other``
    :math:`R`               ``subject_corr``                          ``measure, measure_other``
    :math:`z_{ik}`          ``subject_z``                             ``subject, measure``
    :math:`u_{ik}`          ``subject_effect``                        ``subject, measure``
    :math:`\sigma_k`        ``residual_sd``                           ``measure``
    :math:`\nu_k`           ``residual_df`` (student)                 ``measure``
    :math:`y_{ipk}`         ``outcome`` (observed, stacked)           ``obs``
    ======================  ========================================  ==============================

    **What this model can and cannot separate.** Per outcome, an AB/BA design aliases sequence,
    differential carry-over and treatment x period interaction (see
    :func:`~bayes_ldn.designs.crossover.crossover_model`); no carry-over or sequence term is
    offered here, so the treatment effects are the within-subject (Hills-Armitage-type)
    estimates. Across outcomes, the correlation of subject effects is identified only from the
    covariance of the outcomes *across different periods*; covariance within the same period is
    the sum of the subject part and a residual part, and the model sets the residual part to
    zero (residuals independent across outcomes). If the same-period residuals of the outcomes
    are correlated (a bad week raises FIQR and pain together), ``subject_corr`` absorbs part of
    it and is biased towards that correlation; with two periods the design cannot tell a
    subject x period cross-outcome correlation from a residual one. With complete, balanced data
    the treatment effects equal the separate single-outcome estimates (seemingly unrelated
    regressions with identical regressors); they differ, slightly, only through subjects with
    missing periods, whose other observations inform their subject effect via the correlation.
    """
    raise_if(_WHAT, _validate(data_by_outcome, priors, better, likelihood, nuisance, lkj_eta))
    measures = [str(m) for m in data_by_outcome]
    datas = [data_by_outcome[m] for m in measures]
    resolved = [resolve_nuisance(nuisance if isinstance(nuisance, (str, NuisancePriors)) else nuisance[m],
                                 d.outcome, what=f"outcome {m!r}")
                for m, d in zip(measures, datas, strict=True)]
    nuis = [r.priors for r in resolved]
    signs = np.array([align_sign(better[m]) for m in measures], dtype=float)
    first = datas[0]

    subjects = list(first.subjects)
    subject_index = np.concatenate([
        pd.Categorical(d.frame["subject"].astype(str), categories=subjects).codes for d in datas
    ]).astype(int)
    measure_index = np.concatenate([np.full(d.n_obs, k) for k, d in enumerate(datas)]).astype(int)
    coords = {
        "measure": measures, "measure_other": measures, "subject": subjects,
        "period_contrast": list(first.periods[1:]), "obs": list(range(int(measure_index.size))),
    }

    def hyper(name: str, key: str, attr: str) -> Any:
        # Data containers, so a refit on new data (new unit-free priors) reuses the compiled model.
        return prior_data(name, key, np.array([getattr(n, attr) for n in nuis], dtype=float))

    with pm.Model(coords=coords) as model:
        subj = pm.Data("subject_index", subject_index, dims="obs")
        meas = pm.Data("measure_index", measure_index, dims="obs")
        treated = pm.Data("treated", np.concatenate([d.treated for d in datas]), dims="obs")
        period_matrix = pm.Data("period_matrix", np.concatenate([d.period_matrix for d in datas]),
                                dims=("obs", "period_contrast"))

        intercept = pm.Normal("intercept", mu=hyper("intercept", "mu", "intercept_mu"),
                              sigma=hyper("intercept", "sigma", "intercept_sigma"), dims="measure")
        period_effect = pm.Normal("period_effect", mu=0.0, sigma=hyper("period_effect", "sigma", "effect_sigma")[:, None],
                                  dims=("measure", "period_contrast"))
        # One scalar RV per outcome: the outcomes' effect priors may be of different families.
        aligned = pt.stack([effect_prior_rv(f"treatment_effect_aligned_{m}", priors[m]) for m in measures])
        aligned = pm.Deterministic("treatment_effect_aligned", aligned, dims="measure")
        treatment_effect = pm.Deterministic("treatment_effect", signs * aligned, dims="measure")

        subject_sd = pm.HalfNormal("subject_sd", sigma=hyper("subject_sd", "sigma", "sd_sigma"), dims="measure")
        # PyMC 6's LKJCorr returns the Cholesky factor L of the correlation matrix.
        chol = pm.LKJCorr("subject_corr_cholesky", n=len(measures), eta=float(lkj_eta),
                          dims=("measure", "measure_other"))
        # Broadcast-and-sum rather than matmul: K is tiny, and it keeps BLAS out of the graph.
        pm.Deterministic("subject_corr", (chol[:, None, :] * chol[None, :, :]).sum(axis=-1),
                         dims=("measure", "measure_other"))
        subject_z = pm.Normal("subject_z", mu=0.0, sigma=1.0, dims=("subject", "measure"))
        subject_effect = pm.Deterministic("subject_effect", subject_sd * (subject_z[:, None, :] * chol[None, :, :]).sum(axis=-1),
                                          dims=("subject", "measure"))

        mu = (intercept[meas] + (period_matrix * period_effect[meas]).sum(axis=1)
              + treatment_effect[meas] * treated + subject_effect[subj, meas])
        residual_sd = pm.HalfNormal("residual_sd", sigma=hyper("residual_sd", "sigma", "sd_sigma"), dims="measure")
        observed = pm.Data("outcome_observed", np.concatenate([d.outcome for d in datas]), dims="obs")
        if likelihood == "student":
            nu = pm.Gamma("residual_df", alpha=hyper("residual_df", "alpha", "df_alpha"),
                          beta=hyper("residual_df", "beta", "df_beta"), dims="measure")
            pm.StudentT("outcome", nu=nu[meas], mu=mu, sigma=residual_sd[meas], observed=observed, dims="obs")
        else:
            pm.Normal("outcome", mu=mu, sigma=residual_sd[meas], observed=observed, dims="obs")

    return TrialModel(
        pymc_model=model,
        design="crossover_joint",
        estimand={"treatment": first.treatment, "reference": first.reference, "better": dict(better),
                  "scale": first.scale, "measures": measures,
                  "variable": "treatment_effect[measure] (treatment - reference)",
                  "aligned": "treatment_effect_aligned[measure] (positive = better)"},
        priors={"treatment_effect_aligned": {m: priors[m].to_dict() for m in measures},
                "nuisance": {m: r.record() for m, r in zip(measures, resolved, strict=True)},
                "subject_corr": {"family": "lkj", "eta": float(lkj_eta)}},
        choices={"likelihood": likelihood, "better": dict(better),
                 "sign": {m: int(s) for m, s in zip(measures, signs, strict=True)},
                 "nuisance": {m: n.name for m, n in zip(measures, nuis, strict=True)}, "lkj_eta": float(lkj_eta),
                 "data_scale": {m: r.data_scale for m, r in zip(measures, resolved, strict=True)},
                 "carryover": "none", "subject_effects": "correlated across measures (LKJ)",
                 "sequence_orders": dict(first.sequence_orders)},
        data_digest=data_digest(measures, *[x for d in datas for x in d.digest_payload()]),
    )
