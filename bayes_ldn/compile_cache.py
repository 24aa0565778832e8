"""Compile each model structure once per process and reuse it for every fit of that structure.

``pm.sample(nuts_sampler="nutpie")`` compiles the model with numba on every call (6-20 s on this
machine for the crossover model), although sampling it takes about 0.2 s. A miss here compiles with
:func:`bayes_ldn.nutpie_numba.compile_nutpie_numba` (about 1 s once PyTensor's disk cache holds the
structure, ~11 s on an empty one). Two models built by the
same builder with the same choices, effect-prior *families* and data *shapes* differ only in the
values held by their data containers (``pm.Data``: the data, and the effect prior's parameters,
see :func:`bayes_ldn.designs._common.effect_prior_rv`); their log-density graphs are otherwise
identical. This
module keys a per-process cache by that structure (:func:`structure_key`) and, on a hit, swaps the
new model's data values into the compiled model with nutpie's ``with_data`` (no recompilation).

The key is exact, not heuristic: it walks the log-density and draw-expansion graphs in
topological order and records every operation, every constant's bytes, and every data
container's name, type and shape, plus the lengths of the model's coordinates (the labels are
swapped in on a hit). Two models share a compiled model only if all of these agree, so a cache
hit returns the same posterior as a fresh compilation (tested in ``tests/foundation/test_compile_cache.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["cache_info", "clear_cache", "compiled_nutpie", "structure_key"]

_CACHE: dict[Any, Any] = {}
_LOCK = threading.Lock()
_STATS = {"hits": 0, "misses": 0}


def _constant_token(data: Any) -> tuple[Any, ...]:
    arr = np.asarray(data)
    return ("const", arr.dtype.str, arr.shape, hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest())


def _graph(model: Any) -> tuple[list[Any], list[Any]]:
    from pytensor.graph.traversal import graph_inputs

    outputs = [model.logp(), *model.unobserved_value_vars]
    return outputs, list(graph_inputs(outputs))


def structure_key(model: Any) -> tuple[Any, ...] | None:
    """A hashable key that two PyMC models share iff they compile to the same nutpie model.

    Parameters
    ----------
    model : pymc.Model

    Returns
    -------
    tuple or None
        ``None`` when some operation in the graph is not hashable (then no caching is done).

    Notes
    -----
    Graph inputs are tokenised as: constants by dtype, shape and SHA-256 of their bytes; shared
    variables (``pm.Data`` containers) by name, type and the *shape* of their current value
    (values are swapped in on a hit); value variables by name and type. Each operation is
    recorded by the op object itself (PyTensor ops compare and hash by their ``__props__``)
    and the positions of its inputs.
    """
    return _key_and_data(model)[0]


def _key_and_data(model: Any) -> tuple[tuple[Any, ...] | None, dict[str, np.ndarray]]:
    from pytensor.compile.sharedvalue import SharedVariable
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import io_toposort

    outputs, inputs = _graph(model)
    data = {v.name: v.get_value() for v in inputs if isinstance(v, SharedVariable)}
    ids: dict[Any, int] = {}
    tokens: list[Any] = []
    for var in inputs:
        if isinstance(var, Constant):
            tok = _constant_token(var.data)
        elif isinstance(var, SharedVariable):
            tok = ("shared", var.name, str(var.type), np.shape(var.get_value(borrow=True)))
        else:
            tok = ("input", var.name, str(var.type))
        ids[var] = len(ids)
        tokens.append(tok)
    for node in io_toposort(inputs, outputs):
        args = []
        for i in node.inputs:
            if i not in ids:  # a constant created inside the graph
                ids[i] = len(ids)
                tokens.append(_constant_token(i.data) if isinstance(i, Constant) else ("free", str(i.type)))
            args.append(ids[i])
        tokens.append((node.op, tuple(args)))
        for o in node.outputs:
            ids[o] = len(ids)
    tokens.append(("outputs", tuple(ids[o] for o in outputs)))
    # Coordinate *lengths* only: labels are relabelled on a hit (see compiled_nutpie).
    coords = tuple((k, None if v is None else len(v)) for k, v in sorted(model.coords.items()))
    dims = tuple(sorted((k, tuple(v)) for k, v in model.named_vars_to_dims.items()))
    names = tuple(v.name for v in model.unobserved_value_vars)
    # Initial values are not part of the key: a hit gets this model's own (compiled_nutpie).
    key = (tuple(tokens), coords, dims, names)
    try:
        hash(key)
    except TypeError:
        return None, data
    return key, data


def compiled_nutpie(model: Any) -> Any:
    """The nutpie compiled model for ``model``, compiled at most once per structure and process.

    On a cache hit the returned model carries ``model``'s current data-container values
    (``CompiledModel.with_data``), so it samples *this* model's posterior.
    """
    from bayes_ldn.nutpie_numba import compile_nutpie_numba

    key, values = _key_and_data(model)
    with _LOCK:
        base = _CACHE.get(key) if key is not None else None
    if base is not None and any(var.name not in values for var in base.shared_var_keys):
        base, key = None, None  # a container the compiled model reads is not in this model's graph
    if base is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base = compile_nutpie_numba(model, key)
        _STATS["misses"] += 1
        if key is not None:
            with _LOCK:
                _CACHE[key] = base
        return base
    _STATS["hits"] += 1
    hit = base.with_data(**{var.name: values[var.name] for var in base.shared_var_keys})
    # The compiled model labels its output with the coordinates it was compiled with; this
    # model's labels (e.g. other subject IDs, same count) must label this model's draws.
    labels = {k: pd.Index(v) for k, v in model.coords.items() if v is not None}
    return dataclasses.replace(hit, _coords={**(base.coords or {}), **labels},
                               initial_point_func=_initial_point_func(model))


def _initial_point_func(model: Any) -> Any:
    """``seed -> flat unconstrained start`` of *this* model, as nutpie builds it at compilation.

    Builders may set data-dependent initial values (e.g. the parallel model starts the reference
    change at its sample mean), so a reused compiled model must start from the new model's point:
    support points of the free variables with a U(-1, 1) jitter, in ``model.free_RVs`` order.
    """
    from pymc.initial_point import make_initial_point_fn

    point_fn = make_initial_point_fn(model=model, default_strategy="support_point", jitter_rvs=set(model.free_RVs),
                                     return_transformed=True)
    names = [model.rvs_to_values[rv].name for rv in model.free_RVs]
    lock = threading.Lock()  # nutpie asks for starting points from several threads

    def initial_point(seed: Any) -> np.ndarray:
        with lock:
            point = point_fn(seed)
        return np.concatenate([np.asarray(point[name], dtype="float64").ravel() for name in names])

    return initial_point


def cache_info() -> dict[str, int]:
    """Hits, misses and the number of cached structures in this process."""
    return {**_STATS, "size": len(_CACHE)}


def clear_cache() -> None:
    """Forget every compiled model (e.g. to measure a cold fit)."""
    with _LOCK:
        _CACHE.clear()
        _STATS.update(hits=0, misses=0)
