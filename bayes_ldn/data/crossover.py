"""Validated patient-level data of a two-treatment crossover trial.

The input is a tidy long frame with one row per subject x period: ``subject``, ``sequence``,
``period`` (1-based integers), ``treatment``, ``outcome`` and an optional period ``baseline``.
Users keep their own column names through ``columns={"subject": "patient_id", ...}``.

:meth:`CrossoverData.from_frame` checks everything first and raises one
:class:`~bayes_ldn.exceptions.DataValidationError` listing every problem, each with its column,
rows (1-based data rows) or subjects and how to fix it:

* a required column is missing, or the frame is empty;
* an unknown treatment level (only ``treatment`` and ``reference`` are allowed);
* a missing subject / sequence / period / treatment label, or a period that is not a positive
  integer;
* a non-finite (missing, non-numeric or infinite) outcome or baseline, or one beyond
  ``bayes_ldn.validation.MAX_ABS`` (1e100; an outcome of 1e308 overflowed the model's scale);
* a subject in two sequences;
* a repeated period;
* a treatment order that contradicts the subject's sequence (the sequence's order is what most
  of its subjects received);
* fewer than two sequences, a sequence with one subject, or fewer than two periods.

A subject who misses a period (drop-out, or a missed earlier visit) is kept: the mixed model uses
what exists; :meth:`CrossoverData.complete_only` keeps the complete subjects only.
Only two treatments are supported (active and reference), with any number of periods and
sequences (AB/BA, ABB/BAA, ABBA/BAAB).
"""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn.data.crossover_checks import checked_frame
from bayes_ldn.exceptions import raise_if
from bayes_ldn.validation import duplicate_column_problems

__all__ = ["COLUMN_ROLES", "CrossoverData"]

#: Canonical column roles; ``baseline`` is optional.
COLUMN_ROLES = ("subject", "sequence", "period", "treatment", "outcome", "baseline")
_REQUIRED = ("subject", "sequence", "period", "treatment", "outcome")
_WHAT = "crossover data"


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, kw_only=True)
class CrossoverData:
    """Long-format crossover data, one row per observed subject x period (read-only).

    Build it with :meth:`from_frame`; the constructor itself does not validate.

    Attributes
    ----------
    frame : DataFrame
        Canonical columns ``subject``, ``sequence``, ``period``, ``treatment``, ``outcome``
        (+ ``baseline``), sorted by subject and period; treat as read-only.
    treatment, reference : str
        Treatment levels; effects are treatment minus reference.
    sequence_orders : dict
        Sequence label -> treatment received in periods 1..P.
    has_baseline : bool
        Whether a period baseline column was given.
    columns : dict
        Role -> the user's column name it was read from.
    """

    frame: pd.DataFrame
    treatment: str
    reference: str
    sequence_orders: Mapping[str, tuple[str, ...]]
    has_baseline: bool
    columns: Mapping[str, str] = field(default_factory=dict)
    scale: str = "linear"

    # -- labels and indices ------------------------------------------------------------------

    @property
    def subjects(self) -> tuple[str, ...]:
        """Subject ids, sorted."""
        return tuple(self.frame["subject"].cat.categories)

    @property
    def sequences(self) -> tuple[str, ...]:
        """Sequence labels, sorted; the first is the reference sequence of ``sequence_effect``."""
        return tuple(self.frame["sequence"].cat.categories)

    @property
    def periods(self) -> tuple[int, ...]:
        """Period numbers 1..P."""
        return tuple(range(1, int(self.frame["period"].max()) + 1))

    @property
    def coords(self) -> dict[str, list[Any]]:
        """Coordinates for the PyMC model (``period_contrast``: periods 2..P against period 1)."""
        return {
            "subject": list(self.subjects),
            "sequence": list(self.sequences),
            "sequence_contrast": list(self.sequences[1:]),
            "period": list(self.periods),
            "period_contrast": list(self.periods[1:]),
            "treatment": [self.reference, self.treatment],
            "obs": list(range(len(self.frame))),
        }

    @property
    def n_obs(self) -> int:
        """Number of observed subject x period rows."""
        return len(self.frame)

    @property
    def subject_index(self) -> np.ndarray:
        """Per row: index into :attr:`subjects`."""
        return _readonly(self.frame["subject"].cat.codes.to_numpy(dtype=int))

    @property
    def sequence_index(self) -> np.ndarray:
        """Per row: index into :attr:`sequences`."""
        return _readonly(self.frame["sequence"].cat.codes.to_numpy(dtype=int))

    @property
    def outcome(self) -> np.ndarray:
        """Per row: the outcome."""
        return _readonly(self.frame["outcome"].to_numpy(dtype=float))

    @property
    def baseline(self) -> np.ndarray | None:
        """Per row: the period baseline, or ``None``."""
        return _readonly(self.frame["baseline"].to_numpy(dtype=float)) if self.has_baseline else None

    # -- design matrices ---------------------------------------------------------------------

    @property
    def treated(self) -> np.ndarray:
        """Per row: 1 when the row's treatment is :attr:`treatment`, else 0."""
        return _readonly((self.frame["treatment"] == self.treatment).to_numpy(dtype=float))

    @property
    def period_matrix(self) -> np.ndarray:
        """Rows x (P - 1) indicators of periods 2..P (period 1 is the reference)."""
        p = self.frame["period"].to_numpy(dtype=int)
        return _readonly((p[:, None] == np.asarray(self.periods[1:])[None, :]).astype(float))

    @property
    def sequence_matrix(self) -> np.ndarray:
        """Rows x (S - 1) indicators of sequences 2..S (the first sorted sequence is the reference)."""
        s = self.sequence_index
        return _readonly((s[:, None] == np.arange(1, len(self.sequences))[None, :]).astype(float))

    @property
    def carryover_indicator(self) -> np.ndarray:
        """Per row: 1 when the subject received :attr:`treatment` in the previous period.

        First-order (differential) carry-over of the active treatment; 0 in period 1. It is
        taken from the sequence's order, so it is defined even after a missing earlier row.
        """
        out = np.zeros(self.n_obs)
        for i, (seq, per) in enumerate(zip(self.frame["sequence"], self.frame["period"], strict=True)):
            if per > 1:
                out[i] = float(self.sequence_orders[str(seq)][per - 2] == self.treatment)
        return _readonly(out)

    def design_matrix(self) -> pd.DataFrame:
        """Fixed-effect design matrix (intercept, periods, treatment, sequences, carry-over).

        For reading and for frequentist references; the model builder uses the same columns.
        """
        cols: dict[str, np.ndarray] = {"intercept": np.ones(self.n_obs)}
        for j, p in enumerate(self.periods[1:]):
            cols[f"period_{p}"] = self.period_matrix[:, j]
        cols["treated"] = self.treated
        for j, s in enumerate(self.sequences[1:]):
            cols[f"sequence_{s}"] = self.sequence_matrix[:, j]
        cols["carryover"] = self.carryover_indicator
        return pd.DataFrame(cols)

    def completers(self) -> pd.DataFrame:
        """Subjects observed in every period: wide frame (subject x period outcomes) with sequence."""
        wide = self.frame.pivot(index="subject", columns="period", values="outcome")
        wide = wide.dropna()
        seq = self.frame.drop_duplicates("subject").set_index("subject")["sequence"]
        wide.insert(0, "sequence", seq.loc[wide.index].astype(str))
        return wide

    def completeness(self) -> dict[str, int]:
        """How many subjects and subject-periods enter, and how many subjects miss a period."""
        counts = self.frame.groupby("subject", observed=True)["period"].size()
        n_periods = len(self.periods)
        return {"n_subjects": int(counts.size), "n_obs": int(self.n_obs),
                "n_complete_subjects": int((counts == n_periods).sum()),
                "n_incomplete_subjects": int((counts < n_periods).sum())}

    def complete_only(self) -> CrossoverData:
        """The subjects observed in every period (complete cases); the rest are dropped.

        The alternative to the mixed model's use of every observed period: a subject with one
        period contributes only between-subject information, which the complete-pairs analysis
        (the classical Hills-Armitage t-test) discards.
        """
        counts = self.frame.groupby("subject", observed=True)["period"].transform("size")
        kept = self.frame[counts.to_numpy() == len(self.periods)]
        raise_if(_WHAT, [] if len(kept) else ["no subject is observed in every period: no complete pairs to analyse"])
        # The canonical frame is already on the analysis scale: validate it as it is, keep the label.
        complete = CrossoverData.from_frame(kept.reset_index(drop=True), treatment=self.treatment,
                                            reference=self.reference)
        return dataclasses.replace(complete, scale=self.scale, columns=self.columns)

    def first_period(self) -> pd.DataFrame:
        """Period-1 rows (every randomised subject with a period-1 outcome): a parallel comparison."""
        return self.frame[self.frame["period"] == 1].reset_index(drop=True)

    def digest_payload(self) -> list[Any]:
        """What identifies the data, for :func:`bayes_ldn.designs._common.data_digest`."""
        f = self.frame
        return [
            f["subject"].astype(str).tolist(), f["sequence"].astype(str).tolist(),
            f["period"].tolist(), f["treatment"].astype(str).tolist(),
            np.asarray(f["outcome"], dtype=float),
            np.asarray(f["baseline"], dtype=float) if self.has_baseline else [],
            self.treatment, self.reference,
        ]

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        treatment: str,
        reference: str,
        columns: Mapping[str, str] | None = None,
        scale: str = "linear",
    ) -> CrossoverData:
        """Validate a tidy long frame and build :class:`CrossoverData`.

        Parameters
        ----------
        df : DataFrame
            One row per subject x period.
        treatment, reference : str
            Levels of the treatment column; effects are treatment minus reference.
        columns : mapping, optional
            Role -> the user's column name for ``subject``, ``sequence``, ``period``,
            ``treatment``, ``outcome`` and ``baseline`` (defaults: the role names). A
            ``baseline`` column is used only when mapped or present under its default name.
        scale : {"linear", "log"}
            ``"log"`` analyses the natural log of the outcome (and baseline): every value must be
            positive, and effects become log ratios of geometric means (``exp`` gives the ratio).

        Raises
        ------
        DataValidationError
            Listing every problem at once.
        """
        given = dict(columns or {})
        unknown = sorted(set(given) - set(COLUMN_ROLES))
        raise_if(_WHAT, [f"unknown column role(s) {unknown}; roles are {', '.join(COLUMN_ROLES)}"]
                 if unknown else [])
        cols = {role: given.get(role, role) for role in COLUMN_ROLES}
        has_baseline = "baseline" in given or "baseline" in df.columns
        problems: list[str] = []
        if str(treatment) == str(reference):
            problems.append(f"treatment and reference are the same level {treatment!r}; give two different levels")
        needed = [*_REQUIRED, *(["baseline"] if has_baseline else [])]
        missing = [f"{role} column {cols[role]!r}" for role in needed if cols[role] not in df.columns]
        if missing:
            problems.append(
                f"missing {', '.join(missing)}; the frame has columns {', '.join(map(str, df.columns))} "
                "(map roles to your names with columns={'subject': ...} or --subject/--period/...)"
            )
        if len(df) == 0:
            problems.append("the frame has no rows")
        problems += duplicate_column_problems(df, {r: cols[r] for r in needed})
        if scale not in ("linear", "log"):
            problems.append(f"scale must be 'linear' or 'log', got {scale!r}")
        raise_if(_WHAT, problems)
        return cls._validated(df, str(treatment), str(reference), cols, has_baseline, scale)

    @classmethod
    def _validated(
        cls, df: pd.DataFrame, treatment: str, reference: str, cols: dict[str, str], has_baseline: bool,
        scale: str = "linear",
    ) -> CrossoverData:
        frame, orders = checked_frame(df, treatment, reference, cols, has_baseline, scale)
        return cls(frame=frame, treatment=treatment, reference=reference, sequence_orders=orders,
                   has_baseline=has_baseline, columns=dict(cols), scale=scale)
