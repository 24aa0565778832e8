"""SBC of the crossover structures: the AB/BA model ``bayes-ldn sbc --model crossover`` runs (58
subjects, normal residuals), Student-t residuals, first period only, two outcomes jointly.

Test (see ``_sbc_models``): 2 x 500 NUTS draws thinned to 99 per fit, chi-square on the
stated number of rank bins, Bonferroni alpha 0.01 over each structure's scalar targets.
"""

import pytest

from tests.simulation._sbc_models import assert_sbc_uniform


@pytest.mark.sbc
@pytest.mark.parametrize(("name", "n_sims", "bins"), [
    ("crossover", 1000, 20),
    ("crossover_student", 1000, 20),
    ("first_period", 1000, 20),
    ("first_period_student", 1000, 20),
    ("crossover_joint", 300, 20),
])
def test_sbc_crossover_variants_are_uniform(name, n_sims, bins):
    assert_sbc_uniform(name, n_sims=n_sims, bins=bins)
