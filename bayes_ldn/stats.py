"""Exact posteriors and probability helpers on plain NumPy/SciPy (no PyMC, no xarray).

:func:`conjugate_normal` gives the conjugate normal-normal posterior in closed form; the three
one-dimensional posterior types (:class:`NormalPosterior`, :class:`QuadraturePosterior`,
:class:`NormalMixture`) live in :mod:`bayes_ldn.posterior1d` and are re-exported here.
:func:`format_probability` prints probabilities; ``prob_above`` and friends summarise draws.

:func:`normal_hierarchical` computes the hierarchical posterior by Gauss-Legendre quadrature
over ``tau`` in the prior's probability scale (the integrand is ``L(F^-1(u))`` on ``u in (0, 1)``),
as bayesmeta does by numerical integration (Roever 2020, doi:10.18637/jss.v093.i06).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import math
from numbers import Real

import numpy as np
from scipy import optimize, stats

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if
from bayes_ldn.posterior1d import NormalMixture, NormalPosterior, QuadraturePosterior
from bayes_ldn.quadrature import adaptive_gauss_legendre
from bayes_ldn.validation import MAX_ABS, array_problems, float_vector, number_problems, scale_problems

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


# --- conjugate normal ------------------------------------------------------------------------


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
    # The shrinkage form of the weighted mean: exactly the estimate when prior_mean equals it, and
    # inside [estimate, prior_mean] up to the last addition's rounding (the ratio form was 1 ulp out).
    mean = estimate + (prior_mean - estimate) * (w0 / (w0 + w1))
    return NormalPosterior(float(mean), float(np.sqrt(1 / (w0 + w1))))


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
        a, bad = float_vector(values, name)
        if a is None:
            problems += bad
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
