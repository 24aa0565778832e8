"""SBC of the parallel-group structures: ANCOVA, change score, Student-t, outcome family.

Test (see ``_sbc_models``): 2 x 500 NUTS draws thinned to 99 per fit, chi-square on the
stated number of rank bins, Bonferroni alpha 0.01 over each structure's scalar targets.
"""

import numpy as np
import pytest
from scipy import stats

from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, available_structures
from bayes_ldn.simulation.structures_parallel import (
    CHANGE_SD,
    SLOPE_PRIOR,
    family_model,
    parallel_family_structure,
)
from tests.simulation._sbc_models import assert_sbc_uniform


@pytest.mark.sbc
@pytest.mark.parametrize(("name", "n_sims", "bins"), [
    ("parallel", 1000, 20),
    ("parallel_change", 1000, 20),
    ("parallel_student", 1000, 20),
    ("parallel_family", 1000, 20),
    ("parallel_family_corr", 400, 20),
])
def test_sbc_parallel_structures_are_uniform(name, n_sims, bins):
    assert_sbc_uniform(name, n_sims=n_sims, bins=bins)


def test_family_structure_changes_only_the_flat_priors():
    # The SBC structure must be the shipped model but for the two flat priors it makes proper:
    # with c = m_c + s_c z and beta = m_b + s_b w, its log density is the shipped one plus the
    # standard-normal log densities of z and w (the flat priors contribute 0).
    assert "parallel_family" in available_structures()
    params = DEFAULT_STRUCTURES["parallel_family"]
    shipped = family_model(**params).pymc_model
    structure = parallel_family_structure(**params).pymc_model
    rng = np.random.default_rng(5)
    point = {name: rng.normal(size=v.shape) for name, v in shipped.initial_point().items()}
    z, w = rng.normal(size=3), rng.normal(size=3)
    shipped_point = {**point, "change_reference": CHANGE_SD * z,
                     "baseline_slope": SLOPE_PRIOR[0] + SLOPE_PRIOR[1] * w}
    structure_point = {k: v for k, v in point.items() if k not in ("change_reference", "baseline_slope")}
    structure_point |= {"change_reference_z": z, "baseline_slope_z": w}
    expected = shipped.compile_logp()(shipped_point) + stats.norm.logpdf(np.r_[z, w]).sum()
    assert structure.compile_logp()(structure_point) == pytest.approx(expected, rel=1e-12)
