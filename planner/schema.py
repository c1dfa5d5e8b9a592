"""The input tables as data.

One table of columns per input file: name, type, required, default, unit and
meaning.  The loader (`planner.tables`), the error messages and the README's
format section all read these records, so a column is described once.

Also the policy's catalogue: the 14 target codes with their Chinese names and
responsible departments (from the annex of the 2017 Shanxi policy), and the
five usual fund streams.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # id | str | int | year | float | bool | list | profile
    required: bool
    default: object
    unit: str
    meaning: str
    limit: float | None = None  # largest plausible magnitude of a number cell


#: Largest plausible money cell (cost, amount) in the scenario's unit (万元 by
#: default: 1e9 万元 is ten trillion yuan).  Larger values are typing slips or a
#: wrong unit; they would also overflow the whole-yuan arithmetic.
MONEY_LIMIT = 1e9
#: Years a cell or `years:` may name at all (the horizon check comes later).
YEAR_RANGE = (1900, 2100)
#: Longest horizon `years:` may span.
MAX_YEARS = 100
#: Largest value weight (gaps.csv `weight`, scenario.yaml `weights`).
WEIGHT_LIMIT = 1e6
#: Largest factor of `overrides.funds[].scale` (and of `sweep --budget-scale`).
SCALE_LIMIT = 1000.0
#: Longest text cell (characters); a longer one is pasted by mistake.
CELL_LIMIT = 1000
#: Default magnitude bound of a number column without its own `limit`.
NUMBER_LIMIT = 1e12


def _c(name, type_, required, default, unit, meaning, limit=None):
    if limit is None and unit == "money unit":
        limit = MONEY_LIMIT
    return Column(name, type_, required, default, unit, meaning, limit)


TABLES: dict[str, tuple[Column, ...]] = {
    "villages": (
        _c("village_id", "id", True, None, "", "unique id of the village"),
        _c("name", "str", True, None, "", "village name (村名)"),
        _c("county", "id", True, None, "", "county (县) the village belongs to"),
        _c("exit_year", "year", True, None, "year",
           "planned exit batch; a year before the horizon means an exited village "
           "whose shortfalls are made up as early as possible"),
        _c("deep_poverty", "bool", True, None, "", "village of a deep-poverty county (深度贫困)"),
        _c("township", "str", False, "", "", "township (乡镇)"),
        _c("population", "float", False, None, "persons", "resident population", 1e7),
        _c("poor_households", "float", False, None, "households", "registered poor households",
           1e7),
        _c("relocated", "bool", False, False, "",
           "whole-village relocation (整村搬迁): not planned"),
    ),
    "gaps": (
        _c("village_id", "id", True, None, "", "village with the unmet target"),
        _c("target", "id", True, None, "", "target code (see the target list)"),
        _c("weight", "float", False, None, "",
           "value of closing this gap; replaces the target's weight", WEIGHT_LIMIT),
        _c("quantity", "float", False, None, "",
           "size of a cumulative gap, met by the projects' `contributes`", 1e9),
    ),
    "projects": (
        _c("project_id", "id", True, None, "", "unique id of the candidate work"),
        _c("village_id", "id", True, None, "", "village the work is for"),
        _c("target", "id", True, None, "", "target (gap) the work closes"),
        _c("cost", "float", True, None, "money unit", "total cost over its duration"),
        _c("duration", "int", False, 1, "years", "years from start to finish", 100),
        _c("cost_profile", "profile", False, None, "",
           "share of the cost spent in each year of the duration, `;`-separated; "
           "default even"),
        _c("earliest_year", "year", False, None, "year", "earliest start year"),
        _c("latest_year", "year", False, None, "year", "latest start year"),
        _c("department", "str", False, "", "",
           "responsible department; default: the policy annex's for the target"),
        _c("self_share", "float", False, 0.0, "share",
           "part of the cost paid outside the pooled funds (0..1)"),
        _c("streams", "list", False, (), "", "eligible fund streams, `;`-separated; blank: any"),
        _c("contributes", "float", False, None, "",
           "how much of its gap's quantity the work provides; blank: all of it", 1e9),
        _c("requires", "list", False, (), "",
           "project ids that must finish in a year before this one starts"),
        _c("alternative_group", "id", False, "", "",
           "at most one project of a group is chosen"),
    ),
    "funds": (
        _c("stream", "id", True, None, "", "fund stream code"),
        _c("year", "year", True, None, "year", "budget year"),
        _c("amount", "float", True, None, "money unit", "money available that year"),
        _c("county", "id", False, "", "", "county the money belongs to; blank: pooled"),
        _c("carry_over", "bool", False, True, "",
           "unspent money moves to the next year"),
        _c("targets", "list", False, ("*",), "",
           "targets it may pay for, `;`-separated, or `*`"),
        _c("returns_after", "int", False, None, "years",
           "revolving fund (扶贫周转金): money spent comes back to the stream this many "
           "years later", 100),
        _c("return_share", "float", False, None, "share",
           "share of the money spent that comes back (default 1 with returns_after)"),
        _c("leverage", "float", False, None, "",
           "each 1 of this stream's money on a work unlocks up to this much outside money "
           "(loans, private capital) for it (贷款贴息, PPP)", 1000),
        _c("outside_limit", "float", False, None, "money unit",
           "most outside money this stream may unlock in the year (blank: no limit)"),
    ),
    "locked": (
        _c("project_id", "id", True, None, "", "project to lock"),
        _c("lock", "id", True, None, "", "in (must be done) or out (must not be done)"),
    ),
    # `planner replan --actuals`: the works executed before --from; schedule.csv's own
    # rows may be fed back (a work's rows of several years, `cost` the year's amount
    # there): the work's total is work_cost, else cost, else its rows' year_cost added
    # up (planner.replan.actual_costs)
    "actuals": (
        _c("project_id", "id", True, None, "", "project that was started"),
        _c("start_year", "year", True, None, "year", "year it actually started"),
        _c("cost", "float", False, None, "money unit",
           "its real total cost over all its years (in a file with work_cost, as "
           "schedule.csv has, the year's amount: not used)"),
        _c("work_cost", "float", False, None, "money unit",
           "its real total cost, as schedule.csv names it (项目总投资); taken before cost"),
        _c("year_cost", "float", False, None, "money unit",
           "a year's amount (schedule.csv's 本年投入): a work's rows added up give its "
           "total when the file has no work_cost or cost"),
    ),
    # `planner replan --actual-funds`: real amounts replacing funds.csv rows
    "actual_funds": (
        _c("stream", "id", True, None, "", "fund stream code"),
        _c("year", "year", True, None, "year", "budget year"),
        _c("amount", "float", True, None, "money unit", "money really available"),
        _c("county", "id", False, "", "", "county of the money row; blank: pooled"),
    ),
}

FILES = ("villages", "gaps", "projects", "funds")


@dataclass(frozen=True)
class Target:
    code: str
    name_zh: str
    department: str
    group: str  # infrastructure | public_service | organisation


TARGETS: dict[str, Target] = {t.code: t for t in (
    Target("water", "农村饮水安全", "水利部门", "infrastructure"),
    Target("power", "农村电网建设", "国网山西省电力公司/晋能集团", "infrastructure"),
    Target("road", "村级公路建设", "交通部门", "infrastructure"),
    Target("broadband", "农村网络建设", "经信部门", "infrastructure"),
    Target("housing", "农村危房改造", "住建部门", "infrastructure"),
    Target("environment", "农村环境整治", "改善农村人居环境办", "infrastructure"),
    Target("education", "基础教育提升", "教育部门", "public_service"),
    Target("health", "医疗卫生保障", "卫生计生部门", "public_service"),
    Target("social_security", "提升社保水平", "民政部门/人社部门", "public_service"),
    Target("culture", "文化信息综合服务平台", "文化、民政、商务、供销部门", "public_service"),
    Target("collective_economy", "壮大村集体经济",
           "农业、旅发委、商务、林业、扶贫、供销、农机部门", "organisation"),
    Target("governance", "提升村级治理水平", "组织部门", "organisation"),
    Target("civility", "乡风文明建设", "宣传部门", "organisation"),
    Target("motivation", "激发内生动力", "扶贫部门", "organisation"),
)}

#: The contract's default exit standard: infrastructure and public services.
DEFAULT_EXIT_STANDARD = tuple(
    t.code for t in TARGETS.values() if t.group in ("infrastructure", "public_service")
)

STREAMS: dict[str, str] = {
    "special_bonds": "政府专项债务资金",
    "poverty_fund": "切块下达的财政专项扶贫资金",
    "lottery": "中央彩票公益金项目资金",
    "collective_fund": "财政壮大村集体经济专项投入",
    "integrated": "统筹整合的各类财政资金",
}

DEFAULT_YEARS = (2018, 2019, 2020)

#: Value rule defaults (documented in README "The objective").
DEFAULT_WEIGHTS = {
    "target_weight": 1.0,  # value of closing a gap on time, per target unless set
    "late_factor": 0.5,  # a gap closed after its village's exit year is worth this share
    "on_time_bonus": 3.0,  # value of a village meeting its exit standard on time
    "soft_deadline_penalty": 2.0,  # value lost per village a soft deadline falls short
}

TRUE_WORDS = {"true", "1", "yes", "y", "是", "t", "1.0"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f", "0.0"}


#: Chinese headers of the plan tables (`--lang zh`, CSV and plan.xlsx), without the unit:
#: a money column's header is followed by its unit, e.g. 本年投入（万元） (plan_header_zh).
#: The year's amounts of a work (`cost`, `pooled_cost`, `self_funded`) say 本年, its
#: totals (`work_cost`, `work_pooled_cost`) 项目.  Fund stream columns are headed by
#: the stream's name (STREAMS, else its code), `outside_<stream>` by that name and
#: 撬动资金.
PLAN_HEADERS_ZH = {
    # schedule.csv
    "year": "年度", "county": "县", "township": "乡镇", "village_id": "村编号",
    "village_name": "村名", "exit_year": "退出年度", "target": "任务代码",
    "target_name": "任务", "project_id": "项目编号", "department": "责任部门",
    "start_year": "开工年度", "finish_year": "完工年度", "cost": "本年投入",
    "pooled_cost": "本年统筹资金", "self_funded": "本年自筹资金",
    "work_cost": "项目总投资", "work_pooled_cost": "项目统筹资金合计",
    # villages.csv
    "deep_poverty": "深度贫困", "relocated": "整村搬迁", "gaps": "短板数",
    "gaps_closed": "已补短板数", "exit_gaps": "退出标准短板数", "on_time": "按期退出",
    "completion_year": "达标年度", "open_targets": "未补短板",
    "late_targets": "延期补齐短板", "on_time_possible": "可能按期退出",
    "why_not_possible": "不能按期退出的原因",
    # funds.csv
    "stream": "资金来源", "budget": "年度资金", "carried_in": "上年结转",
    "returned": "周转金收回", "spent": "支出", "carried_out": "结转下年",
    "outside": "撬动资金", "unused": "未用",
}
#: The plan tables' money columns besides the fund stream and `outside_<stream>` ones.
PLAN_MONEY_COLUMNS = frozenset({"cost", "pooled_cost", "self_funded", "work_cost",
                                "work_pooled_cost", "budget", "carried_in", "returned", "spent",
                                "carried_out", "outside", "unused"})
#: The plan tables' yes/no columns (是/否 with `--lang zh`).
PLAN_BOOL_COLUMNS = frozenset({"deep_poverty", "relocated", "on_time", "on_time_possible"})
#: Columns holding `;`-lists of target codes (target names with `--lang zh`).
PLAN_TARGET_LISTS = frozenset({"open_targets", "late_targets"})
OUTSIDE_PREFIX = "outside_"
OUTSIDE_ZH = "撬动资金"
YES_ZH, NO_ZH = "是", "否"
#: full-width brackets around the unit of a Chinese money header
UNIT_OPEN, UNIT_CLOSE = "（", "）"


def stream_name_zh(code: str) -> str:
    """A fund stream as Chinese tables name it: its name (STREAMS), else its code."""
    return STREAMS.get(code, code)


def plan_header_zh(column: str, unit: str, streams=()) -> str:
    """The Chinese header of a plan column; money columns (those of PLAN_MONEY_COLUMNS,
    the `streams`, `outside_<stream>`) end in the unit: 本年投入（万元）."""
    if column in PLAN_HEADERS_ZH:
        name = PLAN_HEADERS_ZH[column]
        return f"{name}{UNIT_OPEN}{unit}{UNIT_CLOSE}" if column in PLAN_MONEY_COLUMNS else name
    if column.startswith(OUTSIDE_PREFIX) and column[len(OUTSIDE_PREFIX):] in streams:
        name = stream_name_zh(column[len(OUTSIDE_PREFIX):]) + OUTSIDE_ZH
    elif column in streams:
        name = stream_name_zh(column)
    else:
        return column
    return f"{name}{UNIT_OPEN}{unit}{UNIT_CLOSE}"


def split_unit(header: str) -> tuple[str, str | None]:
    """A Chinese header and the unit it states: ("本年投入", "万元"); (header, None) without."""
    if header.endswith(UNIT_CLOSE) and UNIT_OPEN in header:
        name, _, unit = header[:-1].rpartition(UNIT_OPEN)
        if name:
            return name, unit
    return header, None


_HEADER_EN = {zh: en for en, zh in PLAN_HEADERS_ZH.items()}
_STREAM_CODE = {name: code for code, name in STREAMS.items()}


def stream_code(name: str) -> str:
    """A fund stream's code from its Chinese name (a code is returned as it is)."""
    return _STREAM_CODE.get(name, name)


def plan_header_en(header: str) -> str:
    """The column name of a plan table's header, Chinese (with or without its unit) or
    English (returned as it is): the reverse of plan_header_zh."""
    name, _ = split_unit(header)
    if name in _HEADER_EN:
        return _HEADER_EN[name]
    if name in _STREAM_CODE:
        return _STREAM_CODE[name]
    if name != header and name.endswith(OUTSIDE_ZH) and len(name) > len(OUTSIDE_ZH):
        return OUTSIDE_PREFIX + stream_code(name[: -len(OUTSIDE_ZH)])
    return name  # a stream without a Chinese name is headed by its code


#: Chinese headers of the what-if tables (`--lang zh`: compare.csv, compare_changes.csv,
#: sweep.csv, needs.csv, replan's changes.csv, alternatives.csv, alternatives_changes.csv,
#: importance.csv, priority.csv, priority_levels.csv) for the columns the plan tables do not
#: have; the columns they share with
#: them (county, village_id, target_name, stream, budget, ...) are headed by
#: PLAN_HEADERS_ZH.  `from`/`to` are the reference plan's and the other plan's (replan: the
#: previous plan and the re-plan; alternatives: plan-1 and the alternative).
WHATIF_HEADERS_ZH = {
    # the change tables (compare_changes.csv, changes.csv, alternatives_changes.csv)
    "plan": "方案", "change": "变化", "item": "对象", "from": "原开工年度", "to": "新开工年度",
    "from_finish": "原完工年度", "to_finish": "新完工年度", "from_money": "原资金安排",
    "to_money": "新资金安排",
    # compare.csv
    "metric": "指标",
    # sweep.csv
    "scale": "资金倍数", "value": "目标值", "villages_on_time": "按期退出村数",
    "money": "可用资金", "marginal_value": "边际价值", "status": "求解状态", "gap": "相对差距",
    "error": "错误", "why": "原因",
    # needs.csv
    "funding_gap": "资金缺口", "needed": "所需资金", "funding_gap_min": "资金缺口下限",
    "funding_gap_max": "资金缺口上限", "kind": "类型", "reason": "原因",
    # alternatives.csv, importance.csv
    "vs_best": "与最优方案之差", "projects": "项目数", "added": "新增项目数",
    "dropped": "取消项目数", "moved": "改期项目数", "value_without": "不做该项目的目标值",
    "importance": "重要性", "status_without": "不做该项目的求解状态",
    # priority.csv, priority_levels.csv (planner priority)
    "rank": "排序", "cumulative_pooled_cost": "累计统筹资金", "works": "项目数",
    "optimum_value": "最优方案目标值", "optimum_bound": "最优方案目标值上界",
    "optimum_status": "最优方案求解状态", "optimum_villages_on_time": "最优方案按期退出村数",
    "ratio": "嵌套方案与最优方案目标值之比", "batch_behind": "按期退出村数不同的首个批次",
    "optimum_plan": "最优方案文件夹",
}
#: A what-if table's column that means something else than the same name does in the plan
#: tables or the other what-if tables: table -> column -> header ("changes": the three
#: change tables; a change's `cost` is the work's total, as schedule.csv's work_cost).
WHATIF_TABLE_HEADERS_ZH = {
    "changes": {"cost": PLAN_HEADERS_ZH["work_cost"],
                "pooled_cost": PLAN_HEADERS_ZH["work_pooled_cost"]},
    "compare_changes": {"from": "原值", "to": "新值"},  # a start year, 是/否 or money
    "sweep": {"cost": "统筹资金合计"},
    "importance": {"pooled_cost": PLAN_HEADERS_ZH["work_pooled_cost"], "status": "结论"},
    # a work's totals, and the level at which it enters the list
    "priority": {"cost": PLAN_HEADERS_ZH["work_cost"],
                 "pooled_cost": PLAN_HEADERS_ZH["work_pooled_cost"],
                 "scale": "进入时资金倍数", "money": "进入时可用资金", "value": "进入时目标值"},
    "priority_levels": {"pooled_cost": "统筹资金合计", "plan": "嵌套方案文件夹"},
}
#: The money columns of each what-if table (the header states the unit); `marginal_value`
#: is value per money unit (（每万元）).
WHATIF_MONEY_COLUMNS = {
    "changes": frozenset({"cost", "pooled_cost", "from_money", "to_money"}),
    "sweep": frozenset({"cost", "money"}),
    "needs": frozenset({"budget", "funding_gap", "needed", "funding_gap_min",
                        "funding_gap_max"}),
    "importance": frozenset({"pooled_cost"}),
    "priority": frozenset({"cost", "pooled_cost", "cumulative_pooled_cost", "money"}),
    "priority_levels": frozenset({"money", "pooled_cost"}),
}
PER_UNIT_COLUMNS = frozenset({"marginal_value"})


def whatif_kinds(table: str) -> tuple[str, ...]:
    """The keys of a what-if table (its file name without .csv) in WHATIF_TABLE_HEADERS_ZH
    and WHATIF_MONEY_COLUMNS: its own, and "changes" for the three change tables."""
    return (table, "changes") if table.endswith("changes") else (table,)


def whatif_header_zh(table: str, column: str, unit: str) -> str:
    """The Chinese header of a what-if table's column (`table`: compare, compare_changes,
    sweep, needs, changes, alternatives, alternatives_changes, importance): money columns
    end in the unit (项目总投资（万元）), value per money unit in （每万元）."""
    kinds = whatif_kinds(table)
    name = next((WHATIF_TABLE_HEADERS_ZH[k][column] for k in kinds
                 if column in WHATIF_TABLE_HEADERS_ZH.get(k, {})), None)
    name = name or WHATIF_HEADERS_ZH.get(column) or PLAN_HEADERS_ZH.get(column)
    if name is None:
        return column  # a plan's name in compare.csv
    if any(column in WHATIF_MONEY_COLUMNS.get(k, ()) for k in kinds):
        return f"{name}{UNIT_OPEN}{unit}{UNIT_CLOSE}"
    if column in PER_UNIT_COLUMNS:
        return f"{name}{UNIT_OPEN}每{unit}{UNIT_CLOSE}"
    return name


#: Chinese headers of the plan tables as the input tables accept them (an input column
#: of the same name): money headers without their unit.
OUTPUT_HEADERS_ZH = {**{c: PLAN_HEADERS_ZH[c] for c in PLAN_HEADERS_ZH
                        if c not in PLAN_MONEY_COLUMNS}, **STREAMS}


#: Chinese headers accepted in the input tables besides the English names: the
#: headers the planner itself writes with `--lang zh` (OUTPUT_HEADERS_ZH, for the
#: input columns of the same name; `村名` is villages' `name`), and these for the
#: input-only columns.  An unknown header is warned with the nearest of all names.
INPUT_HEADERS_ZH = {
    "name": OUTPUT_HEADERS_ZH["village_name"], "cost": "投资", "population": "人口",
    "poor_households": "贫困户数", "weight": "权重", "quantity": "短板数量",
    "duration": "工期年数", "cost_profile": "分年投资比例", "earliest_year": "最早开工年度",
    "latest_year": "最晚开工年度", "self_share": "自筹资金比例", "streams": "可用资金来源",
    "contributes": "贡献数量", "requires": "前置项目", "alternative_group": "互斥组",
    "amount": "金额", "carry_over": "可结转", "targets": "可用任务", "returns_after": "回收年限",
    "return_share": "回收比例", "leverage": "撬动倍数", "outside_limit": "撬动上限",
    "lock": "锁定", "start_year": OUTPUT_HEADERS_ZH["start_year"],
    # replan --actuals: schedule.csv's money headers fed back (with the unit: header_aliases)
    "work_cost": PLAN_HEADERS_ZH["work_cost"], "year_cost": PLAN_HEADERS_ZH["cost"],
}


def header_aliases(table: str, unit: str | None = None) -> dict[str, str]:
    """Chinese header -> column name for one input table; given the money `unit`, a money
    column's header also with it, as the planner writes it (项目总投资（万元）)."""
    out = {}
    for col in TABLES[table]:
        zh = INPUT_HEADERS_ZH.get(col.name) or OUTPUT_HEADERS_ZH.get(col.name)
        if zh:
            out[zh] = col.name
            if unit and col.unit == "money unit":
                out[f"{zh}{UNIT_OPEN}{unit}{UNIT_CLOSE}"] = col.name
    return out


#: Most points of `sweep --budget-scale`.
MAX_SWEEP_POINTS = 1000

#: scenario.yaml keys at every level, as data: a new key is one line here (and its
#: reading in planner/scenario/).  A mapping lists the keys allowed at that level,
#: each with the spec of its value (None: a plain value, or one checked where it is
#: read); `[spec]` is a list whose items follow spec; ANY_KEY stands for keys that
#: are data (new target codes).  Unknown keys are errors with the nearest known one.
ANY_KEY = "*"
_DEADLINE = {"target": None, "year": None, "scope": None, "share": None, "soft": None}
_LOCK = {"in": None, "out": None}
SCENARIO_KEYS: dict = {
    "name": None,
    "years": None,
    "base": None,
    "objective": None,
    "exit_standard": None,
    "deadlines": [_DEADLINE],
    "weights": None,  # DEFAULT_WEIGHTS keys, `targets` and target codes: checked in _weights
    # the settings of models.params.SolveParams: their keys are put here by
    # planner.scenario.yamlfile (SOLVER_SETTINGS), as this module, which the independent
    # checker reads, imports nothing of models/
    "solver": None,
    "lock": _LOCK,
    "targets": {ANY_KEY: {"name": None, "department": None}},
    "fairness": {"max_spread": None, "min_rate": None, "maximin": None},
    "partial_credit": None,
    "exit_priority": None,
    "deep_poverty_first": None,
    "reserve": [{"stream": None, "share": None}],
    "lang": None,  # en | zh: the language of the plan tables
    "departments": None,  # {name: department}: planner.departments, checked there
    # what the money and costs may turn out to be (planner robust): planner.scenario.uncertainty
    "uncertainty": {"samples": None, "seed": None,
                    "money": [{"stream": None, "year": None, "county": None,
                               "cut": {"p": None, "share": None},
                               "range": {"low": None, "high": None}}],
                    "costs": [{"target": None, "overrun": None}]},
    "overrides": {
        "funds": [{"stream": None, "year": None, "county": None, "scale": None, "set": None,
                   "move": {"from": None, "to": None, "amount": None}}],
        "deadlines": [_DEADLINE],
        "weights": None,
        "exclude": {"villages": None, "counties": None},
        "lock": _LOCK,
    },
}
