"""Prior presets' defining tail probabilities; records, alignment and bundled data."""

import json

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.records import align_sign, to_likelihood
from bayes_ldn.datasets import data_version, list_records, load_family, load_record
from bayes_ldn.exceptions import DataValidationError


@pytest.mark.parametrize("strength", list(pr.STRENGTHS))
@pytest.mark.parametrize("mcid", [0.5, 2.0, 14.1])
def test_preset_tail_probabilities(strength, mcid):
    tail = pr.STRENGTHS[strength]
    assert 1 - pr.skeptical(mcid=mcid, strength=strength).cdf(mcid) == pytest.approx(tail, abs=1e-12)
    assert pr.enthusiastic(mcid=mcid, strength=strength).cdf(0.0) == pytest.approx(tail, abs=1e-12)
    assert 1 - pr.pessimistic(mcid=mcid, strength=strength).cdf(0.0) == pytest.approx(tail, abs=1e-12)
    assert pr.skeptical(mcid=mcid, strength=strength).params["mu"] == 0.0


def test_andromeda_skeptical_sd():
    # docs/reference/check-cases.md section 7 (ANDROMEDA-SHOCK, JAMA 2019, PMC6439620): MCID OR 0.5247 -> skeptical N(0, 0.3920) on the log scale.
    import math

    # Both the MCID (0.5247) and the SD (0.3920) are printed to 4 decimals; propagating the
    # rounding of each gives |error| <= 1/(0.5247 z) x 5e-5 + 5e-5 = 1.1e-4.
    assert pr.skeptical(mcid=abs(math.log(0.5247))).params["sigma"] == pytest.approx(0.3920, abs=1.1e-4)


def test_prior_serialisation_round_trip():
    p = pr.student_t(0.0, 0.4, 3.0)
    assert pr.EffectPrior.from_dict(json.loads(p.to_json())) == p
    mix = pr.EffectPrior(name="robust", family="mixture", rationale="x",
                         params={"weights": [0.8, 0.2], "components": [pr.normal(0, 1).to_dict(), pr.normal(0, 10).to_dict()]})
    assert mix.cdf(0.0) == pytest.approx(0.5, abs=1e-12)
    expected = 0.8 * stats.norm.pdf(0.3, 0, 1) + 0.2 * stats.norm.pdf(0.3, 0, 10)
    assert float(mix.logpdf(0.3)) == pytest.approx(float(np.log(expected)), abs=1e-12)


@pytest.mark.parametrize(
    ("text", "match"),
    [("foo", "unknown prior name 'foo'"), ("skeptical", "give --mcid"), ("normal:0", "cannot read prior"),
     ("skeptical_huge", "unknown strength")],
)
def test_parse_prior_errors(text, match):
    with pytest.raises(DataValidationError, match=match):
        pr.parse_prior(text)


def test_every_record_loads_with_provenance():
    ids = list_records()
    assert {"final_cpm", "final_pain", "bested_fiqr", "bested_spir", "younger2013_pain", "innova_pain"} <= set(ids)
    for rid in ids:
        r = load_record(rid)
        assert r.source.doi and r.evidence and r.location
        primary = {"ABS", "TAB", "REG"} & set(r.evidence)
        assert primary or not r.verified  # SEC- or 3P-only numbers are never "verified"
    assert len(load_family("final_exploratory")) == 6
    assert len(data_version()["data_sha256"]) == 64


def test_unknown_record_and_unverified():
    with pytest.raises(DataValidationError, match="unknown record id 'nope'"):
        load_record("nope")
    with pytest.raises(DataValidationError, match="unverified"):
        load_record("final_tsp", require_verified=True)


def test_sign_alignment_once():
    assert align_sign("higher") == 1 and align_sign("lower") == -1
    tsp = to_likelihood(load_record("final_tsp"), "ci_normal")  # lower TSP is better
    assert tsp.estimate == pytest.approx(0.1) and tsp.sign == -1
    innova = to_likelihood(load_record("innova_pain"), "ci_normal")  # +0.49 favours placebo
    assert innova.estimate == pytest.approx(-0.49)


def test_median_needs_named_conversion():
    rec = load_record("bested_fiqr")
    with pytest.raises(DataValidationError, match="named median/IQR conversion"):
        to_likelihood(rec, "ci_normal")
    lik = to_likelihood(rec, "wan2014")
    assert "wan2014" in lik.conversion_note and lik.provenance["evidence"] == "ABS"
    with pytest.raises(DataValidationError, match="unknown conversion"):
        to_likelihood(rec, "magic")
