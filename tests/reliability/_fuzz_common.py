"""Shared strategies and checks of the property-based tests of public functions (issue 18).

Every fuzz module ``tests/reliability/test_fuzz_*.py`` that covers public library functions
declares ``COVERED`` (the public names it fuzzes, as reached from ``bayes_ldn``: ``"conjugate_normal"``,
``"conversions.se_from_ci"``) and ``NOT_NUMERIC`` (public names of its area that take no numbers or
frames, with the reason); ``tests/reliability/test_fuzz_registry.py`` checks that together they
name every public callable, so a new public function cannot go unfuzzed.

The contract checked by :func:`outcome`: a call either returns an answer with no NaN or infinity
in it (``math.inf`` only where a quantity is documented to be infinite is the caller's to allow)
or raises one :class:`~bayes_ldn.exceptions.DataValidationError` whose problems are non-empty
sentences; never another exception, never a warning (``RuntimeWarning`` from NumPy or SciPy on
the way is a defect too).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bayes_ldn.exceptions import DataValidationError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
#: Values that broke entry points before: non-finite, subnormal, at and beyond double's range.
EXTREMES = st.sampled_from([0.0, -0.0, 1e-308, -1e-308, 5e-324, 1e308, -1e308, 1.7976931348623157e308, math.inf,
                            -math.inf, math.nan, 1e100, 1e101, -1e-100, 1e-101, 1.0, -3.5])
#: Any float (NaN and infinities included), the extremes, and ordinary values.
NUMBERS = st.one_of(EXTREMES, st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e3, 1e3))
#: Wrong types where a number is expected.
WRONG_TYPES = st.sampled_from(["seven", "", None, [1.0, 2.0], {"a": 1}, b"1", object()])


def non_finite_in(obj: Any, path: str = "result") -> list[str]:
    """Where ``obj`` (a number, array, frame, mapping, sequence or dataclass) holds NaN or +-inf."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return []
    if isinstance(obj, (int, np.integer)):
        return []
    if isinstance(obj, (float, np.floating)):
        return [] if math.isfinite(obj) else [f"{path} = {obj}"]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc" and not np.all(np.isfinite(obj)):
            return [f"{path} has non-finite entries"]
        if obj.dtype.kind == "O":
            return [p for i, v in enumerate(obj.ravel()) for p in non_finite_in(v, f"{path}[{i}]")]
        return []
    if isinstance(obj, pd.DataFrame):
        return [p for c in obj.columns for p in non_finite_in(obj[c].to_numpy(), f"{path}[{c!r}]")]
    if isinstance(obj, pd.Series):
        return non_finite_in(obj.to_numpy(), path)
    if isinstance(obj, Mapping):
        return [p for k, v in obj.items() for p in non_finite_in(v, f"{path}[{k!r}]")]
    if isinstance(obj, (list, tuple)):
        return [p for i, v in enumerate(obj) for p in non_finite_in(v, f"{path}[{i}]")]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [p for f in dataclasses.fields(obj) for p in non_finite_in(getattr(obj, f.name), f"{path}.{f.name}")]
    return []


def outcome(call: Callable[[], Any]) -> tuple[Any, DataValidationError | None]:
    """Run ``call`` with every warning an error; return ``(result, None)`` or ``(None, error)``.

    Any exception other than ``DataValidationError`` propagates and fails the test, as does a
    ``DataValidationError`` without problems or with an empty sentence.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = call()
        except DataValidationError as err:
            assert err.problems and all(isinstance(p, str) and p.strip() for p in err.problems), err
            return None, err
    return result, None


def assert_finite_or_refused(call: Callable[[], Any], *, allow: Callable[[str], bool] = lambda where: False) -> Any:
    """:func:`outcome`, and a returned answer must be finite everywhere (``allow(path)`` exempts a path
    documented as possibly infinite, such as a moment that does not exist). Returns the result or None."""
    result, err = outcome(call)
    if err is None:
        bad = [p for p in non_finite_in(result) if not allow(p)]
        assert not bad, bad
    return result
