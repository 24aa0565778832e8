"""MCMC checks of the parallel model: OLS under vague priors, parameter recovery, SBC."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_parallel import simulate_final_like
from bayes_ldn.designs.parallel import parallel_model, proper_nuisance, reference_nuisance
from bayes_ldn.exceptions import ConvergenceWarning
from bayes_ldn.fit import fit
from tests.helpers import assert_within_mcse

OLS = "followup ~ baseline + C(arm, Treatment('placebo'))"


def _cpm(seed, **kw):
    f = simulate_final_like(random_seed=seed, include_pain=False, **kw).frame
    return f[f.outcome == "cpm"].reset_index(drop=True)


@pytest.mark.slow
def test_ancova_matches_ols_under_vague_priors():
    df = _cpm(21)
    data = ParallelData.from_frame(df, treatment="LDN", reference="placebo")
    model = parallel_model(data, pr.vague(), better="higher", method="ancova", likelihood="normal",
                           nuisance=reference_nuisance())
    post = fit(model, random_seed=5, draws=1000, tune=700, chains=2)["posterior"]
    ols = smf.ols(OLS, df).fit()
    est, se, nu = ols.params.iloc[1], ols.bse.iloc[1], ols.df_resid
    # Flat priors and p(sigma) ~ 1/sigma: the effect's posterior is t_nu(est, se) exactly.
    assert_within_mcse(post["treatment_effect"], est, se * np.sqrt(nu / (nu - 2)))
    assert abs(float(post["treatment_effect"].std()) / se - 1) < 0.10
    assert_within_mcse(post["baseline_slope"], ols.params["baseline"])
    # Reference arm's adjusted change at the mean baseline = OLS prediction minus that baseline.
    b_bar = df.baseline.mean()
    pred = ols.params["Intercept"] + ols.params["baseline"] * b_bar - b_bar
    assert_within_mcse(post["change_reference"], pred)


@pytest.mark.slow
def test_change_score_matches_two_sample_difference():
    df = _cpm(22)
    data = ParallelData.from_frame(df, treatment="LDN", reference="placebo")
    model = parallel_model(data, pr.vague(), better="higher", method="change", likelihood="normal",
                           nuisance=reference_nuisance())
    post = fit(model, random_seed=6, draws=1000, tune=700, chains=2)["posterior"]
    change = df.followup - df.baseline
    t, r = change[df.arm == "LDN"], change[df.arm == "placebo"]
    res = stats.ttest_ind(t, r, equal_var=True)
    diff = t.mean() - r.mean()
    se = diff / res.statistic
    nu = len(df) - 2
    assert_within_mcse(post["treatment_effect"], diff, se * np.sqrt(nu / (nu - 2)))
    assert abs(float(post["treatment_effect"].std()) / se - 1) < 0.10
    assert_within_mcse(post["change_reference"], r.mean())
    assert_within_mcse(post["change_treatment"], t.mean())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [31, 32, 33])
def test_parameter_recovery(seed):
    # Larger arms than FINAL so that recovery is informative; 4 posterior SDs is a ~1e-4 miss rate.
    sim = simulate_final_like(random_seed=seed, n_per_arm=(150, 150), include_pain=False,
                              effects={"cpm": 2.5}, measurement_sd={"cpm": 4.0})
    f = sim.frame[sim.frame.outcome == "cpm"]
    data = ParallelData.from_frame(f, treatment="LDN", reference="placebo")
    model = parallel_model(data, pr.skeptical(mcid=2.0, strength="weak"), better="higher", method="ancova",
                           likelihood="student", nuisance=reference_nuisance())
    post = fit(model, random_seed=seed, draws=500, tune=500, chains=2)["posterior"]
    truth = sim.truth
    for name, value in (("treatment_effect", truth["effects"]["cpm"]),
                        ("baseline_slope", truth["ancova_slope"]["cpm"]),
                        ("change_reference", truth["change_reference"]["cpm"])):
        m, s = float(post[name].mean()), float(post[name].std())
        assert abs(m - value) < 4 * s, f"{name}: posterior {m:.3f} (sd {s:.3f}) vs truth {value:.3f}"


@pytest.mark.sbc
def test_sbc_ancova():
    """Ranks of the truth among posterior draws are uniform (Talts et al. 2018, arXiv:1804.06788)."""
    rng = np.random.default_rng(2024)
    n_sims, n_per_arm, keep = 100, 20, 99
    prior = pr.normal(0.0, 1.0)
    nuisance = proper_nuisance(change_sd=1.0, baseline_slope=(0.7, 0.2), covariate_sd=1.0, residual_sd_scale=1.0)
    baseline = rng.normal(0.0, 1.0, 2 * n_per_arm)
    treated = np.r_[np.ones(n_per_arm), np.zeros(n_per_arm)].astype(int)
    ranks = {"treatment_effect": [], "baseline_slope": [], "residual_sd": []}
    for i in range(n_sims):
        effect, c0 = rng.normal(0, 1), rng.normal(0, 1)
        slope, sigma = rng.normal(0.7, 0.2), abs(rng.normal(0, 1))
        y = baseline + c0 + effect * treated + (slope - 1) * (baseline - baseline.mean()) + rng.normal(0, sigma, baseline.size)
        df = pd.DataFrame({"arm": np.where(treated == 1, "A", "B"), "baseline": baseline, "followup": y})
        data = ParallelData.from_frame(df, treatment="A", reference="B")
        model = parallel_model(data, prior, better="higher", method="ancova", likelihood="normal", nuisance=nuisance)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            post = fit(model, random_seed=1000 + i, draws=500, tune=500, chains=2, nuts_sampler="pymc")["posterior"]
        for name, value in (("treatment_effect", effect), ("baseline_slope", slope), ("residual_sd", sigma)):
            draws = post[name].values.ravel()[:: max(1, post[name].size // keep)][:keep]
            ranks[name].append(int(np.sum(draws < value)))
    for name, r in ranks.items():
        counts = np.bincount(np.asarray(r) * 10 // (keep + 1), minlength=10)
        p = stats.chisquare(counts).pvalue
        assert p > 0.001, f"{name}: SBC ranks not uniform (chi-square p = {p:.2g}, counts {counts.tolist()})"
