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
# # 4. Shrinkage and multiplicity: why one finding among six deserves doubt
#
# FINAL's exploratory report had six outcomes; one (CPM) had a 95% interval excluding zero, two
# others pointed the other way. Looking at six outcomes and reporting the best is a selection;
# the selected estimate is biased upwards (the **winner's curse**). A hierarchical model that
# treats the six as exchangeable **shrinks** each towards their common mean, by an amount the data
# choose. This notebook does both: a simulation of the selection, and the exact hierarchical
# posterior of FINAL's outcome family.

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_family(name)`: the bundled published results of one family (here FINAL's six exploratory
#   outcomes), each with its evidence tag.
# * `to_likelihood(record, conversion)`: a record as a normal likelihood through a named conversion
#   (lesson 8).
# * `normal_hierarchical(estimates, ses, tau_prior=..., mu_prior=...)`: the exact posterior of a normal
#   hierarchical model, integrating the between-outcome SD out by quadrature.
# * `format_probability(p)`: ">0.999"/"<0.001" instead of "1.000".

# %% Provenance and fast mode
import os

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_family
from bayes_ldn.stats import format_probability, normal_hierarchical

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
N_SIMULATIONS = 2000 if FAST else 20000
family = load_family("final_exploratory")
for r in family:
    print(f"{r.id}: {r.estimate:+g} {r.units} ({r.lower} to {r.upper}) [{'+'.join(r.evidence)}], verified={r.verified}")
liks = [to_likelihood(r, "ci_normal") for r in family]  # aligned: positive = LDN better
excludes_zero = [lk.estimate - 1.96 * lk.se > 0 or lk.estimate + 1.96 * lk.se < 0 for lk in liks]
print(f"{len(family)} outcomes; intervals excluding 0: {sum(excludes_zero)}; "
      f"pointing against LDN: {sum(lk.estimate < 0 for lk in liks)}; unverified: {sum(not r.verified for r in family)}")
assert len(family) == 6 and sum(excludes_zero) == 1 and sum(lk.estimate < 0 for lk in liks) == 2
assert sum(not r.verified for r in family) == 5  # "five of the six inputs are unverified" below

# %% [markdown]
# ## How often is one of six null outcomes "significant"?
#
# With six independent outcomes and no effect at all, P(at least one p < 0.05) $= 1 - 0.95^6 = 0.26$.
# And the one that wins is, by construction, an overestimate.

# %%
rng = np.random.default_rng(2024)
z = rng.normal(0.0, 1.0, size=(N_SIMULATIONS, 6))
any_sig = (np.abs(z) > 1.96).any(axis=1)
print(f"P(at least one of 6 significant | no effects): {any_sig.mean():.3f} (theory {1 - 0.95**6:.3f})")
true_small = rng.normal(0.0, 0.3, size=(N_SIMULATIONS, 6))  # small true effects, in SE units
observed = true_small + rng.normal(0.0, 1.0, size=(N_SIMULATIONS, 6))
winner = observed.argmax(axis=1)
rows = np.arange(N_SIMULATIONS)
picked = observed[rows, winner] > 1.96
print(f"when the best outcome is significant: its estimate averages {observed[rows, winner][picked].mean():.2f} SE, "
      f"its true effect {true_small[rows, winner][picked].mean():.2f} SE")
assert abs(any_sig.mean() - (1 - 0.95**6)) < 5 * np.sqrt(0.26 * 0.74 / N_SIMULATIONS)

# %% [markdown]
# **The outcomes are not independent.** The $1 - 0.95^6$ above, and the hierarchical model below,
# treat the six outcomes' errors as independent. FINAL's are not: CPM and the left and right
# pressure tolerances all come from cuff algometry, the same instrument in the same patients, so
# their estimation errors are very likely positively correlated. Correlated outcomes carry less information than six independent ones: the chance of
# at least one "significant" null result falls below 0.26 (below, with a correlation of 0.6 among
# the three cuff outcomes, an assumed value: the paper gives none; the cell prints it), and a model that treats them
# as independent is more confident about the family mean than it should be. A multivariate
# likelihood needs the correlation, which the published summaries do not report: here is a
# limitation to state, not to hide.

# %%
corr = np.eye(6)
corr[np.ix_([0, 1, 2], [0, 1, 2])] = 0.6  # cpm, tolerance_left, tolerance_right: one instrument
np.fill_diagonal(corr, 1.0)
z_corr = rng.multivariate_normal(np.zeros(6), corr, size=N_SIMULATIONS)
any_corr = (np.abs(z_corr) > 1.96).any(axis=1).mean()
print(f"P(at least one of 6 significant | no effects), three outcomes correlated 0.6: {any_corr:.3f}")
assert any_corr < 1 - 0.95**6

# %% [markdown]
# ## The exact hierarchical posterior of FINAL's family
#
# The outcomes are on different scales (kPa, VAS cm, repetitions, seconds), so we put each on a
# standardized scale: $d = \hat\theta / \text{SD}$, with the SD of change recovered from the SE and
# the arm sizes. Then
#
# $$d_j \sim N(\theta_j, s_j^2), \quad \theta_j \sim N(\mu, \tau^2), \quad \mu \sim N(0, 1), \quad \tau \sim \text{HalfNormal}(0.5).$$
#
# `normal_hierarchical` integrates $\tau$ out exactly (quadrature), so there is no MCMC error.

# %%
design = np.array([np.sqrt(1 / r.n["LDN"] + 1 / r.n["placebo"]) for r in family])
sd_change = np.array([lk.se for lk in liks]) / design
d = np.array([lk.estimate for lk in liks]) / sd_change
se_d = design
post = normal_hierarchical(d, se_d, tau_prior=stats.halfnorm(scale=0.5), mu_prior=(0.0, 1.0),
                           labels=tuple(r.outcome for r in family))
table = pd.DataFrame({
    "outcome": post.labels,
    "unpooled d": d.round(3),
    "P(better), unpooled": [format_probability(stats.norm.sf(0, m, s)) for m, s in zip(d, se_d, strict=True)],
    "shrunken d": [round(post.theta[k].mean, 3) for k in post.labels],
    "P(better), shrunken": [format_probability(post.theta[k].prob_above(0.0)) for k in post.labels],
})
print(f"mu: {post.mu.mean:.3f} (95% CrI {post.mu.interval(0.95)[0]:.3f} to {post.mu.interval(0.95)[1]:.3f}); "
      f"tau posterior mean {post.tau_mean:.3f}")
cpm_p = 2 * stats.norm.sf(d[0] / se_d[0])
print(f"CPM: unpooled d {d[0]:.2f} (two-sided p {cpm_p:.3f}), shrunken d {post.theta['cpm'].mean:.2f}")
assert 0.45 < d[0] < 0.55 and post.theta["cpm"].mean < d[0]
assert post.theta["cpm"].prob_above(0.0) < stats.norm.sf(0, d[0], se_d[0])
assert abs(cpm_p - 0.018) < 0.001 and cpm_p > 0.05 / 6  # exercise 3's Bonferroni statement
table

# %% [markdown]
# CPM's standardized effect shrinks from about 0.5 towards the family mean, and P(LDN better)
# falls. Five of the six inputs are unverified (third-party transcription): treat this as a
# worked example, not a verdict (the `random_finding` module gives the full verdict).
#
# ## Exercises
#
# 1. Redo the hierarchical analysis with $\tau \sim$ HalfNormal(0.1) and HalfNormal(1). How does
#    CPM's P(LDN better) change? Explain with the shrinkage factor $B = s^2/(s^2 + \tau^2)$.
# 2. In the winner's-curse simulation, how does the overestimate change with 20 outcomes?
# 3. A Bonferroni correction would declare CPM non-significant (p about 0.018 > 0.05/6). What
#    does Bonferroni do that shrinkage does not, and vice versa?

# %% [markdown]
# ## Worked answers

# %% Answer 1
shrink = []
for scale in (0.1, 0.5, 1.0):
    p = normal_hierarchical(d, se_d, tau_prior=stats.halfnorm(scale=scale), mu_prior=(0.0, 1.0),
                            labels=tuple(r.outcome for r in family))
    print(f"tau ~ HalfNormal({scale}): CPM shrunken d {p.theta['cpm'].mean:.3f}, "
          f"P(better) {format_probability(p.theta['cpm'].prob_above(0.0))}, tau mean {p.tau_mean:.3f}")
    shrink.append(p.theta["cpm"].prob_above(0.0))
assert shrink[0] < shrink[1] < shrink[2]
# A tight tau prior forces tau small, B near 1, so CPM is pulled nearly to mu; a wide one lets the
# data keep more of CPM's own estimate. The data (six outcomes) hardly identify tau: the prior matters.

# %% Answer 2
z20 = rng.normal(0.0, 0.3, size=(N_SIMULATIONS, 20))
obs20 = z20 + rng.normal(0.0, 1.0, size=z20.shape)
w20 = obs20.argmax(axis=1)
r20 = np.arange(N_SIMULATIONS)
sig = obs20[r20, w20] > 1.96
print(f"20 outcomes: winner estimate {obs20[r20, w20][sig].mean():.2f} SE vs truth {z20[r20, w20][sig].mean():.2f} SE")
gap6 = observed[rows, winner][picked].mean() - true_small[rows, winner][picked].mean()
gap20 = obs20[r20, w20][sig].mean() - z20[r20, w20][sig].mean()
print(f"overestimate: {gap6:.2f} SE with 6 outcomes, {gap20:.2f} SE with 20")
assert gap20 > gap6

# %% [markdown]
# **3.** Bonferroni controls the chance of *any* false claim by raising the bar for each test; it
# leaves the estimate itself unchanged (still biased upwards). Shrinkage changes the estimate and
# its probability, using how much the outcomes actually differ; it does not promise error-rate
# control. The two agree qualitatively here: CPM alone is weak evidence.
