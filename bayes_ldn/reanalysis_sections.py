"""The main job's sections besides the decision table: random-finding verdicts and the synthesis.

Each is a library call returning ``{relative path: content}`` in memory, so
:func:`bayes_ldn.reanalysis.write_reanalysis` writes everything at once after every part has
succeeded, and ``bayes-ldn reanalyze --ci-prob`` reaches every interval and label.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.spec import AnalysisSpec

__all__ = ["random_finding_section", "synthesis_section"]


def random_finding_section(table: pd.DataFrame, specs: Sequence[AnalysisSpec], *, trial: str, outcome: str,
                           ci_prob: float = defaults.CI_PROB) -> dict[str, bytes]:
    """``random_finding_{outcome}/verdict.{csv,md}``: the bundled verdict (exact), intervals at ``ci_prob``."""
    from bayes_ldn.random_finding import bundled_verdict, verdict_files

    verdict, title = bundled_verdict(trial, outcome, patient_data=None, ci_prob=ci_prob)
    return {f"random_finding_{outcome}/{name}": content for name, content in verdict_files(verdict, title=title).items()}


def synthesis_section(table: pd.DataFrame, specs: Sequence[AnalysisSpec], *,
                      ci_prob: float = defaults.CI_PROB) -> dict[str, bytes]:
    """``synthesis/``: the bundled synthesis with ``bayes-ldn synthesize``'s defaults, intervals at ``ci_prob``."""
    from bayes_ldn.synthesis.outputs import synthesis_outputs

    _, _, files = synthesis_outputs(ci_prob=ci_prob)
    return {f"synthesis/{name}": content for name, content in files.items()}
