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
