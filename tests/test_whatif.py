"""What-if planning: variants, compare, sweep (Dask), needs — effects known in advance.

The tiny scenario (scenarios/tiny/README.md works it through) plans to a value
of 12: 石楼县 P01 power on time (1) + P02 road late (0.5) + P03 PV late (0.5);
岢岚县 P04 (V2 made up on time: 1 + 3), P05 + P07 (V3 on time: 2 + 3), P08 road (1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from planner.compare import compare, load_plan
from planner.needs import needs
from planner.pipeline import PlanningError, plan_scenario
from planner.scenario import load_scenario
from planner.sweep import parse_range, run_sweep

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def variant(tmp_path, name, overrides, **extra):
    folder = tmp_path / name
    folder.mkdir()
    cfg = {"base": str(TINY), "name": name, "overrides": overrides, **extra}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                          encoding="utf-8")
    return folder


def test_base_value(tmp_path):
    out = plan_scenario(TINY, None, gap=0)
    assert out.result.objective == pytest.approx(12.0)


def test_set_one_year_of_one_county_drops_the_pv_station(tmp_path):
    # Without 石楼县's 2020 poverty fund, P03 (collective economy: poverty fund only) has
    # 3 left of 60 needed: dropped, value 12 - 0.5 = 11.5.
    f = variant(tmp_path, "cut", {"funds": [
        {"stream": "poverty_fund", "county": "石楼县", "year": 2020, "set": 0}]})
    base = plan_scenario(TINY, tmp_path / "p0", gap=0)
    var = plan_scenario(f, tmp_path / "p1", gap=0)
    assert var.result.objective == pytest.approx(11.5)
    table, diff = compare([load_plan(tmp_path / "p0"), load_plan(tmp_path / "p1")])
    assert table.set_index("metric").loc["value"].tolist() == [12.0, 11.5]
    dropped = diff[diff["change"] == "project dropped"]
    assert dropped["item"].tolist() == ["P03"]
    # one row per work, in words: P03 is V1 王家沟村's collective-economy work (壮大村集体经济),
    # 60 in 2020, all pooled, paid from the poverty fund alone (special bonds exclude it)
    row = dropped.iloc[0]
    assert (row["county"], row["village_id"], row["village_name"]) == ("石楼县", "V1", "王家沟村")
    assert (row["target"], row["target_name"]) == ("collective_economy", "壮大村集体经济")
    assert (row["from"], row["to"], row["from_finish"], row["to_finish"]) == (2020, "", 2020, "")
    assert (row["cost"], row["pooled_cost"]) == (60.0, 60.0)
    assert (row["from_money"], row["to_money"]) == ("poverty_fund 60.0000", "")
    # the poverty fund spends 60 less: 114 -> 54
    money = diff[diff["change"] == "money spent from stream"].set_index("item")
    assert money.loc["poverty_fund", ["from", "to"]].tolist() == ["114.0000", "54.0000"]
    assert base.result.objective == pytest.approx(12.0)


def test_scale_to_zero_breaks_a_deadline_and_says_so(tmp_path):
    # No 石楼县 special bonds: P01 + P02's first year (117) exceed the 30 left in 2019.
    f = variant(tmp_path, "nobonds", {"funds": [
        {"stream": "special_bonds", "county": "石楼县", "scale": 0}]})
    with pytest.raises(PlanningError, match="cannot be met"):
        plan_scenario(f, None, gap=0)


def test_move_money_between_years(tmp_path):
    # Moving all 60 of 石楼县's 2020 poverty fund to 2019 keeps the total and lets P03
    # be paid in 2020 from carried money: value unchanged, 12.
    f = variant(tmp_path, "move", {"funds": [
        {"stream": "poverty_fund", "county": "石楼县", "move": {"from": 2020, "to": 2019,
                                                              "amount": 60}}]})
    scn = load_scenario(f)
    amounts = scn.funds.set_index(["stream", "county", "year"])["amount"]
    assert amounts[("poverty_fund", "石楼县", 2019)] == pytest.approx(90)
    assert amounts[("poverty_fund", "石楼县", 2020)] == pytest.approx(0)
    assert plan_scenario(f, None, gap=0).result.objective == pytest.approx(12.0)


def test_exclude_county_and_lock_out(tmp_path):
    # Excluding 岢岚县 leaves 石楼县's 2 of value; locking out P03 as well leaves 1.5.
    f = variant(tmp_path, "ex", {"exclude": {"counties": ["岢岚县"]}, "lock": {"out": ["P03"]}})
    out = plan_scenario(f, None, gap=0)
    assert out.result.objective == pytest.approx(1.5)
    assert set(out.plan.schedule["project_id"]) == {"P01", "P02"}


def test_locks_count_in_either_place(tmp_path):
    # `lock:` at the top level and `overrides.lock:` both hold: the union, not the last
    f = variant(tmp_path, "locks", {"lock": {"out": ["P03"]}}, lock={"out": ["P04"]})
    scn = load_scenario(f)
    assert scn.lock_out == {"P03", "P04"}
    out = plan_scenario(f, tmp_path / "plan", gap=0)
    assert not {"P03", "P04"} & set(out.plan.schedule["project_id"])


def test_weights_override_switches_the_choice(tmp_path):
    # Housing weighted 10.  岢岚县 has 50 after the forced road P08 (80): housing P09 (25)
    # completes V4 (road 1 + housing 10 + 3 = 14); with V2's environment (18, 1 + 3) that is
    # 18 for 43, better than V4 + V3's water (14 + 1 = 15, 45) or V2 + V3 (4 + 5 + road 1 = 10).
    # 石楼县 adds 2: 20.
    f = variant(tmp_path, "w", {"weights": {"housing": 10}})
    out = plan_scenario(f, None, gap=0)
    assert out.result.objective == pytest.approx(20.0)
    assert {"P09", "P04"} <= set(out.plan.schedule["project_id"])


def test_parse_range():
    assert parse_range("0.5:1.5:0.5") == [0.5, 1.0, 1.5]
    with pytest.raises(ValueError):
        parse_range("1:0:0.1")


def test_sweep_on_a_two_worker_local_cluster_reports_failures(tmp_path):
    # Scale 0.5 cannot meet the deadlines (reported in its row); 1.0 gives 12; 2.0 funds
    # every work of both counties: 12 + V4 housing (1 + 3 bonus) = 16.
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        frame = run_sweep(TINY, [0.5, 1.0, 2.0], scheduler=cluster.scheduler_address, gap=0)
    rows = frame.set_index("scale")
    assert rows.loc[0.5, "error"] == "no plan"
    # why, in `planner solve`'s words.  At half the money 石楼县 has 45 + 15 = 60 in 2019,
    # short of the road P02's first year (72), and 岢岚县 65 in all, short of the road P08
    # (80): the road deadline fails in both villages.  The money missing: 石楼县 needs
    # 45 (P01, the power deadline) + 72 in 2019 = 117 against 60 (57; its 2020 has 55
    # for P02's 48), 岢岚县 80 against 65 (15): 72 in all.
    assert "deadline road@2020[all]>=1 cannot be met: short by 2 village(s)" in \
        rows.loc[0.5, "why"]
    assert "money missing to meet every hard rule: 72.0000 in all" in rows.loc[0.5, "why"]
    assert rows.loc[1.0, "why"] == ""
    assert rows.loc[1.0, "value"] == pytest.approx(12.0)
    assert rows.loc[2.0, "value"] == pytest.approx(16.0)
    # tiny has 360 of money; doubling it adds 360 for 4 of value
    assert rows.loc[1.0, "money"] == pytest.approx(360.0)
    assert rows.loc[2.0, "marginal_value"] == pytest.approx(4.0 / 360.0)


def _needs_scenario(tmp_path, extra_2020=0.0):
    folder = tmp_path / f"needs{extra_2020}"
    folder.mkdir()
    (folder / "scenario.yaml").write_text("years: [2019, 2020]\nobjective: min_cost\n",
                                          encoding="utf-8")
    (folder / "villages.csv").write_text(
        "village_id,name,county,exit_year,deep_poverty\nA,甲村,X县,2020,false\n", encoding="utf-8")
    (folder / "gaps.csv").write_text("village_id,target\nA,water\nA,road\n", encoding="utf-8")
    (folder / "projects.csv").write_text(
        "project_id,village_id,target,cost\nP1,A,water,10\nP2,A,road,20\n", encoding="utf-8")
    (folder / "funds.csv").write_text(
        "stream,year,amount,carry_over,targets\ns,2019,5,true,*\n"
        f"s,2020,{10 + extra_2020},true,*\n",
        encoding="utf-8")
    return folder


@pytest.mark.smoke
def test_needs_is_exactly_enough(tmp_path):
    # A needs water (10) and road (20) by 2020: 30 in all; 15 is there, so 15 is missing.
    table, summary = needs(load_scenario(_needs_scenario(tmp_path)), gap=0)
    assert summary["least_total_money"] == pytest.approx(30.0)
    assert summary["funding_gap_total"] == pytest.approx(15.0)
    # With exactly that money added the exit standard holds; with a yuan less it does not.
    assert plan_scenario(_needs_scenario(tmp_path, 15.0), None, gap=0).plan.villages[
        "on_time"].all()
    with pytest.raises(PlanningError, match="money missing"):
        plan_scenario(_needs_scenario(tmp_path, 14.9999), None, gap=0)


def test_locked_csv(tmp_path):
    # locked.csv in a variant folder: P03 out (value 12 - 0.5 = 11.5).
    f = variant(tmp_path, "locked", {})
    (f / "locked.csv").write_text("project_id,lock\nP03,out\n", encoding="utf-8")
    out = plan_scenario(f, None, gap=0)
    assert out.result.objective == pytest.approx(11.5)
    (f / "locked.csv").write_text("project_id,lock\nP99,out\n", encoding="utf-8")
    from planner.errors import InputError
    with pytest.raises(InputError, match="locked.csv, row 2, column project_id"):
        load_scenario(f)


def test_needs_leaves_out_what_no_money_can_do(tmp_path):
    # B's road can start only in 2020 but B is due in 2019: no money helps; it is listed
    # and the rest (A's 30) is still computed.
    folder = _needs_scenario(tmp_path)
    (folder / "villages.csv").write_text(
        "village_id,name,county,exit_year,deep_poverty\nA,甲村,X县,2020,false\n"
        "B,乙村,X县,2019,false\n", encoding="utf-8")
    (folder / "gaps.csv").write_text("village_id,target\nA,water\nA,road\nB,road\n",
                                     encoding="utf-8")
    (folder / "projects.csv").write_text(
        "project_id,village_id,target,cost,earliest_year\nP1,A,water,10,\nP2,A,road,20,\n"
        "P3,B,road,5,2020\n", encoding="utf-8")
    table, summary = needs(load_scenario(folder), gap=0)
    assert summary["impossible_exit_gaps"] == ["B/road"]
    assert summary["least_total_money"] == pytest.approx(30.0)


def _red_pixels(path) -> int:
    """Pixels of matplotlib's tab:red (#d62728), the colour of a point with no plan."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    return int((np.abs(img - np.array([214, 39, 40])).sum(axis=2) < 30).sum())


@pytest.mark.smoke
def test_sweep_chart_marks_a_point_with_no_plan(tmp_path):
    import pandas as pd

    from planner.sweep import SWEEP_COLUMNS, plot_sweep

    good = {"value": 12.0, "villages_on_time": 2, "error": "", "why": ""}
    frame = pd.DataFrame([{"scale": 1.0, **good}, {"scale": 2.0, **good, "value": 16.0},
                          {"scale": 0.5, "value": None, "villages_on_time": None,
                           "error": "no plan", "why": "deadline road@2020[all]>=1 cannot be met"}],
                         columns=SWEEP_COLUMNS).sort_values("scale")
    plot_sweep(frame, tmp_path / "marked.png", "tiny")
    plot_sweep(frame[frame["scale"] > 0.5], tmp_path / "plain.png", "tiny")
    assert _red_pixels(tmp_path / "marked.png") > 50
    assert _red_pixels(tmp_path / "plain.png") == 0
