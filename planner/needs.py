"""`planner needs`: the least money that meets every exit standard and deadline.

Exit-standard gaps and hard deadlines that no money can make hold (no work can
finish by the due year, none may be paid from any stream, ...) are found first
by an elastic solve with unlimited money, listed, and left out of what follows.

Three answers, each from its own solve:
- total: the least pooled money over the horizon when money were no limit
  (objective min_cost with every budget unbounded);
- per stream, county and year, given the money the scenario has: the least
  extra money, pool-year by pool-year, that makes every exit standard and hard
  deadline hold (an elastic min_cost solve minimising the total extra); the
  extra is the funding gap, and budget + gap is what is needed there;
- the marginal value of each stream-year in the scenario's own objective:
  the dual price of its budget row in the LP relaxation (value per money unit;
  an optimistic estimate, since the integer plan may not use a little money).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from models.marginal import budget_duals
from models.params import SolveParams
from models.solve import solve

from .build import build_instance
from .scenario import Scenario

UNLIMITED = 10 ** 13  # units; far above any county's or province's money


def needs(scn: Scenario, **solver_given) -> tuple[pd.DataFrame, dict]:
    """The least money per pool-year (needs.csv) and its summary; the solver settings:
    scenario.yaml's `solver:` < `solver_given`."""
    from models.budget import TimeBudget

    inst = build_instance(scn)
    need_inst = inst.replace(objective="min_cost")
    units = inst.money_units
    params = SolveParams.merged(scn.solver, **solver_given)
    # one time limit for the command: up to four solves, each a share of what is left
    budget = TimeBudget(params.time_limit)
    share = lambda solves_left: replace(params, time_limit=budget.share(1 / solves_left))
    # 0. what no money can make hold (no work can finish in time, none may be paid, ...)
    impossible = _impossible(need_inst, share(4), share(3))
    if impossible["exit"] or impossible["deadline"]:
        # the elastic solve names an exit gap "<village_id>/<target>"
        drop = np.array(
            [f"{inst.village_ids[inst.gap_village[g]]}/{inst.target_codes[inst.gap_target[g]]}"
             in impossible["exit"] for g in range(inst.n_gaps)], dtype=bool)
        need_inst = need_inst.replace(
            gap_exit=inst.gap_exit & ~drop,
            deadlines=tuple(d for d in inst.deadlines if d.label not in impossible["deadline"]))
    # 1. total least money
    free = need_inst.replace(pool_budget_units=np.full_like(inst.pool_budget_units, UNLIMITED))
    res = solve(free, share(2))
    if not res.has_solution:
        raise RuntimeError(f"even unlimited money cannot meet every exit standard and "
                           f"deadline ({res.status.value}): some gap has no eligible work in time")
    total_needed = float(res.objective)
    # 2. funding gap per pool-year with the money as it is
    gap = solve(need_inst, replace(share(1), gap=0), elastic="money")
    extra = np.zeros_like(inst.pool_budget_units, dtype=float)
    if gap.has_solution:
        for (_kind, label), amount in gap.options.get("slack", {}).items():
            b, t = map(int, label.split(":"))
            extra[b, t] = amount
    # 3. marginal value per pool-year (the scenario's own objective)
    duals = budget_duals(inst)
    rows = []
    for b in range(inst.n_pools):
        county = inst.county_names[inst.pool_county[b]] if inst.pool_county[b] >= 0 else ""
        for t in range(inst.n_years):
            budget = inst.pool_budget_units[b, t] / units
            rows.append({"stream": inst.pool_stream[b], "county": county,
                         "year": int(inst.years[t]), "budget": round(budget, 4),
                         "funding_gap": round(extra[b, t], 4),
                         "needed": round(budget + extra[b, t], 4),
                         "marginal_value": round(float(duals[b, t]), 6)})
    table = pd.DataFrame(rows)
    summary = {
        "scenario": scn.name,
        "least_total_money": round(total_needed, 4),
        "money_available": round(float(inst.pool_budget_units.sum() / units), 4),
        "funding_gap_total": round(float(extra.sum()), 4),
        "status_total": res.status.value,
        "status_gap": gap.status.value,
        "marginal_value_source": "LP-relaxation dual prices of the budget rows "
                                 f"({scn.objective} objective), value per money unit",
        "impossible_exit_gaps": sorted(impossible["exit"]),
        "impossible_deadlines": sorted(impossible["deadline"]),
    }
    return table, summary


def _impossible(inst, params, elastic_params) -> dict:
    """Exit-standard gaps and hard deadlines no amount of money can make hold: the
    elastic solve with unlimited money, minimising the rules broken."""
    free = inst.replace(pool_budget_units=np.full_like(inst.pool_budget_units, UNLIMITED))
    if solve(free, params).has_solution:
        return {"exit": set(), "deadline": set()}
    res = solve(free, replace(elastic_params, gap=0), elastic="rules")
    out = {"exit": set(), "deadline": set()}
    for (kind, label), _ in (res.options.get("slack", {}) if res.has_solution else {}).items():
        if kind in out:
            out[kind].add(label)
    return out
