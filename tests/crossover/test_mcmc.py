"""MCMC checks of the crossover model against classical references (slow)."""

import warnings

import numpy as np
import pytest
import statsmodels.formula.api as smf
from statsmodels.tools.sm_exceptions import ConvergenceWarning as StatsmodelsConvergenceWarning

from bayes_ldn import priors as pr
from bayes_ldn.crossover_analysis import SENSITIVITY_COLUMNS, carryover_sensitivity
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.crossover_summaries import hills_armitage, sequence_summaries
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.fit import fit
from tests.helpers import mcse_mean

pytestmark = pytest.mark.slow
SAMPLING = {"draws": 1000, "tune": 1000, "chains": 2, "nuts_sampler": "pymc"}


def complete_trial(seed):
    frame, truth = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                      residual_sd=8.0, dropout=0.0, random_seed=seed)
    return CrossoverData.from_frame(frame, treatment="LDN", reference="placebo"), truth


def test_vague_posterior_matches_hills_armitage_and_mixed_model():
    data, _ = complete_trial(21)
    model = crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal",
                            baseline=False)
    idata = fit(model, random_seed=5, **SAMPLING)
    draws = idata["posterior"]["treatment_effect"]
    ha = hills_armitage(sequence_summaries(data), treatment="LDN", reference="placebo")
    f = data.frame.assign(treated=data.treated, subject=data.frame["subject"].astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatsmodelsConvergenceWarning)
        mixed = smf.mixedlm("outcome ~ C(period) + treated", f, groups=f["subject"]).fit(reml=True)
    k_mcse = 4 * mcse_mean(draws)
    assert abs(float(draws.mean()) - ha.treatment_effect) <= k_mcse
    assert abs(float(draws.mean()) - mixed.params["treated"]) <= k_mcse
    period = idata["posterior"]["period_effect"].sel(period_contrast=2)
    assert abs(float(period.mean()) - ha.period_effect) <= 4 * mcse_mean(period)
    # Posterior SD within 10% of the frequentist SE (n = 58, t-like posterior: ~2% wider).
    assert abs(float(draws.std()) / mixed.bse["treated"] - 1) < 0.10
    # The aligned draws are the same draws with the sign of benefit.
    np.testing.assert_allclose(idata["posterior"]["treatment_effect_aligned"].values, -draws.values)


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_parameter_recovery(seed):
    frame, truth = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                      residual_sd=8.0, dropout=0.1, random_seed=seed)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    model = crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal",
                            baseline=False, nuisance="scale_0_100")
    idata = fit(model, random_seed=seed, **SAMPLING)
    post = idata["posterior"]
    checks = {"treatment_effect": truth.treatment_effect, "period_effect": truth.period_effect[0],
              "subject_sd": truth.subject_sd, "residual_sd": truth.residual_sd}
    for name, true in checks.items():
        lo, hi = np.quantile(post[name].values, [0.005, 0.995])
        assert lo < true < hi, f"{name}: truth {true} outside 99% interval ({lo:.3g}, {hi:.3g})"


def test_carryover_sensitivity_in_one_call():
    data, _ = complete_trial(31)
    table = carryover_sensitivity(data, pr.vague(), better="lower", likelihood="normal",
                                  carryover_prior=pr.vague(), random_seed=7, draws=1000, tune=700,
                                  chains=4, nuts_sampler="pymc")  # 2 chains left ESS at ~400 (warned)
    assert list(table.columns) == SENSITIVITY_COLUMNS
    assert list(table["analysis"]) == ["within_subject", "sequence_effect", "carryover_prior", "first_period_only"]
    rows = table.set_index("analysis")
    mcse = rows["sd"] / np.sqrt(rows["ess_bulk"])
    ha = hills_armitage(sequence_summaries(data), treatment="LDN", reference="placebo").treatment_effect
    first = data.first_period()
    period1 = (first.loc[first["treatment"] == "LDN", "outcome"].mean()
               - first.loc[first["treatment"] == "placebo", "outcome"].mean())
    # With complete 2x2 data the sequence effect leaves the within-subject estimate alone ...
    for name in ("within_subject", "sequence_effect"):
        assert abs(rows.loc[name, "mean"] - ha) <= 4 * mcse[name]
    # ... while a flat carry-over prior gives back the first-period (parallel) estimate.
    for name in ("carryover_prior", "first_period_only"):
        assert abs(rows.loc[name, "mean"] - period1) <= 4 * mcse[name]
    assert rows.loc["first_period_only", "sd"] > rows.loc["within_subject", "sd"]
    assert rows[["elpd_loo", "elpd_diff"]].iloc[:3].notna().all().all()
    assert rows.loc[["within_subject", "sequence_effect", "carryover_prior"], "elpd_diff"].max() == 0.0
