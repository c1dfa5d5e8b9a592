"""Every word the report, the village sheets, the notices and the index show, in English
and in Chinese: one table (`WORDS`), and the language of an output (`Lang`).  Here, not
in planner.outputs, as planner.plan (the what-if tables, plan.xlsx) uses it too.

An output is written in the language asked for (`--lang en|zh`), else the plan's own
(`lang` in summary.json, as `planner solve --lang` wrote the plan), else English.
The templates take the words as `w.<key>` (`w.total`, `w.notice_title`); a word
with `{...}` is filled in the template (`w.works_and_money.format(n=..., money=...)`),
except `{unit}`, the plan's money unit (summary.json `money_unit`, else
models.money.UNIT_NAME), which every money header states and is filled in here.

A word naming a key of the tables or of summary.json has the Chinese of that key in
planner.headers.LABELS_ZH (the one table of labels: plan.xlsx and the what-if tables
take theirs from it too); the fund streams are STREAMS's, yes/no 是/否, so every output
names a thing alike.  English names of the bundled targets are here (a
scenario's own target is shown by its name in both languages); in English a fund
stream is its code, as in funds.csv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import SimpleNamespace

from models.money import UNIT_NAME

from .headers import LABELS_ZH, NO_ZH, PLAN_HEADERS_ZH, YES_ZH, stream_name_zh
from .schema import TARGETS

LANGS = ("en", "zh")
DEFAULT_LANG = "en"

def label(key: str, en: str, of: str | None = None) -> tuple[str, str]:
    """(English, 中文) of a word that names a key of the outputs: its Chinese is
    planner.headers.LABELS_ZH's (that of `of` when the word's key is another), with
    （{unit}） when the English states the unit."""
    zh = LABELS_ZH[of or key]
    return en, f"{zh}（{{unit}}）" if "({unit})" in en else zh


#: key -> (English, 中文); a word that names a key of the tables or of summary.json takes
#: its Chinese from planner.headers.LABELS_ZH (`label`), so that every output names it alike
WORDS: dict[str, tuple[str, str]] = {
    "html_lang": ("en", "zh-CN"),
    "yes": ("yes", YES_ZH),
    "no": ("no", NO_ZH),
    "none": ("none", "无"),
    "total": ("Total", "合计"),
    "pooled": ("all counties (pooled)", "不分县统筹"),
    "unassigned": ("(no department)", "未指定部门"),
    "unknown_target": ("(unknown task)", "未知任务"),
    "chart_failed": ("Chart not drawn: {error}", "图表无法绘制：{error}"),
    # ---------------------------------------------------------------- report
    "report_title": ("Village improvement plan — {scenario}",
                     "贫困村提升工程实施计划 — {scenario}"),
    "report_note": ("Scenario: {scenario}; plan folder: {folder}; money in {unit}.",
                    "方案：{scenario}；计划目录：{folder}；金额单位：{unit}。"),
    "sec_summary": ("Summary", "计划概要"),
    "sec_timeline": ("Timeline", "实施进度"),
    "sec_funds": ("Money per stream and year", "资金使用"),
    "sec_batches": ("Villages on time per exit batch", "各退出批次达标情况"),
    "sec_counties": ("Per county", "分县情况"),
    "sec_departments": ("Department task lists", "任务分解"),
    "sec_late": ("Villages not on time", "未按期达标的村"),
    # the headers of the report's summary table (label, value): not keys of a table
    "summary_item": ("Item", "项目"),
    "summary_value": ("Value", "值"),
    "scenario": label("scenario", "Scenario"),
    "objective_kind": label("objective_kind", "Objective"),
    "status": label("status", "Solver status"),
    "objective": label("objective", "Objective value"),
    "best_bound": label("best_bound", "Best bound"),
    "gap": label("gap", "Relative gap"),
    "solver": label("solver", "Solver"),
    "seconds": label("seconds", "Seconds"),
    "gaps_closed": label("gaps_closed", "Gaps closed"),
    "gaps_of": ("{closed} of {planned} planned ({total} in all)",
                "{closed} / 计划内 {planned} / 全部 {total}"),
    "villages": label("villages", "Villages"),
    "villages_of": ("{villages}, {planned} planned", "{villages}，计划内 {planned}"),
    "total_cost": label("total_cost", "Total cost ({unit})"),
    "pooled_cost": label("pooled_cost", "Pooled money ({unit})"),
    "self_funded_cost": label("self_funded_cost", "Self-funded ({unit})", "self_funded"),
    "money_available": label("money_available", "Money available ({unit})"),
    "spent_per_stream": ("Spent per stream", "各资金渠道支出"),
    "stream": label("stream", "Fund stream"),
    "spent": label("spent", "Spent ({unit})"),
    "batches_table": ("Villages on time per exit batch", "各退出批次按期达标"),
    "batch": label("batch", "Exit batch"),
    "due": label("due", "Due"),
    "possible": label("possible", "Possible", "villages_possible"),
    "on_time": label("on_time", "On time"),
    "share": label("share", "Share"),
    "deadlines": label("deadlines", "Policy deadlines"),
    "deadline": label("deadline", "Deadline"),
    "target": label("target", "Task"),
    "year": label("year", "Year"),
    "scope": label("scope", "Scope"),
    "kind": label("kind", "Kind"),
    "in_scope": label("in_scope", "Villages in scope", "villages_in_scope"),
    "met": label("met", "Met"),
    "required": label("required", "Required"),
    "result": ("Result", "结论"),
    "soft": label("soft", "soft"),
    "hard": ("hard", "硬约束"),
    "met_yes": ("met", "达到"),
    "met_no": ("NOT met", "未达到"),
    "no_works": ("No works are chosen in this plan.", "本计划未安排任何项目。"),
    "timeline_note": ("Works: started that year; money: spent that year, self-funded "
                      "included.", "“开工”按开工年度计项目数；“资金”为当年支出（含自筹）。"),
    "works_in": ("{year}: works", "{year}年开工"),
    "money_in": ("{year}: money ({unit})", "{year}年资金（{unit}）"),
    "works_total": ("Works in all", "开工合计"),
    "money_total": ("Money in all ({unit})", "资金合计（{unit}）"),
    "no_funds": ("No fund rows.", "无资金记录。"),
    "county": label("county", "County"),
    "no_batches": ("No exit batches.", "无退出批次。"),
    # sweep.png (with the headers of sweep.csv in Chinese)
    "sweep_title": ("{scenario}: budget-coverage", "{scenario}：资金-覆盖曲线"),
    "sweep_no_plan": ("no plan (why: sweep.csv)", "无可行方案（原因见 sweep.csv）"),
    # compare.csv's metrics (METRICS)
    "metric_on_time": ("Villages on time / due", "按期退出/应退出村数"),
    "metric_possible": label("metric_possible", "Villages that can be on time",
                             "villages_possible"),
    "metric_batch_on_time": ("Villages on time / due in the batch", "本批次按期退出/应退出村数"),
    "metric_weighted_on_time": ("On time / due under the weighted rule",
                                "加权规则下按期退出/应退出村数"),
    "metric_priority_cost": ("What exit priority cost (villages)", "退出优先的代价（村数）"),
    "metric_weighted_value": ("Value under the weighted rule", "加权规则方案得分"),
    "metric_left": ("Left ({unit})", "结余（{unit}）"),
    "priority_cost": ("What exit priority cost, against the weighted rule",
                      "退出优先的代价（与加权规则相比）"),
    "priority_cost_note": ("Villages on time per batch in this plan (exit first, batch by "
                           "batch) and in a plan of the same scenario under the weighted rule "
                           "(one objective, every village on time worth the same): {status}. "
                           "Plan value {mine} against {theirs}.",
                           "本方案（退出优先、批次推进）与同一情景按加权规则（单一目标，各村按期"
                           "达标同等计分）所得方案的各批次按期达标村数：{status}。方案得分 {mine}，"
                           "加权规则 {theirs}。"),
    "this_plan": ("This plan", "本方案"),
    "weighted_rule": ("Weighted rule", "加权规则"),
    "difference": ("Difference", "差额"),
    "impossible": ("Villages no money can make on time", "无论资金多少都无法按期达标的村"),
    "village": ("Village", "村"),
    "why": label("why", "Why"),
    "planned": ("Planned", "计划内"),
    "gaps": label("gaps", "Gaps"),
    "closed": ("Closed", "补齐"),
    "cost": label("cost", "Cost ({unit})"),
    "relocated_note": ("Relocated villages are not planned.", "易地搬迁村不纳入计划。"),
    "works_and_money": ("{n} works, {money} {unit} in all", "项目 {n} 个，资金合计 {money} {unit}"),
    "project": label("project", "Project", "project_id"),
    "year_cost": ("Money that year ({unit})", f"{PLAN_HEADERS_ZH['cost']}（{{unit}}）"),
    "late_note": ("{n} villages. Open: gaps still open at the end of the plan; late: closed "
                  "after the exit year.",
                  f"共 {{n}} 个村。“{LABELS_ZH['open_targets']}”为计划期末仍未补齐的短板，"
                  f"“{LABELS_ZH['late_targets']}”为在退出年度后才补齐的短板。"),
    "village_id": label("village_id", "Village id"),
    "village_name": label("village_name", "Village"),
    "township": label("township", "Township"),
    "exit_year": label("exit_year", "Exit year"),
    "completion": label("completion", "Standard met in", "completion_year"),
    "open_targets": label("open_targets", "Open"),
    "late_targets": label("late_targets", "Late"),
    "relocated_list": ("Relocated, not planned: {villages}",
                       "易地搬迁、不纳入计划的村：{villages}"),
    "chart_year": ("Year", "年度"),
    "chart_works": ("Works started", "开工项目数"),
    "chart_works_title": ("Works started per year, by task", "每年开工项目数（按任务）"),
    "chart_budget": ("{year} budget", "{year}年预算"),
    "chart_spent": ("{year} spent", "{year}年支出"),
    "chart_money": ("Money ({unit})", "金额（{unit}）"),
    "chart_funds_title": ("Budget and spending per stream and year", "各资金渠道每年预算与支出"),
    "chart_on_time": ("On time", "按期"),
    "chart_late": ("Late", "未按期"),
    "chart_batch": ("Exit batch", "退出批次"),
    "chart_villages": ("Villages", "村数"),
    "chart_batches_title": ("Villages on time per exit batch", "各退出批次按期达标村数"),
    # ---------------------------------------------------------------- village sheet
    "sheet_title": ("{village}: task map and timetable", "{village} 提升工程任务图与时间表"),
    "deep_poverty": label("deep_poverty", "Deep-poverty village"),
    "sheet_timetable": ("1. Task map and timetable", "一、任务图与时间表"),
    "sheet_timetable_note": ("Each cell: the money of that year ({unit}, self-funded included); "
                             "start and finish years are marked, “—”: under way, nothing "
                             "spent that year.", "单元格为当年投资（{unit}，含自筹）；“开工”"
                             "“完工”标明起止年度，“—”为实施中但当年无支出。"),
    "row_no": ("No.", "序号"),
    "task": ("Task", "任务"),
    "department": label("department", "Responsible"),
    "unit_suffix": (" ({unit})", "（{unit}）"),
    "year_head": ("{year}", "{year}年"),
    "start": ("start", "开工"),
    "finish": ("finish", "完工"),
    "sheet_money": ("2. Money ({unit})", "二、资金安排（{unit}）"),
    "work_cost": label("work_cost", "Cost"),
    "self_funded": label("self_funded", "Self-funded"),
    "sheet_status_3": ("3. Standing", "三、完成情况"),
    "sheet_status_2": ("2. Standing", "二、完成情况"),
    "sheet_no_works": ("No works are planned for this village.", "本计划未为本村安排项目。"),
    "on_time_yes": ("Meets the exit standard on time: yes, exit year {year}",
                    "按期达到退出标准：是，退出年度 {year}"),
    "on_time_closed": (" (its exit-standard gaps close in {year})",
                       "（退出标准短板于 {year} 年补齐）"),
    "on_time_no_late": ("Meets the exit standard on time: no (exit year {year}; its "
                        "exit-standard gaps close only in {completion})",
                        "按期达到退出标准：否（退出年度 {year}，退出标准短板于 {completion} "
                        "年才补齐）"),
    "on_time_no_open": ("Meets the exit standard on time: no (exit year {year}; its "
                        "exit-standard gaps stay open in this plan)",
                        "按期达到退出标准：否（退出年度 {year}，本计划期内未能补齐退出标准短板）"),
    "gap_line": ("{gaps} gaps, {closed} closed by this plan; {works} works, {cost} {unit} in all",
                 "短板 {gaps} 项，本计划补齐 {closed} 项；"
                 "安排项目 {works} 个，投资合计 {cost} {unit}"),
    "open_line": ("Gaps this plan leaves open: ", "本计划未补齐的短板："),
    "late_line": ("Gaps closed after the exit year: ", "退出年度后才补齐的短板："),
    "list_sep": (", ", "、"),
    "sheet_footer": ("Scenario: {scenario}; money in {unit}. Made from the plan; check it "
                     "before it is published.", "方案：{scenario}；金额单位：{unit}。"
                     "本表由计划结果生成，公示前请核对。"),
    "sign_office": ("Drawn up by (seal): ", "编制单位（盖章）："),
    "sign_checked": ("Checked by: ", "审核人："),
    "sign_date": ("Date: ", "日期："),
    # ---------------------------------------------------------------- notice, index
    "notice_title": ("{county}: public notice of the village improvement works",
                     "{county}贫困村提升工程项目公示表"),
    "notice_period": ("Notice period: from{blank}to{blank}(filled in by the county "
                      "office)", "公示期：{blank}至{blank}（由县级主管部门填写）"),
    "notice_hotline": ("Supervision hotline: ", "监督电话："),
    "notice_none": ("No works in this county's plan.", "本县计划内无项目"),
    "notice_total": ("Total ({n} works)", "合计（{n} 个项目）"),
    "notice_note": ("Scenario: {scenario}; money in {unit}. The notice period and the "
                    "hotline are filled in by the county office; objections go to the "
                    "hotline within the notice period.", "方案：{scenario}；金额单位：{unit}。"
                    "公示期和监督电话由县级主管部门填写；对公示内容有异议的，请在公示期内"
                    "向监督电话反映。"),
    "notice_seal": ("Published by (seal): ", "公示单位（盖章）："),
    "index_title": ("Village task maps and timetables — {scenario}",
                    "贫困村提升工程逐村任务图与时间表 — {scenario}"),
    "index_note": ("One page per planned village (A4 portrait, ready to print); each "
                   "county's public notice (A4 landscape) and {csv} for all counties. "
                   "Relocated villages get no page.", "每个计划内的村一页（A4 纵向，可直接"
                   "打印）；各县公示表（A4 横向）及全部县的 {csv}。整村搬迁的村不编制。"),
    "works": label("works", "Works"),
    "relocated_index": ("Relocated, no page: {villages}", "整村搬迁、不编制的村：{villages}"),
}

#: notice.csv's columns (and the notice table's): key -> (English, 中文)
NOTICE_COLUMNS: dict[str, tuple[str, str]] = {
    "county": label("county", "County"),
    "township": label("township", "Township"),
    "village_name": label("village_name", "Village"),
    "village_id": label("village_id", "Village id"),
    "work": ("Work", "项目名称/任务"),
    "years": ("Years", "建设年度"),
    "cost": label("cost", "Cost ({unit})"),
    "sources": ("Sources of money", "资金来源"),
    "department": label("department", "Responsible"),
    "period": ("Notice period", "公示期"),
    "hotline": ("Hotline", "监督电话"),
}
#: notice columns the county office fills in
NOTICE_BLANK = ("period", "hotline")

#: English names of the bundled targets (planner.schema.TARGETS); fund streams are named
#: by their codes in English (special_bonds), as in funds.csv
TARGETS_EN = {
    "water": "Drinking water", "power": "Power grid", "road": "Village road",
    "broadband": "Broadband", "housing": "Dangerous houses", "environment": "Living environment",
    "education": "Basic education", "health": "Health care",
    "social_security": "Social security", "culture": "Culture service centre",
    "collective_economy": "Collective economy", "governance": "Village governance",
    "civility": "Civic culture", "motivation": "Self-reliance",
}
#: words of summary.json's values: status, objective kind, deadline scope
VALUES: dict[str, tuple[str, str]] = {
    "optimal": ("optimal", "最优"), "feasible": ("feasible", "可行"),
    "infeasible": ("infeasible", "无可行方案"), "time_limit": ("time limit reached", "达到时限"),
    "max_coverage": ("most value within budget", "资金内覆盖最多"),
    "min_cost": ("least cost", "成本最低"),
    "all": ("all villages", "全部村"), "deep_poverty": ("deep-poverty villages", "深度贫困村"),
    # the exit-priority batch of villages that exited before the horizon
    "exited": ("exited before (consolidation)", "已退出（巩固提升）"),
    # exit_priority's rules, and the languages (summary.json exit_priority.rule, lang)
    "lexicographic": ("exit first, batch by batch", "退出优先、逐批推进"),
    "weighted": ("weighted", "加权"), "none": ("none", "无"),
    "en": ("English", "英文"), "zh": ("Chinese", "中文"),
    # the what-if tables' code words (planner.plan.lang.whatif_table): a change's kind
    "village gains on-time exit": ("village gains on-time exit", "新增按期退出村"),
    "village loses on-time exit": ("village loses on-time exit", "不再按期退出的村"),
    "project dropped": ("project dropped", "项目取消"),
    "project added": ("project added", "项目新增"),
    "project moved": ("project moved", "项目改期"),
    "money spent from stream": ("money spent from stream", "资金渠道支出变化"),
    "dropped": ("dropped", "取消"), "added": ("added", "新增"), "moved": ("moved", "改期"),
    # needs.csv kind
    "total": ("total", "资金缺口合计"), "money": ("money", "分渠道分年度"),
    "exit gap no money can close": ("exit gap no money can close", "资金无法补齐的退出短板"),
    "exit gap no plan can close": ("exit gap no plan can close", "任何方案都无法补齐的退出短板"),
    "deadline no money can meet": ("deadline no money can meet", "资金无法达到的政策时限"),
    # importance.csv status; sweep.csv error
    "measured": ("measured", "已测算"),
    "measured, not proven": ("measured, not proven", "已测算（未证明最优）"),
    "required by deadline": ("required by deadline", "政策时限要求必做"),
    "locked in": ("locked in", "锁定必做"), "required": ("required", "必不可少"),
    "no plan in time": ("no plan in time", "时限内未找到方案"),
    "no plan": ("no plan", "无可行方案"),
}
#: compare.csv's metrics (`name` or `name[what]`) in words: metric -> key of WORDS
METRICS = {
    "value": "objective", "status": "status", "gap": "gap", "total_cost": "total_cost",
    "pooled_cost": "pooled_cost", "gaps_closed": "gaps_closed", "on_time": "metric_on_time",
    "possible": "metric_possible", "batch_on_time": "metric_batch_on_time",
    "weighted_on_time": "metric_weighted_on_time", "priority_cost": "metric_priority_cost",
    "weighted_value": "metric_weighted_value", "spent": "spent", "left": "metric_left",
}
#: plan columns the report shows under their plan name (PLAN_HEADERS_ZH in Chinese)
COLUMNS_EN = {
    "budget": "Budget", "carried_in": "Carried in", "returned": "Returned", "spent": "Spent",
    "carried_out": "Carried out", "outside": "Outside money", "unused": "Unused",
}


def plan_lang(summary: dict, lang: str | None = None) -> str:
    """The language of an output: `lang` if given, else the plan's, else English."""
    if lang is not None:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
        return lang
    recorded = summary.get("lang")
    return recorded if recorded in LANGS else DEFAULT_LANG


@dataclass(frozen=True)
class Lang:
    """The words of one output: `code` ("en" or "zh"), the money `unit`, the scenario's
    own target names (summary.json `target_names`, code -> Chinese name)."""
    code: str = DEFAULT_LANG
    unit: str = UNIT_NAME
    target_names: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, summary: dict, lang: str | None = None) -> Lang:
        unit = summary.get("money_unit")
        names = summary.get("target_names") or {}
        return cls(plan_lang(summary, lang), unit if isinstance(unit, str) and unit
                   else UNIT_NAME, tuple(sorted((str(k), str(v)) for k, v in names.items())))

    @property
    def zh(self) -> bool:
        return self.code == "zh"

    def word(self, key: str, **fill) -> str:
        en, zh = WORDS[key]
        text = zh if self.zh else en
        return text.format(unit=self.unit, **fill) if fill or "{unit}" in text else text

    def words(self) -> SimpleNamespace:
        """`w` of the templates: every word, `{unit}` filled in, other `{...}` kept."""
        return SimpleNamespace(**{k: self._unit_only(k) for k in WORDS})

    def _unit_only(self, key: str) -> str:
        text = WORDS[key][1 if self.zh else 0]
        return text.replace("{unit}", self.unit)

    def yes_no(self, value) -> str:
        """是/否 (yes/no); blank when it is neither."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return self.word("yes") if value else self.word("no")

    def target(self, code, name=None) -> str:
        """A target as the outputs name it: in Chinese its name (the plan's, else the
        scenario's, else the bundled one's), in English the bundled targets' English
        name, else its name; its code when nothing else is known."""
        code = "" if code is None else str(code)
        name = "" if name is None or (isinstance(name, float) and math.isnan(name)) \
            else str(name)
        if not self.zh and code in TARGETS_EN:
            return TARGETS_EN[code]
        own = dict(self.target_names).get(code)
        bundled = TARGETS[code].name_zh if code in TARGETS else ""
        return name or own or bundled or code or self.word("unknown_target")

    def stream(self, code) -> str:
        code = str(code)
        return stream_name_zh(code) if self.zh else code

    def deadline(self, label) -> str:
        """A deadline's label as people read it (planner.plan.lang.deadline_text): its
        code in English, in words in Chinese."""
        from .plan.lang import deadline_text

        return deadline_text(label, self.zh, dict(self.target_names))

    def value(self, code) -> str:
        """A code word of summary.json (status, objective kind, scope) in words."""
        pair = VALUES.get(str(code))
        return (pair[1] if self.zh else pair[0]) if pair else str(code)

    def column(self, col: str) -> str:
        """A money column of the plan tables with its unit: 年度资金（万元）, Budget (万元)."""
        name = PLAN_HEADERS_ZH.get(col, col) if self.zh else COLUMNS_EN.get(col, col)
        return f"{name}（{self.unit}）" if self.zh else f"{name} ({self.unit})"

    def notice_columns(self) -> list[str]:
        return [(zh if self.zh else en).replace("{unit}", self.unit)
                for en, zh in NOTICE_COLUMNS.values()]
