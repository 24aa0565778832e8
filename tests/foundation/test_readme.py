"""The README's Python quickstart runs, and gives the numbers the README quotes elsewhere."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLAS = "ignore:PyTensor could not link to a BLAS:UserWarning"


def quickstart() -> str:
    text = README.read_text()
    section = text.split("## Python quickstart", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "the README's Python quickstart has no python block"
    return blocks[0]


@pytest.mark.slow
@pytest.mark.filterwarnings(BLAS)
def test_readme_quickstart_runs(capsys):
    ns: dict = {}
    exec(compile(quickstart(), str(README), "exec"), ns)  # noqa: S102 - our own README
    be, ft, cpm = ns["be"], ns["ft"], ns["cpm"]
    ratio = be.to_dict()["ratio"]
    # README, bioequivalence: 0.973 (90% CrI 0.881 to 1.069); three decimals of a 4000-draw posterior.
    assert ratio["median"] == pytest.approx(0.973, abs=0.004)
    assert ratio["ci_prob"] == 0.9
    assert be.to_dict()["equivalence"]["prob"] > 0.99
    # FT vs Cont ANCOVA: OLS 9.03 (4.93 to 13.14); a skeptical prior on 2 lb shrinks it towards 0.
    assert 0 < ft.rows[0]["median"] < 9.03
    # Exact normal-normal posterior: precision-weighted mean of 2.0 (SE from the CI) and 0 (SD 1).
    se = (3.65 - 0.35) / (2 * 1.959963984540054)
    assert cpm.rows[0]["mean"] == pytest.approx(2.0 / se**2 / (1 / se**2 + 1), rel=1e-9)
    assert "prob_better" in capsys.readouterr().out
