"""The exact beta-binomial route against closed forms and 1-D quadrature (no MCMC)."""

import numpy as np
import pytest
from scipy import integrate, special, stats

from bayes_ldn.data.binary import two_by_two
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.priors_binary import HALDANE, JEFFREYS, UNIFORM, parse_beta_prior
from bayes_ldn.stats_binary import (
    beta_binomial_posterior,
    contrast_from_risks,
    joint_benefit_harm,
    mcid_on_analysis_scale,
    summarize_contrast,
)
from bayes_ldn.summaries_binary import exact_contrast

N = 200_000
K = 4.5  # tolerance in Monte Carlo SEs

# FINAL >= 30% responders (ITT) and a sparse table with a zero cell.
TABLES = [(20, 49, 13, 50), (0, 30, 4, 31)]


def _post(table, prior):
    return beta_binomial_posterior(*table, prior_t=(prior.a, prior.b), prior_c=(prior.a, prior.b))


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("prior", [JEFFREYS, UNIFORM])
def test_each_arm_is_the_conjugate_beta_and_the_draws_follow_it(table, prior):
    y_t, n_t, y_c, n_c = table
    post = _post(table, prior)
    assert (post.a_t, post.b_t, post.a_c, post.b_c) == (prior.a + y_t, prior.b + n_t - y_t, prior.a + y_c,
                                                        prior.b + n_c - y_c)
    d = post.draws(N, random_seed=11)
    for arm, a, b in (("p_t", post.a_t, post.b_t), ("p_c", post.a_c, post.b_c)):
        exact = stats.beta(a, b)
        x = d[arm]
        assert abs(x.mean() - exact.mean()) <= K * exact.std() / np.sqrt(N)
        for q in (0.1, 0.5, 0.9):
            v = exact.ppf(q)
            assert abs(np.mean(x <= v) - q) <= K * np.sqrt(q * (1 - q) / N)


@pytest.mark.parametrize(("table", "prior"), [(TABLES[0], JEFFREYS), (TABLES[1], UNIFORM)])
def test_risk_difference_density_is_the_convolution_and_matches_the_draws(table, prior):
    post = _post(table, prior)
    m, s = post.mean("rd"), float(np.sqrt(post.arm("t").var() + post.arm("c").var()))
    lo, hi = max(-1.0, m - 12 * s), min(1.0, m + 12 * s)  # the density is < 1e-12 beyond 12 SD here
    opts = {"limit": 100, "epsabs": 1e-9, "epsrel": 1e-8}
    total, _ = integrate.quad(post.rd_pdf, lo, hi, **opts)
    assert abs(total - 1) < 1e-6
    mean, _ = integrate.quad(lambda x: x * post.rd_pdf(x), lo, hi, **opts)
    assert abs(mean - m) < 1e-6
    # The CDF from the convolution density and from the control-arm integral agree.
    x0 = m + 0.05
    by_density, _ = integrate.quad(post.rd_pdf, lo, x0, **opts)
    assert abs(by_density - post.cdf("rd", x0)) < 1e-6
    # Variance in closed form: Var p_t + Var p_c.
    var = s**2
    d = post.draws(N, random_seed=3)
    rd = d["p_t"] - d["p_c"]
    assert abs(rd.mean() - m) <= K * np.sqrt(var / N)
    for delta in (-0.1, 0.0, 0.1):
        p = post.prob_above("rd", delta)
        assert abs(np.mean(rd > delta) - p) <= K * np.sqrt(p * (1 - p) / N) + 1e-12


@pytest.mark.parametrize("measure", ["rr", "or"])
def test_ratio_means_in_closed_form_and_tail_probabilities_by_quadrature(measure):
    post = _post(TABLES[0], JEFFREYS)
    d = post.draws(N, random_seed=5)
    x = contrast_from_risks(d["p_t"], d["p_c"], measure)
    assert abs(x.mean() - post.mean(measure)) <= K * x.std() / np.sqrt(N)
    # E log p = digamma(a) - digamma(a + b), checked directly on one arm.
    assert abs(np.log(d["p_t"]).mean() - (special.digamma(post.a_t) - special.digamma(post.a_t + post.b_t))) <= \
        K * np.log(d["p_t"]).std() / np.sqrt(N)
    for delta in (0.0, np.log(1.5)):
        p = post.prob_above(measure, delta)
        assert abs(np.mean(x > delta) - p) <= K * np.sqrt(p * (1 - p) / N)
    q = post.ppf(measure, 0.025)
    assert abs(np.mean(x <= q) - 0.025) <= K * np.sqrt(0.025 * 0.975 / N)


def test_the_same_event_has_the_same_probability_on_every_scale():
    post = _post(TABLES[0], JEFFREYS)
    p = [post.prob_above(m, 0.0) for m in ("rd", "rr", "or")]
    assert max(p) - min(p) < 1e-8


def test_summary_probabilities_carry_their_monte_carlo_error_and_the_nnt_rule():
    summ, _ = exact_contrast(two_by_two(30, 50, 10, 50), measure="rd", better="higher", arm_prior=JEFFREYS,
                             random_seed=2, mcid=0.1)
    p = summ.probs["prob_better_than_mcid"]
    assert summ.mcse["prob_better_than_mcid"] == pytest.approx(np.sqrt(p * (1 - p) / summ.n_draws))
    # RD interval excludes 0: NNT = 1 / RD, its interval the reciprocals of the RD's bounds.
    assert summ.nnt["defined"] and summ.nnt["kind"] == "NNT (benefit)"
    assert summ.nnt["median"] == pytest.approx(1 / summ.median)
    assert summ.nnt["lower"] == pytest.approx(1 / summ.upper)
    harm, _ = exact_contrast(two_by_two(20, 49, 13, 50), measure="rd", better="higher", arm_prior=JEFFREYS,
                             random_seed=2)
    assert not harm.nnt["defined"]


def test_lower_is_better_flips_every_probability():
    up, _ = exact_contrast(two_by_two(20, 49, 13, 50), measure="or", better="higher", arm_prior=JEFFREYS,
                           random_seed=4)
    down, _ = exact_contrast(two_by_two(20, 49, 13, 50), measure="or", better="lower", arm_prior=JEFFREYS,
                             random_seed=4)
    assert up.probs["prob_better"] == down.probs["prob_harm"]
    assert up.median == down.median


def test_joint_benefit_and_harm_is_the_product_under_independence():
    rng = np.random.default_rng(0)
    b, h = rng.normal(0.1, 0.05, N), rng.normal(0.0, 0.05, N)
    out = joint_benefit_harm(b, h, benefit_mcid=0.05, harm_threshold=0.05)
    pb = stats.norm.sf(0.05, 0.1, 0.05)
    ph = stats.norm.cdf(0.05, 0.0, 0.05)  # excess harm -h < 0.05 <=> h > -0.05
    assert abs(out["prob_joint"] - pb * ph) <= K * out["mcse_joint"]
    assert "independent" in out["dependence"]


def test_summarize_contrast_uses_the_given_ess_for_mcmc_draws():
    x = np.random.default_rng(1).normal(0.2, 0.1, 4000)
    s = summarize_contrast(x, measure="or", sign=1, ess=1000.0)
    p = s.probs["prob_better"]
    assert s.mcse["prob_better"] == pytest.approx(np.sqrt(p * (1 - p) / 1000.0))
    assert s.natural["median"] == pytest.approx(np.exp(s.median))


@pytest.mark.parametrize(("args", "fragment"), [
    ((21, 20, 3, 10), "exceeds n_treatment"),
    ((-1, 20, 3, 10), "must not be negative"),
    ((1, 0, 3, 10), "n_treatment is 0"),
    (("2.5", 20, 3, 10), "whole number"),
    (("x", 20, 3, 10), "whole number"),
])
def test_bad_counts_are_refused_with_a_message(args, fragment):
    with pytest.raises(DataValidationError, match=fragment):
        two_by_two(*args)


def test_every_bad_count_is_listed_at_once():
    with pytest.raises(DataValidationError) as err:
        two_by_two(-1, 0, 12, 10)
    assert len(err.value.problems) == 3


def test_haldane_needs_an_event_and_a_non_event_and_priors_parse():
    with pytest.raises(DataValidationError, match="Haldane"):
        beta_binomial_posterior(0, 10, 3, 10, prior_t=(0, 0), prior_c=(0, 0))
    assert parse_beta_prior("beta:2,3").a == 2 and parse_beta_prior("haldane") is HALDANE
    with pytest.raises(DataValidationError):
        parse_beta_prior("beta:-1,2")
    assert mcid_on_analysis_scale("or", 0.8) == pytest.approx(mcid_on_analysis_scale("or", 1.25))
    with pytest.raises(DataValidationError):
        mcid_on_analysis_scale("rd", 1.5)


def test_bundled_counts_agree_with_the_numbers_as_printed():
    import re

    from bayes_ldn.datasets import data_version, list_binary, load_binary

    assert data_version()["data_version"] == "2026.12.07"
    for rid in list_binary(with_counts=True):
        rec = load_binary(rid)
        e_t, n_t, e_c, n_c = rec.counts.as_tuple()
        printed = [int(x) for x in re.findall(r"\d+", rec.as_printed)]
        assert e_t in printed and e_c in printed, rid
        for pct in re.findall(r"([\d.]+)%", rec.as_printed):  # printed percentages match the counts
            assert any(abs(float(pct) - 100 * e / n) < 0.5 for e, n in ((e_t, n_t), (e_c, n_c))), (rid, pct)
        assert rec.evidence and rec.location and rec.source.citation
