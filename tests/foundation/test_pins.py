"""The installed nutpie, PyTensor and numba are the ones ``nutpie_numba`` mirrors and the lock file pins."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest

from bayes_ldn.nutpie_numba import MIRRORED, NUTPIE_VERSIONS

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"


def _locked() -> dict[str, str]:
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", LOCK.read_text(), flags=re.M))
    return {k.lower(): v for k, v in pins.items()}


@pytest.mark.parametrize("package", sorted(MIRRORED))
def test_installed_version_is_the_mirrored_one(package):
    installed = version(package)
    assert installed == MIRRORED[package], (
        f"{package} {installed} is installed but bayes_ldn.nutpie_numba mirrors {package} {MIRRORED[package]}: "
        "reinstall from requirements.lock (make test does), or re-check nutpie_numba against the new version "
        "(tests/foundation/test_compile_cache.py) and update MIRRORED and the lock file together"
    )


def test_lock_pins_what_is_mirrored():
    locked = _locked()
    for package, v in MIRRORED.items():
        assert locked.get(package) == v, f"requirements.lock pins {package} {locked.get(package)}, MIRRORED says {v}"
    assert MIRRORED["nutpie"].startswith(NUTPIE_VERSIONS)
