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
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import event, given
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
from tests.reliability.test_fuzz import _run

COVERED: frozenset[str] = frozenset({
    "analyze_crossover", "analyze_parallel", "analyze_estimate", "CrossoverData", "ParallelData",
    "simulate_crossover", "simulate_final_like", "crossover_model", "parallel_model", "fit",
    "convergence_table", "decision_row_from_draws", "carryover_sensitivity", "random_finding",
    "load_spec", "load_specs", "decision_table", "write_reanalysis", "run_study",
    "assurance.TrialDesign", "assurance.Success", "assurance.as_mixture",
    "assurance.assurance", "assurance.assurance_curve_data", "assurance.assurance_simulated",
    "assurance.cpm_design_prior", "assurance.sample_size",
    "plots.plot_assurance", "plots.plot_forest",
})
NOT_NUMERIC: dict[str, str] = {
    "Analysis": "built by the analyze_* functions from validated results; a user never passes it numbers",
    "load_example": "takes only the name of a bundled example",
    "list_examples": "takes no arguments",
    "assurance.AssuranceResult": "a plain record of assurance_simulated's answer (checked there: 0 <= assurance <= 1, "
                                 "mcse = sqrt(p(1 - p)/draws)); computes nothing from its numbers",
}

MODELS = Path(__file__).resolve().parents[2] / "models"
#: Numbers that are valid scalars everywhere here (finite, within the bounds).
OK = st.floats(-1e3, 1e3)
ANY = st.one_of(NUMBERS, WRONG_TYPES)


def _mostly_valid(valid: dict, bad: dict) -> st.SearchStrategy[dict]:
    """Keyword arguments: ``valid`` with up to two of them drawn from ``bad`` (a strategy each), so
    that both answers and refusals are exercised and a refusal names the argument at fault."""
    return st.sets(st.sampled_from(sorted(bad)), max_size=2).flatmap(
        lambda keys: st.fixed_dictionaries({k: bad[k] for k in keys}).map(lambda d: {**valid, **d}))


def _names_the_argument(err: DataValidationError, kw: dict, valid: dict, names: dict | None = None) -> None:
    """When one argument of a valid call was changed and the call was refused, the message names it."""
    changed = [k for k in kw if repr(kw[k]) != repr(valid[k])]
    if len(changed) == 1:
        name = (names or {}).get(changed[0], changed[0])
        assert name in str(err), (name, str(err))


def _answered_or_refused(call, **kwargs):
    """:func:`assert_finite_or_refused`, recording which (``--hypothesis-show-statistics``)."""
    result = assert_finite_or_refused(call, **kwargs)
    event("answered" if result is not None else "refused")
    return result


def _ok_number(x, *, scale: bool = False) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and abs(x) <= MAX_ABS
            and (not scale or x >= MIN_SCALE))


class _Reached(Exception):
    """Raised by a stubbed sampler: validation passed and the model was built."""


def _stub(*args, **kwargs):
    raise _Reached


# --- assurance ----------------------------------------------------------------------------------


@SETTINGS
@given(outcome_sd=ANY, rho=st.one_of(st.none(), NUMBERS, WRONG_TYPES),
       design=st.sampled_from(["parallel", "crossover", 1]))
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
        c = _answered_or_refused(lambda: s.critical_value(np.array([0.1, 1.0, 10.0])))
        assert c is not None and np.all(np.isfinite(c))
        assert s.describe()


@SETTINGS
@given(prior=st.one_of(st.tuples(NUMBERS, NUMBERS), WRONG_TYPES, st.tuples(OK, st.floats(0.01, 10))),
       kind=st.sampled_from(["tuple", "posterior", "mixture"]))
def test_as_mixture(prior, kind):
    from bayes_ldn.stats import NormalMixture, NormalPosterior

    if kind != "tuple" and isinstance(prior, tuple):
        prior = NormalPosterior(*prior) if kind == "posterior" else \
            NormalMixture(np.array([0.5, 0.5]), np.array([prior[0], 0.0]), np.array([prior[1], 1.0]))
    mix = _answered_or_refused(lambda: asr.as_mixture(prior))
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
    a = _answered_or_refused(lambda: asr.assurance((m, s), design, n, asr.Success(kind="z_test", alpha=alpha)))
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
    a = _answered_or_refused(lambda: asr.assurance(prior, design, n, success))
    if a is not None:
        assert np.all((0 <= np.asarray(a)) & (np.asarray(a) <= 1))


@SETTINGS
@given(m=st.floats(0.05, 2), s=st.floats(0.01, 1), target=st.floats(0.05, 0.95), rho=st.floats(0, 0.9),
       crossover=st.booleans(), posterior=st.booleans())
def test_sample_size_is_the_smallest_reaching_the_target(m, s, target, rho, crossover, posterior):
    design = asr.TrialDesign(design="crossover", outcome_sd=1.0, rho=rho) if crossover else \
        asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    success = asr.Success(kind="posterior", threshold=0.9) if posterior else asr.Success(kind="z_test", alpha=0.025)
    res = _answered_or_refused(lambda: asr.sample_size((m, s), design, success, target=target, n_max=20000))
    if res is None:
        return  # unreachable target (above the limit) or beyond n_max: refused with the reason
    n, step = res["n"], 1 if crossover else 2
    assert res["assurance"] >= target and asr.assurance((m, s), design, n, success) >= target
    if n - step >= 4:  # the search starts at n = 4
        assert asr.assurance((m, s), design, n - step, success) < target
    assert 0 < res["limit"] <= 1 and res["assurance"] <= res["limit"] + 1e-12


@SETTINGS
@given(kw=_mostly_valid({"design_prior": (0.5, 0.2), "target": 0.8, "n_max": 5000},
                       {"design_prior": st.tuples(NUMBERS, NUMBERS), "target": ANY,
                        "n_max": st.one_of(st.integers(-5, 100), st.sampled_from([10**7, 2**63]), NUMBERS, WRONG_TYPES)}))
def test_sample_size_arguments(kw):
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    res = _answered_or_refused(lambda: asr.sample_size(kw["design_prior"], design, asr.Success(kind="z_test", alpha=0.025),
                                                       target=kw["target"], n_max=kw["n_max"]))
    if res is not None:
        assert 0 < kw["target"] < 1 and res["assurance"] >= kw["target"] and res["n"] <= kw["n_max"]


@SETTINGS
@given(kw=_mostly_valid({"ns": [10, 20, 40], "scale": "SMD", "prior": (0.3, 0.5)},
                       {"ns": st.one_of(st.lists(st.one_of(st.integers(-2, 500), NUMBERS), min_size=0, max_size=4),
                                        WRONG_TYPES),
                        "scale": st.one_of(st.sampled_from(["SMD", "kPa"]), WRONG_TYPES),
                        "prior": st.tuples(NUMBERS, NUMBERS)}))
def test_assurance_curve_data_and_its_plot(kw):
    ns, scale, prior = kw.values()
    designs = {"parallel": asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None),
               "crossover": asr.TrialDesign(design="crossover", outcome_sd=1.0, rho=0.5)}
    data = _answered_or_refused(lambda: asr.assurance_curve_data(
        prior, designs, asr.Success(kind="z_test", alpha=0.025), ns if not isinstance(ns, list) else np.array(ns),
        scale=scale))
    if data is not None:
        assert data["assurance"].between(0, 1).all() and len(data) == 2 * len(ns)
        ax = _answered_or_refused(lambda: bl.plots.plot_assurance(data))
        if ax is not None:
            assert len(ax.lines) >= 2


@SETTINGS
@given(kw=_mostly_valid({"prior": (0.3, 0.5), "n": 50, "draws": 2000, "seed": 1},
                       {"prior": st.one_of(st.tuples(NUMBERS, NUMBERS), WRONG_TYPES,
                                           st.lists(NUMBERS, min_size=0, max_size=5)),
                        "n": st.one_of(st.integers(-2, 10**6), NUMBERS, WRONG_TYPES),
                        "draws": st.one_of(st.integers(-2, 5000), st.just(10**12), WRONG_TYPES),
                        "seed": st.one_of(st.integers(-3, 10**6), WRONG_TYPES)}))
def test_assurance_simulated(kw):
    prior, n, draws, seed = kw["prior"], kw["n"], kw["draws"], kw["seed"]
    design = asr.TrialDesign(design="parallel", outcome_sd=1.0, rho=None)
    p = np.array(prior, dtype=float) if isinstance(prior, list) else prior
    res = _answered_or_refused(lambda: asr.assurance_simulated(
        p, design, n, asr.Success(kind="z_test", alpha=0.025), draws=draws, random_seed=seed))
    if res is not None:
        assert 0 <= res.assurance <= 1 and res.draws == draws
        assert res.mcse == pytest.approx(math.sqrt(res.assurance * (1 - res.assurance) / draws))


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

    post = _answered_or_refused(call)
    if post is not None:
        assert post.sd > 0


# --- synthetic trials ---------------------------------------------------------------------------


@SETTINGS
@given(kw=_mostly_valid(
    {"effect": -5.0, "period": 1.0, "subject_sd": 10.0, "residual_sd": 5.0, "seed": 1, "n": 20, "carryover": 0.0,
     "dropout": 0.1, "intercept": 50.0, "df": None, "slope": None},
    {"effect": ANY, "period": ANY, "subject_sd": st.one_of(ANY, st.floats(0, 20)),
     "residual_sd": st.one_of(ANY, st.floats(0.1, 20)), "seed": st.one_of(st.integers(-2, 2**40), WRONG_TYPES),
     "n": st.one_of(st.integers(-2, 60), st.sampled_from([10**12, 2.5]), WRONG_TYPES), "carryover": ANY,
     "dropout": st.one_of(ANY, st.floats(0, 0.5)), "intercept": ANY, "df": st.one_of(NUMBERS, st.floats(1, 30)),
     "slope": ANY}))
def test_simulate_crossover(kw):
    effect, period, subject_sd, residual_sd, seed, n, carryover, dropout, intercept, df, slope = kw.values()
    res = _answered_or_refused(lambda: bl.simulate_crossover(
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
    data = _answered_or_refused(lambda: bl.CrossoverData.from_frame(frame, treatment="LDN", reference="placebo"))
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
@given(kw=_mostly_valid({"seed": 1, "n": (20, 22), "effect": 2.0, "me": 0.5, "slope": -0.1, "ref": -0.9},
                       {"seed": st.one_of(st.integers(-2, 2**40), WRONG_TYPES),
                        "n": st.one_of(st.tuples(st.integers(-1, 50), st.integers(-1, 50)), st.just((10**9, 10**9)),
                                       WRONG_TYPES),
                        "effect": ANY, "me": ANY, "slope": ANY, "ref": ANY}))
def test_simulate_final_like(kw):
    seed, n, effect, me, slope, ref = kw.values()
    trial = _answered_or_refused(lambda: bl.simulate_final_like(
        random_seed=seed, n_per_arm=n, effects={"cpm": effect}, measurement_sd={"tsp": me}, pain_cpm_slope=slope,
        reference_change={"pain_nrs": ref}), )
    if trial is not None:
        assert trial.truth["effects"]["cpm"] == effect and trial.truth["n_per_arm"] == n
        assert trial.frame["subject"].nunique() == sum(n)


# --- analyze_estimate (exact: called fully) -----------------------------------------------------


@SETTINGS
@given(kw=_mostly_valid(
    {"estimate": 2.0, "lower": 0.35, "upper": 3.65, "se": None, "ci_prob": 0.95, "mcid": 1.0, "rope": 0.5},
    {"estimate": ANY, "lower": st.one_of(st.none(), NUMBERS), "upper": st.one_of(st.none(), NUMBERS),
     "se": st.one_of(st.none(), NUMBERS, WRONG_TYPES), "ci_prob": st.one_of(ANY, st.floats(0.5, 0.99)),
     "mcid": st.one_of(st.none(), ANY), "rope": st.one_of(st.none(), NUMBERS)}),
       prior=st.sampled_from(["vague", "skeptical", "normal:0,1", "t:0,1,3", "normal:nan,1", "normal:0,1e308"]),
       scale=st.sampled_from(["linear", "log"]))
def test_analyze_estimate(kw, prior, scale):
    estimate, lower, upper, se, ci_prob, mcid, rope = kw.values()
    r = _answered_or_refused(lambda: bl.analyze_estimate(
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


# --- patient-level frames and the notebook API (sampling stubbed) -------------------------------

ROLES = ("subject", "sequence", "period", "treatment", "outcome")
ROLE_NAMES = st.sampled_from([ROLES, ("Patient ID", "séquence", "période", "traitement", "douleur (0–10)"),
                              ("subject", "sequence", "period", "treatment", "subject"),  # duplicated name
                              ("受試者", "序列", "時期", "治療", "結果")])
CELLS = st.one_of(NUMBERS, st.floats(1e-3, 1e3), st.just("seven"), st.none())


def _crossover_frame(outcomes: list, names: tuple[str, ...], *, drop_last_period: bool = False) -> pd.DataFrame:
    """AB/BA rows, two per subject, for ``len(outcomes)`` outcomes (the last subject may miss period 2)."""
    n = len(outcomes)
    rows = []
    for i in range(n):
        s, p = i // 2, 1 + i % 2
        seq = "AB" if s % 2 == 0 else "BA"
        trt = ("LDN" if p == 1 else "placebo") if seq == "AB" else ("placebo" if p == 1 else "LDN")
        rows.append([f"s{s}", seq, p, trt, outcomes[i]])
    if drop_last_period and rows and rows[-1][2] == 2:
        rows = rows[:-1]
    return pd.DataFrame(rows, columns=list(names))


@SETTINGS
@given(outcomes=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=12),
                          st.lists(CELLS, min_size=0, max_size=12)),
       names=ROLE_NAMES, scale=st.sampled_from(["linear", "log"]), drop=st.booleans())
def test_crossover_data_from_frame_log_scale_and_incomplete(outcomes, names, scale, drop):
    frame = _crossover_frame(outcomes, names, drop_last_period=drop)
    data = _answered_or_refused(lambda: bl.CrossoverData.from_frame(
        frame, treatment="LDN", reference="placebo", columns=dict(zip(ROLES, names, strict=True)), scale=scale))
    if data is None:
        return
    y = np.array([v for v in frame[names[4]]], dtype=float)
    if scale == "log":
        assert np.all(y > 0)
        assert np.allclose(np.sort(data.outcome), np.sort(np.log(y)))
    assert np.all(np.abs(data.outcome) <= MAX_ABS)
    counts = data.completeness()
    assert counts["n_complete_subjects"] + counts["n_incomplete_subjects"] == counts["n_subjects"]
    complete = outcome(data.complete_only)[0]
    if complete is not None:  # refused when no subject is complete, with the reason
        assert complete.completeness()["n_incomplete_subjects"] == 0 and complete.scale == scale


@SETTINGS
@given(followup=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=8), st.lists(CELLS, max_size=8)),
       baseline=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=8), st.lists(CELLS, max_size=8)),
       scale=st.sampled_from(["linear", "log"]), unicode=st.booleans())
def test_parallel_data_from_frame_log_scale(followup, baseline, scale, unicode):
    n = min(len(followup), len(baseline))
    cols = ("bras", "état initial", "suivi") if unicode else ("arm", "baseline", "followup")
    frame = pd.DataFrame({cols[0]: (["LDN", "placebo"] * 4)[:n], cols[1]: baseline[:n], cols[2]: followup[:n]})
    data = _answered_or_refused(lambda: bl.ParallelData.from_frame(
        frame, treatment="LDN", reference="placebo", columns=dict(zip(("arm", "baseline", "followup"), cols,
                                                                      strict=True)), scale=scale))
    if data is not None:
        for arr in (data.followup, data.baseline):
            assert np.all(np.abs(arr) <= MAX_ABS)
        if scale == "log":
            assert np.all(np.asarray(followup[:n], dtype=float) > 0)


OPTIONS = {"mcid": st.one_of(st.none(), NUMBERS, WRONG_TYPES), "rope": st.one_of(st.none(), NUMBERS, WRONG_TYPES),
           "ci_prob": st.one_of(NUMBERS, WRONG_TYPES, st.floats(0.5, 0.99)),
           "draws": st.one_of(st.integers(-2, 3000), NUMBERS, WRONG_TYPES),
           "tune": st.one_of(st.integers(-2, 3000), WRONG_TYPES),
           "chains": st.one_of(st.integers(-2, 8), NUMBERS, WRONG_TYPES),
           "random_seed": st.one_of(st.integers(-3, 2**40), NUMBERS, WRONG_TYPES)}


def _options_valid(o: dict) -> bool:
    pos = all(o[k] is None or (_ok_number(o[k]) and o[k] > 0) for k in ("mcid", "rope"))
    ints = all(isinstance(o[k], int) and o[k] >= 1 for k in ("draws", "tune", "chains"))
    return (pos and ints and _ok_number(o["ci_prob"]) and 0 < o["ci_prob"] < 1
            and isinstance(o["random_seed"], int) and o["random_seed"] >= 0)


VALID_OPTIONS = {"mcid": None, "rope": None, "ci_prob": 0.95, "draws": 500, "tune": 500, "chains": 2, "random_seed": 1}


@SETTINGS
@given(options=_mostly_valid(VALID_OPTIONS, OPTIONS), scale=st.sampled_from(["linear", "log"]),
       incomplete=st.sampled_from(["use", "drop", "ignore"]))
def test_analyze_crossover_validates_before_fitting(monkeypatch, options, scale, incomplete):
    import bayes_ldn.api.crossover as api

    monkeypatch.setattr(api, "fit", _stub)
    frame, _ = bl.simulate_crossover(treatment_effect=-3.0, period_effect=1.0, subject_sd=5.0, residual_sd=3.0,
                                     random_seed=2, n_subjects=12, intercept=50.0)
    try:
        _, err = outcome(lambda: bl.analyze_crossover(frame, active="LDN", control="placebo", better="lower",
                                                      scale=scale, incomplete=incomplete, **options))
    except _Reached:
        event("passed validation (stub reached)")
        assert _options_valid(options) and incomplete != "ignore"
        return
    assert err is not None and not (_options_valid(options) and incomplete != "ignore")
    if incomplete != "ignore":
        _names_the_argument(err, options, VALID_OPTIONS)


@SETTINGS
@given(outcomes=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=8, max_size=10), st.lists(CELLS, max_size=10)),
       names=ROLE_NAMES, scale=st.sampled_from(["linear", "log"]))
def test_analyze_crossover_frames(monkeypatch, outcomes, names, scale):
    import bayes_ldn.api.crossover as api

    monkeypatch.setattr(api, "fit", _stub)
    frame = _crossover_frame(outcomes, names)
    kw = dict(zip(ROLES, names, strict=True))
    try:
        outcome(lambda: bl.analyze_crossover(frame, active="LDN", control="placebo", better="higher", scale=scale,
                                             **kw))
    except _Reached:
        event("passed validation (stub reached)")  # validation passed and the model was built


@SETTINGS
@given(options=_mostly_valid({k: v for k, v in VALID_OPTIONS.items() if k != "rope"},
                            {k: v for k, v in OPTIONS.items() if k != "rope"}),
       method=st.sampled_from(["ancova", "change", None]))
def test_analyze_parallel_validates_before_fitting(monkeypatch, options, method):
    import bayes_ldn.api.parallel as api

    monkeypatch.setattr(api, "fit", _stub)
    frame = bl.load_example("anorexia").query("arm in ['FT', 'Cont']")
    valid = _options_valid({**options, "rope": None}) and method is not None
    try:
        _, err = outcome(lambda: bl.analyze_parallel(frame, active="FT", control="Cont", better="higher",
                                                     method=method, **options))
    except _Reached:
        event("passed validation (stub reached)")
        assert valid
        return
    assert err is not None and not valid


@SETTINGS
@given(followup=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=6, max_size=8), st.lists(CELLS, max_size=8)),
       baseline=st.one_of(st.lists(st.floats(1e-3, 1e3), min_size=6, max_size=8), st.lists(CELLS, max_size=8)),
       scale=st.sampled_from(["linear", "log"]))
def test_analyze_parallel_frames(monkeypatch, followup, baseline, scale):
    import bayes_ldn.api.parallel as api

    monkeypatch.setattr(api, "fit", _stub)
    n = min(len(followup), len(baseline))
    frame = pd.DataFrame({"arm": (["LDN", "placebo"] * 4)[:n], "baseline": baseline[:n], "followup": followup[:n]})
    try:
        outcome(lambda: bl.analyze_parallel(frame, active="LDN", control="placebo", better="higher", method="ancova",
                                            scale=scale))
    except _Reached:
        event("passed validation (stub reached)")


@SETTINGS
@given(y=st.lists(st.one_of(st.floats(-1e100, 1e100), st.sampled_from([1e100, -1e100, 5e-324, 0.0])),
                  min_size=8, max_size=8),
       carry=st.booleans(), likelihood=st.sampled_from(["normal", "student"]))
def test_crossover_model_builds_on_extreme_valid_data(y, carry, likelihood):
    data = bl.CrossoverData.from_frame(_crossover_frame(y, ROLES), treatment="LDN", reference="placebo")
    model = _answered_or_refused(lambda: bl.crossover_model(
        data, bl.priors.vague(), better="higher", carryover="sequence" if carry else "none", likelihood=likelihood))
    if model is not None:
        assert "treatment_effect_aligned" in model.pymc_model.named_vars


@SETTINGS
@given(y=st.lists(st.floats(-1e100, 1e100), min_size=6, max_size=6), b=st.lists(st.floats(-1e100, 1e100), min_size=6,
                                                                               max_size=6),
       method=st.sampled_from(["ancova", "change"]))
def test_parallel_model_builds_on_extreme_valid_data(y, b, method):
    frame = pd.DataFrame({"arm": ["LDN", "placebo"] * 3, "baseline": b, "followup": y})
    data = bl.ParallelData.from_frame(frame, treatment="LDN", reference="placebo")
    model = _answered_or_refused(lambda: bl.parallel_model(data, bl.priors.vague(), better="higher",
                                                               method=method))
    if model is not None:
        assert "treatment_effect_aligned" in model.pymc_model.named_vars


FIT_VALID = {"draws": 500, "tune": 500, "chains": 2, "seed": 1, "target": 0.9, "sampler": "nutpie"}


@pytest.fixture(scope="module")
def small_model():
    frame, _ = bl.simulate_crossover(treatment_effect=-3.0, period_effect=1.0, subject_sd=5.0, residual_sd=3.0,
                                     random_seed=2, n_subjects=8)
    data = bl.CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    return bl.crossover_model(data, bl.priors.vague(), better="lower")


@SETTINGS
@given(kw=_mostly_valid(FIT_VALID,
                       {"draws": OPTIONS["draws"], "tune": OPTIONS["tune"], "chains": OPTIONS["chains"],
                        "seed": OPTIONS["random_seed"], "target": st.one_of(NUMBERS, WRONG_TYPES, st.floats(0.6, 0.99)),
                        "sampler": st.sampled_from(["nutpie", "pymc", "x"])}))
def test_fit_validates_its_settings(monkeypatch, small_model, kw):
    draws, tune, chains, seed, target, sampler = kw.values()
    import sys

    fit_module = sys.modules["bayes_ldn.fit"]

    monkeypatch.setattr(fit_module, "_sample_nutpie", _stub)
    monkeypatch.setattr(fit_module.pm, "sample", _stub)
    valid = (all(isinstance(v, int) and v >= 1 for v in (draws, tune, chains)) and isinstance(seed, int)
             and seed >= 0 and _ok_number(target) and 0 < target < 1 and sampler != "x")
    try:
        _, err = outcome(lambda: bl.fit(small_model, random_seed=seed, draws=draws, tune=tune, chains=chains,
                                        target_accept=target, nuts_sampler=sampler))
    except _Reached:
        event("passed validation (stub reached)")
        assert valid
        return
    assert err is not None and not valid
    _names_the_argument(err, kw, FIT_VALID, {"seed": "random_seed", "target": "target_accept", "sampler": "nuts_sampler"})


@SETTINGS
@given(options=_mostly_valid({k: VALID_OPTIONS[k] for k in ("draws", "tune", "chains", "random_seed", "ci_prob")},
                            {k: OPTIONS[k] for k in ("draws", "tune", "chains", "random_seed", "ci_prob")}))
def test_carryover_sensitivity_validates_before_fitting(monkeypatch, options):
    import bayes_ldn.crossover_analysis as ca

    monkeypatch.setattr(ca, "fit", _stub)
    frame, _ = bl.simulate_crossover(treatment_effect=-3.0, period_effect=1.0, subject_sd=5.0, residual_sd=3.0,
                                     random_seed=2, n_subjects=8)
    data = bl.CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    valid = _options_valid({**options, "mcid": None, "rope": None})
    try:
        _, err = outcome(lambda: bl.carryover_sensitivity(
            data, bl.priors.vague(), better="lower", likelihood="normal", carryover_prior=bl.priors.normal(0, 5),
            **options))
    except _Reached:
        event("passed validation (stub reached)")
        assert valid
        return
    assert err is not None and not valid
    _names_the_argument(err, options, VALID_OPTIONS)


# --- summaries of draws -------------------------------------------------------------------------


def _tree(values: np.ndarray, diverging: int = 0) -> xr.DataTree:
    chains, draws = values.shape
    post = xr.Dataset({"treatment_effect_aligned": (("chain", "draw"), values),
                       "treatment_effect": (("chain", "draw"), -values)},
                      coords={"chain": np.arange(chains), "draw": np.arange(draws)})
    div = np.zeros((chains, draws), dtype=bool)
    div.flat[:diverging] = True
    stats_ = xr.Dataset({"diverging": (("chain", "draw"), div)}, coords=post.coords)
    return xr.DataTree.from_dict({"posterior": post, "sample_stats": stats_})


DRAW_ARRAYS = st.one_of(
    st.lists(st.one_of(st.floats(-1e3, 1e3), EXTREMES), min_size=8, max_size=40)
    .map(lambda v: np.array(v[: len(v) // 4 * 4])),  # 4 chains
    st.integers(8, 400).map(lambda n: np.random.default_rng(n).normal(0.3, 1.0, n // 4 * 4)),
)


def _no_diagnostics(values: np.ndarray) -> bool:
    """R-hat and ESS do not exist (NaN, documented in convergence_table) with fewer than 4 draws
    per chain or for constant draws."""
    return values.size < 16 or not np.all(np.isfinite(values)) or np.ptp(values) == 0


@SETTINGS
@given(values=DRAW_ARRAYS, div=st.integers(0, 3))
def test_convergence_table(values, div):
    tree = _tree(values.reshape(4, -1), div)
    table = _answered_or_refused(lambda: bl.convergence_table(tree, ["treatment_effect_aligned"]),
                                     allow=lambda where: _no_diagnostics(values))
    if table is not None:
        assert int(table["divergences"].iloc[0]) == div
        assert np.all(np.isfinite(values))


@SETTINGS
@given(values=st.one_of(DRAW_ARRAYS, st.just(np.random.default_rng(5).normal(0.3, 1.0, 400))),
       kw=_mostly_valid({"mcid": 0.5, "rope": 0.1, "ci_prob": 0.95},
                        {"mcid": st.one_of(st.none(), ANY), "rope": st.one_of(st.none(), ANY),
                         "ci_prob": st.one_of(ANY, st.floats(0.5, 0.99))}))
def test_decision_row_from_draws(values, kw):
    mcid, rope, ci_prob = kw.values()
    tree = _tree(values.reshape(4, -1))
    lik = bl.to_likelihood(bl.load_record("final_cpm"), "ci_normal")
    row = _answered_or_refused(
        lambda: bl.decision_row_from_draws(lik, bl.priors.vague(), tree, mcid=mcid, rope=rope, ci_prob=ci_prob),
        # Not asked for (no MCID / ROPE): stated as missing; R-hat/ESS of constant draws do not exist.
        allow=lambda where: (("mcid" in where) and mcid is None) or ("rope" in where and rope is None)
        or (_no_diagnostics(values) and any(k in where for k in ("r_hat", "ess", "mcse"))))
    if row is None and np.all(np.isfinite(values)) and np.all(np.abs(values) <= MAX_ABS):
        _, err = outcome(lambda: bl.decision_row_from_draws(lik, bl.priors.vague(), tree, mcid=mcid, rope=rope,
                                                            ci_prob=ci_prob))
        _names_the_argument(err, kw, {"mcid": 0.5, "rope": 0.1, "ci_prob": 0.95})
    if row is not None:
        assert 0 <= row["prob_better"] <= 1 and row["lower"] <= row["median"] <= row["upper"]
        assert row["prob_better"] == pytest.approx(np.mean(values > 0))  # the draws are of the aligned effect


# --- random finding: library and command line --------------------------------------------------

PATIENT_COLUMNS = st.sampled_from([("subject", "arm", "outcome", "baseline", "followup"),
                                   ("subject", "arm", "outcome", "baseline", "baseline"),  # duplicated name
                                   ("sujet", "bras", "critère", "initial", "suivi")])


def _patient_frame(cells: list, names: tuple[str, ...]) -> pd.DataFrame:
    """Subjects alternating LDN/placebo, each with a ``cpm`` and a ``pain_nrs`` row (baseline, followup)."""
    rows = []
    for i in range(len(cells) // 4):
        arm = "LDN" if i % 2 == 0 else "placebo"
        rows.append([f"P{i}", arm, "cpm", cells[4 * i], cells[4 * i + 1]])
        rows.append([f"P{i}", arm, "pain_nrs", cells[4 * i + 2], cells[4 * i + 3]])
    return pd.DataFrame(rows, columns=list(names))


def _check_verdict(verdict) -> None:
    table = verdict.table
    values = pd.to_numeric(table["value"], errors="coerce")
    # An angle without its input states "not available" with no value (documented); every other value is finite.
    assert np.all(np.isfinite(values[table["points_to"] != "not available"])), table
    probs = table[table["units"] == "probability"]["value"]
    assert probs.between(0, 1).all()


@SETTINGS
@given(cells=st.lists(st.one_of(st.floats(-20, 20), CELLS), min_size=0, max_size=40), names=PATIENT_COLUMNS)
def test_random_finding_with_patient_frames(cells, names):
    from bayes_ldn.random_finding import standard_choices

    frame = _patient_frame(cells, names)
    verdict, err = outcome(lambda: bl.random_finding("final_cpm", family_records=None, within_records=None,
                                                     patient_data=frame,
                                                     choices=standard_choices(conversion="ci_normal")))
    event("refused" if verdict is None else "verdict")
    if verdict is not None:
        _check_verdict(verdict)


@SETTINGS
@given(cells=st.lists(st.one_of(st.floats(-20, 20), CELLS), min_size=0, max_size=24), names=PATIENT_COLUMNS,
       bom=st.booleans())
def test_random_finding_command_with_patient_csv(tmp_path_factory, capsys, cells, names, bom):
    folder = tmp_path_factory.mktemp("rf")
    path = folder / "patients.csv"
    path.write_text(("\ufeff" if bom else "") + _patient_frame(cells, names).to_csv(index=False), encoding="utf-8")
    out = folder / "out"
    code, stdout, err = _run(["random-finding", "--trial", "final", "--outcome", "cpm", "--patient-data", str(path),
                              "--out", str(out)], capsys)
    assert code in (0, 2) and "Traceback" not in err, (code, err)
    event(f"exit {code}")
    if code == 2:
        assert stdout == "" and err.count(": error: ") == 1, err
        assert not out.exists()  # nothing half-written
    else:
        assert sorted(p.name for p in out.iterdir()) == ["verdict.csv", "verdict.md"]
        _check_verdict(type("V", (), {"table": pd.read_csv(out / "verdict.csv")})())


# --- specs and the decision table ---------------------------------------------------------------

def _toml(x) -> str:
    """``x`` as a TOML value (TOML spells NaN and infinity ``nan``, ``inf``, ``-inf``)."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf") if math.isinf(x) else repr(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in x) + "]"
    return f'"{x}"'


TOML_VALUES = st.one_of(NUMBERS, st.sampled_from(["seven", True, [1.0, 2.0], [], -1, 0]))


@SETTINGS
@given(kw=_mostly_valid({"mcid": [1.0, 2.0], "rope": 0.5, "mu": 0.0, "sigma": 0.85, "nu": 3.0, "ci_prob": 0.95},
                       {"mcid": TOML_VALUES, "rope": TOML_VALUES, "mu": TOML_VALUES, "sigma": TOML_VALUES,
                        "nu": TOML_VALUES, "ci_prob": st.one_of(NUMBERS, WRONG_TYPES, st.floats(0.5, 0.99))}))
def test_spec_with_bad_numbers_and_its_decision_table(tmp_path_factory, kw):
    mcid, rope, mu, sigma, nu, ci_prob = kw.values()
    from bayes_ldn.exceptions import SpecError

    folder = tmp_path_factory.mktemp("spec")
    text = (MODELS / "final-cpm.toml").read_text(encoding="utf-8")
    text = (text.replace("mcid = [1.0, 2.0, 3.0]", f"mcid = {_toml(mcid)}")
            .replace("rope = 0.5", f"rope = {_toml(rope)}")
            .replace("params = { mu = 0.0, sigma = 0.85, nu = 3.0 }",
                     f"params = {{ mu = {_toml(mu)}, sigma = {_toml(sigma)}, nu = {_toml(nu)} }}"))
    (folder / "final-cpm.toml").write_text(text, encoding="utf-8")
    try:
        specs, err = outcome(lambda: bl.load_specs(folder))
    except SpecError as e:  # a spec file's own documented error (a ValueError), listing every problem
        assert e.problems and all(p.strip() for p in e.problems)
        event("spec refused")
        return
    assert err is None and len(specs) == 1 and specs[0].id == "final-cpm"
    spec = bl.load_spec(folder / "final-cpm.toml")
    assert all(_ok_number(m) and m > 0 for m in spec.mcid)
    table = _answered_or_refused(
        lambda: bl.decision_table([spec], ci_prob=ci_prob),
        # The decision table's documented blanks: an MCID/ROPE probability without an MCID/ROPE,
        # and MCMC-only diagnostics of exact rows.
        allow=lambda where: any(k in where for k in ("mcid", "rope", "mcse", "r_hat", "ess", "divergences")))
    if table is not None:
        assert table["prob_better"].between(0, 1).all() and (table["lower"] <= table["upper"]).all()


@SETTINGS
@given(path=st.one_of(NUMBERS, WRONG_TYPES, st.just("/nonexistent/spec.toml")))
def test_load_spec_and_load_specs_with_wrong_paths(path):
    from bayes_ldn.exceptions import SpecError

    for load in (bl.load_spec, bl.load_specs):
        if load is bl.load_specs and path in (None, ""):
            continue  # the bundled models/ folder (the documented default)
        with pytest.raises((SpecError, DataValidationError)) as caught:
            load(path)
        assert caught.value.problems


@SETTINGS
@given(kw=_mostly_valid({"mcid": 1.0, "ci_prob": 0.95},
                       {"mcid": TOML_VALUES, "ci_prob": st.one_of(NUMBERS, WRONG_TYPES, st.floats(0.5, 0.99))}))
def test_write_reanalysis_writes_everything_or_nothing(tmp_path_factory, kw):
    mcid, ci_prob = kw.values()
    from bayes_ldn.exceptions import SpecError

    folder = tmp_path_factory.mktemp("reanalysis")
    text = (MODELS / "final-cpm.toml").read_text(encoding="utf-8")
    (folder / "final-cpm.toml").write_text(text.replace("mcid = [1.0, 2.0, 3.0]", f"mcid = {_toml(mcid)}"),
                                           encoding="utf-8")
    out = folder / "out"
    try:
        table, err = outcome(lambda: bl.write_reanalysis(out, models_dir=folder, ci_prob=ci_prob, binary=False))
    except SpecError:
        table, err = None, True
    event("refused" if table is None else "written")
    if table is None:
        assert not out.exists()  # refused before anything was written
        return
    assert sorted(p.name for p in out.iterdir()) == ["decisions.csv", "provenance.json", "summary.md"]
    written = pd.read_csv(out / "decisions.csv")
    for col in ("median", "lower", "upper", "prob_better", "prob_harm"):
        assert np.all(np.isfinite(written[col])), col
    assert written["prob_better"].between(0, 1).all()


# --- the simulation engine ----------------------------------------------------------------------


def reached_study(index, seed, **params):
    """A study function that says the engine got past its validation."""
    raise _Reached


@SETTINGS
@given(kw=_mostly_valid(
    {"n_sims": 20, "root_seed": 1, "workers": None, "batch_size": None},
    {"n_sims": st.one_of(st.integers(-3, 2000), st.sampled_from([10**6 + 1, 10**12, 2**63]), NUMBERS, WRONG_TYPES),
     "root_seed": st.one_of(st.integers(-3, 2**70), NUMBERS, WRONG_TYPES),
     "workers": st.one_of(st.integers(-2, 4), NUMBERS, WRONG_TYPES),
     "batch_size": st.one_of(st.integers(-2, 10**9), NUMBERS, WRONG_TYPES)}))
def test_run_study_validates_its_arguments(kw):
    n_sims, root_seed, workers, batch_size = kw.values()
    from bayes_ldn.simulation import Study

    study = Study(name="fuzz", function=reached_study, params={})
    valid = (isinstance(n_sims, int) and 1 <= n_sims <= 10**6 and isinstance(root_seed, int) and root_seed >= 0
             and (workers is None or (isinstance(workers, int) and workers >= 1))
             and (batch_size is None or (isinstance(batch_size, int) and batch_size >= 1)))
    try:
        _, err = outcome(lambda: bl.run_study(study, n_sims=n_sims, root_seed=root_seed, workers=workers,
                                              batch_size=batch_size, progress=False))
    except _Reached:
        event("passed validation (stub reached)")
        assert valid
        return
    assert err is not None and not valid
    _names_the_argument(err, kw, {"n_sims": 20, "root_seed": 1, "workers": None, "batch_size": None})


# --- the forest plot ----------------------------------------------------------------------------


def _forest_data(values: list[float], mcid, ci_prob) -> pd.DataFrame:
    rows = []
    for i in range(len(values) // 3):
        est, lo, hi = values[3 * i: 3 * i + 3]
        rows.append({"kind": "study", "display_label": f"Étude {i} [RCT]", "estimate": est, "lower": lo, "upper": hi,
                     "shrunken_median": est, "shrunken_lower": lo, "shrunken_upper": hi, "unverified": i % 2 == 1})
    for kind in ("mu", "predictive"):
        rows.append({"kind": kind, "display_label": kind, "estimate": 0.1, "lower": -0.2, "upper": 0.4,
                     "shrunken_median": np.nan, "shrunken_lower": np.nan, "shrunken_upper": np.nan,
                     "unverified": False})
    frame = pd.DataFrame(rows)
    return frame.assign(scale="SMD", mcid=mcid, ci_prob=ci_prob)


@SETTINGS
@given(values=st.one_of(st.lists(st.floats(-3, 3), min_size=3, max_size=9),
                        st.lists(st.one_of(st.floats(-3, 3), NUMBERS, st.just("seven")), min_size=0, max_size=9)),
       kw=_mostly_valid({"mcid": None, "ci_prob": 0.95, "drop": None, "empty": False},
                        {"mcid": NUMBERS, "ci_prob": st.one_of(NUMBERS, st.floats(0.5, 0.99)),
                         "drop": st.sampled_from(["estimate", "kind"]), "empty": st.just(True)}))
def test_plot_forest(values, kw):
    mcid, ci_prob, drop, empty = kw.values()
    import matplotlib.pyplot as plt

    data = _forest_data(values, mcid, ci_prob)
    data = data.iloc[:0] if empty else data.drop(columns=[drop]) if drop else data
    ax = _answered_or_refused(lambda: bl.plots.plot_forest(data))
    plt.close("all")
    if ax is not None:
        lims = ax.get_xlim()
        assert np.all(np.isfinite(lims)) and len(ax.get_yticklabels()) == len(data)


@SETTINGS
@given(followup=st.lists(st.one_of(st.floats(-50, 50), NUMBERS), min_size=0, max_size=6),
       treated=st.lists(st.integers(-1, 2), min_size=6, max_size=6), as_text=st.booleans())
def test_parallel_data_constructor(followup, treated, as_text):
    n = len(followup)
    y = np.array([str(v) for v in followup]) if as_text else np.array(followup, dtype=float)
    data = _answered_or_refused(lambda: bl.ParallelData(
        treatment="LDN", reference="placebo", outcomes=("pain",), subjects=tuple(f"s{i}" for i in range(n)),
        outcome_index=np.zeros(n, dtype=int), subject_index=np.arange(n), treated=np.array(treated[:n]),
        baseline=np.zeros(n), followup=y))
    if data is not None:
        assert np.all(np.abs(data.followup) <= MAX_ABS) and set(data.treated) <= {0, 1}
        if n >= 4 and 0 < data.treated.sum() < n:
            model = _answered_or_refused(lambda: bl.parallel_model(data, bl.priors.vague(), better="higher",
                                                                   method="change"))
            assert model is not None
