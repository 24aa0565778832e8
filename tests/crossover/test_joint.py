"""Joint multi-outcome crossover model: validation, log density at a fixed point, MCMC recovery."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover_joint import SYNTHETIC_JOINT_LABEL, simulate_crossover_joint
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.designs.crossover_joint import crossover_joint_model
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.fit import fit
from tests.helpers import mcse_mean

SEQ = {"s1": "AB", "s2": "AB", "s3": "BA", "s4": "BA"}
FIQR = {"s1": (40.0, 52.0), "s2": (35.0, 41.0), "s3": (60.0, 47.0), "s4": (55.0, 49.5)}
PAIN = {"s1": (4.0, 6.5), "s2": (3.2, 4.1), "s3": (7.0, 5.5), "s4": (6.1, None)}  # s4 misses period 2


def long_frame(values, seqs=SEQ):
    rows = []
    for s, ys in values.items():
        order = ("LDN", "placebo") if seqs[s] == "AB" else ("placebo", "LDN")
        for p, (t, y) in enumerate(zip(order, ys, strict=True), start=1):
            if y is not None:
                rows.append({"subject": s, "sequence": seqs[s], "period": p, "treatment": t, "outcome": y})
    return pd.DataFrame(rows)


def xdata(frame):
    return CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")


@pytest.fixture
def two_outcomes():
    return {"fiqr": xdata(long_frame(FIQR)), "pain": xdata(long_frame(PAIN))}


def build(data, *, better=None, likelihood="normal", priors=None, nuisance="wide", lkj_eta=2.0):
    keys = list(data)
    return crossover_joint_model(
        data, priors or dict.fromkeys(keys, pr.vague()), better=better or dict.fromkeys(keys, "lower"),
        likelihood=likelihood, nuisance=nuisance, lkj_eta=lkj_eta)


# -- validation ------------------------------------------------------------------------------


def test_subjects_must_match_across_outcomes(two_outcomes):
    extra = {**PAIN, "s5": (5.0, 4.0), "s6": (6.0, 7.0)}
    data = {"fiqr": two_outcomes["fiqr"], "pain": xdata(long_frame(extra, seqs={**SEQ, "s5": "AB", "s6": "BA"}))}
    with pytest.raises(DataValidationError) as info:
        build(data)
    text = str(info.value)
    assert "outcome 'fiqr' has no rows for subject(s) s5, s6 that other outcomes have" in text
    assert "1 problem(s)" in text  # pain has every subject
    swapped = {**{k: v for k, v in PAIN.items() if k != "s2"}, "s5": (5.0, 4.0)}
    data = {"fiqr": two_outcomes["fiqr"], "pain": xdata(long_frame(swapped, seqs={**SEQ, "s5": "AB"}))}
    with pytest.raises(DataValidationError) as info:
        build(data)
    text = str(info.value)
    assert "outcome 'fiqr' has no rows for subject(s) s5" in text
    assert "outcome 'pain' has no rows for subject(s) s2" in text


def test_sequences_levels_and_periods_must_agree(two_outcomes):
    swapped = {**SEQ, "s1": "BA", "s3": "AB"}
    data = {"fiqr": two_outcomes["fiqr"], "pain": xdata(long_frame(PAIN, seqs=swapped))}
    with pytest.raises(DataValidationError, match=r"subject\(s\) s1, s3 are in different sequences in 'fiqr' and 'pain'"):
        build(data)
    relabelled = long_frame(PAIN).replace({"treatment": {"LDN": "naltrexone"}})
    other = CrossoverData.from_frame(relabelled, treatment="naltrexone", reference="placebo")
    with pytest.raises(DataValidationError, match="outcome 'pain' compares 'naltrexone' with 'placebo'"):
        build({"fiqr": two_outcomes["fiqr"], "pain": other})


def test_every_bad_choice_is_reported_at_once(two_outcomes):
    with pytest.raises(DataValidationError) as info:
        crossover_joint_model(two_outcomes, {"fiqr": pr.vague(), "sleep": pr.vague()},
                              better={"fiqr": "down", "pain": "lower"}, likelihood="cauchy",
                              nuisance={"fiqr": "wide"}, lkj_eta=0.0)
    text = str(info.value)
    for msg in ("priors has no entry for outcome(s) pain", "priors has entries for unknown outcome(s) sleep",
                "better must be 'higher' or 'lower' for every outcome, got fiqr='down'",
                "nuisance has no entry for outcome(s) pain", "likelihood must be one of normal, student",
                "lkj_eta must be a positive finite number"):
        assert msg in text


def test_needs_two_identifier_named_outcomes(two_outcomes):
    with pytest.raises(DataValidationError, match="need at least two outcomes for a joint model, got 1"):
        build({"fiqr": two_outcomes["fiqr"]})
    with pytest.raises(DataValidationError, match=r"outcome name\(s\) 'summed pain' are not identifiers"):
        build({"fiqr": two_outcomes["fiqr"], "summed pain": two_outcomes["pain"]})


def test_simulator_validation():
    with pytest.raises(DataValidationError) as info:
        simulate_crossover_joint(treatment_effects={"a": 1.0, "b": 1.0}, subject_sds={"a": 1.0, "b": -1.0},
                                 subject_corr=1.2, residual_sds={"a": 1.0}, period_effects={"a": 0.0, "b": 0.0},
                                 dropout=1.0, random_seed=1)
    text = str(info.value)
    for msg in ("residual_sds must have exactly the outcomes a, b", "subject_sds must be positive and finite, got b=-1.0",
                "subject_corr must lie in (-1, 1) for 2 outcomes, got 1.2", "dropout must lie in [0, 1)"):
        assert msg in text


# -- the model at a fixed parameter point ----------------------------------------------------

POINT = {"intercept": np.array([45.0, 5.5]), "period": np.array([[-1.5], [0.4]]), "aligned": (3.0, 0.6),
         "subject_sd": np.array([6.0, 1.3]), "rho": 0.55, "residual_sd": np.array([4.0, 0.8]),
         "residual_df": np.array([6.0, 9.0])}
Z = np.array([[0.3, -1.1], [0.8, -0.2], [-0.7, 0.5], [1.4, 0.9]])


def point_for(model):
    m = model.pymc_model
    r = POINT["rho"]
    chol = np.array([[1.0, 0.0], [r, np.sqrt(1 - r * r)]])
    transform = m.rvs_to_transforms[m["subject_corr_cholesky"]]
    values = {
        "intercept": POINT["intercept"], "period_effect": POINT["period"],
        "treatment_effect_aligned_fiqr": POINT["aligned"][0], "treatment_effect_aligned_pain": POINT["aligned"][1],
        "subject_sd_log__": np.log(POINT["subject_sd"]), "subject_z": Z,
        "subject_corr_cholesky_cholesky_corr__": transform.forward(chol).eval(),
        "residual_sd_log__": np.log(POINT["residual_sd"]), "residual_df_log__": np.log(POINT["residual_df"]),
    }
    return {v.name: values[v.name] for v in m.value_vars}


def by_hand(data, signs, *, student):
    """Every row's mean written out from the design, then SciPy's log density, summed."""
    sd, r = POINT["subject_sd"], POINT["rho"]
    # Correlated subject effects for two outcomes: u1 = sd1 z1, u2 = sd2 (r z1 + sqrt(1 - r^2) z2).
    u = np.column_stack([sd[0] * Z[:, 0], sd[1] * (r * Z[:, 0] + np.sqrt(1 - r * r) * Z[:, 1])])
    subject = {"s1": 0, "s2": 1, "s3": 2, "s4": 3}
    total = 0.0
    for k, name in enumerate(("fiqr", "pain")):
        f = data[name].frame
        mu = (POINT["intercept"][k] + POINT["period"][k, 0] * (f["period"] == 2).to_numpy()
              + signs[k] * POINT["aligned"][k] * (f["treatment"] == "LDN").to_numpy()
              + u[[subject[s] for s in f["subject"]], k])
        y = f["outcome"].to_numpy()
        s = POINT["residual_sd"][k]
        logp = stats.t.logpdf(y, POINT["residual_df"][k], mu, s) if student else stats.norm.logpdf(y, mu, s)
        total += logp.sum()
    return total


@pytest.mark.parametrize("likelihood", ["normal", "student"])
@pytest.mark.parametrize("better", [("lower", "lower"), ("higher", "lower")])
def test_outcome_logp_matches_scipy(two_outcomes, likelihood, better):
    model = build(two_outcomes, better=dict(zip(("fiqr", "pain"), better, strict=True)), likelihood=likelihood)
    m = model.pymc_model
    logp = m.compile_logp(vars=[m["outcome"]], jacobian=False, mode="FAST_COMPILE")
    signs = [1 if b == "higher" else -1 for b in better]
    assert logp(point_for(model)) == pytest.approx(by_hand(two_outcomes, signs, student=likelihood == "student"),
                                                   rel=1e-10)


def test_deterministics_at_the_point(two_outcomes):
    model = build(two_outcomes, better={"fiqr": "higher", "pain": "lower"})
    m = model.pymc_model
    names = ["subject_corr", "treatment_effect", "treatment_effect_aligned"]
    outs = m.replace_rvs_by_values([m[n] for n in names])
    fn = m.compile_fn(outs, inputs=m.value_vars, on_unused_input="ignore", mode="FAST_COMPILE")
    corr, effect, aligned = fn(point_for(model))
    np.testing.assert_allclose(corr, [[1.0, POINT["rho"]], [POINT["rho"], 1.0]], rtol=1e-12)
    np.testing.assert_array_equal(aligned, POINT["aligned"])
    np.testing.assert_array_equal(effect, [POINT["aligned"][0], -POINT["aligned"][1]])


# The LKJ density's gradient compiles a BLAS op; this machine's PyTensor warns it has no BLAS.
@pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS:UserWarning")
def test_model_structure(two_outcomes):
    model = build(two_outcomes, likelihood="student", priors={"fiqr": pr.normal(0, 10), "pain": pr.vague()},
                  nuisance={"fiqr": "scale_0_100", "pain": "scale_0_10"})
    m = model.pymc_model
    assert {v.name for v in m.free_RVs} == {
        "intercept", "period_effect", "treatment_effect_aligned_fiqr", "treatment_effect_aligned_pain",
        "subject_sd", "subject_corr_cholesky", "subject_z", "residual_sd", "residual_df"}
    dims = m.named_vars_to_dims
    assert dims["treatment_effect"] == ("measure",) and dims["subject_sd"] == ("measure",)
    assert dims["subject_z"] == ("subject", "measure")
    assert dims["subject_corr"] == ("measure", "measure_other")
    assert list(m.coords["measure"]) == ["fiqr", "pain"]
    # 8 FIQR rows then 7 pain rows (s4 missed period 2 of the pain diary).
    np.testing.assert_array_equal(m["measure_index"].get_value(), [0] * 8 + [1] * 7)
    np.testing.assert_array_equal(m["outcome_observed"].get_value(),
                                  np.concatenate([two_outcomes["fiqr"].outcome, two_outcomes["pain"].outcome]))
    assert np.isfinite(m.compile_dlogp(mode="FAST_COMPILE")(m.initial_point())).all()
    assert model.design == "crossover_joint" and len(model.data_digest) == 64
    assert model.choices["nuisance"] == {"fiqr": "range(0,100)", "pain": "range(0,10)"}
    assert model.priors["subject_corr"] == {"family": "lkj", "eta": 2.0}


def test_simulated_frames_are_labelled_and_share_subjects():
    frames, truth = simulate_crossover_joint(
        treatment_effects={"fiqr": -5.0, "pain": -0.8}, subject_sds={"fiqr": 12.0, "pain": 1.5}, subject_corr=0.6,
        residual_sds={"fiqr": 8.0, "pain": 1.0}, period_effects={"fiqr": -2.0, "pain": 0.3}, dropout=0.2,
        random_seed=3)
    assert set(frames["fiqr"]["data_source"]) == {SYNTHETIC_JOINT_LABEL}
    pd.testing.assert_frame_equal(frames["fiqr"].drop(columns="outcome"), frames["pain"].drop(columns="outcome"))
    assert frames["fiqr"]["subject"].nunique() == 58 and (frames["fiqr"]["period"] == 2).sum() < 58
    assert truth.measures == ("fiqr", "pain")


# -- MCMC (slow) -----------------------------------------------------------------------------

TRUTH = {"treatment_effects": {"fiqr": -5.0, "pain": -0.8}, "subject_sds": {"fiqr": 12.0, "pain": 1.5},
         "subject_corr": 0.6, "residual_sds": {"fiqr": 8.0, "pain": 1.0},
         "period_effects": {"fiqr": -2.0, "pain": 0.3}, "intercepts": {"fiqr": 55.0, "pain": 6.0}}
NUISANCE = {"fiqr": "scale_0_100", "pain": "scale_0_10"}
SAMPLING = {"draws": 600, "tune": 600, "chains": 2}


def simulated(seed, dropout):
    frames, truth = simulate_crossover_joint(**TRUTH, dropout=dropout, random_seed=seed)
    return {m: xdata(f) for m, f in frames.items()}, truth


@pytest.mark.slow
@pytest.mark.parametrize("seed", [41, 42])
def test_parameter_recovery(seed):
    data, truth = simulated(seed, dropout=0.1)
    model = build(data, nuisance=NUISANCE, lkj_eta=2.0)
    post = fit(model, random_seed=seed, **SAMPLING)["posterior"]
    checks = [(post["treatment_effect"].sel(measure=m), truth.treatment_effects[m], m) for m in truth.measures]
    checks.append((post["subject_corr"].sel(measure="fiqr", measure_other="pain"), truth.subject_corr, "corr"))
    for draws, true, label in checks:
        lo, hi = np.quantile(draws.values, [0.005, 0.995])
        assert lo < true < hi, f"{label}: truth {true} outside 99% interval ({lo:.3g}, {hi:.3g})"


@pytest.mark.slow
def test_joint_effect_agrees_with_single_outcome_model():
    data, _ = simulated(43, dropout=0.1)
    joint = fit(build(data, nuisance=NUISANCE, lkj_eta=2.0), random_seed=3, **SAMPLING)["posterior"]
    single = fit(crossover_model(data["fiqr"], pr.vague(), better="lower", carryover="none", likelihood="normal",
                                 baseline=False, nuisance="scale_0_100"), random_seed=3, **SAMPLING)["posterior"]
    a, b = joint["treatment_effect"].sel(measure="fiqr"), single["treatment_effect"]
    # With complete data the two estimates coincide (SUR with identical regressors); the 10% of
    # patients without period 2 shift the joint estimate only through their period-1 subject
    # effect, which the correlated pain outcome sharpens: a shift of a small fraction of a
    # posterior SD (0.1 SD allowed) on top of Monte Carlo error of both fits (4 x combined MCSE).
    mcse = np.hypot(mcse_mean(a), mcse_mean(b))
    assert abs(float(a.mean()) - float(b.mean())) <= 4 * mcse + 0.1 * float(b.std())
    # The posterior SDs agree too (information is nearly the same).
    assert abs(float(a.std()) / float(b.std()) - 1) < 0.1
