"""What changed between two plans, one work per row, in words a county office reads.

`compare` (compare_changes.csv), `replan` (changes.csv) and `alternatives`
(alternatives_changes.csv) list each work added, dropped or moved to another start
year with its village (id, name, county), target (code and Chinese name), department,
start and finish years before and after, its total cost and pooled cost, and the money
drawn from each fund stream in either plan ("special_bonds 72.0000; poverty_fund
10.0000": each stream's total over the work's years, from the plan's schedule).

Everything is read off the two plans' schedules (a schedule.csv read back, or a plan
made in memory): nothing is recomputed from the scenario.
"""

from __future__ import annotations

import pandas as pd

from models.money import DECIMALS, fmt

#: the per-work columns, in order, after a change table's own leading columns
WORK_COLUMNS = ["county", "village_id", "village_name", "target", "target_name",
                "department", "from_finish", "to_finish", "cost", "pooled_cost",
                "from_money", "to_money"]
#: what describes a work (the same on every row of its schedule)
_INFO = ["county", "village_id", "village_name", "target", "target_name", "department"]


def stream_columns(schedule: pd.DataFrame, streams) -> list[str]:
    """The money columns of a schedule: each fund stream's, and the outside money a
    levering stream unlocked (`outside_<stream>`), those the schedule has."""
    names = [s for s in sorted(set(streams)) if s in schedule.columns]
    return names + [f"outside_{s}" for s in names if f"outside_{s}" in schedule.columns]


def works(plan) -> pd.DataFrame:
    """One row per work of a plan (anything with `.schedule` and `.funds`), indexed by
    project_id: its village, target, department, start and finish years, total `cost`
    and `pooled_cost` (the sums of its schedule rows) and `money`, the text of the money
    drawn from each stream."""
    sched = plan.schedule
    money = stream_columns(sched, plan.funds["stream"].astype(str))
    cols = [c for c in _INFO if c in sched.columns]
    if sched.empty:
        return pd.DataFrame(columns=[*cols, "start_year", "finish_year", "cost",
                                     "pooled_cost", "money"]).rename_axis("project_id")
    grouped = sched.groupby("project_id", sort=True)
    first = grouped[[*cols, "start_year", "finish_year"]].first()
    sums = grouped[["cost", "pooled_cost", *money]].sum().round(DECIMALS)
    first["cost"] = sums["cost"]
    first["pooled_cost"] = sums["pooled_cost"]
    first["money"] = [
        "; ".join(f"{m} {fmt(row[m])}" for m in money if abs(row[m]) >= 0.5 * 10 ** -DECIMALS)
        for _, row in sums.iterrows()]
    return first


def work_changes(before, after, labels=("dropped", "added", "moved")) -> pd.DataFrame:
    """The works of `after` that differ from `before` (plans as for `works`): a work
    dropped, added, or moved to another start year; one row each with `change`
    (`labels` name the three kinds), `project_id`, `from`/`to` (start years, blank where
    the work is not in that plan) and WORK_COLUMNS.  `cost`, `pooled_cost` and the work's
    description come from the plan that holds it (`after` when both do)."""
    a, b = works(before), works(after)
    dropped, added, moved = labels
    rows = []
    for pid in sorted(set(a.index) | set(b.index)):
        old = a.loc[pid] if pid in a.index else None
        new = b.loc[pid] if pid in b.index else None
        if old is not None and new is not None and int(old["start_year"]) == int(
                new["start_year"]):
            continue
        kind = dropped if new is None else added if old is None else moved
        here = new if new is not None else old
        rows.append({
            "change": kind, "project_id": pid,
            "from": "" if old is None else int(old["start_year"]),
            "to": "" if new is None else int(new["start_year"]),
            **{c: here.get(c, "") for c in _INFO},
            "from_finish": "" if old is None else int(old["finish_year"]),
            "to_finish": "" if new is None else int(new["finish_year"]),
            "cost": float(here["cost"]), "pooled_cost": float(here["pooled_cost"]),
            "from_money": "" if old is None else old["money"],
            "to_money": "" if new is None else new["money"]})
    frame = pd.DataFrame(rows, columns=["change", "project_id", "from", "to", *WORK_COLUMNS])
    return frame.sort_values(["county", "village_id", "target", "project_id"],
                             kind="stable").reset_index(drop=True)
