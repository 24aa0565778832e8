"""Simulation-based calibration of the AB/BA model (Talts et al. 2018, arXiv:1804.06788).

Loop: draw parameters and outcomes from the prior predictive of the model built on a fixed
design, put each simulated outcome into the model (``pm.set_data`` on the observed
``outcome_observed``), sample, and rank each true value among thinned posterior draws. If the
sampler and the model agree, ranks are uniform on 0..L. Test: Pearson chi-square on 10 equal
bins, each parameter at alpha = 0.01 / 4 (Bonferroni over the four parameters).
"""

import logging
import warnings

import numpy as np
import pymc as pm
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs.crossover import crossover_model

N_SIMS = 100
THIN = 10
PARAMS = ("treatment_effect", "period_effect", "subject_sd", "residual_sd")


@pytest.mark.sbc
def test_sbc_ab_ba_ranks_are_uniform():
    frame, _ = simulate_crossover(treatment_effect=0.0, period_effect=0.0, subject_sd=1.0, residual_sd=1.0,
                                  dropout=0.0, n_subjects=16, intercept=5.0, random_seed=1)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    model = crossover_model(data, pr.normal(0.0, 1.0), better="lower", carryover="none",
                            likelihood="normal", baseline=False, nuisance="scale_0_10")
    m = model.pymc_model
    prior = pm.sample_prior_predictive(draws=N_SIMS, model=m, random_seed=2024)
    truth = {name: prior["prior"][name].values.reshape(N_SIMS, -1)[:, 0] for name in PARAMS}
    simulated = prior["prior_predictive"]["outcome"].values.reshape(N_SIMS, -1)
    logging.getLogger("pymc").setLevel(logging.ERROR)
    ranks = {name: [] for name in PARAMS}
    for i in range(N_SIMS):
        with m, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm.set_data({"outcome_observed": simulated[i]})
            idata = pm.sample(draws=500, tune=500, chains=2, cores=1, random_seed=i, nuts_sampler="pymc",
                              progressbar=False, compute_convergence_checks=False)
        for name in PARAMS:
            post = idata["posterior"][name].values.reshape(2, 500, -1)[:, ::THIN, 0].ravel()
            ranks[name].append(int((post < truth[name][i]).sum()))
    n_ranks = 2 * 500 // THIN + 1
    for name in PARAMS:
        counts = np.histogram(ranks[name], bins=np.linspace(0, n_ranks, 11))[0]
        p = stats.chisquare(counts).pvalue
        assert p > 0.01 / len(PARAMS), f"{name}: SBC ranks not uniform (chi-square p = {p:.4g}, counts {counts})"
