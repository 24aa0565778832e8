"""The HTML report: it builds from the bundled data, and every promised piece is on the page."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from html.parser import HTMLParser
from xml.etree import ElementTree

import numpy as np
import pytest
from scipy import stats

from bayes_ldn import priors as pr
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.reanalysis import decision_table
from bayes_ldn.report import report_section
from bayes_ldn.report.figures import (
    benefit_axis_label,
    posterior_plot_data,
    sensitivity_plot_data,
)
from bayes_ldn.spec import load_specs

SVG_NS = "http://www.w3.org/2000/svg"


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.srcs: list[str] = []
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            d = dict(attrs)
            self.srcs.append(d.get("src") or "")
            self.alts.append(d.get("alt"))


@pytest.fixture(scope="module")
def specs():
    return load_specs()


@pytest.fixture(scope="module")
def table(specs):
    return decision_table(specs)


@pytest.fixture(scope="module")
def page(table, specs):
    out = report_section(table, specs)
    assert set(out) == {"report.html"}
    return out["report.html"]


def test_every_image_is_a_decodable_svg(page, specs):
    parser = _Images()
    parser.feed(page)
    # one two-panel figure per analysis, plus the random-finding figure when issue 6 is present
    assert len(parser.srcs) >= len(specs)
    texts = []
    for src, alt in zip(parser.srcs, parser.alts, strict=True):
        assert src.startswith("data:image/svg+xml;base64,"), src[:40]
        root = ElementTree.fromstring(base64.b64decode(src.split(",", 1)[1], validate=True))
        assert root.tag == f"{{{SVG_NS}}}svg"
        assert len(root.findall(f".//{{{SVG_NS}}}path")) > 20  # axes, ticks and curves, not an empty canvas
        texts.append(" ".join(t.text or "" for t in root.iter(f"{{{SVG_NS}}}text")))
        assert alt, "every figure needs alt text"
    # text stays text: each analysis's figure carries its own title
    for s in specs:
        assert any(f"{s.record.trial}: {s.record.label}" in t for t in texts), s.id


def test_page_is_self_contained(page):
    assert not re.search(r'(src|href)="(https?:|file:|//)', page)
    # The prior explorer's script and data are inline: no script is loaded from anywhere.
    scripts = re.findall(r"<script([^>]*)>", page)
    assert sorted(scripts) == ["", ' type="application/json" id="explorer-data"'], scripts
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|importScripts|sendBeacon)\s*\(", page)


def test_report_stays_within_one_and_a_half_megabytes(page):
    assert len(page.encode("utf-8")) < 1.5e6


def test_decision_table_for_every_analysis(page, specs):
    for s in specs:
        assert f'id="{s.id}"' in page
    assert page.count("P(LDN better)</th>") >= len(specs)
    assert "P(better by &gt; MCID)" in page


def test_probabilities_never_print_one(page):
    assert "1.000" not in page
    assert "0.000" not in page
    # FINAL CPM under the enthusiastic strong prior has P(better) = 0.99919 at MCID 1 kPa
    assert "&gt;0.999" in page


def test_known_number_is_on_the_page(page, table):
    """Vague-prior CPM: posterior = likelihood, median 2.0 kPa, CI (0.35, 3.65), P = Phi(2/SE)."""
    se = (3.7 - 0.4) / (2 * stats.norm.isf(0.025))
    p = stats.norm.cdf(2.0 / se)
    assert f"{p:.3f}" in page
    assert "2 (0.35 to 3.65)" in page


def test_evidence_tags_and_unverified_flag(page, specs):
    for tag in {t for s in specs for t in s.record.evidence}:
        assert f'<span class="tag">{tag}</span>' in page
    unverified = [s.record.id for s in specs if not s.record.verified]
    assert unverified, "the bundled data has unverified records; the flag must show"
    assert page.count('class="tag unverified"') >= len(unverified)


def test_versions_and_seed(page):
    for key in ("numpy_version", "scipy_version", "arviz_version", "python_version", "data_sha256"):
        assert key in page
    assert "Random seed:" in page


def test_direction_of_benefit_stated(page):
    assert "lower is better" in page and "higher is better" in page
    assert "LDN better" in page


def test_benefit_axis_label_points_the_right_way():
    assert benefit_axis_label("higher").endswith("LDN better \u2192")
    assert benefit_axis_label("lower").startswith("\u2190 LDN better")


def test_posterior_plot_data_matches_the_exact_normal(specs):
    """Vague prior: the curve is N(estimate, se) on the printed scale (here the sign is flipped)."""
    spec = next(s for s in specs if s.id == "final-pain")
    lik = to_likelihood(spec.record, "ci_normal")
    data = posterior_plot_data(spec, conversion="ci_normal", mcid=1.0)
    vague = data[data["prior"] == "vague"]
    expected = stats.norm.pdf(vague["x"], -0.34, lik.se)
    np.testing.assert_allclose(vague["density"], expected, rtol=1e-12)
    # lower is better for pain: the printed grid is the mirror of the aligned grid
    assert vague["x"].iloc[0] > vague["x"].iloc[-1]


def test_quadrature_density_integrates_to_one(specs):
    """The Student-t prior's density comes from differencing the exact CDF; its area is 1."""
    spec = next(s for s in specs if s.id == "final-cpm")
    data = posterior_plot_data(spec, conversion="ci_normal", mcid=1.0, points=600)
    t3 = data[data["prior"] == "skeptical_t3"].sort_values("x")
    area = np.trapezoid(t3["density"], t3["x"])
    # the grid spans the 0.05%-99.95% quantiles, so at most 0.001 of mass is outside it
    assert 0.998 < area <= 1.0 + 1e-6


def test_sensitivity_curve_limits(specs):
    """Large prior SD recovers the flat answer; the moderate preset matches the decision table."""
    spec = next(s for s in specs if s.id == "final-cpm")
    data = sensitivity_plot_data(spec, conversion="ci_normal", mcid=1.0)
    assert abs(data["prob_better"].iloc[-1] - data.attrs["flat_prob_better"]) < 2e-3
    assert np.all(np.diff(data["prob_better"]) > 0)  # less doubt never lowers P(better) here (estimate > 0)
    sd = pr.skeptical(mcid=1.0, strength="moderate").params["sigma"]
    assert data.attrs["presets"]["moderate"] == pytest.approx(sd)


def test_reanalyze_command_includes_the_report():
    from bayes_ldn.cli.reanalyze import sections

    def drawn(parts):
        return [p for p in parts if getattr(p, "func", None) is report_section]

    assert len(drawn(sections())) == 1
    assert drawn(sections(workers=3))[0].keywords == {"workers": 3}
    assert drawn(sections(report=False)) == []


_SERIAL_VS_FORKED = """
import hashlib, threading
from bayes_ldn.reanalysis import decision_table
from bayes_ldn.report import report_section
from bayes_ldn.report.render import FigureRenderer
from bayes_ldn.spec import load_specs
specs = [s for s in load_specs() if s.id in {"final-cpm", "final-pain", "bested-fiqr"}]
table = decision_table(specs)
with FigureRenderer(2) as r:
    assert r.parallel, "a single-threaded Linux process must fork workers"
pages = [report_section(table, specs, workers=w)["report.html"] for w in (1, 2)]
print(len(specs), pages[0] == pages[1], pages[0].count("data:image/svg+xml"))
"""


def test_page_does_not_depend_on_the_number_of_workers():
    """Forked workers draw byte-identical SVGs, in the same places, as this process does.

    Run in a fresh interpreter: a pytest-xdist worker has other threads, so it never forks.
    """
    out = subprocess.run([sys.executable, "-c", _SERIAL_VS_FORKED], capture_output=True, text=True, check=True)
    n_specs, same, n_images = out.stdout.split()
    assert same == "True"
    assert int(n_images) >= int(n_specs) == 3


def test_renderer_hands_drawing_errors_to_the_caller():
    from bayes_ldn.report.render import FigureJob, FigureRenderer

    with pytest.raises(ValueError, match="at least 1"):
        FigureRenderer(0)
    for workers in (1, 2):  # under pytest-xdist (other threads) both draw here; the failure path is the same
        with FigureRenderer(workers) as renderer:
            bad = renderer.submit(FigureJob(_broken_figure, {"why": "no data"}))
        with pytest.raises(RuntimeError, match="no data"):
            bad.result()


def _broken_figure(why: str):
    raise RuntimeError(why)


def test_build_report_names_the_specs_without_a_figure(table, specs):
    from bayes_ldn.report import build_report

    with pytest.raises(ValueError, match=specs[0].id):
        build_report(table, specs[:1], provenance={}, seed="none", figures={})


def test_no_report_writes_every_table_but_no_report(tmp_path):
    from bayes_ldn.cli import main

    assert main(["reanalyze", "--no-report", "--out", str(tmp_path)]) == 0
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert "report.html" not in names
    assert {"decisions.csv", "summary.md", "final_exploratory_pooled.csv", "random_finding_cpm/verdict.csv",
            "synthesis/synthesis_table.csv"} <= names


def test_report_never_imports_pymc():
    code = "import sys, bayes_ldn.report; print('pymc' in sys.modules or 'pytensor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
