r"""Published between-group estimates as standardized, sign-aligned effects (no model).

For each parallel-group record: the aligned estimate and SE (through a named conversion), the
SD of change recovered from the SE and the arm sizes, and the standardized effect

.. math::

    \mathrm{SD}_k = \frac{\mathrm{SE}_k}{\sqrt{1/n_{1k} + 1/n_{2k}}},\qquad
    d_k = \hat\delta^{+}_k / \mathrm{SD}_k,\qquad \mathrm{SE}(d_k) = \sqrt{1/n_{1k} + 1/n_{2k}}.

Used by :mod:`bayes_ldn.family` (pooling) and :mod:`bayes_ldn.data.simulate_parallel` (the
FINAL-like simulation's effect sizes), so the simulation need not import upward.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bayes_ldn.data.records import PublishedRecord, to_likelihood
from bayes_ldn.exceptions import DataValidationError, raise_if

__all__ = ["standardized_family"]


def _arm_sizes(record: PublishedRecord) -> tuple[int, int]:
    sizes = [int(v) for v in record.n.values()]
    if record.design != "parallel" or len(sizes) != 2:
        raise DataValidationError(
            f"record {record.id!r}",
            [f"standardizing needs a parallel-group record with two arm sizes, got design "
             f"{record.design!r} and n = {dict(record.n)}"],
        )
    return sizes[0], sizes[1]


def standardized_family(records: Sequence[PublishedRecord], *, conversion: str = "ci_normal") -> pd.DataFrame:
    """One row per record: aligned estimate and SE on the outcome's units and standardized.

    Columns: ``outcome``, ``record``, ``label``, ``units``, ``better``, ``sign``, ``n_treatment``,
    ``n_reference``, ``estimate`` (printed), ``estimate_aligned``, ``se``, ``sd_change``, ``smd``,
    ``smd_se``, ``evidence``, ``verified``, ``conversion``.
    """
    problems = []
    if not records:
        problems.append("no records given")
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        problems.append(f"duplicated record ids in {ids}")
    raise_if("outcome family", problems)
    rows = []
    for r in records:
        lik = to_likelihood(r, conversion)
        n1, n2 = _arm_sizes(r)
        factor = float(np.sqrt(1.0 / n1 + 1.0 / n2))
        sd = lik.se / factor
        rows.append({
            "outcome": r.outcome, "record": r.id, "label": r.label, "units": r.units, "better": r.better,
            "sign": lik.sign, "n_treatment": n1, "n_reference": n2, "estimate": r.estimate,
            "estimate_aligned": lik.estimate, "se": lik.se, "sd_change": sd, "smd": lik.estimate / sd,
            "smd_se": factor, "evidence": "+".join(r.evidence), "verified": r.verified,
            "conversion": lik.conversion_note,
        })
    return pd.DataFrame(rows)
