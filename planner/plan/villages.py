"""The villages table: one row per village of villages.csv, with its gaps closed, whether
it is on time (models.evaluate.on_time: every exit-standard gap closed by its due
year), the year its last exit-standard gap closes, the targets left open or late, and
whether it could be on time at all (models.possible: with any money) and if not why.
Relocated villages get no works and are listed with blanks.  `why_zh` gives the reasons
in Chinese, for the tables written with `--lang zh`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.evaluate import on_time
from models.instance import Instance
from models.possible import Obstacle, exit_obstacles
from models.result import Result

from ..scenario import Scenario


def village_table(scn: Scenario, inst: Instance, result: Result,
                  blocked: dict | None = None) -> pd.DataFrame:
    """`blocked`: models.possible.exit_obstacles(inst), when the caller has it."""
    start = result.start
    years = inst.years
    close = inst.close_year(start)  # cumulative gaps close when their quantity is reached
    gap_finish = np.where(close < inst.n_years, close, -1)
    in_time = on_time(inst, start)
    vidx = {v: i for i, v in enumerate(inst.village_ids)}
    gaps_of: dict[int, list[int]] = {}
    for g, v in enumerate(inst.gap_village):
        gaps_of.setdefault(int(v), []).append(g)
    all_gaps: dict[str, list] = {}  # village -> its gaps' targets, in gaps.csv's order
    for vid, target in zip(scn.gaps["village_id"], scn.gaps["target"]):
        all_gaps.setdefault(vid, []).append(target)
    code = lambda g: inst.target_codes[inst.gap_target[g]]
    blocked = exit_obstacles(inst) if blocked is None else blocked
    rows = []
    for r in scn.villages.itertuples():
        row = {"village_id": r.village_id, "village_name": r.name, "county": r.county,
               "township": r.township, "exit_year": r.exit_year,
               "deep_poverty": bool(r.deep_poverty), "relocated": bool(r.relocated),
               "gaps": len(all_gaps.get(r.village_id, []))}
        v = vidx.get(r.village_id)
        if v is None:  # relocated: not planned
            row.update(gaps_closed=0, exit_gaps=0, on_time="", completion_year="",
                       open_targets=";".join(all_gaps.get(r.village_id, [])), late_targets="",
                       on_time_possible="", why_not_possible="")
            rows.append(row)
            continue
        gs = gaps_of.get(v, [])
        due = inst.village_due[v]
        exit_gs = [g for g in gs if inst.gap_exit[g]]
        closed_exit = [gap_finish[g] for g in exit_gs if gap_finish[g] >= 0]
        if not exit_gs:
            completion = int(years[0]) - 1
        elif len(closed_exit) == len(exit_gs):
            completion = int(years[max(closed_exit)])
        else:
            completion = ""
        row.update(
            gaps_closed=sum(gap_finish[g] >= 0 for g in gs),
            exit_gaps=len(exit_gs),
            on_time=bool(in_time[v]),
            completion_year=completion,
            open_targets=";".join(code(g) for g in gs if gap_finish[g] < 0),
            late_targets=";".join(code(g) for g in gs if gap_finish[g] > due),
            on_time_possible=v not in blocked,
            why_not_possible="; ".join(why(inst, o) for o in blocked.get(v, [])),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def why_zh(scn: Scenario, inst: Instance, blocked: dict | None = None) -> list[str]:
    """why_not_possible in Chinese, one text per row of village_table (`blocked`: as
    village_table's)."""
    blocked = exit_obstacles(inst) if blocked is None else blocked
    vidx = {v: i for i, v in enumerate(inst.village_ids)}
    names = {code: t["name_zh"] for code, t in scn.targets.items()}
    return ["；".join(why(inst, o, names) for o in blocked.get(vidx.get(vid, -1), []))
            for vid in scn.villages["village_id"]]


def why(inst: Instance, o: Obstacle, names: dict[str, str] | None = None) -> str:
    """One obstacle in words, e.g. "road: 2-year work, due 2018"; in Chinese given the
    targets' Chinese `names` ("村级公路建设：工期2年，须在2018年完成")."""
    if names is not None:
        return _why_zh(inst, o, names)
    return _why_en(inst, o)


def _why_zh(inst: Instance, o: Obstacle, names: dict[str, str]) -> str:
    code = inst.target_codes[inst.gap_target[o.gap]]
    target = names.get(code, code)
    due = int(inst.years[inst.village_due[inst.gap_village[o.gap]]])
    if o.kind == "too_late":
        start = int(inst.years[o.earliest])
        later = f"，最早{start}年开工" if o.earliest > 0 else ""
        return f"{target}：工期{o.duration}年{later}，须在{due}年完成"
    if o.kind == "too_little":
        need = float(inst.gap_quantity[o.gap])
        return f"{target}：{due}年前完工的项目只完成{o.done:g}，需{need:g}"
    return {"no_work": f"{target}：项目库中没有此项任务的项目",
            "locked_out": f"{target}：此项任务的项目都被锁定不做",
            "no_fund": f"{target}：没有可用于此项任务的资金"}[o.kind]


def _why_en(inst: Instance, o: Obstacle) -> str:
    target = inst.target_codes[inst.gap_target[o.gap]]
    due = int(inst.years[inst.village_due[inst.gap_village[o.gap]]])
    if o.kind == "too_late":
        start = int(inst.years[o.earliest])
        later = f", earliest start {start}" if o.earliest > 0 else ""
        return f"{target}: {o.duration}-year work{later}, due {due}"
    if o.kind == "too_little":
        need = float(inst.gap_quantity[o.gap])
        return f"{target}: works finishing by {due} give {o.done:g} of {need:g}"
    return {"no_work": f"{target}: no work in the project library",
            "locked_out": f"{target}: every work is locked out",
            "no_fund": f"{target}: no fund may pay for its works"}[o.kind]
