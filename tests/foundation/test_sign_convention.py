"""One sign convention: printed-scale priors flip once (``priors.from_printed``), presets never do."""

import json

import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.cli import main


def posterior_json(capsys, *argv):
    assert main(["posterior", "--estimate", "-2", "--se", "1", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["enthusiastic", "pessimistic", "skeptical_strong"])
def test_presets_are_directional_under_better_lower(capsys, name):
    # The preset's aligned location is fixed by its name: enthusiastic = +MCID on the aligned scale,
    # whatever the printed direction. (The posterior CLI used to flip it, so --better lower fitted
    # the pessimistic prior.)
    preset = pr.preset(name, mcid=1.5)
    out = posterior_json(capsys, "--better", "lower", "--prior", name, "--mcid", "1.5")
    assert out["prior"] == preset.describe()
    # Closed form: aligned estimate +2, SE 1, prior N(m, s): posterior mean (2/1 + m/s^2)/(1 + 1/s^2),
    # printed mean = -aligned mean.
    m, s = preset.params["mu"], preset.params["sigma"]
    aligned_mean = (2.0 + m / s**2) / (1.0 + 1.0 / s**2)
    assert out["mean"] == pytest.approx(-aligned_mean, rel=1e-12)


def test_printed_normal_prior_flips_once(capsys):
    # normal:-3,0.5 on the printed scale with lower = better is N(+3, 0.5) on the aligned scale.
    out = posterior_json(capsys, "--better", "lower", "--prior", "normal:-3,0.5")
    prec = 1.0 + 4.0
    aligned_mean = (2.0 + 3.0 * 4.0) / prec
    assert out["mean"] == pytest.approx(-aligned_mean, rel=1e-12)
    assert out["prob_better"] == pytest.approx(stats.norm.sf(0, aligned_mean, prec**-0.5), rel=1e-9)
    same = posterior_json(capsys, "--better", "higher", "--prior", "normal:-3,0.5")
    assert same["mean"] == pytest.approx((-2.0 - 12.0) / prec, rel=1e-12)


def test_from_printed_is_the_only_flip():
    p = pr.normal(-3, 2)
    assert pr.from_printed(p, "lower").params["mu"] == 3.0
    assert pr.from_printed(p, "higher") is p
    t = pr.student_t(1, 2, 4)
    assert pr.from_printed(t, "lower").params == {"mu": -1.0, "sigma": 2.0, "nu": 4.0}
    for preset in (pr.vague(), pr.enthusiastic(mcid=2.0), pr.pessimistic(mcid=2.0, strength="weak")):
        assert pr.from_printed(preset, "lower") is preset
    mix = pr.EffectPrior(name="mix", family="mixture",
                         params={"weights": [0.5, 0.5], "components": [pr.normal(1, 1).to_dict(),
                                                                       pr.normal(-2, 1).to_dict()]})
    flipped = pr.from_printed(mix, "lower")
    assert [c["params"]["mu"] for c in flipped.params["components"]] == [-1.0, 2.0]
    assert pr.parse_printed_prior("normal:-3,2", better="lower") == pr.normal(3, 2, name="normal(-3,2)")
