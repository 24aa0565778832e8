"""Change vs ANCOVA from summaries: exact against OLS on the same data; rho as an input."""

import numpy as np
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from bayes_ldn.data.simulate_parallel import simulate_final_like
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.reconcile import (
    ArmSummary,
    ancova_from_summaries,
    change_from_summaries,
    reconcile,
    rho_from_change_sd,
    rho_sweep,
)


def _cpm():
    f = simulate_final_like(random_seed=5, include_pain=False).frame
    return f[f.outcome == "cpm"].reset_index(drop=True)


def _summary(df, arm, rho_out):
    g = df[df.arm == arm]
    rho_out[arm] = np.corrcoef(g.baseline, g.followup)[0, 1]
    return ArmSummary(n=len(g), baseline_mean=g.baseline.mean(), baseline_sd=g.baseline.std(),
                      followup_mean=g.followup.mean(), followup_sd=g.followup.std(), name=arm)


def test_ancova_from_summaries_is_ols_when_rho_pooled():
    df = _cpm()
    # Give both arms the same within-arm correlation by residualising and rescaling placebo.
    g = df.arm == "placebo"
    x, y = df.loc[g, "baseline"], df.loc[g, "followup"]
    r_target = np.corrcoef(df.loc[~g, "baseline"], df.loc[~g, "followup"])[0, 1]
    zx = (x - x.mean()) / x.std()
    resid = (y - y.mean()) - np.polyfit(zx, y - y.mean(), 1)[0] * zx
    zr = resid / resid.std()
    df.loc[g, "followup"] = y.mean() + y.std() * (r_target * zx + np.sqrt(1 - r_target**2) * zr)
    rho = {}
    t, r = _summary(df, "LDN", rho), _summary(df, "placebo", rho)
    assert rho["LDN"] == pytest.approx(rho["placebo"], abs=1e-12)
    ols = smf.ols("followup ~ baseline + C(arm, Treatment('placebo'))", df).fit()
    est = ancova_from_summaries(t, r, rho=rho["LDN"])
    assert est.estimate == pytest.approx(ols.params.iloc[1], rel=1e-10)
    assert est.se == pytest.approx(ols.bse.iloc[1], rel=1e-10)
    assert est.df == int(ols.df_resid)
    chg = smf.ols("I(followup - baseline) ~ C(arm, Treatment('placebo'))", df).fit()
    c = change_from_summaries(t, r, rho=rho["LDN"])
    assert c.estimate == pytest.approx(chg.params.iloc[1], rel=1e-10)
    assert c.se == pytest.approx(chg.bse.iloc[1], rel=1e-10)


def test_difference_is_slope_times_baseline_imbalance():
    t = ArmSummary(n=45, baseline_mean=5.5, baseline_sd=6.0, followup_mean=6.7, followup_sd=6.5)
    r = ArmSummary(n=47, baseline_mean=4.8, baseline_sd=6.2, followup_mean=4.0, followup_sd=6.1)
    sweep = rho_sweep(t, r, [0.2, 0.5, 0.8], better="higher")
    np.testing.assert_allclose(sweep["difference"], (1 - sweep["ancova_slope"]) * (5.5 - 4.8), rtol=1e-12)
    assert np.all(sweep["ancova_se"] < sweep["change_se"])  # ANCOVA more precise at rho < 1
    assert np.all(np.diff(sweep["change_se"]) < 0)


def test_reconcile_integrates_rho_prior():
    t = ArmSummary(n=45, baseline_mean=5.5, baseline_sd=6.0, followup_mean=6.7, followup_sd=6.5)
    r = ArmSummary(n=47, baseline_mean=4.8, baseline_sd=6.2, followup_mean=4.0, followup_sd=6.1)
    prior = stats.beta(6, 4)
    out = reconcile(t, r, rho_prior=prior, better="higher").set_index("method")
    # Quadrature on the probability scale: the Beta quantile's endpoint behaviour (u^(1/6))
    # limits the composite rule to ~1e-6, far below anything reported.
    assert out.loc["ancova", "rho_mean"] == pytest.approx(0.6, abs=1e-5)
    # Mixture mean = E_rho[estimate(rho)] by independent adaptive quadrature.
    from scipy import integrate
    m, _ = integrate.quad(lambda u: ancova_from_summaries(t, r, rho=prior.ppf(u)).estimate, 0, 1)
    assert out.loc["ancova", "mean"] == pytest.approx(m, rel=1e-5)
    # The change-score mean does not depend on rho; its spread does.
    assert out.loc["change", "mean"] == pytest.approx((6.7 - 5.5) - (4.0 - 4.8), rel=1e-12)
    lower = reconcile(t, r, rho_prior=prior, better="lower").set_index("method")
    assert lower.loc["ancova", "prob_better"] == pytest.approx(1 - out.loc["ancova", "prob_better"], abs=1e-12)
    # A point-mass-like prior reproduces the fixed-rho answer.
    narrow = reconcile(t, r, rho_prior=stats.beta(6e5, 4e5), better="higher").set_index("method")
    fixed = ancova_from_summaries(t, r, rho=0.6)
    assert narrow.loc["ancova", "mean"] == pytest.approx(fixed.estimate, rel=1e-4)
    assert narrow.loc["ancova", "sd"] == pytest.approx(fixed.se, rel=1e-3)


def test_rho_from_change_sd_inverts():
    a = ArmSummary(n=45, baseline_mean=5.0, baseline_sd=6.0, followup_mean=6.0, followup_sd=6.5)
    sd = np.sqrt(6**2 + 6.5**2 - 2 * 0.55 * 6 * 6.5)
    assert rho_from_change_sd(a, sd) == pytest.approx(0.55, rel=1e-12)
    with pytest.raises(DataValidationError, match=r"change SD 20 is incompatible"):
        rho_from_change_sd(a, 20)


def test_validation_messages():
    with pytest.raises(DataValidationError) as err:
        ArmSummary(n=1, baseline_mean=np.nan, baseline_sd=0.0, followup_mean=1.0, followup_sd=1.0, name="LDN")
    assert "n must be >= 2" in str(err.value) and "baseline_sd must be positive" in str(err.value)
    assert "baseline_mean must be finite" in str(err.value)
    a = ArmSummary(n=5, baseline_mean=0, baseline_sd=1, followup_mean=0, followup_sd=1)
    with pytest.raises(DataValidationError, match=r"rho must lie in \(-1, 1\), got 1.0"):
        ancova_from_summaries(a, a, rho=1.0)
    with pytest.raises(DataValidationError, match=r"support inside \(-1, 1\)"):
        reconcile(a, a, rho_prior=stats.norm(0, 1), better="higher")
