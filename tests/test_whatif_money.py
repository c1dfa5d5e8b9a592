"""Money in the what-if CSVs is written as in the plan tables: exactly 4 decimals of the
unit (contract.md: "at least 4 decimals ... so that every budget can be re-added"), by
the plan tables' own function (planner.plan.money).

One table of each command on scenarios/tiny, read back as text; the amounts are tiny's,
worked by hand (scenarios/tiny/README.md): 360 of money in all; the optimum's pooled
cost 352 = 石楼县 225 (P01 45 + P02 120 + P03 60) + 岢岚县 127 (P08 80 + P04 18 + P05's
pooled half 20 + P07 9), its total 372 with P05's other half; the least extra money 22
(岢岚县 needs 152 and has 130); without 石楼县's 2020 poverty fund P03 (60) is dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.tables import read_output_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
FOUR = re.compile(r"-?\d+\.\d{4}")
#: file -> its money columns
MONEY = {
    "compare_changes.csv": ("cost", "pooled_cost"), "sweep.csv": ("cost", "money"),
    "needs.csv": ("budget", "funding_gap", "needed", "funding_gap_min", "funding_gap_max"),
    "changes.csv": ("cost", "pooled_cost"), "alternatives_changes.csv": ("cost", "pooled_cost"),
    "importance.csv": ("pooled_cost",),
    "priority.csv": ("cost", "pooled_cost", "cumulative_pooled_cost", "money"),
    "priority_levels.csv": ("money", "pooled_cost"),
}


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    base = tmp_path_factory.mktemp("whatif-money")
    cut = base / "cut"
    cut.mkdir()
    (cut / "scenario.yaml").write_text(
        f"base: {TINY}\nname: cut\noverrides:\n  funds:\n"
        "    - {stream: poverty_fund, county: 石楼县, year: 2020, set: 0}\n", encoding="utf-8")
    solver = ("--threads", 1, "--gap", 0)
    run("solve", TINY, "--out", base / "plan", *solver)
    run("compare", base / "plan", cut, "--out", base / "compare", *solver)
    run("sweep", TINY, "--budget-scale", "0.5:1:0.5", "--out", base / "sweep", "--threads", 1)
    run("needs", TINY, "--out", base / "needs", "--threads", 1)
    done = base / "done.csv"  # P01, P02, P04 done in 2019; P05 and P07 move to 2020
    done.write_text("project_id,start_year\nP01,2019\nP02,2019\nP04,2019\n", encoding="utf-8")
    run("replan", TINY, "--actuals", done, "--from", 2020, "--out", base / "replan", *solver)
    run("alternatives", TINY, "--count", 2, "--within", "10%", "--top", 1,
        "--out", base / "alternatives", *solver)
    run("priority", TINY, "--levels", "0.8:1:0.2", "--out", base / "priority", "--threads", 1)
    return base


def read(out: Path, path: str):
    return read_output_csv(out / path)


@pytest.mark.parametrize("path", ["compare/compare_changes.csv", "sweep/sweep.csv",
                                  "needs/needs.csv", "replan/changes.csv",
                                  "alternatives/alternatives_changes.csv",
                                  "alternatives/importance.csv", "priority/priority.csv",
                                  "priority/priority_levels.csv"])
def test_every_money_cell_has_four_decimals(out, path):
    t = read(out, path)
    cells = [v for c in MONEY[Path(path).name] for v in t[c] if v != ""]
    assert cells and all(FOUR.fullmatch(v) for v in cells), (path, cells)


def test_compare(out):
    t = read(out, "compare/compare.csv").set_index("metric")
    assert t.loc["pooled_cost"].tolist() == ["352.0000", "292.0000"]
    assert t.loc["total_cost"].tolist() == ["372.0000", "312.0000"]
    assert t.loc["spent[poverty_fund/石楼县/2020]"].tolist() == ["60.0000", "0.0000"]
    assert t.loc["value"].tolist() == ["12.0", "11.5"]  # not money: as it was
    c = read(out, "compare/compare_changes.csv").set_index("item")
    assert (c.at["P03", "cost"], c.at["P03", "pooled_cost"]) == ("60.0000", "60.0000")


def test_sweep(out):
    t = read(out, "sweep/sweep.csv").set_index("scale")
    assert (t.at["1.0", "cost"], t.at["1.0", "money"]) == ("352.0000", "360.0000")
    # counts are whole numbers (the solve's own at scale 1), blank at the scale with no
    # plan (0.5, test_whatif): not "2.0" because that row has none
    assert t.at["0.5", "error"] == "no plan"
    assert (t.at["0.5", "villages_on_time"], t.at["0.5", "gaps_closed"]) == ("", "")
    summary = json.loads((out / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert t.at["1.0", "villages_on_time"] == str(sum(summary["villages_on_time"].values()))
    assert t.at["1.0", "gaps_closed"] == str(summary["gaps_closed"])


def test_needs(out):
    total = read(out, "needs/needs.csv").set_index("kind").loc["total"]
    assert (total["budget"], total["funding_gap"], total["needed"]) == (
        "360.0000", "22.0000", "382.0000")


def test_replan_changes(out):
    t = read(out, "replan/changes.csv").set_index("project_id")
    assert (t.at["P05", "cost"], t.at["P05", "pooled_cost"]) == ("40.0000", "20.0000")


def test_alternatives_importance(out):
    t = read(out, "alternatives/importance.csv").set_index("project_id")
    assert t["pooled_cost"].to_dict() == {"P02": "120.0000", "P08": "80.0000",
                                          "P03": "60.0000"}


def test_priority(out):
    t = read(out, "priority/priority.csv").set_index("project_id")
    assert (t.at["P05", "cost"], t.at["P05", "pooled_cost"]) == ("40.0000", "20.0000")
    assert t["cumulative_pooled_cost"].iloc[-1] == "352.0000"
    levels = read(out, "priority/priority_levels.csv").set_index("scale")
    assert levels["money"].to_dict() == {"0.8": "288.0000", "1.0": "360.0000"}
    assert levels.at["1.0", "pooled_cost"] == "352.0000"
