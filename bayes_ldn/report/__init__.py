"""The self-contained HTML report that ``bayes-ldn reanalyze`` writes as ``DIR/report.html``.

``report_section(table, specs)`` is a :data:`bayes_ldn.reanalysis.Section`: it returns
``{"report.html": page}``. Figures are built in :mod:`bayes_ldn.report.figures` (plot data
first, then drawing), the page in :mod:`bayes_ldn.report.html` (a plain string template), and
the optional parts contributed by other analyses (random-finding verdict, synthesis) in
:mod:`bayes_ldn.report.parts`. Nothing here imports PyMC.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bayes_ldn.datasets import data_version
from bayes_ldn.provenance import provenance_attrs
from bayes_ldn.report.html import ReportPart, build_report
from bayes_ldn.report.parts import optional_parts
from bayes_ldn.spec import AnalysisSpec

__all__ = ["ReportPart", "build_report", "report_section"]


def report_section(table: pd.DataFrame, specs: Sequence[AnalysisSpec]) -> dict[str, str | bytes]:
    """Build ``report.html`` from the decision table and the specs (a reanalysis ``Section``)."""
    parts, seed = optional_parts(table, specs)
    prov = provenance_attrs(**data_version(), specs={s.id: s.digest for s in specs})
    page = build_report(table, specs, provenance=prov, seed=seed, extra=parts)
    return {"report.html": page}
