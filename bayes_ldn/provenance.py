"""Provenance stamps: software versions and platform (no PyMC import needed)."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from typing import Any

__all__ = ["provenance_attrs"]


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance_attrs(**extra: Any) -> dict[str, str]:
    """Software versions and platform, plus ``extra``, as JSON strings (DataTree attrs and files)."""
    out = {
        f"{pkg.replace('-', '_')}_version": _version(pkg)
        for pkg in ("bayes_ldn", "pymc", "pytensor", "arviz", "nutpie", "numpy", "scipy", "pandas", "xarray")
    }
    out["python_version"] = platform.python_version()
    for k, v in extra.items():
        out[k] = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    return out
