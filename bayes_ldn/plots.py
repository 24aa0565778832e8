"""Plots drawn from tidy plot data (never from a model): the synthesis forest plot and assurance curves.

Plot data come first (:func:`bayes_ldn.synthesis.forest_plot_data`,
:func:`bayes_ldn.assurance.assurance_curve_data`); these functions only draw them on an Axes and
return it. Nothing here imports PyMC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["plot_assurance", "plot_forest"]

_FOREST_COLUMNS = {"kind", "display_label", "estimate", "lower", "upper", "shrunken_median",
                   "shrunken_lower", "shrunken_upper", "unverified", "scale", "ci_prob", "mcid"}


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size)
    return fig.add_subplot()


def plot_forest(data: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Forest plot: observed estimates (squares), shrunken estimates (grey), mean effect (diamond)
    and the predictive interval of a new trial (bar).

    Studies with an unverified input are drawn with open markers and a dagger in the label.
    Returns the Axes (a new Figure's, when ``ax`` is None).
    """
    missing = _FOREST_COLUMNS - set(data.columns)
    if missing:
        raise ValueError(f"forest plot data lack column(s) {sorted(missing)}; build them with forest_plot_data")
    ax = _axes(ax, (7.0, 0.5 * len(data) + 1.8))
    k = len(data)
    ys = np.arange(k)[::-1].astype(float)
    for y, r in zip(ys, data.itertuples(), strict=True):
        if r.kind == "study":
            face = "white" if r.unverified else "black"
            ax.plot([r.lower, r.upper], [y, y], color="black", lw=1.2)
            ax.plot(r.estimate, y, marker="s", ms=7, mfc=face, mec="black", ls="none")
            ax.plot([r.shrunken_lower, r.shrunken_upper], [y - 0.22, y - 0.22], color="0.55", lw=1.0)
            ax.plot(r.shrunken_median, y - 0.22, marker="o", ms=4, color="0.55", ls="none")
        elif r.kind == "mu":
            ax.fill([r.lower, r.estimate, r.upper, r.estimate], [y, y + 0.25, y, y - 0.25], color="#1f77b4")
        else:
            ax.plot([r.lower, r.upper], [y, y], color="#d62728", lw=4, solid_capstyle="butt")
            ax.plot(r.estimate, y, marker="|", ms=12, color="white")
    ax.axvline(0.0, color="0.3", lw=0.8, ls="--")
    mcid = data["mcid"].iloc[0]
    if mcid is not None and np.isfinite(mcid):
        ax.axvline(float(mcid), color="#2ca02c", lw=0.8, ls=":")
    ax.set_yticks(ys)
    ax.set_yticklabels(list(data["display_label"]))
    ci = 100 * float(data["ci_prob"].iloc[0])
    ax.set_xlabel(f"effect ({data['scale'].iloc[0]}), positive = treatment better; {ci:g}% intervals")
    if bool(data["unverified"].any()):
        ax.set_title("\u2020 open marker: an input is unverified (SEC or 3P)", fontsize=8, loc="left")
    return ax


def plot_assurance(data: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Assurance against the number of participants, one line per design, with the limit as n grows."""
    missing = {"design", "n", "assurance", "limit", "success", "scale"} - set(data.columns)
    if missing:
        raise ValueError(f"assurance data lack column(s) {sorted(missing)}; build them with assurance_curve_data")
    ax = _axes(ax, (6.0, 4.0))
    for label, g in data.groupby("design", sort=False):
        ax.plot(g["n"], g["assurance"], label=str(label))
    ax.axhline(float(data["limit"].iloc[0]), color="0.4", ls=":", lw=0.8, label="limit as n grows")
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("participants randomised (pairs for a crossover)")
    ax.set_ylabel("assurance")
    ax.set_title(f"{data['success'].iloc[0]} ({data['scale'].iloc[0]})", fontsize=8, loc="left")
    ax.legend(fontsize=8)
    return ax
