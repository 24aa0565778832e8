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
# # 9. Units, zero points and nuisance priors
#
# A reanalysis must give the same answer whether the outcome is recorded in L/min or L/s, as a
# score or its percentage, or measured from another zero point: the question ("does the drug
# help, and by how much?") does not change with the ruler. A frequentist analysis has this
# property automatically. A Bayesian one has it only if its **priors** move with the ruler too;
# a prior written as fixed numbers ("intercept ~ N(0, 100)") silently means different things on
# different scales. This lesson
#
# * reanalyses a real crossover trial (Senn's formoterol vs salbutamol trial in 13 asthmatic
#   children, peak expiratory flow in L/min) in three rulers: L/min, L/min − 300, and L/s;
# * runs the **prior predictive check on the patient-level crossover model** under the fixed
#   `wide` preset and the package's default `unit_free` priors;
# * shows how the default achieves unit-freedom, and what it does not do for you (the effect prior).

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_example(name)`, `example_info(name)`: a bundled real dataset and its metadata (source, units,
#   published result).
# * `CrossoverData.from_frame(frame, treatment=..., reference=..., scale=...)`: validates a tidy long
#   frame (one row per patient and period) and lists every problem at once.
# * `crossover_model(data, prior, ...)`: the Bayesian crossover mixed model of lesson 1; its
#   `nuisance=` argument and the presets in `NUISANCE_PRESETS` / your own `NuisancePriors` are this
#   lesson's subject.
# * `fit` and `convergence_table`: NUTS sampling and its diagnostics (lesson 5); `priors.vague()`,
#   `priors.normal`: named effect priors (lesson 3).
# * `PriorDataConflictWarning`: the warning raised when fixed nuisance priors are far out of line with
#   the data.

# %% Provenance and fast mode
import os
import warnings

import numpy as np
import pandas as pd
import pymc as pm
from scipy import stats

from bayes_ldn import load_example, priors
from bayes_ldn.datasets.examples import example_info
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.designs.nuisance import NUISANCE_PRESETS, NuisancePriors
from bayes_ldn.diagnostics import convergence_table
from bayes_ldn.exceptions import PriorDataConflictWarning
from bayes_ldn.fit import fit

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
DRAWS = 1000 if FAST else 4000
N_PRIOR_PRED = 500 if FAST else 4000
info = example_info("senn_pef")
pub = info["published"]
print(f"senn_pef: {info['title']}\n  {info['citation']}\n  evidence: real patient-level data [published "
      f"table via {info['source_licence']}], published result verified={pub['verified']}")
print(f"fast mode: {FAST}; draws per chain {DRAWS}")

# %% [markdown]
# `load_example(name)` returns a bundled real dataset as a tidy long frame (one row per child and
# period), after checking the file's digest; `example_info(name)` gives its source, units and the
# published frequentist result.

# %%
pef = load_example("senn_pef")
print(pef.head(4).to_string(index=False))
m_obs, s_obs = pef.outcome.mean(), pef.outcome.std(ddof=1)
print(f"PEF: mean {m_obs:.1f} L/min, SD {s_obs:.1f} L/min, range {pef.outcome.min()} to {pef.outcome.max()}")

# %% [markdown]
# ## The frequentist answer moves with the ruler
#
# The period-adjusted (Hills-Armitage) estimate is half the difference between the two sequences'
# mean period differences (lesson 1), with a $t$ interval on $n - 2 = 11$ df. Change the ruler
# $y \to a + k y$ and the estimate becomes $k \times$ the estimate: the shift $a$ cancels in every
# within-child difference.

# %%
RULERS = {"L/min": (0.0, 1.0), "L/min - 300": (-300.0, 1.0), "L/s": (0.0, 1 / 60)}


def hills_armitage(frame):
    w = frame.pivot_table(index=["subject", "sequence"], columns="period", values="outcome").reset_index()
    d = w[1] - w[2]
    g1, g2 = d[w.sequence == "for/sal"], d[w.sequence == "sal/for"]
    est = (g1.mean() - g2.mean()) / 2
    pooled = ((len(g1) - 1) * g1.var() + (len(g2) - 1) * g2.var()) / (len(g1) + len(g2) - 2)
    se = np.sqrt(pooled / 4 * (1 / len(g1) + 1 / len(g2)))
    q = stats.t.ppf(0.975, len(g1) + len(g2) - 2)
    return est, est - q * se, est + q * se


def in_ruler(frame, a, k):
    out = frame.copy()
    out["outcome"] = a + k * out["outcome"]
    out["baseline"] = a + k * out["baseline"]
    return out


freq = {}
for name, (a, k) in RULERS.items():
    freq[name] = hills_armitage(in_ruler(pef, a, k))
    est, lo, hi = freq[name]
    print(f"{name:12s}: formoterol - salbutamol {est:.3f} ({lo:.3f} to {hi:.3f}); back in L/min: {est / k:.1f}")
# Senn's published 46.6 (22.9 to 70.3) L/min:
assert np.allclose(np.round(freq["L/min"], 1), (pub["estimate"], pub["lower"], pub["upper"]))
assert np.allclose(np.array(freq["L/s"]) * 60, freq["L/min"]) and np.allclose(freq["L/min - 300"], freq["L/min"])

# %% [markdown]
# ## Fixed nuisance priors: the same numbers, three different priors
#
# The patient-level model (`crossover_model`, lesson 1's model as a Bayesian mixed model) has
# **nuisance** parameters besides the treatment effect: the intercept (mean PEF on the reference
# in period 1), the period effect, the between-child SD $\sigma_u$ and the residual SD $\sigma$.
# The `wide` preset gives them fixed numbers:

# %%
wide = NUISANCE_PRESETS["wide"]
print(f"wide: intercept ~ N({wide.intercept_mu:g}, {wide.intercept_sigma:g}), period ~ N(0, {wide.effect_sigma:g}), "
      f"SDs ~ HalfNormal({wide.sd_sigma:g}); rationale: {wide.rationale}")

# %% [markdown]
# "Vague for outcomes within about ±100" is right for a 0-100 score. For PEF in L/min the
# intercept prior puts the mean PEF at 0 ± 100, while the children's mean is 318: more than three
# prior SDs away, and half its mass on negative flows. In L/s (mean 5.3) the same numbers are
# eighty times wider than the data. The package notices the first case and warns
# (`PriorDataConflictWarning`) instead of biasing the answer silently:

# %%
def build(a, k, nuisance, prior=None):
    """The crossover model of Senn's trial in the ruler y -> a + k y (no baseline adjustment)."""
    data = CrossoverData.from_frame(in_ruler(pef, a, k), treatment="formoterol", reference="salbutamol")
    return crossover_model(data, prior or priors.vague(), better="higher", carryover="none",
                           likelihood="normal", baseline=False, nuisance=nuisance)


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    build(0.0, 1.0, "wide")
conflicts = [w for w in caught if issubclass(w.category, PriorDataConflictWarning)]
print("warning raised:", conflicts[0].message if conflicts else None)
assert conflicts and (m_obs - wide.intercept_mu) / wide.intercept_sigma > 3
assert 75 < wide.intercept_sigma / (s_obs / 60) < 85  # "eighty times wider"
print(f"data mean in wide's intercept-prior SDs: {(m_obs - wide.intercept_mu) / wide.intercept_sigma:.1f}; "
      f"L/s: prior SD / data SD = {wide.intercept_sigma / (s_obs / 60):.0f}")

# %% [markdown]
# ## The unit-free default
#
# `crossover_model`'s default `nuisance="unit_free"` builds the nuisance priors from the outcome's
# own mean $m$ and SD $s$, as rstanarm's `autoscale` and brms's data-based defaults do:
#
# $$\alpha \sim N(m, (10 s)^2), \quad \pi \sim N(0, (10 s)^2), \quad \sigma_u, \sigma \sim \text{HalfNormal}(2.5 s).$$
#
# Under $y \to a + k y$, $m \to a + k m$ and $s \to k s$, so every prior moves with the data: the
# whole posterior is the image of the original one. The model records what the data contributed
# (`choices["data_scale"]`) and the resolved numbers (`priors["nuisance"]`):

# %%
rows = []
for name, (a, k) in RULERS.items():
    model = build(a, k, "unit_free")
    scale = model.choices["data_scale"]
    rows.append({"ruler": name, "m": round(scale["location"], 3), "s": round(scale["scale"], 3),
                 "(intercept prior mean - m) / s": (model.priors["nuisance"]["intercept_mu"] - scale["location"])
                 / scale["scale"],
                 "intercept prior SD / s": model.priors["nuisance"]["intercept_sigma"] / scale["scale"],
                 "SD prior scale / s": model.priors["nuisance"]["sd_sigma"] / scale["scale"]})
table = pd.DataFrame(rows)
print(table.to_string(index=False))
assert np.allclose(table["intercept prior SD / s"], 10) and np.allclose(table["SD prior scale / s"], 2.5)

# %% [markdown]
# ## The prior predictive check on the patient-level model
#
# A one-parameter summary model (lesson 5) can only check the prior on the effect. The
# patient-level model predicts **every child's PEF in both periods**, so its prior predictive
# checks the nuisance priors too: are the outcomes it expects before seeing the data on the
# scale of the data? A prior predictive needs a proper effect prior; the effect prior is the
# analyst's and carries units, so we write it in each ruler: N(0, 50 L/min), i.e. N(0, 50/60 L/s).
# We summarise each prior predictive on the data's own standardized scale $z = (y - m)/s$, which
# does not depend on the ruler.

# %%
def prior_predictive(name, a, k, nuisance):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PriorDataConflictWarning)  # shown above; here we look at what it means
        model = build(a, k, nuisance, prior=priors.normal(0.0, 50.0 * k))
        draws = pm.sample_prior_predictive(draws=N_PRIOR_PRED, model=model.pymc_model, random_seed=9)
    y = np.asarray(draws["prior_predictive"]["outcome"]).ravel()
    m, s = a + k * m_obs, k * s_obs
    z = (y - m) / s
    return {"ruler": name, "nuisance": nuisance, "median z": np.median(z), "2.5% z": np.quantile(z, 0.025),
            "97.5% z": np.quantile(z, 0.975), "P(PEF < 0 L/min)": np.mean((y - a) / k < 0)}


pp = pd.DataFrame([prior_predictive(name, a, k, nui)
                   for nui in ("wide", "unit_free") for name, (a, k) in RULERS.items()])
print(pp.round(2).to_string(index=False))
uf = pp[pp.nuisance == "unit_free"]
wd = pp[pp.nuisance == "wide"]
assert np.allclose(uf[["median z", "2.5% z", "97.5% z"]].to_numpy(), uf[["median z", "2.5% z", "97.5% z"]].iloc[0])
assert np.ptp(wd["median z"]) > 1 and np.ptp(wd["97.5% z"]) > 10
# The numbers quoted below:
assert 20 < uf["97.5% z"].iloc[0] < 30 and -30 < uf["2.5% z"].iloc[0] < -20
assert 0.3 < uf["P(PEF < 0 L/min)"].iloc[0] < 0.4
wide_z = wd.set_index("ruler")["median z"]
assert -5 < wide_z["L/min"] < -3.5 and abs(wide_z["L/min - 300"]) < 1 and wd["97.5% z"].iloc[2] > 100

# %% [markdown]
# Read the table by rows.
#
# * **`unit_free`**: the three rulers give the **same** standardized prior predictive (the cell
#   asserts it): centred on the data's mean, spreading about ±25 data SDs. That is weak, on
#   purpose: these priors stand in for the flat reference analysis, and still put about a third
#   of their mass on negative flows (the last column). They are a neutral default, not a claim
#   about children's lungs.
# * **`wide`**: the same numbers mean three different priors. In L/min the predictive is centred
#   about four data SDs below the data, with half its mass on negative flows; in L/min − 300 it
#   happens to sit near the data; in L/s it spreads over hundreds of data SDs. A reanalysis with
#   fixed numbers answers a different question on each ruler.
#
# If you know the outcome, write an informative `NuisancePriors` on its scale (exercise 2); the
# package checks it against the data and warns if it is far out of line.
#
# ## The posterior moves with the ruler
#
# Fit the model with a flat effect prior and the default nuisance priors in each ruler, and
# bring the treatment effect back to L/min. `fit` runs NUTS (nutpie) and returns an ArviZ
# `DataTree`; `convergence_table` prints R-hat, ESS and divergences. The three answers must agree
# within Monte Carlo error (the package's test `tests/foundation/test_unit_free.py` checks the
# same exactly, on the log density). In fast mode the short chains may warn about ESS or R-hat.

# %%
# expected-warning: ConvergenceWarning: (R-hat > 1.01|ESS below 400)
# expected-warning: idata = fit\(
post = {}
for name, (a, k) in RULERS.items():
    idata = fit(build(a, k, "unit_free"), random_seed=3, draws=DRAWS, tune=DRAWS, chains=2)
    draws = np.asarray(idata["posterior"]["treatment_effect"]).ravel() / k
    ess = float(convergence_table(idata, ["treatment_effect"])["ess_bulk"].iloc[0])
    post[name] = (draws.mean(), draws.std(), draws.std() / np.sqrt(ess))
    print(f"{name:12s}: posterior mean {draws.mean():.1f} L/min, SD {draws.std():.1f}, "
          f"95% CrI {np.quantile(draws, 0.025):.1f} to {np.quantile(draws, 0.975):.1f}, MCSE {post[name][2]:.2f}")
    print(convergence_table(idata, ["treatment_effect"]).to_string())
for name in ("L/min - 300", "L/s"):
    diff = post[name][0] - post["L/min"][0]
    assert abs(diff) < 5 * np.hypot(post[name][2], post["L/min"][2]), (name, diff)
assert all(abs(mean - pub["estimate"]) < 2 for mean, _, _ in post.values())

# %% [markdown]
# The posterior means agree within Monte Carlo error and sit within 2 L/min of Senn's 46.6: with a
# flat effect prior and weak nuisance priors the Bayesian answer reproduces the frequentist one,
# in any ruler.
#
# **Why the nuisance priors can matter at all.** With complete data the treatment effect is
# estimated within children, and the intercept barely touches it. But each child's *total*
# carries the intercept, and with drop-outs (children seen in one period only) the between-child
# stratum feeds the treatment estimate (lesson 10); a badly placed intercept prior then leaks
# into the answer. Making the default unit-free removes the question rather than hoping it is small.
#
# ## Exercises
#
# 1. Senn's published interval is 46.6 (22.9 to 70.3) L/min. Write it in L/s and as a
#    standardized mean difference using the PEF SD of all 26 measurements. Which of the two
#    depends on the ruler?
# 2. Write an informative `NuisancePriors` for PEF in L/min (children: mean PEF around 300 L/min,
#    between-child and residual SDs below 150 L/min) and show with the prior predictive that it
#    puts under 1% of its mass on negative flows, without a `PriorDataConflictWarning`.
# 3. Analyse PEF on the log scale (`CrossoverData.from_frame(..., scale="log")`) in L/min and in
#    L/s. Show that the ratio of geometric means is the same in both, and explain why the log scale
#    turns a change of units into a change of zero point.

# %% [markdown]
# ## Worked answers

# %% Answer 1
lo_s, hi_s = np.array([pub["lower"], pub["upper"]]) / 60
print(f"L/s: {pub['estimate'] / 60:.3f} ({lo_s:.3f} to {hi_s:.3f}); SMD: {pub['estimate'] / s_obs:.2f} "
      f"({pub['lower'] / s_obs:.2f} to {pub['upper'] / s_obs:.2f})")
smd_lmin = pub["estimate"] / s_obs
smd_ls = (pub["estimate"] / 60) / (s_obs / 60)
assert round(pub["estimate"] / 60, 3) == 0.777 and np.isclose(smd_lmin, smd_ls)
# The L/s numbers depend on the ruler (they are the L/min ones over 60); the SMD does not. The SMD
# depends instead on *which* SD divides (here all 26 values, mixing between- and within-child
# variation; lesson 8 shows why a crossover's SMD needs care).

# %% Answer 2
informed = NuisancePriors(name="pef_children", intercept_mu=300.0, intercept_sigma=50.0, effect_sigma=50.0,
                          sd_sigma=55.0, slope_sigma=2.0, df_alpha=2.0, df_beta=0.1,
                          rationale="children's PEF around 300 L/min; "
                                    "SDs below 150 L/min (99.3% point of HalfNormal(55))")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = build(0.0, 1.0, informed, prior=priors.normal(0.0, 50.0))
assert not [w for w in caught if issubclass(w.category, PriorDataConflictWarning)]
y = np.asarray(pm.sample_prior_predictive(draws=N_PRIOR_PRED, model=model.pymc_model, random_seed=4)
               ["prior_predictive"]["outcome"]).ravel()
print(f"informative nuisance priors: P(PEF < 0) = {np.mean(y < 0):.4f}; 95% of predicted PEF in "
      f"{np.quantile(y, 0.025):.0f} to {np.quantile(y, 0.975):.0f} L/min "
      f"(observed {pef.outcome.min()} to {pef.outcome.max()})")
assert np.mean(y < 0) < 0.01

# %% Answer 3
# expected-warning: ConvergenceWarning: (R-hat > 1.01|ESS below 400)
ratios = {}
for name in ("L/min", "L/s"):
    a, k = RULERS[name]
    data = CrossoverData.from_frame(in_ruler(pef, a, k), treatment="formoterol", reference="salbutamol", scale="log")
    idata = fit(crossover_model(data, priors.vague(), better="higher", carryover="none", likelihood="normal",
                                baseline=False), random_seed=5, draws=DRAWS, tune=DRAWS, chains=2)
    log_ratio = np.asarray(idata["posterior"]["treatment_effect"]).ravel()
    ess = float(convergence_table(idata, ["treatment_effect"])["ess_bulk"].iloc[0])
    ratios[name] = (log_ratio.mean(), log_ratio.std() / np.sqrt(ess))
    print(f"{name}: ratio of geometric means formoterol/salbutamol {np.exp(np.median(log_ratio)):.3f} "
          f"(95% CrI {np.exp(np.quantile(log_ratio, 0.025)):.3f} to {np.exp(np.quantile(log_ratio, 0.975)):.3f})")
assert abs(ratios["L/min"][0] - ratios["L/s"][0]) < 5 * np.hypot(ratios["L/min"][1], ratios["L/s"][1])
# log(y / 60) = log y - log 60: on the log scale a change of units is a shift, which every
# within-child difference cancels and the unit-free intercept prior follows. (A change of zero
# point, y - 300, is not allowed on the log scale: it would change the ratios themselves.)
