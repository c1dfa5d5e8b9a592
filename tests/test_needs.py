"""`planner needs`: the funding gap's least total, its split by the stated rule and the
range of each stream-year, and what no money can make hold, each worked out by hand on a
one- or two-village scenario of two years (2019, 2020; money carried over)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write_scenario
from models.funding_gap import SPLIT_RULE
from planner.cli import main
from planner.needs import needs
from planner.scenario import load_scenario
from recorder import Recorder

CONFIG = {"years": [2019, 2020], "objective": "min_cost"}
VILLAGE_A = "A,甲村,X县,2020,false"


def scenario(tmp_path, *, villages=(VILLAGE_A,), gaps=("A,water", "A,road"),
             projects=("P1,A,water,10,", "P2,A,road,20,"),
             funds=("s,2019,5,true,*", "s,2020,10,true,*"),
             project_header="project_id,village_id,target,cost,earliest_year"):
    return load_scenario(write_scenario(
        tmp_path / "scn", villages=list(villages), gaps=list(gaps), projects=list(projects),
        funds=list(funds), config=CONFIG, project_header=project_header))


def rows(table, kind):
    return table[table["kind"] == kind]


def money(table):
    return rows(table, "money").set_index(["stream", "year"])


def test_split_latest_year_and_the_ranges(tmp_path):
    # A (due 2020) needs water 10 + road 20 = 30; s has 5 + 10 = 15, so 15 is missing.
    # Both works can run in 2020, so the rule (as late as possible) asks all 15 in 2020;
    # with carry-over, 15 given in 2019 does as well: each year's range is 0..15.
    told = Recorder()
    table, summary = needs(scenario(tmp_path), progress=told, gap=0)
    assert summary["funding_gap_total"] == pytest.approx(15.0)
    # the live line is told each step; the ranges of s 2019 and s 2020 are solved
    assert told.steps[:3] == ["what no money can make hold", "the least money, money unlimited",
                              "funding gap: the least extra money"]
    assert "funding gap: range of pool-year 2/2" in told.steps
    m = money(table)
    assert m.loc[("s", 2019), "funding_gap"] == pytest.approx(0.0)
    assert m.loc[("s", 2020), "funding_gap"] == pytest.approx(15.0)
    assert m.loc[("s", 2020), "needed"] == pytest.approx(25.0)
    for year in (2019, 2020):
        assert m.loc[("s", year), "funding_gap_min"] == pytest.approx(0.0)
        assert m.loc[("s", year), "funding_gap_max"] == pytest.approx(15.0)
    assert summary["funding_gap_split_unique"] is False
    total = rows(table, "total").iloc[0]
    assert total["funding_gap"] == pytest.approx(15.0)
    assert total["budget"] == pytest.approx(15.0) and total["needed"] == pytest.approx(30.0)
    assert "other splits of the stream-years cost the same" in total["reason"]
    assert SPLIT_RULE in total["reason"]  # the rule is written into needs.csv


def test_split_unique_when_the_works_are_due_in_the_first_year(tmp_path):
    # A due 2019: both works (30) must be paid in 2019, where s has 5: 25 missing, all in
    # 2019, and no other split does it (2019: 25..25, 2020: 0..0).
    table, summary = needs(scenario(tmp_path, villages=("A,甲村,X县,2019,false",)), gap=0)
    m = money(table)
    assert m.loc[("s", 2019), ["funding_gap", "funding_gap_min", "funding_gap_max"]].tolist() \
        == pytest.approx([25.0, 25.0, 25.0])
    assert m.loc[("s", 2020), ["funding_gap", "funding_gap_min", "funding_gap_max"]].tolist() \
        == pytest.approx([0.0, 0.0, 0.0])
    assert summary["funding_gap_split_unique"] is True
    assert "no other split of the same works costs the same" in rows(table, "total").iloc[0][
        "reason"]


def test_split_prefers_the_more_flexible_stream(tmp_path):
    # A second stream r, with no money, may pay for roads only (1 work; s for 2).  The
    # rule asks the 15 of s in 2020.  r could take up to 15 in either year instead: s
    # pays the water (10) and 5 of the road, r the road's other 15.
    table, _ = needs(scenario(tmp_path, funds=("s,2019,5,true,*", "s,2020,10,true,*",
                                               "r,2019,0,true,road", "r,2020,0,true,road")),
                     gap=0)
    m = money(table)
    assert m.loc[("s", 2020), "funding_gap"] == pytest.approx(15.0)
    assert m.loc[[("r", 2019), ("r", 2020)], "funding_gap"].tolist() == pytest.approx([0, 0])
    assert m.loc[[("r", 2019), ("r", 2020)], "funding_gap_max"].tolist() == \
        pytest.approx([15.0, 15.0])


def test_impossible_exit_gaps_in_needs_csv_with_their_reasons(tmp_path):
    # B (due 2019) has a road work that can start only in 2020: no money closes it in time
    # (models.possible: a 1-year work, earliest start 2020).  A's road requires its water
    # finished first, and A is due 2019: both can be paid, but not both by 2019 - the
    # elastic solve finds that one.  What is left: A's water (10), B's nothing.
    villages = ("A,甲村,X县,2019,false", "B,乙村,X县,2019,false")
    folder = tmp_path / "scn"
    write_scenario(folder, villages=list(villages), gaps=["A,water", "A,road", "B,road"],
                   projects=["P1,A,water,10,,", "P2,A,road,20,,P1", "P3,B,road,5,2020,"],
                   funds=["s,2019,5,true,*", "s,2020,10,true,*"], config=CONFIG,
                   project_header="project_id,village_id,target,cost,earliest_year,requires")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["needs", str(folder), "--gap", "0", "--out", str(out)])
    assert res.exit_code == 0, res.output
    import pandas as pd

    table = pd.read_csv(out / "needs.csv", dtype=str, keep_default_na=False)
    b = rows(table, "exit gap no money can close")
    assert b[["village_id", "village_name", "county", "year", "target", "target_name"]].values \
        .tolist() == [["B", "乙村", "X县", "2019", "road", "村级公路建设"]]
    assert b.iloc[0]["reason"] == ("no money can close it by its village's due year: "
                                   "road: 1-year work, earliest start 2020, due 2019")
    a = rows(table, "exit gap no plan can close")
    assert a[["village_id", "target"]].values.tolist() == [["A", "road"]]
    assert "prerequisites" in a.iloc[0]["reason"]
    summary = json.loads((out / "needs.json").read_text(encoding="utf-8"))
    assert summary["impossible_exit_gaps"] == ["A/road", "B/road"]
    # A's water alone: 10 in 2019 against 5 there
    assert summary["least_total_money"] == pytest.approx(10.0)
    assert summary["funding_gap_total"] == pytest.approx(5.0)


def test_ranges_county_by_county(tmp_path):
    # Two counties, each its own stream: X县 as above (15 missing of 30), Y县's village B
    # (due 2020) needs a road of 20 with 10 in 2019: 10 missing.  25 in all; money cannot
    # cross a county line, so s takes 0..15 in either year and t 0..10.
    folder = write_scenario(
        tmp_path / "two", villages=[VILLAGE_A, "B,乙村,Y县,2020,false"],
        gaps=["A,water", "A,road", "B,road"],
        projects=["P1,A,water,10", "P2,A,road,20", "P3,B,road,20"],
        funds=["s,2019,5,X县,true,*", "s,2020,10,X县,true,*", "t,2019,10,Y县,true,*",
               "t,2020,0,Y县,true,*"],
        config=CONFIG, fund_header="stream,year,amount,county,carry_over,targets")
    table, summary = needs(load_scenario(folder), gap=0)
    assert summary["funding_gap_total"] == pytest.approx(25.0)
    m = money(table)
    assert m.loc[("s", 2020), "funding_gap"] == pytest.approx(15.0)
    assert m.loc[("t", 2020), "funding_gap"] == pytest.approx(10.0)
    assert m["funding_gap_max"].tolist() == pytest.approx([15.0, 15.0, 10.0, 10.0])
    assert m["funding_gap_min"].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0])
    assert summary["funding_gap_ranges_complete"] is True
