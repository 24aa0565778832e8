"""``bayes-ldn parallel``: validation before any work, JSON output."""

import json

import pytest

from bayes_ldn.cli import main
from bayes_ldn.data.simulate_parallel import simulate_final_like

BASE = ["--arm", "group", "--baseline", "b0", "--followup", "b12", "--active", "LDN", "--control", "placebo"]


@pytest.fixture
def csv(tmp_path):
    f = simulate_final_like(random_seed=1, include_pain=False).frame
    f = f[f.outcome.isin(["cpm", "tsp"])].rename(columns={"arm": "group", "baseline": "b0", "followup": "b12"})
    path = tmp_path / "trial.csv"
    f.to_csv(path, index=False)
    one = tmp_path / "cpm.csv"
    f[f.outcome == "cpm"].drop(columns=["outcome"]).to_csv(one, index=False)
    return path, one


def test_every_problem_reported_and_nothing_written(csv, tmp_path, capsys):
    _, one = csv
    out = tmp_path / "out"
    code = main(["parallel", str(one), *BASE[:-4], "--active", "LDN", "--control", "Placebo",
                 "--method", "ancova", "--prior", "skeptical", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "--better higher|lower is required" in err
    assert "prior 'skeptical' is anchored on an MCID: give --mcid" in err
    assert "unknown arm level(s) ['placebo']" in err and "fix --active/--control" in err
    assert not out.exists()


def test_missing_file_and_columns(csv, tmp_path, capsys):
    assert main(["parallel", str(tmp_path / "nope.csv"), *BASE, "--method", "change", "--better", "higher"]) == 2
    assert "data file" in capsys.readouterr().err
    _, one = csv
    args = ["parallel", str(one), "--arm", "arm", "--baseline", "b0", "--followup", "week12", "--active", "LDN",
            "--control", "placebo", "--method", "change", "--better", "higher"]
    assert main(args) == 2
    assert "missing arm column 'arm', followup column 'week12'" in capsys.readouterr().err


def test_several_outcomes_need_subject_column(csv, capsys):
    path, _ = csv
    code = main(["parallel", str(path), *BASE, "--outcome-name", "outcome", "--method", "change", "--better", "higher"])
    assert code == 2
    assert "2 outcomes but no subject column" in capsys.readouterr().err


def test_out_must_be_a_folder(csv, tmp_path, capsys):
    _, one = csv
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    code = main(["parallel", str(one), *BASE, "--method", "ancova", "--better", "higher", "--out", str(blocker)])
    assert code == 2 and "exists and is not a folder" in capsys.readouterr().err


def test_method_has_no_default(csv, capsys):
    _, one = csv
    with pytest.raises(SystemExit):
        main(["parallel", str(one), *BASE, "--better", "higher"])
    assert "--method" in capsys.readouterr().err


@pytest.mark.slow
def test_json_output(csv, tmp_path, capsys):
    _, one = csv
    out = tmp_path / "res"
    code = main(["parallel", str(one), *BASE, "--method", "ancova", "--better", "higher", "--subject", "subject",
                 "--prior", "normal:0,5", "--draws", "500", "--tune", "500", "--chains", "2", "--seed", "3",
                 "--json", "--out", str(out)])
    assert code == 0
    res = json.loads(capsys.readouterr().out)
    for key in ("mean", "sd", "median", "lower", "upper", "ci_prob", "prob_better", "change_active",
                "change_control", "r_hat", "ess_bulk", "divergences"):
        assert key in res
    assert res["lower"] < res["median"] < res["upper"] and 0 <= res["prob_better"] <= 1
    assert res["change_active"]["mean"] - res["change_control"]["mean"] == pytest.approx(res["mean"], abs=1e-9)
    assert json.loads((out / "summary.json").read_text()) == res
    assert (out / "draws.csv").exists()
