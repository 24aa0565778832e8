"""Validated patient-level data of a parallel-group trial (one or several outcomes).

The input is a tidy frame with one row per subject x outcome: subject, arm, outcome name
(optional: a single outcome), baseline, follow-up and optional covariates.
:meth:`ParallelData.from_frame` checks everything first and raises one
:class:`~bayes_ldn.exceptions.DataValidationError` listing every problem (unknown arm level,
an arm without subjects, missing or non-finite values, duplicated subject x outcome, a subject in
both arms), each with its column, rows (1-based data rows) and subjects, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from bayes_ldn.data.scale import to_log
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import array_problems, duplicate_column_problems

__all__ = ["DEFAULT_COLUMNS", "SINGLE_OUTCOME", "ParallelData"]

#: Role -> column name used when ``columns`` does not say otherwise.
DEFAULT_COLUMNS: dict[str, str | None] = {
    "subject": "subject",
    "arm": "arm",
    "outcome": "outcome",
    "baseline": "baseline",
    "followup": "followup",
}
#: Outcome name given to the data when the frame has no outcome column.
SINGLE_OUTCOME = "outcome"
_MAX_LISTED = 8


def _listing(values: Sequence) -> str:
    vals = [str(v) for v in values]
    more = len(vals) - _MAX_LISTED
    return ", ".join(vals[:_MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _rows(mask: np.ndarray) -> str:
    return _listing((np.flatnonzero(mask) + 1).tolist())


@dataclass(frozen=True, kw_only=True)
class ParallelData:
    """Long-format parallel-group data, one entry per subject x outcome (read-only arrays).

    Attributes
    ----------
    treatment, reference : str
        Arm levels; effects are treatment minus reference.
    outcomes, subjects : tuple of str
        Outcome names and subject ids (in order of first appearance).
    outcome_index, subject_index : ndarray of int
        Per row: index into ``outcomes`` / ``subjects``.
    treated : ndarray of int
        Per row: 1 for the treatment arm, 0 for the reference arm.
    baseline, followup : ndarray of float
        Per row: the outcome at baseline and at follow-up.
    covariate_names : tuple of str
    covariates : ndarray of float, shape (rows, covariates)
    """

    treatment: str
    reference: str
    outcomes: tuple[str, ...]
    subjects: tuple[str, ...]
    outcome_index: np.ndarray
    subject_index: np.ndarray
    treated: np.ndarray
    baseline: np.ndarray
    followup: np.ndarray
    covariate_names: tuple[str, ...] = ()
    covariates: np.ndarray | None = None
    scale: str = "linear"

    def __post_init__(self) -> None:
        # from_frame builds valid arrays; a direct construction is checked too, so that no NaN,
        # overflow or out-of-range index reaches a model (the checks are O(rows)).
        raise_if("parallel data", self._array_problems())
        if self.covariates is None:
            object.__setattr__(self, "covariates", np.zeros((self.baseline.size, 0)))
        for name in ("outcome_index", "subject_index", "treated", "baseline", "followup", "covariates"):
            getattr(self, name).setflags(write=False)

    def _array_problems(self) -> list[str]:
        """Every problem with the arrays of a directly constructed instance."""
        arrays = {name: getattr(self, name) for name in ("outcome_index", "subject_index", "treated", "baseline",
                                                         "followup")}
        not_arrays = [name for name, a in arrays.items() if not isinstance(a, np.ndarray) or a.ndim != 1]
        if not_arrays:
            return [f"{', '.join(not_arrays)} must be 1-D NumPy arrays (build the data with ParallelData.from_frame)"]
        out = []
        n = self.followup.size
        if any(a.size != n for a in arrays.values()):
            out.append(f"the per-row arrays differ in length ({', '.join(f'{k}: {a.size}' for k, a in arrays.items())})")
        for name in ("baseline", "followup"):
            a = arrays[name]
            if a.dtype.kind not in "iuf" or not np.all(np.isfinite(a)):
                out.append(f"{name} must hold finite numbers (build the data with ParallelData.from_frame, which "
                           "reports the rows)")
            else:
                out += array_problems(a.astype(float), what=name, rows=_rows)
        for name, size in (("outcome_index", len(self.outcomes)), ("subject_index", len(self.subjects)),
                           ("treated", 2)):
            a = arrays[name]
            if a.dtype.kind not in "iu" or (a.size and (a.min() < 0 or a.max() >= size)):
                out.append(f"{name} must hold integers in [0, {size - 1}]")
        cov = self.covariates
        if cov is not None and not (isinstance(cov, np.ndarray) and cov.shape == (n, len(self.covariate_names))
                                    and cov.dtype.kind in "iuf" and np.all(np.isfinite(cov))):
            out.append(f"covariates must be a finite array of shape ({n}, {len(self.covariate_names)})")
        if self.scale not in ("linear", "log"):
            out.append(f"scale must be 'linear' or 'log', got {self.scale!r}")
        return out

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        treatment: str,
        reference: str,
        columns: Mapping[str, str | None] | None = None,
        covariates: Sequence[str] = (),
        scale: str = "linear",
    ) -> ParallelData:
        """Validate a tidy frame and build :class:`ParallelData`.

        Parameters
        ----------
        df : DataFrame
            One row per subject x outcome.
        treatment, reference : str
            Levels of the arm column.
        columns : mapping, optional
            Role -> column name for ``subject``, ``arm``, ``outcome``, ``baseline``,
            ``followup`` (defaults: the role names). ``outcome: None`` (or no ``outcome``
            column under the default) means a single outcome; ``subject: None`` (or no
            ``subject`` column under the default) means one row per subject.
        covariates : sequence of str
            Numeric baseline covariates (centred by the model builders; never logged).
        scale : {"linear", "log"}
            ``"log"`` analyses the natural logs of baseline and follow-up (every value must be
            positive); the effect is then a log ratio of geometric means.

        Raises
        ------
        DataValidationError
            Listing every problem at once.
        """
        what = "parallel-group data"
        given = dict(columns or {})
        unknown_roles = sorted(set(given) - set(DEFAULT_COLUMNS))
        raise_if(what, [f"unknown column role(s) {unknown_roles}; roles are {', '.join(DEFAULT_COLUMNS)}"]
                 if unknown_roles else [])
        cols = {**DEFAULT_COLUMNS, **given}
        for optional in ("outcome", "subject"):
            if optional not in given and cols[optional] not in df.columns:
                cols[optional] = None
        problems: list[str] = []
        if str(treatment) == str(reference):
            problems.append(f"treatment and reference are the same level {treatment!r}; give two different arms")
        required = [(role, cols[role]) for role in ("arm", "baseline", "followup")]
        required += [(role, cols[role]) for role in ("subject", "outcome") if cols[role] is not None]
        required += [("covariate", c) for c in covariates]
        missing = [f"{role} column {col!r}" for role, col in required if col not in df.columns]
        if missing:
            problems.append(
                f"missing {', '.join(missing)}; the frame has columns {', '.join(map(str, df.columns))} "
                "(map roles to your column names with columns={...} or --arm/--baseline/...)"
            )
        if len(df) == 0:
            problems.append("the frame has no rows")
        problems += duplicate_column_problems(df, dict(required))
        if scale not in ("linear", "log"):
            problems.append(f"scale must be 'linear' or 'log', got {scale!r}")
        raise_if(what, problems)

        arm = df[cols["arm"]].astype("string")
        outcome = (df[cols["outcome"]].astype("string") if cols["outcome"] is not None
                   else pd.Series(SINGLE_OUTCOME, index=df.index, dtype="string"))
        subject = (df[cols["subject"]].astype("string") if cols["subject"] is not None
                   else pd.Series([f"row{i + 1}" for i in range(len(df))], index=df.index, dtype="string"))
        levels = {str(treatment), str(reference)}

        bad_arm = (~arm.isin(levels) | arm.isna()).to_numpy()
        if bad_arm.any():
            found = sorted(set(arm[bad_arm].fillna("<missing>")))
            problems.append(
                f"column {cols['arm']!r}: unknown arm level(s) {found} in rows {_rows(bad_arm)}; "
                f"expected {treatment!r} (treatment) or {reference!r} (reference): recode or drop these rows, "
                "or fix --active/--control"
            )
        for role, ser in (("subject", subject), ("outcome", outcome)):
            if cols[role] is not None and ser.isna().any():
                m = ser.isna().to_numpy()
                problems.append(f"column {cols[role]!r}: missing {role} in rows {_rows(m)}; fill it in")

        numeric: dict[str, np.ndarray] = {}
        for role in ("baseline", "followup", *[f"covariate:{c}" for c in covariates]):
            col = cols[role] if not role.startswith("covariate:") else role.split(":", 1)[1]
            raw = df[col]
            values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
            not_number = (raw.notna() & np.isnan(values)).to_numpy()
            missing_v = raw.isna().to_numpy()
            infinite = np.isinf(values)
            label = role.split(":", 1)[0]
            if not_number.any():
                problems.append(
                    f"column {col!r}: non-numeric {label} value(s) in rows {_rows(not_number)} "
                    f"(subjects {_listing(subject[not_number].tolist())}); write plain numbers"
                )
            if missing_v.any():
                problems.append(
                    f"column {col!r}: missing {label} in rows {_rows(missing_v)} "
                    f"(subjects {_listing(subject[missing_v].tolist())}); the models need complete "
                    "cases: impute before, or drop these rows"
                )
            if infinite.any():
                problems.append(
                    f"column {col!r}: non-finite {label} value(s) (inf) in rows {_rows(infinite)} "
                    f"(subjects {_listing(subject[infinite].tolist())}); replace them with finite numbers"
                )
            if scale == "log" and role in ("baseline", "followup"):
                values = to_log(values, f"column {col!r}", label, problems,
                                lambda m: f"rows {_rows(m)} (subjects {_listing(subject[m].tolist())})")
            problems += array_problems(values, what=f"column {col!r} ({label})", rows=_rows)
            numeric[role] = values

        if cols["subject"] is None and outcome.nunique() > 1:
            problems.append(
                f"the frame holds {outcome.nunique()} outcomes but no subject column: name the column "
                "that links one subject's rows (columns={'subject': ...} or --subject)"
            )
        key = pd.DataFrame({"s": subject, "o": outcome})
        dup = key.duplicated(keep=False).to_numpy() & key.notna().all(axis=1).to_numpy()
        if dup.any():
            pairs = sorted({f"{s} x {o}" for s, o in key[dup].itertuples(index=False)})
            where = f"column {cols['subject']!r}" if cols["subject"] is not None else "rows"
            problems.append(
                f"{where}: duplicated subject x outcome {_listing(pairs)} in rows {_rows(dup)}; "
                "keep one row per subject and outcome"
            )
        ok_arm = ~bad_arm
        arms_per_subject = pd.Series(arm[ok_arm].to_numpy(), index=subject[ok_arm].to_numpy()).groupby(level=0).nunique()
        both = arms_per_subject[arms_per_subject > 1].index.tolist()
        if both:
            problems.append(
                f"column {cols['arm']!r}: subject(s) {_listing(both)} appear in both arms; "
                "a parallel-group subject belongs to one arm"
            )
        for out_name in pd.unique(outcome.dropna()):
            in_outcome = (outcome == out_name).fillna(False).to_numpy()
            for level, role in ((str(treatment), "treatment"), (str(reference), "reference")):
                if not ((arm == level).fillna(False).to_numpy() & in_outcome).any():
                    where = f" for outcome {out_name!r}" if cols["outcome"] is not None else ""
                    problems.append(
                        f"column {cols['arm']!r}: the {role} arm {level!r} has no subjects{where}; "
                        f"each arm needs data (levels present: {_listing(sorted(set(arm.dropna())))})"
                    )
        raise_if(what, problems)

        outcomes = tuple(str(o) for o in pd.unique(outcome))
        subjects = tuple(str(s) for s in pd.unique(subject))
        cov = (np.column_stack([numeric[f"covariate:{c}"] for c in covariates])
               if covariates else np.zeros((len(df), 0)))
        return cls(
            treatment=str(treatment),
            reference=str(reference),
            outcomes=outcomes,
            subjects=subjects,
            outcome_index=np.array([outcomes.index(str(o)) for o in outcome], dtype=int),
            subject_index=np.array([subjects.index(str(s)) for s in subject], dtype=int),
            treated=(arm == str(treatment)).to_numpy(dtype=int),
            baseline=numeric["baseline"],
            followup=numeric["followup"],
            covariate_names=tuple(covariates),
            covariates=cov,
            scale=scale,
        )

    # -- views -------------------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        """Number of subject x outcome rows."""
        return int(self.baseline.size)

    @property
    def change(self) -> np.ndarray:
        """Follow-up minus baseline, per row."""
        return self.followup - self.baseline

    def arm_sizes(self) -> dict[str, int]:
        """Subjects per arm (over all outcomes)."""
        treated_subjects = np.unique(self.subject_index[self.treated == 1]).size
        reference_subjects = np.unique(self.subject_index[self.treated == 0]).size
        return {self.treatment: int(treated_subjects), self.reference: int(reference_subjects)}

    def select(self, outcome: str) -> ParallelData:
        """The rows of one outcome, as single-outcome data."""
        if outcome not in self.outcomes:
            raise DataValidationError(
                "outcome", [f"unknown outcome {outcome!r}; the data hold {', '.join(self.outcomes)}"]
            )
        keep = self.outcome_index == self.outcomes.index(outcome)
        subj = self.subject_index[keep]
        used = np.unique(subj)
        return replace(
            self,
            outcomes=(outcome,),
            subjects=tuple(self.subjects[i] for i in used),
            outcome_index=np.zeros(int(keep.sum()), dtype=int),
            subject_index=np.searchsorted(used, subj),
            treated=self.treated[keep].copy(),
            baseline=self.baseline[keep].copy(),
            followup=self.followup[keep].copy(),
            covariates=self.covariates[keep].copy(),
        )

    def to_frame(self) -> pd.DataFrame:
        """Back to the canonical tidy frame (subject, arm, outcome, baseline, followup, covariates)."""
        out = pd.DataFrame({
            "subject": [self.subjects[i] for i in self.subject_index],
            "arm": np.where(self.treated == 1, self.treatment, self.reference),
            "outcome": [self.outcomes[i] for i in self.outcome_index],
            "baseline": self.baseline,
            "followup": self.followup,
        })
        for j, name in enumerate(self.covariate_names):
            out[name] = self.covariates[:, j]
        return out
