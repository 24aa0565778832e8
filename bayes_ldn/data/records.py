"""Published-aggregate records with provenance, and how one becomes a normal likelihood.

A :class:`PublishedRecord` keeps a number exactly as printed (contrast order, sign, interval,
median/IQR, p). :func:`to_likelihood` turns it into an :class:`EffectLikelihood` on the aligned
scale "positive = LDN better" through a conversion the user names; the likelihood carries the
record's evidence tags and the conversion notes into every result built from it.
:func:`align_sign` is the only place in bayes_ldn where a published sign is flipped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np

from bayes_ldn import conversions as cv
from bayes_ldn.estimand import Estimand
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import number_problems, sample_size_problems, scale_problems

__all__ = [
    "CONVERSIONS",
    "EVIDENCE_TAGS",
    "EffectLikelihood",
    "PublishedRecord",
    "Source",
    "align_sign",
    "to_likelihood",
]

EVIDENCE_TAGS = ("ABS", "TAB", "REG", "SEC", "3P")
MEASURES = ("mean_difference", "within_change", "median_difference", "ratio")
#: Every conversion a user may name to turn a record into a normal likelihood.
CONVERSIONS = (*cv.SE_METHODS, *cv.MEDIAN_IQR_METHODS, "effect_size")


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a record's numbers come from."""

    citation: str
    doi: str | None = None
    pmid: str | None = None


@dataclass(frozen=True, kw_only=True)
class PublishedRecord:
    """One published result, stored as printed.

    ``contrast = (A, B)`` means the estimate is A minus B (or A over B for ratios), and
    ``better`` is the direction of benefit on that printed scale.
    """

    id: str
    trial: str
    outcome: str
    label: str
    units: str
    design: str
    measure: str
    contrast: tuple[str, str]
    better: str
    population: str
    n: Mapping[str, int]
    estimate: float
    source: Source
    location: str
    evidence: tuple[str, ...]
    verified: bool
    family: str = ""
    arm: str | None = None
    lower: float | None = None
    upper: float | None = None
    ci_prob: float | None = None
    p: float | None = None
    iqr: float | None = None
    q1: float | None = None
    q3: float | None = None
    effect_size: float | None = None
    dose_mg: float | None = None
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"record {self.id!r}"
        numbers = {k: getattr(self, k) for k in ("estimate", "lower", "upper", "ci_prob", "p", "iqr", "q1", "q3",
                                                "effect_size", "dose_mg")}
        problems = number_problems(numbers) + ([f"estimate must be given, got {self.estimate!r}"]
                                               if self.estimate is None else [])
        if isinstance(self.n, Mapping):  # empty for a number typed on the command line (no sample sizes)
            problems += sample_size_problems({f"n[{k!r}]": v for k, v in self.n.items()})
        else:
            problems.append(f"n must map each arm to its sample size, got {self.n!r}")
        if problems:  # the checks below compare these numbers
            raise_if(where, [f"{where}: {p}" for p in problems])
        if self.measure not in MEASURES:
            problems.append(f"measure {self.measure!r} is not one of {', '.join(MEASURES)}")
        if self.better not in ("higher", "lower"):
            problems.append(f"better must be 'higher' or 'lower', got {self.better!r}")
        bad = [t for t in self.evidence if t not in EVIDENCE_TAGS]
        if bad or not self.evidence:
            problems.append(f"evidence tags {list(self.evidence)} must be among {EVIDENCE_TAGS}")
        if (self.lower is None) != (self.upper is None):
            problems.append("give both lower and upper, or neither")
        if self.lower is not None and self.upper is not None:
            if not self.lower < self.upper:
                problems.append(f"lower ({self.lower}) must be below upper ({self.upper})")
            elif not self.lower <= self.estimate <= self.upper:
                problems.append(
                    f"estimate {self.estimate} lies outside its interval ({self.lower}, {self.upper})"
                )
            if self.ci_prob is None or not 0 < self.ci_prob < 1:
                problems.append(f"ci_prob must lie in (0, 1) with an interval, got {self.ci_prob}")
        if self.p is not None and not 0 < self.p <= 1:
            problems.append(f"p must lie in (0, 1], got {self.p}")
        if self.measure == "ratio" and self.estimate <= 0:
            problems.append(f"a ratio must be positive, got {self.estimate}")
        raise_if(where, [f"{where}: {p}" for p in problems])

    @property
    def n_total(self) -> int:
        """Total sample size (pairs for a crossover)."""
        return int(sum(self.n.values()))

    def estimand(self) -> Estimand:
        """The record's estimand on the printed scale."""
        return Estimand(
            treatment=self.contrast[0],
            reference=self.contrast[1],
            better=self.better,  # type: ignore[arg-type]
            units=self.units,
            scale="log" if self.measure == "ratio" else "linear",
        )

    def provenance(self) -> dict[str, Any]:
        """Flat provenance fields for tables and attrs."""
        return {
            "record": self.id,
            "trial": self.trial,
            "outcome": self.outcome,
            "evidence": "+".join(self.evidence),
            "verified": self.verified,
            "citation": self.source.citation,
            "doi": self.source.doi or "",
            "pmid": self.source.pmid or "",
            "location": self.location,
        }


def align_sign(better: str) -> int:
    """The factor that maps a printed contrast to "positive = benefit".

    This is the only place in bayes_ldn where a published sign is flipped: multiply an estimate
    on the printed scale by the returned factor to get the aligned scale, and multiply again to
    go back (the factor is its own inverse).
    """
    if better == "higher":
        return 1
    if better == "lower":
        return -1
    raise DataValidationError("direction of benefit", [f"better must be 'higher' or 'lower', got {better!r}"])


@dataclass(frozen=True, kw_only=True)
class EffectLikelihood:
    r"""A normal likelihood for one effect, on the aligned analysis scale.

    .. math:: \hat\theta \sim N(\theta, s^2), \qquad \theta > 0 \iff \text{treatment better}

    ``sign`` maps aligned values back to the printed contrast scale; for ratio measures the
    analysis scale is the log ratio.
    """

    estimate: float
    se: float
    sign: int
    scale: str
    units: str
    conversions: tuple[cv.Converted, ...]
    provenance: Mapping[str, Any]
    label: str = ""

    def __post_init__(self) -> None:
        # Finite and within double precision's working range (an SE of 1e-166 from a CI that narrow is not).
        # A NaN estimate is the placeholder of rows summarised from draws; exact_posterior and the CLI refuse it.
        nan = isinstance(self.estimate, Real) and math.isnan(self.estimate)
        problems = scale_problems({"SE": self.se}, required=True) + ([] if nan else number_problems({"estimate": self.estimate}, required=True))
        if isinstance(self.sign, bool) or not isinstance(self.sign, (int, np.integer)) or self.sign not in (1, -1):
            problems.append(f"sign must be +1 (higher is better) or -1 (lower is better), got {self.sign!r}")
        if not isinstance(self.scale, str) or self.scale not in ("linear", "log"):
            problems.append(f"scale must be 'linear' or 'log', got {self.scale!r}")
        raise_if("effect likelihood", problems)

    @property
    def conversion_note(self) -> str:
        """All conversions in one string, for the ``conversions`` column."""
        return "; ".join(f"{c.method}: {c.note}" for c in self.conversions)


def _se_from_sd(sd: float, record: PublishedRecord) -> cv.Converted:
    """SE of the record's contrast from an SD: paired (crossover) or two independent arms."""
    if record.design == "crossover" or len(record.n) == 1:
        return cv.se_from_sd(sd, record.n_total)
    n1, n2 = (int(v) for v in list(record.n.values())[:2])
    return cv.Converted(
        sd * float(np.sqrt(1 / n1 + 1 / n2)), "sd_two_arms", f"SE = {sd:.4g} x sqrt(1/{n1} + 1/{n2})"
    )


def to_likelihood(record: PublishedRecord, conversion: str, *, df: float | None = None) -> EffectLikelihood:
    """Turn a record into a normal likelihood through a named conversion.

    Parameters
    ----------
    record : PublishedRecord
    conversion : str
        One of :data:`CONVERSIONS`: ``ci_normal`` / ``ci_t`` (SE from the interval), ``p_normal``
        / ``p_t`` (SE from the p-value), ``wan2014`` / ``luo2018`` / ``cochrane`` (mean and SD
        from a median and IQR, SE = SD / sqrt(n)), ``effect_size`` (SD = |estimate| / d).
    df : float, optional
        Degrees of freedom for the ``*_t`` methods.

    Raises
    ------
    DataValidationError
        When the record lacks what the conversion needs, or a median is given to a normal model
        without a median/IQR conversion.
    """
    if not isinstance(record, PublishedRecord):
        raise DataValidationError("likelihood", [f"record must be a PublishedRecord (bayes_ldn.load_record), got {record!r}"])
    where = f"record {record.id!r} with conversion {conversion!r}"
    problems = [] if df is None else scale_problems({"df": df})
    if not isinstance(conversion, str) or conversion not in CONVERSIONS:
        problems.append(f"unknown conversion; choose one of {', '.join(CONVERSIONS)}")
    is_median = record.measure == "median_difference"
    if conversion in ("ci_normal", "ci_t") and record.lower is None:
        problems.append("the record has no interval; use 'p_normal' if it has a p-value")
    if conversion in ("p_normal", "p_t") and record.p is None:
        problems.append("the record has no p-value")
    if conversion in cv.MEDIAN_IQR_METHODS and not is_median:
        problems.append(f"{conversion!r} converts a median and IQR, but this record is a {record.measure}")
    if conversion == "effect_size" and record.effect_size is None:
        problems.append("the record has no standardised effect size")
    if conversion in cv.MEDIAN_IQR_METHODS and record.design != "crossover":
        problems.append("median/IQR conversions describe one sample of paired differences (a crossover)")
    if is_median and conversion in ("ci_normal", "ci_t"):
        problems.append("a median difference needs a named median/IQR conversion (wan2014, luo2018, cochrane)")
    if is_median and conversion not in (*cv.MEDIAN_IQR_METHODS, "effect_size", "p_normal", "p_t"):
        problems.append(
            "a median and IQR cannot enter a normal model without a named conversion: "
            f"choose one of {', '.join((*cv.MEDIAN_IQR_METHODS, 'effect_size', 'p_normal'))}"
        )
    raise_if(where, problems)

    est, lo, hi = record.estimate, record.lower, record.upper
    steps: list[cv.Converted] = []
    if record.measure == "ratio":
        est, lo, hi = cv.log_ratio(est, lo, hi)
        steps.append(cv.Converted(est, "log_ratio", f"analysed as log({record.estimate:g})"))
    n_pairs = record.n_total
    if conversion in ("ci_normal", "ci_t"):
        assert lo is not None and hi is not None and record.ci_prob is not None
        steps.append(cv.se_from_ci(lo, hi, ci_prob=record.ci_prob, method=conversion, df=df, estimate=est))
    elif conversion in ("p_normal", "p_t"):
        assert record.p is not None
        steps.append(cv.se_from_p(est, record.p, method=conversion, df=df))
    elif conversion in cv.MEDIAN_IQR_METHODS:
        mean, sd = cv.mean_sd_from_median_iqr(
            est, n=n_pairs, method=conversion, q1=record.q1, q3=record.q3, iqr=record.iqr
        )
        est = mean.value
        steps += [mean, sd, _se_from_sd(sd.value, record)]
    else:  # effect_size
        assert record.effect_size is not None
        sd = cv.sd_from_effect_size(est, record.effect_size)
        if is_median:
            steps.append(cv.Converted(est, "effect_size", "mean = median (symmetry assumed)"))
        steps += [sd, _se_from_sd(sd.value, record)]
    sign = align_sign(record.better)
    # SE is always the last step's value.
    return EffectLikelihood(
        estimate=sign * est,
        se=steps[-1].value,
        sign=sign,
        scale="log" if record.measure == "ratio" else "linear",
        units=record.units,
        conversions=tuple(steps),
        provenance=record.provenance(),
        label=record.label,
    )
