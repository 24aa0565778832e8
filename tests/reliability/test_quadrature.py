"""Every number the exact synthesis prints, against an independent adaptive integration.

The reference integrates the unnormalised posterior of ``tau``,
:math:`g(\\tau) = p(\\tau)\\,p(y \\mid \\tau)`, with ``scipy.integrate.quad`` on the ``tau`` scale
itself (not the prior's probability scale the package uses), with ``p(y | tau)`` from SciPy's
multivariate normal (``y ~ N(m0 1, diag(s^2 + tau^2) + s0^2 1 1')``; the flat-``mu`` case by
its restricted-likelihood form) and the prior density from ``TauPrior.logpdf`` (the package
integrates through ``ppf``). Quantiles are checked on the probability scale,
``|F_ref(printed quantile) - q| <= PROB_TOL``, which does not depend on the units, and every
probability within ``PROB_TOL``: ten times the stated ``defaults.QUAD_TOL``, far below the
printed 3 digits. Before the refinement (fixed panels, tau's CDF interpolated between nodes),
the wide-prior cases missed by more than 1e-3.
"""

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from bayes_ldn import defaults
from bayes_ldn.synthesis.exact import synthesize
from bayes_ldn.synthesis.heterogeneity import parse_tau_prior
from bayes_ldn.synthesis.studies import SynthesisStudy

PROB_TOL = 10 * defaults.QUAD_TOL

# Log odds ratios of an 8-study and a 22-study set (made up, typical SEs), and a 2-study set.
_RNG = np.random.default_rng(20261207)
SETS = {
    "8 log ORs": (np.array([0.42, -0.10, 0.85, 0.31, 0.05, 0.60, -0.25, 0.38]),
                  np.array([0.21, 0.35, 0.40, 0.18, 0.30, 0.45, 0.33, 0.26])),
    "22 log ORs": (_RNG.normal(0.2, 0.15, 22).round(3), _RNG.uniform(0.1, 0.5, 22).round(3)),
    "2 SMDs": (np.array([0.10, 0.55]), np.array([0.20, 0.28])),
}
PRIORS = ["halfnormal:0.5", "halfnormal:20", "halfcauchy:0.5", "halfcauchy:20", "uniform:0,100", "rhodes",
          "turner:pain", "gamma_precision:0.001,0.001", "gamma_precision:1,0.1"]


class Reference:
    """The posterior by nested adaptive quadrature on the tau scale (see the module docstring)."""

    def __init__(self, y, s, tau_prior, mu_prior):
        self.y, self.s2, self.prior, self.mu_prior = y, s**2, tau_prior, mu_prior
        # quad runs on x = log(tau) (the package integrates on u = F(tau)), with break points at
        # quantiles of a coarse log-scale grid, so it sees the bulk and both tails.
        grid = np.linspace(np.log(1e-12), np.log(1e6), 2000)
        logg = np.array([self.log_g(np.exp(x)) + x for x in grid])
        self.shift = float(np.max(logg))
        mass = np.exp(logg - self.shift)
        c = np.cumsum(mass) / mass.sum()
        self.breaks = np.unique(np.interp([1e-6, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1 - 1e-6],
                                          c, grid))
        if tau_prior.family == "uniform":  # the density jumps to 0 there
            self.breaks = np.unique([*self.breaks, np.log(tau_prior.params["upper"])])
        self.z = self._integral(lambda t: 1.0)

    def log_g(self, tau):
        if not np.isfinite(tau**2):
            return -np.inf
        v = self.s2 + tau**2
        if self.mu_prior is None:  # restricted likelihood: mu integrated under a flat prior
            w = 1.0 / v
            m = np.sum(w * self.y) / np.sum(w)
            loglik = (-0.5 * np.sum(np.log(v)) - 0.5 * np.log(np.sum(w))
                      - 0.5 * np.sum(w * (self.y - m) ** 2))
        else:
            m0, s0 = self.mu_prior
            cov = np.diag(v) + s0**2
            loglik = stats.multivariate_normal(np.full(self.y.size, m0), cov).logpdf(self.y)
        return float(self.prior.logpdf(np.array([tau]))[0]) + loglik

    def _integral(self, h, upper=np.inf):
        """Integral of g(tau) h(tau) over (0, upper), as quad over x = log(tau)."""
        top = np.log(upper) if np.isfinite(upper) else np.inf
        edges = [-np.inf, *[b for b in self.breaks if b < top], top]
        total = 0.0

        def f(x):
            with np.errstate(all="ignore"):  # tau = exp(x) overflows far in the tail, where g = 0
                value = np.exp(self.log_g(np.exp(x)) + x - self.shift) * h(np.exp(x))
            return value if np.isfinite(value) else 0.0

        for a, b in zip(edges[:-1], edges[1:], strict=True):
            total += integrate.quad(f, a, b, epsabs=1e-14, epsrel=1e-10, limit=500)[0]
        return total

    def conditional(self, tau):
        """mu | tau, y: mean and variance (conjugate)."""
        w = 1.0 / (self.s2 + tau**2)
        prec = np.sum(w) + (0.0 if self.mu_prior is None else 1.0 / self.mu_prior[1] ** 2)
        num = np.sum(w * self.y) + (0.0 if self.mu_prior is None else self.mu_prior[0] / self.mu_prior[1] ** 2)
        return num / prec, 1.0 / prec

    def tau_cdf(self, t):
        return self._integral(lambda _: 1.0, upper=t) / self.z

    def tau_moment(self, k):
        return self._integral(lambda t: t**k) / self.z

    def mu_cdf(self, x, predictive=False):
        def h(t):
            m, v = self.conditional(t)
            return special.ndtr((x - m) / np.sqrt(v + (t**2 if predictive else 0.0)))

        return self._integral(h) / self.z

    def mu_moment(self, k, predictive=False):
        def h(t):
            m, v = self.conditional(t)
            return m if k == 1 else v + m**2 + (t**2 if predictive else 0.0)

        return self._integral(h) / self.z


def moment_checkable(tau_prior, k, proper, m):
    """False at the edge of existence: under gamma_precision:0.001,0.001 (BUGS) E[tau] exists for
    two studies but is carried by tau beyond 1e100 (tail tau^-2.002), which no quadrature resolves."""
    a = 2.0 * tau_prior.params.get("shape", 0) + 1.0 if tau_prior.family == "gamma_precision" else np.inf
    return not (0 <= k - 1 + int(proper) + a - 1 - m < 0.05)


def moment_exists(tau_prior, k, proper, m):
    """Whether E[tau^m | y] is finite: the posterior density's tail is tau^-(L + a), L = k - 1 (+1
    with a proper mu prior) from the likelihood, a from the prior (half-Cauchy 2, gamma on the
    precision 2 shape + 1, log-t on log tau^2 1 with a log factor, the others lighter than any power)."""
    lik = k - 1 + int(proper)
    if tau_prior.family == "rhodes_logt":
        return m <= lik
    a = {"halfcauchy": 2.0, "gamma_precision": 2.0 * tau_prior.params.get("shape", 0) + 1.0}.get(tau_prior.family,
                                                                                                   np.inf)
    return m < lik + a - 1


def _studies(y, s):
    return [SynthesisStudy(label=f"s{i}", estimate=float(e), se=float(se), scale="log_or", design="parallel",
                           n=None, dose_mg=None, rho=None, record="", evidence="USER", verified=False,
                           conversions="") for i, (e, se) in enumerate(zip(y, s, strict=True))]


def _check_quantile(cdf, printed, q, what):
    err = abs(cdf(printed) - q)
    assert err <= PROB_TOL, f"{what}: F_ref({printed:.6g}) = q {q} + {err:.2g}"


#: The default tier checks the issue's wide priors on the 8-study set; the rest of the grid is slow
#: (about 2 s a case: every quantile is a root of nested quad calls).
FAST = {("8 log ORs", "halfnormal:20", None), ("8 log ORs", "halfcauchy:20", (0.0, 1.0)),
        ("22 log ORs", "uniform:0,100", None), ("2 SMDs", "turner:pain", (0.0, 1.0))}
CASES = [pytest.param(name, prior, mu, marks=() if (name, prior, mu) in FAST else pytest.mark.slow)
         for name in SETS for prior in PRIORS for mu in (None, (0.0, 1.0))]


@pytest.mark.parametrize(("name", "prior_text", "mu_prior"), CASES)
def test_every_printed_number_matches_adaptive_quad(name, prior_text, mu_prior):
    y, s = SETS[name]
    tau_prior = parse_tau_prior(prior_text)
    result = synthesize(_studies(y, s), mu_prior=mu_prior, tau_prior=tau_prior, mcid=0.2)
    out = result.summary(ci_prob=0.95)
    ref = Reference(y, s, tau_prior, mu_prior)
    assert result.posterior.quadrature_error <= defaults.QUAD_TOL

    for key in ("median", "lower", "upper"):
        q = {"median": 0.5, "lower": 0.025, "upper": 0.975}[key]
        _check_quantile(ref.tau_cdf, out["tau"][key], q, f"tau {key}")
        _check_quantile(ref.mu_cdf, out["mu"][key], q, f"mu {key}")
        _check_quantile(lambda x: ref.mu_cdf(x, predictive=True), out["predictive"][key], q, f"predictive {key}")
    assert out["prob_mu_positive"] == pytest.approx(1 - ref.mu_cdf(0.0), abs=PROB_TOL)
    assert out["prob_mu_above_mcid"] == pytest.approx(1 - ref.mu_cdf(0.2), abs=PROB_TOL)
    assert out["prob_predictive_positive"] == pytest.approx(1 - ref.mu_cdf(0.0, predictive=True), abs=PROB_TOL)
    assert out["prob_predictive_above_mcid"] == pytest.approx(1 - ref.mu_cdf(0.2, predictive=True), abs=PROB_TOL)

    proper = mu_prior is not None
    k = y.size
    if not (moment_checkable(tau_prior, k, proper, 1) and moment_checkable(tau_prior, k, proper, 2)):
        return
    if moment_exists(tau_prior, k, proper, 1):
        assert out["tau"]["mean"] == pytest.approx(ref.tau_moment(1), rel=PROB_TOL)
    else:  # E[tau] diverges: inf, not a finite number
        assert out["tau"]["mean"] == np.inf
    if proper or moment_exists(tau_prior, k, proper, 1):
        assert out["mu"]["mean"] == pytest.approx(ref.mu_moment(1), abs=PROB_TOL * ref.mu_moment(2) ** 0.5)
    else:  # flat mu: Var[mu | tau] ~ tau^2 / k, so E|mu| diverges with E[tau]: undefined
        assert np.isnan(out["mu"]["mean"])
    if moment_exists(tau_prior, k, proper, 2):
        # sqrt(E[x^2] - E[x]^2) multiplies the relative error of the moments by E[x^2] / (2 sd^2)
        # (about 5 for the 22-study set's tau): ten times PROB_TOL covers it.
        tau_sd = np.sqrt(ref.tau_moment(2) - ref.tau_moment(1) ** 2)
        assert out["tau"]["sd"] == pytest.approx(tau_sd, rel=10 * PROB_TOL)
        for key, pred in (("mu", False), ("predictive", True)):
            sd = np.sqrt(ref.mu_moment(2, predictive=pred) - ref.mu_moment(1) ** 2)
            assert out[key]["sd"] == pytest.approx(sd, rel=10 * PROB_TOL), key
    else:
        assert out["tau"]["sd"] == np.inf and out["predictive"]["sd"] == np.inf
        if proper:  # Var[mu | tau] <= the prior's variance
            sd = np.sqrt(ref.mu_moment(2) - ref.mu_moment(1) ** 2)
            assert out["mu"]["sd"] == pytest.approx(sd, rel=10 * PROB_TOL)
        else:
            assert out["mu"]["sd"] == np.inf


def test_wide_prior_tau_quantiles_were_off_by_more_than_printed_precision():
    """The issue's case: 8 log ORs under halfnormal:20; the printed median now equals quad's to 1e-6."""
    y, s = SETS["8 log ORs"]
    tau_prior = parse_tau_prior("halfnormal:20")
    result = synthesize(_studies(y, s), mu_prior=None, tau_prior=tau_prior, mcid=None)
    ref = Reference(y, s, tau_prior, None)
    median_ref = optimize.brentq(lambda t: ref.tau_cdf(t) - 0.5, 1e-6, 10.0, xtol=1e-10)
    assert result.tau_summary()["median"] == pytest.approx(median_ref, abs=1e-6)


@pytest.mark.parametrize("se", [30.0, 1e3, 1e6, 1.66e17])
@pytest.mark.parametrize("nu", [3.0, 5.0])
def test_student_t_prior_far_narrower_than_the_se_keeps_its_tails(se, nu):
    """The single-estimate exact path under a Student-t prior of scale 1 and an SE far larger: the
    posterior is nearly the prior, whose tails beyond 40 scales hold 1.7e-5 of the mass (3 df) and
    5% of the variance. The fixed grid left them out: ``posterior --estimate 0 --lower 0 --upper
    2.6e16 --ci-prob 0.0625 --prior t:0,1,3`` printed SD 1.684 (reference 1.732) and P(> 1)
    0.195491 (0.195501). Every printed number is checked against ``scipy.integrate.quad``."""
    import bayes_ldn as bl

    lik = bl.EffectLikelihood(estimate=0.5, se=se, sign=1, scale="linear", units="points", conversions=(),
                              provenance={"record": "test"})
    post = bl.exact_posterior(lik, bl.priors.student_t(0.0, 1.0, nu))
    prior = stats.t(nu)

    def integral(g, lower=-np.inf, upper=np.inf):
        """int_lower^upper g(x) p0(x) N(0.5 | x, se^2) dx, in pieces split at +-40 prior scales (the
        prior's tails), at every decade beyond (QUADPACK cannot see an algebraic tail across 17
        decades at once) and at +-1, 10 and 40 SEs (where the likelihood cuts it off)."""
        f = lambda x: g(x) * prior.pdf(x) * np.exp(-0.5 * ((0.5 - x) / se) ** 2)  # noqa: E731
        decades = 40.0 * 10.0 ** np.arange(0, np.log10(se) + 2)
        marks = [sign * c for sign in (-1, 1) for c in (*decades, se, 10 * se, 40 * se)]
        cuts = [lower, *sorted(c for c in marks if lower < c < upper), upper]
        return sum(integrate.quad(f, a, b, epsabs=1e-13, epsrel=1e-10, limit=500)[0] for a, b in zip(cuts, cuts[1:]))

    norm = integral(lambda x: 1.0)
    mean = integral(lambda x: x) / norm
    sd = np.sqrt(integral(lambda x: (x - mean) ** 2) / norm)
    assert abs(post.mean - mean) <= 1e-7 * sd and abs(post.sd - sd) <= 1e-7 * sd, (post.mean, mean, post.sd, sd)
    for threshold in (0.0, 1.0, 3.0):
        ref = integral(lambda x: 1.0, lower=threshold) / norm
        assert abs(post.prob_above(threshold) - ref) <= 1e-8, (threshold, post.prob_above(threshold), ref)
    for q in (0.025, 0.5, 0.975):
        assert abs(integral(lambda x: 1.0, upper=post.ppf(q)) / norm - q) <= 1e-8, q
