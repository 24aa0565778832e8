"""Assurance: closed form against simulation (binomial MC tolerance) and against classical power."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from bayes_ldn import priors as pr
from bayes_ldn.assurance import (
    Success,
    TrialDesign,
    assurance,
    assurance_curve_data,
    assurance_simulated,
    cpm_design_prior,
    sample_size,
)
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.stats import NormalMixture

PARALLEL = TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
CROSSOVER = TrialDesign(design="crossover", outcome_sd=1.0, rho=0.5)
Z_TEST = Success(kind="z_test", alpha=0.025)
POSTERIOR = Success(kind="posterior", threshold=0.9, margin=0.1, analysis_prior=(0.0, 0.5))
MIXTURE = NormalMixture(np.array([0.3, 0.7]), np.array([0.0, 0.3]), np.array([0.1, 0.25]))


@pytest.mark.parametrize("prior", [(0.2, 0.15), MIXTURE], ids=["normal", "mixture"])
@pytest.mark.parametrize("design", [PARALLEL, CROSSOVER], ids=["parallel", "crossover"])
@pytest.mark.parametrize("success", [Z_TEST, POSTERIOR], ids=["z", "posterior"])
def test_closed_form_matches_simulation(prior, design, success):
    exact = float(assurance(prior, design, 120, success))
    sim = assurance_simulated(prior, design, 120, success, draws=40_000, random_seed=20261122)
    assert abs(sim.assurance - exact) <= 4 * np.sqrt(exact * (1 - exact) / sim.draws)


def test_point_mass_design_prior_gives_classical_power():
    d, n = 0.4, 200
    power = NormalIndPower().power(effect_size=d, nobs1=n / 2, alpha=0.025, alternative="larger")
    assert float(assurance((d, 1e-12), PARALLEL, n, Z_TEST)) == pytest.approx(power, rel=1e-9)


def test_flat_analysis_prior_equals_the_z_test():
    flat = Success(kind="posterior", threshold=0.975, margin=0.0, analysis_prior=None)
    ns = np.arange(10, 400, 10)
    np.testing.assert_allclose(assurance((0.2, 0.2), CROSSOVER, ns, flat),
                               assurance((0.2, 0.2), CROSSOVER, ns, Z_TEST), rtol=1e-12)


def test_crossover_se_depends_on_rho_and_assurance_tends_to_the_prior_probability():
    assert CROSSOVER.se(100) == pytest.approx(np.sqrt(2 * 0.5 / 100))
    assert PARALLEL.se(100) == pytest.approx(np.sqrt(4 / 100))
    a = assurance((0.2, 0.2), PARALLEL, np.array([1e3, 1e6, 1e9]), Z_TEST)
    assert np.all(np.diff(a) > 0)
    assert a[-1] == pytest.approx(stats.norm.sf(0, 0.2, 0.2), abs=1e-3)


def test_draws_as_design_prior():
    draws = np.random.default_rng(3).normal(0.2, 0.15, size=50_000)
    sim = assurance_simulated(draws, PARALLEL, 150, Z_TEST, draws=40_000, random_seed=11)
    exact = float(assurance((0.2, 0.15), PARALLEL, 150, Z_TEST))
    # Two independent Monte Carlo sources: the design-prior draws and the trial simulation.
    tol = 4 * np.sqrt(exact * (1 - exact) * (1 / 40_000 + 1 / 50_000))
    assert abs(sim.assurance - exact) <= tol


def test_sample_size_is_the_first_n_reaching_the_target():
    res = sample_size((0.3, 0.1), CROSSOVER, Z_TEST, target=0.8)
    n = res["n"]
    assert float(assurance((0.3, 0.1), CROSSOVER, n, Z_TEST)) >= 0.8
    assert float(assurance((0.3, 0.1), CROSSOVER, n - 1, Z_TEST)) < 0.8
    par = sample_size((0.3, 0.1), PARALLEL, Z_TEST, target=0.8)
    assert par["n"] % 2 == 0 and par["n"] > n


def test_unreachable_target_is_explained():
    with pytest.raises(DataValidationError, match=r"unreachable: with unlimited n it tends to P\(effect > 0\) = 0\.841"):
        sample_size((0.2, 0.2), PARALLEL, Z_TEST, target=0.9)


@pytest.mark.parametrize("kwargs,problem", [
    ({"design": "factorial", "outcome_sd": 1.0, "rho": None}, "design must be 'parallel' or 'crossover'"),
    ({"design": "crossover", "outcome_sd": 1.0, "rho": 1.0}, r"crossover needs rho in \[0, 1\)"),
    ({"design": "parallel", "outcome_sd": -1.0, "rho": 0.5}, "outcome_sd must be positive"),
])
def test_design_validation(kwargs, problem):
    with pytest.raises(DataValidationError, match=problem):
        TrialDesign(**kwargs)


def test_success_validation():
    with pytest.raises(DataValidationError, match=r"one-sided alpha in \(0, 0.5\)"):
        Success(kind="z_test", alpha=0.7)
    with pytest.raises(DataValidationError, match=r"threshold in \[0.5, 1\)"):
        Success(kind="posterior", threshold=1.0)


def test_cpm_design_prior_is_finals_conjugate_posterior():
    skeptical = pr.skeptical(mcid=2.0, strength="moderate")
    post = cpm_design_prior(skeptical, conversion="ci_normal")
    se = (3.7 - 0.4) / (2 * stats.norm.ppf(0.975))
    s0 = skeptical.params["sigma"]
    prec = 1 / se**2 + 1 / s0**2
    assert post.mean == pytest.approx((2.0 / se**2) / prec)
    assert post.sd == pytest.approx(prec**-0.5)
    data = assurance_curve_data(post, {"parallel": TrialDesign(design="parallel", outcome_sd=4.0, rho=None)},
                                Z_TEST, np.array([20, 40]), scale="kPa")
    assert list(data.columns) == ["design", "n", "assurance", "limit", "success", "scale"]
    assert data["limit"].iloc[0] == pytest.approx(post.prob_above(0.0))
