"""Is a flagged trial result a random finding? A verdict from every angle the evidence allows.

:func:`random_finding` runs eight angles on one flagged published result and returns a
:class:`Verdict` (a table with one row per angle and quantity, and a plain-language paragraph):

1. multiplicity by shrinkage across the outcome family (``angles``),
2. sceptical priors and the tipping point (``angles``),
3. reverse-Bayes: sceptical/advocacy limit and intrinsic credibility (``angles``,
   :mod:`bayes_ldn.reverse_bayes`),
4. Savage-Dickey Bayes factor with prior-scale sensitivity (``angles``, :mod:`bayes_ldn.bayes_factor`),
5. the placebo decline and regression to the mean (``placebo``),
6. association of the measure's change with pain change on patient data (``association``),
7. replication probability of a same-size trial (``angles``),
8. the verdict table and paragraph, written by :func:`write_verdict` (``verdict``).

Everything is exact (closed form or quadrature); nothing here runs MCMC.
"""

from bayes_ldn.random_finding.bundled import BUNDLED, bundled_verdict
from bayes_ldn.random_finding.choices import RandomFindingChoices, standard_choices
from bayes_ldn.random_finding.verdict import (
    COLUMNS,
    Verdict,
    merge_verdicts,
    random_finding,
    verdict_files,
    write_verdict,
)

__all__ = [
    "BUNDLED",
    "bundled_verdict",
    "COLUMNS",
    "RandomFindingChoices",
    "Verdict",
    "merge_verdicts",
    "random_finding",
    "standard_choices",
    "verdict_files",
    "write_verdict",
]
