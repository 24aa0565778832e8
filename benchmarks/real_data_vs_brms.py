"""bayes_ldn vs brms (default priors) vs the frequentist analysis on real, published datasets.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/real_data_vs_brms.py`` after
``bash benchmarks/setup_brms.sh`` (each brms case compiles its own Stan program, ~1 min).

The datasets are the bundled examples (``bayes_ldn.load_example``, sources and printed results in
``bayes_ldn/datasets/examples/examples.toml``). Per case, on exactly the same rows:

- **bayes_ldn**: crossover ``crossover_model(data, priors.vague(), better=..., carryover="none",
  likelihood="normal", baseline=False)`` with the builder's default nuisance priors, log cases
  through ``CrossoverData.from_frame(..., scale="log")``; parallel
  ``parallel_model(data, priors.vague(), method="ancova", likelihood="normal", ...)`` with the
  builder's default nuisance priors when it has one, else ``reference_nuisance()``; then
  ``bayes_ldn.fit``.
- **brms 2.18** with its default priors (flat effects; intercept, SDs and sigma from the data):
  crossover ``y ~ treated + period + (1 | subject)``, ANCOVA ``y ~ treated + baseline``
  (``benchmarks/real_data_brms.R``).
- **frequentist**: ``tests/realdata/frequentist.py`` (statsmodels): REML mixed model for the
  crossovers (equal to the Hills-Armitage OLS with complete data), OLS ANCOVA for the parallel
  trial; ``freq_t_sd`` is the SD of its t-distribution, ``se * sqrt(df / (df - 2))``, which a flat-prior
  posterior SD should match.

Log-scale cases (bioequivalence) analyse ``log(outcome)``; their intervals are also printed as
ratios. Two rescaled copies of Senn's data (outcome - 300 L/min, and L/min -> L/s) are fitted by
bayes_ldn only and compared with brms on the original data (mapped back to L/min): under unit-free
defaults they agree with it as well as the original does (issue 15).

Both engines: 4 chains x (1000 warm-up + ``DRAWS`` draws), so the Monte Carlo error of each posterior
mean is about ``sd / sqrt(ESS)`` (about 0.007 SD at ESS 20,000), of their difference about 0.01 SD.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT))
from _machine import write_table  # noqa: E402

import bayes_ldn as bl  # noqa: E402
from bayes_ldn import priors  # noqa: E402
from bayes_ldn.datasets.examples import example_info  # noqa: E402
from tests.realdata import frequentist as fq  # noqa: E402

DRAWS = 5000
CHAINS = 4
TUNE = 1000
SEED = 20261207
#: brms keeps each compiled and sampled fit here and refits only when data or settings change.
BRMS_CACHE = os.environ.get("REAL_DATA_BRMS_CACHE", "/tmp/bayes_ldn_real_data_brms")

#: case -> (dataset, outcome column, log?, ci_prob, subjects to leave out, outcome shift, outcome factor)
CASES = {
    "senn_pef": ("senn_pef", "outcome", False, 0.95, (), 0.0, 1.0),
    "senn_pef_minus_300": ("senn_pef", "outcome", False, 0.95, (), -300.0, 1.0),
    "senn_pef_L_per_s": ("senn_pef", "outcome", False, 0.95, (), 0.0, 1 / 60),
    "chow_liu_auc": ("chow_liu_auc", "outcome", False, 0.90, (), 0.0, 1.0),
    "chow_liu_log_auc": ("chow_liu_auc", "outcome", True, 0.90, (), 0.0, 1.0),
    # Subjects 5 and 15 are incomplete for AUC (and 5 and 46 for Cmax): the mixed models use them.
    "jones_kenward_log_auc": ("jones_kenward_pk", "outcome", True, 0.90, (), 0.0, 1.0),
    "jones_kenward_log_cmax": ("jones_kenward_pk", "cmax", True, 0.90, (), 0.0, 1.0),
    "patel_fev1": ("patel_fev1", "outcome", False, 0.95, (), 0.0, 1.0),
    "anorexia_ft_vs_cont": ("anorexia", "followup", False, 0.95, (), 0.0, 1.0),
}
#: bayes_ldn-only cases compared with another case's brms fit, and the factor mapping them back.
BRMS_OF = {"senn_pef_minus_300": ("senn_pef", 1.0), "senn_pef_L_per_s": ("senn_pef", 60.0)}


def _rows(case: str) -> tuple[pd.DataFrame, dict]:
    """The case's tidy rows with the analysed outcome in column ``y``."""
    name, column, log, _, drop, shift, factor = CASES[case]
    info = example_info(name)
    frame = bl.load_example(name)
    if info["design"] == "parallel":
        frame = frame[frame["arm"].isin([info["treatment"], info["reference"]])].copy()
        frame["baseline"] = frame["baseline"] * factor + shift
        frame["y"] = frame["followup"] * factor + shift
        return frame.reset_index(drop=True), info
    frame = frame[frame[column].notna() & ~frame["subject"].isin(drop)].copy()
    y = frame[column].to_numpy(dtype=float) * factor + shift
    frame["raw"] = y
    frame["y"] = np.log(y) if log else y
    frame["treated"] = (frame["treatment"] == info["treatment"]).astype(int)
    return frame.reset_index(drop=True), info


def _fit_bayes_ldn(case: str) -> dict:
    from bayes_ldn.data.crossover import CrossoverData
    from bayes_ldn.data.parallel import ParallelData
    from bayes_ldn.designs import parallel as par
    from bayes_ldn.designs.crossover import crossover_model
    from bayes_ldn.diagnostics import convergence_table
    from bayes_ldn.fit import fit

    frame, info = _rows(case)
    if info["design"] == "crossover":
        # Log cases go through CrossoverData's own log scale (what `--scale log` runs).
        log = CASES[case][2]
        data = CrossoverData.from_frame(frame.drop(columns=["baseline"], errors="ignore"),
                                        treatment=info["treatment"], reference=info["reference"],
                                        columns={"outcome": "raw" if log else "y"}, scale="log" if log else "linear")
        model = crossover_model(data, priors.vague(), better=info["better"], carryover="none",
                                likelihood="normal", baseline=False)
        nuisance = "builder default"
    else:
        data = ParallelData.from_frame(frame, treatment=info["treatment"], reference=info["reference"],
                                       columns={"followup": "y"})
        has_default = inspect.signature(par.parallel_model).parameters["nuisance"].default is not inspect._empty
        kwargs = {} if has_default else {"nuisance": par.reference_nuisance()}
        nuisance = "builder default" if has_default else "reference_nuisance()"
        model = par.parallel_model(data, priors.vague(), better=info["better"], method="ancova",
                                   likelihood="normal", **kwargs)
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = fit(model, random_seed=SEED, draws=DRAWS, tune=TUNE, chains=CHAINS)
    seconds = time.time() - t0
    x = tree["posterior"]["treatment_effect"].values.ravel()
    conv = convergence_table(tree)
    _, _, _, ci_prob, *_ = CASES[case]
    tail = (1 - ci_prob) / 2
    return {"bl_mean": float(x.mean()), "bl_sd": float(x.std(ddof=1)),
            "bl_lower": float(np.quantile(x, tail)), "bl_upper": float(np.quantile(x, 1 - tail)),
            "bl_rhat_max": float(conv["r_hat"].max()), "bl_ess_min": float(conv["ess_bulk"].min()),
            "bl_divergences": int(conv["divergences"].iloc[0]), "bl_s": seconds, "nuisance": nuisance}


def _frequentist(case: str) -> fq.Reference:
    frame, info = _rows(case)
    ci_prob = CASES[case][3]
    if info["design"] == "parallel":
        d = frame.assign(followup=frame["y"])
        return fq.parallel_ancova(d, treatment=info["treatment"], reference=info["reference"], ci_prob=ci_prob)
    return fq.crossover_reml(frame, treatment=info["treatment"], outcome="y", ci_prob=ci_prob)


def _brms(tmp: Path) -> pd.DataFrame:
    cases = []
    for case in CASES:
        if case in BRMS_OF:
            continue
        frame, info = _rows(case)
        path = tmp / f"{case}.csv"
        if info["design"] == "crossover":
            frame[["subject", "period", "treated", "y"]].to_csv(path, index=False)
            kind = "crossover"
        else:
            frame.assign(treated=(frame["arm"] == info["treatment"]).astype(int))[
                ["treated", "baseline", "y"]].to_csv(path, index=False)
            kind = "ancova"
        cases.append({"case": case, "kind": kind, "file": str(path)})
    pd.DataFrame(cases).to_csv(tmp / "cases.csv", index=False)
    out = tmp / "brms.csv"
    cmd = ["Rscript", str(Path(__file__).parent / "real_data_brms.R"), str(tmp / "cases.csv"), str(out),
           str(CHAINS), str(TUNE + DRAWS), str(TUNE), str(SEED), BRMS_CACHE]
    run = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    if run.returncode != 0:
        raise RuntimeError(f"brms failed:\n{run.stderr[-3000:]}")
    return pd.read_csv(out).set_index("case")


def main() -> None:
    rows = []
    for case in CASES:
        ref = _frequentist(case)
        frame, _ = _rows(case)
        rows.append({"case": case, "log": CASES[case][2], "ci_prob": CASES[case][3],
                     "n_subj": int(frame["subject"].nunique()), "n_obs": len(frame),
                     "freq_est": ref.estimate, "freq_se": ref.se, "freq_t_sd": ref.t_sd,
                     "freq_lower": ref.lower, "freq_upper": ref.upper, **_fit_bayes_ldn(case)})
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.time()
        brms = _brms(Path(tmp))
        brms_total = time.time() - t0
    table = pd.DataFrame(rows).set_index("case")
    src = {c: BRMS_OF.get(c, (c, 1.0)) for c in table.index}
    back = pd.Series({c: f for c, (_, f) in src.items()})  # maps a rescaled case back to the original units
    bcase = pd.Series({c: s for c, (s, _) in src.items()})
    for col in ("mean", "sd", "q025", "q975", "q05", "q95", "rhat_max", "ess_bulk_min", "divergences", "seconds"):
        table[f"brms_{col}"] = brms.loc[bcase.values, col].to_numpy()
    table["diff_in_brms_sd"] = (table["bl_mean"] * back - table["brms_mean"]) / table["brms_sd"]
    table["bl_vs_freq_in_sd"] = (table["bl_mean"] - table["freq_est"]) / table["bl_sd"]
    table["bl_sd_over_t_sd"] = table["bl_sd"] / table["freq_t_sd"]
    table["brms_sd_over_t_sd"] = table["brms_sd"] * 1 / back / table["freq_t_sd"]
    table = table.reset_index()
    main_cols = ["case", "n_subj", "n_obs", "freq_est", "freq_t_sd", "bl_mean", "bl_sd", "brms_mean", "brms_sd",
                 "diff_in_brms_sd", "bl_vs_freq_in_sd", "bl_sd_over_t_sd", "brms_sd_over_t_sd", "bl_rhat_max",
                 "bl_ess_min", "bl_divergences", "brms_rhat_max", "brms_ess_bulk_min", "brms_divergences"]
    intervals = []
    for r in table.itertuples():
        lo, hi = ("brms_q05", "brms_q95") if r.ci_prob == 0.9 else ("brms_q025", "brms_q975")
        vals = {"freq": (r.freq_lower, r.freq_upper), "bayes_ldn": (r.bl_lower, r.bl_upper),
                "brms": (getattr(r, lo) / back[r.case], getattr(r, hi) / back[r.case])}
        row = {"case": r.case, "ci_prob": r.ci_prob}
        for k, (a, b) in vals.items():
            row[k] = f"{a:.4g} to {b:.4g}"
            if r.log:
                row[f"{k}_ratio"] = f"{np.exp(a):.4f} to {np.exp(b):.4f}"
        intervals.append(row)
    interval_text = pd.DataFrame(intervals).fillna("").to_string(index=False)
    nuisance = ", ".join(sorted(set(table["nuisance"])))
    write_table(
        "real_data_vs_brms", "Real published datasets: bayes_ldn (vague effect prior) vs brms defaults vs frequentist",
        table[main_cols], "OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/real_data_vs_brms.py",
        f"Sources and printed results: bayes_ldn/datasets/examples/examples.toml. Effects are treatment minus "
        f"reference on the analysed scale (log cases: log ratio). bayes_ldn: vague effect prior, nuisance "
        f"priors = {nuisance}; brms 2.18 default priors; both {CHAINS} x ({TUNE} + {DRAWS}) draws, seed {SEED}. "
        "freq = REML mixed model (crossover; = Hills-Armitage OLS with complete data) or OLS ANCOVA; "
        "freq_t_sd = se * sqrt(df / (df - 2)). diff_in_brms_sd = (bayes_ldn mean - brms mean) / brms SD "
        "(rescaled Senn copies mapped back to L/min and compared with brms on the original data); "
        "bl_vs_freq_in_sd = (bayes_ldn mean - freq estimate) / bayes_ldn SD. Monte Carlo error of each mean "
        "~ sd / sqrt(ESS) (~0.007 SD here). Convergence: max R-hat and min bulk ESS over the fit's scalar "
        f"parameters, divergences. brms wall time {brms_total:.0f} s for {len(brms)} fits (compilation included; "
        f"a fit whose data and settings are unchanged is read back from {BRMS_CACHE}, not refitted).\n\nIntervals (equal-tailed, at ci_prob; ratio = exp for log cases):\n\n"
        f"```\n{interval_text}\n```",
    )


if __name__ == "__main__":
    main()
