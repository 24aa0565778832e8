"""``bayes-ldn synthesize``: JSON keys, files, and bad input -> exit 2 with nothing written."""

import json

import pytest

from bayes_ldn.cli import main

SUMMARY_KEYS = {"median", "mean", "sd", "lower", "upper"}


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_bundled_json_keys(capsys):
    out = _json(capsys, ["synthesize", "--json"])
    for key in ("mu", "tau", "predictive"):
        assert set(out[key]) == SUMMARY_KEYS
    assert 0 < out["prob_mu_positive"] < 1
    assert out["studies"] == ["FINAL", "INNOVA", "Bested 2023", "Younger 2013"]
    assert out["files"] == []


def test_user_csv_json_matches_library(tmp_path, capsys):
    from bayes_ldn import synthesis as sy

    f = tmp_path / "studies.csv"
    f.write_text("study,estimate,se,lower,upper\nA,0.3,0.1,,\nB,-0.1,,-0.5,0.3\nC,0.2,0.15,,\n")
    out = _json(capsys, ["synthesize", "--data", str(f), "--mu-prior", "normal:0,1",
                         "--tau-prior", "halfcauchy:0.3", "--json"])
    ref = sy.synthesize(sy.read_studies_csv(f, better="higher"), mu_prior=(0.0, 1.0),
                        tau_prior=sy.halfcauchy_tau(0.3), mcid=None).summary()
    assert out["mu"] == pytest.approx(ref["mu"]) and out["tau"] == pytest.approx(ref["tau"])
    assert out["predictive"] == pytest.approx(ref["predictive"])
    assert out["prob_mu_positive"] == pytest.approx(ref["prob_mu_positive"])
    assert out["tau_prior"]["family"] == "halfcauchy"


def test_bad_csv_exits_2_lists_problems_and_writes_nothing(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("study,estimate,se\nA,0.3,0\nA,zero,0.1\n")
    out_dir = tmp_path / "out"
    code = main(["synthesize", "--data", str(f), "--out", str(out_dir), "--tau-prior", "gamma:1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 1, column 'se': must be positive" in err
    assert "row 2: study 'A' repeats row 1" in err
    assert "row 2, column 'estimate': 'zero' is not a number" in err
    assert "cannot read tau prior 'gamma:1'" in err
    assert "Traceback" not in err
    assert not out_dir.exists()


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["synthesize", "--data", str(tmp_path / "none.csv"), "--json"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bundled_out_writes_table_forest_and_assurance(tmp_path, capsys):
    import pandas as pd

    out_dir = tmp_path / "syn"
    assert main(["synthesize", "--out", str(out_dir)]) == 0
    names = {p.name for p in out_dir.iterdir()}
    assert {"synthesis_table.csv", "forest.png", "assurance.png", "assurance.csv",
            "leave_one_out.csv", "prior_sensitivity.csv", "rho_sweep.csv"} <= names
    table = pd.read_csv(out_dir / "synthesis_table.csv")
    studies = table[table["row"] == "study"].set_index("record")
    assert studies.loc["innova_pain", "evidence"] == "ABS+3P"
    assert studies.loc["final_pain", "evidence"] == "ABS"
    assert (out_dir / "forest.png").read_bytes()[:4] == b"\x89PNG"
    assert "P(mu > 0)" in capsys.readouterr().out
