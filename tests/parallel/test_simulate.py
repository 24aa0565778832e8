"""Synthetic FINAL-like data: structure, labels, reproducibility, and moments against the truth."""

import numpy as np
import pytest

from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_parallel import SYNTHETIC_LABEL, simulate_final_like
from bayes_ldn.exceptions import DataValidationError


def test_structure_labels_and_reproducibility():
    a = simulate_final_like(random_seed=1)
    b = simulate_final_like(random_seed=1)
    assert a.frame.equals(b.frame) and not a.frame.equals(simulate_final_like(random_seed=2).frame)
    assert list(a.frame.columns) == ["subject", "arm", "outcome", "baseline", "followup"]
    assert a.frame.attrs["synthetic"] is True and a.label == SYNTHETIC_LABEL == a.truth["label"]
    assert set(a.frame.outcome) == {"cpm", "tolerance_left", "tolerance_right", "tsp", "chair_stand",
                                    "arm_hold", "pain_nrs"}
    data = ParallelData.from_frame(a.frame, treatment="LDN", reference="placebo")
    assert data.arm_sizes() == {"LDN": 45, "placebo": 47}
    assert "pain_nrs" not in set(simulate_final_like(random_seed=1, include_pain=False).frame.outcome)
    # Defaults are the published estimates (aligned TSP stays printed here: -0.1 = LDN better).
    assert a.truth["effects"]["cpm"] == 2.0 and a.truth["effects"]["tsp"] == -0.1
    assert a.truth["change_reference"]["cpm"] == -0.8 and a.truth["change_treatment"]["cpm"] == pytest.approx(1.2)


def test_large_sample_moments_match_truth():
    sim = simulate_final_like(random_seed=3, n_per_arm=(20000, 20000), pain_cpm_slope=-0.2,
                              measurement_sd={"cpm": 3.0})
    f, truth = sim.frame, sim.truth
    wide = f.pivot(index="subject", columns="outcome", values=["baseline", "followup"])
    arm = f.drop_duplicates("subject").set_index("subject").loc[wide.index, "arm"]
    change = wide["followup"] - wide["baseline"]
    n = 20000
    for k in ("cpm", "tolerance_left", "tsp", "pain_nrs"):
        sd = truth["observed_change_sd"][k]
        diff = change.loc[arm == "LDN", k].mean() - change.loc[arm == "placebo", k].mean()
        assert abs(diff - truth["effects"][k]) < 4 * sd * np.sqrt(2 / n)
        assert change.loc[arm == "placebo", k].std() == pytest.approx(sd, rel=4 / np.sqrt(2 * n))
    # Regression to the mean: the within-arm slope of follow-up on baseline is the reliability.
    ref = arm == "placebo"
    slope = np.polyfit(wide["baseline"].loc[ref, "cpm"], wide["followup"].loc[ref, "cpm"], 1)[0]
    assert truth["ancova_slope"]["cpm"] == pytest.approx(36 / (36 + 9))
    assert abs(slope - truth["ancova_slope"]["cpm"]) < 0.03
    # Pain change follows latent CPM change with the given slope (attenuated by CPM's measurement error).
    pain_slope = np.polyfit(change.loc[ref, "cpm"], change.loc[ref, "pain_nrs"], 1)[0]
    cpm_latent_var = truth["change_sd"]["cpm"] ** 2
    expected = -0.2 * cpm_latent_var / (cpm_latent_var + 2 * 9)
    assert abs(pain_slope - expected) < 0.01
    assert truth["pain_direct_effect"] == pytest.approx(-0.34 + 0.2 * 2.0)
    # Correlated baselines across outcomes: the two legs.
    r = np.corrcoef(wide["baseline"]["tolerance_left"], wide["baseline"]["tolerance_right"])[0, 1]
    expected_r = 0.85 * 15**2 / (15**2 + (0.3 * 15) ** 2)
    assert abs(r - expected_r) < 0.02


def test_bad_arguments_listed():
    with pytest.raises(DataValidationError) as err:
        simulate_final_like(random_seed=1, n_per_arm=(1, 5), effects={"fiqr": 1.0}, measurement_sd={"cpm": -1})
    msg = str(err.value)
    assert "n_per_arm must be two sizes >= 2" in msg
    assert "effects: unknown outcome(s) ['fiqr']" in msg
    assert "measurement_sd must be finite and >= 0" in msg
