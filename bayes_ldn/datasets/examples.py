"""Real, published patient-level example datasets: ``load_example``, ``example_info``, ``list_examples``.

The CSV files and their metadata (``examples.toml``) live in the ``examples/`` folder beside this
module. Each dataset is a small published trial kept in tidy long form with its labels as
published:

* crossover: ``subject, sequence, period, treatment, outcome`` (+ extra outcome or baseline
  columns), ready for :meth:`bayes_ldn.CrossoverData.from_frame`;
* parallel: ``subject, arm, baseline, followup``, ready for
  :meth:`bayes_ldn.ParallelData.from_frame` once two arms are chosen.

``example_info(name)`` gives the citation, the source file and its licence, units, treatment and
reference labels, the direction of benefit, and the frequentist result printed in the source
(``published``, with the precision it was printed to) or computed here (``computed``).

>>> from bayes_ldn.datasets.examples import example_info, list_examples, load_example
>>> "senn_pef" in list_examples()
True
>>> frame = load_example("senn_pef")
>>> frame.groupby("sequence")["subject"].nunique().to_dict()
{'for/sal': 7, 'sal/for': 6}
>>> example_info("senn_pef")["published"]["estimate"]
46.6

Every file is checked against the SHA-256 digest recorded in ``examples.toml`` when it is read,
so an edited copy cannot pass for the published data.
"""

from __future__ import annotations

import copy
import hashlib
import io
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

from bayes_ldn.exceptions import BayesLDNError, DataValidationError

__all__ = ["example_info", "list_examples", "load_example"]

_FOLDER = "examples"
_REQUIRED = {
    "crossover": ("subject", "sequence", "period", "treatment", "outcome"),
    "parallel": ("subject", "arm", "baseline", "followup"),
}


def _folder() -> Any:
    return resources.files(__package__).joinpath(_FOLDER)


@cache
def _metadata() -> dict[str, Any]:
    return tomllib.loads(_folder().joinpath("examples.toml").read_text(encoding="utf-8"))


def list_examples() -> list[str]:
    """Names of the bundled example datasets, in file order."""
    return list(_metadata()["dataset"])


def _check_name(name: str) -> dict[str, Any]:
    datasets = _metadata()["dataset"]
    if name not in datasets:
        raise DataValidationError(
            "example dataset", [f"unknown example {name!r}; known examples: {', '.join(datasets)}"]
        )
    return datasets[name]


def example_info(name: str) -> dict[str, Any]:
    """Metadata of one example dataset (a copy: changing it changes nothing bundled).

    Keys include ``file``, ``design`` (``"crossover"`` or ``"parallel"``), ``outcome``,
    ``units``, ``scale`` (``"identity"`` or ``"log"``: the scale of the standard analysis),
    ``columns`` (role -> column), ``treatment``, ``reference``, ``better``, ``citation``,
    ``source``, ``source_licence``, ``transcription``, ``sha256``, and ``published`` and/or
    ``computed`` (the frequentist result to check against).

    Raises
    ------
    DataValidationError
        For an unknown name (the message lists the known ones).
    """
    return {"name": name, **copy.deepcopy(_check_name(name))}


def load_example(name: str) -> pd.DataFrame:
    """One example dataset as a tidy ``pandas.DataFrame`` (labels and missing values as published).

    Missing measurements are ``NaN`` (only ``jones_kenward_pk`` has any); drop the rows of the
    outcome you analyse before validating.

    Raises
    ------
    DataValidationError
        For an unknown name.
    BayesLDNError
        When the bundled file does not match its recorded SHA-256 digest or lacks a required
        column (a damaged installation).
    """
    info = _check_name(name)
    raw = _folder().joinpath(info["file"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != info["sha256"]:
        raise BayesLDNError(
            f"example {name!r}: {info['file']} has SHA-256 {digest}, examples.toml records {info['sha256']}; "
            "the bundled file was changed: reinstall bayes_ldn"
        )
    frame = pd.read_csv(io.BytesIO(raw), na_values=["NA"], keep_default_na=False)
    missing = [c for c in _REQUIRED[info["design"]] if c not in frame.columns]
    if missing:
        raise BayesLDNError(f"example {name!r}: {info['file']} lacks column(s) {', '.join(missing)}")
    return frame
