"""Reading the explorer in a browser page, and what Python says it must show."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bayes_ldn import priors as pr
from bayes_ldn.data.records import to_likelihood
from bayes_ldn.exact import exact_posterior
from bayes_ldn.stats import format_probability
from bayes_ldn.summaries import decision_row_exact

OUTPUTS = ["likelihood", "prior", "prior_aligned", "posterior", "interval", "prob_better",
           "prob_better_than_mcid", "prob_rope", "prob_harm"]


def open_explorer(page, report: Path, fragment: str = "") -> None:
    """A fresh load (a fragment-only change would be a same-document navigation, applied later)."""
    page.goto("about:blank")
    page.goto(report.as_uri() + fragment)
    page.wait_for_selector("#explorer-app[data-ready=true]")


def shown_numbers(page) -> dict[str, str]:
    return {k: page.text_content(f'[data-out="{k}"]') for k in OUTPUTS}


def python_numbers(spec, *, prior: str, mcid: float | None, rope: float | None, conversion: str | None = None,
              strength: str = "moderate", ci_prob: float = 0.95) -> dict[str, str]:
    """What the page must print, from the Python exact posterior, formatted as the page prints."""
    lik = to_likelihood(spec.record, conversion or spec.conversions[0])
    if prior in ("flat", "vague"):
        p = pr.vague()
    elif prior.startswith("normal:"):
        m, s = (float(v) for v in prior.split(":")[1].split(","))
        p = pr.normal(lik.sign * m, s)  # the page takes the printed scale, as the CLI does
    else:
        p = pr.preset(prior, mcid=mcid, strength=strength)
    post = exact_posterior(lik, p)
    row = decision_row_exact(lik, p, post, mcid=mcid, rope=rope, ci_prob=ci_prob)

    def fp(v):
        return "\u2013" if v is None or np.isnan(v) else format_probability(v)

    prior_printed = "Flat" if p.family == "flat" else (
        f"Normal({lik.sign * p.params['mu'] + 0.0:.4g}, {p.params['sigma']:.4g})")
    return {
        "likelihood": f"Normal({lik.sign * lik.estimate:.4g}, {lik.se:.4g})",
        "prior": prior_printed,
        "prior_aligned": p.describe(),  # the decision table's prior_spec column
        "posterior": f"Normal({row['mean']:.4g}, {row['sd']:.4g})",
        "interval": f"{row['median']:.3g} ({row['lower']:.3g} to {row['upper']:.3g})",
        "prob_better": fp(row["prob_better"]),
        "prob_better_than_mcid": fp(row["prob_better_than_mcid"]),
        "prob_rope": fp(row["prob_rope"]),
        "prob_harm": fp(row["prob_harm"]),
    }


