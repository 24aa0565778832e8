"""Fits per minute: pm.sample loops vs a model compiled once (nutpie with_data); exact vs NUTS.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/fast_fitting.py``. Each fit is 2 chains x
(500 warm-up + 500 draws) on simulated data of the SBC structures (bayes_ldn.simulation.structures);
the compiled path's compile time is reported separately. The last row group is the SBC study itself
(engine, 2 local processes): once with worker start-up and one compile per worker included, once at
the steady-state rate of the warm workers (``bayes_ldn.simulation.throughput``). The SBC reads its five
parameters from nutpie's raw trace (``sbc_nuts``); the "compiled once" rows convert every fit to a
DataTree (``CompiledTrialModel.fit``). Scaling over schedulers: ``benchmarks/simulation_scaling.py``.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))
from _machine import write_table  # noqa: E402

from bayes_ldn.simulation import nuts_study, rank_uniformity, run_study, throughput  # noqa: E402
from bayes_ldn.simulation.structures import cached_compiled  # noqa: E402
from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, available_structures  # noqa: E402
from bayes_ldn.stats import normal_hierarchical  # noqa: E402

logging.getLogger("pymc").setLevel(logging.ERROR)


def _loop(structure: str, sampler: str, n: int) -> float:
    model = cached_compiled(structure, DEFAULT_STRUCTURES[structure])
    y = model.forward(1)["outcome"]
    start = time.perf_counter()
    for i in range(n):
        with model.trial_model.pymc_model as m, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm.set_data({model.data_name: y}, model=m) if model.data_name in m.named_vars else None
            pm.sample(draws=500, tune=500, chains=2, cores=1, nuts_sampler=sampler, random_seed=i,
                      progressbar=False, compute_convergence_checks=False)
    return (time.perf_counter() - start) / n


def main() -> None:
    available_structures()
    rows = []
    for structure in ("hierarchical", "crossover"):
        t0 = time.perf_counter()
        model = cached_compiled(structure, DEFAULT_STRUCTURES[structure])
        compile_s = time.perf_counter() - t0
        truths = [model.forward(s) for s in range(30)]
        t0 = time.perf_counter()
        for s, truth in enumerate(truths):
            model.fit(truth["outcome"], random_seed=s, draws=500, tune=500, chains=2)
        per_fit = (time.perf_counter() - t0) / len(truths)
        rows.append({"structure": structure, "method": "nutpie compiled once + with_data", "fits": len(truths),
                     "s_per_fit": per_fit, "fits_per_min": 60 / per_fit, "compile_s": compile_s})
        for sampler in ("nutpie", "pymc"):
            s = _loop(structure, sampler, 3)
            rows.append({"structure": structure, "method": f"pm.sample loop, nuts_sampler={sampler}", "fits": 3,
                         "s_per_fit": s, "fits_per_min": 60 / s, "compile_s": float("nan")})
    # Exact hierarchical posterior vs NUTS on the same data.
    model = cached_compiled("hierarchical", DEFAULT_STRUCTURES["hierarchical"])
    truth = model.forward(7)
    t0 = time.perf_counter()
    for _ in range(100):
        exact = normal_hierarchical(truth["outcome"], DEFAULT_STRUCTURES["hierarchical"]["ses"],
                                    tau_prior=stats.halfnorm(scale=0.5), mu_prior=(0.0, 1.0))
    exact_s = (time.perf_counter() - t0) / 100
    tree = model.fit(truth["outcome"], random_seed=1, draws=2000, tune=1000, chains=2)
    mu = np.asarray(tree["posterior"]["mu"]).ravel()
    rows.append({"structure": "hierarchical", "method": "exact quadrature (normal_hierarchical)", "fits": 100,
                 "s_per_fit": exact_s, "fits_per_min": 60 / exact_s, "compile_s": 0.0})
    notes = (f"Exact vs NUTS (2 x 2000 draws) on one simulated data set: posterior mean of mu {exact.mu.mean:.4f} "
             f"(exact) vs {mu.mean():.4f} (NUTS), SD {exact.mu.sd:.4f} vs {mu.std():.4f}.\n")
    # SBC study of the crossover model on 2 local processes (start-up and compile included).
    n = 200
    # Every sampler setting stated (target_accept included), so study.json records them.
    study = nuts_study("crossover", n_draws=99, draws=500, tune=500, chains=2)
    result = run_study(study, n_sims=n, root_seed=2026, scheduler="processes", workers=2)
    rate = throughput(result)
    table = rank_uniformity(result.rows, n_draws=99, bins=20)
    rows.append({"structure": "crossover", "method": "SBC study, engine on 2 processes (incl. start-up+compile)",
                 "fits": n, "s_per_fit": 60 / rate["overall"], "fits_per_min": rate["overall"],
                 "compile_s": rate["first_fit_seconds"]})
    rows.append({"structure": "crossover", "method": "SBC study, engine on 2 processes, steady state (warm)",
                 "fits": n, "s_per_fit": 60 / rate["steady"], "fits_per_min": rate["steady"], "compile_s": 0.0})
    notes += (f"\nSBC rows: compile_s is the slowest worker's first simulation (PyMC import, compile, one fit); "
              f"run_study wall {result.wall_seconds:.1f} s for {n} simulations.\n"
              "\nSBC of the crossover model, 200 simulations (chi-square, 20 bins, alpha 0.01 Bonferroni):\n\n```\n"
              + table.to_string(index=False, float_format=lambda v: f"{v:.4g}") + "\n```\n"
              + f"divergences: {int(result.rows['divergences'].sum())}\n")
    write_table("fast_fitting", "Fits per minute: compiled-once vs pm.sample loops; exact vs NUTS",
                pd.DataFrame(rows), "OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/fast_fitting.py", notes)


if __name__ == "__main__":
    main()
