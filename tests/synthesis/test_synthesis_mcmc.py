"""PyMC synthesis against the exact quadrature (slow), and the meta-regression's logp (fast)."""

import numpy as np
import pytest
from scipy import stats

import bayes_ldn.synthesis as sy
from tests.helpers import assert_within_mcse, mcse_prob


def _ldn():
    return sy.ldn_pain_studies(scale="smd", rho=0.5, bested_outcome="spir",
                               conversions=sy.LDN_PAIN_CONVERSIONS, include_sensitivity=False)


def test_meta_regression_logp_matches_scipy_at_a_point():
    from bayes_ldn.synthesis.mcmc import meta_regression_model

    y, s = np.array([0.2, -0.2, 0.1]), np.array([0.2, 0.2, 0.13])
    dose = [6.0, 4.5, 4.5]
    m = meta_regression_model(y, s, ["a", "b", "c"], {"dose_mg": dose}, covariate_reference={"dose_mg": 4.5},
                              mu_prior=(0.0, 1.0), slope_prior=(0.0, 0.5), tau_prior=sy.rhodes_tau())
    model = m.pymc_model
    assert {v.name for v in model.free_RVs} == {"mu", "log_tau_sq", "z", "slope", "z_new"}
    point = {"mu": 0.1, "log_tau_sq": np.log(0.04), "z": np.array([0.5, -1.0, 0.2]), "slope": np.array([0.3]),
             "z_new": 0.0}
    logp = model.compile_logp(vars=[model["outcome"]], jacobian=False)(point)
    mean = 0.1 + 0.3 * (np.array(dose) - 4.5)
    # The trial effects are marginalised: y_i ~ N(mean_i, s_i^2 + tau^2).
    assert logp == pytest.approx(stats.norm.logpdf(y, mean, np.sqrt(s**2 + 0.04)).sum(), rel=1e-10)
    (theta_graph,) = model.replace_rvs_by_values([model["theta"]])
    theta = model.compile_fn(theta_graph, inputs=model.value_vars, on_unused_input="ignore")(point)
    b = s**2 / (s**2 + 0.04)
    np.testing.assert_allclose(theta, (1 - b) * y + b * mean + np.sqrt((1 - b) * s**2) * point["z"], rtol=1e-10)
    prior_logp = model.compile_logp(vars=[model["log_tau_sq"]], jacobian=False)(point)
    # PyTensor evaluates the Student-t normaliser with its own gammaln: agree to ~1e-8.
    assert prior_logp == pytest.approx(stats.t.logpdf(np.log(0.04), 5, -3.16, 2.5), rel=1e-7)
    assert m.choices["covariate_reference"] == {"dose_mg": 4.5}


@pytest.mark.slow
def test_pymc_hierarchical_matches_quadrature():
    from bayes_ldn.synthesis.mcmc import fit_synthesis

    studies = _ldn()
    tau_prior = sy.halfnormal_tau(0.5)
    exact = sy.synthesize(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, mcid=0.5).posterior
    idata = fit_synthesis(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, dose_covariate=False,
                          dose_reference_mg=None, slope_prior=None, random_seed=7, draws=1000, tune=1000, chains=2)
    post = idata["posterior"]
    assert_within_mcse(post["mu"], exact.mu.mean, exact.mu.sd)
    assert_within_mcse(post["tau"], exact.tau_mean)
    assert_within_mcse(post["theta_new"], exact.predictive.mean, exact.predictive.sd)
    for lab in exact.labels:
        assert_within_mcse(post["theta"].sel(trial=lab), exact.theta[lab].mean)
    ind = post["mu"] > 0
    assert abs(float(ind.mean()) - exact.mu.prob_above(0.0)) <= 4 * mcse_prob(ind)


@pytest.mark.slow
def test_pymc_rhodes_prior_matches_quadrature():
    from bayes_ldn.synthesis.mcmc import fit_synthesis

    studies = _ldn()
    tau_prior = sy.rhodes_tau()
    exact = sy.synthesize(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, mcid=None).posterior
    idata = fit_synthesis(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, dose_covariate=False,
                          dose_reference_mg=None, slope_prior=None, random_seed=11, draws=1000, tune=1000, chains=2)
    post = idata["posterior"]
    assert_within_mcse(post["mu"], exact.mu.mean, exact.mu.sd)
    assert_within_mcse(post["tau"], exact.tau_mean)


@pytest.mark.slow
def test_dose_meta_regression_with_a_point_mass_slope_prior_is_the_plain_synthesis():
    """A slope prior N(0, 1e-4) pins the dose slope at 0: mu must match the exact synthesis."""
    from bayes_ldn.synthesis.mcmc import fit_synthesis

    studies = _ldn()
    tau_prior = sy.halfnormal_tau(0.5)
    exact = sy.synthesize(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, mcid=None).posterior
    idata = fit_synthesis(studies, mu_prior=(0.0, 1.0), tau_prior=tau_prior, dose_covariate=True,
                          dose_reference_mg=4.5, slope_prior=(0.0, 1e-4), random_seed=5, draws=1000, tune=1000,
                          chains=2)
    post = idata["posterior"]
    assert "slope" in post and post["slope"].dims[-1] == "covariate"
    assert_within_mcse(post["mu"], exact.mu.mean, exact.mu.sd)
    assert "FINAL: ABS" in idata.attrs["studies_evidence"]
