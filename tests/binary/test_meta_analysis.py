"""The binomial-normal meta-analysis against the WinBUGS "Blocker" example, and its SBC.

Published reference: Carlin (1992)'s 22 beta-blocker trials (mortality after myocardial infarction),
analysed in the BUGS examples ("Blocker", WinBUGS/OpenBUGS Examples Vol. 1; MultiBUGS example
page https://www.multibugs.org/examples/latest/Blockers.html) with mu_i ~ N(0, 1e5), d ~ N(0, 1e6)
(variances), delta_i ~ N(d, 1/tau), tau ~ Gamma(0.001, 0.001) on the precision. Its printed results
(20,000 iterations): d mean -0.2502 (MC error 0.001762), SD 0.06137; delta.new mean -0.2501
(0.002002), SD 0.1443; sigma mean 0.1134 (0.002498), median 0.1008.
"""

import json

import numpy as np
import pytest

from bayes_ldn.cli import main
from bayes_ldn.data.binary import two_by_two
from bayes_ldn.synthesis import parse_tau_prior
from bayes_ldn.synthesis.binomial import BinaryStudy, log_odds_ratios, normal_approximation
from tests.helpers import mcse_mean

RT = [3, 7, 5, 102, 28, 4, 98, 60, 25, 138, 64, 45, 9, 57, 25, 33, 28, 8, 6, 32, 27, 22]
NT = [38, 114, 69, 1533, 355, 59, 945, 632, 278, 1916, 873, 263, 291, 858, 154, 207, 251, 151, 174, 209, 391, 680]
RC = [3, 14, 11, 127, 27, 6, 152, 48, 37, 188, 52, 47, 16, 45, 31, 38, 12, 6, 3, 40, 43, 39]
NC = [39, 116, 93, 1520, 365, 52, 939, 471, 282, 1921, 583, 266, 293, 883, 147, 213, 122, 154, 134, 218, 364, 674]
BLOCKER = [BinaryStudy(f"trial{i + 1}", two_by_two(RT[i], NT[i], RC[i], NC[i])) for i in range(22)]
#: BUGS "Blocker" results: (mean, Monte Carlo error).
BUGS = {"d": (-0.2502, 0.001762), "delta_new": (-0.2501, 0.002002), "sigma": (0.1134, 0.002498)}
K = 4.5


def _write(tmp_path, rows):
    path = tmp_path / "studies.csv"
    path.write_text("study,events_treatment,n_treatment,events_control,n_control\n"
                    + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


@pytest.mark.slow
def test_binomial_normal_reproduces_the_bugs_blocker_example():
    from bayes_ldn.fit import fit
    from bayes_ldn.synthesis.binomial import binomial_normal_model

    model = binomial_normal_model(BLOCKER, better="lower", tau_prior=parse_tau_prior("gamma_precision:0.001,0.001"),
                                  mu_prior=(0.0, 1000.0), baseline_sd=316.2)
    idata = fit(model, random_seed=20, draws=2000, var_names_check=["mu", "tau", "theta_new"])
    post = idata["posterior"]
    for name, draws in (("d", post["log_odds_ratio"]), ("delta_new", -post["theta_new"]), ("sigma", post["tau"])):
        mean, bugs_mcse = BUGS[name]
        tol = K * np.hypot(mcse_mean(draws), bugs_mcse)
        assert abs(float(draws.mean()) - mean) <= tol, (name, float(draws.mean()), mean, tol)


def test_normal_approximation_on_the_blocker_trials_matches_bugs_where_the_approximation_holds():
    # Large trials, no zero cells: the normal approximation on log ORs is close to the binomial model.
    post, notes = normal_approximation(BLOCKER, better="lower",
                                       tau_prior=parse_tau_prior("gamma_precision:0.001,0.001"), mu_prior=None)
    assert notes == []
    assert abs(-post.mu.mean - BUGS["d"][0]) < 0.01 and abs(post.tau_mean - BUGS["sigma"][0]) < 0.01


def test_reweighted_quadrature_equals_the_direct_quadrature_for_a_half_normal_prior():
    from bayes_ldn.stats import normal_hierarchical

    studies = BLOCKER[:6]
    prior = parse_tau_prior("halfnormal:0.5")
    post, _ = normal_approximation(studies, better="higher", tau_prior=prior, mu_prior=(0.0, 2.0))
    _, y, se, _ = log_odds_ratios(studies)
    direct = normal_hierarchical(y, se, tau_prior=prior, mu_prior=(0.0, 2.0), panels=400)
    assert post.mu.mean == pytest.approx(direct.mu.mean, abs=1e-6)
    assert post.mu.prob_above(0.0) == pytest.approx(direct.mu.prob_above(0.0), abs=1e-6)
    assert post.tau_mean == pytest.approx(direct.tau_mean, abs=1e-5)


def test_zero_cells_get_the_stated_continuity_correction_only_in_the_approximation():
    studies = [BinaryStudy("a", two_by_two(0, 20, 3, 20)), BinaryStudy("b", two_by_two(0, 10, 0, 10)),
               BinaryStudy("c", two_by_two(5, 30, 9, 30))]
    labels, y, se, notes = log_odds_ratios(studies)
    assert labels == ["a", "c"]
    assert y[0] == pytest.approx(np.log(0.5 * 17.5 / (20.5 * 3.5)))
    assert any("0.5 added" in n for n in notes) and any("left out" in n for n in notes)


def test_synthesize_refuses_bad_count_rows_in_one_message(tmp_path, capsys):
    path = _write(tmp_path, [("A", 12, 10, 3, 10), ("B", -1, 0, "x", 10), ("A", 1, 5, 1, 5)])
    assert main(["synthesize", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert "exceeds n_treatment" in err and "must not be negative" in err and "whole number" in err
    assert "appears twice" in err and "Traceback" not in err


@pytest.mark.slow
def test_synthesize_from_counts_prints_both_models_side_by_side(tmp_path, capsys):
    path = _write(tmp_path, [(f"t{i}", RT[i], NT[i], RC[i], NC[i]) for i in range(6)] + [("zero", 0, 40, 2, 41)])
    assert main(["synthesize", "--data", str(path), "--better", "lower", "--tau-prior", "turner:mortality",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"binomial_normal", "normal_approximation", "continuity_correction", "tau_prior"}
    assert out["binomial_normal"]["r_hat"] < 1.01
    assert "0.5 added" in " ".join(out["continuity_correction"])
    assert out["tau_prior"]["family"] == "turner_lognormal"


@pytest.mark.sbc
def test_sbc_binomial_normal_is_uniform():
    # Measured: 1000 sims, 20 bins, 8 targets, min p 0.024 (theta[3]) against alpha 0.01/8; 12 divergent
    # transitions in 12 of 1000 fits; 217 s on one core.
    from tests.simulation._sbc_models import assert_sbc_uniform

    assert_sbc_uniform("binomial_normal", n_sims=1000, bins=20)
