"""The estimand every design and record refers to."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from bayes_ldn.exceptions import raise_if

__all__ = ["Estimand"]


@dataclass(frozen=True, kw_only=True)
class Estimand:
    """Treatment minus reference on the outcome scale, with the direction of benefit.

    Parameters
    ----------
    treatment, reference : str
        Arm labels ("LDN", "placebo").
    better : {"higher", "lower"}
        Direction of benefit on the outcome scale. Fixed once per outcome, never per call.
    units : str
        Outcome units, for tables and axes.
    scale : {"linear", "log"}
        ``"log"`` for ratio measures (HR, OR, RR), analysed as log ratios.
    """

    treatment: str
    reference: str
    better: Literal["higher", "lower"]
    units: str
    scale: Literal["linear", "log"] = "linear"

    def __post_init__(self) -> None:
        problems = [f"{k} must be text, got {v!r}" for k, v in (("treatment", self.treatment),
                    ("reference", self.reference), ("units", self.units)) if not isinstance(v, str)]
        if self.better not in ("higher", "lower"):
            problems.append(f"better must be 'higher' or 'lower', got {self.better!r}")
        if self.scale not in ("linear", "log"):
            problems.append(f"scale must be 'linear' or 'log', got {self.scale!r}")
        if self.treatment == self.reference:
            problems.append(f"treatment and reference are both {self.treatment!r}")
        raise_if("estimand", problems)

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better (see ``records.align_sign``)."""
        return 1 if self.better == "higher" else -1

    def to_dict(self) -> dict:
        """Plain-dict form for provenance attrs."""
        return asdict(self)
