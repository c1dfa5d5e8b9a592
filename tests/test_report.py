"""`planner report`: one self-contained report.html for a plan folder."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from planner.outputs.report import write_report
from planner.pipeline import plan_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
CHROMIUM = Path("/usr/bin/chromium")
SVG_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")


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


def render_png(page: Path, tmp_path: Path, size: tuple[int, int]) -> Path:
    """Headless Chromium screenshot of a local page (no network, a fresh profile)."""
    png = tmp_path / f"{page.stem}.png"
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
           f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
           page.resolve().as_uri()]
    subprocess.run(cmd, timeout=60, capture_output=True, cwd=tmp_path,
                   env={**os.environ, "HOME": str(tmp_path)})
    assert png.is_file(), "chromium wrote no screenshot"
    return png


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
            assert t in text, t

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

    # headings in Chinese with English
    for heading in ("计划概要 (Summary)", "任务分解 (Department task lists)",
                    "分县情况 (Per county)"):
        assert heading in text
    _well_formed(text)


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
    assert "no works chosen" in text
    assert "<svg" in text  # the money and batch charts are still drawn
    _well_formed(text)


def test_report_renders(report, tmp_path):
    """With chromium: render headless to PNG. Without: the HTML is at least well-formed."""
    text = report.read_text(encoding="utf-8")
    checker = _well_formed(text)
    assert checker.counts.get("svg", 0) >= 3 and checker.counts.get("table", 0) >= 5
    if not CHROMIUM.exists():
        return
    png = render_png(report, tmp_path, (1200, 2000))
    assert png.stat().st_size > 10_000
