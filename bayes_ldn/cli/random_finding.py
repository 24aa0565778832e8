"""``bayes-ldn random-finding``: is a flagged trial result a random finding?

Runs every angle of :func:`bayes_ldn.random_finding.random_finding` on a bundled case
(``--trial final --outcome cpm`` or ``--outcome memory``) and writes ``DIR/verdict.csv`` and
``DIR/verdict.md``. Exact computations only (no MCMC): it runs in about a second.

Patient-level data for the association with pain are optional: ``--patient-data FILE.csv``
(long format: subject, arm, outcome, baseline, followup) or ``--synthetic-seed N`` for
synthetic FINAL-like data (a demonstration; not counted in the verdict).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.random_finding import BUNDLED, bundled_verdict, write_verdict
from bayes_ldn.random_finding.association import patient_frame
from bayes_ldn.validation import finite_float

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``random-finding`` subcommand."""
    p = sub.add_parser("random-finding", help="is a flagged result a random finding? (writes DIR/verdict.csv, .md)")
    p.add_argument("--trial", required=True, choices=sorted({t for t, _ in BUNDLED}), help="bundled trial")
    p.add_argument("--outcome", required=True, choices=sorted({o for _, o in BUNDLED}), help="flagged outcome")
    p.add_argument("--out", default="random_finding", help="output folder (default: random_finding/)")
    p.add_argument("--patient-data", default=None, help="CSV of patient-level data (long format)")
    p.add_argument("--synthetic-seed", type=int, default=None,
                   help="use synthetic FINAL-like patient data with this seed (demonstration only)")
    p.add_argument("--synthetic-pain-slope", type=finite_float, default=0.0,
                   help="true slope of pain change on CPM change in the synthetic data (default 0)")
    p.set_defaults(func=run)


def _patient_data(args: argparse.Namespace):
    raise_if("random-finding arguments", [
        "give --patient-data or --synthetic-seed, not both"
    ] if args.patient_data is not None and args.synthetic_seed is not None else [])
    if args.patient_data is not None:
        path = Path(args.patient_data)
        raise_if("patient data", [] if path.is_file() else [f"--patient-data {path}: no such file"])
        frame = pd.read_csv(path)
        patient_frame(frame)  # validates the columns before anything is written
        return frame
    if args.synthetic_seed is not None:
        try:
            from bayes_ldn.data.simulate_parallel import simulate_final_like
        except ImportError as err:
            raise DataValidationError("synthetic patient data", [
                f"bayes_ldn.data.simulate_parallel is not available ({err}); drop --synthetic-seed"
            ]) from err
        return simulate_final_like(random_seed=args.synthetic_seed, include_pain=True,
                                   pain_cpm_slope=args.synthetic_pain_slope)
    return None


def run(args: argparse.Namespace) -> int:
    """Compute the verdict, then write it (nothing is written if an input is invalid)."""
    verdict, title = bundled_verdict(args.trial, args.outcome, patient_data=_patient_data(args))
    csv_path, md_path = write_verdict(verdict, args.out, title=title)
    tally = verdict.tally()
    print(f"bayes-ldn random-finding: {title}", file=sys.stdout)
    print(verdict.paragraph, file=sys.stdout)
    print(f"headline angles: {tally}; written {csv_path} and {md_path}", file=sys.stdout)
    return 0
