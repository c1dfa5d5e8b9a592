"""`planner replan --actuals` given schedule.csv's own rows, as a user feeds them back
(issue 16): in English (`cost` is then the year's amount, `work_cost` the work's total)
or in Chinese (本年投入（万元）, 项目总投资（万元）); the work's total is the cost taken, and
one line says so.  No solve: the actuals are applied to tiny's scenario only.

tiny's P02 (V1's road) is a 2-year work of 120 (0.6;0.4: 72 in 2019, 48 in 2020), P01
(power) 45 in 2019; both are started in 2019 and re-planned from 2020.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import InputError
from planner.replan import apply_actuals
from planner.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def applied(tmp_path, text: str):
    path = tmp_path / "done.csv"
    path.write_text(text, encoding="utf-8-sig")
    told: list[str] = []
    scn, started = apply_actuals(load_scenario(TINY), path, 2020, warn=told.append)
    cost = dict(zip(scn.projects["project_id"], scn.projects["cost"]))
    return started, cost, told


def test_english_schedule_rows_take_the_work_cost(tmp_path):
    started, cost, told = applied(tmp_path, (
        "year,project_id,start_year,cost,work_cost\n"
        "2019,P01,2019,45.0000,45.0000\n"
        "2019,P02,2019,72.0000,120.0000\n"
        "2020,P02,2019,48.0000,120.0000\n"))
    assert started == {"P01": 2019, "P02": 2019}
    assert (cost["P01"], cost["P02"]) == (45.0, 120.0)  # not the year's 72
    assert told == ["done.csv: each work's cost is its work_cost (项目总投资), the work's "
                    "total over all its years; cost (in schedule.csv the year's amount) not "
                    "used"]


def test_chinese_schedule_rows_take_the_total_and_warn_beyond_ten_percent(tmp_path):
    # P02 really cost 140: +17 % on its planned 120, a warning naming the column taken
    started, cost, told = applied(tmp_path, (
        "年度,项目编号,开工年度,本年投入（万元）,项目总投资（万元）\n"
        "2019,P02,2019,84.0000,140.0000\n"
        "2020,P02,2019,56.0000,140.0000\n"))
    assert started == {"P02": 2019} and cost["P02"] == 140.0
    assert told == [
        "done.csv: each work's cost is its work_cost (项目总投资), the work's total over all "
        "its years; year_cost (本年投入), a year's amount not used",
        "done.csv, row 2, column work_cost: P02 cost 140 differs from its planned total cost "
        "120 (+17%) by more than 10%; give the work's whole cost over all its years "
        "(schedule.csv's work_cost, not the year's cost): it replaces the planned cost"]


def test_the_years_amounts_alone_are_added_up(tmp_path):
    started, cost, told = applied(tmp_path, (
        "项目编号,开工年度,本年投入（万元）\nP02,2019,72\nP02,2019,48\n"))
    assert started == {"P02": 2019} and cost["P02"] == 120.0
    assert told == ["done.csv: each work's cost is its rows' year_cost (本年投入), a year's "
                    "amount, added up; give work_cost (项目总投资) to state a work's total"]


@pytest.mark.parametrize("text, message", [
    # an old schedule fed back: its `cost` is the year's amount, not one total
    ("project_id,start_year,cost\nP02,2019,72\nP02,2019,48\n",
     "done.csv, row 3, column cost: '72': P02 has 2 different cost values (48, 72) on rows "
     "2, 3: a work has one total cost; schedule.csv's cost is a year's amount: give its "
     "work_cost (the work's total), or one row per work"),
    ("project_id,start_year,work_cost\nP02,2019,120\nP02,2018,120\n",
     "done.csv, row 3, column start_year: 2018: project listed twice with two start years "
     "(2019 on row 2); a work starts once"),
    ("项目编号,开工年度,项目总投资（万元）\nP02,2019,-1\n",
     "done.csv, row 2, column work_cost: -1.0: work_cost must be >= 0"),
])
def test_refused(tmp_path, text, message):
    with pytest.raises(InputError) as err:
        applied(tmp_path, text)
    assert message in str(err.value)
