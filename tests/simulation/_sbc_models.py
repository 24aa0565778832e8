"""Shared check of the design-structure SBC tests (``test_sbc_models_*.py``).

Every structure is run with :func:`~bayes_ldn.simulation.sbc.sbc_nuts` (nutpie, 2 chains x 500
draws after 500 tuning steps at target_accept :data:`~bayes_ldn.defaults.TARGET_ACCEPT`, the
value ``fit`` uses, except where :data:`TARGET_ACCEPT_OVERRIDE` follows a builder's advice, thinned to ``SBC_DRAWS`` = 99 draws, so ranks take 100 values)
on the serial scheduler from one root seed, and its ranks go through
:func:`~bayes_ldn.simulation.sbc.rank_uniformity`: Pearson chi-square on ``bins`` equal rank bins,
each scalar target at ``SBC_ALPHA / m`` = 0.01 / m (Bonferroni over the ``m`` scalar targets of
that structure). Divergent transitions are reported, not asserted: SBC is the test of whether
they bias the posterior.
"""

from __future__ import annotations

import time

from bayes_ldn.simulation import SBC_ALPHA, SBC_DRAWS, rank_uniformity, run_study
from bayes_ldn.simulation.sbc import nuts_study
from bayes_ldn.simulation.structures import SBC_TARGETS, available_structures

ROOT_SEED = 2026
FIT = {"draws": 500, "tune": 500, "chains": 2}
#: Structures calibrated at the target_accept their builder's docstring advises for them: the
#: family model with LKJ residuals left 121 of 400 fits divergent at 0.9, and its residual_sd[2]
#: ranks then failed uniformity in one run (p 0.00018 < 0.01/14) and passed in another (min p
#: 0.021) with the same seeds; at 0.95 37 of 400 fits diverged and min p was 0.0125 (127 s).
TARGET_ACCEPT_OVERRIDE = {"parallel_family_corr": 0.95}


def assert_sbc_uniform(name: str, *, n_sims: int, bins: int) -> None:
    """Run ``n_sims`` SBC simulations of structure ``name`` and assert every target's ranks are uniform."""
    assert name in available_structures()
    study = nuts_study(name, **FIT, **({"target_accept": TARGET_ACCEPT_OVERRIDE[name]}
                                         if name in TARGET_ACCEPT_OVERRIDE else {}))
    start = time.perf_counter()
    rows = run_study(study, n_sims=n_sims, root_seed=ROOT_SEED, scheduler="serial").rows
    seconds = time.perf_counter() - start
    table = rank_uniformity(rows, n_draws=SBC_DRAWS, bins=bins)
    divergent = rows["divergences"]
    summary = (f"SBC {name} (target_accept {study.params['target_accept']}): {n_sims} sims, {bins} bins, "
               f"{len(table)} scalar targets at alpha "
               f"{SBC_ALPHA}/{len(table)}; "
               f"min p = {table['p_value'].min():.3g} ({table.loc[table['p_value'].idxmin(), 'parameter']}); "
               f"divergences {int(divergent.sum())} in {int((divergent > 0).sum())} fits; {seconds:.0f} s")
    print(summary)
    assert len(table) >= len(SBC_TARGETS[name])
    assert table["uniform"].all(), summary + "\n" + table.to_string()
