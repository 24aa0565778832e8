"""``bayes-ldn precompile``: fill PyTensor's on-disk compile cache for every shipped model.

nutpie compiles a model's log density with numba. PyTensor keeps the compiled pieces on disk
(``~/.pytensor``, or ``PYTENSOR_FLAGS=base_compiledir=...``) and reuses them in every later
process: the compiled operations for any data size and prior of the same design, and for the
structures compiled here also nutpie's entry points (:mod:`bayes_ldn.nutpie_numba`). Measured here
(``benchmarks/results/models_vs_brms.md``), the first crossover fit in a new process (launch to
the end of the fit) took 14.2 s with an empty cache, 3.8 s after this command, and 9.8 s after it
for a structure it does not compile (Student-t residuals); in a one-off run, 40 subjects took
6-7.5 s (another effect prior of the same family is the same structure: its values are data). Like
rstanarm, which compiles its Stan programs when it is installed, ``make`` runs this once after
installing, so that a user's first fit does not pay for the first compilation. Simulation
studies compile the same structures (:func:`bayes_ldn.simulation.compiled.compile_trial_model`),
so their workers start from this cache too (about 1 s instead of 7 s each;
``benchmarks/results/simulation_scaling.md``).
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["DEFAULT_MODELS", "register", "run"]

#: Compiled by default: one structure per single-outcome design (about 25 s with an empty cache
#: here). Variants of a design (Student-t, change score, ...) share most compiled pieces with it.
DEFAULT_MODELS = ("aggregate", "hierarchical", "crossover", "parallel", "meta_regression")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``precompile`` subcommand."""
    p = sub.add_parser("precompile", help="compile every shipped model once so later first fits start fast")
    p.add_argument("--models", nargs="*", default=None,
                   help=f"structures to compile, or 'all' (default: {' '.join(DEFAULT_MODELS)})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compile the default scenario of each structure with nutpie and print the seconds each took."""
    import warnings

    from bayes_ldn.compile_cache import compiled_nutpie
    from bayes_ldn.exceptions import DataValidationError
    from bayes_ldn.simulation.structures import DEFAULT_STRUCTURES, available_structures, structure_builder

    known = available_structures()
    if args.models is None:
        names = [n for n in DEFAULT_MODELS if n in known]
    else:
        names = list(known) if args.models == ["all"] else list(args.models)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise DataValidationError("precompile", [f"unknown model {n!r}; choose from {', '.join(known)}" for n in unknown])
    for name in names:
        start = time.perf_counter()
        model = structure_builder(name)(**DEFAULT_STRUCTURES[name])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiled_nutpie(model.pymc_model)
        print(f"bayes-ldn precompile: {name:<24} {time.perf_counter() - start:6.1f} s", file=sys.stdout, flush=True)
    return 0
