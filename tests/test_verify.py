"""Tests of the independent plan checker (planner/verify.py).

A small scenario is written by hand, and a correct plan for it, with every
number computed by hand in the comments below.  The plan must be accepted; each
other test breaks one rule and expects that rule's code.

Scenario (years 2019-2020; exit standard: water, power, road):

    village  county  exit  deep  relocated  gaps
    V1       甲县     2019  true  false      power, water (weight 2), collective_economy
    V2       甲县     2020  false false      road, water, health (no project: stays open)
    V3       乙县     2020  true  false      power, road
    V4       乙县     2020  false true       water

    project  village target              cost     notes
    P1       V1      power               10
    P2       V1      collective_economy  4        requires P1 (PV needs the grid)
    P3       V1      water               6        self_share 0.5
    P4       V2      road                20.0001  duration 2, profile 0.6;0.4
    P5       V2      water               3        group G1, earliest_year 2020
    P6       V2      water               5        group G1 (the alternative)
    P7       V3      power               8
    P8       V3      road                12
    P9       V4      water               2        relocated village
    P10      V3      power               9        a second way to close V3 power

    funds: county_fund per county, carry over, any target:
             甲县 2019 21.5, 2020 10;  乙县 2019 15, 2020 10
           bonds pooled (blank county), water;power;road only:
             2019 12 (carry_over false), 2020 8.00005 (budget rounds down to 8.0000)
    deadlines: power by 2019 for all (hard); road by 2019 for all (soft)

The plan (start = finish except P4):

    P1 2019: cost 10, pooled 10                      county_fund 10
    P3 2019: cost 6, pooled 3, self 3                county_fund 3
    P4 2019: 200001 units * 0.6 = 120000.6 -> 120001 (largest remainder)
             cost 12.0001                            county_fund 7, bonds 5.0001
    P4 2020: 200001 * 0.4 = 80000.4 -> 80000: 8.0000 county_fund 7.5, bonds 0.5
    P7 2019: cost 8                                  county_fund 8
    P8 2019: cost 12                                 county_fund 7, bonds 5
    P2 2020: cost 4 (bonds may not pay)              county_fund 4
    P5 2020: cost 3                                  bonds 3

Ledger:
    county_fund 甲县 2019: 21.5 - (10 + 3 + 7) = 1.5 carried
    county_fund 甲县 2020: 10 + 1.5 - (4 + 7.5) = 0
    county_fund 乙县 2019: 15 - (8 + 7) = 0;  2020: 10 unused
    bonds 2019: 12 - (5.0001 + 5) = 1.9999 unused (no carry); 2020: 8 - 3.5 = 4.5 unused

Value (max_coverage, default weights 1, late 0.5, bonus 3, soft penalty 2):
    V1 power 1 + V1 water 2 + V1 collective_economy late (2020 > 2019) 0.5
    + V2 road 1 + V2 water 1 + V3 power 1 + V3 road 1                = 7.5
    villages on time: V1 (2019), V2, V3 (2020): 3 * 3                  = 9
    soft road@2019: V1 (no gap) and V3 meet it, V2 (2020) not: 2 of 3,
    shortfall 1 * 2                                                    = -2
    objective                                                          = 14.5
    hard power@2019: V1, V3 closed 2019, V2 has no gap: 3 of 3.
    gaps closed 7; total cost 10+6+4+20.0001+3+8+12 = 63.0001.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from planner.scenario import load_scenario
from planner.schema import TARGETS
from planner.verify import Violation, verify_plan

A, B = "甲县", "乙县"

SCENARIO_YAML = """\
name: tiny
years: [2019, 2020]
objective: max_coverage
exit_standard: [water, power, road]
deadlines:
- {target: power, year: 2019, scope: all}
- {target: road, year: 2019, scope: all, soft: true}
"""

VILLAGES = f"""\
village_id,name,county,exit_year,deep_poverty,relocated
V1,一村,{A},2019,true,false
V2,二村,{A},2020,false,false
V3,三村,{B},2020,true,false
V4,四村,{B},2020,false,true
"""

GAPS = """\
village_id,target,weight
V1,power,
V1,water,2
V1,collective_economy,
V2,road,
V2,water,
V2,health,
V3,power,
V3,road,
V4,water,
"""

PROJECTS = """\
project_id,village_id,target,cost,duration,cost_profile,earliest_year,self_share,requires,alternative_group
P1,V1,power,10,,,,,,
P2,V1,collective_economy,4,,,,,P1,
P3,V1,water,6,,,,0.5,,
P4,V2,road,20.0001,2,0.6;0.4,,,,
P5,V2,water,3,,,2020,,,G1
P6,V2,water,5,,,,,,G1
P7,V3,power,8,,,,,,
P8,V3,road,12,,,,,,
P9,V4,water,2,,,,,,
P10,V3,power,9,,,,,,
"""

FUNDS = f"""\
stream,year,amount,county,carry_over,targets
county_fund,2019,21.5,{A},true,*
county_fund,2020,10,{A},true,*
county_fund,2019,15,{B},true,*
county_fund,2020,10,{B},true,*
bonds,2019,12,,false,water;power;road
bonds,2020,8.00005,,true,water;power;road
"""

VILLAGE_INFO = {"V1": ("一村", A, 2019), "V2": ("二村", A, 2020), "V3": ("三村", B, 2020),
                "V4": ("四村", B, 2020)}
PROJECT_INFO = {"P1": ("V1", "power"), "P2": ("V1", "collective_economy"), "P3": ("V1", "water"),
                "P4": ("V2", "road"), "P5": ("V2", "water"), "P6": ("V2", "water"),
                "P7": ("V3", "power"), "P8": ("V3", "road"), "P9": ("V4", "water"),
                "P10": ("V3", "power")}

# (year, project, start, finish, cost, pooled, self_funded, county_fund, bonds)
SCHEDULE = [
    (2019, "P1", 2019, 2019, 10, 10, 0, 10, 0),
    (2019, "P3", 2019, 2019, 6, 3, 3, 3, 0),
    (2019, "P4", 2019, 2020, 12.0001, 12.0001, 0, 7, 5.0001),
    (2019, "P7", 2019, 2019, 8, 8, 0, 8, 0),
    (2019, "P8", 2019, 2019, 12, 12, 0, 7, 5),
    (2020, "P2", 2020, 2020, 4, 4, 0, 4, 0),
    (2020, "P4", 2019, 2020, 8, 8, 0, 7.5, 0.5),
    (2020, "P5", 2020, 2020, 3, 3, 0, 0, 3),
]

# (stream, year, county, budget, carried_in, spent, carried_out, unused)
FUNDS_OUT = [
    ("county_fund", 2019, A, 21.5, 0, 20, 1.5, 0),
    ("county_fund", 2020, A, 10, 1.5, 11.5, 0, 0),
    ("county_fund", 2019, B, 15, 0, 15, 0, 0),
    ("county_fund", 2020, B, 10, 0, 0, 0, 10),
    ("bonds", 2019, "", 12, 0, 10.0001, 0, 1.9999),
    ("bonds", 2020, "", 8, 0, 3.5, 0, 4.5),
]

# village_id, county, exit_year, gaps, gaps_closed, on_time, completion_year, open_targets
VILLAGES_OUT = [
    ("V1", A, 2019, 3, 3, "True", "2019", ""),
    ("V2", A, 2020, 3, 2, "True", "2020", "health"),
    ("V3", B, 2020, 2, 2, "True", "2019", ""),
    ("V4", B, 2020, 1, 0, "", "", "water"),
]

SUMMARY = {
    "scenario": "tiny", "solver": "by-hand", "status": "optimal", "objective": 14.5,
    "best_bound": 14.5, "gap": 0.0, "seconds": 0.0, "gaps_closed": 7,
    "villages_on_time": {"2019": 1, "2020": 2}, "total_cost": 63.0001,
}


def schedule_frame(rows=SCHEDULE) -> pd.DataFrame:
    out = []
    for year, pid, start, finish, cost, pooled, self_funded, county_fund, bonds in rows:
        vid, target = PROJECT_INFO[pid]
        name, county, exit_year = VILLAGE_INFO[vid]
        out.append({
            "year": year, "county": county, "village_id": vid, "village_name": name,
            "exit_year": exit_year, "target": target, "target_name": TARGETS[target].name_zh,
            "project_id": pid, "department": TARGETS[target].department,
            "start_year": start, "finish_year": finish, "cost": cost, "pooled_cost": pooled,
            "self_funded": self_funded, "bonds": bonds, "county_fund": county_fund,
        })
    return pd.DataFrame(out)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in ("cost", "pooled_cost", "self_funded", "bonds", "county_fund", "budget",
                "carried_in", "spent", "carried_out", "unused"):
        if col in out:
            out[col] = out[col].map(lambda x: f"{float(x):.4f}")
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


@pytest.fixture
def scenario(tmp_path):
    d = tmp_path / "tiny"
    d.mkdir()
    (d / "scenario.yaml").write_text(SCENARIO_YAML, encoding="utf-8")
    for name, text in (("villages", VILLAGES), ("gaps", GAPS), ("projects", PROJECTS),
                       ("funds", FUNDS)):
        (d / f"{name}.csv").write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def plan(tmp_path):
    d = tmp_path / "plan"
    d.mkdir()
    write_csv(schedule_frame(), d / "schedule.csv")
    write_csv(pd.DataFrame(FUNDS_OUT, columns=["stream", "year", "county", "budget",
                                               "carried_in", "spent", "carried_out", "unused"]),
              d / "funds.csv")
    write_csv(pd.DataFrame(VILLAGES_OUT, columns=["village_id", "county", "exit_year", "gaps",
                                                  "gaps_closed", "on_time", "completion_year",
                                                  "open_targets"]),
              d / "villages.csv")
    (d / "summary.json").write_text(json.dumps(SUMMARY, ensure_ascii=False), encoding="utf-8")
    return d


def read(plan_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(plan_dir / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def put(plan_dir: Path, name: str, frame: pd.DataFrame) -> None:
    frame.to_csv(plan_dir / name, index=False, encoding="utf-8-sig")


def edit_schedule(plan_dir: Path, rows) -> None:
    write_csv(schedule_frame(rows), plan_dir / "schedule.csv")


def edit_summary(plan_dir: Path, **changes) -> None:
    (plan_dir / "summary.json").write_text(json.dumps({**SUMMARY, **changes},
                                                      ensure_ascii=False), encoding="utf-8")


def rules(scenario_dir, plan_dir) -> set[str]:
    return {v.rule for v in verify_plan(load_scenario(scenario_dir), plan_dir)}


def replace_row(rows, year, pid, new):
    return [new if (r[0], r[1]) == (year, pid) else r for r in rows]


# ---------------------------------------------------------------- the correct plan

def test_correct_plan_is_accepted(scenario, plan):
    assert verify_plan(load_scenario(scenario), plan) == []


def test_empty_plan_lists_what_it_misses(scenario, tmp_path):
    """No works at all: no money rule breaks, but the hard deadline does."""
    d = tmp_path / "empty"
    d.mkdir()
    write_csv(schedule_frame([]).reindex(columns=schedule_frame().columns), d / "schedule.csv")
    found = verify_plan(load_scenario(scenario), d)
    got = {v.rule for v in found}
    assert "deadline" in got
    assert {"budget", "eligibility", "streams", "cost", "rows"}.isdisjoint(got)
    assert "file" in got  # villages.csv, funds.csv, summary.json are missing


# ---------------------------------------------------------------- one test per rule

def test_one_yuan_over_a_budget(scenario, plan):
    # P4 2019 takes 1.5001 more from 甲县's county fund (which has 1.5 left) and
    # 1.5001 less from bonds: the row still adds up, the county pool is 0.0001 over.
    rows = replace_row(SCHEDULE, 2019, "P4", (2019, "P4", 2019, 2020, 12.0001, 12.0001, 0,
                                              8.5001, 3.5))
    edit_schedule(plan, rows)
    found = verify_plan(load_scenario(scenario), plan)
    budget = [v.message for v in found if v.rule == "budget"]
    # 2019 is over by one unit; so nothing carries over, and 2020 (which used the
    # 1.5 carried) is over too
    assert len(budget) == 2
    assert "county_fund" in budget[0] and A in budget[0]
    assert "2019" in budget[0] and "over by 0.0001" in budget[0]
    assert "2020" in budget[1] and "over by 1.5000" in budget[1]
    assert {v.rule for v in found} <= {"budget", "funds"}


def test_budget_rounds_down_to_whole_units(scenario, plan):
    # bonds 2020 is 8.00005: the budget is 8.0000, so a plan using 8.00005 overspends.
    rows = [r for r in SCHEDULE if (r[0], r[1]) != (2020, "P4")]
    rows.append((2020, "P4", 2019, 2020, 8, 8, 0, 3, 5.0))
    rows = replace_row(rows, 2020, "P5", (2020, "P5", 2020, 2020, 3, 3, 0, 0, 3))
    edit_schedule(plan, rows)  # bonds 2020: 5 + 3 = 8.0000 <= 8.0000: fine
    assert "budget" not in rules(scenario, plan)
    rows = replace_row(rows, 2020, "P4", (2020, "P4", 2019, 2020, 8, 8, 0, 2.9999, 5.0001))
    edit_schedule(plan, rows)  # bonds 2020: 8.0001 > 8.0000
    assert "budget" in rules(scenario, plan)


def test_money_from_an_ineligible_stream(scenario, plan):
    # bonds may pay for water, power and road only; P2 is collective_economy.
    rows = replace_row(SCHEDULE, 2020, "P2", (2020, "P2", 2020, 2020, 4, 4, 0, 0, 4))
    edit_schedule(plan, rows)
    found = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "eligibility"]
    assert len(found) == 1 and "P2" in found[0].message and "bonds" in found[0].message


def test_project_streams_restrict_eligibility(scenario, plan):
    frame = pd.read_csv(scenario / "projects.csv", dtype=str, keep_default_na=False)
    frame["streams"] = ["bonds" if p == "P1" else "" for p in frame["project_id"]]
    frame.to_csv(scenario / "projects.csv", index=False)
    # P1 is paid by county_fund, which its streams list does not name
    assert "eligibility" in rules(scenario, plan)


def test_missed_hard_deadline(scenario, plan):
    # P7 (V3 power) moved to 2020: power@2019 met by V1 and V2 only, 2 of 3 required 3.
    rows = replace_row(SCHEDULE, 2019, "P7", (2020, "P7", 2020, 2020, 8, 8, 0, 8, 0))
    edit_schedule(plan, rows)
    found = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "deadline"]
    assert len(found) == 1
    assert "power" in found[0].message and "2 of 3" in found[0].message
    assert "V3" in found[0].message


def test_deadline_share_rounds_up(scenario, plan):
    # share 0.6 of 3 villages -> 1.8 -> 2 required; with P7 late, 2 meet it: fine.
    (scenario / "scenario.yaml").write_text(
        SCENARIO_YAML.replace("{target: power, year: 2019, scope: all}",
                              "{target: power, year: 2019, scope: all, share: 0.6}"),
        encoding="utf-8")
    rows = replace_row(SCHEDULE, 2019, "P7", (2020, "P7", 2020, 2020, 8, 8, 0, 8, 0))
    edit_schedule(plan, rows)
    assert "deadline" not in rules(scenario, plan)


def test_start_before_prerequisite_finishes(scenario, plan):
    # P2 requires P1 (finishes 2019): starting P2 in 2019 is too early.
    rows = replace_row(SCHEDULE, 2020, "P2", (2019, "P2", 2019, 2019, 4, 4, 0, 1.5, 0))
    edit_schedule(plan, rows)
    found = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "requires"]
    assert len(found) == 1 and "P2" in found[0].message and "P1" in found[0].message


def test_prerequisite_not_scheduled(scenario, plan):
    rows = [r for r in SCHEDULE if r[1] != "P1"]
    edit_schedule(plan, rows)
    assert "requires" in rules(scenario, plan)


def test_two_projects_of_one_alternative_group(scenario, plan):
    # P6 (group G1, like P5) added in 2020, paid by bonds (4.5 left: 5 is over, too).
    rows = SCHEDULE + [(2020, "P6", 2020, 2020, 5, 5, 0, 0, 5)]
    edit_schedule(plan, rows)
    found = rules(scenario, plan)
    assert "alternative_group" in found
    assert "one_per_gap" in found  # P5 and P6 both close V2 water


def test_two_works_for_one_gap(scenario, plan):
    # P10 closes V3 power like P7; 乙县 has 10 in 2020.
    rows = SCHEDULE + [(2020, "P10", 2020, 2020, 9, 9, 0, 9, 0)]
    edit_schedule(plan, rows)
    found = rules(scenario, plan)
    assert "one_per_gap" in found and "alternative_group" not in found


def test_cumulative_gap_allows_several_works(scenario, plan):
    # V3 power as a cumulative gap of quantity 2: P7 and P10 give 1 each.
    gaps = pd.read_csv(scenario / "gaps.csv", dtype=str, keep_default_na=False)
    gaps["quantity"] = ["2" if (v, t) == ("V3", "power") else "" for v, t in
                        zip(gaps["village_id"], gaps["target"])]
    gaps.to_csv(scenario / "gaps.csv", index=False)
    proj = pd.read_csv(scenario / "projects.csv", dtype=str, keep_default_na=False)
    proj["contributes"] = ["1" if p in ("P7", "P10") else "" for p in proj["project_id"]]
    proj.to_csv(scenario / "projects.csv", index=False)
    # P10 runs in 2020 from 乙县's 10: V3 power closes (1 + 1 = 2) only in 2020, late
    # for the hard power deadline (2019).
    rows = SCHEDULE + [(2020, "P10", 2020, 2020, 9, 9, 0, 9, 0)]
    edit_schedule(plan, rows)
    found = rules(scenario, plan)
    assert "one_per_gap" not in found
    assert "deadline" in found
    # with only P7 (1 of 2) the gap stays open: villages.csv and the deadline see it
    edit_schedule(plan, SCHEDULE)
    found = verify_plan(load_scenario(scenario), plan)
    msgs = [v.message for v in found if v.rule == "villages"]
    assert any("V3" in m and "open_targets" in m for m in msgs)


def test_wrong_on_time_in_villages_csv(scenario, plan):
    frame = read(plan, "villages.csv")
    frame.loc[frame["village_id"] == "V2", "on_time"] = "False"
    put(plan, "villages.csv", frame)
    found = [v for v in verify_plan(load_scenario(scenario), plan)]
    assert [v.rule for v in found] == ["villages"]
    assert "V2" in found[0].message and "on_time" in found[0].message


def test_villages_csv_other_columns(scenario, plan):
    frame = read(plan, "villages.csv")
    frame.loc[frame["village_id"] == "V1", "completion_year"] = "2020"
    frame.loc[frame["village_id"] == "V2", "open_targets"] = ""
    frame = frame[frame["village_id"] != "V4"]
    put(plan, "villages.csv", frame)
    msgs = [v.message for v in verify_plan(load_scenario(scenario), plan)]
    assert any("V1" in m and "completion_year" in m for m in msgs)
    assert any("V2" in m and "open_targets" in m for m in msgs)
    assert any("no row for village V4" in m for m in msgs)


def test_wrong_summary_objective(scenario, plan):
    # the gap is stated consistently with the (wrong) objective: only the value is wrong
    edit_summary(plan, objective=14.4999, best_bound=14.5, gap=(14.5 - 14.4999) / 14.4999)
    found = verify_plan(load_scenario(scenario), plan)
    assert [v.rule for v in found] == ["objective"]
    assert "14.5" in found[0].message


def test_objective_beyond_bound(scenario, plan):
    # a plan that beats its bound: with the gap stated as it follows from the numbers
    # and no claim of optimality, only the bound rule is broken
    edit_summary(plan, best_bound=14.0, gap=0.5 / 14.5, status="feasible")
    assert rules(scenario, plan) == {"objective"}
    # claiming `optimal` with that gap (3.4 % > 0.1 %) breaks the status rule too
    edit_summary(plan, best_bound=14.0, gap=0.5 / 14.5)
    assert rules(scenario, plan) == {"objective", "status"}


def test_summary_counts(scenario, plan):
    edit_summary(plan, gaps_closed=8, villages_on_time={"2019": 1, "2020": 3},
                 total_cost=63.0002)
    msgs = [v for v in verify_plan(load_scenario(scenario), plan)]
    assert {v.rule for v in msgs} == {"summary"}
    assert len(msgs) == 3


def test_summary_missing_keys(scenario, plan):
    data = dict(SUMMARY)
    del data["best_bound"], data["villages_on_time"]
    (plan / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    found = verify_plan(load_scenario(scenario), plan)
    assert any(v.rule == "summary" and "best_bound" in v.message for v in found)


def test_work_in_a_relocated_village(scenario, plan):
    # P9 in V4 (relocated), paid from 乙县's 2020 money.
    rows = SCHEDULE + [(2020, "P9", 2020, 2020, 2, 2, 0, 2, 0)]
    edit_schedule(plan, rows)
    found = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "relocated"]
    assert len(found) == 1 and "P9" in found[0].message and "V4" in found[0].message


def test_start_before_earliest_year(scenario, plan):
    # P5 may start in 2020 at the earliest; moved to 2019 (paid by bonds' 1.9999
    # left and 甲县's 1.5 left, within budget).
    rows = replace_row(SCHEDULE, 2020, "P5", (2019, "P5", 2019, 2019, 3, 3, 0, 1.5, 1.5))
    edit_schedule(plan, rows)
    found = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "start"]
    assert len(found) == 1 and "P5" in found[0].message and "2020" in found[0].message


def test_stream_columns_not_adding_up(scenario, plan):
    rows = replace_row(SCHEDULE, 2019, "P1", (2019, "P1", 2019, 2019, 10, 10, 0, 9.9999, 0))
    edit_schedule(plan, rows)
    found = verify_plan(load_scenario(scenario), plan)
    assert any(v.rule == "streams" and "P1" in v.message for v in found)


# ---------------------------------------------------------------- more schedule rules

def test_wrong_year_cost_and_missing_year(scenario, plan):
    # P4 2019 must be 12.0001 (largest remainder of 120000.6 / 80000.4); 12.0003 is off
    rows = replace_row(SCHEDULE, 2019, "P4", (2019, "P4", 2019, 2020, 12.0003, 12.0003, 0, 7,
                                              5.0003))
    edit_schedule(plan, rows)
    assert "cost" in rules(scenario, plan)
    # without its 2020 row, P4 is missing a year it spends in
    edit_schedule(plan, [r for r in SCHEDULE if (r[0], r[1]) != (2020, "P4")])
    assert "rows" in rules(scenario, plan)


def test_split_within_one_unit_is_accepted(scenario, plan):
    # 120000.6 / 80000.4 may also be written 12.0000 / 8.0001 (one unit off each year,
    # the total still 20.0001)
    rows = replace_row(SCHEDULE, 2019, "P4", (2019, "P4", 2019, 2020, 12.0, 12.0, 0, 7, 5.0))
    rows = replace_row(rows, 2020, "P4", (2020, "P4", 2019, 2020, 8.0001, 8.0001, 0, 7.5,
                                          0.5001))
    edit_schedule(plan, rows)
    assert {"cost", "streams", "rows"}.isdisjoint(rules(scenario, plan))


def test_self_share_pooled_cost(scenario, plan):
    # P3: self_share 0.5 -> pooled 3; writing the whole 6 as pooled is wrong.
    rows = replace_row(SCHEDULE, 2019, "P3", (2019, "P3", 2019, 2019, 6, 6, 0, 4.5, 1.5))
    edit_schedule(plan, rows)
    assert "cost" in rules(scenario, plan)


def test_finish_and_start_disagreement(scenario, plan):
    rows = replace_row(SCHEDULE, 2019, "P1", (2019, "P1", 2019, 2020, 10, 10, 0, 10, 0))
    edit_schedule(plan, rows)
    assert "finish" in rules(scenario, plan)
    rows = replace_row(SCHEDULE, 2020, "P4", (2020, "P4", 2020, 2021, 8, 8, 0, 7.5, 0.5))
    edit_schedule(plan, rows)
    assert "start" in rules(scenario, plan)


def test_unknown_project_and_wrong_county(scenario, plan):
    frame = read(plan, "schedule.csv")
    frame.loc[frame["project_id"] == "P7", "county"] = A
    frame.loc[frame["project_id"] == "P8", "project_id"] = "P99"
    put(plan, "schedule.csv", frame)
    msgs = [v for v in verify_plan(load_scenario(scenario), plan) if v.rule == "project"]
    assert any("P99" in v.message for v in msgs)
    assert any("P7" in v.message and "county" in v.message for v in msgs)


def test_wrong_department_label(scenario, plan):
    frame = read(plan, "schedule.csv")
    frame.loc[frame["project_id"] == "P1", "department"] = "水利部门"
    put(plan, "schedule.csv", frame)
    assert rules(scenario, plan) == {"label"}


def test_locks(scenario, plan):
    (scenario / "scenario.yaml").write_text(SCENARIO_YAML + "lock: {in: [P6], out: [P8]}\n",
                                            encoding="utf-8")
    msgs = [v.message for v in verify_plan(load_scenario(scenario), plan) if v.rule == "lock"]
    assert len(msgs) == 2
    assert any("P6" in m for m in msgs) and any("P8" in m for m in msgs)


def test_funds_table_mismatch(scenario, plan):
    frame = read(plan, "funds.csv")
    frame.loc[(frame["stream"] == "bonds") & (frame["year"] == "2019"), "carried_out"] = "1.9999"
    frame.loc[(frame["stream"] == "bonds") & (frame["year"] == "2019"), "unused"] = "0.0000"
    put(plan, "funds.csv", frame)
    msgs = [v for v in verify_plan(load_scenario(scenario), plan)]
    assert {v.rule for v in msgs} == {"funds"}
    assert any("carried_out" in v.message and "bonds" in v.message for v in msgs)


def test_min_cost_exit_standard(scenario, plan):
    # min_cost: every exit-standard gap by its due year.  V2 water (P5, 2020) is on
    # time; V2 road (P4, 2020) too.  Drop P5: V2 water stays open.
    (scenario / "scenario.yaml").write_text(
        SCENARIO_YAML.replace("max_coverage", "min_cost"), encoding="utf-8")
    # objective = pooled cost: 10 + 3 + 12.0001 + 8 + 12 + 4 + 8 + 3 = 60.0001
    edit_summary(plan, objective=60.0001, best_bound=60.0001)
    assert verify_plan(load_scenario(scenario), plan) == []
    edit_summary(plan, objective=60.0001, best_bound=61, gap=0.9999 / 60.0001,
                 status="feasible")
    assert rules(scenario, plan) == {"objective"}
    edit_summary(plan, objective=57.0001, best_bound=57.0001)
    edit_schedule(plan, [r for r in SCHEDULE if r[1] != "P5"])
    found = verify_plan(load_scenario(scenario), plan)
    assert any(v.rule == "exit_standard" and "V2" in v.message and "water" in v.message
               for v in found)


# ---------------------------------------------------------------- files and numbers

def test_missing_file_and_column(scenario, plan):
    (plan / "funds.csv").unlink()
    frame = read(plan, "villages.csv").drop(columns=["open_targets"])
    put(plan, "villages.csv", frame)
    found = verify_plan(load_scenario(scenario), plan)
    assert any(v.rule == "file" and "funds.csv" in v.message for v in found)
    assert any(v.rule == "column" and "open_targets" in v.message for v in found)


def test_missing_stream_column(scenario, plan):
    put(plan, "schedule.csv", read(plan, "schedule.csv").drop(columns=["bonds"]))
    found = verify_plan(load_scenario(scenario), plan)
    assert [v.rule for v in found] == ["column"] and "bonds" in found[0].message


def test_malformed_number(scenario, plan):
    frame = read(plan, "schedule.csv")
    frame.loc[2, "cost"] = "12,0001"
    put(plan, "schedule.csv", frame)
    found = verify_plan(load_scenario(scenario), plan)
    assert any(v.rule == "number" and "row 4" in v.message and "cost" in v.message
               for v in found)


def test_bad_summary_json(scenario, plan):
    (plan / "summary.json").write_text("{not json", encoding="utf-8")
    assert rules(scenario, plan) == {"file"}


def test_violation_str():
    assert str(Violation("budget", "over")) == "[budget] over"


# ---------------------------------------------------------------- scale

def test_large_schedule_checks_in_seconds(tmp_path):
    """A synthetic province-size schedule (every project of a generated scenario,
    started as early as allowed; it breaks rules, the point is the time)."""
    from planner.generate import generate

    d = tmp_path / "big"
    generate(d, villages=4000, counties=20, seed=7)
    scn = load_scenario(d)
    p = scn.projects.copy()
    p = p[~p["village_id"].isin(scn.villages.loc[scn.villages["relocated"], "village_id"])]
    vil = scn.villages.set_index("village_id")
    streams = list(dict.fromkeys(scn.funds["stream"]))
    ex = p.explode("cost_profile")
    k = ex.groupby("project_id").cumcount()
    sched = pd.DataFrame({
        "year": ex["earliest_year"] + k, "county": vil.loc[ex["village_id"], "county"].to_numpy(),
        "village_id": ex["village_id"],
        "village_name": vil.loc[ex["village_id"], "name"].to_numpy(),
        "exit_year": vil.loc[ex["village_id"], "exit_year"].to_numpy(), "target": ex["target"],
        "target_name": "", "project_id": ex["project_id"], "department": ex["department"],
        "start_year": ex["earliest_year"], "finish_year": ex["earliest_year"] + ex["duration"] - 1,
        "cost": (ex["cost"] * ex["cost_profile"].astype(float)).round(4),
    })
    sched["pooled_cost"] = (sched["cost"] * (1 - ex["self_share"])).round(4)
    sched["self_funded"] = sched["cost"] - sched["pooled_cost"]
    for s in streams:
        sched[s] = 0.0
    sched[streams[0]] = sched["pooled_cost"]
    plan = tmp_path / "bigplan"
    plan.mkdir()
    sched.to_csv(plan / "schedule.csv", index=False, float_format="%.4f")
    t0 = time.perf_counter()
    found = verify_plan(scn, plan)
    seconds = time.perf_counter() - t0
    # What this schedule breaks, worked out from the scenario alone: target_name is
    # blank in every row; the first stream pays every work (over its budgets, and for
    # works it may not pay for); every project starts in its earliest year, so a
    # prerequisite starting then too does not finish before, and gaps with several
    # candidate works get them all; villages.csv, funds.csv and summary.json are absent.
    start = dict(zip(p["project_id"], p["earliest_year"]))
    finish = dict(zip(p["project_id"], p["earliest_year"] + p["duration"] - 1))
    late_pre = any(q not in start or finish[q] >= start[pid]
                   for pid, reqs in zip(p["project_id"], p["requires"]) for q in reqs)
    cumulative = set(zip(scn.gaps.loc[scn.gaps["quantity"].notna(), "village_id"],
                         scn.gaps.loc[scn.gaps["quantity"].notna(), "target"]))
    per_gap = p.groupby(["village_id", "target"]).size()
    several = any(n > 1 and key not in cumulative for key, n in per_gap.items())
    want = {"file", "label", "budget", "eligibility"} | ({"requires"} if late_pre else set()) \
        | ({"one_per_gap"} if several else set())
    assert {v.rule for v in found} == want
    files = sorted(v.message.split()[0] for v in found if v.rule == "file")
    assert files == ["funds.csv", "summary.json", "villages.csv"]
    labels = [v.message for v in found if v.rule == "label"]
    assert all("has target_name ''" in m for m in labels[:-1])
    assert labels[-1] == f"... and {len(sched) - 20} more like the above"
    money = [v.message for v in found if v.rule in ("budget", "eligibility")]
    assert all(streams[0] in m for m in money if not m.startswith("..."))
    assert seconds < 15, f"verify_plan took {seconds:.1f} s on {len(sched)} rows"
