"""The engine: identical rows whatever runs them, resume, validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bayes_ldn.exceptions import DataValidationError
from bayes_ldn.simulation import Study, StudyRun, run_study, sbc_aggregate_exact, simulation_seeds, study_key, throughput

AGGREGATE = {"se": 0.2, "prior_mean": 0.0, "prior_sd": 0.5, "n_draws": 99}


def _marker_study(index: int, seed: np.random.SeedSequence, *, marker: str, fail_at: int) -> dict:
    """Fails at ``fail_at`` while ``marker`` exists: an interruption we can switch off."""
    if index == fail_at and Path(marker).exists():
        raise RuntimeError("interrupted")
    return {"value": float(np.random.default_rng(seed).normal())}


def test_seeds_depend_only_on_root_and_index():
    short, long = simulation_seeds(7, 3), simulation_seeds(7, 10)
    for a, b in zip(short, long, strict=False):
        assert a.generate_state(4).tolist() == b.generate_state(4).tolist()
    direct = np.random.SeedSequence(7, spawn_key=(2,))
    assert long[2].generate_state(4).tolist() == direct.generate_state(4).tolist()
    assert long[0].generate_state(4).tolist() != long[1].generate_state(4).tolist()


def test_serial_processes_and_dask_give_identical_ranks():
    import distributed
    study = Study("sbc-aggregate", sbc_aggregate_exact, AGGREGATE)
    serial = run_study(study, n_sims=60, root_seed=11, scheduler="serial")
    processes = run_study(study, n_sims=60, root_seed=11, scheduler="processes", workers=2, batch_size=7)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        by_address = run_study(study, n_sims=60, root_seed=11, scheduler=cluster.scheduler_address, batch_size=5)
        with distributed.Client(cluster) as client:
            by_client = run_study(study, n_sims=60, root_seed=11, scheduler=client, batch_size=13)
    assert serial.rows["sim"].tolist() == list(range(60))
    for other in (processes, by_address, by_client):
        assert other.rows["rank_treatment_effect"].tolist() == serial.rows["rank_treatment_effect"].tolist()
        assert other.rows.equals(serial.rows)
    # Timings travel beside the rows (never in them): one per computed simulation.
    for run in (serial, processes, by_address, by_client):
        assert run.timings["sim"].tolist() == list(range(60))
        assert (run.timings["end"] >= run.timings["start"]).all() and run.wall_seconds > 0
    assert serial.timings["worker"].nunique() == 1
    # A different root seed gives different ranks (the comparison above can fail).
    assert not run_study(study, n_sims=60, root_seed=12).rows.equals(serial.rows)


def test_resume_skips_finished_simulations(tmp_path):
    study = Study("sbc-aggregate", sbc_aggregate_exact, AGGREGATE)
    first = run_study(study, n_sims=30, root_seed=3, out_dir=tmp_path)
    assert first.n_computed == 30
    rows_file = first.folder / "rows.jsonl"
    assert len(rows_file.read_text().splitlines()) == 30
    again = run_study(study, n_sims=30, root_seed=3, out_dir=tmp_path)
    assert again.n_computed == 0 and again.rows.equals(first.rows)
    assert again.timings.empty
    with pytest.raises(DataValidationError, match="computed no simulations"):
        throughput(again)
    extended = run_study(study, n_sims=50, root_seed=3, out_dir=tmp_path)
    assert extended.n_computed == 20
    assert extended.rows.equals(run_study(study, n_sims=50, root_seed=3).rows)
    assert json.loads((first.folder / "study.json").read_text())["root_seed"] == 3
    # Other parameters or seed: another folder, nothing reused.
    assert run_study(study, n_sims=5, root_seed=4, out_dir=tmp_path).folder != first.folder


def test_interrupted_study_resumes_without_redoing(tmp_path):
    marker = tmp_path / "interrupt"
    marker.touch()
    study = Study("flaky", _marker_study, {"marker": str(marker), "fail_at": 12})
    with pytest.raises(RuntimeError, match="interrupted"):
        run_study(study, n_sims=20, root_seed=5, out_dir=tmp_path / "out", batch_size=5)
    folder = tmp_path / "out" / f"flaky-{study_key(study, 5)}"
    saved = [json.loads(line)["sim"] for line in (folder / "rows.jsonl").read_text().splitlines()]
    assert saved == list(range(10))  # the two finished batches, not the failing one
    # A half-written last line (killed mid-write) is dropped, not parsed.
    with (folder / "rows.jsonl").open("a") as f:
        f.write('{"sim": 10, "val')
    marker.unlink()
    resumed = run_study(study, n_sims=20, root_seed=5, out_dir=tmp_path / "out", batch_size=5)
    assert resumed.n_computed == 10
    assert resumed.rows.equals(run_study(study, n_sims=20, root_seed=5).rows)


def test_throughput_separates_start_up_from_the_warm_rate():
    # Worker a: first fit 0-10 s (compile), then one fit per second; worker b: one per 2 s.
    timings = pd.DataFrame({"sim": range(5), "worker": ["a", "a", "a", "b", "b"],
                            "start": [0.0, 10.0, 11.0, 0.5, 10.5], "end": [10.0, 11.0, 12.0, 10.5, 12.5]})
    run = StudyRun(rows=pd.DataFrame({"sim": range(5)}), n_computed=5, folder=None, scheduler="processes",
                   timings=timings, wall_seconds=20.0)
    rate = throughput(run)
    assert rate["overall"] == pytest.approx(60 * 5 / 20)
    assert rate["steady"] == pytest.approx(60 * (2 / 2 + 1 / 2))
    assert rate["first_fit_seconds"] == pytest.approx(10.0)
    assert rate["workers"] == 2


def test_study_validation_messages():
    with pytest.raises(DataValidationError, match="module-level function"):
        Study("x", lambda i, s: {}, {})
    with pytest.raises(DataValidationError, match="JSON-serialisable"):
        Study("x", sbc_aggregate_exact, {"se": np.array([0.1])})
    with pytest.raises(DataValidationError, match="without spaces or slashes"):
        Study("a/b", sbc_aggregate_exact, AGGREGATE)


def test_run_study_validation_collects_every_problem(tmp_path):
    study = Study("sbc-aggregate", sbc_aggregate_exact, AGGREGATE)
    with pytest.raises(DataValidationError, match="3 problem") as err:
        run_study(study, n_sims=0, root_seed=-1, scheduler="threads", out_dir=tmp_path)
    text = str(err.value)
    assert "n_sims must be a positive integer" in text
    assert "root_seed must be a non-negative integer" in text
    assert "scheduler must be 'serial', 'processes', a Dask address" in text
    assert list(tmp_path.iterdir()) == []  # nothing written before validation
