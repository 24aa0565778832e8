"""A user's studies for a synthesis: rows (column -> text) or a CSV file, validated into
:class:`~bayes_ldn.synthesis.studies.SynthesisStudy` objects with every problem reported at once.

Columns: ``study``, ``estimate``, and ``se`` or ``lower``/``upper`` (then
:math:`SE = (upper - lower) / (2 z_{(1 + p)/2})` for a ``ci_prob`` of ``p``, default 0.95);
optional ``ci_prob``, ``dose_mg``, ``evidence`` (default ``USER``), ``verified``, ``design``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from scipy import stats

from bayes_ldn.data.records import align_sign
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.synthesis.studies import SynthesisStudy
from bayes_ldn.validation import number_problems

__all__ = ["read_studies_csv", "studies_from_rows"]

_OPTIONAL = ("ci_prob", "dose_mg", "evidence", "verified", "design")


def _number(text: str | None) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    if not isinstance(text, (str, int, float)):  # a list or dict in a row: float() raised TypeError
        raise ValueError(text)
    return float(text)


def studies_from_rows(
    rows: list[dict[str, str]], *, better: str, scale: str = "user", source: str = "data"
) -> list[SynthesisStudy]:
    """Validate rows (``study``, ``estimate`` and ``se`` or ``lower``/``upper``) into studies.

    Every problem is collected and raised at once; rows are numbered from 1 (the first data row,
    line 2 of a CSV file).

    Parameters
    ----------
    rows : list of dict
        Column -> text, as from :class:`csv.DictReader`.
    better : {"higher", "lower"}
        Direction of benefit on the printed scale; estimates are aligned by
        :func:`bayes_ldn.data.records.align_sign`.
    scale : str
        Name of the scale, for the output table.
    source : str
        Where the rows came from (for messages).

    Optional columns: ``ci_prob`` (default 0.95), ``dose_mg``, ``evidence`` (default ``USER``),
    ``verified`` (true/false, default true), ``design``.
    """
    where = f"studies in {source}"
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) or not all(isinstance(r, Mapping) for r in rows):
        raise DataValidationError(where, [f"rows must be a list of dicts (column -> text), got {rows!r:.80}"])
    problems: list[str] = []
    if better not in ("higher", "lower"):
        problems.append(f"better must be 'higher' or 'lower', got {better!r}")
    if not rows:
        raise DataValidationError(where, ["no data rows: give one row per study"])
    cols = set(rows[0])
    missing = [c for c in ("study", "estimate") if c not in cols]
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}; required: study, estimate, and se or lower/upper")
    has_se, has_ci = "se" in cols, {"lower", "upper"} <= cols
    if not has_se and not has_ci:
        problems.append("give a column 'se', or both 'lower' and 'upper'")
    unknown = sorted(cols - {"study", "estimate", "se", "lower", "upper", *_OPTIONAL})
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}; allowed optional columns: {', '.join(_OPTIONAL)}")
    raise_if(where, problems)
    sign = align_sign(better)
    out: list[SynthesisStudy] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        at = f"row {i}"
        name = (row.get("study") or "").strip()
        if not name:
            problems.append(f"{at}: column 'study' is empty; name every study")
        elif name in seen:
            problems.append(f"{at}: study {name!r} repeats row {seen[name]}; study names must be unique")
        else:
            seen[name] = i
        vals: dict[str, float | None] = {}
        not_numbers = set()
        for col in ("estimate", "se", "lower", "upper", "ci_prob", "dose_mg"):
            try:
                vals[col] = _number(row.get(col))
            except ValueError:
                problems.append(f"{at}, column {col!r}: {row.get(col)!r} is not a number")
                vals[col] = float("nan")
                not_numbers.add(col)
        est, se, lo, hi = vals["estimate"], vals["se"], vals["lower"], vals["upper"]
        ci_prob = 0.95 if vals["ci_prob"] is None else vals["ci_prob"]
        if est is None:
            problems.append(f"{at}, column 'estimate': missing value")
        elif not np.isfinite(est):
            if "estimate" not in not_numbers:
                problems.append(
                    f"{at}, column 'estimate': must be finite, got {row.get('estimate')!r}"
                )
            est = None
        if se is not None and (lo is not None or hi is not None):
            problems.append(f"{at}: give 'se' or 'lower'/'upper', not both")
            continue
        if se is None:
            if lo is None or hi is None:
                problems.append(f"{at}: no standard error: fill 'se', or both 'lower' and 'upper'")
                continue
            if not (np.isfinite(lo) and np.isfinite(hi)):
                # Was skipped silently: a row with lower = nan vanished from the studies (issue 18).
                problems += [f"{at}, column {col!r}: must be finite, got {row.get(col)!r}"
                             for col, v in (("lower", lo), ("upper", hi)) if not np.isfinite(v) and col not in not_numbers]
                continue
            if not lo < hi:
                problems.append(f"{at}: lower ({lo:g}) must be below upper ({hi:g}); swap them if reversed")
                continue
            if not (np.isfinite(ci_prob) and 0 < ci_prob < 1):
                problems.append(f"{at}, column 'ci_prob': must lie in (0, 1), got {ci_prob}")
                continue
            if est is not None and not lo <= est <= hi:
                problems.append(f"{at}: estimate {est:g} lies outside its interval ({lo:g}, {hi:g})")
                continue
            z = float(stats.norm.ppf(0.5 + ci_prob / 2.0))
            se = (hi - lo) / (2.0 * z) if z > 0 else float("inf")
            se_problems = number_problems({f"{at}: SE from the interval": se}, scales=(f"{at}: SE from the interval",))
            if se_problems:  # a ci_prob of 1e-308 gave z = 0 and divided by zero
                problems += [f"{p} (lower {lo:g}, upper {hi:g}, ci_prob {ci_prob:g}); check ci_prob and the limits"
                             for p in se_problems]
                continue
            note = f"SE = (upper - lower) / (2 z), normal quantile of a {100 * ci_prob:g}% CI"
        else:
            if not (np.isfinite(se) and se > 0):
                problems.append(f"{at}, column 'se': must be positive, got {row.get('se')!r}")
                continue
            note = "SE as given"
        if est is None:
            continue
        verified_text = (row.get("verified") or "true").strip().lower()
        if verified_text not in ("true", "false", "1", "0", "yes", "no"):
            problems.append(f"{at}, column 'verified': write true or false, got {row.get('verified')!r}")
            continue
        if vals["dose_mg"] is not None and "dose_mg" not in not_numbers:
            dose_problems = number_problems({f"{at}, column 'dose_mg'": vals["dose_mg"]})
            if dose_problems:  # an infinite dose was accepted and reached the meta-regression
                problems += dose_problems
                continue
        try:
            study = SynthesisStudy(
                label=name, estimate=sign * float(est), se=float(se), scale=scale,
                design=(row.get("design") or "unknown").strip() or "unknown", n=None,
                dose_mg=vals["dose_mg"], rho=None, record="",
                evidence=(row.get("evidence") or "USER").strip() or "USER",
                verified=verified_text in ("true", "1", "yes"),
                conversions=note + ("" if sign == 1 else "; sign flipped (lower is better)"),
            )
        except DataValidationError as err:  # e.g. an estimate beyond 1e100: one error with the others
            problems += [f"{at}: {p}" for p in err.problems]
            continue
        out.append(study)
    raise_if(where, problems)
    return out


def read_studies_csv(path: str | Path, *, better: str, scale: str = "user") -> list[SynthesisStudy]:
    """Read and validate a CSV of studies (see :func:`studies_from_rows`)."""
    if not isinstance(path, (str, Path)):  # a float raised TypeError in Path()
        raise DataValidationError("studies CSV", [f"path must be a file name, got {path!r:.80}"])
    p = Path(path)
    if not p.is_file():
        raise DataValidationError("studies CSV", [f"file {str(p)!r} does not exist"])
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataValidationError("studies CSV", [f"file {str(p)!r} is not UTF-8 text"]) from None
    reader = csv.DictReader(io.StringIO(text))
    rows = [{(k or "").strip(): (v or "") for k, v in r.items()} for r in reader]
    if reader.fieldnames is None:
        raise DataValidationError(f"studies in {p.name}", ["the file is empty: write a header row"])
    header = [(h or "").strip() for h in reader.fieldnames]
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:  # csv.DictReader kept the last of two 'se' columns silently
        raise DataValidationError(f"studies in {p.name}", [
            f"column {h!r} appears {header.count(h)} times in the header; give each column a unique name" for h in dup])
    if not rows:
        rows_header = {h.strip(): "" for h in reader.fieldnames}
        raise DataValidationError(
            f"studies in {p.name}", [f"no data rows under the header {', '.join(rows_header)}"]
        )
    return studies_from_rows(rows, better=better, scale=scale, source=p.name)
