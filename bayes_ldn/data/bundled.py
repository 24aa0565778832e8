"""Bundled published data: ``load_record``, ``list_records``, ``load_family`` (re-exported by ``bayes_ldn.datasets``).

The curated numbers live in ``bayes_ldn/datasets/published.toml``, versioned by ``data_version``;
see that file's header for the conventions (signs as printed, evidence tags, verified flag). The
loaders live here, beside the record types, so that ``bayes_ldn.data`` (the synthetic FINAL-like
trial included) never imports ``bayes_ldn.datasets``, which holds the files.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from bayes_ldn.data.binary import BinaryRecord, binary_record_from_dict
from bayes_ldn.data.records import PublishedRecord, Source
from bayes_ldn.exceptions import DataValidationError

__all__ = ["data_version", "list_binary", "list_records", "load_binary", "load_family", "load_record"]

_FIELDS = set(PublishedRecord.__dataclass_fields__)


@cache
def _raw() -> tuple[dict[str, Any], str]:
    text = resources.files("bayes_ldn.datasets").joinpath("published.toml").read_bytes()
    return tomllib.loads(text.decode()), hashlib.sha256(text).hexdigest()


@cache
def _records() -> dict[str, PublishedRecord]:
    raw, _ = _raw()
    sources = {k: Source(**v) for k, v in raw["sources"].items()}
    out: dict[str, PublishedRecord] = {}
    for r in raw["record"]:
        r = dict(r)
        r["source"] = sources[r["source"]]
        r["contrast"] = tuple(r["contrast"])
        r["evidence"] = tuple(r["evidence"])
        extra = {k: r.pop(k) for k in list(r) if k not in _FIELDS}
        out[r["id"]] = PublishedRecord(**r, extra=extra)
    return out


def data_version() -> dict[str, str]:
    """Version and SHA-256 digest of the bundled data file, for provenance stamps."""
    raw, digest = _raw()
    return {"data_version": str(raw["data_version"]), "data_sha256": digest}


def list_records() -> list[str]:
    """Ids of every bundled record."""
    return list(_records())


def load_record(record_id: str, *, require_verified: bool = False) -> PublishedRecord:
    """Return one bundled record by id.

    Raises
    ------
    DataValidationError
        For an unknown id (the message lists the known ones), or an unverified record when
        ``require_verified`` is true.
    """
    recs = _records()
    if record_id not in recs:
        raise DataValidationError(
            "record id", [f"unknown record id {record_id!r}; known ids: {', '.join(recs)}"]
        )
    rec = recs[record_id]
    if require_verified and not rec.verified:
        raise DataValidationError(
            "record id",
            [f"record {record_id!r} is unverified (evidence {'+'.join(rec.evidence)})"],
        )
    return rec


def load_family(family: str) -> list[PublishedRecord]:
    """Every record of an outcome family (for example ``"final_exploratory"``), in file order."""
    out = [r for r in _records().values() if r.family == family]
    if not out:
        fams = sorted({r.family for r in _records().values()})
        raise DataValidationError("record family", [f"unknown family {family!r}; known: {', '.join(fams)}"])
    return out


@cache
def _binary() -> dict[str, BinaryRecord]:
    raw, _ = _raw()
    sources = {k: Source(**v) for k, v in raw["sources"].items()}
    return {r["id"]: binary_record_from_dict(r, sources) for r in raw.get("binary", [])}


def list_binary(*, with_counts: bool = False) -> list[str]:
    """Ids of every bundled binary outcome (only those with published counts if ``with_counts``)."""
    return [k for k, r in _binary().items() if r.counts is not None or not with_counts]


def load_binary(record_id: str) -> BinaryRecord:
    """One bundled binary outcome (a published 2x2 table, or percentages with the reason they are unusable)."""
    recs = _binary()
    if not isinstance(record_id, str) or record_id not in recs:  # a list raised TypeError (unhashable)
        raise DataValidationError("binary record id", [f"unknown id {record_id!r}; known ids: {', '.join(recs)}"])
    return recs[record_id]
