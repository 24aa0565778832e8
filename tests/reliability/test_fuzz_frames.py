"""Property-based tests (Hypothesis) of the public functions of frames, the notebook API, assurance,
simulation, plots and the random-finding verdict (issue 18, item 1, group C).

Each call with non-finite numbers, extremes, wrong types, empty or one-row frames, duplicated or
unicode column names or text in numeric columns either returns a finite, correct answer or raises
one :class:`~bayes_ldn.exceptions.DataValidationError` whose problems say what, where and how to
fix (:func:`tests.reliability._fuzz_common.outcome`); never another exception or a warning.
Sampling is never run here: ``fit`` (and the sampler inside it) is replaced by a stub raising
``_Reached``, so the MCMC entry points are fuzzed up to their validation and model building.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

import bayes_ldn as bl
import bayes_ldn.cli.crossover  # noqa: F401 - PyMC's import raises the recursion limit; not inside a Hypothesis run
from bayes_ldn import assurance as asr
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.validation import MAX_ABS, MIN_SCALE
from tests.reliability._fuzz_common import (
    EXTREMES,
    NUMBERS,
    SETTINGS,
    WRONG_TYPES,
    assert_finite_or_refused,
    outcome,
)

COVERED: frozenset[str] = frozenset({
    "analyze_crossover", "analyze_parallel", "analyze_estimate", "CrossoverData", "ParallelData",
    "simulate_crossover", "simulate_final_like", "crossover_model", "parallel_model", "fit",
    "convergence_table", "decision_row_from_draws", "carryover_sensitivity", "random_finding",
    "load_spec", "load_specs", "decision_table", "run_study",
    "assurance.TrialDesign", "assurance.Success", "assurance.AssuranceResult", "assurance.as_mixture",
    "assurance.assurance", "assurance.assurance_curve_data", "assurance.assurance_simulated",
    "assurance.cpm_design_prior", "assurance.sample_size",
    "plots.plot_assurance", "plots.plot_forest",
})
NOT_NUMERIC: dict[str, str] = {
    "Analysis": "built by the analyze_* functions from validated results; a user never passes it numbers",
    "load_example": "takes only the name of a bundled example",
    "list_examples": "takes no arguments",
    "write_reanalysis": "reads the bundled specs (fuzzed through load_spec/decision_table); takes a folder",
}

#: Numbers that are valid scalars everywhere here (finite, within the bounds).
OK = st.floats(-1e3, 1e3)
ANY = st.one_of(NUMBERS, WRONG_TYPES)


def _ok_number(x, *, scale: bool = False) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and abs(x) <= MAX_ABS
            and (not scale or x >= MIN_SCALE))


class _Reached(Exception):
    """Raised by a stubbed sampler: validation passed and the model was built."""


def _stub(*args, **kwargs):
    raise _Reached


# --- assurance ----------------------------------------------------------------------------------


@SETTINGS
@given(outcome_sd=ANY, rho=st.one_of(st.none(), NUMBERS, WRONG_TYPES), design=st.sampled_from(["parallel", "crossover", 1]))
def test_trial_design_constructor(outcome_sd, rho, design):
    d, err = outcome(lambda: asr.TrialDesign(design=design, outcome_sd=outcome_sd, rho=rho))
    if err is None:
        assert _ok_number(outcome_sd, scale=True)
        assert (rho is None) if design == "parallel" else 0 <= rho < 1
        se = d.se(np.array([10, 40]))
        assert np.all(np.isfinite(se)) and se[0] > 0


@SETTINGS
@given(kind=st.sampled_from(["z_test", "posterior", "bayes"]), alpha=st.one_of(st.none(), NUMBERS, WRONG_TYPES),
       threshold=st.one_of(st.none(), NUMBERS, st.floats(0.5, 0.999)), margin=st.one_of(NUMBERS, WRONG_TYPES),
       prior=st.one_of(st.none(), st.tuples(NUMBERS, NUMBERS), WRONG_TYPES))
def test_success_constructor(kind, alpha, threshold, margin, prior):
    s, err = outcome(lambda: asr.Success(kind=kind, alpha=alpha, threshold=threshold, margin=margin,
                                         analysis_prior=prior))
    if err is None:
        c = assert_finite_or_refused(lambda: s.critical_value(np.array([0.1, 1.0, 10.0])))
        assert c is not None and np.all(np.isfinite(c))
        assert s.describe()


@SETTINGS
@given(prior=st.one_of(st.tuples(NUMBERS, NUMBERS), WRONG_TYPES, st.tuples(OK, st.floats(0.01, 10))))
def test_as_mixture(prior):
    mix = assert_finite_or_refused(lambda: asr.as_mixture(prior))
    if mix is not None:
        assert mix.sds[0] > 0 and mix.weights.sum() == pytest.approx(1.0)


@SETTINGS
@given(m=st.floats(-3, 3), s=st.floats(0.01, 3), sd=st.floats(0.1, 10), n=st.integers(2, 10**6),
       rho=st.floats(0, 0.95), alpha=st.floats(0.001, 0.2), crossover=st.booleans())
def test_assurance_equals_the_closed_form(m, s, sd, n, rho, alpha, crossover):
    # Normal design prior N(m, s^2), estimate SE se: P(delta_hat > z se) = Phi((m - z se) / sqrt(s^2 + se^2)).
    design = asr.TrialDesign(design="crossover", outcome_sd=sd, rho=rho) if crossover else \
        asr.TrialDesign(design="parallel", outcome_sd=sd, rho=None)
    se = sd * math.sqrt((2 * (1 - rho) if crossover else 4.0) / n)
    a = assert_finite_or_refused(lambda: asr.assurance((m, s), design, n, asr.Success(kind="z_test", alpha=alpha)))
    expected = stats.norm.cdf((m - stats.norm.isf(alpha) * se) / math.hypot(s, se))
    assert 0 <= a <= 1 and a == pytest.approx(expected, rel=1e-12, abs=1e-300)


@SETTINGS
@given(prior=st.one_of(st.tuples(NUMBERS, NUMBERS), st.tuples(OK, st.floats(0.01, 10))),
       n=st.one_of(NUMBERS, WRONG_TYPES, st.integers(-3, 10**9), st.lists(st.integers(-1, 100), max_size=3)),
       kind=st.sampled_from(["z", "posterior", "posterior_prior"]))
def test_assurance_is_a_probability_or_refused(prior, n, kind):
    success = {"z": asr.Success(kind="z_test", alpha=0.025),
               "posterior": asr.Success(kind="posterior", threshold=0.95, margin=0.2),
               "posterior_prior": asr.Success(kind="posterior", threshold=0.9, analysis_prior=(0.0, 1.0))}[kind]
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    a = assert_finite_or_refused(lambda: asr.assurance(prior, design, n, success))
    if a is not None:
        assert np.all((0 <= np.asarray(a)) & (np.asarray(a) <= 1))


@SETTINGS
@given(m=st.floats(0.05, 2), s=st.floats(0.01, 1), target=st.floats(0.05, 0.95), rho=st.floats(0, 0.9),
       crossover=st.booleans(), posterior=st.booleans())
def test_sample_size_is_the_smallest_reaching_the_target(m, s, target, rho, crossover, posterior):
    design = asr.TrialDesign(design="crossover", outcome_sd=1.0, rho=rho) if crossover else \
        asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    success = asr.Success(kind="posterior", threshold=0.9) if posterior else asr.Success(kind="z_test", alpha=0.025)
    res = assert_finite_or_refused(lambda: asr.sample_size((m, s), design, success, target=target, n_max=20000))
    if res is None:
        return  # unreachable target (above the limit) or beyond n_max: refused with the reason
    n, step = res["n"], 1 if crossover else 2
    assert res["assurance"] >= target and asr.assurance((m, s), design, n, success) >= target
    if n - step >= 4:  # the search starts at n = 4
        assert asr.assurance((m, s), design, n - step, success) < target
    assert 0 < res["limit"] <= 1 and res["assurance"] <= res["limit"] + 1e-12


@SETTINGS
@given(target=st.one_of(NUMBERS, WRONG_TYPES), n_max=st.one_of(st.integers(-5, 100), NUMBERS, WRONG_TYPES),
       prior=st.one_of(st.tuples(NUMBERS, NUMBERS), st.just((0.5, 0.2))))
def test_sample_size_arguments(target, n_max, prior):
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    res = assert_finite_or_refused(lambda: asr.sample_size(prior, design, asr.Success(kind="z_test", alpha=0.025),
                                                           target=target, n_max=n_max))
    if res is not None:
        assert 0 < target < 1 and res["assurance"] >= target


@SETTINGS
@given(ns=st.one_of(st.lists(st.one_of(st.integers(-2, 500), NUMBERS), min_size=0, max_size=4), WRONG_TYPES),
       scale=st.one_of(st.sampled_from(["SMD", "kPa"]), WRONG_TYPES), prior=st.tuples(NUMBERS, NUMBERS))
def test_assurance_curve_data_and_its_plot(ns, scale, prior):
    designs = {"parallel": asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None),
               "crossover": asr.TrialDesign(design="crossover", outcome_sd=1.0, rho=0.5)}
    data = assert_finite_or_refused(lambda: asr.assurance_curve_data(
        prior, designs, asr.Success(kind="z_test", alpha=0.025), ns if not isinstance(ns, list) else np.array(ns),
        scale=scale))
    if data is not None:
        assert data["assurance"].between(0, 1).all() and len(data) == 2 * len(ns)
        ax = assert_finite_or_refused(lambda: bl.plots.plot_assurance(data))
        if ax is not None:
            assert len(ax.lines) >= 2


@SETTINGS
@given(prior=st.one_of(st.tuples(NUMBERS, NUMBERS), WRONG_TYPES, st.lists(NUMBERS, min_size=0, max_size=5)),
       n=st.one_of(st.integers(-2, 10**6), NUMBERS, WRONG_TYPES), draws=st.one_of(st.integers(-2, 5000), WRONG_TYPES),
       seed=st.one_of(st.integers(-3, 10**6), WRONG_TYPES))
def test_assurance_simulated(prior, n, draws, seed):
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    p = np.array(prior, dtype=float) if isinstance(prior, list) else prior
    res = assert_finite_or_refused(lambda: asr.assurance_simulated(
        p, design, n, asr.Success(kind="z_test", alpha=0.025), draws=draws, random_seed=seed))
    if res is not None:
        assert 0 <= res.assurance <= 1 and res.draws == draws and res.mcse >= 0


@SETTINGS
@given(m=st.floats(-2, 2), s=st.floats(0.05, 2), n=st.integers(10, 400))
def test_assurance_simulated_agrees_with_the_closed_form(m, s, n):
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    success = asr.Success(kind="z_test", alpha=0.025)
    sim = asr.assurance_simulated((m, s), design, n, success, draws=4000, random_seed=7)
    exact = asr.assurance((m, s), design, n, success)
    # 5 Monte Carlo SEs of a proportion (the SE at the exact value; at least one draw's worth).
    assert abs(sim.assurance - exact) <= 5 * math.sqrt(exact * (1 - exact) / 4000) + 1 / 4000


@SETTINGS
@given(a=st.one_of(NUMBERS, WRONG_TYPES), mcse=NUMBERS, draws=st.integers(-1, 10))
def test_assurance_result_constructor(a, mcse, draws):
    # A plain record of a simulated result; it holds what it is given and computes nothing.
    r = asr.AssuranceResult(a, mcse, draws)
    assert r.draws == draws


@SETTINGS
@given(prior=st.one_of(st.tuples(NUMBERS, NUMBERS), st.just((0.0, 1.0))),
       family=st.sampled_from(["normal", "t", "vague"]),
       conversion=st.sampled_from(["ci_normal", "p_normal", "nope"]))
def test_cpm_design_prior(prior, family, conversion):
    def call():
        if family == "vague":
            p = bl.priors.vague()
        elif family == "normal":
            p = bl.priors.normal(*prior)
        else:
            p = bl.priors.student_t(prior[0], prior[1], 3.0)
        return asr.cpm_design_prior(p, conversion=conversion)

    post = assert_finite_or_refused(call)
    if post is not None:
        assert post.sd > 0


# --- synthetic trials ---------------------------------------------------------------------------


@SETTINGS
@given(effect=ANY, period=st.one_of(NUMBERS, WRONG_TYPES), subject_sd=st.one_of(NUMBERS, st.floats(0, 20)),
       residual_sd=st.one_of(NUMBERS, st.floats(0.1, 20)), seed=st.one_of(st.integers(-2, 2**40), WRONG_TYPES),
       n=st.one_of(st.integers(-2, 60), st.sampled_from([10**12, 2.5]), WRONG_TYPES),
       carryover=NUMBERS, dropout=st.one_of(NUMBERS, st.floats(0, 0.5)), intercept=NUMBERS,
       df=st.one_of(st.none(), NUMBERS, st.floats(1, 30)), slope=st.one_of(st.none(), NUMBERS))
def test_simulate_crossover(effect, period, subject_sd, residual_sd, seed, n, carryover, dropout, intercept, df,
                            slope):
    res = assert_finite_or_refused(lambda: bl.simulate_crossover(
        treatment_effect=effect, period_effect=period, subject_sd=subject_sd, residual_sd=residual_sd,
        random_seed=seed, n_subjects=n, carryover=carryover, dropout=dropout, intercept=intercept,
        residual_df=df, baseline_slope=slope), allow=lambda where: "data_source" in where)
    if res is None:
        return
    frame, truth = res
    # The truth returned is the arguments given.
    assert (truth.treatment_effect, truth.period_effect, truth.subject_sd, truth.residual_sd, truth.n_subjects,
            truth.carryover, truth.dropout, truth.intercept, truth.residual_df, truth.baseline_slope,
            truth.random_seed) == (effect, (period,), subject_sd, residual_sd, n, carryover, dropout, intercept, df,
                                   slope, seed)
    assert frame["subject"].nunique() == n and set(frame["treatment"]) <= {"LDN", "placebo"}
    assert frame.attrs["synthetic"] is True
    # The frame is a valid crossover trial for the library's own validation.
    data = assert_finite_or_refused(lambda: bl.CrossoverData.from_frame(frame, treatment="LDN", reference="placebo"))
    assert data is not None


@SETTINGS
@given(effect=st.floats(-5, 5), period=st.floats(-3, 3), n=st.integers(200, 400))
def test_simulate_crossover_truth_is_recovered(effect, period, n):
    # With no noise but residuals of SD 1e-6, the within-subject differences give the effect back.
    frame, truth = bl.simulate_crossover(treatment_effect=effect, period_effect=period, subject_sd=2.0,
                                         residual_sd=1e-6, random_seed=3, n_subjects=n, dropout=0.0)
    wide = frame.pivot(index="subject", columns="treatment", values="outcome")
    seq = frame.groupby("subject")["sequence"].first()
    d = (wide["LDN"] - wide["placebo"]).groupby(seq).mean()
    # AB: LDN in period 1, so LDN - placebo = effect - period; BA: effect + period.
    assert d["AB"] == pytest.approx(effect - period, abs=1e-5) and d["BA"] == pytest.approx(effect + period, abs=1e-5)
    assert truth.treatment_effect == effect and truth.period_effect == (period,)


@SETTINGS
@given(seed=st.one_of(st.integers(-2, 2**40), WRONG_TYPES), n=st.one_of(st.tuples(st.integers(-1, 50), st.integers(-1, 50)),
                                                                        st.just((10**9, 10**9)), WRONG_TYPES),
       effect=st.one_of(NUMBERS, WRONG_TYPES), me=st.one_of(NUMBERS, WRONG_TYPES), slope=st.one_of(NUMBERS, WRONG_TYPES),
       ref=st.one_of(NUMBERS, WRONG_TYPES))
def test_simulate_final_like(seed, n, effect, me, slope, ref):
    trial = assert_finite_or_refused(lambda: bl.simulate_final_like(
        random_seed=seed, n_per_arm=n, effects={"cpm": effect}, measurement_sd={"tsp": me}, pain_cpm_slope=slope,
        reference_change={"pain_nrs": ref}), )
    if trial is not None:
        assert trial.truth["effects"]["cpm"] == effect and trial.truth["n_per_arm"] == n
        assert trial.frame["subject"].nunique() == sum(n)


# --- analyze_estimate (exact: called fully) -----------------------------------------------------


@SETTINGS
@given(estimate=st.one_of(NUMBERS, WRONG_TYPES), lower=st.one_of(st.none(), NUMBERS), upper=st.one_of(st.none(), NUMBERS),
       se=st.one_of(st.none(), NUMBERS, WRONG_TYPES), ci_prob=st.one_of(NUMBERS, WRONG_TYPES, st.floats(0.5, 0.99)),
       mcid=st.one_of(st.none(), NUMBERS, WRONG_TYPES), rope=st.one_of(st.none(), NUMBERS),
       prior=st.sampled_from(["vague", "skeptical", "normal:0,1", "t:0,1,3", "normal:nan,1", "normal:0,1e308"]),
       scale=st.sampled_from(["linear", "log"]))
def test_analyze_estimate(estimate, lower, upper, se, ci_prob, mcid, rope, prior, scale):
    r = assert_finite_or_refused(lambda: bl.analyze_estimate(
        estimate, lower=lower, upper=upper, se=se, ci_prob=ci_prob, better="higher", mcid=mcid, rope=rope,
        prior=prior, scale=scale).to_dict(),
        # Optional probabilities not asked for (no MCID, no ROPE) are stated as missing.
        allow=lambda where: ("mcid" in where and mcid is None) or ("rope" in where and rope is None))
    if r is not None:
        row = r if "prob_better" in r else r["rows"][0] if "rows" in r else r
        for key in ("prob_better", "prob_harm"):
            if key in row:
                assert 0 <= row[key] <= 1


@SETTINGS
@given(estimate=st.floats(-5, 5), se=st.floats(0.05, 5))
def test_analyze_estimate_vague_is_the_likelihood(estimate, se):
    d = bl.analyze_estimate(estimate, se=se, better="higher").to_dict()
    row = d if "prob_better" in d else d["rows"][0]
    assert row["prob_better"] == pytest.approx(stats.norm.sf(0, estimate, se), rel=1e-6, abs=1e-12)
