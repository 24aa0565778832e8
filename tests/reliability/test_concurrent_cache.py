"""Concurrent processes sharing an empty PyTensor/numba disk cache get exactly the draws of a
fresh compilation (issue 18).

Four processes start compiling at the same moment (a start file releases them once imported)
on one empty cache: two the normal-residual crossover model, two the Student-t one, each with
its own seed, and two of them importing bayes_ldn from a second copy of the package (two
installs of one commit, as when the issue's failures were seen). Each structure is then compiled and sampled again in a process with its own empty
cache (the reference: nothing shared, nothing loaded). Every process's draws must equal the
reference's bit for bit. The caches live under ``tmp_path``
(``PYTENSOR_FLAGS=base_compiledir=...``, ``NUMBA_CACHE_DIR``), never the user's.
``BAYES_LDN_STRESS_ROUNDS`` repeats the whole round on a new empty cache (the README reports 10).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
JOBS = [("normal", "11"), ("normal", "12"), ("student", "11"), ("student", "12")]


def _env(cache: Path, install: Path | None = None) -> dict[str, str]:
    paths = [*([str(install)] if install else []), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={cache / 'pytensor'}",
           "NUMBA_CACHE_DIR": str(cache / "numba"), "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(paths)}
    return env


def _start(args: list[str], cache: Path, install: Path | None = None) -> subprocess.Popen:
    # Run as a script (not -m): sys.path then starts with PYTHONPATH, so a second install comes first.
    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("_cache_worker.py")), *args], cwd=ROOT,
                            env=_env(cache, install), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        out, err = p.communicate(timeout=1200)
        assert p.returncode == 0, f"worker {p.args[3:]} exited {p.returncode}:\n{err[-3000:]}"


def _release(procs: list[subprocess.Popen], start: Path) -> None:
    time.sleep(20)  # imports done (about 8 s here); then all compile at once
    start.touch()
    _wait(procs)


def _round(tmp: Path) -> None:
    shared, out, ref = tmp / "shared-cache", tmp / "concurrent", tmp / "reference"
    out.mkdir(parents=True)
    ref.mkdir()
    start = tmp / "start"
    # The failures came with a second install of the same commit on the same cache: the
    # second and fourth processes import bayes_ldn from a copy of the package elsewhere.
    other = tmp / "other-install"
    shutil.copytree(ROOT / "bayes_ldn", other / "bayes_ldn", ignore=shutil.ignore_patterns("__pycache__"))
    procs = [_start([structure, seed, str(out), str(start)], shared, other if i % 2 else None)
             for i, (structure, seed) in enumerate(JOBS)]
    _release(procs, start)
    refs = [_start([structure, "11,12", str(ref)], tmp / f"own-cache-{structure}") for structure in ("normal", "student")]
    _wait(refs)
    for structure, seed in JOBS:
        ours, theirs = np.load(out / f"{structure}-{seed}.npz"), np.load(ref / f"{structure}-{seed}.npz")
        used = str(ours["package"])
        assert used.startswith(str(other)) == (JOBS.index((structure, seed)) % 2 == 1), used
        for name in ("treatment_effect", "residual_sd", "subject_sd"):
            np.testing.assert_array_equal(ours[name], theirs[name], err_msg=f"{structure} seed {seed}: {name}")


@pytest.mark.slow
def test_concurrent_processes_on_an_empty_cache_sample_like_a_fresh_compilation(tmp_path):
    rounds = int(os.environ.get("BAYES_LDN_STRESS_ROUNDS", "1"))
    for r in range(rounds):
        _round(tmp_path / f"round{r}")


@pytest.mark.slow
def test_processes_compiling_one_structure_take_turns(tmp_path):
    """Two processes released at the same moment on an empty cache compile one structure in turn:
    the first compiles and writes nutpie's entry points, the second waits for its lock and loads
    them (``nutpie_numba.structure_lock``). Without the lock both compile and write the same
    entries at once (0 loads), the situation in which the issue's failures were seen."""
    out, start = tmp_path / "out", tmp_path / "start"
    out.mkdir()
    procs = [_start(["normal", seed, str(out), str(start)], tmp_path / "cache") for seed in ("11", "12")]
    _release(procs, start)
    hits = sorted(int(np.load(out / f"normal-{seed}.npz")["entry_point_hits"]) for seed in ("11", "12"))
    assert hits == [0, 2], f"entry points loaded by each process (2 = both loaded): {hits}"


@pytest.mark.slow
def test_same_draws_whether_compiled_or_loaded_from_the_disk_cache(tmp_path):
    """A process that compiles the model on an empty cache and one that loads it from the cache the
    first left draw the same numbers for the same seed. With PyTensor's default fast-math the loaded
    code was optimised differently and the draws differed by up to 5e-8 (what the issue saw)."""
    outs = [tmp_path / "compiled", tmp_path / "loaded"]
    for out in outs:
        out.mkdir()
        _wait([_start(["normal", "11", str(out)], tmp_path / "cache")])
    first, second = (np.load(out / "normal-11.npz") for out in outs)
    assert (int(first["entry_point_hits"]), int(second["entry_point_hits"])) == (0, 2)
    for name in ("treatment_effect", "residual_sd", "subject_sd"):
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)
