"""The explorer as a page: its plot, keyboard, messages, links, no request, size and load time.

Fixtures (and when these tests skip) in ``conftest.py``.
"""

from __future__ import annotations

import time

from bayes_ldn import priors as pr
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.exact import exact_posterior
from tests.report.explorer_helpers import open_explorer, python_numbers, shown_numbers


def _curve_mode(page, name: str) -> float:
    """The x value (data units) of a drawn curve's highest point."""
    lo, hi, left, right = (float(v) for v in page.get_attribute("#ex-plot", "data-x-range").split())
    d = page.get_attribute(f'#ex-plot path[data-curve="{name}"]', "d")
    points = [tuple(float(v) for v in seg.split()) for seg in d.replace("M", "").split("L")]
    x = min(points, key=lambda p: p[1])[0]
    return lo + (x - left) / (right - left) * (hi - lo)


def test_the_plot_draws_the_shown_densities(page, report, specs):
    open_explorer(page, report, "#explore=final-pain&prior=normal:0.3,0.4&mcid=1")
    spec = specs["final-pain"]
    lik = to_likelihood(spec.record, "ci_normal")
    post = exact_posterior(lik, pr.normal(-0.3, 0.4))
    lo, hi, _, _ = (float(v) for v in page.get_attribute("#ex-plot", "data-x-range").split())
    tol = (hi - lo) / 240 + (hi - lo) / 500  # one grid step, plus the path's 0.1-pixel rounding
    assert abs(_curve_mode(page, "posterior") - (-post.mean)) < tol  # printed scale: lower is better
    assert abs(_curve_mode(page, "likelihood") - spec.record.estimate) < tol
    assert abs(_curve_mode(page, "prior") - 0.3) < tol
    open_explorer(page, report, "#explore=final-pain&prior=flat&mcid=1")
    assert page.locator('#ex-plot path[data-curve="prior"]').count() == 0


def test_controls_are_labelled_and_keyboard_usable(page, report, specs):
    open_explorer(page, report, "#explore=final-cpm&prior=normal:0,1&mcid=1")
    ids = page.eval_on_selector_all("#explorer-app input, #explorer-app select", "els => els.map(e => e.id)")
    assert len(ids) == 9
    for i in ids:
        assert page.locator(f'label[for="{i}"]').count() == 1, i
    before = shown_numbers(page)
    page.focus("#ex-prior")
    page.keyboard.press("ArrowDown")  # normal -> skeptical
    assert page.input_value("#ex-prior") == "skeptical"
    page.keyboard.press("Tab")  # to the strength
    page.keyboard.press("ArrowDown")  # moderate -> strong
    assert page.input_value("#ex-strength") == "strong"
    assert shown_numbers(page) == python_numbers(specs["final-cpm"], prior="skeptical_strong", mcid=1.0, rope=0.5)
    assert shown_numbers(page) != before
    assert page.locator("#explorer-app").get_attribute("data-state") == (
        "#explore=final-cpm&prior=skeptical_strong&mcid=1")
    assert page.evaluate("location.hash") == "#explore=final-cpm&prior=skeptical_strong&mcid=1"
    # Number fields step by half a unit of the decade below the SE (0.84 kPa -> 0.05 kPa).
    page.focus("#ex-mcid")
    page.keyboard.press("ArrowUp")
    assert page.input_value("#ex-mcid") == "1.05"
    assert shown_numbers(page) == python_numbers(specs["final-cpm"], prior="skeptical_strong", mcid=1.05, rope=0.5)


def test_bad_settings_say_why_and_show_no_numbers(page, report, specs):
    open_explorer(page, report, "#explore=final-cpm&prior=normal:0,1&mcid=1")
    page.fill("#ex-sd", "0")
    assert page.is_visible("#ex-message")
    assert "positive SD" in page.text_content("#ex-message")
    assert set(shown_numbers(page).values()) - {"Normal(2, 0.8419)"} == {"\u2013"}
    assert page.locator("#ex-plot path").count() == 0
    page.fill("#ex-sd", "1")
    assert not page.is_visible("#ex-message")
    assert shown_numbers(page) == python_numbers(specs["final-cpm"], prior="normal:0,1", mcid=1.0, rope=0.5)
    page.select_option("#ex-prior", "skeptical")
    page.fill("#ex-mcid", "")
    assert "anchored on the MCID" in page.text_content("#ex-message")
    open_explorer(page, report, "#explore=no-such-result&prior=flat")
    assert "no result named" in page.text_content("#ex-message")
    open_explorer(page, report, "#explore=final-cpm&prior=normal%E0%A4%A:0,1")
    assert "malformed" in page.text_content("#ex-message")


# --- links ------------------------------------------------------------------------------------------


def test_fragment_link_sets_the_controls_and_the_numbers(page, report, specs):
    open_explorer(page, report, "#explore=final-pain&prior=normal:-0.5,0.4&mcid=1.5&rope=0.3")
    assert page.input_value("#ex-spec") == "final-pain"
    assert page.input_value("#ex-prior") == "normal"
    assert (page.input_value("#ex-mean"), page.input_value("#ex-sd")) == ("-0.5", "0.4")
    assert (page.input_value("#ex-mcid"), page.input_value("#ex-rope")) == ("1.5", "0.3")
    assert shown_numbers(page) == python_numbers(specs["final-pain"], prior="normal:-0.5,0.4", mcid=1.5, rope=0.3)
    # The explorer scrolled into view.
    assert page.evaluate("document.getElementById('explorer-app').getBoundingClientRect().top") < 900
    # A link in a result's section opens the explorer on that result (its defaults).
    page.click('a[href="#explore=bested-spir"]')
    page.wait_for_function("document.getElementById('ex-spec').value === 'bested-spir'")
    spec = specs["bested-spir"]
    assert shown_numbers(page) == python_numbers(spec, prior="flat", mcid=spec.mcid[0] if spec.mcid else None,
                                     rope=spec.rope)
    # Presets and flat by name; a Student-t prior is refused with a reason.
    for fragment, prior in [("#explore=final-cpm&prior=skeptical_strong&mcid=3", "skeptical_strong"),
                            ("#explore=final-cpm&prior=flat&mcid=3", "flat")]:
        page.evaluate("f => { location.hash = f; }", fragment)
        page.wait_for_function("f => document.getElementById('explorer-app').dataset.state === f", arg=fragment)
        assert shown_numbers(page) == python_numbers(specs["final-cpm"], prior=prior, mcid=3.0, rope=0.5)
    # Another interval probability (the page's own normal quantile) and another conversion.
    page.evaluate("location.hash = '#explore=bested-fiqr&prior=flat&conversion=cochrane&ci=0.9'")
    page.wait_for_function("document.getElementById('ex-ci').value === '0.9'")
    assert page.input_value("#ex-conversion") == "cochrane"
    assert page.text_content('[data-out="ci"]') == "90"
    assert shown_numbers(page) == python_numbers(specs["bested-fiqr"], prior="flat", mcid=14.1, rope=7.05,
                                     conversion="cochrane", ci_prob=0.9)
    page.evaluate("location.hash = '#explore=final-cpm&prior=t:0,0.85,3&mcid=2'")
    page.wait_for_selector("#ex-message:not([hidden])")
    assert "Student-t" in page.text_content("#ex-message")


# --- self-contained, small and quick ----------------------------------------------------------------


def test_page_makes_no_network_request(browser, report):
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    open_explorer(page, report, "#explore=final-cpm&prior=normal:0,1&mcid=2")
    page.select_option("#ex-spec", "bested-fiqr")
    page.select_option("#ex-prior", "skeptical")
    page.fill("#ex-mcid", "10")
    page.click('a[href="#explore=final-pain"]')
    page.wait_for_function("document.getElementById('ex-spec').value === 'final-pain'")
    page.close()
    assert requests == [report.as_uri()], requests  # the page itself, once; the fragment is not requested


def test_report_opens_from_disk_in_under_a_second_and_stays_small(browser, report, capsys):
    """Size on disk, and the load event and the explorer's readiness on the browser's clock.

    The best of three fresh loads is asserted: CI runs this beside MCMC tests on two cores, and the
    minimum measures the page rather than its neighbours (all three are printed).
    """
    size = report.stat().st_size
    assert size < 1.5e6, size
    loads = []
    for _ in range(3):
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_selector("#explorer-app[data-ready=true]")
        wall = 1000 * (time.perf_counter() - t0)
        dcl, load = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                                  " return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()")
        ready = float(page.get_attribute("#explorer-app", "data-ready-ms"))
        loads.append((load, ready, dcl, wall))
        page.close()
    with capsys.disabled():
        print(f"\nreport.html {size / 1e6:.3f} MB; load event / explorer ready / DOMContentLoaded / wall from goto (ms): "
              + "; ".join(" / ".join(f"{v:.0f}" for v in x) for x in loads))
    assert min(x[0] for x in loads) < 1000, loads
    assert min(x[1] for x in loads) < 1000, loads
