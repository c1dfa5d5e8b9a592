"""`planner alternatives`: near-optimal plans that differ most, and project importance.

Plan 1 is the optimum.  Each next plan keeps the objective within the
tolerance of the optimum (value >= (1 - p) * best; for min_cost, cost <=
(1 + p) * least) and is as far as possible from all plans before it: it
maximises the summed Hamming distance over the start decisions (a diversity
objective, a MIP per plan).  Every plan is verified and written to its own
folder.  alternatives.csv has one row per plan (value, counts of works added,
dropped, moved against plan 1); alternatives_changes.csv one row per work that
differs, with its village, target, years and money (planner.work_changes).
Importance of a project of plan 1: the value lost when it is excluded, re-solved
for the `top` most expensive chosen works, or why no plan can do without it
(planner.importance).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.budget import TimeBudget
from models.params import SolveParams
from models.result import Result
from models.solve import solve_secondary

from .importance import importance as importance_table
from .outdir import output_folder
from .pipeline import plan_scenario, write_verified
from .plan import make_plan
from .plan.lang import scenario_target_names, whatif_lang, write_whatif
from .scenario import load_scenario
from .work_changes import work_changes


def parse_tolerance(text: str) -> float:
    """'1%' -> 0.01; '0.01' -> 0.01."""
    text = str(text).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError("use a share like 1% or 0.01") from None
    if not 0 <= value < 1:
        raise ValueError("the tolerance must lie in [0, 100%)")
    return value


@dataclass
class Alternatives:
    plans: list  # (name, Result)
    table: pd.DataFrame  # one row per plan: value, counts of what differs from plan 1
    importance: pd.DataFrame
    changes: pd.DataFrame  # one row per work of a plan that differs from plan 1


def alternatives(folder: Path, count: int, within: float, out: Path, top: int = 10,
                 progress=None, lang: str | None = None, **solver_given) -> Alternatives:
    """The plans, alternatives.csv, alternatives_changes.csv and importance.csv, written
    to `out` whole (planner.outdir: each plan folder and `out` itself).  `progress`: a
    planner.progress.Progress (or None), told each step and the solver's figures; `lang`:
    en or zh, the language of the plan folders and the tables (None: the scenario's;
    planner.plan.lang)."""
    scn = load_scenario(folder)
    with output_folder(Path(out), "planner alternatives", scn.input_files) as stage:
        return _alternatives(scn, count, within, stage, top, progress, lang or scn.lang,
                             **solver_given)


def _alternatives(scn, count: int, within: float, out: Path, top: int, progress, lang: str,
                  **solver_given) -> Alternatives:
    params = SolveParams.merged(scn.solver, **solver_given)
    budget = TimeBudget(params.time_limit)  # one time limit for every solve of the command
    solves = count + top  # the optimum, the other plans, the importance re-solves
    step = progress.update if progress else (lambda text: None)
    step(f"plan 1/{count}: the optimum")
    first = plan_scenario(scn, out / "plan-1", progress=progress or False, lang=lang,
                          **{**solver_given, "time_limit": budget.share(max(0.3, 1 / solves))})
    scn, inst, best = first.scenario, first.instance, first.result
    remaining = iter(range(solves - 1, 0, -1))
    next_params = lambda: params.updated(
        time_limit=budget.share(1 / max(1, next(remaining, 1))))
    maximize = inst.objective == "max_coverage"
    floor = best.objective * (1 - within) if maximize else best.objective * (1 + within)
    plans: list[tuple[str, Result]] = [("plan-1", best)]
    made = [first.plan]
    for k in range(2, count + 1):
        step(f"plan {k}/{count}: the most different plan within the tolerance")
        res = solve_secondary(inst, floor, {"kind": "diverse",
                                            "plans": [r.start for _, r in plans]},
                              next_params())
        if not res.has_solution:
            break
        if any((res.start == r.start).all() for _, r in plans):
            break  # no other plan within the tolerance
        name = f"plan-{k}"
        made.append(make_plan(scn, inst, res))
        write_verified(scn, made[-1], out / name, lang=lang)
        plans.append((name, res))
    table = _differences(inst, plans)
    parts = [work_changes(made[0], plan).assign(plan=name)
             for (name, _), plan in zip(plans[1:], made[1:])]
    changes = (pd.concat(parts, ignore_index=True) if parts
               else work_changes(made[0], made[0]).assign(plan=""))
    changes = changes[["plan", *[c for c in changes.columns if c != "plan"]]]
    importance = importance_table(scn, inst, best, top, next_params, progress, lang)
    words = whatif_lang(lang, scenario_target_names(scn))
    write_whatif(table, "alternatives", words, out / "alternatives.csv")
    write_whatif(changes, "alternatives_changes", words, out / "alternatives_changes.csv")
    write_whatif(importance, "importance", words, out / "importance.csv")
    return Alternatives(plans, table, importance, changes)


def _differences(inst, plans) -> pd.DataFrame:
    ref = plans[0][1].start
    rows = []
    for name, res in plans:
        s = res.start
        added = np.flatnonzero((s >= 0) & (ref < 0))
        dropped = np.flatnonzero((s < 0) & (ref >= 0))
        moved = np.flatnonzero((s >= 0) & (ref >= 0) & (s != ref))
        rows.append({"plan": name, "value": res.objective,
                     "vs_best": res.objective - plans[0][1].objective,
                     "villages_on_time": int(res.on_time.sum()),
                     "projects": int((s >= 0).sum()), "added": len(added),
                     "dropped": len(dropped), "moved": len(moved)})
    return pd.DataFrame(rows)
