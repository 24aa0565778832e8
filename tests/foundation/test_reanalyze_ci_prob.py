"""``bayes-ldn reanalyze --ci-prob 0.9``: 90% intervals and 90% labels in every output.

The main job is a pipeline of library calls (no subcommand parsers, no captured output, no
scratch folders), so the option reaches every section. Remaining "95%" strings are the published
intervals' own coverage (as printed), the CI -> SE conversion and the AnCred sceptical-limit
method, listed here.
"""

import re

import pandas as pd
import pytest
from scipy import stats

from bayes_ldn.cli import main

#: "95%" that belong to the published (confidence) intervals or to fixed methods, not to ours.
PUBLISHED_95 = re.compile(
    r"\(95% CI|95% CI \)|quantile of a 95% CI|95% interval rebuilt from the SE|95% of (the effect|prior mass)"
    r"|puts 95% of|see a 95% interval"
)


@pytest.fixture(scope="module")
def out90(tmp_path_factory):
    out = tmp_path_factory.mktemp("r90")
    assert main(["reanalyze", "--out", str(out), "--ci-prob", "0.9", "--workers", "1"]) == 0
    return out


def test_every_interval_is_90(out90):
    t = pd.read_csv(out90 / "decisions.csv")
    assert set(t["ci_prob"]) == {0.9}
    # FINAL CPM under the vague prior: the normal likelihood's own 90% interval.
    cpm = t[(t["spec"] == "final-cpm") & (t["prior"] == "vague") & (t["conversions"].str.startswith("ci_normal"))]
    r = cpm.iloc[0]
    se = (3.7 - 0.4) / (2 * stats.norm.isf(0.025))
    assert r["upper"] - r["lower"] == pytest.approx(2 * stats.norm.isf(0.05) * se, rel=1e-9)
    syn = pd.read_csv(out90 / "synthesis" / "synthesis_table.csv")
    if "ci_prob" in syn:
        assert set(syn["ci_prob"].dropna()) == {0.9}
    fam = pd.read_csv(out90 / "final_exploratory_pooled.csv")
    assert set(fam["ci_prob"]) == {0.9}
    assert "ci_prob = 0.9" in (out90 / "random_finding_cpm" / "verdict.md").read_text()


def test_every_label_says_90(out90):
    texts = {p.relative_to(out90): p.read_text(errors="replace") for p in out90.rglob("*")
             if p.is_file() and p.suffix in (".md", ".csv", ".html")}
    assert {str(p) for p in texts} >= {"summary.md", "final_exploratory_pooled.md", "report.html",
                                       "random_finding_cpm/verdict.md", "binary_outcomes.md"}
    for path, text in texts.items():
        stray = [m for m in re.finditer(r"95 ?%", text)
                 if not PUBLISHED_95.search(text[max(0, m.start() - 40): m.end() + 40])]
        context = [text[max(0, m.start() - 60): m.end() + 30] for m in stray[:3]]
        assert not stray, f"{path}: 95% label(s) under --ci-prob 0.9: {context}"
    for name in ("summary.md", "final_exploratory_pooled.md", "report.html"):
        assert "90% CrI" in texts[next(p for p in texts if str(p) == name)], name
