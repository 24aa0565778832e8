# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 5. Checking a model: prior predictive, posterior predictive, SBC
#
# Three checks answer three questions:
#
# 1. **Prior predictive**: do the priors imply data we would find plausible before seeing any?
# 2. **Posterior predictive**: does the fitted model reproduce the data it was fitted to?
# 3. **Simulation-based calibration (SBC)**: does the *computation* return correct posteriors?
#    Draw a truth from the prior, simulate data, fit; the rank of the truth among the posterior
#    draws must be uniform (Talts et al. 2018, arXiv:1804.06788).
#
# The model is bayes_ldn's summary-level model of FINAL's pain result under the moderate
# skeptical prior, fitted with PyMC (`aggregate_model` + `fit`).

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_record`, `to_likelihood`, `priors.skeptical`: a published result as a normal likelihood, and
#   a named sceptical prior (lessons 3 and 8).
# * `aggregate_model(likelihood, prior)`: the one-parameter PyMC model of a published estimate
#   (`outcome ~ N(effect, SE^2)`), returned with its priors and choices recorded.
# * `fit(model, ...)`: NUTS sampling (nutpie) returning an ArviZ `DataTree`; it warns when R-hat, ESS
#   or divergences fail the package's thresholds.
# * `convergence_table(idata, names)`: R-hat, bulk and tail ESS and divergences, one row per parameter.
# * `exact_posterior(likelihood, prior)`: the closed-form posterior, to check the sampler against.
# * `sbc_nuts` (`bayes_ldn.simulation.sbc`): one simulation-based-calibration replication with a NUTS
#   fit, explained where it is used.

# %% Provenance and fast mode
import os

import matplotlib.pyplot as plt
import numpy as np
import pymc as pm
from scipy import stats

from bayes_ldn import priors
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.designs.aggregate import aggregate_model
from bayes_ldn.diagnostics import convergence_table
from bayes_ldn.exact import exact_posterior
from bayes_ldn.fit import fit

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
DRAWS = 500 if FAST else 2000
N_SBC = 200 if FAST else 1000
N_SBC_NUTS = 200 if FAST else 1000  # NUTS fits of a one-parameter model: about 0.1 s each once compiled
record = load_record("final_pain")
print(f"{record.id}: {record.estimate} {record.units} [{'+'.join(record.evidence)}], verified={record.verified}")
lik = to_likelihood(record, "ci_normal")
prior = priors.skeptical(mcid=1.0, strength="moderate")
model = aggregate_model(lik, prior)
print(prior.describe(), "| aligned estimate", lik.estimate, "SE", round(lik.se, 3))

# %% [markdown]
# ## 1. Prior predictive
#
# What published estimates does the model expect before seeing the trial?

# %%
prior_pred = pm.sample_prior_predictive(draws=DRAWS, model=model.pymc_model, random_seed=1)
sim = np.asarray(prior_pred["prior_predictive"]["outcome"]).ravel()
print(f"prior predictive 95% range of the estimate: {np.quantile(sim, 0.025):.2f} to {np.quantile(sim, 0.975):.2f} "
      f"NRS points (aligned); observed {lik.estimate:.2f}")
lo_pp, hi_pp = np.quantile(sim, [0.025, 0.975])
assert -2.5 < lo_pp < -0.5 and 0.5 < hi_pp < 2.5  # "a point or two either way", below
assert lo_pp < lik.estimate < hi_pp

# %% [markdown]
# Effects of a point or two either way on a 0-10 scale: plausible for a pain drug. A prior
# predictive range of, say, $\pm$30 points would tell us the prior is too vague to mean anything.
#
# ## 2. Fit and posterior predictive

# %% [markdown]
# In fast mode (the test suite) the two chains are short, so `fit` may warn that the bulk ESS is
# below bayes_ldn's threshold of 400 (or R-hat slightly above 1.01): that warning is expected and
# is exactly what the check is for. The exact comparison below shows the answer is still right.

# %%
# expected-warning: ConvergenceWarning: (R-hat > 1.01|ESS below 400)
# expected-warning: idata = fit\(model
idata = fit(model, random_seed=2, draws=DRAWS, tune=DRAWS, chains=2)
print(convergence_table(idata, ["treatment_effect_aligned"]))
draws = np.asarray(idata["posterior"]["treatment_effect_aligned"]).ravel()
exact = exact_posterior(lik, prior)
print(f"MCMC mean {draws.mean():.3f} vs exact {exact.mean:.3f}; MCMC SD {draws.std():.3f} vs exact {exact.sd:.3f}")
post_pred = pm.sample_posterior_predictive(idata, model=model.pymc_model, random_seed=3, progressbar=False)
rep = np.asarray(post_pred["posterior_predictive"]["outcome"]).ravel()
print(f"P(replicated estimate <= observed) = {np.mean(rep <= lik.estimate):.2f} (a posterior predictive p-value)")

# %% [markdown]
# With one observation the posterior predictive check is weak (the model can always fit one
# number); it becomes informative with patient-level data. The check that matters here is the
# prior-data conflict: the observed estimate sits well inside the prior predictive range.
#
# ## 3. Simulation-based calibration
#
# **First, the loop itself, on a posterior we know.** The cell below draws "posterior draws" from
# the exact normal posterior's own formula. That case is uniform *by construction*: it calibrates
# nothing but the loop (and shows what a failure looks like). Its purpose is the deliberately
# **wrong** computation beside it, which uses an SE half the true one, to see SBC catch it. The
# real check, a sampler, comes after it.

# %%
rng = np.random.default_rng(4)
L = 99  # posterior draws per replication; ranks run 0..L


def sbc_ranks(se_used):
    ranks = []
    sigma0 = prior.params["sigma"]
    for _ in range(N_SBC):
        truth = rng.normal(0.0, sigma0)
        y = rng.normal(truth, lik.se)
        post = exact_posterior(
            type(lik)(estimate=y, se=se_used, sign=1, scale="linear", units=lik.units, conversions=(),
                      provenance={}), prior)
        sample = rng.normal(post.mean, post.sd, size=L)
        ranks.append(int(np.sum(sample < truth)))
    return np.array(ranks)


good, bad = sbc_ranks(lik.se), sbc_ranks(lik.se / 2)
sbc_p = {}
for name, ranks in (("correct", good), ("SE halved", bad)):
    counts = np.histogram(ranks, bins=10, range=(0, L + 1))[0]
    sbc_p[name] = stats.chisquare(counts).pvalue
    print(f"{name}: chi-square test of uniform ranks p = {sbc_p[name]:.3g}")
assert sbc_p["SE halved"] < 1e-6 < sbc_p["correct"]

fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
for ax, ranks, title in zip(axes, (good, bad), ("correct computation", "SE halved (overconfident)"), strict=True):
    ax.hist(ranks, bins=10, range=(0, L + 1), color="0.6", edgecolor="white")
    ax.axhline(N_SBC / 10, color="k", ls="--")
    ax.set_title(title)
    ax.set_xlabel("rank of the truth among 99 posterior draws")
axes[0].set_ylabel("replications")
plt.show()

# %% [markdown]
# An overconfident posterior is too narrow, so the truth often falls outside it: the rank
# histogram is U-shaped.
#
# **Now a real sampler.** `bayes_ldn.simulation.sbc.sbc_nuts` runs one SBC replication of a
# registered model structure: it draws the parameters and a data set from the model's prior,
# fits the model with NUTS (nutpie, the sampler `fit` uses, compiled once and reused), and returns
# the rank of the true value among 99 thinned posterior draws. The `aggregate` structure is a
# FINAL-like standardized effect (SE $\sqrt{1/45 + 1/47}$) under a N(0, 0.5²) prior. Here nothing
# is uniform by construction: a sampler that under-explores the tails, or a model whose
# simulation and likelihood disagree, shows up as a non-uniform histogram.

# %%
from bayes_ldn.simulation.sbc import sbc_nuts
from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES

seeds = np.random.SeedSequence(55).spawn(N_SBC_NUTS)
nuts_rows = [sbc_nuts(i, seed, structure="aggregate", structure_params=DEFAULT_STRUCTURES["aggregate"],
                      n_draws=L, draws=200, tune=200, chains=1) for i, seed in enumerate(seeds)]
nuts_ranks = np.array([row["rank_treatment_effect"] for row in nuts_rows])
nuts_counts = np.histogram(nuts_ranks, bins=10, range=(0, L + 1))[0]
nuts_p = stats.chisquare(nuts_counts).pvalue
print(f"NUTS, {N_SBC_NUTS} replications: rank counts per decile {nuts_counts.tolist()}; chi-square p = {nuts_p:.3g}; "
      f"divergences in all fits: {sum(row['divergences'] for row in nuts_rows)}")
assert nuts_p > 0.001  # a calibrated sampler: no evidence against uniform ranks
#
# ## Exercises
#
# 1. Replace the skeptical prior with the vague prior. What does the prior predictive now say?
#    Why can SBC not be run with a flat prior?
# 2. Make the computation biased instead of overconfident (shift the posterior mean by +0.3).
#    What shape does the rank histogram take?
# 3. In the MCMC fit above, which numbers would you check before trusting the posterior?

# %% [markdown]
# ## Worked answers
#
# **1.** A flat prior has no prior predictive distribution (it is improper), and SBC needs to
# *draw* truths from the prior. Use a proper but wide prior, e.g. N(0, 10), to check computation.

# %% Answer 2
ranks = []
sigma0 = prior.params["sigma"]
for _ in range(N_SBC):
    truth = rng.normal(0.0, sigma0)
    post = exact_posterior(type(lik)(estimate=rng.normal(truth, lik.se), se=lik.se, sign=1, scale="linear",
                                     units=lik.units, conversions=(), provenance={}), prior)
    ranks.append(int(np.sum(rng.normal(post.mean + 0.3, post.sd, size=L) < truth)))
print("biased: share of ranks in the lower half", np.mean(np.array(ranks) < L / 2).round(2), "(0.5 if calibrated)")
assert np.mean(np.array(ranks) < L / 2) > 0.5
# The truth sits below most draws: the histogram piles up at low ranks (skewed, not U-shaped).

# %% [markdown]
# **3.** R-hat (at most 1.01), bulk and tail ESS (at least 400), divergences (none): the
# `convergence_table` above. Here they are also checked against the exact answer.

# %%
from bayes_ldn import defaults

print(f"thresholds: R-hat <= {defaults.RHAT_MAX}, bulk and tail ESS >= {defaults.ESS_BULK_MIN:g}, no divergences")
assert (defaults.RHAT_MAX, defaults.ESS_BULK_MIN, defaults.ESS_TAIL_MIN) == (1.01, 400.0, 400.0)
