"""``bayes-ldn posterior --events-treatment ...``: the posterior of a 2x2 table from the command line.

Two routes. ``--method exact`` (the default under the vague prior): independent Beta priors per
arm (``--arm-prior``, default Jeffreys), the exact posterior drawn independently
(``--draws``, ``--random-seed``), no MCMC, Monte Carlo SE beside each probability. ``--method
logistic`` (the default under any other ``--prior``): the logistic model with the prior on the log
odds ratio (presets anchored on ``--or-mcid``, or on ``--mcid`` when ``--measure or``) and a stated
baseline-risk prior (``--baseline-prior``), sampled with NUTS; R-hat, ESS and divergences printed
beside the probabilities. ``--json`` gives ``mean``, ``median``, ``lower``, ``upper``,
``prob_better`` and ``prob_better_than_mcid`` on the measure's natural scale (RD as a
proportion, RR and OR as ratios), the log-scale numbers beside them.

Like ``--prior`` for a published estimate, ``normal:MEAN,SD`` and ``t:MEAN,SD,DF`` are on the
printed scale (here the log odds ratio, treatment vs control); presets are on the benefit scale.
"""

from __future__ import annotations

import argparse
import math

from bayes_ldn import priors as pr
from bayes_ldn.cli._output import print_result
from bayes_ldn.data.binary import COUNT_FIELDS, two_by_two
from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.priors_binary import log_or_prior, parse_baseline_prior, parse_beta_prior
from bayes_ldn.stats import format_probability
from bayes_ldn.stats_binary import MEASURES, mcid_on_analysis_scale

__all__ = ["add_arguments", "is_binary", "run_binary"]

#: Default seed of the exact draws (recorded in the output; any integer reproduces its own draws).
DEFAULT_SEED = 20261207


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The 2x2-table options of ``bayes-ldn posterior``."""
    g = p.add_argument_group("binary outcome (a 2x2 table instead of an estimate)")
    g.add_argument("--events-treatment", help="patients with the event, treatment arm")
    g.add_argument("--n-treatment", help="patients in the treatment arm")
    g.add_argument("--events-control", help="patients with the event, control arm")
    g.add_argument("--n-control", help="patients in the control arm")
    g.add_argument("--measure", choices=MEASURES, default="rd",
                   help="risk difference, risk ratio or odds ratio (default rd); --mcid is on its scale")
    g.add_argument("--method", choices=("auto", "exact", "logistic"), default="auto",
                   help="exact beta-binomial or logistic model (default: exact for --prior vague, else logistic)")
    g.add_argument("--arm-prior", default="jeffreys", help="jeffreys | uniform | haldane | beta:A,B (exact route)")
    g.add_argument("--baseline-prior", default="uniform",
                   help="uniform (Logistic(0,1) on the control log odds) | flat | normal:M,S (logistic route)")
    g.add_argument("--or-mcid", type=float,
                   help="odds ratio anchoring a preset prior (default: --mcid with --measure or)")
    g.add_argument("--draws", type=int, default=100_000, help="exact draws (default 100000)")
    g.add_argument("--random-seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")


def is_binary(a: argparse.Namespace) -> bool:
    """True when any count option was given."""
    return any(getattr(a, k) is not None for k in ("events_treatment", "n_treatment", "events_control", "n_control"))


def _problems(a: argparse.Namespace) -> tuple[list[str], dict]:
    problems: list[str] = []
    got: dict = {}
    if a.better is None:
        problems.append("--better higher|lower is required: higher for responders, lower for harms")
    for flag in ("estimate", "median", "lower", "upper", "se", "p_value", "iqr", "conversion"):
        if getattr(a, flag) is not None:
            problems.append(f"--{flag.replace('_', '-')} cannot be combined with a 2x2 table")
    try:
        got["counts"] = two_by_two(a.events_treatment, a.n_treatment, a.events_control, a.n_control,
                                   names={f: "--" + f.replace("_", "-") for f in COUNT_FIELDS})
    except DataValidationError as err:
        problems += list(err.problems)
    try:
        got["mcid"] = mcid_on_analysis_scale(a.measure, a.mcid)
    except DataValidationError as err:
        problems += [f"--mcid: {p}" for p in err.problems]
    if a.rope is not None:
        ok = 0 < a.rope < 1 if a.measure == "rd" else a.rope > 1
        if not ok:
            problems.append(f"--rope must be a proportion in (0, 1) for rd, or a ratio > 1 for rr/or, got {a.rope}")
        else:
            got["rope"] = a.rope if a.measure == "rd" else math.log(a.rope)
    method = a.method if a.method != "auto" else ("exact" if a.prior == "vague" else "logistic")
    got["method"] = method
    if method == "exact":
        if a.prior != "vague":
            problems.append("--method exact takes independent Beta priors per arm (--arm-prior); a prior on the log "
                            "odds ratio needs --method logistic")
        try:
            got["arm_prior"] = parse_beta_prior(a.arm_prior)
        except DataValidationError as err:
            problems += list(err.problems)
        if not a.draws >= 1000:
            problems.append(f"--draws must be at least 1000, got {a.draws}")
    else:
        anchor = a.or_mcid if a.or_mcid is not None else (a.mcid if a.measure == "or" else None)
        try:
            got["prior"] = log_or_prior(a.prior, mcid_or=anchor)
        except DataValidationError as err:
            if a.measure != "or":  # presets on the log OR are anchored on an odds ratio, not on an RD/RR MCID
                problems += [p.replace("give --mcid", "give --or-mcid (an odds ratio)") for p in err.problems]
            else:
                problems += list(err.problems)
        try:
            got["baseline"] = parse_baseline_prior(a.baseline_prior)
        except DataValidationError as err:
            problems += list(err.problems)
    return problems, got


def run_binary(a: argparse.Namespace) -> int:
    """Validate everything, compute the posterior, print it."""
    problems, got = _problems(a)
    if problems:
        raise DataValidationError("bayes-ldn posterior", list(dict.fromkeys(problems)))
    from bayes_ldn.summaries_binary import exact_contrast, logistic_contrast, summary_json

    counts, mcid, rope = got["counts"], got["mcid"], got.get("rope")
    if got["method"] == "exact":
        arm = got["arm_prior"]
        summ, _ = exact_contrast(counts, measure=a.measure, better=a.better, arm_prior=arm, random_seed=a.random_seed,
                                 mcid=mcid, rope=rope, ci_prob=a.report_ci_prob, draws=a.draws)
        out = summary_json(summ)
        out.update(method="exact beta-binomial (independent draws, no MCMC)", arm_prior=f"{arm.describe()} per arm: "
                   f"{arm.rationale}", random_seed=a.random_seed)
    else:
        from bayes_ldn.designs.binary import logistic_model
        from bayes_ldn.fit import fit

        prior = _printed_to_aligned(got["prior"], a.better, user_given=":" in a.prior)
        model = logistic_model(counts, prior, better=a.better, baseline_prior=got["baseline"])
        idata = fit(model, random_seed=a.random_seed, var_names_check=["treatment_effect_aligned", "baseline_logit"])
        summ, conv = logistic_contrast(idata, measure=a.measure, better=a.better, mcid=mcid, rope=rope,
                                       ci_prob=a.report_ci_prob)
        out = summary_json(summ)
        out.update(method="logistic model (NUTS)", **conv, prior=f"{prior.describe()} on the aligned log odds ratio",
                   baseline_prior=got["baseline"].describe(), random_seed=a.random_seed)
    out.update(counts=str(counts), better=a.better,
               mcid=a.mcid, prob_scale="in the direction of benefit",
               likelihood="exact binomial per arm (no continuity correction)")
    out = {k: v for k, v in out.items() if v is not None}
    if not a.json:
        # Text: each draw-based probability with its Monte Carlo SE beside it.
        mcse = out.pop("mcse")
        for k, se in mcse.items():
            out[k] = f"{format_probability(out[k])} (MC SE {se:.2g})"
        if isinstance(out.get("nnt"), dict):
            n = out["nnt"]
            out["nnt"] = (f"{n['kind']} {n['median']:.3g} ({n['lower']:.3g} to {n['upper']:.3g})" if n["defined"]
                          else n["note"])
    return print_result(out, as_json=a.json)


def _printed_to_aligned(prior: pr.EffectPrior, better: str, *, user_given: bool) -> pr.EffectPrior:
    # User-given normal/t priors are on the printed log OR; presets are already on the benefit scale.
    if better == "lower" and user_given:
        return pr.EffectPrior(name=prior.name, family=prior.family,
                              params={**prior.params, "mu": 0.0 - prior.params["mu"]}, rationale=prior.rationale)
    return prior

