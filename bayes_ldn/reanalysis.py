"""The main job: reanalyse every bundled published result, exactly, and write the outputs.

``decision_table(specs)`` builds one row per (spec, conversion, prior, MCID anchor) from the exact
summary-level posterior (no sampling). ``write_reanalysis`` assembles every output in memory
first and only then writes the folder, so bad input never leaves half-written output.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from bayes_ldn import defaults
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import data_version
from bayes_ldn.exact import exact_posterior
from bayes_ldn.exceptions import raise_if
from bayes_ldn.provenance import provenance_attrs
from bayes_ldn.spec import AnalysisSpec, load_specs, spec_priors
from bayes_ldn.stats import format_probability
from bayes_ldn.summaries import DECISION_COLUMNS, decision_row_exact, format_decision_table, table_ci_prob
from bayes_ldn.validation import real_problems

__all__ = ["decision_table", "summary_markdown", "write_reanalysis"]

#: A section adds files to the output: given the decision table and the specs, it returns
#: {file name: text or bytes}. The random-finding verdict, the synthesis and the report plug in here.
Section = Callable[[pd.DataFrame, Sequence[AnalysisSpec]], dict[str, str | bytes]]


def decision_table(specs: Sequence[AnalysisSpec], *, ci_prob: float = defaults.CI_PROB) -> pd.DataFrame:
    """Exact decision rows for every spec, conversion and prior.

    Returns
    -------
    pandas.DataFrame
        Columns ``spec`` and :data:`bayes_ldn.summaries.DECISION_COLUMNS`.

    Raises
    ------
    DataValidationError
        ``ci_prob`` not a number in (0, 1).
    """
    raise_if("decision table", [] if not real_problems({"ci_prob": ci_prob}) and 0 < ci_prob < 1 else
             [f"ci_prob must lie in (0, 1), e.g. 0.95; got {ci_prob!r}"])
    rows = []
    for spec in specs:
        for conversion in spec.conversions:
            lik = to_likelihood(spec.record, conversion)
            for prior, mcid in spec_priors(spec):
                post = exact_posterior(lik, prior)
                row = decision_row_exact(lik, prior, post, mcid=mcid, rope=spec.rope, ci_prob=ci_prob)
                rows.append({"spec": spec.id, **row})
    return pd.DataFrame(rows, columns=["spec", *DECISION_COLUMNS])


def summary_markdown(table: pd.DataFrame, specs: Sequence[AnalysisSpec]) -> str:
    """A short Markdown summary: one line per spec under the vague and moderate skeptical priors."""
    lines = [
        "# bayes_ldn reanalysis of published LDN results",
        "",
        f"Intervals: {100 * table_ci_prob(table):g}% equal-tailed credible intervals on the published contrast "
        "scale (LDN minus placebo, as printed). Probabilities are in the direction of benefit. "
        "All posteriors are exact (conjugate or quadrature); no sampling.",
        "",
        "| spec | prior | conversion | MCID | estimate (CrI) | P(LDN better) | P(> MCID) | evidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keep = table[table["prior"].isin(["vague", "skeptical_moderate"])]
    fmt = format_decision_table(keep)
    for (_, r), (_, raw) in zip(fmt.iterrows(), keep.iterrows(), strict=True):
        conv = raw["conversions"].split(":")[0]
        mcid = "" if pd.isna(raw["mcid"]) else f"{raw['mcid']:g}"
        lines.append(
            f"| {r['spec']} | {r['prior']} | {conv} | {mcid} | {r['median']} ({r['lower']} to {r['upper']}) "
            f"{raw['units']} | {r['prob_better']} | {r['prob_better_than_mcid']} | {r['evidence']}"
            f"{'' if raw['verified'] else ' (unverified)'} |"
        )
    lines += conversion_sensitivity_markdown(table)
    lines += ["", "## Thresholds and their basis", ""]
    for s in specs:
        mc = ", ".join(f"{m:g}" for m in s.mcid) or "none"
        lines.append(f"- **{s.id}** (MCID {mc}): {s.mcid_basis}")
    return "\n".join(lines) + "\n"


def conversion_sensitivity_markdown(table: pd.DataFrame) -> list[str]:
    """How far each result moves across the named conversions (vague prior), as Markdown lines."""
    vague = table[table["prior"] == "vague"].copy()
    vague["conversion"] = vague["conversions"].str.split(":").str[0]
    multi = vague.groupby("spec")["conversion"].nunique()
    specs = list(multi[multi > 1].index)
    if not specs:
        return []
    lines = [
        "",
        "## How far the answer moves across conversions (vague prior)",
        "",
        "Each row is one named way to turn a median and IQR (or a p-value, or an effect size) into a "
        "normal likelihood; none is the published analysis.",
        "",
        f"| spec | conversion | SE (= posterior SD, flat prior) | {100 * table_ci_prob(table):g}% CrI | P(LDN better) |",
        "|---|---|---|---|---|",
    ]
    for spec in specs:
        rows = vague[vague["spec"] == spec].drop_duplicates("conversion")
        for _, r in rows.iterrows():
            se = r["sd"]
            lines.append(
                f"| {spec} | {r['conversion']} | {se:.3g} | {r['lower']:.3g} to {r['upper']:.3g} | "
                f"{format_probability(r['prob_better'])} |"
            )
        lo, hi = rows["prob_better"].min(), rows["prob_better"].max()
        lines.append(f"| {spec} | **range** | | | {lo:.3f} to {hi:.3f} |")
    return lines


#: The heterogeneity prior of the headline family table, on the SMD scale: half-normal(0.5) puts
#: 95% of its mass on between-outcome SDs below about 1 SMD (a wide spread for one trial's outcomes).
FAMILY_TAU_PRIOR = ("halfnormal", 0.5)
#: Family-mean prior N(0, 1) on the SMD scale: weakly informative, centred on no effect.
FAMILY_MU_PRIOR = (0.0, 1.0)


def family_section(table: pd.DataFrame, specs: Sequence[AnalysisSpec], *, ci_prob: float | None = None
                   ) -> dict[str, str]:
    """FINAL's exploratory outcomes: unpooled and pooled posteriors side by side, and a tau sweep.

    Intervals at ``ci_prob`` (default: the decision table's).
    """
    from bayes_ldn.datasets import load_family
    from bayes_ldn.family import pooled_family_table, tau_prior_sweep

    records = load_family("final_exploratory")
    ci = table_ci_prob(table) if ci_prob is None else ci_prob
    head = pooled_family_table(records, tau_prior=FAMILY_TAU_PRIOR, mu_prior=FAMILY_MU_PRIOR, ci_prob=ci)
    sweep = tau_prior_sweep(records, mu_prior=FAMILY_MU_PRIOR, ci_prob=ci)
    lines = [
        "# FINAL exploratory outcomes: unpooled vs pooled",
        "",
        f"Partial pooling of the {len(records)} exploratory outcomes on the standardized (SMD) scale, "
        f"tau ~ half-normal({FAMILY_TAU_PRIOR[1]:g}), family mean ~ N{FAMILY_MU_PRIOR}; exact (quadrature over tau). "
        "Each outcome's SD of change is recovered from its CI and arm sizes; signs aligned so positive = LDN better.",
        "",
        f"| outcome | units | unpooled ({100 * ci:g}% CrI) | P(better) unpooled | pooled ({100 * ci:g}% CrI) | "
        "P(better) pooled | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, r in head.iterrows():
        lines.append(
            f"| {r['outcome']} | {r['units']} | {r['unpooled_mean']:.3g} ({r['unpooled_lower']:.3g} to "
            f"{r['unpooled_upper']:.3g}) | {format_probability(r['unpooled_prob_better'])} | {r['pooled_mean']:.3g} "
            f"({r['pooled_lower']:.3g} to {r['pooled_upper']:.3g}) | {format_probability(r['pooled_prob_better'])} | "
            f"{r['evidence']}{'' if r['verified'] else ' (unverified)'} |"
        )
    lines += ["", "Pooled P(LDN better) across heterogeneity priors:", "",
              "| tau prior | " + " | ".join(head["outcome"]) + " |", "|---" * (len(head) + 1) + "|"]
    for name, grp in sweep.groupby("tau_prior", sort=False):
        lines.append(f"| {name} | " + " | ".join(format_probability(p) for p in grp["pooled_prob_better"]) + " |")
    return {"final_exploratory_pooled.csv": sweep.to_csv(index=False),
            "final_exploratory_pooled.md": "\n".join(lines) + "\n"}


def write_reanalysis(
    out: str | Path,
    *,
    models_dir: str | Path | None = None,
    ci_prob: float = defaults.CI_PROB,
    sections: Sequence[Section] = (),
    binary: bool = True,
) -> pd.DataFrame:
    """Run the full reanalysis and write ``decisions.csv``, ``summary.md`` and ``provenance.json``.

    With ``binary`` (default), every bundled 2x2 table adds its rows to ``decisions.csv`` (spec ids
    such as ``final-responders-30``; :mod:`bayes_ldn.reanalysis_binary`) and writes
    ``binary_outcomes.md`` and ``benefit_harm.csv``. Every file is produced in memory (and in a
    temporary folder) before ``out`` is touched.
    """
    specs = load_specs(models_dir)
    table = decision_table(specs, ci_prob=ci_prob)
    binary_out: dict[str, str] = {}
    if binary:
        from bayes_ldn.reanalysis_binary import binary_files

        binary_rows, binary_out = binary_files(ci_prob=ci_prob)
        table = pd.concat([table, binary_rows], ignore_index=True)
    files: dict[str, str | bytes] = {
        "decisions.csv": table.to_csv(index=False),
        "summary.md": summary_markdown(table, specs),
        "provenance.json": json.dumps(
            provenance_attrs(**data_version(), specs={s.id: s.digest for s in specs}), indent=2, sort_keys=True
        ),
        **binary_out,
    }
    for section in sections:
        files.update(section(table, specs))
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix=".bayes_ldn-", dir=out.parent if out.parent.exists() else None) as tmp:
        for name, content in files.items():
            p = Path(tmp) / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content)
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            dest = out / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(Path(tmp) / name), dest)
    return table
