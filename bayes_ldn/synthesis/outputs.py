"""The synthesis section's files, computed in memory: one home for its defaults.

``bayes-ldn synthesize --out DIR`` and ``bayes-ldn reanalyze`` (its ``synthesis/`` folder) both
call :func:`synthesis_outputs`; the report's synthesis part uses the same defaults
(:data:`DEFAULTS`). Nothing here writes to disk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from bayes_ldn import defaults
from bayes_ldn import priors as pr
from bayes_ldn.assurance import Success, TrialDesign, assurance_curve_data, cpm_design_prior
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.datasets import load_record
from bayes_ldn.synthesis.exact import SynthesisResult, synthesize
from bayes_ldn.synthesis.heterogeneity import (
    TauPrior,
    fixed_tau,
    halfcauchy_tau,
    halfnormal_tau,
    parse_tau_prior,
    rhodes_tau,
)
from bayes_ldn.synthesis.studies import LDN_PAIN_CONVERSIONS, SynthesisStudy, ldn_pain_studies
from bayes_ldn.synthesis.tables import forest_plot_data, leave_one_out, prior_sensitivity, rho_sweep, synthesis_table

__all__ = ["CPM_MCID_KPA", "DEFAULTS", "MCID", "bundled_studies", "synthesis_outputs"]

#: Default thresholds on the synthesis scales (stated in the help and the table).
MCID = {"smd": 0.5, "nrs": 1.0}
#: CPM: no published MCID for cuff CPM; 2 kPa is the middle of models/final-cpm.toml's sweep.
CPM_MCID_KPA = 2.0
#: The bundled synthesis's defaults: ``bayes-ldn synthesize``'s options, the report's part.
DEFAULTS: dict[str, Any] = {"mu_prior": "flat", "tau_prior": "halfnormal:0.5", "scale": "smd", "rho": 0.5,
                            "bested_outcome": "spir", "include_sensitivity": False}
#: Planning SD of pain on NRS points when no --outcome-sd is given (the table says so).
NRS_PLANNING_SD = 2.0


def bundled_studies(*, scale: str = DEFAULTS["scale"], rho: float = DEFAULTS["rho"],
                    bested_outcome: str = DEFAULTS["bested_outcome"],
                    include_sensitivity: bool = DEFAULTS["include_sensitivity"]) -> list[SynthesisStudy]:
    """The bundled LDN pain trials on a common scale."""
    return ldn_pain_studies(scale=scale, rho=rho, bested_outcome=bested_outcome, conversions=LDN_PAIN_CONVERSIONS,
                            include_sensitivity=include_sensitivity)


def _png(ax: Any) -> bytes:
    buf = io.BytesIO()
    fig = ax.figure
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=120)
    return buf.getvalue()


def synthesis_outputs(
    studies: Sequence[SynthesisStudy] | None = None,
    *,
    mu_prior: tuple[float, float] | None = None,
    mu_prior_label: str = DEFAULTS["mu_prior"],
    tau_prior: TauPrior | None = None,
    mcid: float | None = None,
    ci_prob: float = defaults.CI_PROB,
    scale: str = DEFAULTS["scale"],
    rho: float = DEFAULTS["rho"],
    bested_outcome: str = DEFAULTS["bested_outcome"],
    include_sensitivity: bool = DEFAULTS["include_sensitivity"],
    outcome_sd: float | None = None,
    files: bool = True,
) -> tuple[SynthesisResult, list[SynthesisStudy], dict[str, bytes]]:
    """The synthesis, its table, forest plot, leave-one-out, sensitivity tables and assurance.

    ``studies=None`` synthesizes the bundled LDN pain trials (then ``mcid`` defaults to
    :data:`MCID` of the scale, and the prior and within-subject-correlation sensitivities and
    the CPM assurance are added). Every interval and label uses ``ci_prob``. ``files=False``
    computes the synthesis only (the files dict is then empty).

    Returns
    -------
    (SynthesisResult, studies, files)
        ``files`` maps file names (``synthesis_table.csv``, ``forest.png``, ...) to their bytes.
    """
    from bayes_ldn import plots

    tau_prior = tau_prior or parse_tau_prior(DEFAULTS["tau_prior"])
    bundled = studies is None
    if bundled:
        mcid = MCID[scale] if mcid is None else mcid

        def studies_for(r: float) -> list[SynthesisStudy]:
            return bundled_studies(scale=scale, rho=r, bested_outcome=bested_outcome,
                                   include_sensitivity=include_sensitivity)

        studies = studies_for(rho)
    studies = list(studies)
    result = synthesize(studies, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid)
    if not files:
        return result, studies, {}
    out: dict[str, bytes] = {}
    out["synthesis_table.csv"] = synthesis_table(result, ci_prob).to_csv(index=False).encode()
    out["forest.png"] = _png(plots.plot_forest(forest_plot_data(result, ci_prob)))
    out["leave_one_out.csv"] = leave_one_out(
        studies, mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid, ci_prob=ci_prob).to_csv(index=False).encode()
    sd = 1.0 if (bundled and scale == "smd") else outcome_sd
    if bundled and scale == "nrs":
        sd = NRS_PLANNING_SD
    if sd is not None:
        out.update(_assurance_files(result, sd, bundled, rho if bundled else 0.5))
    if bundled:
        out["prior_sensitivity.csv"] = prior_sensitivity(
            studies, mu_priors={mu_prior_label: mu_prior, "normal:0,1": (0.0, 1.0)},
            tau_priors={"halfnormal:0.5": halfnormal_tau(0.5), "halfcauchy:0.5": halfcauchy_tau(0.5),
                        "rhodes": rhodes_tau(), "fixed:0": fixed_tau(0.0)}
            if scale == "smd" else {"halfnormal:1": halfnormal_tau(1.0), "halfcauchy:1": halfcauchy_tau(1.0),
                                    "fixed:0": fixed_tau(0.0)},
            mcid=mcid, ci_prob=ci_prob,
        ).to_csv(index=False).encode()
        if scale == "smd":
            out["rho_sweep.csv"] = rho_sweep(
                studies_for, [0.2, 0.35, 0.5, 0.65, 0.8], mu_prior=mu_prior, tau_prior=tau_prior, mcid=mcid,
                ci_prob=ci_prob,
            ).to_csv(index=False).encode()
    return result, studies, out


def _assurance_files(result: SynthesisResult, sd: float, bundled: bool, rho: float) -> dict[str, bytes]:
    from matplotlib.figure import Figure

    from bayes_ldn import plots

    success = Success(kind="z_test", alpha=0.025)
    ns = np.arange(10, 601, 5)
    designs = {"parallel": TrialDesign(design="parallel", outcome_sd=sd, rho=None),
               f"crossover (rho = {rho:g})": TrialDesign(design="crossover", outcome_sd=sd, rho=rho)}
    pain = assurance_curve_data(result.posterior.predictive, designs, success, ns,
                                scale=f"pain {result.scale}, design prior = synthesis predictive")
    frames = [pain]
    n_panels = 2 if bundled else 1
    fig = Figure(figsize=(6.0 * n_panels, 4.2))
    axes = fig.subplots(1, n_panels, squeeze=False)[0]
    plots.plot_assurance(pain, ax=axes[0])
    if bundled:
        cpm_prior = cpm_design_prior(pr.skeptical(mcid=CPM_MCID_KPA, strength="moderate"), conversion="ci_normal")
        # Planning SD from FINAL's own CI: SD = SE / sqrt(1/n1 + 1/n2).
        rec = load_record("final_cpm")
        n1, n2 = rec.n.values()
        cpm_sd = to_likelihood(rec, "ci_normal").se / np.sqrt(1 / n1 + 1 / n2)
        cpm_designs = {"parallel": TrialDesign(design="parallel", outcome_sd=cpm_sd, rho=None),
                       "crossover (rho = 0.5)": TrialDesign(design="crossover", outcome_sd=cpm_sd, rho=0.5)}
        cpm = assurance_curve_data(cpm_prior, cpm_designs, success, ns,
                                   scale=f"CPM kPa, FINAL posterior under skeptical (MCID {CPM_MCID_KPA:g} kPa)")
        plots.plot_assurance(cpm, ax=axes[1])
        frames.append(cpm)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=120)
    return {"assurance.png": buf.getvalue(),
            "assurance.csv": pd.concat(frames, ignore_index=True).to_csv(index=False).encode()}
