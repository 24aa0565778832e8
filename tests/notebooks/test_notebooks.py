"""Every notebook executes top to bottom in fast mode, with no error and no unexplained warning.

A notebook explains a warning it expects with a comment line ``# expected-warning: REGEX`` in its
source; any stderr output or warning text that no such pattern matches fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").rglob("*.py"))
WARNING_TEXT = re.compile(r"(Warning|warning:|WARNING)")
#: Noise that is not a warning about the analysis: progress bars drawn on stderr.
BENIGN = [re.compile(r"^\s*$"), re.compile(r"Sampling|Progress|Draws|it/s|\d+%\|")]


def _explained(source: str) -> list[re.Pattern]:
    return [re.compile(m) for m in re.findall(r"#\s*expected-warning:\s*(.+)", source)]


def _problems(nb, explained: list[re.Pattern]) -> list[str]:
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                texts = [o.get("text", "")]
            elif o.get("output_type") == "stream":
                texts = [line for line in o.get("text", "").splitlines() if WARNING_TEXT.search(line)]
            else:
                continue
            for text in texts:
                for line in text.splitlines():
                    if any(b.search(line) for b in BENIGN) or any(e.search(line) for e in explained):
                        continue
                    out.append(f"cell {i}: {line.strip()[:200]}")
    return out


def test_notebooks_found():
    names = {p.name for p in NOTEBOOKS}
    for required in ("01_crossover_anatomy.py", "02_change_score_vs_ancova.py",
                     "03_priors_skeptical_reverse_bayes.py", "04_shrinkage_and_multiplicity.py",
                     "05_checking_a_model.py", "06_prior_explorer.py", "07_binary_outcomes.py",
                     "08_reading_a_papers_numbers.py", "09_units_and_nuisance_priors.py",
                     "10_missing_data_and_estimands.py"):
        assert required in names


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_notebook_executes(path, monkeypatch, tmp_path):
    monkeypatch.setenv("BAYES_LDN_FAST", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("PYTHONWARNINGS", "default")  # show each warning once, so it can be checked
    source = path.read_text()
    nb = jupytext.reads(source, fmt="py:percent")
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert 'os.environ.get("BAYES_LDN_FAST") == "1"' in first_code.source, "first code cell must read fast mode"
    assert "evidence" in first_code.source, "first code cell must state the records' evidence tags"
    client = NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    problems = _problems(nb, _explained(source))
    assert not problems, "unexplained warnings or stderr:\n" + "\n".join(problems)
