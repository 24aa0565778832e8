"""Fuzzing the commands test_fuzz.py leaves out (issue 18): operating-characteristics, sbc and
random-finding. Each either reaches its computation with finite inputs (stubbed here: the studies
take minutes) or exits 2 with one message, never a traceback or a NaN on the way."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bayes_ldn.validation import MAX_ABS, MIN_SCALE
from tests.reliability.test_fuzz import NUMBERS, SETTINGS, _assert_clean, _run


#: The commands fuzzed here (tests/reliability/test_fuzz_registry.py).
COMMANDS = frozenset({"operating-characteristics", "sbc", "random-finding", "reanalyze"})


class _Reached(Exception):
    """Raised by a stubbed computation: validation passed."""


def _stub(*args, **kwargs):
    raise _Reached


def _reached_or_clean(argv, capsys) -> bool:
    try:
        code, out, err = _run(argv, capsys)
    except _Reached:
        return True
    _assert_clean(code, out, err)
    assert code == 2, (argv, code)
    return False


def _ok(x: float, *, scale: bool = False) -> bool:
    return math.isfinite(x) and abs(x) <= MAX_ABS and (not scale or x >= MIN_SCALE)


VALID_OC = {"--se": 0.8, "--true-effect": 0.0, "--tau-scale": 0.5, "--threshold": 0.95, "--ci-prob": 0.95}


# One option fuzzed at a time, the others valid: a bad value must be the reason for exit 2.
@pytest.mark.parametrize("option", list(VALID_OC))
@SETTINGS
@given(value=NUMBERS)
def test_operating_characteristics_validates_every_number(monkeypatch, capsys, option, value):
    import bayes_ldn.simulation as simulation

    monkeypatch.setattr(simulation, "run_study", _stub)
    numbers = {**VALID_OC, option: value}
    argv = ["operating-characteristics", "--n-outcomes", "3", "--n-sims", "100", "--pooling", "both"]
    # NAME=VALUE: argparse reads a lone "-1e-308" as an option, not a negative number.
    argv += [f"{name}={v!r}" for name, v in numbers.items()]
    reached = _reached_or_clean(argv, capsys)
    if option in ("--threshold", "--ci-prob"):
        valid = 0 < value < 1
    else:
        valid = _ok(value, scale=option != "--true-effect")
    assert reached == valid, (argv, reached)


@SETTINGS
@given(n_sims=st.integers(-5, 10**6), target=NUMBERS, draws=st.integers(-3, 5000), chains=st.integers(-3, 8),
       seed=st.integers(-3, 10**9))
def test_sbc_validates_every_number(monkeypatch, capsys, n_sims, target, draws, chains, seed):
    import bayes_ldn.simulation as simulation
    import bayes_ldn.simulation.sbc as sbc

    # The command imports these inside run(): patch where it looks them up.
    monkeypatch.setattr(simulation, "run_study", _stub)
    monkeypatch.setattr(sbc, "nuts_study", _stub)
    argv = ["sbc", "--model", "crossover", "--n-sims", str(n_sims), f"--target-accept={target!r}",
            "--draws", str(draws), "--chains", str(chains), "--seed", str(seed)]
    reached = _reached_or_clean(argv, capsys)
    if reached:
        assert n_sims >= 10 and 0 < target < 1 and draws >= 1 and chains >= 1 and seed >= 0


@pytest.mark.parametrize("slope", ["nan", "inf", "-inf", "1e308", "x"])
def test_random_finding_refuses_non_finite_numbers(capsys, tmp_path, slope):
    argv = ["random-finding", "--trial", "final", "--outcome", "cpm", "--synthetic-seed", "1",
            "--synthetic-pain-slope", slope, "--out", str(tmp_path / "out")]
    code, out, err = _run(argv, capsys)
    _assert_clean(code, out, err)
    assert code == 2 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("ci_prob", ["nan", "inf", "1.5", "0", "1", "-0.5"])
def test_reanalyze_refuses_a_bad_ci_prob_before_writing(capsys, tmp_path, ci_prob):
    out = tmp_path / "out"
    code, stdout, err = _run(["reanalyze", f"--ci-prob={ci_prob}", "--no-report", "--out", str(out)], capsys)
    assert code == 2 and "--ci-prob must lie in [0.01, 0.999]" in err and "Traceback" not in err
    assert stdout == "" and not out.exists()
