"""``bayes-ldn crossover``: clear errors (exit 2, nothing written) and the JSON contract."""

import json

import pytest

from bayes_ldn.cli import main
from bayes_ldn.data.simulate_crossover import simulate_crossover


@pytest.fixture
def csv(tmp_path):
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                  residual_sd=8.0, random_seed=4)
    path = tmp_path / "trial.csv"
    frame.rename(columns={"subject": "pid", "outcome": "fiqr"}).to_csv(path, index=False)
    return path


BASE = ["--subject", "pid", "--outcome", "fiqr", "--active", "LDN", "--control", "placebo"]


def test_bad_column_exits_2_with_clear_message_and_writes_nothing(csv, tmp_path, capsys):
    out = tmp_path / "results"
    argv = ["crossover", str(csv), *BASE, "--better", "lower", "--out", str(out)]
    argv[argv.index("pid")] = "patient"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "missing subject column 'patient'" in err and "the frame has columns pid" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_missing_better_and_bad_level_reported_together(csv, tmp_path, capsys):
    out = tmp_path / "results"
    argv = ["crossover", str(csv), *BASE, "--out", str(out)]
    argv[argv.index("LDN")] = "naltrexone"
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--better higher|lower is required" in err
    assert "unknown treatment level(s) ['LDN']" in err
    assert not out.exists()


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["crossover", str(tmp_path / "nope.csv"), *BASE, "--better", "lower"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_json_keys_and_outputs(csv, tmp_path, capsys):
    out = tmp_path / "results"
    argv = ["crossover", str(csv), *BASE, "--better", "lower", "--mcid", "5", "--seed", "3",
            "--draws", "1000", "--tune", "700", "--chains", "4", "--sampler", "pymc", "--json", "--out", str(out)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("mean", "sd", "median", "lower", "upper", "ci_prob", "prob_better", "prob_better_than_mcid",
                "period_effect", "r_hat", "ess_bulk", "divergences"):
        assert key in result, key
    assert result["contrast"] == "LDN - placebo"
    assert result["lower"] < result["mean"] < result["upper"]
    assert set(result["period_effect"]) == {"2"}
    # better = lower: P(LDN better) is the posterior mass below zero of LDN - placebo.
    assert (result["mean"] < 0) == (result["prob_better"] > 0.5)
    assert (out / "decision.csv").exists()
    assert any(p.name.startswith("crossover.") for p in out.iterdir())


def test_data_source_and_levels_are_required(capsys):
    assert main(["crossover", "--better", "lower"]) == 2
    err = capsys.readouterr().err
    assert "give DATA.csv or --synthetic-seed N (one of them)" in err
    assert "--active LEVEL is required" in err and "--control LEVEL is required" in err
