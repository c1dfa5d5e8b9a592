"""Reliability: same inputs and seed give the same bytes; an interrupted run leaves
the earlier plan whole; a tiny time limit is reported honestly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import planner.pipeline as pipeline
from models.params import SolveParams
from models.result import Result, SolveStatus, relative_gap
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

    def interrupted(plan, folder, *more):
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


def _proven_optimum(inst):
    """The optimum proven with gap 0 (bound == objective), the yardstick below."""
    best = solve(inst, backend="highs", gap=0, threads=1, seed=1, tie_break=False)
    assert best.status is SolveStatus.OPTIMAL
    assert best.bound == pytest.approx(best.objective, abs=1e-6)
    return best.objective


def _honest(result: Result, optimum: float, gap: float) -> None:
    """What a status claims, checked against the proven optimum (max_coverage)."""
    tol = 1e-6
    if not result.has_solution:
        assert result.status is SolveStatus.TIME_LIMIT, result.status
        assert result.objective is None
        if result.bound is not None:  # a bound without a plan must still be a bound
            assert result.bound >= optimum - tol
        return
    # any plan is worth at most the optimum; a bound is at least the optimum
    assert result.objective is not None and result.objective <= optimum + tol
    if result.status is SolveStatus.OPTIMAL:  # proven within the requested gap
        assert result.bound is not None and result.bound >= optimum - tol
        assert result.gap <= gap + tol
        assert result.objective >= optimum - gap * abs(result.objective) - tol
    else:  # stopped by the clock, or a plan kept without a proof
        assert result.status in (SolveStatus.TIME_LIMIT, SolveStatus.FEASIBLE), result.status
    if result.bound is not None:
        assert result.bound >= optimum - tol
        assert result.gap == pytest.approx(relative_gap(result.objective, result.bound),
                                           abs=1e-9)
    else:
        assert result.gap is None


def test_tiny_time_limit_is_reported_honestly(tmp_path, monkeypatch):
    # A generated county whose optimum HiGHS proves in about a second; limits from
    # 1 ms to 10 s (a proven optimum) must each report what they found, no more.
    from planner.generate import generate

    folder = tmp_path / "county"
    generate(folder, villages=12, counties=2, seed=5)
    inst = build_instance(load_scenario(folder))
    optimum = _proven_optimum(inst)
    seen = set()
    for limit in (0.001, 0.05, 0.2, 10.0):
        started = time.monotonic()
        result = solve(inst, backend="highs", time_limit=limit, threads=1, seed=1)
        took = time.monotonic() - started
        assert took <= limit + max(2.0, 0.1 * limit), (limit, took)  # README's margin
        _honest(result, optimum, gap=SolveParams().gap)
        seen.add((result.status, result.has_solution))
    # the limits reach both a stop by the clock and a proof, so both were tested
    assert any(status is SolveStatus.TIME_LIMIT for status, _ in seen), seen
    assert (SolveStatus.OPTIMAL, True) in seen, seen

    # A run whose solver ends with no plan in its time must say so (the backend's
    # answer is replaced wherever the pipeline calls it).
    import models.strategy

    no_plan = Result.no_solution(SolveStatus.TIME_LIMIT, "highs", 0.001)
    for module in (pipeline, models.strategy):
        if hasattr(module, "solve"):
            monkeypatch.setattr(module, "solve", lambda *a, **k: no_plan)
    out = tmp_path / "plan"
    with pytest.raises(PlanningError) as exc:
        plan_scenario(DEMO, out, backend="highs", time_limit=0.001)
    message = str(exc.value)
    assert "no plan found within the time limit of 0.001 s" in message
    assert "--time-limit" in message
    assert not out.exists()
