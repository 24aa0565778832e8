"""Hills-Armitage summary route: exact agreement with OLS on subject fixed effects."""

import numpy as np
import pytest
import statsmodels.formula.api as smf

from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.crossover_summaries import (
    SequenceSummary,
    hills_armitage,
    hills_armitage_likelihood,
    sequence_summaries,
)
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.exceptions import DataValidationError


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hills_armitage_equals_fixed_effects_ols(seed):
    # Unequal sequence sizes (odd n) so that a wrong pooling or halving shows.
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                  residual_sd=8.0, dropout=0.0, n_subjects=31, random_seed=seed)
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    est = hills_armitage(sequence_summaries(data), treatment="LDN", reference="placebo")
    f = data.frame.assign(treated=data.treated, subject=data.frame["subject"].astype(str))
    ols = smf.ols("outcome ~ C(subject) + C(period) + treated", f).fit()
    # An algebraic identity for complete 2x2 data: equal to rounding error.
    assert est.treatment_effect == pytest.approx(ols.params["treated"], abs=1e-9)
    assert est.se == pytest.approx(ols.bse["treated"], rel=1e-9)
    assert est.period_effect == pytest.approx(ols.params["C(period)[T.2]"], abs=1e-9)
    assert est.df == int(ols.df_resid)


def test_likelihood_is_aligned_and_documents_its_conversion():
    summaries = [
        SequenceSummary(sequence="AB", order=("LDN", "placebo"), n=30, mean_period_difference=-6.0, sd=10.0),
        SequenceSummary(sequence="BA", order=("placebo", "LDN"), n=28, mean_period_difference=2.0, sd=12.0),
    ]
    lik = hills_armitage_likelihood(summaries, treatment="LDN", reference="placebo", better="lower",
                                    units="FIQR points")
    pooled = np.sqrt((29 * 100 + 27 * 144) / 56)
    assert lik.estimate == pytest.approx(4.0)  # tau = (-6 - 2) / 2 = -4, lower is better
    assert lik.sign == -1
    assert lik.se == pytest.approx(0.5 * pooled * np.sqrt(1 / 30 + 1 / 28))
    assert lik.conversions[0].method == "hills_armitage"


def test_sequence_summary_validation():
    with pytest.raises(DataValidationError, match=r"n must be at least 2, got 1"):
        SequenceSummary(sequence="AB", order=("LDN", "placebo"), n=1, mean_period_difference=0.0, sd=1.0)
    with pytest.raises(DataValidationError, match=r"sd must be positive and finite"):
        SequenceSummary(sequence="AB", order=("LDN", "placebo"), n=5, mean_period_difference=0.0, sd=0.0)


def test_hills_armitage_needs_both_orders():
    s = SequenceSummary(sequence="AB", order=("LDN", "placebo"), n=5, mean_period_difference=0.0, sd=1.0)
    with pytest.raises(DataValidationError, match=r"no sequence with order placebo then LDN"):
        hills_armitage([s, s], treatment="LDN", reference="placebo")
