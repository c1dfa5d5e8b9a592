"""priority.csv and priority_levels.csv, made from the level plans (English), written
in the language asked for (planner.plan.lang.whatif_table) and checked against the
plan folders before the folder is written (planner.check.priority_list)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.evaluate import priority_rank
from models.nested import entry_order, pooled_units

from ..headers import WHATIF_MONEY_COLUMNS
from ..pipeline import VerificationError
from ..words import VALUES
from .levels import PLAN, label

#: priority.csv: one row per work, in rank order.  cost, pooled_cost: the work's totals
#: (schedule.csv's work_cost and work_pooled_cost); cumulative_pooled_cost: the pooled
#: money of the works ranked up to this one; scale, money, value: the level at which the
#: work enters, its money and its nested plan's value; start_year: in that plan.
PRIORITY_COLUMNS = ["rank", "project_id", "county", "village_id", "village_name", "exit_year",
                    "target", "target_name", "start_year", "cost", "pooled_cost",
                    "cumulative_pooled_cost", "scale", "money", "value"]
#: priority_levels.csv: one row per level.  works, added, moved: the nested plan's works,
#: those it adds to the level below's, those of the level below it starts in another
#: year; optimum_*: the un-nested plan at sampled levels; ratio = value / optimum_value;
#: batch_behind: under the lexicographic rule, the first batch (in the order served)
#: whose on-time count differs from the optimum's, with both counts.
LEVEL_COLUMNS = ["scale", "money", "status", "value", "villages_on_time", "works", "added",
                 "moved", "pooled_cost", "optimum_value", "optimum_bound", "optimum_status",
                 "optimum_villages_on_time", "ratio", "batch_behind", "why", "plan",
                 "optimum_plan"]
#: why a level has no plan, in English and Chinese (a level's `why`: key and values)
WHY = {
    "infeasible": ("the hard rules cannot all hold with this money (planner solve {folder} "
                   "says which)",
                   "这一资金下硬性要求不能全部满足（planner solve {folder} 可查看是哪一项）"),
    "among": ("the hard rules cannot all hold with this money among the works of x{above}'s "
              "plan (planner solve {folder} says which)",
              "这一资金下仅用 x{above} 方案中的项目，硬性要求不能全部满足"
              "（planner solve {folder} 可查看是哪一项）"),
    "time": ("no plan found in its share of the time limit ({seconds} s)",
             "在分得的求解时间（{seconds} 秒）内未找到方案"),
    "below": ("not solved: x{above} has no plan, and less money with no more works cannot "
              "have one", "未求解：x{above} 没有方案，资金更少、项目不更多时也不会有方案"),
    "optimum": ("no optimum: {why}", "没有最优方案：{why}"),
}
#: their money columns (planner.headers.WHATIF_MONEY_COLUMNS), held in whole units here
PRIORITY_MONEY = tuple(c for c in PRIORITY_COLUMNS if c in WHATIF_MONEY_COLUMNS["priority"])
LEVEL_MONEY = tuple(c for c in LEVEL_COLUMNS if c in WHATIF_MONEY_COLUMNS["priority_levels"])
#: decimals of the ratio written
RATIO_DECIMALS = 4


def entering(nested: list) -> list[tuple]:
    """Per level with a plan: (level, the project indices it adds in rank order)."""
    out, have = [], set()
    for lv in nested:
        if not lv.has_plan:
            continue
        new = [int(p) for p in np.flatnonzero(lv.result.start >= 0)
               if lv.inst.project_ids[p] not in have]
        out.append((lv, entry_order(lv.inst, lv.result.start, new)))
        have |= set(lv.start)
    return out


def priority_rows(nested: list) -> pd.DataFrame:
    rows, total, rank = [], 0, 0
    for lv, order in entering(nested):
        inst = lv.inst
        works = lv.plan.schedule.drop_duplicates("project_id").set_index("project_id")
        pooled = pooled_units(inst)
        cost = inst.proj_cost_units.sum(axis=1)
        for p in order:
            pid = inst.project_ids[p]
            w = works.loc[pid]
            rank += 1
            total += int(pooled[p])
            rows.append({"rank": rank, "project_id": pid, "county": w["county"],
                         "village_id": w["village_id"], "village_name": w["village_name"],
                         "exit_year": int(w["exit_year"]), "target": w["target"],
                         "target_name": w["target_name"], "start_year": int(w["start_year"]),
                         "cost": int(cost[p]), "pooled_cost": int(pooled[p]),
                         "cumulative_pooled_cost": total, "scale": lv.scale,
                         "money": lv.money_units, "value": lv.result.objective})
    frame = pd.DataFrame(rows, columns=PRIORITY_COLUMNS)
    for c in PRIORITY_MONEY:  # whole units -> the scenario's unit
        frame[c] = frame[c].astype(float) / 10_000
    return frame


def _on_time(lv) -> int:
    return int(lv.result.on_time.sum())


def batch_name(label: str, zh: bool) -> str:
    """An exit batch's label (models' batch_labels: 2019, 2019 deep poverty, exited)."""
    if not zh:
        return label
    if label == "exited":
        return VALUES["exited"][1]
    year, _, deep = label.partition(" ")
    return f"{year}年批次" + ("深度贫困村" if deep else "")


def behind(nested, optimum, zh: bool = False) -> str:
    """The first batch, in the order served, where the two plans' on-time counts differ:
    'LABEL: nested < optimum' (blank when every batch is the same, or without batches)."""
    inst = nested.inst
    if not inst.batches:
        return ""
    mine, theirs = priority_rank(inst, nested.result.start), priority_rank(optimum.inst,
                                                                  optimum.result.start)
    for name, a, b in zip(inst.batch_labels, mine, theirs):
        if a != b:
            return f"{batch_name(name, zh)}: {a} {'<' if a < b else '>'} {b}"
    return ""


def why_text(why: tuple, zh: bool) -> str:
    if not why:
        return ""
    key, values = why
    return WHY[key][zh].format(**values)


def level_rows(nested: list, optimum: dict, zh: bool = False) -> pd.DataFrame:
    """priority_levels.csv (English; `zh`: its reasons in Chinese)."""
    rows, below = [], None
    for lv in nested:
        row = {"scale": lv.scale, "money": lv.money_units, "status": lv.status,
               "why": why_text(lv.why, zh),
               "plan": f"levels/{label(lv.scale)}/{PLAN}" if lv.has_plan else ""}
        if lv.has_plan:
            moved = sum(1 for p, y in below.start.items() if lv.start[p] != y) if below else 0
            row.update(value=lv.result.objective, villages_on_time=_on_time(lv),
                       works=len(lv.start), added=len(lv.start) - (len(below.start) if below
                                                                  else 0),
                       moved=moved, pooled_cost=int(pooled_units(lv.inst)[
                           lv.result.start >= 0].sum()))
            below = lv
        opt = optimum.get(lv.scale)
        if opt is not None:
            row.update(optimum_status=opt.status,
                       optimum_plan=f"{opt.kind}/{label(lv.scale)}/{PLAN}" if opt.has_plan else "")
            if opt.has_plan:
                bound = opt.result.bound
                row.update(optimum_value=opt.result.objective,
                           optimum_bound=bound if bound is not None and np.isfinite(bound)
                           else None, optimum_villages_on_time=_on_time(opt))
                if lv.has_plan and opt.result.objective > 0:
                    row["ratio"] = round(lv.result.objective / opt.result.objective,
                                         RATIO_DECIMALS)
                if lv.has_plan:
                    row["batch_behind"] = behind(lv, opt, zh)
            elif not lv.why:
                row["why"] = why_text(("optimum", {"why": why_text(opt.why, zh)}), zh)
        rows.append(row)
    frame = pd.DataFrame(rows).reindex(columns=LEVEL_COLUMNS)
    for c in LEVEL_MONEY:
        frame[c] = frame[c].astype(float) / 10_000
    for c in ("villages_on_time", "works", "added", "moved", "optimum_villages_on_time"):
        frame[c] = frame[c].astype("Int64")
    for c in ("status", "optimum_status", "batch_behind", "why", "plan", "optimum_plan"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), "")
    return frame


def write_tables(table: pd.DataFrame, levels: pd.DataFrame, folder: Path, lang: str,
                 scn) -> None:
    """Both tables in `lang`, then checked against the plan folders beside them."""
    from ..check.priority_list import check_priority
    from ..plan.lang import scenario_target_names, whatif_lang, write_whatif

    words = whatif_lang(lang, scenario_target_names(scn))
    write_whatif(table, "priority", words, folder / "priority.csv")
    write_whatif(levels, "priority_levels", words, folder / "priority_levels.csv")
    problems = check_priority(folder)
    if problems:
        raise VerificationError("the priority list failed the independent check (a bug; "
                                "please report it):\n  " + "\n  ".join(
                                    f"[{v.rule}] {v.message}" for v in problems[:20]))
