"""Synthetic crossover trials with known truth, for teaching and tests.

The default design mimics Bested et al. (PAIN Reports 2023; doi:10.1097/PR9.0000000000001080):
58 patients randomised to LDN-then-placebo or placebo-then-LDN (two treatment periods separated
by a washout), with some patients dropping out after the first period. Nothing here is the
trial's data: every frame is labelled synthetic (a ``data_source`` column and
``frame.attrs["synthetic"] = True``) and is returned with the true values that generated it.

Generative model (the same as :func:`bayes_ldn.designs.crossover.crossover_model`)::

    outcome[i, p] = intercept + period_effect[p] + treatment_effect * treated[i, p]
                    + carryover * active_in_previous_period[i, p]
                    + baseline_slope * (baseline[i, p] - intercept)
                    + subject_effect[i] + residual[i, p]
    subject_effect[i] ~ Normal(0, subject_sd)
    residual[i, p]    ~ Normal(0, residual_sd)  (Student-t with residual_df if given)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import MAX_ABS, integer_problems, real_problems

__all__ = ["BESTED_SEQUENCES", "SYNTHETIC_LABEL", "CrossoverTruth", "simulate_crossover"]

#: AB/BA: "A" is the active treatment, "B" the reference.
BESTED_SEQUENCES: dict[str, str] = {"AB": "AB", "BA": "BA"}
#: Largest simulated trial (the rows are built one by one: 100,000 subjects take about a second).
MAX_SUBJECTS = 100_000
SYNTHETIC_LABEL = "synthetic (bayes_ldn.data.simulate_crossover); not trial data"


@dataclass(frozen=True, kw_only=True)
class CrossoverTruth:
    """The values that generated a synthetic crossover trial (outcome scale)."""

    treatment_effect: float
    period_effect: tuple[float, ...]
    carryover: float
    subject_sd: float
    residual_sd: float
    intercept: float
    residual_df: float | None
    baseline_slope: float | None
    dropout: float
    n_subjects: int
    sequences: Mapping[str, str]
    treatment: str
    reference: str
    random_seed: int


def simulate_crossover(
    *,
    treatment_effect: float,
    period_effect: float | Sequence[float],
    subject_sd: float,
    residual_sd: float,
    random_seed: int,
    n_subjects: int = 58,
    carryover: float = 0.0,
    dropout: float = 0.05,
    intercept: float = 50.0,
    sequences: Mapping[str, str] | None = None,
    treatment: str = "LDN",
    reference: str = "placebo",
    residual_df: float | None = None,
    baseline_slope: float | None = None,
) -> tuple[pd.DataFrame, CrossoverTruth]:
    """Simulate a crossover trial (default: Bested-like AB/BA, 58 patients, FIQR-like scale).

    Parameters
    ----------
    treatment_effect : float
        Treatment minus reference on the outcome scale.
    period_effect : float or sequence of float
        Effect of periods 2..P relative to period 1 (a float for two periods).
    subject_sd, residual_sd : float
        Between-subject and within-subject standard deviations.
    random_seed : int
        Seed of the NumPy generator.
    n_subjects : int
        Randomised subjects, allocated to the sequences in turn then shuffled (balanced).
    carryover : float
        First-order carry-over of the active treatment into the next period.
    dropout : float
        Probability that a subject drops out after each period (its later rows are absent).
    intercept : float
        Mean outcome in period 1 under the reference treatment (50: the middle of FIQR's 0-100).
    sequences : mapping, optional
        Sequence label -> order in letters, ``A`` = treatment, ``B`` = reference (default AB/BA;
        e.g. ``{"ABB": "ABB", "BAA": "BAA"}`` or ``{"ABBA": "ABBA", "BAAB": "BAAB"}``).
    treatment, reference : str
        Treatment labels in the frame.
    residual_df : float, optional
        Student-t residuals with these degrees of freedom.
    baseline_slope : float, optional
        Also simulate a period baseline ``intercept + subject_effect + Normal(0, residual_sd)``
        and add ``baseline_slope * (baseline - intercept)`` to the outcome.

    Returns
    -------
    frame : DataFrame
        Columns ``subject``, ``sequence``, ``period``, ``treatment``, ``outcome`` (+ ``baseline``),
        ``data_source``; ``frame.attrs["synthetic"] is True``.
    truth : CrossoverTruth
    """
    seqs = dict(sequences or BESTED_SEQUENCES)
    lengths = {len(v) for v in seqs.values()}
    n_periods = max(lengths) if lengths else 0
    pe_given = np.atleast_1d(np.asarray(period_effect, dtype=object)).ravel()
    problems = real_problems({"treatment_effect": treatment_effect, "carryover": carryover, "intercept": intercept,
                              "subject_sd": subject_sd, "residual_sd": residual_sd, "dropout": dropout},
                             scales=("residual_sd",))
    problems += real_problems({f"period_effect[{i}]": v for i, v in enumerate(pe_given)})
    problems += real_problems({k: v for k, v in (("residual_df", residual_df), ("baseline_slope", baseline_slope))
                               if v is not None})
    if residual_df is not None and not real_problems({"residual_df": residual_df}) and not residual_df >= 1:
        problems.append(f"residual_df must be at least 1 (1 = Cauchy residuals), got {residual_df}")
    problems += integer_problems({"random_seed": random_seed}, minimum=0)
    problems += integer_problems({"n_subjects": n_subjects}, minimum=2, maximum=MAX_SUBJECTS)
    raise_if("simulate_crossover", problems)
    pe = pe_given.astype(float)
    if len(seqs) < 2 or len(lengths) != 1 or n_periods < 2:
        problems.append(f"sequences must be two or more orders of equal length >= 2, got {seqs}")
    if any(set(v) - {"A", "B"} for v in seqs.values()):
        problems.append(f"sequence orders use the letters A (treatment) and B (reference), got {seqs}")
    if pe.size != max(n_periods - 1, 0):
        problems.append(f"period_effect needs {n_periods - 1} value(s) (periods 2..{n_periods}), got {pe.size}")
    if n_subjects < 2 * len(seqs):
        problems.append(f"n_subjects must allow two subjects per sequence, got {n_subjects}")
    if not (subject_sd >= 0 and residual_sd > 0):
        problems.append(f"subject_sd must be >= 0 and residual_sd > 0, got {subject_sd}, {residual_sd}")
    if not 0 <= dropout < 1:
        problems.append(f"dropout must lie in [0, 1), got {dropout}")
    raise_if("simulate_crossover", problems)

    rng = np.random.default_rng(random_seed)
    labels = list(seqs)
    allocation = rng.permutation(np.resize(np.arange(len(labels)), n_subjects))
    u = rng.normal(0.0, subject_sd, n_subjects)
    period_shift = np.concatenate([[0.0], pe])
    letter = {"A": treatment, "B": reference}
    rows = []
    width = len(str(n_subjects))
    for i in range(n_subjects):
        seq = labels[allocation[i]]
        order = seqs[seq]
        for p in range(1, n_periods + 1):
            if p > 1 and rng.uniform() < dropout:
                break
            active = order[p - 1] == "A"
            carried = p > 1 and order[p - 2] == "A"
            eps = (rng.standard_t(residual_df) * residual_sd if residual_df
                   else rng.normal(0.0, residual_sd))
            mean = intercept + period_shift[p - 1] + treatment_effect * active + carryover * carried + u[i]
            row = {"subject": f"S{i + 1:0{width}d}", "sequence": seq, "period": p,
                   "treatment": letter[order[p - 1]]}
            if baseline_slope is not None:
                base = intercept + u[i] + rng.normal(0.0, residual_sd)
                mean += baseline_slope * (base - intercept)
                row["baseline"] = base
            row["outcome"] = mean + eps
            rows.append(row)
    frame = pd.DataFrame(rows)
    values = frame[[c for c in ("outcome", "baseline") if c in frame]].to_numpy()
    raise_if("simulate_crossover", [] if np.all(np.abs(values) <= MAX_ABS) else [
        f"simulated outcomes reach beyond +-{MAX_ABS:g} (intercept, effects and SDs add up); give smaller values"])
    frame["data_source"] = SYNTHETIC_LABEL
    frame.attrs["synthetic"] = True
    frame.attrs["description"] = SYNTHETIC_LABEL
    truth = CrossoverTruth(
        treatment_effect=float(treatment_effect), period_effect=tuple(float(x) for x in pe),
        carryover=float(carryover), subject_sd=float(subject_sd), residual_sd=float(residual_sd),
        intercept=float(intercept), residual_df=residual_df, baseline_slope=baseline_slope,
        dropout=float(dropout), n_subjects=int(n_subjects), sequences=seqs, treatment=treatment,
        reference=reference, random_seed=int(random_seed),
    )
    return frame, truth
