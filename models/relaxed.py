"""Counties solved with the shared deadlines dropped: exact when their plans meet them.

A deadline with a share below 1 whose scope spans counties ("broadband in 90 % of the
province's villages by 2019") is the only rule that keeps a program without pooled
money from splitting exactly by county (models.decompose).  Met county by county (each
county 90 % of its own villages) it is a restriction, and the merged plan is compared
with a bound of the whole that the split cannot give (models.county_bound).

Dropping those deadlines instead gives each county a relaxation of its part of the
whole: every rule left is the whole's on the county's villages, works and own pools.
**When the merged plan of the relaxed counties meets every dropped deadline
province-wide, it is a plan of the whole, and an optimal one:**

* (value) the whole's objective of a plan is at most the sum of the relaxed counties'
  objectives of its parts (equal when the dropped deadlines are met: a soft one then
  costs no penalty), so the sum of the relaxed county bounds bounds every plan of the
  whole, and the merged plan's value is the sum of the county values;
* (exit priority) the villages of a batch on time add up over counties, and each
  relaxed county's stage i maximises its count of batch i keeping its earlier counts
  at their maxima: no plan of the whole has more of batch 1 on time than the sum of
  the relaxed county bounds of stage 1; a plan with exactly that many has every county
  at its own maximum (none can be above), so stage 2 bounds add up in the same way,
  and so on.  The county stages' bounds add up to bounds of the whole's stages, proven
  where every county's is -- as in an exact split.

**A plan that misses a dropped deadline by a few villages** is repaired by quotas
(`quota_parts`): the villages it lacks are shared out among the counties in proportion
to their villages that do not meet it yet, and only those counties are solved again,
each made to meet its own count so far plus its quota -- a restriction, so the merged
plan is a plan of the whole.  The relaxed counties' bounds stay bounds of the whole;
they prove its stages and bound its value where every county solved again keeps the
batch counts of its relaxed plan (then every county is at its relaxed maxima, the
argument above).  Otherwise nothing is claimed from the relaxed round; the split with
the deadlines met county by county follows (models.decompose.solve_by_county).
"""

from __future__ import annotations

import time

import numpy as np

from .county_parts import Part, county_part, merged_start
from .county_solve import solve_parts
from .evaluate import deadline_counts, deadline_met, priority_rank
from .instance import DeadlineSpec, Instance
from .ledger import split_whole

#: share of the run's time left the counties get without the shared deadlines first; when
#: their plan meets the deadlines the counties cut short get the rest (`_last_retry`),
#: else the split with the deadlines met county by county does.  Measured at 30 s on a
#: generated province of 4,000 villages in 30 counties (seed 5), whose relaxed plan
#: misses broadband by about 300 of 3,508 villages: 22 % from its bound with 85 % here,
#: 19 % with 60 %, 6.3 % with 35 %, 5.0 % before the relaxed round; on Shanxi at the
#: defaults, load 1-2: 0.03-0.06 % with 85 % or 60 %, 0.026 % with 35 % (two runs; two
#: side by side at load 3: 0.7 % and 1.4 %, against 0.03 % with 85 %)
RELAXED_SHARE = 0.35
#: ... and after it this share for the counties given quotas of a missed deadline
REPAIR_SHARE = 0.1
#: quotas only for a shortfall of at most this share of the villages required (or
#: REPAIR_VILLAGES): a few villages short, not far from the deadline
REPAIR_MAX_SHORT = 0.01
REPAIR_VILLAGES = 3
#: rounds of quotas at most: a county whose quota costs a village on time is left out
#: of the next round, its quota shared among the others
REPAIR_ROUNDS = 3
#: seconds left at least for the last retry of the counties cut short (`_last_retry`)
RETRY_ROOM = 2.0


def shared_deadlines(inst: Instance) -> list[int]:
    """Deadlines with a share below 1 whose scope spans several counties."""
    return [k for k, d in enumerate(inst.deadlines)
            if d.share < 1 and len(np.unique(inst.village_county[d.villages])) > 1]


def kept_deadlines(inst: Instance) -> tuple[tuple[DeadlineSpec, ...], tuple[DeadlineSpec, ...]]:
    """(the deadlines that split exactly by county, a marker of no village for each shared
    one): a county's relaxed program keeps the first, restricted to its villages, and
    the markers, which make no row and only keep presolve's signature (starts on either
    side of a dropped deadline's year stay apart)."""
    shared = set(shared_deadlines(inst))
    exact = tuple(d for k, d in enumerate(inst.deadlines) if k not in shared)
    markers = tuple(DeadlineSpec(d.label, d.target, d.year, np.zeros(0, dtype=np.int64),
                                 1.0, False)
                    for k, d in enumerate(inst.deadlines) if k in shared)
    return exact, markers


def relaxed_part(inst: Instance, county: int, pool_mask: np.ndarray | None = None,
                 quotas: tuple[DeadlineSpec, ...] = ()) -> Part:
    """County `county`'s program without the shared deadlines (models.county_parts.county_part
    otherwise: `pool_mask` the pools it may draw on; `quotas`: deadlines of the county's
    own villages kept too)."""
    exact, markers = kept_deadlines(inst)
    part = county_part(inst, county, pool_mask, deadlines=exact + quotas)
    part.instance = part.instance.replace(deadlines=part.instance.deadlines + markers)
    part.exact = True
    return part


def relaxed_parts(inst: Instance) -> list[Part]:
    return [relaxed_part(inst, int(c)) for c in np.unique(inst.village_county)]


def missed_shared(inst: Instance, start: np.ndarray) -> list[str]:
    """The shared deadlines the plan does not meet province-wide: 'label (met/required)'."""
    shared = set(shared_deadlines(inst))
    return [f"{d.label} ({met}/{need})" for k, (d, met, need)
            in enumerate(deadline_counts(inst, start)) if k in shared and met < need]


def quota_parts(inst: Instance, start: np.ndarray, exclude: set[int] = frozenset()
                ) -> dict[int, Part] | None:
    """{county: its relaxed program with its quota of every shared deadline `start`
    misses} (module docstring; no quota for the counties of `exclude`), or None when
    no share of them can be met (more villages lacking than villages left to meet it)."""
    counties = np.unique(inst.village_county)
    close = inst.close_year(start)
    quotas: dict[int, list[DeadlineSpec]] = {}
    for d, short in _shortfalls(inst, close):
        if short <= 0:
            continue
        scopes, met = met_by_county(inst, d, close, counties)
        room = np.array([0 if int(c) in exclude else len(v)
                         for c, v in zip(counties, scopes)]) - met
        room = np.maximum(room, 0)
        if short > room.sum():
            return None
        extra = split_whole(np.array([short]), (room / room.sum())[None, :])[0]
        for c, v, m, e in zip(counties, scopes, met, extra):
            if e > 0:  # share (m + e) / n: Instance.DeadlineSpec.required() is m + e
                quotas.setdefault(int(c), []).append(
                    DeadlineSpec(d.label, d.target, d.year, v, (m + e) / len(v), d.soft))
    return {c: relaxed_part(inst, c, quotas=tuple(q)) for c, q in quotas.items()}


def repairable(inst: Instance, start: np.ndarray) -> bool:
    """Whether every shared deadline `start` misses is short by at most REPAIR_MAX_SHORT
    of its villages required, or REPAIR_VILLAGES."""
    return all(short <= max(REPAIR_VILLAGES, REPAIR_MAX_SHORT * d.required())
               for d, short in _shortfalls(inst, inst.close_year(start)))


def _shortfalls(inst: Instance, close: np.ndarray) -> list[tuple[DeadlineSpec, int]]:
    """(deadline, villages it lacks) for each shared deadline, given each gap's close
    year (`Instance.close_year`); 0 or less where it is met."""
    return [(inst.deadlines[k], inst.deadlines[k].required()
             - deadline_met(inst, inst.deadlines[k], close)) for k in shared_deadlines(inst)]


def met_by_county(inst: Instance, d: DeadlineSpec, close: np.ndarray, counties):
    """(each county's villages of the deadline's scope, how many of them meet it)."""
    scopes = [d.villages[inst.village_county[d.villages] == c] for c in counties]
    met = np.array([deadline_met(inst, DeadlineSpec(d.label, d.target, d.year, v, 1.0,
                                                    d.soft), close) for v in scopes])
    return scopes, met


def relaxed_round(inst: Instance, mapper, budget, workers: int, opts: dict) -> dict:
    """The counties without the shared deadlines (module docstring), within RELAXED_SHARE
    of the time left, then REPAIR_SHARE for quotas when the merged plan is a few
    villages short (`repairable`): their parts, outcomes, the shared deadlines the
    merged plan misses (all of them when a county found no plan) and the counties
    solved again for their quotas."""
    began = time.perf_counter()
    parts = relaxed_parts(inst)
    timed = budget is not None and budget.limit is not None
    left = budget.left() if timed else 0.0
    keep_repair = (1 - RELAXED_SHARE - REPAIR_SHARE) * left  # left after the quotas
    keep = (1 - RELAXED_SHARE) * left  # ... after the first solves
    outs = solve_parts(parts, mapper, budget, workers, keep, opts)
    found = {"parts": parts, "outs": outs, "repaired": [], "refused": [],
             "missed": [inst.deadlines[k].label for k in shared_deadlines(inst)]}
    if any(o["start"] is None for o in outs):
        return {**found, "seconds": time.perf_counter() - began}
    start = merged_start(inst, parts, outs)
    found["missed"] = missed_shared(inst, start)
    if found["missed"] and not repairable(inst, start):
        # far from the deadlines: the split meeting them county by county gets the time
        return {**found, "seconds": time.perf_counter() - began}
    at = {int(p.county): i for i, p in enumerate(parts)}
    refused: set[int] = set()  # counties whose quota would cost a village on time
    fixed: dict[int, tuple[Part, dict]] = {}
    relaxed_start, first = start.copy(), {}  # the first round's quota plans, all
    for _ in range(REPAIR_ROUNDS):
        fixes = quota_parts(inst, start, exclude=refused) if found["missed"] else None
        if not fixes:
            break
        order = sorted(fixes)
        redo = solve_parts([fixes[c] for c in order], mapper, budget, workers,
                           keep_repair, opts)
        if not first:
            first = {c: (fixes[c], r) for c, r in zip(order, redo) if r["start"] is not None}
        for c, r in zip(order, redo):
            if r["start"] is not None and _counts(r) == _counts(outs[at[c]]):
                fixed[c] = (fixes[c], r)
                start[fixes[c].projects] = r["start"]
            else:
                refused.add(c)
        found["missed"] = missed_shared(inst, start)
    found["refused"] = [inst.county_names[c] for c in sorted(refused)]
    if fixed and not found["missed"]:
        for c, (part, r) in fixed.items():
            # its relaxed bounds stay (module docstring); its plan is not proven optimal
            # in the relaxation any more
            outs[at[c]] = _restricted(r, outs[at[c]]["bound"], outs[at[c]]["stages"])
            parts[at[c]] = part
        found["repaired"] = [inst.county_names[c] for c in sorted(fixed)]
    if timed and not found["missed"]:
        _last_retry(inst, parts, outs, start, set(fixed), mapper, budget, workers, opts)
    elif first and found["missed"]:
        # every quota of the first round taken, villages on time lost or not: a plan of
        # the whole when it meets the deadlines, nothing proven; the split meeting them
        # county by county may do worse (models.decompose takes the better, `better`)
        for part, r in first.values():
            relaxed_start[part.projects] = r["start"]
        if not missed_shared(inst, relaxed_start):
            alt_parts, alt_outs = list(parts), list(outs)
            for c, (part, r) in first.items():
                alt_parts[at[c]] = part
                alt_outs[at[c]] = _restricted(r, None, r["stages"])
            found["fallback"] = {"parts": alt_parts, "outs": alt_outs,
                                 "counties": [inst.county_names[c] for c in sorted(first)]}
    return {**found, "seconds": time.perf_counter() - began}


def _counts(out: dict) -> list[int]:
    """A county outcome's villages on time per batch."""
    return [s["on_time"] for s in out["stages"] or []]


def _restricted(out: dict, bound, stages) -> dict:
    """The outcome of a county solved in a restriction of its relaxed program (a quota
    kept): with the bound and stage records given (its relaxed solve's, which stay
    valid for the whole, or None), and not proven optimal (only the restriction is)."""
    return {**out, "bound": bound, "stages": stages,
            "status": "feasible" if out["status"] == "optimal" else out["status"]}


def _last_retry(inst, parts, outs, start, repaired, mapper, budget, workers, opts):
    """The plan meets the shared deadlines: the time kept for quotas and for the split
    county by county is not needed, so the counties still cut short are solved again,
    from their plans, in all that is left (a county given a quota in its quota's
    program).  A county's new plan is taken where it is no worse, batch by batch then
    by value, and the merged plan still meets the shared deadlines with it; else the
    county keeps its earlier plan (the bound of a solve reaching higher counts is no
    bound of the lower ones).  A county without a quota takes the new solve's bound
    (of its relaxed program); one with a quota keeps its relaxed bounds and takes a new
    plan only at the same counts (module docstring)."""
    again = [i for i, o in enumerate(outs) if o["status"] == "time_limit"]
    if not again or budget.left() < RETRY_ROOM:
        return
    redo = solve_parts([parts[i] for i in again], mapper, budget, workers, 0.0, opts,
                       hints=[outs[i]["start"] for i in again])
    for i, r in zip(again, redo):
        quota = int(parts[i].county) in repaired
        sub = parts[i].instance
        if r["start"] is None or priority_rank(sub, r["start"]) < priority_rank(
                sub, outs[i]["start"]) or (quota and _counts(r) != _counts(outs[i])):
            continue
        old = start[parts[i].projects].copy()
        start[parts[i].projects] = r["start"]
        if missed_shared(inst, start):
            start[parts[i].projects] = old
        elif quota:
            outs[i] = _restricted(r, outs[i]["bound"], outs[i]["stages"])
        else:
            outs[i] = r


def better(inst: Instance, alt: dict, parts: list[Part], outs: list[dict]) -> bool:
    """Whether the first round's quotas taken (`alt`, relaxed_round's "fallback") give a
    better plan than the split's (`parts`, `outs`): more villages on time batch by
    batch in the order served, then more value (less money, under min_cost)."""
    if any(o["start"] is None for o in outs):
        return True
    a, b = merged_start(inst, alt["parts"], alt["outs"]), merged_start(inst, parts, outs)
    return priority_rank(inst, a) > priority_rank(inst, b)


def kept_plans(parts: list[Part], relaxed: dict | None) -> dict[int, dict]:
    """{part: the relaxed round's outcome} for the counties whose relaxed plan meets every
    rule and deadline of their part (`parts`, the split with the shared deadlines met
    county by county): optimal in the relaxation, it is optimal in the part, a
    restriction of it, and its bounds hold there too; nothing to solve again."""
    if relaxed is None:
        return {}
    from .greedy import hard_violations

    kept = {}
    for i, (part, out) in enumerate(zip(parts, relaxed["outs"])):
        plan = out["start"]
        if plan is None or hard_violations(part.instance, plan):
            continue
        if all(met >= need for _, met, need in deadline_counts(part.instance, plan)):
            kept[i] = out
    return kept
