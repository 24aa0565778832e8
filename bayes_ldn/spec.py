"""Analysis specifications: one declarative TOML file per reanalysis in ``models/``.

A spec names the record, the conversion(s) that turn it into a likelihood, the clinical
thresholds with their basis, and the priors. ``load_spec`` validates a file and reports every
problem at once; ``spec_priors`` expands the named presets. The schema is documented in
``models/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bayes_ldn import priors as pr
from bayes_ldn.data.records import CONVERSIONS, PublishedRecord
from bayes_ldn.datasets import list_records, load_record
from bayes_ldn.exceptions import DataValidationError, SpecError
from bayes_ldn.validation import MAX_ABS, MIN_SCALE, real_problems

__all__ = ["AnalysisSpec", "default_models_dir", "load_spec", "load_specs", "spec_priors"]

_TOP = {"id", "title", "record", "conversions", "estimand", "thresholds", "priors"}
_THRESH = {"mcid", "mcid_basis", "rope", "rope_basis"}
_PRIORS = {"presets", "strengths", "custom"}


@dataclass(frozen=True, kw_only=True)
class AnalysisSpec:
    """A validated analysis specification (see ``models/README.md``)."""

    id: str
    title: str
    record: PublishedRecord
    conversions: tuple[str, ...]
    better: str
    mcid: tuple[float, ...]
    mcid_basis: str
    rope: float | None
    rope_basis: str
    presets: tuple[str, ...]
    strengths: tuple[str, ...]
    custom: tuple[pr.EffectPrior, ...] = ()
    path: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def digest(self) -> str:
        """SHA-256 of the spec's canonical JSON."""
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True).encode()).hexdigest()


def default_models_dir() -> Path:
    """The repository's ``models/`` folder (the package is installed editable from the repo)."""
    return Path(__file__).resolve().parents[1] / "models"


def _check_path(path: object, what: str, *, default: bool = False) -> None:
    """A path argument must be text or a path (or ``None``, the default, where ``default``)."""
    if not (isinstance(path, (str, os.PathLike)) or (default and path is None)):
        raise SpecError(what, [f"give a file or folder path (str or pathlib.Path), got {type(path).__name__} {path!r}"])


def load_spec(path: str | Path) -> AnalysisSpec:
    """Read and validate one spec file, reporting every problem at once.

    Raises
    ------
    SpecError
        Listing each problem with the key it concerns and how to fix it.
    """
    _check_path(path, "spec")
    path = Path(path)
    where = f"spec {path.name}"
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(where, [f"cannot read the file: {err}"]) from None
    problems: list[str] = []
    for key in sorted(set(raw) - _TOP):
        problems.append(f"unknown key {key!r}; allowed: {', '.join(sorted(_TOP))}")
    for key in ("id", "title", "record", "conversions", "estimand", "thresholds", "priors"):
        if key not in raw:
            problems.append(f"missing required key {key!r}")
    if problems:
        raise SpecError(where, problems)
    if raw["id"] != path.stem:
        problems.append(f"id {raw['id']!r} must equal the file name {path.stem!r}")
    record = None
    if raw["record"] not in list_records():
        problems.append(f"record {raw['record']!r} is not a bundled record; known: {', '.join(list_records())}")
    else:
        record = load_record(raw["record"])
    conv = raw["conversions"]
    if not isinstance(conv, list) or not conv:
        problems.append("conversions must be a non-empty list of names, e.g. ['ci_normal']")
        conv = []
    for c in conv:
        if c not in CONVERSIONS:
            problems.append(f"unknown conversion {c!r}; choose from {', '.join(CONVERSIONS)}")
    better = raw["estimand"].get("better")
    if better not in ("higher", "lower"):
        problems.append("estimand.better must be 'higher' or 'lower' (the direction of benefit, stated explicitly)")
    elif record is not None and better != record.better:
        problems.append(
            f"estimand.better = {better!r} contradicts record {record.id!r} (better = {record.better!r})"
        )
    th = raw["thresholds"]
    for key in sorted(set(th) - _THRESH):
        problems.append(f"unknown key thresholds.{key}; allowed: {', '.join(sorted(_THRESH))}")
    mcid = th.get("mcid", [])
    mcid = [mcid] if not isinstance(mcid, list) else mcid
    # TOML reads nan, inf, 1e308 and true as numbers; each must be a finite positive real within MAX_ABS.
    if any(real_problems({"mcid": m}) or not m > 0 for m in mcid):
        problems.append(f"thresholds.mcid must be positive finite numbers (at most {MAX_ABS:g}) on the benefit "
                        f"scale, got {mcid}")
    if "mcid_basis" not in th:
        problems.append("thresholds.mcid_basis is required: say where the MCID comes from, or that none exists")
    rope = th.get("rope")
    if rope is not None and (real_problems({"rope": rope}, scales=("rope",)) or not rope > 0):
        problems.append(f"thresholds.rope must be a positive finite half-width (at least {MIN_SCALE:g}), got {rope}")
    pri = raw["priors"]
    for key in sorted(set(pri) - _PRIORS):
        problems.append(f"unknown key priors.{key}; allowed: {', '.join(sorted(_PRIORS))}")
    presets = list(pri.get("presets", []))
    strengths = list(pri.get("strengths", ["moderate"]))
    for p in presets:
        if p not in pr.PRESETS:
            problems.append(f"unknown prior preset {p!r}; choose from {', '.join(pr.PRESETS)}")
    for s in strengths:
        if s not in pr.STRENGTHS:
            problems.append(f"unknown prior strength {s!r}; choose from {', '.join(pr.STRENGTHS)}")
    if any(p != "vague" for p in presets) and not mcid:
        problems.append("anchored presets (skeptical, enthusiastic, pessimistic) need thresholds.mcid")
    custom: list[pr.EffectPrior] = []
    for name, d in pri.get("custom", {}).items():
        params = d.get("params", {}) if isinstance(d, dict) else {}
        bad = real_problems({f"priors.custom.{name}.params.{k}": v for k, v in params.items()
                             if k in ("mu", "sigma", "nu")},
                            scales=(f"priors.custom.{name}.params.sigma", f"priors.custom.{name}.params.nu"))
        if bad:  # text or true where a number goes: the prior cannot be built
            problems += bad
            continue
        try:
            custom.append(pr.EffectPrior(name=name, family=d.get("family", ""), params=d.get("params", {}),
                                         rationale=d.get("rationale", "")))
        except DataValidationError as err:
            problems.extend(f"priors.custom.{name}: {p}" for p in err.problems)
        if not d.get("rationale"):
            problems.append(f"priors.custom.{name}: a rationale (one line with a reference) is required")
    if not presets and not custom:
        problems.append("priors: give at least one preset or custom prior")
    if problems:
        raise SpecError(where, problems)
    assert record is not None
    return AnalysisSpec(
        id=raw["id"], title=raw["title"], record=record, conversions=tuple(conv), better=better,
        mcid=tuple(float(m) for m in mcid), mcid_basis=th["mcid_basis"],
        rope=None if rope is None else float(rope), rope_basis=th.get("rope_basis", ""),
        presets=tuple(presets), strengths=tuple(strengths), custom=tuple(custom), path=str(path), raw=raw,
    )


def load_specs(folder: str | Path | None = None) -> list[AnalysisSpec]:
    """Load every ``*.toml`` spec in ``folder`` (default: the repository's ``models/``).

    All files are validated before any is returned; the error lists the problems of every file.
    """
    _check_path(folder, "models folder", default=True)
    folder = Path(folder) if folder else default_models_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise SpecError("models folder", [f"no *.toml analysis specs in {folder}; pass --models DIR"])
    specs, problems = [], []
    for f in files:
        try:
            specs.append(load_spec(f))
        except SpecError as err:
            problems.extend(f"{f.name}: {p}" for p in err.problems)
    if problems:
        raise SpecError("analysis specs", problems)
    return specs


def spec_priors(spec: AnalysisSpec) -> list[tuple[pr.EffectPrior, float | None]]:
    """Every (prior, mcid anchor) pair the spec asks for.

    Every prior appears once per MCID of a sweep (the anchor sets both the preset and
    P(better than MCID)); anchored presets also once per strength. Without an MCID only the
    vague and custom priors are used, with anchor ``None``.
    """
    anchors: list[float | None] = list(spec.mcid) or [None]
    out: list[tuple[pr.EffectPrior, float | None]] = []
    for m in anchors:
        for name in spec.presets:
            if name == "vague":
                out.append((pr.vague(), m))
            else:
                out += [(pr.preset(name, mcid=m, strength=s), m) for s in spec.strengths]  # type: ignore[arg-type]
        out += [(c, m) for c in spec.custom]
    return out


def spec_dict(spec: AnalysisSpec) -> dict[str, Any]:
    """JSON-able form for provenance."""
    d = asdict(spec)
    d.pop("raw")
    d["record"] = spec.record.id
    d["custom"] = [c.to_dict() for c in spec.custom]
    return d
