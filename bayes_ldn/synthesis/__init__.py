"""Cross-design random-effects synthesis of trials (exact by quadrature; PyMC in ``.mcmc``).

``bayes_ldn.synthesis.mcmc`` holds the PyMC versions and is not imported here, so the exact
synthesis, its tables and the command line never load PyMC.
"""

from bayes_ldn.synthesis.exact import SynthesisResult, summarize_mixture, synthesize, synthesize_over_rho
from bayes_ldn.synthesis.heterogeneity import (
    RHODES_GENERAL,
    RHODES_PAIN_PHARMA_PLACEBO,
    TURNER_SETTINGS,
    TauPrior,
    fixed_tau,
    gamma_precision_tau,
    halfcauchy_tau,
    halfnormal_tau,
    parse_tau_prior,
    rhodes_tau,
    turner_tau,
    uniform_tau,
)
from bayes_ldn.synthesis.studies import (
    LDN_PAIN_CONVERSIONS,
    SCALES,
    SynthesisStudy,
    ldn_pain_studies,
    record_to_study,
)
from bayes_ldn.synthesis.tables import forest_plot_data, leave_one_out, prior_sensitivity, rho_sweep, synthesis_table
from bayes_ldn.synthesis.user_studies import read_studies_csv, studies_from_rows

__all__ = [
    "LDN_PAIN_CONVERSIONS",
    "RHODES_GENERAL",
    "RHODES_PAIN_PHARMA_PLACEBO",
    "SCALES",
    "SynthesisResult",
    "SynthesisStudy",
    "TURNER_SETTINGS",
    "TauPrior",
    "fixed_tau",
    "gamma_precision_tau",
    "forest_plot_data",
    "halfcauchy_tau",
    "halfnormal_tau",
    "ldn_pain_studies",
    "leave_one_out",
    "parse_tau_prior",
    "prior_sensitivity",
    "read_studies_csv",
    "record_to_study",
    "rho_sweep",
    "rhodes_tau",
    "studies_from_rows",
    "summarize_mixture",
    "synthesis_table",
    "synthesize",
    "synthesize_over_rho",
    "turner_tau",
    "uniform_tau",
]
