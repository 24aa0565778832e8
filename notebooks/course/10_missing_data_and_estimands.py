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
# # 10. Missing data and estimands
#
# Every analysis answers a question, its **estimand**: which patients, which outcome, which
# treatment condition, which summary (ICH E9(R1)). Missing outcomes change the question an
# analysis answers unless the analysis says how the missing values behave. This lesson
#
# * reads FINAL's two populations: its pain result is intention-to-treat (ITT, everyone
#   randomised), its CPM result complete case (those measured at 12 weeks);
# * shows by simulation what "missing at random" (MAR) means for a baseline-adjusted analysis:
#   when complete cases are enough, and when they are not;
# * asks what a crossover with drop-outs estimates, and why a model that uses every observed
#   row (as the package's `crossover_model` does) answers it under MAR while the completers'
#   analysis may not.

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_record(id)`: one bundled published result; its `population` (`ITT`, `complete_case`) and `n`
#   fields are this lesson's starting point. Everything else here is plain numpy and pandas, so that
#   each analysis is visible.

# %% Provenance and fast mode
import os

import numpy as np
import pandas as pd

from bayes_ldn.datasets import load_record

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
N_SIMULATIONS = 400 if FAST else 4000
records = {name: load_record(name) for name in ("final_pain", "final_cpm")}
for r in records.values():
    print(f"{r.id}: {r.estimate} {r.units} ({r.lower} to {r.upper}); population {r.population}, n {r.n} "
          f"[{'+'.join(r.evidence)}], verified={r.verified}")
print(f"fast mode: {FAST}; simulated trials per scenario: {N_SIMULATIONS}")

# %% [markdown]
# ## 1. FINAL's two populations
#
# `load_record(id)` returns one published result with its provenance; its `population` and `n`
# fields say who was analysed. FINAL randomised 99 women (49 LDN, 50 placebo). The pain result
# analyses all 99; the CPM result the 92 who had the 12-week CPM measurement:

# %%
pain, cpm = records["final_pain"], records["final_cpm"]
randomised = pain.n
missing_cpm = {arm: randomised[arm] - cpm.n[arm] for arm in randomised}
print(f"randomised {randomised}; CPM analysed {cpm.n}; CPM missing {missing_cpm} "
      f"({sum(missing_cpm.values()) / sum(randomised.values()):.0%} of those randomised)")
assert pain.population == "ITT" and cpm.population == "complete_case"
assert missing_cpm == {"LDN": 4, "placebo": 3} and sum(cpm.n.values()) == 92 and sum(randomised.values()) == 99

# %% [markdown]
# The two results therefore answer different questions. The pain estimand is the effect of
# *assigning* LDN in all randomised women; an ITT analysis with missing outcomes must fill them in
# somehow (a model, imputation), and its answer depends on how. The CPM estimand, read literally,
# is the effect among women who were measured at 12 weeks, a group chosen after randomisation.
# It estimates the effect in everyone randomised only if the missing values are ignorable given
# what the analysis conditions on. With 7 of 99 missing this matters less than the choice of
# outcome, but the reasoning is the same at any size (exercise 2 puts a number on it).
#
# ## 2. MAR and the baseline-adjusted analysis
#
# Three mechanisms for a missing follow-up $y$ with baseline $b$ and arm $a$:
#
# * **MCAR**: missingness independent of everything;
# * **MAR**: it depends only on observed values, here $b$ and $a$;
# * **MNAR**: it depends on the unobserved $y$ itself.
#
# Under MAR given $(b, a)$ the complete cases are a biased sample of patients, but the
# **conditional** distribution of $y$ given $(b, a)$ is the same in complete and incomplete cases.
# So a complete-case ANCOVA, $y = \alpha + \beta b + \delta a + e$, still estimates $\delta$
# without bias, while a complete-case comparison of follow-up means, which does not condition on
# $b$, does not. Under MNAR neither does. We simulate FINAL-like trials (pain NRS, true effect
# $-0.5$) in which patients in the LDN arm with a high baseline drop out more often (MAR), or in
# which LDN patients whose pain stays high drop out (MNAR).

# %%
TRUE_EFFECT = -0.5


def trial(rng, mechanism, n=50):
    arm = np.repeat([0, 1], n)
    b = rng.normal(6.3, 1.4, 2 * n)
    y = 1.5 + 0.6 * b + TRUE_EFFECT * arm + rng.normal(0, 1.3, 2 * n)
    if mechanism == "MCAR":
        p_miss = np.full(2 * n, 0.25)
    elif mechanism == "MAR":  # LDN patients with a high baseline leave more often
        p_miss = np.where(arm == 1, 1 / (1 + np.exp(-2.0 * (b - 7.0))), 0.1)
    else:  # MNAR: LDN patients whose follow-up pain is high leave more often
        p_miss = np.where(arm == 1, 1 / (1 + np.exp(-2.0 * (y - 5.5))), 0.1)
    seen = rng.uniform(size=2 * n) > p_miss
    return arm[seen], b[seen], y[seen]


def ancova(arm, b, y):
    X = np.column_stack([np.ones_like(b), b, arm])
    return np.linalg.lstsq(X, y, rcond=None)[0][2]


def analyses(rng, mechanism):
    arm, b, y = trial(rng, mechanism)
    return {"follow-up means": y[arm == 1].mean() - y[arm == 0].mean(),
            "change score": (y - b)[arm == 1].mean() - (y - b)[arm == 0].mean(),
            "ANCOVA": ancova(arm, b, y)}


rng = np.random.default_rng(2024)
sims = {mech: pd.DataFrame([analyses(rng, mech) for _ in range(N_SIMULATIONS)]) for mech in ("MCAR", "MAR", "MNAR")}
bias = pd.DataFrame({mech: s.mean() - TRUE_EFFECT for mech, s in sims.items()}).T
mcse = pd.DataFrame({mech: s.std() / np.sqrt(N_SIMULATIONS) for mech, s in sims.items()}).T
print("bias of each complete-case analysis (truth -0.5):")
print(bias.round(3).to_string())
print("Monte Carlo SE of each bias:")
print(mcse.round(3).to_string())
z = bias / mcse
assert (z.loc["MCAR"].abs() < 5).all()  # MCAR: everything unbiased
assert abs(z.loc["MAR", "ANCOVA"]) < 5 and abs(z.loc["MAR", "follow-up means"]) > 5  # MAR given b
assert abs(z.loc["MNAR", "ANCOVA"]) > 5  # MNAR: even the adjusted analysis is biased

# %% [markdown]
# Read the table by rows. Under MCAR all three analyses are unbiased (within 5 Monte Carlo SEs,
# asserted). Under MAR given the baseline, the complete-case ANCOVA stays unbiased and the
# comparison of follow-up means does not: conditioning on the variable that drives missingness
# is what makes complete cases enough. (The change score conditions on $b$ only if $\beta = 1$;
# exercise 1.) Under MNAR no complete-case analysis is safe; only a sensitivity analysis that
# states how the missing differ (exercise 2) can say how much it matters.
#
# The package's `parallel_model(..., method="ancova")` analyses the rows it is given, and
# `ParallelData` refuses missing values (listing them), so a patient-level parallel reanalysis is a
# complete-case ANCOVA: valid under MAR given the baseline and arm, not under MNAR. For a published
# record, its `population` field says which population the number describes.
#
# ## 3. What a crossover with drop-outs estimates
#
# In a crossover a drop-out usually has period 1 and lacks period 2. The **completers'**
# within-patient analysis (Hills-Armitage on those with both periods) discards the period-1 value;
# a **mixed model** that uses every observed row keeps it. If leaving depends on the observed
# period-1 outcome (MAR), completers are selected on $s_i + e_{i1}$, their within-patient
# differences are biased, and the mixed model, whose likelihood is valid under MAR, is not. We
# compute the mixed model's estimate by generalized least squares with the true variance
# components (the large-sample limit of REML; the package's `crossover_model` is its Bayesian
# version and also uses every row).

# %%
SUBJECT_SD, RESIDUAL_SD = 12.0, 10.0


def crossover_trial(rng, mechanism, n=29, effect=-3.0, period_effect=-6.0):
    rows = []
    for seq in (0, 1):  # 0 = AB (LDN first), 1 = BA
        s = rng.normal(0, SUBJECT_SD, n)
        y1 = 50 + s + effect * (seq == 0) + rng.normal(0, RESIDUAL_SD, n)
        y2 = 50 + s + period_effect + effect * (seq == 1) + rng.normal(0, RESIDUAL_SD, n)
        if mechanism == "MCAR":
            p_leave = np.full(n, 0.2)
        else:  # MAR: patients on placebo in period 1 whose FIQR is high leave before period 2
            p_leave = 1 / (1 + np.exp(-(y1 - 60) / 5)) if seq == 1 else np.full(n, 0.05)
        stays = rng.uniform(size=n) > p_leave
        for i in range(n):
            rows.append((f"{seq}-{i}", seq, 1, int(seq == 0), y1[i]))
            if stays[i]:
                rows.append((f"{seq}-{i}", seq, 2, int(seq == 1), y2[i]))
    return pd.DataFrame(rows, columns=["subject", "seq", "period", "ldn", "y"])


def completers(f):
    both = f.groupby("subject").filter(lambda g: len(g) == 2)
    w = both.pivot_table(index=["subject", "seq"], columns="period", values="y").reset_index()
    d = w[1] - w[2]
    return (d[w.seq == 0].mean() - d[w.seq == 1].mean()) / 2


def mixed_gls(f):
    X = np.column_stack([np.ones(len(f)), f.period == 2, f.ldn]).astype(float)
    same = (f.subject.to_numpy()[:, None] == f.subject.to_numpy()[None, :]).astype(float)
    V = SUBJECT_SD**2 * same + RESIDUAL_SD**2 * np.eye(len(f))
    Vi_X = np.linalg.solve(V, X)
    return np.linalg.solve(X.T @ Vi_X, Vi_X.T @ f.y.to_numpy())[2]


rng = np.random.default_rng(10)
n_cross = N_SIMULATIONS // 2
cross = {}
for mech in ("MCAR", "MAR"):
    est = np.array([(completers(f), mixed_gls(f)) for f in (crossover_trial(rng, mech) for _ in range(n_cross))])
    cross[mech] = est
    b, se = est.mean(axis=0) + 3.0, est.std(axis=0) / np.sqrt(n_cross)
    print(f"{mech}: bias of completers {b[0]:+.2f} (MCSE {se[0]:.2f}), of the mixed model {b[1]:+.2f} "
          f"(MCSE {se[1]:.2f}); SD {est[:, 0].std():.2f} vs {est[:, 1].std():.2f}")
mar = cross["MAR"]
mar_z = (mar.mean(axis=0) + 3.0) / (mar.std(axis=0) / np.sqrt(n_cross))
assert abs(mar_z[1]) < 5 < abs(mar_z[0])  # MAR after period 1: completers biased, the mixed model not

# %% [markdown]
# Under MAR the completers' estimate is biased and the mixed model that keeps the drop-outs' first
# period is not (both asserted within or beyond 5 Monte Carlo SEs). What does the mixed model
# estimate? The effect had every patient stayed for both periods, on the assumption that those
# who left would have behaved like those who stayed *with the same period-1 value*: a
# **hypothetical** estimand under MAR. If patients left *because* of how period 2 went (side
# effects, no relief: MNAR), no analysis of the observed rows recovers it; a crossover then needs
# a sensitivity analysis, and a trial report should say how many left each sequence and why.
#
# In the package the choice is explicit: the CLI's `bayes-ldn crossover ... --incomplete use` (the
# default) fits every observed period, the mixed-model answer above; `--incomplete drop`
# (`CrossoverData.complete_only()`) analyses the completers only, and the output states how many
# subjects each analysis used and dropped.
#
# ## Exercises
#
# 1. Under the MAR scenario of section 2, is the complete-case **change score** biased? Derive
#    its bias from $\beta = 0.6$ and check it against the simulation.
# 2. FINAL's CPM: 4 LDN and 3 placebo patients are missing. Suppose the missing placebo patients
#    behaved like the observed ones, and the missing LDN patients' mean change was $\delta$ kPa
#    *worse* than the observed LDN patients' (a delta adjustment). How large must $\delta$ be for
#    the all-randomised estimate to fall to 0?
# 3. In section 3's MCAR scenario, are both crossover estimates unbiased? Which is more precise,
#    and why?

# %% [markdown]
# ## Worked answers

# %% Answer 1
# Change score = y - b = 1.5 - 0.4 b + delta a + e: its complete-case difference of means is biased by
# -0.4 x (mean baseline among LDN completers - mean baseline among placebo completers).
rng = np.random.default_rng(1)
gaps, changes = [], []
for _ in range(N_SIMULATIONS):
    arm, b, y = trial(rng, "MAR")
    gaps.append(b[arm == 1].mean() - b[arm == 0].mean())
    changes.append((y - b)[arm == 1].mean() - (y - b)[arm == 0].mean())
predicted = -0.4 * np.mean(gaps)
observed_bias = np.mean(changes) - TRUE_EFFECT
print(f"baseline gap among completers {np.mean(gaps):+.3f}; predicted change-score bias {predicted:+.3f}, "
      f"simulated {observed_bias:+.3f} (MCSE {np.std(changes) / np.sqrt(N_SIMULATIONS):.3f})")
assert abs(observed_bias - predicted) < 5 * np.std(changes) / np.sqrt(N_SIMULATIONS)
assert predicted > 0 and observed_bias > 5 * np.std(changes) / np.sqrt(N_SIMULATIONS)
# LDN completers have lower baselines (high-baseline LDN patients left), and the change score only
# over-corrects for baseline (beta = 0.6, not 1): biased against LDN here, by about +0.3.
assert 0.2 < observed_bias < 0.4

# %% Answer 2
# All-randomised estimate = (45/49) x 2.0 + (4/49) x (2.0 - delta) - (placebo mean, unchanged)
#                         = 2.0 - (4/49) delta, so it reaches 0 at delta = 2.0 x 49 / 4.
delta_zero = cpm.estimate * randomised["LDN"] / missing_cpm["LDN"]
change_ldn, change_placebo = load_record("final_cpm_change_ldn"), load_record("final_cpm_change_placebo")
print(f"delta needed: {delta_zero:.1f} kPa worse than the observed LDN mean change; the observed CPM changes "
      f"were {change_ldn.estimate:+g} (LDN) and {change_placebo.estimate:+g} (placebo) kPa "
      f"[{'+'.join(change_ldn.evidence)}]; ratio {delta_zero / change_ldn.estimate:.0f}")
assert np.isclose(delta_zero, 24.5) and round(delta_zero / change_ldn.estimate) == 20
# A tipping point of 24.5 kPa, about twenty times the observed within-arm changes: missingness alone
# cannot explain the CPM difference away. (The multiplicity of lesson 4 is the bigger doubt.)

# %% Answer 3
mcar = cross["MCAR"]
mcar_z = (mcar.mean(axis=0) + 3.0) / (mcar.std(axis=0) / np.sqrt(n_cross))
print(f"MCAR: z of the biases {mcar_z.round(2)}; SDs completers {mcar[:, 0].std():.3f}, mixed {mcar[:, 1].std():.3f}")
assert (np.abs(mcar_z) < 5).all() and mcar[:, 1].std() <= mcar[:, 0].std() * 1.02
# Both unbiased under MCAR. The mixed model is at least as precise: a drop-out's period-1 value says
# something about the treatment through the between-patient comparison, which the completers'
# analysis throws away. The gain is small when the subject SD is large relative to the residual SD,
# as here, because between-patient comparisons are then noisy.
