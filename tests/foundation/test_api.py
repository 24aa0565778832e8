"""The Python API and the command line give the same answer, non-zero-mean printed priors included."""

import json

import numpy as np
import pandas as pd
import pytest

import bayes_ldn as bl
from bayes_ldn import priors as pr
from bayes_ldn.cli import main

BLAS = "ignore:PyTensor could not link to a BLAS:UserWarning"


def cli_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("prior", ["normal:-0.3,0.2", "enthusiastic", "t:0.2,0.3,4"])
def test_estimate_api_equals_cli(capsys, prior):
    argv = ["--estimate", "0.75", "--lower", "0.55", "--upper", "1.02", "--scale", "log", "--better", "lower",
            "--mcid", "0.8", "--prior", prior]
    cli = cli_json(capsys, "posterior", *argv)
    api = bl.analyze_estimate(0.75, lower=0.55, upper=1.02, scale="log", better="lower", mcid=0.8,
                              prior=prior).to_dict()
    # The command adds only the orientation of each number (issue 18) to what the API returns.
    assert set(cli.pop("orientation").values()) <= {"printed", "aligned"}
    assert api == cli


def test_estimate_printed_prior_object_equals_text_and_closed_form():
    # Printed N(-3, 2) with lower = better: aligned N(3, 2); aligned estimate 2, SE 1.
    a = bl.analyze_estimate(-2.0, se=1.0, better="lower", prior=pr.normal(-3, 2)).to_dict()
    b = bl.analyze_estimate(-2.0, se=1.0, better="lower", prior="normal:-3,2").to_dict()
    prec = 1 + 1 / 4
    assert a["mean"] == b["mean"] == pytest.approx(-(2 + 3 / 4) / prec, rel=1e-12)


def test_analysis_display():
    r = bl.analyze_estimate(2.0, lower=0.35, upper=3.65, better="higher", mcid=1.0, prior="skeptical")
    s = r.summary()
    assert s.loc[0, "prob_better"] not in ("1.000", "0.000")
    assert "prob_better_than_mcid" in s and "<table" in r._repr_html_()
    ax = r.plot()
    assert ax.get_xlabel().startswith("effect")


def _crossover_frame():
    df, _ = bl.simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=12.0, residual_sd=10.0,
                                  random_seed=4, treatment="LDN", reference="placebo")
    return df


@pytest.mark.slow
@pytest.mark.filterwarnings(BLAS)
def test_crossover_printed_prior_same_posterior_cli_api_and_builder(tmp_path, capsys):
    df = _crossover_frame()
    path = tmp_path / "x.csv"
    df.to_csv(path, index=False)
    common = dict(draws=1000, tune=1000, chains=4)
    cli = cli_json(capsys, "crossover", str(path), "--active", "LDN", "--control", "placebo", "--better", "lower",
                   "--prior", "normal:-10,1.5", "--draws", "1000", "--tune", "1000", "--chains", "4", "--seed", "3")
    api = bl.analyze_crossover(df, active="LDN", control="placebo", better="lower", prior=pr.normal(-10, 1.5),
                               random_seed=3, **common)
    out = api.to_dict()
    for k in ("mean", "median", "lower", "upper", "prob_better"):
        assert out[k] == cli[k]
    # The builder takes the aligned prior: N(+10, 1.5) on "positive = better" is the same model.
    data = bl.CrossoverData.from_frame(df, treatment="LDN", reference="placebo")
    model = bl.crossover_model(data, pr.normal(10, 1.5), better="lower", carryover="none", likelihood="normal",
                               baseline=False)
    direct = bl.fit(model, random_seed=3, **common)
    np.testing.assert_array_equal(direct["posterior"]["treatment_effect"].values,
                                  api.idata["posterior"]["treatment_effect"].values)
    post = api.idata["posterior"]
    np.testing.assert_array_equal(post["treatment_effect"].values, -post["treatment_effect_aligned"].values)
    # The printed prior pulled the effect towards -10 (a sign error would pull it towards +10).
    vague = bl.analyze_crossover(df, active="LDN", control="placebo", better="lower", random_seed=3, **common)
    assert -10 < out["mean"] < vague.to_dict()["mean"]


@pytest.mark.slow
def test_parallel_printed_prior_same_posterior_cli_api(tmp_path, capsys):
    sim = bl.simulate_final_like(random_seed=5, n_per_arm=(30, 30), include_pain=False)
    f = sim.frame[sim.frame.outcome == "cpm"]
    path = tmp_path / "p.csv"
    f.to_csv(path, index=False)
    cols = {c: c for c in ("arm", "baseline", "followup")}
    assert set(cols) <= set(f.columns)
    cli = cli_json(capsys, "parallel", str(path), "--arm", "arm", "--baseline", "baseline", "--followup", "followup",
                   "--active", "LDN", "--control", "placebo", "--method", "ancova", "--better", "lower",
                   "--prior", "normal:1,0.5", "--draws", "500", "--tune", "500", "--chains", "2")
    api = bl.analyze_parallel(f, active="LDN", control="placebo", better="lower", method="ancova",
                              prior="normal:1,0.5", draws=500, tune=500, chains=2).to_dict()
    for k in ("mean", "median", "lower", "upper", "prob_better"):
        assert api[k] == cli[k]
    assert isinstance(pd.DataFrame([api]), pd.DataFrame)
