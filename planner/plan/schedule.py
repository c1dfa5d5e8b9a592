"""The schedule table: one row per work and year it runs, with its cost and the money
of each fund stream (and the outside money a levering stream unlocked) that pays it,
then the work's totals over all its years: `work_cost` and `work_pooled_cost` (the
part the pooled streams pay, after self_share), on every row of the work, so that the
year's `cost` of a work of several years is not taken for the work's cost.

Money is whole units turned back into the scenario's unit (models.money), so every
budget can be re-added exactly from the schedule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.instance import Instance
from models.ledger import work_years
from models.money import from_units
from models.result import Result

from ..scenario import Scenario


def schedule_table(scn: Scenario, inst: Instance, result: Result, alloc: np.ndarray,
                   outside: np.ndarray) -> pd.DataFrame:
    """`alloc`, `outside`: models.funding.allocate's rows (project, pool, year, units)."""
    start = result.start
    years = inst.years
    streams = sorted(set(inst.pool_stream))
    chosen = np.flatnonzero(start >= 0)
    row, k, t, pooled = work_years(inst, chosen, start[chosen], paid_only=False)
    proj = chosen[row]
    spend = np.zeros((len(proj), len(streams)), dtype=np.int64)
    row_of = {(p, tt): i for i, (p, tt) in enumerate(zip(proj, t))}
    stream_col = {s: i for i, s in enumerate(streams)}
    for p, b, tt, units in alloc:
        spend[row_of[(p, tt)], stream_col[inst.pool_stream[b]]] += units
    lever_streams = sorted({inst.pool_stream[b] for b in np.flatnonzero(inst.levering)})
    lever_col = {s: i for i, s in enumerate(lever_streams)}
    unlocked = np.zeros((len(proj), len(lever_streams)), dtype=np.int64)
    for p, b, tt, units in outside:
        unlocked[row_of[(p, tt)], lever_col[inst.pool_stream[b]]] += units
    prj = scn.projects.set_index("project_id")
    vil = scn.villages.set_index("village_id")
    pids = [inst.project_ids[p] for p in proj]
    info = prj.loc[pids]
    vinfo = vil.loc[info["village_id"]]
    cost = inst.proj_cost_units[proj, k]
    sched = pd.DataFrame({
        "year": years[t],
        "county": vinfo["county"].to_numpy(),
        "township": vinfo["township"].to_numpy(),
        "village_id": info["village_id"].to_numpy(),
        "village_name": vinfo["name"].to_numpy(),
        "exit_year": vinfo["exit_year"].to_numpy(),
        "target": info["target"].to_numpy(),
        "target_name": [scn.targets[c]["name_zh"] for c in info["target"]],
        "project_id": pids,
        "department": info["department"].to_numpy(),
        "start_year": years[start[proj]],
        "finish_year": years[start[proj] + inst.proj_duration[proj] - 1],
        "cost": from_units(cost),
        "pooled_cost": from_units(pooled),
        "self_funded": from_units(cost - pooled),
    })
    for s in streams:
        sched[s] = from_units(spend[:, stream_col[s]])
    for s in lever_streams:  # outside money (loans, private capital) a stream unlocked
        sched[f"outside_{s}"] = from_units(unlocked[:, lever_col[s]])
    # the work's totals: its years of models.ledger.work_costs added up (after the stream
    # columns, which keep their positions)
    sched["work_cost"] = from_units(inst.proj_cost_units[proj].sum(axis=1))
    sched["work_pooled_cost"] = from_units(inst.proj_pooled_units[proj].sum(axis=1))
    sched = sched.sort_values(["year", "county", "village_id", "project_id"], kind="stable")
    return sched.reset_index(drop=True)
