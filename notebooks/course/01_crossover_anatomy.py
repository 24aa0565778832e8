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
# # 1. Anatomy of an AB/BA crossover
#
# Bested 2023 and Younger 2013 randomised patients to LDN-then-placebo (AB) or
# placebo-then-LDN (BA). This notebook takes the design apart on simulated data:
#
# * what a **period effect** is and why the within-patient difference must adjust for it;
# * why, in a two-period AB/BA design, **carry-over is aliased with sequence**: the data cannot
#   tell a carry-over effect from a difference between the two randomised groups.
#
# Everything here is simulated (no patient data); the numbers are chosen to look like Bested's
# FIQR (0-100 scale; SD of a within-patient difference about 14, as Bested's IQR of 18.55 suggests).

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_record(id)` (`bayes_ldn.datasets`): one bundled published result with its provenance and
#   evidence tag; here only to set the scale of the simulation.

# %% Provenance and fast mode
import os

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from bayes_ldn.datasets import load_record

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
N_SIMULATIONS = 100 if FAST else 2000
record = load_record("bested_fiqr")
print(f"record used for scale only: {record.id} [{'+'.join(record.evidence)}], verified={record.verified}")
print(f"fast mode: {FAST}; simulations per experiment: {N_SIMULATIONS}")
# The simulation below uses a residual SD of 10, so a within-patient difference has SD sqrt(2) x 10;
# Bested's IQR width over 1.35 (lesson 8) gives a similar SD.
print(f"SD of a within-patient difference: simulated {np.sqrt(2) * 10:.1f}; from Bested's IQR {record.iqr / 1.35:.1f}")
assert round(np.sqrt(2) * 10) == round(record.iqr / 1.35) == 14

# %% [markdown]
# ## The model
#
# For patient $i$ in sequence $g \in \{AB, BA\}$ and period $p \in \{1, 2\}$:
#
# $$y_{ip} = \mu + s_i + \pi\,[p = 2] + \delta\,[\text{LDN in } p] + \lambda\,[\text{LDN in period 1 and } p = 2] + e_{ip}$$
#
# with subject effects $s_i \sim N(0, \sigma_s^2)$ and residuals $e_{ip} \sim N(0, \sigma_e^2)$.
# $\delta$ is the treatment effect (negative = lower FIQR = LDN better), $\pi$ the period effect
# and $\lambda$ a carry-over of LDN into period 2.

# %%
def simulate(n_per_sequence, *, treatment_effect, period_effect, carryover, subject_sd, residual_sd, rng):
    rows = []
    for sequence in ("AB", "BA"):
        for i in range(n_per_sequence):
            subject = rng.normal(0, subject_sd)
            for period in (1, 2):
                ldn = (sequence == "AB") == (period == 1)
                carry = carryover if (sequence == "AB" and period == 2) else 0.0
                y = 50 + subject + period_effect * (period == 2) + treatment_effect * ldn + carry
                rows.append({"subject": f"{sequence}{i}", "sequence": sequence, "period": period,
                             "ldn": int(ldn), "outcome": y + rng.normal(0, residual_sd)})
    return pd.DataFrame(rows)


rng = np.random.default_rng(20231)
frame = simulate(29, treatment_effect=-3.0, period_effect=-6.0, carryover=0.0, subject_sd=12, residual_sd=10, rng=rng)
frame.groupby(["sequence", "period"])["outcome"].mean().unstack().round(1)

# %% [markdown]
# ## Period effects
#
# Both sequences improve in period 2 whatever they take (an expectation effect, the season,
# regression to the mean): the simulated period effect is $-6$ points, and this sample of 58
# estimates it with noise (printed below). The naive paired difference ignores this; the
# period-adjusted estimate (the difference of the two sequences' period differences, halved) does not.

# %%
wide = frame.pivot_table(index=["subject", "sequence"], columns="period", values="outcome").reset_index()
wide["d"] = wide[1] - wide[2]  # period 1 minus period 2
d_ab = wide.loc[wide.sequence == "AB", "d"]
d_ba = wide.loc[wide.sequence == "BA", "d"]
naive = frame[frame.ldn == 1].outcome.mean() - frame[frame.ldn == 0].outcome.mean()
adjusted = (d_ab.mean() - d_ba.mean()) / 2
period = -(d_ab.mean() + d_ba.mean()) / 2
print(f"naive LDN - placebo: {naive:.2f}; period-adjusted: {adjusted:.2f}; period effect: {period:.2f}")
assert np.isclose(naive, adjusted)  # the identity the next paragraph states

# %% [markdown]
# With complete data and **equal** sequence sizes the two printed estimates are the same number,
# not merely close: the naive difference of means, $\tfrac12(\bar y_{AB,1} + \bar y_{BA,2}) -
# \tfrac12(\bar y_{AB,2} + \bar y_{BA,1})$, is algebraically $(\bar d_{AB} - \bar d_{BA})/2$ (the
# cell asserts it). What differs is the naive **analysis**: a paired t-test that ignores the period
# leaves the period effect in its residuals, so its standard error is too large (below). With
# unequal sizes (drop-outs!) the two estimates differ and the naive one is biased (exercise 1).
# A mixed model with a period term gives the adjusted estimate and its standard error:

# %%
fit = smf.mixedlm("outcome ~ ldn + C(period)", frame, groups=frame["subject"]).fit(reml=True)
print(fit.summary().tables[1].loc[["ldn", "C(period)[T.2]"]])
# The paired t-test's SE (LDN minus placebo within each patient, period ignored) against the
# period-adjusted SE (the SD of the period differences pooled within sequence):
paired = np.where(wide.sequence == "AB", wide["d"], -wide["d"])  # LDN minus placebo per patient
se_paired = paired.std(ddof=1) / np.sqrt(len(paired))
pooled_var = ((len(d_ab) - 1) * d_ab.var() + (len(d_ba) - 1) * d_ba.var()) / (len(d_ab) + len(d_ba) - 2)
se_adjusted = np.sqrt(pooled_var / 4 * (1 / len(d_ab) + 1 / len(d_ba)))
print(f"SE of the naive paired analysis {se_paired:.2f}; of the period-adjusted analysis {se_adjusted:.2f}; "
      f"mixed model {fit.bse['ldn']:.2f}")
assert se_paired > se_adjusted
assert np.isclose(se_adjusted, fit.bse["ldn"], rtol=1e-3)  # REML with complete data is Hills-Armitage

# %% [markdown]
# ## Carry-over is aliased with sequence
#
# Add a carry-over $\lambda$ to the model matrix next to a sequence (group) indicator. The carry-over
# column is non-zero only for sequence AB in period 2. The design has only **four distinct rows**
# (AB in period 1 or 2, BA in period 1 or 2), so no model of the cell means can have more than four
# parameters; and indeed carry-over is a linear combination of the others:
# $[\text{AB}][p = 2] = ([\text{AB}] + [p = 2] - [\text{LDN}])/2$. The design matrix loses rank:

# %%
X = pd.DataFrame({
    "intercept": 1.0,
    "period2": (frame.period == 2).astype(float),
    "ldn": frame.ldn.astype(float),
    "sequence_ab": (frame.sequence == "AB").astype(float),
    "carryover": ((frame.sequence == "AB") & (frame.period == 2)).astype(float),
})
rank_without = np.linalg.matrix_rank(X.drop(columns="carryover"))
rank_with = np.linalg.matrix_rank(X)
print("columns:", X.shape[1], " rank with sequence only:", rank_without, " rank with carry-over too:", rank_with)
print("distinct rows:", len(X.drop_duplicates()))
assert rank_without == rank_with == len(X.drop_duplicates()) == 4
assert np.allclose(X.carryover, (X.sequence_ab + X.period2 - X.ldn) / 2)

# %% [markdown]
# The rank is 4 with or without the carry-over column: adding it adds no information, and a model
# with both a sequence effect and a carry-over cannot be fitted. Drop the sequence term and keep
# carry-over, and the *only* information about $\lambda$ comes from comparing patient **totals**
# between sequences (the between-patient stratum), where it cannot be told apart from a sequence
# effect: the expected difference of totals, AB minus BA, is $\lambda$ + (any sequence difference).
# Randomisation makes the true sequence difference zero, but a patient's total has the
# between-patient variance $4\sigma_s^2 + 2\sigma_e^2$ (exercise 2), so the test is weak. Worse, the classical
# two-stage procedure (test carry-over on totals, then choose the estimator) inflates the type I
# error (Freeman 1989, *Stat Med* 8:1421). Let us see what carry-over does to the usual estimator:

# %%
def one(carryover, rng):
    f = simulate(29, treatment_effect=0.0, period_effect=-6.0, carryover=carryover,
                 subject_sd=12, residual_sd=10, rng=rng)
    w = f.pivot_table(index=["subject", "sequence"], columns="period", values="outcome").reset_index()
    d = w[1] - w[2]
    total = w[1] + w[2]
    est = (d[w.sequence == "AB"].mean() - d[w.sequence == "BA"].mean()) / 2
    carry_est = total[w.sequence == "AB"].mean() - total[w.sequence == "BA"].mean()
    return est, carry_est


rng = np.random.default_rng(7)
carry_sims = {}
for lam in (0.0, -4.0):
    sims = np.array([one(lam, rng) for _ in range(N_SIMULATIONS)])
    carry_sims[lam] = sims
    print(f"carry-over {lam:+.0f}: mean treatment estimate {sims[:, 0].mean():+.2f} (truth 0); "
          f"mean estimate from totals {sims[:, 1].mean():+.2f}, its SD {sims[:, 1].std():.1f}")
# The statements below, within 5 Monte Carlo standard errors:
sims = carry_sims[-4.0]
sd_totals = np.sqrt((4 * 12**2 + 2 * 10**2) * (2 / 29))  # Answer 2
assert abs(sims[:, 0].mean() - 2.0) < 5 * sims[:, 0].std() / np.sqrt(N_SIMULATIONS)  # bias -lambda/2 = +2
assert abs(sims[:, 1].mean() + 4.0) < 5 * sd_totals / np.sqrt(N_SIMULATIONS)  # totals estimate lambda
print(f"SD of the totals estimate, theory: {sd_totals:.1f}, {sd_totals / 4:.1f} times |lambda|")
assert abs(sims[:, 1].std() / sd_totals - 1) < 5 / np.sqrt(2 * N_SIMULATIONS)  # SD of an SD: ~1/sqrt(2N)

# %% [markdown]
# A carry-over of $\lambda$ biases the within-patient estimator by $-\lambda/2$ (here +2) and the
# totals estimate it, but with an SD (7.3) nearly twice its size. Bested used a washout to make
# $\lambda = 0$ plausible; the data cannot check it.
#
# ## Exercises
#
# 1. Make the sequences unequal (20 AB and 38 BA patients) with a period effect of $-6$. How biased
#    is the naive estimator? Is the period-adjusted one?
# 2. Show algebraically that the between-sequence difference of totals has expectation $\lambda$
#    (+ any sequence effect); find its variance and compute its SD for our settings.
# 3. Why does a crossover need fewer patients than a parallel trial? Compare the variance of the
#    within-patient contrast with the variance of a difference of two independent group means.

# %% [markdown]
# ## Worked answers

# %% Answer 1
rng = np.random.default_rng(11)
naive_est, adj_est = [], []
for _ in range(N_SIMULATIONS):
    f = pd.concat([
        simulate(20, treatment_effect=0.0, period_effect=-6.0, carryover=0.0, subject_sd=12, residual_sd=10, rng=rng)
        .query("sequence == 'AB'"),
        simulate(38, treatment_effect=0.0, period_effect=-6.0, carryover=0.0, subject_sd=12, residual_sd=10, rng=rng)
        .query("sequence == 'BA'"),
    ])
    naive_est.append(f[f.ldn == 1].outcome.mean() - f[f.ldn == 0].outcome.mean())
    w = f.pivot_table(index=["subject", "sequence"], columns="period", values="outcome").reset_index()
    d = w[1] - w[2]
    adj_est.append((d[w.sequence == "AB"].mean() - d[w.sequence == "BA"].mean()) / 2)
print(f"naive: mean {np.mean(naive_est):+.2f}; adjusted: mean {np.mean(adj_est):+.2f} (truth 0)")
# Expected naive bias: the period effect times the imbalance, -6 * (38 - 20) / 58 = -1.86 (LDN is in
# period 2 more often, so it gets credit for the period-2 improvement).
print("predicted naive bias:", round(-6 * (38 - 20) / 58, 2))
mcse = np.std(naive_est) / np.sqrt(N_SIMULATIONS)
assert abs(np.mean(naive_est) - (-6 * 18 / 58)) < 5 * mcse
assert abs(np.mean(adj_est)) < 5 * np.std(adj_est) / np.sqrt(N_SIMULATIONS)

# %% [markdown]
# **Answer 2.** A patient's total is $2\mu + 2s_i + \pi + \delta + \lambda[\text{AB}] + e_{i1} + e_{i2}$,
# so the difference of sequence means of totals has expectation $\lambda$ and variance
# $(4\sigma_s^2 + 2\sigma_e^2)(1/n_{AB} + 1/n_{BA})$. With $\sigma_s = 12$, $\sigma_e = 10$ and 29 per
# sequence: SD $= \sqrt{(576 + 200)\cdot 2/29} \approx 7.3$, matching the simulation above.
#
# **Answer 3.** The within-patient contrast removes $s_i$: its variance per patient is
# $2\sigma_e^2$, against $2(\sigma_s^2 + \sigma_e^2)$ per patient pair in a parallel design (and the
# crossover uses each patient twice). With $\sigma_s = 12, \sigma_e = 10$ the crossover needs about
# $\sigma_e^2 / (2(\sigma_s^2 + \sigma_e^2)) \approx 0.2$ times the patients of a parallel trial.

# %%
print("variance ratio:", round(10**2 / (2 * (12**2 + 10**2)), 3), "; SD of totals difference:", round(sd_totals, 2))
assert round(10**2 / (2 * (12**2 + 10**2)), 1) == 0.2
assert round(sd_totals, 1) == 7.3
