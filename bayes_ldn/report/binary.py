"""The report's responders-and-harms section: every bundled 2x2 table, and benefit with harm.

Built from the binary rows of the decision table (:mod:`bayes_ldn.reanalysis_binary`) and the
joint benefit-harm probabilities (recomputed from the same seeded exact draws). One figure, two
panels: the risk differences (vague prior, exact; moderately skeptical prior beside it) and, per
trial, P(benefit > MCID), P(excess harm < threshold) and P(both). Nothing here imports PyMC.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bayes_ldn.report.html import ReportPart
from bayes_ldn.report.render import FigureJob
from bayes_ldn.stats import format_probability

__all__ = ["binary_figure", "binary_part", "binary_plot_data"]

_E = html.escape
_KIND_COLOURS = {"benefit": "#1f77b4", "harm": "#d62728"}


def binary_plot_data(table: pd.DataFrame) -> pd.DataFrame:
    """One row per binary analysis: RD median and interval under the vague and skeptical priors.

    Columns ``spec``, ``label``, ``kind``, ``median``, ``lower``, ``upper``, ``skeptical_median``,
    ``skeptical_lower``, ``skeptical_upper``, ``mcid``, ``prob_better``, ``mcse`` (all RD scale).
    """
    from bayes_ldn.datasets import load_binary
    from bayes_ldn.reanalysis_binary import BINARY_ANALYSES

    rows = []
    rd = table[table["scale"] == "linear"]
    for a in BINARY_ANALYSES:
        sub = rd[rd["spec"] == a.id]
        vague, skep = sub[sub["prior"] == "vague"], sub[sub["prior"] == "skeptical_moderate"]
        if vague.empty:
            continue
        v, rec = vague.iloc[0], load_binary(a.record)
        s = skep.iloc[0] if len(skep) else v
        rows.append({"spec": a.id, "label": f"{rec.trial}: {rec.outcome.replace('_', ' ')} ({rec.counts})",
                     "kind": rec.kind, "median": v["median"], "lower": v["lower"], "upper": v["upper"],
                     "skeptical_median": s["median"], "skeptical_lower": s["lower"], "skeptical_upper": s["upper"],
                     "mcid": a.mcid_rd, "prob_better": v["prob_better"], "mcse": v["mcse"]})
    return pd.DataFrame(rows)


def binary_figure(data: pd.DataFrame, joint: pd.DataFrame, *, ci_prob: float) -> Figure:
    """Panel 1: RD intervals (percentage points); panel 2: benefit, harm and both, per pair."""
    fig = Figure(figsize=(12.5, 0.45 * len(data) + 2.4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.4, 1])
    y = np.arange(len(data))[::-1]
    for yi, (_, r) in zip(y, data.iterrows(), strict=True):
        c = _KIND_COLOURS[r["kind"]]
        ax1.plot([100 * r["lower"], 100 * r["upper"]], [yi + 0.12] * 2, color=c, lw=2.5)
        ax1.plot(100 * r["median"], yi + 0.12, "o", color=c)
        ax1.plot([100 * r["skeptical_lower"], 100 * r["skeptical_upper"]], [yi - 0.15] * 2, color=c, lw=1.2, alpha=0.6)
        ax1.plot(100 * r["skeptical_median"], yi - 0.15, "s", color=c, ms=4, alpha=0.6)
    ax1.axvline(0, color="0.4", lw=1)
    ax1.set_yticks(y, [f"{lab}\nP(better) {format_probability(p)}" for lab, p in
                       zip(data["label"], data["prob_better"], strict=True)], fontsize=7.5)
    ax1.set_xlabel("LDN minus placebo, percentage points of patients\n(responders: right is better; harms: left "
                   "is better)")
    ax1.set_title(f"Risk differences, {100 * ci_prob:g}% CrI: vague (thick), skeptical (thin)", loc="left",
                  fontsize=10)
    yj = np.arange(len(joint))[::-1]
    for k, (col, name, colour) in enumerate((("prob_benefit", "P(benefit > MCID)", "#1f77b4"),
                                             ("prob_harm_below", "P(excess harm < threshold)", "#d62728"),
                                             ("prob_joint", "P(both), independence", "black"))):
        ax2.barh(yj + (1 - k) * 0.25, joint[col], height=0.22, color=colour, label=name)
    ax2.set_yticks(yj, [f"{b} &\n{h}" for b, h in zip(joint["benefit"], joint["harm"], strict=True)], fontsize=7.5)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("posterior probability")
    ax2.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax2.set_title("Benefit and harm together", loc="left", fontsize=10)
    return fig


def binary_part(table: pd.DataFrame) -> ReportPart:
    """The responders-and-harms section of the report."""
    from bayes_ldn.reanalysis_binary import BINARY_SEED, binary_exact_draws, benefit_harm_table
    from bayes_ldn.summaries_binary import EXACT_DRAWS

    ci_prob = float(table["ci_prob"].dropna().iloc[0])
    data = binary_plot_data(table)
    joint = benefit_harm_table(binary_exact_draws(ci_prob, EXACT_DRAWS, BINARY_SEED))
    rows = "".join(
        f"<tr><td>{_E(r['label'])}</td><td class='num'>{100 * r['median']:.1f} ({100 * r['lower']:.1f} to "
        f"{100 * r['upper']:.1f})</td><td class='num'>{format_probability(r['prob_better'])}</td>"
        f"<td class='num'>{100 * r['skeptical_median']:.1f} ({100 * r['skeptical_lower']:.1f} to "
        f"{100 * r['skeptical_upper']:.1f})</td></tr>" for _, r in data.iterrows())
    jrows = "".join(
        f"<tr><td>{_E(r['trial'])}</td><td>{_E(r['benefit'])} &gt; {r['benefit_mcid_rd']:g}</td>"
        f"<td>{_E(r['harm'])} &lt; {r['harm_threshold_rd']:g}</td><td class='num'>"
        f"{format_probability(r['prob_joint'])} (MC SE {r['mcse_joint']:.4f})</td></tr>" for _, r in joint.iterrows())
    body = (
        "<p>Responders and harms as published counts, analysed exactly: independent Jeffreys Beta(1/2, 1/2) "
        f"priors per arm, {EXACT_DRAWS:,} independent posterior draws (seed {BINARY_SEED}), Monte Carlo SE at most "
        f"{data['mcse'].max():.4f} on every probability. Risk differences in percentage points (LDN minus placebo); "
        "for harms a negative difference is better. The skeptical column is the logistic model with a moderately "
        "skeptical prior on the log odds ratio (anchored on OR 1.5) and a uniform prior on the placebo risk, by "
        "quadrature. Every row, with odds ratios and the other presets, is in <code>decisions.csv</code>; "
        "<code>binary_outcomes.md</code> gives the thresholds' basis. Younger 2013's responders (32% vs 11%) are "
        "not analysed: only percentages of a crossover were published.</p>"
        f"<table><tr><th>Outcome (counts)</th><th>RD, vague ({100 * ci_prob:g}% CrI)</th><th>P(LDN better)</th>"
        f"<th>RD, skeptical</th></tr>{rows}</table>"
        "<p>Benefit and harm together, <b>assuming independence</b> of the two outcomes' contrasts (the joint "
        "counts are not published):</p>"
        f"<table><tr><th>Trial</th><th>Benefit (RD)</th><th>Excess harm (RD)</th><th>P(both)</th></tr>{jrows}</table>"
    )
    fig = FigureJob(binary_figure, {"data": data, "joint": joint, "ci_prob": ci_prob})
    return ReportPart(anchor="responders-harms", title="Responders and harms", body=body, figure=fig,
                      figure_alt="Risk differences of responders and harms, and benefit with harm together")
