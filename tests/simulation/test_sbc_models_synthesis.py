"""SBC of the synthesis meta-regression on dose (five trials, fixed SEs, half-normal tau prior).

Test (see ``_sbc_models``): 2 x 500 NUTS draws thinned to 99 per fit, chi-square on 20 rank
bins, Bonferroni alpha 0.01 over ``mu``, ``slope``, ``tau``, the five ``theta`` and
``theta_new``. The fast-tier check below makes sure ``theta`` is conditioned on each
simulation's outcome (not on the estimates the structure was compiled with).
"""

import numpy as np
import pytest

from bayes_ldn.simulation.structures import cached_compiled
from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, available_structures
from tests.simulation._sbc_models import assert_sbc_uniform


@pytest.mark.sbc
def test_sbc_meta_regression_is_uniform():
    assert_sbc_uniform("meta_regression", n_sims=1000, bins=20)


@pytest.mark.slow
def test_meta_regression_theta_follows_new_data():
    # theta_i = (1 - B_i) y_i + B_i m_i + sqrt((1 - B_i) s_i^2) z_i, B_i = s_i^2 / (s_i^2 + tau^2),
    # m_i = mu + slope (dose_i - ref): a deterministic of the draws, so it must hold to rounding
    # error for the outcome the model was refitted on and, in a prior draw, for the drawn outcome.
    assert "meta_regression" in available_structures()
    params = DEFAULT_STRUCTURES["meta_regression"]
    model = cached_compiled("meta_regression", params)
    s = np.asarray(params["ses"])
    x = np.asarray(params["doses"]) - params["dose_reference"]

    def conditional(y, mu, slope, tau, z):
        b = s**2 / (s**2 + tau**2)
        return (1 - b) * y + b * (mu + slope * x) + np.sqrt((1 - b) * s**2) * z

    for seed in (1, 2):
        truth = model.forward(seed)
        assert np.any(np.abs(truth["outcome"]) > 0.1)  # far from the build-time estimates (zeros)
        np.testing.assert_allclose(truth["theta"], conditional(truth["outcome"], truth["mu"], truth["slope"][0],
                                                               truth["tau"], truth["z"]), rtol=0, atol=1e-12)
        post = model.fit(truth["outcome"], random_seed=seed, draws=50, tune=50, chains=1)["posterior"]
        expected = conditional(truth["outcome"], post["mu"].values[..., None], post["slope"].values,
                               post["tau"].values[..., None], post["z"].values)
        np.testing.assert_allclose(post["theta"].values, expected, rtol=0, atol=1e-12)
