"""The main job and the posterior command, end to end (exact, no sampling)."""

import json

import pandas as pd
import pytest

from bayes_ldn.cli import main
from bayes_ldn.spec import load_spec


def run_json(capsys, *argv):
    assert main(["posterior", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_andromeda_shock_skeptical(capsys):
    # docs/reference/check-cases.md section 7 (ANDROMEDA-SHOCK, JAMA 2019, PMC6439620): skeptical N(0, 0.392) on log HR -> HR 0.78 (0.59 to 1.04), P(HR<1) = 0.95.
    out = run_json(capsys, "--estimate", "0.75", "--lower", "0.55", "--upper", "1.02", "--scale", "log",
                   "--better", "lower", "--prior", "normal:0,0.392")
    assert round(out["median_ratio"], 2) == 0.78
    assert (round(out["lower_ratio"], 2), round(out["upper_ratio"], 2)) == (0.59, 1.04)
    assert round(out["prob_better"], 2) == 0.95
    flat = run_json(capsys, "--estimate", "0.75", "--lower", "0.55", "--upper", "1.02", "--scale", "log",
                    "--better", "lower")
    assert flat["prob_better"] == pytest.approx(0.9661, abs=5e-5)  # docs/reference/check-cases.md: flat, 0.9661


def test_reanalyze_reproduces_published_results(tmp_path, capsys):
    from bayes_ldn.reanalysis_binary import BINARY_ANALYSES

    assert main(["reanalyze", "--out", str(tmp_path)]) == 0
    t = pd.read_csv(tmp_path / "decisions.csv")
    specs = set(t["spec"])
    for spec_id in specs:
        prs = set(t.loc[t["spec"] == spec_id, "prior"])
        assert "vague" in prs
    cpm = t[(t["spec"] == "final-cpm") & (t["prior"] == "vague")].iloc[0]
    assert round(cpm["median"], 1) == 2.0 and round(cpm["lower"], 1) in (0.3, 0.4) and round(cpm["upper"], 1) in (3.6, 3.7)
    assert 2 * cpm["prob_harm"] == pytest.approx(0.017, abs=0.001)
    pain = t[(t["spec"] == "final-pain") & (t["prior"] == "vague")].iloc[0]
    assert (round(pain["median"], 2), round(pain["lower"], 2), round(pain["upper"], 2)) == (-0.34, -0.95, 0.27)
    # Two-sided p under the flat prior = 2 x P(wrong direction); published p = 0.27.
    assert 2 * min(pain["prob_better"], pain["prob_harm"]) == pytest.approx(0.27, abs=0.01)
    # Every named preset and strength appears for an outcome with an MCID.
    prs = set(t.loc[t["spec"] == "final-pain", "prior"])
    assert {f"{p}_{s}" for p in ("skeptical", "enthusiastic", "pessimistic") for s in ("weak", "moderate", "strong")} <= prs
    # Provenance and conversions are carried; numbers stay numbers.
    assert set(t.loc[t["spec"] == "final-tsp", "evidence"]) == {"3P"}
    bested = t[t["spec"] == "bested-fiqr"]
    assert set(bested["conversions"].str.split(":").str[0]) == {"wan2014", "cochrane", "effect_size", "p_normal"}
    # Summary-level specs are exact; the binary outcomes' rows are exact draws or quadrature (issue 16).
    binary = t["spec"].isin([a.id for a in BINARY_ANALYSES])
    assert t["prob_better"].dtype == float and (t.loc[~binary, "method"] == "exact").all()
    assert set(t.loc[binary, "method"]) == {"exact_draws", "quadrature"} and binary.sum() == 8 * len(BINARY_ANALYSES)
    assert (tmp_path / "summary.md").read_text().startswith("# bayes_ldn reanalysis")
    # Issue 5: unpooled and pooled posteriors side by side for every FINAL exploratory outcome.
    fam = pd.read_csv(tmp_path / "final_exploratory_pooled.csv")
    head = fam[fam["tau_prior"] == "half-normal(0.5)"].set_index("outcome")
    assert len(head) == 6
    assert head.loc["cpm", "pooled_prob_better"] < head.loc["cpm", "unpooled_prob_better"]
    for name in ("report.html", "random_finding_cpm/verdict.csv", "random_finding_memory/verdict.md",
                 "synthesis/forest.png", "synthesis/synthesis_table.csv"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--estimate", "5", "--lower", "0.4", "--upper", "3.7", "--better", "higher"], "outside its interval"),
        (["--estimate", "2", "--lower", "3.7", "--upper", "0.4", "--better", "higher"], "must be below --upper"),
        (["--estimate", "2", "--se", "0", "--better", "higher"], "SE must be positive"),
        (["--median", "-1.65", "--iqr", "18.55", "--n", "1", "--better", "lower", "--conversion", "wan2014"], "n must be at least 2"),
        (["--estimate", "-0.5", "--lower", "0.2", "--upper", "0.9", "--scale", "log", "--better", "lower"], "ratio must be positive"),
        (["--estimate", "2", "--se", "1", "--better", "higher", "--prior", "cauchy"], "unknown prior name 'cauchy'"),
        (["--median", "-1.65", "--iqr", "18.55", "--n", "58", "--better", "lower"], "without a named conversion"),
        (["--estimate", "2", "--se", "1"], "--better higher|lower is required"),
    ],
)
def test_posterior_bad_input(capsys, argv, match):
    assert main(["posterior", *argv]) == 2
    err = capsys.readouterr()
    assert match in err.err and "Traceback" not in err.err and err.out == ""


def test_unknown_record_in_spec_writes_nothing(tmp_path, capsys):
    models = tmp_path / "models"
    models.mkdir()
    (models / "bad.toml").write_text(
        'id = "bad"\ntitle = "x"\nrecord = "no_such_record"\nconversions = ["ci_normal", "guess"]\n'
        '[estimand]\nbetter = "up"\n[thresholds]\nmcid = [-1]\n[priors]\npresets = ["skeptical", "hopeful"]\n'
    )
    out = tmp_path / "out"
    assert main(["reanalyze", "--models", str(models), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for piece in ("no_such_record", "unknown conversion 'guess'", "estimand.better", "mcid_basis", "unknown prior preset 'hopeful'"):
        assert piece in err
    assert not out.exists()


def test_spec_better_must_match_record(tmp_path):
    from bayes_ldn.exceptions import SpecError

    f = tmp_path / "x.toml"
    f.write_text('id = "x"\ntitle = "x"\nrecord = "final_tsp"\nconversions = ["ci_normal"]\n[estimand]\nbetter = "higher"\n'
                 '[thresholds]\nmcid = [0.5]\nmcid_basis = "b"\n[priors]\npresets = ["vague"]\n')
    with pytest.raises(SpecError, match="contradicts record 'final_tsp'"):
        load_spec(f)
