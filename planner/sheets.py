"""`planner sheets PLAN_DIR`: printable per-village sheets and county public notices.

The policy asks that plans be drawn up and published village by village
(逐村编制规划, 任务图、时间表, 公告公示). From a plan folder's own outputs
(`schedule.csv`, `villages.csv`, `funds.csv`, `summary.json`, never the scenario)
this writes into one folder (default `PLAN_DIR/sheets/`):

- `village-<village_id>.html`: one A4 portrait page per planned village — the
  task map and timetable (works × years, money spent each year, start and
  finish marked), the money per work and stream, the village's standing (on
  time or not, targets left open, targets closed late) and a signature footer.
  A village without works gets a page saying so and listing its open targets.
  Relocated villages (整村搬迁) get no page.
- `index.html`: the village pages by county, with links.
- `notice-<county>.html` (A4 landscape) and `notice.csv` (all counties, UTF-8
  with BOM): the county public-notice table (公示表), one row per work, with the
  publication period and the supervision telephone left blank for the county
  office to fill in.

Everything is self-contained (a `<style>` block, no scripts, no outside
references), all text is HTML-escaped, and the folder is built beside its
target and swapped in whole, so an interrupted run leaves the earlier sheets.
Money is kept in whole units of 0.0001 while adding, so every sum re-adds
exactly to the 4-decimal figures of `schedule.csv`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .cells import neutralise
from .outdir import output_folder
from .report import _CSS, _blank, _e, _read_csv, _truthy, _year
from .schema import STREAMS, TARGETS

#: the fixed columns of schedule.csv; any other column is a fund stream
_SCHEDULE_FIXED = ["year", "county", "township", "village_id", "village_name", "exit_year",
                   "target", "target_name", "project_id", "department", "start_year",
                   "finish_year", "cost", "pooled_cost", "self_funded"]

NOTICE_COLUMNS = ["县", "乡镇", "村名", "村编号", "项目名称/任务", "建设年度", "投资 (万元)",
                  "资金来源", "责任单位", "公示期", "监督电话"]

SELF_FUNDED_ZH = "自筹资金"

_SHEET_CSS = """
body { max-width: 180mm; margin: 8mm auto; font-size: 13px; }
h1 { font-size: 1.45em; margin: 0 0 .3em 0; text-align: center; border-bottom: 2px solid #444; }
h2 { font-size: 1.1em; margin: .9em 0 .3em 0; }
table { width: 100%; margin: .3em 0 .6em 0; font-size: .86em; }
th, td { padding: 2px 4px; }
th { text-align: center; }
td.pid, table.timetable th, table.money th:nth-child(-n+4) { white-space: nowrap; }
table.money td:nth-child(2) { min-width: 7em; }
td.yr { text-align: center; width: 13%; font-variant-numeric: tabular-nums; }
td.act { background: #dcebdc; }
td.idle { background: #f1f6f1; color: #777; }
.mark { display: block; font-size: .82em; color: #1f5e2a; }
.meta { margin: .2em 0 .4em 0; line-height: 1.6; }
.meta span { margin-right: 1.4em; white-space: nowrap; }
ul.status { margin: .2em 0 .6em 0; padding-left: 1.4em; line-height: 1.6; }
.sign { margin-top: 1.4em; display: flex; justify-content: space-between; line-height: 2.2; }
.sign div { width: 32%; }
.line { display: inline-block; min-width: 8em; border-bottom: 1px solid #444; }
.small { font-size: .82em; color: #555; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 10px; line-height: 1.25; }
  h1 { font-size: 1.6em; }
  h2 { margin: .6em 0 .2em 0; }
  table { page-break-inside: auto; font-size: .9em; margin: .2em 0 .4em 0; }
  th, td { padding: 1px 3px; }
  tr { page-break-inside: avoid; }
  .meta, ul.status { line-height: 1.45; }
  .sign { margin-top: 1em; line-height: 1.8; }
}
"""

_NOTICE_CSS = """
body { max-width: 277mm; margin: 8mm auto; font-size: 13px; }
h1 { font-size: 1.5em; text-align: center; border-bottom: none; margin-bottom: .2em; }
table { width: 100%; font-size: .88em; }
th { text-align: center; }
td.blank { min-width: 5em; }
th, td:nth-child(-n+5), td:nth-child(7), td:nth-child(8) { white-space: nowrap; }
.meta { margin: .3em 0 .5em 0; line-height: 1.8; }
.line { display: inline-block; min-width: 8em; border-bottom: 1px solid #444; }
.sign { margin-top: 1.2em; display: flex; justify-content: space-between; line-height: 2.2; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { max-width: none; margin: 0; font-size: 10px; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

_INDEX_CSS = """
body { max-width: 200mm; margin: 2em auto; }
@page { size: A4; margin: 15mm; }
"""

# ---------------------------------------------------------------- helpers

def _units(value) -> int:
    """Money in whole units of 0.0001 (one yuan when the unit is 万元)."""
    if _blank(value):
        return 0
    return int(round(float(value) * 10_000))


def _fmt(units: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 10_000}.{units % 10_000:04d}"


def stream_name(code: str) -> str:
    """The stream's Chinese name where known, else its code."""
    return STREAMS.get(code, code)


def target_name(code: str) -> str:
    t = TARGETS.get(code)
    return f"{t.name_zh} ({code})" if t else code


def safe_name(text: str) -> str:
    """A file-name-safe form of `text` (letters, digits, CJK, `-`, `.` and `_`).

    When anything had to be changed a short hash of the original is appended,
    so two different ids never share a file name.
    """
    text = "" if text is None else str(text)
    safe = re.sub(r"[^\w.-]", "_", text).strip(".")[:80]
    if safe != text or not safe:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        safe = f"{safe}-{digest}" if safe else digest
    return safe


def village_file(village_id: str) -> str:
    return f"village-{safe_name(village_id)}.html"


def notice_file(county: str) -> str:
    return f"notice-{safe_name(county)}.html"


def _page(title: str, css: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}{css}</style></head><body>",
        *body,
        "</body></html>",
    ]) + "\n"


def _yes_no(value) -> str:
    t = _truthy(value)
    return "是" if t else ("否" if t is False else "")


# ---------------------------------------------------------------- the plan

@dataclass
class Work:
    """One chosen project of one village, with its money per year and stream in units."""
    project_id: str
    target: str
    target_name: str
    department: str
    start: int
    finish: int
    by_year: dict[int, int] = field(default_factory=dict)
    by_stream: dict[str, int] = field(default_factory=dict)
    self_funded: int = 0

    @property
    def cost(self) -> int:
        return sum(self.by_year.values())

    @property
    def label(self) -> str:
        return self.target_name or self.target or "未知任务"

    @property
    def years_text(self) -> str:
        return str(self.start) if self.start == self.finish else f"{self.start}–{self.finish}"


def _int_year(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _load(plan_dir: Path):
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8-sig"))
    schedule = _read_csv(plan_dir / "schedule.csv")
    villages = _read_csv(plan_dir / "villages.csv")
    funds = _read_csv(plan_dir / "funds.csv")
    extra = [c for c in schedule.columns if c not in _SCHEDULE_FIXED]
    streams = [s for s in STREAMS if s in extra] + [s for s in extra if s not in STREAMS]

    years: set[int] = set()
    for col in ("year", "start_year", "finish_year"):
        if col in schedule:
            years |= {y for y in map(_int_year, schedule[col]) if y is not None}
    if "year" in funds:
        years |= {y for y in map(_int_year, funds["year"]) if y is not None}

    works: dict[str, dict[str, Work]] = {}  # village_id -> project_id -> work
    for _, r in schedule.iterrows():
        vid, pid = str(r.get("village_id", "")), str(r.get("project_id", ""))
        year = _int_year(r.get("year"))
        w = works.setdefault(vid, {}).get(pid)
        if w is None:
            start = _int_year(r.get("start_year"))
            finish = _int_year(r.get("finish_year"))
            w = Work(pid, "" if _blank(r.get("target")) else str(r.get("target")),
                     "" if _blank(r.get("target_name")) else str(r.get("target_name")),
                     "" if _blank(r.get("department")) else str(r.get("department")),
                     start if start is not None else year,
                     finish if finish is not None else year)
            works[vid][pid] = w
        w.by_year[year] = w.by_year.get(year, 0) + _units(r.get("cost"))
        w.start = min(w.start, year) if w.start is not None else year
        w.finish = max(w.finish, year) if w.finish is not None else year
        for s in streams:
            u = _units(r.get(s))
            if u:
                w.by_stream[s] = w.by_stream.get(s, 0) + u
        w.self_funded += _units(r.get("self_funded"))
    for vw in works.values():  # stable order: start year, then id
        ordered = sorted(vw.values(), key=lambda w: (w.start, w.finish, w.project_id))
        vw.clear()
        vw.update((w.project_id, w) for w in ordered)
    return summary, villages, funds, streams, sorted(years), works


def _planned(villages: pd.DataFrame) -> pd.DataFrame:
    if "relocated" in villages:
        rel = villages["relocated"].map(_truthy).fillna(False).astype(bool)
        villages = villages[~rel]
    keys = [c for c in ("county", "township", "village_id") if c in villages]
    return villages.sort_values(keys, kind="stable") if keys else villages


# ---------------------------------------------------------------- village page

def _timetable(works: list[Work], years: list[int]) -> str:
    out = ['<table class="timetable"><thead><tr><th>序号</th><th>任务</th><th>项目编号</th>'
           "<th>责任单位</th>"]
    out += [f"<th>{y}年</th>" for y in years]
    out.append("</tr></thead><tbody>")
    for i, w in enumerate(works, 1):
        out.append(f'<tr><td class="num">{i}</td><td>{_e(w.label)}</td>'
                   f'<td class="pid">{_e(w.project_id)}</td>'
                   f"<td>{_e(w.department)}</td>")
        for y in years:
            marks = (["开工"] if y == w.start else []) + (["完工"] if y == w.finish else [])
            active = w.start is not None and w.finish is not None and w.start <= y <= w.finish
            if y in w.by_year:
                cell = _fmt(w.by_year[y])
                cls = "yr act"
            elif active:
                cell, cls = "—", "yr idle"
            else:
                cell, cls = "", "yr"
            mark = f'<span class="mark">{"·".join(marks)}</span>' if marks else ""
            out.append(f'<td class="{cls}">{_e(cell)}{mark}</td>')
        out.append("</tr>")
    out.append('<tr class="total"><td></td><td colspan="3">合计</td>')
    for y in years:
        out.append(f'<td class="yr">{_fmt(sum(w.by_year.get(y, 0) for w in works))}</td>')
    out.append("</tr></tbody></table>")
    return "".join(out)


def _money_table(works: list[Work], streams: list[str]) -> str:
    used = [s for s in streams if any(w.by_stream.get(s) for w in works)]
    used += sorted({s for w in works for s in w.by_stream} - set(used))
    heads = ["序号", "任务", "项目编号", "投资合计"] + [stream_name(s) for s in used] + [SELF_FUNDED_ZH]
    out = ["<table class=\"money\"><thead><tr>"]
    num = ' class="num"'
    out += [f"<th{num if i >= 3 else ''}>{_e(h)}</th>" for i, h in enumerate(heads)]
    out.append("</tr></thead><tbody>")
    cls = {0: num, 2: ' class="pid"'}
    for i, w in enumerate(works, 1):
        cells = [str(i), w.label, w.project_id]
        nums = [w.cost] + [w.by_stream.get(s, 0) for s in used] + [w.self_funded]
        out.append("<tr>" + "".join(
            f"<td{cls.get(j, '')}>{_e(c)}</td>" for j, c in enumerate(cells))
            + "".join(f'<td class="num">{_fmt(n) if n or k == 0 else ""}</td>'
                      for k, n in enumerate(nums)) + "</tr>")
    tot = [sum(w.cost for w in works)] + [sum(w.by_stream.get(s, 0) for w in works) for s in used] \
        + [sum(w.self_funded for w in works)]
    out.append('<tr class="total"><td></td><td colspan="2">合计</td>'
               + "".join(f'<td class="num">{_fmt(n)}</td>' for n in tot) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _status(v: pd.Series, works: list[Work]) -> str:
    exit_year = _year(v.get("exit_year"))
    on = _truthy(v.get("on_time"))
    completion = v.get("completion_year")
    items = []
    if on:
        done = f"（退出标准短板于 {_year(completion)} 年补齐）" if not _blank(completion) else ""
        items.append(f'<li class="ok">按期达到退出标准：是，退出年度 {_e(exit_year)}{_e(done)}</li>')
    elif on is False:
        done = (f"退出标准短板于 {_year(completion)} 年才补齐" if not _blank(completion)
                else "本计划期内未能补齐退出标准短板")
        items.append(f'<li class="bad">按期达到退出标准：否（退出年度 {_e(exit_year)}，{_e(done)}）</li>')
    gaps, closed = v.get("gaps"), v.get("gaps_closed")
    if not _blank(gaps):
        items.append(f"<li>短板 {_e(_year(gaps))} 项，本计划补齐 {_e(_year(closed))} 项；"
                     f"安排项目 {len(works)} 个，投资合计 {_fmt(sum(w.cost for w in works))}</li>")
    open_t = [t for t in str(v.get("open_targets") or "").split(";") if t and not _blank(t)]
    late_t = [t for t in str(v.get("late_targets") or "").split(";") if t and not _blank(t)]
    items.append("<li>本计划未补齐的短板：" + (
        f'<span class="bad">{_e("、".join(target_name(t) for t in open_t))}</span>'
        if open_t else "无") + "</li>")
    items.append("<li>退出年度后才补齐的短板：" + (
        f'<span class="bad">{_e("、".join(target_name(t) for t in late_t))}</span>'
        if late_t else "无") + "</li>")
    return '<ul class="status">' + "".join(items) + "</ul>"


def _signature() -> str:
    return ('<div class="sign">'
            '<div>编制单位（盖章）：<span class="line"></span></div>'
            '<div>审核人：<span class="line"></span></div>'
            '<div>日期：<span class="line"></span></div>'
            "</div>")


def village_html(v: pd.Series, works: list[Work], years: list[int], streams: list[str],
                 scenario: str) -> str:
    name = "" if _blank(v.get("village_name")) else str(v.get("village_name"))
    vid = str(v.get("village_id", ""))
    title = f"{name or vid} 提升工程任务图与时间表"
    body = [f"<h1>{_e(title)}</h1>",
            '<div class="meta">'
            f"<span>县：{_e(v.get('county'))}</span>"
            f"<span>乡镇：{_e(v.get('township'))}</span>"
            f"<span>村编号：{_e(vid)}</span>"
            f"<span>退出年度：{_e(_year(v.get('exit_year')))}</span>"
            f"<span>深度贫困村：{_e(_yes_no(v.get('deep_poverty')))}</span>"
            "</div>"]
    if works:
        body.append("<h2>一、任务图与时间表</h2>")
        body.append('<p class="small">单元格为当年投资（万元，含自筹）；“开工”“完工”标明起止年度，'
                    "“—”为实施中但当年无支出。</p>")
        body.append(_timetable(works, years))
        body.append("<h2>二、资金安排（万元）</h2>")
        body.append(_money_table(works, streams))
        body.append("<h2>三、完成情况</h2>")
    else:
        body.append("<h2>一、任务图与时间表</h2>")
        body.append('<p class="bad">本计划未为本村安排项目（no works are planned for this village）。</p>')
        body.append("<h2>二、完成情况</h2>")
    body.append(_status(v, works))
    body.append(f'<p class="small">方案：{_e(scenario)}；金额单位：万元（同方案）。'
                "本表由计划结果生成，公示前请核对。</p>")
    body.append(_signature())
    return _page(title, _SHEET_CSS, body)


# ---------------------------------------------------------------- notices

def _sources(w: Work, streams: list[str]) -> str:
    order = [s for s in streams if w.by_stream.get(s)] + \
        sorted(s for s in w.by_stream if s not in streams and w.by_stream[s])
    parts = [f"{stream_name(s)} {_fmt(w.by_stream[s])}" for s in order]
    if w.self_funded:
        parts.append(f"{SELF_FUNDED_ZH} {_fmt(w.self_funded)}")
    return "; ".join(parts)


def notice_rows(planned: pd.DataFrame, works: dict[str, dict[str, Work]],
                streams: list[str]) -> list[dict[str, str]]:
    rows = []
    for _, v in planned.iterrows():
        vid = str(v.get("village_id", ""))
        for w in works.get(vid, {}).values():
            rows.append({
                "县": "" if _blank(v.get("county")) else str(v.get("county")),
                "乡镇": "" if _blank(v.get("township")) else str(v.get("township")),
                "村名": "" if _blank(v.get("village_name")) else str(v.get("village_name")),
                "村编号": vid,
                "项目名称/任务": f"{w.label}（{w.project_id}）",
                "建设年度": w.years_text,
                "投资 (万元)": _fmt(w.cost),
                "资金来源": _sources(w, streams),
                "责任单位": w.department,
                "公示期": "",
                "监督电话": "",
            })
    return rows


def notice_html(county: str, rows: list[dict[str, str]], scenario: str) -> str:
    title = f"{county}贫困村提升工程项目公示表"
    body = [f"<h1>{_e(title)}</h1>",
            '<div class="meta">公示期：<span class="line"></span>年<span class="line" '
            'style="min-width:3em"></span>月<span class="line" style="min-width:3em"></span>日 至 '
            '<span class="line"></span>年<span class="line" style="min-width:3em"></span>月'
            '<span class="line" style="min-width:3em"></span>日'
            "（由县级主管部门填写）　监督电话：<span class=\"line\"></span></div>",
            '<table><thead><tr><th class="num">序号</th>']
    body.append("".join(f"<th>{_e(c)}</th>" for c in NOTICE_COLUMNS) + "</tr></thead><tbody>")
    if not rows:
        body.append(f'<tr><td colspan="{len(NOTICE_COLUMNS) + 1}">本县计划内无项目</td></tr>')
    total = 0
    for i, r in enumerate(rows, 1):
        total += _units(r["投资 (万元)"])
        cells = [f'<td class="num">{i}</td>']
        for c in NOTICE_COLUMNS:
            cls = ' class="num"' if c == "投资 (万元)" else (
                ' class="blank"' if c in ("公示期", "监督电话") else "")
            cells.append(f"<td{cls}>{_e(r[c])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if rows:
        idx = NOTICE_COLUMNS.index("投资 (万元)")
        body.append(f'<tr class="total"><td></td><td colspan="{idx}">合计（{len(rows)} 个项目）</td>'
                    f'<td class="num">{_fmt(total)}</td>'
                    f'<td colspan="{len(NOTICE_COLUMNS) - idx - 1}"></td></tr>')
    body.append("</tbody></table>")
    body.append(f'<p class="note">方案：{_e(scenario)}；金额单位：万元。公示期和监督电话由县级主管部门填写；'
                "对公示内容有异议的，请在公示期内向监督电话反映。</p>")
    body.append('<div class="sign"><div>公示单位（盖章）：<span class="line"></span></div>'
                '<div>日期：<span class="line"></span></div></div>')
    return _page(title, _NOTICE_CSS, body)


def notice_csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=NOTICE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([{k: neutralise(v) for k, v in r.items()} for r in rows])
    return buf.getvalue()


# ---------------------------------------------------------------- index

def index_html(planned_by_county: dict[str, pd.DataFrame], relocated: pd.DataFrame,
               works: dict[str, dict[str, Work]], scenario: str) -> str:
    title = f"贫困村提升工程逐村任务图与时间表 — {scenario}"
    body = [f"<h1>{_e(title)}</h1>",
            '<p class="note">每个计划内的村一页（A4 纵向，可直接打印）；各县公示表（A4 横向）'
            '及全部县的 <a href="notice.csv">notice.csv</a>。整村搬迁的村不编制。</p>']
    for county, vs in planned_by_county.items():
        body.append(f"<h2>{_e(county)}</h2>")
        body.append(f'<p><a href="{_e(notice_file(county))}">{_e(county)}贫困村提升工程项目公示表</a></p>')
        body.append("<table><thead><tr><th>乡镇</th><th>村名</th><th>村编号</th><th>退出年度</th>"
                    '<th>深度贫困村</th><th class="num">项目数</th><th class="num">投资 (万元)</th>'
                    "<th>按期达标</th></tr></thead><tbody>")
        for _, v in vs.iterrows():
            vid = str(v.get("village_id", ""))
            vw = list(works.get(vid, {}).values())
            name = "" if _blank(v.get("village_name")) else str(v.get("village_name"))
            body.append(
                f"<tr><td>{_e(v.get('township'))}</td>"
                f'<td><a href="{_e(village_file(vid))}">{_e(name or vid)}</a></td>'
                f"<td>{_e(vid)}</td><td>{_e(_year(v.get('exit_year')))}</td>"
                f"<td>{_yes_no(v.get('deep_poverty'))}</td>"
                f'<td class="num">{len(vw)}</td><td class="num">{_fmt(sum(w.cost for w in vw))}</td>'
                f"<td>{_yes_no(v.get('on_time'))}</td></tr>")
        body.append("</tbody></table>")
    if len(relocated):
        ids = "、".join(f"{'' if _blank(n) else n} ({i})" for i, n in
                       zip(relocated["village_id"], relocated.get("village_name",
                                                              pd.Series("", index=relocated.index))))
        body.append(f'<p class="note">整村搬迁、不编制的村：{_e(ids)}</p>')
    return _page(title, _INDEX_CSS, body)


# ---------------------------------------------------------------- writing

def write_sheets(plan_dir: Path, out: Path | None = None) -> dict:
    """Write the village pages, index and county notices; return the counts.

    Returns `{"villages", "pages", "counties", "projects", "relocated"}`:
    planned villages, village pages written, counties with a notice, works in
    the notices, relocated villages (no page).
    """
    plan_dir = Path(plan_dir)
    out = Path(out) if out is not None else plan_dir / "sheets"
    summary, villages, _funds, streams, years, works = _load(plan_dir)
    scenario = str(summary.get("scenario", plan_dir.name))
    planned = _planned(villages)
    relocated = villages.drop(planned.index)

    county_of = (planned["county"].map(lambda x: "" if _blank(x) else str(x))
                 if "county" in planned else pd.Series("", index=planned.index))
    counties = {c: planned[county_of == c] for c in dict.fromkeys(county_of)}

    files: dict[str, str] = {}
    for _, v in planned.iterrows():
        vid = str(v.get("village_id", ""))
        files[village_file(vid)] = village_html(v, list(works.get(vid, {}).values()), years,
                                                streams, scenario)
    all_rows = []
    for county, vs in counties.items():
        rows = notice_rows(vs, works, streams)
        all_rows += rows
        files[notice_file(county)] = notice_html(county, rows, scenario)
    files["index.html"] = index_html(counties, relocated, works, scenario)

    inputs = [plan_dir / n for n in ("schedule.csv", "villages.csv", "funds.csv", "summary.json")]
    with output_folder(out, "planner sheets", inputs) as stage:  # never over the plan
        for name, text in files.items():
            (stage / name).write_text(text, encoding="utf-8", newline="\n")
        (stage / "notice.csv").write_text(notice_csv(all_rows), encoding="utf-8-sig", newline="")
    return {"villages": len(planned), "pages": len(planned), "counties": len(counties),
            "projects": len(all_rows), "relocated": len(relocated)}
