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

from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_ABS

__all__ = ["plot_assurance", "plot_forest"]

_FOREST_COLUMNS = {"kind", "display_label", "estimate", "lower", "upper", "shrunken_median",
                   "shrunken_lower", "shrunken_upper", "unverified", "scale", "ci_prob", "mcid"}


def _plot_data_problems(data: object, required: set[str], numeric: dict[str, object], what: str,
                        build: str) -> list[str]:
    """Problems with plot data: not a frame, missing columns, no rows, or entries of the ``numeric``
    columns (column -> boolean row mask where they are required) that are not finite numbers."""
    if not isinstance(data, pd.DataFrame):
        return [f"{what} must be a DataFrame built with {build}, got {type(data).__name__}"]
    missing = required - set(map(str, data.columns))
    if missing:
        return [f"{what} lack column(s) {sorted(missing)}; build them with {build}"]
    if data.empty:
        return [f"{what} have no rows; build them with {build}"]
    out = []
    for col, rows in numeric.items():
        values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
        bad = np.asarray(rows, dtype=bool) & ~(np.isfinite(values) & (np.abs(values) <= MAX_ABS))
        if bad.any():
            rows_text = ", ".join(map(str, np.flatnonzero(bad)))
            out.append(f"{what}: column {col!r} is not a finite number in rows {rows_text}; "
                       f"build the data with {build}")
    return out


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
    build = "bayes_ldn.synthesis.forest_plot_data"
    problems = _plot_data_problems(data, _FOREST_COLUMNS, {}, "forest plot data", build)
    if not problems:
        study = (data["kind"] == "study").to_numpy()
        every = np.ones(len(data), dtype=bool)
        numeric = {"estimate": every, "lower": every, "upper": every, "shrunken_median": study,
                   "shrunken_lower": study, "shrunken_upper": study}
        problems = _plot_data_problems(data, _FOREST_COLUMNS, numeric, "forest plot data", build)
        ci = data["ci_prob"].iloc[0]
        if not (isinstance(ci, (int, float, np.number)) and 0 < ci < 1):
            problems.append(f"forest plot data: ci_prob must lie in (0, 1), got {ci!r}")
    raise_if("forest plot", problems)
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
    every = np.ones(len(data), dtype=bool) if isinstance(data, pd.DataFrame) else []
    problems = _plot_data_problems(data, {"design", "n", "assurance", "limit", "success", "scale"},
                                   {"n": every, "assurance": every, "limit": every}, "assurance data",
                                   "bayes_ldn.assurance.assurance_curve_data")
    raise_if("assurance plot", problems)
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
