"""Shared fixtures of the parallel-group tests."""

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def tidy_frame() -> pd.DataFrame:
    """Two outcomes, six subjects, three per arm (valid)."""
    rng = np.random.default_rng(7)
    subjects = [f"s{i}" for i in range(6)]
    rows = []
    for i, s in enumerate(subjects):
        for outcome in ("cpm", "tsp"):
            rows.append({"subject": s, "arm": "LDN" if i < 3 else "placebo", "outcome": outcome,
                         "baseline": rng.normal(5, 1), "followup": rng.normal(5, 1), "age": 40.0 + i})
    return pd.DataFrame(rows)
