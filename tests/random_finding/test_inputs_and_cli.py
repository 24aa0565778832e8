"""Missing inputs give "not available" rows; bad inputs raise with clear messages; the CLI writes files."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from bayes_ldn.cli import main
from bayes_ldn.datasets import load_record
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.random_finding import COLUMNS, random_finding, standard_choices
from bayes_ldn.random_finding.association import slope_posterior
from bayes_ldn.random_finding.choices import RandomFindingChoices

CHOICES = standard_choices(conversion="ci_normal")
WITHIN = ["final_cpm_change_ldn", "final_cpm_change_placebo"]


def _run(**kw):
    args = dict(family_records=None, within_records=None, patient_data=None, choices=CHOICES)
    args.update(kw)
    return random_finding("final_cpm", **args)


def _na(verdict, angle_no):
    rows = verdict.table[verdict.table["angle"].str.startswith(angle_no)]
    assert len(rows) == 1 and rows["points_to"].iloc[0] == "not available"
    return rows["note"].iloc[0]


def test_missing_inputs_give_not_available_rows():
    v = _run()
    assert _na(v, "1").startswith("not available, because no sibling outcomes")
    assert _na(v, "5") == "not available, because no within-group changes were given"
    assert _na(v, "6").startswith("not available, because no patient-level data")
    assert list(v.table.columns) == list(COLUMNS)
    assert set(v.table["points_to"]) <= {"random finding", "real effect", "neutral", "not available"}
    assert "Not assessed" in v.paragraph


def test_family_of_one_and_missing_placebo_arm():
    v = _run(family_records=[load_record("final_cpm")], within_records=[load_record(WITHIN[0])])
    assert "no outcome besides the flagged one" in _na(v, "1")
    assert "within-group change of placebo is missing" in _na(v, "5")


def test_patient_data_without_the_outcome():
    frame = pd.DataFrame({"subject": [1], "arm": ["LDN"], "outcome": ["fiq"], "baseline": [1.0], "followup": [2.0]})
    v = _run(patient_data=frame)
    assert "no outcome 'cpm', 'pain_nrs'" in _na(v, "6")


def test_invalid_inputs_raise_with_messages():
    bad_frame = pd.DataFrame({"subject": [1], "outcome": ["cpm"]})
    with pytest.raises(DataValidationError, match="lack column.*arm, baseline, followup"):
        _run(patient_data=bad_frame)
    with pytest.raises(DataValidationError, match="arm 'LDN' or 'placebo'"):
        _run(within_records=[load_record("final_pain")])
    with pytest.raises(DataValidationError, match="unknown record id 'final_cmp'"):
        random_finding("final_cmp", family_records=None, within_records=None, patient_data=None, choices=CHOICES)
    fields = CHOICES.to_dict() | {"real_prob": 0.8, "random_prob": 0.9, "headline_tau_scale": 0.3,
                                  "skeptical_strengths": ("mild",)}
    with pytest.raises(DataValidationError) as err:
        RandomFindingChoices(**fields)
    text = str(err.value)
    assert "random_prob <= real_prob" in text and "headline_tau_scale 0.3" in text and "'mild'" in text


def _patients(slope, seed, n_per_arm=200):
    rng = np.random.default_rng(seed)
    arm = np.repeat(["LDN", "placebo"], n_per_arm)
    cpm = rng.normal(0, 4, arm.size) + 2.0 * (arm == "LDN")
    pain = slope * cpm - 0.4 * (arm == "LDN") + rng.normal(0, 1.5, arm.size)
    subj = np.arange(arm.size)
    rows = [pd.DataFrame({"subject": subj, "arm": arm, "outcome": o, "baseline": 0.0, "followup": v})
            for o, v in (("cpm", cpm), ("pain_nrs", pain))]
    return pd.concat(rows, ignore_index=True), cpm, pain, arm


def test_slope_posterior_matches_frequentist_reference_and_recovers_truth():
    frame, cpm, pain, arm = _patients(slope=-0.3, seed=3)
    post = slope_posterior(cpm, pain, arm == "LDN")
    ols = sm.OLS(pain, sm.add_constant(np.column_stack([cpm, arm == "LDN"]).astype(float))).fit()
    assert post.estimate == pytest.approx(ols.params[1], rel=1e-10)
    assert post.interval(0.95) == pytest.approx(tuple(ols.conf_int(0.05)[1]), rel=1e-10)
    assert post.interval(0.95)[0] < -0.3 < post.interval(0.95)[1]


def test_pain_angle_on_patient_data():
    frame, cpm, pain, arm = _patients(slope=0.0, seed=11, n_per_arm=400)
    v = _run(patient_data=frame)
    rows = v.table[v.table["angle"].str.startswith("6")]
    neg = rows[rows["quantity"].str.startswith("P(|slope| <")]
    post = slope_posterior(cpm, pain, arm == "LDN")
    expected = stats.t.cdf(0.1, post.df, post.estimate, post.se) - stats.t.cdf(-0.1, post.df, post.estimate, post.se)
    assert neg["value"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert neg["points_to"].iloc[0] == "random finding" and bool(neg["in_verdict"].iloc[0])
    frame, *_ = _patients(slope=-0.5, seed=12, n_per_arm=400)
    rows = _run(patient_data=frame).table
    assert rows.loc[rows["quantity"].str.startswith("P(|slope| <"), "points_to"].iloc[0] == "real effect"


def test_synthetic_patient_data_are_not_counted():
    frame, *_ = _patients(slope=0.0, seed=5)

    class Synthetic:  # the shape of simulate_final_like's result
        def __init__(self, frame):
            self.frame, self.truth = frame, {"pain_cpm_slope": 0.0}

    v = _run(patient_data=Synthetic(frame))
    rows = v.table[v.table["angle"].str.startswith("6")]
    assert not rows["in_verdict"].any()
    assert "synthetic" in rows["note"].iloc[1] and "synthetic data" in v.paragraph


def test_cli_writes_verdict_files(tmp_path, capsys):
    out = tmp_path / "cpm"
    assert main(["random-finding", "--trial", "final", "--outcome", "cpm", "--out", str(out)]) == 0
    table = pd.read_csv(out / "verdict.csv")
    assert {"angle", "quantity", "value", "points_to", "note"} <= set(table.columns)
    assert len(table) == 36
    md = (out / "verdict.md").read_text()
    assert md.startswith("# Is FINAL's CPM result a random finding?") and "## Verdict table" in md
    assert "Unverified inputs: final_arm_hold (3P)" in md
    assert "written" in capsys.readouterr().out


def test_cli_memory_item(tmp_path):
    out = tmp_path / "memory"
    assert main(["random-finding", "--trial", "final", "--outcome", "memory", "--out", str(out)]) == 0
    table = pd.read_csv(out / "verdict.csv")
    assert set(table["record"]) == {"final_memory_mdedge", "final_memory_medpage"}
    md = (out / "verdict.md").read_text()
    assert "conflicting secondary reports" in md and "same standardized effect" in md
    # standardized figures coincide; the raw-unit sceptical limit does not
    by = table.pivot_table(index="quantity", columns="record", values="value", aggfunc="first")
    assert by.loc["BF10, prior N(0, 0.5^2) on d"].nunique() == 1
    assert by.loc["sceptical limit SL (Matthews 2018)"].nunique() == 2
    assert "other FIQR items were not published" in md


def test_cli_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "never"
    code = main(["random-finding", "--trial", "final", "--outcome", "cpm", "--out", str(out),
                 "--patient-data", str(tmp_path / "missing.csv")])
    assert code == 2 and not out.exists()
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"subject": [1]}).to_csv(bad, index=False)
    assert main(["random-finding", "--trial", "final", "--outcome", "cpm", "--out", str(out),
                 "--patient-data", str(bad)]) == 2
    assert not out.exists() and "lack column" in capsys.readouterr().err
    assert main(["random-finding", "--trial", "final", "--outcome", "cpm", "--out", str(out),
                 "--patient-data", str(bad), "--synthetic-seed", "1"]) == 2
    assert "not both" in capsys.readouterr().err


def test_with_simulate_final_like(tmp_path):
    from bayes_ldn.data.simulate_parallel import simulate_final_like as simulate

    none = simulate(random_seed=3, include_pain=True, pain_cpm_slope=0.0)
    strong = simulate(random_seed=3, include_pain=True, pain_cpm_slope=-0.3)
    rows = {}
    for name, sim in (("none", none), ("strong", strong)):
        t = _run(patient_data=sim).table
        rows[name] = t[t["quantity"].str.startswith("P(|slope| <")].iloc[0]
    assert rows["none"]["points_to"] == "random finding" and not rows["none"]["in_verdict"]
    assert rows["strong"]["points_to"] == "real effect"
    out = tmp_path / "synthetic"
    assert main(["random-finding", "--trial", "final", "--outcome", "cpm", "--out", str(out),
                 "--synthetic-seed", "3"]) == 0
    assert "synthetic FINAL-like data" in (out / "verdict.md").read_text()
