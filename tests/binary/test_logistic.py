"""The logistic model (PyMC) against the exact beta-binomial, 2-D quadrature and statsmodels."""

import numpy as np
import pytest
from scipy import special, stats

from bayes_ldn import priors as pr
from bayes_ldn.data.binary import two_by_two
from bayes_ldn.priors_binary import log_or_prior, parse_baseline_prior
from bayes_ldn.stats_binary import beta_binomial_posterior
from bayes_ldn.stats_binary_grid import logistic_grid_posterior
from bayes_ldn.summaries_binary import logistic_contrast
from tests.helpers import mcse_mean, mcse_prob, mcse_sd

pytestmark = pytest.mark.slow
K = 4.5
COUNTS = two_by_two(20, 49, 13, 50)  # FINAL >= 30% responders, ITT


def _fit(prior, baseline="uniform", seed=1):
    from bayes_ldn.designs.binary import logistic_model
    from bayes_ldn.fit import fit

    model = logistic_model(COUNTS, prior, better="higher", baseline_prior=parse_baseline_prior(baseline))
    return fit(model, random_seed=seed, draws=2000, var_names_check=["treatment_effect_aligned", "baseline_logit"])


def test_vague_logistic_equals_the_matching_beta_binomial_within_mc_error():
    # Logistic(0, 1) on the control log odds = Beta(1, 1) on the control risk; a flat prior on the
    # log OR makes the treatment log odds flat given alpha = Haldane Beta(0, 0) on the treatment risk.
    idata = _fit(pr.vague())
    post = beta_binomial_posterior(*COUNTS.as_tuple(), prior_t=(0.0, 0.0), prior_c=(1.0, 1.0))
    exact_mean = post.mean("or")
    exact_sd = float(np.sqrt(sum(special.polygamma(1, v) for v in (post.a_t, post.b_t, post.a_c, post.b_c))))
    theta = idata["posterior"]["treatment_effect_aligned"]
    assert abs(float(theta.mean()) - exact_mean) <= K * mcse_mean(theta)
    assert abs(float(theta.std()) - exact_sd) <= K * mcse_sd(theta)
    rd = idata["posterior"]["risk_difference"]
    assert abs(float(rd.mean()) - post.mean("rd")) <= K * mcse_mean(rd)
    for measure, var, delta in (("or", "log_odds_ratio", np.log(1.5)), ("rd", "risk_difference", 0.1)):
        ind = idata["posterior"][var] > delta
        assert abs(float(ind.mean()) - post.prob_above(measure, delta)) <= K * mcse_prob(ind)
    summ, conv = logistic_contrast(idata, measure="or", better="higher", mcid=np.log(1.5))
    assert conv["r_hat"] < 1.01 and conv["divergences"] == 0
    assert summ.probs["prob_better"] == pytest.approx(float((theta > 0).mean()))


def test_flat_priors_reproduce_statsmodels_logistic_regression_up_to_the_closed_form_finite_sample_terms():
    import statsmodels.api as sm

    y_t, n_t, y_c, n_c = COUNTS.as_tuple()
    # One row per patient (the grouped 2x2 GLM is saturated and statsmodels divides by zero residual df).
    treated = np.r_[np.ones(n_t), np.zeros(n_c)]
    event = np.r_[np.ones(y_t), np.zeros(n_t - y_t), np.ones(y_c), np.zeros(n_c - y_c)]
    res = sm.Logit(event, sm.add_constant(treated)).fit(disp=0)
    mle, se = float(res.params[1]), float(res.bse[1])
    assert mle == pytest.approx(np.log(y_t / (n_t - y_t)) - np.log(y_c / (n_c - y_c)), abs=1e-8)
    idata = _fit(pr.vague(), baseline="flat", seed=2)
    theta = idata["posterior"]["treatment_effect_aligned"]
    # Flat priors on both logits = Haldane Beta(0, 0) per arm: E[log odds] = digamma(y) - digamma(n - y)
    # (the MLE uses log y - log(n - y)); Var = trigamma(y) + trigamma(n - y) (the Wald SE uses 1/y + 1/(n - y)).
    post_mean = float(special.digamma(y_t) - special.digamma(n_t - y_t) - special.digamma(y_c)
                      + special.digamma(n_c - y_c))
    post_sd = float(np.sqrt(sum(special.polygamma(1, v) for v in (y_t, n_t - y_t, y_c, n_c - y_c))))
    assert abs(post_mean - mle) < 0.05 * se and abs(post_sd / se - 1) < 0.02  # large-sample agreement
    assert abs(float(theta.mean()) - post_mean) <= K * mcse_mean(theta)
    assert abs(float(theta.std()) - post_sd) <= K * mcse_sd(theta)


def test_skeptical_prior_against_the_main_jobs_two_dimensional_quadrature():
    prior = log_or_prior("skeptical", mcid_or=1.5)
    idata = _fit(prior, seed=3)
    # The main job's 2-D quadrature of the same model (bayes_ldn.stats_binary.logistic_grid_posterior).
    grid = logistic_grid_posterior(*COUNTS.as_tuple(), sign=1, prior_logpdf=prior.logpdf,
                                   baseline_logpdf=stats.logistic.logpdf)
    theta = idata["posterior"]["treatment_effect_aligned"]
    by_grid = grid.summary("or", sign=1, mcid=np.log(1.5))
    assert abs(float(theta.mean()) - by_grid.mean) <= K * mcse_mean(theta)
    for delta, key in ((0.0, "prob_better"), (np.log(1.5), "prob_better_than_mcid")):
        ind = theta > delta
        assert abs(float(ind.mean()) - by_grid.probs[key]) <= K * mcse_prob(ind)
    rd = idata["posterior"]["risk_difference"]
    rd_grid = grid.summary("rd", sign=1, mcid=0.1)
    assert abs(float(rd.mean()) - rd_grid.mean) <= K * mcse_mean(rd)
    ind = rd > 0.1
    assert abs(float(ind.mean()) - rd_grid.probs["prob_better_than_mcid"]) <= K * mcse_prob(ind)
