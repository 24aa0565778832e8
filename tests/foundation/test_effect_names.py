"""Every design stores the aligned effect and the printed effect under two names, related by the sign.

``treatment_effect_aligned`` (positive = better) and ``treatment_effect`` (the printed contrast,
treatment minus reference) satisfy ``treatment_effect = align_sign(better) * treatment_effect_aligned``
in every model, checked on the model graph at random points (no sampling) and in a fitted DataTree.
"""

import numpy as np
import pytest

import bayes_ldn as bl
from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_crossover_joint import simulate_crossover_joint
from bayes_ldn.data.simulate_parallel import simulate_final_like
from bayes_ldn.designs.crossover_first_period import first_period_model
from bayes_ldn.designs.crossover_joint import crossover_joint_model
from bayes_ldn.designs.parallel_family import parallel_family_model

BLAS = "ignore:PyTensor could not link to a BLAS:UserWarning"
pytestmark = pytest.mark.filterwarnings(BLAS)


def _crossover_data():
    df, _ = bl.simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=12.0, residual_sd=10.0,
                                  random_seed=1, treatment="LDN", reference="placebo")
    return bl.CrossoverData.from_frame(df, treatment="LDN", reference="placebo")


def _builders():
    xo = _crossover_data()
    sim = simulate_final_like(random_seed=2, n_per_arm=(20, 20), include_pain=False)
    fam = sim.frame[sim.frame.outcome.isin(["cpm", "tsp"])]
    par = ParallelData.from_frame(fam, treatment="LDN", reference="placebo")
    frames, _ = simulate_crossover_joint(treatment_effects={"a": -1.0, "b": 1.0}, subject_sds={"a": 1.0, "b": 1.0},
                                         subject_corr=0.3, residual_sds={"a": 1.0, "b": 1.0},
                                         period_effects={"a": 0.0, "b": 0.0}, random_seed=3, n_subjects=12)
    joint = {k: bl.CrossoverData.from_frame(f, treatment="LDN", reference="placebo") for k, f in frames.items()}
    lik = bl.to_likelihood(bl.load_record("final_pain"), "ci_normal")
    return {
        "aggregate": (lambda: bl.aggregate_model(lik, pr.normal(0, 1)), lik.sign),
        "crossover": (lambda: bl.crossover_model(xo, pr.normal(0, 5), better="lower", carryover="none",
                                                 likelihood="normal", baseline=False), -1),
        "first_period": (lambda: first_period_model(xo, pr.normal(0, 5), better="lower", likelihood="normal"), -1),
        "crossover_joint": (lambda: crossover_joint_model(joint, {"a": pr.normal(0, 1), "b": pr.normal(0, 1)},
                                                          better={"a": "lower", "b": "higher"}, likelihood="normal",
                                                          lkj_eta=2.0), np.array([-1.0, 1.0])),
        "parallel": (lambda: bl.parallel_model(par.select("cpm"), pr.normal(0, 1), better="lower",
                                               method="ancova", likelihood="normal"), -1),
        "parallel_family": (lambda: parallel_family_model(par, pr.normal(0, 1), better={"cpm": "higher", "tsp": "lower"},
                                                          method="ancova", tau_prior=("halfnormal", 0.5),
                                                          residual_correlation=False), np.array([1.0, -1.0])),
        "binary": (lambda: bl.logistic_model(bl.two_by_two(4, 49, 3, 50), pr.normal(0, 1), better="lower"), -1),
    }


@pytest.mark.parametrize("design", list(_builders()))
def test_printed_is_sign_times_aligned_on_the_graph(design):
    build, sign = _builders()[design]
    model = build().pymc_model
    outs = model.replace_rvs_by_values([model["treatment_effect"], model["treatment_effect_aligned"]])
    f = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore", point_fn=True)
    rng = np.random.default_rng(7)
    start = model.initial_point()
    for _ in range(3):
        point = {k: v + rng.normal(size=np.shape(v)) for k, v in start.items()}
        printed, aligned = f(point)
        assert np.any(np.abs(aligned) > 1e-6)
        np.testing.assert_allclose(printed, sign * aligned, rtol=1e-12, atol=1e-12)


@pytest.mark.slow
# Short chains: this checks the identity draw by draw, not convergence (other tests do).
@pytest.mark.filterwarnings("ignore::bayes_ldn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("design", ["aggregate", "crossover", "parallel", "binary"])
def test_printed_is_sign_times_aligned_in_the_datatree(design):
    build, sign = _builders()[design]
    idata = bl.fit(build(), random_seed=5, draws=500, chains=4)
    post = idata["posterior"]
    np.testing.assert_array_equal(post["treatment_effect"].values, sign * post["treatment_effect_aligned"].values)
