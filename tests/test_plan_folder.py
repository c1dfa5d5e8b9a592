"""The plan folder's one reader (planner.plan.folder.read_plan) and the commands on it.

A plan of the tiny scenario with every id a number with leading zeros (villages
001-004, projects 001-008) and a village named like a formula (`=王家沟村`) is
solved, then "re-saved by Excel" as GBK (the CSVs decoded and encoded again, same
text), and read back by compare, explain, replan --previous and `planner check`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.compare import load_plan
from planner.outdir import MARKER
from planner.pipeline import plan_scenario
from planner.plan import read_plan
from planner.plan.folder import PlanFolderError, check_plan_folder
from planner.replan import previous_starts, replan

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
CSVS = ("schedule.csv", "villages.csv", "funds.csv")
EVIL = "=王家沟村"


def _numeric_ids(text: str) -> str:
    """V1 -> 001, P01 -> 001: ids that a reader guessing types would turn into 1."""
    text = re.sub(r"\bV(\d)\b", r"00\1", text)
    return re.sub(r"\bP(\d\d)\b", r"0\1", text)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    scn = tmp_path_factory.mktemp("scn") / "tiny"
    shutil.copytree(TINY, scn)
    for name in ("villages.csv", "gaps.csv", "projects.csv"):
        path = scn / name
        path.write_text(_numeric_ids(path.read_text(encoding="utf-8-sig")), encoding="utf-8-sig")
    villages = scn / "villages.csv"
    villages.write_text(villages.read_text(encoding="utf-8-sig").replace("王家沟村", EVIL),
                        encoding="utf-8-sig")
    return scn


@pytest.fixture(scope="module")
def plans(scenario, tmp_path_factory):
    """(the plan as written, the same plan re-saved as GBK, the Outcome)."""
    base = tmp_path_factory.mktemp("plans")
    utf8 = base / "utf8"
    outcome = plan_scenario(scenario, utf8, gap=0)
    gbk = base / "gbk"
    shutil.copytree(utf8, gbk)
    for name in CSVS:
        text = (gbk / name).read_bytes().decode("utf-8-sig")
        (gbk / name).write_bytes(text.encode("gbk"))
    return utf8, gbk, outcome


def test_gbk_resave_is_gbk_and_read_as_written(plans):
    utf8, gbk, outcome = plans
    with pytest.raises(UnicodeDecodeError):
        (gbk / "villages.csv").read_bytes().decode("utf-8")
    a, b = read_plan(utf8), read_plan(gbk)
    for name in ("schedule", "villages", "funds"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.summary == b.summary
    # the tables as the planner made them, ids as text and names as in the inputs
    made = outcome.plan
    assert list(b.villages["village_id"]) == ["001", "002", "003", "004"]
    assert list(b.villages["village_id"]) == list(made.villages["village_id"])
    assert list(b.schedule["project_id"]) == list(made.schedule["project_id"])
    assert list(b.schedule["start_year"]) == list(made.schedule["start_year"])
    assert list(b.villages["on_time"]) == [str(v) for v in made.villages["on_time"]]
    assert list(b.funds["spent"]) == pytest.approx(list(made.funds["spent"]))
    assert b.villages["relocated"].dtype == bool
    # neutralisation undone: the file holds '=王家沟村, the reader gives =王家沟村
    raw = (gbk / "villages.csv").read_bytes().decode("gbk")
    assert "'" + EVIL in raw
    assert b.villages.loc[b.villages["village_id"] == "001", "village_name"].item() == EVIL
    assert set(b.schedule.loc[b.schedule["village_id"] == "001", "village_name"]) == {EVIL}
    assert b.villages.loc[b.villages["village_id"] == "001", "county"].item() == "石楼县"


def test_gbk_resave_is_whole_but_an_edit_is_not(plans, tmp_path):
    _, gbk, _ = plans
    assert check_plan_folder(gbk)["scenario"] == "tiny"
    edited = tmp_path / "edited"
    shutil.copytree(gbk, edited)
    text = (edited / "funds.csv").read_bytes().decode("gbk")
    (edited / "funds.csv").write_bytes(text.replace("石楼县", "岢岚县", 1).encode("gbk"))
    with pytest.raises(PlanFolderError, match="is not the file the planner wrote"):
        check_plan_folder(edited)


def test_planner_check_reads_gbk(scenario, plans):
    _, gbk, _ = plans
    res = CliRunner().invoke(main, ["check", str(scenario), str(gbk)])
    assert res.exit_code == 0, res.output
    assert "satisfies every rule" in res.output


def test_compare_keeps_ids_as_text(plans, tmp_path):
    # the reference: the GBK plan; the other: project 001 moved to 2020 and village 001
    # on time, by hand (the marker taken away: an edited folder of the old kind)
    _, gbk, _ = plans
    other = tmp_path / "other"
    shutil.copytree(gbk, other)
    (other / MARKER).unlink()
    sched = (other / "schedule.csv").read_bytes().decode("gbk").splitlines()
    head = sched[0].split(",")
    col = {c: i for i, c in enumerate(head)}
    rows = [r.split(",") for r in sched[1:]]
    mine = [r for r in rows if r[col["project_id"]] == "001"]
    assert [r[col["start_year"]] for r in mine] == ["2019"]  # a one-year work in 2019
    for r in mine:
        r[col["year"]] = r[col["start_year"]] = r[col["finish_year"]] = "2020"
    (other / "schedule.csv").write_bytes(
        "\r\n".join([sched[0]] + [",".join(r) for r in rows]).encode("gbk") + b"\r\n")
    vil = (other / "villages.csv").read_bytes().decode("gbk").splitlines()
    vhead = vil[0].split(",")
    vrows = [r.split(",") for r in vil[1:]]
    for r in vrows:
        if r[0] == "001":
            assert r[vhead.index("on_time")] == "False"  # its road finishes in 2020
            r[vhead.index("on_time")] = "True"
    (other / "villages.csv").write_bytes(
        "\r\n".join([vil[0]] + [",".join(r) for r in vrows]).encode("gbk") + b"\r\n")

    out = tmp_path / "cmp"
    res = CliRunner().invoke(main, ["compare", str(gbk), str(other), "--out", str(out)])
    assert res.exit_code == 0, res.output
    changes = pd.read_csv(out / "compare_changes.csv", dtype=str, keep_default_na=False)
    got = sorted(zip(changes["change"], changes["item"], changes["from"], changes["to"]))
    assert got == [("project moved", "001", "2019", "2020"),
                   ("village gains on-time exit", "001", "False", "True")]
    assert ",001," in (out / "compare_changes.csv").read_text(encoding="utf-8-sig")
    # the library reader gives the same ids
    assert "001" in set(load_plan(other).villages["village_id"])


def test_explain_reads_gbk(scenario, plans):
    _, gbk, outcome = plans
    res = CliRunner().invoke(main, ["explain", str(gbk), "--village", "001",
                                    "--scenario", str(scenario)])
    assert res.exit_code == 0, res.output
    first = res.output.splitlines()[0]
    assert first.startswith(f"001 {EVIL} (石楼县): exit year 2019, due 2019"), first
    # the plan value explain re-adds from the GBK schedule is the solver's
    value = float(first.rsplit("plan value ", 1)[1])
    assert value == pytest.approx(outcome.result.objective)


def test_replan_previous_reads_gbk_and_keeps_ids(scenario, plans, tmp_path):
    utf8, gbk, outcome = plans
    made = outcome.plan.schedule.drop_duplicates("project_id")
    expected = {p: int(y) for p, y in zip(made["project_id"], made["start_year"])}
    assert previous_starts(gbk) == expected == previous_starts(utf8)
    assert all(len(p) == 3 and p.startswith("0") for p in expected)
    # as in tests/test_replan.py: 石楼县's poverty fund 0 in 2020 drops the PV station 003
    funds = tmp_path / "funds_actual.csv"
    funds.write_text("stream,year,county,amount\npoverty_fund,2020,石楼县,0\n", encoding="utf-8")
    done = tmp_path / "done.csv"
    done.write_text("project_id,start_year\n001,2019\n002,2019\n004,2019\n", encoding="utf-8")
    out = tmp_path / "re"
    res = CliRunner().invoke(main, ["replan", str(scenario), "--actuals", str(done),
                                    "--from", "2020", "--previous", str(gbk),
                                    "--actual-funds", str(funds), "--gap", "0",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    changes = pd.read_csv(out / "changes.csv", dtype=str, keep_default_na=False)
    assert ("dropped", "003") in set(zip(changes["change"], changes["project_id"]))
    assert set(changes["project_id"]) <= set(expected) | set(read_plan(out).schedule["project_id"])
    assert all(len(p) == 3 for p in changes["project_id"])
    lib = replan(scenario, done, 2020, None, previous=gbk, actual_funds=funds, gap=0)
    assert lib.previous == expected


def test_a_malformed_cell_is_one_message(plans, tmp_path):
    _, gbk, _ = plans
    bad = tmp_path / "bad"
    shutil.copytree(gbk, bad)
    lines = (bad / "funds.csv").read_bytes().decode("gbk").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("spent")] = "十二"
    (bad / "funds.csv").write_bytes("\r\n".join([lines[0], ",".join(row), *lines[2:]])
                                    .encode("gbk"))
    with pytest.raises(PlanFolderError, match=r"funds.csv row 2, column spent: '十二' is not "
                                              r"a number"):
        read_plan(bad)
