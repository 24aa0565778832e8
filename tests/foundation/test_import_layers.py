"""``lint-imports`` (import-linter) keeps the README's layer table and forbids sibling import cycles.

The contracts are in ``pyproject.toml`` (``[tool.importlinter]``): one layers contract copied from
the README's Architecture table (a module imports only from layers below it) and one
``acyclic_siblings`` contract (no cycle among the modules of any package, e.g. the former
``simulation.compiled`` -> ``structures`` -> ``compiled`` and ``data`` <-> ``datasets`` circles).
A wrong-way import fails this test, so ``make test`` and CI enforce the architecture.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_lint_imports_passes():
    exe = Path(sys.executable).parent / "lint-imports"
    assert exe.exists(), "import-linter is not installed: pip install -e '.[test]' (it is a test dependency)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "2 kept, 0 broken" in out.stdout


def test_readme_layer_table_matches_the_contract():
    # Every module the README's table names sits in the contract's layer of the same number.
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    contract = {m.strip().removeprefix("bayes_ldn."): 8 - i for i, line in enumerate(layers) for m in line.split(":")}
    readme = (ROOT / "README.md").read_text().split("## Architecture", 1)[1]
    for line in readme.splitlines():
        if not line.startswith("| ") or not line[2].isdigit():
            continue
        cells = line.split("|")
        number, modules = int(cells[1]), cells[2]
        for name in (m.strip(" `") for m in modules.split(",")):
            top = name.split("/")[0].split(".")[0]
            assert contract.get(top) == number, f"README puts {name!r} in layer {number}, the contract in {contract.get(top)}"
