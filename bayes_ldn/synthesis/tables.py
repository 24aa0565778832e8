"""Tables and plot data of an exact synthesis, and the synthesis refitted over its inputs.

One row per study with its shrunken effect (:func:`synthesis_table`, :func:`forest_plot_data`),
the synthesis without each study (:func:`leave_one_out`, with the left-out estimate's tail
probability under the others' predictive), under every pair of priors (:func:`prior_sensitivity`)
and at each fixed crossover correlation (:func:`rho_sweep`). Every function refits with
:func:`bayes_ldn.synthesis.exact.synthesize`, so each answer is exact (quadrature over tau).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if
from bayes_ldn.stats import NormalMixture
from bayes_ldn.synthesis.exact import SynthesisResult, check_ci_prob, check_result, summarize_mixture, synthesize
from bayes_ldn.synthesis.heterogeneity import TauPrior
from bayes_ldn.synthesis.studies import SynthesisStudy
from bayes_ldn.validation import optional_real_problems

__all__ = ["forest_plot_data", "leave_one_out", "prior_sensitivity", "rho_sweep", "synthesis_table"]


# --- tables ------------------------------------------------------------------------------------


def synthesis_table(result: SynthesisResult, ci_prob: float = defaults.CI_PROB) -> pd.DataFrame:
    """One row per study (input and shrunken effect, with provenance) plus rows for mu, tau and
    the predictive effect. Every study row keeps its evidence tags and verified flag."""
    check_ci_prob(ci_prob)
    check_result(result)
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
    check_ci_prob(ci_prob)
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
    check_ci_prob(ci_prob)
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
        problems += optional_real_problems({f"rhos[{i}]": r for i, r in enumerate(rhos)})  # float("x") raised ValueError
    check_ci_prob(ci_prob)
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
    check_ci_prob(ci_prob)
    check_result(result)
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
