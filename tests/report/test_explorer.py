"""The explorer's data and links, without a browser (the browser tests are test_explorer_browser.py)."""

from __future__ import annotations

import json
import re

import pytest
from scipy import stats

from bayes_ldn.data.records import to_likelihood
from bayes_ldn.report.explorer import explorer_data, explorer_html, explorer_link, explorer_script
from bayes_ldn.spec import load_specs


@pytest.fixture(scope="module")
def specs():
    return load_specs()


def test_every_result_and_conversion_carries_the_decision_tables_likelihood(specs):
    data = explorer_data(specs)
    assert [d["id"] for d in data["specs"]] == [s.id for s in specs]
    for d, s in zip(data["specs"], specs, strict=True):
        assert [c["name"] for c in d["conversions"]] == list(s.conversions)
        for c in d["conversions"]:
            lik = to_likelihood(s.record, c["name"])
            assert (c["estimate"], c["se"], c["note"], d["sign"]) == (
                lik.estimate, lik.se, lik.conversion_note, lik.sign)
        assert d["evidence"] == list(s.record.evidence) and d["verified"] == s.record.verified
        assert d["mcid"] == list(s.mcid) and d["rope"] == s.rope


def test_quantiles_are_scipys(specs):
    data = explorer_data(specs, ci_prob=0.9)
    assert data["z_interval"] == [stats.norm.ppf(0.05), stats.norm.ppf(0.95)]
    assert data["strength_z"]["moderate"] == stats.norm.isf(0.05)


def test_section_embeds_parseable_data_and_its_script(specs):
    body = explorer_html(specs)
    raw = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', body, re.S).group(1)
    assert "</" not in raw
    assert json.loads(raw) == json.loads(json.dumps(explorer_data(specs)))
    assert explorer_script() in body
    # every control has a label
    for control in re.findall(r'<(?:input|select) id="([^"]+)"', body):
        assert body.count(f'<label for="{control}">') == 1, control


def test_links_name_the_state():
    assert explorer_link("final-pain", prior="skeptical_strong", mcid=1, rope=0.25, conversion="ci_t") == (
        "report.html#explore=final-pain&prior=skeptical_strong&mcid=1&rope=0.25&conversion=ci_t")
    assert explorer_link("final-cpm", page="") == "#explore=final-cpm&prior=flat"
