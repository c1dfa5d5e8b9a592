"""The policy's text, checked (issue 15, part 4).

The bundled scenarios (scenarios/*/scenario.yaml with their tables), the planner's
target and stream catalogue (planner/schema.py, and the checker's own default exit
standard) and the generator's catalogue (planner/generate/catalogue.py) against the
2017 Shanxi policy 关于加快推进贫困村提升工程的实施意见 (2017-10-31; the text is
../shared/seed/poverty-village-improvement-2017.txt, its structure ../shared/domain.md).

Every expected value is written out below from the policy, with the clause quoted
or cited: 二(一)3 is task 3 of section 二、重点任务 (一)基础设施建设; 三(三) is
section 三、保障措施 (三)保障资金投入; 附件 n is item n of the annex 贫困村提升工程部门
责任分解.  Where the policy leaves the choice open, domain.md or contract.md is
cited instead.  Nothing expected is read from the planner's code.

Where a bundled scenario deliberately differs, DELIBERATE says what and why, and the
test checks exactly that difference.  Where the planner's data disagrees with the
policy, the policy's value is tested under xfail(strict=True) naming the mismatch,
so that the test turns red (XPASS) once the data is fixed and the mark must go.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from planner.check.inputs import DEFAULT_EXIT_STANDARD as CHECKER_EXIT_STANDARD
from planner.generate.catalogue import (
    DEPARTMENTS,
    PV_DEPARTMENT,
    STREAM_CODES,
    STREAM_TARGETS,
    TARGET_CODES,
    policy_deadlines,
)
from planner.scenario import load_scenario
from planner.schema import DEFAULT_EXIT_STANDARD, DEFAULT_YEARS, STREAMS, TARGETS

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.parent.name for p in (ROOT / "scenarios").glob("*/scenario.yaml"))

# --- the 14 tasks: code, heading, section, annex departments ---------------------------
# Sections of 二、重点任务: (一)基础设施建设 tasks 1-6, (二)公共服务提升 7-10,
# (三)基层组织服务能力建设 11-14.  Departments are the annex's, written as units without
# the word 部门 (水利部门 -> 水利).
INFRA, SERVICE, ORGANISATION = "infrastructure", "public_service", "organisation"
TASKS = (
    # code, name (domain.md; the heading of the task), section, annex units, annex item
    ("water", "农村饮水安全", INFRA, {"水利"}, "附件1 水利部门"),
    ("power", "农村电网建设", INFRA, {"国网山西省电力公司", "晋能集团"},
     "附件4 国家电网山西省电力公司和晋能集团有限公司"),
    ("road", "村级公路建设", INFRA, {"交通"}, "附件5 交通部门"),
    ("broadband", "农村网络建设", INFRA, {"经信"}, "附件3 经信部门"),
    ("housing", "农村危房改造", INFRA, {"住建"}, "附件6 住建部门"),
    ("environment", "农村环境整治", INFRA, {"改善农村人居环境办"}, "附件7 改善农村人居环境办"),
    ("education", "基础教育提升", SERVICE, {"教育"}, "附件8 教育部门"),
    ("health", "医疗卫生保障", SERVICE, {"卫生计生"}, "附件9 卫生计生部门"),
    ("social_security", "提升社保水平", SERVICE, {"民政", "人社"},
     "附件10 民政部门 (低保), 附件11 人社部门 (医保, 养老保险)"),
    # heading 10.文化信息综合服务平台建设; domain.md drops the closing 建设
    ("culture", "文化信息综合服务平台", SERVICE, {"文化", "民政", "商务", "供销"},
     "附件12 文化、民政、商务、供销部门共同负责"),
    ("collective_economy", "壮大村集体经济", ORGANISATION,
     {"农业", "旅发委", "商务", "林业", "扶贫", "供销", "农机"},
     "附件13 农业、旅发委、商务、林业、扶贫、供销、农机部门共同负责"),
    ("governance", "提升村级治理水平", ORGANISATION, {"组织"}, "附件14 组织部门"),
    ("civility", "乡风文明建设", ORGANISATION, {"宣传"}, "附件15 宣传部门"),
    # the annex names no department for task 14; domain.md's table gives 扶贫部门
    ("motivation", "激发内生动力", ORGANISATION, {"扶贫"}, "domain.md (the annex names none)"),
)
TASK_CODES = tuple(t[0] for t in TASKS)
ANNEX = {t[0]: t[3] for t in TASKS}
ANNEX_ITEM = {t[0]: t[4] for t in TASKS}
SECTION_OF = {t[0]: t[2] for t in TASKS}

#: County offices as projects.csv names them -> the annex unit they belong to.
COUNTY_OFFICES = {
    "水利局": "水利", "国网供电公司": "国网山西省电力公司", "晋能集团": "晋能集团",
    "交通运输局": "交通", "经信局": "经信", "住建局": "住建", "人居环境办": "改善农村人居环境办",
    "教育局": "教育", "卫生计生局": "卫生计生", "民政局": "民政", "人社局": "人社",
    "文化局": "文化", "商务局": "商务", "供销社": "供销", "农业局": "农业", "旅发委": "旅发委",
    "林业局": "林业", "扶贫办": "扶贫", "组织部": "组织", "宣传部": "宣传", "发改局": "发改",
}

#: The exit standard: the policy aims at 贫困村退出标准 (一、总体要求: 以贫困村退出标准为靶向)
#: without restating it; contract.md makes the default "the infrastructure and
#: public-service targets", i.e. sections 二(一) and 二(二), tasks 1-10.
EXIT_STANDARD = ("water", "power", "road", "broadband", "housing", "environment",
                 "education", "health", "social_security", "culture")

# --- deadlines ------------------------------------------------------------------------
#: (target, year, scope, share, clause): every dated village-works deadline of the text.
POLICY_DEADLINES = (
    ("power", 2018, "deep_poverty", 1.0,
     "二(一)2, 附件4: 2018年底前完成所有深度贫困县的贫困村电网升级改造"),
    ("power", 2020, "all", 1.0, "二(一)2, 附件4: 2020年底前完成所有贫困村电网升级改造"),
    ("road", 2020, "all", 1.0, "二(一)3, 附件5: 到2020年,具备条件的建制村100%通硬化路、通客车"),
    ("broadband", 2019, "all", 0.9, "二(一)4, 附件3: 2019年底前实现90%以上建档立卡贫困村通宽带"),
    ("housing", 2020, "all", 1.0,
     "二(一)5, 附件6: 到2020年底,全部完成危险土窑洞及其他危房改造任务"),
    ("environment", 2020, "all", 0.9,
     "二(一)6, 附件7: 到2020年,...90%以上村庄实现生活垃圾有效处理"),
    ("water", 2020, "all", 1.0,
     "二(一)1, 附件1: 到2020年,要确保贫困村群众喝上符合地方安全饮水标准的饮用水"),
)
#: Dated clauses that are not a deadline of the bundled horizons (all start in 2018 or
#: later); a scenario starting in 2017 must add them or say why not:
#: 二(一)5 2017年完成10个深度贫困县及脱贫摘帽县四类重点对象危房存量改造任务 (households);
#: 三(二) 对2017年退出的2270个贫困村要优先安排,保证年底完成提升任务.
#: Dated goals that are outcomes, not works (left to people): 二(二)7 入园率, 无因贫辍学;
#: 二(二)8 达到或接近全省平均水平; 二(二)10 趋于完善; 二(三)11 力争集体经济收入5万元以上;
#: 一 贫困发生率降至2%以下.
POLICY_FIRST_YEAR = 2018
POLICY_LAST_YEAR = 2020  # 一、总体要求: 到2020年; 三(二) 对2018-2020年退出的贫困村


def key(target, year, scope, share) -> tuple:
    return (target, int(year), scope if isinstance(scope, str) else tuple(scope),
            round(float(share), 6))


def policy_on(years, targets=None) -> set:
    """The policy's deadlines on a horizon: those due by its last year, a year already
    past at its start falling on its first year (as the planner does for villages that
    exited before the horizon)."""
    return {key(t, max(y, years[0]), s, sh) for t, y, s, sh, _ in POLICY_DEADLINES
            if y <= years[-1] and (targets is None or t in targets)}


WATER = key("water", 2020, "all", 1.0)
#: What a bundled scenario deliberately leaves out of the policy's deadlines, and why.
DELIBERATE = {
    "tiny": ({key("power", 2020, "all", 1.0), key("broadband", 2019, "all", 0.9),
              key("housing", 2020, "all", 1.0), key("environment", 2020, "all", 0.9), WATER},
             "a hand-written toy (4 villages, 2019-2020) keeps only the two deadlines its "
             "README works through: V1's grid by 2019 (the policy's 2018 is before its "
             "horizon, so its first year) and every road by 2020"),
}
@cache
def scenario(name: str):
    return load_scenario(ROOT / "scenarios" / name)


def units(department: str) -> set[str]:
    """The annex units of a department text: a county office, or the catalogue's text
    (units separated by / or 、, the word 部门 dropped)."""
    if department in COUNTY_OFFICES:
        return {COUNTY_OFFICES[department]}
    return {re.sub("部门$", "", u) for u in re.split(r"\s*[/、]\s*", department.strip())}


def off_annex(pairs) -> set[tuple[str, str]]:
    """(target, unit) of each (target, department) whose unit the annex does not name."""
    return {(t, u) for t, d in pairs for u in units(d) if u not in ANNEX[t]}


# --- the planner's catalogue (planner/schema.py) ---------------------------------------

def test_fourteen_tasks_in_the_policys_order_names_and_sections():
    assert tuple(TARGETS) == TASK_CODES, "the 14 tasks of 二、重点任务, in the text's order"
    for code, name, section, _, _ in TASKS:
        assert TARGETS[code].name_zh == name, code
        assert TARGETS[code].group == section, code


@pytest.mark.parametrize("code", TASK_CODES)
def test_catalogue_department_is_the_annexs(code):
    assert units(TARGETS[code].department) == ANNEX[code], ANNEX_ITEM[code]


def test_default_exit_standard_is_tasks_1_to_10():
    assert tuple(DEFAULT_EXIT_STANDARD) == EXIT_STANDARD
    assert tuple(CHECKER_EXIT_STANDARD) == EXIT_STANDARD, "the checker's own copy"
    assert {SECTION_OF[c] for c in EXIT_STANDARD} == {INFRA, SERVICE}


def test_fund_streams_are_the_five_of_3_3():
    # 三(三): 政府专项债务资金、切块下达的财政专项扶贫资金、中央彩票公益金项目资金、
    # 财政壮大村集体经济专项投入和统筹整合的各类财政资金 (also 附件16)
    assert list(STREAMS.values()) == ["政府专项债务资金", "切块下达的财政专项扶贫资金",
                                      "中央彩票公益金项目资金", "财政壮大村集体经济专项投入",
                                      "统筹整合的各类财政资金"]
    assert list(STREAMS) == ["special_bonds", "poverty_fund", "lottery", "collective_fund",
                             "integrated"], "domain.md's codes"


def test_default_horizon_is_the_2018_2020_batches():
    # 三(二): 对2018-2020年退出的贫困村,统一规划、批次推进 (the 2017 batch was due by the
    # end of 2017, before the default horizon)
    assert tuple(DEFAULT_YEARS) == (POLICY_FIRST_YEAR, 2019, POLICY_LAST_YEAR)


# --- the generator's catalogue (planner/generate/catalogue.py) -------------------------

def test_generator_tasks_and_pv_department():
    assert tuple(TARGET_CODES) == TASK_CODES
    # 附件13: 扶贫部门负责实现村级光伏电站全覆盖
    assert units(PV_DEPARTMENT) == {"扶贫"}


def test_generator_departments_follow_the_annex():
    pairs = [(t, d) for t, offices in DEPARTMENTS.items() for d in offices]
    assert off_annex(pairs) == set()


def test_generator_motivation_department_is_domains():
    pairs = [("motivation", d) for d in DEPARTMENTS["motivation"]]
    assert off_annex(pairs) == set()


def test_generator_streams_follow_their_names():
    assert tuple(STREAM_CODES) == tuple(STREAMS)
    eligible = {s: set(t.split(";")) for s, t in STREAM_TARGETS.items()}
    check_eligibility(eligible)


def test_generator_deadlines_on_the_default_horizon():
    got = {key(d["target"], d["year"], d["scope"], d.get("share", 1.0))
           for d in policy_deadlines(DEFAULT_YEARS)}
    assert got == policy_on(DEFAULT_YEARS)


def test_generator_has_the_water_deadline():
    # 二(一)1, 附件1: 到2020年,要确保贫困村群众喝上符合地方安全饮水标准的饮用水 -- dated as
    # firmly as the road clause, though domain.md's task table does not mark it
    got = {key(d["target"], d["year"], d["scope"], d.get("share", 1.0))
           for d in policy_deadlines(DEFAULT_YEARS)}
    assert WATER in got


@pytest.mark.parametrize("years", [(2017, 2018, 2019, 2020), (2019, 2020),
                                   (2018, 2019, 2020, 2021)])
def test_generator_deadlines_keep_the_policys_years(years):
    got = {key(d["target"], d["year"], d["scope"], d.get("share", 1.0))
           for d in policy_deadlines(years)}
    assert got == policy_on(years)


# --- the bundled scenarios -------------------------------------------------------------

def check_eligibility(eligible: dict[str, set[str]]):
    """What each of the five streams may pay for, by its name (三(三)) and domain.md's
    typical use; `*` is any task."""
    infra = {c for c in TASK_CODES if SECTION_OF[c] == INFRA}
    if "collective_fund" in eligible:  # 财政壮大村集体经济专项投入: the collective economy only
        assert eligible["collective_fund"] == {"collective_economy"}
    if "special_bonds" in eligible:  # domain.md: capital works: infrastructure
        assert eligible["special_bonds"] <= infra
    if "lottery" in eligible:  # 彩票公益金: public-welfare works, not a village's business
        assert "*" not in eligible["lottery"]
        assert "collective_economy" not in eligible["lottery"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_deadlines_are_the_policys(name):
    scn = scenario(name)
    got = {key(d.target, d.year, d.scope, d.share) for d in scn.deadlines}
    assert not any(d.soft for d in scn.deadlines), "the policy's deadlines are all 完成, hard"
    left_out, why = DELIBERATE.get(name, (set(), ""))
    expected = policy_on(scn.years) - left_out
    assert got == expected, (
        f"{name}: not in the policy {sorted(got - expected)}; the policy's, missing "
        f"{sorted(expected - got)}. Fix the scenario, or say what differs and why in "
        f"DELIBERATE{' (now: ' + why + ')' if why else ''}")
    assert left_out <= policy_on(scn.years), f"{name}: DELIBERATE names no policy deadline"


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_exit_standard_and_horizon(name):
    scn = scenario(name)
    assert tuple(scn.exit_standard) == EXIT_STANDARD
    assert POLICY_FIRST_YEAR <= scn.years[0] and scn.years[-1] <= POLICY_LAST_YEAR, (
        f"{name}: horizon {scn.years}; the 2017 clauses (see POLICY_DEADLINES) or years "
        "after the programme's 2020 are not handled here")
    assert scn.villages["exit_year"].max() <= POLICY_LAST_YEAR, "every batch exits by 2020"


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_departments_follow_the_annex(name):
    p = scenario(name).projects  # blank departments already filled from the catalogue
    pairs = set(zip(p["target"], p["department"]))
    unknown = {t for t, _ in pairs} - set(TASK_CODES)
    assert not unknown, f"{name}: targets outside the 14 tasks: {unknown}; add their annex"
    assert off_annex(pairs) == set(), name


def test_demo_motivation_works_go_to_domains_department():
    p = scenario("demo-county").projects
    assert off_annex(set(zip(p["target"], p["department"]))) == set()


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_funds_follow_the_streams_names(name):
    f = scenario(name).funds
    assert set(f["stream"]) <= set(STREAMS), f"{name}: streams outside 三(三)'s five"
    eligible = {s: set().union(*map(set, rows)) for s, rows in f.groupby("stream")["targets"]}
    check_eligibility(eligible)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_water_subsidy_and_pv_grid(name):
    p = scenario(name).projects
    # 二(一)1 落实贫困户入户工程经费50%补助政策: households pay at most half
    water = p.loc[p["target"] == "water", "self_share"].fillna(0.0)
    assert water.between(0.0, 0.5).all(), name
    # 二(一)2 光伏电站并网工程 is part of the grid work: a village PV station (collective
    # economy) that waits for a work waits for its own village's grid upgrade
    by_id = p.set_index("project_id")
    for r in p[(p["target"] == "collective_economy")].itertuples():
        for q in r.requires or ():
            assert (by_id.at[q, "target"], by_id.at[q, "village_id"]) == ("power", r.village_id)


def test_lottery_cut_differs_from_the_demo_in_money_only():
    # demo-lottery-cut is a what-if (README, scenario.yaml): the demo with 20 % less
    # lottery money in every year; its policy content is the demo's
    cut, demo = scenario("demo-lottery-cut"), scenario("demo-county")
    assert cut.deadlines == demo.deadlines and cut.exit_standard == demo.exit_standard
    assert cut.projects["department"].tolist() == demo.projects["department"].tolist()
    lot = lambda s: s.funds[s.funds["stream"] == "lottery"].set_index("year")["amount"]
    assert (lot(cut) - 0.8 * lot(demo)).abs().max() < 1e-6
    other = lambda s: s.funds[s.funds["stream"] != "lottery"]["amount"].tolist()
    assert other(cut) == other(demo)
