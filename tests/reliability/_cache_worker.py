"""One process of the concurrency stress test (tests/reliability/test_concurrent_cache.py).

``python tests/reliability/_cache_worker.py STRUCTURE SEEDS OUT_DIR [START_FILE]`` builds the
crossover model of ``STRUCTURE`` (``normal`` or ``student`` residuals), waits until
``START_FILE`` exists (so that every process compiles at the same moment), fits it once per seed
through ``bayes_ldn.fit.fit`` (compiled once per process, entry points through the disk cache)
and saves each seed's draws to ``OUT_DIR/STRUCTURE-SEED.npz``. The disk caches are whatever
``PYTENSOR_FLAGS=base_compiledir=...`` and ``NUMBA_CACHE_DIR`` point at.
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np


def main(structure: str, seeds: str, out_dir: str, start_file: str | None = None) -> None:
    from bayes_ldn.data.crossover import CrossoverData
    from bayes_ldn.data.simulate_crossover import simulate_crossover
    from bayes_ldn.designs.crossover import crossover_model
    from bayes_ldn.fit import fit
    from bayes_ldn.priors import normal

    frame, _ = simulate_crossover(treatment_effect=1.0, period_effect=0.3, subject_sd=1.5, residual_sd=1.0,
                                  random_seed=4, n_subjects=20, dropout=0.0, intercept=5.0)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    model = crossover_model(data, normal(0.0, 2.0), better="higher", carryover="none", likelihood=structure,
                            baseline=False, nuisance="scale_0_10")
    if start_file is not None:
        deadline = time.monotonic() + 600
        while not Path(start_file).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    for seed in (int(s) for s in seeds.split(",")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = fit(model, random_seed=seed, draws=200, tune=200, chains=2)
        post = idata["posterior"]
        import bayes_ldn

        from bayes_ldn.compile_cache import _CACHE

        (compiled,) = _CACHE.values()
        # How this process got nutpie's C entry points: 1 = loaded from the disk cache, 0 = compiled.
        hits = compiled.compiled_logp_func.cache_hits + compiled.compiled_expand_func.cache_hits
        np.savez(Path(out_dir) / f"{structure}-{seed}.npz", package=np.array(bayes_ldn.__file__), entry_point_hits=hits,
                 **{name: post[name].values for name in ("treatment_effect", "residual_sd", "subject_sd")})


if __name__ == "__main__":
    main(*sys.argv[1:])
