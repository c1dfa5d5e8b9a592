"""Re-plan from actuals on the tiny scenario (worked through in scenarios/tiny/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.errors import InputError
from planner.pipeline import plan_scenario
from planner.replan import replan
from planner.verify import verify_plan

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
