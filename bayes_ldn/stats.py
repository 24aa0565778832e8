"""Exact posteriors and probability helpers on plain NumPy/SciPy (no PyMC, no xarray).

Three one-dimensional posterior types share one small interface (``mean``, ``sd``, ``cdf``,
``ppf``, ``interval``, ``prob_above``, ``prob_between``), so the decision table treats them alike:

* :class:`NormalPosterior` -- the conjugate normal-normal answer, in closed form.
* :class:`QuadraturePosterior` -- normal likelihood times any prior density, by adaptive
  quadrature (SciPy ``quad``) and root finding (``brentq``).
* :class:`NormalMixture` -- a finite mixture of normals; the exact marginal posteriors of the
  normal-normal hierarchical model are mixtures over the heterogeneity SD ``tau``.

:func:`normal_hierarchical` computes the hierarchical posterior by Gauss-Legendre quadrature
over ``tau`` in the prior's probability scale (the integrand is ``L(F^-1(u))`` on ``u in (0, 1)``),
as bayesmeta does by numerical integration (Roever 2020, doi:10.18637/jss.v093.i06).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import math
from numbers import Real

import numpy as np
from scipy import optimize, special, stats

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if
from bayes_ldn.quadrature import adaptive_gauss_legendre
from bayes_ldn.validation import MAX_ABS, array_problems, number_problems, scale_problems

__all__ = [
    "HierarchicalPosterior",
    "NormalMixture",
    "NormalPosterior",
    "QuadraturePosterior",
    "conjugate_normal",
    "format_probability",
    "normal_hierarchical",
    "prob_above",
    "prob_below",
    "prob_between",
]


def format_probability(p: float, digits: int = defaults.PROB_DIGITS) -> str:
    """Format a probability for printing; never shows ``1.000`` or ``0.000``.

    Examples
    --------
    >>> format_probability(0.99996)
    '>0.999'
    >>> format_probability(0.00001)
    '<0.001'
    >>> format_probability(0.9557)
    '0.956'

    A NaN (a probability not computed, e.g. no MCID given) prints ``"NA"``; anything else that is
    not a number in [0, 1] (up to 1e-9 of rounding), and ``digits`` outside 1..15, raise
    :class:`~bayes_ldn.exceptions.DataValidationError`.
    """
    missing = isinstance(p, Real) and math.isnan(p)
    problems = [] if missing else number_problems({"p": p}, required=True)
    if not problems and not missing and not -1e-9 <= p <= 1 + 1e-9:
        problems.append(f"p must be a probability in [0, 1], got {p}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 1 <= digits <= 15:
        problems.append(f"digits must be a whole number from 1 to 15, got {digits!r}")
    raise_if("format a probability", problems)
    if math.isnan(p):
        return "NA"
    step = 10.0**-digits
    if round(p, digits) >= 1.0:
        return f">{1 - step:.{digits}f}"
    if round(p, digits) <= 0.0:
        return f"<{step:.{digits}f}"
    return f"{p:.{digits}f}"


# --- draws -----------------------------------------------------------------------------------


def prob_above(draws: np.ndarray, value: float) -> float:
    """Share of draws strictly above ``value``."""
    return float(np.mean(np.asarray(draws) > value))


def prob_below(draws: np.ndarray, value: float) -> float:
    """Share of draws strictly below ``value``."""
    return float(np.mean(np.asarray(draws) < value))


def prob_between(draws: np.ndarray, lower: float, upper: float) -> float:
    """Share of draws in the closed interval ``[lower, upper]``."""
    d = np.asarray(draws)
    return float(np.mean((d >= lower) & (d <= upper)))


# --- one-dimensional exact posteriors ---------------------------------------------------------


class _Posterior1D:
    """Shared derived quantities; subclasses provide mean, sd, cdf and ppf."""

    mean: float
    sd: float

    def cdf(self, x: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def ppf(self, q: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def median(self) -> float:
        """Posterior median."""
        return self.ppf(0.5)

    def interval(self, ci_prob: float = defaults.CI_PROB) -> tuple[float, float]:
        """Equal-tailed credible interval with probability ``ci_prob``."""
        a = (1.0 - ci_prob) / 2.0
        return self.ppf(a), self.ppf(1.0 - a)

    def prob_above(self, value: float) -> float:
        """Posterior probability that the parameter exceeds ``value``."""
        return 1.0 - self.cdf(value)

    def prob_below(self, value: float) -> float:
        """Posterior probability that the parameter is below ``value``."""
        return self.cdf(value)

    def prob_between(self, lower: float, upper: float) -> float:
        """Posterior probability of the interval ``[lower, upper]``."""
        return self.cdf(upper) - self.cdf(lower)


@dataclass(frozen=True)
class NormalPosterior(_Posterior1D):
    """A normal distribution used as an exact posterior."""

    mean: float
    sd: float

    def cdf(self, x: float) -> float:
        """Cumulative distribution function."""
        return float(stats.norm.cdf(x, self.mean, self.sd))

    def prob_above(self, value: float) -> float:
        """Upper tail, computed with ``sf`` to keep precision far in the tail."""
        return float(stats.norm.sf(value, self.mean, self.sd))

    def ppf(self, q: float) -> float:
        """Quantile function."""
        return float(stats.norm.ppf(q, self.mean, self.sd))


def conjugate_normal(
    estimate: float, se: float, prior_mean: float, prior_sd: float
) -> NormalPosterior:
    r"""Exact posterior of a normal mean with a normal prior and known standard error.

    .. math::

        \hat\theta \mid \theta \sim N(\theta, s^2),\quad \theta \sim N(m_0, s_0^2)
        \;\Rightarrow\; \theta \mid \hat\theta \sim
        N\!\left(\frac{m_0/s_0^2 + \hat\theta/s^2}{1/s_0^2 + 1/s^2},\;
        \frac{1}{1/s_0^2 + 1/s^2}\right)

    ``prior_sd = inf`` gives the flat-prior answer ``N(estimate, se^2)``. Every other argument
    must be a finite number within +-1e100 (scales from 1e-100), so the precisions ``1/s^2`` and
    their products with the means stay inside double precision; otherwise
    :class:`~bayes_ldn.exceptions.DataValidationError` lists every problem.
    """
    flat = isinstance(prior_sd, Real) and prior_sd == math.inf
    problems = number_problems({"estimate": estimate, "prior_mean": prior_mean}, required=True)
    problems += scale_problems({"se": se} if flat else {"se": se, "prior_sd": prior_sd}, required=True)
    raise_if("conjugate normal posterior", problems)
    if flat:
        return NormalPosterior(float(estimate), float(se))
    w0, w1 = 1.0 / prior_sd**2, 1.0 / se**2
    return NormalPosterior((w0 * prior_mean + w1 * estimate) / (w0 + w1), float(np.sqrt(1 / (w0 + w1))))


@dataclass(frozen=True)
class QuadraturePosterior(_Posterior1D):
    r"""Posterior of a normal likelihood under any prior density, by Gauss-Legendre quadrature.

    .. math:: p(\theta \mid \hat\theta) \propto \phi\{(\hat\theta - \theta)/s\}\, p_0(\theta)

    The integrals run over ``estimate +/- 40 se``, split into ``panels`` panels of ``nodes``
    Gauss-Legendre points each (panel width 0.2 se by default, so the smooth integrand is
    integrated to near machine precision); where a prior component ``(prior_points[j],
    prior_scales[j])`` overlaps that window, its own ``mode +/- 40 scale`` gets ``panels`` more
    (a prior far narrower than the SE is resolved too). The posterior density is bounded by
    ``max(p_0)`` times the likelihood, which is below ``exp(-800)`` outside that range; a grid
    whose density at its ends is above ``exp(-700)`` of its peak is refused. The CDF inside a
    panel is a Gauss-Legendre integral over the partial panel; quantiles are found by Brent's
    method within the bracketing panel.

    Parameters
    ----------
    estimate, se : float
        The likelihood ``N(estimate, se^2)``.
    prior_logpdf : callable
        Log prior density (need not be normalised), vectorised over NumPy arrays.
    prior_points, prior_scales : tuple of float
        Modes of the prior's components and their scales (``prior_scales`` empty: no refinement).
    panels, nodes : int
        Quadrature resolution.
    """

    estimate: float
    se: float
    prior_logpdf: Callable[[np.ndarray], np.ndarray]
    prior_points: tuple[float, ...] = ()
    panels: int = 400
    prior_scales: tuple[float, ...] = ()
    nodes: int = 12
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def _bounds(self) -> tuple[float, float]:
        return self.estimate - 40.0 * self.se, self.estimate + 40.0 * self.se

    def _log_unnorm(self, t: np.ndarray) -> np.ndarray:
        return stats.norm.logpdf(self.estimate, t, self.se) + self.prior_logpdf(np.asarray(t))

    @property
    def _grid(self) -> dict:
        if not self._cache:
            lo, hi = self._bounds
            self._check_window(np.array([lo, hi]), np.zeros(2), 0.0)  # nodes distinct in double precision?
            x, w = np.polynomial.legendre.leggauss(self.nodes)
            windows = [np.linspace(lo, hi, self.panels + 1)] + [
                np.linspace(max(lo, m - 40.0 * sc), min(hi, m + 40.0 * sc), self.panels + 1)
                for m, sc in zip(self.prior_points, self.prior_scales, strict=True)
                if m - 40.0 * sc < hi and m + 40.0 * sc > lo]
            edges = np.unique(np.concatenate(windows))
            half = np.diff(edges) / 2.0
            t = ((edges[:-1] + edges[1:])[:, None] / 2.0 + half[:, None] * x).ravel()
            logf = self._log_unnorm(t)
            shift = float(np.max(logf))
            self._check_window(edges, logf, shift)
            f = np.exp(logf - shift) * (half[:, None] * w).ravel()
            norm = f.sum()
            panel_mass = f.reshape(edges.size - 1, self.nodes).sum(axis=1) / norm
            self._cache.update(
                t=t, p=f / norm, shift=shift, norm=norm, edges=edges,
                cdf_edges=np.concatenate([[0.0], np.cumsum(panel_mass)]), gl=(x, w),
            )
        return self._cache

    def _check_window(self, edges: np.ndarray, logf: np.ndarray, shift: float) -> None:
        """Refuse a grid that cannot hold the posterior: nodes that coincide in double precision (an
        SE below 1e-10 of the estimate's magnitude), a density zero or non-finite everywhere on it, or
        one still above exp(-700) of its peak at the window's ends (the prior pulls the mass outside)."""
        problems = []
        if not np.all(np.diff(edges) > 0) or not self.se >= 1e-10 * abs(self.estimate):
            problems.append(f"the SE {self.se:g} is below 1e-10 of the estimate {self.estimate:g}: quadrature "
                            "nodes coincide in double precision; centre or rescale the outcome")
        elif not np.isfinite(shift):
            problems.append(f"the prior density is zero or undefined wherever the likelihood N({self.estimate:g}, "
                            f"{self.se:g}^2) has mass; check the prior's location and scale")
        elif logf.size > 2 and max(logf[0], logf[-1]) - shift > -700.0:
            problems.append(f"the posterior extends beyond the quadrature window (estimate +- 40 SE = "
                            f"{edges[0]:g} to {edges[-1]:g}): the prior is far narrower than the SE and far from the "
                            "estimate; use a normal prior or mixture of normals (exact), or a wider prior")
        raise_if("quadrature posterior", problems)

    @property
    def mean(self) -> float:  # type: ignore[override]
        """Posterior mean."""
        g = self._grid
        return float(np.sum(g["t"] * g["p"]))

    @property
    def sd(self) -> float:  # type: ignore[override]
        """Posterior standard deviation."""
        g = self._grid
        m = self.mean
        return float(np.sqrt(np.sum((g["t"] - m) ** 2 * g["p"])))

    def cdf(self, x: float) -> float:
        """Posterior probability of ``theta <= x``."""
        g = self._grid
        edges = g["edges"]
        if x <= edges[0]:
            return 0.0
        if x >= edges[-1]:
            return 1.0
        k = min(int(np.searchsorted(edges, x, side="right")) - 1, edges.size - 2)
        a = edges[k]
        gx, gw = g["gl"]
        half = (x - a) / 2.0
        t = (a + x) / 2.0 + half * gx
        part = float(np.sum(np.exp(self._log_unnorm(t) - g["shift"]) * half * gw)) / g["norm"]
        return float(min(1.0, max(0.0, g["cdf_edges"][k] + part)))

    def ppf(self, q: float) -> float:
        """Posterior quantile, by Brent's method within the bracketing panel."""
        g = self._grid
        k = int(np.clip(np.searchsorted(g["cdf_edges"], q) - 1, 0, g["edges"].size - 2))
        lo, hi = g["edges"][k], g["edges"][k + 1]
        return float(optimize.brentq(lambda x: self.cdf(x) - q, lo, hi, xtol=1e-13, rtol=1e-14))


@dataclass(frozen=True)
class NormalMixture(_Posterior1D):
    """A finite mixture of normal distributions with weights summing to one."""

    weights: np.ndarray
    means: np.ndarray
    sds: np.ndarray

    @property
    def _centre(self) -> float:
        """The heaviest component's mean: moments are summed relative to it, because at a location of
        1e100 the rounding of sum(w * means) (1e84) would swamp an SD of 0.5."""
        return float(self.means[int(np.argmax(self.weights))])

    @property
    def mean(self) -> float:  # type: ignore[override]
        """Mixture mean."""
        c = self._centre
        return float(c + np.sum(self.weights * (self.means - c)))

    @property
    def sd(self) -> float:  # type: ignore[override]
        """Mixture standard deviation (law of total variance)."""
        d = self.means - self._centre
        md = float(np.sum(self.weights * d))
        return float(np.sqrt(np.sum(self.weights * (self.sds**2 + (d - md) ** 2))))

    def cdf(self, x: float) -> float:
        """Cumulative distribution function (clipped to [0, 1]: weights summing to 1 + 1 ulp)."""
        return float(np.clip(np.sum(self.weights * special.ndtr((x - self.means) / self.sds)), 0.0, 1.0))

    def prob_above(self, value: float) -> float:
        """Upper tail, summed from the components' survival functions."""
        return float(np.clip(np.sum(self.weights * special.ndtr((self.means - value) / self.sds)), 0.0, 1.0))

    def ppf(self, q: float) -> float:
        """Quantile, by Brent's method between the extreme component quantiles."""
        z = stats.norm.ppf(q)
        keep = self.weights > 0
        lo = float(np.min(self.means[keep] + z * self.sds[keep]))
        hi = float(np.max(self.means[keep] + z * self.sds[keep]))
        # A relative pad: far from 0 (a location of 4.6e9) an absolute 1e-9 is below one ulp, and
        # the rounded CDF at the bracket's ends then had the same sign.
        pad = 1e-9 * (1.0 + max(abs(lo), abs(hi)))
        lo, hi = lo - pad, hi + pad
        f_lo, f_hi = self.cdf(lo) - q, self.cdf(hi) - q
        if hi - lo < 1e-12 * (1.0 + abs(lo)) or f_lo * f_hi > 0:
            # Degenerate bracket, or the CDF is flat to rounding across it: the end nearer to q.
            return lo if abs(f_lo) <= abs(f_hi) else hi
        # maxiter: bisection from a bracket as wide as 1e100 (near-improper tau priors) to 1e-12.
        return float(optimize.brentq(lambda x: self.cdf(x) - q, lo, hi, xtol=1e-12, rtol=1e-14, maxiter=1000))


# --- normal-normal hierarchical model ----------------------------------------------------------


@dataclass(frozen=True)
class HierarchicalPosterior:
    r"""Exact posterior of the normal-normal hierarchical model (see :func:`normal_hierarchical`).

    Attributes
    ----------
    labels : tuple of str
        The units (outcomes or trials), in input order.
    tau_nodes, tau_weights : ndarray
        Quadrature nodes over ``tau`` and their normalised posterior weights.
    mu : NormalMixture
        Marginal posterior of the mean effect ``mu``.
    theta : dict of str to NormalMixture
        Marginal posteriors of the unit effects (shrunken estimates).
    predictive : NormalMixture
        Posterior predictive of the effect in a new unit, ``theta_new``.
    log_marginal : float
        Log marginal likelihood ``log p(y)`` (proper priors only), used for Bayes factors.
    """

    labels: tuple[str, ...]
    tau_nodes: np.ndarray
    tau_weights: np.ndarray
    mu: NormalMixture
    theta: dict[str, NormalMixture]
    predictive: NormalMixture
    log_marginal: float
    #: Continuous posterior CDF of ``tau`` (from the adaptive rule); ``None`` when built from nodes only.
    tau_cdf: Callable[[float], float] | None = None
    #: Estimated absolute error of every probability from the quadrature (0 for a fixed ``tau``).
    quadrature_error: float = float("nan")
    #: ``expectation(log_h)``: E[h] for ``log_h(tau, E[mu | tau], Var[mu | tau])``, by its own adaptive
    #: rule (moments weigh the tail of ``tau`` more than probabilities do); ``inf`` when E[h] diverges.
    expectation: Callable[[Callable[..., np.ndarray]], float] | None = None

    @property
    def tau_mean(self) -> float:
        """Posterior mean of the heterogeneity SD ``tau``."""
        return float(np.sum(self.tau_weights * self.tau_nodes))

    def tau_quantile(self, q: float) -> float:
        """Posterior quantile of ``tau``: the root of the continuous CDF when there is one (to
        1e-12), else the node CDF interpolated at node midpoints (each node holds its mass)."""
        order = np.argsort(self.tau_nodes)
        nodes, w = self.tau_nodes[order], self.tau_weights[order]
        if nodes.size == 1 or nodes[0] == nodes[-1]:
            return float(nodes[0])
        if self.tau_cdf is None:
            return float(np.interp(q, np.cumsum(w) - w / 2.0, nodes))
        lo, hi = float(nodes[0]), float(nodes[-1])
        while self.tau_cdf(lo) > q and lo > 0:
            lo /= 2.0
        while self.tau_cdf(hi) < q:
            hi *= 2.0
        return float(optimize.brentq(lambda t: self.tau_cdf(t) - q, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=1000))


def normal_hierarchical(
    estimates: np.ndarray,
    ses: np.ndarray,
    *,
    tau_prior: stats.rv_continuous | float,
    mu_prior: tuple[float, float] | None,
    labels: tuple[str, ...] | None = None,
    panels: int = defaults.TAU_PANELS,
    nodes: int = defaults.TAU_NODES,
    tol: float = defaults.QUAD_TOL,
) -> HierarchicalPosterior:
    r"""Exact posterior of the normal-normal hierarchical (random-effects) model.

    .. math::

        y_i \mid \theta_i \sim N(\theta_i, s_i^2),\qquad
        \theta_i \mid \mu, \tau \sim N(\mu, \tau^2),\qquad
        \mu \sim N(m_0, s_0^2),\qquad \tau \sim p(\tau)

    For fixed ``tau`` everything is conjugate: ``y_i ~ N(mu, s_i^2 + tau^2)`` marginally, so
    ``mu | tau, y`` is normal and ``theta_i | tau, y ~ N((1-B_i) y_i + B_i E[mu|tau,y],
    (1-B_i) s_i^2 + B_i^2 Var[mu|tau,y])`` with ``B_i = s_i^2 / (s_i^2 + tau^2)``. The only
    integral left is over ``tau``, done on ``u = F_tau(tau)`` with composite Gauss-Legendre
    quadrature, so heavy-tailed priors (half-Cauchy) are handled without truncation; the panels
    are bisected where the posterior needs them until the estimated error of every probability
    is below ``tol`` (:func:`bayes_ldn.quadrature.adaptive_gauss_legendre`), and ``tau``'s
    quantiles invert its continuous CDF (no interpolation between nodes).

    Parameters
    ----------
    estimates, ses : array_like
        Unit estimates and their standard errors (sign-aligned; positive = benefit).
    tau_prior : frozen scipy distribution on (0, inf), or float
        Heterogeneity prior. A float fixes ``tau`` (0 gives the common-effect model).
    mu_prior : (mean, sd) or None
        Normal prior on ``mu``; ``None`` is the flat (improper) prior, for which
        ``log_marginal`` is ``nan``.
    labels : tuple of str, optional
        Names of the units.
    panels, nodes : int
        Initial panels and Gauss-Legendre nodes per panel (composite Gauss-Legendre).
    tol : float
        Target absolute error of probabilities (``quadrature_error`` reports the estimate).

    Returns
    -------
    HierarchicalPosterior
    """
    y, s, mu_prior = _hierarchical_inputs(estimates, ses, tau_prior, mu_prior, labels, panels, nodes, tol)
    # Location equivariance: computing on y - c (c the estimates' midrange) keeps the quadratic forms
    # (y/s)^2 finite for estimates far from 0 (1e100 with SE 1e-100); locations are shifted back below.
    c = float((y.min() + y.max()) / 2.0)
    if mu_prior is not None:
        mu_prior = (mu_prior[0] - c, mu_prior[1])
    y, s2 = y - c, s**2
    k = y.size
    labels = labels or tuple(f"unit{i + 1}" for i in range(k))
    tau_cdf, error, expectation = None, 0.0, None
    if isinstance(tau_prior, (int, float)):
        taus = np.array([float(tau_prior)])
        w = np.array([1.0])
        cond = _given_tau(y, s2, taus, mu_prior)
        log_marginal = float(cond["loglik"][0])
    else:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rule = adaptive_gauss_legendre(
                lambda u: _given_tau(y, s2, np.asarray(tau_prior.ppf(u), dtype=float), mu_prior)["loglik"],
                panels=panels, nodes=nodes, tol=tol)
        taus = np.asarray(tau_prior.ppf(rule.nodes), dtype=float)
        w, error, log_marginal = rule.weights, rule.error, rule.log_norm
        tau_cdf = lambda t: rule.cdf(float(tau_prior.cdf(t)))  # noqa: E731 - u = F(tau) is monotone
        cond = _given_tau(y, s2, taus, mu_prior)

        def expectation(log_h: Callable[..., np.ndarray]) -> float:
            def logf(u: np.ndarray) -> np.ndarray:
                t = np.asarray(tau_prior.ppf(u), dtype=float)
                g = _given_tau(y, s2, t, mu_prior)
                return g["loglik"] + log_h(t, g["m_mu"] + c, g["var_mu"])

            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                try:
                    moment = adaptive_gauss_legendre(logf, panels=panels, nodes=nodes, tol=tol)
                except ValueError:  # h * density overflows everywhere it is evaluated: no finite E[h]
                    return float("inf")
            return float(np.exp(moment.log_norm - rule.log_norm)) if moment.converged else float("inf")
    if mu_prior is None:
        log_marginal = float("nan")
    v, m_mu, var_mu = cond["v"], cond["m_mu"] + c, cond["var_mu"]
    sd_mu = np.sqrt(var_mu)
    mu_post = NormalMixture(w, m_mu, sd_mu)
    b = s2[None, :] / v  # shrinkage factor B_i(tau)
    theta_mean = (1 - b) * (y + c)[None, :] + b * m_mu[:, None]
    theta_var = (1 - b) * s2[None, :] + b**2 * var_mu[:, None]
    theta = {
        lab: NormalMixture(w, theta_mean[:, i], np.sqrt(theta_var[:, i]))
        for i, lab in enumerate(labels)
    }
    pred = NormalMixture(w, m_mu, np.sqrt(var_mu + taus**2))
    return HierarchicalPosterior(
        labels=tuple(labels),
        tau_nodes=taus,
        tau_weights=w,
        mu=mu_post,
        theta=theta,
        predictive=pred,
        log_marginal=log_marginal,
        tau_cdf=tau_cdf,
        quadrature_error=error,
        expectation=expectation,
    )


def _hierarchical_inputs(estimates, ses, tau_prior, mu_prior, labels, panels, nodes, tol):  # noqa: ANN001, ANN202
    """Check :func:`normal_hierarchical`'s arguments; return the estimates, SEs and mu prior as floats.

    Besides finiteness and the bounds of :mod:`bayes_ldn.validation`, the estimates' spread in
    units of the smallest SE (and the mu prior mean's distance in its SDs) must stay within
    ``MAX_ABS``: their squares enter ``log p(y | tau)``.
    """
    problems, arrays = [], {}
    for name, values in (("estimates", estimates), ("ses", ses)):
        try:
            a = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            problems.append(f"{name} must be a sequence of numbers, got {values!r}")
            continue
        if a.ndim != 1 or a.size == 0:
            problems.append(f"{name} must be a non-empty one-dimensional sequence of numbers, got {values!r}")
            continue
        rows = lambda m: ", ".join(str(i) for i in np.flatnonzero(m))  # noqa: E731
        if not np.all(np.isfinite(a)):
            problems.append(f"{name} must be finite: NaN or infinite at positions {rows(~np.isfinite(a))}")
        problems += array_problems(a, what=name, rows=rows)
        arrays[name] = a
    y, s = arrays.get("estimates"), arrays.get("ses")
    if y is not None and s is not None and y.size != s.size:
        problems.append(f"estimates ({y.size}) and ses ({s.size}) must have the same length")
    elif s is not None and np.all(np.isfinite(s)) and not np.all((s >= 1e-100) & (s <= MAX_ABS)):
        problems.append("ses must be positive standard errors from 1e-100 to 1e+100, got "
                        + ", ".join(f"{v:g}" for v in s[(s < 1e-100) | (s > MAX_ABS)]))
    if isinstance(tau_prior, Real):
        bad = number_problems({"tau_prior": tau_prior})
        problems += bad or ([] if tau_prior >= 0 else [f"tau_prior, a fixed heterogeneity SD, must be >= 0, got {tau_prior}"])
    elif not (callable(getattr(tau_prior, "ppf", None)) and callable(getattr(tau_prior, "cdf", None))):
        problems.append(f"tau_prior must be a frozen SciPy distribution on (0, inf) or a number, got {tau_prior!r}")
    if mu_prior is not None:
        if not (isinstance(mu_prior, (tuple, list)) and len(mu_prior) == 2):
            problems.append(f"mu_prior must be (mean, sd) or None (flat), got {mu_prior!r}")
        else:
            problems += number_problems({"mu_prior mean": mu_prior[0]}, required=True) + scale_problems({"mu_prior sd": mu_prior[1]}, required=True)
    if labels is not None and (y is None or len(labels) != y.size):
        problems.append(f"labels must name each of the {0 if y is None else y.size} estimates, got {labels!r}")
    for name, v in (("panels", panels), ("nodes", nodes)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= 10_000:
            problems.append(f"{name} must be a whole number from 1 to 10000, got {v!r}")
    if not (isinstance(tol, Real) and 0 < tol < 1):
        problems.append(f"tol must be an absolute error in (0, 1), got {tol!r}")
    raise_if("normal-normal hierarchical model", problems)
    assert y is not None and s is not None
    spread = float(np.ptp(y)) / float(s.min())
    far = abs(float(mu_prior[0]) - (y.min() + y.max()) / 2) / float(mu_prior[1]) if mu_prior is not None else 0.0
    overflow = f"beyond {MAX_ABS:g} the model's squared z-scores overflow double precision; check the units"
    raise_if("normal-normal hierarchical model",
             ([f"the estimates span {spread:.3g} times the smallest SE: {overflow}"] if spread > MAX_ABS else [])
             + ([f"the mu prior mean lies {far:.3g} prior SDs from the estimates: {overflow}"] if far > MAX_ABS else []))
    return y, s, None if mu_prior is None else (float(mu_prior[0]), float(mu_prior[1]))


def _given_tau(y: np.ndarray, s2: np.ndarray, taus: np.ndarray, mu_prior: tuple[float, float] | None) -> dict:
    """Conjugate quantities given each ``tau``: marginal variances ``v``, ``mu | tau, y`` and
    ``log p(y | tau)`` with ``mu`` integrated analytically (Gaussian identities)."""
    k = y.size
    v = s2[None, :] + taus[:, None] ** 2  # (n_tau, k)
    prec = 1.0 / v
    if mu_prior is None:
        p_mu = prec.sum(axis=1)
        m_mu = (prec * y).sum(axis=1) / p_mu
    else:
        m0, s0 = mu_prior
        p_mu = prec.sum(axis=1) + 1.0 / s0**2
        m_mu = ((prec * y).sum(axis=1) + m0 / s0**2) / p_mu
    var_mu = 1.0 / p_mu
    # log p(y | tau), integrating mu analytically (Gaussian identities).
    quad_form = (prec * y**2).sum(axis=1)
    if mu_prior is None:
        loglik = (
            -0.5 * np.log(v).sum(axis=1)
            - 0.5 * np.log(p_mu)
            - 0.5 * (quad_form - m_mu**2 * p_mu)
            - 0.5 * (k - 1) * np.log(2 * np.pi)
        )
    else:
        loglik = (
            -0.5 * np.log(v).sum(axis=1)
            - 0.5 * np.log(s0**2 * p_mu)
            - 0.5 * (quad_form + m0**2 / s0**2 - m_mu**2 * p_mu)
            - 0.5 * k * np.log(2 * np.pi)
        )
    return {"v": v, "m_mu": m_mu, "var_mu": var_mu, "loglik": loglik}
