r"""Simulation-based calibration (Talts et al. 2018, doi:10.48550/arXiv.1804.06788).

For each simulation: draw the truth :math:`\tilde\theta \sim p(\theta)`, data
:math:`\tilde y \sim p(y \mid \tilde\theta)`, then :math:`L` posterior draws
:math:`\theta^{(1..L)} \sim p(\theta \mid \tilde y)`; the rank
:math:`r = \#\{l : \theta^{(l)} < \tilde\theta\}` is uniform on :math:`\{0, \dots, L\}` for every
scalar parameter when the inference is correct.

Uniformity test (:func:`rank_uniformity`): Pearson chi-square on the ranks binned into ``bins``
equal bins of :math:`(L+1)/\text{bins}` ranks each, ``bins - 1`` degrees of freedom; a
parameter fails when :math:`p < \alpha / m` (Bonferroni over the :math:`m` parameters of the
study), with :math:`\alpha = 0.01` by default. Defaults: :math:`L = 99` (100 possible ranks),
20 bins, so at least 1000 simulations give an expected count of 50 per bin.

Three posterior engines:

* ``sbc_aggregate_exact`` -- conjugate normal posterior (:func:`bayes_ldn.stats.conjugate_normal`),
  i.i.d. draws;
* ``sbc_hierarchical_exact`` -- exact quadrature posterior
  (:func:`bayes_ldn.stats.normal_hierarchical`), i.i.d. draws of each marginal;
* ``sbc_nuts`` -- any registered model structure, NUTS via nutpie compiled once per process
  (:mod:`bayes_ldn.simulation.compiled`), draws thinned to ``L``, at the same ``target_accept``
  as :func:`bayes_ldn.fit.fit` (:data:`bayes_ldn.defaults.TARGET_ACCEPT`) unless told otherwise;
  :func:`nuts_study` builds its study with every sampler setting explicit, so each is recorded in
  the study's ``study.json`` and keys its resumable output.

``sbc_nuts`` reads the few arrays it ranks straight from nutpie's raw Arrow trace: converting
every fit to an ArviZ DataTree (warm-up groups, 2 x 58 subject effects, all sampler statistics)
took about half of each crossover fit (profile in ``benchmarks/results/simulation_scaling.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn.defaults import TARGET_ACCEPT
from bayes_ldn.exceptions import raise_if
from bayes_ldn.simulation.draws import thinned
from bayes_ldn.simulation.engine import Study
from bayes_ldn.stats import NormalMixture, conjugate_normal, normal_hierarchical

__all__ = [
    "SBC_ALPHA",
    "SBC_BINS",
    "SBC_DRAWS",
    "posterior_arrays",
    "rank_columns",
    "rank_uniformity",
    "sbc_aggregate_exact",
    "sbc_hierarchical_exact",
    "nuts_study",
    "sbc_nuts",
    "thinned",
]

#: Posterior draws per simulation (ranks take L + 1 = 100 values).
SBC_DRAWS: int = 99
#: Bins of the chi-square uniformity test.
SBC_BINS: int = 20
#: Family-wise level of the uniformity test (Bonferroni over parameters).
SBC_ALPHA: float = 0.01


def _rank(draws: np.ndarray, truth: float) -> int:
    return int(np.sum(np.asarray(draws) < truth))


def _mixture_draws(mixture: NormalMixture, rng: np.random.Generator, n: int) -> np.ndarray:
    component = rng.choice(mixture.weights.size, size=n, p=mixture.weights)
    return mixture.means[component] + mixture.sds[component] * rng.standard_normal(n)


def sbc_aggregate_exact(
    index: int, seed: np.random.SeedSequence, *, se: float, prior_mean: float, prior_sd: float, n_draws: int
) -> dict[str, Any]:
    r"""One SBC simulation of the aggregate model with its exact (conjugate) posterior.

    :math:`\theta \sim N(m_0, s_0^2)`, :math:`\hat\theta \sim N(\theta, s^2)`, posterior by
    :func:`~bayes_ldn.stats.conjugate_normal`.
    """
    rng = np.random.default_rng(seed)
    truth = rng.normal(prior_mean, prior_sd)
    estimate = rng.normal(truth, se)
    post = conjugate_normal(estimate, se, prior_mean, prior_sd)
    draws = rng.normal(post.mean, post.sd, size=n_draws)
    return {"true_treatment_effect": truth, "rank_treatment_effect": _rank(draws, truth)}


def sbc_hierarchical_exact(
    index: int,
    seed: np.random.SeedSequence,
    *,
    ses: Sequence[float],
    mu_prior: Sequence[float],
    tau_scale: float,
    n_draws: int,
) -> dict[str, Any]:
    r"""One SBC simulation of the normal-normal hierarchical model with its exact posterior.

    :math:`\mu \sim N(m_0, s_0^2)`, :math:`\tau \sim \text{HalfNormal}(s_\tau)`,
    :math:`\theta_i \sim N(\mu, \tau^2)`, :math:`y_i \sim N(\theta_i, s_i^2)`. Posterior draws of
    each marginal (``mu``, ``tau``, ``theta[i]``) from
    :func:`~bayes_ldn.stats.normal_hierarchical`; ``tau`` by inverse CDF of its quadrature
    posterior.
    """
    rng = np.random.default_rng(seed)
    s = np.asarray(ses, dtype=float)
    mu = rng.normal(mu_prior[0], mu_prior[1])
    tau = abs(rng.normal(0.0, tau_scale))
    theta = rng.normal(mu, tau, size=s.size)
    y = rng.normal(theta, s)
    labels = tuple(f"outcome{i + 1}" for i in range(s.size))
    post = normal_hierarchical(y, s, tau_prior=stats.halfnorm(scale=tau_scale), mu_prior=tuple(mu_prior), labels=labels)
    row: dict[str, Any] = {
        "rank_mu": _rank(_mixture_draws(post.mu, rng, n_draws), mu),
        "rank_tau": _rank(np.array([post.tau_quantile(u) for u in rng.uniform(size=n_draws)]), tau),
    }
    for i, label in enumerate(labels):
        row[f"rank_theta[{i}]"] = _rank(_mixture_draws(post.theta[label], rng, n_draws), theta[i])
    return row


def sbc_nuts(
    index: int,
    seed: np.random.SeedSequence,
    *,
    structure: str,
    structure_params: dict[str, Any],
    n_draws: int,
    draws: int,
    tune: int,
    chains: int,
    target_accept: float = TARGET_ACCEPT,
    targets: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One SBC simulation of a registered structure, fitted by NUTS (nutpie, compiled once).

    Every scalar element of every target (default: every free variable and deterministic) gets
    a rank column ``rank_<name>`` or ``rank_<name>[i]``; ``divergences`` counts divergent
    transitions. ``target_accept`` defaults to :func:`bayes_ldn.fit.fit`'s.
    """
    from bayes_ldn.simulation.structures import cached_compiled

    model = cached_compiled(structure, structure_params)
    prior_seed, fit_seed = np.random.default_rng(seed).integers(0, 2**31 - 1, size=2)
    truth = model.forward(int(prior_seed))
    names = tuple(targets or model.parameters)
    posterior, divergences = posterior_arrays(model, truth["outcome"], names, random_seed=int(fit_seed), draws=draws,
                                              tune=tune, chains=chains, target_accept=target_accept)
    row: dict[str, Any] = {"divergences": divergences}
    for name in names:
        post = thinned(posterior[name], n_draws)
        true_value = np.asarray(truth[name])
        if true_value.ndim == 0:
            row[f"rank_{name}"] = _rank(post, float(true_value))
        else:
            for i, value in enumerate(true_value.ravel()):
                row[f"rank_{name}[{i}]"] = _rank(post.reshape(n_draws, -1)[:, i], float(value))
    return row


def nuts_study(
    structure: str, *, draws: int, tune: int, chains: int, target_accept: float = TARGET_ACCEPT,
    n_draws: int = SBC_DRAWS, structure_params: dict[str, Any] | None = None, targets: Sequence[str] | None = None,
) -> Study:
    """The :func:`sbc_nuts` study of a registered structure, every setting stated.

    ``structure_params`` and ``targets`` default to the structure's registered scenario and SBC
    targets. All settings, ``target_accept`` included, go into the study's parameters, so
    :func:`~bayes_ldn.simulation.engine.run_study` records them in ``study.json`` and a study
    at other settings never resumes from these rows.
    """
    from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, SBC_TARGETS, available_structures

    problems = [] if structure in available_structures() else \
        [f"no model structure {structure!r}; known: {', '.join(available_structures())}"]
    if not 0 < target_accept < 1:
        problems.append(f"target_accept must lie strictly between 0 and 1, got {target_accept}")
    raise_if("nuts_study", problems)
    params = {"structure": structure,
              "structure_params": DEFAULT_STRUCTURES[structure] if structure_params is None else structure_params,
              "n_draws": n_draws, "draws": draws, "tune": tune, "chains": chains,
              "target_accept": float(target_accept),
              "targets": SBC_TARGETS[structure] if targets is None else list(targets)}
    return Study(f"sbc-{structure}-nuts", sbc_nuts, params)


def posterior_arrays(
    model: Any, outcome: np.ndarray, names: Sequence[str], *, random_seed: int, draws: int, tune: int, chains: int,
    target_accept: float = TARGET_ACCEPT,
) -> tuple[dict[str, np.ndarray], int]:
    """Post-warm-up draws of ``names`` and the divergence count of one fit, without a DataTree.

    :meth:`~bayes_ldn.simulation.compiled.CompiledTrialModel.fit` with ``raw=True`` (same seed,
    same draws); only the DataTree conversion is skipped.

    Returns
    -------
    dict of str to ndarray, int
        ``name -> (chains, draws, *event_shape)`` and the number of divergent post-warm-up
        transitions.
    """
    import pyarrow

    raw = model.fit(outcome, random_seed=random_seed, draws=draws, tune=tune, chains=chains,
                    target_accept=target_accept, raw=True)
    draw_batches, stat_batches = raw.get_arrow_trace()
    per_chain: dict[str, list[np.ndarray]] = {name: [] for name in names}
    divergences = 0
    for batch, stat in zip(draw_batches, stat_batches, strict=True):
        keep = ~pyarrow.array(stat.column("tuning")).to_numpy(zero_copy_only=False)
        divergences += int(pyarrow.array(stat.column("diverging")).to_numpy(zero_copy_only=False)[keep].sum())
        for name in names:
            column = batch.column(name)
            shape = (column.field.metadata or {}).get(b"shape", b"").decode()
            event_shape = tuple(int(n) for n in shape.split(",") if n)
            values = pyarrow.array(column)
            if hasattr(values, "flatten"):  # list column: one fixed-size event per draw
                values = values.flatten()
            values = values.to_numpy(zero_copy_only=False).reshape(batch.num_rows, *event_shape)
            per_chain[name].append(values[keep])
    return {name: np.stack(v) for name, v in per_chain.items()}, divergences


def rank_columns(rows: pd.DataFrame) -> list[str]:
    """The ``rank_*`` columns of a study's rows."""
    return [c for c in rows.columns if c.startswith("rank_")]


def rank_uniformity(
    rows: pd.DataFrame, *, n_draws: int, bins: int = SBC_BINS, alpha: float = SBC_ALPHA
) -> pd.DataFrame:
    """Chi-square test of uniform SBC ranks, one row per parameter.

    Parameters
    ----------
    rows : DataFrame
        Study rows with ``rank_*`` columns (ranks in ``0 .. n_draws``).
    n_draws : int
        Posterior draws per simulation, ``L``; ``L + 1`` must be divisible by ``bins``.
    bins : int
        Number of equal-width rank bins.
    alpha : float
        Family-wise level; each parameter is tested at ``alpha / m``.

    Returns
    -------
    DataFrame
        Columns ``parameter``, ``n_sims``, ``bins``, ``chi2``, ``df``, ``p_value``,
        ``threshold`` (= alpha / m), ``uniform`` (``p_value >= threshold``).
    """
    columns = rank_columns(rows)
    problems = []
    if not columns:
        problems.append("no rank_* columns in the rows: is this an SBC study?")
    if (n_draws + 1) % bins:
        problems.append(f"n_draws + 1 = {n_draws + 1} ranks cannot be split into {bins} equal bins; "
                        f"choose n_draws so that n_draws + 1 is a multiple of bins")
    for c in columns:
        r = rows[c].to_numpy()
        if r.min() < 0 or r.max() > n_draws:
            problems.append(f"column {c}: ranks must lie in 0..{n_draws}, found {r.min()}..{r.max()}")
    raise_if("rank_uniformity", problems)
    threshold = alpha / len(columns)
    out = []
    for c in columns:
        r = rows[c].to_numpy().astype(int)
        counts = np.bincount(r * bins // (n_draws + 1), minlength=bins)
        chi2, p = stats.chisquare(counts)
        out.append({"parameter": c.removeprefix("rank_"), "n_sims": int(r.size), "bins": bins, "chi2": float(chi2),
                    "df": bins - 1, "p_value": float(p), "threshold": threshold, "uniform": bool(p >= threshold)})
    return pd.DataFrame(out)
