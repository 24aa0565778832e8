"""Every number of the FINAL CPM verdict table against an independent computation.

Closed forms are re-derived here from the papers, posteriors are recomputed by direct numerical
integration (scipy ``quad``) instead of conjugate algebra, and simulations are seeded with
tolerances from binomial Monte Carlo error.
"""

import re

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from bayes_ldn.datasets import load_family, load_record
from bayes_ldn.random_finding import random_finding, standard_choices

Z = stats.norm.isf(0.025)
CHOICES = standard_choices(conversion="ci_normal")
N_LDN, N_PLACEBO = 45, 47
SE_D = np.sqrt(1 / N_LDN + 1 / N_PLACEBO)
SE_KPA = (3.7 - 0.4) / (2 * Z)
SD_CHANGE = SE_KPA / SE_D
D_HAT = 2.0 / SD_CHANGE


@pytest.fixture(scope="module")
def verdict():
    return random_finding(
        "final_cpm", family_records=load_family("final_exploratory"),
        within_records=[load_record("final_cpm_change_ldn"), load_record("final_cpm_change_placebo")],
        patient_data=None, choices=CHOICES,
    )


def _value(verdict, quantity):
    hit = verdict.table[verdict.table["quantity"] == quantity]
    assert len(hit) == 1, quantity
    return float(hit["value"].iloc[0])


def _posterior_prob_above(y, s, prior_pdf, cut):
    """P(theta > cut) for a normal likelihood times a prior density, by direct quadrature."""
    f = lambda t: stats.norm.pdf(y, t, s) * prior_pdf(t)  # noqa: E731
    lo, hi = y - 12 * s, y + 12 * s
    total = integrate.quad(f, lo, hi, points=[0.0, cut], epsabs=0, epsrel=1e-11, limit=400)[0]
    above = integrate.quad(f, cut, hi, epsabs=0, epsrel=1e-11, limit=400)[0]
    return above / total


# --- 1. shrinkage ------------------------------------------------------------------------------


def _family_data():
    recs = load_family("final_exploratory")
    d, s = [], []
    for r in recs:
        se = (r.upper - r.lower) / (2 * Z)
        factor = np.sqrt(1 / r.n["LDN"] + 1 / r.n["placebo"])
        sign = 1 if r.better == "higher" else -1
        d.append(sign * r.estimate / (se / factor))
        s.append(factor)
    return np.array(d), np.array(s), [r.id for r in recs].index("final_cpm")


def _pooled_prob_better(tau_scale):
    """P(theta_cpm > 0 | y): integrate over tau with the joint Gaussian of (theta_cpm, y) given tau."""
    d, s, i = _family_data()
    m0, s0 = CHOICES.mu_prior
    k = d.size

    def given_tau(tau):
        cov_y = np.diag(s**2 + tau**2) + s0**2
        like = stats.multivariate_normal(np.full(k, m0), cov_y).pdf(d)
        cov_ty = np.full(k, s0**2)
        cov_ty[i] += tau**2
        w = np.linalg.solve(cov_y, cov_ty)
        mean = m0 + w @ (d - m0)
        var = s0**2 + tau**2 - w @ cov_ty
        return like, stats.norm.sf(0.0, mean, np.sqrt(var))

    prior = stats.halfnorm(scale=tau_scale)
    upper = prior.ppf(1 - 1e-12)
    num = integrate.quad(lambda t: given_tau(t)[0] * given_tau(t)[1] * prior.pdf(t), 0, upper, limit=200)[0]
    den = integrate.quad(lambda t: given_tau(t)[0] * prior.pdf(t), 0, upper, limit=200)[0]
    return num / den


def test_shrinkage_rows(verdict):
    assert _value(verdict, "P(LDN better), unpooled") == pytest.approx(stats.norm.cdf(D_HAT / SE_D), abs=1e-12)
    for scale in CHOICES.tau_prior_scales:
        got = _value(verdict, f"P(LDN better), pooled, tau ~ half-normal({scale:g} SD)")
        assert got == pytest.approx(_pooled_prob_better(scale), abs=1e-6)


# --- 2. sceptical priors ------------------------------------------------------------------------


def test_skeptical_rows(verdict):
    for strength, tail in (("weak", 0.25), ("moderate", 0.05), ("strong", 0.01)):
        sigma = CHOICES.mcid_sd / stats.norm.isf(tail)
        pdf = stats.norm(0, sigma).pdf
        got = _value(verdict, f"P(LDN better), skeptical_{strength}")
        assert got == pytest.approx(_posterior_prob_above(D_HAT, SE_D, pdf, 0.0), abs=1e-9)
        got = _value(verdict, f"P(LDN better by > {CHOICES.threshold_sd:g} SD), skeptical_{strength}")
        assert got == pytest.approx(_posterior_prob_above(D_HAT, SE_D, pdf, CHOICES.threshold_sd), abs=1e-9)


@pytest.mark.parametrize("prob", [0.95, 0.90])
def test_tipping_point_against_brute_force(verdict, prob):
    got = _value(verdict, f"tipping prior SD for P(better) < {prob:g}")
    grid = np.linspace(0.01, 1.0, 99_001)  # step 1e-5
    post_var = 1 / (1 / grid**2 + 1 / SE_D**2)
    p_better = stats.norm.sf(0, post_var * D_HAT / SE_D**2, np.sqrt(post_var))
    crossing = grid[np.argmax(p_better >= prob)]
    assert abs(got - crossing) <= 1e-5
    # and by direct quadrature just either side of the tipping point
    below = _posterior_prob_above(D_HAT, SE_D, stats.norm(0, got * 0.999).pdf, 0.0)
    above = _posterior_prob_above(D_HAT, SE_D, stats.norm(0, got * 1.001).pdf, 0.0)
    assert below < prob < above


# --- 3. reverse-Bayes ---------------------------------------------------------------------------


def test_reverse_bayes_rows(verdict):
    lo, hi = 0.4, 3.7
    est, se = (lo + hi) / 2, (hi - lo) / (2 * Z)

    def post_lower(prior_sd):
        post_var = 1 / (1 / prior_sd**2 + 1 / se**2)
        return post_var * est / se**2 - Z * np.sqrt(post_var)

    prior_sd = optimize.brentq(post_lower, 1e-3, 100, xtol=1e-14)
    sl = Z * prior_sd
    assert _value(verdict, "sceptical limit SL (Matthews 2018)") == pytest.approx(sl, rel=1e-10)
    assert _value(verdict, "sceptical limit SL, standardized") == pytest.approx(sl / SD_CHANGE, rel=1e-10)
    z = 2.0 / SE_KPA
    assert _value(verdict, "intrinsic credibility p_I (Held)") == pytest.approx(
        2 * (1 - stats.norm.cdf(z / np.sqrt(2))), rel=1e-10)
    assert _value(verdict, "intrinsic credibility p_I (Matthews)") == pytest.approx(
        2 * (1 - stats.norm.cdf(z * np.sqrt((np.sqrt(5) - 1) / 2))), rel=1e-10)


# --- 4. Bayes factor ----------------------------------------------------------------------------


def test_bayes_factor_rows(verdict):
    for sd_ in CHOICES.bf_prior_sds:
        h1 = integrate.quad(lambda t: stats.norm.pdf(D_HAT, t, SE_D) * stats.norm.pdf(t, 0, sd_),
                            -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
        bf = h1 / stats.norm.pdf(D_HAT, 0, SE_D)
        assert _value(verdict, f"BF10, prior N(0, {sd_:g}^2) on d") == pytest.approx(bf, rel=1e-9)


# --- 5. placebo decline -------------------------------------------------------------------------


def _arm(est, lo, hi):
    return est, (hi - lo) / (2 * Z)


def test_placebo_rows(verdict):
    rng = np.random.default_rng(20250411)
    n_draws = 400_000
    t_mean, t_se = _arm(1.2, 0.05, 2.4)
    p_mean, p_se = _arm(-0.8, -1.9, 0.4)
    assert _value(verdict, "within-group change, treatment arm (LDN)") == pytest.approx(1.2)
    assert _value(verdict, "within-group change, placebo arm (placebo)") == pytest.approx(-0.8)
    c_t = rng.normal(t_mean, t_se, n_draws)
    c_p = rng.normal(p_mean, p_se, n_draws)
    tol = lambda p: 4 * np.sqrt(p * (1 - p) / n_draws)  # noqa: E731
    p_dec = np.mean(c_p < 0)
    assert abs(_value(verdict, "P(placebo change < 0)") - p_dec) <= tol(p_dec)
    share = -c_p / (c_t - c_p)
    median = _value(verdict, "share of the difference carried by the placebo change (median)")
    assert abs(np.mean(share <= median) - 0.5) <= tol(0.5)
    p_half = np.mean(share > 0.5)
    assert abs(_value(verdict, "P(share > 0.5)") - p_half) <= tol(p_half)
    # noise alone: mean change of 47 patients with no true change, SD of change from the CI
    sd_change = p_se * np.sqrt(N_PLACEBO)
    means = rng.normal(0.0, sd_change, (100_000, N_PLACEBO)).mean(axis=1)
    p_noise = np.mean(means <= -0.8)
    got = _value(verdict, "P(change at least this negative | no true placebo change)")
    assert abs(got - p_noise) <= 4 * np.sqrt(p_noise * (1 - p_noise) / means.size)


@pytest.mark.parametrize("icc", [0.47, 0.60, 0.73])
def test_regression_to_the_mean_rows_by_simulation(verdict, icc):
    """Simulate the measurement-error model: the needed baseline deviation gives the observed change."""
    rng = np.random.default_rng(int(icc * 100))
    p_se = (0.4 + 1.9) / (2 * Z)
    sd_change = p_se * np.sqrt(N_PLACEBO)
    sigma = sd_change / np.sqrt(2 * (1 - icc))
    groups = 60_000
    true = rng.normal(0, np.sqrt(icc) * sigma, (groups, N_PLACEBO))
    base = true + rng.normal(0, np.sqrt(1 - icc) * sigma, true.shape)
    follow = true + rng.normal(0, np.sqrt(1 - icc) * sigma, true.shape)
    dev = base.mean(axis=1) / sigma
    change = follow.mean(axis=1) - base.mean(axis=1)
    fit = stats.linregress(dev, change)
    needed = _value(verdict, f"RTM: baseline deviation needed, ICC {icc:g}")
    predicted = fit.intercept + fit.slope * needed
    pred_se = np.sqrt(fit.intercept_stderr**2 + (needed * fit.stderr) ** 2)
    assert abs(predicted - (-0.8)) <= 4 * pred_se
    # chance of such a deviation in a randomized arm (the probability printed in the note)
    quantity = f"RTM: baseline deviation needed, ICC {icc:g}"
    note = verdict.table.loc[verdict.table["quantity"] == quantity, "note"].iloc[0]
    printed = re.search(r"by chance with probability ([<>]?[0-9.]+)", note).group(1)
    p_sim = np.mean(dev >= needed)
    exact = stats.norm.sf(needed * np.sqrt(N_PLACEBO))
    assert abs(p_sim - exact) <= 4 * np.sqrt(max(exact * (1 - exact), 1e-6) / groups)
    assert printed == ("<0.001" if exact < 0.0005 else f"{exact:.3f}")


# --- 7. replication -----------------------------------------------------------------------------


def test_replication_rows_against_simulation(verdict):
    rng = np.random.default_rng(7)
    n_draws = 400_000
    sigma_mod = CHOICES.mcid_sd / stats.norm.isf(0.05)
    for label, prior_sd in (("flat prior", np.inf), ("skeptical_moderate", sigma_mod)):
        prec = 1 / SE_D**2 + (0 if np.isinf(prior_sd) else 1 / prior_sd**2)
        theta = rng.normal(D_HAT / SE_D**2 / prec, np.sqrt(1 / prec), n_draws)
        d_new = rng.normal(theta, SE_D)
        for quantity, cut in ((f"P(new trial significant for LDN, two-sided 0.05), {label}", Z),
                              (f"P(new trial finds P(LDN better) > 0.95), {label}", stats.norm.ppf(0.95))):
            p_sim = np.mean(d_new / SE_D > cut)
            got = _value(verdict, quantity)
            assert abs(got - p_sim) <= 4 * np.sqrt(p_sim * (1 - p_sim) / n_draws), quantity


def test_every_row_is_checked(verdict):
    """Guard: the table holds exactly the quantities the tests above recompute."""
    checked = {"1 multiplicity (shrinkage)": 5, "2 sceptical priors": 8, "3 reverse-Bayes": 4,
               "4 Bayes factor": 5, "5 placebo decline": 9, "6 association with pain": 1, "7 replication": 4}
    assert verdict.table.groupby("angle").size().to_dict() == checked
    head = verdict.table[verdict.table["headline"]]
    assert head["angle"].is_unique and len(head) == 7
