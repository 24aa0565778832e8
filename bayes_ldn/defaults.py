"""Reporting and computational defaults, in one place.

These are always passed to ArviZ explicitly: ArviZ 1.x defaults to an 89% equal-tailed
interval, bayestestR to 95% ETI and ArviZ 0.x to a 94% HDI, so inheriting a library default
would silently change what an interval means.
"""

from __future__ import annotations

#: Interval probability of every credible interval bayes_ldn reports.
CI_PROB: float = 0.95
#: Interval kind: equal-tailed ("eti"). HDIs are not invariant to the log/ratio transform.
CI_KIND: str = "eti"
#: Largest acceptable rank-normalised split R-hat (Vehtari et al. 2021, doi:10.1214/20-BA1221).
RHAT_MAX: float = 1.01
#: Smallest acceptable bulk and tail ESS (Vehtari et al. 2021 recommend 100 per chain for 4 chains).
ESS_BULK_MIN: float = 400.0
ESS_TAIL_MIN: float = 400.0
#: Digits shown for probabilities in printed tables; 1.000 is never printed (see format_probability).
PROB_DIGITS: int = 3

#: MCMC settings; only computational choices get defaults.
DRAWS: int = 1000
TUNE: int = 1000
CHAINS: int = 4
#: NUTS step-size adaptation target of every fit, shared by ``fit`` and the SBC engine
#: (``bayes_ldn.simulation.sbc.sbc_nuts``) so that SBC calibrates the sampler users run.
TARGET_ACCEPT: float = 0.9
#: The NUTS implementation ("nutpie" or "pymc"), chosen by measurement
#: (benchmarks/results/models_vs_brms.md, 58-subject crossover, 4 x 1000 draws, 2 cores): nutpie
#: with the model compiled once per structure (bayes_ldn.compile_cache) refits in 0.4 s at about
#: 14,500 bulk ESS/s (brms 4,100, PyMC's NUTS 900); its first fit in a new process costs 14 s with
#: PyTensor's disk cache filled and 25 s without (PyMC's NUTS 23 s). PyMC's NUTS is the fallback
#: path; it also gave divergences that nutpie did not on the few-trial synthesis model.
NUTS_SAMPLER: str = "nutpie"

#: Initial Gauss-Legendre panels x nodes of the heterogeneity quadrature in ``stats``; panels are
#: then bisected where needed (``bayes_ldn.quadrature``) until the error estimate is below QUAD_TOL.
TAU_PANELS: int = 64
TAU_NODES: int = 8
#: Target absolute error of every probability from the exact quadratures (printed to 3 digits;
#: checked against scipy.integrate.quad in tests/reliability/test_quadrature.py).
QUAD_TOL: float = 1e-7
