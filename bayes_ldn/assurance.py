r"""Assurance (Bayesian probability of success) of the next trial, and the size that reaches a target.

The next trial's estimate is normal given the true effect ``delta``:
``delta_hat | delta ~ N(delta, se(n)^2)`` with

* parallel, ``n`` participants randomised 1:1: ``se = sigma sqrt(4 / n)``;
* AB/BA crossover, ``n`` participants (pairs): ``se = sigma sqrt(2 (1 - rho) / n)``,

where ``sigma`` is the between-patient SD of the outcome (1 on the SMD scale) and ``rho`` the
within-patient correlation. The design prior ``delta ~ sum_j w_j N(m_j, v_j)`` (a normal or a
normal mixture, e.g. the synthesis predictive) gives ``delta_hat ~ sum_j w_j N(m_j, v_j + se^2)``.

Both success criteria are "``delta_hat`` above a critical value ``c(n)``":

* ``z_test``: one-sided z test at level ``alpha``: ``c = z_{1-alpha} se``;
* ``posterior``: ``P(delta > margin | delta_hat) > threshold`` under an analysis prior
  ``N(a, s_0^2)`` (or flat): with ``P = 1/s_0^2 + 1/se^2``,
  ``c = se^2 (z_threshold sqrt(P) + margin P - a / s_0^2)`` (flat: ``margin + z se``),

so assurance is ``sum_j w_j Phi((m_j - c) / sqrt(v_j + se^2))`` in closed form (O'Hagan,
Stevens & Campbell 2005, doi:10.1002/pst.175). :func:`assurance_simulated` draws ``delta`` from
any design prior (including MCMC draws), then ``delta_hat``, and applies the criterion.
As ``n`` grows the assurance tends to ``P(delta > margin)`` under the design prior, so a target
above that is unreachable; :func:`sample_size` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.exact import exact_posterior
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.priors import EffectPrior
from bayes_ldn.stats import NormalMixture, NormalPosterior
from bayes_ldn.validation import MAX_ABS, integer_problems, real_problems

#: Largest ``n_max`` of :func:`sample_size` (every size up to it is evaluated at once).
MAX_SEARCH = 1_000_000
#: Largest number of simulated trials of :func:`assurance_simulated` (memory: a few arrays of this size).
MAX_DRAWS = 100_000_000

__all__ = [
    "AssuranceResult",
    "Success",
    "TrialDesign",
    "as_mixture",
    "assurance",
    "assurance_curve_data",
    "assurance_simulated",
    "cpm_design_prior",
    "sample_size",
]


@dataclass(frozen=True, kw_only=True)
class TrialDesign:
    """The next trial: design, outcome SD and (crossover) within-patient correlation.

    Attributes
    ----------
    design : {"parallel", "crossover"}
    outcome_sd : float
        Between-patient SD ``sigma`` (1.0 on the SMD scale).
    rho : float or None
        Within-patient correlation in ``[0, 1)``; required for a crossover, ``None`` otherwise.
    """

    design: str
    outcome_sd: float
    rho: float | None

    def __post_init__(self) -> None:
        problems = []
        if self.design not in ("parallel", "crossover"):
            problems.append(f"design must be 'parallel' or 'crossover', got {self.design!r}")
        sd_problems = real_problems({"outcome_sd": self.outcome_sd}, scales=("outcome_sd",))
        if not sd_problems and not self.outcome_sd > 0:
            sd_problems.append(f"outcome_sd must be positive, got {self.outcome_sd}")
        problems += sd_problems
        if self.design == "crossover":
            rho_problems = real_problems({"rho": self.rho})
            if rho_problems or not 0 <= self.rho < 1:  # type: ignore[operator]
                problems.append(f"a crossover needs rho in [0, 1), got {self.rho!r}")
        if self.design == "parallel" and self.rho is not None:
            problems.append("rho applies to a crossover only; pass rho=None for a parallel trial")
        raise_if("trial design", problems)

    def se(self, n: np.ndarray | int) -> np.ndarray:
        """Standard error of the treatment effect with ``n`` participants."""
        n = np.asarray(n, dtype=float)
        if self.design == "parallel":
            return self.outcome_sd * np.sqrt(4.0 / n)
        return self.outcome_sd * np.sqrt(2.0 * (1.0 - float(self.rho)) / n)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        """Short description, e.g. ``crossover (rho = 0.5)``."""
        return self.design if self.design == "parallel" else f"crossover (rho = {self.rho:g})"


@dataclass(frozen=True, kw_only=True)
class Success:
    """What counts as a successful next trial.

    Attributes
    ----------
    kind : {"z_test", "posterior"}
    alpha : float or None
        One-sided level of the z test (``z_test``).
    threshold : float or None
        Posterior probability to exceed (``posterior``), e.g. 0.975.
    margin : float
        Effect the posterior must exceed (0 = any benefit).
    analysis_prior : (mean, sd) or None
        Normal analysis prior of the next trial (``posterior``); ``None`` = flat.
    """

    kind: str
    alpha: float | None = None
    threshold: float | None = None
    margin: float = 0.0
    analysis_prior: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in ("z_test", "posterior"):
            problems.append(f"kind must be 'z_test' or 'posterior', got {self.kind!r}")
        if self.kind == "z_test" and (real_problems({"alpha": self.alpha})
                                      or not 0 < self.alpha < 0.5):  # type: ignore[operator]
            problems.append(f"a z test needs a one-sided alpha in (0, 0.5), got {self.alpha!r}")
        if self.kind == "posterior" and (real_problems({"threshold": self.threshold})
                                         or not 0.5 <= self.threshold < 1):  # type: ignore[operator]
            problems.append(f"a posterior criterion needs threshold in [0.5, 1), got {self.threshold!r}")
        problems += real_problems({"margin": self.margin})
        prior = self.analysis_prior
        if prior is not None:
            if not (isinstance(prior, tuple) and len(prior) == 2):
                problems.append(f"analysis_prior must be a (mean, sd) pair or None (flat), got {prior!r}")
            else:
                pair = real_problems({"analysis prior mean": prior[0], "analysis prior sd": prior[1]},
                                     scales=("analysis prior sd",))
                problems += pair or ([] if prior[1] > 0 else [f"analysis prior sd must be positive, got {prior[1]}"])
        raise_if("success criterion", problems)

    @property
    def limit_margin(self) -> float:
        """Assurance tends to P(delta > limit_margin) under the design prior as n grows."""
        return self.margin if self.kind == "posterior" else 0.0

    def critical_value(self, se: np.ndarray) -> np.ndarray:
        """``c(n)``: success iff the next trial's estimate exceeds it."""
        se = np.asarray(se, dtype=float)
        if self.kind == "z_test":
            return float(stats.norm.isf(self.alpha)) * se
        z = float(stats.norm.ppf(self.threshold))
        if self.analysis_prior is None:
            return self.margin + z * se
        a, s0 = self.analysis_prior
        # c = se^2 (z sqrt(P) + margin P - a / s0^2) rewritten with keep = s0^2 / (se^2 + s0^2), the
        # weight of the trial's estimate in the posterior mean, and the posterior SD se s0 / hypot(se, s0):
        # c = (margin + z sd_post - (1 - keep) a) / keep. No term overflows for any se and s0 in
        # [MIN_SCALE, MAX_ABS] (1 / s0^2 did, at s0 = 1e-200).
        h = np.hypot(se, s0)
        keep = (s0 / h) ** 2
        num = self.margin + z * se * (s0 / h) - (1.0 - keep) * a
        # keep underflows to 0 (or c overflows) when the prior is so much more precise than the trial
        # that the estimate cannot move the posterior: success then never (num > 0) or always happens.
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            c = num / keep
        return np.where(np.isfinite(c), c, np.where(num > 0, np.inf, -np.inf))

    def describe(self) -> str:
        """One line for tables and plots."""
        if self.kind == "z_test":
            return f"one-sided z test at alpha = {self.alpha:g}"
        pri = "flat" if self.analysis_prior is None else f"N({self.analysis_prior[0]:g}, {self.analysis_prior[1]:g}^2)"
        return f"P(effect > {self.margin:g}) > {self.threshold:g} under a {pri} analysis prior"


def as_mixture(design_prior) -> NormalMixture:
    """A :class:`NormalPosterior`, a ``(mean, sd)`` pair or a :class:`NormalMixture` as a mixture."""
    if isinstance(design_prior, NormalMixture):
        parts = (design_prior.weights, design_prior.means, design_prior.sds)
        ok = all(np.all(np.isfinite(a)) and np.all(np.abs(a) <= MAX_ABS) for a in parts)
        raise_if("design prior", [] if ok and np.all(design_prior.sds > 0) and np.all(design_prior.weights >= 0)
                 and abs(design_prior.weights.sum() - 1) < 1e-6 else
                 ["a mixture design prior needs finite means, positive SDs and non-negative weights summing to 1"])
        return design_prior
    if isinstance(design_prior, NormalPosterior):
        m, s = design_prior.mean, design_prior.sd
    elif isinstance(design_prior, tuple) and len(design_prior) == 2:
        m, s = design_prior
    else:
        raise DataValidationError(
            "design prior",
            [f"no closed form for a design prior of type {type(design_prior).__name__}; give a normal, "
             "a NormalMixture, or use assurance_simulated with draws"],
        )
    problems = real_problems({"design prior mean": m, "design prior sd": s}, scales=("design prior sd",))
    if not problems and not s > 0:
        problems.append(f"design prior sd must be positive, got {s}")
    raise_if("design prior", problems)
    return NormalMixture(np.array([1.0]), np.array([float(m)]), np.array([float(s)]))


def assurance(design_prior, design: TrialDesign, n: np.ndarray | int, success: Success) -> np.ndarray:
    """Closed-form assurance for ``n`` participants (vectorised over ``n``); see the module notes."""
    mix = as_mixture(design_prior)
    n_arr = _sizes(n)
    se = design.se(n_arr)
    c = success.critical_value(se)
    sd = np.sqrt(mix.sds[None, :] ** 2 + se[:, None] ** 2)
    out = np.sum(mix.weights[None, :] * special.ndtr((mix.means[None, :] - c[:, None]) / sd), axis=1)
    return out if np.ndim(n) else out[0]


def _sizes(n: np.ndarray | int) -> np.ndarray:
    """``n`` as a 1-D float array of trial sizes, each a finite number >= 2 (else every problem)."""
    arr = np.atleast_1d(np.asarray(n, dtype=object)).ravel()
    problems = [] if arr.size else ["n must hold at least one trial size, got none"]
    bad = [v for v in arr if real_problems({"n": v})]
    if bad:
        problems.append(f"n must be finite numbers within +-{MAX_ABS:g} (trial sizes), got {bad[:3]!r}")
    elif arr.size and min(arr) < 2:
        problems.append(f"n must be at least 2, got {min(arr):g}")
    raise_if("assurance", problems)
    return arr.astype(float)


@dataclass(frozen=True)
class AssuranceResult:
    """A simulated assurance with its Monte Carlo standard error."""

    assurance: float
    mcse: float
    draws: int


def assurance_simulated(
    design_prior, design: TrialDesign, n: int, success: Success, *, draws: int, random_seed: int
) -> AssuranceResult:
    """Assurance by simulation: draw ``delta`` from the design prior, then the trial's estimate.

    ``design_prior`` may be a normal, a :class:`NormalMixture`, a frozen scipy distribution, or a
    1-D array of draws (e.g. ``theta_new`` from an MCMC synthesis), which is resampled.
    """
    problems = integer_problems({"draws": draws}, minimum=1, maximum=MAX_DRAWS)
    problems += integer_problems({"random_seed": random_seed}, minimum=0)
    if isinstance(design_prior, np.ndarray):
        flat = np.asarray(design_prior).ravel()
        if flat.dtype.kind not in "iuf" or flat.size == 0 or not np.all(np.isfinite(flat)) \
                or np.any(np.abs(flat) > MAX_ABS):
            problems.append(f"design prior draws must be a non-empty array of finite numbers within +-{MAX_ABS:g}")
    try:
        sizes = _sizes(n)
        problems += [] if sizes.size == 1 else [f"n must be one trial size, got {sizes.size}"]
    except DataValidationError as err:
        problems += list(err.problems)
    raise_if("assurance_simulated", problems)
    n = float(sizes[0])
    rng = np.random.default_rng(random_seed)
    if isinstance(design_prior, np.ndarray):
        delta = rng.choice(design_prior.ravel(), size=draws, replace=True)
    elif hasattr(design_prior, "rvs") and not isinstance(design_prior, (NormalMixture, NormalPosterior)):
        delta = np.asarray(design_prior.rvs(size=draws, random_state=rng), dtype=float)
    else:
        mix = as_mixture(design_prior)
        k = rng.choice(mix.weights.size, size=draws, p=mix.weights / mix.weights.sum())
        delta = rng.normal(mix.means[k], mix.sds[k])
    se = float(design.se(n))
    delta_hat = rng.normal(delta, se)
    hit = delta_hat > float(success.critical_value(np.array(se)))
    p = float(hit.mean())
    return AssuranceResult(p, float(np.sqrt(p * (1 - p) / draws)), draws)


def sample_size(
    design_prior, design: TrialDesign, success: Success, *, target: float, n_max: int = 5000
) -> dict:
    """Smallest ``n`` (even for a parallel trial) whose closed-form assurance reaches ``target``.

    Returns
    -------
    dict
        ``n``, ``assurance`` at ``n``, ``limit`` (assurance as n -> infinity), ``design``, ``success``.

    Raises
    ------
    DataValidationError
        When ``target`` is at or above the limit, or not reached by ``n_max``.
    """
    mix = as_mixture(design_prior)
    limit = mix.prob_above(success.limit_margin)
    problems = integer_problems({"n_max": n_max}, minimum=4, maximum=MAX_SEARCH)
    if real_problems({"target": target}) or not 0 < target < 1:
        problems.append(f"target must lie in (0, 1), got {target}")
    elif target >= limit:
        problems.append(
            f"target assurance {target:g} is unreachable: with unlimited n it tends to "
            f"P(effect > {success.limit_margin:g}) = {limit:.3f} under the design prior"
        )
    raise_if("sample size", problems)
    n_max = int(n_max)
    step = 2 if design.design == "parallel" else 1
    ns = np.arange(4, n_max + 1, step)
    a = assurance(mix, design, ns, success)
    ok = np.nonzero(a >= target)[0]
    raise_if("sample size", [f"target {target:g} not reached by n_max = {n_max}; raise n_max"] if ok.size == 0 else [])
    i = int(ok[0])
    return {"n": int(ns[i]), "assurance": float(a[i]), "limit": limit, "target": target,
            "design": design.label, "success": success.describe()}


def assurance_curve_data(
    design_prior, designs: dict[str, TrialDesign], success: Success, ns: np.ndarray, *, scale: str
) -> pd.DataFrame:
    """Tidy rows (``design``, ``n``, ``assurance``, ``limit``) for :func:`bayes_ldn.plots.plot_assurance`."""
    mix = as_mixture(design_prior)
    raise_if("assurance curve", [] if isinstance(scale, str) else [f"scale must be a label (text), got {scale!r}"])
    ns = _sizes(ns)
    limit = mix.prob_above(success.limit_margin)
    frames = [
        pd.DataFrame({"design": label, "n": np.asarray(ns, dtype=int),
                      "assurance": assurance(mix, d, np.asarray(ns), success), "limit": limit,
                      "success": success.describe(), "scale": scale})
        for label, d in designs.items()
    ]
    return pd.concat(frames, ignore_index=True)


def cpm_design_prior(prior: EffectPrior, *, conversion: str) -> NormalPosterior:
    """FINAL's CPM posterior (kPa, positive = more inhibition with LDN) under ``prior``, as a design prior.

    The CPM record is ``final_cpm``; the posterior must be normal (flat or normal prior) to keep
    assurance in closed form.
    """
    lik = to_likelihood(load_record("final_cpm"), conversion)
    post = exact_posterior(lik, prior)
    if not isinstance(post, NormalPosterior):
        raise DataValidationError("CPM design prior", [f"prior {prior.name!r} is not normal; use a normal prior"])
    return post
