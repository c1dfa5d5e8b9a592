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


class CountyIndex:
    """Every county's villages, gaps and works, and each deadline's and batch's villages
    per county, found once (`split_by_county`): a county's part then costs its own size,
    not the whole's (the nation's 832 parts took 17.8 s through masks of the whole)."""

    def __init__(self, inst: Instance):
        gap_county = inst.village_county[inst.gap_village]
        self.proj_county = gap_county[inst.proj_gap]
        self.villages, self.village_pos = _groups(inst.village_county)
        self.gaps, self.gap_pos = _groups(gap_county)
        self.works, self.work_pos = _groups(self.proj_county)
        self.scopes = [_groups(inst.village_county[d.villages], d.villages)[0]
                       for d in inst.deadlines]
        self.batches = [_groups(inst.village_county[b], b)[0] for b in inst.batches]


def _groups(keys: np.ndarray, values: np.ndarray | None = None):
    """({key: the values (default: the indices) with that key, in their order}, each
    item's position among those of its key)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    cut = np.flatnonzero(np.diff(ordered)) + 1
    starts, ends = np.r_[0, cut], np.r_[cut, len(ordered)]
    vals = order if values is None else values[order]
    pos = np.empty(len(keys), dtype=np.int64)
    pos[order] = np.arange(len(keys)) - np.repeat(starts, ends - starts)
    groups = {int(ordered[a]): vals[a:b] for a, b in zip(starts, ends)} if len(keys) else {}
    return groups, pos


def county_part(inst: Instance, county: int | np.ndarray, pool_mask: np.ndarray | None = None,
                deadlines: tuple[DeadlineSpec, ...] | None = None,
                index: CountyIndex | None = None) -> Part:
    """County `county`'s own program: its villages, gaps and works, the pools of
    `pool_mask` (default: the county's own; a pooled pool taken here becomes the
    county's, with its whole budget) and `deadlines` (default: the instance's)
    restricted to its villages.  `county` an array: those counties' together (each pool
    keeping its county; models.group_split), Part.county the first.  `index`: the
    instance's CountyIndex (one county, the instance's deadlines)."""
    many = np.ndim(county) > 0
    given = inst.deadlines if deadlines is None else deadlines
    none = np.zeros(0, dtype=np.int64)
    if index is not None:
        vidx = index.villages.get(county, none)
        gidx, pidx = index.gaps.get(county, none), index.works.get(county, none)
        vnew, gnew, pnew = index.village_pos, index.gap_pos, index.work_pos
        scopes = [s.get(county, none) for s in index.scopes]
        members = [b.get(county, none) for b in index.batches]
        req = (inst.requires[index.proj_county[inst.requires[:, 0]] == county]
               if len(inst.requires) else inst.requires)
    else:
        vmask = (np.isin(inst.village_county, county) if many
                 else inst.village_county == county)
        gmask = vmask[inst.gap_village]
        pmask = gmask[inst.proj_gap]
        vidx, gidx, pidx = np.flatnonzero(vmask), np.flatnonzero(gmask), np.flatnonzero(pmask)
        vnew, gnew, pnew = (np.cumsum(m) - 1 for m in (vmask, gmask, pmask))
        scopes = [d.villages[vmask[d.villages]] for d in given]
        members = [b[vmask[b]] for b in inst.batches]
        req = inst.requires[pmask[inst.requires[:, 0]]] if len(inst.requires) else inst.requires
    bmask = (np.isin(inst.pool_county, county) if many else inst.pool_county == county) \
        if pool_mask is None else pool_mask
    groups = inst.proj_group[pidx]
    uniq, inv = np.unique(groups[groups >= 0], return_inverse=True)
    new_groups = np.full(len(groups), -1)
    new_groups[groups >= 0] = inv
    deadlines, exact = [], True
    for d, scope in zip(given, scopes):
        if len(scope) == 0:
            continue
        if d.share < 1 and len(scope) < len(d.villages):
            exact = False
        deadlines.append(DeadlineSpec(d.label, d.target, d.year, vnew[scope], d.share, d.soft))
    pools = inst.take_pools(np.flatnonzero(bmask), rows=pidx)  # the county's rows only
    if not many:
        pools["pool_county"] = np.full(len(pools["pool_county"]), county)
    sub = inst.replace(
        village_ids=tuple(inst.village_ids[v] for v in vidx),
        village_county=inst.village_county[vidx], village_due=inst.village_due[vidx],
        village_deep=inst.village_deep[vidx],
        gap_village=vnew[inst.gap_village[gidx]], gap_target=inst.gap_target[gidx],
        gap_weight=inst.gap_weight[gidx], gap_exit=inst.gap_exit[gidx],
        gap_quantity=None if inst.gap_quantity is None else inst.gap_quantity[gidx],
        proj_contrib=None if inst.proj_contrib is None else inst.proj_contrib[pidx],
        project_ids=tuple(inst.project_ids[i] for i in pidx),
        proj_gap=gnew[inst.proj_gap[pidx]], proj_duration=inst.proj_duration[pidx],
        proj_cost_units=inst.proj_cost_units[pidx],
        proj_pooled_units=inst.proj_pooled_units[pidx],
        proj_earliest=inst.proj_earliest[pidx], proj_latest=inst.proj_latest[pidx],
        proj_group=new_groups,
        requires=np.column_stack([pnew[req[:, 0]], pnew[req[:, 1]]]) if len(req) else req,
        lock_in=inst.lock_in[pidx], lock_out=inst.lock_out[pidx],
        deadlines=tuple(deadlines),
        batches=tuple(vnew[b] for b in members), batch_floor=(),
        meta={**inst.meta, "county": "+".join(inst.county_names[c] for c in county)
              if many else inst.county_names[county]},
        **pools,
    )
    return Part(int(county[0]) if many else county, sub, pidx, exact)


def split_by_county(inst: Instance) -> list[Part]:
    why = separable(inst)
    if why:
        raise ValueError(f"cannot solve county by county: {why}")
    index = CountyIndex(inst)
    return [county_part(inst, int(c), index=index) for c in np.unique(inst.village_county)]


def merged_start(inst: Instance, parts: list[Part], outs: list[dict]) -> np.ndarray:
    """The whole's start years from the county outcomes (each with a plan)."""
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    for part, out in zip(parts, outs):
        start[part.projects] = out["start"]
    return start
