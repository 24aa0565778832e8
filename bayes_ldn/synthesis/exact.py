r"""Exact random-effects synthesis by quadrature over ``tau``, and everything built from it.

.. math::

    y_i \mid \theta_i \sim N(\theta_i, s_i^2),\quad \theta_i \sim N(\mu, \tau^2),\quad
    \mu \sim N(m_0, s_0^2)\ \text{or flat},\quad \tau \sim p(\tau)

computed by :func:`bayes_ldn.stats.normal_hierarchical` (conjugate in ``mu`` and ``theta`` given
``tau``; Gauss-Legendre quadrature over ``tau`` in its prior's probability scale, as bayesmeta
does). Outputs: the mean effect ``mu``, ``tau``, the shrunken trial effects ``theta_i``, the
predictive effect in a new trial ``theta_new``, P(mu > 0), P(mu > MCID), leave-one-trial-out,
prior sensitivity, and sweeps or a prior over the crossover correlation ``rho``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import HierarchicalPosterior, NormalMixture, normal_hierarchical
from bayes_ldn.synthesis.heterogeneity import TauPrior
from bayes_ldn.synthesis.studies import SynthesisStudy
from bayes_ldn.validation import normal_prior_problems, probability_problems, real_problems

__all__ = [
    "SynthesisResult",
    "forest_plot_data",
    "leave_one_out",
    "prior_sensitivity",
    "rho_sweep",
    "summarize_mixture",
    "synthesis_table",
    "synthesize",
    "synthesize_over_rho",
]


@dataclass(frozen=True)
class SynthesisResult:
    """An exact synthesis: the studies, the priors and the posterior.

    Attributes
    ----------
    studies : tuple of SynthesisStudy
    posterior : HierarchicalPosterior
    mu_prior : (mean, sd) or None
        ``None`` is the flat prior.
    tau_prior : TauPrior
    mcid : float or None
        Clinical threshold on the synthesis scale.
    note : str
        Extra statement (e.g. how ``rho`` was handled).
    """

    studies: tuple[SynthesisStudy, ...]
    posterior: HierarchicalPosterior
    mu_prior: tuple[float, float] | None
    tau_prior: TauPrior
    mcid: float | None
    note: str = ""

    @property
    def scale(self) -> str:
        """The common scale of the studies."""
        return self.studies[0].scale

    def tau_summary(self, ci_prob: float = defaults.CI_PROB) -> dict[str, float]:
        """Median, mean, SD and equal-tailed interval of ``tau``."""
        _ci_check(ci_prob)
        post = self.posterior
        a = (1.0 - ci_prob) / 2.0
        m = post.tau_mean
        sd = float(np.sqrt(np.sum(post.tau_weights * (post.tau_nodes - m) ** 2)))
        if post.expectation is not None:
            # Moments by their own refined rule; inf when they do not exist (heavy-tailed prior, few studies).
            m = post.expectation(lambda t, mu, v: np.log(t))
            sd = _sd(m, post.expectation(lambda t, mu, v: 2.0 * np.log(t)))
        return {
            "median": post.tau_quantile(0.5), "mean": m, "sd": sd,
            "lower": post.tau_quantile(a), "upper": post.tau_quantile(1.0 - a),
        }

    def summary(self, ci_prob: float = defaults.CI_PROB) -> dict:
        """Mean effect, between-study SD and predictive effect, each with median/mean/sd/lower/upper,
        plus P(mu > 0), P(mu > MCID), P(theta_new > 0) and P(theta_new > MCID)."""
        _ci_check(ci_prob)
        post = self.posterior
        out = {
            "mu": summarize_mixture(post.mu, ci_prob),
            "tau": self.tau_summary(ci_prob),
            "predictive": summarize_mixture(post.predictive, ci_prob),
            "quadrature_error": post.quadrature_error,
            "prob_mu_positive": post.mu.prob_above(0.0),
            "prob_predictive_positive": post.predictive.prob_above(0.0),
            "ci_prob": ci_prob,
        }
        if post.expectation is not None:
            # E[mu | tau] is bounded, Var[mu | tau] too under a proper mu prior; under the flat one it
            # grows like tau^2 / k, so E[mu] needs E[tau] (else undefined: nan) and the SDs E[tau^2]
            # (else inf), as does the predictive's always (Var = Var[mu | tau] + tau^2).
            exists = self.mu_prior is not None or np.isfinite(out["tau"]["mean"])
            for key, extra in (("mu", 0.0), ("predictive", 1.0)):
                second = post.expectation(lambda t, mu, v, extra=extra: np.log(v + mu**2 + extra * t**2))
                out[key]["mean"] = out[key]["mean"] if exists else float("nan")
                out[key]["sd"] = _sd(out[key]["mean"], second) if exists else float("inf")
        if self.mcid is not None:
            out["mcid"] = self.mcid
            out["prob_mu_above_mcid"] = post.mu.prob_above(self.mcid)
            out["prob_predictive_above_mcid"] = post.predictive.prob_above(self.mcid)
        return out


def _sd(mean: float, second: float) -> float:
    """sqrt(E[x^2] - E[x]^2); ``inf`` when the second moment diverges."""
    return float(np.sqrt(max(second - mean**2, 0.0))) if np.isfinite(second) else float("inf")


def summarize_mixture(dist: NormalMixture, ci_prob: float = defaults.CI_PROB) -> dict[str, float]:
    """``median``, ``mean``, ``sd``, ``lower``, ``upper`` (equal-tailed) of an exact marginal."""
    _ci_check(ci_prob)
    if not isinstance(dist, NormalMixture):
        raise DataValidationError("mixture summary", [
            f"dist must be a NormalMixture (e.g. result.posterior.mu), got {type(dist).__name__}"])
    lo, hi = dist.interval(ci_prob)
    return {"median": dist.median, "mean": dist.mean, "sd": dist.sd, "lower": lo, "upper": hi}


#: Largest estimated quadrature error of an answer (the quadrature's own target is defaults.QUAD_TOL).
QUADRATURE_ERROR_LIMIT: float = 100 * defaults.QUAD_TOL


def _ci_check(ci_prob: float) -> None:
    """Refuse a coverage outside (0, 1) (NaN stopped the quantile solver with a SciPy error)."""
    raise_if("credible interval", ["ci_prob is missing: give a probability such as 0.95"] if ci_prob is None
             else probability_problems({"ci_prob": ci_prob}))


def _result_check(result: SynthesisResult) -> None:
    if not isinstance(result, SynthesisResult):
        raise DataValidationError("synthesis table", [
            f"result must be a SynthesisResult (from synthesize), got {type(result).__name__}"])


def _check(studies: Sequence[SynthesisStudy], mu_prior, tau_prior, mcid) -> list[str]:
    problems = []
    if isinstance(studies, (str, bytes)) or not isinstance(studies, Sequence) or not all(
            isinstance(s, SynthesisStudy) for s in studies):
        return [f"studies must be a sequence of SynthesisStudy (read_studies_csv, studies_from_rows), got {studies!r:.80}"]
    if not studies:
        problems.append("no studies to synthesise")
    scales = sorted({s.scale for s in studies})
    if len(scales) > 1:
        problems.append(f"studies are on different scales ({', '.join(scales)}); put them on one scale")
    labels = [s.label for s in studies]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        problems.append(f"study labels must be unique; repeated: {', '.join(dup)}")
    problems += normal_prior_problems(mu_prior, "mu_prior")
    if not isinstance(tau_prior, TauPrior):
        problems.append(f"tau_prior must be a TauPrior (e.g. halfnormal_tau(0.5), parse_tau_prior('rhodes')), "
                        f"got {tau_prior!r:.80}")
    problems += real_problems({"mcid": mcid})
    return problems


def synthesize(
    studies: Sequence[SynthesisStudy],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior,
    mcid: float | None,
    note: str = "",
) -> SynthesisResult:
    """Exact random-effects synthesis of ``studies`` (see the module equations).

    Parameters
    ----------
    studies : sequence of SynthesisStudy
        On one common scale, aligned (positive = treatment better).
    mu_prior : (mean, sd) or None
        Normal prior on the mean effect, or ``None`` for the flat prior.
    tau_prior : TauPrior
        Heterogeneity prior (:mod:`bayes_ldn.synthesis.heterogeneity`).
    mcid : float or None
        Clinical threshold for P(mu > MCID), on the synthesis scale.
    note : str
        Statement carried into the result.
    """
    raise_if("synthesis", _check(studies, mu_prior, tau_prior, mcid))
    post = normal_hierarchical(
        np.array([s.estimate for s in studies]), np.array([s.se for s in studies]),
        tau_prior=tau_prior.for_quadrature(), mu_prior=mu_prior,
        labels=tuple(s.label for s in studies),
    )
    # The quadrature runs over tau's prior probability scale; when the posterior sits where the prior
    # has almost no mass (a mu prior's mean 50 SEs from the data under HalfNormal(1)), its estimated
    # error stays large and the answer is wrong (tau's mean printed inf, quantiles out of order).
    limit = QUADRATURE_ERROR_LIMIT
    raise_if("synthesis", [] if post.quadrature_error <= limit else [
        f"the exact posterior cannot be computed to its tolerance (estimated error {post.quadrature_error:.2g} > "
        f"{limit:g}): the posterior of tau lies where its prior {tau_prior.name} has almost no probability, a "
        "conflict between the priors and the studies; check the mu prior's mean and the studies' units, or "
        "widen the tau prior"])
    return SynthesisResult(tuple(studies), post, mu_prior, tau_prior, mcid, note)


#: Most Gauss-Legendre nodes over the rho prior (each is a full synthesis; 24 is the default).
MAX_RHO_NODES = 200


def synthesize_over_rho(
    studies_for_rho: Callable[[float], Sequence[SynthesisStudy]],
    rho_prior,
    *,
    mu_prior: tuple[float, float],
    tau_prior: TauPrior,
    mcid: float | None,
    nodes: int = 24,
) -> tuple[SynthesisResult, pd.DataFrame]:
    r"""Integrate the crossover correlation ``rho`` out under a prior (one ``rho`` for all crossovers).

    For each Gauss-Legendre node ``rho_j = F^{-1}(u_j)`` the synthesis is exact; the nodes are
    weighted by the marginal likelihood of the **published** crossover data, which is
    ``p(y(rho) | rho) prod_i c_i(rho)`` with ``c_i = dSMD_i / dd_z = J sqrt(2(1 - rho))`` (J drops out) for each
    crossover on the SMD scale (the Jacobian of the rho-dependent standardisation), times the
    prior mass of the node. The result is a normal mixture over (rho, tau) nodes.

    Parameters
    ----------
    studies_for_rho : callable
        ``rho -> studies`` (e.g. ``lambda r: ldn_pain_studies(scale="smd", rho=r, ...)``).
    rho_prior : frozen scipy distribution on (0, 1)
        For example ``scipy.stats.beta(5, 5)`` (mean 0.5, 95% in 0.2 to 0.8).
    mu_prior : (mean, sd)
        Must be proper: the node weights use the marginal likelihood.
    tau_prior, mcid
        As in :func:`synthesize`.
    nodes : int
        Gauss-Legendre nodes over the rho prior's probability scale.

    Returns
    -------
    (SynthesisResult, DataFrame)
        The integrated result (its studies are those at the prior median of rho, for display) and
        a table of rho nodes with prior and posterior weights.
    """
    problems = normal_prior_problems(mu_prior, "mu_prior")
    if mu_prior is None:
        problems.append("integrating rho needs a proper mu_prior (mean, sd)")
    if isinstance(nodes, bool) or not isinstance(nodes, (int, np.integer)) or not 1 <= nodes <= MAX_RHO_NODES:
        # numpy's leggauss raised TypeError for 2.0 or nan
        problems.append(f"nodes must be a whole number from 1 to {MAX_RHO_NODES}, got {nodes!r}")
    if not callable(getattr(rho_prior, "ppf", None)):
        problems.append(f"rho_prior must be a frozen scipy distribution on (0, 1) such as scipy.stats.beta(5, 5), "
                        f"got {rho_prior!r:.80}")
    raise_if("rho prior", problems)
    x, w = np.polynomial.legendre.leggauss(nodes)
    u = (x + 1.0) / 2.0
    rhos = np.asarray(rho_prior.ppf(u), dtype=float)
    parts, logw = [], []
    for rho, wq in zip(rhos, w / 2.0, strict=True):
        st = list(studies_for_rho(float(rho)))
        res = synthesize(st, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
        # The published data fix d_z; SMD = J sqrt(2(1 - rho)) d_z, so p(d_z | rho) = p(SMD | rho) * c.
        jac = sum(0.5 * np.log(2.0 * (1.0 - s.rho)) for s in st if s.rho is not None)
        parts.append(res)
        logw.append(res.posterior.log_marginal + jac + np.log(wq))
    logw_arr = np.asarray(logw)
    wr = np.exp(logw_arr - logw_arr.max())
    wr /= wr.sum()

    def mix(get) -> NormalMixture:
        comps = [get(r.posterior) for r in parts]
        return NormalMixture(
            np.concatenate([wj * c.weights for wj, c in zip(wr, comps, strict=True)]),
            np.concatenate([c.means for c in comps]), np.concatenate([c.sds for c in comps]),
        )

    labels = parts[0].posterior.labels
    post = HierarchicalPosterior(
        labels=labels,
        tau_nodes=np.concatenate([r.posterior.tau_nodes for r in parts]),
        tau_weights=np.concatenate([wj * r.posterior.tau_weights for wj, r in zip(wr, parts, strict=True)]),
        mu=mix(lambda p: p.mu),
        theta={lab: mix(lambda p, lab=lab: p.theta[lab]) for lab in labels},
        predictive=mix(lambda p: p.predictive),
        log_marginal=float(np.log(np.sum(np.exp(logw_arr - logw_arr.max()))) + logw_arr.max()),
        # tau's CDF is the same mixture over rho of each node's continuous CDF.
        tau_cdf=lambda t: float(sum(wj * r.posterior.tau_cdf(t) for wj, r in zip(wr, parts, strict=True)
                                    if r.posterior.tau_cdf is not None)),
        quadrature_error=float(np.sum(wr * [r.posterior.quadrature_error for r in parts])),
    )
    mid = list(studies_for_rho(float(rho_prior.ppf(0.5))))
    rho_mean = float(np.sum(wr * rhos))
    table = pd.DataFrame({"rho": rhos, "prior_weight": w / 2.0, "posterior_weight": wr})
    result = SynthesisResult(
        tuple(mid), post, mu_prior, tau_prior, mcid,
        note=f"rho integrated over its prior (posterior mean {rho_mean:.3f}); studies shown at the prior median",
    )
    return result, table


# --- tables ------------------------------------------------------------------------------------


def synthesis_table(result: SynthesisResult, ci_prob: float = defaults.CI_PROB) -> pd.DataFrame:
    """One row per study (input and shrunken effect, with provenance) plus rows for mu, tau and
    the predictive effect. Every study row keeps its evidence tags and verified flag."""
    _ci_check(ci_prob)
    _result_check(result)
    post = result.posterior
    z = _z(ci_prob)
    rows = []
    for s in result.studies:
        th = post.theta[s.label]
        lo, hi = th.interval(ci_prob)
        rows.append({
            "row": "study", "label": s.label, "record": s.record, "design": s.design, "role": s.role,
            "scale": s.scale, "dose_mg": s.dose_mg, "rho": s.rho, "n": s.n,
            "estimate": s.estimate, "se": s.se, "lower": s.estimate - z * s.se, "upper": s.estimate + z * s.se,
            "shrunken_median": th.median, "shrunken_mean": th.mean, "shrunken_sd": th.sd,
            "shrunken_lower": lo, "shrunken_upper": hi, "prob_positive": th.prob_above(0.0),
            "evidence": s.evidence, "verified": s.verified, "conversions": s.conversions,
        })
    summ = result.summary(ci_prob)
    pri = "flat" if result.mu_prior is None else f"normal({result.mu_prior[0]:g},{result.mu_prior[1]:g})"
    for key, label, prob in (
        ("mu", "mean effect (mu)", summ["prob_mu_positive"]),
        ("tau", "between-trial SD (tau)", np.nan),
        ("predictive", "new trial (theta_new)", summ["prob_predictive_positive"]),
    ):
        d = summ[key]
        rows.append({
            "row": key, "label": label, "scale": result.scale,
            "shrunken_median": d["median"], "shrunken_mean": d["mean"], "shrunken_sd": d["sd"],
            "shrunken_lower": d["lower"], "shrunken_upper": d["upper"], "prob_positive": prob,
            "prob_above_mcid": summ.get(f"prob_{'mu' if key == 'mu' else 'predictive'}_above_mcid", np.nan)
            if key != "tau" else np.nan,
            "mcid": result.mcid, "evidence": "", "verified": np.nan,
            "conversions": f"mu prior {pri}; tau prior {result.tau_prior.name}: {result.tau_prior.rationale}"
            + (f"; {result.note}" if result.note else ""),
        })
    return pd.DataFrame(rows)


def _z(ci_prob: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + ci_prob / 2.0))


def leave_one_out(
    studies: Sequence[SynthesisStudy],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior,
    mcid: float | None,
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """Refit without each study in turn.

    Columns: the left-out study, its evidence tags, the posterior of mu without it, P(mu > 0),
    P(mu > MCID), and a cross-validated conflict check: the two-sided tail probability of the
    left-out estimate under the others' predictive ``N-mixture(mu_-i, var_mu + tau^2 + s_i^2)``.
    """
    _ci_check(ci_prob)
    rows = []
    for i, s in enumerate(studies):
        rest = [t for j, t in enumerate(studies) if j != i]
        if not rest:
            continue
        res = synthesize(rest, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
        mu = summarize_mixture(res.posterior.mu, ci_prob)
        pred = res.posterior.predictive
        y_pred = NormalMixture(pred.weights, pred.means, np.sqrt(pred.sds**2 + s.se**2))
        tail = min(y_pred.cdf(s.estimate), 1.0 - y_pred.cdf(s.estimate))
        rows.append({
            "left_out": s.label, "evidence": s.evidence, "verified": s.verified,
            **{f"mu_{k}": v for k, v in mu.items()},
            "tau_median": res.tau_summary(ci_prob)["median"],
            "prob_mu_positive": res.posterior.mu.prob_above(0.0),
            "prob_mu_above_mcid": res.posterior.mu.prob_above(mcid) if mcid is not None else np.nan,
            "conflict_p": 2.0 * tail,
        })
    return pd.DataFrame(rows)


def prior_sensitivity(
    studies: Sequence[SynthesisStudy],
    *,
    mu_priors: dict[str, tuple[float, float] | None],
    tau_priors: dict[str, TauPrior],
    mcid: float | None,
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """The synthesis under every (mu prior, tau prior) pair: one row each, with the priors stated."""
    raise_if("prior sensitivity", [f"{name} must be a dict of name -> prior, got {value!r:.80}"
                                   for name, value in (("mu_priors", mu_priors), ("tau_priors", tau_priors))
                                   if not isinstance(value, Mapping)])
    _ci_check(ci_prob)
    rows = []
    for mu_name, mu_prior in mu_priors.items():
        for tau_name, tau_prior in tau_priors.items():
            res = synthesize(studies, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
            summ = res.summary(ci_prob)
            rows.append({
                "mu_prior": mu_name, "tau_prior": tau_name, "tau_prior_statement": tau_prior.rationale,
                **{f"mu_{k}": v for k, v in summ["mu"].items()},
                **{f"tau_{k}": v for k, v in summ["tau"].items()},
                **{f"predictive_{k}": v for k, v in summ["predictive"].items()},
                "prob_mu_positive": summ["prob_mu_positive"],
                "prob_mu_above_mcid": summ.get("prob_mu_above_mcid", np.nan),
            })
    return pd.DataFrame(rows)


def rho_sweep(
    studies_for_rho: Callable[[float], Sequence[SynthesisStudy]],
    rhos: Sequence[float],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior,
    mcid: float | None,
    ci_prob: float = defaults.CI_PROB,
) -> pd.DataFrame:
    """The synthesis at each fixed within-patient correlation ``rho`` (a sweep of an unknown input)."""
    problems = [] if isinstance(rhos, Sequence) and not isinstance(rhos, (str, bytes)) else [
        f"rhos must be a sequence of correlations, got {rhos!r:.80}"]
    if not problems and not rhos:
        problems.append("rhos is empty: give at least one within-patient correlation to sweep over")
    if not problems:
        problems += [f"rhos[{i}] is missing: give a correlation" for i, r in enumerate(rhos) if r is None]
        problems += real_problems({f"rhos[{i}]": r for i, r in enumerate(rhos)})  # float("x") raised ValueError
    _ci_check(ci_prob)
    raise_if("rho sweep", problems)
    rows = []
    for rho in rhos:
        res = synthesize(list(studies_for_rho(float(rho))), mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
        summ = res.summary(ci_prob)
        rows.append({
            "rho": float(rho), **{f"mu_{k}": v for k, v in summ["mu"].items()},
            "tau_median": summ["tau"]["median"],
            **{f"predictive_{k}": summ["predictive"][k] for k in ("lower", "upper")},
            "prob_mu_positive": summ["prob_mu_positive"],
            "prob_mu_above_mcid": summ.get("prob_mu_above_mcid", np.nan),
        })
    return pd.DataFrame(rows)


# --- plot data ---------------------------------------------------------------------------------


def forest_plot_data(result: SynthesisResult, ci_prob: float = defaults.CI_PROB) -> pd.DataFrame:
    """Tidy rows for :func:`bayes_ldn.plots.plot_forest`.

    One row per study (observed estimate and CI, shrunken interval) and one each for the mean
    effect and the predictive interval of a new trial. ``unverified`` marks studies with any
    unverified input; their display label ends with a dagger.
    """
    _ci_check(ci_prob)
    _result_check(result)
    table = synthesis_table(result, ci_prob)
    rows = []
    for r in table.itertuples():
        study = r.row == "study"
        if r.row == "tau":
            continue
        unverified = study and not bool(r.verified)
        rows.append({
            "kind": r.row, "label": r.label,
            "display_label": f"{r.label} [{r.evidence}]" + (" \u2020" if unverified else "") if study else r.label,
            "estimate": r.estimate if study else r.shrunken_median,
            "lower": r.lower if study else r.shrunken_lower,
            "upper": r.upper if study else r.shrunken_upper,
            "shrunken_median": r.shrunken_median if study else np.nan,
            "shrunken_lower": r.shrunken_lower if study else np.nan,
            "shrunken_upper": r.shrunken_upper if study else np.nan,
            "evidence": r.evidence, "unverified": unverified, "role": r.role if study else "",
            "scale": result.scale, "mcid": result.mcid, "ci_prob": ci_prob,
        })
    return pd.DataFrame(rows)
