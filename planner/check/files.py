"""Reading the plan folder: schedule.csv, villages.csv, funds.csv, summary.json.

Only the file readers are shared with the planner (`planner.tables`); every cell
is read back as text and turned into numbers here, each malformed cell reported.
A column the contract requires must be there; the further columns the planner
writes (README, Outputs) are checked whenever they are there.  A table written in
Chinese (`--lang zh`) is read in English: its headers by the schema's table
(planner.headers.plan_header_en; the headers as written are kept in
`frame.attrs["headers"]` for planner.check.language), the fund streams of funds.csv by
their names; the targets' names of villages.csv's lists are read in
planner.check.villages.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..headers import plan_header_en, stream_code
from ..tables import read_output_csv
from .report import Report

SCHEDULE_INT = ("year", "exit_year", "start_year", "finish_year")
SCHEDULE_MONEY = ("cost", "pooled_cost", "self_funded")
SCHEDULE_COLUMNS = ("year", "county", "village_id", "village_name", "exit_year", "target",
                    "target_name", "project_id", "department", "start_year", "finish_year",
                    "cost", "pooled_cost", "self_funded")
#: written by the planner beyond the contract's columns (besides stream and outside_ ones)
SCHEDULE_MORE = ("township", "work_cost", "work_pooled_cost")
#: the work's totals, on each of its rows (money)
SCHEDULE_WORK = ("work_cost", "work_pooled_cost")
VILLAGE_COLUMNS = ("village_id", "county", "exit_year", "gaps", "gaps_closed", "on_time",
                   "completion_year", "open_targets")
VILLAGE_MORE = ("village_name", "township", "deep_poverty", "relocated", "exit_gaps",
                "late_targets", "on_time_possible", "why_not_possible")
FUNDS_COLUMNS = ("stream", "year", "county", "budget", "carried_in", "spent", "carried_out",
                 "unused")
FUNDS_MONEY = ("budget", "carried_in", "spent", "carried_out", "unused")
FUNDS_MORE = ("returned", "outside")


def read_table(plan_dir: Path, name: str, columns, rep: Report,
               numeric=()) -> pd.DataFrame | None:
    """A plan CSV as text cells with `_row` (spreadsheet row; header is 1); cells of
    other than the `numeric` columns are stripped of surrounding blanks."""
    path = plan_dir / name
    if not path.is_file():
        rep.add("file", f"{name} is missing from {plan_dir}")
        return None
    try:
        frame = read_output_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            ValueError, OSError) as exc:
        rep.add("file", f"{name} cannot be read as a CSV table ({str(exc).strip()})")
        return None
    written = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    frame.columns = [plan_header_en(c) for c in written]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        rep.add("column", f"{name} lacks column(s) {', '.join(missing)} "
                f"(columns found: {', '.join(frame.columns)})")
        return None
    for col in frame.columns:
        if col in numeric:  # pd.to_numeric ignores surrounding blanks
            continue
        values = frame[col].astype(str).to_numpy(dtype=object)
        frame[col] = pd.Series([v.strip() for v in values], index=frame.index, dtype=object)
    frame["_row"] = np.arange(2, len(frame) + 2)
    frame.attrs["headers"] = dict(zip(frame.columns[:-1], written))
    return frame


def to_numbers(frame: pd.DataFrame, name: str, columns, rep: Report, integer=False,
               blank=None) -> bool:
    """Replace text columns by numbers in place; report malformed cells; True if all good.

    `blank`: the value of an empty cell (None: an empty cell is malformed)."""
    ok = True
    for col in columns:
        text = frame[col]
        num = pd.to_numeric(text, errors="coerce").astype(float)
        if blank is not None:  # a blank cell is no number: look at those alone
            missing = num.isna().to_numpy()
            filled = np.ones(len(num), dtype=bool)
            filled[missing] = text[missing].astype(str).str.strip() != ""
            num = num.where(filled, blank)
        bad = num.isna() | ~np.isfinite(num)
        if integer:
            bad |= num != np.round(num)
        if bad.any():
            ok = False
            what = "a whole number" if integer else "a number"
            rep.each("number", frame.loc[bad, ["_row", col]],
                     lambda r, col=col, what=what: f"{name} row {r['_row']}, column {col}: "
                                        f"{r[col]!r} is not {what}")
            continue
        frame[col] = num.astype(np.int64) if integer else num
    return ok


def read_schedule(plan_dir: Path, streams: list[str], rep: Report) -> pd.DataFrame | None:
    frame = read_table(plan_dir, "schedule.csv", SCHEDULE_COLUMNS + tuple(streams), rep,
                       numeric=set(SCHEDULE_INT + SCHEDULE_MONEY + SCHEDULE_WORK)
                       | set(streams))
    if frame is None:
        return None
    ok = to_numbers(frame, "schedule.csv", SCHEDULE_INT, rep, integer=True)
    ok &= to_numbers(frame, "schedule.csv", SCHEDULE_MONEY, rep)
    ok &= to_numbers(frame, "schedule.csv", [c for c in SCHEDULE_WORK if c in frame.columns],
                     rep)
    ok &= to_numbers(frame, "schedule.csv", streams, rep, blank=0.0)
    outside = [c for c in frame.columns if c.startswith("outside_")]
    ok &= to_numbers(frame, "schedule.csv", outside, rep, blank=0.0)
    return frame if ok else None


def money_columns(tables: dict[str, pd.DataFrame | None]) -> dict[str, set]:
    """file name -> its money columns: the schedule's costs, stream and outside_ columns
    (every column not of SCHEDULE_COLUMNS, SCHEDULE_MORE or `_row`), the funds' amounts."""
    sched = tables.get("schedule.csv")
    text = set(SCHEDULE_COLUMNS + SCHEDULE_MORE) - set(SCHEDULE_MONEY + SCHEDULE_WORK) \
        | {"_row"}
    return {"schedule.csv": set() if sched is None else set(sched.columns) - text,
            "villages.csv": set(), "funds.csv": set(FUNDS_MONEY + FUNDS_MORE)}


def read_funds(plan_dir: Path, rep: Report) -> pd.DataFrame | None:
    frame = read_table(plan_dir, "funds.csv", FUNDS_COLUMNS, rep,
                       numeric=("year",) + FUNDS_MONEY + FUNDS_MORE)
    if frame is None:
        return None
    if any(c != h for c, h in frame.attrs["headers"].items()):  # Chinese: streams by name
        frame["stream"] = frame["stream"].map(stream_code)
    ok = to_numbers(frame, "funds.csv", ("year",), rep, integer=True)
    ok &= to_numbers(frame, "funds.csv", FUNDS_MONEY, rep)
    more = [c for c in FUNDS_MORE if c in frame.columns]
    ok &= to_numbers(frame, "funds.csv", more, rep)
    return frame if ok else None


def read_villages(plan_dir: Path, rep: Report) -> pd.DataFrame | None:
    return read_table(plan_dir, "villages.csv", VILLAGE_COLUMNS, rep)


def read_summary(plan_dir: Path, rep: Report) -> dict | None:
    path = plan_dir / "summary.json"
    if not path.is_file():
        rep.add("file", f"summary.json is missing from {plan_dir}")
        return None
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        rep.add("file", f"summary.json is not valid JSON ({exc})")
        return None
    if not isinstance(data, dict):
        rep.add("file", "summary.json must hold one JSON object")
        return None
    return data
