"""Report figures: tidy plot data first (``*_plot_data``), then drawing on a given Axes.

Every curve is computed from the exact summary-level posterior
(:func:`bayes_ldn.exact.exact_posterior`), so nothing here samples and nothing imports PyMC.
Curves are drawn on the **published contrast scale** (LDN minus placebo, as printed) so that
they read alongside the decision table; the arrow under each x axis says which way is benefit.

Posterior density. For a normal posterior the density is the normal pdf; for a Student-t or
mixture prior the posterior has no closed form and the density is the finite difference of the
exact (quadrature) CDF on a fine grid.
"""

from __future__ import annotations

import base64
import io
import math

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.records import EffectLikelihood, to_likelihood
from bayes_ldn.exact import exact_posterior
from bayes_ldn.spec import AnalysisSpec
from bayes_ldn.stats import NormalPosterior

__all__ = [
    "benefit_arrow_text",
    "benefit_axis_label",
    "draw_posteriors",
    "draw_sensitivity",
    "figure_data_uri",
    "figure_priors",
    "posterior_plot_data",
    "sensitivity_plot_data",
    "spec_figure",
]

#: One colour per prior family, the same in every figure of the report.
PRIOR_COLOURS = {
    "vague": "black",
    "skeptical": "#1f77b4",
    "enthusiastic": "#2ca02c",
    "pessimistic": "#d62728",
}
_CUSTOM_COLOUR = "#9467bd"


def figure_priors(spec: AnalysisSpec, mcid: float | None) -> list[pr.EffectPrior]:
    """The priors drawn in a spec's posterior figure.

    The vague prior, each anchored preset at the ``moderate`` strength (or the spec's first
    strength when it does not use ``moderate``), and every custom prior. The other strengths are
    in the decision table; drawing all of them would hide the curves behind each other.
    """
    strength = "moderate" if "moderate" in spec.strengths else spec.strengths[0]
    out: list[pr.EffectPrior] = []
    for name in spec.presets:
        if name == "vague":
            out.append(pr.vague())
        elif mcid is not None:
            out.append(pr.preset(name, mcid=mcid, strength=strength))
    return out + list(spec.custom)


def _density(post, aligned: np.ndarray) -> np.ndarray:
    if isinstance(post, NormalPosterior):
        return stats.norm.pdf(aligned, post.mean, post.sd)
    # Central differences of the exact CDF; the grid step is far below the posterior SD.
    step = float(np.min(np.diff(np.sort(aligned)))) / 2.0
    upper = np.array([post.cdf(float(t) + step) for t in aligned])
    lower = np.array([post.cdf(float(t) - step) for t in aligned])
    return (upper - lower) / (2.0 * step)


def posterior_plot_data(
    spec: AnalysisSpec, *, conversion: str, mcid: float | None, points: int = 300
) -> pd.DataFrame:
    """Posterior densities under each figure prior, on the printed contrast scale.

    Returns
    -------
    pandas.DataFrame
        Columns ``prior`` (name), ``prior_spec`` (e.g. ``Normal(0, 0.608)``), ``family``,
        ``x`` (printed scale, LDN minus placebo) and ``density``. The grid covers the 0.05% to
        99.95% quantiles of every posterior, the null, the MCID and the ROPE.
    """
    lik = to_likelihood(spec.record, conversion)
    chosen = figure_priors(spec, mcid)
    posts = [(p, exact_posterior(lik, p)) for p in chosen]
    custom = {c.name for c in spec.custom}
    ends = [0.0]
    for _, post in posts:
        ends += [post.ppf(0.0005), post.ppf(0.9995)]
    if mcid is not None:
        ends.append(mcid)
    if spec.rope is not None:
        ends += [-spec.rope, spec.rope]
    lo, hi = min(ends), max(ends)
    pad = 0.05 * (hi - lo)
    aligned = np.linspace(lo - pad, hi + pad, points)
    frames = []
    for prior, post in posts:
        frames.append(pd.DataFrame({
            "prior": prior.name,
            "prior_spec": prior.describe(),
            "family": "custom" if prior.name in custom else prior.name.split("_")[0],
            # align_sign's factor is its own inverse: it maps aligned values back to the printed scale.
            "x": lik.sign * aligned,
            "density": _density(post, aligned),
        }))
    return pd.concat(frames, ignore_index=True)


def sensitivity_plot_data(
    spec: AnalysisSpec, *, conversion: str, mcid: float | None, points: int = 121
) -> pd.DataFrame:
    """P(LDN better) (and P(better by more than the MCID)) against the skeptical prior's SD.

    The prior is ``N(0, sd^2)`` on the aligned scale, with ``sd`` on a log grid from a tenth of
    the likelihood SE (nearly all shrinkage) to twenty SEs (nearly flat); the grid is widened
    to include the weak/moderate/strong skeptical presets.

    Returns
    -------
    pandas.DataFrame
        Columns ``prior_sd``, ``prob_better``, ``prob_better_than_mcid`` (NaN without an MCID).
        ``attrs`` holds ``flat_prob_better``, ``flat_prob_better_than_mcid`` (vague prior) and
        ``presets`` ({strength: prior SD}) for the markers.
    """
    lik = to_likelihood(spec.record, conversion)
    presets = {} if mcid is None else {s: pr.skeptical(mcid=mcid, strength=s).params["sigma"] for s in pr.STRENGTHS}
    lo = min([0.1 * lik.se, *presets.values()]) / 1.2
    hi = max([20.0 * lik.se, *presets.values()]) * 1.2
    sds = np.geomspace(lo, hi, points)
    rows = []
    for sd in sds:
        post = exact_posterior(lik, pr.normal(0.0, float(sd)))
        rows.append({
            "prior_sd": float(sd),
            "prob_better": post.prob_above(0.0),
            "prob_better_than_mcid": np.nan if mcid is None else post.prob_above(mcid),
        })
    out = pd.DataFrame(rows)
    flat = exact_posterior(lik, pr.vague())
    out.attrs = {
        "flat_prob_better": flat.prob_above(0.0),
        "flat_prob_better_than_mcid": np.nan if mcid is None else flat.prob_above(mcid),
        "presets": presets,
        "units": lik.units,
        "mcid": mcid,
    }
    return out


def benefit_arrow_text(better: str) -> str:
    """``"LDN better ->"`` when higher is better on the printed scale, ``"<- LDN better"`` when lower."""
    return "LDN better \u2192" if better == "higher" else "\u2190 LDN better"


def benefit_axis_label(better: str) -> str:
    """Second x-axis line naming both directions, e.g. ``"<- LDN better | placebo better ->"``."""
    if better == "higher":
        return "\u2190 placebo better   |   LDN better \u2192"
    return "\u2190 LDN better   |   placebo better \u2192"


def draw_posteriors(
    ax: Axes, data: pd.DataFrame, *, better: str, units: str, mcid: float | None, rope: float | None,
    xlabel: str,
) -> None:
    """Draw :func:`posterior_plot_data` with the null, the MCID and the ROPE marked."""
    sign = 1 if better == "higher" else -1
    if rope is not None:
        ax.axvspan(-rope, rope, color="0.85", zorder=0, label=f"ROPE (\u00b1{rope:g} {units})")
    ax.axvline(0.0, color="0.4", lw=1, zorder=1)
    if mcid is not None:
        ax.axvline(sign * mcid, color="#ff7f0e", ls="--", lw=1.5, label=f"MCID ({sign * mcid:g} {units})")
    for name, part in data.groupby("prior", sort=False):
        family = part["family"].iloc[0]
        ax.plot(
            part["x"], part["density"], lw=2 if family == "vague" else 1.6,
            color=PRIOR_COLOURS.get(family, _CUSTOM_COLOUR), ls=":" if family == "custom" else "-",
            label=f"{name}  {part['prior_spec'].iloc[0]}",
        )
    ax.set_xlabel(f"{xlabel}\n{benefit_axis_label(better)}")
    ax.set_ylabel("Posterior density")
    ax.set_ylim(bottom=0)
    ax.set_title("Posterior under each prior", loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=2, frameon=False)


def draw_sensitivity(ax: Axes, data: pd.DataFrame) -> None:
    """Draw :func:`sensitivity_plot_data`: probabilities against the skeptical prior SD (log axis)."""
    a = data.attrs
    ax.plot(data["prior_sd"], data["prob_better"], color="#1f77b4", lw=2, label="P(LDN better)")
    ax.axhline(a["flat_prob_better"], color="#1f77b4", ls=":", lw=1, label="P(LDN better), vague prior")
    if data["prob_better_than_mcid"].notna().any():
        ax.plot(data["prior_sd"], data["prob_better_than_mcid"], color="#ff7f0e", lw=2,
                label=f"P(better by > MCID {a['mcid']:g})")
    for strength, sd in a["presets"].items():
        ax.axvline(sd, color="0.6", lw=0.8, ls="--")
        ax.text(sd, 0.97, strength, rotation=90, va="top", ha="center", fontsize=7.5, color="0.3",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.axhline(0.5, color="0.8", lw=0.8)
    ax.set_xscale("log")
    # Plain numbers (0.1, 1, 10) read as prior SDs in the outcome's units, as 10^-1 would not.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    # Minor ticks at 2 and 5 per decade: enough to read a value off, and each tick is an artist to draw.
    ax.xaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"SD of the skeptical prior N(0, SD\u00b2), {a['units']}\n(log scale; right = weaker doubt)")
    ax.set_ylabel("Posterior probability")
    ax.set_title("Sensitivity to a skeptical prior", loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="best", frameon=True, framealpha=0.85)


def spec_figure(spec: AnalysisSpec, *, conversion: str, mcid: float | None) -> Figure:
    """Two panels for one analysis: posteriors under each prior, and prior sensitivity."""
    rec = spec.record
    lik: EffectLikelihood = to_likelihood(rec, conversion)
    posterior = posterior_plot_data(spec, conversion=conversion, mcid=mcid)
    # The legend under the left panel has two columns: the curves, the ROPE and the MCID.
    entries = posterior["prior"].nunique() + (spec.rope is not None) + (mcid is not None)
    # Fixed margins in inches instead of a layout engine: constrained layout draws every figure
    # several times to measure it, which was a quarter of the report's run time.
    top, axes_h, below_axes = 0.62, 3.25, 0.95 + 0.19 * math.ceil(entries / 2)
    height = top + axes_h + below_axes
    # A bare Figure (no pyplot): no global backend state, nothing left open in notebooks.
    fig = Figure(figsize=(12.5, height))
    fig.subplots_adjust(left=0.055, right=0.985, top=1 - top / height, bottom=below_axes / height, wspace=0.16)
    left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
    draw_posteriors(
        left, posterior, better=rec.better, units=lik.units, mcid=mcid, rope=spec.rope,
        xlabel=f"{rec.contrast[0]} minus {rec.contrast[1]}, {lik.units}",
    )
    draw_sensitivity(right, sensitivity_plot_data(spec, conversion=conversion, mcid=mcid))
    fig.suptitle(f"{rec.trial}: {rec.label}  [conversion: {conversion}]", x=0.01, ha="left", fontsize=11.5)
    return fig


#: SVG settings of the report: text stays text (searchable, crisp, and no glyph outlines to write),
#: no creation date and a fixed id salt, so the same figure always gives the same bytes.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "bayes_ldn"}


def figure_data_uri(fig: Figure) -> str:
    """Render a figure to a ``data:image/svg+xml;base64,...`` URI.

    Vector output rather than PNG: it scales with the page, is under half the size, and skips
    rasterisation, which took half of each figure's drawing time (0.14 s of 0.2 s for a
    two-panel figure at 90 dpi, against 0.06 s for the SVG).
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
