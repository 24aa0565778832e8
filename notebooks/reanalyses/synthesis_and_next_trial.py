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
# Exact random-effects synthesis of the bundled LDN pain trials on the standardized mean
# difference scale, its sensitivity to the heterogeneity prior and to leaving one trial out.

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

# %%
tau_prior = sy.halfnormal_tau(0.5)
result = sy.synthesize(studies, mu_prior=None, tau_prior=tau_prior, mcid=0.5)
plots.plot_forest(sy.forest_plot_data(result))
sy.synthesis_table(result)

# %% [markdown]
# ## Leave one trial out

# %%
sy.leave_one_out(studies, mu_prior=None, tau_prior=tau_prior, mcid=0.5)
