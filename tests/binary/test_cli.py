"""``bayes-ldn posterior`` on a 2x2 table: the JSON fields, the numbers, and bad input."""

import json

import numpy as np
import pytest

from bayes_ldn.cli import main
from bayes_ldn.stats_binary import beta_binomial_posterior

TABLE = ["--events-treatment", "20", "--n-treatment", "49", "--events-control", "13", "--n-control", "50"]
K = 4.5


def _json(capsys, *args):
    assert main(["posterior", *TABLE, "--better", "higher", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("measure", "mcid", "delta"), [("rd", "0.1", 0.1), ("rr", "1.25", np.log(1.25)),
                                                        ("or", "1.5", np.log(1.5))])
def test_json_fields_on_the_natural_scale_match_the_exact_posterior(capsys, measure, mcid, delta):
    out = _json(capsys, "--measure", measure, "--mcid", mcid, "--draws", "40000", "--random-seed", "7")
    for key in ("mean", "median", "lower", "upper", "prob_better", "prob_better_than_mcid"):
        assert key in out
    post = beta_binomial_posterior(20, 49, 13, 50, prior_t=(0.5, 0.5), prior_c=(0.5, 0.5))
    for key, delta_ in (("prob_better", 0.0), ("prob_better_than_mcid", delta)):
        assert abs(out[key] - post.prob_above(measure, delta_)) <= K * out["mcse"][key]
    # Natural scale: the ratio's median is exp of the log-scale median; RD is a proportion.
    lo_exact = post.ppf(measure, 0.025)
    if measure == "rd":
        assert -1 < out["lower"] < out["median"] < out["upper"] < 1
        assert out["lower"] == pytest.approx(lo_exact, abs=0.01)
    else:
        assert out["median"] == pytest.approx(np.exp(out["median_log"]))
        assert np.log(out["lower"]) == pytest.approx(lo_exact, abs=0.03)
    assert out["random_seed"] == 7


def test_the_seed_reproduces_the_draws(capsys):
    a = _json(capsys, "--random-seed", "3", "--draws", "5000")
    b = _json(capsys, "--random-seed", "3", "--draws", "5000")
    assert a == b


def test_harms_lower_is_better(capsys):
    assert main(["posterior", "--events-treatment", "4", "--n-treatment", "49", "--events-control", "3",
                 "--n-control", "50", "--better", "lower", "--json", "--draws", "20000"]) == 0
    out = json.loads(capsys.readouterr().out)
    post = beta_binomial_posterior(4, 49, 3, 50, prior_t=(0.5, 0.5), prior_c=(0.5, 0.5))
    assert abs(out["prob_better"] - (1 - post.prob_above("rd", 0.0))) <= K * out["mcse"]["prob_better"]


@pytest.mark.parametrize(("counts", "fragment"), [
    (["60", "49", "3", "50"], "exceeds --n-treatment"),
    (["-2", "49", "3", "50"], "must not be negative"),
    (["2", "0", "3", "50"], "--n-treatment is 0"),
    (["2.5", "49", "3", "50"], "whole number"),
    (["2", "49", "3", "fifty"], "whole number"),
])
def test_bad_counts_get_one_message_and_exit_2(capsys, counts, fragment):
    args = ["posterior", "--events-treatment", counts[0], "--n-treatment", counts[1], "--events-control",
            counts[2], "--n-control", counts[3], "--better", "higher"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and err.count("error:") == 1


def test_preset_prior_without_an_odds_ratio_anchor_and_mixed_inputs_are_refused(capsys):
    assert main(["posterior", *TABLE, "--better", "higher", "--prior", "skeptical", "--measure", "rd"]) == 2
    assert "--or-mcid" in capsys.readouterr().err
    assert main(["posterior", *TABLE, "--better", "higher", "--estimate", "0.2", "--se", "0.1"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
    assert main(["posterior", *TABLE, "--better", "higher", "--method", "exact", "--prior", "normal:0,1"]) == 2
    assert "--method logistic" in capsys.readouterr().err


@pytest.mark.slow
def test_logistic_route_reports_convergence_and_flips_a_printed_prior_for_harms(capsys):
    # normal:0.5,0.3 on the printed log OR for a harm: the aligned prior has mean -0.5.
    assert main(["posterior", "--events-treatment", "4", "--n-treatment", "49", "--events-control", "3",
                 "--n-control", "50", "--better", "lower", "--prior", "normal:0.5,0.3", "--measure", "or",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["r_hat"] < 1.01 and out["divergences"] == 0 and out["ess_bulk"] > 400
    assert "Normal(-0.5, 0.3)" in out["prior"]
    assert out["median_log"] > 0.2  # pulled towards the printed prior mean 0.5 (data alone: about 0.3)
