"""planner.explain: why a village's gaps stay open or close late, on hand-sized plans."""

from __future__ import annotations

import pytest

from planner.errors import InputError
from planner.explain import explain
from planner.pipeline import plan_scenario

VILLAGES = "village_id,name,county,exit_year,deep_poverty"


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
        "V2 乙村 (A县): exit year 2019, due 2019; plan value 8",
        "road: stays open: no work for it in the plan; why:",
        "  - budget exhausted: P2 (pooled cost 10) in 2019: money left 0 < needed 10 in 2019 "
        "[fund_a 0]",
        "  re-solve: forcing P2 in (start 2019, finishing by 2019) costs the plan 4 of value "
        "(8 -> 4); status optimal",
        "    dropped: P1",
        "    villages losing on-time: V1",
        "    villages gaining on-time: V2",
    ]


def test_on_time_gap_says_so(money_short):
    # (d) V1's water is P1, finishing 2019, the due year: nothing to explain, no re-solve.
    assert explain(money_short, "V1", target="water") == [
        "V1 甲村 (A县): exit year 2019, due 2019; plan value 8",
        "water: closes on time: P1 finishes 2019 (due 2019)",
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
    assert lines[1] == "health: stays open: no work for it in the plan; why:"
    assert lines[2] == (
        "  - P1 is not eligible for any stream: "
        "fund_w: its targets (water) do not include health; "
        "fund_all: projects.csv streams of P1 lists only fund_w; "
        "fund_c (B): projects.csv streams of P1 lists only fund_w; "
        "it is money of B, the village is in A")
    assert lines[3] == "  - no candidate that could finish in time may be paid from any stream"
    assert lines[4] == ("  re-solve: forcing P1 in (start 2019, finishing by 2019) is "
                        "infeasible (status infeasible)")
    assert len(lines) == 5


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
        "V1 甲村 (A): exit year 2020, due 2020; plan value 1.5",
        "road: closes late: P2 finishes 2021, after the due year 2020; why not by 2020:",
        "  - P2 requires P1, which finishes 2020 in the plan: P2 could start 2021 at the "
        "earliest and finish 2021 > due 2020",
        "  - budget exhausted: P2 (pooled cost 10) in 2020: money left 5 < needed 10 in 2020 "
        "[S 5]",
        # forcing P2 to finish by 2020 needs P1 finished by 2019, with 5 < 10 in 2019
        "  re-solve: forcing P2 in (start 2020, finishing by 2020) is infeasible "
        "(status infeasible)",
    ]


def test_prerequisite_not_in_plan(make_scenario, tmp_path):
    """(c) The same with P1 locked out: neither work can be in the plan (value 0)."""
    plan = _plan(_prereq(make_scenario, lock={"out": ["P1"]}), tmp_path)
    lines = explain(plan, "V1")
    assert lines == [
        "V1 甲村 (A): exit year 2020, due 2020; plan value 0",
        "water: stays open: no work for it in the plan; why:",
        "  - P1 is locked out (lock out in the scenario)",
        "  - every candidate is locked out",
        "  re-solve: nothing to force: no candidate could close it by 2020 (see above)",
        "road: stays open: no work for it in the plan; why:",
        "  - P2 requires P1, which is not in the plan (it is locked out)",
        # all of S is left: 5 + 10 in 2020 carried on, 25 unused at the end -> 15 free
        "  - money was there: P2 in 2020 fits in what the plan left (left 15 >= needed 10 "
        "in 2020)",
        "  re-solve: forcing P2 in (start 2020, finishing by 2020) is infeasible "
        "(status infeasible)",
    ]


def test_scenario_given_explicitly(money_short, tmp_path):
    import json

    from planner.explain import scenario_folder

    summary = json.loads((money_short / "summary.json").read_text(encoding="utf-8"))
    folder = scenario_folder(money_short, summary)
    assert (folder / "scenario.yaml").is_file()
    assert explain(money_short, "V1", scenario=folder, target="water")[1].startswith(
        "water: closes on time")
