"""The numbers of report.html, as plain data (no HTML): one function per section.

Every table is a dict `{"rows": [[cell, ...], ...], "total": [cell, ...] or None}`
of texts and whole numbers; the headings and column names are in the template
(templates/report.html.j2), their words in planner.words.  The names in the
cells (targets, streams, status, yes/no, "total") are in the output's language
(`Lang`).  The frames the charts are drawn from are passed along as they are
(planner.outputs.charts).
"""

from __future__ import annotations

import pandas as pd

from ..words import Lang
from .data import (
    PlanFiles,
    blank,
    flags,
    money_text,
    num_text,
    share_text,
    split_targets,
    text,
    truthy,
    year_text,
)


def report_data(plan: PlanFiles, lang: Lang | None = None) -> dict:
    """Everything report.html shows, section by section, in `lang`'s words (default:
    the plan's language)."""
    lang = lang or Lang.of(plan.summary)
    schedule, funds = plan.schedule.copy(), plan.funds.copy()
    for df, cols in ((schedule, ("cost", "pooled_cost", "self_funded")),
                     (funds, ("budget", "carried_in", "spent", "carried_out", "unused"))):
        for c in cols:
            if c in df:
                df[c] = pd.to_numeric(df[c], errors="coerce").fillna(0.0)
    summary, villages = plan.summary, plan.villages
    return {
        "title": lang.word("report_title", scenario=plan.scenario),
        "scenario": text(summary.get("scenario", "")),
        "folder": plan.folder.name,
        "summary": summary_data(summary, lang),
        "spent": spent_data(summary, lang),
        "batches": batch_data(summary, villages, lang),
        "impossible": impossible_data(villages),
        "priority_cost": priority_cost_data(summary, lang),
        "deadlines": deadline_data(summary, lang),
        "timeline": timeline_data(schedule, lang),
        "funds": funds_data(funds, lang),
        "counties": county_data(villages, schedule, lang),
        "departments": department_data(schedule, lang),
        "late": late_data(villages, lang),
    }


def _table(rows: list[list], total: list | None = None) -> dict:
    return {"rows": rows, "total": total}


# ---------------------------------------------------------------- summary

def summary_data(s: dict, lang: Lang) -> dict:
    gap = s.get("gap")
    return {
        "scenario": text(s.get("scenario", "")),
        "objective_kind": lang.value(text(s.get("objective_kind", ""))),
        "status": lang.value(text(s.get("status", ""))),
        "objective": num_text(s.get("objective")),
        "best_bound": num_text(s.get("best_bound")),
        "gap": f"{100 * float(gap):.4f}%" if isinstance(gap, (int, float)) else text(gap),
        "solver": " ".join(str(x) for x in (s.get("solver"), s.get("solver_version")) if x),
        "seconds": num_text(s.get("seconds")),
        "gaps_closed": num_text(s.get("gaps_closed")),
        "has_gap_totals": s.get("gaps_planned") is not None or s.get("gaps_total") is not None,
        "gaps_planned": num_text(s.get("gaps_planned")),
        "gaps_total": num_text(s.get("gaps_total")),
        "villages": num_text(s.get("villages")),
        "villages_planned": num_text(s.get("villages_planned")),
        "total_cost": money_text(s.get("total_cost")),
        "pooled_cost": money_text(s.get("pooled_cost")),
        "self_funded": money_text(s.get("self_funded")),
        "money_available": money_text(s.get("money_available")),
    }


def spent_data(s: dict, lang: Lang) -> dict | None:
    spent = s.get("spent_by_stream") or {}
    if not spent:
        return None
    return _table([[lang.stream(k), money_text(v)] for k, v in spent.items()],
                  [lang.word("total"), money_text(sum(float(v) for v in spent.values()))])


def batches(summary: dict, villages: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(batch, on time, due) per exit year, from summary.json, else from villages.csv."""
    on = summary.get("villages_on_time") or {}
    due = summary.get("villages_due") or {}
    keys = sorted(set(map(str, on)) | set(map(str, due)))
    if keys:
        return [(k, int(on.get(k, 0) or 0), int(due.get(k, 0) or 0)) for k in keys]
    out = []
    if not villages.empty and "exit_year" in villages:
        planned = villages[~flags(villages["relocated"])] if "relocated" in villages else villages
        for year, grp in planned.groupby("exit_year"):
            out.append((year_text(year), int(flags(grp["on_time"]).sum()), len(grp)))
    return out


def batch_data(summary: dict, villages: pd.DataFrame, lang: Lang) -> dict:
    """Due and on time per exit batch; `series` ((batch, on time, due) each) for the chart."""
    series = batches(summary, villages)
    possible = {str(k): int(v) for k, v in (summary.get("villages_possible") or {}).items()}
    rows = [[b, due, possible.get(str(b), ""), on, share_text(on, due)]
            for b, on, due in series]
    tot_on = sum(r[3] for r in rows)
    tot_due = sum(r[1] for r in rows)
    tot_possible = sum(possible.values()) if possible else ""
    return {"series": series,
            **_table(rows, [lang.word("total"), tot_due, tot_possible, tot_on,
                            share_text(tot_on, tot_due)])}


def priority_cost_data(s: dict, lang: Lang) -> dict | None:
    """summary.json priority_cost (planner solve --priority-cost): per batch, this plan's
    villages on time, the weighted rule's plan's, the difference; None without it."""
    cost = s.get("priority_cost") or {}
    if "batches" not in cost:
        return None
    rows = [[lang.value(b["batch"]), b["due"], b["on_time"], b["weighted"],
             f"{b['difference']:+d}"] for b in cost["batches"]]
    note = lang.word("priority_cost_note", status=lang.value(cost["status"]),
                     mine=f"{cost['plan_value']:.4f}", theirs=f"{cost['value']:.4f}")
    return {**_table(rows), "note": note}


def impossible_data(villages: pd.DataFrame) -> dict:
    """The villages no money can make on time (villages.csv on_time_possible), with why."""
    if villages.empty or "on_time_possible" not in villages:
        return _table([])
    bad = villages[villages["on_time_possible"].astype(str).str.lower() == "false"]
    return _table([[text(r.village_name), text(r.county), year_text(r.exit_year),
                    text(r.why_not_possible)] for r in bad.itertuples()])


def _scope(scope, lang: Lang) -> str:
    if isinstance(scope, (list, tuple)):
        return lang.word("list_sep").join(str(x) for x in scope)
    return "" if scope is None else lang.value(scope)


def deadline_data(s: dict, lang: Lang) -> dict:
    """One row per deadline; `met` says whether it was met (the template words it)."""
    rows = []
    for d in s.get("deadlines") or []:
        met, req = d.get("met"), d.get("required")
        rows.append({
            "cells": [lang.deadline(d.get("deadline", "")), lang.target(d.get("target", "")),
                      year_text(d.get("year")), _scope(d.get("scope"), lang),
                      num_text(d.get("share")),
                      num_text(d.get("villages_in_scope")), num_text(met), num_text(req)],
            "soft": bool(d.get("soft")),
            "met": met is not None and req is not None and float(met) >= float(req),
        })
    return {"rows": rows}


# ---------------------------------------------------------------- timeline, money

def works_started(schedule: pd.DataFrame) -> pd.DataFrame:
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


def target_labels(df: pd.DataFrame, lang: Lang) -> list[str]:
    """The target's name in the output's language (Lang.target), per row."""
    name = df["target_name"] if "target_name" in df else pd.Series("", index=df.index)
    code = df["target"] if "target" in df else pd.Series("", index=df.index)
    return [lang.target(None if blank(c) else c, None if blank(n) else n)
            for n, c in zip(name, code)]


def timeline_data(schedule: pd.DataFrame, lang: Lang) -> dict | None:
    """Works started and money spent per target and year; None without works.
    `counts` (start year x target) is what the chart draws."""
    if schedule.empty:
        return None
    works = works_started(schedule)
    works = works.assign(label=target_labels(works, lang),
                         start=works["start_year"].map(year_text))
    counts = works.pivot_table(index="start", columns="label", values="project_id",
                               aggfunc="count", fill_value=0).sort_index()
    sched = schedule.assign(label=target_labels(schedule, lang),
                            yr=schedule["year"].map(year_text))
    spend = sched.pivot_table(index="yr", columns="label", values="cost", aggfunc="sum",
                              fill_value=0.0)
    labels = sorted(set(counts.columns) | set(spend.columns))
    years = sorted(set(counts.index) | set(spend.index))
    rows = []
    for label in labels:
        row = [label]
        for y in years:
            n = int(counts.loc[y, label]) if (y in counts.index and label in counts.columns) else 0
            m = float(spend.loc[y, label]) if (y in spend.index and label in spend.columns) else 0.0
            row += [n, money_text(m)]
        n_tot = int(counts[label].sum()) if label in counts.columns else 0
        m_tot = float(spend[label].sum()) if label in spend.columns else 0.0
        rows.append(row + [n_tot, money_text(m_tot)])
    total = [lang.word("total")]
    for y in years:
        total += [int(counts.loc[y].sum()) if y in counts.index else 0,
                  money_text(float(spend.loc[y].sum()) if y in spend.index else 0.0)]
    total += [len(works), money_text(float(schedule["cost"].sum()))]
    return {"counts": counts, "years": years, **_table(rows, total)}


#: the money columns of funds.csv the report shows, in order
FUND_COLUMNS = ["budget", "carried_in", "spent", "carried_out", "unused"]


def funds_data(funds: pd.DataFrame, lang: Lang) -> dict | None:
    """One row per stream, year and county; `budget`/`spent` (stream x year, streams by
    name) for the chart; `columns`: the money columns' headers.  None without fund rows."""
    if funds.empty:
        return None
    f = funds.assign(yr=funds["year"].map(year_text),
                     stream=funds["stream"].map(lambda s: lang.stream(text(s))))
    budget = f.pivot_table(index="stream", columns="yr", values="budget", aggfunc="sum",
                           fill_value=0.0)
    spent = f.pivot_table(index="stream", columns="yr", values="spent", aggfunc="sum",
                          fill_value=0.0).reindex(index=budget.index, columns=budget.columns,
                                                  fill_value=0.0)
    cols = FUND_COLUMNS
    rows = []
    for _, r in funds.iterrows():
        county = r.get("county")
        rows.append([lang.stream(text(r.get("stream", ""))), year_text(r.get("year")),
                     lang.word("pooled") if blank(county) else county]
                    + [money_text(r.get(c)) for c in cols])
    # carried money moves between rows, so only budget, spent and unused add up
    total = [lang.word("total"), "", ""] + [
        money_text(funds[c].sum()) if c in funds and c in ("budget", "spent", "unused")
        else "" for c in cols]
    return {"budget": budget, "spent": spent, "columns": [lang.column(c) for c in cols],
            **_table(rows, total)}


# ---------------------------------------------------------------- villages

def county_data(villages: pd.DataFrame, schedule: pd.DataFrame, lang: Lang) -> dict:
    cost = (schedule.groupby("county")["cost"].sum()
            if not schedule.empty and "county" in schedule else pd.Series(dtype=float))
    counties = sorted(set(villages["county"].dropna()) if "county" in villages else set()
                      | set(cost.index))
    rows = []
    tot = [0, 0, 0, 0, 0, 0.0]
    for county in counties:
        v = villages[villages["county"] == county] if "county" in villages else villages.iloc[0:0]
        relocated = flags(v["relocated"]) if "relocated" in v else pd.Series(False, index=v.index)
        on = int(flags(v["on_time"]).sum()) if "on_time" in v else 0
        planned = int((~relocated).sum())
        gaps = int(pd.to_numeric(v.get("gaps"), errors="coerce").fillna(0).sum()) \
            if "gaps" in v else 0
        closed = int(pd.to_numeric(v.get("gaps_closed"), errors="coerce").fillna(0).sum()) \
            if "gaps_closed" in v else 0
        c = float(cost.get(county, 0.0))
        rows.append([county, len(v), planned, on, share_text(on, planned), gaps, closed,
                     money_text(c)])
        for i, x in enumerate((len(v), planned, on, gaps, closed, c)):
            tot[i] += x
    return _table(rows, [lang.word("total"), tot[0], tot[1], tot[2], share_text(tot[2], tot[1]),
                         tot[3], tot[4], money_text(tot[5])])


def department_data(schedule: pd.DataFrame, lang: Lang) -> list[dict] | None:
    """Per department (sorted by name) its works by year; None without works."""
    if schedule.empty:
        return None
    dept = schedule["department"] if "department" in schedule \
        else pd.Series("", index=schedule.index)
    sched = schedule.assign(dept=[lang.word("unassigned") if blank(d) else d for d in dept],
                            label=target_labels(schedule, lang))
    out = []
    for i, d in enumerate(sorted(sched["dept"].unique())):
        part = sched[sched["dept"] == d].sort_values(["year", "county", "village_id",
                                                      "project_id"])
        rows = []
        for _, r in part.iterrows():
            village = f"{text(r.get('village_name', '')) or ''} ({text(r.get('village_id', ''))})"
            rows.append([year_text(r.get("year")), text(r.get("county", "")), village,
                         r["label"], text(r.get("project_id", "")), money_text(r.get("cost"))])
        total = money_text(part["cost"].sum())
        out.append({"anchor": f"dept-{i}", "name": d, "works": int(part["project_id"].nunique()),
                    "money": total, **_table(rows, [lang.word("total"), "", "", "", "",
                                                    total])})
    return out


def late_data(villages: pd.DataFrame, lang: Lang) -> dict | None:
    """Villages not on time (blank on_time = relocated, not planned) and the relocated ones;
    None when villages.csv says nothing of it."""
    if villages.empty or "on_time" not in villages:
        return None
    on = villages["on_time"].map(truthy)
    late = villages[on == False]  # noqa: E712  (blank = relocated, not planned)
    rows, sep = [], lang.word("list_sep")
    for _, r in late.sort_values(["county", "exit_year", "village_id"]
                                 if "county" in late else ["village_id"]).iterrows():
        completion = r.get("completion_year")
        rows.append([text(r.get("village_id", "")), text(r.get("village_name", "")),
                     text(r.get("county", "")), text(r.get("township", "")),
                     year_text(r.get("exit_year")),
                     "" if blank(completion) else year_text(completion),
                     sep.join(lang.target(t) for t in split_targets(r.get("open_targets"))),
                     sep.join(lang.target(t) for t in split_targets(r.get("late_targets")))])
    relocated = ""
    if "relocated" in villages:
        rel = villages[flags(villages["relocated"])]
        relocated = sep.join(str(x) for x in rel["village_id"])
    return {"rows": rows, "total": None, "relocated": relocated}
