"""``fit`` leaves logging as it found it and hides only the warnings it knows to be noise."""

import logging
import sys
import warnings

import pytest

import bayes_ldn.fit as _  # noqa: F401 - the module, through sys.modules
fit_module = sys.modules["bayes_ldn.fit"]


def test_known_noise_is_counted_and_other_warnings_pass_through():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("overflow encountered in exp", RuntimeWarning)
        warnings.warn("overflow encountered in exp", RuntimeWarning)
        warnings.warn("something the user must see", UserWarning)
        inner = list(caught)
    with pytest.warns(UserWarning, match="must see") as passed:
        hidden = fit_module._sort_warnings(inner)
    assert [str(w.message) for w in passed] == ["something the user must see"]
    assert hidden == [{"category": "RuntimeWarning", "message": "overflow encountered in exp", "count": 2}]


def test_pymc_logger_restored():
    logger = logging.getLogger("pymc")
    before = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with fit_module._quiet_pymc_logger():
            assert logger.level == logging.ERROR
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(before)


@pytest.mark.slow
def test_fit_restores_logging_and_records_hidden_warnings():
    import bayes_ldn as bl
    from bayes_ldn import priors as pr

    lik = bl.to_likelihood(bl.load_record("final_pain"), "ci_normal")
    logger = logging.getLogger("pymc")
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        idata = bl.fit(bl.aggregate_model(lik, pr.normal(1, 1)), random_seed=1, draws=1000, chains=4)
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(before)
    assert list(fit_module.hidden_warnings(idata).columns) == ["category", "message", "count"]


def test_bl_fit_stays_the_function_after_its_module_is_imported():
    import importlib

    import bayes_ldn as bl

    importlib.import_module("bayes_ldn.fit")
    importlib.import_module("bayes_ldn.random_finding")
    assert callable(bl.fit) and bl.fit.__module__ == "bayes_ldn.fit"
    assert callable(bl.random_finding) and not isinstance(bl.random_finding, type(bl))
    assert callable(bl.fit)  # the second access too (it used to be the module)
