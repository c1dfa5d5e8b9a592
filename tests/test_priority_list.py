"""planner priority: nested plans over budget levels, the ranked list, the ratios.

The hand-worked case (`three_works`): one county, one year (2020), one stream with 100
万元, three villages with one gap each, exit_priority none (no on-time bonus: a plan's
value is the weight of the gaps it closes):

    PA  60 万元  weight 5        PB  50 万元  weight 4        PC  50 万元  weight 4

Levels x0.6 (60) and x1 (100), both sampled.
  x0.6: the best plan is PA alone (5; PB or PC alone is 4, PB + PC needs 100).
  x1:   the optimum is PB + PC (8) -- it drops PA, which x0.6 funds.
  up:   x1 keeps PA (locked in), 40 left buys nothing: 5, ratio 5 / 8 = 0.625;
        x0.6 is its own optimum: ratio 1.  The list: PA (rank 1, x0.6).
  down: x1 is the optimum (8); x0.6 chooses among PB, PC: one of them, 4, ratio
        4 / 5 = 0.8.  The list: that one at x0.6, the other at x1 (cumulative 100).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from models.params import SolveParams
from planner.check.priority_list import check_priority
from planner.cli import main
from planner.generate import generate
from planner.priority_list import LEVEL_COLUMNS, PRIORITY_COLUMNS, priority
from planner.priority_list.auto import auto_levels, least_scale
from planner.scenario import load_scenario
from planner.tables import read_output_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
FAST = {"threads": 1, "time_limit": 60, "gap": 0}


def three_works(folder: Path) -> Path:
    folder.mkdir()
    (folder / "scenario.yaml").write_text(
        "name: three-works\nyears: [2020]\nexit_priority: none\n", encoding="utf-8")
    (folder / "villages.csv").write_text(
        "village_id,name,county,exit_year,deep_poverty\n"
        "VA,甲村,一县,2020,false\nVB,乙村,一县,2020,false\nVC,丙村,一县,2020,false\n",
        encoding="utf-8")
    (folder / "gaps.csv").write_text(
        "village_id,target,weight\nVA,water,5\nVB,water,4\nVC,water,4\n", encoding="utf-8")
    (folder / "projects.csv").write_text(
        "project_id,village_id,target,cost\nPA,VA,water,60\nPB,VB,water,50\nPC,VC,water,50\n",
        encoding="utf-8")
    (folder / "funds.csv").write_text(
        "stream,year,amount,county\npoverty_fund,2020,100,一县\n", encoding="utf-8")
    return folder


def works(plan_dir: Path) -> set:
    return set(read_output_csv(plan_dir / "schedule.csv")["project_id"])


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    base = tmp_path_factory.mktemp("hand")
    scn = three_works(base / "scn")
    up = priority(scn, base / "up", [0.6, 1.0], sample=[0.6, 1.0], direction="up", **FAST)
    down = priority(scn, base / "down", [0.6, 1.0], sample=[0.6, 1.0], direction="down",
                    **FAST)
    return base, up, down


def test_up_keeps_the_work_the_optimum_drops(hand):
    base, up, _ = hand
    lv = up.levels.set_index("scale")
    assert lv.loc[0.6, "value"] == 5 and lv.loc[0.6, "ratio"] == 1.0
    assert (lv.loc[1.0, "value"], lv.loc[1.0, "optimum_value"]) == (5, 8)
    assert lv.loc[1.0, "ratio"] == 0.625
    assert (lv.loc[1.0, "works"], lv.loc[1.0, "added"]) == (1, 0)
    # the un-nested optimum at x1 drops PA; the nested plan keeps it
    assert works(base / "up" / "optimum" / "x1" / "plan") == {"PB", "PC"}
    assert works(base / "up" / "levels" / "x1" / "plan") == {"PA"}
    assert up.table[["rank", "project_id", "scale", "cumulative_pooled_cost", "value"]
                    ].values.tolist() == [[1, "PA", 0.6, 60.0, 5.0]]
    assert check_priority(base / "up") == []


def test_down_keeps_the_optimum_at_the_top(hand):
    base, _, down = hand
    lv = down.levels.set_index("scale")
    assert (lv.loc[1.0, "value"], lv.loc[1.0, "ratio"]) == (8, 1.0)
    assert lv.loc[1.0, "optimum_plan"] == "levels/x1/plan"  # no nesting lock: its own optimum
    assert (lv.loc[0.6, "value"], lv.loc[0.6, "optimum_value"], lv.loc[0.6, "ratio"]) == (
        4, 5, 0.8)
    first = down.table.iloc[0]["project_id"]
    assert first in ("PB", "PC")
    assert down.table[["project_id", "scale", "cumulative_pooled_cost"]].values.tolist() == [
        [first, 0.6, 50.0], [({"PB", "PC"} - {first}).pop(), 1.0, 100.0]]
    assert check_priority(base / "down") == []


def test_auto_levels_start_at_the_least_money_of_the_hard_rules(tmp_path):
    # a deadline: water closed in ceil(0.3 x 3) = 1 village by 2020; the cheapest work for
    # it is 50 of the 100: the hard rules hold from x0.5, and 8 levels from there to 1
    scn = three_works(tmp_path / "scn")
    (scn / "scenario.yaml").write_text(
        "name: three-works\nyears: [2020]\nexit_priority: none\n"
        "deadlines:\n- {target: water, year: 2020, share: 0.3}\n", encoding="utf-8")
    loaded = load_scenario(scn)
    least = least_scale(loaded, SolveParams.merged(loaded.solver, threads=1), 30)
    assert least == 0.5
    assert auto_levels(least) == [0.5, 0.58, 0.65, 0.72, 0.79, 0.86, 0.93, 1.0]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    base = tmp_path_factory.mktemp("gen")
    generate(base / "scn", villages=30, counties=2, seed=3)
    res = priority(base / "scn", base / "out", [0.75, 0.85, 1.0], threads=1, time_limit=60)
    return base / "out", res


def test_nested_at_every_level_and_checked(generated):
    out, res = generated
    planned = res.levels[res.levels["plan"] != ""]
    assert len(planned) == 3
    below: set = set()
    for folder in planned["plan"]:
        now = works(out / folder)
        assert below <= now  # a larger budget never drops a work
        below = now
    # the list: every work of the largest plan once, in the order of the level it enters,
    # the cumulative pooled cost re-added
    assert sorted(res.table["project_id"]) == sorted(below)
    assert res.table["scale"].is_monotonic_increasing
    assert res.table["cumulative_pooled_cost"].round(4).tolist() == \
        res.table["pooled_cost"].cumsum().round(4).tolist()
    # sampled by default: every second level down from the largest
    sampled = res.levels[res.levels["optimum_plan"] != ""]
    assert sampled["scale"].tolist() == [0.75, 1.0] and sampled["ratio"].notna().all()
    assert check_priority(out) == []


def test_columns_and_the_checker_catches_a_changed_cell(generated, tmp_path):
    import shutil

    out, res = generated
    table = read_output_csv(out / "priority.csv")
    levels = read_output_csv(out / "priority_levels.csv")
    assert list(table.columns) == PRIORITY_COLUMNS
    assert list(levels.columns) == LEVEL_COLUMNS
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    bad = table.copy()
    bad.loc[2, "cumulative_pooled_cost"] = "1.0000"
    bad.to_csv(copy / "priority.csv", index=False)
    assert any(v.rule == "priority" and "cumulative_pooled_cost" in v.message
               for v in check_priority(copy))
    bad = levels.copy()
    row = levels.index[levels["ratio"] != ""][0]
    bad.loc[row, "ratio"] = "0.5"
    bad.to_csv(copy / "priority_levels.csv", index=False)
    table.to_csv(copy / "priority.csv", index=False)
    assert [v.rule for v in check_priority(copy)] == ["levels"]


def test_cli_on_tiny_in_chinese(tmp_path):
    result = CliRunner().invoke(main, ["priority", str(TINY), "--out", str(tmp_path / "p"),
                                       "--levels", "0.98:1:0.01", "--threads", "1", "--lang",
                                       "zh"])
    assert result.exit_code == 0, result.output
    head = read_output_csv(tmp_path / "p" / "priority.csv").columns.tolist()
    assert head[:3] == ["排序", "项目编号", "县"]
    assert "累计统筹资金（万元）" in head and "项目统筹资金合计（万元）" in head
    levels = pd.read_csv(tmp_path / "p" / "priority_levels.csv", dtype=str)
    assert "嵌套方案与最优方案目标值之比" in levels.columns
    assert check_priority(tmp_path / "p") == []
    # a sampled scale that is not a level is a usage error
    bad = CliRunner().invoke(main, ["priority", str(TINY), "--out", str(tmp_path / "q"),
                                    "--levels", "0.98:1:0.01", "--sample", "0.5"])
    assert bad.exit_code == 2 and "--sample" in bad.output


def test_a_split_ending_below_the_level_below_is_solved_whole_from_it(tmp_path,
                                                                      monkeypatch):
    # planner solve would split this scenario by county (stand-in: split wanted), and the
    # split (which takes no warm start) finds no plan for x0.6 and the empty plan after:
    # x0.6 is solved whole (PA, 5), x1 whole from x0.6's plan (PA kept: 5), and the
    # optimum whole from the nested plan finds PB + PC (8)
    import numpy as np

    import planner.priority_list as pl
    from models.result import Result, SolveStatus

    real, calls = pl.solve_planned, []

    def split_stand_in(inst, params, budget=None, *, split=False, **kw):
        if not split:
            return real(inst, params, budget, **kw)
        calls.append(inst)
        if len(calls) == 1:
            return inst, Result.no_solution(SolveStatus.TIME_LIMIT, "highs", 0.0)
        empty = np.full(inst.n_projects, -1, dtype=np.int64)
        return inst, Result(SolveStatus.FEASIBLE, "highs", objective=0.0, start=empty,
                            on_time=np.zeros(inst.n_villages, dtype=bool))

    monkeypatch.setattr(pl, "split_by_county_wanted", lambda inst, params: True)
    monkeypatch.setattr(pl, "solve_planned", split_stand_in)
    res = priority(three_works(tmp_path / "scn"), tmp_path / "out", [0.6, 1.0], sample=[1.0],
                   direction="up", **FAST)
    lv = res.levels.set_index("scale")
    assert (lv.loc[0.6, "value"], lv.loc[1.0, "value"], lv.loc[1.0, "optimum_value"]) == (
        5, 5, 8)
    assert len(calls) == 3
    hints = [read_summary(tmp_path / "out" / f)["options"]["hint"]
             for f in ("levels/x0.6/plan", "levels/x1/plan", "optimum/x1/plan")]
    assert hints == ["the county split found no plan: solved whole",
                     "the plan of the level below (the county split ended below it)",
                     "the nested plan (the county split ended below it)"]
    assert check_priority(tmp_path / "out") == []


def read_summary(folder: Path) -> dict:
    import json

    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_python_api(tmp_path):
    import planner

    scn = planner.load_scenario(three_works(tmp_path / "scn"))
    table, levels = planner.priority(scn, tmp_path / "out", levels="0.6:1:0.4", sample=[1.0],
                                     direction="up", **FAST)
    assert table["project_id"].tolist() == ["PA"]
    assert levels["ratio"].tolist()[1] == 0.625
