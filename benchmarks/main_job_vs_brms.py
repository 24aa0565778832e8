"""The main job end to end (``bayes-ldn reanalyze``) against an equivalent brms script, side by side.

Run: ``flock /tmp/bench.lock env OPENBLAS_NUM_THREADS=1 .venv/bin/python
benchmarks/main_job_vs_brms.py`` after ``bash benchmarks/setup_brms.sh``.

Both sides get the same inputs: this script turns the bundled records and ``models/*.toml`` into
the normal likelihoods and priors the main job uses (untimed for brms; bayes_ldn does it inside
its timed run) and hands them to ``benchmarks/main_job_brms.R``, which fits

* the 312 decision rows: ``y | se(se) ~ 1`` with the row's prior on the intercept (flat, normal,
  Student-t; no mixture prior occurs in ``decisions.csv``), one fit per distinct
  (estimate, SE, prior) -- 296 fits, since the vague prior repeats across MCID anchors;
* FINAL's exploratory family: ``y | se(se) ~ 1 + (1 | outcome)``, ``mu ~ N(0, 1)``,
  ``tau ~ half-normal(s)`` for each ``s`` of the main job's tau sweep;
* the synthesis: ``smd | se(se) ~ 1 + (1 | study)``, flat ``mu``, ``tau ~ half-normal(0.5)``,
  plus its leave-one-out and crossover-correlation (rho) refits.

Each distinct Stan program is compiled once (prior parameters are data via ``stanvars``) and
refitted with ``rstan::sampling``; 4 chains x (1000 warm-up + 1000 draws). Timed: wall clock of
fresh processes, start to exit. Not on brms's side (which favours brms): the random-finding verdicts
(tipping points, reverse-Bayes, Bayes factors, ...), the synthesis prior-sensitivity table (half-Cauchy,
Rhodes log-t and tau = 0 fits), the assurance curves, plots, HTML report and Markdown summaries.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from _machine import write_table  # noqa: E402

ROOT = HERE.parent
R_SCRIPT = HERE / "main_job_brms.R"
#: The rho values of ``bayes-ldn synthesize``'s rho_sweep.csv (bayes_ldn/cli/synthesize.py).
RHO_SWEEP = (0.2, 0.35, 0.5, 0.65, 0.8)
SYNTHESIS_TAU_SCALE = 0.5  # the synthesize command's default tau prior, half-normal(0.5)
PRIOR_CODE = {"flat": 0, "normal": 1, "student_t": 2}


# --- inputs for the brms script (the same likelihoods and priors the main job uses) ------------


def decision_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distinct decision fits and the decisions.csv rows that read them, in decision_table's order."""
    from bayes_ldn.data.records import to_likelihood
    from bayes_ldn.spec import load_specs, spec_priors

    fits: dict[tuple, int] = {}
    fit_rows, rows = [], []
    for spec in load_specs():
        for conversion in spec.conversions:
            lik = to_likelihood(spec.record, conversion)
            for prior, mcid in spec_priors(spec):
                if prior.family not in PRIOR_CODE:  # mixtures: none in the bundled specs
                    raise NotImplementedError(f"no brms prior written for family {prior.family!r}")
                key = (lik.estimate, lik.se, prior.to_json())
                if key not in fits:
                    fits[key] = len(fits)
                    p = prior.params
                    fit_rows.append({"fit": fits[key], "y": lik.estimate, "se": lik.se,
                                     "pf": PRIOR_CODE[prior.family], "pmu": p.get("mu", 0.0),
                                     "psig": p.get("sigma", 1.0), "pnu": p.get("nu", 1.0)})
                rows.append({"row": len(rows), "fit": fits[key], "mcid": mcid, "rope": spec.rope})
    return pd.DataFrame(fit_rows), pd.DataFrame(rows)


def hierarchical_inputs() -> pd.DataFrame:
    """Every hierarchical fit of the main job, long: analysis, priors, group, y, se."""
    from bayes_ldn import synthesis as sy
    from bayes_ldn.datasets import load_family
    from bayes_ldn.family import TAU_SWEEP, standardized_family
    from bayes_ldn.reanalysis import FAMILY_MU_PRIOR

    parts = []
    fam = standardized_family(load_family("final_exploratory"))
    for s in TAU_SWEEP:
        parts.append(pd.DataFrame({"analysis": f"family:half-normal({s:g})", "mu_normal": 1,
                                   "mu_m": FAMILY_MU_PRIOR[0], "mu_s": FAMILY_MU_PRIOR[1], "tau_scale": s,
                                   "group": fam["outcome"], "y": fam["smd"], "se": fam["smd_se"]}))

    def studies(rho: float):
        return sy.ldn_pain_studies(scale="smd", rho=rho, bested_outcome="spir",
                                   conversions=sy.LDN_PAIN_CONVERSIONS, include_sensitivity=False)

    def synth(name: str, st) -> pd.DataFrame:
        return pd.DataFrame({"analysis": name, "mu_normal": 0, "mu_m": 0.0, "mu_s": 1.0,
                             "tau_scale": SYNTHESIS_TAU_SCALE, "group": [s.label for s in st],
                             "y": [s.estimate for s in st], "se": [s.se for s in st]})

    main = studies(0.5)
    parts.append(synth("synthesis:main", main))
    parts += [synth(f"loo:{s.label}", [t for t in main if t is not s]) for s in main]
    parts += [synth(f"rho:{r:g}", studies(r)) for r in RHO_SWEEP]
    return pd.concat(parts, ignore_index=True)


# --- timed runs ---------------------------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds of one fresh process, start to exit, and the CPU seconds of it and its reaped children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def run_brms(inputs: Path, out: Path, cache: Path, workers: int,
             cores: int) -> tuple[float, float, pd.DataFrame]:
    """Wall and CPU time of one Rscript run, and its per-phase timing table."""
    wall, cpu = timed(["Rscript", str(R_SCRIPT), str(inputs), str(out), str(cache), str(workers), str(cores)])
    return wall, cpu, pd.read_csv(out / "timing.csv")


# --- agreement ----------------------------------------------------------------------------------


def exact_long(out: Path) -> pd.DataFrame:
    """The main job's exact answers on the aligned scale, keyed like the brms summaries."""
    dec = pd.read_csv(out / "decisions.csv")
    sign = np.where(dec["better"] == "higher", 1.0, -1.0)
    parts = [pd.DataFrame({"block": "decisions", "key": dec.index.astype(str), "mean": sign * dec["mean"],
                           "sd": dec["sd"], "lower": np.where(sign > 0, dec["lower"], -dec["upper"]),
                           "upper": np.where(sign > 0, dec["upper"], -dec["lower"]),
                           "p_pos": dec["prob_better"], "p_mcid": dec["prob_better_than_mcid"],
                           "p_rope": dec["prob_rope"]})]
    fam = pd.read_csv(out / "final_exploratory_pooled.csv")
    parts.append(pd.DataFrame({"block": "family", "key": "family:" + fam["tau_prior"] + "|" + fam["outcome"],
                               "mean": fam["pooled_smd_mean"], "sd": fam["pooled_smd_sd"],
                               "p_pos": fam["pooled_prob_better"]}))
    for col, q in (("mu_mean", "mu"), ("tau_mean", "tau")):
        g = fam.drop_duplicates("tau_prior")
        parts.append(pd.DataFrame({"block": "family", "key": "family:" + g["tau_prior"] + "|" + q,
                                   "mean": g[col]}))
    syn = pd.read_csv(out / "synthesis" / "synthesis_table.csv")
    parts.append(pd.DataFrame({"block": "synthesis", "key": "synthesis:main|" + np.where(
        syn["row"] == "study", syn["label"], syn["row"]), "mean": syn["shrunken_mean"], "sd": syn["shrunken_sd"],
        "p_pos": syn["prob_positive"]}))
    loo = pd.read_csv(out / "synthesis" / "leave_one_out.csv")
    rho = pd.read_csv(out / "synthesis" / "rho_sweep.csv")
    for keys, t in ((("loo:" + loo["left_out"]), loo), ("rho:" + rho["rho"].map("{:g}".format), rho)):
        parts.append(pd.DataFrame({"block": "synthesis", "key": keys + "|mu", "mean": t["mu_mean"],
                                   "sd": t["mu_sd"], "p_pos": t["prob_mu_positive"]}))
    return pd.concat(parts, ignore_index=True)


def agreement(exact: pd.DataFrame, brms: pd.DataFrame) -> pd.DataFrame:
    """Per block: differences of means (in posterior SDs and in brms MCSEs) and of probabilities."""
    brms = brms.assign(block=np.where(brms["key"].str.startswith("family:"), "family",
                                      np.where(brms["block"] == "hier", "synthesis", brms["block"])))
    m = exact.merge(brms, on=["block", "key"], suffixes=("_exact", "_brms"), validate="one_to_one")
    sd = m["sd_exact"].fillna(m["sd_brms"])  # family mu/tau rows: only means are in the CSV
    m["d_mean_sd"] = (m["mean_brms"] - m["mean_exact"]).abs() / sd
    m["z_mean"] = (m["mean_brms"] - m["mean_exact"]).abs() / m["mcse_mean"]
    m["d_sd"] = (m["sd_brms"] / m["sd_exact"] - 1).abs()
    m["d_p"] = (m["p_pos_brms"] - m["p_pos_exact"]).abs()
    m["z_p"] = m["d_p"] / m["mcse_p_pos"].where(m["mcse_p_pos"] > 0)
    m["d_ci_sd"] = np.fmax((m["lower_brms"] - m["lower_exact"]).abs(),
                           (m["upper_brms"] - m["upper_exact"]).abs()) / sd
    m["d_p_mcid"] = (m["p_mcid_brms"] - m["p_mcid_exact"]).abs()
    rows = []
    for block, g in m.groupby("block", sort=False):
        rows.append({
            "block": block, "quantities": len(g),
            "max|dmean|/sd": g["d_mean_sd"].max(), "med|dmean|/sd": g["d_mean_sd"].median(),
            "max|dmean|/mcse": g["z_mean"].max(), "share>2mcse": (g["z_mean"] > 2).mean(),
            "max|sd_ratio-1|": g["d_sd"].max(),
            "max|dP(better)|": g["d_p"].max(), "med|dP(better)|": g["d_p"].median(),
            "max|dP|/mcse": g["z_p"].max(), "max|dCI|/sd": g["d_ci_sd"].max(),
            "max|dP(>MCID)|": g["d_p_mcid"].max(), "max_rhat": g["rhat"].max(), "min_ess": g["ess_bulk"].min(),
            "fits": g["fit"].nunique(),
            "divergent_fits": int((g.drop_duplicates("fit")["divergences"] > 0).sum()),
        })
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bayes-runs", type=int, default=3)
    parser.add_argument("--skip-cores2", action="store_true",
                        help="skip the brms run with rstan cores = 2 inside each fit (slowest)")
    args = parser.parse_args()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    load0 = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="main_job_vs_brms-") as tmp:
        tmp = Path(tmp)
        fits, dec_rows = decision_inputs()
        inputs = tmp / "inputs"
        inputs.mkdir()
        fits.to_csv(inputs / "fits.csv", index=False)
        dec_rows.to_csv(inputs / "rows.csv", index=False)
        hier = hierarchical_inputs()
        hier.to_csv(inputs / "hier.csv", index=False)
        exe = str(Path(sys.executable).parent / "bayes-ldn")
        runs = [timed([exe, "reanalyze", "--out", str(tmp / f"bayes_{i}")], env) for i in range(args.bayes_runs)]
        for i, (wall, cpu) in enumerate(runs):
            rows.append({"run": f"bayes-ldn reanalyze, run {i + 1}", "wall_s": wall, "cpu_s": cpu, "fits": 0})
        median, median_cpu = (float(np.median([r[k] for r in runs])) for k in (0, 1))
        rows.append({"run": "bayes-ldn reanalyze, median", "wall_s": median, "cpu_s": median_cpu, "fits": 0})
        # Like for like: the brms script draws no figures, so also time the main job without its report.
        bare = [timed([exe, "reanalyze", "--no-report", "--out", str(tmp / f"bare_{i}")], env)
                for i in range(args.bayes_runs)]
        median_bare = float(np.median([r[0] for r in bare]))
        rows.append({"run": "bayes-ldn reanalyze --no-report, median", "wall_s": median_bare,
                     "cpu_s": float(np.median([r[1] for r in bare])), "fits": 0})
        n_fits = len(fits) + hier["analysis"].nunique()
        cache = tmp / "brms_cache"
        variants = [("cold: compile 2 programs, 2 forked workers x rstan cores=1", 2, 1),
                    ("warm: compiled models reloaded (brm(file=)), 2 workers x cores=1", 2, 1)]
        if not args.skip_cores2:
            variants.append(("warm: one fit at a time, rstan cores=2 (chains in parallel)", 1, 2))
        phases = {}
        for i, (name, workers, cores) in enumerate(variants):
            wall, cpu, timing = run_brms(inputs, tmp / f"brms_{i}", cache, workers, cores)
            phases[name] = timing.set_index("phase")["seconds"]
            rows.append({"run": f"brms 2.18 {name}", "wall_s": wall, "cpu_s": cpu, "fits": n_fits})
        brms = pd.read_csv(tmp / "brms_0" / "brms_summaries.csv")
        agree = agreement(exact_long(tmp / "bayes_0"), brms)
    table = pd.DataFrame(rows)
    table["wall_ratio"] = table["wall_s"] / median
    table["cpu_ratio"] = table["cpu_s"] / median_cpu
    table["wall_ratio_no_report"] = table["wall_s"] / median_bare
    load1 = os.getloadavg()
    phase_table = pd.DataFrame(phases).reset_index(names="phase in R (s)")
    cold_row = table[table["run"].str.startswith("brms 2.18 cold")].iloc[0]
    cold, cold_bare = float(cold_row["wall_ratio"]), float(cold_row["wall_ratio_no_report"])
    verdict = (f"Target of issue 9 (main job >= 20x faster than the brms script), measured against the cold "
               f"run (a fresh script that compiles, as the main job needs no compilation): {cold:.1f}x with "
               f"report.html ({'met' if cold >= 20 else 'NOT met'}), {cold_bare:.1f}x without it "
               f"({'met' if cold_bare >= 20 else 'NOT met'}; like for like, as the brms script draws no "
               "figures). The warm run is brms with its compiled models "
               "cached across sessions (brm(file=)); the rstan cores=2 row is the brief's literal setting, "
               "which on these one- and two-parameter models costs a PSOCK cluster start per fit.")
    notes = (
        "Wall seconds of fresh processes (start to exit); wall_ratio = wall / median bayes-ldn wall. cpu_s = "
        "user + system CPU seconds of the process and the children it reaped (R's forked workers; not the "
        "PSOCK workers rstan starts for cores=2, so that row's CPU is undercounted); cpu_ratio likewise. "
        f"bayes-ldn reanalyze writes every output (decisions.csv with {len(dec_rows)} rows, family pooling, "
        f"random-finding verdicts, synthesis tables and plots, report.html) from exact posteriors. brms fits "
        f"{len(fits)} distinct decision posteriors (for the {len(dec_rows)} rows) and "
        f"{hier['analysis'].nunique()} hierarchical posteriors (family tau sweep, synthesis, its leave-one-out "
        f"and rho refits), 4 chains x (1000 warm-up + 1000 draws) each; see the module docstring for what "
        f"brms does not do (left out, which favours brms). Load average (1 min) before/after: "
        f"{load0[0]:.2f}/{load1[0]:.2f}; the lock keeps other timed benchmarks out, not other agents' "
        f"untimed work.\n\n{verdict}\n\nbrms per-phase seconds inside R:\n\n```\n"
        f"{phase_table.to_string(index=False, float_format=lambda v: f'{v:.4g}')}\n```\n\n"
        "Agreement of brms (cold run) with the exact posteriors, aligned scale (positive = LDN better); "
        "mcse = brms's own Monte Carlo SE of that estimate, so |d|/mcse should look like |N(0,1)| "
        "(max over ~300 rows near 3, share > 2 near 5%):\n\n```\n"
        f"{agree.to_string(index=False, float_format=lambda v: f'{v:.3g}')}\n```\n"
    )
    write_table("main_job_vs_brms", "Main job end to end: bayes-ldn reanalyze vs an equivalent brms script",
                table, "flock /tmp/bench.lock env OPENBLAS_NUM_THREADS=1 .venv/bin/python "
                "benchmarks/main_job_vs_brms.py", notes)


if __name__ == "__main__":
    main()
