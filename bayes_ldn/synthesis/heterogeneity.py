r"""Named priors for the between-trial SD ``tau``, usable by the quadrature and by PyMC.

====================  ====================================================================
prior                 statement
====================  ====================================================================
``halfnormal(s)``     ``tau ~ HalfNormal(s)``; on the SMD scale ``s = 0.5`` puts 95% of
                      the mass below 0.98 (weakly informative, Roever et al. 2021,
                      doi:10.1002/jrsm.1475).
``halfcauchy(s)``     ``tau ~ HalfCauchy(s)``; heavy tail (Gelman 2006,
                      doi:10.1214/06-BA117A).
``rhodes``            empirical: ``log(tau^2) ~ Student-t_5(location, scale)`` (a log-t
                      predictive distribution for tau^2 of SMDs), Rhodes et al. 2015,
                      J Clin Epidemiol 68:52, doi:10.1016/j.jclinepi.2014.08.012, Table 3.
                      Default setting for LDN pain: outcome "general physical health,
                      adverse event, pain and quality of life / functioning",
                      pharmacological vs placebo / control, other medical areas:
                      location -3.16, scale 2.50 (prior median tau = 0.21).
                      The same numbers as bayesmeta's ``RhodesEtAlPrior``.
``fixed(t)``          ``tau = t`` exactly (``t = 0`` is the common-effect model).
====================  ====================================================================

The log-t is used (not the log-normal alternative in the same paper) because it is the one
Rhodes et al. recommend and bayesmeta implements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from bayes_ldn.exceptions import DataValidationError, raise_if

__all__ = [
    "RHODES_GENERAL",
    "RHODES_PAIN_PHARMA_PLACEBO",
    "TauPrior",
    "fixed_tau",
    "halfcauchy_tau",
    "halfnormal_tau",
    "parse_tau_prior",
    "rhodes_tau",
]

#: Rhodes et al. 2015, Table 3: pain / QoL / functioning, pharmacological vs placebo, other areas.
RHODES_PAIN_PHARMA_PLACEBO = (-3.16, 2.50)
#: Rhodes et al. 2015: the general (marginal) setting, any outcome and comparison.
RHODES_GENERAL = (-3.44, 2.59)
_RHODES_DF = 5.0
_FAMILIES = ("halfnormal", "halfcauchy", "rhodes_logt", "fixed")


@dataclass(frozen=True, kw_only=True)
class TauPrior:
    """A prior on the between-trial SD, with a statement of what it is and why.

    Provides ``ppf`` (all the quadrature needs), ``cdf``, ``logpdf`` and ``rvs``.

    Attributes
    ----------
    family : {"halfnormal", "halfcauchy", "rhodes_logt", "fixed"}
    params : dict
        ``scale`` (half-normal, half-Cauchy); ``location``, ``scale``, ``df`` on log(tau^2)
        (Rhodes); ``value`` (fixed).
    rationale : str
        One line with a reference.
    """

    family: str
    params: dict
    rationale: str

    def __post_init__(self) -> None:
        problems = []
        if self.family not in _FAMILIES:
            problems.append(f"unknown tau prior family {self.family!r}; use one of {', '.join(_FAMILIES)}")
        elif self.family == "fixed":
            if not self.params.get("value", -1) >= 0:
                problems.append(f"a fixed tau must be >= 0, got {self.params.get('value')}")
        elif not self.params.get("scale", 0) > 0:
            problems.append(f"tau prior scale must be positive, got {self.params.get('scale')}")
        raise_if("heterogeneity prior", problems)

    @property
    def name(self) -> str:
        """Short label, e.g. ``halfnormal(0.5)``."""
        p = self.params
        if self.family == "rhodes_logt":
            return f"rhodes_logt({p['location']:g},{p['scale']:g},{p['df']:g})"
        if self.family == "fixed":
            return f"fixed({p['value']:g})"
        return f"{self.family}({p['scale']:g})"

    @property
    def is_fixed(self) -> bool:
        """True when tau is a fixed value rather than a distribution."""
        return self.family == "fixed"

    def _t(self):
        p = self.params
        return stats.t(p["df"], loc=p["location"], scale=p["scale"])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function of tau."""
        u = np.asarray(u, dtype=float)
        p = self.params
        if self.family == "halfnormal":
            return stats.halfnorm.ppf(u, scale=p["scale"])
        if self.family == "halfcauchy":
            return stats.halfcauchy.ppf(u, scale=p["scale"])
        if self.family == "rhodes_logt":
            return np.exp(0.5 * self._t().ppf(u))
        return np.full_like(u, p["value"])

    def cdf(self, tau: np.ndarray) -> np.ndarray:
        """Cumulative distribution function of tau."""
        tau = np.asarray(tau, dtype=float)
        p = self.params
        if self.family == "halfnormal":
            return stats.halfnorm.cdf(tau, scale=p["scale"])
        if self.family == "halfcauchy":
            return stats.halfcauchy.cdf(tau, scale=p["scale"])
        if self.family == "rhodes_logt":
            with np.errstate(divide="ignore"):
                return np.where(tau > 0, self._t().cdf(2.0 * np.log(np.maximum(tau, 1e-300))), 0.0)
        return (tau >= p["value"]).astype(float)

    def logpdf(self, tau: np.ndarray) -> np.ndarray:
        """Log density of tau (change of variables from log(tau^2) for the Rhodes prior)."""
        tau = np.asarray(tau, dtype=float)
        p = self.params
        if self.family == "halfnormal":
            return stats.halfnorm.logpdf(tau, scale=p["scale"])
        if self.family == "halfcauchy":
            return stats.halfcauchy.logpdf(tau, scale=p["scale"])
        if self.family == "rhodes_logt":
            safe = np.maximum(tau, 1e-300)
            out = self._t().logpdf(2.0 * np.log(safe)) + np.log(2.0) - np.log(safe)
            return np.where(tau > 0, out, -np.inf)
        raise DataValidationError("heterogeneity prior", ["a fixed tau has no density"])

    def rvs(self, size: int, random_seed: int | np.random.Generator) -> np.ndarray:
        """Draws of tau (inverse-CDF sampling)."""
        rng = np.random.default_rng(random_seed)
        return self.ppf(rng.uniform(size=size))

    def for_quadrature(self) -> TauPrior | float:
        """What :func:`bayes_ldn.stats.normal_hierarchical` takes: this prior, or a float if fixed."""
        return float(self.params["value"]) if self.is_fixed else self

    def to_dict(self) -> dict:
        """JSON-serialisable description."""
        return {"family": self.family, "params": dict(self.params), "rationale": self.rationale}


def halfnormal_tau(scale: float, *, rationale: str = "") -> TauPrior:
    """``tau ~ HalfNormal(scale)``."""
    return TauPrior(
        family="halfnormal", params={"scale": float(scale)},
        rationale=rationale or f"HalfNormal({scale:g}): weakly informative (Roever et al. 2021, doi:10.1002/jrsm.1475)",
    )


def halfcauchy_tau(scale: float, *, rationale: str = "") -> TauPrior:
    """``tau ~ HalfCauchy(scale)``."""
    return TauPrior(
        family="halfcauchy", params={"scale": float(scale)},
        rationale=rationale or f"HalfCauchy({scale:g}): heavy-tailed (Gelman 2006, doi:10.1214/06-BA117A)",
    )


def rhodes_tau(setting: tuple[float, float] = RHODES_PAIN_PHARMA_PLACEBO) -> TauPrior:
    """Empirical log-t prior on tau^2 for SMDs (Rhodes et al. 2015); see the module table."""
    loc, scale = setting
    which = "pain/QoL, pharmacological vs placebo" if setting == RHODES_PAIN_PHARMA_PLACEBO else "given setting"
    return TauPrior(
        family="rhodes_logt", params={"location": float(loc), "scale": float(scale), "df": _RHODES_DF},
        rationale=(
            f"log(tau^2) ~ t_5({loc:g}, {scale:g}), {which}: Rhodes et al. 2015 Table 3, "
            "doi:10.1016/j.jclinepi.2014.08.012 (SMD scale only)"
        ),
    )


def fixed_tau(value: float) -> TauPrior:
    """``tau`` fixed at ``value`` (0: common-effect model)."""
    return TauPrior(family="fixed", params={"value": float(value)}, rationale=f"tau fixed at {value:g}")


def parse_tau_prior(text: str) -> TauPrior:
    """Parse ``halfnormal:SCALE``, ``halfcauchy:SCALE``, ``rhodes`` or ``fixed:VALUE``."""
    family, sep, arg = text.partition(":")
    if family == "rhodes" and not sep:
        return rhodes_tau()
    try:
        value = float(arg) if sep else None
    except ValueError:
        value = None
    if value is not None and family == "halfnormal" and value > 0:
        return halfnormal_tau(value)
    if value is not None and family == "halfcauchy" and value > 0:
        return halfcauchy_tau(value)
    if value is not None and family == "fixed" and value >= 0:
        return fixed_tau(value)
    raise DataValidationError(
        "heterogeneity prior",
        [f"cannot read tau prior {text!r}; write halfnormal:SCALE, halfcauchy:SCALE (SCALE > 0), "
         "rhodes, or fixed:VALUE"],
    )
