"""Shared test helpers: Monte Carlo tolerances, never a loose rtol."""

from __future__ import annotations

import arviz_stats as azs
import numpy as np
import xarray as xr


def mcse_mean(draws: xr.DataArray) -> float:
    """Monte Carlo SE of the posterior mean (ESS-based)."""
    return float(azs.mcse(draws, method="mean"))


def mcse_sd(draws: xr.DataArray) -> float:
    """Monte Carlo SE of the posterior SD."""
    return float(azs.mcse(draws, method="sd"))


def mcse_quantile(draws: xr.DataArray, prob: float) -> float:
    """Monte Carlo SE of a posterior quantile."""
    return float(azs.mcse(draws, method="quantile", prob=prob))


def mcse_prob(indicator: xr.DataArray) -> float:
    """Monte Carlo SE of a probability from its indicator draws."""
    p = float(indicator.mean())
    ess = float(azs.ess(indicator.astype(float), method="mean"))
    return float(np.sqrt(max(p * (1 - p), 1e-12) / ess))


def assert_within_mcse(draws: xr.DataArray, exact_mean: float, exact_sd: float | None = None, k: float = 4.0) -> None:
    """Assert the posterior mean (and SD) of ``draws`` match exact values within ``k`` MCSE."""
    m, se = float(draws.mean()), mcse_mean(draws)
    assert abs(m - exact_mean) <= k * se, f"mean {m:.5f} vs exact {exact_mean:.5f}: |diff| > {k} x MCSE {se:.5f}"
    if exact_sd is not None:
        s, se_s = float(draws.std()), mcse_sd(draws)
        assert abs(s - exact_sd) <= k * se_s, f"sd {s:.5f} vs exact {exact_sd:.5f}: |diff| > {k} x MCSE {se_s:.5f}"
