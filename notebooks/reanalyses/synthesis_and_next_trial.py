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
# # The LDN pain trials together, and the next trial
#
# Four randomised trials have measured LDN's effect on fibromyalgia pain: two parallel trials
# (FINAL, INNOVA) and two crossovers (Bested 2023, Younger 2013). Each alone is small and
# inconclusive. This analysis asks what they say together, how much that depends on any one trial
# and on the assumed heterogeneity, and what a next trial would need.
#
# **Choices, and why.** The trials used different pain scales, so they are combined as
# standardized mean differences (SMD, positive = LDN better). A crossover's SMD depends on the
# within-patient correlation $\rho$ (lesson 8: $d_z = d_{av}/\sqrt{2(1-\rho)}$); none of the
# crossovers published it, so $\rho = 0.5$ is a stated assumption, at which the two SMDs coincide.
# Bested's SPIR (pain intensity) is its pain outcome; its FIQR and Younger 2009 (a symptom score,
# secondary-source numbers) are sensitivity analyses, not in the main synthesis. Each record's
# conversion to an SE is named (`sy.LDN_PAIN_CONVERSIONS`); Bested's rests on a median and IQR
# (lesson 8). `sy.ldn_pain_studies(...)` returns the studies on one scale with their provenance;
# the table below lists every record it may use, with its evidence tag.

# %% Provenance and fast mode
import os

import pandas as pd

from bayes_ldn import plots
from bayes_ldn import synthesis as sy
from bayes_ldn.datasets import load_record

FAST = os.environ.get("BAYES_LDN_FAST") == "1"  # the synthesis is exact; nothing samples
studies = sy.ldn_pain_studies(scale="smd", rho=0.5, bested_outcome="spir",
                              conversions=sy.LDN_PAIN_CONVERSIONS, include_sensitivity=False)
pd.DataFrame([{"record": r.id, "trial": r.trial, "evidence": "+".join(r.evidence), "verified": r.verified}
              for r in (load_record(rid) for rid in sy.LDN_PAIN_CONVERSIONS)])

# %% [markdown]
# ## Synthesis (flat prior on the mean, half-normal(0.5) on the between-trial SD)
#
# The random-effects model: trial $j$'s estimate $y_j \sim N(\theta_j, s_j^2)$, true effects
# $\theta_j \sim N(\mu, \tau^2)$. With four trials the data hardly identify $\tau$, so its prior
# matters (lesson 4): `sy.halfnormal_tau(0.5)` says between-trial SDs above 1 SMD are implausible.
# `sy.synthesize` integrates $\tau$ out by quadrature (exact, no MCMC) and returns the posteriors
# of $\mu$, $\tau$, each trial's shrunken $\theta_j$ and the **predictive** effect in a new
# trial $\theta_{new} \sim N(\mu, \tau^2)$, which is wider than $\mu$'s posterior and is what
# a next trial will face. `plots.plot_forest(sy.forest_plot_data(result))` draws the forest plot,
# `sy.synthesis_table(result)` the numbers; `mcid=0.5` adds P(effect > 0.5 SMD).

# %%
tau_prior = sy.halfnormal_tau(0.5)
result = sy.synthesize(studies, mu_prior=None, tau_prior=tau_prior, mcid=0.5)
plots.plot_forest(sy.forest_plot_data(result))
summary = sy.synthesis_table(result).set_index("row")
print(f"mu: mean {summary.loc['mu', 'shrunken_mean']:.2f} SMD, P(mu > 0) {summary.loc['mu', 'prob_positive']:.2f}; "
      f"new trial: SD {summary.loc['predictive', 'shrunken_sd']:.2f}, P(theta_new > 0) "
      f"{summary.loc['predictive', 'prob_positive']:.2f}")
trials = summary.loc["study"].set_index("label")["estimate"]
assert round(summary.loc["mu", "shrunken_mean"], 2) == 0.13
assert 1.8 < summary.loc["predictive", "shrunken_sd"] / summary.loc["mu", "shrunken_sd"] < 2.2
assert trials.idxmin() == "INNOVA" and trials["INNOVA"] < 0 and trials.idxmax() == "Younger 2013"
summary

# %% [markdown]
# The mean effect is small (about 0.13 SMD, printed above) and probably positive, but far below the
# 0.5 SMD this analysis uses as its MCID (`mcid=0.5`, a stated choice); the predictive effect in a new
# trial is about twice as uncertain as $\mu$, because $\tau$ is not known to be small. INNOVA points
# the other way and Younger 2013 is the largest effect; the shrunken estimates pull both towards
# the mean.

# %% [markdown]
# ## Leave one trial out
#
# `sy.leave_one_out` refits without each trial in turn and reports a conflict p-value: how
# surprising the left-out trial is under the predictive distribution of the others. No single trial
# decides the sign, but Younger 2013 carries much of the positive mean (P(mu > 0) falls most
# without it), and its input is an unverified transcription.

# %%
loo = sy.leave_one_out(studies, mu_prior=None, tau_prior=tau_prior, mcid=0.5)
assert loo.set_index("left_out")["prob_mu_positive"].idxmin() == "Younger 2013"
assert (loo["conflict_p"] > 0.05).all()  # no trial is in clear conflict with the others
loo

# %% [markdown]
# ## The next trial: assurance and sample size
#
# Power assumes one true effect; **assurance** averages the power over what we believe about the
# effect, here the synthesis' predictive distribution for a new trial (the *design prior*): it is
# the probability that the next trial succeeds (a one-sided z-test at 2.5%). It is closed form for a
# normal-mixture design prior. `asr.Success` states the success criterion, `asr.TrialDesign` the
# design (on the SMD scale the outcome SD is 1; the crossover's within-subject correlation 0.5 is
# a stated assumption), `asr.assurance_curve_data` the assurance at each size and its limit, and
# `plots.plot_assurance` draws it. A crossover needs fewer patients for the same assurance
# (lesson 1, exercise 3).

# %%
import numpy as np

from bayes_ldn import assurance as asr
from bayes_ldn import priors

success = asr.Success(kind="z_test", alpha=0.025)
designs = {"parallel": asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None),
           "crossover (rho = 0.5)": asr.TrialDesign(design="crossover", outcome_sd=1.0, rho=0.5)}
pain = asr.assurance_curve_data(result.posterior.predictive, designs, success, np.arange(20, 1001, 20),
                                scale="pain SMD, design prior = synthesis predictive")
plots.plot_assurance(pain)
pain.groupby("design").agg(assurance_at_200=("assurance", lambda a: float(a.iloc[9])), limit=("limit", "first"))

# %% [markdown]
# The limit is P(effect in a new trial > 0) under the design prior: no trial size can push the
# assurance past it. `asr.sample_size` finds the smallest trial reaching a target assurance, or
# says why none does. So the sample size for 50% assurance exists, but 80% does not:

# %%
print(asr.sample_size(result.posterior.predictive, designs["parallel"], success, target=0.5))
try:
    asr.sample_size(result.posterior.predictive, designs["parallel"], success, target=0.8)
except ValueError as err:  # DataValidationError is a ValueError; the message says why
    print(err)

# %% [markdown]
# A confirmatory pain trial powered on this evidence would need about a thousand patients for even
# odds of success, and no size reaches 80%: on this evidence another pain trial of the same kind
# is a poor bet. The CPM hypothesis (the FINAL reanalysis notebook) is a different matter. For CPM,
# `asr.cpm_design_prior` takes FINAL's CPM posterior under a moderately skeptical prior (MCID 2 kPa,
# a stated choice: no published MCID exists) as the design prior, with the planning SD recovered
# from FINAL's CI (lesson 8: SD = SE / sqrt(1/n1 + 1/n2)).

# %%
cpm_prior = asr.cpm_design_prior(priors.skeptical(mcid=2.0, strength="moderate"), conversion="ci_normal")
rec = load_record("final_cpm")
n1, n2 = rec.n.values()
cpm_sd = float((rec.upper - rec.lower) / (2 * 1.959964) / np.sqrt(1 / n1 + 1 / n2))
cpm_design = asr.TrialDesign(design="parallel", outcome_sd=cpm_sd, rho=None)
print(f"CPM design prior: N({cpm_prior.mean:.2f}, {cpm_prior.sd:.2f}^2) kPa; planning SD {cpm_sd:.2f} kPa")
cpm_n = asr.sample_size(cpm_prior, cpm_design, success, target=0.8)
print(cpm_n)
pain_n = asr.sample_size(result.posterior.predictive, designs["parallel"], success, target=0.5)
assert 900 < pain_n["n"] < 1100 and round(pain_n["limit"], 2) == 0.70 and 450 < cpm_n["n"] < 600

# %% [markdown]
# About 500 patients give a CPM trial 80% assurance, even after sceptical shrinkage of FINAL's
# result (its design prior is still centred well above 0): the trial the evidence points to, with
# CPM pre-specified and the pressure tolerances analysed jointly.

# %% [markdown]
# ## Exercise
# Replace the half-normal(0.5) heterogeneity prior with `sy.rhodes_tau()` (the empirical prior of
# Rhodes et al. 2015) and recompute the pain assurance limit. *Answer:* the predictive distribution
# narrows (the posterior of tau is smaller), so the limit rises from 0.70 to 0.75, towards
# P(mu > 0), which is itself 0.83 under that prior.

# %%
rhodes = sy.synthesize(studies, mu_prior=None, tau_prior=sy.rhodes_tau(), mcid=0.5)
rhodes_limit = asr.sample_size(rhodes.posterior.predictive, designs["parallel"], success, target=0.5)["limit"]
rhodes_mu = sy.synthesis_table(rhodes).set_index("row").loc["mu", "prob_positive"]
print(f"Rhodes prior: assurance limit {rhodes_limit:.2f} (half-normal(0.5): {pain_n['limit']:.2f}); "
      f"P(mu > 0) {rhodes_mu:.2f}")
assert round(rhodes_limit, 2) == 0.75 and round(rhodes_mu, 2) == 0.83
