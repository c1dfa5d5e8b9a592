"""`planner sheets`: printable village pages, index and county public notices."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.outputs.sheets import NOTICE_COLUMNS, village_file, write_sheets
from planner.pipeline import plan_scenario
from test_report import SVG_NAMESPACES, _well_formed, render_png

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
CHROMIUM = Path("/usr/bin/chromium")
STREAM_ZH = {"special_bonds": "政府专项债务资金", "poverty_fund": "切块下达的财政专项扶贫资金",
             "lottery": "中央彩票公益金项目资金", "collective_fund": "财政壮大村集体经济专项投入",
             "integrated": "统筹整合的各类财政资金"}
FIXED = ["year", "county", "township", "village_id", "village_name", "exit_year", "target",
         "target_name", "project_id", "department", "start_year", "finish_year", "cost",
         "pooled_cost", "self_funded"]


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sheets") / "plan"
    plan_scenario(TINY, out, gap=0)
    return out


@pytest.fixture(scope="module")
def sheets(plan_dir) -> tuple[Path, dict]:
    counts = write_sheets(plan_dir)
    return plan_dir / "sheets", counts


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _units(text: str) -> int:
    return int(round(float(text) * 10_000))


def _self_contained(text: str) -> None:
    low = text.lower()
    for bad in ("<script", "<link", "@import", "url(", "<iframe", "<img"):
        assert bad not in low, bad
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= set(SVG_NAMESPACES), urls - set(SVG_NAMESPACES)


def test_one_page_per_planned_village(plan_dir, sheets):
    out, counts = sheets
    villages = _read(plan_dir / "villages.csv")
    planned = villages[villages["relocated"].str.lower() != "true"]
    assert len(planned) == 4  # tiny: four villages, none relocated
    assert counts["villages"] == counts["pages"] == 4
    assert counts["counties"] == planned["county"].nunique() == 2
    pages = sorted(p.name for p in out.glob("village-*.html"))
    assert pages == sorted(village_file(v) for v in planned["village_id"])
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f'href="{page}"' in index
    for county in planned["county"].unique():
        assert html.escape(county) in index
        assert (out / f"notice-{county}.html").is_file()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".sheets-")]
    assert leftovers == []


def test_village_pages_hold_their_works_and_money(plan_dir, sheets):
    out, _ = sheets
    schedule = _read(plan_dir / "schedule.csv")
    villages = _read(plan_dir / "villages.csv")
    streams = [c for c in schedule.columns if c not in FIXED]
    for _, v in villages.iterrows():
        text = (out / village_file(v["village_id"])).read_text(encoding="utf-8")
        assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*15mm", text)
        assert f"{html.escape(v['village_name'])} 提升工程任务图与时间表" in text
        assert html.escape(v["county"]) in text and html.escape(v["township"]) in text
        assert "编制单位" in text and "日期" in text
        mine = schedule[schedule["village_id"] == v["village_id"]]
        for _, r in mine.iterrows():  # every work and every yearly amount, as written
            for col in ("project_id", "target_name", "department", "cost"):
                assert html.escape(r[col]) in text, (v["village_id"], col, r[col])
        for pid, rows in mine.groupby("project_id"):
            total = sum(_units(x) for x in rows["cost"])
            assert f"{total / 10_000:.4f}" in text, pid
            for s in streams:
                amount = sum(_units(x) for x in rows[s])
                if amount:
                    assert f"{amount / 10_000:.4f}" in text, (pid, s)
                    assert STREAM_ZH.get(s, s) in text
        for t in filter(None, v["open_targets"].split(";")):
            assert t in text  # V4 leaves housing open
        for t in filter(None, v["late_targets"].split(";")):
            assert t in text
        if mine.empty:
            assert "no works are planned" in text
        _self_contained(text)
        _well_formed(text)


def test_notice_csv_one_row_per_project(plan_dir, sheets):
    out, _ = sheets
    schedule = _read(plan_dir / "schedule.csv")
    raw = (out / "notice.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out / "notice.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == NOTICE_COLUMNS
    assert len(rows) == schedule["project_id"].nunique()
    by_project = schedule.groupby("project_id")
    for r in rows:
        assert r["公示期"] == "" and r["监督电话"] == ""
        pid = re.search(r"（([^（）]+)）$", r["项目名称/任务"]).group(1)
        rows_p = by_project.get_group(pid)
        first = rows_p.iloc[0]
        assert first["target_name"] in r["项目名称/任务"]
        assert r["村编号"] == first["village_id"] and r["县"] == first["county"]
        assert r["责任单位"] == first["department"]
        cost = sum(_units(x) for x in rows_p["cost"])
        assert _units(r["投资 (万元)"]) == cost
        assert r["投资 (万元)"] == f"{cost / 10_000:.4f}"
        start, finish = first["start_year"], first["finish_year"]
        assert r["建设年度"] == (start if start == finish else f"{start}–{finish}")
        parts = [p.rsplit(" ", 1) for p in r["资金来源"].split("; ")]
        assert sum(_units(a) for _, a in parts) == cost  # streams + self-funded = cost
    for county in schedule["county"].unique():
        text = (out / f"notice-{county}.html").read_text(encoding="utf-8")
        assert f"{html.escape(county)}贫困村提升工程项目公示表" in text
        assert "size: A4 landscape" in text and "公示期" in text and "监督电话" in text
        for pid in schedule.loc[schedule["county"] == county, "project_id"].unique():
            assert html.escape(pid) in text
        _self_contained(text)
        _well_formed(text)


def test_no_works_and_relocated(plan_dir, tmp_path):
    """A village without works gets a page that says so; a relocated one gets none."""
    plan = tmp_path / "plan"
    shutil.copytree(plan_dir, plan, ignore=shutil.ignore_patterns("sheets"))
    schedule = _read(plan / "schedule.csv")
    schedule[schedule["village_id"] != "V4"].to_csv(plan / "schedule.csv", index=False,
                                                    encoding="utf-8-sig")
    villages = _read(plan / "villages.csv")
    villages.loc[villages["village_id"] == "V2", ["relocated", "on_time"]] = ["True", ""]
    villages.to_csv(plan / "villages.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    counts = write_sheets(plan, out)
    assert counts["pages"] == counts["villages"] == 3
    assert not (out / village_file("V2")).exists()
    text = (out / village_file("V4")).read_text(encoding="utf-8")
    assert "no works are planned" in text and "housing" in text
    _well_formed(text)
    with open(out / "notice.csv", encoding="utf-8-sig", newline="") as fh:
        ids = {r["村编号"] for r in csv.DictReader(fh)}
    assert "V4" not in ids and "V2" not in ids

    # written again over itself: replaced whole, nothing left beside it
    (out / village_file("V1")).write_text("stale", encoding="utf-8")
    write_sheets(plan, out)
    assert (out / village_file("V1")).read_text(encoding="utf-8") != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plan"]


def test_refuses_a_folder_with_other_files(plan_dir, tmp_path):
    from planner.errors import InputError

    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError):
        write_sheets(plan_dir, tmp_path)
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_village_page_renders(sheets, tmp_path):
    out, _ = sheets
    page = out / village_file("V1")
    _well_formed(page.read_text(encoding="utf-8"))
    if not CHROMIUM.exists():
        return
    png = render_png(page, tmp_path, (1240, 1754))
    assert png.stat().st_size > 10_000
