r"""Meta-analysis from counts: the binomial-normal model beside the normal approximation on log ORs.

Binomial-normal random-effects model (Smith, Spiegelhalter & Thomas 1995, Stat Med 14:2685,
doi:10.1002/sim.4780142406; the WinBUGS "Blocker" example), exact binomial likelihood, no
continuity correction:

.. math::

    r_{ci} \sim \mathrm{Bin}(n_{ci}, p_{ci}),\quad r_{ti} \sim \mathrm{Bin}(n_{ti}, p_{ti}),\quad
    \mathrm{logit}\,p_{ci} = \gamma_i,\quad \mathrm{logit}\,p_{ti} = \gamma_i + \delta_i,

    \delta_i = d + \tau z_i,\ z_i \sim N(0, 1),\qquad \gamma_i \sim N(0, s_\gamma^2),\qquad
    \mu = s\,d \sim p_\mu,\qquad \tau \sim p(\tau)

with ``s = +1`` when a higher event risk is better and ``-1`` otherwise, so ``mu`` (the mean
log odds ratio) and ``theta`` (the study log ORs) are aligned, positive = treatment better, as
in the rest of :mod:`bayes_ldn.synthesis`; ``log_odds_ratio`` is the printed mean ``d``. The
study baselines :math:`\gamma_i` are fixed effects with a wide N(0, 10^2) prior (stated; BUGS uses
N(0, 316^2)), so no information is shared across control arms.

Normal approximation: each study's log odds ratio and Woolf SE,
:math:`\sqrt{1/a + 1/b + 1/c + 1/d}`, with **0.5 added to every cell of a study that has a zero
cell** (the Cochrane Handbook's default; Sweeting, Sutton & Lambert 2004, Stat Med 23:1351,
doi:10.1002/sim.1761, on its bias); studies with no events (or only events) in both arms have
no log OR and are left out of the approximation but kept in the binomial model. The
approximation's posterior is exact given those normal likelihoods: quadrature over ``tau`` on
a log-uniform grid of :math:`[10^{-9}, 10^{2}]`, reweighted to the heterogeneity prior (so
near-improper priors such as BUGS's gamma(0.001, 0.001) on the precision are resolved where the
posterior lies); the prior mass left out below :math:`10^{-9}` (for a half-normal(0.5) prior
about 2e-9) changes no printed number (tested against the direct quadrature to 1e-6).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bayes_ldn import defaults
from bayes_ldn.data.binary import COUNT_FIELDS, TwoByTwo, two_by_two
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import HierarchicalPosterior, normal_hierarchical
from bayes_ldn.synthesis.heterogeneity import TauPrior

__all__ = [
    "BASELINE_SD",
    "BINARY_COLUMNS",
    "BinaryStudy",
    "binomial_normal_model",
    "log_odds_ratios",
    "normal_approximation",
    "read_binary_studies_csv",
    "summarize_binomial_normal",
    "summarize_normal_approximation",
]

#: Columns of a CSV of 2x2 tables.
BINARY_COLUMNS = ("study", *COUNT_FIELDS)
#: SD of the N(0, SD^2) prior on each study's control log odds (risks from 2e-9 to 1 - 2e-9 within 2 SD).
BASELINE_SD = 10.0
#: Continuity correction of the normal approximation (added to every cell of a zero-cell study).
CONTINUITY = 0.5


@dataclass(frozen=True)
class BinaryStudy:
    """One study's 2x2 table."""

    label: str
    counts: TwoByTwo


def read_binary_studies_csv(path: str | Path) -> list[BinaryStudy]:
    """Read ``study, events_treatment, n_treatment, events_control, n_control``; every problem at once."""
    path = Path(path)
    problems: list[str] = []
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as err:
        raise DataValidationError("studies CSV", [f"cannot read {str(path)!r}: {err.strerror}"]) from None
    cols = set(rows[0]) if rows else set()
    missing = [c for c in BINARY_COLUMNS if c not in cols]
    if not rows or missing:
        raise DataValidationError("studies CSV", [f"{path.name}: needs columns {', '.join(BINARY_COLUMNS)}"
                                                  + (f"; missing {', '.join(missing)}" if rows else "; no rows")])
    studies, seen = [], set()
    for i, r in enumerate(rows, start=2):
        label = (r["study"] or "").strip()
        where = f" (line {i}, study {label!r})"
        if not label:
            problems.append(f"line {i}: empty study name")
        elif label in seen:
            problems.append(f"line {i}: study {label!r} appears twice")
        seen.add(label)
        try:
            studies.append(BinaryStudy(label, two_by_two(*(r[c] for c in COUNT_FIELDS), where=where)))
        except DataValidationError as err:
            problems += list(err.problems)
    if len(studies) < 2 and not problems:
        problems.append("a meta-analysis needs at least 2 studies")
    raise_if("studies CSV", problems)
    return studies


def log_odds_ratios(studies: Sequence[BinaryStudy]) -> tuple[list[str], np.ndarray, np.ndarray, list[str]]:
    """Printed log odds ratios and Woolf SEs, with the continuity correction; and what was done.

    Returns ``(labels, estimates, ses, notes)`` for the studies that have a log OR.
    """
    labels, est, se, notes = [], [], [], []
    for s in studies:
        a, n_t, c, n_c = s.counts.as_tuple()
        b, d = n_t - a, n_c - c
        if (a == 0 and c == 0) or (b == 0 and d == 0):
            notes.append(f"{s.label}: no log odds ratio (no events, or only events, in both arms); left out")
            continue
        if 0 in (a, b, c, d):
            a, b, c, d = (x + CONTINUITY for x in (a, b, c, d))
            notes.append(f"{s.label}: {CONTINUITY:g} added to every cell (a zero cell)")
        labels.append(s.label)
        est.append(np.log(a * d / (b * c)))
        se.append(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    return labels, np.array(est), np.array(se), notes


def normal_approximation(
    studies: Sequence[BinaryStudy], *, better: str, tau_prior: TauPrior, mu_prior: tuple[float, float] | None
) -> tuple[HierarchicalPosterior, list[str]]:
    """Exact posterior of the normal-normal model on the aligned log ORs, and the correction notes.

    :func:`bayes_ldn.stats.normal_hierarchical` on the tau prior's probability scale, refined
    until ``defaults.QUAD_TOL`` holds (it was a log-uniform proposal reweighted by
    ``p(tau) / q(tau)``, whose tau quantiles were interpolated between nodes).
    """
    labels, est, se, notes = log_odds_ratios(studies)
    raise_if("normal approximation", [] if len(labels) >= 2 else
             ["fewer than 2 studies have a log odds ratio; only the binomial model can be fitted"])
    sign = 1.0 if better == "higher" else -1.0
    y = sign * est
    # Quadrature on the prior's own probability scale, refined until QUAD_TOL holds (every
    # TauPrior has ppf and cdf), so tau's quantiles come from its continuous CDF.
    return normal_hierarchical(y, se, tau_prior=tau_prior.for_quadrature(), mu_prior=mu_prior,
                               labels=tuple(labels)), notes


def _interval_dict(median: float, lower: float, upper: float, mean: float) -> dict[str, float]:
    return {"mean": mean, "median": median, "lower": lower, "upper": upper}


def summarize_normal_approximation(
    post: HierarchicalPosterior, *, better: str, ci_prob: float = defaults.CI_PROB, mcid: float | None = None
) -> dict[str, Any]:
    """Mean log OR (printed and as an OR), tau, predictive, P(better), P(better than the MCID)."""
    sign = 1.0 if better == "higher" else -1.0
    out: dict[str, Any] = {}
    for key, m in (("mean_effect", post.mu), ("predictive", post.predictive)):
        lo, hi = m.interval(ci_prob)
        lo_p, hi_p = sorted((sign * lo, sign * hi))
        out[key] = _interval_dict(sign * m.median, lo_p, hi_p, sign * m.mean)
        out[key + "_or"] = {k: float(np.exp(v)) for k, v in out[key].items() if k != "mean"}
    a = (1 - ci_prob) / 2
    out["tau"] = _interval_dict(post.tau_quantile(0.5), post.tau_quantile(a), post.tau_quantile(1 - a),
                                post.tau_mean)
    out["prob_better"] = post.mu.prob_above(0.0)
    out["prob_new_study_better"] = post.predictive.prob_above(0.0)
    if mcid is not None:
        out["prob_better_than_mcid"] = post.mu.prob_above(mcid)
    out["method"] = "exact (quadrature) given normal likelihoods on the log ORs"
    return out


def _binomial_logp(value: Any, n: Any, p: Any) -> Any:
    import pymc as pm

    return pm.Binomial.logp(value, n, p)


def _binomial_random(n: Any, p: Any, rng: np.random.Generator | None = None, size: Any = None) -> np.ndarray:
    return np.asarray(rng.binomial(np.asarray(n, dtype=np.int64), p, size=size), dtype=float)


def binomial_normal_model(
    studies: Sequence[BinaryStudy],
    *,
    better: str,
    tau_prior: TauPrior,
    mu_prior: tuple[float, float] | None,
    baseline_sd: float = BASELINE_SD,
    baseline_mean: float = 0.0,
) -> Any:
    """The binomial-normal model as a :class:`~bayes_ldn.designs._common.TrialModel` (see the module)."""
    import pymc as pm

    from bayes_ldn.designs._common import TrialModel, data_digest
    from bayes_ldn.synthesis.mcmc import tau_rv

    labels = [s.label for s in studies]
    counts = np.array([s.counts.as_tuple() for s in studies], dtype=int)
    sign = 1.0 if better == "higher" else -1.0
    with pm.Model(coords={"study": labels, "arm": ["treatment", "control"]}) as model:
        mu = pm.Flat("mu") if mu_prior is None else pm.Normal("mu", mu_prior[0], mu_prior[1])
        tau = tau_rv(tau_prior)
        gamma = pm.Normal("baseline_logit", baseline_mean, baseline_sd, dims="study")
        z = pm.Normal("z", 0.0, 1.0, dims="study")
        d = pm.Deterministic("log_odds_ratio", sign * mu)
        delta = d + tau * z  # non-centred: the funnel as tau -> 0 is what BUGS's Gibbs sampler crawls through
        pm.Deterministic("theta", sign * delta, dims="study")
        pm.Deterministic("theta_new", mu + tau * pm.Normal("z_new", 0.0, 1.0))
        # One observed array (study x arm: treatment, control), as the simulation engine swaps it.
        n = pm.Data("n", counts[:, [1, 3]], dims=("study", "arm"))
        risk = pm.math.stack([pm.math.invlogit(gamma + delta), pm.math.invlogit(gamma)], axis=1)
        # The binomial likelihood on a float-typed outcome, so that a simulation study can swap the
        # events in through a float data container (a discrete RV's int type refuses one); the
        # log density is PyMC's own Binomial.logp and the draws are binomial.
        pm.CustomDist("outcome", n, risk, logp=_binomial_logp, random=_binomial_random, dtype="float64",
                      observed=counts[:, [0, 2]].astype(float), dims=("study", "arm"))
    return TrialModel(
        pymc_model=model, design="binomial_normal_meta_analysis",
        estimand={"measure": "log odds ratio", "aligned": "mu, theta: positive = treatment better",
                  "printed": "log_odds_ratio = treatment vs control", "better": better, "unit_dim": "study"},
        priors={"mu": "flat" if mu_prior is None else {"normal": list(mu_prior)}, "tau": tau_prior.to_dict(),
                "baseline_logit": {"normal": [baseline_mean, baseline_sd]}},
        choices={"likelihood": "exact binomial, no continuity correction", "parametrisation": "non-centred"},
        data_digest=data_digest(counts, labels),
    )


def summarize_binomial_normal(
    idata: Any, *, better: str, ci_prob: float = defaults.CI_PROB, mcid: float | None = None
) -> dict[str, Any]:
    """The same summary as :func:`summarize_normal_approximation`, from draws, with MC SEs and convergence."""
    import arviz_stats as azs

    from bayes_ldn.diagnostics import convergence_table

    sign = 1.0 if better == "higher" else -1.0
    post = idata["posterior"]
    a = (1 - ci_prob) / 2
    out: dict[str, Any] = {}
    for key, var in (("mean_effect", "mu"), ("predictive", "theta_new")):
        x = sign * post[var].values.ravel()
        lo, med, hi = np.quantile(x, [a, 0.5, 1 - a])
        out[key] = _interval_dict(float(med), float(lo), float(hi), float(x.mean()))
        out[key + "_or"] = {k: float(np.exp(v)) for k, v in out[key].items() if k != "mean"}
    t = post["tau"].values.ravel()
    lo, med, hi = np.quantile(t, [a, 0.5, 1 - a])
    out["tau"] = _interval_dict(float(med), float(lo), float(hi), float(t.mean()))
    mcse = {}
    indicators = {"prob_better": post["mu"] > 0, "prob_new_study_better": post["theta_new"] > 0}
    if mcid is not None:
        indicators["prob_better_than_mcid"] = post["mu"] > mcid
    for k, ind in indicators.items():
        p = float(ind.mean())
        out[k] = p
        ess = float(azs.ess(ind.astype(float), method="mean")) if 0 < p < 1 else float("inf")
        mcse[k] = float(np.sqrt(p * (1 - p) / ess)) if 0 < p < 1 else 0.0
    conv = convergence_table(idata, ["mu", "tau", "theta_new"])
    out.update(mcse=mcse, r_hat=float(conv["r_hat"].max()), ess_bulk=float(conv["ess_bulk"].min()),
               divergences=int(conv["divergences"].iloc[0]),
               method="MCMC (NUTS), exact binomial likelihood, no continuity correction")
    return out
