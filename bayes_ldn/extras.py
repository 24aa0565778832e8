"""Optional dependencies: which ``pip`` extra provides which package, and a clear error without it.

The core (exact posteriors, PyMC models, the reanalysis) needs only the base install; the
simulation engine's progress bar and Dask scheduling come with the ``sim`` extra. A missing extra
must say which extra to install, not end in ``ModuleNotFoundError: No module named 'tqdm'``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from bayes_ldn.exceptions import BayesLDNError

__all__ = ["EXTRA_OF", "MissingExtraError", "import_optional", "missing_extra_message"]

#: Top-level module -> the extra of ``pyproject.toml`` that installs it.
EXTRA_OF: dict[str, str] = {"tqdm": "sim", "dask": "sim", "distributed": "sim"}


class MissingExtraError(BayesLDNError, ImportError):
    """An optional package is not installed; the message names the extra that installs it."""


def missing_extra_message(module: str, purpose: str = "this command") -> str | None:
    """The user-facing sentence for a missing ``module`` (``None`` if it belongs to no extra)."""
    top = module.split(".", 1)[0]
    extra = EXTRA_OF.get(top)
    if extra is None:
        return None
    return (f"{purpose} needs the optional package {top!r}, which is not installed: "
            f"install the '{extra}' extra with  pip install 'bayes_ldn[{extra}]'")


def import_optional(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming its extra."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        message = missing_extra_message(err.name or module, purpose)
        if message is None:
            raise
        raise MissingExtraError(message) from err
