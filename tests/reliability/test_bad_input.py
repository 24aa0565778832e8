"""The bad inputs that slipped through (issue 18), each as a test that failed before the fix.

Each case exits 2 with one message on standard error, no traceback, no RuntimeWarning from SciPy,
nothing written; missing optional extras name the extra; CLI warnings print as one line.
"""

import sys
import warnings

import pytest

from bayes_ldn.cli import main
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.data.simulate_crossover import simulate_crossover
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.extras import MissingExtraError, import_optional


def _posterior(argv, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a SciPy RuntimeWarning on the way is a failure too
        code = main(["posterior", *argv, "--better", "higher"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--estimate", "nan", "--se", "1"], "--estimate must be a finite number, got nan"),
        (["--estimate", "inf", "--se", "1"], "--estimate must be a finite number, got inf"),
        (["--estimate=-inf", "--se", "1"], "--estimate must be a finite number, got -inf"),
        (["--estimate", "1", "--se", "inf"], "--se must be a finite number, got inf"),
        (["--estimate", "1", "--se", "nan"], "--se must be a finite number, got nan"),
        (["--estimate", "1e308", "--se", "1"], "--estimate = 1e+308 is beyond"),
        (["--estimate", "1", "--se", "1e-308"], "--se must be a positive scale of at least"),
        (["--estimate", "1", "--lower", "nan", "--upper", "2"], "--lower must be a finite number, got nan"),
        (["--estimate", "1", "--se", "1", "--mcid", "inf"], "--mcid must be a finite number, got inf"),
        (["--estimate", "1", "--se", "1", "--report-ci-prob", "1"], "--report-ci-prob must lie strictly between"),
        (["--estimate", "1", "--se", "1", "--ci-prob", "2"], "--ci-prob must lie strictly between"),
    ],
)
def test_posterior_refuses_non_finite_and_overflowing_numbers(argv, message, capsys):
    code, out, err = _posterior(argv, capsys)
    assert code == 2, out
    assert message in err
    assert err.count("error:") == 1 and "Traceback" not in err and "Warning" not in err
    assert out == ""


def _trial(tmp_path, value):
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=10.0,
                                  residual_sd=8.0, random_seed=4)
    frame.loc[3, "outcome"] = value
    path = tmp_path / "trial.csv"
    frame.to_csv(path, index=False)
    return frame, path


@pytest.mark.parametrize("value", [1e308, -1e308, 1e101])
def test_crossover_outcome_beyond_double_range_is_a_message_not_a_crash(value, tmp_path, capsys):
    # Before: traceback from nutpie ("All initialization points failed"), once exit 139.
    frame, path = _trial(tmp_path, value)
    with pytest.raises(DataValidationError, match=r"value\(s\) beyond \+-1e\+100 in rows 4"):
        CrossoverData.from_frame(frame, treatment="LDN", reference="placebo")
    out = tmp_path / "results"
    code = main(["crossover", str(path), "--active", "LDN", "--control", "placebo", "--better", "lower",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "rescale the units" in err and "Traceback" not in err
    assert not out.exists()


def test_crossover_log_scale_accepts_a_huge_positive_value():
    # On the log scale 1e308 is 709.2: representable, so not refused.
    frame, _ = simulate_crossover(treatment_effect=-3.0, period_effect=-2.0, subject_sd=1.0,
                                  residual_sd=1.0, random_seed=4, intercept=40.0)
    frame.loc[3, "outcome"] = 1e308
    data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo", scale="log")
    assert data.outcome.max() == pytest.approx(709.196, abs=1e-3)


def test_parallel_followup_beyond_double_range_is_a_message():
    import pandas as pd

    df = pd.DataFrame({"arm": ["LDN", "LDN", "placebo", "placebo"], "baseline": [50.0, 52, 51, 49],
                       "followup": [40.0, 1e308, 48, 47]})
    with pytest.raises(DataValidationError, match=r"column 'followup' \(followup\): value\(s\) beyond"):
        ParallelData.from_frame(df, treatment="LDN", reference="placebo")


def _hide(monkeypatch, *names):
    for name in names:
        monkeypatch.setitem(sys.modules, name, None)  # import raises ModuleNotFoundError


def test_sbc_without_the_sim_extra_names_the_extra(monkeypatch, tmp_path, capsys):
    _hide(monkeypatch, "tqdm", "tqdm.auto")
    out = tmp_path / "sbc"
    code = main(["sbc", "--model", "aggregate", "--method", "exact", "--n-sims", "10", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install 'bayes_ldn[sim]'" in err and "'tqdm'" in err
    assert "ModuleNotFoundError" not in err and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())  # no half-written study folder


def test_import_optional_names_the_extra_for_dask(monkeypatch):
    _hide(monkeypatch, "distributed")
    with pytest.raises(MissingExtraError, match=r"pip install 'bayes_ldn\[sim\]'"):
        import_optional("distributed", "a Dask scheduler")


def test_unknown_missing_module_is_not_disguised(monkeypatch):
    _hide(monkeypatch, "not_an_extra_module")
    with pytest.raises(ModuleNotFoundError):
        import_optional("not_an_extra_module", "nothing")


def test_cli_warnings_are_one_line_without_source_code(monkeypatch, capsys):
    # The command is a thin layer over bayes_ldn.api.estimate, which computes the posterior.
    import bayes_ldn.api.estimate as posterior

    real = posterior.exact_posterior

    def noisy(*args, **kwargs):
        warnings.warn("a two-line\n   message", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(posterior, "exact_posterior", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        assert main(["posterior", "--estimate", "1", "--se", "1", "--better", "higher"]) == 0
    err = capsys.readouterr().err
    assert err == "bayes-ldn posterior: warning: UserWarning: a two-line message\n"
    assert "warnings.warn" not in err
