"""The heterogeneity priors added for binary outcomes: density, CDF and quantiles agree."""

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.synthesis import parse_tau_prior, turner_tau

PRIORS = ["uniform:0,2", "turner:pain", "turner", "gamma_precision:2,0.5", "gamma_precision:0.001,0.001"]


@pytest.mark.parametrize("text", PRIORS)
def test_density_integrates_to_the_cdf_and_ppf_inverts_it(text):
    prior = parse_tau_prior(text)
    for u in (0.1, 0.5, 0.9):
        t = float(prior.ppf(np.array([u]))[0])
        if not np.isfinite(t) or t <= 0 or t > 1e6:
            continue
        assert float(prior.cdf(np.array([t]))[0]) == pytest.approx(u, abs=1e-9)
        # Integrate the density on the log scale (tau * p(tau) d log tau) up to t.
        val, _ = integrate.quad(lambda x: np.exp(x + float(prior.logpdf(np.array([np.exp(x)]))[0])),
                                -40.0 if prior.family != "uniform" else np.log(1e-12), np.log(t), limit=400)
        assert val == pytest.approx(u, abs=1e-6)


def test_turner_prior_is_the_published_log_normal_on_tau_squared():
    prior = turner_tau("pain")
    # log(tau^2) ~ N(-1.83, 1.52^2): median tau = exp(-1.83 / 2).
    assert float(prior.ppf(np.array([0.5]))[0]) == pytest.approx(np.exp(-1.83 / 2))
    q = stats.norm.ppf(0.975, -1.83, 1.52)
    assert float(prior.ppf(np.array([0.975]))[0]) == pytest.approx(np.exp(q / 2))
    assert "doi:10.1002/sim.6381" in prior.rationale


@pytest.mark.parametrize("bad", ["uniform:2,1", "uniform:-1,1", "gamma_precision:0,1", "turner:nope", "uniform:a,b"])
def test_bad_heterogeneity_priors_are_refused(bad):
    with pytest.raises(DataValidationError):
        parse_tau_prior(bad)
