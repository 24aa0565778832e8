"""Fuzzing the numeric options of the MCMC commands, ``crossover`` and ``parallel`` (issue 18).

test_fuzz.py fuzzes their data files; here the file is valid and one option at a time takes a
fuzzed value (NaN, +-inf, +-1e308, subnormals, 0, negative, huge integers). Sampling is replaced
by a stub (``bayes_ldn.fit._sample_nutpie``), so every check before it runs: the command's own,
the notebook API's and ``fit``'s. A value either reaches the sampler, and then is one the sampler
can use, or the command exits 2 with one message; never a traceback.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bayes_ldn.validation import MAX_ABS
from tests.reliability.test_fuzz import NUMBERS, SETTINGS, _assert_clean, _run

INTS = st.one_of(st.integers(-3, 3), st.sampled_from([-(2**63), 2**31, 2**63, 2**64 + 1]))
#: Every command covered by a fuzz test of this folder (``tests/reliability/test_fuzz_registry.py``).
COMMANDS = frozenset({"crossover", "parallel", "precompile"})


class _Reached(Exception):
    """Raised by the stubbed sampler, with the arguments ``fit`` passed it."""


def _stub(pymc_model, **kwargs):
    raise _Reached(kwargs)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model-cli")
    rng = np.random.default_rng(1)
    rows = []
    for i in range(8):
        seq = ("LDN", "placebo") if i % 2 else ("placebo", "LDN")
        for period, trt in enumerate(seq, start=1):
            rows.append({"subject": f"s{i}", "sequence": "-".join(seq), "period": period, "treatment": trt,
                         "outcome": 50 + rng.normal(0, 5)})
    pd.DataFrame(rows).to_csv(folder / "crossover.csv", index=False)
    pd.DataFrame({"arm": ["LDN", "placebo"] * 5, "baseline": rng.normal(30, 4, 10),
                  "followup": rng.normal(32, 4, 10)}).to_csv(folder / "parallel.csv", index=False)
    return folder


def _argv(command, folder):
    if command == "crossover":
        return ["crossover", str(folder / "crossover.csv"), "--active", "LDN", "--control", "placebo",
                "--better", "higher"]
    return ["parallel", str(folder / "parallel.csv"), "--arm", "arm", "--baseline", "baseline", "--followup",
            "followup", "--active", "LDN", "--control", "placebo", "--method", "ancova", "--better", "higher"]


def _reached(argv, capsys, monkeypatch):
    # The module, not the function bayes_ldn re-exports under the same name.
    monkeypatch.setattr(importlib.import_module("bayes_ldn.fit"), "_sample_nutpie", _stub)
    try:
        code, out, err = _run(argv, capsys)
    except _Reached as stop:
        return stop.args[0]
    _assert_clean(code, out, err)
    assert code == 2, (argv, code)
    return None


def _finite(x: float) -> bool:
    return math.isfinite(x) and abs(x) <= MAX_ABS


FLOAT_OPTIONS = {  # option -> (commands, is the value usable)
    "--mcid": (("crossover", "parallel"), lambda x: _finite(x) and x > 0),
    "--rope": (("crossover",), lambda x: _finite(x) and x > 0),
    "--ci-prob": (("crossover", "parallel"), lambda x: 0 < x < 1),
}


@pytest.mark.parametrize(("command", "option"), [(c, o) for o, (cs, _) in FLOAT_OPTIONS.items() for c in cs])
@SETTINGS
@given(value=NUMBERS)
def test_float_options(files, capsys, monkeypatch, command, option, value):
    argv = [*_argv(command, files), f"{option}={value!r}"]
    reached = _reached(argv, capsys, monkeypatch)
    usable = FLOAT_OPTIONS[option][1](value)
    if reached is not None:
        assert usable, (argv, "reached the sampler")
    elif 1e-3 <= abs(value) <= 1e3 and usable:
        pytest.fail(f"{argv}: an ordinary value was refused")


@pytest.mark.parametrize("command", ["crossover", "parallel"])
@pytest.mark.parametrize("option", ["--draws", "--tune", "--chains", "--seed"])
@SETTINGS
@given(value=INTS)
def test_integer_options(files, capsys, monkeypatch, command, option, value):
    argv = [*_argv(command, files), f"{option}={value}"]
    reached = _reached(argv, capsys, monkeypatch)
    if reached is None:
        return
    # What the sampler can run: at least one draw and chain, no negative tuning or seed.
    assert reached["draws"] >= 1 and reached["chains"] >= 1 and reached["tune"] >= 0, (argv, reached)
    assert reached["random_seed"] >= 0, (argv, reached)


@pytest.mark.parametrize("command", ["crossover", "parallel"])
@SETTINGS
@given(lower=NUMBERS, upper=NUMBERS, scale=st.sampled_from(["linear", "log"]))
def test_equivalence_bounds(files, capsys, monkeypatch, command, lower, upper, scale):
    argv = [*_argv(command, files), f"--equivalence={lower!r},{upper!r}", "--scale", scale]
    reached = _reached(argv, capsys, monkeypatch)
    if reached is not None:
        assert _finite(lower) and _finite(upper) and lower < upper, argv
        if scale == "log":
            assert lower > 0, argv


@SETTINGS
@given(names=st.lists(st.text(max_size=12), min_size=1, max_size=3))
def test_precompile_refuses_unknown_structures(capsys, names):
    from bayes_ldn.simulation.structures import available_structures

    assume(not set(names) & {*available_structures(), "all"})  # known names compile for seconds
    code, out, err = _run(["precompile", "--models", *names], capsys)
    _assert_clean(code, out, err)
    assert code == 2
