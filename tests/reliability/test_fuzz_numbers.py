"""Property-based tests (Hypothesis) of the numbers core: exact posteriors, priors, conversions,
records, decision rows, reverse-Bayes limits and Savage-Dickey Bayes factors (issue 18, group A).

Every public function that takes numbers is called directly with non-finite values, extremes
(+-1e308, 1e-308, 5e-324, 1e101), wrong types and, for frames, empty, one-row, duplicated or
unicode columns and text in numeric columns. Each call either returns a finite answer that also
satisfies a property of the statistics (a closed form, an inverse, a probability in [0, 1],
ordered quantiles) or raises one :class:`~bayes_ldn.exceptions.DataValidationError` whose
problems say what is wrong (:func:`tests.reliability._fuzz_common.outcome`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

import bayes_ldn as bl
from bayes_ldn import bayes_factor, conversions, priors, reverse_bayes
from bayes_ldn.data.records import Source
from tests.reliability._fuzz_common import (
    EXTREMES,
    NUMBERS,
    SETTINGS,
    WRONG_TYPES,
    assert_finite_or_refused,
    outcome,
)

COVERED: frozenset[str] = frozenset({
    "conjugate_normal", "normal_hierarchical", "format_probability", "exact_posterior", "to_likelihood",
    "align_sign", "Estimand", "EffectLikelihood", "PublishedRecord", "decision_row_exact",
    "format_decision_table",
    "priors.EffectPrior", "priors.normal", "priors.student_t", "priors.skeptical", "priors.enthusiastic",
    "priors.pessimistic", "priors.preset", "priors.from_printed", "priors.parse_prior",
    "priors.parse_printed_prior",
    "conversions.Converted", "conversions.log_ratio", "conversions.mean_sd_from_median_iqr",
    "conversions.sd_from_effect_size", "conversions.se_from_ci", "conversions.se_from_p",
    "conversions.se_from_sd",
    "reverse_bayes.CredibilityLimit", "reverse_bayes.advocacy_limit", "reverse_bayes.intrinsic_credibility",
    "reverse_bayes.sceptical_limit",
    "bayes_factor.bf10_sensitivity", "bayes_factor.evidence_label", "bayes_factor.savage_dickey_bf10",
})
NOT_NUMERIC: dict[str, str] = {
    "load_record": "takes a record id (a string) and reads the bundled file; unknown ids are tested in foundation",
    "load_family": "takes a family name (a string) and reads the bundled file",
    "list_records": "takes no arguments",
    "priors.vague": "takes no arguments",
}

ANY = st.one_of(NUMBERS, WRONG_TYPES)
ORDINARY = st.floats(-1e3, 1e3)
SCALES = st.one_of(EXTREMES, st.floats(1e-3, 1e3))
BETTER = st.sampled_from(["higher", "lower", "up", "", None, 1])


def _close(a: float, b: float, scale: float, rel: float = 1e-9) -> bool:
    """``a`` equals ``b`` to ``rel`` of ``scale`` (floating error of a closed form, not a tolerance
    of an approximation)."""
    return abs(a - b) <= rel * max(scale, abs(a), abs(b), 1e-300)


def _likelihood(estimate: float, se: float, sign: int = 1) -> bl.EffectLikelihood:
    return bl.EffectLikelihood(estimate=estimate, se=se, sign=sign, scale="linear", units="points",
                               conversions=(), provenance={"record": "fuzz"})


# --- stats: conjugate_normal, normal_hierarchical, format_probability --------------------------


@SETTINGS
@given(estimate=ANY, se=ANY, prior_mean=ANY, prior_sd=st.one_of(ANY, st.just(math.inf)))
def test_conjugate_normal(estimate, se, prior_mean, prior_sd):
    post = assert_finite_or_refused(lambda: bl.conjugate_normal(estimate, se, prior_mean, prior_sd))
    if post is None:
        return
    if prior_sd == math.inf:  # documented: the flat prior, posterior = likelihood
        assert (post.mean, post.sd) == (estimate, se)
        return
    # Posterior precision is the sum of precisions; the mean is the precision-weighted average.
    w0, w1 = 1 / prior_sd**2, 1 / se**2
    assert _close(1 / post.sd**2, w0 + w1, w0 + w1)
    assert _close(post.mean, estimate + (prior_mean - estimate) * w0 / (w0 + w1), max(abs(estimate), abs(prior_mean)))
    ulp = 2 * np.spacing(max(abs(estimate), abs(prior_mean)))  # the final addition's rounding
    assert min(estimate, prior_mean) - ulp <= post.mean <= max(estimate, prior_mean) + ulp


HIER_VALUES = st.lists(st.one_of(NUMBERS, WRONG_TYPES), max_size=4)
TAU_PRIORS = st.one_of(NUMBERS, WRONG_TYPES, st.sampled_from([stats.halfnorm(scale=0.5), stats.halfcauchy(scale=1.0)]))
MU_PRIORS = st.one_of(st.none(), st.tuples(NUMBERS, NUMBERS), WRONG_TYPES)


@SETTINGS
@given(estimates=HIER_VALUES, ses=HIER_VALUES, tau_prior=TAU_PRIORS, mu_prior=MU_PRIORS)
def test_normal_hierarchical_refuses_or_answers(estimates, ses, tau_prior, mu_prior):
    # log_marginal is documented as NaN under the flat (improper) mu prior.
    allow = (lambda where: where.startswith("result.log_marginal")) if mu_prior is None else (lambda where: False)
    post = assert_finite_or_refused(
        lambda: bl.normal_hierarchical(estimates, ses, tau_prior=tau_prior, mu_prior=mu_prior), allow=allow)
    if post is not None:
        _check_hierarchical(post, np.asarray(estimates, dtype=float), mu_prior)


@SETTINGS
@given(estimates=st.lists(ORDINARY, min_size=1, max_size=5), data=st.data(),
       tau_prior=st.sampled_from([0.0, 0.3, stats.halfnorm(scale=0.5), stats.halfcauchy(scale=1.0)]))
def test_normal_hierarchical_mu_between_estimates_under_a_flat_mu_prior(estimates, data, tau_prior):
    """Given tau, E[mu | tau, y] = sum w_i y_i / sum w_i with w_i = 1 / (s_i^2 + tau^2) > 0, a convex
    combination of the estimates; E[mu | y] averages those over tau, so it lies in [min y, max y]."""
    ses = data.draw(st.lists(st.floats(0.05, 50), min_size=len(estimates), max_size=len(estimates)))
    post = assert_finite_or_refused(lambda: bl.normal_hierarchical(estimates, ses, tau_prior=tau_prior, mu_prior=None),
                                    allow=lambda where: where.startswith("result.log_marginal"))
    assert post is not None
    _check_hierarchical(post, np.asarray(estimates), None)
    if not isinstance(tau_prior, float):
        return
    # Fixed tau: mu | y ~ N(sum w y / sum w, 1 / sum w) with w = 1 / (s^2 + tau^2), in closed form.
    w = 1 / (np.asarray(ses) ** 2 + tau_prior**2)
    mean, sd = float(np.sum(w * estimates) / np.sum(w)), float(np.sum(w) ** -0.5)
    # Rounding is relative to the estimates' magnitude (the computation is centred on their midrange).
    assert _close(post.mu.mean, mean, sd + max(map(abs, estimates)), 1e-12) and _close(post.mu.sd, sd, sd, 1e-12)
    # Location equivariance, far from 0 too: estimates + 1e12 move mu by 1e12 and leave its SD.
    moved = bl.normal_hierarchical(np.asarray(estimates) + 1e12, ses, tau_prior=tau_prior, mu_prior=None)
    assert abs(moved.mu.mean - 1e12 - mean) <= 8 * np.spacing(1e12 + abs(mean))  # a few ulps at 1e12
    assert _close(moved.mu.sd, sd, sd, 1e-9)


def _check_hierarchical(post, y: np.ndarray, mu_prior) -> None:
    assert math.isclose(float(np.sum(post.tau_weights)), 1.0, rel_tol=1e-9)
    lo, med, hi = post.mu.ppf(0.025), post.mu.median, post.mu.ppf(0.975)
    assert lo <= med <= hi
    for p in (post.mu.prob_above(0.0), post.mu.cdf(0.0)):
        assert 0.0 <= p <= 1.0
    if mu_prior is None:
        spread = float(np.ptp(y))
        assert y.min() - 1e-9 * (spread + abs(y.min())) <= post.mu.mean <= y.max() + 1e-9 * (spread + abs(y.max()))


@SETTINGS
@given(p=st.one_of(ANY, st.floats(0, 1)), digits=st.one_of(st.integers(-3, 20), st.just(3), WRONG_TYPES, NUMBERS))
def test_format_probability(p, digits):
    text, err = outcome(lambda: bl.format_probability(p, digits))
    if err is not None:
        return
    assert isinstance(text, str)
    if isinstance(p, float) and math.isnan(p):  # documented: a missing probability prints "NA"
        assert text == "NA"
        return
    assert -1e-9 <= p <= 1 + 1e-9  # the documented slack for rounding in a computed probability
    assert text not in (f"{1:.{digits}f}", f"{0:.{digits}f}")
    value = float(text.lstrip("<>"))
    step = 10.0**-digits
    assert abs(value - p) <= step + 2e-9, (p, text)  # a printed bound is at most one step from p (plus the slack)


# --- exact posteriors, likelihoods, records -----------------------------------------------------


def _prior(family: str, m: float = 0.0, s: float = 1.0, nu: float = 3.0):
    """A prior built from fuzzed numbers, or None when its constructor refuses them."""
    params = {"flat": {}, "normal": {"mu": m, "sigma": s}, "student_t": {"mu": m, "sigma": s, "nu": nu},
              "mixture": {"weights": [0.5, 0.5], "components": [
                  {"name": "a", "family": "normal", "params": {"mu": m, "sigma": s}},
                  {"name": "b", "family": "student_t", "params": {"mu": 0.0, "sigma": 1.0, "nu": nu}}]}}[family]
    return _maybe(lambda: priors.EffectPrior(name=family, family=family, params=params))


PRIORS = st.builds(_prior, st.sampled_from(["flat", "normal", "student_t", "mixture"]), st.one_of(EXTREMES, ORDINARY),
                   SCALES, st.one_of(EXTREMES, st.floats(0.5, 30))).filter(lambda p: p is not None)


def _maybe(build):
    """The object ``build`` makes, or None when its constructor refuses the fuzzed numbers."""
    made, err = outcome(build)
    return made


@SETTINGS
@given(estimate=st.one_of(NUMBERS, ORDINARY), se=st.one_of(SCALES, NUMBERS), prior=st.one_of(PRIORS, WRONG_TYPES),
       ci_prob=st.one_of(st.just(0.95), NUMBERS))
def test_exact_posterior(estimate, se, prior, ci_prob):
    lik = _maybe(lambda: _likelihood(estimate, se))
    for arg in (lik, "a likelihood"):
        post = assert_finite_or_refused(lambda: bl.exact_posterior(arg, prior))
        if post is None:
            continue
        summary = assert_finite_or_refused(lambda: (post.mean, post.sd, post.median, post.prob_above(0.0),
                                                    post.prob_below(0.0), post.prob_between(-1.0, 1.0)))
        m, s, med, above, below, between = summary
        for p in (above, below, between):
            assert 0.0 <= p <= 1.0
        assert abs(above + below - 1.0) < 1e-9
        assert s > 0
        if isinstance(prior, priors.EffectPrior) and prior.family in ("normal", "flat"):
            ref = bl.conjugate_normal(lik.estimate, lik.se, prior.params.get("mu", 0.0),
                                      prior.params.get("sigma", math.inf))
            assert (m, s) == (ref.mean, ref.sd)


@SETTINGS
@given(estimate=ORDINARY, se=st.floats(0.01, 10), mu_shift=st.floats(-10, 10), sigma=st.floats(0.01, 10),
       nu=st.floats(1, 30))
def test_exact_posterior_student_t_agrees_with_adaptive_quadrature(estimate, se, mu_shift, sigma, nu):
    """The Student-t posterior's mean and P(effect > 0) against SciPy's adaptive ``quad`` (an
    independent integrator), the prior centred up to 10 of the larger scale from the estimate."""
    from scipy import integrate

    mu = estimate + mu_shift * max(se, sigma)
    prior = priors.student_t(mu, sigma, nu)
    post = assert_finite_or_refused(lambda: bl.exact_posterior(_likelihood(estimate, se), prior))
    assert post is not None
    # In u = (theta - estimate) / se over [-40, 40]: outside, the likelihood is below exp(-800) and
    # the Student-t prior's density is bounded, so no posterior mass is lost.
    m = (mu - estimate) / se
    logf = lambda u: float(prior.logpdf(estimate + se * u)) - u * u / 2  # noqa: E731
    peak = max(logf(u) for u in (0.0, min(max(m, -40), 40)))
    dens = lambda u: math.exp(logf(u) - peak)  # noqa: E731
    width = sigma / se  # break points around the prior's peak, which may be far narrower than the SE

    def quad(g, a: float, b: float) -> tuple[float, float]:
        # Geometric break points around the peak: its polynomial tails span decades of u.
        offsets = [width * 4.0**k for k in range(40) if width * 4.0**k < 80]
        inside = sorted({x for x in (0.0, m, *(m + o for o in offsets), *(m - o for o in offsets)) if a < x < b})
        return integrate.quad(g, a, b, points=inside or None, limit=400, epsabs=1e-14, epsrel=1e-10, full_output=1)[:2]

    parts = [quad(g, -40, 40) for g in (dens, lambda u: u * dens(u))]
    zero = max(-40.0, -estimate / se)  # theta = 0 in u
    parts.append(quad(dens, zero, 40) if zero < 40 else (0.0, 0.0))
    assert all(p[1] < 1e-9 * max(parts[0][0], 1e-300) for p in parts)  # the reference met its tolerance
    mean = estimate + se * parts[1][0] / parts[0][0]
    assert _close(post.mean, mean, post.sd, 1e-7)
    assert abs(post.prob_above(0.0) - parts[2][0] / parts[0][0]) < 1e-7


@SETTINGS
@given(estimate=st.one_of(ORDINARY, NUMBERS), se=st.one_of(st.floats(0.01, 10), SCALES), mu=st.one_of(ORDINARY, EXTREMES),
       sigma=st.one_of(st.floats(0.01, 10), SCALES))
def test_exact_posterior_of_a_one_component_mixture_is_the_conjugate_normal(estimate, se, mu, sigma):
    lik = _maybe(lambda: _likelihood(estimate, se))
    prior = _maybe(lambda: priors.EffectPrior(name="mix", family="mixture", params={"weights": [1.0], "components": [
        {"name": "c", "family": "normal", "params": {"mu": mu, "sigma": sigma}}]}))
    assume(lik is not None and prior is not None)
    post = assert_finite_or_refused(lambda: bl.exact_posterior(lik, prior))
    ref = _maybe(lambda: bl.conjugate_normal(lik.estimate, lik.se, mu, sigma))
    if post is not None and ref is not None:
        assert _close(post.mean, ref.mean, ref.sd + abs(ref.mean), 1e-12) and _close(post.sd, ref.sd, ref.sd, 1e-12)
        assert abs(post.prob_above(0.0) - ref.prob_above(0.0)) < 1e-12


@SETTINGS
@given(estimate=ANY, se=ANY, sign=st.one_of(st.sampled_from([1, -1, 0, 2]), ANY),
       scale=st.sampled_from(["linear", "log", "ratio", None]))
def test_effect_likelihood(estimate, se, sign, scale):
    # A NaN estimate is the documented placeholder of a likelihood summarised from draws.
    lik = assert_finite_or_refused(
        lambda: bl.EffectLikelihood(estimate=estimate, se=se, sign=sign, scale=scale, units="u", conversions=(),
                                    provenance={}),
        allow=lambda where: where.startswith("result.estimate "))
    if lik is not None:
        assert lik.sign in (1, -1) and lik.scale in ("linear", "log") and lik.se > 0


RECORD_NUMBER = st.one_of(st.none(), NUMBERS, WRONG_TYPES, ORDINARY)


@SETTINGS
@given(estimate=st.one_of(NUMBERS, WRONG_TYPES, ORDINARY), lower=RECORD_NUMBER, upper=RECORD_NUMBER,
       ci_prob=st.one_of(st.just(0.95), RECORD_NUMBER), p=RECORD_NUMBER, effect_size=RECORD_NUMBER,
       n=st.one_of(st.integers(-2, 10**400), NUMBERS, WRONG_TYPES),
       measure=st.sampled_from(["mean_difference", "ratio"]),
       conversion=st.sampled_from(["ci_normal", "ci_t", "p_normal", "p_t", "effect_size", "bogus"]),
       df=st.one_of(st.none(), NUMBERS, WRONG_TYPES))
def test_published_record_and_to_likelihood(estimate, lower, upper, ci_prob, p, effect_size, n, measure,
                                            conversion, df):
    def build():
        return bl.PublishedRecord(
            id="fuzz", trial="T", outcome="o", label="o", units="u", design="parallel", measure=measure,
            contrast=("LDN", "placebo"), better="lower", population="adults", n={"LDN": n, "placebo": 20},
            estimate=estimate, source=Source(citation="fuzz"), location="table 1", evidence=("TAB",),
            verified=False, lower=lower, upper=upper, ci_prob=ci_prob, p=p, effect_size=effect_size)

    record = assert_finite_or_refused(build)
    if record is None:
        return
    lik = assert_finite_or_refused(lambda: bl.to_likelihood(record, conversion, df=df))
    if lik is None:
        return
    est = math.log(record.estimate) if measure == "ratio" else record.estimate
    assert lik.estimate == -est and lik.sign == -1 and lik.se > 0
    if conversion == "ci_normal":
        lo, hi = (math.log(record.lower), math.log(record.upper)) if measure == "ratio" else (record.lower, record.upper)
        assert _close(lik.se, (hi - lo) / (2 * stats.norm.isf((1 - record.ci_prob) / 2)), lik.se)


@SETTINGS
@given(better=st.one_of(BETTER, WRONG_TYPES))
def test_align_sign(better):
    sign, err = outcome(lambda: bl.align_sign(better))
    assert (sign in (1, -1)) if err is None else better not in ("higher", "lower")
    if err is None:
        assert sign == (1 if better == "higher" else -1)


@SETTINGS
@given(treatment=st.one_of(st.text(max_size=3), WRONG_TYPES), reference=st.one_of(st.just("placebo"), WRONG_TYPES),
       better=BETTER, units=st.one_of(st.text(max_size=3), WRONG_TYPES), scale=st.sampled_from(["linear", "log", 1, None]))
def test_estimand(treatment, reference, better, units, scale):
    est = assert_finite_or_refused(lambda: bl.Estimand(treatment=treatment, reference=reference, better=better,
                                                       units=units, scale=scale))
    if est is not None:
        assert est.sign == bl.align_sign(est.better)
        assert all(isinstance(v, str) for v in (est.treatment, est.reference, est.units))


# --- decision rows and printed tables -----------------------------------------------------------


@SETTINGS
@given(estimate=ORDINARY, se=st.floats(0.01, 100), prior=PRIORS, sign=st.sampled_from([1, -1]),
       mcid=st.one_of(st.none(), ANY), rope=st.one_of(st.none(), ANY), ci_prob=st.one_of(st.floats(0.01, 0.99), ANY))
def test_decision_row_exact(estimate, se, prior, sign, mcid, rope, ci_prob):
    lik = _likelihood(estimate, se, sign)
    post = _maybe(lambda: bl.exact_posterior(lik, prior))
    assume(post is not None)
    # r_hat, ess_bulk and divergences are documented NaN for an exact row (no MCMC); mcid, rope and
    # their probabilities are NaN when not given.
    absent = {"r_hat", "ess_bulk", "divergences"} | ({"mcid", "prob_better_than_mcid"} if mcid is None else set()) \
        | ({"rope", "prob_rope"} if rope is None else set())
    row = assert_finite_or_refused(lambda: bl.decision_row_exact(lik, prior, post, mcid=mcid, rope=rope, ci_prob=ci_prob),
                                   allow=lambda where: where.split("'")[1] in absent)
    if row is None:
        return
    assert row["lower"] <= row["median"] <= row["upper"] or _close(row["lower"], row["upper"], se)
    for key in ("prob_better", "prob_better_than_mcid", "prob_rope", "prob_harm"):
        assert math.isnan(row[key]) or 0.0 <= row[key] <= 1.0
    assert abs(row["prob_better"] + row["prob_harm"] - 1.0) < 1e-9
    assert row["mean"] == sign * post.mean


CELLS = st.one_of(st.floats(0, 1), NUMBERS, st.text(max_size=3), st.none())


@SETTINGS
@given(columns=st.lists(st.sampled_from(["prob_better", "prob_harm", "mean", "lower", "trial", "é", "prob_rope"]),
                        max_size=4),
       n_rows=st.integers(0, 3), data=st.data(), digits=st.one_of(st.integers(-2, 20), WRONG_TYPES, NUMBERS),
       select=st.booleans())
def test_format_decision_table(columns, n_rows, data, digits, select):
    table = pd.DataFrame([[data.draw(CELLS) for _ in columns] for _ in range(n_rows)], columns=columns)
    if not columns:
        table = pd.DataFrame(index=range(n_rows))
    chosen = list(dict.fromkeys(columns))[:2] if select else None
    out, err = outcome(lambda: bl.format_decision_table(table, chosen, digits))
    if err is not None:
        return
    assert isinstance(out, pd.DataFrame) and len(out) == n_rows
    for c in {"prob_better", "prob_harm", "prob_rope"} & set(out.columns):
        for text in out[c].to_numpy().ravel():
            assert text == "" or text.startswith(("<", ">")) or 0 <= float(text) <= 1
            assert text not in ("1.000", "0.000")
    assert not table.empty or out.empty


# --- priors -------------------------------------------------------------------------------------


@SETTINGS
@given(family=st.sampled_from(["normal", "student_t", "flat", "mixture", "beta", None]), mu=ANY, sigma=ANY, nu=ANY,
       weights=st.one_of(st.lists(NUMBERS, max_size=3), WRONG_TYPES))
def test_effect_prior_constructor(family, mu, sigma, nu, weights):
    params = ({"weights": weights, "components": [{"name": "c", "family": "normal", "params": {"mu": 0.0, "sigma": 1.0}}]
                                                  * (len(weights) if isinstance(weights, list) else 1)}
              if family == "mixture" else {"mu": mu, "sigma": sigma, "nu": nu})
    prior = assert_finite_or_refused(lambda: priors.EffectPrior(name="p", family=family, params=params),
                                     allow=lambda where: family == "flat")  # a flat prior ignores params
    if prior is None or family == "flat":
        return
    x = np.array([-1.0, 0.0, 2.5])
    assert np.all(np.isfinite(prior.logpdf(x)))
    assert 0.0 <= prior.cdf(0.0) <= 1.0
    assert prior.from_dict(prior.to_dict()) == prior


@SETTINGS
@given(mu=ANY, sigma=ANY, nu=ANY)
def test_normal_and_student_t(mu, sigma, nu):
    n = assert_finite_or_refused(lambda: priors.normal(mu, sigma))
    if n is not None:
        assert _close(n.cdf(mu), 0.5, 1.0) and n.params == {"mu": float(mu), "sigma": float(sigma)}
    t = assert_finite_or_refused(lambda: priors.student_t(mu, sigma, nu))
    if t is not None:
        assert _close(t.cdf(mu), 0.5, 1.0)


@SETTINGS
@given(mcid=st.one_of(ANY, st.floats(1e-3, 1e3)), strength=st.sampled_from(["weak", "moderate", "strong", "huge", None]),
       which=st.sampled_from(["skeptical", "enthusiastic", "pessimistic"]))
def test_presets_have_their_defining_tail(mcid, strength, which):
    prior = assert_finite_or_refused(lambda: getattr(priors, which)(mcid=mcid, strength=strength))
    if prior is None:
        return
    tail = priors.STRENGTHS[strength]
    # Spiegelhalter et al. 1994: P(effect > mcid) (skeptical), P(effect < 0) (enthusiastic),
    # P(effect > 0) (pessimistic) equal the strength's tail probability.
    p = {"skeptical": 1 - prior.cdf(mcid), "enthusiastic": prior.cdf(0.0), "pessimistic": 1 - prior.cdf(0.0)}[which]
    assert abs(p - tail) < 1e-12
    same = assert_finite_or_refused(lambda: priors.preset(f"{which}_{strength}", mcid=mcid))
    assert same == prior


@SETTINGS
@given(name=st.sampled_from(["vague", "skeptical", "enthusiastic_weak", "pessimistic_strong", "skeptical_huge", "flat",
                             "", "normal:0,1", "t:0,1,3", "normal:nan,1", "normal:1e308,1", "t:0,1,inf", "normal:0",
                             "t:a,b,c", "normal:0,-1", "normal:0,1e-101"]),
       mcid=st.one_of(st.none(), ANY), better=BETTER)
def test_preset_parse_prior_and_from_printed(name, mcid, better):
    base = name if ":" not in name else None
    if base is not None:
        assert_finite_or_refused(lambda: priors.preset(base, mcid=mcid))
    parsed = assert_finite_or_refused(lambda: priors.parse_prior(name, mcid=mcid))
    aligned = assert_finite_or_refused(lambda: priors.parse_printed_prior(name, better=better, mcid=mcid))
    if parsed is not None:
        flipped = assert_finite_or_refused(lambda: priors.from_printed(parsed, better))
        if flipped is not None:
            assert flipped == aligned
            if ":" in name and better == "lower":  # a printed location flips; presets are directional
                assert flipped.params["mu"] == -parsed.params["mu"]
    for wrong in (None, 1.0, "normal:0,1"):
        assert_finite_or_refused(lambda: priors.from_printed(wrong, "lower"))
    assert_finite_or_refused(lambda: priors.parse_prior(mcid, mcid=1.0))


# --- conversions --------------------------------------------------------------------------------


@SETTINGS
@given(lower=st.one_of(ANY, ORDINARY), upper=st.one_of(ANY, ORDINARY), ci_prob=st.one_of(st.just(0.95), ANY),
       method=st.sampled_from(["ci_normal", "ci_t", "x"]), df=st.one_of(st.none(), ANY, st.floats(1, 100)),
       estimate=st.one_of(st.none(), ANY))
def test_se_from_ci_round_trip(lower, upper, ci_prob, method, df, estimate):
    conv = assert_finite_or_refused(lambda: conversions.se_from_ci(lower, upper, ci_prob=ci_prob, method=method, df=df,
                                                                    estimate=estimate))
    if conv is None:
        return
    assert conv.value > 0 and conv.method == method
    # The interval back: midpoint +- quantile x SE reproduces (lower, upper).
    q = 0.5 + ci_prob / 2
    z = stats.norm.ppf(q) if method == "ci_normal" else stats.t.ppf(q, df)
    mid = (lower + upper) / 2
    assert _close(mid - z * conv.value, lower, abs(upper - lower) + abs(mid))
    assert _close(mid + z * conv.value, upper, abs(upper - lower) + abs(mid))


@SETTINGS
@given(estimate=st.one_of(ANY, ORDINARY), p=st.one_of(ANY, st.floats(1e-6, 1)), method=st.sampled_from(["p_normal", "p_t"]),
       df=st.one_of(st.none(), ANY, st.floats(1, 100)))
def test_se_from_p_round_trip(estimate, p, method, df):
    conv = assert_finite_or_refused(lambda: conversions.se_from_p(estimate, p, method=method, df=df))
    if conv is None:
        return
    z = abs(estimate) / conv.value
    back = 2 * (stats.norm.sf(z) if method == "p_normal" else stats.t.sf(z, df))
    assert _close(back, p, p, 1e-8)


@SETTINGS
@given(sd=st.one_of(ANY, st.floats(0.01, 100)), n=st.one_of(st.integers(-1, 10**30), ANY, st.just(10**400)))
def test_se_from_sd(sd, n):
    conv = assert_finite_or_refused(lambda: conversions.se_from_sd(sd, n))
    if conv is not None:
        assert conv.value > 0 and _close(conv.value * math.sqrt(n), sd, sd)


@SETTINGS
@given(median=st.one_of(ANY, ORDINARY), n=st.one_of(st.integers(-1, 10**6), ANY), method=st.sampled_from(
    ["wan2014", "luo2018", "cochrane", "x"]), q1=st.one_of(st.none(), ANY, ORDINARY),
       q3=st.one_of(st.none(), ANY, ORDINARY), iqr=st.one_of(st.none(), ANY, st.floats(0.01, 100)))
def test_mean_sd_from_median_iqr(median, n, method, q1, q3, iqr):
    res = assert_finite_or_refused(lambda: conversions.mean_sd_from_median_iqr(median, n=n, method=method, q1=q1, q3=q3,
                                                                                iqr=iqr))
    if res is None:
        return
    mean, sd = res
    width = q3 - q1 if q1 is not None and q3 is not None else iqr
    assert sd.value > 0
    if method == "cochrane":
        assert _close(sd.value, width / 1.35, sd.value)
    if q1 is not None and q3 is not None:
        assert q1 - 1e-12 * abs(q1) <= mean.value <= q3 + 1e-12 * abs(q3)
    else:
        assert mean.value == median


@SETTINGS
@given(estimate=st.one_of(ANY, ORDINARY), effect_size=st.one_of(ANY, st.floats(-3, 3)))
def test_sd_from_effect_size(estimate, effect_size):
    conv = assert_finite_or_refused(lambda: conversions.sd_from_effect_size(estimate, effect_size))
    if conv is not None:
        assert conv.value > 0 and _close(conv.value * abs(effect_size), abs(estimate), abs(estimate))


@SETTINGS
@given(estimate=st.one_of(ANY, st.floats(0.01, 100)), lower=st.one_of(st.none(), ANY), upper=st.one_of(st.none(), ANY))
def test_log_ratio(estimate, lower, upper):
    res = assert_finite_or_refused(lambda: conversions.log_ratio(estimate, lower, upper))
    if res is not None:
        assert _close(math.exp(res[0]), estimate, estimate)


@SETTINGS
@given(value=ANY, method=st.one_of(st.text(max_size=3), WRONG_TYPES))
def test_converted(value, method):
    # A NaN value is the documented placeholder of a likelihood fitted to patient-level data (no conversion).
    conv = assert_finite_or_refused(lambda: conversions.Converted(value, method, "note"),
                                    allow=lambda where: where.startswith("result.value "))
    if conv is not None:
        assert isinstance(conv.method, str)


# --- reverse-Bayes ------------------------------------------------------------------------------


def _z(ci_prob: float) -> float:
    return float(stats.norm.isf((1 - ci_prob) / 2))


@SETTINGS
@given(lower=st.one_of(ANY, ORDINARY), upper=st.one_of(ANY, ORDINARY), ci_prob=st.one_of(st.just(0.95), ANY),
       scale=st.sampled_from(["difference", "ratio", "log"]))
def test_sceptical_limit_closed_form(lower, upper, ci_prob, scale):
    res = assert_finite_or_refused(lambda: reverse_bayes.sceptical_limit(lower, upper, ci_prob=ci_prob, scale=scale))
    if res is None:
        return
    lo, hi = (math.log(lower), math.log(upper)) if scale == "ratio" else (lower, upper)
    assert _close(res.limit, (hi - lo) ** 2 / (4 * math.sqrt(hi * lo)), res.limit)
    # Matthews 2018: the sceptical prior N(0, (SL/z)^2) puts the posterior interval's limit at 0.
    z = _z(ci_prob)
    se = (hi - lo) / (2 * z)
    post = _maybe(lambda: bl.conjugate_normal((lo + hi) / 2, se, 0.0, res.prior_sd))
    if post is None:  # an SE below 1e-100: beyond the reference's own range
        return
    near = post.mean - z * post.sd if lo > 0 else post.mean + z * post.sd
    assert abs(near) <= 1e-8 * (post.sd * z + abs(post.mean))


@SETTINGS
@given(lower=st.one_of(ANY, ORDINARY), upper=st.one_of(ANY, ORDINARY), ci_prob=st.one_of(st.just(0.95), ANY),
       scale=st.sampled_from(["difference", "ratio"]))
def test_advocacy_limit_closed_form(lower, upper, ci_prob, scale):
    res = assert_finite_or_refused(lambda: reverse_bayes.advocacy_limit(lower, upper, ci_prob=ci_prob, scale=scale))
    if res is None:
        return
    lo, hi = (math.log(lower), math.log(upper)) if scale == "ratio" else (lower, upper)
    assert _close(res.limit, -(hi + lo) * (hi - lo) ** 2 / (2 * hi * lo), res.limit)
    # The advocacy prior N(AL/2, (|AL|/2z)^2) puts the posterior interval's limit nearer 0 at 0.
    z = _z(ci_prob)
    post = _maybe(lambda: bl.conjugate_normal((lo + hi) / 2, (hi - lo) / (2 * z), res.prior_mean, res.prior_sd))
    if post is None:  # an SE below 1e-100: beyond the reference's own range
        return
    near = post.mean - z * post.sd if res.limit > 0 else post.mean + z * post.sd
    assert abs(near) <= 1e-8 * (post.sd * z + abs(post.mean))


@SETTINGS
@given(z=st.one_of(ANY, st.floats(-40, 40)), method=st.sampled_from(["held", "matthews", "x"]))
def test_intrinsic_credibility(z, method):
    p = assert_finite_or_refused(lambda: reverse_bayes.intrinsic_credibility(z, method=method))
    if p is None:
        return
    assert 0.0 <= p <= 1.0
    factor = math.sqrt(0.5) if method == "held" else math.sqrt((math.sqrt(5) - 1) / 2)
    assert _close(p, math.erfc(abs(z) * factor / math.sqrt(2)), p, 1e-12)


@SETTINGS
@given(kind=st.one_of(st.sampled_from(["sceptical", "advocacy", "x"]), WRONG_TYPES), limit=ANY, sd=ANY)
def test_credibility_limit_constructor(kind, limit, sd):
    assert_finite_or_refused(lambda: reverse_bayes.CredibilityLimit(
        kind=kind, limit=limit, prior_mean=0.0, prior_sd=sd, prior_interval=(-1.0, 1.0), ratio_interval=None,
        credible=None))


# --- Bayes factors ------------------------------------------------------------------------------


@SETTINGS
@given(estimate=st.one_of(ANY, ORDINARY), se=st.one_of(ANY, st.floats(0.01, 10)), prior_mean=st.one_of(ANY, ORDINARY),
       prior_sd=st.one_of(ANY, st.floats(0.01, 10)))
def test_savage_dickey_bf10_closed_form(estimate, se, prior_mean, prior_sd):
    bf = assert_finite_or_refused(lambda: bayes_factor.savage_dickey_bf10(estimate, se, prior_mean=prior_mean,
                                                                           prior_sd=prior_sd))
    if bf is None:
        return
    assert bf >= 0
    if not (1e-3 <= prior_sd / se <= 1e3 and abs(estimate) / se < 30 and abs(prior_mean) / prior_sd < 30):
        return
    # Savage-Dickey: prior density at 0 over posterior density at 0, the conjugate posterior written out.
    w = 1 / prior_sd**2 + 1 / se**2
    post_mean, post_sd = (prior_mean / prior_sd**2 + estimate / se**2) / w, w**-0.5
    ref = stats.norm.pdf(0.0, prior_mean, prior_sd) / stats.norm.pdf(0.0, post_mean, post_sd)
    assert _close(bf, ref, ref, 1e-9)


@SETTINGS
@given(estimate=st.one_of(ANY, ORDINARY), se=st.one_of(ANY, st.floats(0.01, 10)),
       prior_sds=st.one_of(st.lists(st.one_of(ANY, st.floats(0.01, 10)), max_size=3), WRONG_TYPES))
def test_bf10_sensitivity(estimate, se, prior_sds):
    table = assert_finite_or_refused(lambda: bayes_factor.bf10_sensitivity(estimate, se, prior_mean=0.0,
                                                                          prior_sds=prior_sds))
    if table is None:
        return
    assert list(table.columns) == ["prior_sd", "bf10", "log10_bf10", "evidence"] and len(table) == len(prior_sds)
    for row in table.itertuples():
        assert row.bf10 >= 0 and row.evidence == bayes_factor.evidence_label(row.bf10)


@SETTINGS
@given(bf10=st.one_of(ANY, st.floats(0, 1e6)))
def test_evidence_label(bf10):
    label = assert_finite_or_refused(lambda: bayes_factor.evidence_label(bf10))
    if label is None:
        return
    assert bf10 >= 0
    assert label.endswith("for H1") == (bf10 >= 1)


def test_covered_names_exist():
    for name in COVERED | set(NOT_NUMERIC):
        obj = bl
        for part in name.split("."):
            obj = getattr(obj, part)
        assert callable(obj), name


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
