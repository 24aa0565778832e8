"""Machine description and table writing shared by the benchmark scripts."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    """nproc, CPU model, Python and key library versions, one line."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import nutpie
    import pymc

    return (f"nproc={os.cpu_count()}, CPU: {cpu}, {platform.system()} {platform.release()}, Python "
            f"{sys.version.split()[0]}, PyMC {pymc.__version__}, nutpie {nutpie.__version__}")


def write_table(name: str, title: str, table: pd.DataFrame, command: str, notes: str = "") -> Path:
    """Print ``table`` and write it with the machine and the command to ``results/<name>.md``."""
    RESULTS.mkdir(exist_ok=True)
    text = (f"# {title}\n\nCommand: `{command}`\n\nMachine: {machine()}\n\n"
            f"```\n{table.to_string(index=False, float_format=lambda v: f'{v:.4g}')}\n```\n\n{notes}\n")
    print(text)
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    return path
