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
# Bested et al. (PAIN Reports 2023) published only a median within-patient difference and the
# width of its IQR for FIQR and SPIR. Every normal likelihood therefore rests on a named
# conversion; this notebook shows how far the answer moves across them, then fits the crossover
# model to a simulated Bested-like trial to show what patient-level data would add.

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
# ## Across conversions (vague prior)

# %%
specs = [s for s in load_specs() if s.record.trial == "Bested 2023"]
table = decision_table(specs)
vague_rows = table[table["prior"] == "vague"].copy()
vague_rows["conversion"] = vague_rows["conversions"].str.split(":").str[0]
format_decision_table(vague_rows.drop_duplicates(["spec", "conversion"]),
                      ["outcome", "conversion", "median", "lower", "upper", "prob_better", "evidence"])

# %% [markdown]
# ## A simulated Bested-like crossover, fitted with the crossover model
#
# Truth: LDN lowers FIQR by 3 points, period effect -2, subject SD 15, residual SD 12, 58 patients.

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
# Short chains in fast mode may trigger a `ConvergenceWarning` from `fit` (ESS below 400); it is
# expected there and absent with the full number of draws.
