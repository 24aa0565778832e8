"""Named summary-statistic conversions; each result carries the method it used.

A published number often is not the number a normal likelihood needs. Every function here
returns a :class:`Converted` value whose ``method`` and ``note`` are stamped on every result
built from it, so an approximation is never silent. The user names the method; nothing here
picks one behind their back.

Methods
-------
SE from an interval
    ``ci_normal``: ``(upper - lower) / (2 z_{(1+ci_prob)/2})``; ``ci_t``: the same with the
    Student-t quantile on ``df`` degrees of freedom (Cochrane Handbook v6.4, section 6.5.2.3).
SE from a p-value
    ``p_normal`` / ``p_t``: ``|estimate| / z_{1-p/2}`` (Altman & Bland 2011, BMJ 343:d2090,
    doi:10.1136/bmj.d2090).
Mean and SD from a median and IQR
    ``wan2014``: mean ``(q1 + m + q3) / 3`` and SD ``(q3 - q1) / (2 Phi^-1((0.75 n - 0.125) /
    (n + 0.25)))`` (Wan et al. 2014, BMC Med Res Methodol 14:135, doi:10.1186/1471-2288-14-135,
    scenario C3); ``luo2018``: mean ``w (q1 + q3)/2 + (1 - w) m`` with ``w = 0.7 + 0.39/n`` (Luo et
    al. 2018, Stat Methods Med Res 27:1785, doi:10.1177/0962280216669183) and Wan's SD;
    ``cochrane``: mean = median and SD = IQR / 1.35 (Cochrane Handbook v6.4, section 6.5.2.5).
    When only the IQR's width is published (not its quartiles), every method must assume a
    symmetric distribution (mean = median); the note says so.
SD from a standardised effect size
    ``effect_size``: ``SD = |estimate| / |d|`` (the definition of Cohen's d).
Ratio measures
    ``log_ratio``: HR, OR and RR are analysed as log ratios; the SE comes from the log CI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import stats

from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_ABS, MIN_SCALE, sample_size_problems, number_problems, scale_problems

__all__ = [
    "MEDIAN_IQR_METHODS",
    "SE_METHODS",
    "Converted",
    "log_ratio",
    "mean_sd_from_median_iqr",
    "sd_from_effect_size",
    "se_from_ci",
    "se_from_p",
    "se_from_sd",
]

SE_METHODS = ("ci_normal", "ci_t", "p_normal", "p_t")
MEDIAN_IQR_METHODS = ("wan2014", "luo2018", "cochrane")


@dataclass(frozen=True)
class Converted:
    """A derived number and how it was derived.

    Attributes
    ----------
    value : float
        The derived value (an SE, an SD, a mean, a log ratio, ...).
    method : str
        The method name, as the user chose it.
    note : str
        One line saying what was computed from what, with the reference.
    """

    value: float
    method: str
    note: str

    def __post_init__(self) -> None:
        # A NaN value is the placeholder of a likelihood fitted to patient-level data (method "ipd").
        nan = isinstance(self.value, Real) and math.isnan(self.value)
        problems = [] if nan else number_problems({"value": self.value}, required=True)
        problems += [f"{k} must be text, got {v!r}" for k, v in (("method", self.method), ("note", self.note))
                     if not isinstance(v, str)]
        raise_if("converted value", problems)


def _derived_scale(what: str, value: float) -> list[str]:
    """A derived SE or SD must be a usable scale: from MIN_SCALE to MAX_ABS."""
    if MIN_SCALE <= value <= MAX_ABS:
        return []
    return [f"the {what} comes out as {value:g}, outside [{MIN_SCALE:g}, {MAX_ABS:g}] where double precision "
            "computes reliably; check the numbers or rescale the units"]


def _quantile(ci_prob: float, df: float | None) -> float:
    q = 0.5 + ci_prob / 2.0
    return float(stats.norm.ppf(q) if df is None else stats.t.ppf(q, df))


def se_from_ci(
    lower: float,
    upper: float,
    *,
    ci_prob: float = 0.95,
    method: str = "ci_normal",
    df: float | None = None,
    estimate: float | None = None,
) -> Converted:
    """Standard error from a confidence interval.

    Parameters
    ----------
    lower, upper : float
        The interval, on the analysis scale (take logs of ratio CIs first: :func:`log_ratio`).
    ci_prob : float
        The interval's coverage (0.95 for a 95% CI).
    method : {"ci_normal", "ci_t"}
        Normal or Student-t quantile. ``ci_t`` needs ``df``.
    df : float, optional
        Degrees of freedom for ``ci_t``.
    estimate : float, optional
        When given, it must lie inside the interval.

    Examples
    --------
    >>> round(se_from_ci(0.4, 3.7).value, 4)
    0.8419
    """
    problems = number_problems({"lower": lower, "upper": upper, "ci_prob": ci_prob}, required=True)
    problems += number_problems({"estimate": estimate})
    if method == "ci_t" and df is not None:
        problems += scale_problems({"df": df})
    if problems:
        raise_if("SE from a confidence interval", problems)
    if method not in ("ci_normal", "ci_t"):
        problems.append(f"unknown SE-from-CI method {method!r}; use 'ci_normal' or 'ci_t'")
    if not 0.01 <= ci_prob <= 0.9999:
        # Beyond these the normal quantile is ~0 or huge and the SE meaningless (5e-324 divided by 0).
        problems.append(f"ci_prob must lie in [0.01, 0.9999] (a published interval's coverage, e.g. 0.95), "
                        f"got {ci_prob}")
    if not lower < upper:
        problems.append(f"lower ({lower}) must be below upper ({upper}); swap them if reversed")
    if estimate is not None and not lower <= estimate <= upper:
        problems.append(
            f"estimate {estimate} lies outside its interval ({lower}, {upper}); check the numbers "
            "or the scale (ratios need --scale log)"
        )
    if method == "ci_t" and (df is None or df <= 0):
        problems.append("method 'ci_t' needs df > 0 (for a two-sample mean difference: n1 + n2 - 2)")
    raise_if("SE from a confidence interval", problems)
    z = _quantile(ci_prob, df if method == "ci_t" else None)
    se = (upper - lower) / (2.0 * z)
    raise_if("SE from a confidence interval", _derived_scale("SE", se))
    dist = f"t({df:g})" if method == "ci_t" else "normal"
    return Converted(
        float(se), method, f"SE = ({upper:g} - {lower:g}) / (2 x {z:.4f}), {dist} quantile of a "
        f"{100 * ci_prob:g}% CI"
    )


def se_from_p(
    estimate: float, p: float, *, method: str = "p_normal", df: float | None = None
) -> Converted:
    """Standard error from an estimate and its two-sided p-value (Altman & Bland 2011).

    Examples
    --------
    >>> round(se_from_p(-0.34, 0.27).value, 3)
    0.308
    """
    problems = number_problems({"estimate": estimate, "p": p}, required=True)
    if method == "p_t" and df is not None:
        problems += scale_problems({"df": df})
    if problems:
        raise_if("SE from a p-value", problems)
    if method not in ("p_normal", "p_t"):
        problems.append(f"unknown SE-from-p method {method!r}; use 'p_normal' or 'p_t'")
    if not 0 < p < 1:
        problems.append(f"p must lie in (0, 1), got {p}")
    if estimate == 0:
        problems.append("an estimate of exactly 0 carries no information about the SE")
    if method == "p_t" and df is None:
        problems.append("method 'p_t' needs df > 0")
    raise_if("SE from a p-value", problems)
    z = float(stats.norm.isf(p / 2) if method == "p_normal" else stats.t.isf(p / 2, df))
    raise_if("SE from a p-value", _derived_scale("SE", abs(estimate) / z) if np.isfinite(z) else [
        f"p = {p:g} is too small to invert in double precision; give the interval instead"])
    return Converted(
        abs(estimate) / z, method, f"SE = |{estimate:g}| / {z:.4f}, the two-sided p = {p:g} read as "
        f"{'a z' if method == 'p_normal' else f't({df:g})'} test"
    )


def se_from_sd(sd: float, n: int) -> Converted:
    """Standard error of a mean (or of a mean paired difference) from an SD and ``n``."""
    raise_if("SE from an SD", sample_size_problems({"n": n}, minimum=2) + scale_problems({"SD": sd}, required=True))
    se = sd / math.sqrt(n)  # math: n may be a Python int beyond 2**64, which NumPy's sqrt does not take
    raise_if("SE from an SD", _derived_scale("SE", se))
    return Converted(se, "sd_over_sqrt_n", f"SE = {sd:.4g} / sqrt({n})")


def mean_sd_from_median_iqr(
    median: float,
    *,
    n: int,
    method: str,
    q1: float | None = None,
    q3: float | None = None,
    iqr: float | None = None,
) -> tuple[Converted, Converted]:
    """Approximate mean and SD from a median and an interquartile range.

    Give either both quartiles (``q1``, ``q3``) or only the IQR's width (``iqr``); in the latter
    case the mean equals the median under every method, an assumption of symmetry that the
    returned note states.

    Parameters
    ----------
    median : float
    n : int
        Sample size the median and IQR describe (for a crossover: the number of pairs).
    method : {"wan2014", "luo2018", "cochrane"}
    q1, q3 : float, optional
    iqr : float, optional

    Returns
    -------
    (Converted, Converted)
        The mean and the SD.

    Examples
    --------
    Wan et al. (2014), scenario C3 with n = 58:

    >>> mean, sd = mean_sd_from_median_iqr(-1.65, iqr=18.55, n=58, method="wan2014")
    >>> round(mean.value, 2), round(sd.value, 2)
    (-1.65, 14.1)
    """
    problems = number_problems({"median": median}, required=True) + number_problems({"q1": q1, "q3": q3, "iqr": iqr}) + sample_size_problems({"n": n}, minimum=2)
    if problems:
        raise_if("mean and SD from a median and IQR", problems)
    if not isinstance(method, str) or method not in MEDIAN_IQR_METHODS:
        problems.append(
            f"unknown median/IQR method {method!r}; choose one of {', '.join(MEDIAN_IQR_METHODS)}"
        )
    have_q = q1 is not None and q3 is not None
    if not have_q and iqr is None:
        problems.append("give the quartiles (q1 and q3) or the IQR width (iqr)")
    if have_q and not q1 <= median <= q3:  # type: ignore[operator]
        problems.append(f"median {median} must lie between q1 {q1} and q3 {q3}")
    width = (q3 - q1) if have_q else iqr  # type: ignore[operator]
    if width is not None and not width > 0:
        problems.append(f"the IQR must be positive, got {width}")
    raise_if("mean and SD from a median and IQR", problems)
    assert width is not None
    raise_if("mean and SD from a median and IQR", _derived_scale("IQR", width))
    # Wan et al. 2014, eq. (16): the expected IQR of n standard normals.
    eta = 2.0 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    if not have_q:
        mean = Converted(
            float(median), method,
            f"mean = median ({median:g}): only the IQR width was published, so every method must "
            "assume a symmetric distribution",
        )
    elif method == "wan2014":
        mean = Converted(
            float((q1 + median + q3) / 3.0), method, "mean = (q1 + median + q3) / 3 (Wan et al. 2014)"
        )
    elif method == "luo2018":
        w = 0.7 + 0.39 / n
        mean = Converted(
            float(w * (q1 + q3) / 2.0 + (1 - w) * median), method,
            f"mean = {w:.4f} (q1 + q3)/2 + {1 - w:.4f} median (Luo et al. 2018)",
        )
    else:
        mean = Converted(float(median), method, "mean = median (Cochrane Handbook 6.5.2.5)")
    if method == "cochrane":
        sd = Converted(float(width / 1.35), method, f"SD = IQR / 1.35 = {width:g} / 1.35 (Cochrane)")
    else:
        sd = Converted(
            float(width / eta), method,
            f"SD = IQR / {eta:.4f} = {width:g} / {eta:.4f} (Wan et al. 2014, n = {n})",
        )
    return mean, sd


def sd_from_effect_size(estimate: float, effect_size: float) -> Converted:
    """SD implied by a standardised effect size: ``SD = |estimate| / |d|``.

    Examples
    --------
    >>> round(sd_from_effect_size(-1.65, 0.15).value, 2)
    11.0
    """
    problems = number_problems({"estimate": estimate, "effect size": effect_size}, required=True)
    if not problems:
        problems += [] if effect_size != 0 else [f"effect size must be non-zero and finite, got {effect_size}"]
        problems += [] if estimate != 0 else ["an estimate of exactly 0 implies an SD of 0; the effect size "
                                              "carries no SD then"]
    raise_if("SD from an effect size", problems)
    sd = abs(estimate) / abs(effect_size)
    raise_if("SD from an effect size", _derived_scale("SD |estimate| / |d|", sd))
    return Converted(
        sd, "effect_size",
        f"SD = |{estimate:g}| / |{effect_size:g}| (definition of a standardised effect size)",
    )


def log_ratio(
    estimate: float, lower: float | None = None, upper: float | None = None
) -> tuple[float, float | None, float | None]:
    """Put a ratio (HR, OR, RR) and its interval on the log scale.

    Raises
    ------
    DataValidationError
        When any value is not strictly positive.
    """
    given = {"estimate": estimate, "lower": lower, "upper": upper}
    raise_if("ratio on the log scale", number_problems({"estimate": estimate}, required=True)
             + number_problems({"lower": lower, "upper": upper}))
    bad = [
        f"{name} = {v} is not a positive ratio; a ratio on the log scale must be > 0"
        for name, v in given.items()
        if v is not None and not v > 0
    ]
    raise_if("ratio on the log scale", bad)
    return (
        float(np.log(estimate)),
        None if lower is None else float(np.log(lower)),
        None if upper is None else float(np.log(upper)),
    )
