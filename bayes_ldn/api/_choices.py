"""The analysis choices every patient-level call shares: the printed prior and the equivalence range."""

from __future__ import annotations

from bayes_ldn import priors as pr
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.ratios import parse_equivalence
from bayes_ldn.validation import real_problems

__all__ = ["magnitude_problems", "shared_choices"]


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


def magnitude_problems(*, mcid: object, rope: object, ci_prob: object, prefix: str = "") -> list[str]:
    """Problems with an optional positive MCID and ROPE and an interval probability in (0, 1)."""
    out = []
    for name, v in (("mcid", mcid), ("rope", rope)):
        if v is not None:
            bad = real_problems({f"{prefix}{name}": v})
            out += bad or ([] if v > 0 else [f"{prefix}{name} must be positive, got {v}"])  # type: ignore[operator]
    if real_problems({"ci_prob": ci_prob}) or not 0 < ci_prob < 1:  # type: ignore[operator]
        out.append(f"{prefix}{'ci-prob' if prefix else 'ci_prob'} must lie in (0, 1), got {ci_prob!r}")
    return out
