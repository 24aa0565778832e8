"""One-dimensional exact posteriors on plain NumPy/SciPy, sharing one small interface.

``mean``, ``sd``, ``cdf``, ``ppf``, ``median``, ``interval``, ``prob_above``, ``prob_below`` and
``prob_between``, so the decision table treats them alike:

* :class:`NormalPosterior` -- a normal distribution (the conjugate normal-normal answer,
  :func:`bayes_ldn.stats.conjugate_normal`).
* :class:`QuadraturePosterior` -- normal likelihood times any prior density, by composite
  Gauss-Legendre quadrature and root finding (``brentq``).
* :class:`NormalMixture` -- a finite mixture of normals; the exact marginal posteriors of the
  normal-normal hierarchical model are mixtures over the heterogeneity SD ``tau``, and so is the
  posterior under a mixture-of-normals prior.

Split from :mod:`bayes_ldn.stats` (which re-exports these names) to keep each module one design.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from bayes_ldn import defaults
from bayes_ldn.exceptions import raise_if

__all__ = ["NormalMixture", "NormalPosterior", "QuadraturePosterior"]


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
            windows = [np.linspace(lo, hi, self.panels + 1)]
            for m, sc in zip(self.prior_points, self.prior_scales, strict=True):
                if m - 40.0 * sc < hi and m + 40.0 * sc > lo:
                    windows.append(np.linspace(max(lo, m - 40.0 * sc), min(hi, m + 40.0 * sc), self.panels + 1))
                    # A heavy-tailed prior (Student-t) far narrower than the SE keeps mass in its tails
                    # beyond 40 scales (t with 3 df: 1.7e-5, 5% of its variance); panels growing
                    # geometrically from there to the window's ends resolve that algebraic tail.
                    reach = 40.0 * sc * 2.0 ** np.arange(1, int(np.ceil(np.log2(max((hi - lo) / (40.0 * sc), 2.0)))) + 1)
                    windows.append(np.clip(np.concatenate([m - reach, m + reach]), lo, hi))
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
