"""Each county solved once more with the pooled money cut by the plan itself (issue 18,
item 5).

After the merged counties (models.group_split) the plan is one of the whole program, but
the merged levels keep the batches' counts by LP dives: what the dives lose in value
no county solve has sought back.  Here the pooled money is cut again into county
slices, this time by what the plan itself spends: each county's slice of a pooled pool
in year t is the money of year t that pays the county's works in the plan (its works'
pooled money per year from the plan's funding, models.funding.allocate; the money of
earlier years a carry-over brings in counted to the year it came from, oldest first),
and the money the plan leaves unspent is handed out by the counties' pooled need (as
models.pooled_split.share_out does); a deadline with a share across counties becomes a
quota of each county: the villages it meets in the plan, less its part of the villages
the plan meets beyond the deadline's requirement.  So the plan keeps every rule of each
county's program (a restriction of the whole: the slices add up to each pool's money,
the quotas to at least each deadline's requirement), and each county is solved from
its part of the plan (models.county_solve.solve_part: every batch's count kept as a floor
stage by stage, then the value), its new plan taken where it is better under the
run's rule.  A county's counts and value only rise, and so do the whole's: a sum of
changes each better under the exit priority (the first batch that differs gains) is
better too.
"""

from __future__ import annotations

import time

import numpy as np

from .county_parts import Part
from .eligibility import work_county
from .evaluate import priority_rank
from .instance import DeadlineSpec, Instance
from .ledger import reach, split_whole
from .pooled_split import pooled_need, share_out
from .relaxed import kept_deadlines, met_by_county, shared_deadlines


def pooled_spend(inst: Instance, start: np.ndarray) -> np.ndarray:
    """(B, C, Y) whole units of each pool the works of county c spend in year t in the
    plan's funding (models.funding.allocate)."""
    from .funding import allocate

    rows, _ = allocate(inst, start)
    out = np.zeros((inst.n_pools, len(inst.county_names), inst.n_years), dtype=np.int64)
    if len(rows):
        county = work_county(inst)[rows[:, 0]]
        np.add.at(out, (rows[:, 1], county, rows[:, 2]), rows[:, 3])
    return out


def plan_slices(inst: Instance, start: np.ndarray) -> np.ndarray:
    """(B, C, Y) whole units: county c's slice of pooled pool b's money of year t, what
    pays for the county's works in the plan (a year's spending paid from the oldest
    money that reaches it, models.ledger.reach), the rest of the year's money by the
    counties' pooled need; every year's slices add up to the pool's money.  Rows of
    pools not pooled are zero."""
    spend = pooled_spend(inst, start)
    need = pooled_need(inst)
    oldest = reach(inst)
    out = np.zeros_like(spend)
    for b in np.flatnonzero(inst.pool_county < 0):
        left = inst.pool_budget_units[b].astype(np.int64).copy()  # of each year's money
        for t in range(inst.n_years):
            for c in np.flatnonzero(spend[b, :, t]):
                owed = int(spend[b, c, t])
                for o in range(int(oldest[b, t]), t + 1):
                    paid = min(owed, int(left[o]))
                    out[b, c, o] += paid
                    left[o] -= paid
                    owed -= paid
                if owed:
                    raise ValueError(f"the plan spends more of pool {inst.pool_stream[b]} "
                                     f"in year {inst.years[t]} than it holds")
        w = need[b] / need[b].sum() if need[b].sum() > 0 else np.full(len(need[b]),
                                                                         1 / len(need[b]))
        out[b] += split_whole(left, np.repeat(w[None, :], inst.n_years, axis=0)).T
    return out


def quotas(inst: Instance, start: np.ndarray) -> list[tuple[DeadlineSpec, np.ndarray]]:
    """(deadline, each county's quota) for each deadline with a share across counties:
    the villages of the county's scope the plan meets, less its part (by those
    villages) of what the plan meets beyond the requirement; the quotas add up to the
    requirement, or to what the plan meets when that is less."""
    every = np.unique(inst.village_county)
    close = inst.close_year(start)
    out = []
    for k in shared_deadlines(inst):
        d = inst.deadlines[k]
        _, met = met_by_county(inst, d, close, every)
        spare = max(0, int(met.sum()) - d.required())
        cut = split_whole(np.array([spare]), (met / max(1, met.sum()))[None, :])[0]
        quota = np.zeros(len(inst.county_names), dtype=np.int64)
        quota[every] = met - cut
        out.append((d, quota))
    return out


def group_quotas(inst: Instance, shares: list, counties: np.ndarray
                 ) -> tuple[DeadlineSpec, ...]:
    """The deadlines of the program of `counties` (`shares`: `quotas`): each on their
    villages of its scope, requiring their quotas added up."""
    out = []
    for d, quota in shares:
        scope = d.villages[np.isin(inst.village_county[d.villages], counties)]
        if len(scope):  # share q / n: DeadlineSpec.required() is q
            out.append(DeadlineSpec(d.label, d.target, d.year, scope,
                                    int(quota[counties].sum()) / len(scope), d.soft))
    return tuple(out)


def polish_parts(inst: Instance, start: np.ndarray, groups: list[np.ndarray] | None = None
                 ) -> list[Part]:
    """The program of every group of counties (default: every county alone) with their
    slices of the pooled money (`plan_slices`, a group's added up: models.group_split.
    group_part) and their quotas of the shared deadlines (`quotas`): the plan's part
    keeps its rules."""
    from .group_split import group_part

    work = share_out(inst, plan_slices(inst, start).astype(float))
    if groups is None:
        groups = [np.array([c]) for c in np.unique(inst.village_county)]
    exact, markers = kept_deadlines(work)
    shares = quotas(inst, start)
    parts = []
    for counties in groups:
        counties = np.asarray(counties, dtype=np.int64)
        part = group_part(work, counties, deadlines=exact + group_quotas(inst, shares,
                                                                         counties))
        part.instance = part.instance.replace(deadlines=part.instance.deadlines + markers)
        parts.append(part)
    return parts


def polish(inst: Instance, start: np.ndarray, mapper, workers: int, budget, opts: dict,
           keep: float = 0.0, groups: list[np.ndarray] | None = None
           ) -> tuple[np.ndarray, dict]:
    """(the plan with every county solved again from its part, what it did); `keep`:
    seconds of the run's budget kept for after."""
    from .county_solve import solve_parts

    t0 = time.perf_counter()
    parts = polish_parts(inst, start, groups)
    hints = [start[p.projects] for p in parts]
    outs = solve_parts(parts, mapper, budget, workers, keep, opts, hints=hints)
    new = start.copy()
    taken = []
    for p, hint, out in zip(parts, hints, outs):
        if out["start"] is not None and priority_rank(
                p.instance, out["start"]) > priority_rank(p.instance, hint):
            new[p.projects] = out["start"]
            taken.append(p.instance.meta.get("county"))
    if priority_rank(inst, new) < priority_rank(inst, start):  # (a soft quota's penalty)
        new, taken = start, []
    return new, {"counties": len(parts), "taken": len(taken),
                 "seconds": round(time.perf_counter() - t0, 3)}
