"""Named, data-independent, serialisable priors for a treatment effect.

Inside the models every prior is on the *aligned* scale (positive = treatment better), so
"skeptical" and "enthusiastic" mean the same thing for every outcome whatever its printed direction.

**One sign convention for users** (the command line and :mod:`bayes_ldn.api` alike): a prior
with a location you choose (``normal:MEAN,SD``, ``t:MEAN,SD,DF``, :func:`normal`,
:func:`student_t`) is on the *printed* scale (treatment minus control, as printed; log ratio on
the log scale); the MCID-anchored presets are *directional* (enthusiastic = centred on benefit
whatever the printed direction). :func:`from_printed` and :func:`parse_printed_prior` are the
only place the printed -> aligned flip happens: with ``a = align_sign(better)`` the aligned prior
of a printed N(m, s) is N(a m, s), and a preset is left as it is.

Clinical presets (Spiegelhalter, Freedman & Parmar 1994, J R Stat Soc A 157:357,
doi:10.2307/2983527; Spiegelhalter, Abrams & Myles 2004, *Bayesian Approaches to Clinical Trials
and Health-Care Evaluation*, ch. 5), anchored on a minimal clinically important difference
``mcid > 0`` and a tail probability set by the strength:

================  =====================  ====================================================
preset            prior                  defining tail probability
================  =====================  ====================================================
``vague``         flat on the real line  none (reference analysis; posterior = likelihood)
``skeptical``     N(0, sd)               P(effect > mcid) = tail
``enthusiastic``  N(mcid, sd)            P(effect < 0) = tail
``pessimistic``   N(-mcid, sd)           P(effect > 0) = tail
================  =====================  ====================================================

with ``sd = mcid / z_{1-tail}``. Strengths: ``weak`` tail = 0.25, ``moderate`` tail = 0.05
(Spiegelhalter's sceptical prior), ``strong`` tail = 0.01. The weak and strong tails are our own
documented choice, graded around the conventional 5%.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from bayes_ldn.data.records import align_sign
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import MIN_SCALE, number_problems, scale_problems

__all__ = [
    "PRESETS",
    "STRENGTHS",
    "EffectPrior",
    "enthusiastic",
    "from_printed",
    "normal",
    "parse_prior",
    "parse_printed_prior",
    "pessimistic",
    "preset",
    "skeptical",
    "student_t",
    "vague",
]

STRENGTHS: dict[str, float] = {"weak": 0.25, "moderate": 0.05, "strong": 0.01}
PRESETS = ("vague", "skeptical", "enthusiastic", "pessimistic")
_FAMILIES = ("flat", "normal", "student_t", "mixture")


@dataclass(frozen=True, kw_only=True)
class EffectPrior:
    """A prior on the aligned treatment effect.

    Parameters
    ----------
    name : str
        Display name ("skeptical_moderate", "normal(0,0.392)").
    family : {"flat", "normal", "student_t", "mixture"}
    params : dict
        ``mu``, ``sigma`` (normal); ``mu``, ``sigma``, ``nu`` (student_t); ``weights`` and
        ``components`` (mixture of normal/student_t priors, as dicts).
    rationale : str
        One line: why this prior, with a reference.
    """

    name: str
    family: str
    params: dict[str, Any] = field(default_factory=dict)
    rationale: str = ""

    def __post_init__(self) -> None:
        p = self.params
        problems = [] if isinstance(self.name, str) else [f"a prior's name must be text, got {self.name!r}"]
        if self.family not in _FAMILIES:
            problems.append(f"unknown prior family {self.family!r}; use one of {', '.join(_FAMILIES)}")
        if not isinstance(p, dict):
            problems.append(f"prior {self.name!r}: params must be a dict, got {p!r}")
        elif self.family in ("normal", "student_t"):
            # NaN, inf, text or overflowing parameters (e.g. normal:nan,1) would give NaN posteriors.
            scales = ("sigma", "nu") if self.family == "student_t" else ("sigma",)
            problems += [f"prior {self.name!r}: {k} is missing" for k in ("mu", *scales) if k not in p]
            problems += [f"prior {self.name!r}: unknown parameter {k!r} for a {self.family} prior (it takes "
                         f"{', '.join(('mu', *scales))})" for k in p if k not in ("mu", *scales)]
            problems += number_problems({f"prior {self.name!r}: mu": p.get("mu")}, required=True)
            problems += scale_problems({f"prior {self.name!r}: {k}": p.get(k) for k in scales}, required=True)
        elif self.family == "mixture":
            problems += _mixture_problems(self.name, p)
        raise_if("prior", problems)

    # -- densities ---------------------------------------------------------------------------

    def components(self) -> list[tuple[float, EffectPrior]]:
        """(weight, component) pairs; a non-mixture is its own single component."""
        if self.family != "mixture":
            return [(1.0, self)]
        return [
            (float(w), EffectPrior(**c)) for w, c in zip(self.params["weights"], self.params["components"], strict=True)
        ]

    def logpdf(self, x: np.ndarray | float) -> np.ndarray:
        """Log density (0 everywhere for the flat prior)."""
        x = np.asarray(x, dtype=float)
        p = self.params
        if self.family == "flat":
            return np.zeros_like(x)
        # Beyond ~1e154 scale units the squared z overflows: the log density is then -inf, its limit.
        with np.errstate(over="ignore"):
            if self.family == "normal":
                return stats.norm.logpdf(x, p["mu"], p["sigma"])
            if self.family == "student_t":
                return stats.t.logpdf(x, p["nu"], p["mu"], p["sigma"])
        logs = [np.log(w) + c.logpdf(x) for w, c in self.components() if w > 0]
        return np.logaddexp.reduce(np.stack(logs), axis=0)

    def cdf(self, x: float) -> float:
        """Prior CDF (used to check presets' tail probabilities)."""
        p = self.params
        if self.family == "normal":
            return float(stats.norm.cdf(x, p["mu"], p["sigma"]))
        if self.family == "student_t":
            return float(stats.t.cdf(x, p["nu"], p["mu"], p["sigma"]))
        if self.family == "mixture":
            return float(sum(w * c.cdf(x) for w, c in self.components()))
        raise DataValidationError("prior", [f"the flat prior {self.name!r} has no CDF"])

    @property
    def mode_points(self) -> tuple[float, ...]:
        """Locations of the prior's modes, for quadrature break points."""
        if self.family == "flat":
            return ()
        return tuple(float(c.params["mu"]) for _, c in self.components())

    # -- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-serialisable)."""
        return asdict(self)

    def to_json(self) -> str:
        """Canonical JSON (sorted keys), for provenance digests."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EffectPrior:
        """Inverse of :meth:`to_dict`."""
        return cls(**d)

    def describe(self) -> str:
        """Short human-readable form, e.g. ``Normal(0, 0.392)``."""
        p = self.params
        if self.family == "flat":
            return "Flat"
        if self.family == "normal":
            return f"Normal({p['mu']:.4g}, {p['sigma']:.4g})"
        if self.family == "student_t":
            return f"StudentT({p['nu']:.4g}, {p['mu']:.4g}, {p['sigma']:.4g})"
        return " + ".join(f"{w:.3g}*{c.describe()}" for w, c in self.components())


def _mixture_problems(name: str, p: dict[str, Any]) -> list[str]:
    """Problems of a mixture's ``weights`` (numbers >= 0 summing to 1) and ``components`` (one valid
    normal or Student-t prior, as a dict, per weight)."""
    weights, comps = p.get("weights"), p.get("components")
    if not isinstance(weights, (list, tuple)) or not isinstance(comps, (list, tuple)) or not weights:
        return [f"prior {name!r}: a mixture needs lists 'weights' and 'components', got {weights!r} and {comps!r}"]
    problems = number_problems({f"prior {name!r}: weight {i + 1}": w for i, w in enumerate(weights)}, required=True)
    if not problems and (any(w < 0 for w in weights) or abs(sum(weights) - 1) > 1e-9 or len(weights) != len(comps)):
        problems.append(f"prior {name!r}: mixture weights must be non-negative, sum to 1 and match the components")
    for i, c in enumerate(comps):
        try:
            comp = EffectPrior(**c)
        except DataValidationError as err:
            problems += [f"prior {name!r}: component {i + 1}: {q}" for q in err.problems]
            continue
        except TypeError:  # not a mapping of EffectPrior's fields
            comp = None
        if comp is None or comp.family not in ("normal", "student_t"):
            problems.append(f"prior {name!r}: component {i + 1} must be a normal or Student-t prior as a dict, got {c!r}")
    return problems


def normal(mu: float, sigma: float, *, name: str | None = None, rationale: str = "user-specified") -> EffectPrior:
    """A user-given normal prior N(mu, sigma).

    Given to the command line or :mod:`bayes_ldn.api`, ``mu`` is on the printed scale (they align
    it with :func:`from_printed`); given to a model builder, it is the aligned effect's prior.
    """
    raise_if("prior", number_problems({"mu": mu}, required=True) + scale_problems({"sigma": sigma}, required=True))
    return EffectPrior(name=name or f"normal({mu:g},{sigma:g})", family="normal",
                       params={"mu": float(mu), "sigma": float(sigma)}, rationale=rationale)


def student_t(
    mu: float, sigma: float, nu: float, *, name: str | None = None, rationale: str = "user-specified"
) -> EffectPrior:
    """A user-given Student-t prior (location ``mu`` as in :func:`normal`: printed for the API)."""
    raise_if("prior", number_problems({"mu": mu}, required=True) + scale_problems({"sigma": sigma, "nu": nu}, required=True))
    return EffectPrior(name=name or f"t({mu:g},{sigma:g},{nu:g})", family="student_t",
                       params={"mu": float(mu), "sigma": float(sigma), "nu": float(nu)}, rationale=rationale)


def vague() -> EffectPrior:
    """Flat reference prior: the posterior equals the normalised likelihood."""
    return EffectPrior(
        name="vague", family="flat",
        rationale="Reference analysis: flat prior, posterior = likelihood (Spiegelhalter et al. 2004, 5.5.1)",
    )


def _check_anchor(mcid: float, strength: str) -> float:
    problems = scale_problems({"mcid": mcid}, required=True)
    if not isinstance(strength, str) or strength not in STRENGTHS:
        problems.append(f"unknown strength {strength!r}; use one of {', '.join(STRENGTHS)}")
    elif not problems and mcid / float(stats.norm.isf(STRENGTHS[strength])) < MIN_SCALE:
        problems.append(f"mcid = {mcid:g} gives a prior SD below {MIN_SCALE:g}; rescale the outcome's units")
    raise_if("prior preset", [p.replace("mcid must be positive", "mcid must be positive on the aligned scale")
                              for p in problems])
    return float(stats.norm.isf(STRENGTHS[strength]))


def skeptical(*, mcid: float, strength: str = "moderate") -> EffectPrior:
    """N(0, mcid / z): P(effect > mcid) = tail (Spiegelhalter et al. 1994)."""
    z = _check_anchor(mcid, strength)
    tail = STRENGTHS[strength]
    return EffectPrior(
        name=f"skeptical_{strength}", family="normal", params={"mu": 0.0, "sigma": mcid / z},
        rationale=f"Centred on no effect with P(benefit > MCID {mcid:g}) = {tail:g} (Spiegelhalter et al. 1994)",
    )


def enthusiastic(*, mcid: float, strength: str = "moderate") -> EffectPrior:
    """N(mcid, mcid / z): P(harm, effect < 0) = tail."""
    z = _check_anchor(mcid, strength)
    tail = STRENGTHS[strength]
    return EffectPrior(
        name=f"enthusiastic_{strength}", family="normal", params={"mu": float(mcid), "sigma": mcid / z},
        rationale=f"Centred on the MCID {mcid:g} with P(harm) = {tail:g} (Spiegelhalter et al. 1994)",
    )


def pessimistic(*, mcid: float, strength: str = "moderate") -> EffectPrior:
    """N(-mcid, mcid / z): P(benefit, effect > 0) = tail."""
    z = _check_anchor(mcid, strength)
    tail = STRENGTHS[strength]
    return EffectPrior(
        name=f"pessimistic_{strength}", family="normal", params={"mu": -float(mcid), "sigma": mcid / z},
        rationale=f"Centred on harm of one MCID ({mcid:g}) with P(benefit) = {tail:g} (Spiegelhalter et al. 2004)",
    )


def preset(name: str, *, mcid: float | None = None, strength: str = "moderate") -> EffectPrior:
    """A preset by name: ``vague``, ``skeptical``, ``enthusiastic``, ``pessimistic``.

    The name may carry the strength, e.g. ``skeptical_strong``.
    """
    if not isinstance(name, str):
        raise DataValidationError("prior", [f"a preset's name must be text ({', '.join(PRESETS)}), got {name!r}"])
    base, _, s = name.partition("_")
    strength = s or strength
    problems = []
    if base not in PRESETS:
        problems.append(
            f"unknown prior name {name!r}; use one of {', '.join(PRESETS)} "
            "(optionally _weak/_moderate/_strong), or normal:MEAN,SD or t:MEAN,SD,DF"
        )
    elif base != "vague":
        if strength not in STRENGTHS:
            problems.append(f"unknown strength {strength!r} in {name!r}; use one of {', '.join(STRENGTHS)}")
        if mcid is None:
            problems.append(f"prior {name!r} is anchored on an MCID: give --mcid")
    raise_if("prior", problems)
    if base == "vague":
        return vague()
    assert mcid is not None
    return {"skeptical": skeptical, "enthusiastic": enthusiastic, "pessimistic": pessimistic}[base](
        mcid=mcid, strength=strength
    )


def parse_prior(text: str, *, mcid: float | None = None) -> EffectPrior:
    """Parse ``NAME``, ``normal:MEAN,SD`` or ``t:MEAN,SD,DF`` (the command-line form)."""
    if not isinstance(text, str):
        raise DataValidationError("prior", [f"a prior must be text such as 'skeptical' or 'normal:0,1', got {text!r}"])
    family, sep, args = text.partition(":")
    if not sep:
        return preset(text, mcid=mcid)
    try:
        nums = [float(a) for a in args.split(",")]
    except ValueError:
        nums = []
    if family == "normal" and len(nums) == 2:
        return normal(*nums)
    if family == "t" and len(nums) == 3:
        return student_t(*nums)
    raise DataValidationError(
        "prior", [f"cannot read prior {text!r}; write normal:MEAN,SD or t:MEAN,SD,DF (numbers)"]
    )


def is_directional(prior: EffectPrior) -> bool:
    """True for the flat prior and the MCID-anchored presets (already in the direction of benefit)."""
    return prior.family == "flat" or prior.name.partition("_")[0] in PRESETS


def _negated(prior: EffectPrior) -> EffectPrior:
    if prior.family == "mixture":
        comps = [_negated(EffectPrior(**c)).to_dict() for c in prior.params["components"]]
        return EffectPrior(name=prior.name, family="mixture", rationale=prior.rationale,
                           params={**prior.params, "components": comps})
    return EffectPrior(name=prior.name, family=prior.family, rationale=prior.rationale,
                       params={**prior.params, "mu": 0.0 - prior.params["mu"]})


def from_printed(prior: EffectPrior, better: str) -> EffectPrior:
    r"""The aligned prior a model takes, from a prior given on the printed scale.

    With :math:`a = \text{align\_sign(better)}` (+1 for "higher", -1 for "lower") a printed
    prior :math:`p(\delta)` becomes :math:`p(a\theta)` on the aligned effect :math:`\theta =
    a\delta`; for the symmetric families this is the location :math:`\mu \to a\mu`. Presets
    (``skeptical_*``, ``enthusiastic_*``, ``pessimistic_*``, ``vague``) are directional by
    definition and are returned unchanged, so ``enthusiastic`` never turns pessimistic under
    ``better="lower"``.
    """
    if not isinstance(prior, EffectPrior):
        raise DataValidationError("prior", [f"prior must be an EffectPrior (bayes_ldn.priors), got {prior!r}"])
    if align_sign(better) > 0 or is_directional(prior):
        return prior
    return _negated(prior)


def parse_printed_prior(text: str | EffectPrior, *, better: str, mcid: float | None = None) -> EffectPrior:
    """Parse a user's prior (command-line text or an :class:`EffectPrior`) into the aligned prior.

    ``normal:MEAN,SD`` and ``t:MEAN,SD,DF`` are on the printed scale; ``NAME[_strength]``
    presets are anchored on ``mcid`` (a positive magnitude) in the direction of benefit.
    """
    prior = text if isinstance(text, EffectPrior) else parse_prior(text, mcid=mcid)
    return from_printed(prior, better)
