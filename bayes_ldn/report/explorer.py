r"""The report's interactive prior explorer: its data, its HTML, and links into it.

For every summary-level result (every spec of the decision table, every named conversion), the
reader sets the prior, the MCID and the ROPE and reads, at once, the prior, likelihood and
posterior densities, the credible interval, P(better), P(better by > MCID), P(within ROPE) and
P(worse), beside the record's evidence tags and the conversion that produced the likelihood.

The page computes what :func:`bayes_ldn.exact.exact_posterior` computes for a normal or a flat
prior, in plain JavaScript (``explorer_normal.js``, ``explorer_plot.js`` and ``explorer.js``,
shipped as package data and inlined into the page: no library, no CDN, no request). On the aligned scale (positive = LDN better), with likelihood
:math:`\hat\theta \sim N(\theta, s^2)` and prior :math:`N(m_0, s_0^2)`,

.. math::

    \theta \mid \hat\theta \sim N\!\left(\frac{m_0/s_0^2 + \hat\theta/s^2}{1/s_0^2 + 1/s^2},\;
    \frac{1}{1/s_0^2 + 1/s^2}\right), \qquad
    P(\text{better}) = \Phi\!\left(\frac{\mu_1}{\sigma_1}\right),\quad
    P(\text{better by} > \delta) = \Phi\!\left(\frac{\mu_1 - \delta}{\sigma_1}\right),

and the flat prior gives :math:`N(\hat\theta, s^2)`. :math:`\Phi` is evaluated from erfc (a
positive-term series below 0.75, Lentz's continued fraction above), relative error below 2e-14
for :math:`|z| \le 8` against SciPy (checked in the browser tests). The normal quantiles of the
report's interval probability and of the preset strengths are SciPy's own, carried in the page's
data, so the explorer's arithmetic is the decision table's operation for operation: where the flat
prior reproduces a published interval exactly, its limit can be a rounding tie (FINAL arm hold's
-14.15 s), and a quantile one ulp away would print the other neighbour. At any other interval
probability the page uses its own :math:`\Phi^{-1}` (Acklam's approximation and two Halley steps,
within 2e-14 of SciPy's). Student-t and mixture priors need quadrature and are not offered (the
page says so); their rows stay in the static decision tables.

State lives in the URL fragment, ``report.html#explore=SPEC&prior=normal:MEAN,SD&mcid=M``
(:func:`explorer_link`), so a link reproduces a view. A ``normal:MEAN,SD`` prior is on the
**printed** scale (LDN minus placebo as published, log ratio for ratios), as
``bayes-ldn posterior --prior``; presets are anchored on the MCID on the benefit scale, as in
:mod:`bayes_ldn.priors`. The page shows both forms of the prior.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import pandas as pd
from scipy import stats

from bayes_ldn import defaults
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.priors import STRENGTHS
from bayes_ldn.report.figures import benefit_arrow_text
from bayes_ldn.spec import AnalysisSpec

__all__ = ["explore_link_html", "explorer_data", "explorer_html", "explorer_link", "explorer_script"]

_E = html.escape


#: The explorer's JavaScript, in the order the page runs it: the normal distribution and Python's
#: printed formats, the SVG plot, then the model, the fragment and the controls.
SCRIPTS = ("explorer_normal.js", "explorer_plot.js", "explorer.js")


def explorer_script() -> str:
    """The explorer's JavaScript (:data:`SCRIPTS`, package data), to be inlined in the page."""
    files = resources.files("bayes_ldn.report")
    return "\n".join(files.joinpath(name).read_text(encoding="utf-8") for name in SCRIPTS)


def _number(v: float | None) -> str:
    return "none" if v is None else f"{v:g}"


def explorer_link(
    spec: str,
    *,
    prior: str = "flat",
    mcid: float | None = None,
    rope: float | None = None,
    conversion: str | None = None,
    page: str = "report.html",
) -> str:
    """A link that opens the explorer on one result with the given settings.

    Parameters
    ----------
    spec : str
        The result's id (``decisions.csv``'s ``spec`` column), e.g. ``"final-cpm"``.
    prior : str
        ``"flat"`` (or ``"vague"``), ``"normal:MEAN,SD"`` on the printed scale, or a preset name
        (``"skeptical"``, ``"skeptical_strong"``, ``"enthusiastic_weak"``, ...).
    mcid, rope : float, optional
        The MCID (positive, benefit scale) and the ROPE half-width; the spec's first MCID and its
        ROPE when not given.
    conversion : str, optional
        One of the spec's conversions; its first when not given.
    page : str
        The report's file name or URL, put before the fragment.

    Examples
    --------
    >>> explorer_link("final-cpm", prior="normal:0,0.5", mcid=1)
    'report.html#explore=final-cpm&prior=normal:0,0.5&mcid=1'
    """
    parts = [f"explore={spec}", f"prior={prior}"]
    if mcid is not None:
        parts.append(f"mcid={_number(mcid)}")
    if rope is not None:
        parts.append(f"rope={_number(rope)}")
    if conversion is not None:
        parts.append(f"conversion={conversion}")
    return f"{page}#" + "&".join(parts)


def _as_printed(spec: AnalysisSpec) -> str:
    r = spec.record
    text = f"{r.estimate:g} {r.units}"
    if r.lower is not None:
        text += f" ({100 * (r.ci_prob or 0):g}% CI {r.lower:g} to {r.upper:g})"
    extras = [f"IQR width {r.iqr:g}" if r.iqr is not None else "",
              f"effect size {r.effect_size:g}" if r.effect_size is not None else "",
              f"p = {r.p:g}" if r.p is not None else ""]
    return ", ".join([text, *[e for e in extras if e]]) + "; n: " + ", ".join(
        f"{k} {v}" for k, v in r.n.items())


def explorer_data(specs: Sequence[AnalysisSpec], *, ci_prob: float = defaults.CI_PROB) -> dict[str, Any]:
    """Everything the page needs, as JSON-able data: one entry per spec, one likelihood per conversion.

    Each conversion's ``estimate`` and ``se`` are :func:`bayes_ldn.data.records.to_likelihood`'s
    (aligned scale: positive = LDN better; ``sign`` maps back to the printed scale), so the page
    starts from exactly the likelihood the decision table used.
    """
    out = []
    for s in specs:
        r = s.record
        convs = []
        for name in s.conversions:
            lik = to_likelihood(r, name)
            convs.append({"name": name, "estimate": lik.estimate, "se": lik.se, "note": lik.conversion_note})
            sign, scale = lik.sign, lik.scale
        out.append({
            "id": s.id, "title": s.title, "units": r.units, "better": r.better, "sign": sign, "scale": scale,
            "arrow": benefit_arrow_text(r.better), "mcid": list(s.mcid), "mcid_basis": s.mcid_basis,
            "rope": s.rope, "evidence": list(r.evidence), "verified": r.verified,
            "as_printed": _as_printed(s), "conversions": convs,
        })
    a = (1 - ci_prob) / 2
    return {
        "ci_prob": ci_prob, "strengths": dict(STRENGTHS), "specs": out,
        # SciPy's quantiles, exactly those the decision table's interval and presets use.
        "z_interval": [float(stats.norm.ppf(a)), float(stats.norm.ppf(1 - a))],
        "strength_z": {k: float(stats.norm.isf(v)) for k, v in STRENGTHS.items()},
    }


_CONTROLS = """<form id="ex-form" class="ex-controls" onsubmit="return false">
<fieldset><legend>Result</legend>
<label for="ex-spec">Result</label> <select id="ex-spec"></select>
<label for="ex-conversion">Conversion to a likelihood</label> <select id="ex-conversion"></select>
</fieldset>
<fieldset><legend>Prior on the effect</legend>
<label for="ex-prior">Prior</label> <select id="ex-prior">
<option value="flat">flat (vague)</option><option value="normal">normal: mean and SD</option>
<option value="skeptical">skeptical (MCID-anchored)</option>
<option value="enthusiastic">enthusiastic (MCID-anchored)</option>
<option value="pessimistic">pessimistic (MCID-anchored)</option></select>
<label for="ex-strength">Preset strength</label> <select id="ex-strength">{strengths}</select>
<label for="ex-mean">Prior mean (<span data-units></span>, printed scale)</label>
<input id="ex-mean" type="number" step="any" value="0">
<label for="ex-sd">Prior SD</label> <input id="ex-sd" type="number" step="any" min="0" value="1">
</fieldset>
<fieldset><legend>Thresholds (benefit scale, positive)</legend>
<label for="ex-mcid">MCID</label> <input id="ex-mcid" type="number" step="any" min="0">
<label for="ex-rope">ROPE half-width</label> <input id="ex-rope" type="number" step="any" min="0">
<label for="ex-ci">Credible interval probability</label>
<input id="ex-ci" type="number" step="0.01" min="0.5" max="0.999">
</fieldset>
</form>"""

_OUTPUTS = """<p id="ex-message" role="alert" class="unverified" hidden></p>
<div class="ex-panel">
<svg id="ex-plot" role="img" aria-labelledby="ex-plot-title" viewBox="0 0 640 250" width="640" height="250"></svg>
<table class="ex-out" aria-live="polite">
<tr><th scope="row">Result</th><td data-out="title"></td></tr>
<tr><th scope="row">Evidence</th><td><span class="tag" data-out="evidence"></span></td></tr>
<tr><th scope="row">As printed</th><td data-out="as_printed"></td></tr>
<tr><th scope="row">Direction of benefit</th><td data-out="better"></td></tr>
<tr><th scope="row">Conversion</th><td><code data-out="conversion"></code>: <span class="note" data-out="conversion_note"></span></td></tr>
<tr><th scope="row">Likelihood (printed scale)</th><td class="num" data-out="likelihood"></td></tr>
<tr><th scope="row">Prior (printed scale)</th><td class="num" data-out="prior"></td></tr>
<tr><th scope="row">Prior (aligned: + = better, as in the decision tables)</th><td class="num" data-out="prior_aligned"></td></tr>
<tr><th scope="row">Posterior (printed scale)</th><td class="num" data-out="posterior"></td></tr>
<tr><th scope="row">Median (<span data-out="ci">{ci}</span>% CrI)</th><td class="num" data-out="interval"></td></tr>
<tr><th scope="row">P(LDN better)</th><td class="num" data-out="prob_better"></td></tr>
<tr><th scope="row">P(better by &gt; MCID)</th><td class="num" data-out="prob_better_than_mcid"></td></tr>
<tr><th scope="row">P(within ROPE)</th><td class="num" data-out="prob_rope"></td></tr>
<tr><th scope="row">P(LDN worse)</th><td class="num" data-out="prob_harm"></td></tr>
<tr><th scope="row">MCID basis</th><td class="note" data-out="mcid_basis"></td></tr>
</table>
</div>
<p>Link to this view (copy it to share; opening it sets every control): <a id="ex-link" href="#explorer"></a></p>"""

_STYLE = """<style>
.ex-controls fieldset { display: inline-block; vertical-align: top; border: 1px solid #ddd; margin: 4px 6px 4px 0; }
.ex-controls label { display: block; font-size: 13px; margin-top: 4px; }
.ex-controls input, .ex-controls select { font-size: 14px; max-width: 330px; }
.ex-panel { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.ex-panel svg { border: 1px solid #eee; max-width: 100%; height: auto; }
.ex-panel table.ex-out { flex: 1 1 420px; max-width: 560px; margin-top: 0; }
#ex-link { word-break: break-all; }
</style>"""


def explorer_html(specs: Sequence[AnalysisSpec], table: pd.DataFrame | None = None) -> str:
    """The explorer section's body: explanation, controls, outputs, data and script.

    ``table``, when given, supplies the interval probability (its ``ci_prob`` column), so the
    explorer's intervals match the decision table's.
    """
    ci_prob = float(table["ci_prob"].iloc[0]) if table is not None and len(table) else defaults.CI_PROB
    # "</" cannot appear inside a script element; JSON allows "<\/" for it.
    data = json.dumps(explorer_data(specs, ci_prob=ci_prob), separators=(",", ":")).replace("</", "<\\/")
    strengths = "".join(
        f'<option value="{k}"{" selected" if k == "moderate" else ""}>{k} (tail {v:g})</option>'
        for k, v in STRENGTHS.items()
    )
    intro = (
        '<p class="note">Set the prior, the MCID and the ROPE and read the exact posterior at once '
        "(normal likelihood times a normal or flat prior: closed form, the same numbers as the "
        "decision tables). The normal prior's mean is on the printed scale (LDN minus placebo as "
        "published, as for <code>bayes-ldn posterior --prior normal:MEAN,SD</code>); the presets are "
        "anchored on the MCID as in the tables (skeptical N(0, MCID/z), enthusiastic N(MCID, MCID/z), "
        "pessimistic N(&minus;MCID, MCID/z), z the standard normal quantile of 1 &minus; tail). "
        "Student-t and mixture priors need numerical integration and are not offered here; their rows "
        "are in each result's decision table. Settings live in the address: "
        "<code>report.html#explore=SPEC&amp;prior=normal:MEAN,SD&amp;mcid=M</code> (also "
        "<code>prior=flat</code>, <code>prior=skeptical_strong</code>, <code>&amp;rope=R</code>, "
        "<code>&amp;conversion=NAME</code>). Everything runs in this page; nothing is sent anywhere.</p>"
    )
    body = "\n".join([
        _STYLE,
        intro,
        '<div id="explorer-app">',
        _CONTROLS.format(strengths=strengths),
        _OUTPUTS.format(ci=f"{100 * ci_prob:g}"),
        "</div>",
        f'<script type="application/json" id="explorer-data">{data}</script>',
        f"<script>\n{explorer_script()}\n</script>",
    ])
    return body


def explore_link_html(spec_id: str) -> str:
    """A short paragraph that opens the explorer on one result (placed in its section)."""
    return (f'<p class="note"><a href="#explore={_E(spec_id)}">Explore this result with your own prior, '
            "MCID and ROPE</a> (interactive, below the results).</p>")
