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
# # 2. Change scores, ANCOVA and regression to the mean
#
# FINAL reported pain as change from baseline; INNOVA reported an adjusted (ANCOVA-like) contrast
# of the 3-month level. Both within-arm changes in FINAL were large (LDN -1.3, placebo -0.9 NRS
# points) while the randomised difference was small. This notebook shows
#
# * why ANCOVA (adjusting for baseline) is more precise than the change score, and by how much;
# * why a within-arm change is not a treatment effect: **regression to the mean** (RTM) when
#   patients are enrolled because their pain is high.

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_record(id)`: one bundled published result (estimate, interval, arm sizes, population) with
#   its evidence tag and whether it was verified against the paper.

# %% Provenance and fast mode
import os

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from bayes_ldn.datasets import load_record

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
N_SIMULATIONS = 100 if FAST else 2000
for rid in ("final_pain", "final_pain_change_ldn", "final_pain_change_placebo"):
    r = load_record(rid)
    print(f"{r.id}: {r.estimate:+g} {r.units} [{'+'.join(r.evidence)}], verified={r.verified}")

# %% [markdown]
# ## Two estimators of one effect
#
# Baseline $x$ and follow-up $y$ have SD $\sigma$ and correlation $\rho$. With treatment effect
# $\delta$ and randomised arms,
#
# * change score: $\hat\delta_C = \overline{(y - x)}_T - \overline{(y - x)}_P$, variance per arm
#   $\propto 2\sigma^2(1 - \rho)$;
# * ANCOVA: regress $y$ on arm and $x$, variance $\propto \sigma^2(1 - \rho^2)$.
#
# ANCOVA is never worse; the two agree only when $\rho = 1$. Let us check by simulation.

# %%
def trial(n_per_arm, *, effect, rho, sd, rng, enrol_above=None):
    """Baseline and follow-up pain; optionally enrol only patients whose baseline exceeds a cut."""
    rows = []
    while len(rows) < 2 * n_per_arm:
        true = rng.normal(6.0, sd * np.sqrt(rho))
        x = true + rng.normal(0, sd * np.sqrt(1 - rho))
        if enrol_above is not None and x < enrol_above:
            continue
        arm = len(rows) % 2
        y = true + rng.normal(0, sd * np.sqrt(1 - rho)) + effect * arm
        rows.append({"arm": arm, "baseline": x, "followup": y})
    f = pd.DataFrame(rows)
    f["change"] = f.followup - f.baseline
    return f


def estimates(f):
    change = smf.ols("change ~ arm", f).fit()
    ancova = smf.ols("followup ~ arm + baseline", f).fit()
    return change.params["arm"], change.bse["arm"], ancova.params["arm"], ancova.bse["arm"]


rng = np.random.default_rng(42)
rows = []
for rho in (0.3, 0.5, 0.8):
    sims = np.array([estimates(trial(50, effect=-0.5, rho=rho, sd=1.8, rng=rng)) for _ in range(N_SIMULATIONS // 2)])
    rows.append({"rho": rho, "change: mean": sims[:, 0].mean(), "change: SD": sims[:, 0].std(),
                 "ANCOVA: mean": sims[:, 2].mean(), "ANCOVA: SD": sims[:, 2].std(),
                 "theory SD ratio ANCOVA/change": np.sqrt((1 - rho**2) / (2 * (1 - rho)))})
table = pd.DataFrame(rows)
n_rep = N_SIMULATIONS // 2
for row in rows:  # the next paragraph's claims, within 5 Monte Carlo SEs
    for name in ("change", "ANCOVA"):
        assert abs(row[f"{name}: mean"] + 0.5) < 5 * row[f"{name}: SD"] / np.sqrt(n_rep)
    # an SD from n replications has relative SE about 1/sqrt(2n); the ratio of two of them at most sqrt(2) times that
    ratio = row["ANCOVA: SD"] / row["change: SD"]
    assert abs(np.log(ratio / row["theory SD ratio ANCOVA/change"])) < 5 / np.sqrt(n_rep)
table.round(3)

# %% [markdown]
# Both are unbiased for $\delta = -0.5$; the SD ratio matches $\sqrt{(1+\rho)/2}$.
#
# ## Regression to the mean
#
# Trials enrol patients with high pain (FINAL required pain of at least 4/10). Part of a high
# baseline is transient noise, so on average it falls at follow-up **without any treatment**.
# With enrolment above a cut-off $c$, the expected within-arm change with no effect at all is
# $-(1-\rho)\,(E[x \mid x > c] - \mu)$.

# %%
rng = np.random.default_rng(1)
f = trial(500, effect=0.0, rho=0.5, sd=1.8, rng=rng, enrol_above=6.5)
print(f"mean change in the placebo arm with NO effect: {f.loc[f.arm == 0, 'change'].mean():+.2f} NRS points")
print(f"predicted: {-(1 - 0.5) * (f.baseline.mean() - 6.0):+.2f}")
placebo_change = f.loc[f.arm == 0, "change"]
assert abs(placebo_change.mean() + (1 - 0.5) * (f.baseline.mean() - 6.0)) < 5 * placebo_change.std() / np.sqrt(500)
print(f"between-arm change difference: {f.loc[f.arm == 1, 'change'].mean() - f.loc[f.arm == 0, 'change'].mean():+.2f}")

# %% [markdown]
# RTM moves both arms alike, so it cancels in the randomised difference. The within-arm changes
# of FINAL (-1.3 and -0.9) therefore say little about LDN; the contrast (-0.34) does.
#
# ## Exercises
#
# 1. With $\rho = 0.5$, how many patients does the change-score analysis need to match the
#    precision of ANCOVA with 100 patients?
# 2. Is the change score biased when the arms differ at baseline by chance? Is ANCOVA?
# 3. FINAL's placebo arm improved by 0.9 NRS points. Assuming $\rho = 0.5$ and a population mean
#    of 6, how far above it must the enrolled mean baseline be for RTM alone to explain this?

# %% [markdown]
# ## Worked answers
#
# **1.** Variance ratio change/ANCOVA $= 2(1-\rho)/(1-\rho^2) = 2/(1+\rho) = 1.33$: about 133 patients.

# %% Answer 1
print("variance ratio:", round(2 / (1 + 0.5), 2), "; patients:", round(100 * 2 / (1 + 0.5)))
assert round(2 / (1 + 0.5), 2) == 1.33 and round(100 * 2 / (1 + 0.5)) == 133

# %% [markdown]
#
# **2.** Conditional on an observed baseline imbalance $\Delta x$, the change score is biased by
# $-(1-\rho)\Delta x$ and ANCOVA is not (it adjusts for $x$). Unconditionally both are unbiased.

# %% Answer 2
rng = np.random.default_rng(3)
res = []
for _ in range(N_SIMULATIONS):
    f = trial(50, effect=0.0, rho=0.5, sd=1.8, rng=rng)
    imbalance = f.loc[f.arm == 1, "baseline"].mean() - f.loc[f.arm == 0, "baseline"].mean()
    c, _, a, _ = estimates(f)
    res.append((imbalance, c, a))
res = pd.DataFrame(res, columns=["imbalance", "change", "ancova"])
print("slope of estimate on imbalance: change",
      round(np.polyfit(res.imbalance, res.change, 1)[0], 2), "(theory -0.5); ANCOVA",
      round(np.polyfit(res.imbalance, res.ancova, 1)[0], 2), "(theory 0)")
fit_change = stats.linregress(res.imbalance, res.change)
fit_ancova = stats.linregress(res.imbalance, res.ancova)
assert abs(fit_change.slope + 0.5) < 5 * fit_change.stderr and abs(fit_ancova.slope) < 5 * fit_ancova.stderr

# %% [markdown]
# **3.** $-0.9 = -(1-\rho)(\bar x - 6)$ gives $\bar x - 6 = 1.8$ points, i.e. one full SD (1.8):
# plausible only if enrolment selected strongly on a noisy baseline. RTM could explain part of
# the placebo response, not necessarily all of it -- and it cancels in the contrast anyway.

# %% Answer 3
placebo = load_record("final_pain_change_placebo")
gap = placebo.estimate / -(1 - 0.5)
print(f"enrolled mean baseline must exceed the population mean by {gap:.1f} points = {gap / 1.8:.1f} SD")
assert np.isclose(gap, 1.8)
