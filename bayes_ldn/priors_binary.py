r"""Named priors for binary outcomes: per-arm Beta priors and baseline-risk priors.

The *effect* prior of the logistic model is an ordinary :class:`bayes_ldn.priors.EffectPrior`
on the aligned log odds ratio (positive = treatment better), so the MCID-anchored presets
(``skeptical``, ``enthusiastic``, ``pessimistic``) work unchanged: anchored on an odds ratio
``mcid_or`` they use the magnitude ``|log(mcid_or)|`` (:func:`log_or_prior`).

Per-arm Beta priors for the exact beta-binomial route
======================================================

============  ===============  =========================================================
name          prior on a risk  why
============  ===============  =========================================================
``jeffreys``  Beta(1/2, 1/2)   invariant reference prior; intervals with good frequentist
                               coverage (Brown, Cai & DasGupta 2001, Stat Sci 16:101)
``uniform``   Beta(1, 1)       Bayes-Laplace: every risk equally likely a priori
``haldane``   Beta(0, 0)       flat on the log odds: what a logistic model with flat priors
                               implies (improper; each arm needs an event and a non-event)
``beta:A,B``  Beta(A, B)       user-given (e.g. a historical control arm)
============  ===============  =========================================================

Baseline-risk priors for the logistic model (on the control arm's log odds)
==========================================================================

``logistic`` Logistic(0, 1) is *exactly* a uniform prior on the control risk (the logit of a
U(0, 1) variable is standard logistic), so with a flat prior on the log odds ratio the logistic
model and the beta-binomial with Beta(1, 1) on the control arm and Haldane on the treatment arm
are the same model; the tests use that identity. ``normal:M,S`` and ``flat`` are also offered.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from bayes_ldn import priors as pr
from bayes_ldn.exceptions import DataValidationError, raise_if

__all__ = [
    "BaselinePrior",
    "BetaPrior",
    "HALDANE",
    "JEFFREYS",
    "UNIFORM",
    "log_or_prior",
    "parse_baseline_prior",
    "parse_beta_prior",
]


@dataclass(frozen=True, kw_only=True)
class BetaPrior:
    """A Beta(a, b) prior on one arm's risk, named, with a one-line rationale."""

    name: str
    a: float
    b: float
    rationale: str

    def __post_init__(self) -> None:
        raise_if("Beta prior", [f"Beta prior {self.name!r}: a and b must be >= 0, got ({self.a}, {self.b})"]
                 if not (self.a >= 0 and self.b >= 0) else [])

    def to_dict(self) -> dict:
        """JSON-serialisable description."""
        return asdict(self)

    def describe(self) -> str:
        """E.g. ``Beta(0.5, 0.5)``."""
        return f"Beta({self.a:g}, {self.b:g})"


JEFFREYS = BetaPrior(name="jeffreys", a=0.5, b=0.5, rationale=(
    "Jeffreys reference prior Beta(1/2, 1/2) on each arm's risk: invariant, good frequentist coverage "
    "(Brown, Cai & DasGupta 2001, Stat Sci 16:101)"))
UNIFORM = BetaPrior(name="uniform", a=1.0, b=1.0, rationale=(
    "Bayes-Laplace uniform Beta(1, 1) on each arm's risk (Bayes 1763)"))
HALDANE = BetaPrior(name="haldane", a=0.0, b=0.0, rationale=(
    "Haldane Beta(0, 0): flat on the log odds, as a logistic model with flat priors (Haldane 1932; "
    "Jaynes 2003, ch. 12); improper"))
_NAMED = {p.name: p for p in (JEFFREYS, UNIFORM, HALDANE)}


def parse_beta_prior(text: str) -> BetaPrior:
    """``jeffreys``, ``uniform``, ``haldane`` or ``beta:A,B``."""
    if text in _NAMED:
        return _NAMED[text]
    family, sep, args = text.partition(":")
    try:
        nums = [float(a) for a in args.split(",")] if sep else []
    except ValueError:
        nums = []
    if family == "beta" and len(nums) == 2 and all(math.isfinite(x) and x >= 0 for x in nums):
        return BetaPrior(name=f"beta({nums[0]:g},{nums[1]:g})", a=nums[0], b=nums[1], rationale="user-specified")
    raise DataValidationError("arm prior", [f"cannot read arm prior {text!r}; write jeffreys, uniform, haldane "
                                            "or beta:A,B (A, B >= 0)"])


@dataclass(frozen=True, kw_only=True)
class BaselinePrior:
    """Prior on the control arm's log odds (the logistic model's intercept).

    ``family``: ``"logistic"`` (``loc``, ``scale``), ``"normal"`` (``mu``, ``sigma``) or ``"flat"``.
    """

    family: str
    params: dict
    rationale: str

    def __post_init__(self) -> None:
        problems = []
        if self.family not in ("logistic", "normal", "flat"):
            problems.append(f"baseline prior family must be logistic, normal or flat, got {self.family!r}")
        scale = self.params.get("scale", self.params.get("sigma", 1.0))
        if self.family != "flat" and not scale > 0:
            problems.append(f"baseline prior scale must be positive, got {scale}")
        raise_if("baseline-risk prior", problems)

    def describe(self) -> str:
        """E.g. ``Logistic(0, 1) on logit(control risk)``."""
        p = self.params
        if self.family == "flat":
            return "Flat on logit(control risk)"
        if self.family == "logistic":
            return f"Logistic({p['loc']:g}, {p['scale']:g}) on logit(control risk)"
        return f"Normal({p['mu']:g}, {p['sigma']:g}) on logit(control risk)"

    def to_dict(self) -> dict:
        """JSON-serialisable description."""
        return asdict(self)


def parse_baseline_prior(text: str = "uniform") -> BaselinePrior:
    """``uniform`` (Logistic(0, 1), the default), ``flat`` or ``normal:M,S`` on the control log odds."""
    if text in ("uniform", "logistic"):
        return BaselinePrior(family="logistic", params={"loc": 0.0, "scale": 1.0}, rationale=(
            "Logistic(0, 1) on the control log odds = uniform on the control risk (Bayes-Laplace)"))
    if text == "flat":
        return BaselinePrior(family="flat", params={}, rationale="flat on the control log odds (Haldane on the risk)")
    family, sep, args = text.partition(":")
    try:
        nums = [float(a) for a in args.split(",")] if sep else []
    except ValueError:
        nums = []
    if family == "normal" and len(nums) == 2 and nums[1] > 0:
        return BaselinePrior(family="normal", params={"mu": nums[0], "sigma": nums[1]}, rationale="user-specified")
    raise DataValidationError("baseline-risk prior", [f"cannot read baseline prior {text!r}; write uniform, flat "
                                                      "or normal:MEAN,SD (on the control log odds)"])


def log_or_prior(text: str, *, mcid_or: float | None) -> pr.EffectPrior:
    """An effect prior on the aligned log odds ratio; presets anchored on the odds ratio ``mcid_or``.

    ``mcid_or`` may be given either way round (1.5 or 1/1.5): the anchor is ``|log(mcid_or)|``.
    ``normal:MEAN,SD`` and ``t:MEAN,SD,DF`` are read on the aligned log-OR scale.
    """
    problems = []
    if mcid_or is not None and not (math.isfinite(mcid_or) and mcid_or > 0 and mcid_or != 1):
        problems.append(f"the odds-ratio MCID must be positive and not 1, got {mcid_or}")
    raise_if("log odds ratio prior", problems)
    anchor = None if mcid_or is None else abs(math.log(mcid_or))
    return pr.parse_prior(text, mcid=anchor)
