"""Synthetic AB/BA crossover trials with several correlated outcomes, for teaching and tests.

Bested-like design (58 patients, LDN-then-placebo or placebo-then-LDN, drop-outs after period
1), as :func:`bayes_ldn.data.simulate_crossover.simulate_crossover`, but each patient answers
several questionnaires (e.g. FIQR and summed pain) whose subject effects are correlated. Nothing
here is trial data: every frame is labelled synthetic and returned with the true values.

Generative model (the same as :func:`bayes_ldn.designs.crossover_joint.crossover_joint_model`)::

    outcome[k][i, p] = intercept[k] + period_effect[k] * (p == 2)
                       + treatment_effect[k] * treated[i, p] + subject_effect[i, k] + residual
    subject_effect[i, :] ~ MvNormal(0, diag(subject_sd) R diag(subject_sd)),
        R = 1 on the diagonal, subject_corr off it
    residual ~ Normal(0, residual_sd[k]), independent across subjects, periods and outcomes

A patient who drops out after period 1 misses period 2 in every outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_ldn.exceptions import raise_if

__all__ = ["SYNTHETIC_JOINT_LABEL", "JointCrossoverTruth", "simulate_crossover_joint"]

SYNTHETIC_JOINT_LABEL = "synthetic (bayes_ldn.data.simulate_crossover_joint); not trial data"
_ORDERS = {"AB": (True, False), "BA": (False, True)}


@dataclass(frozen=True, kw_only=True)
class JointCrossoverTruth:
    """The values that generated a synthetic multi-outcome crossover trial (outcome scales)."""

    measures: tuple[str, ...]
    treatment_effects: Mapping[str, float]
    period_effects: Mapping[str, float]
    intercepts: Mapping[str, float]
    subject_sds: Mapping[str, float]
    subject_corr: float
    residual_sds: Mapping[str, float]
    dropout: float
    n_subjects: int
    treatment: str
    reference: str
    random_seed: int


def simulate_crossover_joint(
    *,
    treatment_effects: Mapping[str, float],
    subject_sds: Mapping[str, float],
    subject_corr: float,
    residual_sds: Mapping[str, float],
    period_effects: Mapping[str, float],
    random_seed: int,
    n_subjects: int = 58,
    dropout: float = 0.05,
    intercepts: Mapping[str, float] | None = None,
    treatment: str = "LDN",
    reference: str = "placebo",
) -> tuple[dict[str, pd.DataFrame], JointCrossoverTruth]:
    """Simulate an AB/BA crossover trial with several outcomes whose subject effects correlate.

    Parameters
    ----------
    treatment_effects : mapping of str to float
        Outcome name -> treatment minus reference; its keys name the outcomes.
    subject_sds, residual_sds, period_effects : mapping of str to float
        Per outcome: SD of the subject effects, residual SD, period 2 minus period 1.
    subject_corr : float
        Correlation of every pair of outcomes' subject effects (exchangeable).
    random_seed : int
    n_subjects : int
        Randomised patients, split as evenly as possible between AB and BA.
    dropout : float
        Probability that a patient has no period-2 rows (in any outcome).
    intercepts : mapping of str to float, optional
        Per outcome mean in period 1 on the reference (default 50 for each).
    treatment, reference : str
        Treatment labels ("A" and "B" of the sequences).

    Returns
    -------
    frames : dict of str to DataFrame
        Per outcome a long frame (``subject``, ``sequence``, ``period``, ``treatment``,
        ``outcome``, ``data_source``) labelled synthetic, ready for ``CrossoverData.from_frame``.
    truth : JointCrossoverTruth

    Examples
    --------
    >>> frames, truth = simulate_crossover_joint(
    ...     treatment_effects={"fiqr": -5.0, "pain": -0.8}, subject_sds={"fiqr": 12.0, "pain": 1.5},
    ...     subject_corr=0.6, residual_sds={"fiqr": 8.0, "pain": 1.0},
    ...     period_effects={"fiqr": -2.0, "pain": 0.0}, random_seed=1)
    >>> sorted(frames), frames["fiqr"].attrs["synthetic"], truth.subject_corr
    (['fiqr', 'pain'], True, 0.6)
    """
    measures = tuple(str(m) for m in treatment_effects)
    intercepts = dict(intercepts) if intercepts is not None else dict.fromkeys(measures, 50.0)
    problems = []
    if len(measures) < 2:
        problems.append(f"need at least two outcomes in treatment_effects, got {len(measures)}")
    for name, given in (("subject_sds", subject_sds), ("residual_sds", residual_sds),
                        ("period_effects", period_effects), ("intercepts", intercepts)):
        if set(map(str, given)) != set(measures):
            problems.append(f"{name} must have exactly the outcomes {', '.join(measures)}, got {', '.join(map(str, given))}")
    for name, given in (("subject_sds", subject_sds), ("residual_sds", residual_sds)):
        bad = [f"{k}={v}" for k, v in given.items() if not (np.isfinite(v) and v > 0)]
        if bad:
            problems.append(f"{name} must be positive and finite, got {', '.join(bad)}")
    low = -1.0 / (len(measures) - 1) if len(measures) >= 2 else -1.0
    if not (low < subject_corr < 1):
        problems.append(f"subject_corr must lie in ({low:g}, 1) for {len(measures)} outcomes, got {subject_corr}")
    if n_subjects < 4:
        problems.append(f"n_subjects must be at least 4 (two per sequence), got {n_subjects}")
    if not 0 <= dropout < 1:
        problems.append(f"dropout must lie in [0, 1), got {dropout}")
    raise_if("simulate_crossover_joint", problems)

    rng = np.random.default_rng(random_seed)
    k = len(measures)
    corr = np.full((k, k), float(subject_corr))
    np.fill_diagonal(corr, 1.0)
    sds = np.array([subject_sds[m] for m in measures], dtype=float)
    u = rng.multivariate_normal(np.zeros(k), corr * np.outer(sds, sds), size=n_subjects)
    allocation = rng.permutation(np.resize(np.array(["AB", "BA"]), n_subjects))
    completes = rng.uniform(size=n_subjects) >= dropout
    width = len(str(n_subjects))
    rows: dict[str, list[dict]] = {m: [] for m in measures}
    for i in range(n_subjects):
        seq = str(allocation[i])
        for p in (1, 2) if completes[i] else (1,):
            active = _ORDERS[seq][p - 1]
            for j, m in enumerate(measures):
                mean = (intercepts[m] + period_effects[m] * (p == 2) + treatment_effects[m] * active + u[i, j])
                rows[m].append({"subject": f"S{i + 1:0{width}d}", "sequence": seq, "period": p,
                                "treatment": treatment if active else reference,
                                "outcome": mean + rng.normal(0.0, residual_sds[m])})
    frames = {}
    for m in measures:
        frame = pd.DataFrame(rows[m])
        frame["data_source"] = SYNTHETIC_JOINT_LABEL
        frame.attrs["synthetic"] = True
        frame.attrs["description"] = SYNTHETIC_JOINT_LABEL
        frames[m] = frame
    truth = JointCrossoverTruth(
        measures=measures, treatment_effects={m: float(treatment_effects[m]) for m in measures},
        period_effects={m: float(period_effects[m]) for m in measures},
        intercepts={m: float(intercepts[m]) for m in measures},
        subject_sds={m: float(subject_sds[m]) for m in measures}, subject_corr=float(subject_corr),
        residual_sds={m: float(residual_sds[m]) for m in measures}, dropout=float(dropout),
        n_subjects=int(n_subjects), treatment=treatment, reference=reference, random_seed=int(random_seed),
    )
    return frames, truth
