"""Ratios and equivalence from log-scale draws (issue 15), and the CLI's log-scale contract."""

import json

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from bayes_ldn.cli import main
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import equivalence_probability, parse_equivalence, ratio_summary


def draws(mean: float, sd: float, n: int = 200_000) -> xr.DataArray:
    x = np.random.default_rng(0).normal(mean, sd, size=(4, n // 4))
    return xr.DataArray(x, dims=("chain", "draw"))


def test_ratio_interval_is_exp_of_the_log_interval_and_mean_is_lognormal():
    d = draws(-0.1, 0.05)
    r = ratio_summary(d, ci_prob=0.9)
    lo, hi = np.quantile(d.values, [0.05, 0.95])
    assert (r["lower"], r["upper"]) == (np.exp(lo), np.exp(hi))
    # E[exp(X)] = exp(mu + sd^2 / 2) for normal X; MC error of the mean of exp(X) on 2e5 draws.
    expected = np.exp(-0.1 + 0.05**2 / 2)
    se = np.exp(-0.1) * 0.05 / np.sqrt(d.size) * 1.01
    assert abs(r["mean"] - expected) <= 4 * se
    assert r["ci_prob"] == 0.9


def test_equivalence_probability_against_the_normal_cdf():
    d = draws(0.05, 0.1)
    e = equivalence_probability(d, (0.8, 1.25), scale="log")
    exact = stats.norm.cdf(np.log(1.25), 0.05, 0.1) - stats.norm.cdf(np.log(0.8), 0.05, 0.1)
    assert e["on"] == "ratio" and abs(e["prob"] - exact) <= 4 * e["mcse"]
    lin = equivalence_probability(d, (-0.1, 0.2), scale="linear")
    exact = stats.norm.cdf(0.2, 0.05, 0.1) - stats.norm.cdf(-0.1, 0.05, 0.1)
    assert lin["on"] == "effect" and abs(lin["prob"] - exact) <= 4 * lin["mcse"]


@pytest.mark.parametrize(("text", "scale", "message"), [
    ("0.8", "log", "expected LOWER,UPPER"),
    ("1.25,0.8", "log", "needs LOWER < UPPER"),
    ("-1,1", "log", "needs LOWER > 0"),
    ("nan,1", "linear", "LOWER must be a finite number"),
    ("0,1e308", "linear", "UPPER = 1e\\+308 is beyond"),
])
def test_bad_equivalence_ranges(text, scale, message):
    with pytest.raises(DataValidationError, match=message):
        parse_equivalence(text, scale)
    assert parse_equivalence("-1,1", "linear") == (-1.0, 1.0)


@pytest.fixture
def pk_csv(tmp_path):
    frame, _ = simulate_crossover(treatment_effect=-0.05, period_effect=0.02, subject_sd=0.3, residual_sd=0.1,
                                  random_seed=2, n_subjects=24, dropout=0.0, intercept=4.0,
                                  treatment="T", reference="R")
    frame["auc"] = np.exp(frame["outcome"])
    path = tmp_path / "pk.csv"
    frame.drop(columns="outcome").to_csv(path, index=False)
    return path, frame


def test_log_scale_cli_reports_ratio_interval_at_ci_prob_and_equivalence(pk_csv, capsys):
    path, frame = pk_csv
    argv = ["crossover", str(path), "--outcome", "auc", "--active", "T", "--control", "R", "--better", "higher",
            "--scale", "log", "--ci-prob", "0.9", "--equivalence", "0.80,1.25", "--json",
            "--draws", "2000"]  # subject_sd R-hat sits near 1.01 at 4 x 1000 draws on this design

    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scale"] == "log" and out["ci_prob"] == 0.9 and out["ratio"]["ci_prob"] == 0.9
    assert out["ratio"]["lower"] == pytest.approx(np.exp(out["lower"]), rel=1e-12)
    assert out["ratio"]["upper"] == pytest.approx(np.exp(out["upper"]), rel=1e-12)
    assert out["equivalence"]["on"] == "ratio" and 0 <= out["equivalence"]["prob"] <= 1
    assert out["nuisance"] == "unit_free" and out["data_scale"]["location"] == pytest.approx(
        np.log(frame["auc"]).mean(), rel=1e-12)
    assert out["n_subjects"] == 24 and out["n_incomplete_subjects"] == 0


def test_log_scale_cli_lists_non_positive_rows_and_bad_range_together(pk_csv, tmp_path, capsys):
    path, frame = pk_csv
    bad = frame.drop(columns="outcome")
    bad.loc[[3, 10], "auc"] = [0.0, -2.0]
    bad.to_csv(tmp_path / "bad.csv", index=False)
    argv = ["crossover", str(tmp_path / "bad.csv"), "--outcome", "auc", "--active", "T", "--control", "R",
            "--better", "higher", "--scale", "log", "--equivalence", "1.25,0.8", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "the log scale needs positive values; outcome <= 0 in rows 4, 11" in err
    assert "--equivalence needs LOWER < UPPER" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_incomplete_drop_states_who_entered(pk_csv, tmp_path, capsys):
    path, frame = pk_csv
    f = frame.drop(columns="outcome")
    drop = f.index[(f["subject"] == f["subject"].iloc[0]) & (f["period"] == 2)]
    f.drop(index=drop).to_csv(tmp_path / "inc.csv", index=False)
    base = ["crossover", str(tmp_path / "inc.csv"), "--outcome", "auc", "--active", "T", "--control", "R",
            "--better", "higher", "--scale", "log", "--json"]
    assert main([*base, "--incomplete", "drop"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["n_subjects"], out["n_obs"], out["n_subjects_dropped"], out["incomplete"]) == (23, 46, 1, "drop")


def test_decision_row_names_the_nuisance_defaults(pk_csv, tmp_path, capsys):
    import pandas as pd

    path, frame = pk_csv
    out = tmp_path / "o"
    argv = ["crossover", str(path), "--outcome", "auc", "--active", "T", "--control", "R", "--better", "higher",
            "--scale", "log", "--out", str(out), "--draws", "2000"]
    assert main(argv) == 0
    row = pd.read_csv(out / "decision.csv").iloc[0]
    location = np.log(frame["auc"]).mean()
    assert f"nuisance priors 'unit_free' scaled by the outcome's mean {location:.6g}" in row["conversions"]
    assert row["scale"] == "log"
