r"""Nuisance priors of every patient-level builder (one type, :class:`NuisancePriors`), and the unit-free default.

The parallel-group builder reads the same type: ``change_reference ~ N(intercept_mu,
intercept_sigma)``, ``baseline_slope ~ N(slope_mu, slope_sigma)``, ``covariate_effect ~ N(0,
covariate_sigma)``, ``residual_sd ~ HalfNormal(sd_sigma)``, where ``None`` means the reference
prior (flat, or p(sigma) ~ 1/sigma for ``sd_sigma``); see :func:`bayes_ldn.designs.parallel.reference_nuisance`.
The crossover family's mixed model needs proper priors (numbers) for all of them.

A reanalysis must not change with the outcome's units or zero point (kPa or N/cm², a score or
its percentage). Fixed numbers on the outcome scale cannot promise that: an intercept prior
N(0, 100) is vague for a 0-100 score, but three prior SDs from a lung-function outcome around
300 L/min, and it leaks into the treatment effect through the between-subject stratum (each
subject's total carries the intercept).

The default, ``"unit_free"``, is therefore built from the outcome's own location and scale, as
rstanarm's ``autoscale`` does (Gabry & Goodrich, *Prior distributions for rstanarm models*,
https://mc-stan.org/rstanarm/articles/priors.html) and brms's data-based defaults do (intercept
``student_t(3, median(y), mad(y))``): with :math:`m` the mean and :math:`s` the SD (ddof 1) of
the observed outcome, and :math:`s_b` the SD of the baseline,

.. math::

    \alpha \sim N(m, (10 s)^2), \quad \pi_p, \gamma_s \sim N(0, (10 s)^2), \quad
    \sigma_u, \sigma \sim \text{HalfNormal}(2.5 s), \quad \beta \sim N(0, (10 s / s_b)^2),
    \quad \nu \sim \text{Gamma}(2, 0.1).

Under :math:`y \to a + k y` (and :math:`b \to a + k b`), :math:`m \to a + k m` and
:math:`s \to k s`, so every prior moves with the data and the posterior of the treatment effect
(under a flat or a unit-carrying effect prior) moves exactly as the units do: shifted
effects stay, scaled effects scale by :math:`k`. The priors are weak (ten outcome SDs for
locations, 2.5 for SDs), so they act as a proper stand-in for the flat reference analysis that
the frequentist standard (REML, Hills-Armitage) corresponds to. What the data contributed
(:math:`m`, :math:`s`, :math:`s_b`) is recorded in the model's ``choices["data_scale"]`` and the
resolved numbers in ``priors["nuisance"]``.

Why data-scaled proper priors rather than flat reference priors on the locations, as
:func:`bayes_ldn.designs.parallel.reference_nuisance` uses? The subject SD of a mixed model
needs a proper prior with a scale (a :math:`1/\sigma_u` prior gives an improper posterior), so a
scale must come from the data anyway; proper priors also keep prior predictive checks possible.
A data-dependent prior cannot be checked by simulation-based calibration (it moves with each
simulated data set), so the SBC structures use fixed presets (``scale_0_10``).

User-given priors (:class:`NuisancePriors`, or the fixed presets ``wide``, ``scale_0_10``,
``scale_0_100``) stay on the outcome scale; one that is far out of line with the data (intercept
prior mean more than 3 prior SDs from the outcome's mean, or SD priors whose 99.7% quantile lies
below the outcome's SD) raises :class:`~bayes_ldn.exceptions.PriorDataConflictWarning` instead of
biasing the answer silently.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from bayes_ldn.exceptions import PriorDataConflictWarning, raise_if

__all__ = [
    "NUISANCE_PRESETS",
    "UNIT_FREE",
    "NuisancePriors",
    "ResolvedNuisance",
    "nuisance_priors",
    "resolve_nuisance",
]

#: Name of the default, data-scaled (unit-free) nuisance priors.
UNIT_FREE = "unit_free"
#: Multipliers of the outcome SD in the unit-free default (see the module docstring).
UNIT_FREE_LOCATION_SDS = 10.0
UNIT_FREE_SD_SCALE = 2.5


@dataclass(frozen=True, kw_only=True)
class NuisancePriors:
    """Priors of the nuisance parameters, as numbers on the outcome scale (one type for every design).

    ``intercept ~ Normal(intercept_mu, intercept_sigma)`` (the parallel model's reference-arm
    mean change); ``period_effect``, ``sequence_effect ~ Normal(0, effect_sigma)``;
    ``subject_sd``, ``residual_sd ~ HalfNormal(sd_sigma)``; ``baseline_slope ~
    Normal(slope_mu, slope_sigma)``; ``covariate_effect ~ Normal(0, covariate_sigma)``;
    ``residual_df ~ Gamma(2, 0.1)`` (Juarez & Steel 2010, doi:10.1198/jbes.2009.07145). A scale
    of ``None`` is the reference prior (flat; ``1/sigma`` for ``sd_sigma``), which only the
    parallel-group builder accepts.
    """

    name: str
    intercept_mu: float
    intercept_sigma: float | None
    effect_sigma: float | None
    sd_sigma: float | None
    slope_sigma: float | None = 2.0
    slope_mu: float = 0.0
    covariate_sigma: float | None = None
    df_alpha: float = 2.0
    df_beta: float = 0.1
    rationale: str = ""

    _SCALES = ("intercept_sigma", "effect_sigma", "sd_sigma", "slope_sigma", "covariate_sigma")

    def __post_init__(self) -> None:
        bad = [k for k in (*self._SCALES, "df_alpha", "df_beta")
               if getattr(self, k) is not None and not (np.isfinite(getattr(self, k)) and getattr(self, k) > 0)]
        problems = [f"{k} must be positive and finite, got {getattr(self, k)}" for k in bad]
        for k in ("intercept_mu", "slope_mu"):
            if not np.isfinite(getattr(self, k)):
                problems.append(f"{k} must be finite, got {getattr(self, k)}")
        raise_if("nuisance priors", problems)

    def reference_parts(self) -> list[str]:
        """The scales left at the reference (improper) prior."""
        return [k for k in ("intercept_sigma", "effect_sigma", "sd_sigma", "slope_sigma") if getattr(self, k) is None]

    def describe(self) -> dict:
        """JSON-able description, ``None`` shown as the reference prior."""
        return {k: ("flat (reference)" if v is None else v) for k, v in asdict(self).items()}

    @classmethod
    def for_range(cls, low: float, high: float) -> NuisancePriors:
        """Weakly informative priors for an instrument scored on ``[low, high]``.

        With width ``W = high - low``: ``intercept ~ N((low + high) / 2, W / 2)``, period and
        sequence effects ``~ N(0, W / 4)``, SDs ``~ HalfNormal(W / 4)``. The range is a property
        of the instrument, not of the data.
        """
        raise_if("nuisance priors", [] if high > low else [f"need low < high, got {low}, {high}"])
        w = float(high - low)
        return cls(name=f"range({low:g},{high:g})", intercept_mu=(low + high) / 2, intercept_sigma=w / 2,
                   effect_sigma=w / 4, sd_sigma=w / 4,
                   rationale=f"weakly informative for an instrument scored {low:g}-{high:g}")

    @classmethod
    def unit_free(cls, location: float, scale: float, baseline_scale: float | None = None) -> NuisancePriors:
        """The unit-free default for an outcome of mean ``location`` and SD ``scale``."""
        slope = UNIT_FREE_LOCATION_SDS * (1.0 if not baseline_scale else scale / baseline_scale)
        return cls(name=UNIT_FREE, intercept_mu=float(location), intercept_sigma=UNIT_FREE_LOCATION_SDS * scale,
                   effect_sigma=UNIT_FREE_LOCATION_SDS * scale, sd_sigma=UNIT_FREE_SD_SCALE * scale,
                   slope_sigma=float(slope),
                   rationale="unit-free: scaled by the outcome's mean and SD (as rstanarm's autoscale), "
                             "so the answer does not change with the outcome's units or zero point")


#: Fixed nuisance presets (numbers on the outcome scale). ``"unit_free"`` is resolved from the data.
NUISANCE_PRESETS: dict[str, NuisancePriors] = {
    "wide": NuisancePriors(
        name="wide", intercept_mu=0.0, intercept_sigma=100.0, effect_sigma=50.0, sd_sigma=50.0,
        rationale="vague for outcomes whose plausible values lie within about +-100 (NRS, FIQR, VAS)",
    ),
    "scale_0_10": NuisancePriors.for_range(0.0, 10.0),
    "scale_0_100": NuisancePriors.for_range(0.0, 100.0),
}
#: Every name a builder's ``nuisance=`` accepts.
NUISANCE_NAMES = (UNIT_FREE, *NUISANCE_PRESETS)


def nuisance_priors(spec: NuisancePriors | str) -> NuisancePriors:
    """A fixed :class:`NuisancePriors` from itself or a preset name (``wide``, ``scale_0_10``, ``scale_0_100``)."""
    if isinstance(spec, NuisancePriors):
        return spec
    raise_if("nuisance priors", [] if spec in NUISANCE_PRESETS else
             [f"unknown nuisance preset {spec!r}; use one of {', '.join(NUISANCE_NAMES)} or NuisancePriors(...)"])
    return NUISANCE_PRESETS[spec]


@dataclass(frozen=True)
class ResolvedNuisance:
    """Nuisance priors as numbers, plus what the data contributed (``None`` for fixed priors)."""

    priors: NuisancePriors
    data_scale: dict[str, Any] | None

    def record(self) -> dict[str, Any]:
        """JSON-able record for ``TrialModel.priors["nuisance"]``."""
        return {**asdict(self.priors), "data_scale": self.data_scale}


def _spread(values: np.ndarray, what: str) -> tuple[float, float, list[str]]:
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return np.nan, np.nan, [f"the unit-free nuisance priors need at least 2 {what} values, got {values.size}"]
    with np.errstate(over="ignore", invalid="ignore"):
        # Scaled first so that outcomes near 1e308 do not overflow the variance.
        big = float(np.max(np.abs(values))) or 1.0
        loc = float(np.mean(values / big)) * big
        sd = float(np.std(values / big, ddof=1)) * big
    if not (np.isfinite(loc) and np.isfinite(sd)):
        return loc, sd, [f"the {what}'s mean or SD is not a finite number (values up to {big:.3g}): "
                         "rescale the outcome (e.g. to other units)"]
    if not sd > 0:
        return loc, sd, [f"the {what} is constant ({loc:g}); the unit-free nuisance priors scale with its SD: "
                         "check the column, or give nuisance=NuisancePriors(...) on the outcome scale"]
    return loc, sd, []


def resolve_nuisance(spec: NuisancePriors | str, outcome: np.ndarray, baseline: np.ndarray | None = None,
                     *, what: str = "outcome") -> ResolvedNuisance:
    """Turn ``spec`` into numbers for this data set.

    ``"unit_free"`` is built from the outcome's mean and SD (and the baseline's SD); a fixed
    preset or a :class:`NuisancePriors` is returned as is, with a
    :class:`~bayes_ldn.exceptions.PriorDataConflictWarning` when it is far out of line with the
    data (see the module docstring).
    """
    if isinstance(spec, str) and spec == UNIT_FREE:
        loc, sd, problems = _spread(outcome, what)
        b_sd = None
        if baseline is not None:
            _, b_sd, b_problems = _spread(baseline, "baseline")
            problems += b_problems
        raise_if("unit-free nuisance priors", problems)
        scale: dict[str, Any] = {
            "location": loc, "scale": sd,
            "source": f"mean and SD (ddof=1) of the observed {what} ({np.asarray(outcome).size} values)",
        }
        if b_sd is not None:
            scale["baseline_scale"] = b_sd
        return ResolvedNuisance(NuisancePriors.unit_free(loc, sd, b_sd), scale)
    nui = nuisance_priors(spec)
    raise_if("nuisance priors", [] if not nui.reference_parts() else [
        f"the crossover family's mixed model needs proper nuisance priors; {', '.join(nui.reference_parts())} "
        f"of {nui.name!r} are None (reference): give numbers, or use nuisance='unit_free'"])
    _warn_if_out_of_line(nui, np.asarray(outcome, dtype=float), what)
    return ResolvedNuisance(nui, None)


def _warn_if_out_of_line(nui: NuisancePriors, y: np.ndarray, what: str) -> None:
    if y.size < 2 or not np.all(np.isfinite(y)):
        return
    mean, sd = float(y.mean()), float(y.std(ddof=1))
    found = []
    off = abs(nui.intercept_mu - mean) / nui.intercept_sigma
    if off > 3:
        found.append(f"the intercept prior N({nui.intercept_mu:g}, {nui.intercept_sigma:g}) lies {off:.1f} prior "
                     f"SDs from the {what}'s mean {mean:.4g}")
    if sd > 3 * nui.sd_sigma:
        found.append(f"the SD priors HalfNormal({nui.sd_sigma:g}) put 99.7% of their mass below "
                     f"{3 * nui.sd_sigma:.3g}, under the {what}'s SD {sd:.4g}")
    if found:
        warnings.warn(f"nuisance priors {nui.name!r} are out of line with the data: {'; '.join(found)}. "
                      "They bias the treatment effect; use nuisance='unit_free' (the default) or priors on "
                      "this outcome's scale.", PriorDataConflictWarning, stacklevel=3)
