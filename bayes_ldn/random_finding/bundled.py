"""The bundled flagged results: FINAL's CPM difference and FINAL's memory item.

Each entry names the flagged record(s), its outcome family, its within-group change records
and the conversion to a normal likelihood; :func:`bundled_verdict` runs the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bayes_ldn import defaults
from bayes_ldn.datasets import load_family, load_record
from bayes_ldn.exceptions import raise_if
from bayes_ldn.random_finding._common import standardize
from bayes_ldn.random_finding.choices import standard_choices
from bayes_ldn.random_finding.verdict import Verdict, merge_verdicts, random_finding

__all__ = ["BUNDLED", "BundledCase", "bundled_verdict"]


@dataclass(frozen=True)
class BundledCase:
    """One bundled flagged result and the inputs that go with it."""

    title: str
    records: tuple[str, ...]
    family: str | None
    within: tuple[str, ...] | None
    conversion: str
    missing_reasons: tuple[tuple[str, str], ...] = ()


BUNDLED: dict[tuple[str, str], BundledCase] = {
    ("final", "cpm"): BundledCase(
        title="Is FINAL's CPM result a random finding?",
        records=("final_cpm",),
        family="final_exploratory",
        within=("final_cpm_change_ldn", "final_cpm_change_placebo"),
        conversion="ci_normal",
    ),
    ("final", "memory"): BundledCase(
        title="Is FINAL's memory-item result a random finding?",
        records=("final_memory_mdedge", "final_memory_medpage"),
        family=None,
        within=None,
        conversion="p_normal",
        missing_reasons=(
            ("1", "FINAL's other FIQR items were not published (the two memory records are two "
                  "reports of one item, not sibling outcomes)"),
            ("5", "the news reports give the arm changes without CIs, SEs or p-values"),
        ),
    ),
}


def bundled_verdict(trial: str, outcome: str, *, patient_data: Any,
                    ci_prob: float = defaults.CI_PROB) -> tuple[Verdict, str]:
    """Verdict and title of a bundled case under :func:`standard_choices` (intervals at ``ci_prob``).

    For the memory item the two conflicting news reports are analysed side by side; they share
    P = 0.004 and the arm sizes, so their standardized figures coincide and only raw-unit figures
    (the sceptical limit) differ.
    """
    case = BUNDLED.get((trial.lower(), outcome.lower()))
    raise_if("random-finding case", [] if case else [
        f"no bundled case for --trial {trial} --outcome {outcome}; known: "
        + ", ".join(f"--trial {t} --outcome {o}" for t, o in BUNDLED)
    ])
    assert case is not None
    choices = standard_choices(conversion=case.conversion, ci_prob=ci_prob)
    family = load_family(case.family) if case.family else None
    within = [load_record(r) for r in case.within] if case.within else None
    verdicts = [
        random_finding(rid, family_records=family, within_records=within, patient_data=patient_data,
                       choices=choices, missing_reasons=dict(case.missing_reasons))
        for rid in case.records
    ]
    if len(verdicts) == 1:
        return verdicts[0], case.title
    records = [load_record(r) for r in case.records]
    effects = [standardize(r, case.conversion) for r in records]
    same = all(np.isclose(e.estimate, effects[0].estimate) for e in effects)
    reports = "; ".join(
        f"{r.id} [{'+'.join(r.evidence)}, unverified]: {r.estimate:+g} {r.units} (arms "
        f"{dict(r.extra.get('arm_estimates', {}))}), P = {r.p:g}" for r in records
    )
    preamble = (
        f"The item is known only from conflicting secondary reports ({reports}). Arm sizes "
        f"{dict(records[0].n)} are assumed (the analysed population was not reported) and P is "
        "nominal (not significant after the trial's multiplicity adjustment). "
        + ("Both reports give the same standardized effect "
           f"(d = {effects[0].estimate:.3f}, SE {effects[0].se:.3f}), so every standardized figure "
           "below is the same for both; only raw-unit figures differ. " if same else
           "The reports give different standardized effects; both are shown. ")
        + "Multiplicity, the authors' reason for doubt, cannot be reanalysed: the other items "
        "tested were not published. Verdict for the first report: "
    )
    return merge_verdicts(verdicts, paragraph=preamble + verdicts[0].paragraph), case.title
