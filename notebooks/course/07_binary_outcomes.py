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
# # 7. Responders and harms: risk difference, odds ratio, and why the baseline risk matters
#
# Trials report responders (at least 30% less pain) and harms (any adverse event, stopping
# because of one) as counts. FINAL's intention-to-treat table: 20 of 49 LDN patients and 13 of 50
# placebo patients had at least 30% less pain. From two counts per arm we can state the effect as a
# **risk difference** (RD, in percentage points of patients), a **risk ratio** (RR) or an **odds
# ratio** (OR). They answer different questions, and only the RD says how many patients benefit.
#
# With independent Beta priors per arm, each arm's posterior is a Beta in closed form,
# $p \mid y \sim \text{Beta}(a + y, b + n - y)$, so we can draw the posterior of any contrast
# exactly (two Beta draws per sample, no MCMC). Here $a = b = 1/2$ (Jeffreys).

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_binary(id)`: bundled responder or adverse-event counts of both arms, with provenance.
# * `JEFFREYS`: the Beta(1/2, 1/2) prior per arm; `BINARY_SEED`: the seed the reanalysis uses, so
#   numbers match the report.
# * `exact_contrast(counts, measure=..., better=..., arm_prior=..., random_seed=..., draws=...)`: exact
#   Beta posteriors of both arms and the posterior of one contrast (RD, RR or OR) from independent
#   draws, with Monte Carlo SEs.
# * `beta_binomial_posterior` and `contrast_from_risks` (`bayes_ldn.stats_binary`): the closed-form
#   two-arm posterior and a contrast computed from risk draws.
# * `logistic_grid_posterior` (`bayes_ldn.stats_binary_grid`): the logistic model's posterior by
#   quadrature on a grid, to compare with the closed form.
# * `format_probability(p)`: ">0.999"/"<0.001" instead of "1.000".

# %% Provenance and fast mode
import os

import numpy as np
from scipy import special, stats

from bayes_ldn.datasets import load_binary
from bayes_ldn.priors_binary import JEFFREYS
from bayes_ldn.reanalysis_binary import BINARY_SEED
from bayes_ldn.stats import format_probability
from bayes_ldn.stats_binary import beta_binomial_posterior, contrast_from_risks
from bayes_ldn.stats_binary_grid import logistic_grid_posterior
from bayes_ldn.summaries_binary import exact_contrast

FAST = os.environ.get("BAYES_LDN_FAST") == "1"
DRAWS = 20_000 if FAST else 200_000
resp = load_binary("final_responders_30")
ae = load_binary("final_adverse_events")
for r in (resp, ae):
    print(f"{r.id}: {r.counts} [{'+'.join(r.evidence)}], verified={r.verified}; {r.location}")

# %% [markdown]
# ## Three contrasts from one posterior
#
# `exact_contrast` draws both arms' Beta posteriors (seeded, so the numbers below are
# reproducible) and summarises one contrast; the Monte Carlo SE of each probability is
# $\sqrt{p(1-p)/N}$ for $N$ independent draws.

# %%
summaries = {}
for measure in ("rd", "rr", "or"):
    s, draws = exact_contrast(resp.counts, measure=measure, better="higher", arm_prior=JEFFREYS,
                              random_seed=BINARY_SEED, draws=DRAWS)
    summaries[measure] = s
    nat = s.natural
    print(f"{measure.upper()}: {nat['median']:.3f} (95% CrI {nat['lower']:.3f} to {nat['upper']:.3f}); "
          f"P(LDN better) {format_probability(s.probs['prob_better'])} (MC SE {s.mcse['prob_better']:.4f})")
assert round(summaries["rd"].natural["median"], 2) in (0.14, 0.15, 0.16)  # "about 0.15"
assert 1.8 < summaries["or"].natural["median"] < 2.2  # "about 2"
assert len({s.probs["prob_better"] for s in summaries.values()}) == 1  # "the same number", next paragraph

# %% [markdown]
# All three P(LDN better) are the same number: $p_t > p_c$, $p_t/p_c > 1$ and an odds ratio above 1
# are one event. What differs is the *size* the number describes. The RD of about 0.15 means about
# 15 more responders per 100 treated; the OR of about 2 means the odds double, which is a large
# or a small number of patients depending on how common response is without LDN.
#
# ## Why the baseline risk matters
#
# An odds ratio turns into a risk difference only through the control risk $p_c$:
#
# $$p_t = \frac{\text{OR}\, p_c}{1 - p_c + \text{OR}\, p_c}, \qquad \text{RD} = p_t - p_c.$$

# %%
def rd_from_or(odds_ratio: float, p_c: np.ndarray) -> np.ndarray:
    """Risk difference implied by an odds ratio at control risk ``p_c``."""
    return odds_ratio * p_c / (1 - p_c + odds_ratio * p_c) - p_c


for p_c in (0.05, 0.14, 0.26, 0.42, 0.86):
    print(f"placebo risk {p_c:.2f}: OR 1.5 is an RD of {rd_from_or(1.5, p_c):+.3f} (NNT {1 / rd_from_or(1.5, p_c):.0f})")
assert round(100 * rd_from_or(1.5, 0.05)) == 2 and round(100 * rd_from_or(1.5, 0.42)) == 10  # the next paragraph

# %% [markdown]
# The same OR 1.5 is 2 extra responders per 100 when response is rare, and 10 per 100 near 50%.
# This is why bayes_ldn anchors its prior presets on the OR (where a logistic model puts them) but
# states every MCID as an RD too, and why a meta-analysis pools ORs (closer to constant across
# trials whose baseline risks differ) and then translates back at a stated baseline risk.
#
# ## The logistic model is the same posterior, written on the log odds
#
# A logistic model with a Logistic(0, 1) prior on the placebo log odds (uniform on the placebo
# risk) and a flat prior on the log OR is *exactly* the beta-binomial with Beta(1, 1) on the
# placebo arm and Haldane Beta(0, 0) on the LDN arm. We check it by quadrature (the package's
# tests also check the PyMC version against it within Monte Carlo error).

# %%
grid = logistic_grid_posterior(*resp.counts.as_tuple(), sign=1, prior_logpdf=lambda x: np.zeros_like(x),
                               baseline_logpdf=stats.logistic.logpdf)
match = beta_binomial_posterior(*resp.counts.as_tuple(), prior_t=(0.0, 0.0), prior_c=(1.0, 1.0))
by_grid = grid.summary("or", sign=1)
print(f"posterior mean log OR: logistic (quadrature) {by_grid.mean:.6f}, beta-binomial (closed form) "
      f"{match.mean('or'):.6f}")
assert abs(by_grid.mean - match.mean("or")) < 1e-6

# %% [markdown]
# ## Benefit and harm together
#
# A patient weighing LDN cares about responding *and* about side effects. With the responder and
# adverse-event tables of the same trial we can compute P(responder benefit > 10 points **and**
# excess adverse events < 10 points). The published tables do not say whether the responders are
# the patients with adverse events, so we must assume the two contrasts independent, and say so.

# %%
_, d_ae = exact_contrast(ae.counts, measure="rd", better="lower", arm_prior=JEFFREYS, random_seed=BINARY_SEED + 1,
                         draws=DRAWS)
_, d_resp = exact_contrast(resp.counts, measure="rd", better="higher", arm_prior=JEFFREYS, random_seed=BINARY_SEED,
                           draws=DRAWS)
p_benefit = np.mean(d_resp["printed"] > 0.10)
p_harm_ok = np.mean(d_ae["printed"] < 0.10)
print(f"P(RD responders > 0.10) = {p_benefit:.3f}; P(excess AEs < 0.10) = {p_harm_ok:.3f}; "
      f"P(both), independence = {p_benefit * p_harm_ok:.3f}")

# %% [markdown]
# ## Exercises
#
# 1. FINAL's placebo responder rates were 42% (at least 15% pain reduction) and 14% (at least 50%).
#    What risk difference does an odds ratio of 1.5 mean at each? Which threshold would need more
#    patients to show the same OR?
# 2. Compute the posterior NNT for FINAL's 30% responders. Why does bayes_ldn decline to print an
#    interval for it here?
# 3. Check with the draws above that P(RD > 0) and P(OR > 1) are equal. Are P(RD > 0.10) and
#    P(OR > 1.5) equal too? Why not?

# %% [markdown]
# ## Worked answers

# %% Answer 1
placebo_15 = load_binary("final_responders_15").counts
placebo_50 = load_binary("final_responders_50").counts
rates = (placebo_15.events_control / placebo_15.n_control, placebo_50.events_control / placebo_50.n_control)
print(f"FINAL placebo responder rates: {rates[0]:.2f} (>= 15%), {rates[1]:.2f} (>= 50%)")
assert rates == (0.42, 0.14)
rd_15, rd_50 = rd_from_or(1.5, rates[0]), rd_from_or(1.5, rates[1])
print(f"OR 1.5: RD {rd_15:.3f} at 42% (>= 15% threshold), {rd_50:.3f} at 14% (>= 50% threshold)")
assert round(rd_15, 3) == 0.101 and round(rd_50, 3) == 0.056
print(f"NNT {1 / rd_50:.0f} vs {1 / rd_15:.0f}")
assert (round(1 / rd_50), round(1 / rd_15)) == (18, 10)
# The rarer outcome gives half the RD for the same OR, and its SE is smaller only slowly: the >= 50%
# threshold needs more patients to show the same OR, and its NNT is larger (18 vs 10).

# %% Answer 2
rd = summaries["rd"]
print(f"NNT at the posterior median: 1 / {rd.median:.3f} = {1 / rd.median:.1f}; interval: {rd.nnt}")
assert not rd.nnt["defined"] and rd.lower < 0 < rd.upper
# The RD's 95% interval includes 0, so 1/RD runs from a positive NNT through infinity to a negative
# one (a number needed to harm); Altman (1998) reports such an interval in two pieces. bayes_ldn
# reports the RD and its probabilities instead.

# %% Answer 3
rd_draws = d_resp["p_t"] - d_resp["p_c"]
or_draws = contrast_from_risks(d_resp["p_t"], d_resp["p_c"], "or")
assert np.mean(rd_draws > 0) == np.mean(or_draws > 0)  # the same event, draw by draw
p_rd, p_or = np.mean(rd_draws > 0.10), np.mean(or_draws > np.log(1.5))
print(f"P(RD > 0.10) = {p_rd:.3f}, P(OR > 1.5) = {p_or:.3f}")
assert p_rd != p_or
# Different events: OR > 1.5 means an RD above rd_from_or(1.5, p_c), which depends on the placebo
# risk p_c (about 0.26 here, so about 0.09), not the fixed 0.10.
print(f"RD implied by OR 1.5 at p_c = 0.26: {rd_from_or(1.5, 0.26):.3f}")
assert round(rd_from_or(1.5, 0.26), 2) == 0.09
assert abs(special.expit(special.logit(0.26) + np.log(1.5)) - 0.26 - rd_from_or(1.5, 0.26)) < 1e-12
