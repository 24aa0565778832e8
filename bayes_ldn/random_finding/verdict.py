"""The verdict: every angle's rows in one table, a plain-language paragraph, and the files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn.data.records import PublishedRecord
from bayes_ldn.datasets import load_record
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.random_finding._common import (
    NEUTRAL, NOT_AVAILABLE, RANDOM, REAL, standardize,
)
from bayes_ldn.random_finding.angles import (
    bayes_factor_rows, replication_rows, reverse_bayes_rows, shrinkage_rows, skeptical_rows,
)
from bayes_ldn.random_finding.association import pain_association_rows
from bayes_ldn.random_finding.choices import RandomFindingChoices
from bayes_ldn.random_finding.placebo import placebo_rows
from bayes_ldn.stats import format_probability

__all__ = ["COLUMNS", "Verdict", "merge_verdicts", "random_finding", "verdict_files", "write_verdict"]

#: Columns of the verdict table, in order.
COLUMNS = ("record", "angle", "quantity", "value", "units", "points_to", "note", "headline", "in_verdict")


@dataclass(frozen=True)
class Verdict:
    """The random-finding verdict of one flagged result.

    Attributes
    ----------
    table : DataFrame
        One row per angle and quantity: ``record``, ``angle``, ``quantity``, ``value``,
        ``units``, ``points_to`` (random finding / real effect / neutral / not available),
        ``note``, ``headline`` (the angle's main figure), ``in_verdict`` (counted in the tally).
    paragraph : str
        Plain-language summary naming unverified inputs.
    details : dict of str to DataFrame
        Supporting tables (shrinkage by heterogeneity prior, BF sensitivity, RTM sweep).
    choices : RandomFindingChoices
    """

    table: pd.DataFrame
    paragraph: str
    details: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    choices: RandomFindingChoices | None = None

    def tally(self) -> dict[str, int]:
        """Headline rows counted in the verdict, by direction."""
        head = self.table[self.table["headline"] & self.table["in_verdict"]]
        return {k: int((head["points_to"] == k).sum()) for k in (RANDOM, REAL, NEUTRAL, NOT_AVAILABLE)}


def _resolve(flagged: str | PublishedRecord) -> PublishedRecord:
    return load_record(flagged) if isinstance(flagged, str) else flagged


def _within_map(flagged: PublishedRecord, within: Sequence[PublishedRecord] | None) -> dict | None:
    if within is None:
        return None
    treatment, control = flagged.contrast
    by_arm = {r.arm: r for r in within}
    raise_if("within-group records", [
        f"record {r.id!r} has arm {r.arm!r}; within-group records must have arm "
        f"{treatment!r} or {control!r} (the arms of {flagged.id!r})"
        for r in within if r.arm not in (treatment, control)
    ])
    out = {}
    if treatment in by_arm:
        out["treatment"] = by_arm[treatment]
    if control in by_arm:
        out["placebo"] = by_arm[control]
    return out


def random_finding(
    flagged: str | PublishedRecord,
    *,
    family_records: Sequence[PublishedRecord] | None,
    within_records: Sequence[PublishedRecord] | None,
    patient_data: Any,
    choices: RandomFindingChoices,
    missing_reasons: Mapping[str, str] | None = None,
) -> Verdict:
    """Is a flagged result a random finding? Every angle the inputs allow, in one verdict.

    Parameters
    ----------
    flagged : str or PublishedRecord
        The result under suspicion (a bundled record id, or a record).
    family_records : sequence of PublishedRecord or None
        The outcome family it was one of (including it or not); ``None``: no shrinkage angle.
    within_records : sequence of PublishedRecord or None
        Within-group change records, matched to the contrast's arms by ``arm``.
    patient_data : DataFrame, object with ``.frame``, or None
        Long-format patient-level data for the association with pain.
    choices : RandomFindingChoices
        All thresholds and priors (see :func:`~bayes_ldn.random_finding.standard_choices`).
    missing_reasons : mapping of str to str, optional
        A more specific "because ..." for angles whose input is ``None``, keyed by the angle's
        number (``"1"``, ``"5"``, ``"6"``), for example why a report has no within-arm CIs.

    Returns
    -------
    Verdict
    """
    record = _resolve(flagged)
    effect = standardize(record, choices.conversion)
    within = _within_map(record, within_records)
    rows: list[dict] = []
    details: dict[str, pd.DataFrame] = {}
    shrink, shrink_table = shrinkage_rows(effect, family_records, choices)
    rows += shrink
    rows += skeptical_rows(effect, choices)
    rows += reverse_bayes_rows(effect)
    bf, bf_table = bayes_factor_rows(effect, choices)
    rows += bf
    plac, rtm_table = placebo_rows(effect, within, choices)
    rows += plac
    rows += pain_association_rows(record.outcome, record.contrast[0], patient_data, choices)
    rows += replication_rows(effect, choices)
    for name, tab in (("shrinkage", shrink_table), ("bayes_factor", bf_table), ("regression_to_mean", rtm_table)):
        if tab is not None:
            details[name] = tab
    for r in rows:
        reason = (missing_reasons or {}).get(r["angle"].split(" ", 1)[0])
        if reason and r["points_to"] == NOT_AVAILABLE:
            r["note"] = f"not available, because {reason}"
    table = pd.DataFrame(rows)
    table["in_verdict"] = table.get("in_verdict", pd.Series(True, index=table.index)).fillna(True).astype(bool)
    table.insert(0, "record", record.id)
    table = table[list(COLUMNS)]
    used = [record, *(family_records or []), *((within or {}).values())]
    return Verdict(table=table, paragraph=_paragraph(record, effect, table, used), details=details,
                   choices=choices)


def _headline(table: pd.DataFrame, angle_prefix: str) -> pd.Series | None:
    hit = table[table["angle"].str.startswith(angle_prefix) & table["headline"]]
    return None if hit.empty else hit.iloc[0]


def _paragraph(record: PublishedRecord, effect, table: pd.DataFrame, used: list[PublishedRecord]) -> str:
    head = table[table["headline"] & table["in_verdict"] & (table["points_to"] != NOT_AVAILABLE)]
    counts = {k: int((head["points_to"] == k).sum()) for k in (RANDOM, REAL, NEUTRAL)}
    missing = table[table["points_to"] == NOT_AVAILABLE]
    lik = effect.likelihood
    parts = [
        f"Is the {record.trial} result for {record.label} ({lik.estimate:+.3g} {lik.units} on the "
        f"aligned scale, positive = {record.contrast[0]} better; z = {effect.z:.2f}) a random finding? "
        f"Of {len(head)} angles assessed (one headline figure each), {counts[RANDOM]} point to a "
        f"random finding, {counts[REAL]} to a "
        f"real effect and {counts[NEUTRAL]} are neutral."
    ]
    figures = []
    for prefix, text in (("1", "after pooling with its sibling outcomes P(better) is {v}"),
                         ("2", "under a moderate sceptical prior P(better) is {v}"),
                         ("4", "the Bayes factor for an effect is {v}"),
                         ("7", "a same-size replication would be significant with probability {v}")):
        h = _headline(table, prefix)
        if h is not None and h["points_to"] != NOT_AVAILABLE:
            v = f"{h['value']:.2f}" if prefix == "4" else format_probability(h["value"])
            figures.append(text.format(v=v))
    sl = _headline(table, "3")
    if sl is not None and "sceptical limit" in sl["quantity"]:
        figures.append(f"the sceptical limit is {sl['value']:.3g} {lik.units}")
    if figures:
        parts.append("In brief: " + "; ".join(figures) + ".")
    if counts[RANDOM] > counts[REAL]:
        parts.append("On balance the evidence is more consistent with a chance finding than with a "
                     "real effect, although no angle can prove an effect absent.")
    elif counts[REAL] > counts[RANDOM]:
        parts.append("On balance the evidence leans towards a real effect rather than a chance finding.")
    else:
        parts.append("The angles disagree: the evidence does not settle whether the result is real.")
    if not missing.empty:
        parts.append("Not assessed: " + "; ".join(
            f"{a.split(' ', 1)[1]} ({n.removeprefix('not available, because ')})"
            for a, n in zip(missing["angle"], missing["note"], strict=True)) + ".")
    excluded = table[~table["in_verdict"] & table["headline"]]
    if not excluded.empty:
        parts.append("The association with pain was computed on synthetic data and is not counted.")
    unverified = sorted({f"{r.id} ({'+'.join(r.evidence)})" for r in used if not r.verified})
    if unverified:
        parts.append("Unverified inputs: " + ", ".join(unverified) + ".")
    parts.append("Caveats: effects are analysed in SD-of-change units with the SD treated as known; "
                 "sibling outcomes are treated as independent; thresholds and priors are the stated choices.")
    return " ".join(parts)


def merge_verdicts(verdicts: Sequence[Verdict], *, paragraph: str) -> Verdict:
    """One verdict from several (for example two conflicting reports of one result)."""
    raise_if("merge verdicts", [] if verdicts else ["give at least one verdict"])
    details = {f"{v.table['record'].iloc[0]}:{k}": t for v in verdicts for k, t in v.details.items()}
    return Verdict(table=pd.concat([v.table for v in verdicts], ignore_index=True), paragraph=paragraph,
                   details=details, choices=verdicts[0].choices)


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "NA" if not np.isfinite(v) else f"{v:.4g}"
        return str(v).replace("|", "/")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join(lines)


def verdict_files(verdict: Verdict, *, title: str) -> dict[str, bytes]:
    """``verdict.csv`` (the table) and ``verdict.md`` (paragraph, table, details), in memory."""
    shown = verdict.table.drop(columns=["headline", "in_verdict"])
    body = [f"# {title}", "", verdict.paragraph, "", "## Verdict table", "", _markdown_table(shown)]
    for name, tab in verdict.details.items():
        body += ["", f"## {name}", "", _markdown_table(tab)]
    if verdict.choices is not None:
        settings = [f"{k} = {v}" for k, v in verdict.choices.to_dict().items()]
        body += ["", "## Analysis choices", "", "```", *settings, "```"]
    return {"verdict.csv": verdict.table.to_csv(index=False).encode(),
            "verdict.md": ("\n".join(body) + "\n").encode("utf-8")}


def write_verdict(verdict: Verdict, out_dir: str | Path, *, title: str) -> tuple[Path, Path]:
    """Write :func:`verdict_files` into ``out_dir``."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataValidationError("output folder", [f"{out} exists and is not a folder; choose another --out"])
    files = verdict_files(verdict, title=title)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    return out / "verdict.csv", out / "verdict.md"
