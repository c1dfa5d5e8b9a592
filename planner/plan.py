"""Result -> plan tables: schedule, villages, funds and the summary.

Money in the tables is whole units divided by the unit count (one yuan when
the unit is 万元), written with 4 decimals, so every budget can be re-added
exactly from the schedule.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from models.funding import allocate
from models.instance import Instance
from models.result import Result

from .scenario import Scenario
from .tables import write_csv

PLAN_FILES = ("schedule.csv", "villages.csv", "funds.csv", "summary.json")


@dataclass
class Plan:
    schedule: pd.DataFrame
    villages: pd.DataFrame
    funds: pd.DataFrame
    summary: dict


def _money(units) -> np.ndarray:
    return np.asarray(units, dtype=np.int64) / 1e4


def make_plan(scn: Scenario, inst: Instance, result: Result) -> Plan:
    if not result.has_solution:
        raise ValueError("no plan: the result has no solution")
    scale = inst.money_units
    assert scale == 1e4, "outputs assume 4 decimals per money unit"
    start = result.start
    alloc, outside = allocate(inst, start, result.flows)
    streams = sorted(set(inst.pool_stream))
    years = inst.years

    # ---------------------------------------------------------- schedule
    chosen = np.flatnonzero(start >= 0)
    dur = inst.proj_duration[chosen]
    proj = np.repeat(chosen, dur)
    k = np.arange(len(proj)) - np.repeat(np.cumsum(dur) - dur, dur)
    t = start[proj] + k
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
        "cost": _money(inst.proj_cost_units[proj, k]),
        "pooled_cost": _money(inst.proj_pooled_units[proj, k]),
        "self_funded": _money(inst.proj_cost_units[proj, k] - inst.proj_pooled_units[proj, k]),
    })
    for s in streams:
        sched[s] = _money(spend[:, stream_col[s]])
    for s in lever_streams:  # outside money (loans, private capital) a stream unlocked
        sched[f"outside_{s}"] = _money(unlocked[:, lever_col[s]])
    sched = sched.sort_values(["year", "county", "village_id", "project_id"], kind="stable")
    sched = sched.reset_index(drop=True)

    # ---------------------------------------------------------- villages
    villages = _village_table(scn, inst, start)

    # ---------------------------------------------------------- funds
    spent = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    np.add.at(spent, (alloc[:, 1], alloc[:, 2]), alloc[:, 3]) if len(alloc) else None
    freed = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    np.add.at(freed, (outside[:, 1], outside[:, 2]), outside[:, 3]) if len(outside) else None
    rows = []
    for b in range(inst.n_pools):
        carried = 0
        back = np.zeros(inst.n_years, dtype=np.int64)  # revolving money coming back
        if inst.revolving[b]:
            k, share = int(inst.pool_return_after[b]), float(inst.pool_return_share[b])
            back[k:] = np.floor(share * spent[b, : inst.n_years - k] + 1e-9).astype(np.int64)
        for ti in range(inst.n_years):
            budget = int(inst.pool_budget_units[b, ti])
            avail = budget + carried + int(back[ti])
            left = avail - int(spent[b, ti])
            out = left if (inst.pool_carry[b, ti] and ti + 1 < inst.n_years) else 0
            rows.append({
                "stream": inst.pool_stream[b],
                "year": int(years[ti]),
                "county": inst.county_names[inst.pool_county[b]] if inst.pool_county[b] >= 0 else "",
                "budget": budget / 1e4, "carried_in": carried / 1e4,
                "returned": int(back[ti]) / 1e4,
                "spent": int(spent[b, ti]) / 1e4, "carried_out": out / 1e4,
                "outside": int(freed[b, ti]) / 1e4,
                "unused": (left - out) / 1e4,
            })
            carried = out
    # a stream's reserved part (see planner.build) is a pool of its own: report them as one
    funds = pd.DataFrame(rows).groupby(["stream", "year", "county"], sort=False,
                                       as_index=False).sum()

    summary = _summary(scn, inst, result, sched, villages, funds)
    return Plan(sched, villages, funds, summary)


def _village_table(scn: Scenario, inst: Instance, start: np.ndarray) -> pd.DataFrame:
    years = inst.years
    close = inst.close_year(start)  # cumulative gaps close when their quantity is reached
    gap_finish = np.where(close < inst.n_years, close, -1)
    vidx = {v: i for i, v in enumerate(inst.village_ids)}
    gaps_of: dict[int, list[int]] = {}
    for g, v in enumerate(inst.gap_village):
        gaps_of.setdefault(int(v), []).append(g)
    all_gaps = scn.gaps.groupby("village_id")["target"].apply(list).to_dict()
    rows = []
    for r in scn.villages.itertuples():
        row = {"village_id": r.village_id, "village_name": r.name, "county": r.county,
               "township": r.township, "exit_year": r.exit_year,
               "deep_poverty": bool(r.deep_poverty), "relocated": bool(r.relocated),
               "gaps": len(all_gaps.get(r.village_id, []))}
        v = vidx.get(r.village_id)
        if v is None:  # relocated: not planned
            row.update(gaps_closed=0, exit_gaps=0, on_time="", completion_year="",
                       open_targets=";".join(all_gaps.get(r.village_id, [])), late_targets="")
            rows.append(row)
            continue
        gs = gaps_of.get(v, [])
        due = inst.village_due[v]
        exit_gs = [g for g in gs if inst.gap_exit[g]]
        closed_exit = [gap_finish[g] for g in exit_gs if gap_finish[g] >= 0]
        on_time = all(0 <= gap_finish[g] <= due for g in exit_gs)
        if not exit_gs:
            completion = int(years[0]) - 1
        elif len(closed_exit) == len(exit_gs):
            completion = int(years[max(closed_exit)])
        else:
            completion = ""
        code = lambda g: inst.target_codes[inst.gap_target[g]]
        row.update(
            gaps_closed=sum(gap_finish[g] >= 0 for g in gs),
            exit_gaps=len(exit_gs),
            on_time=on_time,
            completion_year=completion,
            open_targets=";".join(code(g) for g in gs if gap_finish[g] < 0),
            late_targets=";".join(code(g) for g in gs if gap_finish[g] > due),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _fairness(scn, inst, result, sched, villages) -> dict:
    """On-time rate per county, the spread, and money reserved for deep-poverty villages."""
    planned = villages[~villages["relocated"]]
    rates = {c: round(float((g["on_time"] == True).mean()), 6)  # noqa: E712
             for c, g in planned.groupby("county", sort=True)}
    out = {"settings": dict(scn.fairness), "county_on_time_rate": rates,
           "worst_county_rate": min(rates.values()) if rates else None,
           "rate_spread": (max(rates.values()) - min(rates.values())) if rates else None}
    if "maximin_rate" in result.options:
        out["maximin_rate"] = result.options["maximin_rate"]
    deep = set(scn.villages.loc[scn.villages["deep_poverty"].astype(bool), "village_id"])
    reserve = []
    for r in scn.reserve:
        amount = scn.funds.loc[scn.funds["stream"] == r["stream"], "amount"].sum()
        spent = sched.loc[sched["village_id"].isin(deep), r["stream"]].sum() \
            if r["stream"] in sched else 0.0
        reserve.append({"stream": r["stream"], "share": r["share"],
                        "reserved": round(float(amount) * r["share"], 4),
                        "spent_in_deep_poverty_villages": round(float(spent), 4)})
    out["reserve"] = reserve
    return out


def _versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("village-planner", "numpy", "pandas", "pulp", "highspy", "ortools"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = ""
    return out


def _summary(scn, inst, result: Result, sched, villages, funds) -> dict:
    planned = villages[~villages["relocated"]]
    on_time = {}
    due = {}
    for year, grp in planned.groupby("exit_year"):
        on_time[str(int(year))] = int((grp["on_time"] == True).sum())  # noqa: E712
        due[str(int(year))] = int(len(grp))
    close = inst.close_year(result.start)
    deadlines = []
    for d, spec in zip(scn.deadlines, inst.deadlines):
        in_scope = np.zeros(inst.n_villages, dtype=bool)
        in_scope[spec.villages] = True
        have = (inst.gap_target == spec.target) & in_scope[inst.gap_village]
        closed = int((close[have] <= spec.year).sum())
        met = len(spec.villages) - int(have.sum()) + closed
        deadlines.append({"deadline": d.label(), "target": d.target, "year": d.year,
                          "scope": d.scope if isinstance(d.scope, str) else list(d.scope),
                          "share": d.share, "soft": d.soft,
                          "villages_in_scope": int(in_scope.sum()),
                          "required": spec.required(), "met": met})
    stream_cols = sorted(set(inst.pool_stream))
    return {
        "scenario": scn.name,
        "objective_kind": scn.objective,
        "solver": result.backend,
        "solver_version": result.backend_version,
        "status": result.status.value,
        "objective": result.objective,
        "best_bound": result.bound,
        "gap": result.gap,
        "seconds": round(result.seconds, 3),
        "gaps_total": int(len(scn.gaps)),
        "gaps_planned": int(inst.n_gaps),
        "gaps_closed": int((close < inst.n_years).sum()),
        "villages": int(len(villages)),
        "villages_planned": int(len(planned)),
        "villages_on_time": on_time,
        "villages_due": due,
        "total_cost": round(float(sched["cost"].sum()), 4),
        "pooled_cost": round(float(sched["pooled_cost"].sum()), 4),
        "self_funded": round(float(sched["self_funded"].sum()), 4),
        "spent_by_stream": {s: round(float(sched[s].sum()), 4) for s in stream_cols},
        "outside_money": {c[len("outside_"):]: round(float(sched[c].sum()), 4)
                          for c in sched.columns if c.startswith("outside_")},
        "money_available": round(float(funds.groupby(["stream", "county"])["budget"].sum().sum()), 4),
        "deadlines": deadlines,
        "fairness": _fairness(scn, inst, result, sched, villages),
        "value_rule": {
            "gap_value": "weight of the gap (gaps.csv weight, else the target's weight) if its "
                         "work finishes by the village's due year (its exit year, or the first "
                         "year for villages that exited before the horizon), else weight * "
                         "late_factor",
            "village_bonus": "on_time_bonus per planned village whose exit-standard gaps all "
                             "close by its due year",
            "soft_deadlines": "minus soft_deadline_penalty per village a soft deadline falls short",
            "tie_break": "cheaper, then earlier, worth less than half of 0.0001 in total: it "
                         "never trades value away",
            "weights": {k: v for k, v in scn.weights.items()},
            "exit_standard": list(scn.exit_standard),
        },
        "options": {k: v for k, v in result.options.items() if k != "slack"},
        "inputs": scn.input_hashes(),
        "versions": _versions(),
        "command": " ".join(sys.argv[1:]) if sys.argv else "",
    }


def write_plan(plan: Plan, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(_fmt(plan.schedule), folder / "schedule.csv")
    write_csv(plan.villages, folder / "villages.csv")
    write_csv(_fmt(plan.funds), folder / "funds.csv")
    (folder / "summary.json").write_text(
        json.dumps(plan.summary, ensure_ascii=False, indent=2, default=_json_default) + "\n",
        encoding="utf-8")


def write_workbook(plan: Plan, path: Path, lang: str = "en") -> None:
    """The plan as one workbook: a sheet per table and the summary; Chinese headers
    with lang="zh"."""
    from .cells import write_xlsx
    from .schema import OUTPUT_HEADERS_ZH

    flat = [{"key": k, "value": json.dumps(v, ensure_ascii=False, default=_json_default)
             if isinstance(v, (dict, list)) else v} for k, v in plan.summary.items()]
    sheets = {"schedule": plan.schedule, "villages": plan.villages, "funds": plan.funds,
              "summary": pd.DataFrame(flat)}
    names_zh = {"schedule": "任务进度表", "villages": "村表", "funds": "资金表", "summary": "概要"}
    if lang == "zh":
        sheets = {names_zh[name]: frame.rename(columns=lambda c: OUTPUT_HEADERS_ZH.get(c, c))
                  for name, frame in sheets.items()}
    write_xlsx(path, sheets)  # text cells neutralised and typed as text


def _fmt(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns as text with exactly 4 decimals."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].map(lambda x: f"{x:.4f}")
    return out


def _json_default(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")
