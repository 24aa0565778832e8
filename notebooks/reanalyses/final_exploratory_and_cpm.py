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
# FINAL (Bruun et al., CNS Drugs 2025) measured six exploratory pain-mechanism outcomes in 92
# complete cases (lesson 10: complete case, not ITT). One of them, conditioned pain modulation
# (CPM), had a 95% interval excluding zero: 2.0 kPa (0.4 to 3.7). The paper's own reading is
# cautious; this analysis asks how much a reader should believe the CPM result, in three steps:
#
# 1. **Every outcome under stated priors.** Each published interval becomes a normal likelihood
#    (lesson 8), combined exactly with a vague and a sceptical prior (lesson 3). If CPM stands out
#    only under the vague prior, the finding is fragile.
# 2. **CPM's prior sensitivity.** How the posterior moves as the prior becomes more sceptical.
# 3. **Is CPM a random finding?** The same question from every angle the evidence allows
#    (multiplicity, sceptical priors, reverse-Bayes, a Bayes factor, the placebo arm, replication),
#    with the two newer angles, the Bayes factor and the replication probability, worked by hand
#    below so the verdict's numbers can be checked.
#
# Nothing here samples: every posterior is closed form or quadrature.

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
# The cell above lists the six records (`load_family` returns a family of published results, each
# with its evidence tag: `ABS` = read in the abstract, `3P` = a third party's transcription, not
# yet checked against the paper). Five of the six are unverified; treat their numbers as provisional.
#
# ## 1. Every outcome under stated priors
#
# `load_specs()` reads the analysis specifications in `models/*.toml`: for each result, which
# conversions to an SE, which priors and which MCIDs (swept, since no CPM MCID is established).
# `decision_table(specs)` computes every exact posterior those specifications name and returns one
# row per (result, conversion, prior, MCID); `format_decision_table` prints it with probabilities
# as ">0.999"/"<0.001" rather than a misleading "1.000". We keep the vague and the moderate
# sceptical prior, at the smallest MCID of each sweep:

# %%
specs = [s for s in load_specs() if s.record.family == "final_exploratory"]
table = decision_table(specs)
first_mcid = table.groupby("spec")["mcid"].transform("min")
keep = table[table["prior"].isin(["vague", "skeptical_moderate"]) & (table["mcid"] == first_mcid)]
format_decision_table(keep, ["outcome", "prior", "units", "median", "lower", "upper", "prob_better",
                             "mcid", "prob_better_than_mcid", "evidence"])

# %%
# The numbers the next paragraph quotes:
sceptical = keep[keep["prior"] == "skeptical_moderate"].set_index("outcome")
others = sceptical.drop(index="cpm")["prob_better"]
print(f"sceptical prior: CPM P(better) {sceptical.loc['cpm', 'prob_better']:.2f}, "
      f"P(> {sceptical.loc['cpm', 'mcid']:g} kPa) "
      f"{sceptical.loc['cpm', 'prob_better_than_mcid']:.2f}; other outcomes {others.min():.2f} to {others.max():.2f}")
assert sceptical.loc["cpm", "prob_better"] > 0.9 > others.max()
assert round(sceptical.loc["cpm", "prob_better_than_mcid"], 2) == 0.26
assert sorted(others[others < 0.5].index) == ["tolerance_left", "tolerance_right"]

# %% [markdown]
# Read the table for contrast, not for stars: CPM is the only outcome whose P(LDN better) stays
# above 0.9 under the sceptical prior; the others lie between about 0.16 and 0.73, and the two
# pressure tolerances point against LDN (P(better) below 0.5). Under the sceptical prior the
# probability that CPM's effect exceeds the 1 kPa MCID is only about 0.26: the data say "probably
# some improvement", not "probably a clinically important one".
#
# ## 2. CPM under each prior, and its prior sensitivity
#
# `spec_figure(spec, conversion=..., mcid=...)` draws, for one specification, the posterior under
# each named prior and P(LDN better) as the sceptical prior's SD shrinks (the tipping point of
# lesson 3, here in kPa with a 1 kPa MCID):

# %%
cpm = next(s for s in specs if s.id == "final-cpm")
spec_figure(cpm, conversion="ci_normal", mcid=1.0)

# %% [markdown]
# ## 3. Is the CPM result a random finding?
#
# `bundled_verdict(trial, outcome, patient_data=None)` assembles, for a bundled result, every angle
# of the `random_finding` module on CPM in SD-of-change units (so that the sibling outcomes can be
# pooled): the multiplicity shrinkage of lesson 4, the sceptical priors and reverse-Bayes limits of
# lesson 3, a Bayes factor, the placebo arm's change (lesson 2's regression to the mean), the
# association with pain (which needs patient-level data, not public for FINAL), and the
# probability that a replication succeeds. It returns a `Verdict`: a table (one row per angle and
# quantity, `points_to` saying which way each number leans under stated thresholds) and a
# paragraph. Before reading it, the two angles not met in the course so far.
#
# **A Bayes factor** compares how well two hypotheses predicted the data: $H_0$: $\delta = 0$
# against $H_1$: $\delta \sim N(0, \sigma_0^2)$. With a normal likelihood $\hat d \sim N(\delta, s^2)$
# both predictions are normal, and
#
# $$BF_{10} = \frac{N(\hat d;\, 0,\, \sigma_0^2 + s^2)}{N(\hat d;\, 0,\, s^2)}
#           = \frac{p(\delta = 0 \mid H_1)}{p(\delta = 0 \mid \hat d, H_1)}$$
#
# (the second form is the Savage-Dickey density ratio: prior over posterior density at 0). It is
# not a posterior probability: it says by what factor the data should move the odds of $H_1$
# against $H_0$, whatever they were. It depends on $\sigma_0$: a very wide $H_1$ spreads its
# prediction thin and loses to $H_0$ even when the estimate is far from 0 (Lindley's paradox), so
# the package reports it over a range of prior scales. `savage_dickey_bf10(estimate, se,
# prior_mean=..., prior_sd=...)` computes it.
#
# **A replication probability** asks: if the trial were repeated with the same size, how likely
# is the new estimate to be significant in LDN's favour? Given the current posterior
# $\delta \sim N(m, v)$, a new estimate is $\hat d_{new} \sim N(m, v + s^2)$ (the uncertainty about
# $\delta$ plus the new trial's noise), so
# $P(\hat d_{new}/s > 1.96) = \Phi\big((m - 1.96\,s)/\sqrt{v + s^2}\big)$. Under a flat prior
# $m = \hat d$, $v = s^2$: a result with $z$ just above 1.96 replicates only about half the time.
#
# We compute both by hand on CPM's standardized effect (the SE of an SMD with 45 and 47 patients is
# $\sqrt{1/45 + 1/47}$ with the SD treated as known) and check them against the verdict below.

# %%
import numpy as np
from scipy import stats

from bayes_ldn.bayes_factor import savage_dickey_bf10
from bayes_ldn.data.records import to_likelihood

cpm_record = next(r for r in family if r.outcome == "cpm")
cpm_lik = to_likelihood(cpm_record, "ci_normal")
z = cpm_lik.estimate / cpm_lik.se
s_d = np.sqrt(1 / cpm_record.n["LDN"] + 1 / cpm_record.n["placebo"])
d_hat = z * s_d  # the standardized effect: estimate / SD of change, with SD = SE / s_d
bf_by_hand = stats.norm.pdf(d_hat, 0, np.sqrt(0.5**2 + s_d**2)) / stats.norm.pdf(d_hat, 0, s_d)
bf_savage_dickey = savage_dickey_bf10(d_hat, s_d, prior_mean=0.0, prior_sd=0.5)
replication_flat = stats.norm.cdf((d_hat - 1.96 * s_d) / np.sqrt(2 * s_d**2))
print(f"CPM: z = {z:.3f}, d = {d_hat:.3f} SD (SE {s_d:.4f})")
print(f"BF10 with H1: d ~ N(0, 0.5^2): {bf_by_hand:.3f} (formula), {bf_savage_dickey:.3f} (savage_dickey_bf10)")
print(f"P(a same-size replication is significant for LDN), flat prior: {replication_flat:.3f}")
for sd0 in (0.1, 0.2, 0.5, 1.0, 2.0, 10.0):
    print(f"  BF10 with prior SD {sd0:>4}: {savage_dickey_bf10(d_hat, s_d, prior_mean=0.0, prior_sd=sd0):.2f}")
assert np.isclose(bf_by_hand, bf_savage_dickey)
# Where does BF10 peak? d/d(sigma_0) of the ratio is zero at sigma_0^2 = d^2 - s^2.
grid = np.linspace(0.05, 3.0, 2951)
peak = grid[np.argmax([savage_dickey_bf10(d_hat, s_d, prior_mean=0.0, prior_sd=g) for g in grid])]
print(f"BF10 is largest at prior SD {peak:.2f} (theory sqrt(d^2 - s^2) = {np.sqrt(d_hat**2 - s_d**2):.2f})")
assert abs(peak - np.sqrt(d_hat**2 - s_d**2)) < 0.002

# %%
verdict, title = bundled_verdict("final", "cpm", patient_data=None)
print(title)
print(verdict.paragraph)
headline = verdict.table[verdict.table["headline"]][["angle", "quantity", "value", "units", "points_to"]]
rows = verdict.table.set_index("quantity")["value"]
# The hand computations above agree with the verdict's (two-sided 0.05: the tiny chance of
# significance the other way is not counted in "for LDN").
assert np.isclose(rows["BF10, prior N(0, 0.5^2) on d"], bf_by_hand, rtol=1e-6)
assert np.isclose(rows["P(new trial significant for LDN, two-sided 0.05), flat prior"], replication_flat, rtol=1e-3)
# The numbers the next paragraph quotes:
posterior_odds = {prior: bf_by_hand * prior / (1 - prior) for prior in (0.5, 0.1)}
print("; ".join(f"prior P(H1) {k} -> posterior {v / (1 + v):.2f}" for k, v in posterior_odds.items()))
assert round(z, 1) == 2.4 and round(bf_by_hand) == 4 and round(replication_flat, 1) == 0.6
assert round(posterior_odds[0.5] / (1 + posterior_odds[0.5]), 1) == 0.8
assert round(posterior_odds[0.1] / (1 + posterior_odds[0.1]), 1) == 0.3
assert round(rows["P(LDN better), pooled, tau ~ half-normal(0.5 SD)"], 2) == 0.93
assert round(rows["sceptical limit SL (Matthews 2018)"], 2) == 2.24 > cpm_record.estimate
assert rows["P(new trial significant for LDN, two-sided 0.05), skeptical_moderate"] < replication_flat
headline

# %% [markdown]
# **Reading the verdict.** The angles disagree, and the paragraph says so rather than averaging
# them. For a real effect: CPM's own likelihood is fairly strong (z about 2.4), survives a
# moderately sceptical prior, and the Bayes factor of about 4 (for $H_1$: $d \sim N(0, 0.5^2)$,
# effects of up to about one SD) is "moderate" evidence: it multiplies whatever odds one held by about 4, which
# turns even odds into 80%, and a one-in-ten prior belief into about 30%. Against: pooling CPM with
# its five siblings (lesson 4) lowers P(better) to about 0.93; the sceptical limit (2.24 kPa)
# exceeds the estimate, so the trial alone is not intrinsically credible (lesson 3); and a
# same-size replication would be significant only about 60% of the time under a flat prior, less
# under a sceptical one. The Bayes factor's sensitivity printed above peaks at a prior SD of about
# 0.45 (where $\sigma_0^2 = \hat d^2 - s^2$) and falls both ways: too narrow an $H_1$ cannot be told
# from $H_0$, too wide a one predicts huge effects that did not happen.
#
# **Limits of this analysis**, stated in the verdict's caveats: effects are in SD-of-change units
# with the SD treated as known; the sibling outcomes are treated as independent although CPM and
# the pressure tolerances are readings of the same cuff in the same patients (lesson 4); the CPM
# result is complete case (7 of 99 missing; lesson 10 shows missingness alone cannot explain it
# away); and five of the six inputs await verification. The conclusion the evidence supports: a
# hypothesis worth a confirmatory trial with CPM as a pre-specified outcome, not an established
# effect.
