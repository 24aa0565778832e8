"""Thinning posterior draws for SBC ranks (NumPy only, so the exact studies never import PyMC)."""

from __future__ import annotations

import numpy as np

__all__ = ["thinned"]


def thinned(values: np.ndarray, n_draws: int) -> np.ndarray:
    """``n_draws`` draws evenly thinned over chains and draws of ``values`` (chains, draws, ...).

    Returns shape ``(n_draws, *event_shape)``. Thinning reduces autocorrelation, which would
    otherwise make SBC rank histograms U-shaped even for a correct sampler (Talts et al. 2018).
    """
    flat = values.reshape(-1, *values.shape[2:])
    return flat[np.linspace(0, flat.shape[0] - 1, n_draws).round().astype(int)]
