"""How much the best plan needs each of its most expensive works (importance.csv).

The works of the plan are taken by their pooled money, most first; for each the plan
is re-solved without it (and without the works that require it), from the plan itself
minus those works, until `top` works have been re-solved; the value lost is the
work's importance.  Some works no plan can do without; they are said so instead of a
row of blanks, those known without a solve listed on the way (not counted in `top`):

* `locked in`: the scenario locks it in (no re-solve);
* `required by deadline`: it is the only work for a gap that a hard deadline with share
  1 requires closed (planner.scenario.checks.forced_projects, no re-solve);
* `required`: the re-solve has no plan; why is the diagnosis `planner solve` gives
  (planner.pipeline.explain_infeasible: which rule, how much money would make it hold),
  or, under the exit priority, that the exit batches cannot keep their on-time counts;
* `measured` (the re-solve proved its optimum) or `measured, not proven` (it stopped
  with a plan, e.g. at the time limit: the importance is then at most what is shown);
* `no plan in time`: the re-solve found nothing in its share of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.result import Result, SolveStatus
from models.solve import solve

COLUMNS = ["project_id", "county", "village_id", "village_name", "target", "target_name",
           "pooled_cost", "value_without", "importance", "status_without", "status", "reason"]


def importance(scn, inst, best: Result, top: int, next_params,
               progress=None, lang: str | None = None) -> pd.DataFrame:
    """The importance table; `next_params()` gives each re-solve's settings (its share of
    the command's time); `progress`: a planner.progress.Progress (or None), told each
    work and the solver's figures; `lang`: the language of the reasons (None: the
    scenario's; the statuses and headers are translated when written,
    planner.plan.lang.whatif_table)."""
    from .pipeline import explain_infeasible
    from .plan.lang import deadline_text, scenario_target_names
    from .scenario.checks import forced_projects
    from .words import VALUES

    zh = (lang or scn.lang) == "zh"
    names = scenario_target_names(scn)
    said = lambda status: VALUES.get(status, (status, status))[1] if zh else status

    forced = forced_projects(scn)
    chosen = np.flatnonzero(best.start >= 0)
    pooled = inst.proj_pooled_units.sum(axis=1)[chosen]
    order = chosen[np.argsort(-pooled, kind="stable")]
    prj = scn.projects.set_index("project_id")
    vil = scn.villages.set_index("village_id")
    rows = []
    solved = 0
    known = lambda p: inst.lock_in[p] or _deadline(scn, forced.get(inst.project_ids[p], ""))
    to_solve = min(top, sum(1 for p in order if not known(p)))
    for p in order:
        if solved >= top:
            break
        pid = inst.project_ids[p]
        vid = prj.at[pid, "village_id"]
        target = prj.at[pid, "target"]
        row = {"project_id": pid, "county": vil.at[vid, "county"], "village_id": vid,
               "village_name": vil.at[vid, "name"], "target": target,
               "target_name": scn.targets.get(target, {}).get("name_zh", ""),
               "pooled_cost": inst.proj_pooled_units[p].sum() / inst.money_units,
               "value_without": None, "importance": None, "status_without": ""}
        if inst.lock_in[p]:
            rows.append({**row, "status": "locked in",
                         "reason": "方案锁定必做（lock: in 或 locked.csv）" if zh else
                         "the scenario locks it in (lock: in or locked.csv)"})
            continue
        deadline = _deadline(scn, forced.get(pid, ""))
        if deadline:
            rows.append({**row, "status": "required by deadline", "reason":
                         f"政策时限（{deadline_text(deadline, True, names)}）要求补齐"
                         f"{row['village_name']}（{vid}）的{row['target_name'] or target}短板，"
                         "本项目是其唯一项目" if zh else
                         f"required by deadline {deadline}: "
                         + forced[pid].replace(f"deadline {deadline}", "the deadline")})
            continue
        solved += 1
        if progress:
            progress.update(f"importance {solved}/{to_solve}: the plan without {pid}")
        lock_out = inst.lock_out.copy()
        lock_out[p] = True
        without = inst.replace(lock_out=lock_out)
        params = next_params()
        res = solve(without, params, tie_break=False, hint=_without(inst, best.start, p),
                    progress=progress or False)
        row["status_without"] = res.status.value
        if res.has_solution:
            loss = best.objective - res.objective
            if inst.objective == "min_cost":
                loss = -loss  # extra money needed without it
            proven = res.status is SolveStatus.OPTIMAL
            rows.append({**row, "value_without": res.objective, "importance": loss,
                         "status": "measured" if proven else "measured, not proven",
                         "reason": "" if proven else
                         f"重新求解在证明最优之前停止（{said(res.status.value)}）：该项目的重要性"
                         "至多为此值" if zh else
                         f"the re-solve stopped ({res.status.value}) before proving its "
                         "optimum: the work's importance is at most this"})
        elif res.status is SolveStatus.INFEASIBLE:
            rows.append({**row, "status": "required",
                         "reason": _why_required(without, params, explain_infeasible,
                                                 "zh" if zh else "en", names)})
        else:
            rows.append({**row, "status": "no plan in time", "reason":
                         f"不做该项目的重新求解在分得的时间内未找到方案（{said(res.status.value)}）"
                         "；可用 --time-limit 给更多时间" if zh else
                         f"the re-solve without it found no plan "
                         f"({res.status.value}); give more time with --time-limit"})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("importance", ascending=False, na_position="first",
                             kind="stable").reset_index(drop=True)


def _deadline(scn, reason: str) -> str:
    """The label of the hard deadline forced_projects names in `reason` ('' if none)."""
    return next((d.label() for d in scn.deadlines if reason and d.label() in reason), "")


def _why_required(without, params, explain_infeasible, lang: str = "en",
                  names: dict[str, str] | None = None) -> str:
    """Why no plan can do without the work, in `planner solve`'s words.  Under the exit
    priority the re-solve keeps every batch's on-time count; when only that fails, say so
    (the elastic diagnosis relaxes deadlines, locks and exit standards, not the counts)."""
    if without.batch_floor:
        loose = without.replace(batch_floor=())
        if solve(loose, params, tie_break=False).has_solution:
            kept = ", ".join(f"{label}: {n}" for label, n in
                             zip(without.batch_labels, without.batch_floor))
            if lang == "zh":
                return ("不做该项目，各退出批次无法保持按期退出的村数"
                        f"（退出优先；保持的村数：{kept}）")
            return ("without it the exit batches cannot keep their villages on time "
                    f"(exit priority; counts kept: {kept})")
        without = loose
    lines = (line.strip() for line in explain_infeasible(without, params, lang, names))
    if lang == "zh":
        return ("不做该项目：" + "；".join(lines)).replace("：；", "：")
    return ("without it: " + "; ".join(lines)).replace(":; ", ": ")


def _without(inst, start: np.ndarray, p: int) -> np.ndarray:
    """`start` with work p dropped, and every work that (transitively) requires it."""
    start = start.copy()
    gone = {int(p)}
    while True:
        more = {int(q) for q, r in inst.requires if int(r) in gone and int(q) not in gone}
        if not more:
            break
        gone |= more
    start[list(gone)] = -1
    return start
