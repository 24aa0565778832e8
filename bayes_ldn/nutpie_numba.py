"""nutpie's numba compilation of a PyMC model, with C entry points that are cheap to build and cached.

``nutpie.compile_pymc_model`` (numba backend) compiles two PyTensor functions (log density and
gradient; draw expansion) with numba, which PyTensor caches on disk, and then wraps each in a
``numba.cfunc`` that nuts-rs calls. Those wrappers are compiled afresh in every process: for the
58-subject crossover model they took ~4.5 s of a ~5.8 s compilation with a filled disk cache
(measured with nutpie 0.16.11, numba 0.68), most of it for numba's broadcasting ``out[...] = grad``
(its shape-mismatch error message) and the ``literal_unroll`` over a record of shared data.

:func:`compile_nutpie_numba` builds the same :class:`nutpie.compile_pymc.CompiledPyMCModel` from
the same PyTensor functions, with wrappers generated as plain source (element loops, one line per
data container) that read nutpie's own ``user_data`` record, so ``with_data`` works unchanged.
Their source and the PyTensor cache key of the function they call make a key under which numba
caches them in PyTensor's numba cache directory; with a filled cache a process loads them
instead of compiling them (and never compiles or loads the wrapped PyTensor functions either).
The wrappers return the same codes and write the same numbers as nutpie's, so the draws are
bit-for-bit those of ``pm.sample(nuts_sampler="nutpie")`` (``tests/foundation/test_compile_cache.py``).

Processes sharing the disk cache (two notebooks, the workers of a simulation study) compile one
structure one at a time: :func:`compile_nutpie_numba` holds an inter-process file lock named by
the model's structure (:func:`structure_lock`) while it compiles and writes the cache, so the
second process loads what the first wrote instead of writing the same entries at the same moment
(numba's index update is a read-modify-write, atomic per file but not across writers). Different
structures compile in parallel.

The model is compiled without fast-math (``numba__fastmath=False``; PyTensor's default is on). With
it, LLVM may reassociate and contract floating-point operations differently when it compiles a
function together with its callees than when it loads each from the disk cache, so the same seed
gave draws 5e-8 apart (our wrappers) or wholly different chains (``nutpie.compile_pymc_model``)
depending only on whether the cache was empty (measured on the 20-subject crossover model; issue
18's failures under concurrency were this). Without it the code is IEEE-exact and the draws are
the same in every process; sampling the 58-subject crossover model took 0.5-0.6 s either way.

It relies on nutpie internals (``_make_functions``, the ``user_data`` layout), so it is used
only for the nutpie versions it was written against (:data:`NUTPIE_VERSIONS`); any other version
goes through ``nutpie.compile_pymc_model`` unchanged.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path
from typing import Any
from uuid import uuid4

import numpy as np

__all__ = ["MIRRORED", "NUTPIE_VERSIONS", "compile_nutpie_numba", "structure_lock", "supported"]

#: nutpie versions whose ``compile_pymc`` internals this module mirrors.
NUTPIE_VERSIONS = ("0.16.",)
#: The exact versions this module was written and checked against (bit-for-bit draws), pinned in
#: ``requirements.lock``; ``tests/foundation/test_pins.py`` fails when the installed ones drift.
MIRRORED = {"nutpie": "0.16.11", "pytensor": "3.3.8", "numba": "0.68.0"}

# Bump when the generated wrapper source changes meaning without changing its text.
_WRAPPER_VERSION = 1

_LOGP_SIG = "int64(uint64, CPointer(float64), CPointer(float64), CPointer(float64), voidptr)"
_EXPAND_SIG = "int64(uint64, uint64, CPointer(float64), CPointer(float64), voidptr)"


def supported() -> bool:
    """Whether the installed nutpie is one this module mirrors, and PyTensor has the numba cache it uses."""
    import nutpie

    try:
        from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src  # noqa: F401
    except ImportError:  # another PyTensor: compile through nutpie, uncached, rather than fail
        return False
    return nutpie.__version__.startswith(NUTPIE_VERSIONS)


def structure_lock(structure: Any) -> Any:
    """The inter-process lock (``filelock.FileLock``) under which ``structure`` is compiled.

    Parameters
    ----------
    structure : hashable or None
        The model's structure key (:func:`bayes_ldn.compile_cache.structure_key`). Its ``repr``
        names the lock file, so every process building the same structure takes the same lock.
        A key whose ``repr`` shows an object's address (``at 0x...``, different in every process),
        or ``None``, takes one lock shared by all such models: still exclusive, never parallel.

    Notes
    -----
    The lock files live beside PyTensor's cache (``<base_compiledir>/bayes_ldn_locks``): processes
    that share that cache share the locks, others do not wait for each other. The operating
    system releases a lock when its holder dies, so a killed process leaves no stale lock.
    """
    from filelock import FileLock
    from pytensor.configdefaults import config

    text = None if structure is None else repr(structure)
    if text is None or re.search(r" at 0x[0-9a-fA-F]+", text):
        name = "any-structure"
    else:
        name = hashlib.sha256(text.encode()).hexdigest()[:32]
    folder = Path(config.base_compiledir) / "bayes_ldn_locks"
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(folder / f"{name}.lock")


def compile_nutpie_numba(model: Any, structure: Any = None) -> Any:
    """``nutpie.compile_pymc_model(model)`` (numba backend, default options), with cached wrappers.

    Parameters
    ----------
    model : pymc.Model
    structure : hashable, optional
        The model's structure key (:func:`bayes_ldn.compile_cache.structure_key`), naming the
        inter-process lock held while compiling (:func:`structure_lock`); without it the lock is
        the one shared by every model without a key.

    Returns
    -------
    nutpie.compile_pymc.CompiledPyMCModel
    """
    from pytensor import config

    # Without LLVM's fast-math flags (which PyTensor sets by default) the same seed gives the same
    # draws whether this process compiles the model or loads it from the disk cache; with them the
    # code differs with how it was optimised (draws 5e-8 apart, or wholly different chains).
    with structure_lock(structure), config.change_flags(numba__fastmath=False):
        return _compile(model)


def _compile(model: Any) -> Any:
    import nutpie

    if not supported():
        return nutpie.compile_pymc_model(model)
    import nutpie.compile_pymc as cp
    from pymc.initial_point import make_initial_point_fn

    # As compile_pymc_model does for its defaults: support points jittered by U(-1, 1).
    pymc_initial = cp._wrap_with_lock(make_initial_point_fn(
        model=model, overrides=None, default_strategy="support_point", jitter_rvs=set(model.free_RVs),
        return_transformed=True))
    n_dim, n_expanded, logp_pt, expand_pt, initial_point_fn, shape_info, reparameterized = cp._make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True, pymc_initial_point_fn=pymc_initial,
        var_names=None)
    shared_data: dict[str, np.ndarray] = {}
    shared_var_keys: dict[Any, str] = {}
    for var in [*logp_pt.get_shared(), *expand_pt.get_shared()]:
        if var not in shared_var_keys:
            key = uuid4().hex
            shared_data[key] = np.array(var.get_value(), order="C", copy=True)
            shared_data[key].flags.writeable = False
            shared_var_keys[var] = key
    user_data = cp.make_user_data(shared_var_keys, shared_data)
    logp_keys = [shared_var_keys[v] for v in logp_pt.get_shared()]
    expand_keys = [shared_var_keys[v] for v in expand_pt.get_shared()]
    logp_c = _cfunc("logp", logp_pt.vm.jit_fn, user_data, logp_keys, shared_data, n_dim, n_expanded)
    expand_c = _cfunc("expand", expand_pt.vm.jit_fn, user_data, expand_keys, shared_data, n_dim, n_expanded)
    dims, coords = cp._prepare_dims_and_coords(model, shape_info, reparameterized)
    return cp.CompiledPyMCModel(
        _n_dim=n_dim, dims=dims, _coords=coords, _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info)},
        compiled_logp_func=logp_c, compiled_expand_func=expand_c, initial_point_func=initial_point_fn,
        shared_data=shared_data, shared_var_keys=shared_var_keys, user_data=user_data, n_expanded=n_expanded,
        shape_info=shape_info, logp_func=logp_pt, expand_func=expand_pt, reparameterized_names=reparameterized,
    )


def _word(dtype: np.dtype, *path: str) -> int:
    """Index, in 8-byte words, of the field at ``path`` of nutpie's ``user_data`` record."""
    offset = 0
    for name in path:
        dtype, off = dtype.fields[name][:2]
        offset += off
    if offset % 8 or dtype.base.itemsize != 8:
        raise TypeError(f"unexpected nutpie user_data layout at {path}")
    return offset // 8


_LOGP_BODY = """\
        logp_val, grad = inner(x{args})
        logp_[0] = logp_val
        finite = True
        for i in range({n_dim}):
            g = grad[i]
            out_[i] = g
            if not np.isfinite(g):
                finite = False
        if not finite:
            return 3
        if not np.isfinite(logp_val):
            return 4
    except Exception:
        return 1
    return 0
"""

_EXPAND_BODY = """\
        (values,) = inner(x{args})
        for i in range({n_expanded}):
            out_[i] = values[i]
    except Exception:
        return -2
    return 0
"""


def _source(kind: str, user_data: np.ndarray, keys: list[str], shared_data: dict[str, np.ndarray], n_dim: int,
            n_expanded: int) -> tuple[str, dict[str, Any]]:
    """Source of the C entry point of ``kind`` and the globals it needs besides ``inner``."""
    record = user_data.dtype
    lines, env, args = [], {}, ""
    for j, key in enumerate(keys):
        value = shared_data[key]
        data = _word(record, "shared", "data", key)
        shape = _word(record, "shared", "shape", key)
        dims = "".join(f"int(ud[{shape + d}]), " for d in range(value.ndim))
        env[f"dtype{j}"] = value.dtype.type
        lines.append(f"        s{j} = numba.carray(_void_ptr(ud[{data}]), ({dims}), dtype{j})")
        args += f", s{j}"
    n_words = user_data.dtype.itemsize // 8
    if kind == "logp":
        head = f"def logp_cfunc(dim, x_, out_, logp_, user_data_):\n    if dim != {n_dim}:\n        return -1\n"
        body = _LOGP_BODY.format(args=args, n_dim=n_dim)
    else:
        head = (f"def expand_cfunc(dim, expanded, x_, out_, user_data_):\n    if dim != {n_dim}:\n        return -1\n"
                f"    if expanded != {n_expanded}:\n        return -1\n")
        body = _EXPAND_BODY.format(args=args, n_expanded=n_expanded)
    read = (f"    try:\n        x = numba.carray(x_, ({n_dim},))\n"
            f"        ud = numba.carray(user_data_, ({n_words},), np.uint64)\n")
    return head + read + "\n".join(lines) + ("\n" if lines else "") + body, env


def _cfunc(kind: str, inner: Any, user_data: np.ndarray, keys: list[str], shared_data: dict[str, np.ndarray],
           n_dim: int, n_expanded: int) -> Any:
    import numba
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS, compile_numba_function_src

    src, env = _source(kind, user_data, keys, shared_data, n_dim, n_expanded)
    inner_key = CACHED_SRC_FUNCTIONS.get(inner.py_func)
    # Cached only when PyTensor could key the wrapped function; the wrapper's key covers its own
    # source (sizes, data layout) and that function's key, so a hit is this exact wrapper.
    cache_key = None if inner_key is None else hashlib.sha256(
        f"{_WRAPPER_VERSION}\n{inner_key}\n{src}".encode()).hexdigest()
    name = f"{kind}_cfunc"
    # ``__name__``: numba rebuilds a cached function's environment from the module of its globals.
    func = compile_numba_function_src(src, name, global_env={"__name__": __name__, "np": np, "numba": numba,
                                                             "inner": inner, "_void_ptr": _void_ptr, **env},
                                      cache_key=cache_key)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Cannot cache compiled function", category=numba.NumbaWarning)
        return numba.cfunc(_LOGP_SIG if kind == "logp" else _EXPAND_SIG, cache=cache_key is not None)(func)


def _void_ptr_intrinsic():
    from numba.core import cgutils, types
    from numba.extending import intrinsic

    @intrinsic
    def void_ptr(typingctx, address):
        """The integer ``address`` as a ``void*`` (data pointers are stored as uint64)."""
        def codegen(context, builder, signature, args):
            return builder.inttoptr(args[0], cgutils.voidptr_t)

        return types.voidptr(address), codegen

    return void_ptr


_void_ptr = _void_ptr_intrinsic()
