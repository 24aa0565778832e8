"""Binary outcomes in the main job: decision rows, quadrature of the logistic presets, benefit with harm."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.datasets import list_binary, load_binary
from bayes_ldn.reanalysis_binary import (
    BENEFIT_HARM_PAIRS,
    BINARY_ANALYSES,
    benefit_harm_table,
    binary_decision_table,
    binary_exact_draws,
    binary_markdown,
)
from bayes_ldn.stats_binary import beta_binomial_posterior
from bayes_ldn.stats_binary_grid import logistic_grid_posterior
from bayes_ldn.summaries import DECISION_COLUMNS

K = 4.5


@pytest.fixture(scope="module")
def exact():
    return binary_exact_draws(0.95, 100_000, 20261207)


@pytest.fixture(scope="module")
def table(exact):
    return binary_decision_table(exact=exact)


def test_every_bundled_table_with_counts_is_analysed_and_the_rest_say_why():
    analysed = {a.record for a in BINARY_ANALYSES}
    assert analysed == set(list_binary(with_counts=True))
    for rid in set(list_binary()) - analysed:
        assert load_binary(rid).unusable


def test_rows_have_the_decision_columns_and_vague_rows_match_quadrature(table):
    assert list(table.columns) == ["spec", *DECISION_COLUMNS]
    for a in BINARY_ANALYSES:
        rec = load_binary(a.record)
        post = beta_binomial_posterior(*rec.counts.as_tuple(), prior_t=(0.5, 0.5), prior_c=(0.5, 0.5))
        rows = table[(table["spec"] == a.id) & (table["prior"] == "vague")]
        rd = rows[rows["scale"] == "linear"].iloc[0]
        exact_better = post.prob_above("rd", 0.0) if rec.better == "higher" else 1 - post.prob_above("rd", 0.0)
        assert abs(rd["prob_better"] - exact_better) <= K * rd["mcse"]
        above = post.prob_above("rd", a.mcid_rd) if rec.better == "higher" else 1 - post.prob_above("rd", -a.mcid_rd)
        assert abs(rd["prob_better_than_mcid"] - above) <= K * rd["mcse"]
        rope = post.cdf("rd", a.mcid_rd / 2) - post.cdf("rd", -a.mcid_rd / 2)
        assert rd["rope"] == a.mcid_rd / 2 and abs(rd["prob_rope"] - rope) <= K * rd["mcse"]
        assert rd["evidence"] == "+".join(rec.evidence) and "exact binomial" in rd["conversions"]


@pytest.mark.parametrize("tab", [(20, 49, 13, 50), (4, 49, 3, 50), (41, 49, 43, 50)])
def test_logistic_quadrature_under_a_flat_effect_prior_equals_the_closed_form(tab):
    # Flat prior on the log OR + Logistic(0, 1) baseline = Haldane (treatment) x Beta(1, 1) (control).
    grid = logistic_grid_posterior(*tab, sign=1, prior_logpdf=lambda x: np.zeros_like(x),
                                   baseline_logpdf=stats.logistic.logpdf)
    post = beta_binomial_posterior(*tab, prior_t=(0.0, 0.0), prior_c=(1.0, 1.0))
    for measure, mcid in (("or", np.log(1.5)), ("rd", 0.1)):
        s = grid.summary(measure, sign=1, mcid=mcid)
        assert s.mean == pytest.approx(post.mean(measure), abs=1e-6)  # grid truncated at 9 SE
        # Midpoint-rule quantiles and tail probabilities: measured errors below 6e-4 on these tables.
        for got, q in ((s.median, 0.5), (s.lower, 0.025), (s.upper, 0.975)):
            assert got == pytest.approx(post.ppf(measure, q), abs=1e-3)
        assert s.probs["prob_better"] == pytest.approx(post.prob_above(measure, 0.0), abs=1e-3)
        assert s.probs["prob_better_than_mcid"] == pytest.approx(post.prob_above(measure, mcid), abs=1e-3)
        s_rope = grid.summary(measure, sign=1, rope=mcid / 2)
        assert s_rope.probs["prob_rope"] == pytest.approx(post.cdf(measure, mcid / 2) - post.cdf(measure, -mcid / 2),
                                                          abs=1e-3)


def test_presets_order_the_answers_as_they_should(table):
    rows = table[(table["spec"] == "final-responders-30") & (table["scale"] == "log")].set_index("prior")
    p = rows["prob_better"]
    assert p["pessimistic_moderate"] < p["skeptical_moderate"] < p["vague"] < p["enthusiastic_moderate"]
    # The skeptical prior N(0, log(1.5)/1.645) pulls the log OR towards 0.
    assert 0 < rows.loc["skeptical_moderate", "median"] < rows.loc["vague", "median"]


def test_benefit_and_harm_together_is_the_product_of_the_two_exact_probabilities(exact):
    joint = benefit_harm_table(exact)
    assert len(joint) == len(BENEFIT_HARM_PAIRS)
    by_id = {a.id: a for a in BINARY_ANALYSES}
    for _, r in joint.iterrows():
        rb, rh = load_binary(by_id[r["benefit"]].record), load_binary(by_id[r["harm"]].record)
        pb = beta_binomial_posterior(*rb.counts.as_tuple(), prior_t=(0.5, 0.5), prior_c=(0.5, 0.5)) \
            .prob_above("rd", r["benefit_mcid_rd"])
        # Excess harm (treatment minus control risk) below the threshold.
        ph = 1 - beta_binomial_posterior(*rh.counts.as_tuple(), prior_t=(0.5, 0.5), prior_c=(0.5, 0.5)) \
            .prob_above("rd", r["harm_threshold_rd"])
        assert abs(r["prob_joint"] - pb * ph) <= K * r["mcse_joint"]
        assert "independent" in r["dependence"]


def test_markdown_states_the_seed_the_thresholds_and_what_was_left_out(table, exact):
    md = binary_markdown(table, benefit_harm_table(exact))
    assert "seed 20261207" in md and "younger2013_responders" in md and "independent" in md
    assert "1.000" not in md


def test_report_part_has_its_table_and_figure():
    from bayes_ldn.report.binary import binary_part

    t = pd.concat([binary_decision_table()], ignore_index=True)
    part = binary_part(t)
    assert part.anchor == "responders-harms" and part.figure is not None
    assert "assuming independence" in part.body and "Younger 2013" in part.body
    assert part.with_image(part.figure.render()).body.count("<img") == 1


def test_write_reanalysis_adds_the_binary_rows_and_files(tmp_path):
    from bayes_ldn.reanalysis import write_reanalysis

    table = write_reanalysis(tmp_path / "out")
    written = pd.read_csv(tmp_path / "out" / "decisions.csv")
    ids = {a.id for a in BINARY_ANALYSES}
    assert ids <= set(written["spec"]) and len(written) == len(table)
    assert (tmp_path / "out" / "binary_outcomes.md").read_text().startswith("# Responders and harms")
    joint = pd.read_csv(tmp_path / "out" / "benefit_harm.csv")
    assert len(joint) == len(BENEFIT_HARM_PAIRS)
    only_specs = write_reanalysis(tmp_path / "plain", binary=False)
    assert not set(only_specs["spec"]) & ids
