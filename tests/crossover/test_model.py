"""Crossover builders without sampling: structure, and log-density at a fixed point against SciPy."""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.designs.crossover import NuisancePriors, crossover_model, nuisance_priors
from bayes_ldn.designs.crossover_first_period import first_period_model
from bayes_ldn.exceptions import DataValidationError

# Python-mode compilation: these tests check algebra, not speed.
# A parameter point on the outcome scale, away from any symmetry that could hide a sign error.
POINT = {"intercept": 11.0, "period_2": 0.7, "aligned": 1.3, "sequence_BA": -0.4, "carryover": 0.9,
         "slope": 0.25, "subject_sd": 1.7, "residual_sd": 1.2, "residual_df": 5.0}
Z = np.array([0.3, -1.1, 0.8, -0.2])


def point_for(model):
    """The model's value variables at POINT (log-transformed scales)."""
    m = model.pymc_model
    values = {
        "intercept": POINT["intercept"], "period_effect": np.array([POINT["period_2"]]),
        "treatment_effect_aligned": POINT["aligned"], "subject_z": Z,
        "sequence_effect": np.array([POINT["sequence_BA"]]), "carryover_effect": POINT["carryover"],
        "baseline_slope": POINT["slope"], "subject_sd_log__": np.log(POINT["subject_sd"]),
        "residual_sd_log__": np.log(POINT["residual_sd"]), "residual_df_log__": np.log(POINT["residual_df"]),
    }
    return {v.name: values[v.name] for v in m.value_vars}


def by_hand(data, better, *, sequence=False, carryover=False, baseline=False, student=False):
    """Mean of every row from the design written out in the test, then SciPy's log density."""
    f = data.frame
    sign = 1 if better == "higher" else -1
    mu = POINT["intercept"] + POINT["period_2"] * (f["period"] == 2).to_numpy()
    mu = mu + sign * POINT["aligned"] * (f["treatment"] == "LDN").to_numpy()
    subj = {"s1": 0, "s2": 1, "s3": 2, "s4": 3}
    mu = mu + POINT["subject_sd"] * Z[[subj[s] for s in f["subject"]]]
    if sequence:
        mu = mu + POINT["sequence_BA"] * (f["sequence"] == "BA").to_numpy()
    if carryover:
        follows_ldn = (f["sequence"] == "AB").to_numpy() & (f["period"] == 2).to_numpy()
        mu = mu + POINT["carryover"] * follows_ldn
    if baseline:
        b = f["baseline"].to_numpy()
        mu = mu + POINT["slope"] * (b - b.mean())
    y = f["outcome"].to_numpy()
    if student:
        return stats.t.logpdf(y, POINT["residual_df"], mu, POINT["residual_sd"]).sum()
    return stats.norm.logpdf(y, mu, POINT["residual_sd"]).sum()


CASES = [
    ({"carryover": "none", "likelihood": "normal", "baseline": False}, {}),
    ({"carryover": "sequence", "likelihood": "normal", "baseline": False}, {"sequence": True}),
    ({"carryover": "first_order", "likelihood": "normal", "baseline": False,
      "carryover_prior": pr.normal(0, 2)}, {"carryover": True}),
    ({"carryover": "none", "likelihood": "student", "baseline": True}, {"baseline": True, "student": True}),
]


@pytest.mark.parametrize("better", ["higher", "lower"])
@pytest.mark.parametrize(("kwargs", "hand"), CASES)
def test_outcome_logp_matches_scipy(small_data, better, kwargs, hand):
    model = crossover_model(small_data, pr.vague(), better=better, **kwargs)
    logp = model.pymc_model.compile_logp(vars=[model.pymc_model["outcome"]], jacobian=False, mode="FAST_COMPILE")
    assert logp(point_for(model)) == pytest.approx(by_hand(small_data, better, **hand), rel=1e-10)


def test_treatment_effect_is_sign_times_aligned(small_data):
    model = crossover_model(small_data, pr.normal(2.0, 1.0), better="lower", carryover="none",
                            likelihood="normal", baseline=False)
    m = model.pymc_model
    (effect,) = m.replace_rvs_by_values([m["treatment_effect"]])
    fn = m.compile_fn(effect, inputs=m.value_vars, on_unused_input="ignore", mode="FAST_COMPILE")
    assert float(fn(point_for(model))) == -POINT["aligned"]
    assert model.choices["sign"] == -1
    assert model.priors["treatment_effect_aligned"]["params"] == {"mu": 2.0, "sigma": 1.0}


def test_model_structure(small_data):
    model = crossover_model(small_data, pr.vague(), better="higher", carryover="sequence",
                            likelihood="student", baseline=True)
    m = model.pymc_model
    free = {v.name for v in m.free_RVs}
    assert free == {"intercept", "period_effect", "treatment_effect_aligned", "subject_sd", "subject_z",
                    "sequence_effect", "baseline_slope", "residual_sd", "residual_df"}
    assert m.named_vars_to_dims["subject_z"] == ("subject",)
    assert m.named_vars_to_dims["period_effect"] == ("period_contrast",)
    assert list(m.coords["sequence_contrast"]) == ["BA"]
    np.testing.assert_array_equal(m["outcome_observed"].get_value(), small_data.outcome)
    assert np.isfinite(m.compile_dlogp(mode="FAST_COMPILE")(m.initial_point())).all()
    assert model.design == "crossover" and len(model.data_digest) == 64
    assert model.choices["carryover"] == "sequence" and model.choices["likelihood"] == "student"


def test_first_period_logp_matches_scipy(small_data):
    model = first_period_model(small_data, pr.vague(), better="lower", likelihood="normal")
    m = model.pymc_model
    point = {"intercept": 11.0, "treatment_effect_aligned": 1.3, "residual_sd_log__": np.log(2.0)}
    first = small_data.frame[small_data.frame["period"] == 1]
    mu = 11.0 - 1.3 * (first["treatment"] == "LDN").to_numpy()
    expected = stats.norm.logpdf(first["outcome"].to_numpy(), mu, 2.0).sum()
    logp = m.compile_logp(vars=[m["outcome"]], jacobian=False, mode="FAST_COMPILE")
    assert logp(point) == pytest.approx(expected, rel=1e-10)


def test_builder_reports_every_bad_choice(small_data):
    frame = small_data.frame.drop(columns="baseline")
    from bayes_ldn.data.crossover import CrossoverData

    no_baseline = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    with pytest.raises(DataValidationError) as info:
        crossover_model(no_baseline, pr.vague(), better="up", carryover="period", likelihood="cauchy",
                        baseline=True)
    text = str(info.value)
    for msg in ("carryover must be one of none, sequence, first_order", "likelihood must be one of normal, student",
                "better must be 'higher' or 'lower'", "baseline=True needs a baseline column"):
        assert msg in text


def test_first_order_needs_a_carryover_prior(small_data):
    with pytest.raises(DataValidationError, match="carryover='first_order' needs carryover_prior"):
        crossover_model(small_data, pr.vague(), better="higher", carryover="first_order",
                        likelihood="normal", baseline=False)


def test_nuisance_presets_are_fixed_numbers():
    assert nuisance_priors("wide").intercept_sigma == 100.0
    fiqr = nuisance_priors("scale_0_100")
    assert (fiqr.intercept_mu, fiqr.intercept_sigma, fiqr.effect_sigma, fiqr.sd_sigma) == (50, 50, 25, 25)
    assert NuisancePriors.for_range(0, 10).sd_sigma == 2.5
    with pytest.raises(DataValidationError, match="unknown nuisance preset 'tight'"):
        nuisance_priors("tight")
