"""``bayes-ldn sbc`` and ``bayes-ldn operating-characteristics``."""

from __future__ import annotations

import pytest

from bayes_ldn.cli import main


def test_sbc_exact_runs_and_resumes(tmp_path, capsys):
    argv = ["sbc", "--model", "aggregate", "--method", "exact", "--n-sims", "200", "--out", str(tmp_path), "--seed", "5"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "200 computed now" in out and "chi-square on 20 rank bins" in out and "treatment_effect" in out
    assert "fits/min once warm on 1 worker(s)" in out
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "0 computed now" in out and "throughput" not in out


def test_sbc_reports_every_bad_argument_and_writes_nothing(tmp_path, capsys):
    code = main(["sbc", "--model", "aggregate", "--method", "exact", "--n-sims", "5", "--seed", "-1",
                 "--scheduler", "threads", "--chains", "0", "--out", str(tmp_path / "never")])
    err = capsys.readouterr().err
    assert code == 2
    for message in ("--n-sims must be at least 10", "--seed must be a non-negative integer",
                    "--scheduler must be serial, processes or a Dask address", "--chains must be at least 1"):
        assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "never").exists()


def test_sbc_exact_only_for_summary_models(capsys):
    assert main(["sbc", "--model", "crossover", "--method", "exact", "--n-sims", "100"]) == 2
    assert "--method exact exists only for aggregate, hierarchical" in capsys.readouterr().err


def test_operating_characteristics_prints_rates_and_closed_form(capsys):
    assert main(["operating-characteristics", "--n-outcomes", "5", "--n-sims", "300", "--threshold", "0.95",
                 "--pooling", "both", "--tau-scale", "0.5", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "unpooled, flat prior per outcome" in out and "tau ~ HalfNormal(0.5)" in out
    assert "1 - 0.95^5 = 0.2262" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pooling", "both"], "needs --tau-scale"),
        (["--pooling", "none", "--threshold", "1"], "--threshold must be strictly between 0 and 1"),
        (["--pooling", "none", "--se", "0"], "--se must be positive"),
        (["--pooling", "hierarchical", "--tau-scale", "-1"], "--tau-scale must be positive"),
    ],
)
def test_operating_characteristics_validation(extra, message, capsys):
    argv = ["operating-characteristics", "--n-outcomes", "2", "--n-sims", "10", "--threshold", "0.95"]
    if "--threshold" in extra:
        argv = argv[:-2]
    assert main([*argv, *extra]) == 2
    assert message in capsys.readouterr().err


def test_sbc_offers_every_registered_structure():
    from bayes_ldn.cli.sbc import MODELS
    from bayes_ldn.simulation.structures import available_structures

    assert set(MODELS) == set(available_structures())
