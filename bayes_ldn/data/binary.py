"""Binary outcomes as published: a validated 2x2 table and a record of where its counts come from.

:func:`two_by_two` turns four counts (numbers or strings, from the command line, a CSV or the
bundled data) into a frozen :class:`TwoByTwo`, collecting every problem (negative or
non-integer counts, an arm of size 0, more events than patients) into one
:class:`~bayes_ldn.exceptions.DataValidationError`. A :class:`BinaryRecord` keeps a published
table with its trial, arms, population, evidence tags and location, as
:class:`~bayes_ldn.data.records.PublishedRecord` does for continuous results; records whose
counts were not published (only percentages) keep ``counts = None`` and say why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bayes_ldn.data.records import EVIDENCE_TAGS, Source
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_COUNT  # a trial arm of a billion patients; 1e12 gave NaN posteriors

__all__ = ["COUNT_FIELDS", "BinaryRecord", "TwoByTwo", "binary_record_from_dict", "two_by_two"]

#: The four counts, in the order the command line and CSV files give them.
COUNT_FIELDS = ("events_treatment", "n_treatment", "events_control", "n_control")


@dataclass(frozen=True)
class TwoByTwo:
    """Events and patients per arm (treatment first), all validated non-negative integers."""

    events_treatment: int
    n_treatment: int
    events_control: int
    n_control: int

    def as_tuple(self) -> tuple[int, int, int, int]:
        """``(events_treatment, n_treatment, events_control, n_control)``."""
        return (self.events_treatment, self.n_treatment, self.events_control, self.n_control)

    def __str__(self) -> str:
        return f"{self.events_treatment}/{self.n_treatment} vs {self.events_control}/{self.n_control}"




def _as_count(value: Any, name: str, where: str) -> tuple[int | None, list[str]]:
    label = f"{name}{where}"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, [f"{label} is missing: give a whole number"]
    if isinstance(value, bool):
        return None, [f"{label} must be a whole number, got {value!r}"]
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None, [f"{label} must be a whole number, got {value!r}"]
    if not math.isfinite(x) or x != int(x):
        return None, [f"{label} must be a whole number (a count of patients), got {value!r}"]
    if x < 0:
        return None, [f"{label} must not be negative, got {value!r}"]
    if x > MAX_COUNT:
        # Beta(1e12, ...) draws and log odds lose all precision (NaN results); no arm is that large.
        return None, [f"{label} = {value!r} is beyond {MAX_COUNT:.0e} patients: check the number"]
    return int(x), []


def two_by_two(
    events_treatment: Any, n_treatment: Any, events_control: Any, n_control: Any, *, where: str = "",
    names: dict[str, str] | None = None,
) -> TwoByTwo:
    """Validate four counts into a :class:`TwoByTwo`; every problem is reported at once.

    Parameters
    ----------
    events_treatment, n_treatment, events_control, n_control
        Counts as ints, integral floats or strings (``"20"``; ``"2.5"`` is refused).
    where : str
        Appended to each field name in messages (e.g. ``" (row 3, study 'Smith')"``).
    names : dict, optional
        Field -> the name a user knows it by (e.g. ``{"n_control": "--n-control"}``).

    Raises
    ------
    DataValidationError
        Negative or non-integer counts, an arm with n = 0, events > n.
    """
    label = {f: (names or {}).get(f, f) for f in COUNT_FIELDS}
    vals, problems = {}, []
    for name, value in zip(COUNT_FIELDS, (events_treatment, n_treatment, events_control, n_control), strict=True):
        v, p = _as_count(value, label[name], where)
        vals[name], problems = v, problems + p
    for arm in ("treatment", "control"):
        e, n = vals[f"events_{arm}"], vals[f"n_{arm}"]
        if n is not None and n == 0:
            problems.append(f"{label['n_' + arm]}{where} is 0: an arm needs at least one patient")
        if e is not None and n is not None and e > n:
            problems.append(f"{label['events_' + arm]}{where} ({e}) exceeds {label['n_' + arm]} ({n}): events are a "
                            "subset of the patients")
    raise_if("2x2 table", problems)
    return TwoByTwo(**vals)


@dataclass(frozen=True, kw_only=True)
class BinaryRecord:
    """One published binary outcome of a two-arm trial, stored as printed.

    ``arms = (treatment, control)`` names the arms; ``better`` is the direction of benefit of the
    event risk (``"higher"`` for responders, ``"lower"`` for adverse events and
    discontinuations); ``kind`` is ``"benefit"`` or ``"harm"``. ``counts`` is ``None`` when only
    percentages were published; ``unusable`` then says why no 2x2 analysis is possible.
    """

    id: str
    trial: str
    outcome: str
    label: str
    kind: str
    better: str
    arms: tuple[str, str]
    population: str
    source: Source
    location: str
    evidence: tuple[str, ...]
    verified: bool
    counts: TwoByTwo | None
    as_printed: str = ""
    note: str = ""
    unusable: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in ("benefit", "harm"):
            problems.append(f"record {self.id!r}: kind must be 'benefit' or 'harm', got {self.kind!r}")
        if self.better not in ("higher", "lower"):
            problems.append(f"record {self.id!r}: better must be 'higher' or 'lower', got {self.better!r}")
        bad = [t for t in self.evidence if t not in EVIDENCE_TAGS]
        if bad or not self.evidence:
            problems.append(f"record {self.id!r}: evidence tags {bad or '(none)'}; use {', '.join(EVIDENCE_TAGS)}")
        if self.counts is None and not self.unusable:
            problems.append(f"record {self.id!r}: without counts, say why in 'unusable'")
        raise_if("binary record", problems)

    @property
    def sign(self) -> int:
        """+1 when a higher event risk is better, -1 when lower is better."""
        return 1 if self.better == "higher" else -1


def binary_record_from_dict(raw: dict[str, Any], sources: dict[str, Source]) -> BinaryRecord:
    """Build a :class:`BinaryRecord` from one ``[[binary]]`` table of ``published.toml``."""
    r = dict(raw)
    counts = None
    if all(k in r for k in COUNT_FIELDS):
        counts = two_by_two(*(r.pop(k) for k in COUNT_FIELDS), where=f" (record {r.get('id')!r})")
    known = set(BinaryRecord.__dataclass_fields__) - {"counts", "source", "extra"}
    extra = {k: r.pop(k) for k in list(r) if k not in known and k != "source"}
    return BinaryRecord(
        **{k: v for k, v in r.items() if k not in ("source", "arms", "evidence")}, source=sources[r["source"]],
        counts=counts,
        arms=tuple(r["arms"]), evidence=tuple(r["evidence"]), extra=extra,
    )
