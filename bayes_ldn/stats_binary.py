r"""Exact posteriors of a 2x2 table (two independent binomial arms) on plain NumPy/SciPy.

With independent Beta priors the arms' posteriors are independent Betas in closed form,

.. math::

    p_t \mid y \sim \mathrm{Beta}(a_t + y_t,\ b_t + n_t - y_t), \qquad
    p_c \mid y \sim \mathrm{Beta}(a_c + y_c,\ b_c + n_c - y_c),

so exact independent draws of any contrast (no MCMC) are two Beta draws per sample, and every
probability of a contrast is a one-dimensional integral over the control arm:

.. math::

    P\{g(p_t, p_c) > \delta\} = \int_0^1 S_t\{h_\delta(F_c^{-1}(v))\}\, dv,

with :math:`S_t` the treatment arm's survival function and :math:`h_\delta(u)` the treatment
risk at which the contrast equals :math:`\delta` when :math:`p_c = u` (risk difference
:math:`u + \delta`; risk ratio :math:`u e^\delta`; odds ratio :math:`e^\delta u / (1 - u + e^\delta u)`).
Integrating on the probability scale of the control arm keeps the integrand bounded even where a
Beta density is not (Jeffreys prior, zero events). The risk-difference density is the convolution
:math:`f_{RD}(x) = \int f_t(x + u) f_c(u)\, du`.

Contrasts are on the **printed** scale (treatment versus control; log ratios for RR and OR);
``sign`` (+1 when higher is better, -1 when lower is better) turns them into the aligned scale
"positive = treatment better", as everywhere in bayes_ldn. Draw-based probabilities carry their
Monte Carlo SE, :math:`\sqrt{p(1-p)/\mathrm{ESS}}` (ESS = the number of draws for independent draws).
The logistic model's posterior by 2-D quadrature is in :mod:`bayes_ldn.stats_binary_grid`.
This module never imports PyMC.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import integrate, optimize, special, stats

from bayes_ldn import defaults
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import MAX_COUNT, count_problems, optional_real_problems

__all__ = [
    "MEASURES",
    "BetaBinomialPosterior",
    "ContrastSummary",
    "analysis_scale",
    "beta_binomial_posterior",
    "contrast_from_risks",
    "joint_benefit_harm",
    "mcid_on_analysis_scale",
    "nnt_summary",
    "summarize_contrast",
]

#: Contrasts of two risks: risk difference, risk ratio, odds ratio.
MEASURES = ("rd", "rr", "or")
MEASURE_NAMES = {"rd": "risk difference", "rr": "risk ratio", "or": "odds ratio"}


def analysis_scale(measure: str) -> str:
    """``"linear"`` for the risk difference, ``"log"`` for the ratios (where they are normal-ish)."""
    _check_measure(measure)
    return "linear" if measure == "rd" else "log"


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise DataValidationError("measure", [f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}"])


def mcid_on_analysis_scale(measure: str, mcid: float | None) -> float | None:
    """A clinically important contrast as a positive magnitude on the analysis scale.

    Risk difference: the MCID itself (a proportion, e.g. 0.10 for 10 percentage points). Ratios:
    ``|log(mcid)|``, so 1.25 and 0.8 are the same magnitude; the direction comes from ``better``.
    """
    if mcid is None:
        return None
    _check_measure(measure)
    problems = []
    if not np.isfinite(mcid) or mcid <= 0:
        problems.append(f"the MCID must be positive, got {mcid}")
    elif measure == "rd" and mcid >= 1:
        problems.append(f"a risk-difference MCID is a proportion in (0, 1), got {mcid}")
    elif measure != "rd" and mcid == 1:
        problems.append("an MCID of 1 on the ratio scale is no effect; give the important ratio, e.g. 1.25 or 0.8")
    raise_if("MCID", problems)
    return float(mcid) if measure == "rd" else abs(float(np.log(mcid)))


def contrast_from_risks(p_t: np.ndarray, p_c: np.ndarray, measure: str) -> np.ndarray:
    """The printed contrast on the analysis scale: ``p_t - p_c``, ``log(p_t/p_c)`` or the log odds ratio."""
    _check_measure(measure)
    p_t, p_c = np.asarray(p_t, dtype=float), np.asarray(p_c, dtype=float)
    if measure == "rd":
        return p_t - p_c
    if measure == "rr":
        return np.log(p_t) - np.log(p_c)
    return special.logit(p_t) - special.logit(p_c)


# --- the exact posterior ------------------------------------------------------------------------


@dataclass(frozen=True)
class BetaBinomialPosterior:
    """Independent Beta posteriors of the treatment (``t``) and control (``c``) risks.

    Attributes
    ----------
    a_t, b_t, a_c, b_c : float
        Posterior Beta parameters (prior + events, prior + non-events).
    """

    a_t: float
    b_t: float
    a_c: float
    b_c: float

    def arm(self, which: str) -> Any:
        """The frozen ``scipy.stats.beta`` posterior of arm ``"t"`` or ``"c"``."""
        a, b = (self.a_t, self.b_t) if which == "t" else (self.a_c, self.b_c)
        return stats.beta(a, b)

    def draws(self, size: int, random_seed: int | np.random.Generator) -> dict[str, np.ndarray]:
        """Exact independent draws ``p_t``, ``p_c`` (treatment arm first, then control)."""
        rng = np.random.default_rng(random_seed)
        return {"p_t": rng.beta(self.a_t, self.b_t, size), "p_c": rng.beta(self.a_c, self.b_c, size)}

    # -- exact (quadrature) answers, used to check the draws -----------------------------------

    def mean(self, measure: str) -> float:
        r"""Posterior mean of the printed contrast on the analysis scale, in closed form.

        RD: :math:`E p_t - E p_c`. log RR: :math:`\psi(a_t) - \psi(a_t + b_t) - \psi(a_c) + \psi(a_c + b_c)`
        (:math:`E \log p = \psi(a) - \psi(a + b)`). log OR: :math:`\psi(a_t) - \psi(b_t) - \psi(a_c) + \psi(b_c)`.
        """
        _check_measure(measure)
        dg = special.digamma
        if measure == "rd":
            return self.a_t / (self.a_t + self.b_t) - self.a_c / (self.a_c + self.b_c)
        if measure == "rr":
            return float(dg(self.a_t) - dg(self.a_t + self.b_t) - dg(self.a_c) + dg(self.a_c + self.b_c))
        return float(dg(self.a_t) - dg(self.b_t) - dg(self.a_c) + dg(self.b_c))

    def _threshold_risk(self, measure: str, delta: float, u: np.ndarray) -> np.ndarray:
        if measure == "rd":
            return u + delta
        if measure == "rr":
            return u * np.exp(delta)
        r = np.exp(delta)
        return r * u / (1.0 - u + r * u)

    def prob_above(self, measure: str, delta: float) -> float:
        """``P(contrast > delta)`` (printed analysis scale) by 1-D adaptive quadrature."""
        _check_measure(measure)
        t, c = self.arm("t"), self.arm("c")

        def integrand(v: float) -> float:
            return float(t.sf(self._threshold_risk(measure, delta, c.ppf(v))))

        # The integrand is 0 (or 1) beyond the control risks where the threshold risk leaves (0, 1):
        # RD at u = -delta and 1 - delta, RR at u = e^-delta. quad was told nothing of these kinks and
        # warned "does not converge" (IntegrationWarning) for RR with 9/9 control events, delta 0.375.
        kinks = {"rd": (-delta, 1.0 - delta), "rr": (float(np.exp(-delta)),), "or": ()}[measure]
        # (a kink within 1e-8 of an end is left to quad: a sliver panel there made it warn instead)
        points = sorted(v for v in {float(c.cdf(k)) for k in kinks if 0.0 < k < 1.0} if 1e-8 < v < 1.0 - 1e-8) or None
        val, _ = integrate.quad(integrand, 0.0, 1.0, epsabs=1e-12, epsrel=1e-10, limit=200, points=points)
        return float(min(1.0, max(0.0, val)))

    def cdf(self, measure: str, x: float) -> float:
        """``P(contrast <= x)``."""
        return 1.0 - self.prob_above(measure, x)

    def ppf(self, measure: str, q: float) -> float:
        """Quantile of the contrast, by Brent's method on :meth:`cdf`."""
        lo, hi = (-1.0 + 1e-12, 1.0 - 1e-12) if measure == "rd" else (-30.0, 30.0)
        return float(optimize.brentq(lambda x: self.cdf(measure, x) - q, lo, hi, xtol=1e-10))

    def rd_pdf(self, x: float) -> float:
        r"""Density of the risk difference: :math:`\int f_t(x + u) f_c(u)\,du` (quadrature)."""
        lo, hi = max(0.0, -x), min(1.0, 1.0 - x)
        if hi <= lo:
            return 0.0
        # Beta densities written out (scipy's frozen-distribution calls dominate the cost otherwise).
        norm = special.betaln(self.a_t, self.b_t) + special.betaln(self.a_c, self.b_c)

        def integrand(u: float) -> float:
            v = x + u
            if not (0.0 < u < 1.0 and 0.0 < v < 1.0):
                return 0.0
            return math.exp((self.a_t - 1) * math.log(v) + (self.b_t - 1) * math.log1p(-v)
                            + (self.a_c - 1) * math.log(u) + (self.b_c - 1) * math.log1p(-u) - norm)

        val, _ = integrate.quad(integrand, lo, hi, limit=200, epsabs=1e-12)
        return float(val)


def _beta_prior_problems(prior: Any, name: str) -> list[str]:
    """A Beta prior ``(a, b)``: two numbers in ``[0, MAX_COUNT]`` (pseudo-counts)."""
    try:
        a, b = prior
    except (TypeError, ValueError):
        return [f"{name} must be a pair (a, b) of Beta parameters, got {prior!r}"]
    out = [f"{name} {k} is missing: give a number" for k, v in (("a", a), ("b", b)) if v is None]
    out += optional_real_problems({f"{name} a": a, f"{name} b": b})
    if not out:
        out += [f"{name} {k} must be a pseudo-count in [0, {MAX_COUNT:.0e}], got {v!r}"
                for k, v in (("a", a), ("b", b)) if not 0 <= float(v) <= MAX_COUNT]
    return out


def beta_binomial_posterior(
    events_t: int, n_t: int, events_c: int, n_c: int, *, prior_t: tuple[float, float], prior_c: tuple[float, float]
) -> BetaBinomialPosterior:
    """Conjugate update of two independent Beta priors ``(a, b)`` with the arms' counts.

    A Haldane prior ``(0, 0)`` (the one a flat prior on the logit matches) needs at least one
    event and one non-event in the arm; that is checked here, after the counts (whole numbers,
    events <= n <= ``MAX_COUNT``) and the priors (pairs of numbers in ``[0, MAX_COUNT]``: a Beta
    prior's parameters are pseudo-counts, and an infinite one gave an infinite posterior).
    """
    counts = {"events_t": events_t, "n_t": n_t, "events_c": events_c, "n_c": n_c}
    problems = count_problems(counts)
    if not problems:
        events_t, n_t, events_c, n_c = (int(float(v)) for v in counts.values())
        problems += [f"{e} ({x}) exceeds {n} ({m}): events are a subset of the patients"
                     for e, x, n, m in (("events_t", events_t, "n_t", n_t), ("events_c", events_c, "n_c", n_c)) if x > m]
    for name, prior in (("prior_t", prior_t), ("prior_c", prior_c)):
        problems += _beta_prior_problems(prior, name)
    raise_if("beta-binomial posterior", problems)
    a_t, b_t = float(prior_t[0]) + events_t, float(prior_t[1]) + n_t - events_t
    a_c, b_c = float(prior_c[0]) + events_c, float(prior_c[1]) + n_c - events_c
    problems = [
        f"{arm} arm: posterior Beta({a:g}, {b:g}) is improper; with a Haldane Beta(0, 0) prior the arm needs at "
        "least one event and one non-event (use the Jeffreys or uniform prior)"
        for arm, a, b in (("treatment", a_t, b_t), ("control", a_c, b_c)) if not (a > 0 and b > 0)
    ]
    raise_if("beta-binomial posterior", problems)
    return BetaBinomialPosterior(float(a_t), float(b_t), float(a_c), float(b_c))


# --- summaries of draws --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContrastSummary:
    """Posterior summary of one contrast, from draws.

    Locations (``mean``, ``median``, ``lower``, ``upper``) are on the printed analysis scale (log
    for ratios); ``natural`` holds them on the measure's natural scale (RD as a proportion, RR and
    OR as ratios; the natural mean is the mean of the ratio draws). Probabilities are in the
    direction of benefit; ``mcse`` maps each probability to its Monte Carlo SE.
    """

    measure: str
    sign: int
    mean: float
    sd: float
    median: float
    lower: float
    upper: float
    ci_prob: float
    natural: Mapping[str, float]
    probs: Mapping[str, float]
    mcse: Mapping[str, float]
    n_draws: int
    ess: float
    nnt: Mapping[str, Any] | None = None


def _prob_mcse(p: float, ess: float) -> float:
    return float(np.sqrt(p * (1.0 - p) / ess)) if 0.0 < p < 1.0 else 0.0


def summarize_contrast(
    printed: np.ndarray,
    *,
    measure: str,
    sign: int,
    mcid: float | None = None,
    rope: float | None = None,
    ci_prob: float = defaults.CI_PROB,
    ess: float | None = None,
) -> ContrastSummary:
    """Summarise draws of a printed contrast (analysis scale) into a :class:`ContrastSummary`.

    Parameters
    ----------
    printed : ndarray
        Draws of the contrast as printed (treatment vs control; log scale for ratios).
    measure : {"rd", "rr", "or"}
    sign : {1, -1}
        +1 when a higher risk is better (responders), -1 when lower is better (harms).
    mcid, rope : float, optional
        Positive magnitudes on the analysis scale (:func:`mcid_on_analysis_scale`); the ROPE is
        ``|contrast| <= rope``.
    ess : float, optional
        Effective sample size of the draws (MCMC); default: the number of draws (independent).
    """
    x = np.asarray(printed, dtype=float).ravel()
    n = x.size
    ess = float(n if ess is None else ess)
    aligned = sign * x
    a = (1.0 - ci_prob) / 2.0
    lo, med, hi = np.quantile(x, [a, 0.5, 1.0 - a])
    probs = {
        "prob_better": float(np.mean(aligned > 0)),
        "prob_better_than_mcid": float(np.mean(aligned > mcid)) if mcid is not None else float("nan"),
        "prob_rope": float(np.mean(np.abs(x) <= rope)) if rope is not None else float("nan"),
        "prob_harm": float(np.mean(aligned < 0)),
    }
    mcse = {k: _prob_mcse(v, ess) for k, v in probs.items() if np.isfinite(v)}
    if measure == "rd":
        natural = {"mean": float(x.mean()), "median": float(med), "lower": float(lo), "upper": float(hi)}
    else:
        natural = {"mean": float(np.mean(np.exp(x))), "median": float(np.exp(med)), "lower": float(np.exp(lo)),
                   "upper": float(np.exp(hi))}
    nnt = nnt_summary(float(med), float(lo), float(hi), sign) if measure == "rd" else None
    return ContrastSummary(
        measure=measure, sign=sign, mean=float(x.mean()), sd=float(x.std(ddof=1)), median=float(med),
        lower=float(lo), upper=float(hi), ci_prob=ci_prob, natural=natural, probs=probs, mcse=mcse,
        n_draws=n, ess=ess, nnt=nnt,
    )


def nnt_summary(median: float, lower: float, upper: float, sign: int) -> dict[str, Any]:
    """Number needed to treat (benefit) or harm, from the RD's median and interval (Altman 1998).

    Defined only when the credible interval of the RD excludes 0: then ``1/RD`` is monotone over
    the interval and its quantiles are the reciprocals of the RD's. Otherwise the interval of the
    NNT runs through infinity and none is reported (Altman 1998, BMJ 317:1309).
    """
    if lower <= 0.0 <= upper:
        return {"defined": False, "note": "not reported: the RD interval includes 0 (the NNT interval would pass "
                                          "through infinity; Altman 1998, BMJ 317:1309)"}
    aligned = sign * median
    kind = "NNT (benefit)" if aligned > 0 else "NNH (harm)"
    lo_n, hi_n = sorted((1.0 / abs(lower), 1.0 / abs(upper)))
    return {"defined": True, "kind": kind, "median": 1.0 / abs(median), "lower": lo_n, "upper": hi_n}


def joint_benefit_harm(
    benefit_aligned: np.ndarray, harm_aligned: np.ndarray, *, benefit_mcid: float, harm_threshold: float
) -> dict[str, float]:
    r"""P(benefit beyond an MCID and excess harm below a threshold), assuming independence.

    .. math::

        P(B > m_B \wedge H < t_H) = P(B > m_B)\, P(H < t_H)

    where ``B`` is the benefit contrast aligned so positive = better and ``H`` is the *excess
    harm* (the harm contrast aligned so positive = more harm with treatment, i.e. minus its
    benefit-aligned value). Independence of the two outcomes' contrasts is an assumption: the
    published 2x2 tables do not give the joint (responder x adverse event) counts, so any
    dependence cannot be estimated from them. Monte Carlo SE by the delta method on independent
    draw sets.

    Parameters
    ----------
    benefit_aligned : ndarray
        Draws of the benefit outcome's contrast, aligned (positive = treatment better).
    harm_aligned : ndarray
        Draws of the harm outcome's contrast, aligned (positive = treatment better, i.e. less harm).
    benefit_mcid, harm_threshold : float
        Positive magnitudes on the same analysis scale as the draws.
    """
    b = np.asarray(benefit_aligned) > benefit_mcid
    h = -np.asarray(harm_aligned) < harm_threshold
    pb, ph = float(b.mean()), float(h.mean())
    var = ph**2 * pb * (1 - pb) / b.size + pb**2 * ph * (1 - ph) / h.size
    return {"prob_benefit": pb, "prob_harm_below": ph, "prob_joint": pb * ph, "mcse_joint": float(np.sqrt(var)),
            "dependence": "independent (assumed; the joint counts are not published)"}

