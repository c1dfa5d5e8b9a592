"""Reliability: same inputs and seed give the same bytes; an interrupted run leaves
the earlier plan whole; a tiny time limit is reported honestly."""

from __future__ import annotations

from pathlib import Path

import pytest

import planner.pipeline as pipeline
from models.result import Result, SolveStatus
from models.solve import solve
from planner.build import build_instance
from planner.pipeline import PlanningError, plan_scenario
from planner.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"
DEMO = ROOT / "scenarios" / "demo-county"
TABLES = ("schedule.csv", "villages.csv", "funds.csv")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_and_threads_give_identical_tables(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    plan_scenario(TINY, a, seed=1, threads=1)
    plan_scenario(TINY, b, seed=1, threads=1)
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_interrupted_run_leaves_earlier_plan_whole(tmp_path, monkeypatch):
    out = tmp_path / "plan"
    plan_scenario(TINY, out, seed=1, threads=1)
    before = _snapshot(out)
    assert set(TABLES) <= set(before)

    real_write_plan = pipeline.write_plan
    calls = []

    def interrupted(plan, folder):
        from planner.tables import write_csv

        calls.append(folder)
        write_csv(plan.villages, Path(folder) / "villages.csv")  # one file, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_plan", interrupted)
    with pytest.raises(KeyboardInterrupt):
        plan_scenario(TINY, out, seed=1, threads=1)
    assert calls, "write_plan was not reached"
    assert Path(calls[0]) != out  # written beside, not into, the plan
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no stray .plan.*
    monkeypatch.setattr(pipeline, "write_plan", real_write_plan)


def test_tiny_time_limit_is_reported_honestly(tmp_path, monkeypatch):
    inst = build_instance(load_scenario(DEMO))
    result = solve(inst, backend="highs", time_limit=0.001, threads=1, seed=1)
    assert result.status in (SolveStatus.TIME_LIMIT, SolveStatus.OPTIMAL)
    if result.has_solution:
        if result.status is SolveStatus.TIME_LIMIT:
            assert result.objective is not None
            assert result.bound is not None and result.gap is not None
            assert result.gap >= 0
    else:
        assert result.status is SolveStatus.TIME_LIMIT
        assert result.objective is None

    # Whatever this run found, a run ending with no plan in its time must say so.
    no_plan = result if not result.has_solution else Result.no_solution(
        SolveStatus.TIME_LIMIT, "highs", 0.001)
    monkeypatch.setattr(pipeline, "solve", lambda *a, **k: no_plan)
    out = tmp_path / "plan"
    with pytest.raises(PlanningError) as exc:
        plan_scenario(DEMO, out, backend="highs", time_limit=0.001)
    message = str(exc.value)
    assert "no plan found within the time limit of 0.001 s" in message
    assert "--time-limit" in message
    assert not out.exists()
