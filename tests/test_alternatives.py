"""Near-optimal alternatives and project importance on the tiny scenario (value 12)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.alternatives import alternatives, parse_tolerance
from planner.scenario import load_scenario
from planner.verify import verify_plan
from recorder import Recorder

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def test_parse_tolerance():
    assert parse_tolerance("1%") == pytest.approx(0.01)
    assert parse_tolerance("0.05") == pytest.approx(0.05)
    with pytest.raises(ValueError):
        parse_tolerance("150%")


def test_alternatives_differ_stay_within_and_verify(tmp_path):
    res = alternatives(TINY, 3, 0.4, tmp_path, gap=0)
    values = [r.objective for _, r in res.plans]
    assert values[0] == pytest.approx(12.0)
    assert len(res.plans) == 3
    assert all(v >= 0.6 * 12.0 - 1e-9 for v in values)
    starts = [tuple(r.start) for _, r in res.plans]
    assert len(set(starts)) == 3  # all different
    scn = load_scenario(TINY)
    for name, _ in res.plans:
        assert verify_plan(scn, tmp_path / name) == []
    assert list(res.table["plan"]) == ["plan-1", "plan-2", "plan-3"]
    assert (tmp_path / "alternatives.csv").is_file()


#: tiny's works and their villages (scenarios/tiny/projects.csv, villages.csv)
VILLAGE_OF = {"P01": "王家沟村", "P02": "王家沟村", "P03": "王家沟村", "P04": "李家庄村",
              "P05": "高家坪村", "P06": "高家坪村", "P07": "高家坪村", "P08": "石峁村",
              "P09": "石峁村"}


def test_changes_one_work_per_row(tmp_path):
    res = alternatives(TINY, 3, 0.4, tmp_path, top=0, gap=0)
    changes = pd.read_csv(tmp_path / "alternatives_changes.csv", dtype=str,
                          keep_default_na=False)
    assert "added_projects" not in res.table.columns  # no cell of ids any more
    for row in res.table.itertuples():
        mine = changes[changes["plan"] == row.plan]
        assert len(mine) == row.added + row.dropped + row.moved
        assert sorted(mine["change"]) == sorted(["added"] * row.added + ["dropped"] * row.dropped
                                                + ["moved"] * row.moved)
    assert len(changes) > 0
    for r in changes.itertuples():
        assert r.village_name == VILLAGE_OF[r.project_id]
        assert r.to == ("" if r.change == "dropped" else r.to)
        assert (r.change == "added") == (r._4 == "")  # no start before: added


def test_importance(tmp_path):
    # Without P04 (V2's environment, 18) V2 loses 1 + 3 and the 18 freed buys nothing
    # else in 岢岚县 (P09 needs 25, 21 would be left): importance 4.  P08 is the only work
    # for V4's road, which the road deadline requires by 2020: required, no re-solve; so
    # are P02 (V1's only road work) and P01 (deep-poverty V1's only power work, due 2019).
    told = Recorder()
    res = alternatives(TINY, 1, 0.0, tmp_path, gap=0, progress=told)
    # the live line is told each step: the optimum, then each of the 4 works of plan 1's 7
    # that are re-solved (not the 3 a deadline requires, below)
    assert told.steps[0] == "plan 1/1: the optimum"
    assert told.steps[-1].startswith("importance 4/4: the plan without ")
    imp = res.importance.set_index("project_id")
    assert imp.loc["P04", "importance"] == pytest.approx(4.0)
    assert imp.loc["P04", "status"] == "measured"
    assert (imp.loc["P04", "village_name"], imp.loc["P04", "target_name"]) == ("李家庄村",
                                                                                "农村环境整治")
    p08 = imp.loc["P08"]
    assert p08["status"] == "required by deadline"
    assert p08["reason"] == ("required by deadline road@2020[all]>=1: it is the only work for "
                             "the road gap of V4, which the deadline requires closed")
    assert pd.isna(p08["importance"])
    assert len(imp) == 7  # every work of plan 1
    required = imp.index[imp["status"] == "required by deadline"]
    assert sorted(required) == ["P01", "P02", "P08"]
    assert sorted(imp.index[:3]) == ["P01", "P02", "P08"]  # they come first
    assert "power@2019[deep_poverty]>=1" in imp.loc["P01", "reason"]


def test_importance_required_with_the_solve_diagnosis(tmp_path):
    # V4's road gets a second work P10 (200): P08 is no longer the gap's only work, so the
    # re-solve runs and finds no plan.  The diagnosis is `planner solve`'s: the road
    # deadline fails by one village, and 岢岚县 lacks 200 - 130 = 70 (all its money, 60 +
    # 40 bonds and 10 + 20 poverty fund, carried into 2020) to pay P10 in 2020.
    folder = tmp_path / "two-roads"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(f"base: {TINY}\nname: two-roads\n", encoding="utf-8")
    lib = (TINY / "projects.csv").read_text(encoding="utf-8-sig")
    (folder / "projects.csv").write_text(lib + "P10,V4,road,200,1,,,,\n", encoding="utf-8")
    res = alternatives(folder, 1, 0.0, tmp_path / "out", top=1, gap=0)
    # --top 1: P02 (120, the most pooled money) is required by the road deadline and listed
    # without a solve; P08 (80) is the one work re-solved
    assert list(res.importance["project_id"]) == ["P02", "P08"]
    p08 = res.importance.set_index("project_id").loc["P08"]
    assert (p08["status"], p08["status_without"]) == ("required", "infeasible")
    assert "deadline road@2020[all]>=1 cannot be met: short by 1 village(s)" in p08["reason"]
    assert "money missing to meet every hard rule: 70.0000 in all" in p08["reason"]
