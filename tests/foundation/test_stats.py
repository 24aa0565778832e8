"""Exact posteriors against hand algebra, SciPy and each other."""

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_ldn import priors as pr
from bayes_ldn.stats import (
    NormalMixture,
    QuadraturePosterior,
    conjugate_normal,
    format_probability,
    normal_hierarchical,
    prob_above,
    prob_between,
)


def test_conjugate_normal_hand_algebra():
    # Prior N(0, 2^2), likelihood N(3 | theta, 1): precision 1/4 + 1 = 5/4.
    post = conjugate_normal(3.0, 1.0, 0.0, 2.0)
    assert post.mean == pytest.approx(3.0 / (5 / 4), abs=1e-15)
    assert post.sd == pytest.approx(np.sqrt(4 / 5), abs=1e-15)
    flat = conjugate_normal(3.0, 1.0, 0.0, np.inf)
    assert (flat.mean, flat.sd) == (3.0, 1.0)


@pytest.mark.parametrize(("y", "s", "m0", "s0"), [(0.2877, 0.1576, 0.0, 0.392), (2.0, 0.84, 0.0, 0.5), (-0.34, 0.31, 1.0, 10.0)])
def test_quadrature_matches_conjugate_to_1e6(y, s, m0, s0):
    q = QuadraturePosterior(y, s, pr.normal(m0, s0).logpdf)
    c = conjugate_normal(y, s, m0, s0)
    for qq in (0.025, 0.5, 0.975):
        assert abs(q.ppf(qq) - c.ppf(qq)) < 1e-6
    assert abs(q.mean - c.mean) < 1e-6
    assert abs(q.sd - c.sd) < 1e-6
    for x in (-0.5, 0.0, 0.3, 1.0):
        assert abs(q.cdf(x) - c.cdf(x)) < 1e-6


def test_quadrature_student_t_against_scipy_quad():
    y, s, prior = 0.34, 0.311, pr.student_t(0.0, 0.425, 3.0)
    q = QuadraturePosterior(y, s, prior.logpdf)

    def f(t):
        return stats.norm.pdf(y, t, s) * stats.t.pdf(t, 3, 0, 0.425)

    z = integrate.quad(f, -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
    mean = integrate.quad(lambda t: t * f(t), -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0] / z
    assert abs(q.mean - mean) < 1e-8
    assert abs(q.cdf(0.0) - integrate.quad(f, -np.inf, 0.0, epsabs=0, epsrel=1e-12)[0] / z) < 1e-8


def test_normal_mixture_moments_and_quantiles():
    m = NormalMixture(np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([1.0, 0.5]))
    assert m.mean == pytest.approx(0.3 * -1 + 0.7 * 2, abs=1e-14)
    var = 0.3 * (1 + (-1 - m.mean) ** 2) + 0.7 * (0.25 + (2 - m.mean) ** 2)
    assert m.sd == pytest.approx(np.sqrt(var), abs=1e-14)
    assert m.cdf(m.ppf(0.2)) == pytest.approx(0.2, abs=1e-10)


def test_hierarchical_tau_zero_is_inverse_variance_pooling():
    y, s = np.array([1.0, 2.0, -0.5]), np.array([0.5, 1.0, 0.8])
    post = normal_hierarchical(y, s, tau_prior=0.0, mu_prior=None)
    w = 1 / s**2
    assert post.mu.mean == pytest.approx(np.sum(w * y) / w.sum(), abs=1e-14)
    assert post.mu.sd == pytest.approx(1 / np.sqrt(w.sum()), abs=1e-14)


def test_hierarchical_fixed_tau_closed_form():
    # For fixed tau and flat mu: mu ~ N(sum(w y)/sum w, 1/sum w) with w = 1/(s^2 + tau^2).
    y, s, tau = np.array([1.0, 2.0, -0.5]), np.array([0.5, 1.0, 0.8]), 0.7
    post = normal_hierarchical(y, s, tau_prior=tau, mu_prior=None, labels=("a", "b", "c"))
    w = 1 / (s**2 + tau**2)
    mu, v = np.sum(w * y) / w.sum(), 1 / w.sum()
    assert post.mu.mean == pytest.approx(mu, abs=1e-14)
    b = s**2 / (s**2 + tau**2)
    assert post.theta["a"].mean == pytest.approx((1 - b[0]) * y[0] + b[0] * mu, abs=1e-14)
    assert post.theta["a"].sd == pytest.approx(np.sqrt((1 - b[0]) * s[0] ** 2 + b[0] ** 2 * v), abs=1e-14)
    assert post.predictive.sd == pytest.approx(np.sqrt(v + tau**2), abs=1e-14)


def test_hierarchical_large_tau_gives_unpooled():
    y, s = np.array([1.0, 2.0, -0.5]), np.array([0.5, 1.0, 0.8])
    post = normal_hierarchical(y, s, tau_prior=1e6, mu_prior=(0.0, 1e3), labels=("a", "b", "c"))
    assert post.theta["b"].mean == pytest.approx(2.0, abs=1e-6)
    assert post.theta["b"].sd == pytest.approx(1.0, abs=1e-6)


def test_hierarchical_quadrature_against_brute_force_tau_integral():
    # Marginal posterior mean of mu by an independent 2-D numerical integral (mu, tau).
    y, s = np.array([0.8, 0.1, 0.5, -0.2]), np.array([0.3, 0.4, 0.25, 0.5])
    tau_prior = stats.halfnorm(scale=0.5)
    post = normal_hierarchical(y, s, tau_prior=tau_prior, mu_prior=(0.0, 1.0))

    def joint(mu, tau):
        return np.exp(np.sum(stats.norm.logpdf(y, mu, np.sqrt(s**2 + tau**2)))) * stats.norm.pdf(mu, 0, 1) * tau_prior.pdf(tau)

    z = integrate.dblquad(joint, 0, 5, -4, 4, epsabs=1e-12)[0]
    m = integrate.dblquad(lambda mu, tau: mu * joint(mu, tau), 0, 5, -4, 4, epsabs=1e-12)[0] / z
    t = integrate.dblquad(lambda mu, tau: tau * joint(mu, tau), 0, 5, -4, 4, epsabs=1e-12)[0] / z
    assert abs(post.mu.mean - m) < 1e-6
    assert abs(post.tau_mean - t) < 1e-5
    assert abs(post.log_marginal - np.log(z)) < 1e-6


def test_format_probability_never_prints_one():
    assert format_probability(0.99996) == ">0.999"
    assert format_probability(1.0) == ">0.999"
    assert format_probability(0.0) == "<0.001"
    assert format_probability(0.9557) == "0.956"
    assert format_probability(float("nan")) == "NA"


def test_draw_probabilities_exact():
    d = np.arange(1, 1001)
    assert prob_above(d, 900) == 0.1
    assert prob_between(d, 1, 10) == 0.01
