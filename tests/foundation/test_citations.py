"""Every source the package and its tests cite is in the repository or public.

The project's shared reference notes are not part of a clone; what the code cites from them is
bundled under ``docs/reference/`` (``published-numbers.md``, ``check-cases.md``).
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FILES = [p for d in ("bayes_ldn", "tests", "models", "benchmarks") for p in (ROOT / d).rglob("*")
         if p.suffix in (".py", ".toml", ".md", ".js") and p.is_file()] + [ROOT / "README.md"]


def test_no_citation_of_files_outside_the_repository():
    pattern = re.compile(r"shared/reference|\banchors\.md|architecture-study\.md")
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in FILES if p != Path(__file__)
            for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if pattern.search(line)]
    assert not hits, f"cites a file a clone does not have: {hits[:10]}"


def test_cited_reference_files_exist():
    cited = {m for p in FILES for m in re.findall(r"docs/reference/[\w.-]+\.md", p.read_text(errors="replace"))}
    assert cited, "no docs/reference citation found (the test would be vacuous)"
    missing = sorted(c for c in cited if not (ROOT / c).is_file())
    assert not missing, missing
