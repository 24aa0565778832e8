"""Property-based tests (Hypothesis) of every entry point that takes numbers or a data frame.

Each input either gives a finite answer (every number in the JSON output finite) or exit status 2
with one message and no traceback (a ``DataValidationError`` in the library); never another
exception, a NaN in an output or a half-written folder. Inputs: non-finite values, extremes
(+-1e308, 1e-308, huge counts), empty and one-row frames, duplicated and unicode column names,
text in numeric columns. The MCMC commands are fuzzed up to their validation (their fits are
the slow tier's), by replacing ``fit`` with a stub that records it was reached.
"""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayes_ldn.cli.crossover  # noqa: F401 - PyMC's import raises the recursion limit; not inside a Hypothesis run
from bayes_ldn.cli import main
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.data.parallel import ParallelData
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.validation import MAX_ABS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
EXTREMES = st.sampled_from([0.0, -0.0, 1e-308, -1e-308, 5e-324, 1e308, -1e308, 1.7976931348623157e308, math.inf,
                            -math.inf, math.nan, 1e100, 1e101, -1e-100, 1.0, -3.5])
NUMBERS = st.one_of(EXTREMES, st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e3, 1e3))
#: The commands fuzzed here (tests/reliability/test_fuzz_registry.py checks every command is somewhere).
COMMANDS = frozenset({"posterior", "crossover", "synthesize"})


def _finite_everywhere(obj) -> bool:
    """No NaN or inf anywhere (``None``, JSON null, is a stated "does not exist")."""
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite_everywhere(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite_everywhere(v) for v in obj)
    return True


def _run(argv, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning on the way is a defect too
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: its own one-line usage error, status 2
            code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_clean(code, out, err):
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert out == "" and err.count(": error: ") == 1, err
    else:
        assert _finite_everywhere(json.loads(out, parse_constant=lambda c: math.nan)), out


@SETTINGS
@given(estimate=NUMBERS, se=NUMBERS, better=st.sampled_from(["higher", "lower"]),
       scale=st.sampled_from(["linear", "log"]), mcid=st.one_of(st.none(), NUMBERS))
def test_posterior_with_se(capsys, estimate, se, better, scale, mcid):
    argv = ["posterior", f"--estimate={estimate!r}", f"--se={se!r}", "--better", better, "--scale", scale, "--json"]
    argv += [] if mcid is None else [f"--mcid={mcid!r}"]
    _assert_clean(*_run(argv, capsys))


@SETTINGS
@given(estimate=NUMBERS, lower=NUMBERS, upper=NUMBERS, ci_prob=st.one_of(NUMBERS, st.floats(0.01, 0.99)),
       prior=st.sampled_from(["vague", "skeptical", "normal:0,1", "normal:1e308,1", "t:0,1,3", "normal:nan,1"]))
def test_posterior_with_interval(capsys, estimate, lower, upper, ci_prob, prior):
    argv = ["posterior", f"--estimate={estimate!r}", f"--lower={lower!r}", f"--upper={upper!r}",
            f"--ci-prob={ci_prob!r}", "--better", "higher", "--prior", prior, "--mcid", "1", "--json"]
    _assert_clean(*_run(argv, capsys))


COUNTS = st.one_of(st.integers(-5, 60), st.sampled_from([0, 10**9, 10**12, 2**63]))


@SETTINGS
@given(a=COUNTS, n1=COUNTS, c=COUNTS, n2=COUNTS, measure=st.sampled_from(["rd", "rr", "or"]))
def test_posterior_two_by_two(capsys, a, n1, c, n2, measure):
    argv = ["posterior", "--events-treatment", str(a), "--n-treatment", str(n1), "--events-control", str(c),
            "--n-control", str(n2), "--measure", measure, "--better", "higher", "--draws", "2000", "--json"]
    _assert_clean(*_run(argv, capsys))


def _crossover_frame(outcomes, names):
    n = len(outcomes)
    subjects = [f"s{i // 2}" for i in range(n)]
    seq = ["AB" if (i // 2) % 2 == 0 else "BA" for i in range(n)]
    period = [1 + i % 2 for i in range(n)]
    trt = [("LDN" if p == 1 else "placebo") if s == "AB" else ("placebo" if p == 1 else "LDN")
           for s, p in zip(seq, period, strict=True)]
    cols = [subjects, seq, period, trt, outcomes]
    return pd.DataFrame(dict(zip(names, cols, strict=True))) if len(set(names)) == 5 else \
        pd.DataFrame(list(zip(*cols, strict=True)), columns=names)


ROLE_NAMES = st.sampled_from([("subject", "sequence", "period", "treatment", "outcome"),
                              ("Patient ID", "séquence", "période", "traitement", "douleur (0–10)"),
                              ("subject", "sequence", "period", "treatment", "subject"),  # duplicated name
                              ("受試者", "序列", "時期", "治療", "結果")])


@SETTINGS
@given(outcomes=st.lists(st.one_of(NUMBERS, st.just("seven"), st.none()), min_size=0, max_size=12),
       names=ROLE_NAMES)
def test_crossover_frame(outcomes, names):
    frame = _crossover_frame(outcomes, names)
    columns = dict(zip(("subject", "sequence", "period", "treatment", "outcome"), names, strict=True))
    try:
        data = CrossoverData.from_frame(frame, treatment="LDN", reference="placebo", columns=columns)
    except DataValidationError as err:
        assert err.problems and all(isinstance(p, str) and p for p in err.problems)
        return
    y = data.outcome
    assert np.all(np.isfinite(y)) and np.all(np.abs(y) <= MAX_ABS)


@SETTINGS
@given(followup=st.lists(NUMBERS, min_size=0, max_size=8), baseline=st.lists(NUMBERS, min_size=0, max_size=8))
def test_parallel_frame(followup, baseline):
    n = min(len(followup), len(baseline))
    frame = pd.DataFrame({"arm": (["LDN", "placebo"] * 4)[:n], "baseline": baseline[:n], "followup": followup[:n]})
    try:
        data = ParallelData.from_frame(frame, treatment="LDN", reference="placebo")
    except DataValidationError as err:
        assert err.problems
        return
    for arr in (data.followup, data.baseline):
        assert np.all(np.isfinite(arr)) and np.all(np.abs(arr) <= MAX_ABS)


class _Reached(Exception):
    """Raised by the stub ``fit``: validation passed and the model was built."""


@SETTINGS
@given(outcomes=st.lists(st.one_of(NUMBERS, st.just("")), min_size=0, max_size=12), names=ROLE_NAMES)
def test_crossover_command_validates_before_fitting(tmp_path_factory, monkeypatch, outcomes, names):
    # The command is a thin layer over bayes_ldn.api.crossover, which calls fit.
    import bayes_ldn.api.crossover as api

    def stub(*args, **kwargs):
        raise _Reached

    monkeypatch.setattr(api, "fit", stub)
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "trial.csv"
    _crossover_frame(outcomes, names).to_csv(path, index=False)
    argv = ["crossover", str(path), "--subject", names[0], "--sequence", names[1], "--period", names[2],
            "--treatment", names[3], "--outcome", names[4], "--active", "LDN", "--control", "placebo",
            "--better", "lower", "--out", str(folder / "out")]
    try:
        code = main(argv)
    except _Reached:
        return
    assert code == 2
    assert not (folder / "out").exists()  # nothing half-written


@SETTINGS
@given(rows=st.lists(st.tuples(NUMBERS, NUMBERS), min_size=0, max_size=5),
       tau=st.sampled_from(["halfnormal:0.5", "halfnormal:20", "halfcauchy:1", "rhodes", "uniform:0,1e308"]))
def test_synthesize_from_a_file(tmp_path_factory, capsys, rows, tau):
    folder = tmp_path_factory.mktemp("syn")
    path = folder / "studies.csv"
    pd.DataFrame({"study": [f"S{i}" for i in range(len(rows))], "estimate": [r[0] for r in rows],
                  "se": [r[1] for r in rows]}).to_csv(path, index=False)
    argv = ["synthesize", "--data", str(path), "--tau-prior", tau, "--mu-prior", "normal:0,1", "--json"]
    code, out, err = _run(argv, capsys)
    _assert_clean(code, out, err)


@pytest.mark.parametrize("content", ["", "study,estimate,se\n", "\ufeffstudy,estimate,se\nA,1,0.5\n",
                                     "study,estimate,se\nA,1,0.5\n", "a;b;c\n1;2;3\n", "study,estimate,se\nA,1,0.5,9\n"])
def test_synthesize_empty_one_row_and_odd_files(tmp_path, capsys, content):
    path = tmp_path / "studies.csv"
    path.write_text(content, encoding="utf-8")
    _assert_clean(*_run(["synthesize", "--data", str(path), "--json"], capsys))
