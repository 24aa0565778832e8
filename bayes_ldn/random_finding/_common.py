"""Shared pieces: the standardized effect of a record, and verdict rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bayes_ldn.data.records import EffectLikelihood, PublishedRecord, to_likelihood

__all__ = [
    "NOT_AVAILABLE",
    "POINTS_TO",
    "REAL",
    "RANDOM",
    "NEUTRAL",
    "StandardizedEffect",
    "not_available",
    "points_from_prob",
    "row",
    "standardize",
]

REAL, RANDOM, NEUTRAL, NOT_AVAILABLE = "real effect", "random finding", "neutral", "not available"
POINTS_TO = (RANDOM, REAL, NEUTRAL, NOT_AVAILABLE)


@dataclass(frozen=True)
class StandardizedEffect:
    r"""A record's aligned effect in units of the SD of change.

    The SD of change is recovered from the SE and the arm sizes,
    ``sd = se / sqrt(1/n_1 + 1/n_2)`` (one arm: ``se * sqrt(n)``), and treated as known (with
    ~90 patients its sampling error is about 7%). Then ``d = estimate / sd`` and
    ``se_d = sqrt(1/n_1 + 1/n_2)``: the standardized scale depends only on the z-statistic and
    the arm sizes, so two reports with the same p and n give the same ``d``.
    """

    record: PublishedRecord
    likelihood: EffectLikelihood
    sd_change: float
    estimate: float
    se: float

    @property
    def z(self) -> float:
        """``estimate / se`` (same on both scales)."""
        return self.estimate / self.se


def _design_factor(record: PublishedRecord) -> float:
    sizes = [int(v) for v in record.n.values()]
    if record.design == "parallel" and len(sizes) >= 2:
        return float(np.sqrt(1.0 / sizes[0] + 1.0 / sizes[1]))
    return float(np.sqrt(1.0 / sum(sizes)))


def standardize(record: PublishedRecord, conversion: str) -> StandardizedEffect:
    """Aligned (positive = better) standardized effect of ``record`` via ``to_likelihood``."""
    lik = to_likelihood(record, conversion)
    factor = _design_factor(record)
    sd = lik.se / factor
    return StandardizedEffect(record, lik, float(sd), float(lik.estimate / sd), factor)


def row(angle: str, quantity: str, value: float, points_to: str, note: str, *,
        headline: bool = False, units: str = "") -> dict:
    """One verdict row."""
    return {"angle": angle, "quantity": quantity, "value": float(value), "units": units,
            "points_to": points_to, "note": note, "headline": headline}


def not_available(angle: str, because: str) -> dict:
    """The row of an angle the inputs make impossible."""
    return row(angle, "not available", np.nan, NOT_AVAILABLE, f"not available, because {because}",
               headline=True)


def points_from_prob(prob: float, real_prob: float, random_prob: float) -> str:
    """P(better) >= real_prob: real effect; < random_prob: random finding; else neutral."""
    if prob >= real_prob:
        return REAL
    if prob < random_prob:
        return RANDOM
    return NEUTRAL
