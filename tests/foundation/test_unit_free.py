"""Unit-free defaults (issue 15): every patient-level builder is equivariant under y -> a + k y.

Exact check, no sampling: under the default nuisance priors and a flat effect prior, the posterior
of the transformed data is the image of the original posterior under the map T of the parameters
(locations a + k x, effects k x, SDs k x, unitless parameters unchanged). In the samplers' value
space T is affine, so ``logp'(T v) - logp(v)`` is the same number at every point v (the log
Jacobian and the likelihood's ``-n log k``): we evaluate it at several random points and require
it constant to floating-point precision. Hypothesis draws shifts up to +-1e4 and scales 1e-3 to
1e4. A negative control shows the check fails for fixed nuisance priors (``wide``), whose answer
does depend on the zero point. The sampling counterpart is ``tests/foundation/test_unit_free_mcmc.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bayes_ldn import priors as pr
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.designs.crossover_first_period import first_period_model
from bayes_ldn.designs.crossover_joint import crossover_joint_model
from bayes_ldn.designs.parallel import parallel_model
from bayes_ldn.designs.parallel_family import parallel_family_model
from bayes_ldn.exceptions import DataValidationError, PriorDataConflictWarning

# The LKJ density's gradient compiles a BLAS op; this machine's PyTensor warns it has no BLAS.
pytestmark = pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS:UserWarning")

#: value variable -> how it moves under y -> a + k y
LOCATIONS = {"intercept"}
EFFECTS = {"period_effect", "sequence_effect", "treatment_effect_aligned", "carryover_effect",
           "change_reference", "covariate_effect", "treatment_effect_aligned_fiqr", "treatment_effect_aligned_pain"}
LOG_SDS = {"subject_sd_log__", "residual_sd_log__", "log_residual_sd"}


def transform_point(point: dict, a: float, k: float) -> dict:
    out = {}
    for name, v in point.items():
        v = np.asarray(v, dtype=float)
        if name in LOCATIONS:
            out[name] = a + k * v
        elif name in EFFECTS:
            out[name] = k * v
        elif name in LOG_SDS:
            out[name] = v + np.log(k)
        else:  # subject_z, slopes, residual_df, standardized effects, LKJ factors: unitless
            out[name] = v
    return out


def crossover_frame(seed: int = 5) -> pd.DataFrame:
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=8.0, residual_sd=5.0,
                                  random_seed=seed, n_subjects=24, dropout=0.1, intercept=40.0)
    rng = np.random.default_rng(seed)
    frame["baseline"] = frame["outcome"] + rng.normal(2.0, 3.0, len(frame))
    return frame


def parallel_frame(outcomes=("cpm",), seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(16):
        for o in outcomes:
            b = rng.normal(20, 4)
            rows.append({"subject": f"s{i}", "arm": "LDN" if i % 2 else "placebo", "outcome": o, "baseline": b,
                         "followup": 0.6 * b + rng.normal(8 + (i % 2), 3), "age": 30.0 + i})
    return pd.DataFrame(rows)


def shifted(frame: pd.DataFrame, cols: tuple[str, ...], a: float, k: float) -> pd.DataFrame:
    out = frame.copy()
    for c in cols:
        out[c] = a + k * out[c]
    return out


def crossover_builder(**kw):
    def build(a: float, k: float, nuisance: str = "unit_free"):
        data = CrossoverData.from_frame(shifted(crossover_frame(), ("outcome", "baseline"), a, k),
                                        treatment="LDN", reference="placebo")
        return crossover_model(data, pr.vague(), better="lower", nuisance=nuisance, **kw)
    return build


def first_period_builder(a: float, k: float, nuisance: str = "unit_free"):
    data = CrossoverData.from_frame(shifted(crossover_frame(), ("outcome", "baseline"), a, k),
                                    treatment="LDN", reference="placebo")
    return first_period_model(data, pr.vague(), better="higher", likelihood="student", nuisance=nuisance)


def joint_builder(a: float, k: float, nuisance: str = "unit_free"):
    f = crossover_frame()
    pain = f.assign(outcome=f["outcome"] / 10 + np.random.default_rng(1).normal(0, 0.5, len(f)))
    datas = {m: CrossoverData.from_frame(shifted(fr.drop(columns="baseline"), ("outcome",), a, k),
                                         treatment="LDN", reference="placebo")
             for m, fr in (("fiqr", f), ("pain", pain))}
    return crossover_joint_model(datas, {"fiqr": pr.vague(), "pain": pr.vague()},
                                 better={"fiqr": "lower", "pain": "lower"}, likelihood="normal",
                                 nuisance=nuisance, lkj_eta=2.0)


def parallel_builder(**kw):
    def build(a: float, k: float, nuisance: str = "unit_free"):
        data = ParallelData.from_frame(shifted(parallel_frame(), ("baseline", "followup"), a, k), treatment="LDN",
                                       reference="placebo", columns={"outcome": None}, covariates=["age"])
        return parallel_model(data, pr.vague(), better="higher", **kw)
    return build


def family_builder(a: float, k: float, nuisance: str = "unit_free"):
    data = ParallelData.from_frame(shifted(parallel_frame(("cpm", "tsp")), ("baseline", "followup"), a, k),
                                   treatment="LDN", reference="placebo")
    return parallel_family_model(data, pr.normal(0.0, 1.0), better={"cpm": "higher", "tsp": "higher"},
                                 method="ancova", tau_prior=("halfnormal", 0.5), residual_correlation=False)


BUILDERS = {
    "crossover": crossover_builder(carryover="none", likelihood="normal", baseline=False),
    "crossover_sequence_student_baseline": crossover_builder(carryover="sequence", likelihood="student",
                                                             baseline=True),
    "crossover_first_order": crossover_builder(carryover="first_order", likelihood="normal", baseline=False,
                                               carryover_prior=pr.vague()),
    "first_period": first_period_builder,
    "crossover_joint": joint_builder,
    "parallel_ancova": parallel_builder(method="ancova", likelihood="normal"),
    "parallel_change_student": parallel_builder(method="change", likelihood="student"),
}
#: Builders whose data are constants in the graph (not data containers): compiled per example.
COMPILED_PER_EXAMPLE = {"parallel_family": family_builder}


class Equivariance:
    """Compiled once per builder; new data and prior values are swapped into its data containers."""

    def __init__(self, build, swap: bool = True) -> None:
        self.build = build
        self.swap = swap
        self.model = build(0.0, 1.0).pymc_model
        self.logp = self.model.compile_logp(jacobian=True, mode="FAST_COMPILE")
        rng = np.random.default_rng(0)
        start = self.model.initial_point()
        self.points = [{n: v + rng.normal(0, 0.3, np.shape(v)) for n, v in start.items()} for _ in range(4)]
        self.values0 = {v.name: v.get_value() for v in self._shared(self.model)}

    @staticmethod
    def _shared(model):
        return [v for v in model.data_vars]

    def logp_at(self, model, point: dict) -> float:
        if not self.swap and model is not self.model:
            return float(model.compile_logp(jacobian=True, mode="FAST_COMPILE")(point))
        for v in self._shared(model):
            self.model[v.name].set_value(v.get_value())
        try:
            return float(self.logp(point))
        finally:
            for name, value in self.values0.items():
                self.model[name].set_value(value)

    def differences(self, a: float, k: float, nuisance: str = "unit_free") -> np.ndarray:
        transformed = self.build(a, k, nuisance).pymc_model
        original = self.build(0.0, 1.0, nuisance).pymc_model if self.swap or nuisance != "unit_free" else self.model
        out, scale = [], []
        for p in self.points:
            lp0, lp1 = self.logp_at(original, p), self.logp_at(transformed, transform_point(p, a, k))
            out.append(lp1 - lp0)
            scale.append(abs(lp0) + abs(lp1))
        return np.array(out), max(scale)


_CACHE: dict[str, Equivariance] = {}


def equivariance(name: str) -> Equivariance:
    if name not in _CACHE:
        swap = name in BUILDERS
        _CACHE[name] = Equivariance(BUILDERS[name] if swap else COMPILED_PER_EXAMPLE[name], swap=swap)
    return _CACHE[name]


shift = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
log10_scale = st.floats(min_value=-3.0, max_value=4.0, allow_nan=False)


@pytest.mark.parametrize("name", list(BUILDERS))
@settings(max_examples=12, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=shift, u=log10_scale)
def test_posterior_moves_exactly_with_the_units(name, a, u):
    diffs, size = equivariance(name).differences(a, 10.0**u)
    # Constant up to the rounding of the log densities themselves.
    assert np.ptp(diffs) <= 1e-9 * (1.0 + size), (name, a, u, diffs)


@settings(max_examples=4, deadline=None, phases=[Phase.generate], database=None)
@given(a=shift, u=log10_scale)
def test_parallel_family_moves_exactly_with_the_units(a, u):
    diffs, size = equivariance("parallel_family").differences(a, 10.0**u)
    assert np.ptp(diffs) <= 1e-9 * (1.0 + size), (a, u, diffs)


@pytest.mark.parametrize("a", [300.0, -50.0])
def test_fixed_nuisance_priors_depend_on_the_zero_point(a):
    """Negative control: the check above detects a default that is not unit-free."""
    with pytest.warns(PriorDataConflictWarning) if a == 300.0 else _no_warning():
        diffs, size = equivariance("crossover").differences(a, 1.0, nuisance="wide")
    assert np.ptp(diffs) > 1e-6 * (1.0 + size)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_unit_free_default_is_recorded():
    model = BUILDERS["crossover_sequence_student_baseline"](300.0, 2.0)
    f = crossover_frame()
    y = 300.0 + 2.0 * f["outcome"].to_numpy()
    scale = model.choices["data_scale"]
    assert model.choices["nuisance"] == "unit_free"
    assert scale["location"] == pytest.approx(y.mean(), rel=1e-12)
    assert scale["scale"] == pytest.approx(y.std(ddof=1), rel=1e-12)
    nui = model.priors["nuisance"]
    assert nui["intercept_mu"] == pytest.approx(y.mean(), rel=1e-12)
    assert nui["intercept_sigma"] == pytest.approx(10 * y.std(ddof=1), rel=1e-12)
    assert nui["sd_sigma"] == pytest.approx(2.5 * y.std(ddof=1), rel=1e-12)
    # The numbers the model uses are the recorded ones.
    assert float(model.pymc_model["intercept_prior_mu"].get_value()) == nui["intercept_mu"]
    assert float(model.pymc_model["residual_sd_prior_sigma"].get_value()) == nui["sd_sigma"]
    family = family_builder(0.0, 1.0)
    assert family.choices["residual_sd_scales"] == "unit_free" and set(family.choices["data_scale"]["scale"]) == {
        "cpm", "tsp"}


def test_out_of_line_fixed_priors_warn_and_the_default_does_not():
    import warnings

    frame = shifted(crossover_frame(), ("outcome",), 300.0, 1.0)
    data = CrossoverData.from_frame(frame.drop(columns="baseline"), treatment="LDN", reference="placebo")
    with pytest.warns(PriorDataConflictWarning, match=r"intercept prior N\(0, 100\) lies 3\.\d prior SDs"):
        crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal", baseline=False,
                        nuisance="wide")
    with pytest.warns(PriorDataConflictWarning, match=r"HalfNormal\(2\.5\)"):
        crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal", baseline=False,
                        nuisance="scale_0_10")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal", baseline=False)


def test_unit_free_needs_a_spread():
    frame = crossover_frame().drop(columns="baseline").assign(outcome=7.0)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    with pytest.raises(DataValidationError, match="outcome is constant"):
        crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal", baseline=False)


def test_huge_outcomes_do_not_overflow_the_scale():
    frame = crossover_frame().drop(columns="baseline")
    frame["outcome"] = frame["outcome"] * 1e90
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    model = crossover_model(data, pr.vague(), better="lower", carryover="none", likelihood="normal", baseline=False)
    assert np.isfinite(model.choices["data_scale"]["scale"])
    # Beyond bayes_ldn.validation.MAX_ABS (1e100) the data are refused with a message (issue 18:
    # an outcome of 1e308 ended in a segmentation fault), not fitted.
    with pytest.raises(DataValidationError, match="rescale the units"):
        CrossoverData.from_frame(frame.assign(outcome=frame["outcome"] * 1e210), treatment="LDN",
                                 reference="placebo")


def test_log_scale_turns_a_change_of_units_into_a_shift():
    frame = crossover_frame().drop(columns="baseline")
    frame["outcome"] = np.exp(frame["outcome"] / 20)
    a = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo", scale="log")
    b = CrossoverData.from_frame(frame.assign(outcome=frame["outcome"] * 1000.0), treatment="LDN",
                                 reference="placebo", scale="log")
    np.testing.assert_allclose(b.outcome - a.outcome, np.log(1000.0), rtol=1e-12)
    assert a.scale == "log"
    assert crossover_model(a, pr.vague(), better="lower", carryover="none", likelihood="normal",
                           baseline=False).estimand["scale"] == "log"


def test_log_scale_rejects_non_positive_values_with_rows():
    frame = crossover_frame().drop(columns="baseline")
    frame.loc[[2, 5], "outcome"] = [0.0, -1.0]
    with pytest.raises(DataValidationError, match=r"log scale needs positive values; outcome <= 0 in rows 3, 6"):
        CrossoverData.from_frame(frame, treatment="LDN", reference="placebo", scale="log")
    pf = parallel_frame()
    pf.loc[0, "baseline"] = -2.0
    with pytest.raises(DataValidationError, match=r"'baseline': the log scale needs positive values"):
        ParallelData.from_frame(pf, treatment="LDN", reference="placebo", columns={"outcome": None}, scale="log")
