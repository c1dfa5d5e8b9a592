"""planner.explain: why a village's gaps stay open or close late, on hand-sized plans:
the answer first, then the evidence; every expected line worked out by hand from the
scenario in the fixture's docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import InputError
from planner.explain import explain
from planner.pipeline import plan_scenario

VILLAGES = "village_id,name,county,exit_year,deep_poverty"
TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


def _plan(folder, tmp_path, name="plan"):
    out = tmp_path / name
    plan_scenario(folder, out, gap=0)
    return out


@pytest.fixture
def money_short(make_scenario, tmp_path):
    """(a) Two villages due 2019, one stream `fund_a` (water and road) with 10 in 2019
    and nothing in 2020.  V1 water (weight 5, P1 costs 10), V2 road (weight 1, P2
    costs 10); both targets in the exit standard.
    Optimum: P1 in 2019 -> 5 + 3 (V1 on time) = 8; fund_a has 0 left, so V2's road
    stays open (there is no money in 2020 to close it late either).
    Forcing P2 in 2019: 1 + 3 (V2 on time) = 4, P1 dropped: it loses 8 - 4 = 4."""
    folder = make_scenario(
        villages=["V1,甲村,A县,2019,false", "V2,乙村,A县,2019,false"],
        gaps=["V1,water", "V2,road"],
        projects=["P1,V1,water,10", "P2,V2,road,10"],
        funds=["fund_a,2019,10,true,water;road"],
        config={"weights": {"water": 5}, "exit_standard": ["water", "road"]})
    return _plan(folder, tmp_path)


def test_budget_exhausted_names_stream_numbers_and_loss(money_short):
    lines = explain(money_short, "V2", gap=0)
    assert lines == [
        "V2 乙村 (A县): exit year 2019, due 2019, not on time in the plan; plan value 8",
        # the answer: the money went to V1's water, which makes V1 (2019 batch) exit on time
        "road: 乙村's road stays open (due 2019), because the 2019 money P2 could use "
        "(fund_a) is all spent: 10 万元 on works making villages of the 2019 batch exit on "
        "time. Forcing P2 in by 2019 would cost 4 of value (8 -> 4).",
        "  evidence (no work for it in the plan):",
        "  - budget exhausted: P2 (pooled cost 10) in 2019: money left 0 < needed 10 in 2019 "
        "[fund_a 0]",
        "  - fund_a in 2019: 10 spent, 0 left: 10 on works making villages of the 2019 batch "
        "exit on time (P1)",
        # under the exit priority both plans have one village of the 2019 batch on time
        "  re-solve: forcing P2 in (start 2019, finishing by 2019) costs the plan 4 of value "
        "(8 -> 4); status optimal",
        "    dropped: P1",
        "    villages losing on-time: V1",
        "    villages gaining on-time: V2",
    ]


def test_on_time_gap_says_so(money_short):
    # (d) V1's water is P1, finishing 2019, the due year: nothing to explain, no re-solve.
    assert explain(money_short, "V1", target="water") == [
        "V1 甲村 (A县): exit year 2019, due 2019, on time in the plan; plan value 8",
        "water: 甲村's water closes on time: P1 finishes 2019 (due 2019).",
    ]


def test_unknown_village_or_target_is_input_error(money_short):
    # (e)
    with pytest.raises(InputError, match="unknown village"):
        explain(money_short, "V9")
    with pytest.raises(InputError, match="is not a gap of village V1"):
        explain(money_short, "V1", target="road")


def test_no_eligible_stream(make_scenario, tmp_path):
    """(b) V1 (county A) health, P1 costs 5 and may use only `fund_w` (projects.csv
    streams).  fund_w pays for water only; fund_all pays for anything but P1 excludes
    it; fund_c is county B's money (and not in P1's list either).  V2 (county B) has
    a water gap so that B is a known county.  P1 can never be paid: the gap stays open
    and forcing it is infeasible."""
    folder = make_scenario(
        villages=["V1,甲村,A,2019,false", "V2,乙村,B,2019,false"],
        gaps=["V1,health", "V2,water"],
        projects=["P1,V1,health,5,fund_w", "P2,V2,water,1,"],
        project_header="project_id,village_id,target,cost,streams",
        funds=["fund_w,2019,100,,true,water", "fund_all,2019,100,,true,*",
               "fund_c,2019,100,B,true,*"],
        fund_header="stream,year,amount,county,carry_over,targets")
    lines = explain(_plan(folder, tmp_path), "V1")
    assert lines[1] == ("health: 甲村's health stays open (due 2019), because no fund stream "
                        "may pay for P1 (see the streams below). Forcing P1 in by 2019 is "
                        "impossible: no plan with it keeps every hard rule.")
    assert lines[2] == "  evidence (no work for it in the plan):"
    assert lines[3] == (
        "  - P1 is not eligible for any stream: "
        "fund_w: its targets (water) do not include health; "
        "fund_all: projects.csv streams of P1 lists only fund_w; "
        "fund_c (B): projects.csv streams of P1 lists only fund_w; "
        "it is money of B, the village is in A")
    assert lines[4] == "  - no candidate that could finish in time may be paid from any stream"
    assert lines[5] == ("  re-solve: forcing P1 in (start 2019, finishing by 2019) is "
                        "infeasible (status infeasible)")
    assert len(lines) == 6


def _prereq(make_scenario, **config):
    """(c) Years 2019-2021, V1 due 2020; P2 (road, 10) requires P1 (water, 10): P2 may
    start only after P1 has finished.  Stream S (anything): 5 in 2019, 10 in 2020 and
    10 in 2021, carried over.  P1 cannot be paid in 2019 (5 < 10), so the best plan is
    P1 in 2020 (on time, 1) and P2 in 2021 (late, 0.5): value 1.5.  Money left: 2020
    carries 5 out, 2021 ends with 5 unused -> 5 free in 2020."""
    return make_scenario(
        villages=["V1,甲村,A,2020,false"],
        gaps=["V1,water", "V1,road"],
        projects=["P1,V1,water,10,", "P2,V1,road,10,P1"],
        project_header="project_id,village_id,target,cost,requires",
        funds=["S,2019,5,true,*", "S,2020,10,true,*", "S,2021,10,true,*"],
        config={"years": [2019, 2020, 2021], **config})


def test_prerequisite_too_late(make_scenario, tmp_path):
    lines = explain(_plan(_prereq(make_scenario), tmp_path), "V1", target="road")
    assert lines == [
        "V1 甲村 (A): exit year 2020, due 2020, not on time in the plan; plan value 1.5",
        # the prerequisite comes before money in the answer
        "road: 甲村's road closes in 2021, not 2020, because P2 needs P1 finished first, "
        "which the plan finishes in 2020. Forcing P2 in by 2020 is impossible: no plan with "
        "it keeps every hard rule.",
        "  evidence (P2 finishes 2021, after the due year):",
        "  - P2 requires P1, which finishes 2020 in the plan: P2 could start 2021 at the "
        "earliest and finish 2021 > due 2020",
        "  - budget exhausted: P2 (pooled cost 10) in 2020: money left 5 < needed 10 in 2020 "
        "[S 5]",
        # 2020: P1's 10 (V1 is late: its road closes 2021, so P1 makes no village on time)
        "  - S in 2020: 10 spent, 5 left: 10 on other works (P1)",
        # forcing P2 to finish by 2020 needs P1 finished by 2019, with 5 < 10 in 2019
        "  re-solve: forcing P2 in (start 2020, finishing by 2020) is infeasible "
        "(status infeasible)",
    ]


def test_prerequisite_not_in_plan(make_scenario, tmp_path):
    """(c) The same with P1 locked out: neither work can be in the plan (value 0)."""
    plan = _plan(_prereq(make_scenario, lock={"out": ["P1"]}), tmp_path)
    lines = explain(plan, "V1")
    assert lines == [
        "V1 甲村 (A): exit year 2020, due 2020, not on time in the plan; plan value 0",
        "water: 甲村's water stays open (due 2020), because every project for it is locked "
        "out (P1).",
        "  evidence (no work for it in the plan):",
        "  - P1 is locked out (lock out in the scenario)",
        "  - every candidate is locked out",
        "  re-solve: nothing to force: no candidate could close it by 2020 (see above)",
        "road: 甲村's road stays open (due 2020), because P2 needs P1 done first, which is "
        "not in the plan (it is locked out). Forcing P2 in by 2020 is impossible: no plan "
        "with it keeps every hard rule.",
        "  evidence (no work for it in the plan):",
        "  - P2 requires P1, which is not in the plan (it is locked out)",
        # all of S is left: 5 + 10 in 2020 carried on, 25 unused at the end -> 15 free
        "  - money was there: P2 in 2020 fits in what the plan left (left 15 >= needed 10 "
        "in 2020)",
        "  re-solve: forcing P2 in (start 2020, finishing by 2020) is infeasible "
        "(status infeasible)",
    ]


@pytest.fixture
def shared_deadline(make_scenario, tmp_path):
    """Two hard deadlines on one work: V1 (deep poverty) has a power gap, P1 costs 10;
    `power by 2019 for deep-poverty villages` and `power by 2020 for all` both need P1.
    V2's road (P2, 10) draws on the same stream S: 10 in 2019, nothing in 2020.  Both
    deadlines hard: P1 in 2019 takes all of S; V2's road stays open.  The 10 of 2019 is
    one sum of money, spent once, on a work two deadlines need."""
    folder = make_scenario(
        villages=["V1,甲村,A,2019,true", "V2,乙村,A,2019,false"],
        gaps=["V1,power", "V2,road"],
        projects=["P1,V1,power,10", "P2,V2,road,10"],
        funds=["S,2019,10,true,power;road"],
        config={"deadlines": [{"target": "power", "year": 2019, "scope": "deep_poverty"},
                              {"target": "power", "year": 2020}]})
    return _plan(folder, tmp_path)


def test_money_two_deadlines_share_is_counted_once(shared_deadline):
    lines = explain(shared_deadline, "V2")
    # plan: P1 (power 1 + V1 on time 3) = 4; one village of the 2019 batch on time
    assert lines[0] == ("V2 乙村 (A): exit year 2019, due 2019, not on time in the plan; "
                        "plan value 4")
    assert lines[1] == (
        "road: 乙村's road stays open (due 2019), because the 2019 money P2 could use (S) is "
        "all spent: 10 万元 on works hard deadlines need (power). Forcing P2 in by 2019 is "
        "impossible: no plan with it keeps every hard rule.")
    money = [line for line in lines if line.startswith("  - S in 2019")]
    assert money == ["  - S in 2019: 10 spent, 0 left: 10 on works for hard deadlines power "
                     "by 2019 (deep-poverty villages) and power by 2020 (P1)"]
    assert sum(" 10 on " in line for line in lines) == 1  # not once per deadline


def test_each_work_counted_once_adds_up_to_funds_spent(tmp_path):
    """On tiny, every pool and year: the groups of the spending (each work once) add up
    to funds.csv `spent`, which the plan writes from its own ledger."""
    from planner.build import build_instance
    from planner.explain.context import Ctx, plan_start
    from planner.explain.spending import Ledger
    from planner.plan.folder import read_plan
    from planner.scenario import load_scenario

    out = _plan(TINY, tmp_path)
    plan = read_plan(out)
    scn = load_scenario(TINY)
    inst = build_instance(scn)
    ctx = Ctx(scn, inst, plan_start(inst, plan.schedule), plan.schedule, plan.funds)
    ledger = Ledger(ctx)
    checked = 0
    for row in plan.funds.itertuples(index=False):
        b = next(b for b in range(inst.n_pools) if inst.pool_stream[b] == row.stream and (
            inst.county_names[inst.pool_county[b]] if inst.pool_county[b] >= 0 else "")
            == row.county)
        s = ledger.spending([b], int(row.year) - ctx.first)
        assert sum(g.money for g in s.groups.values()) == pytest.approx(row.spent, abs=1e-4)
        assert s.spent == pytest.approx(row.spent, abs=1e-4)
        checked += row.spent > 0
    assert checked >= 4  # tiny spends in both counties' streams


@pytest.fixture
def worth_nothing(make_scenario, tmp_path):
    """V1 due 2019, exit standard water only.  water: P1 costs 5 (weight 1); culture:
    weight 0, P2 costs 4; S has 20 in 2019.  Plan: P1 -> 1 + 3 (on time) = 4; P2 adds no
    value, so the tie-break (less pooled money) leaves it out: pooled 5.  Forcing P2 in
    costs nothing (value 4, V1 on time) and needs 4 more pooled money (5 -> 9)."""
    folder = make_scenario(
        villages=["V1,甲村,A,2019,false"],
        gaps=["V1,water", "V1,culture"],
        projects=["P1,V1,water,5", "P2,V1,culture,4"],
        funds=["S,2019,20,true,*"],
        config={"exit_standard": ["water"], "weights": {"culture": 0}})
    return _plan(folder, tmp_path)


def test_costs_nothing_says_why_the_plan_chose_otherwise(worth_nothing):
    lines = explain(worth_nothing, "V1", target="culture")
    assert lines[1] == (
        "culture: 甲村's culture stays open (due 2019), because it is worth nothing to the "
        "objective (weight 0). Forcing P2 in by 2019 costs nothing (value 4, the same "
        "villages on time); the plan chose otherwise by the tie-break, which among plans of "
        "equal value keeps the one with less pooled money, then with earlier finishes: it "
        "needs 4 万元 more pooled money (5 -> 9 万元).")
    assert "  - money was there: P2 in 2019 fits in what the plan left (left 15 >= needed 4 " \
        "in 2019)" in lines
    assert "  - the gap is worth nothing to the objective (weight 0)" in lines


def test_the_tie_break_key_is_the_objectives_order():
    """objective.py's tie-break: pooled money, then 0.5 unit x (finish + 1) / (Y G) per
    work -- worth less than one unit in all, so money first, then the finish years."""
    import numpy as np

    from planner.build import build_instance
    from planner.explain.forced import tie_break_key
    from planner.scenario import load_scenario

    inst = build_instance(load_scenario(TINY))
    start = np.full(inst.n_projects, -1)
    p01, p04 = inst.project_ids.index("P01"), inst.project_ids.index("P04")
    start[p01] = 1  # P01: power, 45 万元, 1 year, starting 2020 -> finish index 1
    start[p04] = 0  # P04: environment, 18 万元, starting 2019 -> finish index 0
    assert tie_break_key(inst, start) == ((45 + 18) * 10_000, (1 + 1) + (0 + 1))


def test_explain_reports_progress(money_short):
    class Line:
        def __init__(self):
            self.steps, self.phases = [], []

        def update(self, text):
            self.steps.append(text)

        def phase(self, text):
            self.phases.append(text)

        def __call__(self, *figures):
            pass

    line = Line()
    explain(money_short, "V2", progress=line)
    assert line.steps[-1] == "road: forcing P2 in"
    assert "most value" in line.phases  # the re-solve's phases reach the same line


def test_scenario_given_explicitly(money_short, tmp_path):
    import json

    from planner.explain import scenario_folder

    summary = json.loads((money_short / "summary.json").read_text(encoding="utf-8"))
    folder = scenario_folder(money_short, summary)
    assert (folder / "scenario.yaml").is_file()
    assert explain(money_short, "V1", scenario=folder, target="water")[1].startswith(
        "water: 甲村's water closes on time")


def test_every_year_a_work_could_start_is_in_the_answer(make_scenario, tmp_path):
    """V1 and V2 due 2020.  fund_a: 10 in 2019, 5 in 2020.  V1 water (weight 5, P1 10),
    V2 road (P2 10).  Plan: P1 in 2019 (5 + 3 = 8); 2020's 5 cannot pay either work.
    P2 could start 2019 (0 left) or 2020 (5 left of 10): both short.  Forced: P2 in
    2019, P1 out: 1 + 3 = 4, the same one village of the 2020 batch on time."""
    folder = make_scenario(
        villages=["V1,甲村,A县,2020,false", "V2,乙村,A县,2020,false"],
        gaps=["V1,water", "V2,road"],
        projects=["P1,V1,water,10", "P2,V2,road,10"],
        funds=["fund_a,2019,10,true,water;road", "fund_a,2020,5,true,water;road"],
        config={"weights": {"water": 5}})
    lines = explain(_plan(folder, tmp_path), "V2")
    assert lines[1] == (
        "road: 乙村's road stays open (due 2020), because the money P2 could use in 2019 and "
        "2020 (fund_a) is spent, but for 5 万元 in 2020 where it needs 10 万元: 10 万元 on "
        "works making villages of the 2020 batch exit on time. Forcing P2 in by 2020 would "
        "cost 4 of value (8 -> 4).")
    assert lines[3:7] == [
        "  - budget exhausted: P2 (pooled cost 10) starting 2019: money left 0 < needed 10 "
        "in 2019 [fund_a 0]",
        "  - budget exhausted: P2 (pooled cost 10) starting 2020: money left 5 < needed 10 "
        "in 2020 [fund_a 5]",
        "  - fund_a in 2019: 10 spent, 0 left: 10 on works making villages of the 2020 batch "
        "exit on time (P1)",
        "  re-solve: forcing P2 in (start 2019-2020, finishing by 2020) costs the plan 4 of "
        "value (8 -> 4); status optimal",
    ]
