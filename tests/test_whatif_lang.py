"""The what-if tables in Chinese (issue 16: `--lang zh` applies to every output) and the
deadlines in words wherever a person reads one.

The values are tiny's (scenarios/tiny/README.md), worked by hand:
- 石楼县: P01 (power, 45, 2019) and P02 (road, 120 over 2019-2020, 72 + 48) are forced by
  the deadlines; 岢岚县 needs P04 18 + P05 20 pooled (half of 40) + P07 9 + P08 80 + P09 25
  = 152 for every exit standard and deadline, and has 60 + 40 + 10 + 20 = 130: the least
  extra money is 22 (of 360 available).  V1's road (2 years, due 2019) no money can close.
- Without 石楼县's 2020 poverty fund the collective-economy work P03 (60, poverty fund
  only) is dropped: value 12 -> 11.5, the poverty fund spends 114 -> 54.
- With no money at all (scale 0) V1 misses the power deadline (1 village short) and V1 and
  V4 the road deadline (2); the money missing: 石楼县 117 in 2019 (P01 45 + P02's 72) and
  48 in 2020, 岢岚县 80 (P08): 245.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.plan.lang import deadline_text
from planner.tables import read_output_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
POWER = "农村电网建设：2019年底前，深度贫困县贫困村 100%"
ROAD = "村级公路建设：2020年底前，全部贫困村 100%"
POVERTY, BONDS = "切块下达的财政专项扶贫资金", "政府专项债务资金"


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    base = tmp_path_factory.mktemp("whatif-lang")
    run("solve", TINY, "--out", base / "en", "--threads", 1, "--gap", 0)
    run("solve", TINY, "--out", base / "zh", "--threads", 1, "--gap", 0, "--lang", "zh",
        "--format", "xlsx")
    return base


def test_deadline_text():
    assert deadline_text("power@2019[deep_poverty]>=1", True) == POWER
    assert deadline_text("road@2020[all]>=1", True) == ROAD
    assert deadline_text("water@2020[石楼县+岢岚县]>=0.9", True) == \
        "农村饮水安全：2020年底前，石楼县、岢岚县贫困村 90%"
    assert deadline_text("pv@2020[all]>=1", True, {"pv": "光伏扶贫"}) == \
        "光伏扶贫：2020年底前，全部贫困村 100%"
    # English keeps the code; what is not a label is left as it is
    assert deadline_text("power@2019[deep_poverty]>=1", False) == "power@2019[deep_poverty]>=1"
    assert deadline_text("V1/road", True) == "V1/road"


def test_report_and_summary_sheet_name_deadlines_in_words(plans):
    from openpyxl import load_workbook

    zh = plans / "zh"
    run("report", zh)
    html = (zh / "report.html").read_text(encoding="utf-8")
    assert POWER in html and ROAD in html
    assert "power@2019[deep_poverty]" not in html
    values = [c.value for row in load_workbook(zh / "plan.xlsx")["概要"].iter_rows()
              for c in row]
    assert POWER in values and "power@2019[deep_poverty]>=1" not in values
    summary = json.loads((zh / "summary.json").read_text(encoding="utf-8"))
    assert summary["deadlines"][0]["deadline"] == "power@2019[deep_poverty]>=1"  # machine-read


def test_compare_in_chinese_by_the_first_plan(plans, tmp_path):
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "scenario.yaml").write_text(
        f"base: {TINY}\nname: cut\noverrides:\n  funds:\n"
        "    - {stream: poverty_fund, county: 石楼县, year: 2020, set: 0}\n", encoding="utf-8")
    run("compare", plans / "zh", cut, "--out", tmp_path / "c", "--threads", 1, "--gap", 0)
    table = read_output_csv(tmp_path / "c" / "compare.csv").set_index("指标")
    assert list(table.columns) == ["tiny", "cut"]
    assert table.loc["目标值"].tolist() == ["12.0", "11.5"]
    assert table.loc["求解状态"].tolist() == ["最优", "最优"]
    assert table.loc["已补短板数 · 壮大村集体经济"].tolist() == ["1", ""]
    assert table.loc[f"支出（万元） · {POVERTY}/石楼县/2020"].tolist() == ["60.0000", "0.0000"]
    diff = read_output_csv(tmp_path / "c" / "compare_changes.csv")
    assert list(diff.columns) == [
        "方案", "变化", "对象", "原值", "新值", "县", "村编号", "村名", "任务代码", "任务",
        "责任部门", "原完工年度", "新完工年度", "项目总投资（万元）", "项目统筹资金合计（万元）",
        "原资金安排（万元）", "新资金安排（万元）"]
    rows = diff.set_index("对象")
    p03 = rows.loc["P03"]
    assert (p03["变化"], p03["原值"], p03["新值"], p03["村名"]) == ("项目取消", "2020", "",
                                                              "王家沟村")
    assert (p03["项目总投资（万元）"], p03["原资金安排（万元）"]) == ("60.0000",
                                                                f"{POVERTY} 60.0000")
    money = rows.loc[POVERTY]
    assert (money["变化"], money["原值"], money["新值"]) == ("资金渠道支出变化", "114.0000",
                                                      "54.0000")
    # English stays the contract's, whatever the language of the plans read
    run("compare", plans / "en", plans / "zh", "--out", tmp_path / "e")
    assert list(read_output_csv(tmp_path / "e" / "compare_changes.csv").columns) == [
        "plan", "change", "item", "from", "to", "county", "village_id", "village_name",
        "target", "target_name", "department", "from_finish", "to_finish", "cost",
        "pooled_cost", "from_money", "to_money"]
    assert read_output_csv(tmp_path / "e" / "compare.csv")["metric"].iloc[0] == "value"


def test_needs_in_chinese(tmp_path):
    run("needs", TINY, "--out", tmp_path / "n", "--threads", 1, "--lang", "zh")
    table = read_output_csv(tmp_path / "n" / "needs.csv")
    assert list(table.columns) == [
        "资金来源", "县", "年度", "年度资金（万元）", "资金缺口（万元）", "所需资金（万元）",
        "边际价值（每万元）", "资金缺口下限（万元）", "资金缺口上限（万元）", "类型", "村编号",
        "村名", "任务代码", "任务", "原因"]
    total = table[table["类型"] == "资金缺口合计"].iloc[0]
    assert (float(total["年度资金（万元）"]), float(total["资金缺口（万元）"]),
            float(total["所需资金（万元）"])) == (360.0, 22.0, 382.0)
    money = table[table["类型"] == "分渠道分年度"]
    assert set(money["资金来源"]) == {POVERTY, BONDS}
    assert money["资金缺口（万元）"].astype(float).sum() == pytest.approx(22.0)
    road = table[table["类型"] == "资金无法补齐的退出短板"].iloc[0]
    assert (road["村编号"], road["任务"]) == ("V1", "村级公路建设")
    assert road["原因"] == ("资金再多也无法在该村应退出年度前补齐：村级公路建设：工期2年，"
                          "须在2019年完成")
    summary = json.loads((tmp_path / "n" / "needs.json").read_text(encoding="utf-8"))
    assert summary["lang"] == "zh" and summary["impossible_exit_gaps"] == ["V1/road"]


def test_sweep_point_says_why_in_chinese():
    from planner.plan.lang import whatif_lang, whatif_table
    from planner.sweep import SWEEP_COLUMNS, solve_scaled

    row = solve_scaled(str(TINY), 0.0, None, {"threads": 1, "lang": "zh"})
    assert row["error"] == "no plan"
    assert row["why"].startswith(f"政策时限（{POWER}）无法达到：差 1 个村；"
                                 f"政策时限（{ROAD}）无法达到：差 2 个村；"
                                 "满足全部硬约束至少还缺资金 245.0000，其中：")
    frame = whatif_table(pd.DataFrame([row]).reindex(columns=SWEEP_COLUMNS), "sweep",
                         whatif_lang("zh"))
    assert list(frame.columns) == [
        "资金倍数", "目标值", "已补短板数", "按期退出村数", "统筹资金合计（万元）",
        "可用资金（万元）", "边际价值（每万元）", "求解状态", "相对差距", "错误", "原因"]
    assert (frame.iloc[0]["求解状态"], frame.iloc[0]["错误"]) == ("无可行方案", "无可行方案")


def test_alternatives_and_importance_in_chinese(tmp_path):
    from planner.alternatives import alternatives

    alternatives(TINY, 1, 0.0, tmp_path / "a", top=1, gap=0, threads=1, lang="zh")
    imp = read_output_csv(tmp_path / "a" / "importance.csv").set_index("项目编号")
    assert list(imp.columns) == ["县", "村编号", "村名", "任务代码", "任务",
                                 "项目统筹资金合计（万元）", "不做该项目的目标值", "重要性",
                                 "不做该项目的求解状态", "结论", "原因"]
    assert imp.loc["P08", "结论"] == "政策时限要求必做"
    assert imp.loc["P08", "原因"] == (f"政策时限（{ROAD}）要求补齐石峁村（V4）的村级公路建设"
                                      "短板，本项目是其唯一项目")
    assert imp.loc["P02", "原因"].startswith(f"政策时限（{ROAD}）要求补齐王家沟村（V1）")
    # the one work re-solved (top 1) is the most expensive of the others, P03 (60): without
    # it the plan loses its late 0.5, and the 60 freed in 石楼县 buys nothing else there
    measured = imp[imp["结论"] == "已测算"]
    assert measured.index.tolist() == ["P03"] and len(imp) == 3  # P02, P08 on the way
    assert (measured.loc["P03", "重要性"], measured.loc["P03", "不做该项目的求解状态"]) == (
        "0.5", "最优")
    table = read_output_csv(tmp_path / "a" / "alternatives.csv")
    assert list(table.columns) == ["方案", "目标值", "与最优方案之差", "按期退出村数", "项目数",
                                   "新增项目数", "取消项目数", "改期项目数"]
    assert read_output_csv(tmp_path / "a" / "plan-1" / "villages.csv").columns[0] == "村编号"


def test_replan_changes_in_chinese(tmp_path):
    # P01, P02, P04 done in 2019: the re-plan from 2020 cannot start V3's water P05 and
    # broadband P07 in 2019 as the plan did: both move to 2020
    done = tmp_path / "done.csv"
    done.write_text("project_id,start_year\nP01,2019\nP02,2019\nP04,2019\n", encoding="utf-8")
    run("replan", TINY, "--actuals", done, "--from", 2020, "--out", tmp_path / "r",
        "--threads", 1, "--gap", 0, "--lang", "zh")
    changes = read_output_csv(tmp_path / "r" / "changes.csv").set_index("项目编号")
    assert list(changes.columns[:3]) == ["变化", "原开工年度", "新开工年度"]
    p05 = changes.loc["P05"]
    assert (p05["变化"], p05["原开工年度"], p05["新开工年度"], p05["任务"]) == (
        "改期", "2019", "2020", "农村饮水安全")
    assert (p05["项目总投资（万元）"], p05["项目统筹资金合计（万元）"]) == ("40.0000", "20.0000")
    assert read_output_csv(tmp_path / "r" / "schedule.csv").columns[0] == "年度"
