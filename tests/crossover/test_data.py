"""CrossoverData validation (one test per rule, message checked) and the simulator."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.simulate_crossover import SYNTHETIC_LABEL, simulate_crossover
from bayes_ldn.exceptions import DataValidationError


def build(frame, **kw):
    return CrossoverData.from_frame(frame, treatment="LDN", reference="placebo", **kw)


def test_valid_frame_builds_sorted_canonical_frame(small_data):
    assert small_data.subjects == ("s1", "s2", "s3", "s4")
    assert small_data.sequence_orders == {"AB": ("LDN", "placebo"), "BA": ("placebo", "LDN")}
    assert small_data.periods == (1, 2)
    assert small_data.has_baseline
    np.testing.assert_array_equal(small_data.treated, [1, 0, 1, 0, 0, 1, 0, 1])
    np.testing.assert_array_equal(small_data.period_matrix[:, 0], [0, 1] * 4)
    np.testing.assert_array_equal(small_data.sequence_matrix[:, 0], [0, 0, 0, 0, 1, 1, 1, 1])
    # AB subjects carry LDN into period 2; BA subjects carry placebo.
    np.testing.assert_array_equal(small_data.carryover_indicator, [0, 1, 0, 1, 0, 0, 0, 0])
    assert list(small_data.design_matrix().columns) == [
        "intercept", "period_2", "treated", "sequence_BA", "carryover"]


def test_data_are_frozen_and_arrays_read_only(small_data):
    with pytest.raises(dataclasses.FrozenInstanceError):
        small_data.treatment = "x"
    with pytest.raises(ValueError, match="read-only"):
        small_data.outcome[0] = 1.0


def test_column_mapping_keeps_user_names(small_frame):
    renamed = small_frame.rename(columns={"subject": "patient_id", "outcome": "fiqr", "period": "phase"})
    data = build(renamed, columns={"subject": "patient_id", "outcome": "fiqr", "period": "phase"})
    np.testing.assert_array_equal(data.outcome, build(small_frame).outcome)


def test_missing_column_names_role_and_flag(small_frame):
    with pytest.raises(DataValidationError, match=r"missing subject column 'patient_id'.*--subject"):
        build(small_frame, columns={"subject": "patient_id"})


def test_unknown_role_is_reported(small_frame):
    with pytest.raises(DataValidationError, match=r"unknown column role\(s\) \['arm'\]"):
        build(small_frame, columns={"arm": "treatment"})


def test_treatment_equal_to_reference(small_frame):
    with pytest.raises(DataValidationError, match="treatment and reference are the same level 'LDN'"):
        CrossoverData.from_frame(small_frame, treatment="LDN", reference="LDN")


def test_subject_in_two_sequences(small_frame):
    bad = small_frame.copy()
    bad.loc[1, "sequence"] = "BA"  # s1, period 2
    with pytest.raises(DataValidationError, match=r"subject\(s\) in more than one sequence: s1 \(AB/BA\)"):
        build(bad)


def test_treatment_order_contradicts_sequence(bested_like):
    frame, _ = bested_like
    bad = frame.copy()
    row = bad.index[(bad["subject"] == "S03") & (bad["period"] == 1)][0]
    seq = bad.loc[row, "sequence"]
    bad.loc[row, "treatment"] = "placebo" if bad.loc[row, "treatment"] == "LDN" else "LDN"
    expected = rf"treatment order contradicts the sequence for S03 \(sequence {seq}, period 1"
    with pytest.raises(DataValidationError, match=expected):
        build(bad)


def test_missing_first_period_is_an_incomplete_subject(small_frame):
    """A missed first visit is kept (mixed model), and complete_only() drops it; both say how many."""
    data = build(small_frame.drop(index=[4]))  # s3 has period 2 only
    assert data.completeness() == {"n_subjects": 4, "n_obs": 7, "n_complete_subjects": 3,
                                   "n_incomplete_subjects": 1}
    # Carry-over is read from the sequence's order, so it is defined after a missing period 1.
    row = data.frame.index[data.frame["subject"] == "s3"][0]
    assert data.carryover_indicator[row] == 0.0  # s3 is BA: placebo in period 1
    # Dropping s3 leaves sequence BA with one subject: complete pairs cannot be analysed here.
    with pytest.raises(DataValidationError, match=r"sequence\(s\) with a single subject: BA"):
        data.complete_only()
    six = pd.concat([small_frame, small_frame.assign(subject=small_frame["subject"] + "b")], ignore_index=True)
    complete = build(six.drop(index=[4])).complete_only()
    assert complete.completeness() == {"n_subjects": 7, "n_obs": 14, "n_complete_subjects": 7,
                                       "n_incomplete_subjects": 0}
    assert "s3" not in complete.subjects and complete.scale == "linear"


def test_repeated_period(small_frame):
    bad = pd.concat([small_frame, small_frame.iloc[[2]]], ignore_index=True)
    with pytest.raises(DataValidationError, match=r"repeated period for subject\(s\) s2 \(period 1\)"):
        build(bad)


def test_sequence_with_one_subject(small_frame):
    bad = small_frame[small_frame["subject"] != "s4"]
    with pytest.raises(DataValidationError, match=r"sequence\(s\) with a single subject: BA"):
        build(bad)


def test_single_sequence(small_frame):
    bad = small_frame[small_frame["sequence"] == "AB"]
    with pytest.raises(DataValidationError, match=r"only one sequence \(AB\)"):
        build(bad)


def test_same_order_in_every_sequence(small_frame):
    bad = small_frame.copy()
    bad.loc[bad["sequence"] == "BA", "treatment"] = ["LDN", "placebo"] * 2
    with pytest.raises(DataValidationError, match="every sequence has the same treatment order LDN/placebo"):
        build(bad)


@pytest.mark.parametrize("value", [np.nan, np.inf, "n/a"])
def test_non_finite_outcome(small_frame, value):
    bad = small_frame.astype({"outcome": object})
    bad.loc[3, "outcome"] = value
    with pytest.raises(DataValidationError, match=r"column 'outcome': non-finite outcome .* rows 4 \(subjects s2\)"):
        build(bad)


def test_non_finite_baseline(small_frame):
    bad = small_frame.copy()
    bad.loc[0, "baseline"] = np.nan
    with pytest.raises(DataValidationError, match=r"non-finite baseline .* rows 1 \(subjects s1\)"):
        build(bad)


def test_unknown_treatment_level(small_frame):
    bad = small_frame.copy()
    bad.loc[5, "treatment"] = "naltrexone"
    with pytest.raises(DataValidationError, match=r"unknown treatment level\(s\) \['naltrexone'\] in rows 6"):
        build(bad)


def test_bad_period_value(small_frame):
    bad = small_frame.astype({"period": object})
    bad.loc[0, "period"] = 1.5
    with pytest.raises(DataValidationError, match=r"period must be a positive integer .* rows 1"):
        build(bad)


def test_only_period_one(small_frame):
    with pytest.raises(DataValidationError, match="only period 1 is present"):
        build(small_frame[small_frame["period"] == 1])


def test_every_problem_reported_at_once(small_frame):
    bad = small_frame.astype({"outcome": object})
    bad.loc[0, "outcome"] = np.nan
    bad.loc[5, "treatment"] = "X"
    bad.loc[7, "sequence"] = "AB"
    with pytest.raises(DataValidationError) as info:
        build(bad)
    text = str(info.value)
    assert len(info.value.problems) == 3, text
    assert "non-finite outcome" in text and "unknown treatment" in text and "more than one sequence" in text


def test_dropout_after_period_one_is_kept(small_frame):
    data = build(small_frame.drop(index=[1]))  # s1 has period 1 only
    assert "s1" in data.subjects
    assert data.n_obs == 7
    assert len(data.completers()) == 3
    assert len(data.first_period()) == 4


def test_simulated_trial_is_labelled_synthetic_with_frozen_truth(bested_like):
    frame, truth = bested_like
    assert frame.attrs["synthetic"] is True
    assert (frame["data_source"] == SYNTHETIC_LABEL).all()
    assert frame["subject"].nunique() == 58
    # drop-outs happened and are kept by the validator
    assert frame.groupby("subject").size().min() == 1
    data = build(frame)
    assert len(data.subjects) == 58
    with pytest.raises(dataclasses.FrozenInstanceError):
        truth.treatment_effect = 0.0


def test_simulator_supports_three_period_designs():
    frame, truth = simulate_crossover(treatment_effect=1.0, period_effect=[0.5, 1.0], subject_sd=1.0,
                                      residual_sd=1.0, dropout=0.0, random_seed=3, n_subjects=12,
                                      sequences={"ABB": "ABB", "BAA": "BAA"})
    data = build(frame)
    assert data.periods == (1, 2, 3)
    assert data.sequence_orders["ABB"] == ("LDN", "placebo", "placebo")
    assert truth.period_effect == (0.5, 1.0)


def test_simulator_rejects_wrong_period_effect_length():
    with pytest.raises(DataValidationError, match=r"period_effect needs 2 value\(s\)"):
        simulate_crossover(treatment_effect=1.0, period_effect=0.5, subject_sd=1.0, residual_sd=1.0,
                           random_seed=1, sequences={"ABB": "ABB", "BAA": "BAA"})
