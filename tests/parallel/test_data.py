"""Validation of parallel-group frames: every rule has a message test."""

import numpy as np
import pandas as pd
import pytest

from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.exceptions import DataValidationError


def build(df, **kw):
    return ParallelData.from_frame(df, treatment="LDN", reference="placebo", **kw)


def test_valid_frame_round_trips(tidy_frame):
    data = build(tidy_frame, covariates=["age"])
    assert data.outcomes == ("cpm", "tsp")
    assert data.arm_sizes() == {"LDN": 3, "placebo": 3}
    back = data.to_frame()
    pd.testing.assert_frame_equal(back[["subject", "arm", "outcome", "baseline", "followup", "age"]],
                                  tidy_frame[["subject", "arm", "outcome", "baseline", "followup", "age"]],
                                  check_dtype=False)
    one = data.select("tsp")
    assert one.outcomes == ("tsp",) and one.n_rows == 6
    np.testing.assert_array_equal(one.change, (tidy_frame.followup - tidy_frame.baseline)[1::2])
    with pytest.raises(ValueError):
        one.baseline[0] = 1.0  # read-only


def test_single_outcome_without_outcome_or_subject_column(tidy_frame):
    df = tidy_frame[tidy_frame.outcome == "cpm"].drop(columns=["outcome", "subject"])
    data = build(df)
    assert data.outcomes == ("outcome",) and data.subjects[0] == "row1"


def test_unknown_arm_level_names_rows_and_fix(tidy_frame):
    tidy_frame.loc[3, "arm"] = "LDN 4.5mg"
    with pytest.raises(DataValidationError, match=r"unknown arm level\(s\) \['LDN 4.5mg'\] in rows 4;.*recode"):
        build(tidy_frame)


def test_empty_arm_reported_per_outcome(tidy_frame):
    df = tidy_frame[~((tidy_frame.outcome == "tsp") & (tidy_frame.arm == "placebo"))]
    with pytest.raises(DataValidationError, match=r"reference arm 'placebo' has no subjects for outcome 'tsp'"):
        build(df)


def test_missing_baseline_names_subjects(tidy_frame):
    tidy_frame.loc[[0, 5], "baseline"] = np.nan
    with pytest.raises(DataValidationError, match=r"column 'baseline': missing baseline in rows 1, 6 \(subjects s0, s2\).*drop"):
        build(tidy_frame)


def test_non_finite_and_non_numeric_values(tidy_frame):
    tidy_frame["followup"] = tidy_frame["followup"].astype(object)
    tidy_frame.loc[2, "followup"] = np.inf
    tidy_frame.loc[4, "followup"] = "n/a?"
    with pytest.raises(DataValidationError) as err:
        build(tidy_frame)
    msg = str(err.value)
    assert "non-finite followup value(s) (inf) in rows 3 (subjects s1)" in msg
    assert "non-numeric followup value(s) in rows 5 (subjects s2)" in msg


def test_duplicated_subject_outcome(tidy_frame):
    df = pd.concat([tidy_frame, tidy_frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataValidationError, match=r"duplicated subject x outcome s0 x cpm in rows 1, 13; keep one row"):
        build(df)


def test_subject_in_both_arms(tidy_frame):
    tidy_frame.loc[1, "arm"] = "placebo"
    with pytest.raises(DataValidationError, match=r"subject\(s\) s0 appear in both arms"):
        build(tidy_frame)


def test_missing_columns_and_same_levels_reported_together(tidy_frame):
    with pytest.raises(DataValidationError) as err:
        ParallelData.from_frame(tidy_frame, treatment="LDN", reference="LDN",
                                columns={"baseline": "week0"}, covariates=["bmi"])
    msg = str(err.value)
    assert "2 problem(s)" in msg
    assert "treatment and reference are the same level 'LDN'" in msg
    assert "missing baseline column 'week0', covariate column 'bmi'" in msg


def test_missing_covariate_value(tidy_frame):
    tidy_frame.loc[0, "age"] = np.nan
    with pytest.raises(DataValidationError, match=r"column 'age': missing covariate in rows 1"):
        build(tidy_frame, covariates=["age"])


def test_unknown_role_and_empty_frame(tidy_frame):
    with pytest.raises(DataValidationError, match=r"unknown column role\(s\) \['group'\]"):
        build(tidy_frame, columns={"group": "arm"})
    with pytest.raises(DataValidationError, match=r"the frame has no rows"):
        build(tidy_frame.iloc[:0])


def test_all_problems_at_once(tidy_frame):
    tidy_frame.loc[0, "arm"] = "other"
    tidy_frame.loc[2, "baseline"] = np.nan
    tidy_frame.loc[4, "followup"] = -np.inf
    with pytest.raises(DataValidationError) as err:
        build(tidy_frame)
    assert len(err.value.problems) == 3


def test_select_unknown_outcome(tidy_frame):
    with pytest.raises(DataValidationError, match=r"unknown outcome 'pain'; the data hold cpm, tsp"):
        build(tidy_frame).select("pain")


def test_several_outcomes_need_subject_column(tidy_frame):
    with pytest.raises(DataValidationError, match=r"holds 2 outcomes but no subject column"):
        build(tidy_frame.drop(columns=["subject"]))
