"""Joint model of several outcomes (partial pooling of standardized effects)."""

import numpy as np
import pytensor.tensor as pt
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_parallel import simulate_final_like
from bayes_ldn.designs.parallel_family import parallel_family_model, wide_arrays
from bayes_ldn.exceptions import DataValidationError

OUTCOMES = ["cpm", "tsp", "chair_stand"]
BETTER = {"cpm": "higher", "tsp": "lower", "chair_stand": "higher"}
SCALES = {"cpm": 10.0, "tsp": 5.0, "chair_stand": 5.0}


@pytest.fixture
def data():
    f = simulate_final_like(random_seed=4, n_per_arm=(12, 12), include_pain=False).frame
    return ParallelData.from_frame(f[f.outcome.isin(OUTCOMES)], treatment="LDN", reference="placebo")


def test_logp_independent_residuals_matches_scipy(data):
    model = parallel_family_model(data, pr.normal(0, 1), better=BETTER, method="change", tau_prior=("halfnormal", 0.5),
                                  residual_sd_scales=SCALES, residual_correlation=False)
    mu, tau, z = 0.2, 0.3, np.array([0.5, -1.0, 0.1])
    sigma, c0 = np.array([4.0, 2.0, 2.5]), np.array([-0.5, 0.1, 0.2])
    point = {"mean_effect": mu, "heterogeneity_sd_log__": np.log(tau), "effect_offset": z,
             "residual_sd_log__": np.log(sigma), "change_reference": c0}
    logp = model.pymc_model.compile_logp(jacobian=False)(point)
    treated, b, y = wide_arrays(data)
    signs = np.array([1, -1, 1])
    effect = signs * (mu + tau * z) * sigma
    mean = b + c0 + effect * treated[:, None]
    expected = (stats.norm.logpdf(mu, 0, 1) + stats.halfnorm.logpdf(tau, scale=0.5) + stats.norm.logpdf(z).sum()
                + stats.halfnorm.logpdf(sigma, scale=[10.0, 5.0, 5.0]).sum() + stats.norm.logpdf(y, mean, sigma).sum())
    assert logp == pytest.approx(expected, rel=1e-8)


@pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS:UserWarning")
def test_correlated_residuals_structure(data):
    model = parallel_family_model(data, pr.vague(), better=BETTER, method="ancova", tau_prior=("halfnormal", 0.5),
                                  residual_sd_scales=SCALES, residual_correlation=True)
    names = {v.name for v in model.pymc_model.free_RVs}
    assert {"residual_chol", "baseline_slope", "heterogeneity_sd", "mean_effect"} <= names
    assert model.priors["residual_correlation"] == {"lkj": 2.0}
    assert np.isfinite(model.pymc_model.compile_logp()(model.pymc_model.initial_point()))


@pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS:UserWarning")
@pytest.mark.parametrize("correlated", [False, True])
def test_model_can_be_observed_and_intervened_on(data, correlated):
    # Simulation studies rebind the outcome (pm.observe) and replace priors (pm.do); both need a
    # model without custom initial values whose deterministics are not aliases of one another.
    import pymc as pm

    model = parallel_family_model(data, pr.vague(), better=BETTER, method="ancova", tau_prior=("halfnormal", 0.5),
                                  residual_sd_scales=SCALES, residual_correlation=correlated).pymc_model
    assert all(v is None for v in model.rvs_to_initial_values.values())
    _, _, y = wide_arrays(data)
    observed = pm.observe(model, {"outcome": y + 1.0})
    intervened = pm.do(model, {"baseline_slope": np.full(3, 0.8)})
    names = ["residual_sd", "treatment_effect"] + (["residual_chol_corr"] if correlated else [])
    point = model.initial_point()
    rng = np.random.default_rng(3)
    point = {k: v + rng.uniform(-0.5, 0.5, np.shape(v)) for k, v in point.items()}

    def evaluate(m):
        graphs = m.replace_rvs_by_values([m[n] for n in names])
        return m.compile_fn(graphs, inputs=m.value_vars, on_unused_input="ignore")(
            {k: v for k, v in point.items() if k in {v.name for v in m.value_vars}})

    expected = evaluate(model)
    for rewritten in (observed, intervened):
        assert {d.name for d in model.deterministics} == {d.name for d in rewritten.deterministics}
        values = evaluate(rewritten)
        for name, got, want in zip(names, values, expected, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=name)
    if correlated:
        # residual_sd and the correlations are those of the covariance L L^T of the packed factor.
        sd, corr = expected[0], expected[2]
        chol_name = model.rvs_to_values[model["residual_chol"]].name
        packed = model.rvs_to_transforms[model["residual_chol"]].backward(pt.as_tensor(point[chol_name])).eval()
        chol = np.zeros((3, 3))
        chol[np.tril_indices(3)] = packed
        cov = chol @ chol.T
        np.testing.assert_allclose(sd, np.sqrt(np.diag(cov)), rtol=1e-12)
        np.testing.assert_allclose(corr, cov / np.outer(sd, sd), rtol=1e-12)


def test_validation(data):
    with pytest.raises(DataValidationError) as err:
        parallel_family_model(data, pr.vague(), better={"cpm": "higher"}, method="both", tau_prior=("halfcauchy", 1.0),
                              residual_sd_scales=SCALES, residual_correlation=False)
    msg = str(err.value)
    assert "better lacks outcome(s) tsp, chair_stand" in msg
    assert "method must be 'ancova' or 'change'" in msg and "tau_prior must be ('halfnormal', scale > 0)" in msg
    with pytest.raises(DataValidationError, match=r"needs two or more outcomes"):
        parallel_family_model(data.select("cpm"), pr.vague(), better=BETTER, method="change",
                              tau_prior=("halfnormal", 0.5), residual_sd_scales=SCALES, residual_correlation=False)


def test_incomplete_subjects_named(data):
    f = data.to_frame()
    f = f.drop(index=f.index[(f.subject == "SIM003") & (f.outcome == "tsp")])
    d = ParallelData.from_frame(f, treatment="LDN", reference="placebo")
    with pytest.raises(DataValidationError, match=r"subject\(s\) SIM003 lack some outcome"):
        wide_arrays(d)
