"""Savage-Dickey BF10 against a direct ratio of marginal likelihoods by quadrature."""

import numpy as np
import pytest
from scipy import integrate, stats

from bayes_ldn.bayes_factor import bf10_sensitivity, evidence_label, savage_dickey_bf10
from bayes_ldn.exceptions import DataValidationError


def _bf_by_quadrature(y, s, m0, s0):
    marginal_h1, _ = integrate.quad(
        lambda t: stats.norm.pdf(y, t, s) * stats.norm.pdf(t, m0, s0), -np.inf, np.inf,
        epsabs=0, epsrel=1e-12, limit=200,
    )
    return marginal_h1 / stats.norm.pdf(y, 0.0, s)


@pytest.mark.parametrize(("y", "s", "m0", "s0"), [
    (0.495, 0.2086, 0.0, 0.5), (0.495, 0.2086, 0.0, 0.1), (0.495, 0.2086, 0.0, 2.0),
    (-1.0, 0.5, 0.0, 1.0), (0.1, 0.3, 0.2, 0.4), (2.0, 0.84, 0.0, 5.0),
])
def test_savage_dickey_equals_marginal_likelihood_ratio(y, s, m0, s0):
    assert savage_dickey_bf10(y, s, prior_mean=m0, prior_sd=s0) == pytest.approx(
        _bf_by_quadrature(y, s, m0, s0), rel=1e-9
    )


def test_sensitivity_table_and_lindley():
    table = bf10_sensitivity(0.495, 0.2086, prior_mean=0.0, prior_sds=[0.1, 1.0, 100.0, 1e4])
    assert list(table.columns) == ["prior_sd", "bf10", "log10_bf10", "evidence"]
    for sd_, bf in zip(table["prior_sd"], table["bf10"], strict=True):
        assert bf == pytest.approx(_bf_by_quadrature(0.495, 0.2086, 0.0, sd_), rel=1e-6)
    # Lindley: a very wide prior favours the null
    assert table["bf10"].iloc[-1] < 1 / 3


def test_evidence_labels():
    assert evidence_label(4.26) == "moderate for H1"
    assert evidence_label(0.2) == "moderate for H0"
    assert evidence_label(1e-3) == "extreme for H0"


def test_improper_prior_refused():
    with pytest.raises(DataValidationError, match="needs a proper prior"):
        savage_dickey_bf10(0.5, 0.2, prior_mean=0.0, prior_sd=np.inf)
    with pytest.raises(DataValidationError, match="se must be positive"):
        savage_dickey_bf10(0.5, 0.0, prior_mean=0.0, prior_sd=1.0)
