"""The greedy plan (models.greedy): feasible, verified, never above the optimum, a good hint."""

from __future__ import annotations

import numpy as np
import pytest

from models.funding import allocate
from models.greedy import greedy, greedy_value, hard_violations
from models.result import Result, SolveStatus
from models.solve import on_time, plan_value, solve
from planner.build import build_instance
from planner.generate import generate
from planner.plan import make_plan, write_plan
from planner.scenario import load_scenario
from planner.verify import verify_plan

P_EXT = ("project_id,village_id,target,cost,duration,cost_profile,earliest_year,latest_year,"
         "self_share,streams,requires,alternative_group")


def _edit_yaml(folder, change) -> None:
    """Change scenario.yaml itself: the checker reads the file, not the loaded scenario."""
    import yaml

    path = folder / "scenario.yaml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(cfg)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")


def _greedy_result(inst, start) -> Result:
    return Result(status=SolveStatus.FEASIBLE, backend="greedy", objective=plan_value(inst, start),
                  start=start, on_time=on_time(inst, start), options={"hint": "none"})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_plan_is_feasible_and_verified(tmp_path, seed):
    generate(tmp_path / "scn", villages=30, counties=2, seed=seed)
    _edit_yaml(tmp_path / "scn", lambda cfg: cfg.update(deadlines=[]))  # no deadlines
    scn = load_scenario(tmp_path / "scn")
    inst = build_instance(scn)
    start = greedy(inst)
    assert (start >= 0).any()
    assert np.array_equal(start, greedy(inst))  # deterministic
    allocate(inst, start)  # raises FundingError when the money does not add up
    plan = make_plan(scn, inst, _greedy_result(inst, start))
    write_plan(plan, tmp_path / "plan")
    assert verify_plan(scn, tmp_path / "plan") == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_meets_generated_deadlines(tmp_path, seed):
    generate(tmp_path / "scn", villages=30, counties=2, seed=seed)
    inst = build_instance(load_scenario(tmp_path / "scn"))
    start = greedy(inst)
    allocate(inst, start)
    assert hard_violations(inst, start) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_greedy_value_at_most_optimum_and_hint_keeps_optimum(tmp_path, seed):
    generate(tmp_path / "scn", villages=8, counties=2, seed=seed)
    inst = build_instance(load_scenario(tmp_path / "scn")).replace(deadlines=())
    g = greedy_value(inst)
    plain = solve(inst, backend="highs", gap=0, time_limit=60, threads=1)
    hinted = solve(inst, backend="highs", gap=0, time_limit=60, threads=1, hint=greedy(inst))
    assert plain.status is SolveStatus.OPTIMAL and hinted.status is SolveStatus.OPTIMAL
    assert g <= plain.objective + 1e-9
    assert hinted.objective == pytest.approx(plain.objective)


def test_greedy_hand_case(make_scenario):
    # Years 2019-2020; A is due 2019, B 2020 (exit standard: water, road).  Money: 10 in
    # 2019 (carries over), 5 in 2020 (lapses).
    # Village order: A, then B.  A's gaps by best value per yuan: water (PA2: 1 per 4)
    # before road (1 per 5); PA2 beats its alternative PA1 (1 per 6).
    #   PA2 starts 2019 (2019 money 10 -> 6); PAR starts 2019 (6 -> 1): A on time, 1+1+3.
    #   PB cannot be paid in 2019 (1 left), starts 2020 from 2020's 5: B on time, 1+3.
    # Value 9, which is also the optimum here.
    f = make_scenario(villages=["A,甲村,X县,2019,false", "B,乙村,X县,2020,false"],
                      gaps=["A,water", "A,road", "B,water"],
                      project_header=P_EXT,
                      projects=["PA1,A,water,6,1,,,,,,,", "PA2,A,water,4,1,,,,,,,",
                                "PAR,A,road,5,1,,,,,,,", "PB,B,water,5,1,,,,,,,"],
                      funds=["s,2019,10,true,*", "s,2020,5,false,*"])
    inst = build_instance(load_scenario(f))
    start = greedy(inst)
    got = {inst.project_ids[p]: int(inst.years[s]) for p, s in enumerate(start) if s >= 0}
    assert got == {"PA2": 2019, "PAR": 2019, "PB": 2020}
    assert greedy_value(inst) == pytest.approx(9.0)
    assert solve(inst, gap=0, threads=1).objective == pytest.approx(9.0)


def test_greedy_respects_requires_and_locks(make_scenario):
    # PV requires GRID; GRID must finish (2019) before PV starts (2020).  X is locked out.
    f = make_scenario(villages=["A,甲村,X县,2020,false"],
                      gaps=["A,power", "A,collective_economy", "A,water"],
                      project_header=P_EXT,
                      projects=["GRID,A,power,5,1,,,,,,,", "PV,A,collective_economy,5,1,,,,,,GRID,",
                                "X,A,water,1,1,,,,,,,"],
                      funds=["s,2019,100,true,*", "s,2020,100,true,*"],
                      config={"lock": {"out": ["X"]}})
    inst = build_instance(load_scenario(f))
    start = greedy(inst)
    got = {inst.project_ids[p]: int(inst.years[s]) for p, s in enumerate(start) if s >= 0}
    assert got == {"GRID": 2019, "PV": 2020}


def test_hard_violations_names_unfair_county_rates(tmp_path):
    # the greedy plan of two counties: its rates counted here by hand, village by village;
    # a max_spread just below their distance (a min_rate just above the worst) is broken
    generate(tmp_path / "scn", villages=30, counties=2, seed=2)
    _edit_yaml(tmp_path / "scn", lambda cfg: cfg.update(deadlines=[]))
    inst = build_instance(load_scenario(tmp_path / "scn"))
    start = greedy(inst)
    done = on_time(inst, start)
    rates = []
    for c in sorted(set(inst.village_county.tolist())):
        mine = [bool(done[v]) for v in range(inst.n_villages) if inst.village_county[v] == c]
        rates.append(sum(mine) / len(mine))
    spread, worst = max(rates) - min(rates), min(rates)
    assert spread > 0 and worst > 0
    assert hard_violations(inst, start) == []
    assert hard_violations(inst.replace(max_spread=spread), start) == []
    assert any("apart" in v for v in hard_violations(inst.replace(max_spread=spread - 0.01),
                                                      start))
    assert hard_violations(inst.replace(min_rate=worst), start) == []
    assert any("below" in v for v in hard_violations(inst.replace(min_rate=worst + 0.01),
                                                      start))
