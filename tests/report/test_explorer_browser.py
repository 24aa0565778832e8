"""The explorer's numbers in a real browser against Python (Playwright for Python, Debian's chromium).

Every number the explorer shows is compared, at the precision it prints, with the Python exact
posterior (:func:`bayes_ldn.exact.exact_posterior` and :func:`bayes_ldn.summaries.decision_row_exact`),
for rows set by hand through the controls and for every flat or normal row of the decision table;
the normal CDF and quantile against SciPy. Fixtures (and when these tests skip) in ``conftest.py``.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from bayes_ldn.data.records import to_likelihood
from bayes_ldn.stats import format_probability
from tests.report.explorer_helpers import open_explorer, python_numbers, shown_numbers


# --- the numerics: the normal CDF and quantile against SciPy -----------------------------------------


def test_normal_cdf_and_quantile_match_scipy_to_double_precision(page, report):
    open_explorer(page, report)
    z = np.concatenate([np.linspace(-37, 8, 9001), [0.0, 1e-300, -1e-12, 1.959963984540054]])
    p = np.concatenate([np.logspace(-300, np.log10(0.5), 3001), 1 - np.logspace(-15, np.log10(0.5), 1000),
                        [0.025, 0.975, 0.5, 0.9]])
    got = page.evaluate("([z, p]) => [z.map(bayesLdnExplorer.ndtr), p.map(bayesLdnExplorer.ndtri)]",
                        [z.tolist(), p.tolist()])
    cdf, ppf = np.array(got[0], dtype=float), np.array(got[1], dtype=float)
    ref = special.ndtr(z)
    rel = np.abs(cdf - ref) / ref
    # A few ulp where the decision numbers live; in the far tail SciPy's own Cephes ndtr is
    # accurate to a few 1e-14 relative (its documented peak 3.4e-14 on [-13, 0]) and both lose
    # some bits to the rounding of z/sqrt(2).
    assert rel[np.abs(z) <= 8].max() < 2e-14, rel[np.abs(z) <= 8].max()
    assert rel.max() < 1e-12, rel.max()
    qref = special.ndtri(p)
    assert ppf[p == 0.5].tolist() == [0.0, 0.0, 0.0]  # p = 0.5 ends both grids and the list; the median is the mean exactly, as in SciPy
    big = np.abs(qref) > 1e-3
    assert (np.abs(ppf - qref)[big] / np.abs(qref[big])).max() < 2e-14
    assert np.abs(ppf - qref)[~big].max() < 1e-16


def test_printed_formats_are_pythons(page, report):
    open_explorer(page, report)
    rng = np.random.default_rng(19)
    values = np.concatenate([rng.normal(size=400) * 10.0 ** rng.integers(-6, 7, 400),
                             [0.0, 99.95, 1e-5, 123456.0, -0.00465, 2.0],
                             # exact binary ties: Python rounds them half to even, JavaScript up
                             [2.125, -3.125, 0.125, 1.0625, 2.375, -0.0625, 999.5, 10.25, 0.5, 99.75,
                              -9.9375, 1.1875, 0.9921875, 19.875]])
    probs = np.concatenate([rng.uniform(size=300), [0.9995, 0.99949, 0.0004, 0.00051, 1.0, 0.0, 1e-12],
                            [0.0625, 0.4375, 0.1875, 0.5625, 0.9375, 0.5, 0.9990234375, 0.0009765625,
                             0.9999]])
    got = page.evaluate(
        "([v, p]) => [v.map(x => bayesLdnExplorer.formatG(x, 3)), v.map(x => bayesLdnExplorer.formatG(x, 4)),"
        " p.map(x => bayesLdnExplorer.formatProbability(x))]", [values.tolist(), probs.tolist()])
    assert got[0] == [f"{v:.3g}" for v in values]
    assert got[1] == [f"{v:.4g}" for v in values]
    assert got[2] == [format_probability(v) for v in probs]


# --- the controls, set by hand, against Python ----------------------------------------------------


def test_controls_show_the_python_exact_posterior(page, report, specs):
    open_explorer(page, report)
    # 1. FINAL CPM (higher is better), a normal prior typed in, a 2 kPa MCID.
    page.select_option("#ex-spec", "final-cpm")
    page.select_option("#ex-prior", "normal")
    page.fill("#ex-mean", "0.5")
    page.fill("#ex-sd", "0.8")
    page.fill("#ex-mcid", "2")
    page.fill("#ex-rope", "0.25")
    assert shown_numbers(page) == python_numbers(specs["final-cpm"], prior="normal:0.5,0.8", mcid=2.0, rope=0.25)
    # 2. FINAL pain (lower is better: the sign flips), the strong pessimistic preset.
    page.select_option("#ex-spec", "final-pain")
    page.select_option("#ex-prior", "pessimistic")
    page.select_option("#ex-strength", "strong")
    assert shown_numbers(page) == python_numbers(specs["final-pain"], prior="pessimistic_strong", mcid=1.0, rope=0.5)
    assert page.input_value("#ex-mean") == "1"  # N(-MCID) aligned is +1 NRS point printed (worse)
    # 3. Bested FIQR through another median/IQR conversion, flat prior, no ROPE.
    page.select_option("#ex-spec", "bested-fiqr")
    page.select_option("#ex-prior", "flat")
    page.select_option("#ex-conversion", "cochrane")
    page.fill("#ex-rope", "")
    assert shown_numbers(page) == python_numbers(specs["bested-fiqr"], prior="flat", mcid=14.1, rope=None,
                                     conversion="cochrane")
    # 4. INNOVA, the weak enthusiastic preset.
    page.select_option("#ex-spec", "innova-pain")
    page.select_option("#ex-prior", "enthusiastic")
    page.select_option("#ex-strength", "weak")
    spec = specs["innova-pain"]
    assert shown_numbers(page) == python_numbers(spec, prior="enthusiastic_weak", mcid=spec.mcid[0], rope=spec.rope)
    # The evidence tags and the conversion that produced the likelihood are beside the numbers.
    assert page.text_content('[data-out="evidence"]').startswith(" + ".join(spec.record.evidence))
    assert page.text_content('[data-out="conversion_note"]') == to_likelihood(
        spec.record, spec.conversions[0]).conversion_note


def test_explorer_agrees_with_the_static_decision_tables(page, report, table):
    """Every flat and normal prior row of decisions.csv (every conversion, MCID and strength)."""
    open_explorer(page, report)
    ids = page.evaluate("JSON.parse(document.getElementById('explorer-data').textContent).specs.map(s => s.id)")
    assert ids == list(dict.fromkeys(table["spec"]))  # every result of the decision table is offered
    rows = table[table["prior_spec"].str.startswith(("Flat", "Normal")) & (table["method"] == "exact")]
    assert rows["prior"].str.match(r"^(vague|skeptical|enthusiastic|pessimistic)").all()
    assert len(rows) > 300  # 308 with the bundled specs
    fragments = []
    for _, r in rows.iterrows():
        conv = r["conversions"].split(":")[0]
        prior = "flat" if r["prior"] == "vague" else r["prior"]
        mcid = "none" if np.isnan(r["mcid"]) else f"{r['mcid']:g}"
        rope = "none" if np.isnan(r["rope"]) else f"{r['rope']:g}"
        fragments.append(f"#explore={r['spec']}&prior={prior}&mcid={mcid}&rope={rope}&conversion={conv}")
    shown = page.evaluate(
        """frags => frags.map(f => {
             bayesLdnExplorer.applyFragment(f, false);
             const t = k => document.querySelector(`[data-out="${k}"]`).textContent;
             return [t('prior_aligned'), t('interval'), t('prob_better'), t('prob_better_than_mcid'),
                     t('prob_rope'), t('prob_harm')];
           })""", fragments)

    def fp(v):
        return "\u2013" if np.isnan(v) else format_probability(v)

    expected = [[r["prior_spec"], f"{r['median']:.3g} ({r['lower']:.3g} to {r['upper']:.3g})",
                 fp(r["prob_better"]), fp(r["prob_better_than_mcid"]), fp(r["prob_rope"]), fp(r["prob_harm"])]
                for _, r in rows.iterrows()]
    bad = [(f, s, e) for f, s, e in zip(fragments, shown, expected, strict=True) if s != e]
    assert not bad, [(f, s, e) for f, s, e in bad[:3]]
    # And the static tables as printed on the page: each result's first table, row by row.
    static = page.evaluate(
        """() => [...document.querySelectorAll('h3[id]')].map(h => {
             let n = h.nextElementSibling; while (n && n.tagName !== 'TABLE') n = n.nextElementSibling;
             return [h.id, [...n.querySelectorAll('tr')].slice(1).map(tr => [...tr.cells].map(c => c.textContent))];
           })""")
    checked = 0
    for spec_id, trs in static:
        if spec_id not in ids:  # a section of another kind (not a summary-level result)
            continue
        for cells in trs:
            name = cells[0]
            if not cells[1].startswith(("Flat", "Normal")):  # a Student-t row (quadrature) is not offered
                continue
            prior = "flat" if name == "vague" else name
            page.evaluate("f => bayesLdnExplorer.applyFragment(f, false)", f"#explore={spec_id}&prior={prior}")
            now = shown_numbers(page)
            keys = ["prior_aligned", "interval", "prob_better", "prob_better_than_mcid", "prob_rope", "prob_harm"]
            # The static table leaves a probability it cannot compute empty; the explorer shows a dash.
            assert [now[k] for k in keys] == [c or "\u2013" for c in cells[1:]], (spec_id, name)
            checked += 1
    assert checked > 130  # 135 rows with the bundled specs


def test_the_course_exercises_links_show_its_worked_answer(page, report):
    """notebooks/course/06_prior_explorer.py: P(better) crosses 0.9 between prior SDs 0.54 and 0.53."""
    for sd, shown in (("0.54", "0.900"), ("0.53", "0.897")):
        open_explorer(page, report, f"#explore=final-cpm&prior=normal:0,{sd}&mcid=1")
        assert page.text_content('[data-out="prob_better"]') == shown
    open_explorer(page, report, "#explore=final-cpm&prior=skeptical_strong&mcid=1")
    assert page.text_content('[data-out="prob_better"]') == "0.860"
