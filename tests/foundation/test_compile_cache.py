"""The per-process compiled-model cache: exact structural keys, and a hit samples the new data."""

import warnings

import numpy as np
import pytest

from bayes_ldn.compile_cache import cache_info, clear_cache, structure_key
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.exceptions import ConvergenceWarning
from bayes_ldn.fit import fit
from bayes_ldn.priors import EffectPrior, normal, student_t


def _model(seed, *, n=20, prior=None, likelihood="normal", prefix=""):
    frame, _ = simulate_crossover(treatment_effect=1.0, period_effect=0.3, subject_sd=1.5, residual_sd=1.0,
                                  random_seed=seed, n_subjects=n, dropout=0.0, intercept=5.0)
    frame["subject"] = prefix + frame["subject"].astype(str)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    return crossover_model(data, prior or normal(0.0, 2.0), better="higher", carryover="none",
                           likelihood=likelihood, baseline=False, nuisance="scale_0_10")


def test_key_ignores_data_values_and_labels_but_not_structure():
    base = structure_key(_model(1).pymc_model)
    assert base is not None
    assert structure_key(_model(2, prefix="T").pymc_model) == base  # other outcomes and subject labels
    assert structure_key(_model(1, n=22).pymc_model) != base  # other sizes
    assert structure_key(_model(1, prior=normal(0.5, 3.0)).pymc_model) == base  # prior values are data
    assert structure_key(_model(1, prior=student_t(0.0, 2.0, 3.0)).pymc_model) != base  # another prior family
    assert structure_key(_model(1, likelihood="student").pymc_model) != base  # other likelihood


def _mixture(weights, families):
    comps = [normal(0.0, 1.0 + j).to_dict() if f == "normal" else student_t(0.0, 1.0 + j, 3.0).to_dict()
             for j, f in enumerate(families)]
    return EffectPrior(name="mix", family="mixture", params={"weights": list(weights), "components": comps})


def test_key_of_a_mixture_prior_follows_its_component_families_not_its_values():
    base = structure_key(_model(1, prior=_mixture([0.5, 0.5], ["normal", "student_t"])).pymc_model)
    assert structure_key(_model(1, prior=_mixture([0.2, 0.8], ["normal", "student_t"])).pymc_model) == base
    assert structure_key(_model(1, prior=_mixture([0.5, 0.5], ["normal", "normal"])).pymc_model) != base
    assert structure_key(_model(1, prior=_mixture([0.3, 0.3, 0.4], ["normal"] * 3)).pymc_model) != base


@pytest.mark.slow
def test_refit_under_another_prior_reuses_the_compilation_and_samples_that_prior():
    """A hit swaps the prior's values in: same draws as a fresh compilation, not the old prior's."""
    settings = {"random_seed": 3, "draws": 300, "tune": 300, "chains": 2}
    weak, strong = _model(1), _model(1, prior=normal(-1.0, 0.1))
    clear_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        old = fit(weak, **settings)
        reused = fit(strong, **settings)
        assert cache_info() == {"hits": 1, "misses": 1, "size": 1}
        clear_cache()
        fresh = fit(strong, **settings)
    for name in ("treatment_effect", "subject_sd", "residual_sd"):
        np.testing.assert_array_equal(reused["posterior"][name].values, fresh["posterior"][name].values)
    # N(-1, 0.1) against data whose effect is about +1: the posterior is held near the prior.
    assert float(reused["posterior"]["treatment_effect"].mean()) < 0 < float(old["posterior"]["treatment_effect"].mean())
    assert float(reused["constant_data"]["treatment_effect_aligned_prior_sigma"]) == 0.1


@pytest.mark.slow
def test_cache_hit_samples_the_new_data_exactly_like_a_fresh_compilation():
    settings = {"random_seed": 7, "draws": 300, "tune": 300, "chains": 2}
    first, second = _model(1), _model(2, prefix="T")
    clear_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(first, **settings)
        reused = fit(second, **settings)
        assert cache_info() == {"hits": 1, "misses": 1, "size": 1}
        clear_cache()
        fresh = fit(second, **settings)
    assert cache_info()["misses"] == 1
    for name in ("treatment_effect", "subject_effect", "residual_sd"):
        np.testing.assert_array_equal(reused["posterior"][name].values, fresh["posterior"][name].values)
    labels = list(reused["posterior"]["subject"].values)
    assert labels == list(fresh["posterior"]["subject"].values) and labels[0].startswith("T")
    np.testing.assert_array_equal(reused["observed_data"]["outcome"].values,
                                  second.pymc_model["outcome_observed"].get_value())


@pytest.mark.slow
def test_fit_draws_equal_pm_sample_with_nutpie():
    """The cached path is the same sampler, seeding and model as ``pm.sample(nuts_sampler="nutpie")``
    (compiled, as bayes_ldn compiles, without fast-math: ``nutpie_numba``)."""
    import pymc as pm
    from pytensor import config

    model = _model(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fit(model, random_seed=11, draws=200, tune=200, chains=2)
        with model.pymc_model, config.change_flags(numba__fastmath=False):
            theirs = pm.sample(draws=200, tune=200, chains=2, random_seed=11, nuts_sampler="nutpie",
                               target_accept=0.9, progressbar=False, compute_convergence_checks=False)
    np.testing.assert_array_equal(ours["posterior"]["treatment_effect"].values,
                                  theirs["posterior"]["treatment_effect"].values)


def _ancova(seed):
    from bayes_ldn.data.parallel import ParallelData
    from bayes_ldn.data.simulate_parallel import simulate_final_like
    from bayes_ldn.designs.parallel import parallel_model, reference_nuisance

    frame = simulate_final_like(random_seed=seed, include_pain=False).frame
    data = ParallelData.from_frame(frame[frame.outcome == "cpm"], treatment="LDN", reference="placebo")
    return parallel_model(data, normal(0.0, 2.0), better="higher", method="ancova", likelihood="normal",
                          nuisance=reference_nuisance())


@pytest.mark.slow
def test_cache_hit_starts_from_the_new_models_data_dependent_initial_point():
    """The parallel builder starts the chains at data-dependent values; a hit must use the new ones."""
    first, second = _ancova(1), _ancova(2)
    assert structure_key(first.pymc_model) == structure_key(second.pymc_model)
    settings = {"random_seed": 5, "draws": 200, "tune": 200, "chains": 2}
    clear_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit(first, **settings)
        reused = fit(second, **settings)
        clear_cache()
        fresh = fit(second, **settings)
    for name in ("treatment_effect", "change_reference", "residual_sd"):
        np.testing.assert_array_equal(reused["posterior"][name].values, fresh["posterior"][name].values)


def test_precompile_names_unknown_models_and_exits_2(capsys):
    from bayes_ldn.cli import main

    assert main(["precompile", "--models", "aggregate", "no_such_model"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'no_such_model'" in err and "crossover" in err


@pytest.mark.slow
def test_precompile_compiles_into_the_process_cache(capsys):
    from bayes_ldn.cli import main

    clear_cache()
    assert main(["precompile", "--models", "aggregate"]) == 0
    assert "aggregate" in capsys.readouterr().out
    assert cache_info()["size"] == 1


@pytest.mark.slow
def test_entry_points_loaded_from_the_disk_cache_sample_exactly_like_nutpies_own():
    """nutpie's C entry points, rebuilt by bayes_ldn and loaded from PyTensor's numba cache, change no draw.

    On a nutpie or PyTensor that ``nutpie_numba`` does not mirror (``pyproject`` allows any
    nutpie >= 0.16) the same comparison checks the fallback through ``nutpie.compile_pymc_model``.
    """
    import nutpie
    from pytensor import config

    from bayes_ldn.nutpie_numba import compile_nutpie_numba, supported

    model = _model(4, n=21).pymc_model
    compile_nutpie_numba(model)  # fills the disk cache if an earlier run has not
    loaded = compile_nutpie_numba(model)
    if supported():
        assert loaded.compiled_logp_func.cache_hits == 1 and loaded.compiled_expand_func.cache_hits == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with config.change_flags(numba__fastmath=False):
            own = nutpie.compile_pymc_model(model)
    other = _model(5, n=21, prefix="T").pymc_model
    data = {var.name: other[var.name].get_value() for var in own.shared_var_keys}
    for a, b in ((loaded, own), (loaded.with_data(**data), own.with_data(**data))):
        ours, theirs = (nutpie.sample(c, draws=200, tune=200, chains=2, seed=9, progress_bar=False) for c in (a, b))
        for name in ("treatment_effect", "subject_effect", "residual_sd"):
            np.testing.assert_array_equal(ours["posterior"][name].values, theirs["posterior"][name].values)
