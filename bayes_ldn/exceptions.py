"""Errors and warnings raised by bayes_ldn.

Every error subclasses :class:`BayesLDNError`; input errors also subclass ``ValueError`` so
existing ``except ValueError`` code keeps working. Validation collects every problem first and
raises once, so a user fixes their input in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence


class BayesLDNError(Exception):
    """Base class for every error raised by bayes_ldn."""


class DataValidationError(BayesLDNError, ValueError):
    """Input violates the documented schema; ``problems`` lists every violation.

    Parameters
    ----------
    what : str
        What was being validated (for example ``"crossover data"``).
    problems : sequence of str
        One sentence per problem: what is wrong, where, and how to fix it.
    """

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.what = what
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what}: {len(self.problems)} problem(s)\n{lines}")


class SpecError(BayesLDNError, ValueError):
    """An analysis specification (``models/*.toml``) is invalid."""

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.what = what
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what}: {len(self.problems)} problem(s)\n{lines}")


class ConvergenceWarning(UserWarning):
    """MCMC diagnostics (R-hat, ESS, divergences) fail the thresholds in ``defaults``."""


class PriorDataConflictWarning(UserWarning):
    """A user-given (fixed) nuisance prior is far out of line with the data it is applied to."""


def raise_if(what: str, problems: Sequence[str], error: type = DataValidationError) -> None:
    """Raise ``error(what, problems)`` when ``problems`` is not empty."""
    if problems:
        raise error(what, problems)
