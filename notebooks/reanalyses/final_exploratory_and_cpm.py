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
# # FINAL: the exploratory outcomes and the CPM question
#
# Exact reanalysis of the six exploratory outcomes of FINAL (Bruun et al., CNS Drugs 2025) under
# the named priors of `models/final-*.toml`, and the random-finding verdict for the one outcome
# whose interval excluded zero (conditioned pain modulation, CPM).

# %% Provenance and fast mode
import os

import pandas as pd

from bayes_ldn.datasets import load_family
from bayes_ldn.random_finding import bundled_verdict
from bayes_ldn.reanalysis import decision_table
from bayes_ldn.report.figures import spec_figure
from bayes_ldn.spec import load_specs
from bayes_ldn.summaries import format_decision_table

FAST = os.environ.get("BAYES_LDN_FAST") == "1"  # everything here is exact; nothing samples
family = load_family("final_exploratory")
pd.DataFrame([{"record": r.id, "evidence": "+".join(r.evidence), "verified": r.verified, "location": r.location}
              for r in family])

# %% [markdown]
# ## Decision table (vague and moderate skeptical priors, first MCID of each sweep)

# %%
specs = [s for s in load_specs() if s.record.family == "final_exploratory"]
table = decision_table(specs)
first_mcid = table.groupby("spec")["mcid"].transform("min")
keep = table[table["prior"].isin(["vague", "skeptical_moderate"]) & (table["mcid"] == first_mcid)]
format_decision_table(keep, ["outcome", "prior", "units", "median", "lower", "upper", "prob_better",
                             "mcid", "prob_better_than_mcid", "evidence"])

# %% [markdown]
# ## CPM under each prior, and its prior sensitivity

# %%
cpm = next(s for s in specs if s.id == "final-cpm")
spec_figure(cpm, conversion="ci_normal", mcid=1.0)

# %% [markdown]
# ## Is the CPM result a random finding?

# %%
verdict, title = bundled_verdict("final", "cpm", patient_data=None)
print(title)
print(verdict.paragraph)
verdict.table[verdict.table["headline"]][["angle", "quantity", "value", "units", "points_to"]]
