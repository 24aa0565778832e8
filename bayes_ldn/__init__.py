"""bayes_ldn: Bayesian reanalysis of randomized trials of low-dose naltrexone, and trials like them.

The public API is importable from the package root; names resolve lazily, so
``import bayes_ldn`` never imports PyMC (only the model builders and ``fit`` do).

>>> import bayes_ldn as bl
>>> lik = bl.to_likelihood(bl.load_record("final_cpm"), "ci_normal")
>>> post = bl.exact_posterior(lik, bl.priors.vague())
>>> bl.format_probability(post.prob_above(0.0))
'0.991'

The one-call analyses (``analyze_crossover``, ``analyze_parallel``, ``analyze_estimate``) take
the command line's options and return an :class:`~bayes_ldn.api.Analysis`:

>>> r = bl.analyze_estimate(2.0, lower=0.35, upper=3.65, better="higher")
>>> r.summary()[["median", "lower", "upper", "prob_better"]].to_dict("records")
[{'median': '2', 'lower': '0.35', 'upper': '3.65', 'prob_better': '0.991'}]
"""

import sys
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType
from typing import Any

try:
    __version__ = version("bayes_ldn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

#: public name -> module that defines it
_API = {
    "analyze_crossover": "bayes_ldn.api.crossover",
    "analyze_parallel": "bayes_ldn.api.parallel",
    "analyze_estimate": "bayes_ldn.api.estimate",
    "Analysis": "bayes_ldn.api.result",
    "Estimand": "bayes_ldn.estimand",
    "BayesLDNError": "bayes_ldn.exceptions",
    "DataValidationError": "bayes_ldn.exceptions",
    "ConvergenceWarning": "bayes_ldn.exceptions",
    "load_record": "bayes_ldn.datasets",
    "load_family": "bayes_ldn.datasets",
    "list_records": "bayes_ldn.datasets",
    "load_example": "bayes_ldn.datasets.examples",
    "list_examples": "bayes_ldn.datasets.examples",
    "PublishedRecord": "bayes_ldn.data.records",
    "EffectLikelihood": "bayes_ldn.data.records",
    "to_likelihood": "bayes_ldn.data.records",
    "align_sign": "bayes_ldn.data.records",
    "load_binary": "bayes_ldn.datasets",
    "list_binary": "bayes_ldn.datasets",
    "two_by_two": "bayes_ldn.data.binary",
    "beta_binomial_posterior": "bayes_ldn.stats_binary",
    "exact_contrast": "bayes_ldn.summaries_binary",
    "logistic_model": "bayes_ldn.designs.binary",
    "CrossoverData": "bayes_ldn.data.crossover",
    "ParallelData": "bayes_ldn.data.parallel",
    "simulate_crossover": "bayes_ldn.data.simulate_crossover",
    "simulate_final_like": "bayes_ldn.data.simulate_parallel",
    "conjugate_normal": "bayes_ldn.stats",
    "normal_hierarchical": "bayes_ldn.stats",
    "format_probability": "bayes_ldn.stats",
    "exact_posterior": "bayes_ldn.exact",
    "aggregate_model": "bayes_ldn.designs.aggregate",
    "hierarchical_model": "bayes_ldn.designs.hierarchical",
    "crossover_model": "bayes_ldn.designs.crossover",
    "parallel_model": "bayes_ldn.designs.parallel",
    "fit": "bayes_ldn.fit",
    "convergence_table": "bayes_ldn.diagnostics",
    "decision_row_exact": "bayes_ldn.summaries",
    "decision_row_from_draws": "bayes_ldn.summaries",
    "format_decision_table": "bayes_ldn.summaries",
    "carryover_sensitivity": "bayes_ldn.crossover_analysis",
    "pooled_family_table": "bayes_ldn.family",
    "random_finding": "bayes_ldn.random_finding",
    "load_spec": "bayes_ldn.spec",
    "load_specs": "bayes_ldn.spec",
    "decision_table": "bayes_ldn.reanalysis",
    "write_reanalysis": "bayes_ldn.reanalysis",
    "run_study": "bayes_ldn.simulation",
}
_MODULES = ("priors", "conversions", "synthesis", "assurance", "reverse_bayes", "bayes_factor", "plots")

__all__ = ["__version__", *_API, *_MODULES]


class _Package(ModuleType):
    """The package module, so that importing ``bayes_ldn.fit`` cannot replace ``bl.fit``.

    Importing a submodule sets an attribute of the same name on its package; for ``fit`` and
    ``random_finding`` (a module and a public function of one name) that would make ``bl.fit``
    the module after the first fit. Such submodules stay reachable through ``sys.modules`` and
    ``from bayes_ldn.fit import ...``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _API and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    if name in _MODULES:
        return import_module(f"bayes_ldn.{name}")
    raise AttributeError(f"module 'bayes_ldn' has no attribute {name!r}")
