"""How subcommands print one result: a JSON object, or aligned ``key: value`` lines."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any

from bayes_ldn.stats import format_probability

__all__ = ["json_safe", "orientation", "print_result"]


#: Keys whose numbers are on the printed contrast (active minus control, as the data code it).
PRINTED_KEYS = frozenset({"mean", "sd", "median", "lower", "upper", "mcse", "ratio", "equivalence", "period_effect",
                          "sequence_effect", "median_ratio", "lower_ratio", "upper_ratio", "change_active",
                          "change_control"})


def orientation(out: Mapping[str, Any]) -> dict[str, str]:
    """``printed`` or ``aligned`` for every oriented number of ``out``: effects (and their MCSE)
    are as printed; probabilities (``prob_*``, their MCSEs) and the prior are aligned with the
    direction of benefit (positive = better). Diagnostics and counts carry no orientation."""
    result = {k: "printed" for k in out if k in PRINTED_KEYS}
    result.update({k: "aligned" for k in out if k.startswith("prob_") or k == "prior"})
    return result


def json_safe(obj: Any) -> Any:
    """``obj`` with non-finite floats as ``None`` (JSON ``null``): JSON has no NaN or Infinity, and
    a moment that does not exist (E[tau] under a heavy-tailed prior and few studies) is not a number."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def print_result(out: Mapping[str, Any], *, as_json: bool) -> int:
    """Print ``out`` as JSON (numbers stay numbers) or as text (probabilities via
    :func:`~bayes_ldn.stats.format_probability`, never "1.000"); returns exit status 0."""
    if as_json:
        print(json.dumps(json_safe(out), indent=2, default=str, allow_nan=False))
        return 0
    for k, v in out.items():
        if k.startswith("prob_") and isinstance(v, float):
            v = format_probability(v)
        elif isinstance(v, float):
            v = f"{v:.4g}"
        print(f"{k:>22}: {v}", file=sys.stdout)
    return 0
