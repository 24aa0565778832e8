"""Operating characteristics against closed forms, within binomial Monte Carlo error."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bayes_ldn.simulation import Study, any_outcome_rule, run_study, summarize_rates, unpooled_false_positive_rate
from bayes_ldn.simulation.structures import FINAL_SE


def _rate(n_outcomes: int, *, true_effect: float, tau_scale: float | None, n_sims: int, seed: int):
    study = Study("oc", any_outcome_rule, {"ses": [FINAL_SE] * n_outcomes, "true_effect": true_effect,
                                           "threshold": 0.95, "tau_scale": tau_scale})
    return summarize_rates(run_study(study, n_sims=n_sims, root_seed=seed).rows, ci_prob=0.95).set_index("analysis")


def _assert_binomial(rate: float, expected: float, n: int, k: float = 4.0) -> None:
    mcse = np.sqrt(expected * (1 - expected) / n)
    assert abs(rate - expected) <= k * mcse, f"rate {rate:.4f} vs {expected:.4f}: more than {k} x MCSE {mcse:.4f}"


def test_closed_forms():
    assert unpooled_false_positive_rate(1, 0.95) == pytest.approx(0.05)
    assert unpooled_false_positive_rate(5, 0.95) == pytest.approx(1 - 0.95**5)


def test_one_outcome_vague_prior_false_positive_rate_is_five_percent():
    table = _rate(1, true_effect=0.0, tau_scale=None, n_sims=20000, seed=101)
    assert list(table.index) == ["unpooled"]
    _assert_binomial(table.loc["unpooled", "rate"], 0.05, 20000)


def test_five_independent_outcomes_false_positive_rate():
    n = 2000
    table = _rate(5, true_effect=0.0, tau_scale=0.5, n_sims=n, seed=102)
    _assert_binomial(table.loc["unpooled", "rate"], 1 - 0.95**5, n)
    # Pooling shrinks toward a common mean: fewer false positives on the same data.
    assert table.loc["pooled", "rate"] + 4 * table.loc["pooled", "mcse"] < 1 - 0.95**5
    assert table.loc["pooled", "rate"] < table.loc["unpooled", "rate"]
    assert table.loc["unpooled", "lower"] < table.loc["unpooled", "rate"] < table.loc["unpooled", "upper"]


def test_power_of_one_outcome_matches_normal_closed_form():
    # P(Phi(y/s) > 0.95) = P(z > z_0.95 - delta/s) under y ~ N(delta, s^2).
    delta, n = 0.5, 10000
    expected = float(stats.norm.sf(stats.norm.ppf(0.95) - delta / FINAL_SE))
    table = _rate(1, true_effect=delta, tau_scale=None, n_sims=n, seed=103)
    _assert_binomial(table.loc["unpooled", "rate"], expected, n)

