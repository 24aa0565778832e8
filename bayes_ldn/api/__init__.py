"""The notebook user's API: one call per design, a DataFrame in, an :class:`Analysis` out.

================================  ===================================  ==========================
call                              what it fits                         command line
================================  ===================================  ==========================
:func:`analyze_crossover`         crossover mixed model (NUTS)         ``bayes-ldn crossover``
:func:`analyze_parallel`          ANCOVA / change score (NUTS)         ``bayes-ldn parallel``
:func:`analyze_estimate`          one published estimate (exact)       ``bayes-ldn posterior``
================================  ===================================  ==========================

Every call takes the command line's options under the same names and defaults, and the one sign
convention of the package: locations (estimates, intervals, a prior's mean) are on the printed
scale, probabilities in the direction of benefit; presets are directional. The command line is
a thin layer over these calls.
"""

from importlib import import_module
from typing import Any

_NAMES = {"Analysis": "result", "analyze_crossover": "crossover", "analyze_estimate": "estimate",
          "analyze_parallel": "parallel"}
__all__ = list(_NAMES)


def __getattr__(name: str) -> Any:
    # Lazy, so that the exact analyze_estimate and Analysis never import PyMC.
    if name in _NAMES:
        return getattr(import_module(f"bayes_ldn.api.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'bayes_ldn.api' has no attribute {name!r}")
