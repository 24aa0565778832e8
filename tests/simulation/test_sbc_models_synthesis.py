"""SBC of the synthesis meta-regression on dose (five trials, fixed SEs, half-normal tau prior).

Test (see ``_sbc_models``): 2 x 500 NUTS draws thinned to 99 per fit, chi-square on 20 rank
bins, Bonferroni alpha 0.01 over ``mu``, ``slope``, ``tau`` and ``theta_new``.
"""

import pytest

from tests.simulation._sbc_models import assert_sbc_uniform


@pytest.mark.sbc
def test_sbc_meta_regression_is_uniform():
    assert_sbc_uniform("meta_regression", n_sims=1000, bins=20)
