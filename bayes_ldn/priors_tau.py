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
``uniform(L, U)``     ``tau ~ U(L, U)`` (``uniform:0,U``): bounded, flat on tau; Gelman 2006's
                      choice for few studies, and Carlin 1992's for the beta-blocker trials
                      (doi:10.1214/06-BA117A).
``turner(setting)``   empirical, for **log odds ratios**: ``log(tau^2) ~ N(mu, sigma^2)``,
                      Turner et al. 2015, Stat Med 34:984, doi:10.1002/sim.6381, Table IV
                      (pharmacological vs placebo / control): ``general`` (any outcome,
                      -2.56, 1.74), ``pain`` (-1.83, 1.52), ``adverse_events`` (-1.87, 1.52),
                      ``withdrawals`` (-2.99, 1.74), ``subjective`` (-2.70, 1.52),
                      ``mortality`` (all-cause, -3.95, 1.34). The same numbers as bayesmeta's
                      ``TurnerEtAlPrior``.
``gamma_precision``   ``1/tau^2 ~ Gamma(A, B)`` (shape A, rate B; ``gamma_precision:A,B``), the
                      BUGS convention (``tau ~ dgamma(0.001, 0.001)`` on the precision in the
                      classic examples, Spiegelhalter et al. 2003, WinBUGS Examples Vol. 1,
                      "Blocker"), offered so published analyses can be reproduced; near-improper
                      for small A, B and known to be sensitive to them (Gelman 2006).
====================  ====================================================================

The log-t is used (not the log-normal alternative in the same paper) because it is the one
Rhodes et al. recommend and bayesmeta implements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import number_problems, optional_real_problems

__all__ = [
    "RHODES_GENERAL",
    "RHODES_PAIN_PHARMA_PLACEBO",
    "TURNER_SETTINGS",
    "TauPrior",
    "as_tau_prior",
    "fixed_tau",
    "gamma_precision_tau",
    "halfcauchy_tau",
    "halfnormal_tau",
    "parse_tau_prior",
    "rhodes_tau",
    "turner_tau",
    "uniform_tau",
]

#: Rhodes et al. 2015, Table 3: pain / QoL / functioning, pharmacological vs placebo, other areas.
RHODES_PAIN_PHARMA_PLACEBO = (-3.16, 2.50)
#: Rhodes et al. 2015: the general (marginal) setting, any outcome and comparison.
RHODES_GENERAL = (-3.44, 2.59)
_RHODES_DF = 5.0
#: Turner et al. 2015, Table IV, pharmacological vs placebo / control: (mean, SD) of log(tau^2).
TURNER_SETTINGS: dict[str, tuple[float, float]] = {
    "general": (-2.56, 1.74),
    "pain": (-1.83, 1.52),
    "adverse_events": (-1.87, 1.52),
    "withdrawals": (-2.99, 1.74),
    "subjective": (-2.70, 1.52),
    "mortality": (-3.95, 1.34),
}
#: Bounds of a prior on log(tau^2) (Rhodes, Turner): published settings have locations near -3 and
#: scales near 2; a location of 1000 left the quadrature no mass and a scale of 100 overflowed its
#: nodes (tau = exp(t / 2)). Within them tau's prior stays inside double precision.
LOG_TAU2_MAX_LOCATION = 100.0
LOG_TAU2_MAX_SCALE = 20.0
_LOG_TAU_CAP = float(np.log(1e100))
_FAMILIES = ("halfnormal", "halfcauchy", "rhodes_logt", "fixed", "uniform", "turner_lognormal", "gamma_precision")


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
        # Finite and within double precision's working range (uniform:0,1e308 overflowed tau^2).
        # Scales and the gamma's shape and rate at least MIN_SCALE (a shape of 5e-324 left the
        # quadrature no mass: "the density is zero everywhere").
        # A value that is not a number (a string, None, a list) is refused before any comparison
        # below (they raised TypeError); only Turner's "setting" is text.
        if not isinstance(self.params, dict):
            raise DataValidationError("heterogeneity prior", [
                f"params must be a dict of the family's parameters, got {self.params!r:.80}"])
        numeric = {f"tau prior {k}": v for k, v in self.params.items() if k != "setting"}
        problems = [f"{k} is missing: give a number" for k, v in numeric.items() if v is None]
        problems += optional_real_problems(numeric, scales=tuple(f"tau prior {k}" for k in ("scale", "shape", "rate", "df")))
        problems += [f"{k} must be a number, got {v!r}" for k, v in numeric.items() if isinstance(v, bool)]
        if problems:
            raise_if("heterogeneity prior", problems)
        if not isinstance(self.family, str) or self.family not in _FAMILIES:
            problems.append(f"unknown tau prior family {self.family!r}; use one of {', '.join(_FAMILIES)}")
        elif self.family == "fixed":
            if not self.params.get("value", -1) >= 0:
                problems.append(f"a fixed tau must be >= 0, got {self.params.get('value')}")
        elif self.family == "uniform":
            if not 0 <= self.params.get("lower", -1) < self.params.get("upper", -1):
                problems.append(f"a uniform tau prior needs 0 <= lower < upper, got {self.params}")
        elif self.family == "gamma_precision":
            if not (self.params.get("shape", 0) > 0 and self.params.get("rate", 0) > 0):
                problems.append(f"gamma_precision needs shape > 0 and rate > 0, got {self.params}")
        elif not self.params.get("scale", 0) > 0:
            problems.append(f"tau prior scale must be positive, got {self.params.get('scale')}")
        elif self.family == "rhodes_logt" and not self.params.get("df", 0) >= 1:
            # df 0.25 put the 95% quantile of tau beyond double precision (overflow in exp)
            problems.append(f"a log-t prior needs degrees of freedom df >= 1 (Rhodes et al. use 5), got "
                            f"{self.params.get('df')}")
        elif self.family in ("rhodes_logt", "turner_lognormal") and not (
                abs(self.params.get("location", 0)) <= LOG_TAU2_MAX_LOCATION and self.params["scale"] <= LOG_TAU2_MAX_SCALE):
            problems.append(f"a prior on log(tau^2) needs |location| <= {LOG_TAU2_MAX_LOCATION:g} and scale <= "
                            f"{LOG_TAU2_MAX_SCALE:g} (tau within e^+-50, published settings are near -3 and 2), "
                            f"got {self.params}")
        raise_if("heterogeneity prior", problems)

    @property
    def name(self) -> str:
        """Short label, e.g. ``halfnormal(0.5)``."""
        p = self.params
        if self.family == "rhodes_logt":
            return f"rhodes_logt({p['location']:g},{p['scale']:g},{p['df']:g})"
        if self.family == "fixed":
            return f"fixed({p['value']:g})"
        if self.family == "uniform":
            return f"uniform({p['lower']:g},{p['upper']:g})"
        if self.family == "turner_lognormal":
            return f"turner_lognormal({p['location']:g},{p['scale']:g})"
        if self.family == "gamma_precision":
            return f"gamma_precision({p['shape']:g},{p['rate']:g})"
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
            # Capped at 1e100 (e^230) like the gamma-precision prior: the quadrature's outermost nodes
            # reach far into the t tail, where exp overflowed.
            return np.exp(np.minimum(0.5 * self._t().ppf(u), _LOG_TAU_CAP))
        if self.family == "uniform":
            return p["lower"] + u * (p["upper"] - p["lower"])
        if self.family == "turner_lognormal":
            return np.exp(np.minimum(0.5 * stats.norm.ppf(u, p["location"], p["scale"]), _LOG_TAU_CAP))
        if self.family == "gamma_precision":
            # tau <= t  <=>  precision >= t^-2; clipped so a near-improper prior gives finite nodes.
            prec = stats.gamma.isf(u, p["shape"], scale=1.0 / p["rate"])
            with np.errstate(divide="ignore"):
                return np.clip(prec ** -0.5, 0.0, 1e100)
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
        if self.family == "uniform":
            return stats.uniform.cdf(tau, p["lower"], p["upper"] - p["lower"])
        if self.family == "turner_lognormal":
            safe = np.maximum(tau, 1e-300)
            return np.where(tau > 0, stats.norm.cdf(2.0 * np.log(safe), p["location"], p["scale"]), 0.0)
        if self.family == "gamma_precision":
            safe = np.maximum(tau, 1e-150)
            return np.where(tau > 0, stats.gamma.sf(safe**-2.0, p["shape"], scale=1.0 / p["rate"]), 0.0)
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
        if self.family == "uniform":
            return stats.uniform.logpdf(tau, p["lower"], p["upper"] - p["lower"])
        if self.family == "turner_lognormal":
            safe = np.maximum(tau, 1e-300)
            out = stats.norm.logpdf(2.0 * np.log(safe), p["location"], p["scale"]) + np.log(2.0) - np.log(safe)
            return np.where(tau > 0, out, -np.inf)
        if self.family == "gamma_precision":
            # precision = tau^-2, |d precision / d tau| = 2 tau^-3
            safe = np.maximum(tau, 1e-150)
            out = stats.gamma.logpdf(safe**-2.0, p["shape"], scale=1.0 / p["rate"]) + np.log(2.0) - 3.0 * np.log(safe)
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


def _floats(**values: object) -> list[float]:
    """The named parameters as floats; one error listing every one that is not a number (a
    string, None or a list reached ``float()`` and raised TypeError/ValueError before)."""
    missing = [f"tau prior {k} is missing: give a number" for k, v in values.items() if v is None]
    raise_if("heterogeneity prior", missing + number_problems({f"tau prior {k}": v for k, v in values.items()}))
    return [float(v) for v in values.values()]  # type: ignore[arg-type]


def halfnormal_tau(scale: float, *, rationale: str = "") -> TauPrior:
    """``tau ~ HalfNormal(scale)``."""
    (scale,) = _floats(scale=scale)
    return TauPrior(
        family="halfnormal", params={"scale": float(scale)},
        rationale=rationale or f"HalfNormal({scale:g}): weakly informative (Roever et al. 2021, doi:10.1002/jrsm.1475)",
    )


def halfcauchy_tau(scale: float, *, rationale: str = "") -> TauPrior:
    """``tau ~ HalfCauchy(scale)``."""
    (scale,) = _floats(scale=scale)
    return TauPrior(
        family="halfcauchy", params={"scale": float(scale)},
        rationale=rationale or f"HalfCauchy({scale:g}): heavy-tailed (Gelman 2006, doi:10.1214/06-BA117A)",
    )


def rhodes_tau(setting: tuple[float, float] = RHODES_PAIN_PHARMA_PLACEBO) -> TauPrior:
    """Empirical log-t prior on tau^2 for SMDs (Rhodes et al. 2015); see the module table."""
    try:
        loc, scale = setting
    except (TypeError, ValueError):
        raise DataValidationError("heterogeneity prior", [
            f"a Rhodes setting is (location, scale) of log(tau^2), got {setting!r}"]) from None
    loc, scale = _floats(location=loc, scale=scale)
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
    (value,) = _floats(value=value)
    return TauPrior(family="fixed", params={"value": float(value)}, rationale=f"tau fixed at {value:g}")


def uniform_tau(lower: float, upper: float) -> TauPrior:
    """``tau ~ U(lower, upper)``."""
    lower, upper = _floats(lower=lower, upper=upper)
    return TauPrior(family="uniform", params={"lower": float(lower), "upper": float(upper)},
                    rationale=f"U({lower:g}, {upper:g}) on tau: flat and bounded (Gelman 2006, doi:10.1214/06-BA117A)")


def turner_tau(setting: str = "general") -> TauPrior:
    """Empirical log-normal prior on tau^2 for log odds ratios (Turner et al. 2015); see the module table."""
    if not isinstance(setting, str) or setting not in TURNER_SETTINGS:
        raise DataValidationError("heterogeneity prior", [f"unknown Turner setting {setting!r}; use one of "
                                                          f"{', '.join(TURNER_SETTINGS)}"])
    loc, scale = TURNER_SETTINGS[setting]
    return TauPrior(family="turner_lognormal", params={"location": loc, "scale": scale, "setting": setting}, rationale=(
        f"log(tau^2) ~ N({loc:g}, {scale:g}^2), {setting}, pharmacological vs placebo: Turner et al. 2015 Table IV, "
        "doi:10.1002/sim.6381 (log odds ratios only)"))


def gamma_precision_tau(shape: float, rate: float) -> TauPrior:
    """``1/tau^2 ~ Gamma(shape, rate)``, the BUGS convention."""
    shape, rate = _floats(shape=shape, rate=rate)
    return TauPrior(family="gamma_precision", params={"shape": float(shape), "rate": float(rate)}, rationale=(
        f"1/tau^2 ~ Gamma({shape:g}, {rate:g}) as in the WinBUGS examples (Spiegelhalter et al. 2003, 'Blocker'); "
        "sensitive to its parameters (Gelman 2006)"))


def parse_tau_prior(text: str) -> TauPrior:
    """Parse ``halfnormal:S``, ``halfcauchy:S``, ``rhodes``, ``fixed:V``, ``uniform:L,U``,
    ``turner[:SETTING]`` or ``gamma_precision:A,B``."""
    if not isinstance(text, str):
        raise DataValidationError("heterogeneity prior", [
            f"a tau prior text must be a string such as 'halfnormal:0.5', got {type(text).__name__} {text!r}"])
    family, sep, arg = text.partition(":")
    if family == "rhodes" and not sep:
        return rhodes_tau()
    if family == "turner":
        return turner_tau(arg if sep else "general")
    if family in ("uniform", "gamma_precision"):
        try:
            a, b = (float(x) for x in arg.split(","))
        except ValueError:
            a = b = float("nan")
        if family == "uniform" and 0 <= a < b < float("inf"):
            return uniform_tau(a, b)
        if family == "gamma_precision" and a > 0 and b > 0:
            return gamma_precision_tau(a, b)
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
         "rhodes, fixed:VALUE, uniform:L,U (0 <= L < U), turner[:SETTING] or gamma_precision:A,B (A, B > 0)"],
    )


def as_tau_prior(tau_prior: TauPrior | tuple[str, float] | float | str) -> TauPrior:
    """The :class:`TauPrior` for a prior given in any of the accepted short forms.

    ``("halfnormal", s)`` and ``("halfcauchy", s)`` (the builders' former tuples), a float (a
    fixed tau) and the command-line text (``"halfnormal:0.5"``, :func:`parse_tau_prior`) all
    become the one type; a :class:`TauPrior` is returned as it is.
    """
    if isinstance(tau_prior, TauPrior):
        return tau_prior
    if isinstance(tau_prior, str):
        return parse_tau_prior(tau_prior)
    if isinstance(tau_prior, tuple) and len(tau_prior) == 2 and tau_prior[0] in ("halfnormal", "halfcauchy"):
        make = halfnormal_tau if tau_prior[0] == "halfnormal" else halfcauchy_tau
        return make(tau_prior[1])  # validates the scale (a string raised ValueError in float())
    if isinstance(tau_prior, (int, float)) and not isinstance(tau_prior, bool):
        return fixed_tau(float(tau_prior))
    raise DataValidationError("heterogeneity prior", [
        f"cannot read tau prior {tau_prior!r}; give a TauPrior (bayes_ldn.priors_tau), ('halfnormal', scale), "
        "('halfcauchy', scale), a fixed value or 'halfnormal:SCALE'"])
