"""The PyMC summary-level model against the exact posterior, within Monte Carlo error."""

import pytest

from bayes_ldn import priors as pr
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.designs.aggregate import aggregate_model
from bayes_ldn.exact import exact_posterior
from bayes_ldn.fit import fit
from bayes_ldn.summaries import decision_row_from_draws
from tests.helpers import assert_within_mcse, mcse_prob, mcse_quantile


@pytest.mark.slow
@pytest.mark.parametrize(
    "prior", [pr.skeptical(mcid=2.0), pr.student_t(0.0, 0.85, 3.0), pr.vague()], ids=["normal", "student_t", "flat"]
)
def test_aggregate_mcmc_matches_exact(prior):
    lik = to_likelihood(load_record("final_cpm"), "ci_normal")
    exact = exact_posterior(lik, prior)
    idata = fit(aggregate_model(lik, prior), random_seed=31, draws=1000, chains=4)
    draws = idata["posterior"]["treatment_effect_aligned"]
    assert_within_mcse(draws, exact.mean, exact.sd, k=4)
    q = float(draws.quantile(0.025))
    assert abs(q - exact.ppf(0.025)) <= 4 * mcse_quantile(draws, 0.025)
    p = float((draws > 0).mean())
    assert abs(p - exact.prob_above(0.0)) <= 4 * max(mcse_prob(draws > 0), 1e-3)
    row = decision_row_from_draws(lik, prior, idata, mcid=2.0, rope=0.5)
    assert row["method"] == "mcmc" and row["r_hat"] < 1.01 and row["divergences"] == 0
    assert idata.attrs["design"] == "aggregate" and idata.attrs["random_seed"] == "31"
    assert "treatment_effect" in idata.attrs["priors"]
