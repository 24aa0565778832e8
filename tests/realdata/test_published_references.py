"""The bundled real datasets: they load, validate, and reproduce the numbers printed in their sources.

Default tier (no MCMC). The frequentist references (``tests/realdata/frequentist.py``) are
statsmodels fits sharing no code with bayes_ldn; a published number is compared at the precision
it was printed to (half a unit in its last printed digit), so a typo in one observation of the
size a transcription slip makes fails the test (``test_a_transcription_error_is_caught``).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import bayes_ldn as bl
from bayes_ldn.data.crossover_summaries import hills_armitage, sequence_summaries
from bayes_ldn.datasets import examples
from bayes_ldn.exceptions import BayesLDNError, DataValidationError
from tests.realdata import frequentist as fq

# -- loading and metadata --------------------------------------------------------------------


def test_every_example_loads_with_the_size_and_columns_its_metadata_states():
    names = bl.list_examples()
    assert names == ["senn_pef", "chow_liu_auc", "jones_kenward_pk", "patel_fev1", "anorexia"]
    for name in names:
        info = examples.example_info(name)
        frame = bl.load_example(name)
        assert len(frame) == info["n_rows"], name
        assert frame["subject"].nunique() == info["n_subjects"], name
        assert set(info["columns"].values()) <= set(frame.columns), name
        assert info["design"] in ("crossover", "parallel")
        assert info["better"] in ("higher", "lower")
        for key in ("citation", "source", "source_licence", "units", "outcome", "transcription"):
            assert info[key], (name, key)
        assert "published" in info or "computed" in info, name


def test_example_info_is_a_copy():
    info = examples.example_info("senn_pef")
    info["published"]["estimate"] = 0.0
    assert examples.example_info("senn_pef")["published"]["estimate"] == 46.6


def test_unknown_example_lists_the_known_ones():
    with pytest.raises(DataValidationError, match="senn_pef.*anorexia"):
        bl.load_example("senn")
    with pytest.raises(DataValidationError, match="unknown example 'x'"):
        examples.example_info("x")


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    """A bundled CSV that no longer matches its recorded SHA-256 is not silently used."""
    folder = tmp_path / "examples"
    shutil.copytree(examples._folder(), folder)
    path = folder / "senn_pef.csv"
    path.write_text(path.read_text().replace("310", "311", 1))
    monkeypatch.setattr(examples, "_folder", lambda: folder)
    with pytest.raises(BayesLDNError, match="SHA-256"):
        examples.load_example("senn_pef")
    examples.load_example("anorexia")  # an unchanged file still loads


def test_recorded_digests_are_the_files_digests():
    for name in examples.list_examples():
        info = examples.example_info(name)
        raw = examples._folder().joinpath(info["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == info["sha256"]


def test_loading_examples_never_imports_pymc():
    code = ("import sys; from bayes_ldn.datasets.examples import load_example; load_example('senn_pef'); "
            "print('pymc' in sys.modules or 'pytensor' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- validation through bayes_ldn's own data classes ------------------------------------------


def _crossover(name: str, outcome: str = "outcome") -> bl.CrossoverData:
    info = examples.example_info(name)
    frame = bl.load_example(name)
    frame = frame[frame[outcome].notna()]
    return bl.CrossoverData.from_frame(frame, treatment=info["treatment"], reference=info["reference"],
                                       columns={"outcome": outcome})


def test_senn_validates_as_an_ab_ba_crossover_with_period_baselines():
    data = _crossover("senn_pef")
    assert data.sequence_orders == {"for/sal": ("formoterol", "salbutamol"), "sal/for": ("salbutamol", "formoterol")}
    assert data.has_baseline and data.n_obs == 26 and len(data.subjects) == 13


def test_chow_liu_validates():
    data = _crossover("chow_liu_auc")
    assert data.sequence_orders == {"RT": ("R", "T"), "TR": ("T", "R")}
    assert len(data.subjects) == 24 and not data.has_baseline


def test_patel_validates_and_its_references_agree():
    """Patel (1983) via Jones & Kenward (2014), FEV1 in litres: complete AB/BA data, so the
    within-subject OLS and REML coincide; the recorded A - B estimate is this computation's."""
    data = _crossover("patel_fev1")
    assert len(data.subjects) == 17 and data.has_baseline
    frame = bl.load_example("patel_fev1")
    comp = examples.example_info("patel_fev1")["computed"]
    within = fq.crossover_within(frame, treatment="A")
    reml = fq.crossover_reml(frame, treatment="A")
    assert within.df == reml.df == comp["df"]
    assert np.allclose([within.estimate, within.lower, within.upper], [comp["estimate"], comp["lower"], comp["upper"]],
                       atol=5e-6)
    assert reml.estimate == pytest.approx(within.estimate, abs=1e-8)
    assert reml.se == pytest.approx(within.se, rel=1e-5)


def test_jones_kenward_auc_keeps_incomplete_subjects():
    """Subject 15's AUC is missing in period 1 but present in period 2, subject 5's in period 2;
    both are kept as incomplete subjects for the mixed model, and complete_only() drops them."""
    data = _crossover("jones_kenward_pk")
    # 49 subjects - 28 and 46 (no AUC at all).
    assert len(data.subjects) == 47 and data.n_obs == 92
    assert data.completeness()["n_complete_subjects"] == 45
    assert data.completeness()["n_incomplete_subjects"] == 2
    assert len(data.complete_only().subjects) == 45


def test_the_log_scale_is_taken_inside_and_checked():
    """CrossoverData(scale="log") takes logs of the positive AUCs itself and refuses a zero."""
    info = examples.example_info("chow_liu_auc")
    frame = bl.load_example("chow_liu_auc")
    data = bl.CrossoverData.from_frame(frame, treatment="T", reference="R", scale="log")
    assert np.allclose(np.sort(data.outcome), np.sort(np.log(frame["outcome"])))
    assert data.scale == "log" and info["scale"] == "log"
    with pytest.raises(DataValidationError, match="log scale needs positive values"):
        bl.CrossoverData.from_frame(frame.assign(outcome=frame["outcome"].where(frame.index != 3, 0.0)),
                                    treatment="T", reference="R", scale="log")


def test_jones_kenward_cmax_validates_with_its_drop_outs():
    data = _crossover("jones_kenward_pk", outcome="cmax")
    assert len(data.subjects) == 49 and data.n_obs == 96 and len(data.completers()) == 47


def test_anorexia_validates_on_two_arms_and_names_the_third():
    frame = bl.load_example("anorexia")
    with pytest.raises(DataValidationError, match=r"unknown arm level\(s\) \['CBT'\]"):
        bl.ParallelData.from_frame(frame, treatment="FT", reference="Cont")
    data = bl.ParallelData.from_frame(frame[frame.arm.isin(["FT", "Cont"])], treatment="FT", reference="Cont")
    assert data.arm_sizes() == {"FT": 17, "Cont": 26}
    assert data.baseline.mean() == pytest.approx(82.22, abs=0.005)  # an outcome far from 0 (lb)


# -- the published numbers --------------------------------------------------------------------


def _within(value: float, printed: float, precision: float) -> bool:
    return abs(value - printed) <= precision + 1e-12


@pytest.mark.parametrize("reference", [fq.crossover_within, fq.crossover_reml])
def test_senn_pef_reproduces_the_published_period_adjusted_effect(reference):
    """Senn S. Cross-over Trials in Clinical Research, 2nd ed., Wiley 2002, ch. 3: the
    period-adjusted (Hills-Armitage) formoterol - salbutamol difference is 46.6 L/min, 95% CI
    22.9 to 70.3, t with 11 df. With complete data the OLS with subject fixed effects and the
    REML mixed model both give it."""
    pub = examples.example_info("senn_pef")["published"]
    ref = reference(bl.load_example("senn_pef"), treatment="formoterol")
    assert ref.df == pub["df"] == 11
    for got, key in ((ref.estimate, "estimate"), (ref.lower, "lower"), (ref.upper, "upper")):
        assert _within(got, pub[key], pub["precision"]), (key, got, pub[key])


def test_senn_pef_bayes_ldn_hills_armitage_summaries_agree():
    """bayes_ldn's own Hills-Armitage summaries give the same published 46.6 (SE from the same t)."""
    data = _crossover("senn_pef")
    ha = hills_armitage(sequence_summaries(data), treatment="formoterol", reference="salbutamol")
    ref = fq.crossover_within(bl.load_example("senn_pef"), treatment="formoterol")
    assert ha.df == 11
    assert ha.treatment_effect == pytest.approx(ref.estimate, rel=1e-12)
    assert ha.se == pytest.approx(ref.se, rel=1e-10)


def test_chow_liu_reproduces_the_published_90_interval():
    """Chow S-C, Liu J-P. Design and Analysis of Bioavailability and Bioequivalence Studies,
    3rd ed., Chapman & Hall/CRC 2009: the classic 90% confidence interval of mu_T - mu_R for the
    2x2 AUC example is (-8.698, 4.123) (data transcribed from Li & Chow 2015, J Probab Stat,
    doi:10.1155/2015/298647, Table 1)."""
    pub = examples.example_info("chow_liu_auc")["published"]
    ref = fq.crossover_within(bl.load_example("chow_liu_auc"), treatment="T", ci_prob=pub["ci_prob"])
    assert ref.df == pub["df"] == 22
    for got, key in ((ref.estimate, "estimate"), (ref.lower, "lower"), (ref.upper, "upper")):
        assert _within(got, pub[key], pub["precision"]), (key, got, pub[key])


def test_chow_liu_log_scale_bioequivalence():
    """Log-scale ANOVA of the same data (computed, recorded in examples.toml): the geometric
    mean ratio 0.9718 with 90% interval 0.8831 to 1.0693 lies inside 0.80-1.25; OLS and REML agree
    with complete data."""
    info = examples.example_info("chow_liu_auc")
    frame = bl.load_example("chow_liu_auc")
    within = fq.crossover_within(frame, treatment="T", log=True, ci_prob=0.9)
    reml = fq.crossover_reml(frame, treatment="T", log=True, ci_prob=0.9)
    comp = info["computed"]
    assert np.allclose(within.ratio(), [comp["ratio"], comp["lower"], comp["upper"]], atol=5e-6)
    assert np.allclose(reml.ratio(), within.ratio(), atol=1e-5)
    low, high = info["equivalence"]
    assert low < within.ratio()[1] and within.ratio()[2] < high


def test_jones_kenward_reml_uses_the_incomplete_subjects():
    """Jones & Kenward (2014) PK example, log scale, 90% intervals: the REML mixed model uses the
    subjects seen in one period only (47 for AUC, 49 for Cmax), the within-subject OLS only the
    completers (45, 47); the recorded numbers are this computation's (no printed result checked)."""
    frame = bl.load_example("jones_kenward_pk")
    comp = examples.example_info("jones_kenward_pk")["computed"]
    for outcome, key, n_within, n_reml in (("outcome", "auc", 45, 47), ("cmax", "cmax", 47, 49)):
        within = fq.crossover_within(frame, treatment="T", outcome=outcome, log=True, ci_prob=0.9)
        reml = fq.crossover_reml(frame, treatment="T", outcome=outcome, log=True, ci_prob=0.9)
        assert (within.n_subjects, reml.n_subjects) == (n_within, n_reml)
        assert np.allclose(within.ratio(), comp[f"{key}_within"], atol=5e-6)
        assert np.allclose(reml.ratio(), comp[f"{key}_reml"], atol=5e-5)
        assert not np.isclose(within.estimate, reml.estimate, atol=1e-3)  # the extra rows count


def test_anorexia_reproduces_venables_ripley():
    """Venables WN, Ripley BD. Modern Applied Statistics with S, 4th ed., Springer 2002, §7.1:
    ``glm(Postwt ~ Prewt + Treat + offset(Prewt), family = gaussian, data = anorexia)`` prints
    (Intercept) 49.7711 (SE 13.3910), Prewt -0.5655 (0.1612), TreatCont -4.0971 (1.8935),
    TreatFT 4.5631 (2.1333) on 68 df (CBT the reference arm)."""
    pub = examples.example_info("anorexia")["published"]
    got = fq.ancova_all_arms(bl.load_example("anorexia"), reference="CBT", offset=True)
    rename = {"Intercept": "Intercept", "Prewt": "baseline", "TreatCont": "Cont", "TreatFT": "FT"}
    for printed_name, (estimate, se) in pub["coefficients"].items():
        row = got.loc[rename[printed_name]]
        assert _within(row["estimate"], estimate, pub["precision"]), printed_name
        assert _within(row["se"], se, pub["precision"]), printed_name
        assert row["df"] == pub["df"]


def test_anorexia_two_arm_ancova_and_change_score():
    """FT vs Cont only: ANCOVA 9.03 (4.93 to 13.14) lb and change score 7.71 (2.88 to 12.55) lb
    (computed, recorded in examples.toml). The change score equals the ANCOVA with the slope
    fixed at 1, so its estimate is the difference in mean changes."""
    frame = bl.load_example("anorexia")
    comp = examples.example_info("anorexia")["computed"]
    ancova = fq.parallel_ancova(frame, treatment="FT", reference="Cont")
    change = fq.parallel_change(frame, treatment="FT", reference="Cont")
    assert np.allclose([ancova.estimate, ancova.lower, ancova.upper], comp["ancova"], atol=5e-5)
    assert np.allclose([change.estimate, change.lower, change.upper], comp["change"], atol=5e-5)
    two = frame[frame.arm.isin(["FT", "Cont"])]
    mean_change = (two.followup - two.baseline).groupby(two.arm).mean()
    assert change.estimate == pytest.approx(mean_change["FT"] - mean_change["Cont"], rel=1e-12)


@pytest.mark.parametrize(("name", "column", "delta"), [("senn_pef", "outcome", 10.0),
                                                       ("chow_liu_auc", "outcome", 0.1)])
def test_a_transcription_error_is_caught(name, column, delta):
    """A typo in one value (a PEF 10 L/min off, an AUC 0.1 off in its first decimal) moves the
    reference off the published number, so the published-number tests can fail."""
    info = examples.example_info(name)
    pub = info["published"]
    frame = bl.load_example(name).copy()
    frame.loc[0, column] += delta
    ref = fq.crossover_within(frame, treatment=info["treatment"], ci_prob=pub["ci_prob"])
    assert not all(_within(v, pub[k], pub["precision"])
                   for v, k in ((ref.estimate, "estimate"), (ref.lower, "lower"), (ref.upper, "upper")))


def test_reference_t_sd_and_interval():
    """The Reference helper's interval is estimate -+ t * se and its t_sd the t-distribution's SD."""
    ref = fq.Reference("x", 1.0, 2.0, 10.0, 0.95, 12, 24)
    assert ref.upper - ref.estimate == pytest.approx(2.0 * 2.228138852, rel=1e-9)
    assert ref.t_sd == pytest.approx(2.0 * np.sqrt(10 / 8), rel=1e-12)
    with pytest.raises(ValueError):
        ref.ratio()
