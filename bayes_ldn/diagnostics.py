"""Convergence diagnostics of a fitted DataTree (ArviZ under the hood; no PyMC)."""

from __future__ import annotations

from collections.abc import Sequence

import arviz_stats as azs
import numpy as np
import pandas as pd
import xarray as xr

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_ABS

__all__ = ["convergence_table", "divergences", "draw_problems", "effect_and_worst", "failed_checks", "prob_mcse"]


def divergences(idata: xr.DataTree) -> int:
    """Number of divergent transitions after warm-up."""
    if "sample_stats" not in idata.children or "diverging" not in idata["sample_stats"]:
        return 0
    return int(idata["sample_stats"]["diverging"].sum())


def draw_problems(idata: xr.DataTree, var_names: Sequence[str]) -> list[str]:
    """Problems with the posterior draws of ``var_names``: absent, or holding NaN, infinite or
    overflowing values (beyond ``MAX_ABS``), which no summary of the draws can use."""
    if "posterior" not in idata.children:
        return ["the DataTree has no 'posterior' group; pass the result of bayes_ldn.fit"]
    post = idata["posterior"]
    out = []
    for name in var_names:
        if name not in post.data_vars:
            out.append(f"no variable {name!r} in the posterior; it holds {', '.join(map(repr, post.data_vars))}")
            continue
        v = np.asarray(post[name].values)
        if v.dtype.kind not in "iufb":
            out.append(f"posterior draws of {name!r} are not numbers (dtype {v.dtype})")
        elif v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            out.append(f"posterior draws of {name!r} hold {int(np.sum(~np.isfinite(v)))} NaN or infinite value(s) "
                       "(a failed or corrupted fit); refit or drop those draws")
        elif np.any(np.abs(v) > MAX_ABS):
            out.append(f"posterior draws of {name!r} reach beyond +-{MAX_ABS:g}; rescale the outcome and refit")
    return out


def convergence_table(idata: xr.DataTree, var_names: Sequence[str] | None = None) -> pd.DataFrame:
    """R-hat, bulk and tail ESS per scalar parameter, and the fit's divergence count.

    Returns a tidy frame with one row per scalar (``parameter`` includes coordinates) and the
    columns ``r_hat``, ``ess_bulk``, ``ess_tail``, ``divergences``, ``ok``. R-hat and ESS do not
    exist (NaN, and ``ok`` is False) with fewer than 4 draws per chain or for a constant parameter.

    Raises
    ------
    DataValidationError
        A named variable is absent, or its draws hold NaN, infinite or overflowing values.
    """
    has_posterior = "posterior" in idata.children
    names = list(var_names) if var_names else list(idata["posterior"].data_vars) if has_posterior else []
    raise_if("convergence table", draw_problems(idata, names))
    post = idata["posterior"].to_dataset()
    rows = []
    n_div = divergences(idata)
    for name in names:
        da = post[name]
        rhat = azs.rhat(da)
        ess_b = azs.ess(da, method="bulk")
        ess_t = azs.ess(da, method="tail")
        flat_r = np.atleast_1d(rhat.values).ravel()
        flat_b = np.atleast_1d(ess_b.values).ravel()
        flat_t = np.atleast_1d(ess_t.values).ravel()
        extra_dims = [d for d in da.dims if d not in ("chain", "draw")]
        labels = (
            [name]
            if not extra_dims
            else [f"{name}[{','.join(map(str, idx))}]" for idx in np.ndindex(*[da.sizes[d] for d in extra_dims])]
        )
        if extra_dims:
            coords = [da[d].values for d in extra_dims]
            labels = [
                f"{name}[{','.join(str(coords[j][i]) for j, i in enumerate(idx))}]"
                for idx in np.ndindex(*[da.sizes[d] for d in extra_dims])
            ]
        for lab, r, b, t in zip(labels, flat_r, flat_b, flat_t, strict=True):
            rows.append({"parameter": lab, "r_hat": float(r), "ess_bulk": float(b), "ess_tail": float(t)})
    df = pd.DataFrame(rows)
    df["divergences"] = n_div
    df["ok"] = (
        (df["r_hat"] <= defaults.RHAT_MAX)
        & (df["ess_bulk"] >= defaults.ESS_BULK_MIN)
        & (df["ess_tail"] >= defaults.ESS_TAIL_MIN)
        & (n_div == 0)
    )
    return df


def failed_checks(table: pd.DataFrame) -> list[str]:
    """Plain-language list of what failed in a :func:`convergence_table`."""
    out = []
    bad_r = table[table["r_hat"] > defaults.RHAT_MAX]
    if len(bad_r):
        out.append(f"R-hat > {defaults.RHAT_MAX} for {', '.join(bad_r['parameter'])}")
    bad_e = table[(table["ess_bulk"] < defaults.ESS_BULK_MIN) | (table["ess_tail"] < defaults.ESS_TAIL_MIN)]
    if len(bad_e):
        out.append(f"ESS below {defaults.ESS_BULK_MIN:g} for {', '.join(bad_e['parameter'])}")
    n_div = int(table["divergences"].iloc[0]) if len(table) else 0
    if n_div:
        out.append(f"{n_div} divergent transitions")
    return out


def prob_mcse(indicator: xr.DataArray) -> float:
    """Monte Carlo SE of a posterior probability, from the ESS of its indicator.

    ``sqrt(p (1 - p) / ESS_mean)``; ESS of the indicator's mean (Vehtari et al. 2021).
    """
    p = float(indicator.mean())
    if p in (0.0, 1.0):
        return 0.0
    ess = float(azs.ess(indicator.astype(float), method="mean"))
    return float(np.sqrt(p * (1 - p) / ess))


def effect_and_worst(idata: xr.DataTree, table: pd.DataFrame, effect: str) -> dict[str, float | str]:
    """The effect's own diagnostics beside the worst over every checked parameter, under names
    that say which is which.

    ``mcse`` is the Monte Carlo SE of the effect's posterior mean (its units); ``r_hat``,
    ``ess_bulk`` and ``ess_tail`` are the effect's; ``r_hat_max``, ``ess_bulk_min`` and
    ``ess_tail_min`` the worst over ``table`` (a :func:`convergence_table`), with the parameter
    they belong to. (The crossover JSON once printed the minimum ESS over all parameters as
    ``ess_bulk``: 1,714 while the effect's was 11,182.)
    """
    draws = idata["posterior"][effect]
    own = table[table["parameter"] == effect].iloc[0]
    worst_r = table.loc[table["r_hat"].idxmax()]
    worst_b = table.loc[table["ess_bulk"].idxmin()]
    return {
        "mcse": float(azs.mcse(draws, method="mean")),
        "r_hat": float(own["r_hat"]), "ess_bulk": float(own["ess_bulk"]), "ess_tail": float(own["ess_tail"]),
        "r_hat_max": float(worst_r["r_hat"]), "r_hat_max_parameter": str(worst_r["parameter"]),
        "ess_bulk_min": float(worst_b["ess_bulk"]), "ess_bulk_min_parameter": str(worst_b["parameter"]),
        "ess_tail_min": float(table["ess_tail"].min()),
    }
