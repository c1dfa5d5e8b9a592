"""Headers in Chinese (`--lang zh`): the plan tables', the what-if tables', and the
Chinese headers the input tables accept.  One table each: every writer, reader and the
checker take their headers from here (the English names are planner.schema's and the
contract's)."""

from __future__ import annotations

from .schema import STREAMS, TABLES

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
