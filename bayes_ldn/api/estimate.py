"""``analyze_estimate``: the exact posterior of one published estimate (CI, SE, p-value or median/IQR).

Names and defaults are the command line's (``bayes-ldn posterior``, a thin layer over this):
``estimate``, ``lower``, ``upper``, ``ci_prob`` (the published interval's coverage), ``se``,
``p_value``, ``median``, ``iqr``, ``n``, ``conversion``, ``df``, ``scale``, ``better``, ``mcid``,
``rope``, ``prior`` and ``report_ci_prob`` (the credible interval's probability).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.api.result import Analysis
from bayes_ldn.conversions import Converted
from bayes_ldn.data.records import EffectLikelihood, PublishedRecord, Source, align_sign, to_likelihood
from bayes_ldn.exact import exact_posterior
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.summaries import decision_row_exact
from bayes_ldn.validation import MAX_ABS, is_real, number_problems, probability_problems

__all__ = ["analyze_estimate", "estimate_likelihood", "estimate_problems"]


_NUMBERS = ("estimate", "lower", "upper", "ci_prob", "se", "p_value", "median", "iqr", "n", "df", "mcid", "rope",
            "report_ci_prob")


def _number_problems(a: Any) -> list[str]:
    out = number_problems({f"--{k.replace('_', '-')}": getattr(a, k) for k in _NUMBERS}, scales=("--se",))
    return out or probability_problems({"--ci-prob": a.ci_prob, "--report-ci-prob": a.report_ci_prob})


def estimate_problems(a: Any) -> list[str]:
    out = []
    if a.better is None:
        out.append("--better higher|lower is required: the direction of benefit is an analysis choice")
    # Non-finite or overflowing numbers first: the comparisons below are meaningless on them.
    bad = _number_problems(a)
    if bad:
        return out + bad
    if a.median is not None:
        if a.estimate is not None:
            out.append("give --estimate or --median, not both")
        if a.conversion is None:
            out.append(
                "a median/IQR cannot enter a normal model without a named conversion: add "
                "--conversion wan2014|luo2018|cochrane (or effect_size / p_normal)"
            )
        if a.iqr is None and a.conversion in ("wan2014", "luo2018", "cochrane"):
            out.append("--median needs --iqr for a median/IQR conversion")
    elif a.estimate is None:
        out.append("give --estimate (or --median with --iqr, --n and --conversion)")
    has_ci = a.lower is not None or a.upper is not None
    if has_ci and (a.lower is None or a.upper is None):
        out.append("give both --lower and --upper")
    elif has_ci and not a.lower < a.upper:
        out.append(f"--lower ({a.lower}) must be below --upper ({a.upper}); swap them if reversed")
    if a.se is not None and (has_ci or a.p_value is not None):
        out.append("give --se alone, or a CI, or a p-value: not several")
    if a.se is None and not has_ci and a.p_value is None and a.median is None:
        out.append("give --lower/--upper, --se or --p-value")
    if a.mcid is not None and not a.mcid > 0:
        out.append(f"--mcid must be positive, got {a.mcid}")
    if a.mcid is not None and a.scale == "log" and a.mcid == 1:
        out.append("--mcid 1 on the ratio scale is no effect; give the clinically important ratio, e.g. 0.8")
    return out


def estimate_likelihood(a: Any) -> EffectLikelihood:
    est = a.median if a.median is not None else a.estimate
    if a.se is not None:
        if not a.se > 0:
            raise DataValidationError("--se", [f"SE must be positive, got {a.se}"])
        value = est
        if a.scale == "log":
            if not est > 0:
                raise DataValidationError("--estimate", [f"a ratio on the log scale must be > 0, got {est}"])
            value = math.log(est)
        sign = align_sign(a.better)
        return EffectLikelihood(
            estimate=sign * value, se=a.se, sign=sign, scale=a.scale, units="",
            conversions=(Converted(a.se, "se_given", "SE as given on the command line"),),
            provenance={"trial": "command line", "record": "command line", "evidence": "user"},
        )
    conversion = a.conversion or ("ci_normal" if a.lower is not None else "p_normal")
    record = PublishedRecord(
        id="command-line input", trial="command line", outcome="effect", label="", units="",
        design="crossover" if a.median is not None else "parallel",
        measure="ratio" if a.scale == "log" else ("median_difference" if a.median is not None else "mean_difference"),
        contrast=("treatment", "control"), better=a.better, population="unknown",
        n={"n": a.n} if a.n is not None else {}, estimate=est, lower=a.lower, upper=a.upper,
        ci_prob=a.ci_prob if a.lower is not None else None, p=a.p_value, iqr=a.iqr,
        source=Source(citation="command line"), location="command line", evidence=("TAB",), verified=False,
    )
    lik = to_likelihood(record, conversion, df=a.df)
    return EffectLikelihood(**{**lik.__dict__, "provenance": {"trial": "command line", "evidence": "user"}})



def analyze_estimate(
    estimate: float | None = None,
    *,
    better: str,
    lower: float | None = None,
    upper: float | None = None,
    ci_prob: float = 0.95,
    se: float | None = None,
    p_value: float | None = None,
    median: float | None = None,
    iqr: float | None = None,
    n: int | None = None,
    conversion: str | None = None,
    df: float | None = None,
    scale: str = "linear",
    mcid: float | None = None,
    rope: float | None = None,
    prior: str | pr.EffectPrior = "vague",
    report_ci_prob: float = defaults.CI_PROB,
) -> Analysis:
    r"""Exact posterior (conjugate or 1-D quadrature, no sampling) of one published estimate.

    Parameters
    ----------
    estimate : float
        As printed (a ratio itself with ``scale="log"``, e.g. a hazard ratio).
    better : {"higher", "lower"}
        Direction of benefit of the printed contrast (required).
    lower, upper, ci_prob : float
        The published confidence interval and its coverage; or ``se``; or ``p_value``; or
        ``median``/``iqr``/``n`` with a named ``conversion``.
    scale : {"linear", "log"}
    mcid : float, optional
        A positive difference, or a ratio (e.g. 0.8) with ``scale="log"``.
    prior : str or EffectPrior
        Printed-scale locations (``"normal:MEAN,SD"``), directional presets anchored on ``mcid``.
    report_ci_prob : float
        Probability of the credible interval reported.

    Returns
    -------
    Analysis
        One exact decision row (``method = "exact"``); ``.to_dict()`` is the command line's ``--json``.

    Examples
    --------
    ANDROMEDA-SHOCK's HR 0.75 (0.55 to 1.02) under a skeptical N(0, 0.392) on the log HR gives
    HR 0.78 (0.59 to 1.04) and P(HR < 1) = 0.95 (Zampieri et al. 2021, doi:10.1164/rccm.202006-2519LE):

    >>> r = analyze_estimate(0.75, lower=0.55, upper=1.02, scale="log", better="lower", prior="normal:0,0.392")
    >>> round(r.to_dict()["median_ratio"], 2), round(r.to_dict()["prob_better"], 2)
    (0.78, 0.95)
    """
    a = SimpleNamespace(estimate=estimate, lower=lower, upper=upper, ci_prob=ci_prob, se=se, p_value=p_value,
                        median=median, iqr=iqr, n=n, conversion=conversion, df=df, scale=scale, better=better,
                        mcid=mcid, rope=rope, report_ci_prob=report_ci_prob)
    # A library call may pass anything: text, a list or None-like objects stop here, before any comparison.
    wrong = [f"{k} must be a real number{'' if k.endswith('ci_prob') else ' or None'}, got {getattr(a, k)!r}"
             for k in _NUMBERS
             if (getattr(a, k) is not None or k.endswith("ci_prob")) and not is_real(getattr(a, k))]
    raise_if("bayes-ldn posterior", wrong)
    problems = estimate_problems(a)
    ratio_mcid = None
    if mcid is not None and mcid > 0:
        ratio_mcid = abs(math.log(mcid)) if scale == "log" else mcid
    parsed = None
    try:
        parsed = prior if isinstance(prior, pr.EffectPrior) else pr.parse_prior(prior, mcid=ratio_mcid)
    except DataValidationError as err:
        problems += list(err.problems)
    lik = None
    # Without an estimate (already a problem) there is no likelihood to check further.
    if (not problems or better is not None) and not _number_problems(a) and (estimate, median) != (None, None):
        try:
            lik = estimate_likelihood(a)
        except DataValidationError as err:
            problems += list(err.problems)
    if problems or lik is None or parsed is None:
        raise DataValidationError("bayes-ldn posterior", list(dict.fromkeys(problems)))
    aligned = pr.from_printed(parsed, "higher" if lik.sign > 0 else "lower")
    post = exact_posterior(lik, aligned)
    row = decision_row_exact(lik, aligned, post, mcid=ratio_mcid, rope=rope, ci_prob=report_ci_prob)
    keys = ["mean", "sd", "median", "lower", "upper", "ci_prob", "ci_kind", "prob_better"]
    if ratio_mcid is not None:
        keys.append("prob_better_than_mcid")
    if rope is not None:
        keys.append("prob_rope")
    keys.append("prob_harm")
    out = {k: row[k] for k in keys}
    if scale == "log":
        if max(abs(row["lower"]), abs(row["upper"])) > math.log(MAX_ABS):
            raise DataValidationError("bayes-ldn posterior", [
                f"the posterior interval of the log ratio ({row['lower']:.4g} to {row['upper']:.4g}) spans ratios "
                f"beyond 1e+-100: check that --se (or the interval) is on the log scale and not the ratio scale"])
        out.update(median_ratio=math.exp(row["median"]), lower_ratio=math.exp(row["lower"]),
                   upper_ratio=math.exp(row["upper"]))
    out.update(scale=scale, prior=aligned.describe(), prior_scale="aligned (positive = better)",
               conversions=lik.conversion_note, method="exact")
    return Analysis(design="estimate", rows=[row], details=[out])
