r"""Crossover results from per-sequence summaries: the Hills-Armitage estimate (NumPy only).

When a paper reports, per sequence, the number of subjects and the mean and SD of the
within-subject period difference :math:`d_i = y_{i1} - y_{i2}` (period 1 minus period 2), the
period-adjusted treatment effect and its SE follow exactly (Hills & Armitage 1979,
doi:10.1111/j.1365-2125.1979.tb05903.x; Senn 2002, ch. 3):

.. math::

    \hat\tau = \tfrac12 (\bar d_{TR} - \bar d_{RT}), \qquad
    \hat\pi = -\tfrac12 (\bar d_{TR} + \bar d_{RT}), \qquad
    \mathrm{SE} = \tfrac12 s_p \sqrt{1/n_{TR} + 1/n_{RT}}

where TR is the sequence given the treatment first, :math:`\hat\pi` is period 2 minus period 1,
and :math:`s_p^2` is the pooled variance of the differences on :math:`n_{TR} + n_{RT} - 2`
degrees of freedom. :func:`hills_armitage_likelihood` turns this into an
:class:`~bayes_ldn.data.records.EffectLikelihood` for the same decision table as the published
aggregates. (A paired-difference summary, or a median and IQR, goes through
:func:`bayes_ldn.data.records.to_likelihood` instead.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bayes_ldn.conversions import Converted
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.records import EffectLikelihood, align_sign
from bayes_ldn.exceptions import raise_if

__all__ = ["HillsArmitage", "SequenceSummary", "hills_armitage", "hills_armitage_likelihood", "sequence_summaries"]


@dataclass(frozen=True, kw_only=True)
class SequenceSummary:
    """One sequence of a 2x2 crossover: its order, size and period differences.

    ``mean_period_difference`` and ``sd`` describe period 1 minus period 2 within subjects;
    ``order`` is (treatment in period 1, treatment in period 2).
    """

    sequence: str
    order: tuple[str, str]
    n: int
    mean_period_difference: float
    sd: float

    def __post_init__(self) -> None:
        problems = []
        if len(self.order) != 2 or self.order[0] == self.order[1]:
            problems.append(f"order must be two different treatments, got {self.order}")
        if self.n < 2:
            problems.append(f"n must be at least 2, got {self.n}")
        if not (np.isfinite(self.sd) and self.sd > 0):
            problems.append(f"sd must be positive and finite, got {self.sd}")
        if not np.isfinite(self.mean_period_difference):
            problems.append(f"mean_period_difference must be finite, got {self.mean_period_difference}")
        raise_if(f"sequence summary {self.sequence!r}", problems)


@dataclass(frozen=True, kw_only=True)
class HillsArmitage:
    """Period-adjusted estimates from two sequences (outcome scale, treatment minus reference)."""

    treatment_effect: float
    se: float
    period_effect: float
    period_se: float
    pooled_sd: float
    df: int


def _ordered(
    summaries: Sequence[SequenceSummary], treatment: str, reference: str
) -> tuple[SequenceSummary, SequenceSummary]:
    by_order = {tuple(s.order): s for s in summaries}
    problems = []
    if len(summaries) != 2:
        problems.append(f"give exactly two sequences, got {len(summaries)}")
    for order in ((treatment, reference), (reference, treatment)):
        if order not in by_order:
            problems.append(f"no sequence with order {order[0]} then {order[1]}; orders given: "
                            f"{[tuple(s.order) for s in summaries]}")
    raise_if("Hills-Armitage estimate", problems)
    return by_order[(treatment, reference)], by_order[(reference, treatment)]


def hills_armitage(summaries: Sequence[SequenceSummary], *, treatment: str, reference: str) -> HillsArmitage:
    """The Hills-Armitage estimate of the treatment and period effects (module docstring)."""
    tr, rt = _ordered(summaries, treatment, reference)
    df = tr.n + rt.n - 2
    pooled = float(np.sqrt(((tr.n - 1) * tr.sd**2 + (rt.n - 1) * rt.sd**2) / df))
    se = 0.5 * pooled * float(np.sqrt(1 / tr.n + 1 / rt.n))
    return HillsArmitage(
        treatment_effect=0.5 * (tr.mean_period_difference - rt.mean_period_difference),
        se=se,
        period_effect=-0.5 * (tr.mean_period_difference + rt.mean_period_difference),
        period_se=se,
        pooled_sd=pooled,
        df=df,
    )


def hills_armitage_likelihood(
    summaries: Sequence[SequenceSummary],
    *,
    treatment: str,
    reference: str,
    better: str,
    units: str,
    label: str = "",
    provenance: Mapping[str, Any] | None = None,
) -> EffectLikelihood:
    """A normal likelihood of the aligned treatment effect from per-sequence period differences."""
    est = hills_armitage(summaries, treatment=treatment, reference=reference)
    sign = align_sign(better)
    note = (f"tau = (d_TR - d_RT)/2 = {est.treatment_effect:.4g}; SE = s_p/2 x sqrt(1/n_TR + 1/n_RT) = "
            f"{est.se:.4g} (pooled SD {est.pooled_sd:.4g}, df {est.df}; Hills & Armitage 1979)")
    return EffectLikelihood(
        estimate=sign * est.treatment_effect, se=est.se, sign=sign, scale="linear", units=units,
        conversions=(Converted(est.se, "hills_armitage", note),),
        provenance=dict(provenance or {}), label=label,
    )


def sequence_summaries(data: CrossoverData) -> tuple[SequenceSummary, ...]:
    """Per-sequence summaries of the completers of a two-period crossover (period 1 minus 2)."""
    raise_if("sequence summaries", [] if len(data.periods) == 2 else
             [f"the Hills-Armitage summaries need two periods, the data have {len(data.periods)}"])
    wide = data.completers()
    diff = wide[1] - wide[2]
    out = []
    for seq, d in diff.groupby(wide["sequence"], sort=True):
        order = data.sequence_orders[str(seq)]
        out.append(SequenceSummary(sequence=str(seq), order=(order[0], order[1]), n=int(d.size),
                                   mean_period_difference=float(d.mean()), sd=float(d.std(ddof=1))))
    return tuple(out)
