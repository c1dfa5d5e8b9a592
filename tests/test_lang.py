"""Chinese plan tables (issue 16, "Outputs in Chinese, with units"): `--lang zh` and
`lang: zh` in scenario.yaml write every plan table with Chinese headers, every money
header with its unit, 是/否, streams and targets by name; English stays the default
with the contract's columns; the plan folder reader and `planner check` read both.

The values are tiny's (scenarios/tiny/README.md): solved once in each language."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.plan.folder import read_plan
from planner.tables import read_output_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    base = tmp_path_factory.mktemp("lang")
    for lang in ("en", "zh"):
        res = run("solve", TINY, "--out", base / lang, "--threads", 1, "--seed", 1,
                  "--format", "xlsx", "--lang", lang)
        assert res.exit_code == 0, res.output
    return base / "en", base / "zh"


def header(path: Path) -> list[str]:
    return list(read_output_csv(path).columns)


SCHEDULE_ZH = ["年度", "县", "乡镇", "村编号", "村名", "退出年度", "任务代码", "任务", "项目编号",
               "责任部门", "开工年度", "完工年度", "本年投入（万元）", "本年统筹资金（万元）",
               "本年自筹资金（万元）", "切块下达的财政专项扶贫资金（万元）",
               "政府专项债务资金（万元）", "项目总投资（万元）", "项目统筹资金合计（万元）"]
VILLAGES_ZH = ["村编号", "村名", "县", "乡镇", "退出年度", "深度贫困", "整村搬迁", "短板数",
               "已补短板数", "退出标准短板数", "按期退出", "达标年度", "未补短板", "延期补齐短板",
               "可能按期退出", "不能按期退出的原因"]
FUNDS_ZH = ["资金来源", "年度", "县", "年度资金（万元）", "上年结转（万元）", "周转金收回（万元）",
            "支出（万元）", "结转下年（万元）", "撬动资金（万元）", "未用（万元）"]


def test_english_stays_the_contract(plans):
    en, _ = plans
    sched = header(en / "schedule.csv")
    assert sched == ["year", "county", "township", "village_id", "village_name", "exit_year",
                     "target", "target_name", "project_id", "department", "start_year",
                     "finish_year", "cost", "pooled_cost", "self_funded", "poverty_fund",
                     "special_bonds", "work_cost", "work_pooled_cost"]
    villages = read_output_csv(en / "villages.csv")
    assert set(villages["deep_poverty"]) == {"True", "False"}
    summary = json.loads((en / "summary.json").read_text(encoding="utf-8"))
    assert summary["lang"] == "en" and summary["money_unit"] == "万元"


def test_every_table_in_chinese_with_units(plans):
    _, zh = plans
    assert header(zh / "schedule.csv") == SCHEDULE_ZH
    assert header(zh / "villages.csv") == VILLAGES_ZH
    assert header(zh / "funds.csv") == FUNDS_ZH
    summary = json.loads((zh / "summary.json").read_text(encoding="utf-8"))
    assert summary["lang"] == "zh" and summary["money_unit"] == "万元"
    assert "total_cost" in summary  # keys stay English: machine-read


def test_every_money_header_states_the_unit(plans):
    """The money columns (floats when read back) are exactly the headers with （万元）."""
    en, zh = plans
    back = read_plan(en)
    for name, table in (("schedule.csv", back.schedule), ("funds.csv", back.funds),
                        ("villages.csv", back.villages)):
        money = [i for i, c in enumerate(table.columns) if table[c].dtype.kind == "f"]
        heads = header(zh / name)
        assert [i for i, h in enumerate(heads) if h.endswith("（万元）")] == money, name
    assert len(back.schedule.columns) == len(header(zh / "schedule.csv"))


def test_cells_in_chinese(plans):
    """tiny by hand: V1 (deep poverty, due 2019) cannot be on time, its road P02 being
    a 2-year work in a horizon that starts in 2019; V2 is on time; V4's housing stays open; the road
    of V1 closes late (2020), with the collective economy work that needs P01 first."""
    _, zh = plans
    v = read_output_csv(zh / "villages.csv").set_index("村编号")
    assert v.loc["V1", "深度贫困"] == "是" and v.loc["V2", "深度贫困"] == "否"
    assert v.loc["V1", "按期退出"] == "否" and v.loc["V2", "按期退出"] == "是"
    assert v.loc["V1", "可能按期退出"] == "否"
    assert v.loc["V1", "不能按期退出的原因"] == "村级公路建设：工期2年，须在2019年完成"
    assert v.loc["V4", "未补短板"] == "农村危房改造"
    assert v.loc["V1", "延期补齐短板"] == "村级公路建设;壮大村集体经济"
    f = read_output_csv(zh / "funds.csv")
    assert set(f["资金来源"]) == {"政府专项债务资金", "切块下达的财政专项扶贫资金"}


def test_read_back_in_english_and_checked(plans):
    """The one reader gives the same tables in either language; planner check
    accepts the Chinese plan."""
    en, zh = plans
    a, b = read_plan(en), read_plan(zh)
    pd.testing.assert_frame_equal(a.schedule, b.schedule)
    pd.testing.assert_frame_equal(a.funds, b.funds)
    cols = [c for c in a.villages.columns if c != "why_not_possible"]
    pd.testing.assert_frame_equal(a.villages[cols], b.villages[cols])
    res = run("check", TINY, zh)
    assert res.exit_code == 0, res.output


def test_the_checker_reads_the_language_claims(plans, tmp_path):
    """A Chinese money header that states another unit, a summary that says en for a
    Chinese plan: each rejected."""
    from planner.scenario import load_scenario
    from planner.verify import verify_plan

    _, zh = plans
    scn = load_scenario(TINY)
    d = tmp_path / "p"
    shutil.copytree(zh, d)
    path = d / "funds.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("支出（万元）", "支出（元）"),
                    encoding="utf-8-sig")
    found = verify_plan(scn, d)
    assert any(v.rule == "column" and "支出（元）" in v.message for v in found), found
    shutil.copy(zh / "funds.csv", path)
    data = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    data["lang"] = "en"
    (d / "summary.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert {v.rule for v in verify_plan(scn, d)} == {"summary"}


def test_lang_in_scenario_yaml_and_the_option_over_it(tmp_path):
    scn = tmp_path / "tiny"
    shutil.copytree(TINY, scn)
    yaml = scn / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "lang: zh\n", encoding="utf-8")
    assert run("solve", scn, "--out", tmp_path / "a", "--threads", 1).exit_code == 0
    assert header(tmp_path / "a" / "villages.csv") == VILLAGES_ZH
    assert run("solve", scn, "--out", tmp_path / "b", "--threads", 1, "--lang", "en"
               ).exit_code == 0
    assert header(tmp_path / "b" / "villages.csv")[0] == "village_id"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("lang: zh", "lang: fr"),
                    encoding="utf-8")
    res = run("validate", scn)
    assert res.exit_code == 1
    assert "lang" in res.output and "'fr'" in res.output and "en, zh" in res.output


def test_plan_xlsx_is_made_to_be_read(plans):
    """Header row frozen, widths fitted (a Chinese character counts two), money shown
    0.0000, sheet names and the summary's labels in the plan's language."""
    import openpyxl

    en, zh = plans
    book = openpyxl.load_workbook(zh / "plan.xlsx")
    assert book.sheetnames == ["任务进度表", "村表", "资金表", "概要"]
    assert openpyxl.load_workbook(en / "plan.xlsx").sheetnames == [
        "schedule", "villages", "funds", "summary"]
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
    ws = book["任务进度表"]
    head = {c.value: c.column_letter for c in ws[1]}
    width = lambda name: ws.column_dimensions[head[name]].width  # noqa: E731
    assert width("年度") == 6  # 2019: 4 columns, header 年度 4, + 2
    assert width("村名") == 10  # 王家沟村: 8 columns + 2
    assert width("本年投入（万元）") == 18  # the header: 8 characters, 16 columns + 2
    money = [c.column for c in ws[1] if c.value.endswith("（万元）")]
    assert len(money) == 7
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            want = "0.0000" if cell.column in money else "General"
            assert cell.number_format == want, (cell.coordinate, cell.number_format)
    rows = {r[0]: r[1] for r in book["概要"].iter_rows(min_row=2, values_only=True)}
    assert rows["求解状态"] == "最优" and rows["金额单位"] == "万元"
    assert rows["按期退出村数 · 2020"] == 1  # V3 on time, V4's housing open
    assert rows["总投资（万元）"] == pytest.approx(372)
    assert rows["政策时限 2 · 任务"] == "村级公路建设"
    assert not any(isinstance(v, str) and v.startswith(("{", "[")) for v in rows.values())
