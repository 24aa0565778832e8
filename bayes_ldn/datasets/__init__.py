"""Bundled published data: ``load_record``, ``list_records``, ``load_family``, ``load_binary``.

The curated numbers live in ``published.toml`` beside this file, versioned by ``data_version``;
see that file's header for the conventions (signs as printed, evidence tags, verified flag). The
loaders are :mod:`bayes_ldn.data.bundled`'s.
"""

from __future__ import annotations

from bayes_ldn.data.bundled import (
    data_version,
    list_binary,
    list_records,
    load_binary,
    load_family,
    load_record,
)

__all__ = ["data_version", "list_binary", "list_records", "load_binary", "load_family", "load_record"]
