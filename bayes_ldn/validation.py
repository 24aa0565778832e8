"""Checks on user-given numbers shared by every entry point (library and CLI).

Double precision holds values up to about 1.8e308, but a model squares, sums and divides them:
an outcome of 1e308 overflows the data's standard deviation to ``inf`` and the sampler then
fails deep inside compiled code (a traceback, once a segmentation fault). So every number a user
gives is checked to be finite and within ``MAX_ABS`` (and a scale within ``[MIN_SCALE,
MAX_ABS]``) before any computation: with :math:`|x| \\le 10^{100}` the squares and products
that the models form stay below :math:`10^{300}`, inside the double range. Real outcomes are far
inside these bounds in any unit; a value beyond them is a typo or a unit error, and the message
says to rescale.

The functions return lists of problems (sentences: what, where, how to fix) for the caller to
raise in one :class:`~bayes_ldn.exceptions.DataValidationError` with its other problems.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["MAX_ABS", "MAX_COUNT", "MIN_SCALE", "array_problems", "count_problems", "duplicate_column_problems",
           "finite_float", "float_vector", "integer_problems", "is_real", "normal_prior_problems", "number_problems",
           "optional_real_problems", "probability_problems", "real_problems", "sample_size_problems",
           "scale_problems"]

#: Largest magnitude accepted for any user-given number (see the module docstring).
MAX_ABS: float = 1e100
#: Smallest positive scale (SE, SD) accepted: 1/MIN_SCALE**2 must stay finite.
MIN_SCALE: float = 1e-100
#: Largest count (patients in an arm, a Beta prior's pseudo-count) accepted: Beta(1e12, ...) draws and
#: log odds lose all precision (NaN results); no trial arm is that large.
MAX_COUNT: int = 10**9

_RESCALE = "rescale the units (e.g. thousands instead of units) or correct the value"


def _float(v: Any) -> float | None:
    """``float(v)``, or None when ``v`` is not a number (a list, a word)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def number_problems(values: Mapping[str, float | None], *, scales: tuple[str, ...] = (),
                    required: bool = False) -> list[str]:
    """Problems with named scalars: not a number, non-finite, beyond ``MAX_ABS``, or (for ``scales``)
    positive but below ``MIN_SCALE``. ``None`` (not given) is skipped unless ``required``; a scale
    <= 0 is left to the caller.

    Parameters
    ----------
    values : mapping
        Name as the user wrote it (``"--estimate"``, ``"se"``) -> value.
    scales : tuple of str
        Names that must be positive scales (an SE, an SD).
    """
    out = []
    for name, v in values.items():
        if v is None:
            if required:
                out.append(f"{name} must be given (a number), got None")
            continue
        # A string or bytes that float() reads ("1", b"1") still fails in arithmetic later: a library
        # caller gives numbers (the command line converts its text first).
        if not isinstance(v, Real) and not (hasattr(v, "dtype") and getattr(v, "ndim", 1) == 0 and v.dtype.kind in "iuf"):
            out.append(f"{name} must be a number, got {v!r}")
            continue
        x = float(v)
        if not math.isfinite(x):
            out.append(f"{name} must be a finite number, got {x}")
        elif abs(x) > MAX_ABS:
            out.append(f"{name} = {x:g} is beyond +-{MAX_ABS:g}, outside what double precision computes "
                       f"reliably here; {_RESCALE}")
        elif name in scales and 0 < x < MIN_SCALE:
            # A non-positive scale is the caller's to report (its own message says what a scale is).
            out.append(f"{name} must be a positive scale of at least {MIN_SCALE:g}, got {x:g}")
    return out


def float_vector(values: Any, name: str) -> tuple[np.ndarray | None, list[str]]:
    """``values`` as a non-empty one-dimensional float array, or ``None`` and the problem (text, a
    scalar, a nested list or an empty sequence raised TypeError or failed later). Entries are not
    checked: the caller reports NaN and bounds in its own terms (positions, rows)."""
    try:
        a = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None, [f"{name} must be a sequence of numbers, got {values!r:.80}"]
    if a.ndim != 1 or a.size == 0:
        return None, [f"{name} must be a non-empty one-dimensional sequence of numbers, got {values!r:.80}"]
    return a, []


def is_real(v: Any) -> bool:
    """Whether ``v`` is a real number (Python or NumPy int or float, not a bool)."""
    # bool is an int subclass, but True as an SE or a seed is a mistake, not the number 1.
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def real_problems(values: Mapping[str, Any], *, scales: tuple[str, ...] = ()) -> list[str]:
    """:func:`number_problems` for arguments of a library function: a value that is not a real
    number (text, ``None``, a list, a bool) is a problem too, not converted or skipped."""
    out = [f"{name} must be a real number, got {v!r}" for name, v in values.items() if not is_real(v)]
    return out + number_problems({k: v for k, v in values.items() if is_real(v)}, scales=scales)


def integer_problems(values: Mapping[str, Any], *, minimum: int, maximum: int | None = None) -> list[str]:
    """Problems with named whole-number arguments (draws, chains, a seed, a sample size): not an
    integer (a float, text, ``None``, a bool), below ``minimum`` or above ``maximum``."""
    out = []
    for name, v in values.items():
        if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
            out.append(f"{name} must be a whole number, got {v!r}")
        elif v < minimum:
            out.append(f"{name} must be at least {minimum}, got {v}")
        elif maximum is not None and v > maximum:
            out.append(f"{name} must be at most {maximum:,}, got {v:,}; use a smaller value")
    return out


def optional_real_problems(values: Mapping[str, Any], *, scales: tuple[str, ...] = ()) -> list[str]:
    """:func:`real_problems` where ``None`` means "not given" and is skipped (an optional argument:
    an MCID, a dose). Text such as ``"1"`` or ``b"1"`` passes ``float()`` but failed later inside
    the computation (TypeError, NumPy's UFuncNoLoopError), so it is refused here too."""
    return real_problems({k: v for k, v in values.items() if v is not None}, scales=scales)


def scale_problems(values: Mapping[str, float | None], *, required: bool = False) -> list[str]:
    """Problems with named positive scales (an SE, an SD, an MCID): :func:`number_problems` with
    every name a scale, and a value <= 0 reported as not positive. ``None`` is skipped unless ``required``."""
    out = number_problems(values, scales=tuple(values), required=required)
    bad = {k for k, v in values.items() if v is not None and any(p.startswith(f"{k} ") for p in out)}
    return out + [f"{k} must be positive, got {v}" for k, v in values.items()
                  if v is not None and k not in bad and not float(v) > 0]


def sample_size_problems(values: Mapping[str, Any], *, minimum: int = 1) -> list[str]:
    """Problems with named sample sizes: a whole number from ``minimum`` to ``MAX_ABS``."""
    out = []
    for name, v in values.items():
        if not _whole(v):
            out.append(f"{name} must be a whole number (a count), got {v!r}")
        elif v < minimum:
            out.append(f"{name} must be at least {minimum}, got {v}")
        elif v > MAX_ABS:
            out.append(f"{name} = about 1e{len(str(int(v))) - 1} is beyond {MAX_ABS:g}; {_RESCALE}")
    return out


def _whole(v: Any) -> bool:
    """True for an int (any size) or a finite float with no fractional part; not for a bool."""
    if isinstance(v, bool) or not isinstance(v, Real):
        return False
    if isinstance(v, (int, np.integer)):
        return True
    return math.isfinite(v) and float(v).is_integer()


def probability_problems(values: Mapping[str, float | None]) -> list[str]:
    """Problems with named probabilities (an interval's coverage, a threshold) outside ``(0, 1)``;
    a coverage of 1 would print infinite limits. ``None`` (not given) is skipped."""
    out = []
    for name, v in values.items():
        x = _float(v)
        if v is not None and x is None:  # a string or list raised TypeError/ValueError in float()
            out.append(f"{name} must be a number strictly between 0 and 1, got {v!r}")
        elif v is not None and not 0 < x < 1:  # type: ignore[operator]
            out.append(f"{name} must lie strictly between 0 and 1, got {v}")
    return out


def count_problems(values: Mapping[str, Any]) -> list[str]:
    """Problems with named counts: not a whole number, negative, or beyond ``MAX_COUNT``.
    ``None`` is reported as missing; the caller checks relations between counts (events <= n)."""
    out = []
    for name, v in values.items():
        x = math.nan if isinstance(v, bool) else _float(v)
        if x is None or not math.isfinite(x) or x != int(x):
            out.append(f"{name} must be a whole number (a count), got {v!r}")
        elif x < 0:
            out.append(f"{name} must not be negative, got {v!r}")
        elif x > MAX_COUNT:
            out.append(f"{name} = {v!r} is beyond {MAX_COUNT:.0e}: check the number")
    return out


def normal_prior_problems(value: Any, name: str) -> list[str]:
    """Problems with a normal prior given as ``(mean, sd)``; ``None`` (flat) is accepted.

    The mean must be finite and within ``MAX_ABS``, the SD a scale in ``[MIN_SCALE, MAX_ABS]``
    (an SD of 5e-324 divided by zero; 1e308 overflowed the precision-weighted mean).
    """
    if value is None:
        return []
    try:
        mean, sd = value
    except (TypeError, ValueError):
        return [f"{name} must be (mean, sd) or None (flat), got {value!r}"]
    out = [f"{name} {k} is missing: give a number" for k, v in (("mean", mean), ("sd", sd)) if v is None]
    out += optional_real_problems({f"{name} mean": mean, f"{name} sd": sd}, scales=(f"{name} sd",))
    if not out and not float(sd) > 0:
        out.append(f"{name} sd must be positive, got {sd!r}; give (mean, sd) with sd > 0, or None (flat)")
    return out


def array_problems(values: np.ndarray, *, what: str, rows: str) -> list[str]:
    """Problems with the finite entries of an array whose magnitude exceeds ``MAX_ABS``.

    ``rows`` formats the 0-based row positions of a boolean mask (the caller's own style);
    non-finite entries are the caller's to report (it knows whether they mean missing).
    """
    big = np.isfinite(values) & (np.abs(values) > MAX_ABS)
    if not big.any():
        return []
    return [f"{what}: value(s) beyond +-{MAX_ABS:g} in rows {rows(big)}, outside what double precision "
            f"computes reliably here; {_RESCALE}"]


def finite_float(text: str) -> float:
    """``argparse`` type: a finite float within ``MAX_ABS`` (else exit 2 with one message)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    problems = number_problems({"value": x})
    if problems:
        raise argparse.ArgumentTypeError(problems[0].replace("value", repr(text), 1))
    return x


def duplicate_column_problems(df: Any, roles: Mapping[str, str]) -> list[str]:
    """Problems with the columns ``roles`` (role -> column name) names: a name the frame holds more
    than once (ambiguous), or one column given two roles."""
    out = []
    names = [str(c) for c in df.columns]
    for col in sorted({str(c) for c in roles.values()}):
        if names.count(col) > 1:
            out.append(f"column {col!r} appears {names.count(col)} times in the data; give each column a unique name")
    by_column: dict[str, list[str]] = {}
    for role, col in roles.items():
        by_column.setdefault(str(col), []).append(role)
    for col, rs in by_column.items():
        if len(rs) > 1:
            out.append(f"column {col!r} is given several roles ({', '.join(rs)}); each role needs its own column")
    return out
