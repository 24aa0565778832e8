"""The self-contained HTML report that ``bayes-ldn reanalyze`` writes as ``DIR/report.html``.

``report_section(table, specs)`` is a :data:`bayes_ldn.reanalysis.Section`: it returns
``{"report.html": page}``. Figures are built in :mod:`bayes_ldn.report.figures` (plot data
first, then drawing) and rendered to SVG by :mod:`bayes_ldn.report.render` (on several processes
where it can), the page in :mod:`bayes_ldn.report.html` (a plain string template), and the
optional parts contributed by other analyses (random-finding verdict, synthesis) in
:mod:`bayes_ldn.report.parts`, and the interactive prior explorer (its data, section and fragment
links; plain JavaScript in ``explorer*.js``, inlined) in :mod:`bayes_ldn.report.explorer`.
Nothing here imports PyMC.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bayes_ldn.datasets import data_version
from bayes_ldn.provenance import provenance_attrs
from bayes_ldn.report.html import ReportPart, build_report, spec_figure_job
from bayes_ldn.report.parts import optional_parts
from bayes_ldn.report.render import FigureRenderer
from bayes_ldn.spec import AnalysisSpec

__all__ = ["ReportPart", "build_report", "report_section"]


def report_section(
    table: pd.DataFrame, specs: Sequence[AnalysisSpec], *, workers: int | None = None
) -> dict[str, str | bytes]:
    """Build ``report.html`` from the decision table and the specs (a reanalysis ``Section``).

    ``workers`` processes draw the figures (default: every available CPU; see
    :class:`bayes_ldn.report.render.FigureRenderer`); the page does not depend on it.
    """
    parts, seed = optional_parts(table, specs)
    with FigureRenderer(workers) as renderer:
        # The parts' figures are the largest (three panels, a layout engine): queued first, they
        # do not finish alone after the quick ones.
        part_figures = [None if p.figure is None else renderer.submit(p.figure) for p in parts]
        figures = {s.id: renderer.submit(spec_figure_job(s)) for s in specs}
        parts = [p if f is None else p.with_image(f.result()) for p, f in zip(parts, part_figures, strict=True)]
        rendered = {k: f.result() for k, f in figures.items()}
    prov = provenance_attrs(**data_version(), specs={s.id: s.digest for s in specs})
    page = build_report(table, specs, provenance=prov, seed=seed, figures=rendered, extra=parts)
    return {"report.html": page}
