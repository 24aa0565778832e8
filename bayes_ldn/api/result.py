"""The result of a high-level analysis: the DataTree, the decision table, plots and a notebook display.

One sign convention (stated once, in the README's "Signs" section): locations and intervals are
on the printed scale (treatment minus control as printed; log ratio on the log scale); every
probability is in the direction of benefit (``prob_better`` = P(treatment better)).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.summaries import format_decision_table

__all__ = ["Analysis", "SUMMARY_COLUMNS"]

#: Columns of :meth:`Analysis.summary`: the decision, its interval and its convergence.
SUMMARY_COLUMNS = ["outcome", "prior", "mean", "median", "lower", "upper", "ci_prob", "prob_better",
                   "prob_better_than_mcid", "prob_rope", "prob_harm", "method", "mcse", "r_hat", "ess_bulk",
                   "divergences"]


@dataclass(frozen=True)
class Analysis:
    """What an ``analyze_*`` call returns.

    Attributes
    ----------
    design : str
        ``"crossover"``, ``"parallel"`` or ``"estimate"``.
    rows : list of dict
        One decision row per outcome (columns of :data:`bayes_ldn.summaries.DECISION_COLUMNS`).
    details : list of dict
        Per outcome, everything the command line prints with ``--json`` (the same keys).
    fits : dict of str to xarray.DataTree
        The fitted DataTree of each outcome (empty for an exact posterior).
    convergence : pandas.DataFrame
        R-hat, ESS and divergences of every parameter reported (empty when exact).
    """

    design: str
    rows: list[dict[str, Any]]
    details: list[dict[str, Any]]
    fits: Mapping[str, xr.DataTree] = field(default_factory=dict)
    convergence: pd.DataFrame = field(default_factory=pd.DataFrame)
    draws: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def idata(self) -> xr.DataTree:
        """The DataTree of a one-outcome fit (``fits[name]`` when there are several)."""
        if len(self.fits) != 1:
            raise ValueError(f"this analysis has {len(self.fits)} fits ({', '.join(self.fits)}); use .fits[name]")
        return next(iter(self.fits.values()))

    def table(self) -> pd.DataFrame:
        """The decision table, numbers as numbers (one row per outcome)."""
        return pd.DataFrame(self.rows)

    def summary(self, digits: int = 3) -> pd.DataFrame:
        """The decision table for reading: probabilities as ">0.999"/"<0.001", convergence beside them."""
        t = self.table()
        cols = [c for c in SUMMARY_COLUMNS if c in t and not t[c].isna().all()]
        return format_decision_table(t, cols, digits=digits)

    def to_dict(self) -> dict[str, Any] | list[dict[str, Any]]:
        """What ``bayes-ldn <design> --json`` prints: one object, or a list with several outcomes."""
        return self.details[0] if len(self.details) == 1 else list(self.details)

    def plot(self, ax: Any = None) -> Any:
        """Posterior density of the printed effect of each outcome, with its interval and the MCID.

        Returns the Axes (a new Figure's when ``ax`` is None).
        """
        from matplotlib.figure import Figure
        from scipy import stats

        if ax is None:
            ax = Figure(figsize=(6.0, 3.2)).add_subplot()
        for row in self.rows:
            name = str(row.get("outcome") or "effect")
            x = self.draws.get(name)
            if x is not None:
                grid = np.linspace(*np.quantile(x, [0.0005, 0.9995]), 400)
                ax.plot(grid, stats.gaussian_kde(x)(grid), label=name)
            ax.axvspan(row["lower"], row["upper"], alpha=0.12)
            ax.axvline(row["median"], lw=0.8)
            mcid = row.get("mcid")
            if mcid is not None and np.isfinite(mcid):
                sign = 1 if row["better"] == "higher" else -1
                ax.axvline(sign * mcid, ls="--", color="grey", lw=0.8)
        ax.axvline(0.0, color="black", lw=0.6)
        ci = self.rows[0].get("ci_prob", defaults.CI_PROB)
        ax.set_xlabel(f"effect (treatment - control, as printed); band: {ci:.0%} credible interval")
        ax.set_yticks([])
        if len(self.rows) > 1:
            ax.legend(frameon=False)
        return ax

    def _repr_html_(self) -> str:
        parts = [f"<p><b>bayes_ldn {html.escape(self.design)} analysis</b>: locations on the printed scale, "
                 "probabilities in the direction of benefit.</p>", self.summary().to_html(index=False)]
        problems = [p for d in self.details for p in d.get("convergence_problems", [])]
        if problems:
            parts.append("<p><b>Convergence problems:</b> " + html.escape("; ".join(problems)) + "</p>")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Analysis({self.design!r})\n{self.summary().to_string(index=False)}"
