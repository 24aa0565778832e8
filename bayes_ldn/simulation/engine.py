"""One engine for simulation studies: serial, local processes or Dask, resumable.

A *study* is a pure function ``function(index, seed, **params) -> dict`` of the simulation
index and a :class:`numpy.random.SeedSequence`; it returns one small row of scalars. The engine
derives every simulation's seed from one root seed with ``SeedSequence(root_seed).spawn``, so
simulation ``i`` gets the same seed (and therefore the same row) whatever runs it: serially, on
a :class:`concurrent.futures.ProcessPoolExecutor` or on a Dask cluster.

Resume: with ``out_dir`` the engine appends each finished batch of rows to
``out_dir/<name>-<key>/rows.jsonl`` (``key`` hashes the function, its parameters and the root
seed, not ``n_sims``) and on restart skips the indices already there, so an interrupted study
(or one extended to more simulations) never redoes finished work.

Throughput: each computed simulation's wall-clock start and end and the worker that ran it are
returned beside the rows (:attr:`StudyRun.timings`, never stored with them, so rows stay identical
across schedulers); :func:`throughput` separates the start-up of the workers (imports, one numba
compile per worker for NUTS studies) from their steady-state rate.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.extras import import_optional
from bayes_ldn.validation import integer_problems

__all__ = ["Study", "StudyRun", "run_study", "simulation_seeds", "study_key", "throughput"]

#: Columns of :attr:`StudyRun.timings`.
TIMING_COLUMNS = ("sim", "worker", "start", "end")

#: Environment variables that stop each worker process from starting its own BLAS/OpenMP
#: thread pool: with several workers on 2 cores, nested threading made PyMC 7x slower (issue 9).
THREAD_LIMITS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Study:
    """A simulation study: a pure function of ``(index, seed)`` and its fixed parameters.

    Parameters
    ----------
    name : str
        Short name, used for the output folder (``sbc-aggregate``).
    function : callable
        Module-level function ``function(index: int, seed: SeedSequence, **params) -> dict``
        returning a row of scalars (module-level so it can be pickled to processes and Dask).
    params : mapping
        JSON-serialisable keyword arguments of ``function``; part of the resume key.
    """

    name: str
    function: Callable[..., Mapping[str, Any]]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if not self.name or any(c in self.name for c in "/\\ "):
            problems.append(f"study name {self.name!r} must be non-empty without spaces or slashes")
        if getattr(self.function, "__qualname__", "<lambda>").endswith("<lambda>") or "<locals>" in getattr(
            self.function, "__qualname__", ""
        ):
            problems.append("the study function must be a module-level function (lambdas and closures cannot be sent "
                            "to worker processes)")
        try:
            json.dumps(dict(self.params), sort_keys=True)
        except TypeError as err:
            problems.append(f"study params must be JSON-serialisable (they key the output folder): {err}")
        raise_if("study", problems)


@dataclass(frozen=True)
class StudyRun:
    """The result of :func:`run_study`.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per simulation, column ``sim`` first, sorted by ``sim``.
    n_computed : int
        Simulations computed in this call (the rest were read back from ``folder``).
    folder : Path or None
        Where the rows are stored.
    scheduler : str
        ``"serial"``, ``"processes"`` or the Dask scheduler address.
    timings : pandas.DataFrame
        One row per simulation computed in this call: ``sim``, ``worker`` (host:pid), ``start``
        and ``end`` (``time.time()`` seconds in that worker), sorted by ``sim``.
    wall_seconds : float
        Wall time of this call, worker start-up and shut-down included.
    """

    rows: pd.DataFrame
    n_computed: int
    folder: Path | None
    scheduler: str
    timings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TIMING_COLUMNS))
    wall_seconds: float = float("nan")


def study_key(study: Study, root_seed: int) -> str:
    """SHA-256 prefix of the function, its parameters and the root seed (not ``n_sims``)."""
    fn = study.function
    # Hashed here rather than with designs._common.data_digest, which would import PyMC into
    # every worker process (seconds of start-up for studies that never sample).
    text = json.dumps([f"{fn.__module__}.{fn.__qualname__}", dict(study.params), int(root_seed)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def simulation_seeds(root_seed: int, n_sims: int) -> list[np.random.SeedSequence]:
    """One independent ``SeedSequence`` per simulation, spawned from ``root_seed``.

    Child ``i`` has spawn key ``(i,)`` whatever ``n_sims`` is, so extending a study keeps the
    seeds of the simulations already run.
    """
    return np.random.SeedSequence(int(root_seed)).spawn(int(n_sims))


def _run_batch(
    function: Callable[..., Mapping[str, Any]],
    params: Mapping[str, Any],
    items: Sequence[tuple[int, np.random.SeedSequence]],
) -> tuple[list[dict[str, Any]], list[tuple[int, str, float, float]]]:
    """Run simulations ``items`` in one worker (module-level so it pickles): rows and timings."""
    worker = f"{socket.gethostname()}:{os.getpid()}"
    out, timings = [], []
    for index, seed in items:
        start = time.time()
        row = dict(function(index, seed, **params))
        timings.append((int(index), worker, start, time.time()))
        out.append({"sim": int(index), **{k: _plain(v) for k, v in row.items()}})
    return out, timings


def _plain(value: Any) -> Any:
    """NumPy scalars to Python scalars, so rows are JSON-serialisable and compare exactly."""
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- storage --------------------------------------------------------------------------------


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows already stored; a line cut short by an interruption is dropped from the file."""
    if not path.exists():
        return []
    text = path.read_text()
    if text and not text.endswith("\n"):
        # The process died mid-write: keep only complete lines so appends stay well-formed.
        text = text[: text.rfind("\n") + 1]
        path.write_text(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _append_rows(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    with path.open("a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows))
        f.flush()
        os.fsync(f.fileno())


# --- schedulers -----------------------------------------------------------------------------


@contextlib.contextmanager
def _thread_limited_env() -> Iterator[None]:
    """Set single-threaded BLAS in the environment the worker processes inherit."""
    saved = {k: os.environ.get(k) for k in THREAD_LIMITS}
    for k, v in THREAD_LIMITS.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _batches(items: list[tuple[int, np.random.SeedSequence]], size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _serial(study: Study, batches: list[list]) -> Iterator[tuple[list, list]]:
    for batch in batches:
        yield _run_batch(study.function, study.params, batch)


def _exit_without_teardown() -> None:
    """Last exit handler of a local worker: flush the standard streams and end the process now."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def _worker_start() -> None:
    """Initializer of local worker processes.

    A worker that has compiled a model with numba spends about 1.3 s tearing its interpreter
    down after the pool shuts it down (benchmarks/results/simulation_scaling.md), all of it on the
    study's wall clock. By then its results have been sent and multiprocessing has flushed its
    queues, so this handler -- registered first, hence run after every other exit handler --
    skips only the module teardown (and reports exit status 0, which the pool never reads).
    """
    atexit.register(_exit_without_teardown)


def _processes(study: Study, batches: list[list], workers: int) -> Iterator[tuple[list, list]]:
    # "spawn": a fresh interpreter per worker, never a fork of a process holding threads
    # (tqdm, Dask, numba), and the single-threaded BLAS environment applies before NumPy loads.
    context = multiprocessing.get_context("spawn")
    with _thread_limited_env(), ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start) as pool:
        futures = [pool.submit(_run_batch, study.function, study.params, b) for b in batches]
        for fut in as_completed(futures):
            yield fut.result()


def _dask(study: Study, batches: list[list], client: Any) -> Iterator[tuple[list, list]]:
    import distributed

    futures = [client.submit(_run_batch, study.function, study.params, b, pure=False) for b in batches]
    for fut in distributed.as_completed(futures):
        yield fut.result()


def _resolve_scheduler(scheduler: Any) -> tuple[str, Any]:
    """``(label, client_or_None)``; opens a Dask client for an address string."""
    if scheduler in ("serial", "processes"):
        return scheduler, None
    distributed = import_optional("distributed", "a Dask scheduler")
    if isinstance(scheduler, distributed.Client):
        return str(scheduler.scheduler.address), scheduler
    if isinstance(scheduler, str) and ":" in scheduler:
        return scheduler, None  # connected lazily in run_study, after validation
    raise DataValidationError(
        "scheduler",
        [f"scheduler must be 'serial', 'processes', a Dask address like tcp://HOST:8786 or a distributed.Client; "
         f"got {scheduler!r}"],
    )


#: Most simulations of one study: laying out seeds and batches takes about 13 s per million
#: (n_sims = 1e12 hung), and a million fits is already days of computing.
MAX_SIMS = 1_000_000


def run_study(
    study: Study,
    *,
    n_sims: int,
    root_seed: int,
    scheduler: Any = "serial",
    out_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    progress: bool | None = None,
) -> StudyRun:
    """Run (or resume) ``n_sims`` simulations of ``study``.

    Parameters
    ----------
    study : Study
        The function and its parameters.
    n_sims : int
        Number of simulations (indices ``0 .. n_sims - 1``).
    root_seed : int
        Root of every simulation's seed (:func:`simulation_seeds`).
    scheduler : {"serial", "processes"}, str or distributed.Client
        Where to run: in this process, on local processes, or on a Dask cluster given by its
        address (``"tcp://10.0.0.1:8786"``) or a connected ``Client``.
    out_dir : path, optional
        Folder for resumable output; ``None`` keeps everything in memory.
    workers : int, optional
        Processes for ``"processes"`` (default: the CPU count); with Dask it only sizes the
        batches (default: the cluster's threads).
    batch_size : int, optional
        Simulations per task (default: enough for about 8 tasks per worker, at most 200), the
        unit of both scheduling and saving.
    progress : bool, optional
        Show a tqdm progress bar; default only when standard error is a terminal.

    Returns
    -------
    StudyRun
        Rows identical, simulation by simulation, whichever scheduler ran them.
    """
    started = time.perf_counter()
    problems = []
    if not (isinstance(n_sims, (int, np.integer)) and not isinstance(n_sims, bool) and 1 <= n_sims <= MAX_SIMS):
        problems.append(f"n_sims must be a positive integer of at most {MAX_SIMS:,} (split a larger study), "
                        f"got {n_sims!r}")
    if not (isinstance(root_seed, (int, np.integer)) and root_seed >= 0):
        problems.append(f"root_seed must be a non-negative integer (a literal seed), got {root_seed!r}")
    problems += integer_problems({k: v for k, v in (("workers", workers), ("batch_size", batch_size)) if v is not None},
                                 minimum=1)
    try:
        label, client = _resolve_scheduler(scheduler)
    except DataValidationError as err:
        problems += list(err.problems)
        label, client = "", None
    raise_if("run_study", problems)
    # Before any folder is written: without the 'sim' extra, say which extra to install.
    tqdm = import_optional("tqdm.auto", "the simulation engine (progress bar)").tqdm

    folder = rows_path = None
    done: dict[int, dict] = {}
    if out_dir is not None:
        folder = Path(out_dir) / f"{study.name}-{study_key(study, root_seed)}"
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"name": study.name, "function": f"{study.function.__module__}.{study.function.__qualname__}",
                "params": dict(study.params), "root_seed": int(root_seed)}
        (folder / "study.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        rows_path = folder / "rows.jsonl"
        done = {r["sim"]: r for r in _read_rows(rows_path) if r["sim"] < n_sims}

    seeds = simulation_seeds(root_seed, n_sims)
    todo = [(i, seeds[i]) for i in range(n_sims) if i not in done]

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=n_sims, initial=len(done), desc=study.name, disable=not show, file=sys.stderr)
    own_client = None
    timings: list[tuple[int, str, float, float]] = []
    try:
        if label not in ("serial", "processes") and client is None:
            import distributed

            client = own_client = distributed.Client(label)
        n_workers = workers or _slots(label, client)
        size = batch_size or (max(1, min(200, math.ceil(len(todo) / (8 * n_workers)))) if todo else 1)
        batches = _batches(todo, size)
        if label == "serial":
            stream = _serial(study, batches)
        elif label == "processes":
            stream = _processes(study, batches, n_workers)
        else:
            stream = _dask(study, batches, client)
        for rows, times in stream if batches else ():
            if rows_path is not None:
                _append_rows(rows_path, rows)
            for r in rows:
                done[r["sim"]] = r
            timings += times
            bar.update(len(rows))
    finally:
        bar.close()
        if own_client is not None:
            own_client.close()
    frame = pd.DataFrame([done[i] for i in sorted(done)])
    times_frame = pd.DataFrame(sorted(timings), columns=list(TIMING_COLUMNS))
    return StudyRun(rows=frame, n_computed=len(todo), folder=folder, scheduler=label, timings=times_frame,
                    wall_seconds=time.perf_counter() - started)


def _slots(label: str, client: Any) -> int:
    """Simulations that can run at once: 1 serially, the CPU count locally, the Dask threads."""
    if label == "serial":
        return 1
    if client is not None:
        return max(1, sum(client.nthreads().values()))
    return os.cpu_count() or 1


def throughput(run: StudyRun) -> dict[str, float]:
    """Fits per minute of a run, with and without the workers' start-up.

    Parameters
    ----------
    run : StudyRun
        A run that computed at least one simulation.

    Returns
    -------
    dict
        ``overall``: simulations computed per minute of :attr:`StudyRun.wall_seconds` (worker
        start-up, imports, compilation and shut-down included); ``steady``: the sum over workers
        of ``(n_w - 1) / (end of its last - end of its first simulation)`` per minute, i.e. the
        rate once every worker is warm (workers that ran a single simulation add nothing);
        ``first_fit_seconds``: the longest first simulation of a worker (for NUTS studies the
        import of PyMC and the compile); ``workers``: how many workers computed simulations.
    """
    t = run.timings
    raise_if("throughput", [] if len(t) else ["the run computed no simulations (all were resumed)"])
    steady, first_fit = 0.0, 0.0
    for _, g in t.groupby("worker"):
        g = g.sort_values("start")
        first_fit = max(first_fit, float(g["end"].iloc[0] - g["start"].iloc[0]))
        span = g["end"].iloc[-1] - g["end"].iloc[0]
        if len(g) > 1 and span > 0:
            steady += (len(g) - 1) / float(span)
    return {"overall": 60 * len(t) / run.wall_seconds, "steady": 60 * steady, "first_fit_seconds": first_fit,
            "workers": float(t["worker"].nunique())}
