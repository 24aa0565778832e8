"""The main job's binary outcomes: decision rows, benefit and harm together, and their summary.

Every bundled 2x2 table (:func:`bayes_ldn.datasets.list_binary`) gets decision rows on the risk
difference and the odds ratio:

* ``vague``: the exact beta-binomial posterior with Jeffreys Beta(1/2, 1/2) priors per arm,
  summarised from independent draws (``method = "exact_draws"``, Monte Carlo SE in ``mcse``,
  seed recorded in ``random_seed`` below and in ``binary_outcomes.md``);
* ``skeptical``, ``enthusiastic``, ``pessimistic`` (moderate): the logistic model with the preset
  on the aligned log odds ratio, anchored on the analysis's odds-ratio MCID, and a uniform prior
  on the control risk, computed by 2-D quadrature (``method = "quadrature"``; the same model
  :func:`bayes_ldn.designs.binary.logistic_model` samples, checked against it in the tests).

The analysis choices (MCIDs and their basis, harm thresholds, which outcomes are weighed
together) are in :data:`BINARY_ANALYSES` and :data:`BENEFIT_HARM_PAIRS`. Records published only
as percentages are listed with the reason they cannot be analysed. Nothing here imports PyMC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.datasets import list_binary, load_binary
from bayes_ldn.priors_binary import JEFFREYS
from bayes_ldn.stats import format_probability
from bayes_ldn.stats_binary import joint_benefit_harm, summarize_contrast
from bayes_ldn.stats_binary_grid import logistic_grid_posterior
from bayes_ldn.summaries import DECISION_COLUMNS
from bayes_ldn.summaries_binary import EXACT_DRAWS, binary_decision_row, exact_contrast

__all__ = [
    "BENEFIT_HARM_PAIRS",
    "BINARY_ANALYSES",
    "BINARY_SEED",
    "BinaryAnalysis",
    "benefit_harm_table",
    "binary_decision_table",
    "binary_exact_draws",
    "binary_files",
    "binary_markdown",
]

#: Root seed of the exact draws; analysis i uses ``SeedSequence([BINARY_SEED, i])``.
BINARY_SEED = 20261207
#: Preset priors on the log odds ratio used for every binary outcome.
PRESETS = ("skeptical_moderate", "enthusiastic_moderate", "pessimistic_moderate")

_RESPONDER_BASIS = (
    "Benefit MCID: 10 percentage points more responders (NNT 10), our documented choice; responder NNTs of "
    "this size are what analgesic trials call worthwhile (Moore et al. 2013, BMJ 346:f2690). The presets are "
    "anchored on OR 1.5, which is 6 to 10 points at FINAL's placebo rates (14% to 42%): the same OR is a "
    "different RD at another baseline risk."
)
_HARM_BASIS = (
    "Harm threshold: the excess risk a patient might accept for a responder benefit, our documented choice "
    "(no published threshold for LDN); presets anchored on OR 1.5."
)


@dataclass(frozen=True)
class BinaryAnalysis:
    """Analysis choices for one bundled binary outcome.

    ``mcid_rd`` is a positive risk difference (benefit beyond it for responders; for harms, the
    excess risk held acceptable), ``mcid_or`` the odds ratio anchoring the preset priors. The ROPE
    is half the MCID on each scale (``|RD| <= mcid_rd / 2``, ``|log OR| <= log(mcid_or) / 2``), as
    for FINAL's pain outcome.
    """

    id: str
    record: str
    mcid_rd: float
    mcid_or: float
    basis: str

    @property
    def rope_rd(self) -> float:
        """Half the RD MCID."""
        return self.mcid_rd / 2.0

    @property
    def rope_log_or(self) -> float:
        """Half the log-OR MCID."""
        return abs(math.log(self.mcid_or)) / 2.0


BINARY_ANALYSES: tuple[BinaryAnalysis, ...] = (
    BinaryAnalysis("final-responders-15", "final_responders_15", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("final-responders-30", "final_responders_30", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("final-responders-50", "final_responders_50", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("final-adverse-events", "final_adverse_events", 0.10, 1.5, _HARM_BASIS + " 10 points more "
                   "patients with any adverse event."),
    BinaryAnalysis("final-discontinuation-ae", "final_discontinuation_ae", 0.05, 1.5, _HARM_BASIS + " 5 points "
                   "more patients stopping because of adverse events."),
    BinaryAnalysis("innova-responders-15", "innova_responders_15", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("innova-responders-30", "innova_responders_30", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("innova-responders-50", "innova_responders_50", 0.10, 1.5, _RESPONDER_BASIS),
    BinaryAnalysis("innova-adverse-events", "innova_adverse_events", 0.10, 1.5, _HARM_BASIS + " 10 points more "
                   "patients with any adverse event."),
)
#: (benefit analysis, harm analysis) weighed together: P(benefit > MCID and excess harm < threshold).
BENEFIT_HARM_PAIRS: tuple[tuple[str, str], ...] = (
    ("final-responders-30", "final-adverse-events"),
    ("final-responders-30", "final-discontinuation-ae"),
    ("final-responders-50", "final-discontinuation-ae"),
    ("innova-responders-30", "innova-adverse-events"),
)


def _logistic_logpdf(x: np.ndarray) -> np.ndarray:
    # Standard logistic log density, -|x| - 2 log(1 + exp(-|x|)): uniform on the control risk.
    ax = np.abs(x)
    return -ax - 2.0 * np.log1p(np.exp(-ax))


def binary_exact_draws(ci_prob: float, draws: int, random_seed: int) -> dict[str, tuple]:
    """Analysis id -> (record, RD summary, exact draws), analysis ``i`` seeded by ``SeedSequence([seed, i])``."""
    out = {}
    for i, a in enumerate(BINARY_ANALYSES):
        rec = load_binary(a.record)
        seed = np.random.SeedSequence([random_seed, i])
        summ, d = exact_contrast(rec.counts, measure="rd", better=rec.better, arm_prior=JEFFREYS,
                                 random_seed=np.random.default_rng(seed), mcid=a.mcid_rd, rope=a.rope_rd,
                                 ci_prob=ci_prob, draws=draws)
        out[a.id] = (rec, summ, d)
    return out


def binary_decision_table(
    *, ci_prob: float = defaults.CI_PROB, draws: int = EXACT_DRAWS, random_seed: int = BINARY_SEED,
    exact: dict[str, tuple] | None = None,
) -> pd.DataFrame:
    """Decision rows (columns ``spec`` + :data:`~bayes_ldn.summaries.DECISION_COLUMNS`) for every analysis."""
    exact = exact or binary_exact_draws(ci_prob, draws, random_seed)
    rows = []
    for a in BINARY_ANALYSES:
        rec, rd_summ, d = exact[a.id]
        mcid_log_or = abs(math.log(a.mcid_or))
        or_summ = summarize_contrast(np.log(d["p_t"] / (1 - d["p_t"])) - np.log(d["p_c"] / (1 - d["p_c"])),
                                     measure="or", sign=rec.sign, mcid=mcid_log_or, rope=a.rope_log_or,
                                     ci_prob=ci_prob)
        spec = f"Jeffreys Beta(0.5, 0.5) per arm, exact; seed {random_seed}"
        for summ, mcid, rope in ((rd_summ, a.mcid_rd, a.rope_rd), (or_summ, mcid_log_or, a.rope_log_or)):
            rows.append({"spec": a.id, **binary_decision_row(rec, summ, prior="vague", prior_spec=spec,
                                                             method="exact_draws", mcid=mcid, rope=rope)})
        for name in PRESETS:
            prior = pr.preset(name, mcid=mcid_log_or)
            grid = logistic_grid_posterior(*rec.counts.as_tuple(), sign=rec.sign, prior_logpdf=prior.logpdf,
                                           baseline_logpdf=_logistic_logpdf, prior_center=prior.params["mu"])
            pspec = f"{prior.describe()} on the aligned log OR; Logistic(0, 1) on the control log odds"
            for measure, mcid, rope in (("rd", a.mcid_rd, a.rope_rd), ("or", mcid_log_or, a.rope_log_or)):
                summ = grid.summary(measure, sign=rec.sign, mcid=mcid, rope=rope, ci_prob=ci_prob)
                row = binary_decision_row(rec, summ, prior=name, prior_spec=pspec, method="quadrature", mcid=mcid,
                                          rope=rope)
                row["ess_bulk"] = np.nan
                rows.append({"spec": a.id, **row})
    return pd.DataFrame(rows, columns=["spec", *DECISION_COLUMNS])


def benefit_harm_table(exact: dict[str, tuple]) -> pd.DataFrame:
    """P(responder benefit > MCID and excess harm < threshold) for each pair, independence assumed."""
    by_id = {a.id: a for a in BINARY_ANALYSES}
    rows = []
    for ben, harm in BENEFIT_HARM_PAIRS:
        (rb, _, db), (rh, _, dh) = exact[ben][:3], exact[harm][:3]
        out = joint_benefit_harm(rb.sign * (db["p_t"] - db["p_c"]), rh.sign * (dh["p_t"] - dh["p_c"]),
                                 benefit_mcid=by_id[ben].mcid_rd, harm_threshold=by_id[harm].mcid_rd)
        rows.append({"trial": rb.trial, "benefit": ben, "harm": harm, "benefit_mcid_rd": by_id[ben].mcid_rd,
                     "harm_threshold_rd": by_id[harm].mcid_rd, **out,
                     "evidence": "+".join(sorted(set(rb.evidence) | set(rh.evidence)))})
    return pd.DataFrame(rows)


def binary_markdown(table: pd.DataFrame, joint: pd.DataFrame, *, random_seed: int = BINARY_SEED) -> str:
    """``binary_outcomes.md``: vague-prior rows (RD), the joint benefit-harm table, and what was left out."""
    ci = 100 * float(table["ci_prob"].iloc[0]) if len(table) else 100 * defaults.CI_PROB
    lines = [
        "# Responders and harms (binary outcomes)", "",
        f"Risk differences (LDN minus placebo, as proportions) with {ci:g}% equal-tailed credible intervals; "
        "exact beta-binomial posterior, Jeffreys Beta(1/2, 1/2) per arm, "
        f"{EXACT_DRAWS:,} independent draws (seed {random_seed}), Monte Carlo SE beside each probability. "
        "Probabilities are in the direction of benefit (fewer events for harms).", "",
        "| analysis | counts | RD (CrI) | P(LDN better) | P(better by > MCID) | MCID | MC SE (largest) | evidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = table[(table["prior"] == "vague") & (table["scale"] == "linear")]
    for _, r in rows.iterrows():
        lines.append(
            f"| {r['spec']} | {r['conversions'].split('counts ')[-1]} | {r['median']:.3f} ({r['lower']:.3f} to "
            f"{r['upper']:.3f}) | {format_probability(r['prob_better'])} | "
            f"{format_probability(r['prob_better_than_mcid'])} | {r['mcid']:g} | {r['mcse']:.4f} | {r['evidence']}"
            f"{'' if r['verified'] else ' (unverified)'} |")
    lines += ["", f"Largest Monte Carlo SE of these probabilities: {rows['mcse'].max():.4f}.", "",
              "## Benefit and harm together", "",
              "P(responder benefit beyond the MCID **and** excess harm below the threshold), assuming the two "
              "outcomes' contrasts independent: the joint (responder x adverse event) counts are not published, "
              "so their dependence cannot be estimated.", "",
              "| trial | benefit | harm | P(benefit > MCID) | P(excess harm < threshold) | P(both) | MC SE |",
              "|---|---|---|---|---|---|---|"]
    for _, r in joint.iterrows():
        lines.append(
            f"| {r['trial']} | {r['benefit']} (> {r['benefit_mcid_rd']:g}) | "
            f"{r['harm']} (< {r['harm_threshold_rd']:g}) "
            f"| {format_probability(r['prob_benefit'])} | {format_probability(r['prob_harm_below'])} | "
            f"{format_probability(r['prob_joint'])} | {r['mcse_joint']:.4f} |")
    lines += ["", "## Thresholds and their basis", "",
              "ROPE (region of practical equivalence) on each scale: half the MCID, as for FINAL's pain outcome.", ""]
    lines += [f"- **{a.id}** (RD {a.mcid_rd:g}, OR {a.mcid_or:g}): {a.basis}" for a in BINARY_ANALYSES]
    unusable = [load_binary(i) for i in list_binary() if load_binary(i).counts is None]
    if unusable:
        lines += ["", "## Published but not analysed", ""]
        lines += [f"- **{r.id}** ({r.trial}; {r.as_printed}; {'+'.join(r.evidence)}): {r.unusable}" for r in unusable]
    return "\n".join(lines) + "\n"


def binary_files(*, ci_prob: float = defaults.CI_PROB, random_seed: int = BINARY_SEED) -> tuple[pd.DataFrame, dict]:
    """The binary decision rows and the files ``binary_outcomes.md`` and ``benefit_harm.csv``."""
    exact = binary_exact_draws(ci_prob, EXACT_DRAWS, random_seed)
    table = binary_decision_table(ci_prob=ci_prob, random_seed=random_seed, exact=exact)
    joint = benefit_harm_table(exact)
    return table, {"binary_outcomes.md": binary_markdown(table, joint, random_seed=random_seed),
                   "benefit_harm.csv": joint.to_csv(index=False)}
