"""The self-contained HTML page: a plain string template filled from tidy tables and figures.

No template engine: every figure is an inline base64 SVG, and the one piece of JavaScript (the
prior explorer, :mod:`bayes_ldn.report.explorer`) is inlined too, so the single file can be
mailed, archived or opened offline and makes no request. Every probability goes through
:func:`bayes_ldn.stats.format_probability` (it prints ``>0.999``, never ``1.000``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from bayes_ldn.data.records import PublishedRecord
from bayes_ldn.report.explorer import explore_link_html, explorer_html
from bayes_ldn.report.figures import benefit_arrow_text, spec_figure
from bayes_ldn.report.render import FigureJob
from bayes_ldn.spec import AnalysisSpec
from bayes_ldn.stats import format_probability
from bayes_ldn.summaries import table_ci_prob

__all__ = ["ReportPart", "build_report", "decision_html", "inputs_html", "primary_rows", "spec_figure_job"]

_E = html.escape


@dataclass(frozen=True)
class ReportPart:
    """One extra section of the page (random-finding verdict, synthesis): an anchor, a title, HTML.

    ``figure``, when given, is drawn (possibly in another process) and placed after ``body`` with
    ``figure_alt`` as its alt text; :meth:`with_image` does that once the SVG is rendered.
    """

    anchor: str
    title: str
    body: str
    figure: FigureJob | None = None
    figure_alt: str = ""

    def with_image(self, data_uri: str) -> ReportPart:
        """This part with its rendered figure appended to the body (and no figure left to draw)."""
        img = f'<img alt="{_E(self.figure_alt)}" src="{data_uri}">'
        return replace(self, body=self.body + img, figure=None)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bayes_ldn: Bayesian reanalysis of low-dose naltrexone trials</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
       max-width: 1240px; padding: 0 24px 48px; color: #222; line-height: 1.45; }}
h1 {{ margin-top: 28px; }}
h2 {{ border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 40px; }}
h3 {{ margin-bottom: 4px; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 8px 0 12px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
img {{ max-width: 100%; height: auto; border: 1px solid #eee; }}
.tag {{ display: inline-block; padding: 0 5px; border-radius: 3px; background: #e8eef7;
        font-size: 12px; margin-right: 3px; }}
.unverified {{ background: #fde2e1; color: #8a1c17; font-weight: bold; }}
.verified {{ background: #e3f4e1; color: #1d5c1a; }}
.note {{ color: #555; font-size: 13px; }}
.box {{ background: #f8f8f4; border-left: 4px solid #c9b458; padding: 8px 14px; margin: 12px 0; }}
nav ul {{ columns: 3; font-size: 14px; }}
details summary {{ cursor: pointer; color: #1f4e8c; }}
</style>
</head>
<body>
<h1>Bayesian reanalysis of low-dose naltrexone (LDN) trials in fibromyalgia</h1>
<div class="box">
<p><b>How to read this page.</b> Each result is a published LDN-minus-placebo contrast, shown
<b>on the scale it was printed</b> (units stated on each axis). The arrow above each posterior
plot (<b>{arrow_example}</b>) points in the direction of benefit for that outcome. Probabilities
are posterior probabilities in the direction of benefit; intervals are {ci}% equal-tailed
credible intervals. Every number is an exact posterior (conjugate or quadrature): nothing is
sampled. <b>MCID</b> = minimal clinically important difference (its source is given per
result); <b>ROPE</b> = region of practical equivalence around no difference. Inputs marked
<span class="tag unverified">unverified</span> were not read in a primary source. The
<a href="#explorer">prior explorer</a> recomputes any result under a prior, MCID and ROPE of your
choice, in this page.</p>
</div>
<nav><b>Contents</b><ul>
{toc}
</ul></nav>
<h2 id="glance">At a glance</h2>
<p class="note">Posterior median ({ci}% CrI) on the printed scale and P(LDN better) under the vague
prior and the moderate skeptical prior (first named conversion, first MCID).</p>
{glance}
{extra}
<h2 id="results">Results by trial and outcome</h2>
{results}
<h2 id="explorer">Prior explorer</h2>
{explorer}
<h2 id="inputs">Inputs and their evidence</h2>
<p class="note">Evidence tags: ABS abstract, TAB primary table page, REG registry, SEC secondary
report, 3P third-party curated dataset. A record is verified only when every number was read in
a primary source (ABS, TAB or REG).</p>
{inputs}
<h2 id="provenance">Software, data and seed</h2>
{provenance}
</body>
</html>
"""


def primary_rows(table: pd.DataFrame, spec: AnalysisSpec) -> pd.DataFrame:
    """A spec's rows for its first conversion and first MCID anchor (the ones drawn)."""
    rows = table[table["spec"] == spec.id]
    first_conv = spec.conversions[0]
    rows = rows[rows["conversions"].str.startswith(first_conv + ":")]
    if spec.mcid:
        rows = rows[rows["mcid"] == spec.mcid[0]]
    return rows


def _interval(r: pd.Series) -> str:
    return f"{r['median']:.3g} ({r['lower']:.3g} to {r['upper']:.3g})"


def _prob(v: float) -> str:
    return "" if pd.isna(v) else format_probability(float(v))


def decision_html(rows: pd.DataFrame, *, full: bool = False) -> str:
    """The decision table as an HTML table (probabilities formatted, never ``1.000``)."""
    head = ["Prior", "Prior distribution (aligned: + = better)"]
    if full:
        head = ["Conversion", "MCID", *head]
    units = rows["units"].iloc[0] if len(rows) else ""
    head += [
        f"Median ({100 * table_ci_prob(rows):g}% CrI), {units}", "P(LDN better)",
        "P(better by &gt; MCID)", "P(within ROPE)", "P(LDN worse)",
    ]
    out = ["<table>", "<tr>" + "".join(f"<th>{h if '&' in h else _E(h)}</th>" for h in head) + "</tr>"]
    for _, r in rows.iterrows():
        cells = []
        if full:
            cells += [_E(r["conversions"].split(":")[0]), "" if pd.isna(r["mcid"]) else f"{r['mcid']:g}"]
        cells += [_E(r["prior"]), _E(r["prior_spec"])]
        cells = [f"<td>{c}</td>" for c in cells]
        cells += [f'<td class="num">{_E(v)}</td>' for v in (
            _interval(r), _prob(r["prob_better"]), _prob(r["prob_better_than_mcid"]),
            _prob(r["prob_rope"]), _prob(r["prob_harm"]),
        )]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _tags(record: PublishedRecord) -> str:
    tags = "".join(f'<span class="tag">{_E(t)}</span>' for t in record.evidence)
    flag = (
        '<span class="tag verified">verified</span>' if record.verified
        else '<span class="tag unverified">unverified</span>'
    )
    return tags + flag


def _as_printed(r: PublishedRecord) -> str:
    parts = [f"{r.estimate:g}"]
    if r.lower is not None:
        parts.append(f"({100 * (r.ci_prob or 0):g}% CI {r.lower:g} to {r.upper:g})")
    if r.iqr is not None:
        parts.append(f"IQR width {r.iqr:g}")
    if r.effect_size is not None:
        parts.append(f"effect size {r.effect_size:g}")
    if r.p is not None:
        parts.append(f"p = {r.p:g}")
    return ", ".join(parts)


def inputs_html(specs: Sequence[AnalysisSpec]) -> str:
    """One row per record used: the number as printed, n, evidence tags and where it was read."""
    head = ["Record", "Trial", "Outcome", "As printed (LDN minus placebo)", "Units", "n", "Evidence", "Where"]
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    seen = set()
    for s in specs:
        r = s.record
        if r.id in seen:
            continue
        seen.add(r.id)
        n = ", ".join(f"{k} {v}" for k, v in r.n.items())
        cells = [_E(r.id), _E(r.trial), _E(r.label), _E(_as_printed(r)), _E(r.units), _E(n), _tags(r),
                 _E(r.location) + (f'<br><span class="note">{_E(r.note)}</span>' if r.note else "")]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    cites = sorted({(s.record.source.citation, s.record.source.doi or "") for s in specs})
    out.append("<p><b>Sources</b></p><ul class='note'>")
    out += [f"<li>{_E(c)}{f' doi:{_E(d)}' if d else ''}</li>" for c, d in cites]
    out.append("</ul>")
    return "\n".join(out)


def _glance(table: pd.DataFrame, specs: Sequence[AnalysisSpec]) -> str:
    head = ["Analysis", "Trial", "Outcome", "Better", "Median (CrI), vague prior", "P(LDN better), vague",
            "P(LDN better), skeptical moderate", "Evidence"]
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for s in specs:
        rows = primary_rows(table, s)
        vague = rows[rows["prior"] == "vague"]
        skep = rows[rows["prior"] == "skeptical_moderate"]
        if vague.empty:
            continue
        v = vague.iloc[0]
        cells = [
            f'<td><a href="#{_E(s.id)}">{_E(s.id)}</a></td>', f"<td>{_E(s.record.trial)}</td>",
            f"<td>{_E(s.record.label)}</td>", f"<td>{_E(s.record.better)}</td>",
            f'<td class="num">{_E(_interval(v))} {_E(v["units"])}</td>',
            f'<td class="num">{_prob(v["prob_better"])}</td>',
            f'<td class="num">{_prob(skep.iloc[0]["prob_better"]) if len(skep) else "&ndash;"}</td>',
            f"<td>{_tags(s.record)}</td>",
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def spec_figure_job(spec: AnalysisSpec) -> FigureJob:
    """The figure drawn for an analysis: its first conversion and first MCID anchor."""
    return FigureJob(spec_figure, {"spec": spec, "conversion": spec.conversions[0],
                                   "mcid": spec.mcid[0] if spec.mcid else None})


def _result(table: pd.DataFrame, spec: AnalysisSpec, fig: str) -> str:
    r = spec.record
    conv = spec.conversions[0]
    rows = primary_rows(table, spec)
    all_rows = table[table["spec"] == spec.id]
    mc = ", ".join(f"{m:g}" for m in spec.mcid) or "none"
    alt = f"Posterior of the LDN minus placebo difference in {r.label} under each prior, and its prior sensitivity"
    parts = [
        f'<h3 id="{_E(spec.id)}">{_E(spec.title)}</h3>',
        f"<p>{_tags(r)} &nbsp; Direction of benefit: <b>{_E(r.better)} is better</b> "
        f"({_E(benefit_arrow_text(r.better))}). n: {_E(', '.join(f'{k} {v}' for k, v in r.n.items()))}. "
        f"Conversion drawn: <code>{_E(conv)}</code>"
        f"{'' if len(spec.conversions) == 1 else ' (others in the full table)'}.</p>",
        f'<p class="note"><b>MCID</b> {_E(r.units)}: {mc}. {_E(spec.mcid_basis)}'
        + (f" <b>ROPE</b> &plusmn;{spec.rope:g}: {_E(spec.rope_basis)}" if spec.rope else "") + "</p>",
        f'<img alt="{_E(alt)}" src="{fig}">',
        decision_html(rows),
        explore_link_html(spec.id),
    ]
    if len(all_rows) > len(rows):
        parts.append(
            f"<details><summary>Full decision table ({len(all_rows)} rows: every conversion, MCID and "
            f"prior strength)</summary>{decision_html(all_rows, full=True)}</details>"
        )
    return "\n".join(parts)


def _provenance(prov: dict[str, str], seed: str) -> str:
    rows = "".join(f"<tr><td>{_E(k)}</td><td>{_E(str(v))}</td></tr>" for k, v in sorted(prov.items()))
    return (
        f"<p><b>Random seed:</b> {_E(seed)}</p>"
        f"<table><tr><th>Item</th><th>Value</th></tr>{rows}</table>"
    )


def build_report(
    table: pd.DataFrame,
    specs: Sequence[AnalysisSpec],
    *,
    provenance: dict[str, str],
    seed: str,
    figures: Mapping[str, str],
    extra: Sequence[ReportPart] = (),
) -> str:
    """The whole page as one string.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`bayes_ldn.reanalysis.decision_table` output.
    specs : sequence of AnalysisSpec
    provenance : dict
        Software versions, data version and digests (:func:`bayes_ldn.provenance.provenance_attrs`).
    seed : str
        The random seed used, or why none was needed.
    figures : mapping
        Spec id -> SVG data URI of :func:`spec_figure_job`'s figure, for every spec.
    extra : sequence of ReportPart
        Sections placed after the overview (random-finding verdict, synthesis), their figures
        already rendered (:meth:`ReportPart.with_image`).
    """
    missing = [s.id for s in specs if s.id not in figures]
    if missing:
        raise ValueError(f"build_report: no rendered figure for spec(s) {missing}; render spec_figure_job(spec)")
    by_trial: dict[str, list[AnalysisSpec]] = {}
    for s in specs:
        by_trial.setdefault(s.record.trial, []).append(s)
    results = []
    for trial, group in by_trial.items():
        results.append(f"<h2>{_E(trial)}</h2>")
        results += [_result(table, s, figures[s.id]) for s in group]
    toc = ['<li><a href="#glance">At a glance</a></li>']
    toc += [f'<li><a href="#{_E(p.anchor)}">{_E(p.title)}</a></li>' for p in extra]
    toc += [f'<li><a href="#{_E(s.id)}">{_E(s.id)}</a></li>' for s in specs]
    toc += ['<li><a href="#explorer">Prior explorer</a></li>', '<li><a href="#inputs">Inputs and evidence</a></li>', '<li><a href="#provenance">Software and seed</a></li>']
    extra_html = "\n".join(f'<h2 id="{_E(p.anchor)}">{_E(p.title)}</h2>\n{p.body}' for p in extra)
    return _PAGE.format(
        arrow_example=_E(benefit_arrow_text("higher")), ci=f"{100 * table_ci_prob(table):g}", toc="\n".join(toc),
        glance=_glance(table, specs), extra=extra_html, results="\n".join(results),
        explorer=explorer_html(specs, table), inputs=inputs_html(specs),
        provenance=_provenance(provenance, seed),
    )

