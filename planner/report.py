"""`planner report PLAN_DIR`: one self-contained, printable `report.html` for a plan folder.

The report reads only the plan's own outputs (`schedule.csv`, `villages.csv`,
`funds.csv`, `summary.json`), never the scenario, so it can be made for any plan
folder, also one copied to another machine. Everything is inside the one HTML
file: the CSS is a `<style>` block, the charts are inline SVG drawn with
matplotlib (text kept as text, so the browser shows Chinese with its own fonts);
there are no scripts and no outside references, so it opens without a network.
"""

from __future__ import annotations

import html
import io
import json
import logging
import math
import warnings
from pathlib import Path

import pandas as pd

from .cells import restore_frame
from .outdir import add_file

CJK_FONTS = ["Noto Sans CJK SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
             "PingFang SC", "DejaVu Sans"]

# text columns that must stay text (ids like "001" keep their zeros)
_TEXT_COLUMNS = ["county", "township", "village_id", "village_name", "target", "target_name",
                 "project_id", "department", "stream", "open_targets", "late_targets"]

_CSS = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei",
       "PingFang SC", sans-serif; margin: 2em; color: #222; font-size: 14px; }
h1 { font-size: 1.6em; border-bottom: 2px solid #444; padding-bottom: .2em; }
h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
table { border-collapse: collapse; margin: .6em 0 1em 0; font-size: .9em; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f6f6f6; }
.chart svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: .9em; }
.bad { color: #a00; font-weight: bold; }
.ok { color: #060; }
section { page-break-inside: auto; }
@media print {
  body { margin: 0; font-size: 11px; }
  h2 { page-break-after: avoid; }
  table, .chart { page-break-inside: avoid; }
  section.dept table { page-break-inside: auto; }
}
"""


# ---------------------------------------------------------------- formatting

def _e(value) -> str:
    """Text for HTML: blanks (None, NaN) become empty, everything is escaped."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return html.escape(str(value), quote=True)


def money(value) -> str:
    """Money as the CLI and the CSV files write it: 4 decimals, no grouping."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return _e(value)
    if math.isnan(x):
        return ""
    return f"{x:.4f}"


def _num(value, digits: int | None = None) -> str:
    if value is None:
        return ""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return _e(value)
    if math.isnan(x):
        return ""
    if digits is None:
        return str(int(x)) if x == int(x) else f"{x:g}"
    return f"{x:.{digits}f}"


def _share(part, whole) -> str:
    try:
        return f"{100.0 * float(part) / float(whole):.1f}%" if float(whole) else "–"
    except (TypeError, ValueError):
        return "–"


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(),
           total: list | None = None) -> str:
    """An HTML table; cells are escaped here. `numeric` are column indexes right-aligned."""
    out = ["<table>", "<thead><tr>"]
    for i, h in enumerate(headers):
        cls = ' class="num"' if i in numeric else ""
        out.append(f"<th{cls}>{_e(h)}</th>")
    out.append("</tr></thead><tbody>")
    if not rows:
        out.append(f'<tr><td colspan="{len(headers)}">无 (none)</td></tr>')
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in numeric else ""
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    if total is not None:
        out.append('<tr class="total">')
        for i, cell in enumerate(total):
            cls = ' class="num"' if i in numeric else ""
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# ---------------------------------------------------------------- reading

def _read_csv(path: Path) -> pd.DataFrame:
    head = pd.read_csv(path, encoding="utf-8-sig", nrows=0)
    dtype = {c: str for c in head.columns if c in _TEXT_COLUMNS}
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=dtype, keep_default_na=False,
                        na_values={c: [""] for c in head.columns if c not in _TEXT_COLUMNS})
    return restore_frame(frame)  # names as in the inputs (planner.cells)


def _truthy(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip().lower()
    if s in ("true", "1", "是", "yes", "1.0"):
        return True
    if s in ("false", "0", "否", "no", "0.0"):
        return False
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _year(value) -> str:
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return _e(value)


# ---------------------------------------------------------------- charts

def _svg(fig, salt: str) -> str:
    """The figure as inline SVG text (no XML prolog, no DOCTYPE, no metadata)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def _charts_context():
    import matplotlib
    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    return matplotlib.rc_context({
        "font.family": "sans-serif",
        "font.sans-serif": CJK_FONTS,
        "svg.fonttype": "none",
        "axes.unicode_minus": False,
        "font.size": 10,
    })


def _stacked_works_chart(counts: pd.DataFrame) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.2))
    years = [str(y) for y in counts.index]
    bottom = [0.0] * len(years)
    cmap = plt.get_cmap("tab20")
    for i, col in enumerate(counts.columns):
        vals = [float(v) for v in counts[col]]
        ax.bar(years, vals, bottom=bottom, label=str(col), color=cmap(i % 20))
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xlabel("年度 (year)")
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("开工项目数 (works started)")
    ax.set_title("每年开工项目数（按指标） (works started per year by target)")
    handles, labels = ax.get_legend_handles_labels()  # top of the legend = top of the stack
    ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5),
              fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "works")


def _funds_chart(budget: pd.DataFrame, spent: pd.DataFrame) -> str:
    """Grouped bars: for each stream (group) and year, budget (light) vs spent (dark)."""
    import matplotlib.pyplot as plt

    streams = list(budget.index)
    years = list(budget.columns)
    n_years = max(len(years), 1)
    width = 0.8 / (2 * n_years)
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(streams) + 3), 4.2))
    cmap = plt.get_cmap("tab10")
    for j, y in enumerate(years):
        xs = [i - 0.4 + (2 * j + 0.5) * width for i in range(len(streams))]
        ax.bar(xs, [float(budget.loc[s, y]) for s in streams], width=width,
               color=cmap(j % 10), alpha=.35, edgecolor=cmap(j % 10),
               label=f"{y} 预算 (budget)")
        ax.bar([x + width for x in xs], [float(spent.loc[s, y]) for s in streams], width=width,
               color=cmap(j % 10), label=f"{y} 支出 (spent)")
    ax.set_xticks(range(len(streams)))
    ax.set_xticklabels([str(s) for s in streams])
    ax.set_ylabel("金额 (money)")
    ax.set_title("各资金渠道每年预算与支出 (budget vs spent per stream and year)")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "funds")


def _batch_chart(batches: list[tuple[str, int, int]]) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.8))
    labels = [b for b, _, _ in batches]
    on_time = [o for _, o, _ in batches]
    late = [max(d - o, 0) for _, o, d in batches]
    ax.bar(labels, on_time, color="#2a8a3a", label="按期 (on time)")
    ax.bar(labels, late, bottom=on_time, color="#c0392b", label="未按期 (late)")
    for i, (o, l) in enumerate(zip(on_time, late)):
        ax.text(i, o + l, f"{o}/{o + l}", ha="center", va="bottom", fontsize=9)
    from matplotlib.ticker import MaxNLocator
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([o + l for o, l in zip(on_time, late)] + [1]) * 1.15)
    ax.set_xlabel("退出批次 (exit batch)")
    ax.set_ylabel("村数 (villages)")
    ax.set_title("各退出批次按期达标村数 (villages on time per exit batch)")
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=.3)
    return _svg(fig, "batches")


def _chart(make, *args) -> str:
    """A chart, or a note if it cannot be drawn (the report is written either way)."""
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with _charts_context():
                return f'<div class="chart">{make(*args)}</div>'
    except Exception as exc:  # a chart must never cost the whole report
        return f'<p class="note">图表无法绘制 (chart not drawn): {_e(exc)}</p>'


# ---------------------------------------------------------------- sections

def _summary_section(summary: dict, villages: pd.DataFrame) -> str:
    s = summary
    gap = s.get("gap")
    gap_text = f"{100 * float(gap):.4f}%" if isinstance(gap, (int, float)) else _e(gap)
    solver = " ".join(str(x) for x in (s.get("solver"), s.get("solver_version")) if x)
    gaps_line = f"{_num(s.get('gaps_closed'))}"
    if s.get("gaps_planned") is not None or s.get("gaps_total") is not None:
        gaps_line += (f" / {_num(s.get('gaps_planned'))} 计划内 (planned)"
                      f" / {_num(s.get('gaps_total'))} 全部 (total)")
    rows = [
        ["方案 (scenario)", s.get("scenario", "")],
        ["目标 (objective kind)", s.get("objective_kind", "")],
        ["求解状态 (status)", s.get("status", "")],
        ["目标值 (objective)", _num(s.get("objective"))],
        ["最优界 (best bound)", _num(s.get("best_bound"))],
        ["相对间隙 (gap)", gap_text],
        ["求解器 (solver)", solver],
        ["用时 秒 (seconds)", _num(s.get("seconds"))],
        ["补齐短板数 (gaps closed)", gaps_line],
        ["村数 (villages)", f"{_num(s.get('villages'))}，计划内 (planned) {_num(s.get('villages_planned'))}"],
        ["总投资 (total cost)", money(s.get("total_cost"))],
        ["统筹资金 (pooled cost)", money(s.get("pooled_cost"))],
        ["自筹 (self-funded)", money(s.get("self_funded"))],
        ["可用资金 (money available)", money(s.get("money_available"))],
    ]
    out = ['<section id="summary"><h2>计划概要 (Summary)</h2>',
           _table(["项目 (item)", "值 (value)"], rows)]

    spent = s.get("spent_by_stream") or {}
    if spent:
        out.append("<h3>各资金渠道支出 (spent per stream)</h3>")
        out.append(_table(["资金渠道 (stream)", "支出 (spent)"],
                          [[k, money(v)] for k, v in spent.items()], numeric={1},
                          total=["合计 (total)", money(sum(float(v) for v in spent.values()))]))

    out.append("<h3>各退出批次按期达标 (villages on time per exit batch)</h3>")
    rows = []
    for batch, on, due in _batches(summary, villages):
        rows.append([batch, due, on, _share(on, due)])
    tot_on = sum(r[2] for r in rows)
    tot_due = sum(r[1] for r in rows)
    out.append(_table(["退出批次 (batch)", "应退出 (due)", "按期 (on time)", "比例 (share)"], rows,
                      numeric={1, 2, 3},
                      total=["合计 (total)", tot_due, tot_on, _share(tot_on, tot_due)]))

    deadlines = s.get("deadlines") or []
    out.append("<h3>政策时限 (deadlines)</h3>")
    rows = []
    for d in deadlines:
        met, req = d.get("met"), d.get("required")
        ok = met is not None and req is not None and float(met) >= float(req)
        rows.append([d.get("deadline", ""), d.get("target", ""), _year(d.get("year")),
                     _scope(d.get("scope")), _num(d.get("share")),
                     "软 (soft)" if d.get("soft") else "硬 (hard)",
                     _num(d.get("villages_in_scope")), _num(met), _num(req),
                     "达到 (met)" if ok else "未达到 (NOT met)"])
    out.append(_table(["时限 (deadline)", "指标 (target)", "年度 (year)", "范围 (scope)",
                       "比例 (share)", "类型 (kind)", "范围内村数 (in scope)", "达到 (met)",
                       "要求 (required)", "结论 (result)"], rows, numeric={4, 6, 7, 8}))
    out.append("</section>")
    return "".join(out)


def _scope(scope) -> str:
    if isinstance(scope, (list, tuple)):
        return "、".join(str(x) for x in scope)
    return "" if scope is None else str(scope)


def _batches(summary: dict, villages: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(batch, on time, due) per exit year, from summary.json, else from villages.csv."""
    on = summary.get("villages_on_time") or {}
    due = summary.get("villages_due") or {}
    keys = sorted(set(map(str, on)) | set(map(str, due)))
    if keys:
        return [(k, int(on.get(k, 0) or 0), int(due.get(k, 0) or 0)) for k in keys]
    out = []
    if not villages.empty and "exit_year" in villages:
        planned = villages[~villages["relocated"].map(_truthy).fillna(False).astype(bool)] \
            if "relocated" in villages else villages
        for year, grp in planned.groupby("exit_year"):
            n_on = int(grp["on_time"].map(_truthy).fillna(False).astype(bool).sum())
            out.append((_year(year), n_on, len(grp)))
    return out


def _works_started(schedule: pd.DataFrame) -> pd.DataFrame:
    """One row per chosen project with its start year, target and department."""
    if schedule.empty:
        return schedule
    cols = [c for c in ("project_id", "start_year", "target", "target_name", "department",
                        "county", "village_id") if c in schedule]
    works = schedule[cols].drop_duplicates("project_id").copy()
    if "start_year" not in works:
        first = schedule.groupby("project_id")["year"].min()
        works["start_year"] = works["project_id"].map(first)
    return works


def _target_label(df: pd.DataFrame) -> pd.Series:
    name = df["target_name"] if "target_name" in df else pd.Series("", index=df.index)
    code = df["target"] if "target" in df else pd.Series("", index=df.index)
    return [n if not _blank(n) else (c if not _blank(c) else "未知 (unknown)")
            for n, c in zip(name, code)]


def _timeline_section(schedule: pd.DataFrame) -> str:
    out = ['<section id="timeline"><h2>实施进度 (Timeline)</h2>']
    if schedule.empty:
        out.append('<p class="note">本计划未安排任何项目 (no works chosen in this plan).</p></section>')
        return "".join(out)
    works = _works_started(schedule)
    works = works.assign(label=_target_label(works), start=works["start_year"].map(_year))
    counts = works.pivot_table(index="start", columns="label", values="project_id",
                               aggfunc="count", fill_value=0).sort_index()
    out.append(_chart(_stacked_works_chart, counts))

    sched = schedule.assign(label=_target_label(schedule), yr=schedule["year"].map(_year))
    spend = sched.pivot_table(index="yr", columns="label", values="cost", aggfunc="sum",
                              fill_value=0.0)
    labels = sorted(set(counts.columns) | set(spend.columns))
    years = sorted(set(counts.index) | set(spend.index))
    out.append('<p class="note">“开工”按开工年度计项目数；“资金”为当年支出（含自筹）'
               ' (works: started that year; money: spent that year, self-funded included).</p>')
    rows = []
    for label in labels:
        row = [label]
        for y in years:
            n = int(counts.loc[y, label]) if (y in counts.index and label in counts.columns) else 0
            m = float(spend.loc[y, label]) if (y in spend.index and label in spend.columns) else 0.0
            row += [n, money(m)]
        n_tot = int(counts[label].sum()) if label in counts.columns else 0
        m_tot = float(spend[label].sum()) if label in spend.columns else 0.0
        rows.append(row + [n_tot, money(m_tot)])
    headers = ["指标 (target)"]
    for y in years + ["合计 (total)"]:
        headers += [f"{y} 开工 (works)", f"{y} 资金 (money)"]
    total = ["合计 (total)"]
    for y in years:
        total += [int(counts.loc[y].sum()) if y in counts.index else 0,
                  money(float(spend.loc[y].sum()) if y in spend.index else 0.0)]
    total += [len(works), money(float(schedule["cost"].sum()))]
    out.append(_table(headers, rows, numeric=set(range(1, len(headers))), total=total))
    out.append("</section>")
    return "".join(out)


def _funds_section(funds: pd.DataFrame) -> str:
    out = ['<section id="funds"><h2>资金使用 (Money per stream per year)</h2>']
    if funds.empty:
        out.append('<p class="note">无资金记录 (no fund rows).</p></section>')
        return "".join(out)
    f = funds.assign(yr=funds["year"].map(_year))
    budget = f.pivot_table(index="stream", columns="yr", values="budget", aggfunc="sum",
                           fill_value=0.0)
    spent = f.pivot_table(index="stream", columns="yr", values="spent", aggfunc="sum",
                          fill_value=0.0).reindex(index=budget.index, columns=budget.columns,
                                                  fill_value=0.0)
    out.append(_chart(_funds_chart, budget, spent))
    cols = ["budget", "carried_in", "spent", "carried_out", "unused"]
    rows = []
    for _, r in funds.iterrows():
        county = r.get("county")
        rows.append([r.get("stream", ""), _year(r.get("year")),
                     "全部 (pooled)" if _blank(county) else county]
                    + [money(r.get(c)) for c in cols])
    # carried money moves between rows, so only budget, spent and unused add up
    total = ["合计 (total)", "", ""] + [money(funds[c].sum()) if c in funds and
                                        c in ("budget", "spent", "unused") else "" for c in cols]
    out.append(_table(["资金渠道 (stream)", "年度 (year)", "县 (county)", "预算 (budget)",
                       "上年结转 (carried in)", "支出 (spent)", "结转下年 (carried out)",
                       "未用 (unused)"], rows, numeric={3, 4, 5, 6, 7}, total=total))
    out.append("</section>")
    return "".join(out)


def _batch_section(summary: dict, villages: pd.DataFrame) -> str:
    out = ['<section id="batches"><h2>各退出批次达标情况 (Villages on time per exit batch)</h2>']
    batches = _batches(summary, villages)
    if batches:
        out.append(_chart(_batch_chart, batches))
    else:
        out.append('<p class="note">无退出批次 (no exit batches).</p>')
    out.append("</section>")
    return "".join(out)


def _county_section(villages: pd.DataFrame, schedule: pd.DataFrame) -> str:
    out = ['<section id="counties"><h2>分县情况 (Per county)</h2>']
    cost = (schedule.groupby("county")["cost"].sum()
            if not schedule.empty and "county" in schedule else pd.Series(dtype=float))
    counties = sorted(set(villages["county"].dropna()) if "county" in villages else set()
                      | set(cost.index))
    rows = []
    tot = [0, 0, 0, 0, 0, 0.0]
    for county in counties:
        v = villages[villages["county"] == county] if "county" in villages else villages.iloc[0:0]
        relocated = v["relocated"].map(_truthy).fillna(False).astype(bool) \
            if "relocated" in v else pd.Series(False, index=v.index)
        on = int(v["on_time"].map(_truthy).fillna(False).astype(bool).sum()) if "on_time" in v else 0
        planned = int((~relocated).sum())
        gaps = int(pd.to_numeric(v.get("gaps"), errors="coerce").fillna(0).sum()) if "gaps" in v else 0
        closed = int(pd.to_numeric(v.get("gaps_closed"), errors="coerce").fillna(0).sum()) \
            if "gaps_closed" in v else 0
        c = float(cost.get(county, 0.0))
        rows.append([county, len(v), planned, on, _share(on, planned), gaps, closed, money(c)])
        for i, x in enumerate((len(v), planned, on, gaps, closed, c)):
            tot[i] += x
    out.append(_table(["县 (county)", "村数 (villages)", "计划内 (planned)", "按期 (on time)",
                       "按期比例 (share)", "短板 (gaps)", "补齐 (gaps closed)", "投资 (cost)"],
                      rows, numeric={1, 2, 3, 4, 5, 6, 7},
                      total=["合计 (total)", tot[0], tot[1], tot[2], _share(tot[2], tot[1]),
                             tot[3], tot[4], money(tot[5])]))
    out.append('<p class="note">易地搬迁村不纳入计划 (relocated villages are not planned).</p>')
    out.append("</section>")
    return "".join(out)


def _department_section(schedule: pd.DataFrame) -> str:
    out = ['<section id="departments" class="dept"><h2>任务分解 (Department task lists)</h2>']
    if schedule.empty:
        out.append('<p class="note">本计划未安排任何项目 (no works chosen in this plan).</p></section>')
        return "".join(out)
    dept = schedule["department"] if "department" in schedule else pd.Series("", index=schedule.index)
    sched = schedule.assign(dept=["未指定部门 (unassigned)" if _blank(d) else d for d in dept],
                            label=_target_label(schedule))
    depts = sorted(sched["dept"].unique())
    out.append("<ul>" + "".join(
        f'<li><a href="#dept-{i}">{_e(d)}</a></li>' for i, d in enumerate(depts)) + "</ul>")
    for i, d in enumerate(depts):
        part = sched[sched["dept"] == d].sort_values(["year", "county", "village_id", "project_id"])
        rows = []
        for _, r in part.iterrows():
            village = f"{r.get('village_name', '') or ''} ({r.get('village_id', '')})"
            rows.append([_year(r.get("year")), r.get("county", ""), village, r["label"],
                         r.get("project_id", ""), money(r.get("cost"))])
        n_works = part["project_id"].nunique()
        out.append(f'<h3 id="dept-{i}">{_e(d)}</h3>')
        out.append(f'<p class="note">项目 {n_works} 个 (works)，资金合计 (total money) '
                   f"{money(part['cost'].sum())}</p>")
        out.append(_table(["年度 (year)", "县 (county)", "村 (village)", "指标 (target)",
                           "项目 (project)", "当年资金 (cost)"], rows, numeric={5},
                          total=["合计 (total)", "", "", "", "", money(part["cost"].sum())]))
    out.append("</section>")
    return "".join(out)


def _late_section(villages: pd.DataFrame) -> str:
    out = ['<section id="late"><h2>未按期达标的村 (Villages not on time)</h2>']
    if villages.empty or "on_time" not in villages:
        out.append('<p class="note">无 (none).</p></section>')
        return "".join(out)
    on = villages["on_time"].map(_truthy)
    late = villages[on == False]  # noqa: E712  (blank = relocated, not planned)
    rows = []
    for _, r in late.sort_values(["county", "exit_year", "village_id"]
                                 if "county" in late else ["village_id"]).iterrows():
        rows.append([r.get("village_id", ""), r.get("village_name", ""), r.get("county", ""),
                     r.get("township", ""), _year(r.get("exit_year")),
                     _year(r.get("completion_year")) if not _blank(r.get("completion_year")) else "",
                     _targets(r.get("open_targets")), _targets(r.get("late_targets"))])
    out.append(f'<p class="note">共 {len(rows)} 个村 (villages). “未补齐”为计划期末仍未补齐的短板，'
               "“延期”为在退出年度后才补齐的短板 (open: still open at the end; "
               "late: closed after the exit year).</p>")
    out.append(_table(["村编号 (village_id)", "村名 (village)", "县 (county)", "乡镇 (township)",
                       "退出年度 (exit year)", "达标年度 (completion)",
                       "未补齐 (open_targets)", "延期 (late_targets)"], rows))
    if "relocated" in villages:
        rel = villages[villages["relocated"].map(_truthy).fillna(False).astype(bool)]
        if len(rel):
            ids = "、".join(str(x) for x in rel["village_id"])
            out.append(f'<p class="note">易地搬迁、不纳入计划的村 (relocated, not planned): {_e(ids)}</p>')
    out.append("</section>")
    return "".join(out)


def _targets(value) -> str:
    return "" if _blank(value) else "、".join(t for t in str(value).split(";") if t)


# ---------------------------------------------------------------- the report

def build_html(plan_dir: Path) -> str:
    plan_dir = Path(plan_dir)
    summary = json.loads((plan_dir / "summary.json").read_text(encoding="utf-8-sig"))
    schedule = _read_csv(plan_dir / "schedule.csv")
    villages = _read_csv(plan_dir / "villages.csv")
    funds = _read_csv(plan_dir / "funds.csv")
    for df, cols in ((schedule, ("cost", "pooled_cost", "self_funded")),
                     (funds, ("budget", "carried_in", "spent", "carried_out", "unused"))):
        for c in cols:
            if c in df:
                df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0.0)

    title = f"贫困村提升工程实施计划 — {summary.get('scenario', plan_dir.name)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)} (Village improvement plan report)</h1>",
        f'<p class="note">方案 (scenario): {_e(summary.get("scenario", ""))}；'
        f'计划目录 (plan folder): {_e(plan_dir.name)}；'
        f'金额单位同方案（默认万元） (money in the scenario unit, 万元 by default).</p>',
        '<div><ol>'
        '<li><a href="#summary">计划概要 (Summary)</a></li>'
        '<li><a href="#timeline">实施进度 (Timeline)</a></li>'
        '<li><a href="#funds">资金使用 (Money per stream per year)</a></li>'
        '<li><a href="#batches">各退出批次达标情况 (Villages on time per exit batch)</a></li>'
        '<li><a href="#counties">分县情况 (Per county)</a></li>'
        '<li><a href="#departments">任务分解 (Department task lists)</a></li>'
        '<li><a href="#late">未按期达标的村 (Villages not on time)</a></li>'
        '</ol></div>',
        _summary_section(summary, villages),
        _timeline_section(schedule),
        _funds_section(funds),
        _batch_section(summary, villages),
        _county_section(villages, schedule),
        _department_section(schedule),
        _late_section(villages),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(plan_dir: Path) -> Path:
    """Write `report.html` into `plan_dir` atomically, listed in the folder's marker
    (planner.outdir.add_file), and return its path."""
    plan_dir = Path(plan_dir)
    text = build_html(plan_dir)
    return add_file(plan_dir, "report.html", text.encode("utf-8"), "planner report")
