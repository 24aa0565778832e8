"""bayes_ldn vs brms on the same AB/BA crossover model and data (run side by side here).

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/crossover_vs_brms.py`` after
``bash benchmarks/setup_brms.sh``. Data: 58 subjects simulated by
``bayes_ldn.data.simulate_crossover`` (effect 1.0, seed 20240). Model in both: outcome ~
treatment + period + (1 | subject), normal residuals, the same priors (scale_0_10 nuisance,
N(0, 2) on the effect). 4 chains x 1000 draws (+1000 warm-up). Cold = first fit in a fresh
process (compilation included); warm = a second fit of the same model.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import arviz_stats as azs
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _machine import write_table  # noqa: E402

R_SCRIPT = r"""
suppressMessages(library(brms))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); d$period <- factor(d$period); d$subject <- factor(d$subject)
d$treated <- as.integer(d$treatment == "LDN")
pr <- c(prior(normal(5, 5), class = "Intercept"), prior(normal(0, 2), class = "b", coef = "treated"),
        prior(normal(0, 2.5), class = "b", coef = "period2"), prior(normal(0, 2.5), class = "sd"),
        prior(normal(0, 2.5), class = "sigma"))
t0 <- Sys.time()
f <- brm(outcome ~ treated + period + (1 | subject), data = d, prior = pr, chains = 4, cores = 2,
         iter = 2000, warmup = 1000, seed = 1, refresh = 0, silent = 2, backend = "rstan")
cold <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
t0 <- Sys.time()
f2 <- update(f, recompile = FALSE, seed = 2, refresh = 0, silent = 2)
warm <- as.numeric(difftime(Sys.time(), t0, units = "secs"))
draws <- as.data.frame(f2)$b_treated
ess <- posterior::ess_bulk(posterior::extract_variable_matrix(posterior::as_draws_array(f2), "b_treated"))
cat(jsonlite::toJSON(list(cold = cold, warm = warm, mean = mean(draws), sd = sd(draws), ess = ess),
                     auto_unbox = TRUE, digits = 10))
"""

PY_FIT = r"""
import json, sys, time, warnings
t0 = time.time()
from bayes_ldn.simulation.structures_crossover import crossover_structure  # noqa: F401
import pandas as pd, arviz_stats as azs
from bayes_ldn.data.crossover import CrossoverData
from bayes_ldn.designs.crossover import crossover_model
from bayes_ldn.priors import normal
from bayes_ldn.fit import fit
sampler = sys.argv[2]
d = CrossoverData.from_frame(pd.read_csv(sys.argv[1]), treatment="LDN", reference="placebo")
def one(seed):
    m = crossover_model(d, normal(0.0, 2.0), better="higher", carryover="none", likelihood="normal",
                        baseline=False, nuisance="scale_0_10")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(m, random_seed=seed, nuts_sampler=sampler, draws=1000, tune=1000, chains=4)
t1 = time.time(); tree = one(1); cold = time.time() - t0; cold_fit = time.time() - t1
t1 = time.time(); tree = one(2); warm = time.time() - t1
x = tree["posterior"]["treatment_effect"]
print(json.dumps({"cold": cold, "cold_fit": cold_fit, "warm": warm, "mean": float(x.mean()), "sd": float(x.std()),
                  "ess": float(azs.ess(x, method="bulk"))}))
"""


def main() -> None:
    from bayes_ldn.data.simulate_crossover import simulate_crossover

    frame, _ = simulate_crossover(treatment_effect=1.0, period_effect=0.3, subject_sd=1.5, residual_sd=1.0,
                                  random_seed=20240, n_subjects=58, dropout=0.0, intercept=5.0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "crossover.csv"
        frame.to_csv(csv, index=False)
        for sampler in ("nutpie", "pymc"):
            out = subprocess.run([sys.executable, "-c", PY_FIT, str(csv), sampler], capture_output=True, text=True,
                                 check=True, env={**__import__("os").environ, "OPENBLAS_NUM_THREADS": "1"})
            r = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append({"engine": f"bayes_ldn fit() nuts_sampler={sampler}", **r})
        rfile = Path(tmp) / "brms.R"
        rfile.write_text(R_SCRIPT)
        t0 = time.time()
        out = subprocess.run(["Rscript", str(rfile), str(csv)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append({"engine": "brms 2.18 (rstan)", "cold_fit": r["cold"], **r, "cold": time.time() - t0})
    table = pd.DataFrame(rows)
    table["ess_per_s_warm"] = table["ess"] / table["warm"]
    ref = table.iloc[-1]
    table["mean_diff_vs_brms_in_sd"] = (table["mean"] - ref["mean"]) / ref["sd"]
    table = table[["engine", "cold", "cold_fit", "warm", "ess", "ess_per_s_warm", "mean", "sd",
                   "mean_diff_vs_brms_in_sd"]]
    write_table(
        "crossover_vs_brms", "Crossover model: bayes_ldn vs brms (same model, data, priors)", table,
        "OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/crossover_vs_brms.py",
        "Times in seconds, 4 chains x (1000 warm-up + 1000 draws). cold = fresh process incl. imports and "
        "compilation (brms: Rscript start, library load, Stan C++ compile, sampling); cold_fit = the first fit "
        "call alone; warm = a second fit of the same model (brms: update(recompile = FALSE)). ess = bulk ESS of "
        "the treatment effect in the warm fit. Posterior agreement: difference of the posterior means in units of "
        "brms's posterior SD (MC error of a mean with ESS ~ 4000 is ~0.016 SD).",
    )


if __name__ == "__main__":
    main()
