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
# # Bested 2023: a crossover known only by a median difference
#
# Bested et al. (PAIN Reports 2023) randomised 58 patients to LDN and placebo in an AB/BA crossover
# and published, for FIQR (0-100) and SPIR (pain intensity), only the **median** within-patient
# difference and the **width** of its IQR, with a p-value and an effect size. The question: what do
# these numbers allow a reader to conclude about LDN's effect?
#
# **What the reanalysis must assume**, each stated where it is used:
#
# * *A normal likelihood from a median and an IQR width.* Every route to an SE rests on a named
#   conversion (lesson 8): Wan 2014 and Cochrane (SD from the IQR), the p-value, or the printed
#   effect size. With only the width published, every route sets mean = median, which is exact
#   only if the within-patient differences are symmetric. We report the answer under each route
#   rather than pick one.
# * *Who was analysed.* 58 is the number randomised; the number analysed was not published, so the
#   SEs assume no drop-outs (if some left, the SEs are too small; lesson 10).
# * *No period adjustment.* A median of within-patient differences is not period-adjusted (lesson
#   1 and lesson 8 §6): it equals the period-adjusted estimate only if the sequences are balanced
#   or the period effect is negligible. We assume so; the paper does not say.
#
# Then we fit the patient-level crossover model to a simulated Bested-like trial, to show what the
# patient-level data, if shared, would add.

# %% Provenance and fast mode
import os

import pandas as pd

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.datasets import load_record
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.fit import fit
from bayes_ldn.priors import vague
from bayes_ldn.reanalysis import decision_table
from bayes_ldn.spec import load_specs
from bayes_ldn.summaries import format_decision_table

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
DRAWS = 500 if FAST else 2000
records = [load_record(r) for r in ("bested_fiqr", "bested_spir")]
pd.DataFrame([{"record": r.id, "estimate": r.estimate, "iqr": r.iqr, "n": dict(r.n),
               "evidence": "+".join(r.evidence), "verified": r.verified} for r in records])

# %% [markdown]
# The records above are the two published results, with their evidence tags (`ABS`: read in the
# abstract) and whether they were verified against the paper.
#
# ## Across conversions (vague prior)
#
# `load_specs()` reads the analysis specifications in `models/*.toml` (for each result: the
# conversions, priors and MCIDs to run); `decision_table(specs)` computes every exact posterior
# they name, one row per (result, conversion, prior, MCID); `format_decision_table` prints the
# chosen columns with probabilities formatted as ">0.999"/"<0.001". We keep the vague prior, so
# that the rows differ only by conversion:

# %%
specs = [s for s in load_specs() if s.record.trial == "Bested 2023"]
table = decision_table(specs)
vague_rows = table[table["prior"] == "vague"].copy()
vague_rows["conversion"] = vague_rows["conversions"].str.split(":").str[0]
format_decision_table(vague_rows.drop_duplicates(["spec", "conversion"]),
                      ["outcome", "conversion", "median", "lower", "upper", "prob_better", "evidence"])

# %% [markdown]
# **Reading the table.** Under a vague prior the posterior median is the published median under
# every route (all routes assume mean = median); what moves is the width of the interval, and with
# it P(LDN better). The effect-size route gives the narrowest interval and the highest P(better),
# the IQR routes the widest and lowest, and for both outcomes every interval includes 0 and small
# effects in either direction. The conclusion does not depend on the route: Bested's
# published numbers are compatible with no effect and with a small benefit, and cannot separate them.
# (The effect-size route is the odd one out for both outcomes: a printed $d$ whose SD is not stated
# may be a paired $d_z$, and reading it as $d_{av}$ then overstates the precision; lesson 8 §4.)
#
# ## A simulated Bested-like crossover, fitted with the crossover model
#
# With patient-level data none of the assumptions above would be needed. `simulate_crossover`
# draws an AB/BA trial from stated parameters; `CrossoverData.from_frame` validates a tidy long frame
# (one row per patient and period); `crossover_model` builds the Bayesian mixed model of lesson 1
# (period effect, subject effects, unit-free nuisance priors of lesson 9, every observed row used,
# so drop-outs are handled under MAR as in lesson 10); `fit` runs NUTS and returns an ArviZ
# `DataTree` (convergence is checked and reported by `fit`). Truth: LDN lowers FIQR by 3 points,
# period effect -2, subject SD 15, residual SD 12, 58 patients.

# %%
frame, truth = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=15.0,
                                  residual_sd=12.0, random_seed=58)
data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
model = crossover_model(data, vague(), better="lower", carryover="none", likelihood="normal", baseline=False)
# expected-warning: ConvergenceWarning: (R-hat > 1.01|ESS below 400)
# expected-warning: idata = fit\(model
idata = fit(model, random_seed=1, draws=DRAWS, tune=DRAWS, chains=2)
effect = idata["posterior"]["treatment_effect"]
print(f"truth {truth.treatment_effect}; "
      f"posterior mean {float(effect.mean()):.2f}, 95% interval {float(effect.quantile(0.025)):.2f} "
      f"to {float(effect.quantile(0.975)):.2f}")

# %% [markdown]
# The interval printed above is the period-adjusted estimate with its uncertainty, from the
# patients' own numbers; one simulated trial's posterior mean differs from the truth by sampling
# noise, as a real trial's would. This is the analysis the package would run on Bested's data if
# they were shared; with a median and an IQR width, the best a reader can do is the table above.
#
# Short chains in fast mode may trigger a `ConvergenceWarning` from `fit` (ESS below 400); it is
# expected there and absent with the full number of draws.
