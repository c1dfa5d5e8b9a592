"""Solve county by county where money is scoped per county, and merge.

When every money pool belongs to one county and no `requires` or alternative
group crosses a county line, the program splits into independent county
programs.  Deadlines are split too: a deadline over several counties with
share 1 becomes the same deadline in each county (exact); a share below 1
("90 % of all villages") is met county by county, each county reaching the
share on its own villages.  That is stricter than the province-wide share, so
the merged plan stays feasible, and its value is compared with a valid upper
bound: the sum of the county bounds when the split is exact, otherwise the LP
relaxation of the whole program.

`solve_by_county(inst, mapper=...)` takes any `map`-like callable, so the
county solves can run on Dask workers (see planner.distributed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .instance import DeadlineSpec, Instance
from .result import Result, SolveStatus, relative_gap


@dataclass
class Part:
    county: int
    instance: Instance
    projects: np.ndarray  # global indices of the part's projects
    exact: bool  # the deadline split loses nothing


def separable(inst: Instance) -> str | None:
    """Why the instance cannot be split per county (None: it can)."""
    if np.any(inst.pool_county < 0):
        return "a money pool is shared by several counties"
    county_of_proj = inst.village_county[inst.gap_village[inst.proj_gap]]
    if len(inst.requires) and np.any(county_of_proj[inst.requires[:, 0]]
                                     != county_of_proj[inst.requires[:, 1]]):
        return "a project requires a project of another county"
    grouped = inst.proj_group >= 0
    if grouped.any():
        pairs = {(g, c) for g, c in zip(inst.proj_group[grouped], county_of_proj[grouped])}
        if len(pairs) != len({g for g, _ in pairs}):
            return "an alternative group spans counties"
    return None


def _part(inst: Instance, county: int) -> Part:
    vmask = inst.village_county == county
    vnew = np.cumsum(vmask) - 1
    gmask = vmask[inst.gap_village]
    gnew = np.cumsum(gmask) - 1
    pmask = gmask[inst.proj_gap]
    pidx = np.flatnonzero(pmask)
    pnew = np.cumsum(pmask) - 1
    bmask = inst.pool_county == county
    req = inst.requires[pmask[inst.requires[:, 0]]] if len(inst.requires) else inst.requires
    groups = inst.proj_group[pmask]
    uniq, inv = np.unique(groups[groups >= 0], return_inverse=True)
    new_groups = np.full(len(groups), -1)
    new_groups[groups >= 0] = inv
    deadlines, exact = [], True
    for d in inst.deadlines:
        scope = d.villages[vmask[d.villages]]
        if len(scope) == 0:
            continue
        if d.share < 1 and len(scope) < len(d.villages):
            exact = False
        deadlines.append(DeadlineSpec(d.label, d.target, d.year, vnew[scope], d.share, d.soft))
    sub = inst.replace(
        village_ids=tuple(v for v, m in zip(inst.village_ids, vmask) if m),
        village_county=inst.village_county[vmask], village_due=inst.village_due[vmask],
        village_deep=inst.village_deep[vmask],
        gap_village=vnew[inst.gap_village[gmask]], gap_target=inst.gap_target[gmask],
        gap_weight=inst.gap_weight[gmask], gap_exit=inst.gap_exit[gmask],
        project_ids=tuple(inst.project_ids[i] for i in pidx),
        proj_gap=gnew[inst.proj_gap[pmask]], proj_duration=inst.proj_duration[pmask],
        proj_cost_units=inst.proj_cost_units[pmask],
        proj_pooled_units=inst.proj_pooled_units[pmask],
        proj_earliest=inst.proj_earliest[pmask], proj_latest=inst.proj_latest[pmask],
        proj_pools=inst.proj_pools[pmask][:, bmask], proj_group=new_groups,
        requires=np.column_stack([pnew[req[:, 0]], pnew[req[:, 1]]]) if len(req) else req,
        lock_in=inst.lock_in[pmask], lock_out=inst.lock_out[pmask],
        pool_stream=tuple(s for s, m in zip(inst.pool_stream, bmask) if m),
        pool_county=inst.pool_county[bmask], pool_budget_units=inst.pool_budget_units[bmask],
        pool_carry=inst.pool_carry[bmask], deadlines=tuple(deadlines),
        meta={**inst.meta, "county": inst.county_names[county]},
    )
    return Part(county, sub, pidx, exact)


def split_by_county(inst: Instance) -> list[Part]:
    why = separable(inst)
    if why:
        raise ValueError(f"cannot solve county by county: {why}")
    return [_part(inst, c) for c in np.unique(inst.village_county)]


def solve_part(part_instance: Instance, opts: dict) -> dict:
    """One county (runs in a worker): start years and what the solver proved."""
    from .solve import solve

    res = solve(part_instance, **opts)
    return {"start": res.start if res.has_solution else None, "status": res.status.value,
            "objective": res.objective, "bound": res.bound, "seconds": res.seconds,
            "county": part_instance.meta.get("county")}


def solve_by_county(inst: Instance, mapper=map, **opts) -> Result:
    """Split, solve every county (through `mapper`), merge into one Result."""
    from .marginal import lp_bound
    from .solve import on_time, plan_value

    t0 = time.perf_counter()
    parts = split_by_county(inst)
    outs = list(mapper(solve_part, [p.instance for p in parts], [opts] * len(parts)))
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    statuses = [o["status"] for o in outs]
    failed = [o["county"] for o in outs if o["start"] is None]
    options = {**opts, "decomposed": "by county", "parts": len(parts),
               "part_status": dict(zip([o["county"] for o in outs], statuses))}
    if failed:
        status = (SolveStatus.INFEASIBLE if "infeasible" in statuses else SolveStatus.TIME_LIMIT)
        options["failed_counties"] = failed
        return Result.no_solution(status, opts.get("backend", "highs"),
                                  time.perf_counter() - t0, options=options)
    for part, out in zip(parts, outs):
        start[part.projects] = out["start"]
    value = plan_value(inst, start)
    exact = all(p.exact for p in parts)
    if exact and all(o["bound"] is not None for o in outs):
        # every part's objective has the same terms as the whole: bounds add up
        bound = sum(o["bound"] for o in outs)
        options["bound_source"] = "sum of county bounds"
    else:
        bound = lp_bound(inst)
        options["bound_source"] = "LP relaxation of the whole program"
    if inst.objective == "max_coverage":
        bound = max(bound, value)
    else:
        bound = min(bound, value)
    if all(s == "optimal" for s in statuses):
        status = SolveStatus.OPTIMAL if exact else SolveStatus.FEASIBLE
    elif "time_limit" in statuses:
        status = SolveStatus.TIME_LIMIT
    else:
        status = SolveStatus.FEASIBLE
    return Result(status=status, backend=opts.get("backend", "highs"), objective=value,
                  bound=bound, gap=relative_gap(value, bound),
                  seconds=time.perf_counter() - t0, start=start,
                  on_time=on_time(inst, start), options=options)
