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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from bayes_ldn.data.records import PublishedRecord, to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.validation import optional_real_problems

__all__ = [
    "LDN_PAIN_CONVERSIONS",
    "SCALES",
    "SynthesisStudy",
    "ldn_pain_studies",
    "record_to_study",
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
        # Missing, not a number (None raised TypeError; "1" and b"1" stayed text in the study, to fail
        # in the synthesis), non-finite, beyond what squares and precisions hold (1e308 overflowed),
        # an SE below MIN_SCALE; then an SE <= 0.
        problems = [f"{where}: {k} is missing: give a number" for k, v in (("estimate", self.estimate), ("SE", self.se))
                    if v is None]
        problems += optional_real_problems({f"{where}: estimate": self.estimate, f"{where}: SE": self.se},
                                  scales=(f"{where}: SE",))
        if not problems and not float(self.se) > 0:
            problems.append(f"{where}: SE must be positive and finite, got {self.se}")
        problems += optional_real_problems({f"{where}: dose_mg": self.dose_mg, f"{where}: rho": self.rho})
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
    rho_problems = optional_real_problems({"rho": rho})  # text raised TypeError in the comparison below
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
