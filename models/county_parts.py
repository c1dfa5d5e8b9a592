"""A province's program cut into county programs (models.decompose solves them).

`county_part` is one county's program (or several counties' together: models.
group_split): its villages, gaps, works, the pools it may draw on, the deadlines on its
villages; `split_by_county` every county's, when `separable` says the cut loses no rule;
`merged_start` the whole plan from the counties' plans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .eligibility import work_county
from .instance import DeadlineSpec, Instance


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
    if inst.max_spread is not None:
        return "a fairness spread between counties couples them"
    if inst.revolving.any() or inst.levering.any():
        return "a revolving or levering fund (solved whole)"
    county_of_proj = work_county(inst)
    if len(inst.requires) and np.any(county_of_proj[inst.requires[:, 0]]
                                     != county_of_proj[inst.requires[:, 1]]):
        return "a project requires a project of another county"
    grouped = inst.proj_group >= 0
    if grouped.any():
        pairs = {(g, c) for g, c in zip(inst.proj_group[grouped], county_of_proj[grouped])}
        if len(pairs) != len({g for g, _ in pairs}):
            return "an alternative group spans counties"
    return None


def county_part(inst: Instance, county: int | np.ndarray, pool_mask: np.ndarray | None = None,
                deadlines: tuple[DeadlineSpec, ...] | None = None) -> Part:
    """County `county`'s own program: its villages, gaps and works, the pools of
    `pool_mask` (default: the county's own; a pooled pool taken here becomes the
    county's, with its whole budget) and `deadlines` (default: the instance's)
    restricted to its villages.  `county` an array: those counties' together (each pool
    keeping its county; models.group_split), Part.county the first."""
    many = np.ndim(county) > 0
    vmask = (np.isin(inst.village_county, county) if many
             else inst.village_county == county)
    vnew = np.cumsum(vmask) - 1
    gmask = vmask[inst.gap_village]
    gnew = np.cumsum(gmask) - 1
    pmask = gmask[inst.proj_gap]
    pidx = np.flatnonzero(pmask)
    pnew = np.cumsum(pmask) - 1
    bmask = (np.isin(inst.pool_county, county) if many else inst.pool_county == county) \
        if pool_mask is None else pool_mask
    req = inst.requires[pmask[inst.requires[:, 0]]] if len(inst.requires) else inst.requires
    groups = inst.proj_group[pmask]
    uniq, inv = np.unique(groups[groups >= 0], return_inverse=True)
    new_groups = np.full(len(groups), -1)
    new_groups[groups >= 0] = inv
    given = inst.deadlines if deadlines is None else deadlines
    deadlines, exact = [], True
    for d in given:
        scope = d.villages[vmask[d.villages]]
        if len(scope) == 0:
            continue
        if d.share < 1 and len(scope) < len(d.villages):
            exact = False
        deadlines.append(DeadlineSpec(d.label, d.target, d.year, vnew[scope], d.share, d.soft))
    pools = inst.take_pools(np.flatnonzero(bmask), rows=pidx)  # the county's rows only
    if not many:
        pools["pool_county"] = np.full(len(pools["pool_county"]), county)
    sub = inst.replace(
        village_ids=tuple(v for v, m in zip(inst.village_ids, vmask) if m),
        village_county=inst.village_county[vmask], village_due=inst.village_due[vmask],
        village_deep=inst.village_deep[vmask],
        gap_village=vnew[inst.gap_village[gmask]], gap_target=inst.gap_target[gmask],
        gap_weight=inst.gap_weight[gmask], gap_exit=inst.gap_exit[gmask],
        gap_quantity=None if inst.gap_quantity is None else inst.gap_quantity[gmask],
        proj_contrib=None if inst.proj_contrib is None else inst.proj_contrib[pmask],
        project_ids=tuple(inst.project_ids[i] for i in pidx),
        proj_gap=gnew[inst.proj_gap[pmask]], proj_duration=inst.proj_duration[pmask],
        proj_cost_units=inst.proj_cost_units[pmask],
        proj_pooled_units=inst.proj_pooled_units[pmask],
        proj_earliest=inst.proj_earliest[pmask], proj_latest=inst.proj_latest[pmask],
        proj_group=new_groups,
        requires=np.column_stack([pnew[req[:, 0]], pnew[req[:, 1]]]) if len(req) else req,
        lock_in=inst.lock_in[pmask], lock_out=inst.lock_out[pmask],
        deadlines=tuple(deadlines),
        batches=tuple(vnew[b[vmask[b]]] for b in inst.batches), batch_floor=(),
        meta={**inst.meta, "county": "+".join(inst.county_names[c] for c in county)
              if many else inst.county_names[county]},
        **pools,
    )
    return Part(int(county[0]) if many else county, sub, pidx, exact)


def split_by_county(inst: Instance) -> list[Part]:
    why = separable(inst)
    if why:
        raise ValueError(f"cannot solve county by county: {why}")
    return [county_part(inst, c) for c in np.unique(inst.village_county)]


def merged_start(inst: Instance, parts: list[Part], outs: list[dict]) -> np.ndarray:
    """The whole's start years from the county outcomes (each with a plan)."""
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    for part, out in zip(parts, outs):
        start[part.projects] = out["start"]
    return start
