"""Re-plan from actuals on the tiny scenario (worked through in scenarios/tiny/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.errors import InputError
from planner.pipeline import plan_scenario
from planner.replan import replan
from planner.verify import verify_plan
from recorder import Recorder

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def _actuals(tmp_path, rows):
    path = tmp_path / "done.csv"
    path.write_text("project_id,start_year\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_replan_after_a_2020_cut(tmp_path):
    # Executed in 2019: P01 (grid), P02 (road, 2 years), P04 (V2's environment).
    # In 2020 石楼县's poverty fund turns out to be 0: the PV station P03 (poverty fund only)
    # cannot be paid.  岢岚县 carries 70 - 18 = 52 into 2020 and gets 60: 112 pays V3's
    # water P05 (20 pooled) + broadband P07 (9) + the forced road P08 (80) = 109.
    # Value: P01 1 + P02 late 0.5 + V2 (1 + 3) + V3 on time (2 + 3) + P08 1 = 11.5.
    prev = tmp_path / "prev"
    plan_scenario(TINY, prev, gap=0)
    funds = tmp_path / "funds_actual.csv"
    funds.write_text("stream,year,county,amount\npoverty_fund,2020,石楼县,0\n", encoding="utf-8")
    done = _actuals(tmp_path, ["P01,2019", "P02,2019", "P04,2019"])
    res = replan(TINY, done, 2020, tmp_path / "re", previous=prev, actual_funds=funds, gap=0)
    assert res.outcome.result.objective == pytest.approx(11.5)
    sched = res.outcome.plan.schedule.drop_duplicates("project_id").set_index("project_id")
    assert sched.loc[["P01", "P02", "P04"], "start_year"].tolist() == [2019, 2019, 2019]
    assert (sched.drop(["P01", "P02", "P04"])["start_year"] == 2020).all()
    changes = res.changes.set_index("project_id")
    assert changes.loc["P03", "change"] == "dropped"
    # one row per work with its village, target, years and money: P05 (V3 高家坪村's water,
    # 40 of which half is the households' share) started in 2019 in the previous plan
    # and can only start in 2020 now
    p05 = changes.loc["P05"]
    assert (p05["change"], p05["from"], p05["to"], p05["to_finish"]) == ("moved", 2019, 2020, 2020)
    assert (p05["county"], p05["village_name"], p05["target_name"]) == ("岢岚县", "高家坪村",
                                                                         "农村饮水安全")
    assert (p05["cost"], p05["pooled_cost"]) == (40.0, 20.0)
    # whatever streams paid it, their money adds up to the pooled 20 in both plans
    for text in (p05["from_money"], p05["to_money"]):
        assert sum(float(part.split()[1]) for part in text.split("; ")) == pytest.approx(20.0)
    assert verify_plan(res.outcome.scenario, tmp_path / "re") == []
    assert (tmp_path / "re" / "changes.csv").is_file()


def test_stable_changes_no_more_than_plain(tmp_path):
    prev = tmp_path / "prev"
    plan_scenario(TINY, prev, gap=0)
    done = _actuals(tmp_path, ["P01,2019", "P02,2019"])
    plain = replan(TINY, done, 2020, None, previous=prev, gap=0)
    steady = replan(TINY, done, 2020, None, previous=prev, stable=True, gap=0)
    assert steady.outcome.result.objective == pytest.approx(plain.outcome.result.objective)
    assert len(steady.changes) <= len(plain.changes)
    assert steady.outcome.result.options["stable"].startswith("fewest changes")


def test_actuals_must_lie_before_from(tmp_path):
    done = _actuals(tmp_path, ["P01,2020"])
    with pytest.raises(InputError, match=r"done.csv, row 2, column start_year"):
        replan(TINY, done, 2020, None, previous=None, gap=0)


def test_an_actual_cost_far_from_the_planned_total_is_a_warning(tmp_path):
    # P02 (road, 2 years, 120) given its first year's cost 72: 40 % below, one warning;
    # P01 at 45, its planned cost, and P04 at 19 (18 planned: +5.6 %) pass quietly.
    done = tmp_path / "done.csv"
    done.write_text("project_id,start_year,cost\nP01,2019,45\nP02,2019,72\nP04,2019,19\n",
                    encoding="utf-8")
    told, line = [], Recorder()
    res = replan(TINY, done, 2020, None, previous=None, gap=0, warn=told.append, progress=line)
    assert line.steps == ["the previous plan: the scenario solved afresh",
                          "re-planning 2020-2020 around 3 executed work(s)"]
    assert told == [
        "done.csv, row 3, column cost: P02 cost 72 differs from its planned total cost 120 "
        "(-40%) by more than 10%; give the work's whole cost over all its years "
        "(schedule.csv's work_cost, not the year's cost): it replaces the planned cost"]
    assert res.outcome.scenario.warnings[-1] == told[0]


def test_no_plan_for_the_remaining_years_says_why(tmp_path):
    # Executed in 2019: P01 and P02 in 石楼县 only.  岢岚县 gets nothing in 2020: it has
    # its 2019 money, 60 + 10 = 70, carried, and V4's road P08 (80, the only road work,
    # which the road deadline requires by 2020) can no longer start in 2019.  10 missing.
    funds = tmp_path / "funds_actual.csv"
    funds.write_text("stream,year,county,amount\nspecial_bonds,2020,岢岚县,0\n"
                     "poverty_fund,2020,岢岚县,0\n", encoding="utf-8")
    done = _actuals(tmp_path, ["P01,2019", "P02,2019"])
    res = CliRunner().invoke(main, ["replan", str(TINY), "--actuals", str(done), "--from",
                                    "2020", "--actual-funds", str(funds), "--gap", "0",
                                    "--out", str(tmp_path / "re")])
    assert res.exit_code == 1, res.output
    assert "no plan for 2020 around what was executed: the hard rules " \
           "cannot all hold with this money" in res.output
    assert "deadline road@2020[all]>=1 cannot be met: short by 1 village(s)" in res.output
    assert "money missing to meet every hard rule: 10.0000 in all" in res.output
    assert "deadline road@2020[all]>=1: villages left short in the relaxed plan: V4 石峁村" \
        in res.output
    assert "planner solve" not in res.output
