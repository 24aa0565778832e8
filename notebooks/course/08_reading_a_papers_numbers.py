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
# # 8. Reading a paper's numbers
#
# Every summary-level reanalysis in this package starts by turning what a paper printed into a
# normal likelihood: an estimate and its standard error (SE). Papers print intervals, p-values,
# medians with interquartile ranges, standardized effect sizes; each route to an SE makes an
# assumption, and the routes can disagree. This lesson works through them on the LDN trials'
# own numbers and on a real crossover dataset:
#
# * a confidence interval → SE (normal or $t$ quantile);
# * a p-value → SE, and what rounding the p-value costs;
# * a median and IQR → mean and SD, and the symmetry this assumes;
# * standardized mean differences (SMDs) in crossover vs parallel trials: the within-patient
#   correlation changes what "d" means;
# * an MCID in SD units;
# * whether a published crossover difference is period-adjusted.

# %% [markdown]
# **Package functions used here** (each in one sentence; details in their docstrings):
#
# * `load_record(id)`: one bundled published result with its provenance; `load_example(name)`: a
#   bundled real patient-level dataset (here Senn's PEF crossover).
# * `se_from_ci`, `se_from_p`, `mean_sd_from_median_iqr` (`bayes_ldn.conversions`): the conversions to
#   an SE, each returning the value and a note saying how it was computed; explained in their sections.
# * `to_likelihood(record, conversion)`: a record as a normal likelihood through one of those named
#   conversions.

# %% Provenance and fast mode
import os

import numpy as np
import pandas as pd
from scipy import stats

from bayes_ldn import load_example
from bayes_ldn.conversions import mean_sd_from_median_iqr, se_from_ci, se_from_p
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_record

FAST = os.environ.get("BAYES_LDN_FAST") == "1"  # nothing here samples MCMC; kept for uniformity
N_SIMULATIONS = 2000 if FAST else 20000
records = {name: load_record(name) for name in ("final_cpm", "final_pain", "bested_fiqr")}
for r in records.values():
    print(f"{r.id}: {r.measure} {r.estimate} {r.units}, interval {r.lower} to {r.upper}, p {r.p}, "
          f"IQR {r.iqr}, d {r.effect_size}, n {r.n} [{'+'.join(r.evidence)}], verified={r.verified}")
print("senn_pef: real patient-level crossover data bundled with the package [published table], verified=True")

# %% [markdown]
# ## 1. From a confidence interval to an SE
#
# A symmetric 95% interval is estimate ± $q \times$ SE, so $\text{SE} = (U - L)/(2q)$.
# `se_from_ci(lower, upper, method=...)` does this and records how: `"ci_normal"` uses
# $q = 1.96$; `"ci_t"` uses the $t$ quantile with the analysis's degrees of freedom, which is
# what a small trial's interval was computed with. With $n_1 + n_2 - 2 = 90$ df (FINAL's complete
# cases) the two differ by 1%; with Senn's 13-child crossover (11 df) by 12%.

# %%
cpm = records["final_cpm"]
se_norm = se_from_ci(cpm.lower, cpm.upper, method="ci_normal").value
se_t = se_from_ci(cpm.lower, cpm.upper, method="ci_t", df=45 + 47 - 2).value
senn_norm = se_from_ci(22.9, 70.3, method="ci_normal").value
senn_t = se_from_ci(22.9, 70.3, method="ci_t", df=11).value
print(f"FINAL CPM: SE {se_norm:.3f} (normal) vs {se_t:.3f} (t, 90 df): ratio {se_norm / se_t:.3f}")
print(f"Senn PEF : SE {senn_norm:.2f} (normal) vs {senn_t:.2f} (t, 11 df): ratio {senn_norm / senn_t:.3f}")
assert round(se_norm / se_t - 1, 2) == 0.01 and round(senn_norm / senn_t - 1, 2) == 0.12

# %% [markdown]
# Using the normal quantile on a $t$ interval makes the SE too **large** (the interval was
# built with a bigger multiplier than 1.96), so the reanalysis is slightly too cautious. The
# package's default for published records is `ci_normal`, and `ci_t` is offered as a
# sensitivity analysis when the df are known.
#
# ## 2. From a p-value to an SE
#
# A two-sided p-value from a z-test gives $|z| = \Phi^{-1}(1 - p/2)$ and SE $= |\hat\theta|/|z|$
# (`se_from_p`, Altman & Bland 2011). FINAL's pain result printed both an interval and a p-value,
# so we can check one against the other:

# %%
pain = records["final_pain"]
se_from_interval = se_from_ci(pain.lower, pain.upper).value
se_from_pvalue = se_from_p(pain.estimate, pain.p).value
print(f"FINAL pain: SE from the CI {se_from_interval:.3f}; from p = {pain.p}: {se_from_pvalue:.3f}")
# A p-value printed to two decimals is any value that rounds to it:
lo_p, hi_p = pain.p - 0.005, pain.p + 0.005
se_range = (se_from_p(pain.estimate, lo_p).value, se_from_p(pain.estimate, hi_p).value)
print(f"p in [{lo_p:.3f}, {hi_p:.3f}) gives SE {se_range[0]:.3f} to {se_range[1]:.3f}")
assert abs(se_from_interval - se_from_pvalue) / se_from_interval < 0.02
assert se_range[0] < se_from_interval < se_range[1] * 1.005  # at the range's upper edge: the CI is rounded too

# %% [markdown]
# They agree to within 2%, and the interval's SE sits at the upper edge of the range a rounded
# p allows (the interval's ends are rounded to two decimals as well). The p-value route is
# fragile for small p ("p < 0.001" gives only a
# bound) and useless when the estimate is near 0 (SE = 0/0); prefer the interval when there is one.
#
# ## 3. From a median and IQR to a mean and SD
#
# Bested 2023 printed only a **median** within-patient difference in FIQR (−1.65) and the IQR's
# **width** (18.55), for 58 randomised patients. A normal likelihood needs a mean and an SE.
# `mean_sd_from_median_iqr` implements three published approximations: Cochrane (SD = IQR/1.35),
# Wan et al. 2014 (SD = IQR/$\eta(n)$ with $\eta(n)$ the expected IQR of $n$ standard normals)
# and Luo et al. 2018 (a better mean from the quartiles). With only the width, **every method
# sets mean = median**: that is exact only for a symmetric distribution. `to_likelihood(record,
# conversion)` applies any of them to a record; the p-value and the printed effect size
# ($d = 0.15$, so SD = 1.65/0.15 = 11) give two more routes to the same SE:

# %%
bested = records["bested_fiqr"]
routes = {}
for conversion in ("cochrane", "wan2014", "luo2018", "p_normal", "effect_size"):
    lik = to_likelihood(bested, conversion)
    routes[conversion] = lik.se
    print(f"{conversion:12s}: aligned estimate {lik.estimate:+.2f}, SE {lik.se:.2f}  ({lik.conversion_note[:90]})")
spread = max(routes.values()) / min(routes.values())
print(f"largest / smallest SE: {spread:.2f}")
assert spread > 1.2  # the routes disagree by more than a fifth: a sensitivity analysis, not a detail

# %% [markdown]
# The five routes give SEs differing by more than a fifth, and the package's Bested reanalysis
# (`notebooks/reanalyses/bested_crossover.py`) compares its answer across the conversions its
# specifications name. How wrong is
# "mean = median" for a skewed outcome? Simulate right-skewed (log-normal) within-patient
# differences and compare:

# %%
rng = np.random.default_rng(8)
true_mean, est_mean_q, est_mean_w = [], [], []
for _ in range(200 if FAST else 2000):
    x = rng.lognormal(0.0, 0.8, size=58) - 1.2
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    true_mean.append(x.mean())
    est_mean_q.append(mean_sd_from_median_iqr(med, q1=q1, q3=q3, n=58, method="luo2018")[0].value)
    est_mean_w.append(mean_sd_from_median_iqr(med, iqr=q3 - q1, n=58, method="luo2018")[0].value)
bias_q = np.mean(np.array(est_mean_q) - true_mean)
bias_w = np.mean(np.array(est_mean_w) - true_mean)
print(f"skewed data: mean error with quartiles {bias_q:+.3f}, with the IQR width only {bias_w:+.3f} "
      f"(sample SD about {np.std(x, ddof=1):.2f})")
assert bias_w < bias_q < 0  # both under-estimate a right-skewed mean; the width alone does worse

# %% [markdown]
# ## 4. SMDs: crossover vs parallel
#
# An SMD divides an effect by an SD, and a crossover has two SDs: the SD of a single measurement
# $\sigma$ (between-patient), and the SD of a within-patient difference
# $\sigma_d = \sigma\sqrt{2(1 - \rho)}$, where $\rho$ is the correlation between a patient's two
# periods. A parallel trial's SMD uses $\sigma$ ("$d_{av}$"); a crossover paper's paired
# statistic often uses $\sigma_d$ ("$d_z$"), so
#
# $$d_z = \frac{d_{av}}{\sqrt{2(1 - \rho)}}.$$
#
# With $\rho > 0.5$ a crossover's $d_z$ is *larger* than the parallel-trial SMD of the same
# effect. Pooling $d_z$ with parallel trials' $d$ in a meta-analysis overstates the crossover.
# On Senn's PEF data:

# %%
pef = load_example("senn_pef")
wide = pef.pivot_table(index=["subject", "sequence"], columns="treatment", values="outcome").reset_index()
diff = wide["formoterol"] - wide["salbutamol"]
rho = np.corrcoef(wide["formoterol"], wide["salbutamol"])[0, 1]
sigma = np.sqrt((wide["formoterol"].var() + wide["salbutamol"].var()) / 2)
d_av, d_z = diff.mean() / sigma, diff.mean() / diff.std(ddof=1)
s_f, s_s = wide["formoterol"].std(ddof=1), wide["salbutamol"].std(ddof=1)
print(f"rho = {rho:.2f}; SDs on formoterol {s_f:.1f} and salbutamol {s_s:.1f}, SD of differences "
      f"{diff.std(ddof=1):.1f} L/min")
print(f"d_av = {d_av:.2f}, d_z = {d_z:.2f} (ratio {d_z / d_av:.2f}); the equal-SD formula would give "
      f"{d_av / np.sqrt(2 * (1 - rho)):.2f}")
# Exact for any SDs: var(difference) = s_f^2 + s_s^2 - 2 rho s_f s_s.
assert np.isclose(diff.var(ddof=1), s_f**2 + s_s**2 - 2 * rho * s_f * s_s)
assert rho > 0.5 and 1.5 < d_z / d_av < 2

# %% [markdown]
# Here $\rho$ is about 0.9 and $d_z$ is nearly twice $d_{av}$: a "large" paired effect size is a
# moderate one by a parallel trial's standard. (The two periods' SDs differ, so the equal-SD
# formula overshoots; the general identity, asserted in the cell, is
# $\sigma_d^2 = \sigma_1^2 + \sigma_2^2 - 2\rho\sigma_1\sigma_2$.) Bested's printed $d = 0.15$ does not
# say which SD it used; that is one reason the package treats it as one route among five above.
#
# ## 5. An MCID in SD units
#
# FINAL's pain NRS: a commonly used minimal clinically important difference is 1 point (an anchor
# this package sweeps, not a fact). In SD units it depends on which SD: the baseline SD
# (1.3-1.6, FINAL's Table 1, third-party transcription) or the SD of the **change** (recovered from
# the SE and the arm sizes, $\text{SD} = \text{SE}/\sqrt{1/n_1 + 1/n_2}$):

# %%
sd_change = se_from_interval / np.sqrt(1 / pain.n["LDN"] + 1 / pain.n["placebo"])
sd_from_d = abs(pain.estimate) / pain.effect_size
print(f"SD of change from the SE: {sd_change:.2f}; from the printed d = {pain.effect_size}: {sd_from_d:.2f}")
print(f"MCID of 1 point = {1 / sd_change:.2f} SD of change = {1 / 1.6:.2f} to {1 / 1.3:.2f} baseline SDs")
print(f"FINAL's estimate {pain.estimate} = {pain.estimate / sd_change:.2f} SD of change")
assert abs(sd_change - sd_from_d) / sd_change < 0.1  # the paper's d used (about) the SD of change
assert 0.6 < 1 / sd_change < 0.7

# %% [markdown]
# ## 6. Is a published crossover difference period-adjusted?
#
# Lesson 1 showed that with complete, **equal** sequences the naive difference of treatment means
# equals the period-adjusted estimate. Real trials are rarely balanced: Senn's has 7 children in
# one sequence and 6 in the other. Then the naive paired mean (what a paired $t$-test or a
# "median of within-patient differences" reports) and the period-adjusted (Hills-Armitage)
# estimate differ, and only the second removes the period effect:

# %%
w = pef.pivot_table(index=["subject", "sequence"], columns="period", values="outcome").reset_index()
d_period = w[1] - w[2]
n_fs, n_sf = (w.sequence == "for/sal").sum(), (w.sequence == "sal/for").sum()
adjusted = (d_period[w.sequence == "for/sal"].mean() - d_period[w.sequence == "sal/for"].mean()) / 2
naive = diff.mean()
period_effect = -(d_period[w.sequence == "for/sal"].mean() + d_period[w.sequence == "sal/for"].mean()) / 2
print(f"sequences {n_fs} and {n_sf}; naive paired mean {naive:.1f}, period-adjusted {adjusted:.1f} L/min; "
      f"period effect {period_effect:.1f} L/min")
assert (n_fs, n_sf) == (7, 6) and round(adjusted, 1) == 46.6 and not np.isclose(naive, adjusted)
print(f"naive - adjusted = period effect x imbalance: {naive - adjusted:.2f} = "
      f"{period_effect * (n_sf - n_fs) / (n_fs + n_sf):.2f}")
assert np.isclose(naive - adjusted, period_effect * (n_sf - n_fs) / (n_fs + n_sf))

# %% [markdown]
# The identity printed last (naive − adjusted = period effect × (n₂ − n₁)/(n₁ + n₂)) is exact.
# Read the methods section: "paired t-test", "Wilcoxon signed-rank", "median of the differences"
# mean *unadjusted*; "mixed model with period", "ANOVA with sequence and period", "Hills-Armitage"
# mean *adjusted*. Bested's median difference was not described as period-adjusted, which is why
# `bested_crossover.py` states the assumption.
#
# ## Exercises
#
# 1. A crossover of 24 patients reports a mean difference of −5.2 (95% CI −9.8 to −0.6), computed
#    with a $t$ interval on 22 df. Compute the SE both ways and the two-sided p-value each implies.
# 2. A parallel trial reports $d = 0.40$. A crossover of the same drug reports $d_z = 0.55$ with
#    a period correlation of 0.8. Which shows the larger effect in parallel-trial SD units?
# 3. A paper reports an MCID of 14 points on a 0-100 scale whose SD of change is 20. A trial's
#    estimate is 0.30 SD of change. Is it above the MCID?

# %% [markdown]
# ## Worked answers

# %% Answer 1
se1_norm = se_from_ci(-9.8, -0.6).value
se1_t = se_from_ci(-9.8, -0.6, method="ci_t", df=22).value
p1_norm = 2 * stats.norm.sf(5.2 / se1_norm)
p1_t = 2 * stats.t.sf(5.2 / se1_t, 22)
print(f"SE {se1_norm:.3f} (normal) vs {se1_t:.3f} (t22); p {p1_norm:.4f} (z with the normal SE) vs {p1_t:.4f} (t22)")
assert se1_t < se1_norm and abs(p1_t - 0.03) < 0.005 and abs(p1_norm - p1_t) < 0.01
print(f"normal-quantile SE / t SE = {se1_norm / se1_t:.3f}")
assert round(se1_norm / se1_t - 1, 2) == 0.06
# Both routes give p near 0.03; the normal-quantile SE is 6% larger, but each p-value uses its own
# distribution, so they nearly agree. Mixing them (the t SE with a z test) would overstate the evidence.

# %% Answer 2
d_parallel_equiv = 0.55 * np.sqrt(2 * (1 - 0.8))
print(f"the crossover's d_z = 0.55 is d_av = {d_parallel_equiv:.3f} in parallel-trial SD units (vs 0.40)")
assert d_parallel_equiv < 0.40
# The parallel trial's: the crossover's 0.55 looks larger but is 0.55 x sqrt(0.4) = 0.35 parallel-trial
# SDs (assuming the two periods' SDs are equal). With rho = 0.5 the two scales coincide.

# %% Answer 3
mcid_sd = 14 / 20
print(f"MCID = {mcid_sd:.2f} SD of change; the estimate 0.30 SD is {0.30 * 20:.0f} points, below the MCID")
assert 0.30 < mcid_sd
