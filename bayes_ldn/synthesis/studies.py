r"""The studies of a synthesis: bundled LDN pain trials on a common scale, or a user's CSV.

Every study is a :class:`SynthesisStudy`: one aligned estimate (positive = LDN better) with its
standard error on a named common scale, the record's evidence tags and verified flag, and a
note of every conversion used to get there.

Scales
------
``smd``
    Standardised mean difference, standardised by the **between-patient** SD of the outcome,
    so crossover and parallel trials estimate the same quantity (Cochrane Handbook v6.4,
    section 23.2.7.2; Elbourne et al. 2002, doi:10.1093/ije/31.1.140). Hedges' small-sample
    factor ``J = 1 - 3 / (4 df - 1)`` multiplies both the SMD and its SE.

    * Parallel (``n1``, ``n2``): the SD is back-calculated from the trial's own SE,
      ``SD = SE / sqrt(1/n1 + 1/n2)``, so the SMD keeps the trial's z statistic;
      ``d = MD / SD``, ``SE(d) = sqrt(1/n1 + 1/n2 + d^2 / (2 (n1 + n2)))``, ``df = n1 + n2 - 2``.
    * Crossover (``n`` pairs, within-patient correlation ``rho``): the paired SE gives the SD of
      the differences ``SD_D = SE sqrt(n)``; the between-patient SD is
      ``SD = SD_D / sqrt(2 (1 - rho))``, so ``d = MD sqrt(2 (1 - rho)) / SD_D`` and
      ``SE(d) = sqrt((1/n + d^2 / (2 n)) 2 (1 - rho))``, ``df = n - 1``. ``rho`` is never
      published for these trials: it is an explicit, uncertain input (a sweep, or a prior in
      :func:`bayes_ldn.synthesis.synthesize_over_rho`).
``nrs``
    Pain NRS points (0-10). FINAL and INNOVA report NRS differences directly; Younger 2013's
    difference in percentage reduction from baseline (0-100 VAS) is turned into points with its
    baseline pain of 50.8/100 ([3P], docs/reference/published-numbers.md 4.1): ``points = pp / 100 x 50.8 / 10``,
    an approximation that assumes a common baseline in both conditions. Bested (SPIR, scale not
    published) and Younger 2009 (symptoms, not pain) have no NRS form and are left out. On the
    raw scale a crossover's SE is its paired SE and does not depend on ``rho``.

Bested 2023 enters through its **SPIR** (summed pain intensity ratings), the pain outcome; its
FIQR (a composite impact score) is offered as ``bested_outcome="fiqr"`` for sensitivity. Both
are medians with only the IQR's width published, so they need a named median/IQR conversion
(``wan2014`` by default in :data:`LDN_PAIN_CONVERSIONS`), which must assume symmetry.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

from bayes_ldn.data.records import PublishedRecord, align_sign, to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import number_problems, real_problems

__all__ = [
    "LDN_PAIN_CONVERSIONS",
    "SCALES",
    "SynthesisStudy",
    "ldn_pain_studies",
    "read_studies_csv",
    "record_to_study",
    "studies_from_rows",
]

SCALES = ("smd", "nrs")
#: The named conversion of each bundled record to a normal likelihood (pass it explicitly).
#: Crossover p-values are read as paired t tests on n - 1 degrees of freedom.
LDN_PAIN_CONVERSIONS: dict[str, str] = {
    "final_pain": "ci_normal",
    "innova_pain": "ci_normal",
    "bested_spir": "wan2014",
    "bested_fiqr": "wan2014",
    "younger2013_pain": "p_t",
    "younger2009_symptoms": "p_t",
}
#: Younger 2013 baseline pain on the 0-100 VAS ([3P] dataset, docs/reference/published-numbers.md 4.1).
YOUNGER2013_BASELINE_VAS = 50.8


@dataclass(frozen=True, kw_only=True)
class SynthesisStudy:
    """One study's aligned effect on the synthesis scale, with its provenance.

    Attributes
    ----------
    label : str
        Display name (unique within a synthesis).
    estimate, se : float
        Aligned estimate (positive = treatment better) and its standard error.
    scale : str
        ``"smd"``, ``"nrs"`` or the user's own scale name.
    design : str
        ``"parallel"``, ``"crossover"`` or ``"unknown"`` (user data).
    n : int or None
        Participants (pairs for a crossover).
    dose_mg : float or None
        Daily dose, for meta-regression.
    rho : float or None
        Within-patient correlation used for a crossover SMD.
    record : str
        Bundled record id ("" for user data).
    evidence : str
        Evidence tags joined with ``+`` (``ABS``, ``TAB``, ``REG``, ``SEC``, ``3P``, ``USER``).
    verified : bool
        Every input read in a primary source.
    conversions : str
        Every conversion used, in order.
    role : str
        ``"primary"`` or ``"sensitivity"``.
    """

    label: str
    estimate: float
    se: float
    scale: str
    design: str
    n: int | None
    dose_mg: float | None
    rho: float | None
    record: str
    evidence: str
    verified: bool
    conversions: str
    role: str = "primary"

    def __post_init__(self) -> None:
        where = f"study {self.label!r}"
        # Not a number (a string, None: TypeError before), non-finite, beyond what squares and
        # precisions hold (1e308 overflowed), or an SE below MIN_SCALE; then an SE <= 0.
        fields = (("estimate", self.estimate), ("SE", self.se), ("dose_mg", self.dose_mg), ("rho", self.rho))
        problems = [f"{where}: {k} is missing: give a number" for k, v in fields[:2] if v is None]
        # Text ("1", b"1") passed float() and stayed text in the study, to fail in the synthesis.
        problems += [f"{where}: {k} must be a number (int or float), got {v!r}" for k, v in fields
                     if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)))]
        if problems:
            raise_if("synthesis study", problems)
        problems += number_problems({f"{where}: estimate": self.estimate, f"{where}: SE": self.se},
                                    scales=(f"{where}: SE",))
        if not problems and not float(self.se) > 0:
            problems.append(f"{where}: SE must be positive and finite, got {self.se}")
        problems += number_problems({f"{where}: dose_mg": self.dose_mg, f"{where}: rho": self.rho})
        raise_if("synthesis study", problems)


def _hedges_j(df: float) -> float:
    return 1.0 - 3.0 / (4.0 * df - 1.0)


def record_to_study(
    record: PublishedRecord, *, scale: str, conversion: str, rho: float | None, role: str = "primary"
) -> SynthesisStudy:
    """Turn one bundled record into a :class:`SynthesisStudy` on ``scale`` (see module notes).

    Parameters
    ----------
    record : PublishedRecord
    scale : {"smd", "nrs"}
    conversion : str
        Named conversion passed to :func:`bayes_ldn.data.records.to_likelihood`.
    rho : float or None
        Within-patient correlation in ``[0, 1)``; required for a crossover on the SMD scale.
    role : {"primary", "sensitivity"}
    """
    where = f"record {getattr(record, 'id', record)!r} on scale {scale!r}"
    problems = []
    if not isinstance(scale, str) or scale not in SCALES:
        problems.append(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    if not isinstance(record, PublishedRecord):
        raise DataValidationError("synthesis study", [
            f"record must be a PublishedRecord (load_record(...)), got {type(record).__name__}"])
    crossover = record.design == "crossover"
    rho_problems = real_problems({"rho": rho})  # text raised TypeError in the comparison below
    problems += rho_problems
    if not rho_problems and scale == "smd" and crossover and (rho is None or not 0.0 <= rho < 1.0):
        problems.append(f"a crossover SMD needs the within-patient correlation rho in [0, 1), got {rho}")
    nrs_ok = record.units.startswith("NRS") or record.id == "younger2013_pain"
    if scale == "nrs" and not nrs_ok:
        problems.append(f"units {record.units!r} have no NRS-points form; use scale 'smd'")
    raise_if(where, problems)
    df = record.n_total - 1 if conversion in ("p_t", "ci_t") else None
    lik = to_likelihood(record, conversion, df=df)
    notes = [lik.conversion_note]
    est, se = lik.estimate, lik.se
    if scale == "nrs":
        if record.id == "younger2013_pain":
            factor = YOUNGER2013_BASELINE_VAS / 1000.0
            est, se = est * factor, se * factor
            notes.append(
                f"NRS points = percentage points x {YOUNGER2013_BASELINE_VAS:g}/100 (baseline VAS, 3P) / 10; "
                "assumes a common baseline"
            )
    elif crossover:
        n = record.n_total
        sd_diff = se * np.sqrt(n)
        c = float(np.sqrt(2.0 * (1.0 - float(rho))))  # type: ignore[arg-type]
        d = est * c / sd_diff
        j = _hedges_j(n - 1)
        se_d = float(np.sqrt((1.0 / n + d**2 / (2.0 * n)) * c**2))
        est, se = j * d, j * se_d
        notes.append(
            f"crossover SMD: SD_D = SE sqrt({n}) = {sd_diff:.4g}; d = MD sqrt(2(1-rho)) / SD_D with "
            f"rho = {rho:g}; SE = sqrt((1/n + d^2/2n) 2(1-rho)); Hedges J = {j:.4f} (Cochrane 23.2.7.2)"
        )
    else:
        n1, n2 = (int(v) for v in list(record.n.values())[:2])
        sd = se / np.sqrt(1.0 / n1 + 1.0 / n2)
        d = est / sd
        j = _hedges_j(n1 + n2 - 2)
        se_d = float(np.sqrt(1.0 / n1 + 1.0 / n2 + d**2 / (2.0 * (n1 + n2))))
        est, se = j * d, j * se_d
        notes.append(
            f"parallel SMD: SD = SE / sqrt(1/{n1} + 1/{n2}) = {sd:.4g}; d = MD / SD; "
            f"SE = sqrt(1/n1 + 1/n2 + d^2/2N); Hedges J = {j:.4f}"
        )
    prov = lik.provenance
    return SynthesisStudy(
        label=record.trial,
        estimate=float(est),
        se=float(se),
        scale=scale,
        design=record.design,
        n=record.n_total,
        dose_mg=record.dose_mg,
        rho=float(rho) if (crossover and scale == "smd") else None,
        record=record.id,
        evidence=str(prov["evidence"]),
        verified=bool(prov["verified"]),
        conversions="; ".join(notes),
        role=role,
    )


def ldn_pain_studies(
    *,
    scale: str,
    rho: float | None,
    bested_outcome: str,
    conversions: Mapping[str, str],
    include_sensitivity: bool,
) -> list[SynthesisStudy]:
    """The bundled LDN pain trials on one scale.

    Parameters
    ----------
    scale : {"smd", "nrs"}
        Common scale (module notes). On ``"nrs"`` only FINAL, INNOVA and Younger 2013 enter.
    rho : float or None
        Within-patient correlation for the crossovers' SMDs (ignored on ``"nrs"``).
    bested_outcome : {"spir", "fiqr"}
        Which Bested 2023 primary outcome stands for the trial (``"spir"`` is pain).
    conversions : mapping
        Record id -> named conversion, e.g. :data:`LDN_PAIN_CONVERSIONS`.
    include_sensitivity : bool
        Add Younger 2009 (symptom severity, fixed order, single blind) as a sensitivity case.

    Returns
    -------
    list of SynthesisStudy
        FINAL, INNOVA, Bested 2023, Younger 2013 (+ Younger 2009), in that order.
    """
    problems = []
    if not isinstance(conversions, Mapping):  # a float raised TypeError in "i not in conversions"
        raise DataValidationError("LDN pain studies", [
            f"conversions must map record ids to named conversions (e.g. LDN_PAIN_CONVERSIONS), got {conversions!r:.80}"])
    if bested_outcome not in ("spir", "fiqr"):
        problems.append(f"bested_outcome must be 'spir' or 'fiqr', got {bested_outcome!r}")
    ids = ["final_pain", "innova_pain"]
    if scale == "smd":
        ids.append(f"bested_{bested_outcome}")
    ids.append("younger2013_pain")
    if include_sensitivity and scale == "smd":
        ids.append("younger2009_symptoms")
    problems += [f"no conversion given for record {i!r}" for i in ids if i not in conversions]
    raise_if("LDN pain studies", problems)
    return [
        record_to_study(
            load_record(i), scale=scale, conversion=conversions[i], rho=rho,
            role="sensitivity" if i == "younger2009_symptoms" else "primary",
        )
        for i in ids
    ]


# --- user studies -------------------------------------------------------------------------------

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
