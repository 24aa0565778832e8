"""Layer rules that the README's architecture section promises."""

import subprocess
import sys

import pytest

NO_PYMC = [
    "bayes_ldn.stats",
    "bayes_ldn.posterior1d",
    "bayes_ldn.conversions",
    "bayes_ldn.summaries",
    "bayes_ldn.diagnostics",
    "bayes_ldn.exact",
    "bayes_ldn.reanalysis",
    "bayes_ldn.spec",
    "bayes_ldn.ratios",
    "bayes_ldn.api.estimate",
    "bayes_ldn.api.result",
    "bayes_ldn.stats_binary",
    "bayes_ldn.stats_binary_grid",
    "bayes_ldn.priors_binary",
    "bayes_ldn.summaries_binary",
    "bayes_ldn.reanalysis_binary",
    "bayes_ldn.report.binary",
    "bayes_ldn.quadrature",
    "bayes_ldn.validation",
    "bayes_ldn.extras",
]


@pytest.mark.parametrize("module", NO_PYMC)
def test_post_processing_never_imports_pymc(module):
    code = f"import sys, {module}; print('pymc' in sys.modules or 'pytensor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"{module} pulls in PyMC"


def test_public_api_resolves_without_pymc():
    code = (
        "import sys, bayes_ldn as bl\n"
        "light = [n for n in bl.__all__ if n not in ('fit', 'aggregate_model', 'hierarchical_model', "
        "'crossover_model', 'parallel_model', 'logistic_model', 'carryover_sensitivity', 'analyze_crossover', "
        "'analyze_parallel', '__version__')]\n"
        "[getattr(bl, n) for n in light]\n"
        "print('pymc' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    import bayes_ldn as bl

    assert all(getattr(bl, n) is not None for n in bl.__all__)
