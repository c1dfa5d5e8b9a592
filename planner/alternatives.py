"""`planner alternatives`: near-optimal plans that differ most, and project importance.

Plan 1 is the optimum.  Each next plan keeps the objective within the
tolerance of the optimum (value >= (1 - p) * best; for min_cost, cost <=
(1 + p) * least) and is as far as possible from all plans before it: it
maximises the summed Hamming distance over the start decisions (a diversity
objective, a MIP per plan).  Every plan is verified and written to its own
folder.  Importance of a project of plan 1: the value lost when it is excluded
(its replacement cost), re-solved for the `top` most expensive chosen works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.budget import TimeBudget
from models.params import SolveParams
from models.result import Result
from models.solve import solve, solve_secondary

from .outdir import output_folder
from .pipeline import plan_scenario, write_verified
from .plan import make_plan
from .scenario import load_scenario
from .tables import write_csv


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
    table: pd.DataFrame  # one row per plan: value, distance, what differs from plan 1
    importance: pd.DataFrame


def alternatives(folder: Path, count: int, within: float, out: Path, top: int = 10,
                 **solver_given) -> Alternatives:
    """The plans, alternatives.csv and importance.csv, written to `out` whole
    (planner.outdir: each plan folder and `out` itself)."""
    scn = load_scenario(folder)
    with output_folder(Path(out), "planner alternatives", scn.input_files) as stage:
        return _alternatives(scn, count, within, stage, top, **solver_given)


def _alternatives(scn, count: int, within: float, out: Path, top: int,
                  **solver_given) -> Alternatives:
    params = SolveParams.merged(scn.solver, **solver_given)
    budget = TimeBudget(params.time_limit)  # one time limit for every solve of the command
    solves = count + top  # the optimum, the other plans, the importance re-solves
    first = plan_scenario(scn, out / "plan-1", **{**solver_given,
                                                  "time_limit": budget.share(max(0.3, 1 / solves))})
    scn, inst, best = first.scenario, first.instance, first.result
    remaining = iter(range(solves - 1, 0, -1))
    next_params = lambda: params.updated(
        time_limit=budget.share(1 / max(1, next(remaining, 1))))
    maximize = inst.objective == "max_coverage"
    floor = best.objective * (1 - within) if maximize else best.objective * (1 + within)
    plans: list[tuple[str, Result]] = [("plan-1", best)]
    for k in range(2, count + 1):
        res = solve_secondary(inst, floor, {"kind": "diverse",
                                            "plans": [r.start for _, r in plans]},
                              next_params())
        if not res.has_solution:
            break
        if any((res.start == r.start).all() for _, r in plans):
            break  # no other plan within the tolerance
        name = f"plan-{k}"
        write_verified(scn, make_plan(scn, inst, res), out / name)
        plans.append((name, res))
    table = _differences(inst, plans)
    importance = _importance(inst, best, top, next_params)
    write_csv(table, out / "alternatives.csv")
    write_csv(importance, out / "importance.csv")
    return Alternatives(plans, table, importance)


def _differences(inst, plans) -> pd.DataFrame:
    ref = plans[0][1].start
    rows = []
    for name, res in plans:
        s = res.start
        added = np.flatnonzero((s >= 0) & (ref < 0))
        dropped = np.flatnonzero((s < 0) & (ref >= 0))
        moved = np.flatnonzero((s >= 0) & (ref >= 0) & (s != ref))
        ids = lambda idx: ";".join(inst.project_ids[i] for i in idx)
        rows.append({"plan": name, "value": res.objective,
                     "vs_best": res.objective - plans[0][1].objective,
                     "villages_on_time": int(res.on_time.sum()),
                     "projects": int((s >= 0).sum()), "added": len(added),
                     "dropped": len(dropped), "moved": len(moved),
                     "added_projects": ids(added), "dropped_projects": ids(dropped),
                     "moved_projects": ids(moved)})
    return pd.DataFrame(rows)


def _importance(inst, best: Result, top: int, next_params) -> pd.DataFrame:
    """Each re-solve starts from plan 1 without the work (and the works needing it);
    `models.solve.solve` keeps that plan when it holds every rule and the backend finds
    nothing better."""
    chosen = np.flatnonzero(best.start >= 0)
    pooled = inst.proj_pooled_units.sum(axis=1)[chosen]
    order = chosen[np.argsort(-pooled, kind="stable")][:top]
    rows = []
    for p in order:
        lock_out = inst.lock_out.copy()
        lock_out[p] = True
        if inst.lock_in[p]:
            continue
        without = inst.replace(lock_out=lock_out)
        res = solve(without, next_params(), tie_break=False,
                    hint=_without(inst, best.start, p))
        loss = (best.objective - res.objective) if res.has_solution else None
        if inst.objective == "min_cost" and loss is not None:
            loss = -loss  # extra money needed without it
        rows.append({"project_id": inst.project_ids[p],
                     "pooled_cost": inst.proj_pooled_units[p].sum() / inst.money_units,
                     "value_without": res.objective if res.has_solution else None,
                     "importance": loss, "status_without": res.status.value})
    frame = pd.DataFrame(rows, columns=["project_id", "pooled_cost", "value_without",
                                        "importance", "status_without"])
    return frame.sort_values("importance", ascending=False, na_position="first",
                             kind="stable").reset_index(drop=True)


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
