"""The analysis choices every patient-level call shares: the printed prior and the equivalence range."""

from __future__ import annotations

from bayes_ldn import priors as pr
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import parse_equivalence

__all__ = ["shared_choices"]


def shared_choices(
    *, prior: str | pr.EffectPrior, better: str | None, mcid: float | None,
    equivalence: str | tuple[float, float] | None, scale: str,
) -> tuple[pr.EffectPrior | None, tuple[float, float] | None, list[str]]:
    """The aligned prior (:func:`bayes_ldn.priors.parse_printed_prior`), the equivalence bounds,
    and every problem with them (collected, not raised, so a call reports all problems at once)."""
    if isinstance(equivalence, tuple):
        equivalence = f"{equivalence[0]},{equivalence[1]}"
    problems: list[str] = []
    bounds = aligned = None
    try:
        bounds = parse_equivalence(equivalence, scale)
    except DataValidationError as err:
        problems += list(err.problems)
    try:
        aligned = pr.parse_printed_prior(prior, better=better, mcid=mcid) if better is not None else None
    except DataValidationError as err:
        problems += list(err.problems)
    return aligned, bounds, problems
