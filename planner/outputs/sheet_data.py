"""The contents of the village sheets, the county public notices (公示表) and their
index, as plain data (no HTML); the layout is in the templates
(templates/sheet.html.j2, notice.html.j2, index.html.j2), the words in
planner.words (English or Chinese: `Lang`).

Money is kept in whole units of 0.0001 while adding, so every sum re-adds exactly
to the 4-decimal figures of `schedule.csv`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import pandas as pd

from ..schema import STREAMS
from ..words import NOTICE_BLANK, NOTICE_COLUMNS, Lang
from .data import (
    PlanFiles,
    blank,
    flags,
    int_year,
    split_targets,
    text,
    truthy,
    units,
    units_text,
    year_text,
)


def safe_name(name: str) -> str:
    """A file-name-safe form of `name` (letters, digits, CJK, `-`, `.` and `_`).

    When anything had to be changed a short hash of the original is appended,
    so two different ids never share a file name.
    """
    name = "" if name is None else str(name)
    safe = re.sub(r"[^\w.-]", "_", name).strip(".")[:80]
    if safe != name or not safe:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        safe = f"{safe}-{digest}" if safe else digest
    return safe


def village_file(village_id: str) -> str:
    return f"village-{safe_name(village_id)}.html"


def notice_file(county: str) -> str:
    return f"notice-{safe_name(county)}.html"


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

    def label(self, lang: Lang) -> str:
        """The work's task in the output's language."""
        return lang.target(self.target or None, self.target_name or None)

    @property
    def years_text(self) -> str:
        return str(self.start) if self.start == self.finish else f"{self.start}–{self.finish}"


@dataclass
class SheetPlan:
    """The plan as the sheets see it: works per village, the fund streams (the streams of
    funds.csv that are columns of schedule.csv) and every year of the plan."""
    scenario: str
    villages: pd.DataFrame
    streams: list[str]
    years: list[int]
    works: dict[str, dict[str, Work]]  # village_id -> project_id -> work, by start year

    def of(self, village_id: str) -> list[Work]:
        return list(self.works.get(village_id, {}).values())


def sheet_plan(plan: PlanFiles) -> SheetPlan:
    schedule, funds = plan.schedule, plan.funds
    named = set(map(str, funds["stream"])) if "stream" in funds else set()
    extra = [c for c in schedule.columns if c in named]
    streams = [s for s in STREAMS if s in extra] + [s for s in extra if s not in STREAMS]

    years: set[int] = set()
    for col in ("year", "start_year", "finish_year"):
        if col in schedule:
            years |= {y for y in map(int_year, schedule[col]) if y is not None}
    if "year" in funds:
        years |= {y for y in map(int_year, funds["year"]) if y is not None}

    works: dict[str, dict[str, Work]] = {}
    for _, r in schedule.iterrows():
        vid, pid = str(r.get("village_id", "")), str(r.get("project_id", ""))
        year = int_year(r.get("year"))
        w = works.setdefault(vid, {}).get(pid)
        if w is None:
            start = int_year(r.get("start_year"))
            finish = int_year(r.get("finish_year"))
            w = Work(pid, "" if blank(r.get("target")) else str(r.get("target")),
                     "" if blank(r.get("target_name")) else str(r.get("target_name")),
                     "" if blank(r.get("department")) else str(r.get("department")),
                     start if start is not None else year,
                     finish if finish is not None else year)
            works[vid][pid] = w
        w.by_year[year] = w.by_year.get(year, 0) + units(r.get("cost"))
        w.start = min(w.start, year) if w.start is not None else year
        w.finish = max(w.finish, year) if w.finish is not None else year
        for s in streams:
            u = units(r.get(s))
            if u:
                w.by_stream[s] = w.by_stream.get(s, 0) + u
        w.self_funded += units(r.get("self_funded"))
    for vw in works.values():  # stable order: start year, then id
        ordered = sorted(vw.values(), key=lambda w: (w.start, w.finish, w.project_id))
        vw.clear()
        vw.update((w.project_id, w) for w in ordered)
    return SheetPlan(plan.scenario, plan.villages, streams, sorted(years), works)


def planned(villages: pd.DataFrame) -> pd.DataFrame:
    """The villages that get a page (not relocated), by county, township and id."""
    if "relocated" in villages:
        villages = villages[~flags(villages["relocated"])]
    keys = [c for c in ("county", "township", "village_id") if c in villages]
    return villages.sort_values(keys, kind="stable") if keys else villages


# ---------------------------------------------------------------- village page

def _timetable(works: list[Work], years: list[int], lang: Lang) -> list[dict]:
    rows = []
    for i, w in enumerate(works, 1):
        cells = []
        for y in years:
            active = w.start is not None and w.finish is not None and w.start <= y <= w.finish
            if y in w.by_year:
                cell = {"amount": units_text(w.by_year[y]), "state": "act"}
            else:
                cell = {"amount": "", "state": "idle" if active else ""}
            cells.append({**cell, "start": y == w.start, "finish": y == w.finish})
        rows.append({"n": i, "label": w.label(lang), "project_id": w.project_id,
                     "department": w.department, "cells": cells})
    return rows


def _money(works: list[Work], streams: list[str], lang: Lang) -> dict:
    used = [s for s in streams if any(w.by_stream.get(s) for w in works)]
    used += sorted({s for w in works for s in w.by_stream} - set(used))
    rows = []
    for i, w in enumerate(works, 1):
        nums = [w.cost] + [w.by_stream.get(s, 0) for s in used] + [w.self_funded]
        rows.append({"n": i, "label": w.label(lang), "project_id": w.project_id,
                     "amounts": [units_text(n) if n or k == 0 else ""
                                 for k, n in enumerate(nums)]})
    total = [sum(w.cost for w in works)] + [sum(w.by_stream.get(s, 0) for w in works)
                                           for s in used] + [sum(w.self_funded for w in works)]
    return {"streams": [lang.stream(s) for s in used], "rows": rows,
            "total": [units_text(n) for n in total]}


def village_page(v: pd.Series, works: list[Work], years: list[int],
                 streams: list[str], lang: Lang) -> dict:
    """A village's sheet: who and where, the timetable (works x years: the money of each
    year, `state` act / idle (running, nothing spent) / blank, start and finish marked),
    the money per work and stream, and its standing."""
    completion, gaps = v.get("completion_year"), v.get("gaps")
    return {
        "name": "" if blank(v.get("village_name")) else str(v.get("village_name")),
        "village_id": str(v.get("village_id", "")),
        "county": text(v.get("county")),
        "township": text(v.get("township")),
        "exit_year": year_text(v.get("exit_year")),
        "deep_poverty": truthy(v.get("deep_poverty")),
        "years": years,
        "works": _timetable(works, years, lang),
        "year_totals": [units_text(sum(w.by_year.get(y, 0) for w in works)) for y in years],
        "money": _money(works, streams, lang),
        "status": {
            "on_time": truthy(v.get("on_time")),
            "completion": "" if blank(completion) else year_text(completion),
            "gaps": "" if blank(gaps) else year_text(gaps),
            "gaps_closed": year_text(v.get("gaps_closed")),
            "works": len(works),
            "cost": units_text(sum(w.cost for w in works)),
            "open_targets": [target_text(t, lang) for t in split_targets(v.get("open_targets"))],
            "late_targets": [target_text(t, lang) for t in split_targets(v.get("late_targets"))],
        },
    }


def target_text(code: str, lang: Lang) -> str:
    """A target of a village's lists: its name and, when that is not the code, the code."""
    name = lang.target(code)
    return name if name == code else f"{name} ({code})"


# ---------------------------------------------------------------- notices

def sources_text(w: Work, streams: list[str], lang: Lang) -> str:
    """Where a work's money comes from: "<stream> <amount>; ...; <self-funded> <amount>"."""
    order = [s for s in streams if w.by_stream.get(s)] + \
        sorted(s for s in w.by_stream if s not in streams and w.by_stream[s])
    parts = [f"{lang.stream(s)} {units_text(w.by_stream[s])}" for s in order]
    if w.self_funded:
        parts.append(f"{lang.word('self_funded')} {units_text(w.self_funded)}")
    return "; ".join(parts)


def notice_rows(villages: pd.DataFrame, plan: SheetPlan, lang: Lang) -> list[dict[str, str]]:
    """One row per work of the villages, keyed by the keys of words.NOTICE_COLUMNS (the
    publication period and the supervision telephone left blank for the county office)."""
    rows = []
    for _, v in villages.iterrows():
        vid = str(v.get("village_id", ""))
        for w in plan.of(vid):
            rows.append({
                "county": "" if blank(v.get("county")) else str(v.get("county")),
                "township": "" if blank(v.get("township")) else str(v.get("township")),
                "village_name": "" if blank(v.get("village_name"))
                else str(v.get("village_name")),
                "village_id": vid,
                "work": f"{w.label(lang)}（{w.project_id}）" if lang.zh
                else f"{w.label(lang)} ({w.project_id})",
                "years": w.years_text,
                "cost": units_text(w.cost),
                "sources": sources_text(w, plan.streams, lang),
                "department": w.department,
                **{k: "" for k in NOTICE_BLANK},
            })
    return rows


def notice_page(county: str, rows: list[dict[str, str]], lang: Lang) -> dict:
    """The notice of one county: `columns` (key, header) in order, `blank` the keys the
    county office fills in, `rows` keyed by the keys, the total cost."""
    return {"county": county, "columns": list(zip(NOTICE_COLUMNS, lang.notice_columns())),
            "blank": list(NOTICE_BLANK), "rows": rows,
            "total": units_text(sum(units(r["cost"]) for r in rows))}


# ---------------------------------------------------------------- index

def counties(villages: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The planned villages per county, in the order they come."""
    county_of = (villages["county"].map(lambda x: "" if blank(x) else str(x))
                 if "county" in villages else pd.Series("", index=villages.index))
    return {c: villages[county_of == c] for c in dict.fromkeys(county_of)}


def index_page(by_county: dict[str, pd.DataFrame], relocated: pd.DataFrame,
               plan: SheetPlan, lang: Lang) -> dict:
    out = []
    for county, vs in by_county.items():
        rows = []
        for _, v in vs.iterrows():
            vid = str(v.get("village_id", ""))
            vw = plan.of(vid)
            rows.append({
                "township": text(v.get("township")), "file": village_file(vid),
                "name": "" if blank(v.get("village_name")) else str(v.get("village_name")),
                "village_id": vid, "exit_year": year_text(v.get("exit_year")),
                "deep_poverty": truthy(v.get("deep_poverty")), "works": len(vw),
                "cost": units_text(sum(w.cost for w in vw)), "on_time": truthy(v.get("on_time")),
            })
        out.append({"county": county, "notice_file": notice_file(county), "villages": rows})
    names = relocated.get("village_name", pd.Series("", index=relocated.index))
    ids = lang.word("list_sep").join(f"{'' if blank(n) else n} ({i})"
                   for i, n in zip(relocated["village_id"], names)) if len(relocated) else ""
    return {"counties": out, "relocated": ids}
