"""SBC of the shipped models passes the stated uniformity test; a miscalibrated one fails it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.simulation import (
    SBC_ALPHA,
    SBC_DRAWS,
    Study,
    rank_uniformity,
    run_study,
    sbc_aggregate_exact,
    sbc_hierarchical_exact,
    sbc_nuts,
    study_key,
)
from bayes_ldn import defaults
from bayes_ldn.fit import fit
from bayes_ldn.simulation.compiled import CompiledTrialModel, flat_draws
from bayes_ldn.simulation.sbc import nuts_study, posterior_arrays, thinned
from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, FINAL_SE, cached_compiled


def _overconfident_aggregate(index: int, seed: np.random.SeedSequence, *, se: float, n_draws: int) -> dict:
    """Negative control: the conjugate posterior with its SD shrunk by 30%."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0.0, 0.5)
    estimate = rng.normal(truth, se)
    w = 1 / 0.5**2 + 1 / se**2
    mean = (estimate / se**2) / w
    draws = rng.normal(mean, 0.7 / np.sqrt(w), size=n_draws)
    return {"rank_treatment_effect": int(np.sum(draws < truth))}


def test_sbc_aggregate_exact_is_uniform():
    study = Study("sbc-aggregate-exact", sbc_aggregate_exact, {**DEFAULT_STRUCTURES["aggregate"], "n_draws": SBC_DRAWS})
    rows = run_study(study, n_sims=2000, root_seed=2024).rows
    table = rank_uniformity(rows, n_draws=SBC_DRAWS)
    assert table["bins"].tolist() == [20] and table["threshold"].tolist() == [SBC_ALPHA]
    assert table["uniform"].all(), table.to_string()


def test_sbc_detects_an_overconfident_posterior():
    study = Study("overconfident", _overconfident_aggregate, {"se": FINAL_SE, "n_draws": SBC_DRAWS})
    table = rank_uniformity(run_study(study, n_sims=2000, root_seed=2024).rows, n_draws=SBC_DRAWS)
    assert not table["uniform"].any()
    assert table["p_value"].iloc[0] < 1e-6


def test_sbc_hierarchical_exact_is_uniform():
    params = {**DEFAULT_STRUCTURES["hierarchical"], "n_draws": SBC_DRAWS}
    rows = run_study(Study("sbc-hierarchical-exact", sbc_hierarchical_exact, params), n_sims=1000, root_seed=7).rows
    table = rank_uniformity(rows, n_draws=SBC_DRAWS)
    assert table["parameter"].tolist() == ["mu", "tau"] + [f"theta[{i}]" for i in range(5)]
    assert table["threshold"].iloc[0] == pytest.approx(SBC_ALPHA / 7)
    assert table["uniform"].all(), table.to_string()


def test_rank_uniformity_validation():
    with pytest.raises(DataValidationError, match="cannot be split into 7 equal bins"):
        rank_uniformity(pd.DataFrame({"rank_x": [0, 1]}), n_draws=99, bins=7)
    with pytest.raises(DataValidationError, match=r"column rank_x: ranks must lie in 0..99, found 0..100"):
        rank_uniformity(pd.DataFrame({"rank_x": [0, 100]}), n_draws=99)
    with pytest.raises(DataValidationError, match="no rank_\\* columns"):
        rank_uniformity(pd.DataFrame({"x": [0]}), n_draws=99)


def _nuts_study(structure: str) -> Study:
    return nuts_study(structure, draws=500, tune=500, chains=2)


def test_sbc_samples_at_the_target_accept_fit_uses_and_records_it():
    # SBC must calibrate the sampler users run: one shared default, stated in the study's
    # parameters (hence in study.json and the resume key).
    import inspect

    for function in (fit, sbc_nuts, posterior_arrays, CompiledTrialModel.fit, nuts_study):
        assert inspect.signature(function).parameters["target_accept"].default == defaults.TARGET_ACCEPT
    study = nuts_study("aggregate", draws=500, tune=500, chains=2)
    assert study.params["target_accept"] == defaults.TARGET_ACCEPT == 0.9
    other = nuts_study("aggregate", draws=500, tune=500, chains=2, target_accept=0.95)
    assert study_key(other, 1) != study_key(study, 1)
    with pytest.raises(DataValidationError, match="target_accept must lie strictly between 0 and 1, got 1.0"):
        nuts_study("aggregate", draws=500, tune=500, chains=2, target_accept=1.0)


@pytest.mark.sbc  # minutes: each spawned worker imports PyMC and compiles the model with numba
def test_nuts_ranks_identical_serial_and_processes():
    study = _nuts_study("aggregate")
    serial = run_study(study, n_sims=6, root_seed=3)
    processes = run_study(study, n_sims=6, root_seed=3, scheduler="processes", workers=2, batch_size=3)
    assert processes.rows.equals(serial.rows)
    assert serial.rows["rank_treatment_effect"].nunique() > 1


@pytest.mark.slow
def test_raw_trace_path_reads_the_same_draws_as_the_datatree():
    # sbc_nuts skips the DataTree for speed; it must rank exactly the draws fit() would return,
    # scalars, vectors (theta) and transformed variables (tau) alike.
    model = cached_compiled("hierarchical", DEFAULT_STRUCTURES["hierarchical"])
    names = ("mu", "tau", "theta")
    for seed in (1, 2):
        y = model.forward(seed)["outcome"]
        tree = model.fit(y, random_seed=seed, draws=200, tune=200, chains=2)
        arrays, divergences = posterior_arrays(model, y, names, random_seed=seed, draws=200, tune=200, chains=2)
        assert divergences == int(np.asarray(tree["sample_stats"]["diverging"]).sum())
        for name in names:
            np.testing.assert_array_equal(arrays[name], np.asarray(tree["posterior"][name].values))
            np.testing.assert_array_equal(thinned(arrays[name], SBC_DRAWS), flat_draws(tree, name, SBC_DRAWS))
        assert arrays["theta"].shape == (2, 200, 5)


@pytest.mark.slow
def test_sbc_aggregate_nuts_is_uniform():
    rows = run_study(_nuts_study("aggregate"), n_sims=100, root_seed=11).rows
    table = rank_uniformity(rows, n_draws=SBC_DRAWS, bins=10)
    assert table["uniform"].all(), table.to_string()
    assert rows["divergences"].sum() == 0


@pytest.mark.sbc
def test_sbc_hierarchical_nuts_is_uniform():
    rows = run_study(_nuts_study("hierarchical"), n_sims=500, root_seed=13).rows
    table = rank_uniformity(rows, n_draws=SBC_DRAWS, bins=20)
    assert table["uniform"].all(), table.to_string()
