"""Normal-normal hierarchical model over published estimates (PyMC version).

The exact answer is :func:`bayes_ldn.stats.normal_hierarchical`; this model exists to check it
by sampling and to extend it where no closed form exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pymc as pm

from bayes_ldn.designs._common import TrialModel, data_digest
from bayes_ldn.exceptions import DataValidationError, raise_if
from bayes_ldn.priors_tau import TauPrior, as_tau_prior
from bayes_ldn.validation import float_vector, normal_prior_problems, number_problems

__all__ = ["hierarchical_model"]


def _input_problems(estimates: Any, ses: Any, labels: Any, mu_prior: Any) -> list[str]:
    """Every problem with the data and the mu prior, before PyMC sees them (NaN estimates were
    imputed with an ImputationWarning, NaN SEs raised NotImplementedError, 1e308 overflowed)."""
    problems, sizes = [], {}
    for name, values in (("estimates", estimates), ("ses", ses)):
        arr, bad = float_vector(values, name)
        if arr is None:
            problems += bad
            continue
        sizes[name] = arr.size
        is_se = name == "ses"
        problems += number_problems({f"{name}[{i}]": v for i, v in enumerate(arr)},
                                    scales=tuple(f"{name}[{i}]" for i in range(arr.size)) if is_se else ())
        if is_se:
            problems += [f"ses[{i}] must be a positive standard error, got {v}" for i, v in enumerate(arr)
                         if np.isfinite(v) and v <= 0]
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence) or not all(isinstance(x, str) for x in labels):
        problems.append(f"labels must be a sequence of unit names (strings), got {labels!r:.80}")
    else:
        sizes["labels"] = len(labels)
        dup = sorted({x for x in labels if list(labels).count(x) > 1})
        if dup:
            problems.append(f"labels must be unique; repeated: {', '.join(dup)}")
    if len(set(sizes.values())) > 1:
        problems.append(f"estimates, ses and labels must have one entry per unit; got lengths {sizes}")
    return problems + normal_prior_problems(mu_prior, "mu_prior")


def hierarchical_model(
    estimates: Sequence[float],
    ses: Sequence[float],
    labels: Sequence[str],
    *,
    mu_prior: tuple[float, float] | None,
    tau_prior: TauPrior | tuple[str, float],
    unit_dim: str = "unit",
) -> TrialModel:
    r"""Random-effects model over aligned estimates, non-centred.

    Notes
    -----
    .. math::

        y_i \sim N(\theta_i, s_i^2),\quad \theta_i = \mu + \tau z_i,\quad z_i \sim N(0, 1),\quad
        \mu \sim N(m_0, s_0^2)\ (\text{or flat}),\quad \tau \sim \text{HalfNormal or HalfCauchy}

    ===============  ==================  =========
    symbol           variable            dims
    ===============  ==================  =========
    :math:`\mu`      ``mu``              scalar
    :math:`\tau`     ``tau``             scalar
    :math:`\theta_i` ``theta``           unit_dim
    :math:`\theta_{new}` ``theta_new``   scalar
    ===============  ==================  =========

    Parameters
    ----------
    estimates, ses, labels : sequence
        Aligned estimates (positive = better), SEs and unit names.
    mu_prior : (mean, sd) or None
        Normal prior on the mean effect; ``None`` = flat.
    tau_prior : TauPrior or (family, scale)
        A half-normal or half-Cauchy :class:`~bayes_ldn.priors_tau.TauPrior` (``("halfnormal", s)``
        and ``("halfcauchy", s)`` are read as those, :func:`~bayes_ldn.priors_tau.as_tau_prior`).
    unit_dim : str
        Name of the unit dimension (``"outcome"`` or ``"trial"``).
    """
    raise_if("hierarchical model", _input_problems(estimates, ses, labels, mu_prior))
    y = np.asarray(estimates, dtype=float)
    s = np.asarray(ses, dtype=float)
    tp = as_tau_prior(tau_prior)
    family, scale = tp.family, tp.params.get("scale")
    with pm.Model(coords={unit_dim: list(labels)}) as model:
        # float64 arrays, not Python floats: PyTensor narrows a float that float32 holds exactly
        # (3.4028235e38) to float32, and the cast overflowed.
        f64 = lambda x: np.asarray(x, dtype=np.float64)  # noqa: E731
        mu = pm.Flat("mu") if mu_prior is None else pm.Normal("mu", f64(mu_prior[0]), f64(mu_prior[1]))
        if family == "halfnormal":
            tau = pm.HalfNormal("tau", sigma=f64(scale))
        elif family == "halfcauchy":
            tau = pm.HalfCauchy("tau", beta=f64(scale))
        else:
            raise DataValidationError("hierarchical model", [
                f"tau_prior must be half-normal or half-Cauchy here, got {tp.name}"])
        z = pm.Normal("z", 0.0, 1.0, dims=unit_dim)
        theta = pm.Deterministic("theta", mu + tau * z, dims=unit_dim)
        # Non-centred like theta: a centred N(mu, tau) draw is a funnel as tau -> 0.
        pm.Deterministic("theta_new", mu + tau * pm.Normal("z_new", 0.0, 1.0))
        pm.Normal("outcome", theta, pm.Data("se", s, dims=unit_dim), observed=y, dims=unit_dim)
    return TrialModel(
        pymc_model=model,
        design="hierarchical",
        estimand={"aligned": "positive = better", "unit_dim": unit_dim},
        priors={"mu": "flat" if mu_prior is None else {"normal": list(mu_prior)}, "tau": {family: scale}},
        choices={"parametrisation": "non-centred"},
        data_digest=data_digest(y, s, list(labels)),
    )
