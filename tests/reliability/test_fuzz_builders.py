"""Property tests of the summary-level PyMC builder, ``aggregate_model`` (issue 18).

Its inputs are the validated ``EffectLikelihood`` and ``EffectPrior`` (fuzzed in
test_fuzz_numbers.py); here the builder is given whatever those constructors accept, and wrong
types, and must either build a model whose log density at the posterior's exact mean is finite
and equal to the closed form, or refuse with one ``DataValidationError``.
"""

from __future__ import annotations

import math

import numpy as np
import pymc  # noqa: F401 - imported before Hypothesis runs: PyMC raises the recursion limit on import
from hypothesis import event, given
from hypothesis import strategies as st
from scipy import stats

import bayes_ldn as bl
from tests.reliability._fuzz_common import NUMBERS, SETTINGS, WRONG_TYPES, outcome
from tests.reliability.test_fuzz_numbers import ORDINARY, PRIORS, SCALES, _likelihood, _maybe

COVERED: frozenset[str] = frozenset({"aggregate_model"})
NOT_NUMERIC: dict[str, str] = {}

LIKELIHOODS = st.builds(lambda e, s, sign: _maybe(lambda: _likelihood(e, s, sign)), st.one_of(NUMBERS, ORDINARY),
                        st.one_of(SCALES, NUMBERS), st.sampled_from([1, -1])).filter(lambda x: x is not None)


# Ordinary inputs half of the time, so the closed-form check runs on many examples, not a few.
VALID_LIKELIHOODS = st.builds(_likelihood, ORDINARY, st.floats(1e-3, 1e3), st.sampled_from([1, -1]))
NORMAL_PRIORS = st.builds(bl.priors.normal, ORDINARY, st.floats(1e-2, 1e3))


@SETTINGS
@given(likelihood=st.one_of(VALID_LIKELIHOODS, LIKELIHOODS, WRONG_TYPES),
       prior=st.one_of(NORMAL_PRIORS, PRIORS, WRONG_TYPES))
def test_aggregate_model(likelihood, prior):
    model, err = outcome(lambda: bl.aggregate_model(likelihood, prior))
    if err is not None:
        event("refused")
        return
    assert isinstance(likelihood, bl.EffectLikelihood) and isinstance(prior, bl.priors.EffectPrior)
    if prior.family != "normal":
        return
    m = model.pymc_model
    # Closed form: log N(theta | mu, sigma) + log N(estimate | theta, se) at theta = estimate.
    point = {"treatment_effect_aligned": np.asarray(likelihood.estimate)}
    mu, sigma = prior.params["mu"], prior.params["sigma"]
    expected = stats.norm.logpdf(likelihood.estimate, mu, sigma) + stats.norm.logpdf(0.0, 0.0, likelihood.se)
    got = float(m.compile_logp()(point))
    event("log density checked" if math.isfinite(expected) else "log density underflows")
    if math.isfinite(expected):
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), (got, expected)
