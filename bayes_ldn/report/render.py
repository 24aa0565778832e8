"""Render report figures to SVG data URIs, on several local processes when the platform allows.

Drawing and writing the report's 20 two- and three-panel figures is most of the cost of
``bayes-ldn reanalyze`` (about 0.1 s per figure on one core, against 3 s for everything else), and
each figure is independent, so :class:`FigureRenderer` hands them to a process pool. Processes are
*forked*: the children inherit the already-imported matplotlib and bayes_ldn, so a worker costs
milliseconds, where a spawned interpreter would spend a second importing them. Where ``fork`` is
not the safe choice (any platform but Linux, or a process already running other Python threads,
such as a Jupyter kernel, whose locks a forked child could inherit held) or one worker is asked
for, figures are drawn in this process. The SVG bytes do not depend on the number of workers
(tested).
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from matplotlib.figure import Figure

from bayes_ldn.report.figures import figure_data_uri

__all__ = ["FigureJob", "FigureRenderer", "default_workers"]


@dataclass(frozen=True)
class FigureJob:
    """A figure to draw: ``build(**kwargs)`` returns a matplotlib Figure.

    ``build`` must be a module-level function and ``kwargs`` picklable, so that the job can be
    sent to a worker process.
    """

    build: Callable[..., Figure]
    kwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def render(self) -> str:
        """Draw the figure and return it as a ``data:image/svg+xml;base64,...`` URI."""
        return figure_data_uri(self.build(**self.kwargs))


def _render(job: FigureJob) -> str:
    return job.render()


def default_workers() -> int:
    """The CPUs this process may use (its affinity mask where the platform reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class FigureRenderer:
    """A context manager that renders :class:`FigureJob` objects, in parallel where it can.

    ``submit`` returns a :class:`concurrent.futures.Future` of the data URI at once, so the caller
    can compute other parts of the report while workers draw. Leaving the ``with`` block waits
    for every submitted figure; an exception raised while drawing reaches the caller through
    ``Future.result()``.

    Parameters
    ----------
    workers : int, optional
        Worker processes; ``None`` uses every CPU available to this process
        (:func:`default_workers`). With 1, off Linux, or when other Python threads are running,
        figures are drawn in this process (:attr:`parallel` says which).
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = default_workers() if workers is None else workers
        self._pool: cf.ProcessPoolExecutor | None = None

    @property
    def parallel(self) -> bool:
        """Whether figures are drawn by forked worker processes."""
        return self._pool is not None

    def __enter__(self) -> FigureRenderer:
        if self.workers > 1 and sys.platform == "linux" and threading.active_count() == 1:
            self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
            self._pool = None

    def submit(self, job: FigureJob) -> cf.Future[str]:
        """Start drawing ``job``; the future's result is its SVG data URI."""
        if self._pool is not None:
            return self._pool.submit(_render, job)
        done: cf.Future[str] = cf.Future()
        try:
            done.set_result(job.render())
        except Exception as err:  # noqa: BLE001 - handed to the caller through the future, as a pool would
            done.set_exception(err)
        return done
