"""Synthetic FINAL-like parallel-group data with known truth (labelled synthetic; never trial data).

The outcomes are those of the bundled family ``final_exploratory`` (five measures, pressure pain
tolerance split by leg, so six outcome names), optionally with ``pain_nrs``. For subject ``i``
and outcome ``k``:

* latent baseline ``B_ik``: multivariate normal across outcomes (correlation
  :data:`BASELINE_CORRELATION`), means and SDs illustrative (:data:`BASELINE`);
* latent change ``C_ik = c_k(arm) + e_ik``: arm means from the published between-group
  estimates (and the published within-arm CPM changes), ``e`` multivariate normal with the SD of
  change recovered from each published CI and arm sizes (correlation :data:`CHANGE_CORRELATION`);
* observed baseline ``B_ik + u_ik`` and follow-up ``B_ik + C_ik + v_ik`` with independent
  measurement errors of SD ``measurement_sd[k]`` (so the ANCOVA slope is the reliability
  ``var(B) / (var(B) + measurement_sd^2)``: regression to the mean);
* ``pain_nrs`` change ``= c_pain(arm) + pain_cpm_slope * (C_i,cpm - c_cpm(reference)) + e``, so
  ``pain_cpm_slope`` (NRS points per kPa) ties pain change to the latent CPM change; its total
  treatment effect is ``effects["pain_nrs"]`` (default the published -0.34).

Baseline means and SDs and the correlations are illustrative choices, not published numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn.data.bundled import load_family, load_record
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import integer_problems, real_problems
from bayes_ldn.data.standardized import standardized_family

__all__ = ["BASELINE", "BASELINE_CORRELATION", "CHANGE_CORRELATION", "SYNTHETIC_LABEL", "SimulatedTrial",
           "simulate_final_like"]

#: Largest simulated arm (a few arrays of 7 outcomes x this many subjects).
MAX_PER_ARM = 1_000_000
SYNTHETIC_LABEL = "SYNTHETIC: FINAL-like data simulated by bayes_ldn (not trial data)"
ARMS = ("LDN", "placebo")
PAIN = "pain_nrs"

#: Illustrative latent baseline (mean, SD) per outcome; pain from the published FINAL baselines.
BASELINE: dict[str, tuple[float, float]] = {
    "cpm": (5.0, 6.0),
    "tolerance_left": (30.0, 15.0),
    "tolerance_right": (30.0, 15.0),
    "tsp": (2.0, 2.0),
    "chair_stand": (10.0, 3.5),
    "arm_hold": (120.0, 35.0),
    PAIN: (6.25, 1.45),
}
_ORDER = ("cpm", "tolerance_left", "tolerance_right", "tsp", "chair_stand", "arm_hold")
#: Illustrative correlation of latent baselines (order: cpm, tolerance L, tolerance R, tsp,
#: chair stand, arm hold): the two legs agree closely, QST measures moderately, function tests
#: with each other.
BASELINE_CORRELATION = np.array([
    [1.0, 0.3, 0.3, -0.2, 0.1, 0.1],
    [0.3, 1.0, 0.85, -0.3, 0.2, 0.2],
    [0.3, 0.85, 1.0, -0.3, 0.2, 0.2],
    [-0.2, -0.3, -0.3, 1.0, -0.1, -0.1],
    [0.1, 0.2, 0.2, -0.1, 1.0, 0.4],
    [0.1, 0.2, 0.2, -0.1, 0.4, 1.0],
])
#: Illustrative correlation of latent changes (same order).
CHANGE_CORRELATION = np.array([
    [1.0, 0.2, 0.2, -0.1, 0.0, 0.0],
    [0.2, 1.0, 0.7, -0.2, 0.1, 0.1],
    [0.2, 0.7, 1.0, -0.2, 0.1, 0.1],
    [-0.1, -0.2, -0.2, 1.0, 0.0, 0.0],
    [0.0, 0.1, 0.1, 0.0, 1.0, 0.3],
    [0.0, 0.1, 0.1, 0.0, 0.3, 1.0],
])


@dataclass(frozen=True, kw_only=True)
class SimulatedTrial:
    """A synthetic trial: long ``frame`` (subject, arm, outcome, baseline, followup) and its truth."""

    frame: pd.DataFrame
    truth: Mapping[str, Any]
    random_seed: int
    label: str = SYNTHETIC_LABEL
    outcomes: tuple[str, ...] = field(default=())


def _cov(sd: np.ndarray, corr: np.ndarray) -> np.ndarray:
    return corr * np.outer(sd, sd)


def simulate_final_like(
    *,
    random_seed: int,
    n_per_arm: tuple[int, int] = (45, 47),
    effects: Mapping[str, float] | None = None,
    measurement_sd: Mapping[str, float] | None = None,
    include_pain: bool = True,
    pain_cpm_slope: float = 0.0,
    reference_change: Mapping[str, float] | None = None,
) -> SimulatedTrial:
    """Simulate a FINAL-like two-arm trial (LDN vs placebo) with known truth.

    Parameters
    ----------
    random_seed : int
    n_per_arm : (int, int)
        Subjects in the LDN and placebo arms (FINAL's complete cases: 45 and 47).
    effects : mapping, optional
        True treatment effects (LDN minus placebo mean change, outcome units as printed) by
        outcome; missing outcomes take the published point estimate.
    measurement_sd : mapping, optional
        SD of measurement error per outcome (outcome units); default 0.3 x baseline SD
        (reliability about 0.92).
    include_pain : bool
        Add the ``pain_nrs`` outcome.
    pain_cpm_slope : float
        NRS points of pain change per kPa of latent CPM change (negative: more CPM, less pain).
    reference_change : mapping, optional
        True mean change of the placebo arm; default the published within-arm change for CPM
        (-0.8 kPa) and pain (-0.9), 0 elsewhere.

    Returns
    -------
    SimulatedTrial
        ``frame`` has one row per subject x outcome; ``frame.attrs["synthetic"]`` is true.
        ``truth`` holds ``effects``, ``change_reference``, ``change_treatment``, ``change_sd``
        (latent), ``observed_change_sd``, ``measurement_sd``, ``baseline_mean``, ``baseline_sd``,
        ``ancova_slope``, ``standardized_effects`` (effect / observed SD of change),
        ``pain_cpm_slope``, ``pain_direct_effect``, correlations and ``label``.
    """
    effects = dict(effects or {})
    reference_change = dict(reference_change or {})
    measurement_sd = dict(measurement_sd or {})
    outcomes = list(_ORDER) + ([PAIN] if include_pain else [])
    problems = integer_problems({"random_seed": random_seed}, minimum=0)
    if not (isinstance(n_per_arm, (tuple, list)) and len(n_per_arm) == 2
            and not integer_problems(dict(enumerate(n_per_arm)), minimum=2, maximum=MAX_PER_ARM)):
        problems.append(f"n_per_arm must be two sizes >= 2 (LDN, placebo; whole numbers, at most {MAX_PER_ARM:,}), "
                        f"got {n_per_arm!r}")
    problems += real_problems({"pain_cpm_slope": pain_cpm_slope})
    problems += real_problems({f"effects[{k!r}]": v for k, v in effects.items()})
    problems += real_problems({f"reference_change[{k!r}]": v for k, v in reference_change.items()})
    for name, given in (("effects", effects), ("measurement_sd", measurement_sd),
                        ("reference_change", reference_change)):
        unknown = sorted(set(given) - set(outcomes))
        if unknown:
            problems.append(f"{name}: unknown outcome(s) {unknown}; outcomes are {', '.join(outcomes)}")
    bad_me = {k: v for k, v in measurement_sd.items() if real_problems({k: v}) or not v >= 0}
    if bad_me:
        problems.append(f"measurement_sd must be finite and >= 0, got {bad_me}")
    raise_if("simulate_final_like", problems)

    fam = standardized_family(load_family("final_exploratory")).set_index("outcome")
    pain = standardized_family([load_record("final_pain")]).set_index("outcome")
    published = pd.concat([fam, pain])
    effect = {k: float(effects.get(k, published.loc[k, "estimate"])) for k in outcomes}
    ref = {"cpm": load_record("final_cpm_change_placebo").estimate,
           PAIN: load_record("final_pain_change_placebo").estimate}
    change_ref = {k: float(reference_change.get(k, ref.get(k, 0.0))) for k in outcomes}
    change_sd = {k: float(published.loc[k, "sd_change"]) for k in outcomes}
    base_mean = {k: BASELINE[k][0] for k in outcomes}
    base_sd = {k: BASELINE[k][1] for k in outcomes}
    me = {k: float(measurement_sd.get(k, 0.3 * base_sd[k])) for k in outcomes}

    rng = np.random.default_rng(random_seed)
    n_t, n_r = (int(v) for v in n_per_arm)
    n = n_t + n_r
    treated = np.r_[np.ones(n_t, dtype=int), np.zeros(n_r, dtype=int)]
    k6 = list(_ORDER)
    sd_b = np.array([base_sd[k] for k in k6])
    sd_c = np.array([change_sd[k] for k in k6])
    latent_base = rng.multivariate_normal([base_mean[k] for k in k6], _cov(sd_b, BASELINE_CORRELATION), size=n)
    arm_mean = np.array([[change_ref[k] + effect[k] * t for k in k6] for t in (0, 1)])
    latent_change = arm_mean[treated] + rng.multivariate_normal(np.zeros(6), _cov(sd_c, CHANGE_CORRELATION), size=n)
    direct = np.nan
    if include_pain:
        direct = effect[PAIN] - pain_cpm_slope * effect["cpm"]
        cpm_dev = latent_change[:, 0] - change_ref["cpm"]
        pain_change = (change_ref[PAIN] + direct * treated + pain_cpm_slope * cpm_dev
                       + rng.normal(0.0, change_sd[PAIN], n))
        pain_base = rng.normal(base_mean[PAIN], base_sd[PAIN], n)
        latent_base = np.column_stack([latent_base, pain_base])
        latent_change = np.column_stack([latent_change, pain_change])
    me_vec = np.array([me[k] for k in outcomes])
    observed_base = latent_base + rng.normal(0.0, 1.0, latent_base.shape) * me_vec
    observed_follow = latent_base + latent_change + rng.normal(0.0, 1.0, latent_base.shape) * me_vec

    subjects = np.array([f"SIM{i + 1:03d}" for i in range(n)])
    arms = np.where(treated == 1, ARMS[0], ARMS[1])
    frame = pd.DataFrame({
        "subject": np.repeat(subjects, len(outcomes)),
        "arm": np.repeat(arms, len(outcomes)),
        "outcome": np.tile(outcomes, n),
        "baseline": observed_base.ravel(),
        "followup": observed_follow.ravel(),
    })
    frame.attrs.update(synthetic=True, label=SYNTHETIC_LABEL, random_seed=random_seed)

    change_sd_total = dict(change_sd)
    if include_pain:
        change_sd_total[PAIN] = float(np.hypot(change_sd[PAIN], pain_cpm_slope * change_sd["cpm"]))
    obs_sd = {k: float(np.sqrt(change_sd_total[k] ** 2 + 2 * me[k] ** 2)) for k in outcomes}
    truth = {
        "label": SYNTHETIC_LABEL,
        "treatment": ARMS[0], "reference": ARMS[1], "n_per_arm": (n_t, n_r),
        "effects": effect,
        "change_reference": change_ref,
        "change_treatment": {k: change_ref[k] + effect[k] for k in outcomes},
        "change_sd": change_sd_total,
        "measurement_sd": me,
        "observed_change_sd": obs_sd,
        "baseline_mean": base_mean, "baseline_sd": base_sd,
        # Latent baseline and change independent, so the population ANCOVA slope is the reliability.
        "ancova_slope": {k: base_sd[k] ** 2 / (base_sd[k] ** 2 + me[k] ** 2) for k in outcomes},
        "standardized_effects": {k: effect[k] / obs_sd[k] for k in outcomes},
        "better": {k: (published.loc[k, "better"]) for k in outcomes},
        "pain_cpm_slope": float(pain_cpm_slope), "pain_direct_effect": float(direct),
        "baseline_correlation": BASELINE_CORRELATION.tolist(),
        "change_correlation": CHANGE_CORRELATION.tolist(),
    }
    return SimulatedTrial(frame=frame, truth=truth, random_seed=random_seed, outcomes=tuple(outcomes))
