"""Shared synthetic crossover trials (never trial data)."""

import pytest

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover


@pytest.fixture
def bested_like():
    """AB/BA, 58 subjects, drop-outs after period 1, FIQR-like scale."""
    frame, truth = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                      residual_sd=8.0, dropout=0.1, random_seed=11)
    return frame, truth


@pytest.fixture
def small_frame():
    """A tiny complete AB/BA frame with a baseline column, written by hand."""
    import pandas as pd

    rows = []
    values = {"s1": (10.0, 12.0), "s2": (8.0, 11.0), "s3": (14.0, 9.0), "s4": (13.0, 10.5)}
    seqs = {"s1": "AB", "s2": "AB", "s3": "BA", "s4": "BA"}
    for s, (y1, y2) in values.items():
        order = ("LDN", "placebo") if seqs[s] == "AB" else ("placebo", "LDN")
        for p, (t, y) in enumerate(zip(order, (y1, y2), strict=True), start=1):
            rows.append({"subject": s, "sequence": seqs[s], "period": p, "treatment": t, "outcome": y,
                         "baseline": y + 1.5 - p})
    return pd.DataFrame(rows)


@pytest.fixture
def small_data(small_frame):
    return CrossoverData.from_frame(small_frame, treatment="LDN", reference="placebo")
