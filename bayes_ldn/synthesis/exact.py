r"""Exact random-effects synthesis by quadrature over ``tau``, and everything built from it.

.. math::

    y_i \mid \theta_i \sim N(\theta_i, s_i^2),\quad \theta_i \sim N(\mu, \tau^2),\quad
    \mu \sim N(m_0, s_0^2)\ \text{or flat},\quad \tau \sim p(\tau)

computed by :func:`bayes_ldn.stats.normal_hierarchical` (conjugate in ``mu`` and ``theta`` given
``tau``; Gauss-Legendre quadrature over ``tau`` in its prior's probability scale, as bayesmeta
does). Outputs: the mean effect ``mu``, ``tau``, the shrunken trial effects ``theta_i``, the
predictive effect in a new trial ``theta_new``, P(mu > 0), P(mu > MCID), leave-one-trial-out,
prior sensitivity, and sweeps or a prior over the crossover correlation ``rho``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.stats import HierarchicalPosterior, NormalMixture, _given_tau, normal_hierarchical
from bayes_ldn.synthesis.heterogeneity import TauPrior
from bayes_ldn.synthesis.studies import SynthesisStudy
from bayes_ldn.validation import normal_prior_problems, probability_problems, optional_real_problems

__all__ = [
    "QUADRATURE_ERROR_LIMIT",
    "SynthesisResult",
    "summarize_mixture",
    "synthesize",
    "synthesize_over_rho",
]


@dataclass(frozen=True)
class SynthesisResult:
    """An exact synthesis: the studies, the priors and the posterior.

    Attributes
    ----------
    studies : tuple of SynthesisStudy
    posterior : HierarchicalPosterior
    mu_prior : (mean, sd) or None
        ``None`` is the flat prior.
    tau_prior : TauPrior
    mcid : float or None
        Clinical threshold on the synthesis scale.
    note : str
        Extra statement (e.g. how ``rho`` was handled).
    """

    studies: tuple[SynthesisStudy, ...]
    posterior: HierarchicalPosterior
    mu_prior: tuple[float, float] | None
    tau_prior: TauPrior
    mcid: float | None
    note: str = ""

    @property
    def scale(self) -> str:
        """The common scale of the studies."""
        return self.studies[0].scale

    def tau_summary(self, ci_prob: float = defaults.CI_PROB) -> dict[str, float]:
        """Median, mean, SD and equal-tailed interval of ``tau``."""
        check_ci_prob(ci_prob)
        post = self.posterior
        a = (1.0 - ci_prob) / 2.0
        m = post.tau_mean
        sd = float(np.sqrt(np.sum(post.tau_weights * (post.tau_nodes - m) ** 2)))
        if post.expectation is not None:
            # Moments by their own refined rule; inf when they do not exist (heavy-tailed prior, few studies).
            m = post.expectation(lambda t, mu, v: np.log(t))
            sd = _sd(m, post.expectation(lambda t, mu, v: 2.0 * np.log(t)))
        return {
            "median": post.tau_quantile(0.5), "mean": m, "sd": sd,
            "lower": post.tau_quantile(a), "upper": post.tau_quantile(1.0 - a),
        }

    def summary(self, ci_prob: float = defaults.CI_PROB) -> dict:
        """Mean effect, between-study SD and predictive effect, each with median/mean/sd/lower/upper,
        plus P(mu > 0), P(mu > MCID), P(theta_new > 0) and P(theta_new > MCID)."""
        check_ci_prob(ci_prob)
        post = self.posterior
        out = {
            "mu": summarize_mixture(post.mu, ci_prob),
            "tau": self.tau_summary(ci_prob),
            "predictive": summarize_mixture(post.predictive, ci_prob),
            "quadrature_error": post.quadrature_error,
            "prob_mu_positive": post.mu.prob_above(0.0),
            "prob_predictive_positive": post.predictive.prob_above(0.0),
            "ci_prob": ci_prob,
        }
        if post.expectation is not None:
            # E[mu | tau] is bounded, Var[mu | tau] too under a proper mu prior; under the flat one it
            # grows like tau^2 / k, so E[mu] needs E[tau] (else undefined: nan) and the SDs E[tau^2]
            # (else inf), as does the predictive's always (Var = Var[mu | tau] + tau^2).
            exists = self.mu_prior is not None or np.isfinite(out["tau"]["mean"])
            for key, extra in (("mu", 0.0), ("predictive", 1.0)):
                second = post.expectation(lambda t, mu, v, extra=extra: np.log(v + mu**2 + extra * t**2))
                out[key]["mean"] = out[key]["mean"] if exists else float("nan")
                out[key]["sd"] = _sd(out[key]["mean"], second) if exists else float("inf")
        if self.mcid is not None:
            out["mcid"] = self.mcid
            out["prob_mu_above_mcid"] = post.mu.prob_above(self.mcid)
            out["prob_predictive_above_mcid"] = post.predictive.prob_above(self.mcid)
        return out


def _sd(mean: float, second: float) -> float:
    """sqrt(E[x^2] - E[x]^2); ``inf`` when the second moment diverges."""
    return float(np.sqrt(max(second - mean**2, 0.0))) if np.isfinite(second) else float("inf")


def summarize_mixture(dist: NormalMixture, ci_prob: float = defaults.CI_PROB) -> dict[str, float]:
    """``median``, ``mean``, ``sd``, ``lower``, ``upper`` (equal-tailed) of an exact marginal."""
    check_ci_prob(ci_prob)
    if not isinstance(dist, NormalMixture):
        raise DataValidationError("mixture summary", [
            f"dist must be a NormalMixture (e.g. result.posterior.mu), got {type(dist).__name__}"])
    lo, hi = dist.interval(ci_prob)
    return {"median": dist.median, "mean": dist.mean, "sd": dist.sd, "lower": lo, "upper": hi}


#: Largest estimated quadrature error of an answer (the quadrature's own target is defaults.QUAD_TOL).
QUADRATURE_ERROR_LIMIT: float = 100 * defaults.QUAD_TOL


def check_ci_prob(ci_prob: float) -> None:
    """Refuse a coverage outside (0, 1) (NaN stopped the quantile solver with a SciPy error)."""
    raise_if("credible interval", ["ci_prob is missing: give a probability such as 0.95"] if ci_prob is None
             else probability_problems({"ci_prob": ci_prob}))


def check_result(result: SynthesisResult) -> None:
    """Refuse what is not a :class:`SynthesisResult` (a float raised AttributeError in the tables)."""
    if not isinstance(result, SynthesisResult):
        raise DataValidationError("synthesis table", [
            f"result must be a SynthesisResult (from synthesize), got {type(result).__name__}"])


def _check(studies: Sequence[SynthesisStudy], mu_prior, tau_prior, mcid) -> list[str]:
    problems = []
    if isinstance(studies, (str, bytes)) or not isinstance(studies, Sequence) or not all(
            isinstance(s, SynthesisStudy) for s in studies):
        return [f"studies must be a sequence of SynthesisStudy (read_studies_csv, studies_from_rows), got {studies!r:.80}"]
    if not studies:
        problems.append("no studies to synthesise")
    scales = sorted({s.scale for s in studies})
    if len(scales) > 1:
        problems.append(f"studies are on different scales ({', '.join(scales)}); put them on one scale")
    labels = [s.label for s in studies]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        problems.append(f"study labels must be unique; repeated: {', '.join(dup)}")
    problems += normal_prior_problems(mu_prior, "mu_prior")
    if not isinstance(tau_prior, TauPrior):
        problems.append(f"tau_prior must be a TauPrior (e.g. halfnormal_tau(0.5), parse_tau_prior('rhodes')), "
                        f"got {tau_prior!r:.80}")
    problems += optional_real_problems({"mcid": mcid})
    return problems


#: Largest difference accepted between the quadrature's CDF of tau and an independent log-grid CDF.
TAU_CDF_CHECK_TOL: float = 1e-3


def missed_posterior_problems(estimates: np.ndarray, ses: np.ndarray, tau_prior: TauPrior, mu_prior,
                              post: HierarchicalPosterior) -> list[str]:
    r"""An independent check that the quadrature over tau's prior probability scale found the posterior.

    When the data put tau where the prior's CDF is within ~1e-10 of 1 (HalfCauchy(1e-10) with two
    studies 4 apart: true posterior median of tau 2.4), the adaptive rule never samples there and
    returns the prior, with a tiny error estimate. Here the unnormalised posterior
    :math:`p(\tau) p(y \mid \tau)` is integrated by the trapezoid rule on a log grid of tau
    (spacing 0.005 in :math:`\log\tau`, from 1e-6 x the smallest SE to 1e6 x the data's spread or
    the prior's 1 - 1e-12 quantile, within the prior's support; the prior's mass outside added with
    the likelihood at the ends), and its CDF at its own
    10%, 50% and 90% points is compared with the quadrature's (:data:`TAU_CDF_CHECK_TOL`).
    """
    if tau_prior.is_fixed:
        return []
    y = np.asarray(estimates, dtype=float)
    s2 = np.asarray(ses, dtype=float) ** 2
    spread = max(float(np.ptp(y)), float(np.sqrt(s2.max())),
                 0.0 if mu_prior is None else abs(mu_prior[0] - float(np.median(y))) + mu_prior[1])
    # From far below the smallest SE (the likelihood is flat there) to beyond the data's spread and the
    # prior's 1 - 1e-12 quantile (a HalfNormal(1e10)'s tail holds mass up to 1e10), inside its support.
    support = np.asarray(tau_prior.ppf(np.array([0.0, 1.0 - 1e-12, 1.0])), dtype=float)
    lo = np.log(max(1e-6 * float(np.sqrt(s2.min())), support[0], 1e-300))
    hi = min(np.log(max(1e6 * spread, support[1])), np.log(min(support[2], 1e100)))
    if not hi > lo:  # the support lies where the likelihood is flat (U(0, 1e-100)): posterior = prior
        return []
    x = np.linspace(lo, hi, int(np.ceil((hi - lo) / 0.005)) + 1)
    t = np.clip(np.exp(x), support[0], support[2])  # exp(log(3)) = 3.0000000000000004 is outside U(1, 3)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_f = tau_prior.logpdf(t) + _given_tau(y, s2, t, mu_prior)["loglik"] + x  # d tau = tau d log tau
        ends = _given_tau(y, s2, t[[0, -1]], mu_prior)["loglik"]
        cdf_ends = tau_prior.cdf(t[[0, -1]])
        log_tails = (np.log(cdf_ends[0]) + ends[0], np.log1p(-cdf_ends[1]) + ends[1])
    top = max(np.nanmax(log_f), *log_tails)
    if not np.isfinite(top):
        return []  # nothing to compare with (the quadrature's own checks speak)
    dens = np.nan_to_num(np.exp(log_f - top))
    cum = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2.0 * np.diff(x))])
    low_tail, high_tail = (float(np.exp(v - top)) if np.isfinite(v) else 0.0 for v in log_tails)
    total = low_tail + cum[-1] + high_tail
    grid_cdf = (low_tail + cum) / total
    bad = []
    for q in (0.1, 0.5, 0.9):
        j = int(np.searchsorted(grid_cdf, q))
        if not 0 < j < t.size:
            continue
        with np.errstate(all="ignore"):  # the rule's CDF far in its tails overflows to its limits
            got = float(post.tau_cdf(float(t[j])))
        if np.isfinite(got) and abs(got - grid_cdf[j]) > TAU_CDF_CHECK_TOL:
            bad.append((q, float(t[j]), got))
    if not bad:
        return []
    q, tq, got = bad[0]
    return [f"the exact quadrature over tau missed the posterior: an independent log-grid integration puts tau's "
            f"{100 * q:g}% quantile at {tq:.4g}, where the quadrature's CDF is {got:.4g}; the tau prior "
            f"{tau_prior.name} gives that region almost no probability (a prior far too narrow or wide for the "
            "studies' spread); choose a tau prior on the studies' scale"]


def synthesize(
    studies: Sequence[SynthesisStudy],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior,
    mcid: float | None,
    note: str = "",
) -> SynthesisResult:
    """Exact random-effects synthesis of ``studies`` (see the module equations).

    Parameters
    ----------
    studies : sequence of SynthesisStudy
        On one common scale, aligned (positive = treatment better).
    mu_prior : (mean, sd) or None
        Normal prior on the mean effect, or ``None`` for the flat prior.
    tau_prior : TauPrior
        Heterogeneity prior (:mod:`bayes_ldn.synthesis.heterogeneity`).
    mcid : float or None
        Clinical threshold for P(mu > MCID), on the synthesis scale.
    note : str
        Statement carried into the result.
    """
    raise_if("synthesis", _check(studies, mu_prior, tau_prior, mcid))
    post = normal_hierarchical(
        np.array([s.estimate for s in studies]), np.array([s.se for s in studies]),
        tau_prior=tau_prior.for_quadrature(), mu_prior=mu_prior,
        labels=tuple(s.label for s in studies),
    )
    raise_if("synthesis", missed_posterior_problems([st.estimate for st in studies], [st.se for st in studies],
                                                    tau_prior, mu_prior, post))
    # The quadrature runs over tau's prior probability scale; when the posterior sits where the prior
    # has almost no mass (a mu prior's mean 50 SEs from the data under HalfNormal(1)), its estimated
    # error stays large and the answer is wrong (tau's mean printed inf, quantiles out of order).
    limit = QUADRATURE_ERROR_LIMIT
    raise_if("synthesis", [] if post.quadrature_error <= limit else [
        f"the exact posterior cannot be computed to its tolerance (estimated error {post.quadrature_error:.2g} > "
        f"{limit:g}): the posterior of tau lies where its prior {tau_prior.name} has almost no probability (a "
        "conflict between the mu prior and the studies, or a tau prior far too wide or narrow for the studies' "
        "scale, e.g. HalfNormal(1e15) for SEs near 0.2); check the mu prior's mean, the studies' units and the tau "
        "prior's scale"])
    return SynthesisResult(tuple(studies), post, mu_prior, tau_prior, mcid, note)


#: Most Gauss-Legendre nodes over the rho prior (each is a full synthesis; 24 is the default).
MAX_RHO_NODES = 200


def synthesize_over_rho(
    studies_for_rho: Callable[[float], Sequence[SynthesisStudy]],
    rho_prior,
    *,
    mu_prior: tuple[float, float],
    tau_prior: TauPrior,
    mcid: float | None,
    nodes: int = 24,
) -> tuple[SynthesisResult, pd.DataFrame]:
    r"""Integrate the crossover correlation ``rho`` out under a prior (one ``rho`` for all crossovers).

    For each Gauss-Legendre node ``rho_j = F^{-1}(u_j)`` the synthesis is exact; the nodes are
    weighted by the marginal likelihood of the **published** crossover data, which is
    ``p(y(rho) | rho) prod_i c_i(rho)`` with ``c_i = dSMD_i / dd_z = J sqrt(2(1 - rho))`` (J drops out) for each
    crossover on the SMD scale (the Jacobian of the rho-dependent standardisation), times the
    prior mass of the node. The result is a normal mixture over (rho, tau) nodes.

    Parameters
    ----------
    studies_for_rho : callable
        ``rho -> studies`` (e.g. ``lambda r: ldn_pain_studies(scale="smd", rho=r, ...)``).
    rho_prior : frozen scipy distribution on (0, 1)
        For example ``scipy.stats.beta(5, 5)`` (mean 0.5, 95% in 0.2 to 0.8).
    mu_prior : (mean, sd)
        Must be proper: the node weights use the marginal likelihood.
    tau_prior, mcid
        As in :func:`synthesize`.
    nodes : int
        Gauss-Legendre nodes over the rho prior's probability scale.

    Returns
    -------
    (SynthesisResult, DataFrame)
        The integrated result (its studies are those at the prior median of rho, for display) and
        a table of rho nodes with prior and posterior weights.
    """
    problems = normal_prior_problems(mu_prior, "mu_prior")
    if mu_prior is None:
        problems.append("integrating rho needs a proper mu_prior (mean, sd)")
    if isinstance(nodes, bool) or not isinstance(nodes, (int, np.integer)) or not 1 <= nodes <= MAX_RHO_NODES:
        # numpy's leggauss raised TypeError for 2.0 or nan
        problems.append(f"nodes must be a whole number from 1 to {MAX_RHO_NODES}, got {nodes!r}")
    if not callable(getattr(rho_prior, "ppf", None)):
        problems.append(f"rho_prior must be a frozen scipy distribution on (0, 1) such as scipy.stats.beta(5, 5), "
                        f"got {rho_prior!r:.80}")
    raise_if("rho prior", problems)
    x, w = np.polynomial.legendre.leggauss(nodes)
    u = (x + 1.0) / 2.0
    rhos = np.asarray(rho_prior.ppf(u), dtype=float)
    parts, logw = [], []
    for rho, wq in zip(rhos, w / 2.0, strict=True):
        st = list(studies_for_rho(float(rho)))
        res = synthesize(st, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
        # The published data fix d_z; SMD = J sqrt(2(1 - rho)) d_z, so p(d_z | rho) = p(SMD | rho) * c.
        jac = sum(0.5 * np.log(2.0 * (1.0 - s.rho)) for s in st if s.rho is not None)
        parts.append(res)
        logw.append(res.posterior.log_marginal + jac + np.log(wq))
    logw_arr = np.asarray(logw)
    wr = np.exp(logw_arr - logw_arr.max())
    wr /= wr.sum()

    def mix(get) -> NormalMixture:
        comps = [get(r.posterior) for r in parts]
        return NormalMixture(
            np.concatenate([wj * c.weights for wj, c in zip(wr, comps, strict=True)]),
            np.concatenate([c.means for c in comps]), np.concatenate([c.sds for c in comps]),
        )

    labels = parts[0].posterior.labels
    post = HierarchicalPosterior(
        labels=labels,
        tau_nodes=np.concatenate([r.posterior.tau_nodes for r in parts]),
        tau_weights=np.concatenate([wj * r.posterior.tau_weights for wj, r in zip(wr, parts, strict=True)]),
        mu=mix(lambda p: p.mu),
        theta={lab: mix(lambda p, lab=lab: p.theta[lab]) for lab in labels},
        predictive=mix(lambda p: p.predictive),
        log_marginal=float(np.log(np.sum(np.exp(logw_arr - logw_arr.max()))) + logw_arr.max()),
        # tau's CDF is the same mixture over rho of each node's continuous CDF.
        tau_cdf=lambda t: float(sum(wj * r.posterior.tau_cdf(t) for wj, r in zip(wr, parts, strict=True)
                                    if r.posterior.tau_cdf is not None)),
        quadrature_error=float(np.sum(wr * [r.posterior.quadrature_error for r in parts])),
    )
    mid = list(studies_for_rho(float(rho_prior.ppf(0.5))))
    rho_mean = float(np.sum(wr * rhos))
    table = pd.DataFrame({"rho": rhos, "prior_weight": w / 2.0, "posterior_weight": wr})
    result = SynthesisResult(
        tuple(mid), post, mu_prior, tau_prior, mcid,
        note=f"rho integrated over its prior (posterior mean {rho_mean:.3f}); studies shown at the prior median",
    )
    return result, table
