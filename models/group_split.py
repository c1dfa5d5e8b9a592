"""Counties merged in pairs, their slices of the pooled money with them (issue 18, item 5).

Cut into county slices (models.pooled_split.share_out), the pooled money of a province
loses what the whole program does with fractions: a county whose slice pays for 10.6
villages of a batch serves 10, another with 7.6 serves 7, and the 1.2 left over
would have been one more village of the whole.  Here the counties are merged pairwise,
level by level, like the rounds of a knockout: at level 1 each pair of counties that
draws on the same pooled pools is one program (`group_part`: both counties' villages,
works and own pools, and each pooled pool's two slices as one pool holding both), solved
as a county is (models.county_solve.solve_part) from the two plans it holds -- under the
exit priority by its stages' LP dives only (`regroup`); at level 2 the pairs of pairs,
and so on, while the run's time lasts.  The last level, when reached, is the whole
program of each province.  The dives keep the counts and lose value (on the seams
benchmark 13,042.5 after the county round, 12,816.0 after the last level, where a
full solve of the whole program in the 25 s left found nothing better), so under the
exit priority the plan is then solved in full in groups of a few counties, and then
county by county, the pooled money cut again by the plan's own spending
(models.county_polish): the groups move money between their counties, the counties
seek their value again.

A merged program is a plan of the whole when its plan is: its pooled money is the sum of
its slices, each no more than the pool's, and a deadline with a share, met by each part
on its own villages, is met over the merged villages (the parts' sums of the rounded-up
requirements are at least the merged one's); a group's new plan is taken only when it
is better under the exit priority (more of the first batch on time, then the next, ...,
then more value) than the plans it replaces, which are a plan of the merged program
(the money of the slices added up), so no level ends below the one before and the batch
counts only rise: the bound computed with the counts the counties reached as floors
(models.county_bound) stays a bound of the plan.
"""

from __future__ import annotations

import time

import numpy as np

from .county_parts import county_part
from .eligibility import work_county
from .evaluate import priority_rank
from .instance import Instance
from .pooled_split import LEX_SPLIT_MAX

#: seconds a level needs at least per group a worker solves (a merged program is a few
#: counties' works: under this the level is not started)
LEVEL_ROOM = 1.0
#: works a merged program may hold at most (two groups above it stay apart): the size
#: of program the whole-program LP split handles (models.pooled_split.LEX_SPLIT_MAX)
GROUP_MAX_WORKS = LEX_SPLIT_MAX


def group_part(work: Instance, counties: np.ndarray, deadlines=None):
    """The program of `counties` together (models.county_parts.Part, county: the first):
    their villages, works and own pools, every pooled pool's slices of theirs merged
    into one pool (`work.meta["slice_of"]`, models.pooled_split.share_out) with the sum
    of their money, pooled again among them (pool_county -1); `deadlines`: those of the
    program (default: the instance's, restricted to their villages)."""
    counties = np.asarray(counties, dtype=np.int64)
    taken = np.isin(work.pool_county, counties)
    part = county_part(work, counties, pool_mask=taken, deadlines=deadlines)
    sub = part.instance
    slice_of = np.asarray(work.meta["slice_of"])[np.flatnonzero(taken)]
    budget = sub.pool_budget_units.copy()
    eligible = sub.class_pools.copy()
    county = sub.pool_county.copy()
    keep = []
    first: dict[int, int] = {}
    for j, b in enumerate(slice_of):
        if b < 0:
            keep.append(j)
            continue
        if b not in first:
            first[b] = j
            keep.append(j)
            county[j] = -1
            continue
        k = first[b]
        budget[k] += budget[j]
        eligible[:, k] |= eligible[:, j]
    merged = sub.replace(pool_budget_units=budget, class_pools=eligible, pool_county=county)
    pools = merged.take_pools(np.asarray(keep, dtype=np.int64))
    part.instance = merged.replace(**pools, meta={**sub.meta, "slice_of": slice_of[keep]})
    return part


def pairs(work: Instance, groups: list[np.ndarray]) -> list[list[int]]:
    """The groups paired for the next level: groups drawing on the same pooled pools
    (a province's counties), in order, two by two, unless the two hold more than
    GROUP_MAX_WORKS works; a group left alone stays as it is."""
    slice_of = np.asarray(work.meta["slice_of"])
    works = np.bincount(work_county(work), minlength=len(work.county_names))
    size = [int(works[c].sum()) for c in groups]
    key = {}
    for g, counties in enumerate(groups):
        drawn = tuple(sorted(set(slice_of[np.isin(work.pool_county, counties)
                                          & (slice_of >= 0)].tolist())))
        key.setdefault(drawn, []).append(g)
    out = []
    for drawn, members in key.items():
        if not drawn:  # no pooled money: nothing to merge for
            out.extend([g] for g in members)
            continue
        for i in range(0, len(members), 2):
            two = members[i:i + 2]
            if len(two) == 2 and size[two[0]] + size[two[1]] > GROUP_MAX_WORKS:
                out.extend([g] for g in two)
            else:
                out.append(two)
    return out


def regroup(work: Instance, parts: list, start: np.ndarray, mapper, workers: int,
            budget, opts: dict, keep: float = 0.0, *, whole: Instance
            ) -> tuple[np.ndarray, dict]:
    """(the whole's start years after the levels of merged counties, what they did).
    `parts`: the county parts of `work` (the cut instance), `start`: the whole plan (one
    start year per work of `work`), `keep`: seconds of the budget left after the levels
    (for the bound at the counts they reach), `whole`: the program before the cut; the
    levels go on until each province is one program (or GROUP_MAX_WORKS) or the time is
    out.  Under the exit priority each level's programs take their stages' LP dives only
    (`dives_only`: a merged pair's gain is a batch's fraction made whole, which the dive
    finds; the searches of the last stages and of the value took 26 of a pair's 30 s for
    nothing more), POLISH_SHARE of the time kept from them for the full solves after
    (`_polish`)."""
    t0 = time.perf_counter()
    groups = [np.array([p.county]) for p in parts]
    start = start.copy()
    done = []
    quick = bool(work.batches) and work.objective == "max_coverage"
    after = keep
    if quick and budget is not None and budget.limit is not None:
        after += POLISH_SHARE * max(0.0, budget.left() - keep)
    while True:
        paired = pairs(work, groups)
        merging = [m for m in paired if len(m) == 2]
        if not merging or not _room(budget, after, len(merging), workers):
            break
        merged = [np.concatenate([groups[g] for g in m]) for m in merging]
        taken = _solve_groups(work, merged, start, mapper, workers, budget, after,
                              {**opts, "dives_only": quick})
        done.append({"groups": len(merging), "counties_per_group":
                     int(max(len(c) for c in merged)), "taken": taken,
                     "search": "LP dives" if quick else "full"})
        groups = [np.concatenate([groups[g] for g in m]) for m in paired]
    reached = max(len(c) for c in groups) if groups else 1
    if quick:
        start = _polish(whole, work, start, reached, mapper, workers,
                        budget, keep, opts, done)
    return start, {"levels": done, "seconds": round(time.perf_counter() - t0, 3)}


#: share of the time left after the county round kept from the levels of dives for the
#: full solves after them (`_polish`)
POLISH_SHARE = 0.4
#: the full solves after the levels, in order: (counties per program at most, 1: each
#: county alone; its weight in the time left for them).  On benchmarks/seams.py, from
#: the last level's plan (735 of the 2019 batch, 466 of the 2020 one, value 12,813.5):
#: programs of 4 counties 467 and 12,826.5 in 15 s, the counties 12,828.0 in 5 s;
#: programs of 7 counties after them once reached 468 (12,804.5, 16 s) but programs of
#: 8 in the benchmark's 120 s took nothing in two runs (their value solves cut short),
#: and programs of 7 counties first lost 2.7 % of the value; the whole province from
#: 467 found nothing in 27 s
POLISH_ROUNDS = ((4, 3.0), (1, 1.0), (4, 2.0), (1, 1.0))
#: seconds the counties alone need at least each (their value from the plan's part:
#: 4-6 s for the 14 counties of benchmarks/seams.py)
COUNTY_ROOM = 0.3


def polish_groups(work: Instance, most: int) -> list[np.ndarray]:
    """The groups of at most `most` counties the levels pair (`pairs`), counties drawing
    on no pooled money alone; `most` 1: every county alone."""
    groups = [np.array([c]) for c in np.unique(work.village_county)]
    while most > 1:
        paired = [np.concatenate([groups[g] for g in m]) for m in pairs(work, groups)]
        if len(paired) == len(groups) or max(len(c) for c in paired) > most:
            break
        groups = paired
    return groups


def _polish(whole: Instance, work: Instance, start: np.ndarray, reached: int, mapper,
            workers: int, budget, keep: float, opts: dict, done: list) -> np.ndarray:
    """After the levels of dives (groups of `reached` counties at most), the plan solved
    in full (models.county_polish, the pooled money cut again by the plan's own
    spending) in the rounds of POLISH_ROUNDS while the time lasts: programs of a few
    counties (their stages' search moves money and villages between them, then their
    value), the counties alone (their value sought again in the money the groups left
    them).  A round whose programs are the round's before is left out.  Records each
    in `done`."""
    from .county_polish import polish

    rounds = []
    for most, weight in POLISH_ROUNDS:
        groups = polish_groups(work, min(most, reached))
        same = rounds and [c.tolist() for c in rounds[-1][0]] == [c.tolist() for c in groups]
        if groups and not same:
            rounds.append((groups, weight))
    for i, (groups, weight) in enumerate(rounds):
        need = COUNTY_ROOM if max(len(c) for c in groups) == 1 else LEVEL_ROOM
        if not _room(budget, keep, len(groups), workers, need):
            break
        later = keep
        if budget is not None and budget.limit is not None:
            rest = sum(w for _, w in rounds[i + 1:])
            later += rest / (rest + weight) * max(0.0, budget.left() - keep)
        start, info = polish(whole, start, mapper, workers, budget, opts, keep=later,
                             groups=groups)
        done.append({"groups": len(groups), "counties_per_group":
                     int(max(len(c) for c in groups)), "taken": info["taken"],
                     "search": "full, money by the plan"})
    return start


def _room(budget, keep: float, groups: int, workers: int, need: float = LEVEL_ROOM
          ) -> bool:
    """Whether the time left (less `keep`) holds `need` seconds for each group a worker
    solves."""
    return budget is None or budget.limit is None or (
        budget.left() - keep >= need * max(1, groups / max(1, workers)))


def _solve_groups(work: Instance, merged: list[np.ndarray], start: np.ndarray, mapper,
                  workers: int, budget, keep: float, opts: dict) -> int:
    """Each group of counties solved as one program from the plans it holds, its plan
    taken into `start` (in place) where better under the run's rule: how many were."""
    from .county_solve import solve_parts

    gparts = [group_part(work, c) for c in merged]
    hints = [start[gp.projects] for gp in gparts]
    outs = solve_parts(gparts, mapper, budget, workers, keep, opts, hints=hints)
    taken = 0
    for gp, hint, out in zip(gparts, hints, outs):
        if out["start"] is not None and priority_rank(
                gp.instance, out["start"]) > priority_rank(gp.instance, hint):
            start[gp.projects] = out["start"]
            taken += 1
    return taken
