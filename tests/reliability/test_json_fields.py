"""JSON fields that say what they are (issue 18): the effect's MCSE and ESS under ``mcse`` and
``ess_bulk``, the worst over all parameters under other names, and an ``orientation`` map."""

import json

import arviz_stats as azs
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from bayes_ldn.cli import main
from bayes_ldn.cli._output import orientation
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.diagnostics import convergence_table, effect_and_worst


def _fake_fit():
    """Four chains: an effect drawn independently (high ESS) and an autocorrelated SD (low ESS)."""
    rng = np.random.default_rng(7)
    effect = rng.normal(-3.0, 1.0, size=(4, 1000))
    ar = np.zeros((4, 1000))
    for t in range(1, 1000):
        ar[:, t] = 0.95 * ar[:, t - 1] + rng.normal(size=4)
    post = xr.Dataset({"treatment_effect": (("chain", "draw"), effect), "subject_sd": (("chain", "draw"), 5 + ar)},
                      coords={"chain": np.arange(4), "draw": np.arange(1000)})
    return xr.DataTree.from_dict({"posterior": post})


def test_effect_and_worst_keep_the_effect_apart_from_the_worst_parameter():
    idata = _fake_fit()
    table = convergence_table(idata, ["treatment_effect", "subject_sd"])
    d = effect_and_worst(idata, table, "treatment_effect")
    own_ess = float(azs.ess(idata["posterior"]["treatment_effect"], method="bulk"))
    assert d["ess_bulk"] == pytest.approx(own_ess)
    assert d["ess_bulk_min"] < 400 < d["ess_bulk"]  # the AR(0.95) SD is the worst, not the effect
    assert d["ess_bulk_min_parameter"] == "subject_sd"
    # The effect's MCSE of the mean: about SD / sqrt(ESS_mean) for independent draws.
    assert d["mcse"] == pytest.approx(1.0 / np.sqrt(4000), rel=0.1)


def test_orientation_names_printed_effects_and_aligned_probabilities():
    out = {"mean": 1.0, "lower": 0.0, "prob_better": 0.9, "prob_mcse": {}, "prior": "Flat", "r_hat": 1.0,
           "period_effect": {}}
    assert orientation(out) == {"mean": "printed", "lower": "printed", "period_effect": "printed",
                                "prob_better": "aligned", "prob_mcse": "aligned", "prior": "aligned"}


def test_posterior_json_states_the_orientation(capsys):
    assert main(["posterior", "--estimate", "-2", "--se", "1", "--better", "lower", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mean"] == pytest.approx(-2.0)  # printed: as the user gave it
    assert out["orientation"]["mean"] == "printed" and out["orientation"]["prob_better"] == "aligned"
    assert out["prob_better"] > 0.5  # aligned: lower is better, and the estimate is below 0


@pytest.mark.slow
def test_crossover_json_separates_effect_and_worst_diagnostics(tmp_path, capsys):
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0, residual_sd=8.0,
                                  random_seed=4)
    path = tmp_path / "trial.csv"
    frame.to_csv(path, index=False)
    assert main(["crossover", str(path), "--active", "LDN", "--control", "placebo", "--better", "lower",
                 "--mcid", "2", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ess_bulk_min"] <= out["ess_bulk"] and out["r_hat_max"] >= out["r_hat"]
    assert out["ess_bulk_min_parameter"] in out["checked_parameters"]
    # mcse: Monte Carlo SE of the effect's mean, about its posterior SD / sqrt(ESS): not a probability's.
    assert out["mcse"] == pytest.approx(out["sd"] / np.sqrt(out["ess_bulk"]), rel=0.5)
    assert set(out["prob_mcse"]) == {"prob_better", "prob_harm", "prob_better_than_mcid"}
    assert out["orientation"]["mean"] == "printed" and out["orientation"]["prob_better"] == "aligned"
    assert pd.Series(out["prob_mcse"]).max() < 0.02
