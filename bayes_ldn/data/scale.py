"""The log analysis scale of patient-level outcomes: one check and one transform for every design.

Pharmacokinetic exposures (AUC, Cmax), many laboratory values and skewed symptom scores are
analysed on the log scale, where an additive treatment effect is a ratio of geometric means
(average bioequivalence: FDA 2001 guidance *Statistical Approaches to Establishing
Bioequivalence*; EMA 2010 CPMP/EWP/QWP/1401/98 Rev. 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["to_log"]


def to_log(values: np.ndarray, where: str, role: str, problems: list[str],
           locate: Callable[[np.ndarray], str]) -> np.ndarray:
    """``log(values)``, appending to ``problems`` where a finite value is not positive.

    ``where`` names the column, ``role`` the variable and ``locate(mask)`` the rows and subjects
    of the offending values. Non-finite values are left for the caller's own check to report.
    """
    nonpositive = np.isfinite(values) & (values <= 0)
    if nonpositive.any():
        problems.append(f"{where}: the log scale needs positive values; {role} <= 0 in {locate(nonpositive)}: "
                        "correct them, or analyse on the linear scale")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(values)
