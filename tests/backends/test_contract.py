"""The contract of a solver backend, run on every selected backend (`pytest --backends
highs,cbc`; default: all installed), through `models.solve.solve` only:

- an instance no plan can satisfy reports `infeasible`, with no plan;
- a time limit too short for any plan reports `time_limit`, with no plan; handed a
  hint, the same run keeps (at least) the hint;
- a hint is honoured: the result is worth at least the hint;
- the tie-break prefers the cheaper, then the earlier plan among plans of equal value;
- status, objective, bound and gap agree: bound >= objective (max_coverage) or
  <= (min_cost), gap = |bound - objective| / max(|objective|, 1e-9), `optimal` exactly
  when the gap is within the requested one.

The small instances are written by hand and their answers worked out in the comments;
the two large ones come from `planner.generate` (a hand-written county of that size
would say nothing more)."""

from __future__ import annotations

import time

import pytest
import yaml

from models.result import Result, SolveStatus
from models.solve import solve
from planner.build import build_instance
from planner.generate import generate
from planner.scenario import load_scenario

GAP_FLOOR = 1e-9  # the denominator floor of the relative gap (README, summary.json)
PLAN = (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.TIME_LIMIT)


def _instance(folder):
    return build_instance(load_scenario(folder))


def _starts(inst, res: Result) -> dict[str, int]:
    """project id -> start year (None: not chosen)."""
    years = list(inst.years)
    return {pid: (int(years[s]) if s >= 0 else None)
            for pid, s in zip(inst.project_ids, res.start.tolist())}


def _consistent(res: Result, *, maximise: bool, gap: float) -> None:
    """What a result claims agrees with itself and with the gap asked for."""
    if not res.has_solution:
        assert res.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), res.status
        assert res.objective is None and res.gap is None
        return
    assert res.status in PLAN, res.status
    assert res.objective is not None
    if res.bound is None:
        assert res.gap is None and res.status is not SolveStatus.OPTIMAL, res
        return
    if maximise:
        assert res.bound >= res.objective - 1e-9, (res.bound, res.objective)
    else:
        assert res.bound <= res.objective + 1e-9, (res.bound, res.objective)
    expected = abs(res.bound - res.objective) / max(abs(res.objective), GAP_FLOOR)
    assert res.gap == pytest.approx(expected, abs=1e-12)
    # optimal only within the requested gap, and always so when within it
    assert (res.status is SolveStatus.OPTIMAL) == (res.gap <= gap + 1e-9), (res.status, res.gap)


# --- infeasible --------------------------------------------------------------------

# A, B and C need broadband by the end of 2019 (a hard deadline, share 1), 10 each;
# 2019 has 10 and 2020 nothing: only one village can have it.
DEADLINE_SHORT = dict(
    villages=["A,甲村,X县,2020,false", "B,乙村,X县,2020,false", "C,丙村,X县,2020,false"],
    gaps=["A,broadband", "B,broadband", "C,broadband"],
    projects=["P1,A,broadband,10", "P2,B,broadband,10", "P3,C,broadband,10"],
    funds=["s,2019,10,false,*", "s,2020,0,false,*"],
    config={"deadlines": [{"target": "broadband", "year": 2019}]})
# min_cost meets every planned village's exit standard by its due year: A's water
# (exit 2019) costs 50 and the two years hold 10 each.
EXIT_SHORT = dict(
    villages=["A,甲村,X县,2019,false"], gaps=["A,water"], projects=["P1,A,water,50"],
    funds=["s,2019,10,true,*", "s,2020,10,true,*"], config={"objective": "min_cost"})


@pytest.mark.smoke
@pytest.mark.parametrize("case", [DEADLINE_SHORT, EXIT_SHORT], ids=["deadline", "min_cost"])
def test_infeasible_instance_reports_infeasible(make_scenario, backend, case):
    inst = _instance(make_scenario(**case))
    res = solve(inst, backend=backend, gap=0, time_limit=30, threads=1, seed=1)
    assert res.status is SolveStatus.INFEASIBLE, res.status
    assert not res.has_solution
    assert res.objective is None and res.gap is None
    _consistent(res, maximise=inst.objective == "max_coverage", gap=0)


# --- time limit --------------------------------------------------------------------

@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """200 villages in 2 counties with the generator's hard deadlines: no backend finds
    a plan in a millisecond (CBC, the quickest to a first plan, does from about 60
    villages up; CP-SAT and HiGHS from about 12)."""
    folder = tmp_path_factory.mktemp("crowded") / "gen"
    generate(folder, villages=200, counties=2, seed=5)
    return _instance(folder)


@pytest.fixture(scope="module")
def free_county(tmp_path_factory):
    """30 villages without deadlines (HiGHS and CP-SAT find no plan of their own in a
    millisecond), and a plan of it found by HiGHS within 5 %."""
    folder = tmp_path_factory.mktemp("free") / "gen"
    generate(folder, villages=30, counties=2, seed=5)
    cfg = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    cfg.pop("deadlines", None)
    (folder / "scenario.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                          encoding="utf-8")
    inst = _instance(folder)
    plan = solve(inst, backend="highs", gap=0.05, time_limit=60, threads=1, seed=1,
                 tie_break=False)
    assert plan.has_solution and plan.objective > 0, plan.status
    return inst, plan


def test_time_limit_too_short_reports_time_limit_and_no_plan(crowded, backend):
    limit = 1e-3
    started = time.monotonic()
    res = solve(crowded, backend=backend, time_limit=limit, threads=1, seed=1)
    took = time.monotonic() - started
    # (found on an idle machine: CBC stopped by a 1-ms limit said "infeasible" for this
    # feasible program; the CBC backend no longer takes infeasibility from a clock stop)
    assert res.status is SolveStatus.TIME_LIMIT, res.status
    assert not res.has_solution and res.values is None
    assert res.objective is None and res.gap is None
    assert took < 10, took  # building and handing over the model included
    _consistent(res, maximise=True, gap=1e-3)


def test_time_limit_too_short_keeps_the_hint(free_county, backend):
    inst, plan = free_county
    res = solve(inst, backend=backend, time_limit=1e-3, threads=1, seed=1, hint=plan.start)
    assert res.options["hint_value"] == pytest.approx(plan.objective)  # taken up whole
    assert res.has_solution, res.status
    assert res.objective >= plan.objective - 1e-9, (res.objective, plan.objective)
    # either the backend returned the hint as its own incumbent, or it found nothing
    # better in its millisecond and solve() kept the hint
    assert res.options["plan_from"] in ("solver", "warm start"), res.options["plan_from"]
    if res.options["plan_from"] == "warm start":
        assert res.objective == pytest.approx(plan.objective)
        assert res.options["solver_value"] is None or (
            res.options["solver_value"] <= plan.objective + 1e-9)
    _consistent(res, maximise=True, gap=1e-3)


# --- hints -------------------------------------------------------------------------

# A (exit 2019) needs water 9 and road 7, B water 8, C housing 6; 15 a year, carried
# over.  Each gap is worth 1 on time (0.5 late), a village whose exit gaps all close on
# time 3 more.  All four fit in the two years (30), but A's two not both in 2019 (16):
# best 1 + 0.5 (A) + 4 (B) + 4 (C) = 9.5.  With a gap of 1 any plan would do as an
# answer, yet the hint (a best plan) must be kept.
HINTED = dict(
    villages=["A,甲村,X县,2019,false", "B,乙村,X县,2020,false", "C,丙村,X县,2020,false"],
    gaps=["A,water", "A,road", "B,water", "C,housing"],
    projects=["P1,A,water,9", "P2,A,road,7", "P3,B,water,8", "P4,C,housing,6"],
    funds=["s,2019,15,true,*", "s,2020,15,true,*"])


@pytest.mark.smoke
def test_hint_is_honoured(make_scenario, backend):
    inst = _instance(make_scenario(**HINTED))
    best = solve(inst, backend="highs", gap=0, threads=1, seed=1, tie_break=False)
    assert best.status is SolveStatus.OPTIMAL and best.objective == pytest.approx(9.5)
    res = solve(inst, backend=backend, gap=1.0, threads=1, seed=1, hint=best.start,
                tie_break=False)
    assert res.options["hint_value"] == pytest.approx(best.objective)
    assert res.has_solution and res.objective >= best.objective - 1e-9
    _consistent(res, maximise=True, gap=1.0)


# --- tie-break ---------------------------------------------------------------------

# A's water: P_exp (10, any year) or P_cheap (8, not before 2020); B's road: P_road (5,
# any year).  Both villages exit in 2020, 100 a year: every choice is worth the same
# (1 + 3 per village).  Cheaper first: P_cheap in 2020 rather than P_exp in 2019;
# then earlier: P_road in 2019.  Pooled money 8 + 5 = 13.
TIES = dict(
    villages=["A,甲村,X县,2020,false", "B,乙村,X县,2020,false"],
    gaps=["A,water", "B,road"],
    projects=["P_exp,A,water,10,", "P_cheap,A,water,8,2020", "P_road,B,road,5,"],
    project_header="project_id,village_id,target,cost,earliest_year",
    funds=["s,2019,100,true,*", "s,2020,100,true,*"])


def test_tie_break_prefers_cheaper_then_earlier(make_scenario, backend):
    inst = _instance(make_scenario(**TIES))
    res = solve(inst, backend=backend, gap=0, time_limit=30, threads=1, seed=1)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(8.0)
    assert _starts(inst, res) == {"P_exp": None, "P_cheap": 2020, "P_road": 2019}
    assert res.options["tie_break"] == "optimal"
    _consistent(res, maximise=True, gap=0)


def test_min_cost_tie_break_prefers_earlier(make_scenario, backend):
    # min_cost: the same money either way (P_road 5 in 2019 or 2020): the earlier one.
    case = dict(TIES, config={"objective": "min_cost"})
    inst = _instance(make_scenario(**case))
    res = solve(inst, backend=backend, gap=0, time_limit=30, threads=1, seed=1)
    assert res.status is SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(13.0)
    assert res.bound is None or res.bound <= res.objective + 1e-9
    assert _starts(inst, res) == {"P_exp": None, "P_cheap": 2020, "P_road": 2019}
    _consistent(res, maximise=False, gap=0)


# --- status, objective, bound, gap -------------------------------------------------

@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county") / "gen"
    generate(folder, villages=10, counties=2, seed=1, years=(2018, 2019, 2020))
    return _instance(folder)


@pytest.mark.parametrize("limit, gap", [(0.05, 1e-3), (30, 0.0), (30, 0.2)])
def test_status_objective_bound_gap_agree(county, backend, limit, gap):
    # the first limit stops most backends by the clock, with or without a plan
    res = solve(county, backend=backend, time_limit=limit, gap=gap, threads=1, seed=1,
                tie_break=False)
    _consistent(res, maximise=True, gap=gap)
    if limit == 30 and gap == 0:  # time enough: a proven optimum
        assert res.status is SolveStatus.OPTIMAL and res.gap <= 1e-9
