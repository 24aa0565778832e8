"""Checks of a long crossover frame for :class:`bayes_ldn.data.crossover.CrossoverData`.

Every problem is collected (labels, periods, treatment levels, numbers, sequences and their
treatment orders) and raised at once as one :class:`~bayes_ldn.exceptions.DataValidationError`
naming columns, rows and subjects, so a user fixes the file in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn.data.scale import to_log
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import array_problems

__all__ = ["checked_frame", "sequence_orders"]

_MAX_LISTED = 8
_WHAT = "crossover data"


def _listing(values: Sequence[Any]) -> str:
    vals = [str(v) for v in values]
    more = len(vals) - _MAX_LISTED
    return ", ".join(vals[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _rows(mask: np.ndarray) -> str:
    return _listing((np.flatnonzero(mask) + 1).tolist())


def checked_frame(
    df: pd.DataFrame, treatment: str, reference: str, cols: dict[str, str], has_baseline: bool,
    scale: str = "linear",
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """Every problem of a long crossover frame at once (raised as one ``DataValidationError``),
    else the canonical frame (sorted by subject and period) and each sequence's treatment order."""
    problems: list[str] = []
    labels = {r: df[cols[r]].astype("string").str.strip().reset_index(drop=True)
              for r in ("subject", "sequence", "treatment")}
    for role, ser in labels.items():
        m = ser.isna().to_numpy()
        if m.any():
            problems.append(f"column {cols[role]!r}: missing {role} in rows {_rows(m)}; fill it in")
    subject = labels["subject"]

    raw_period = df[cols["period"]].reset_index(drop=True)
    period_f = pd.to_numeric(raw_period, errors="coerce").to_numpy(dtype=float)
    bad_p = ~np.isfinite(period_f) | (period_f < 1) | (np.round(period_f) != period_f)
    if bad_p.any():
        problems.append(
            f"column {cols['period']!r}: period must be a positive integer (1, 2, ...) in rows "
            f"{_rows(bad_p)} (found {_listing(sorted(set(raw_period[bad_p].astype(str))))}); "
            "number periods 1..P in time order"
        )
    period = np.where(bad_p, -1, np.nan_to_num(period_f, nan=-1)).astype(int)

    trt = labels["treatment"]
    bad_t = (~trt.isin([treatment, reference]) & trt.notna()).to_numpy()
    if bad_t.any():
        problems.append(
            f"column {cols['treatment']!r}: unknown treatment level(s) "
            f"{sorted(set(trt[bad_t]))} in rows {_rows(bad_t)}; expected {treatment!r} (treatment) "
            f"or {reference!r} (reference): recode these rows, or fix --active/--control"
        )

    numeric: dict[str, np.ndarray] = {}
    for role in ("outcome", *(["baseline"] if has_baseline else [])):
        raw = df[cols[role]].reset_index(drop=True)
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(
                f"column {cols[role]!r}: non-finite {role} (missing, non-numeric or infinite) in rows "
                f"{_rows(bad)} (subjects {_listing(subject[bad].fillna('<missing>').tolist())}); give a "
                "finite number, or drop the row (a subject who dropped out simply has no later rows)"
            )
        if scale == "log":
            values = to_log(values, f"column {cols[role]!r}", role, problems, lambda m: (
                f"rows {_rows(m)} (subjects {_listing(subject[m].fillna('<missing>').tolist())})"))
        problems += array_problems(values, what=f"column {cols[role]!r} ({role})", rows=_rows)
        numeric[role] = values

    ok = (subject.notna() & labels["sequence"].notna()).to_numpy()
    seq_per_subject = labels["sequence"][ok].groupby(subject[ok].to_numpy()).unique()
    two = {s: sorted(v) for s, v in seq_per_subject.items() if len(v) > 1}
    if two:
        problems.append(
            f"column {cols['sequence']!r}: subject(s) in more than one sequence: "
            f"{_listing([f'{s} ({"/".join(v)})' for s, v in two.items()])}; a subject belongs to one "
            "sequence for the whole trial"
        )

    okp = ok & ~bad_p
    per_subject = pd.Series(period[okp]).groupby(subject[okp].to_numpy()).agg(list)
    repeated = {s: sorted({p for p in v if v.count(p) > 1}) for s, v in per_subject.items()}
    repeated = {s: v for s, v in repeated.items() if v}
    if repeated:
        problems.append(
            f"column {cols['period']!r}: repeated period for subject(s) "
            f"{_listing([f'{s} (period {",".join(map(str, v))})' for s, v in repeated.items()])}; "
            "keep one row per subject and period"
        )
    # A subject who misses a period (drop-out, or a missed first visit) is kept: the mixed model
    # uses every observed period, and CrossoverData.complete_only() gives the complete pairs.
    n_periods = int(period[okp].max()) if okp.any() else 0
    if okp.any() and n_periods < 2:
        problems.append(f"column {cols['period']!r}: only period 1 is present; a crossover needs at least two")

    # Subjects in two sequences are already reported; the orders are judged without them.
    single = ~subject.isin(list(two)).to_numpy()
    orders = sequence_orders(labels, period, okp & ~bad_t & single, cols, n_periods, problems)

    n_per_seq = pd.Series(subject[ok].to_numpy()).groupby(labels["sequence"][ok].to_numpy()).nunique()
    if ok.any() and len(n_per_seq) < 2:
        problems.append(
            f"column {cols['sequence']!r}: only one sequence ({_listing(n_per_seq.index.tolist())}); "
            "a crossover needs at least two (e.g. AB and BA) to separate treatment from period"
        )
    lonely = n_per_seq[n_per_seq < 2]
    if len(lonely):
        problems.append(
            f"column {cols['sequence']!r}: sequence(s) with a single subject: "
            f"{_listing(lonely.index.tolist())}; a sequence needs at least two subjects "
            "(check the labels for typos)"
        )
    if len(orders) > 1 and len(set(orders.values())) == 1:
        problems.append(
            f"column {cols['sequence']!r}: every sequence has the same treatment order "
            f"{'/'.join(next(iter(orders.values())))}; treatment is then confounded with period: "
            "check the sequence column"
        )
    raise_if(_WHAT, problems)

    frame = pd.DataFrame({
        "subject": pd.Categorical(subject.astype(str)),
        "sequence": pd.Categorical(labels["sequence"].astype(str)),
        "period": period,
        "treatment": pd.Categorical(trt.astype(str), categories=[reference, treatment]),
        "outcome": numeric["outcome"],
    })
    if has_baseline:
        frame["baseline"] = numeric["baseline"]
    frame = frame.sort_values(["subject", "period"], kind="stable").reset_index(drop=True)
    return frame, orders

def sequence_orders(
    labels: dict[str, pd.Series], period: np.ndarray, ok: np.ndarray, cols: dict[str, str],
    n_periods: int, problems: list[str],
) -> dict[str, tuple[str, ...]]:
    """Each sequence's order (majority per period) and every subject that contradicts it."""
    frame = pd.DataFrame({"subject": labels["subject"], "sequence": labels["sequence"],
                          "period": period, "treatment": labels["treatment"]})[ok]
    orders: dict[str, tuple[str, ...]] = {}
    contradict: list[str] = []
    for seq, g in frame.groupby("sequence", sort=True):
        order = []
        for p in range(1, n_periods + 1):
            counts = g.loc[g["period"] == p, "treatment"].value_counts()
            if counts.empty:
                order.append("")
                continue
            if len(counts) > 1 and counts.iloc[0] == counts.iloc[1]:
                problems.append(
                    f"column {cols['treatment']!r}: sequence {seq!r} has no consistent treatment in period "
                    f"{p} ({', '.join(f'{k}: {v} subjects' for k, v in counts.items())}); every subject "
                    "of a sequence receives the same order: check the sequence and treatment columns"
                )
            order.append(str(counts.index[0]))
            off = g[(g["period"] == p) & (g["treatment"] != counts.index[0])]
            contradict += [f"{s} (sequence {seq}, period {p}: {t}, expected {counts.index[0]})"
                           for s, t in zip(off["subject"], off["treatment"], strict=True)]
        orders[str(seq)] = tuple(order)
    if contradict:
        problems.append(
            f"column {cols['treatment']!r}: treatment order contradicts the sequence for "
            f"{_listing(contradict)}; fix the treatment or the sequence of these rows"
        )
    return orders
