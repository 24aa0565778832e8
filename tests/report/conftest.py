"""Fixtures of the report's browser tests: Debian's chromium through Playwright, and the report.

The browser is ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs it with
``.ci/install_chromium.sh``), or ``$BAYES_LDN_CHROMIUM``; Playwright's own browsers are never
downloaded. ``make test`` installs it first. A missing browser is a failure, never a silent
skip; ``BAYES_LDN_SKIP_BROWSER=1`` is the explicit, stated opt-out for a machine without one. ``test_report.py`` defines its own ``specs``, ``table`` and ``page``
(the page as a string), which take precedence there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bayes_ldn.reanalysis import decision_table
from bayes_ldn.report import report_section
from bayes_ldn.spec import load_specs

CHROMIUM = os.environ.get("BAYES_LDN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("BAYES_LDN_SKIP_BROWSER") == "1":
        pytest.skip(f"{reason} (BAYES_LDN_SKIP_BROWSER=1 opted out of the browser tests)")
    pytest.fail(f"{reason}; set BAYES_LDN_SKIP_BROWSER=1 to opt out on a machine without a browser")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright is not installed (pip install -e '.[test]')")
    _need(Path(CHROMIUM).exists(), f"no chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture(scope="session")
def specs():
    return {s.id: s for s in load_specs()}


@pytest.fixture(scope="session")
def table(specs):
    return decision_table(list(specs.values()))


@pytest.fixture(scope="session")
def report(table, specs, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(report_section(table, list(specs.values()))["report.html"], encoding="utf-8")
    return path


@pytest.fixture
def page(browser):
    pg = browser.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    pg.close()
    assert not errors, errors
