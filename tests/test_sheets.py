"""`planner sheets`: printable village pages, index and county public notices, in
English (the default) and in Chinese (`lang="zh"`).  How they look in a browser:
tests/test_browser.py."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.outputs.sheets import village_file, write_sheets
from planner.pipeline import plan_scenario
from test_report import (
    STREAM_ZH,
    SVG_NAMESPACES,
    TARGET_NAMES,
    _well_formed,
    english_words,
    money_without_unit,
    plan_words,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
LANGS = ("en", "zh")
#: notice.csv's columns in each language
NOTICE = {"en": ["County", "Township", "Village", "Village id", "Work", "Years", "Cost (万元)",
                 "Sources of money", "Responsible", "Notice period", "Hotline"],
          "zh": ["县", "乡镇", "村名", "村编号", "项目名称/任务", "建设年度", "投资（万元）",
                 "资金来源", "责任部门", "公示期", "监督电话"]}
#: words of each language the pages must hold
TITLE = {"en": "{name}: task map and timetable", "zh": "{name} 提升工程任务图与时间表"}
SIGN = {"en": ("Drawn up by (seal)", "Date"), "zh": ("编制单位（盖章）", "日期")}
NO_WORKS = {"en": "No works are planned for this village.", "zh": "本计划未为本村安排项目。"}
NOTICE_TITLE = {"en": "{county}: public notice of the village improvement works",
                "zh": "{county}贫困村提升工程项目公示表"}


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sheets") / "plan"
    plan_scenario(TINY, out, gap=0)
    return out


@pytest.fixture(scope="module")
def sheets(plan_dir) -> tuple[Path, dict]:
    counts = write_sheets(plan_dir)
    return plan_dir / "sheets", counts


@pytest.fixture(scope="module")
def both(plan_dir, sheets) -> dict[str, Path]:
    """The sheets in each language: English (the default) and Chinese."""
    write_sheets(plan_dir, plan_dir.parent / "sheets-zh", lang="zh")
    return {"en": sheets[0], "zh": plan_dir.parent / "sheets-zh"}


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


@pytest.mark.parametrize("lang", LANGS)
def test_village_pages_hold_their_works_and_money(plan_dir, both, lang):
    out = both[lang]
    schedule = _read(plan_dir / "schedule.csv")
    villages = _read(plan_dir / "villages.csv")
    funds = _read(plan_dir / "funds.csv")
    streams = [c for c in schedule.columns if c in set(funds["stream"])]
    assert streams == ["poverty_fund", "special_bonds"]
    for _, v in villages.iterrows():
        text = (out / village_file(v["village_id"])).read_text(encoding="utf-8")
        assert re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*15mm", text)
        assert TITLE[lang].format(name=html.escape(v["village_name"])) in text
        assert html.escape(v["county"]) in text and html.escape(v["township"]) in text
        assert all(word in text for word in SIGN[lang])
        mine = schedule[schedule["village_id"] == v["village_id"]]
        for _, r in mine.iterrows():  # every work and every yearly amount, as written
            for col in ("project_id", "department", "cost"):
                assert html.escape(r[col]) in text, (v["village_id"], col, r[col])
            assert TARGET_NAMES[lang][r["target"]] in text
        for pid, rows in mine.groupby("project_id"):
            total = sum(_units(x) for x in rows["cost"])
            assert f"{total / 10_000:.4f}" in text, pid
            for s in streams:
                amount = sum(_units(x) for x in rows[s])
                if amount:
                    assert f"{amount / 10_000:.4f}" in text, (pid, s)
                    stream = STREAM_ZH[s] if lang == "zh" else s
                    assert f'<th class="num">{stream}<span class="unit">' in text
        for t in filter(None, v["open_targets"].split(";") + v["late_targets"].split(";")):
            assert f"{TARGET_NAMES[lang][t]} ({t})" in text  # V4 leaves housing open
        if mine.empty:
            assert NO_WORKS[lang] in text
        assert money_without_unit(text) == []
        if lang == "zh":
            assert english_words(text, plan_words(plan_dir)) == set()
        _self_contained(text)
        _well_formed(text)


@pytest.mark.parametrize("lang", LANGS)
def test_notice_csv_one_row_per_project(plan_dir, both, lang):
    out = both[lang]
    schedule = _read(plan_dir / "schedule.csv")
    raw = (out / "notice.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out / "notice.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == NOTICE[lang]
    rows = [dict(zip(NOTICE["en"], r)) for r in table[1:]]  # by the English names
    assert len(rows) == schedule["project_id"].nunique()
    by_project = schedule.groupby("project_id")
    for r in rows:
        assert r["Notice period"] == "" and r["Hotline"] == ""
        pid = re.search(r"[（(]([^（）()]+)[）)]$", r["Work"]).group(1)
        rows_p = by_project.get_group(pid)
        first = rows_p.iloc[0]
        assert TARGET_NAMES[lang][first["target"]] in r["Work"]
        assert r["Village id"] == first["village_id"] and r["County"] == first["county"]
        assert r["Responsible"] == first["department"]
        cost = sum(_units(x) for x in rows_p["cost"])
        assert r["Cost (万元)"] == f"{cost / 10_000:.4f}"
        start, finish = first["start_year"], first["finish_year"]
        assert r["Years"] == (start if start == finish else f"{start}–{finish}")
        parts = [p.rsplit(" ", 1) for p in r["Sources of money"].split("; ")]
        assert sum(_units(a) for _, a in parts) == cost  # streams + self-funded = cost
        if lang == "zh":
            assert {name for name, _ in parts} <= set(STREAM_ZH.values()) | {"自筹资金"}
    for county in schedule["county"].unique():
        text = (out / f"notice-{county}.html").read_text(encoding="utf-8")
        assert NOTICE_TITLE[lang].format(county=html.escape(county)) in text
        assert "size: A4 landscape" in text
        assert all(f"<th>{c}</th>" in text for c in NOTICE[lang])
        assert money_without_unit(text) == []
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
    assert NO_WORKS["en"] in text and "Dangerous houses (housing)" in text
    _well_formed(text)
    with open(out / "notice.csv", encoding="utf-8-sig", newline="") as fh:
        ids = {r["Village id"] for r in csv.DictReader(fh)}
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


@pytest.mark.parametrize("lang", LANGS)
def test_index_lists_every_page_with_its_money(plan_dir, both, lang):
    text = (both[lang] / "index.html").read_text(encoding="utf-8")
    yes_no = {"en": ("yes", "no"), "zh": ("是", "否")}[lang]
    villages = _read(plan_dir / "villages.csv")
    for _, v in villages.iterrows():
        row = text.split(f'href="{village_file(v["village_id"])}"')[1].split("</tr>")[0]
        on_time = yes_no[0] if v["on_time"].lower() == "true" else yes_no[1]
        assert row.endswith(f"<td>{on_time}</td>"), row
    assert money_without_unit(text) == []
