"""`planner report`: one self-contained report.html for a plan folder, in English or
in Chinese (`--lang zh`, else the plan's language).  How it looks in a browser:
tests/test_browser.py."""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.outputs.report import build_html, write_report
from planner.outputs.sheets import write_sheets
from planner.pipeline import plan_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
SVG_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
#: the Chinese names of the fund streams and tiny's targets, as the policy names them
STREAM_ZH = {"special_bonds": "政府专项债务资金", "poverty_fund": "切块下达的财政专项扶贫资金",
             "lottery": "中央彩票公益金项目资金", "collective_fund": "财政壮大村集体经济专项投入",
             "integrated": "统筹整合的各类财政资金"}
TARGET_NAMES = {"en": {"road": "Village road", "collective_economy": "Collective economy",
                       "housing": "Dangerous houses", "power": "Power grid",
                       "water": "Drinking water", "environment": "Living environment",
                       "broadband": "Broadband"},
                "zh": {"road": "村级公路建设", "collective_economy": "壮大村集体经济",
                       "housing": "农村危房改造", "power": "农村电网建设", "water": "农村饮水安全",
                       "environment": "农村环境整治", "broadband": "农村网络建设"}}
#: a money cell: 4 decimals (not a share such as 0.0000%)
MONEY = re.compile(r"^-?\d+\.\d{4}(?![\d%])")


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "plan"
    plan_scenario(TINY, out, gap=0)
    return out


@pytest.fixture(scope="module")
def report(plan_dir) -> Path:
    return write_report(plan_dir)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


class _TagChecker(HTMLParser):
    """Checks that every opened table/tr/td/th/div/section/svg is closed, in order."""

    WATCHED = {"table", "thead", "tbody", "tr", "td", "th", "div", "section", "svg",
               "html", "head", "body", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.counts: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        if tag in self.WATCHED:
            self.stack.append(tag)
            self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_startendtag(self, tag, attrs):
        pass  # <br/>, <path .../>: nothing to close

    def handle_endtag(self, tag):
        if tag not in self.WATCHED:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes "
                               f"{self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:  # recover so one error is not reported many times
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def _well_formed(text: str) -> _TagChecker:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"never closed: {checker.stack}"
    return checker


class _Tables(HTMLParser):
    """The tables of a page: (headers, rows) each, cells as their text, a cell spanning
    columns repeated in each."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.span = 1
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "svg"):
            self.skip += 1
        elif tag == "table":
            self.tables.append(([], []))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell, self.span = [], int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("style", "svg"):
            self.skip -= 1
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row += ["".join(self.cell).strip()] * self.span
            self.cell = None
        elif tag == "tr" and self.row is not None and self.tables:
            headers, rows = self.tables[-1]
            if not headers:
                headers += self.row
            else:
                rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None and not self.skip:
            self.cell.append(data)


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def money_without_unit(text: str, unit: str = "万元") -> list[str]:
    """Money cells (4 decimals) whose column header does not state the unit, nor (in a
    two-column item/value table) the row's item."""
    missing = []
    for headers, rows in tables(text):
        for row in rows:
            for j, cell in enumerate(row):
                if not MONEY.match(cell) or j >= len(headers):
                    continue
                item = row[0] if len(headers) == 2 and j == 1 else ""
                if unit not in headers[j] and unit not in item:
                    missing.append(f"{item or headers[j]!r}: {cell}")
    return sorted(set(missing))


def english_words(text: str, allowed: set[str]) -> set[str]:
    """The Latin words of a page's text (outside <style> and charts) not in `allowed`."""
    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", text, flags=re.S)
    words = set(re.findall(r"[A-Za-z][A-Za-z_]+", html.unescape(re.sub(r"<[^>]+>", " ", body))))
    return words - allowed


def plan_words(plan_dir: Path) -> set[str]:
    """Words a Chinese page may show as they are: the plan's ids, codes and names, the
    scenario and the solver's name, the deadlines' and the reasons' own texts."""
    found = set()
    for name in ("schedule.csv", "villages.csv"):
        frame = pd.read_csv(plan_dir / name, encoding="utf-8-sig", dtype=str,
                            keep_default_na=False)
        for col in ("village_id", "project_id", "target", "open_targets", "late_targets",
                    "why_not_possible"):
            if col in frame:
                for value in frame[col]:
                    found |= set(re.findall(r"[A-Za-z][A-Za-z_]+", value))
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    for value in [summary["scenario"], summary["solver"], plan_dir.name] + \
            [d["deadline"] for d in summary["deadlines"]]:
        found |= set(re.findall(r"[A-Za-z][A-Za-z_]+", str(value)))
    return found


def test_report_is_self_contained_and_complete(plan_dir, report):
    assert report == plan_dir / "report.html"
    assert report.is_file()
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<svg" in text

    # nothing to fetch: no scripts, stylesheets, imports or remote urls
    low = text.lower()
    for bad in ("<script", "<link", "@import", "url(http", "<iframe", "<img src=\"http"):
        assert bad not in low, bad
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= set(SVG_NAMESPACES), urls - set(SVG_NAMESPACES)
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text  # SVG inlined, not as a document

    schedule = _read(plan_dir / "schedule.csv")
    villages = _read(plan_dir / "villages.csv")
    funds = _read(plan_dir / "funds.csv")
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))

    assert len(schedule) > 0
    for dept in set(schedule["department"]) - {""}:
        assert html.escape(dept) in text, dept
    for pid in set(schedule["project_id"]):
        assert html.escape(pid) in text, pid
    late = villages[villages["on_time"].str.lower() == "false"]
    assert len(late) > 0  # tiny has late villages (V1 closes late, V4 leaves housing open)
    for vid in late["village_id"]:
        assert html.escape(vid) in text, vid
    for targets in late["open_targets"].tolist() + late["late_targets"].tolist():
        for t in filter(None, targets.split(";")):
            assert TARGET_NAMES["en"][t] in text, t  # by their English names

    # the numbers, formatted as the CLI and the CSV files write money
    for key in ("total_cost", "pooled_cost", "money_available"):
        assert f"{summary[key]:.4f}" in text, key
    for stream, spent in summary["spent_by_stream"].items():
        assert stream in text and f"{spent:.4f}" in text
    for value in funds["budget"]:
        assert value in text  # 4-decimal strings straight from funds.csv
    for d in summary["deadlines"]:
        assert html.escape(d["deadline"]) in text
    for year in summary["villages_due"]:
        assert f">{year}<" in text
    assert html.escape(summary["scenario"]) in text and summary["status"] in text

    # in English (the default): headings, streams by their codes, money with its unit
    for heading in ("<h2>Summary</h2>", "<h2>Department task lists</h2>",
                    "<h2>Per county</h2>", '<html lang="en">', "<td>Total cost (万元)</td>"):
        assert heading in text
    assert "<td>poverty_fund</td><td class=\"num\">114.0000</td>" in text
    assert money_without_unit(text) == []
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(
        "|".join(map(re.escape, _data_texts(plan_dir))), "", re.sub(r"<style.*?</style>", "",
                                                                    text, flags=re.S)))
    _well_formed(text)


def _data_texts(plan_dir: Path) -> list[str]:
    """The Chinese texts of the plan's own cells (names, departments), longest first."""
    found = set()
    for name in ("schedule.csv", "villages.csv", "funds.csv"):
        frame = pd.read_csv(plan_dir / name, encoding="utf-8-sig", dtype=str,
                            keep_default_na=False)
        for col in frame.columns:
            found |= {v for v in frame[col] if re.search(r"[\u4e00-\u9fff]", v)}
    found |= {"万元"}  # the unit
    return sorted(found, key=len, reverse=True)


def test_report_in_chinese(plan_dir):
    """`lang="zh"`: Chinese headings, streams, targets and status, the unit on every money
    column, no English word of the page's own."""
    text = build_html(plan_dir, lang="zh")
    for word in ('<html lang="zh-CN">', "<h2>计划概要</h2>", "<h2>任务分解</h2>",
                 "<h2>分县情况</h2>", "<td>总投资（万元）</td>", "<td>求解状态</td><td>最优</td>",
                 "年度资金（万元）</th>", "<td>硬约束</td>", "<td>达到</td>", "金额单位：万元"):
        assert word in text, word
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8"))
    for stream, spent in summary["spent_by_stream"].items():
        assert f"<td>{STREAM_ZH[stream]}</td><td class=\"num\">{spent:.4f}</td>" in text
    for code, name in TARGET_NAMES["zh"].items():
        assert name in text, code
    assert money_without_unit(text) == []
    assert english_words(text, plan_words(plan_dir)) == set()
    _well_formed(text)


def test_the_unit_check_finds_a_money_column_without_it():
    page = ("<table><tr><th>投资（万元）</th><th>支出</th><th>比例</th></tr>"
            "<tr><td>1.0000</td><td>2.5000</td><td>0.0000%</td></tr></table>"
            "<table><tr><th>项目</th><th>值</th></tr><tr><td>总投资（万元）</td><td>3.0000</td></tr>"
            "<tr><td>可用资金</td><td>4.0000</td></tr></table>")
    assert money_without_unit(page) == ["'可用资金': 4.0000", "'支出': 2.5000"]
    assert english_words("<p>村 V1 plan</p><style>p {}</style>", {"V"}) == {"plan"}


@pytest.fixture(scope="module")
def zh_plan(tmp_path_factory) -> Path:
    """tiny solved with --lang zh: its tables, and so summary.json, in Chinese."""
    out = tmp_path_factory.mktemp("zh") / "plan"
    plan_scenario(TINY, out, gap=0, lang="zh")
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["lang"] == "zh"
    return out


def test_report_and_sheets_follow_the_plans_language(zh_plan, tmp_path):
    """A plan solved in Chinese gets a Chinese report and sheets; --lang en wins."""
    res = CliRunner().invoke(main, ["report", str(zh_plan)])
    assert res.exit_code == 0, res.output
    assert "<h2>计划概要</h2>" in (zh_plan / "report.html").read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["report", str(zh_plan), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "<h2>Summary</h2>" in (zh_plan / "report.html").read_text(encoding="utf-8")
    write_sheets(zh_plan, tmp_path / "zh")
    header = (tmp_path / "zh" / "notice.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("县,乡镇,村名,村编号,")
    res = CliRunner().invoke(main, ["sheets", str(zh_plan), "--out", str(tmp_path / "en"),
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    header = (tmp_path / "en" / "notice.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("County,Township,Village,Village id,")


def test_report_is_rewritten_atomically(plan_dir, report):
    first = report.read_bytes()
    again = write_report(plan_dir)
    assert again.read_bytes() == first  # same inputs, same report (deterministic SVG ids)
    leftovers = [p.name for p in plan_dir.iterdir() if p.name.startswith(".report-")]
    assert leftovers == []


def test_report_with_no_works(plan_dir, tmp_path):
    """A plan that chose nothing still gets a whole report."""
    empty = tmp_path / "empty"
    shutil.copytree(plan_dir, empty)
    header = (plan_dir / "schedule.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (empty / "schedule.csv").write_text(header + "\r\n", encoding="utf-8-sig")
    (empty / "report.html").unlink(missing_ok=True)
    out = write_report(empty)
    text = out.read_text(encoding="utf-8")
    assert "No works are chosen in this plan." in text
    assert "<svg" in text  # the money and batch charts are still drawn
    _well_formed(text)


def test_report_has_its_charts_and_tables(report):
    checker = _well_formed(report.read_text(encoding="utf-8"))
    assert checker.counts.get("svg", 0) >= 3 and checker.counts.get("table", 0) >= 5
