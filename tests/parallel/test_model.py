"""Parallel model: structure, validation, and the log density at a fixed point against SciPy."""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.designs.parallel import parallel_model, proper_nuisance, reference_nuisance
from bayes_ldn.exceptions import DataValidationError

NUISANCE = proper_nuisance(change_sd=5.0, baseline_slope=(0.5, 0.7), covariate_sd=2.0, residual_sd_scale=3.0)


@pytest.fixture
def data(tidy_frame):
    return ParallelData.from_frame(tidy_frame, treatment="LDN", reference="placebo", covariates=["age"])


@pytest.mark.parametrize(("method", "likelihood", "better"),
                         [("ancova", "normal", "higher"), ("change", "student", "lower"),
                          ("ancova", "student", "lower")])
def test_logp_matches_scipy(data, method, likelihood, better):
    d = data.select("cpm")
    prior = pr.normal(0.3, 1.5)
    model = parallel_model(d, prior, better=better, method=method, likelihood=likelihood, nuisance=NUISANCE)
    sign = 1 if better == "higher" else -1
    effect_aligned, c0, slope, gamma, sigma, nu = 0.7, -0.4, 0.8, 0.15, 1.3, 6.0
    point = {"treatment_effect_aligned": effect_aligned, "change_reference": c0,
             "covariate_effect": np.array([gamma]), "residual_sd_log__": np.log(sigma)}
    if method == "ancova":
        point["baseline_slope"] = slope
    if likelihood == "student":
        point["residual_df_log__"] = np.log(nu)
    logp = model.pymc_model.compile_logp(jacobian=False)(point)

    b, y = d.baseline, d.followup
    x = d.covariates[:, 0] - d.covariates[:, 0].mean()
    beta = slope if method == "ancova" else 1.0
    mu = b + c0 + sign * effect_aligned * d.treated + (beta - 1) * (b - b.mean()) + gamma * x
    expected = (stats.norm.logpdf(effect_aligned, 0.3, 1.5) + stats.norm.logpdf(c0, 0, 5.0)
                + stats.norm.logpdf(gamma, 0, 2.0) + stats.halfnorm.logpdf(sigma, scale=3.0))
    if method == "ancova":
        expected += stats.norm.logpdf(slope, 0.5, 0.7)
    if likelihood == "normal":
        expected += stats.norm.logpdf(y, mu, sigma).sum()
    else:
        expected += stats.gamma.logpdf(nu, 2.0, scale=10.0) + stats.t.logpdf(y, nu, mu, sigma).sum()
    # PyTensor and SciPy evaluate the same terms with different formulas: agree to ~1e-9.
    assert logp == pytest.approx(expected, rel=1e-8)


def test_reference_nuisance_is_flat_in_log_sigma(data):
    d = data.select("tsp")
    model = parallel_model(d, pr.vague(), better="higher", method="change", likelihood="normal",
                           nuisance=reference_nuisance())
    names = {v.name for v in model.pymc_model.free_RVs}
    assert names == {"treatment_effect_aligned", "change_reference", "covariate_effect", "log_residual_sd"}
    point = {"treatment_effect_aligned": 0.2, "change_reference": 0.1, "covariate_effect": np.array([0.0]),
             "log_residual_sd": np.log(2.0)}
    mu = d.baseline + 0.1 + 0.2 * d.treated
    assert model.pymc_model.compile_logp()(point) == pytest.approx(stats.norm.logpdf(d.followup, mu, 2.0).sum())


def test_choices_and_deterministics_recorded(data):
    model = parallel_model(data.select("cpm"), pr.vague(), better="lower", method="ancova",
                           likelihood="student", nuisance=reference_nuisance())
    assert model.choices["method"] == "ancova" and model.choices["sign"] == -1
    assert model.priors["residual_df"] == {"gamma": {"alpha": 2.0, "beta": 0.1}}
    det = {v.name for v in model.pymc_model.deterministics}
    assert {"treatment_effect", "change_treatment"} <= det
    assert model.pymc_model.observed_RVs[0].name == "outcome"


def test_builder_validation_lists_every_problem(data):
    with pytest.raises(DataValidationError) as err:
        parallel_model(data, pr.vague(), better="up", method="both", likelihood="cauchy",
                       nuisance=reference_nuisance())
    msg = str(err.value)
    for part in ("method must be 'ancova' or 'change', got 'both'", "likelihood must be 'normal' or 'student'",
                 "better must be 'higher' or 'lower'", "the data hold 2 outcomes (cpm, tsp); pass data.select"):
        assert part in msg


def test_too_few_subjects(tidy_frame):
    small = tidy_frame[(tidy_frame.outcome == "cpm") & tidy_frame.subject.isin(["s0", "s1", "s3", "s4"])]
    d = ParallelData.from_frame(small, treatment="LDN", reference="placebo", covariates=["age"])
    with pytest.raises(DataValidationError, match=r"4 subjects cannot identify 5 parameters"):
        parallel_model(d, pr.vague(), better="higher", method="ancova", likelihood="normal",
                       nuisance=reference_nuisance())


def test_nuisance_priors_validated():
    with pytest.raises(DataValidationError, match=r"change_sd must be positive, got -1"):
        proper_nuisance(change_sd=-1, baseline_slope=(1, 1), covariate_sd=1, residual_sd_scale=1)
