"""SBC of the crossover model: serial, 2 local processes, Dask LocalCluster with 1 and 2 workers.

Run: ``OPENBLAS_NUM_THREADS=1 flock /tmp/bench.lock .venv/bin/python benchmarks/simulation_scaling.py``.

One study throughout: ``bayes-ldn sbc --model crossover`` defaults (2 chains x (500 warm-up + 500
draws), ranks of L = 99 thinned draws, the five scalar parameters), 200 simulations, root seed
2026. Each scheduler runs in a fresh Python process so that every figure pays the same start-up:

- ``incl_startup``: simulations per minute of that process's whole life (interpreter start,
  imports, pool or cluster start, one numba compile per worker, sampling, shut-down);
- ``steady``: :func:`bayes_ldn.simulation.throughput` -- each worker's rate after its first
  simulation (which carries the imports and compile), summed over workers;
- ``first_fit_s``: the slowest worker's first simulation (PyMC import + compile + one fit);
- ``speedup`` columns: relative to the Dask LocalCluster with 1 worker.

PyTensor's disk cache holds the structure (``bayes-ldn precompile``, which ``make`` runs, or any
earlier run), as on a machine set up by the README's first command: each worker's compile then
loads the compiled log density and nutpie's entry points (about 1 s). On an empty cache every
worker compiles them afresh (about 10 s; ``models_vs_brms.md``).

Every configuration runs ``REPEATS`` times, round-robin; the table shows medians and the notes
the range.

``ranks_identical`` compares every row (all ranks and the divergence count) with the serial run.
A profile of one worker's time (imports, compile, per-fit sampling, DataTree conversion, ranks)
and the SBC uniformity test of the 200 simulations are written below the table.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

#: The recorded run uses 200; SCALING_N_SIMS shortens development runs.
N_SIMS, ROOT_SEED = int(os.environ.get("SCALING_N_SIMS", "200")), 2026
#: Runs of each scheduler (the table shows medians: single runs on this shared VM vary by ~25%).
REPEATS = int(os.environ.get("SCALING_REPEATS", "3"))
FIT = {"draws": 500, "tune": 500, "chains": 2}
#: (label, scheduler, workers); the label is also the child's command-line argument.
CONFIGS = [("serial", "serial", 1), ("processes-2", "processes", 2), ("processes-2-resumable", "processes", 2),
           ("dask-1", "dask", 1), ("dask-2", "dask", 2)]


def _study():
    from bayes_ldn.simulation import SBC_DRAWS, nuts_study

    # Every sampler setting stated (target_accept included), so study.json records them.
    return nuts_study("crossover", n_draws=SBC_DRAWS, **FIT)


def child(label: str, out: Path) -> None:
    """Run one scheduler configuration and pickle its rows, timings and wall times to ``out``."""
    from bayes_ldn.simulation import run_study, throughput

    _, scheduler, workers = next(c for c in CONFIGS if c[0] == label)
    study = _study()
    extra: dict = {"cluster_start_s": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        kwargs = {"n_sims": N_SIMS, "root_seed": ROOT_SEED, "progress": False,
                  "out_dir": tmp if label.endswith("resumable") else None}
        if scheduler == "dask":
            import distributed

            t0 = time.perf_counter()
            with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None) as cluster, distributed.Client(cluster) as client:
                extra["cluster_start_s"] = time.perf_counter() - t0
                run = run_study(study, scheduler=client, **kwargs)
        else:
            run = run_study(study, scheduler=scheduler, workers=workers, **kwargs)
    out.write_bytes(pickle.dumps({"rows": run.rows, "rate": throughput(run), "run_wall_s": run.wall_seconds, **extra}))


def profile(out: Path) -> None:
    """Where one worker's time goes: imports, compile, and each part of a fit (50 fits)."""
    import numpy as np

    t0 = time.perf_counter()
    import nutpie  # noqa: F401  (timed: the worker's import cost)
    import pymc  # noqa: F401

    from bayes_ldn.simulation import simulation_seeds
    from bayes_ldn.simulation.compiled import flat_draws
    from bayes_ldn.simulation.structures import cached_compiled
    from bayes_ldn.simulation.sbc import posterior_arrays, sbc_nuts, thinned

    study = _study()
    params = study.params
    times = {"import PyMC, nutpie, bayes_ldn.simulation": time.perf_counter() - t0}
    t0 = time.perf_counter()
    model = cached_compiled("crossover", params["structure_params"])
    times["build + compile the crossover model (numba, once per worker)"] = time.perf_counter() - t0
    seeds = simulation_seeds(ROOT_SEED, 55)
    t0 = time.perf_counter()
    sbc_nuts(0, seeds[0], **params)
    times["first simulation after compile"] = time.perf_counter() - t0
    parts = dict.fromkeys(("forward", "sample", "tree", "ranks"), 0.0)
    n = 50
    for i in range(5, 5 + n):
        a = time.perf_counter()
        y = model.forward(1000 + i)["outcome"]
        b = time.perf_counter()
        arrays, _ = posterior_arrays(model, y, params["targets"], random_seed=i, **FIT)
        c = time.perf_counter()
        [thinned(arrays[name], params["n_draws"]) for name in params["targets"]]
        d = time.perf_counter()
        tree = model.fit(y, random_seed=i, **FIT)
        [flat_draws(tree, name, params["n_draws"]) for name in params["targets"]]
        e = time.perf_counter()
        parts["forward"] += b - a
        parts["sample"] += c - b
        parts["ranks"] += d - c
        parts["tree"] += (e - d) - (c - b)  # the same fit again, converted to a DataTree
    t0 = time.perf_counter()
    for i in range(n):
        sbc_nuts(i, seeds[i], **params)
    per_sim = (time.perf_counter() - t0) / n
    rows = [{"step": k, "seconds": v, "per": "once per worker"} for k, v in times.items()]
    rows += [
        {"step": "prior draw of truth + data (compiled forward)", "seconds": parts["forward"] / n, "per": "fit"},
        {"step": "NUTS, raw Arrow trace + read 5 targets (sbc_nuts now)", "seconds": parts["sample"] / n,
         "per": "fit"},
        {"step": "thinning to L = 99 + ranks", "seconds": parts["ranks"] / n, "per": "fit"},
        {"step": "extra for a full DataTree (sbc_nuts before; CompiledTrialModel.fit)",
         "seconds": parts["tree"] / n, "per": "fit"},
        {"step": "whole sbc_nuts simulation (50, warm)", "seconds": per_sim, "per": "fit"},
    ]
    out.write_bytes(pickle.dumps(pd.DataFrame(rows)))


def _spawn(*args: str) -> tuple[dict | pd.DataFrame, float]:
    from bayes_ldn.simulation.engine import THREAD_LIMITS

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.pkl"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, *args, str(out)], capture_output=True, text=True,
                              env={**os.environ, **THREAD_LIMITS})
        wall = time.perf_counter() - t0
        if proc.returncode:
            raise RuntimeError(f"{args} failed:\n{proc.stderr[-4000:]}")
        return pickle.loads(out.read_bytes()), wall


def _busy_cpu_seconds() -> float:
    """CPU seconds every process on the machine has used since boot (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def _lock_held_by_another(path: str = "/tmp/bench.lock") -> bool:
    """Whether some process (``flock`` around this run) holds the benchmark lock."""
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def main() -> None:
    from _machine import write_table

    from bayes_ldn.simulation import SBC_DRAWS, rank_uniformity

    # Other agents share this machine: measure how much CPU they took during the run.
    locked = _lock_held_by_another()
    t0, busy0, own0 = time.perf_counter(), _busy_cpu_seconds(), _own_cpu_seconds()
    runs = []
    for repeat in range(REPEATS):  # round-robin, so that a slow spell of the machine hits every scheduler
        for label, _, workers in CONFIGS:
            result, wall = _spawn("--child", label)
            runs.append({"scheduler": label, "workers": workers, "repeat": repeat, "process_wall_s": wall,
                         "cluster_start_s": result["cluster_start_s"], "first_fit_s": result["rate"]["first_fit_seconds"],
                         "incl_startup_per_min": 60 * N_SIMS / wall, "steady_per_min": result["rate"]["steady"],
                         "rows": result["rows"]})
            print(f"{label} #{repeat}: {wall:.1f} s", flush=True)
    prof, _ = _spawn("--profile")
    others = (_busy_cpu_seconds() - busy0 - (_own_cpu_seconds() - own0)) / ((time.perf_counter() - t0) * os.cpu_count())
    every = pd.DataFrame(runs)
    reference = every["rows"].iloc[0]
    identical = every.assign(same=[r.equals(reference) for r in every["rows"]]).groupby("scheduler", sort=False)["same"]
    table = every.drop(columns=["rows", "repeat"]).groupby(["scheduler", "workers"], sort=False).median().reset_index()
    base = table.set_index("scheduler").loc["dask-1"]
    table.insert(2, "fits", N_SIMS)
    table["speedup_incl"] = table["incl_startup_per_min"] / base["incl_startup_per_min"]
    table["speedup_steady"] = table["steady_per_min"] / base["steady_per_min"]
    table["ranks_identical"] = table["scheduler"].map(identical.all()).map({True: "yes", False: "NO"})
    spread = every.groupby("scheduler", sort=False)[["incl_startup_per_min", "steady_per_min"]].agg(["min", "max"])
    uniformity = rank_uniformity(reference, n_draws=SBC_DRAWS, bins=20)
    fmt = {"float_format": lambda v: f"{v:.4g}", "index": False}
    notes = (
        f"{N_SIMS} simulations, root seed {ROOT_SEED}, 2 chains x (500 + 500), L = {SBC_DRAWS}; each scheduler in "
        f"a fresh process (`process_wall_s` from launch to exit), {REPEATS} times round-robin; the table shows "
        f"medians. `ranks_identical`: every row (ranks and divergences) of every repeat equals the first serial "
        f"run's. The machine is shared with other agents; "
        + ("this run held /tmp/bench.lock (no other timed run overlapped)" if locked else
           "this run did NOT hold /tmp/bench.lock") + f", and other processes used {100 * max(others, 0):.0f}% of "
        f"the {os.cpu_count()} cores' time during it (/proc/stat minus this run's own CPU).\n\n"
        "Range over the repeats (fits per minute):\n\n```\n" + spread.to_string(float_format=lambda v: f"{v:.4g}")
        + "\n```\n\nWhere one worker's time goes (fresh process, crossover model):\n\n```\n"
        + prof.to_string(**fmt) + "\n```\n\n"
        f"SBC uniformity of the serial run (chi-square, 20 bins, alpha 0.01 Bonferroni), divergences "
        f"{int(reference['divergences'].sum())}:\n\n```\n" + uniformity.to_string(**fmt) + "\n```\n")
    write_table("simulation_scaling", "SBC of the crossover model: serial, local processes and Dask workers", table,
                "OPENBLAS_NUM_THREADS=1 flock /tmp/bench.lock .venv/bin/python benchmarks/simulation_scaling.py",
                notes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "OUT"))
    parser.add_argument("--profile", metavar="OUT")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
    elif args.profile:
        profile(Path(args.profile))
    else:
        main()
