"""The report and a village sheet in headless Chromium, in English and in Chinese
(`--lang zh`): no text cut, no two texts on top of each other, every glyph drawn in
the page's own fonts (tests/browser.py measures them in the page); the sheet prints on
one A4 page; the two languages lay out alike.  Then each check is shown to catch a
page broken on purpose.

The plan: a generated 30-village scenario (3 years, 5 fund streams, so the sheet's
tables are as wide as a county's), solved once for the module; the sheet is the
village with the most works.  Without Chromium the tests skip, and under CI (the
variable CI set) they fail: CI installs Debian's chromium and fonts-noto-cjk.
`SCREENSHOT_DIR=DIR` keeps the screenshots there to be looked at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageChops

from browser import Browser, need_browser, png_size
from planner.generate import generate
from planner.outputs.report import build_html
from planner.outputs.sheets import village_file, write_sheets
from planner.pipeline import plan_scenario

LANGS = ("en", "zh")
#: viewport widths: the report on a screen, the sheet as A4 portrait at 96 dpi
WIDTH = {"report": 1200, "sheet": 794}
HINT = "(is fonts-noto-cjk installed? apt-get install fonts-noto-cjk)"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = need_browser()
    b = Browser(exe, tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def pages(browser, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(report|sheet, en|zh) -> the page, from one plan of a 30-village scenario."""
    base = tmp_path_factory.mktemp("render")
    generate(base / "scenario", villages=30, counties=2, seed=3)
    plan = base / "plan"
    # any verified plan will do: a loose gap stops early, and the same way every run
    plan_scenario(base / "scenario", plan, gap=0.5, time_limit=60, threads=1, seed=1)
    schedule = pd.read_csv(plan / "schedule.csv", encoding="utf-8-sig", dtype=str)
    busiest = schedule.groupby("village_id")["project_id"].nunique().idxmax()
    out = {}
    for lang in LANGS:
        report = base / f"report-{lang}.html"
        report.write_text(build_html(plan, lang=lang), encoding="utf-8")
        write_sheets(plan, base / f"sheets-{lang}", lang=lang)
        out["report", lang] = report
        out["sheet", lang] = base / f"sheets-{lang}" / village_file(busiest)
    return out


@pytest.fixture(scope="module")
def measured(browser, pages, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Each page measured once: its layout findings, a screenshot, the sheet's printed
    pages."""
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    out = {}
    for (kind, lang), path in pages.items():
        page = browser.open(path, WIDTH[kind])
        found = page.layout()
        found["png"] = page.screenshot(shots / f"{kind}-{lang}.png")
        found["printed"] = page.pdf_pages() if kind == "sheet" else None
        out[kind, lang] = found
    return out


CASES = [(kind, lang) for kind in ("report", "sheet") for lang in LANGS]
IDS = [f"{k}-{lang}" for k, lang in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_text_is_cut(measured, case):
    found = measured[case]
    assert found["texts"] > 50  # the page was measured, not an empty one
    assert found["cut"] == [], "\n".join(found["cut"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_two_texts_overlap(measured, case):
    found = measured[case]
    assert found["boxes"] >= found["texts"] > 50
    assert found["overlaps"] == [], "\n".join(found["overlaps"])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_glyph_is_drawn_in_the_pages_fonts(measured, case):
    found = measured[case]
    assert found["tofu"] == [], HINT + "\n" + "\n".join(found["tofu"])
    assert found["fallback"] == [], HINT + "\n" + "\n".join(found["fallback"])
    if case[1] == "zh":  # the Chinese page had Chinese to check
        assert found["cjk"] > 100


@pytest.mark.parametrize("lang", LANGS)
def test_the_village_sheet_prints_on_one_a4_page(measured, lang):
    assert measured["sheet", lang]["printed"] == 1


@pytest.mark.parametrize("kind", ["report", "sheet"])
def test_the_languages_lay_out_alike(measured, kind):
    """The same page in both languages: the same width, about the same height, and a
    different picture (the words changed)."""
    en, zh = (measured[kind, lang] for lang in LANGS)
    assert en["width"] == zh["width"] == WIDTH[kind]  # nothing pushed the page wider
    assert abs(zh["height"] - en["height"]) <= 0.2 * en["height"], (en["height"], zh["height"])
    assert png_size(en["png"])[0] == png_size(zh["png"])[0] == WIDTH[kind]
    with Image.open(en["png"]) as a, Image.open(zh["png"]) as b:
        assert a.convert("L").getextrema() != (255, 255)  # not blank
        crop = (0, 0, min(a.width, b.width), min(a.height, b.height))
        assert ImageChops.difference(a.convert("RGB").crop(crop),
                                     b.convert("RGB").crop(crop)).getbbox() is not None


# ---------------------------------------------------------------- the checks can fail

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; margin: 20px; }} {style}
</style></head><body>{body}</body></html>"""
GOOD = ("table { border-collapse: collapse; } td { border: 1px solid #999; }",
        "<table><tr><td>切块下达的财政专项扶贫资金</td><td class=n>45.0000</td></tr>"
        "<tr><td>Village road 村级公路建设</td><td>2019年</td></tr></table>"
        "<p>按期达到退出标准：是</p>")


@pytest.fixture(scope="module")
def check_page(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("broken")

    def measure(name: str, style: str, body: str) -> dict:
        path = folder / f"{name}.html"
        path.write_text(PAGE.format(style=style, body=body), encoding="utf-8")
        return browser.open(path, 800).layout()
    return measure


def test_a_good_page_passes_every_check(check_page):
    found = check_page("good", *GOOD)
    assert found["texts"] == 5 and found["cjk"] > 20
    assert {k: found[k] for k in ("cut", "overlaps", "tofu", "fallback")} == \
        {"cut": [], "overlaps": [], "tofu": [], "fallback": []}


def test_a_cell_too_narrow_for_its_text_is_cut(check_page):
    found = check_page("narrow", GOOD[0] + " table { table-layout: fixed; width: 300px; }"
                       " td { width: 60px; white-space: nowrap; overflow: hidden; }", GOOD[1])
    assert any("切块下达的财政专项扶贫资金" in c for c in found["cut"]), found["cut"]
    assert len(found["cut"]) == 2  # that cell and "Village road 村级公路建设"


def test_a_page_wider_than_its_window_is_cut(check_page):
    found = check_page("wide", "p { width: 1200px; }", "<p>村名</p>")
    assert found["cut"] == ["the page is 1220px wide in a 800px window"]


def test_boxes_placed_on_top_of_each_other_overlap(check_page):
    found = check_page("overlap", "div { position: absolute; top: 20px; }",
                       '<div style="left: 20px">投资合计（万元）</div>'
                       '<div style="left: 60px">自筹资金</div>'
                       '<div style="left: 400px">公示期</div>')
    assert len(found["overlaps"]) == 1, found["overlaps"]
    assert "投资合计（万元）" in found["overlaps"][0] and "自筹资金" in found["overlaps"][0]


def test_a_font_without_chinese_glyphs_is_found(check_page):
    """DejaVu Sans has no CJK glyphs: the browser draws them in another font (or, with
    none, as boxes); either way the check names it."""
    found = check_page("nocjk", 'body { font-family: "DejaVu Sans"; }', "<p>村名 village</p>")
    assert len(found["fallback"] + found["tofu"]) >= 1
    assert all("村名" in f for f in found["fallback"] + found["tofu"])


def test_a_glyph_no_font_has_shows_as_a_box(check_page):
    """Egyptian hieroglyph A001 (U+13000): no font of the page or machine has it."""
    found = check_page("tofu", "", "<p>村名 \U00013000</p>")
    assert len(found["tofu"]) == 1 and "U+13000" in found["tofu"][0], found["tofu"]


def test_without_a_browser_under_ci_the_render_tests_fail(monkeypatch):
    import browser as b

    monkeypatch.setattr(b, "chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        b.need_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        b.need_browser()
