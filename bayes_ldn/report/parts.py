"""Optional report parts from other analyses; each is left out cleanly when its module is absent.

* The random-finding verdict for FINAL's CPM result (:mod:`bayes_ldn.random_finding`): its
  paragraph, its headline rows, and three figures (shrinkage across the outcome family, the
  Bayes factor against its prior scale, and the reverse-Bayes sceptical limit).
* The synthesis forest plot of the LDN pain trials (:mod:`bayes_ldn.synthesis`,
  :func:`bayes_ldn.plots.plot_forest`), with ``bayes-ldn synthesize``'s default settings.
"""

from __future__ import annotations

import html
import importlib.util
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from bayes_ldn.report.html import ReportPart
from bayes_ldn.report.render import FigureJob
from bayes_ldn.spec import AnalysisSpec
from bayes_ldn import defaults
from bayes_ldn.stats import conjugate_normal, format_probability
from bayes_ldn.summaries import table_ci_prob

__all__ = [
    "NO_SEED",
    "ancred_plot_data",
    "optional_parts",
    "random_finding_figure",
    "random_finding_part",
    "synthesis_figure",
    "synthesis_part",
]

NO_SEED = "none: every number on this page is exact (conjugate or quadrature); nothing was sampled"
#: With the responders-and-harms section: its exact posteriors are summarised from seeded independent draws.
BINARY_SEED_NOTE = ("responders and harms: independent exact draws, seed bayes_ldn.reanalysis_binary.BINARY_SEED "
                    "(20261207); every other number is exact (conjugate or quadrature)")
_E = html.escape


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def ancred_plot_data(lower: float, upper: float, *, ci_prob: float) -> pd.DataFrame:
    """Intervals for the reverse-Bayes picture of a significant result (Matthews 2018).

    Rows: the published interval, the critical sceptical prior's interval ``(-SL, SL)``, and the
    posterior interval under that prior (which just touches 0). Columns ``what``, ``lower``,
    ``center``, ``upper``.
    """
    from bayes_ldn.reverse_bayes import sceptical_limit

    lim = sceptical_limit(lower, upper, ci_prob=ci_prob, scale="difference")
    z = float(stats.norm.isf((1 - ci_prob) / 2))
    est, se = (lower + upper) / 2, (upper - lower) / (2 * z)
    post = conjugate_normal(est, se, 0.0, lim.prior_sd)
    plo, phi = post.interval(ci_prob)
    return pd.DataFrame([
        {"what": "published 95% CI", "lower": lower, "center": est, "upper": upper},
        {"what": f"critical sceptical prior (SL = {lim.limit:.3g})", "lower": -lim.limit, "center": 0.0,
         "upper": lim.limit},
        {"what": "posterior under that prior", "lower": plo, "center": post.mean, "upper": phi},
    ])


def random_finding_figure(verdict, *, lower: float, upper: float, ci_prob: float, units: str) -> Figure:
    """Three panels: shrinkage by heterogeneity prior, BF10 by prior SD, the sceptical limit."""
    fig = Figure(figsize=(12.5, 3.8), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    shrink = verdict.details.get("shrinkage")
    if shrink is not None:
        y = np.arange(len(shrink))[::-1]
        ax1.errorbar(shrink["mean"], y, xerr=[shrink["mean"] - shrink["lower"], shrink["upper"] - shrink["mean"]],
                     fmt="o", color="#1f77b4", capsize=3)
        ax1.set_yticks(y, [f"{t}\nP(better) {format_probability(p)}" for t, p in
                           zip(shrink["tau_prior"], shrink["prob_better"], strict=True)], fontsize=7.5)
        ax1.axvline(0, color="0.4", lw=1)
        ax1.set_xlabel("CPM effect, SD-of-change units (d)\n\u2190 placebo better | LDN better \u2192")
        ax1.set_title("1. Shrinkage with the 5 sibling outcomes", loc="left", fontsize=10)
    bf = verdict.details.get("bayes_factor")
    if bf is not None:
        ax2.plot(bf["prior_sd"], bf["bf10"], "o-", color="#2ca02c")
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        for level, name in ((1, "no evidence"), (3, "moderate"), (10, "strong")):
            ax2.axhline(level, color="0.7", lw=0.8, ls="--")
            ax2.text(bf["prior_sd"].min(), level, f" {name}", va="bottom", fontsize=7.5, color="0.35")
        ax2.set_ylim(0.3, 30)
        ax2.set_xlabel("SD of the N(0, SD\u00b2) prior on d under H1 (log scale)")
        ax2.set_ylabel("BF10 (evidence for an effect)")
        ax2.set_title("2. Bayes factor vs prior scale", loc="left", fontsize=10)
    data = ancred_plot_data(lower, upper, ci_prob=ci_prob)
    y = np.arange(len(data))[::-1]
    colours = ["black", "#d62728", "#9467bd"]
    for yi, (_, r), c in zip(y, data.iterrows(), colours, strict=True):
        ax3.plot([r["lower"], r["upper"]], [yi, yi], color=c, lw=3)
        ax3.plot(r["center"], yi, "o", color=c)
    ax3.set_yticks(y, list(data["what"]), fontsize=8)
    ax3.axvline(0, color="0.4", lw=1)
    ax3.set_xlabel(f"LDN minus placebo, {units}\n\u2190 placebo better | LDN better \u2192")
    ax3.set_title("3. Reverse-Bayes: the sceptical limit", loc="left", fontsize=10)
    return fig


def random_finding_part(ci_prob: float = defaults.CI_PROB) -> ReportPart:
    """The CPM verdict: paragraph, headline table and figure (credible intervals at ``ci_prob``)."""
    from bayes_ldn.datasets import load_record
    from bayes_ldn.random_finding import bundled_verdict

    verdict, title = bundled_verdict("final", "cpm", patient_data=None, ci_prob=ci_prob)
    rec = load_record("final_cpm")
    head = verdict.table[verdict.table["headline"]]
    rows = []
    for _, r in head.iterrows():
        value = r["value"]
        if pd.isna(value):
            shown = ""
        elif r["units"] == "probability" or r["units"] == "p-value":
            shown = format_probability(float(value))
        else:
            shown = f"{value:.3g} {r['units']}"
        rows.append(
            f"<tr><td>{_E(str(r['angle']))}</td><td>{_E(str(r['quantity']))}</td><td class='num'>{_E(shown)}</td>"
            f"<td><b>{_E(str(r['points_to']))}</b></td><td class='note'>{_E(str(r['note']))}</td></tr>"
        )
    tally = ", ".join(f"{k}: {v}" for k, v in verdict.tally().items())
    fig = FigureJob(random_finding_figure, {"verdict": verdict, "lower": rec.lower, "upper": rec.upper,
                                            "ci_prob": rec.ci_prob, "units": rec.units})
    body = (
        f"<p>{_E(verdict.paragraph)}</p><p class='note'>Headline angles ({_E(tally)}).</p>"
        "<table><tr><th>Angle</th><th>Quantity</th><th>Value</th><th>Points to</th><th>Note</th></tr>"
        + "".join(rows) + "</table>"
    )
    return ReportPart(anchor="random-finding", title=title, body=body, figure=fig,
                      figure_alt="Random-finding figures for FINAL CPM")


def synthesis_figure(forest: pd.DataFrame, *, n_studies: int) -> Figure:
    """The forest plot of :func:`bayes_ldn.synthesis.forest_plot_data` on a bare Figure."""
    from bayes_ldn import plots

    fig = Figure(figsize=(8.5, 0.5 * n_studies + 2.2), layout="constrained")
    plots.plot_forest(forest, ax=fig.subplots())
    return fig


def synthesis_part(ci_prob: float = defaults.CI_PROB) -> ReportPart:
    """Forest plot of the bundled LDN pain trials (``bayes-ldn synthesize``'s defaults, one home:
    :data:`bayes_ldn.synthesis.outputs.DEFAULTS`), intervals at ``ci_prob``."""
    from bayes_ldn import synthesis as sy
    from bayes_ldn.synthesis.outputs import DEFAULTS, synthesis_outputs

    result, studies, _ = synthesis_outputs(ci_prob=ci_prob, files=False)
    tau_prior = result.tau_prior
    summ = result.summary(ci_prob)
    fig = FigureJob(synthesis_figure, {"forest": sy.forest_plot_data(result, ci_prob), "n_studies": len(studies)})
    mu = summ["mu"]
    body = (
        f"<p>Random-effects synthesis of the LDN pain trials on the standardized mean difference scale "
        f"(positive = LDN better; crossover within-patient correlation {DEFAULTS['rho']:g}; Bested "
        f"{DEFAULTS['bested_outcome'].upper()}; flat prior on the "
        f"mean, {_E(tau_prior.name)} heterogeneity prior; "
        f"MCID {result.mcid:g} SMD). Mean effect {mu['median']:.2f} ({100 * summ['ci_prob']:g}% CrI {mu['lower']:.2f} to "
        f"{mu['upper']:.2f}); P(mean effect &gt; 0) = {format_probability(summ['prob_mu_positive'])}; "
        f"P(a new trial's effect &gt; 0) = {format_probability(summ['prob_predictive_positive'])}. "
        "Other settings: <code>bayes-ldn synthesize --help</code>.</p>"
    )
    return ReportPart(anchor="synthesis", title="Synthesis of the LDN pain trials", body=body, figure=fig,
                      figure_alt="Forest plot of the LDN pain trials")


def optional_parts(table: pd.DataFrame, specs: Sequence[AnalysisSpec]) -> tuple[list[ReportPart], str]:
    """Parts contributed by the random-finding verdict and the synthesis, and the seed they used."""
    parts: list[ReportPart] = []
    ids = {s.record.id for s in specs}
    ci_prob = table_ci_prob(table)
    if _available("bayes_ldn.random_finding") and "final_cpm" in ids:
        parts.append(random_finding_part(ci_prob))
    if _available("bayes_ldn.synthesis") and _available("bayes_ldn.plots"):
        parts.append(synthesis_part(ci_prob))
    if "spec" in table and table["method"].isin(["exact_draws"]).any():
        from bayes_ldn.report.binary import binary_part  # responders and harms (bayes_ldn.reanalysis_binary)

        parts.append(binary_part(table))
        return parts, BINARY_SEED_NOTE
    return parts, NO_SEED
