"""Joint model of several outcomes (partial pooling of standardized effects)."""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_parallel import simulate_final_like
from bayes_ldn.designs.parallel_family import parallel_family_model, wide_arrays
from bayes_ldn.exceptions import DataValidationError

OUTCOMES = ["cpm", "tsp", "chair_stand"]
BETTER = {"cpm": "higher", "tsp": "lower", "chair_stand": "higher"}
SCALES = {"cpm": 10.0, "tsp": 5.0, "chair_stand": 5.0}


@pytest.fixture
def data():
    f = simulate_final_like(random_seed=4, n_per_arm=(12, 12), include_pain=False).frame
    return ParallelData.from_frame(f[f.outcome.isin(OUTCOMES)], treatment="LDN", reference="placebo")


def test_logp_independent_residuals_matches_scipy(data):
    model = parallel_family_model(data, pr.normal(0, 1), better=BETTER, method="change", tau_prior=("halfnormal", 0.5),
                                  residual_sd_scales=SCALES, residual_correlation=False)
    mu, tau, z = 0.2, 0.3, np.array([0.5, -1.0, 0.1])
    sigma, c0 = np.array([4.0, 2.0, 2.5]), np.array([-0.5, 0.1, 0.2])
    point = {"mean_effect": mu, "heterogeneity_sd_log__": np.log(tau), "effect_offset": z,
             "residual_sd_log__": np.log(sigma), "change_reference": c0}
    logp = model.pymc_model.compile_logp(jacobian=False)(point)
    treated, b, y = wide_arrays(data)
    signs = np.array([1, -1, 1])
    effect = signs * (mu + tau * z) * sigma
    mean = b + c0 + effect * treated[:, None]
    expected = (stats.norm.logpdf(mu, 0, 1) + stats.halfnorm.logpdf(tau, scale=0.5) + stats.norm.logpdf(z).sum()
                + stats.halfnorm.logpdf(sigma, scale=[10.0, 5.0, 5.0]).sum() + stats.norm.logpdf(y, mean, sigma).sum())
    assert logp == pytest.approx(expected, rel=1e-8)


@pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS:UserWarning")
def test_correlated_residuals_structure(data):
    model = parallel_family_model(data, pr.vague(), better=BETTER, method="ancova", tau_prior=("halfnormal", 0.5),
                                  residual_sd_scales=SCALES, residual_correlation=True)
    names = {v.name for v in model.pymc_model.free_RVs}
    assert {"residual_chol", "baseline_slope", "heterogeneity_sd", "mean_effect"} <= names
    assert model.priors["residual_correlation"] == {"lkj": 2.0}
    assert np.isfinite(model.pymc_model.compile_logp()(model.pymc_model.initial_point()))


def test_validation(data):
    with pytest.raises(DataValidationError) as err:
        parallel_family_model(data, pr.vague(), better={"cpm": "higher"}, method="both", tau_prior=("halfcauchy", 1.0),
                              residual_sd_scales=SCALES, residual_correlation=False)
    msg = str(err.value)
    assert "better lacks outcome(s) tsp, chair_stand" in msg
    assert "method must be 'ancova' or 'change'" in msg and "tau_prior must be ('halfnormal', scale > 0)" in msg
    with pytest.raises(DataValidationError, match=r"needs two or more outcomes"):
        parallel_family_model(data.select("cpm"), pr.vague(), better=BETTER, method="change",
                              tau_prior=("halfnormal", 0.5), residual_sd_scales=SCALES, residual_correlation=False)


def test_incomplete_subjects_named(data):
    f = data.to_frame()
    f = f.drop(index=f.index[(f.subject == "SIM003") & (f.outcome == "tsp")])
    d = ParallelData.from_frame(f, treatment="LDN", reference="placebo")
    with pytest.raises(DataValidationError, match=r"subject\(s\) SIM003 lack some outcome"):
        wide_arrays(d)
