"""Conversions against their papers' formulas, worked values and simulation."""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import conversions as cv
from bayes_ldn.exceptions import DataValidationError


def test_se_from_ci_normal_and_t():
    assert cv.se_from_ci(0.4, 3.7).value == pytest.approx(3.3 / (2 * stats.norm.ppf(0.975)), abs=1e-12)
    t = cv.se_from_ci(0.4, 3.7, method="ci_t", df=90)
    assert t.value == pytest.approx(3.3 / (2 * stats.t.ppf(0.975, 90)), abs=1e-12)
    assert "t(90)" in t.note


def test_se_from_p_altman_bland():
    # Altman & Bland 2011 (BMJ 343:d2090) worked example: est -0.34, p 0.27 -> z = 1.103.
    c = cv.se_from_p(-0.34, 0.27)
    assert c.value == pytest.approx(0.34 / stats.norm.isf(0.135), abs=1e-12)
    # Round trip: the SE reproduces the p-value.
    assert 2 * stats.norm.sf(0.34 / c.value) == pytest.approx(0.27, abs=1e-12)


def test_wan2014_eta_formula_and_example():
    # Wan et al. 2014, eq. 16: eta(n) = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25)).
    mean, sd = cv.mean_sd_from_median_iqr(-1.65, iqr=18.55, n=58, method="wan2014")
    eta = 2 * stats.norm.ppf((0.75 * 58 - 0.125) / 58.25)
    assert sd.value == pytest.approx(18.55 / eta, abs=1e-12)
    assert mean.value == -1.65 and "symmetric" in mean.note
    m2, _ = cv.mean_sd_from_median_iqr(5.0, q1=2.0, q3=11.0, n=40, method="wan2014")
    assert m2.value == pytest.approx(6.0, abs=1e-12)
    m3, _ = cv.mean_sd_from_median_iqr(5.0, q1=2.0, q3=11.0, n=40, method="luo2018")
    w = 0.7 + 0.39 / 40
    assert m3.value == pytest.approx(w * 6.5 + (1 - w) * 5.0, abs=1e-12)


@pytest.mark.parametrize("method", ["wan2014", "cochrane"])
def test_median_iqr_sd_by_simulation(method):
    # For normal data the SD estimate from the sample IQR is close to unbiased; its mean over
    # 4000 simulated samples of n = 58 must lie within 4 Monte Carlo SEs of the truth (+ the
    # known approximation bias, < 1.5% for these methods at n = 58).
    rng = np.random.default_rng(20261122)
    x = rng.normal(0.0, 10.0, size=(4000, 58))
    q1, med, q3 = np.percentile(x, [25, 50, 75], axis=1)
    est = np.array([cv.mean_sd_from_median_iqr(m, q1=a, q3=b, n=58, method=method)[1].value for a, m, b in zip(q1, med, q3)])
    mc = est.std() / np.sqrt(est.size)
    assert abs(est.mean() - 10.0) < 4 * mc + 0.15


def test_effect_size_and_log_ratio():
    assert cv.sd_from_effect_size(-1.65, 0.15).value == pytest.approx(11.0, abs=1e-12)
    est, lo, hi = cv.log_ratio(0.75, 0.55, 1.02)
    assert (est, lo, hi) == (np.log(0.75), np.log(0.55), np.log(1.02))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cv.se_from_ci(3.7, 0.4), "must be below upper"),
        (lambda: cv.se_from_ci(0.4, 3.7, estimate=5.0), "outside its interval"),
        (lambda: cv.se_from_ci(0.4, 3.7, method="ci_t"), "needs df"),
        (lambda: cv.se_from_p(1.0, 1.5), "p must lie in"),
        (lambda: cv.se_from_sd(2.0, 1), "n must be at least 2"),
        (lambda: cv.log_ratio(-0.5, 0.2, 0.9), "not a positive ratio"),
        (lambda: cv.mean_sd_from_median_iqr(1.0, iqr=2.0, n=1, method="wan2014"), "n must be at least 2"),
        (lambda: cv.mean_sd_from_median_iqr(1.0, iqr=2.0, n=10, method="hozo"), "unknown median/IQR method"),
        (lambda: cv.sd_from_effect_size(1.0, 0.0), "non-zero"),
    ],
)
def test_conversion_errors(call, match):
    with pytest.raises(DataValidationError, match=match):
        call()


def test_all_problems_reported_at_once():
    with pytest.raises(DataValidationError) as err:
        cv.se_from_ci(3.7, 0.4, ci_prob=1.5, method="bogus")
    assert len(err.value.problems) == 3
