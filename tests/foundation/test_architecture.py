"""Layer rules that the README's architecture section promises."""

import subprocess
import sys

import pytest

NO_PYMC = [
    "bayes_ldn.stats",
    "bayes_ldn.conversions",
    "bayes_ldn.summaries",
    "bayes_ldn.diagnostics",
    "bayes_ldn.exact",
    "bayes_ldn.reanalysis",
    "bayes_ldn.spec",
]


@pytest.mark.parametrize("module", NO_PYMC)
def test_post_processing_never_imports_pymc(module):
    code = f"import sys, {module}; print('pymc' in sys.modules or 'pytensor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"{module} pulls in PyMC"
