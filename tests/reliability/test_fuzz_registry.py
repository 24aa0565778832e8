"""Every public callable and every command is fuzzed somewhere, or said to take no numbers (issue 18).

Each ``tests/reliability/test_fuzz_*.py`` module of public functions declares ``COVERED`` (the
public names it fuzzes, as reached from ``bayes_ldn``) and ``NOT_NUMERIC`` (name -> why it takes
no number or frame); command fuzzers declare ``COMMANDS``. A new public function or command
fails this test until a fuzz test (or a stated reason) covers it.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import bayes_ldn
from bayes_ldn.cli import build_parser

SUBMODULES = ("priors", "conversions", "synthesis", "assurance", "reverse_bayes", "bayes_factor", "plots")
FOLDER = Path(__file__).parent


def _fuzz_modules():
    return [importlib.import_module(f"tests.reliability.{p.stem}") for p in sorted(FOLDER.glob("test_fuzz_*.py"))
            if p.stem != "test_fuzz_registry"] + [importlib.import_module("tests.reliability.test_fuzz")]


def public_callables() -> set[str]:
    names = {n for n in bayes_ldn.__all__ if callable(getattr(bayes_ldn, n)) and n not in SUBMODULES}
    for sub in SUBMODULES:
        module = getattr(bayes_ldn, sub)
        names |= {f"{sub}.{n}" for n in module.__all__ if callable(getattr(module, n))}
    # Exceptions and warnings take a message, not numbers.
    return {n for n in names if not (inspect.isclass(obj := _resolve(n)) and issubclass(obj, BaseException))}


def _resolve(name: str):
    obj = bayes_ldn
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def test_every_public_callable_is_fuzzed_or_takes_no_numbers():
    covered, not_numeric = set(), {}
    for module in _fuzz_modules():
        covered |= set(getattr(module, "COVERED", ()))
        not_numeric |= dict(getattr(module, "NOT_NUMERIC", {}))
    assert all(reason.strip() for reason in not_numeric.values())
    public = public_callables()
    assert not (covered & set(not_numeric)), covered & set(not_numeric)
    assert not (covered | set(not_numeric)) - public, f"not public (renamed?): {(covered | set(not_numeric)) - public}"
    missing = public - covered - set(not_numeric)
    assert not missing, f"public callables no fuzz test covers: {sorted(missing)}"


def test_every_command_is_fuzzed():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    commands = set(sub.choices)
    covered = set()
    for module in _fuzz_modules():
        covered |= set(getattr(module, "COMMANDS", ()))
    assert not commands - covered, f"commands no fuzz test covers: {sorted(commands - covered)}"
