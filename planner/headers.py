"""Headers in Chinese (`--lang zh`): the plan tables', the what-if tables', and the
Chinese headers the input tables accept.  One table each: every writer, reader and the
checker take their headers from here (the English names are planner.schema's and the
contract's)."""

from __future__ import annotations

from .schema import STREAMS, TABLES

#: The Chinese word of every key an output labels, without the unit (one table): a
#: column of the plan tables and of the what-if tables, a key of summary.json (the
#: summary sheet of plan.xlsx), and the report's and the sheets' word for the same thing
#: (planner.words takes these).  A key is one thing wherever it is shown; where a table
#: shows something else under the same name, its own word is declared below
#: (PLAN_OWN_ZH, WHATIF_TABLE_HEADERS_ZH).  A money column's or key's header is followed
#: by its unit, e.g. 统筹资金（万元）.  Fund streams are named by STREAMS, else their code.
LABELS_ZH = {
    # the plan tables (schedule.csv, villages.csv, funds.csv)
    "year": "年度", "county": "县", "township": "乡镇", "village_id": "村编号",
    "village_name": "村名", "exit_year": "退出年度", "target": "任务",
    "target_name": "任务", "project_id": "项目编号", "department": "责任部门",
    "start_year": "开工年度", "finish_year": "完工年度", "cost": "投资",
    "pooled_cost": "统筹资金", "self_funded": "自筹资金",
    "work_cost": "项目总投资", "work_pooled_cost": "项目统筹资金合计",
    "deep_poverty": "深度贫困", "relocated": "整村搬迁", "gaps": "短板数",
    "gaps_closed": "已补短板数", "exit_gaps": "退出标准短板数", "on_time": "按期退出",
    "completion_year": "达标年度", "open_targets": "未补短板",
    "late_targets": "延期补齐短板", "on_time_possible": "可能按期退出",
    "why_not_possible": "不能按期退出的原因",
    "stream": "资金来源", "budget": "年度资金", "carried_in": "上年结转",
    "returned": "周转金收回", "spent": "支出", "carried_out": "结转下年",
    "outside": "撬动资金", "unused": "未用",
    # the what-if tables: the change tables (compare_changes.csv, changes.csv,
    # alternatives_changes.csv); `from`/`to` are the reference plan's and the other
    # plan's (replan: the previous plan and the re-plan; alternatives: plan-1 and the
    # alternative)
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
    # summary.json (at any level; plan.xlsx's summary sheet, the report's summary)
    "scenario": "方案", "objective_kind": "规划目标", "solver": "求解器",
    "solver_version": "求解器版本", "objective": "目标值",
    "best_bound": "目标值上界", "seconds": "求解用时（秒）",
    "gaps_total": "短板总数", "gaps_planned": "纳入规划的短板数",
    "villages": "村数", "villages_planned": "纳入规划的村数",
    "villages_due": "应退出村数", "villages_possible": "可能按期退出村数",
    "total_cost": "总投资", "spent_by_stream": "各资金来源支出", "outside_money": "撬动资金",
    "money_available": "可用资金", "deadlines": "政策时限", "deadline": "时限",
    "scope": "范围", "share": "比例", "soft": "软约束",
    "villages_in_scope": "范围内村数", "required": "须达标村数", "met": "已达标村数",
    "fairness": "县际均衡", "settings": "设置", "county_on_time_rate": "各县按期退出率",
    "worst_county_rate": "最低县按期退出率", "rate_spread": "县际差距",
    "maximin_rate": "最低县保底率", "max_spread": "最大差距", "min_rate": "最低退出率",
    "maximin": "最低县优先", "reserve": "预留资金",
    "reserved": "预留金额", "spent_in_deep_poverty_villages": "深度贫困村支出",
    "exit_priority": "退出优先", "rule": "规则", "order": "顺序", "stages": "阶段",
    "batch": "退出批次", "due": "应退出村数", "bound": "上界",
    "proven": "已证明", "solved": "已求解", "value_rule": "价值规则", "gap_value": "短板价值",
    "village_bonus": "按期退出奖励", "soft_deadlines": "软时限", "tie_break": "同值取舍",
    "weights": "权重", "target_weight": "任务权重", "late_factor": "延期系数",
    "on_time_bonus": "按期退出奖励", "soft_deadline_penalty": "软时限罚分",
    "targets": "各任务权重", "exit_standard": "退出标准", "options": "求解选项",
    "inputs": "输入文件", "versions": "软件版本", "command": "命令", "lang": "语言",
    "money_unit": "金额单位", "target_names": "任务名称",
    "time_limit": "时间上限（秒）", "threads": "线程数", "seed": "随机种子", "backend": "求解器",
    "elastic": "松弛", "build_seconds": "建模用时（秒）", "plan_from": "方案来源",
    "hint": "初始方案", "hint_value": "初始方案值", "greedy_value": "贪心方案值",
    "dive_value": "LP 下潜方案值", "decompose": "分县求解", "secondary": "次级目标",
}
#: The plan tables' columns (schedule.csv, villages.csv, funds.csv) with a word of their
#: own: schedule.csv's `target` holds the code (`target_name` the task), and its
#: `cost`, `pooled_cost`, `self_funded` are the money of the row's year (本年), a work's
#: totals being `work_cost`, `work_pooled_cost` (项目).
PLAN_OWN_ZH = {"target": "任务代码", "cost": "本年投入", "pooled_cost": "本年统筹资金",
               "self_funded": "本年自筹资金"}
#: The plan tables' columns (the contract's, and the planner's own) other than the fund
#: streams and `outside_<stream>`.
PLAN_COLUMNS = (
    "year", "county", "township", "village_id", "village_name", "exit_year", "target",
    "target_name", "project_id", "department", "start_year", "finish_year", "cost",
    "pooled_cost", "self_funded", "work_cost", "work_pooled_cost",
    "deep_poverty", "relocated", "gaps", "gaps_closed", "exit_gaps", "on_time",
    "completion_year", "open_targets", "late_targets", "on_time_possible", "why_not_possible",
    "stream", "budget", "carried_in", "returned", "spent", "carried_out", "outside", "unused",
)
#: Chinese headers of the plan tables (`--lang zh`, CSV and plan.xlsx), without the unit:
#: a money column's header is followed by its unit, e.g. 本年投入（万元） (plan_header_zh).
#: Fund stream columns are headed by the stream's name (STREAMS, else its code),
#: `outside_<stream>` by that name and 撬动资金.
PLAN_HEADERS_ZH = {c: PLAN_OWN_ZH.get(c, LABELS_ZH[c]) for c in PLAN_COLUMNS}
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


#: The what-if tables' columns the plan tables do not have (compare.csv,
#: compare_changes.csv, sweep.csv, needs.csv, replan's changes.csv, alternatives.csv,
#: alternatives_changes.csv, importance.csv, priority.csv, priority_levels.csv); the
#: columns they share with them (county, village_id, target_name, stream, budget, ...)
#: are headed by PLAN_HEADERS_ZH.
WHATIF_COLUMNS = (
    "plan", "change", "item", "from", "to", "from_finish", "to_finish", "from_money",
    "to_money", "metric", "scale", "value", "villages_on_time", "money", "marginal_value",
    "status", "gap", "error", "why", "funding_gap", "needed", "funding_gap_min",
    "funding_gap_max", "kind", "reason", "vs_best", "projects", "added", "dropped", "moved",
    "value_without", "importance", "status_without", "rank", "cumulative_pooled_cost",
    "works", "optimum_value", "optimum_bound", "optimum_status", "optimum_villages_on_time",
    "ratio", "batch_behind", "optimum_plan",
)
#: Chinese headers of the what-if tables (`--lang zh`) for those columns: LABELS_ZH's.
WHATIF_HEADERS_ZH = {c: LABELS_ZH[c] for c in WHATIF_COLUMNS}
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
#: compare.csv's metrics that are money (its rows, `name` or `name[what]`)
COMPARE_MONEY_METRICS = frozenset({"total_cost", "pooled_cost", "spent", "left"})


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
