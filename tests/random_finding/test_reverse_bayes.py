"""Analysis of Credibility and intrinsic credibility against the papers' formulas and examples."""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.reverse_bayes import advocacy_limit, intrinsic_credibility, sceptical_limit
from bayes_ldn.stats import conjugate_normal

Z = stats.norm.isf(0.025)


def _posterior_interval(lo, hi, prior_mean, prior_sd):
    """Independent check: the posterior 95% interval under the critical prior (conjugate normal)."""
    est, se = (lo + hi) / 2, (hi - lo) / (2 * Z)
    return conjugate_normal(est, se, prior_mean, prior_sd).interval(0.95)


def test_sceptical_limit_worked_example_hr():
    # docs/reference/check-cases.md 7.3: HR 0.75 (0.60-0.94) -> SL(log) = 0.2834, prior interval (0.753, 1.328)
    lim = sceptical_limit(0.60, 0.94, ci_prob=0.95, scale="ratio")
    assert lim.limit == pytest.approx(0.2834, abs=5e-5)
    assert lim.ratio_interval[0] == pytest.approx(0.753, abs=5e-4)
    assert lim.ratio_interval[1] == pytest.approx(1.328, abs=5e-4)
    # the posterior upper limit under the sceptical prior is exactly log 1
    _, upper = _posterior_interval(np.log(0.60), np.log(0.94), 0.0, lim.prior_sd)
    assert upper == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(("lo", "hi"), [(0.4, 3.7), (0.05, 2.4), (-5.0, -0.1), (1.0, 1.5)])
def test_sceptical_limit_difference_scale_posterior_touches_zero(lo, hi):
    lim = sceptical_limit(lo, hi, ci_prob=0.95, scale="difference")
    assert lim.limit == pytest.approx((hi - lo) ** 2 / (4 * np.sqrt(hi * lo)), rel=1e-14)
    assert lim.prior_sd == pytest.approx(lim.limit / Z, rel=1e-14)
    post_lo, post_hi = _posterior_interval(lo, hi, 0.0, lim.prior_sd)
    nearest = post_lo if lo > 0 else post_hi
    assert nearest == pytest.approx(0.0, abs=1e-12)


def test_final_cpm_sceptical_limit():
    # (3.7 - 0.4)^2 / (4 sqrt(0.4 * 3.7)) = 10.89 / (4 * 1.21655) = 2.2379
    lim = sceptical_limit(0.4, 3.7, ci_prob=0.95, scale="difference")
    assert lim.limit == pytest.approx(2.2379, abs=1e-4)
    assert lim.credible is False  # the midpoint 2.05 lies inside (-2.24, 2.24)


@pytest.mark.parametrize(("lo", "hi"), [(-0.3, 1.2), (-2.0, 0.5), (np.log(0.55), np.log(1.02))])
def test_advocacy_limit_posterior_touches_zero(lo, hi):
    lim = advocacy_limit(lo, hi, ci_prob=0.95, scale="difference")
    assert np.sign(lim.limit) == np.sign(lo + hi)
    post_lo, post_hi = _posterior_interval(lo, hi, lim.prior_mean, lim.prior_sd)
    nearest = post_lo if lo + hi > 0 else post_hi
    assert nearest == pytest.approx(0.0, abs=1e-12)
    # the prior's 95% interval runs from the null to AL
    p_lo = lim.prior_mean - Z * lim.prior_sd
    p_hi = lim.prior_mean + Z * lim.prior_sd
    assert sorted([p_lo, p_hi]) == pytest.approx(sorted([0.0, lim.limit]), abs=1e-12)


def test_advocacy_limit_sign_matters():
    # the meta_ancred() snippet without the leading minus would give the wrong side
    lim = advocacy_limit(-0.3, 1.2, ci_prob=0.95, scale="difference")
    assert lim.limit > 0
    wrong_sign = -lim.limit
    _, post_hi = _posterior_interval(-0.3, 1.2, wrong_sign / 2, abs(wrong_sign) / (2 * Z))
    post_lo, _ = _posterior_interval(-0.3, 1.2, wrong_sign / 2, abs(wrong_sign) / (2 * Z))
    assert post_lo < 0 < post_hi


def test_intrinsic_credibility_thresholds():
    # Held 2019: p_I = 0.05 at p = 0.0056; Matthews 2018: p_I = 0.05 at p = 0.013
    z_held = stats.norm.isf(0.0056 / 2)
    assert intrinsic_credibility(z_held, method="held") == pytest.approx(0.05, abs=2e-4)
    # Matthews' threshold is |z| = 1.96 sqrt(golden ratio) exactly, i.e. p = 0.0127 ("0.013")
    z_matthews = Z * np.sqrt((1 + np.sqrt(5)) / 2)
    assert intrinsic_credibility(z_matthews, method="matthews") == pytest.approx(0.05, rel=1e-12)
    assert round(2 * stats.norm.sf(z_matthews), 3) == 0.013
    # Held's exact formula
    assert intrinsic_credibility(-2.5, method="held") == pytest.approx(2 * stats.norm.sf(2.5 / np.sqrt(2)), rel=1e-14)


@pytest.mark.parametrize("z_obs", [2.0, 2.3, 2.45, 2.55, 3.0, 4.0])
def test_matthews_credibility_equals_estimate_outside_sceptical_limit(z_obs):
    est, se = z_obs * 0.7, 0.7
    lim = sceptical_limit(est - Z * se, est + Z * se, ci_prob=0.95, scale="difference")
    assert lim.credible == (intrinsic_credibility(z_obs, method="matthews") < 0.05)


def test_validation_messages():
    with pytest.raises(DataValidationError, match="contains the null.*advocacy_limit"):
        sceptical_limit(-0.1, 2.0, ci_prob=0.95, scale="difference")
    with pytest.raises(DataValidationError, match="excludes the null.*sceptical_limit"):
        advocacy_limit(0.1, 2.0, ci_prob=0.95, scale="difference")
    with pytest.raises(DataValidationError, match="must be below upper.*swap"):
        sceptical_limit(3.0, 1.0, ci_prob=0.95, scale="difference")
    with pytest.raises(DataValidationError, match="ratio interval must be positive"):
        sceptical_limit(-1.0, 2.0, ci_prob=0.95, scale="ratio")
    with pytest.raises(DataValidationError, match="scale must be"):
        sceptical_limit(1.0, 2.0, ci_prob=0.95, scale="log")
    with pytest.raises(DataValidationError, match="exactly the null"):
        advocacy_limit(-1.0, 1.0, ci_prob=0.95, scale="difference")
    with pytest.raises(DataValidationError, match="method must be"):
        intrinsic_credibility(2.0, method="bayes")
