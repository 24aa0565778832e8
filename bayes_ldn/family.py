r"""Pooling an outcome family from published between-group estimates (FINAL's exploratory outcomes).

Each record becomes a standardized, sign-aligned effect (positive = treatment better):

.. math::

    \hat\delta^{+}_k = s_k \hat\delta_k,\qquad
    \mathrm{SD}_k = \frac{\mathrm{SE}_k}{\sqrt{1/n_{1k} + 1/n_{2k}}},\qquad
    d_k = \hat\delta^{+}_k / \mathrm{SD}_k,\qquad \mathrm{SE}(d_k) = \sqrt{1/n_{1k} + 1/n_{2k}}

with ``SE_k`` from the record's interval through a named conversion and ``s_k`` from
:func:`~bayes_ldn.data.records.align_sign` (temporal summation: lower is better, so its sign flips).
``SD_k`` (the SD of change recovered from the CI and arm sizes) is treated as known. The family
model is the normal-normal hierarchy ``d_k ~ N(theta_k, SE_k^2)``, ``theta_k ~ N(mu, tau^2)``,
computed exactly by quadrature over ``tau`` (:func:`bayes_ldn.stats.normal_hierarchical`), with a
PyMC version (:func:`family_pymc_model`) for checking. The outcomes are treated as independent
given ``theta`` (their sampling correlation is not published).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.data.records import PublishedRecord
from bayes_ldn.data.standardized import standardized_family
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors_tau import TauPrior, as_tau_prior
from bayes_ldn.stats import HierarchicalPosterior, conjugate_normal, normal_hierarchical
from bayes_ldn.synthesis.exact import missed_posterior_problems
from bayes_ldn.validation import normal_prior_problems, probability_problems

__all__ = [
    "TAU_SWEEP",
    "describe_tau_prior",
    "family_pymc_model",
    "pooled_family_posterior",
    "pooled_family_table",
    "standardized_family",
    "tau_prior_sweep",
]

#: Half-normal scales (SMD units) of the default heterogeneity sweep: from near-complete pooling
#: (0.1) to little pooling (1.0); 0.5 allows outcome effects differing by about one SD.
TAU_SWEEP: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0)



def describe_tau_prior(tau_prior: TauPrior | tuple[str, float] | float) -> str:
    """Printable form of a heterogeneity prior, e.g. ``half-normal(0.5)``."""
    tp = as_tau_prior(tau_prior)
    if tp.family in ("halfnormal", "halfcauchy"):
        return f"{tp.family.replace('half', 'half-')}({tp.params['scale']:g})"
    if tp.is_fixed:
        return f"fixed tau = {tp.params['value']:g}"
    return tp.name


def pooled_family_posterior(
    table: pd.DataFrame, *, tau_prior: TauPrior, mu_prior: tuple[float, float] | None
) -> HierarchicalPosterior:
    """Exact hierarchical posterior over a :func:`standardized_family` table (SMD scale)."""
    return normal_hierarchical(
        table["smd"].to_numpy(), table["smd_se"].to_numpy(), tau_prior=as_tau_prior(tau_prior).for_quadrature(),
        mu_prior=mu_prior, labels=tuple(table["outcome"]),
    )


def _units_interval(sign: int, sd: float, lo: float, hi: float) -> tuple[float, float]:
    a, b = sign * sd * lo, sign * sd * hi
    return (min(a, b), max(a, b))


def pooled_family_table(
    records: Sequence[PublishedRecord],
    *,
    tau_prior: TauPrior,
    mu_prior: tuple[float, float] | None,
    conversion: str = "ci_normal",
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """Unpooled and pooled posteriors of every outcome of a family, side by side.

    Parameters
    ----------
    records : sequence of PublishedRecord
        The family (e.g. ``load_family("final_exploratory")``).
    tau_prior : TauPrior, or ("halfnormal"|"halfcauchy", scale), or float
        Heterogeneity prior on the SMD scale (a float fixes ``tau``), e.g. ``("halfnormal", 0.5)``;
        every form becomes the one :class:`~bayes_ldn.priors_tau.TauPrior` (:func:`~bayes_ldn.priors_tau.as_tau_prior`).
    mu_prior : (mean, sd) or None
        Normal prior of the family mean SMD (aligned); ``None`` = flat.
    conversion : str
        How each record's SE is obtained (see :func:`bayes_ldn.data.records.to_likelihood`).
    ci_prob : float
        Credible interval probability (equal-tailed).

    Returns
    -------
    DataFrame
        One row per outcome. ``unpooled_*``: flat effect prior (the posterior is the
        likelihood); ``pooled_*``: the shrunken ``theta_k``. ``*_smd_*`` columns are aligned
        SMDs (positive = better); ``unpooled_mean``, ``pooled_mean``, ``pooled_lower`` and
        ``pooled_upper`` are back on the outcome's units as printed (treatment minus reference).
        ``prob_better`` is ``P(theta_k > 0)``. Attributes ``mu`` and ``tau`` (in ``.attrs``) hold
        the family mean and heterogeneity summaries.
    """
    problems = ["ci_prob is missing: give a probability such as 0.95"] if ci_prob is None else \
        probability_problems({"ci_prob": ci_prob})
    if isinstance(records, (str, bytes)) or not isinstance(records, Sequence) or not all(
            isinstance(r, PublishedRecord) for r in records):
        problems.append(f"records must be a sequence of PublishedRecord (load_family(...)), got {records!r:.80}")
    # A NaN or 5e-324 prior SD reached the quadrature (SciPy errors, division by zero).
    raise_if("pooled family", problems + normal_prior_problems(mu_prior, "mu_prior"))
    fam = standardized_family(records, conversion=conversion)
    post = pooled_family_posterior(fam, tau_prior=tau_prior, mu_prior=mu_prior)
    # HalfNormal(0.01) on outcomes that differ: the quadrature over tau's prior scale can miss the posterior.
    raise_if("pooled family", missed_posterior_problems(fam["smd"].to_numpy(), fam["smd_se"].to_numpy(),
                                                        as_tau_prior(tau_prior), mu_prior, post))
    q = (1 - ci_prob) / 2
    rows = []
    for r in fam.itertuples(index=False):
        unp = conjugate_normal(r.smd, r.smd_se, 0.0, np.inf)
        theta = post.theta[r.outcome]
        u_lo, u_hi = unp.ppf(q), unp.ppf(1 - q)
        p_lo, p_hi = theta.ppf(q), theta.ppf(1 - q)
        rows.append({
            "outcome": r.outcome, "label": r.label, "units": r.units, "record": r.record,
            "evidence": r.evidence, "verified": r.verified, "better": r.better, "sd_change": r.sd_change,
            "unpooled_smd_mean": unp.mean, "unpooled_smd_lower": u_lo, "unpooled_smd_upper": u_hi,
            "unpooled_prob_better": unp.prob_above(0.0),
            "pooled_smd_mean": theta.mean, "pooled_smd_sd": theta.sd, "pooled_smd_lower": p_lo,
            "pooled_smd_upper": p_hi, "pooled_prob_better": theta.prob_above(0.0),
            "unpooled_mean": r.estimate,
            "unpooled_lower": _units_interval(r.sign, r.sd_change, u_lo, u_hi)[0],
            "unpooled_upper": _units_interval(r.sign, r.sd_change, u_lo, u_hi)[1],
            "pooled_mean": r.sign * r.sd_change * theta.mean,
            "pooled_lower": _units_interval(r.sign, r.sd_change, p_lo, p_hi)[0],
            "pooled_upper": _units_interval(r.sign, r.sd_change, p_lo, p_hi)[1],
            "shrinkage": 1.0 - theta.mean / unp.mean if unp.mean != 0 else np.nan,
            "tau_prior": describe_tau_prior(tau_prior),
            "mu_prior": "flat" if mu_prior is None else f"normal({mu_prior[0]:g}, {mu_prior[1]:g})",
            "ci_prob": ci_prob, "conversion": r.conversion,
        })
    out = pd.DataFrame(rows)
    out.attrs["mu"] = {"mean": post.mu.mean, "sd": post.mu.sd, "lower": post.mu.ppf(q),
                       "upper": post.mu.ppf(1 - q), "prob_better": post.mu.prob_above(0.0)}
    out.attrs["tau"] = {"mean": post.tau_mean, "median": post.tau_quantile(0.5),
                        "upper": post.tau_quantile(1 - q)}
    return out


def tau_prior_sweep(
    records: Sequence[PublishedRecord],
    *,
    tau_priors: Mapping[str, TauPrior] | None = None,
    mu_prior: tuple[float, float] | None,
    conversion: str = "ci_normal",
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """:func:`pooled_family_table` over several heterogeneity priors, stacked (long format).

    ``tau_priors`` maps a name to a prior; default: half-normal with the scales in
    :data:`TAU_SWEEP`. Adds ``tau_mean`` and ``mu_mean`` columns per prior.
    """
    tau_priors = tau_priors or {f"half-normal({s:g})": ("halfnormal", s) for s in TAU_SWEEP}
    parts = []
    for name, tp in tau_priors.items():
        t = pooled_family_table(records, tau_prior=tp, mu_prior=mu_prior, conversion=conversion, ci_prob=ci_prob)
        t["tau_prior"] = name
        t["tau_mean"] = t.attrs["tau"]["mean"]
        t["mu_mean"] = t.attrs["mu"]["mean"]
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def family_pymc_model(
    records: Sequence[PublishedRecord],
    *,
    tau_prior: tuple[str, float],
    mu_prior: tuple[float, float] | None,
    conversion: str = "ci_normal",
):
    """The same family model in PyMC (:func:`bayes_ldn.designs.hierarchical.hierarchical_model`)."""
    from bayes_ldn.designs.hierarchical import hierarchical_model  # PyMC only when asked for

    fam = standardized_family(records, conversion=conversion)
    return hierarchical_model(fam["smd"], fam["smd_se"], tuple(fam["outcome"]), mu_prior=mu_prior,
                              tau_prior=tau_prior, unit_dim="measure")
