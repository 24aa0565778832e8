"""Exact synthesis: closed forms, an independent quadrature, conversions, provenance (fast, no MCMC)."""

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.stats.meta_analysis import combine_effects

import bayes_ldn.synthesis as sy
from bayes_ldn.datasets import load_record
from bayes_ldn.exceptions import DataValidationError

Y = np.array([0.22, -0.24, 0.07, 0.47])
S = np.array([0.20, 0.20, 0.13, 0.19])


def _studies(y=Y, s=S, verified=(True, False, True, False)):
    return [
        sy.SynthesisStudy(label=f"t{i}", estimate=float(a), se=float(b), scale="smd", design="parallel", n=None,
                          dose_mg=None, rho=None, record="", evidence="ABS" if v else "3P", verified=v,
                          conversions="")
        for i, (a, b, v) in enumerate(zip(y, s, verified, strict=True))
    ]


def _ldn(rho=0.5, scale="smd", sensitivity=False):
    return sy.ldn_pain_studies(scale=scale, rho=rho, bested_outcome="spir",
                               conversions=sy.LDN_PAIN_CONVERSIONS, include_sensitivity=sensitivity)


# --- quadrature against closed forms ------------------------------------------------------------


@pytest.mark.parametrize("mu_prior", [None, (0.0, 1.0)])
def test_fixed_tau_matches_conjugate_closed_form(mu_prior):
    tau = 0.3
    res = sy.synthesize(_studies(), mu_prior=mu_prior, tau_prior=sy.fixed_tau(tau), mcid=0.5)
    w = 1.0 / (S**2 + tau**2)
    prec = w.sum() + (0.0 if mu_prior is None else 1.0 / mu_prior[1] ** 2)
    mean = (w @ Y + (0.0 if mu_prior is None else mu_prior[0] / mu_prior[1] ** 2)) / prec
    sd = prec**-0.5
    assert res.posterior.mu.mean == pytest.approx(mean, rel=1e-12)
    assert res.posterior.mu.sd == pytest.approx(sd, rel=1e-12)
    assert res.summary()["prob_mu_positive"] == pytest.approx(stats.norm.sf(0, mean, sd), rel=1e-12)
    assert res.summary()["prob_mu_above_mcid"] == pytest.approx(stats.norm.sf(0.5, mean, sd), rel=1e-10)
    assert res.posterior.predictive.sd == pytest.approx(np.sqrt(sd**2 + tau**2), rel=1e-12)


def test_tau_zero_gives_inverse_variance_pooled_estimate_exactly():
    res = sy.synthesize(_studies(), mu_prior=None, tau_prior=sy.fixed_tau(0.0), mcid=None)
    ref = combine_effects(Y, S**2)
    assert res.posterior.mu.mean == pytest.approx(ref.mean_effect_fe, rel=1e-14)
    assert res.posterior.mu.sd == pytest.approx(ref.sd_eff_w_fe, rel=1e-14)
    # With tau = 0 every trial is shrunk all the way to the pooled mean.
    for lab in res.posterior.labels:
        assert res.posterior.theta[lab].mean == pytest.approx(ref.mean_effect_fe, rel=1e-12)


@pytest.mark.parametrize("tau_prior", [sy.halfnormal_tau(0.5), sy.halfcauchy_tau(0.5), sy.rhodes_tau()])
def test_quadrature_matches_independent_adaptive_integration(tau_prior):
    """E[mu | y] and P(mu > 0 | y) by scipy quad over tau with the multivariate-normal marginal."""
    m0, s0 = 0.0, 1.0
    res = sy.synthesize(_studies(), mu_prior=(m0, s0), tau_prior=tau_prior, mcid=None)

    def marginal(t):
        cov = np.diag(S**2 + t**2) + s0**2
        return stats.multivariate_normal(np.full(4, m0), cov).pdf(Y)

    def cond(t):
        w = 1 / (S**2 + t**2)
        p = w.sum() + 1 / s0**2
        return (w @ Y + m0 / s0**2) / p, p**-0.5

    def dens(x):  # integrate over x = log(tau), density p(tau) tau, to tame the Rhodes spike at 0
        t = np.exp(x)
        return np.exp(tau_prior.logpdf(t) + x) * marginal(t)

    def integral(f):
        return integrate.quad(f, -40, 5, points=[-6, -3, -1.5, 0], limit=200, epsabs=0, epsrel=1e-9)[0]

    z = integral(dens)
    mean = integral(lambda x: dens(x) * cond(np.exp(x))[0]) / z
    prob = integral(lambda x: dens(x) * stats.norm.sf(0, *cond(np.exp(x)))) / z
    tau_mean = integral(lambda x: dens(x) * np.exp(x)) / z
    assert res.posterior.mu.mean == pytest.approx(mean, rel=1e-6)
    assert res.posterior.mu.prob_above(0.0) == pytest.approx(prob, rel=1e-6)
    assert res.posterior.tau_mean == pytest.approx(tau_mean, rel=1e-3)
    assert res.posterior.log_marginal == pytest.approx(np.log(z), abs=1e-6)


def test_rhodes_prior_is_the_stated_log_t():
    p = sy.rhodes_tau()
    assert p.params == {"location": -3.16, "scale": 2.50, "df": 5.0}
    u = np.array([0.025, 0.5, 0.975])
    tau = p.ppf(u)
    assert tau[1] == pytest.approx(np.exp(-3.16 / 2))
    np.testing.assert_allclose(stats.t.cdf(np.log(tau**2), 5, -3.16, 2.5), u, rtol=1e-12)
    np.testing.assert_allclose(p.cdf(tau), u, rtol=1e-12)
    # Over x = log(tau) the density is p(tau) tau; the spike of p(tau) at 0 disappears.
    total = integrate.quad(lambda x: np.exp(p.logpdf(np.exp(x)) + x), -200, 60, points=[-5, -1.58, 0], limit=400)[0]
    assert total == pytest.approx(1.0, abs=1e-7)


@pytest.mark.parametrize("text,problem", [
    ("halfnormal:-1", "cannot read tau prior 'halfnormal:-1'"),
    ("gamma:2", "cannot read tau prior 'gamma:2'"),
    ("halfcauchy:x", "SCALE > 0"),
])
def test_tau_prior_parse_errors(text, problem):
    with pytest.raises(DataValidationError, match=problem):
        sy.parse_tau_prior(text)


def test_synthesis_rejects_mixed_scales_and_repeated_labels():
    a = _studies()
    b = [sy.SynthesisStudy(**{**a[0].__dict__, "scale": "nrs"})]
    with pytest.raises(DataValidationError, match=r"different scales[\s\S]*repeated: t0"):
        sy.synthesize(a + b, mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=None)


# --- conversions to the common scale -----------------------------------------------------------


def test_parallel_smd_keeps_the_trial_z_statistic():
    final = _ldn()[0]
    assert final.label == "FINAL" and final.record == "final_pain"
    md_se = (0.27 - -0.95) / (2 * stats.norm.ppf(0.975))
    sd = md_se / np.sqrt(1 / 49 + 1 / 50)
    j = 1 - 3 / (4 * 97 - 1)
    d = 0.34 / sd
    assert final.estimate == pytest.approx(j * d, rel=1e-12)
    assert final.se == pytest.approx(j * np.sqrt(1 / 49 + 1 / 50 + d**2 / (2 * 99)), rel=1e-12)


@pytest.mark.parametrize("rho", [0.2, 0.5, 0.8])
def test_crossover_smd_follows_the_correlation(rho):
    younger = next(s for s in _ldn(rho) if s.record == "younger2013_pain")
    t = stats.t.isf(0.016 / 2, 27)
    d_z = t / np.sqrt(28)  # SD_D = SE sqrt(n) with SE = MD / t
    c = np.sqrt(2 * (1 - rho))
    j = 1 - 3 / (4 * 27 - 1)
    d = d_z * c
    assert younger.estimate == pytest.approx(j * d, rel=1e-12)
    assert younger.se == pytest.approx(j * np.sqrt((1 / 28 + d**2 / 56) * c**2), rel=1e-12)
    assert younger.rho == rho


def test_nrs_scale_uses_points_and_leaves_out_bested():
    nrs = _ldn(rho=None, scale="nrs")
    assert [s.label for s in nrs] == ["FINAL", "INNOVA", "Younger 2013"]
    assert nrs[0].estimate == pytest.approx(0.34) and nrs[1].estimate == pytest.approx(-0.49)
    assert nrs[2].estimate == pytest.approx(10.8 * 50.8 / 1000)
    assert "baseline VAS" in nrs[2].conversions


def test_crossover_smd_needs_rho():
    with pytest.raises(DataValidationError, match=r"within-patient correlation rho in \[0, 1\), got None"):
        _ldn(rho=None)


def test_bested_enters_through_a_named_median_conversion():
    bested = next(s for s in _ldn() if s.label == "Bested 2023")
    assert bested.record == "bested_spir" and "wan2014" in bested.conversions
    conv = dict(sy.LDN_PAIN_CONVERSIONS, bested_spir="ci_normal")
    with pytest.raises(DataValidationError, match="named median/IQR conversion"):
        sy.ldn_pain_studies(scale="smd", rho=0.5, bested_outcome="spir", conversions=conv, include_sensitivity=False)


# --- outputs and provenance ------------------------------------------------------------------


def test_evidence_tags_reach_the_table_and_unverified_trials_are_marked():
    studies = _ldn(sensitivity=True)
    res = sy.synthesize(studies, mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=0.5)
    table = sy.synthesis_table(res)
    rows = table[table["row"] == "study"].set_index("record")
    for s in studies:
        rec = load_record(s.record)
        assert rows.loc[s.record, "evidence"] == "+".join(rec.evidence)
        assert bool(rows.loc[s.record, "verified"]) is rec.verified
    assert rows.loc["younger2009_symptoms", "role"] == "sensitivity"
    plot = sy.forest_plot_data(res).set_index("label")
    assert plot.loc["INNOVA", "unverified"] and plot.loc["Younger 2013", "unverified"]
    assert plot.loc["Younger 2009", "unverified"]
    assert not plot.loc["FINAL", "unverified"] and not plot.loc["Bested 2023", "unverified"]
    assert plot.loc["INNOVA", "display_label"].endswith("\u2020")
    assert not plot.loc["FINAL", "display_label"].endswith("\u2020")
    assert set(plot["kind"]) == {"study", "mu", "predictive"}


def test_forest_plot_draws_open_markers_for_unverified_trials():
    from bayes_ldn.plots import plot_forest

    res = sy.synthesize(_ldn(), mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=0.5)
    data = sy.forest_plot_data(res)
    ax = plot_forest(data)
    faces = [ln.get_markerfacecolor() for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert sorted(faces) == ["black", "black", "white", "white"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(data["display_label"])
    lo, hi = ax.get_xlim()
    pred = data[data["kind"] == "predictive"].iloc[0]
    assert lo <= pred["lower"] and pred["upper"] <= hi


def test_predictive_is_wider_than_mean_and_loo_has_one_row_per_trial():
    studies = _ldn()
    res = sy.synthesize(studies, mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=0.5)
    summ = res.summary()
    assert summ["predictive"]["sd"] > summ["mu"]["sd"]
    assert summ["predictive"]["mean"] == pytest.approx(summ["mu"]["mean"], rel=1e-12)
    loo = sy.leave_one_out(studies, mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=0.5)
    assert list(loo["left_out"]) == [s.label for s in studies]
    assert loo["conflict_p"].between(0, 1).all()
    # Leaving out the trial with the largest positive estimate lowers the pooled mean.
    assert loo.set_index("left_out").loc["Younger 2013", "mu_mean"] < summ["mu"]["mean"]


def test_prior_sensitivity_grid_and_rho_sweep_shapes():
    studies = _ldn()
    tab = sy.prior_sensitivity(studies, mu_priors={"flat": None, "n01": (0.0, 1.0)},
                               tau_priors={"hn": sy.halfnormal_tau(0.5), "rhodes": sy.rhodes_tau()}, mcid=0.5)
    assert len(tab) == 4 and tab["tau_prior_statement"].str.contains("Rhodes").any()
    sweep = sy.rho_sweep(_ldn, [0.2, 0.8], mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=0.5)
    # A higher rho shrinks the crossovers' SMDs and their SEs: the pooled SD falls.
    assert sweep["mu_sd"].iloc[1] < sweep["mu_sd"].iloc[0]


def test_rho_prior_without_crossovers_reduces_to_the_plain_synthesis():
    nrs = _ldn(rho=None, scale="nrs")
    plain = sy.synthesize(nrs, mu_prior=(0.0, 2.0), tau_prior=sy.halfnormal_tau(1.0), mcid=1.0)
    mixed, table = sy.synthesize_over_rho(lambda r: nrs, stats.beta(5, 5), mu_prior=(0.0, 2.0),
                                          tau_prior=sy.halfnormal_tau(1.0), mcid=1.0)
    np.testing.assert_allclose(table["posterior_weight"], table["prior_weight"] / table["prior_weight"].sum(),
                               rtol=1e-10)
    assert mixed.posterior.mu.mean == pytest.approx(plain.posterior.mu.mean, rel=1e-10)
    assert mixed.posterior.mu.sd == pytest.approx(plain.posterior.mu.sd, rel=1e-10)


def test_rho_prior_needs_a_proper_mu_prior():
    with pytest.raises(DataValidationError, match="proper mu_prior"):
        sy.synthesize_over_rho(_ldn, stats.beta(5, 5), mu_prior=None, tau_prior=sy.halfnormal_tau(0.5), mcid=None)


# --- user rows ----------------------------------------------------------------------------------


def test_user_rows_list_every_problem():
    rows = [
        {"study": "A", "estimate": "0.2", "se": "0.1", "lower": "", "upper": ""},
        {"study": "A", "estimate": "x", "se": "-1", "lower": "", "upper": ""},
        {"study": "", "estimate": "0.1", "se": "", "lower": "0.5", "upper": "0.2"},
        {"study": "D", "estimate": "0.9", "se": "", "lower": "0.1", "upper": "0.5"},
        {"study": "E", "estimate": "0.1", "se": "0.1", "lower": "0.0", "upper": "0.2"},
    ]
    with pytest.raises(DataValidationError) as err:
        sy.studies_from_rows(rows, better="higher")
    msg = str(err.value)
    for part in ("row 2: study 'A' repeats row 1", "row 2, column 'estimate': 'x' is not a number",
                 "row 2, column 'se': must be positive", "row 3: column 'study' is empty",
                 "row 3: lower (0.5) must be below upper (0.2)",
                 "row 4: estimate 0.9 lies outside its interval", "row 5: give 'se' or 'lower'/'upper', not both"):
        assert part in msg
    assert "7 problem(s)" in msg


def test_user_rows_missing_columns():
    with pytest.raises(DataValidationError, match=r"missing column\(s\) estimate[\s\S]*give a column 'se'"):
        sy.studies_from_rows([{"study": "A", "effect": "1"}], better="higher")


def test_user_rows_ci_to_se_and_alignment():
    rows = [{"study": "A", "estimate": "-0.5", "lower": "-0.892", "upper": "-0.108"}]
    (study,) = sy.studies_from_rows(rows, better="lower")
    assert study.estimate == 0.5
    assert study.se == pytest.approx(0.784 / (2 * stats.norm.ppf(0.975)), rel=1e-12)
    assert study.evidence == "USER" and study.verified
