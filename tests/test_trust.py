"""Trust (issue 12, items 4 and 5): never below the warm start, whatever a backend
returns, in every mode; one time limit shared by the phases and the counties.

The backends are replaced by stand-ins that return no plan, or a worse plan than the
hint, so that the fallback is exercised deterministically (a real solver given
enough time would simply agree with the hint)."""

from __future__ import annotations

import types

import numpy as np
import pytest

import models.solve as msolve
from models.backends import Solution
from models.budget import TimeBudget
from models.decompose import solve_by_county
from models.result import SolveStatus
from models.solve import plan_value, solve, solve_secondary
from models.warmstart import warm_start
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan


def _fake_backend(kind: str):
    """A backend that returns no plan ("none") or the empty plan ("empty": nothing
    started, worse than any useful hint), with a bound far above."""

    def solve(model, params, hint=None, **_):
        if kind == "none":
            return Solution(SolveStatus.TIME_LIMIT)
        values = np.zeros(model.n_vars)
        values[:] = np.maximum(np.concatenate(model.lb), 0.0)
        # the empty plan: no start; its flows are all zero (feasible: nothing to pay)
        return Solution(SolveStatus.TIME_LIMIT, values, 0.0, 1e9)

    return types.SimpleNamespace(solve=solve, version=lambda: "fake", name=f"fake-{kind}",
                                 available=lambda: True)


@pytest.fixture
def county(tmp_path):
    folder = tmp_path / "gen"
    generate(folder, villages=20, counties=2, seed=4)
    scn = load_scenario(folder)
    return scn, build_instance(scn)


@pytest.mark.parametrize("kind", ["none", "empty"])
def test_solve_never_returns_less_than_the_hint(county, monkeypatch, tmp_path, kind):
    scn, inst = county
    hint = warm_start(inst, threads=1, time_left=10.0)
    assert hint is not None and (hint >= 0).any()
    hint_value = plan_value(inst, hint)
    assert hint_value > plan_value(inst, np.full(inst.n_projects, -1))
    monkeypatch.setattr(msolve, "get_backend", lambda name: _fake_backend(kind))
    res = solve(inst, backend="highs", hint=hint, time_limit=5, threads=1, tie_break=False)
    assert res.has_solution
    assert res.objective == pytest.approx(hint_value)
    assert res.options["plan_from"] == "warm start"
    assert res.options["solver_status"] == "time_limit"
    assert res.status is SolveStatus.TIME_LIMIT
    # the plan written from it passes the independent checker
    out = tmp_path / "plan"
    write_plan(make_plan(scn, inst, res), out)
    assert verify_plan(scn, out) == []


def test_solver_plan_kept_when_better(county):
    _, inst = county
    empty = np.full(inst.n_projects, -1)
    res = solve(inst, hint=empty, time_limit=20, threads=1, gap=1e-3)
    assert res.options["plan_from"] == "solver"
    assert res.objective > plan_value(inst, empty)


def test_a_hint_that_cannot_be_paid_is_no_plan(county, monkeypatch):
    _, inst = county
    everything = inst.proj_earliest.copy()  # every work at once: far beyond the money
    monkeypatch.setattr(msolve, "get_backend", lambda name: _fake_backend("none"))
    res = solve(inst, hint=everything, time_limit=5, threads=1, tie_break=False)
    assert not res.has_solution
    assert res.options["hint_value"] is None


def test_county_split_never_below_the_county_warm_starts(county, monkeypatch):
    _, inst = county
    monkeypatch.setattr(msolve, "get_backend", lambda name: _fake_backend("none"))
    res = solve_by_county(inst, mapper=map, time_limit=5, threads=1, use_hint=True)
    assert res.has_solution
    assert res.options["plan_from"].startswith("warm start in")
    assert res.objective > plan_value(inst, np.full(inst.n_projects, -1))


def test_second_rank_solve_falls_back_to_its_hint(county, monkeypatch):
    # replan --stable and alternatives solve with the value kept as a floor: a backend
    # that finds nothing leaves the hint, which keeps the floor
    _, inst = county
    first = solve(inst, time_limit=20, threads=1, gap=0)
    monkeypatch.setattr(msolve, "get_backend", lambda name: _fake_backend("none"))
    res = solve_secondary(inst, first.objective, {"kind": "stable", "start": first.start},
                          hint=first.start, time_limit=5, threads=1)
    assert res.has_solution and res.options["plan_from"] == "warm start"
    assert res.objective == pytest.approx(first.objective)
    assert np.array_equal(res.start, first.start)


def test_optimal_status_needs_the_gap(county, monkeypatch):
    # a backend saying "optimal" with a bound 25 % away is reported as feasible
    _, inst = county
    real = msolve.get_backend("highs")

    def optimal_too_soon(model, params, hint=None, **_):
        sol = real.solve(model, params, hint)
        return Solution(SolveStatus.OPTIMAL, sol.values, sol.objective, sol.objective * 1.25,
                        sol.seconds)

    fake = types.SimpleNamespace(solve=optimal_too_soon, version=real.version, name="highs")
    monkeypatch.setattr(msolve, "get_backend", lambda name: fake)
    res = solve(inst, time_limit=20, threads=1, gap=1e-3, tie_break=False)
    assert res.status is SolveStatus.FEASIBLE
    assert res.gap == pytest.approx(0.25, abs=0.01)  # the bound rounded to a plan value


def test_county_time_shares_add_up_to_the_time_left(county):
    # one time limit: in every round of county solves (the shared deadlines dropped
    # first, models.relaxed, then the split meeting them county by county), the county
    # shares, solved one after the other, add up to at most what is left, and no county
    # may run past the run's deadline
    _, inst = county
    rounds = []

    def mapper(fn, *iterables):  # map(fn, *iterables), in order; the county solves' shares
        if fn.__name__ == "solve_part":
            rounds.append(list(iterables[-1]))
        return [fn(*args) for args in zip(*iterables)]

    budget = TimeBudget(8.0)
    res = solve_by_county(inst, mapper=mapper, budget=budget, workers=1, threads=1)
    assert res.has_solution and rounds and len(rounds[0]) == 2  # two counties
    left = budget.limit
    for seen in rounds:
        assert all(o["deadline"] is not None and o["deadline"] <= budget.deadline() + 1e-6
                   for o in seen)
        assert sum(o["time_share"] for o in seen) <= left + 1e-9  # one worker: in sequence
        assert all(o["time_share"] <= left for o in seen)


def test_time_budget_shares():
    b = TimeBudget(10.0, started=0.0)
    b.elapsed = lambda: 2.0  # eight seconds gone by: 10 * 0.9 - 2 = 7 left to solve
    assert b.left() == pytest.approx(7.0)
    assert b.share(0.3) == pytest.approx(2.1)
    assert b.share(0.5, at_most=1.0) == pytest.approx(1.0)
    assert TimeBudget(None).left() is None


def test_time_kept_for_checking_and_writing():
    # 100 s, 30 s kept for the outputs (more than the 10 % reserve): solving ends at 70 s
    b = TimeBudget(100.0, started=0.0, kept=30.0)
    b.elapsed = lambda: 20.0
    assert b.solving_ends() == pytest.approx(70.0) and b.left() == pytest.approx(50.0)
    # a phase to half of it ends at 35 s: its own 10 % reserve is the rest of the run's
    half = b.until(0.5)
    half.elapsed = lambda: 20.0
    assert half.solving_ends() == pytest.approx(35.0) and half.left() == pytest.approx(15.0)
    # less kept than the reserve: the reserve holds
    assert TimeBudget(100.0, kept=3.0).solving_ends() == pytest.approx(90.0)
    # kept beyond the limit: every solve gets the floor, never a negative time
    late = TimeBudget(10.0, started=0.0, kept=50.0)
    late.elapsed = lambda: 1.0
    assert late.left() == pytest.approx(0.05)
