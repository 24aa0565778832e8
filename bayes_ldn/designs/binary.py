r"""Logistic model of a two-arm trial's 2x2 table, with the effect prior on the log odds ratio."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pymc as pm

from bayes_ldn.data.binary import TwoByTwo
from bayes_ldn.designs._common import TrialModel, data_digest, effect_prior_rv
from bayes_ldn.exceptions import raise_if
from bayes_ldn.priors import EffectPrior
from bayes_ldn.priors_binary import BaselinePrior, parse_baseline_prior

__all__ = ["logistic_model"]


def _baseline_rv(prior: BaselinePrior):
    p = prior.params
    if prior.family == "flat":
        return pm.Flat("baseline_logit")
    if prior.family == "logistic":
        return pm.Logistic("baseline_logit", mu=p["loc"], s=p["scale"])
    return pm.Normal("baseline_logit", mu=p["mu"], sigma=p["sigma"])


def _input_problems(counts: Any, prior: Any, better: Any, baseline_prior: Any, labels: Any) -> list[str]:
    """Wrong types refused in one message (a float for ``counts`` raised AttributeError in PyMC's setup)."""
    problems = []
    if not isinstance(counts, TwoByTwo):
        problems.append(f"counts must be a TwoByTwo (bayes_ldn.two_by_two(...)), got {type(counts).__name__}")
    if not isinstance(prior, EffectPrior):
        problems.append(f"prior must be an EffectPrior (bayes_ldn.priors, priors_binary.log_or_prior), got "
                        f"{type(prior).__name__}")
    if better not in ("higher", "lower"):
        problems.append(f"better must be 'higher' or 'lower', got {better!r}")
    if baseline_prior is not None and not isinstance(baseline_prior, BaselinePrior):
        problems.append(f"baseline_prior must be a BaselinePrior (priors_binary.parse_baseline_prior), got "
                        f"{type(baseline_prior).__name__}")
    if (isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence) or len(labels) != 2
            or not all(isinstance(x, str) for x in labels) or labels[0] == labels[1]):
        problems.append(f"labels must be two different arm names (treatment, control), got {labels!r:.80}")
    return problems


def logistic_model(
    counts: TwoByTwo,
    prior: EffectPrior,
    *,
    better: str,
    baseline_prior: BaselinePrior | None = None,
    labels: tuple[str, str] = ("treatment", "control"),
) -> TrialModel:
    r"""Binomial likelihood per arm, logit link, prior on the aligned log odds ratio.

    Notes
    -----
    .. math::

        y_c \sim \mathrm{Bin}(n_c, p_c),\quad y_t \sim \mathrm{Bin}(n_t, p_t),\quad
        \mathrm{logit}\, p_c = \alpha,\quad \mathrm{logit}\, p_t = \alpha + \beta,

        \beta = s\,\theta,\qquad \theta \sim p_0\ (\text{aligned: positive = better}),\qquad
        \alpha \sim p_\alpha

    with ``s = +1`` when a higher risk is better (responders) and ``-1`` when lower is better
    (harms), so one set of presets (skeptical, enthusiastic, pessimistic on the aligned log OR)
    serves both. The default baseline prior, Logistic(0, 1) on :math:`\alpha`, is a uniform prior
    on the control risk; with a flat :math:`p_0` the model is then exactly the beta-binomial with
    Beta(1, 1) on the control arm and Haldane Beta(0, 0) on the treatment arm (``p_t | alpha``
    is flat on its log odds), which is how it is checked.

    ======================  =====================  ======
    symbol                  variable               dims
    ======================  =====================  ======
    :math:`\theta`          ``treatment_effect_    scalar (aligned log OR)
                            aligned``
    :math:`\beta`           ``log_odds_ratio``,    scalar (printed: treatment vs control)
                            ``treatment_effect``
    :math:`\alpha`          ``baseline_logit``     scalar
    :math:`p_c, p_t`        ``risk_control``,      scalar
                            ``risk_treatment``
    :math:`p_t - p_c`       ``risk_difference``    scalar (printed)
    :math:`\log(p_t/p_c)`   ``log_risk_ratio``     scalar (printed)
    :math:`y_t, y_c`        ``outcome`` (observed) arm
    ======================  =====================  ======

    Parameters
    ----------
    counts : TwoByTwo
        Validated counts (:func:`bayes_ldn.data.binary.two_by_two`).
    prior : EffectPrior
        Prior on the aligned log odds ratio (:func:`bayes_ldn.priors_binary.log_or_prior`).
    better : {"higher", "lower"}
        Direction of benefit of the event risk.
    baseline_prior : BaselinePrior, optional
        Prior on :math:`\alpha`; default uniform on the control risk.
    labels : (str, str)
        Names of the treatment and control arms.
    """
    raise_if("logistic model", _input_problems(counts, prior, better, baseline_prior, labels))
    baseline_prior = baseline_prior or parse_baseline_prior("uniform")
    sign = 1.0 if better == "higher" else -1.0
    coords = {"arm": list(labels)}
    with pm.Model(coords=coords) as model:
        theta = effect_prior_rv("treatment_effect_aligned", prior)
        alpha = _baseline_rv(baseline_prior)
        beta = pm.Deterministic("log_odds_ratio", sign * theta)
        pm.Deterministic("treatment_effect", beta)  # the printed effect, same name in every design
        p_c = pm.Deterministic("risk_control", pm.math.invlogit(alpha))
        p_t = pm.Deterministic("risk_treatment", pm.math.invlogit(alpha + beta))
        pm.Deterministic("risk_difference", p_t - p_c)
        pm.Deterministic("log_risk_ratio", pm.math.log(p_t) - pm.math.log(p_c))
        n = pm.Data("n", [counts.n_treatment, counts.n_control], dims="arm")
        pm.Binomial("outcome", n=n, p=pm.math.stack([p_t, p_c]),
                    observed=[counts.events_treatment, counts.events_control], dims="arm")
    return TrialModel(
        pymc_model=model,
        design="binary_logistic",
        estimand={"measure": "log odds ratio", "contrast": f"{labels[0]} vs {labels[1]}", "better": better,
                  "aligned": "treatment_effect_aligned = sign x log_odds_ratio (positive = better)",
                  "variable": "treatment_effect = log_odds_ratio (printed)"},
        priors={"treatment_effect_aligned": prior.to_dict(), "baseline_logit": baseline_prior.to_dict()},
        choices={"link": "logit", "sign": int(sign)},
        data_digest=data_digest(list(counts.as_tuple())),
    )
