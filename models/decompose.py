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

import numpy as np

from .county_parts import merged_start, split_by_county
from .county_solve import rescue_parts, solve_in_rounds
from .instance import Instance
from .pooled_split import LEX_SPLIT_MAX, lexicographic_use, price_directed_shares, share_out
from .priority import lp_proven, merged_stages, record_stages
from .result import Result, SolveStatus, relative_gap

#: share of the counties' time kept for their second solve when the exit batches' counts
#: are split between them by price (models.floor_split)
FLOOR_SPLIT_SHARE = 0.15
#: ... when the counties have at least this many seconds each (a worker's time shared)
FLOOR_SPLIT_ROOM = 2.0
#: share of the counties' time kept for the merged counties after them when the counties
#: take their stages' dives only (solve_by_county)
MERGED_SHARE = 0.7


#: share of the run's time left the lexicographic LP directing the pooled split may take
LEX_SPLIT_SHARE = 0.25
#: share of the run's time left the Lagrangian's first phase may take beside the counties
#: when there is no pooled money (models.county_bound.SplitBound.beside)
BESIDE_SHARE = 0.5


def solve_by_county(inst: Instance, mapper=map, budget=None, workers: int = 1,
                    **opts) -> Result:
    """Split, solve every county (through `mapper`, `workers` at a time), merge into one
    Result; `budget` (models.budget.TimeBudget) is the run's one time limit."""
    from .county_bound import SplitBound, everything_bound, lp_bounds
    from .relaxed import better, kept_plans, relaxed_round
    from .solve import batch_counts, on_time, plan_value

    t0 = time.perf_counter()
    work = inst
    pooled = bool(np.any(inst.pool_counties_pooled()))
    exact_split = not pooled and all(p.exact for p in split_by_county(inst))
    bounder = None
    resplitting = (not exact_split and bool(inst.batches)
                   and inst.objective == "max_coverage")
    relaxed = None
    lex_bounds = None  # the batches' bounds of the lexicographic LP, when solved
    if not exact_split and not pooled:
        # the shared deadlines dropped first: exact when the merged plan meets them
        # (models.relaxed); else their counties' plans that keep every rule of the split
        # with the deadlines met county by county are kept for it
        relaxed = relaxed_round(inst, mapper, budget, workers, opts)
        if not relaxed["missed"]:
            exact_split, resplitting = True, False
    if exact_split and relaxed is not None:
        parts, outs = relaxed["parts"], relaxed["outs"]
    else:
        if not exact_split:
            # A valid bound of the whole, and (with shared pools) the money each county
            # would spend in it, which directs the split of the shared money
            # (models.county_bound: the whole LP on a small program, else the Lagrangian
            # dual of the coupling rows, its county LPs through `mapper`).  Solved first,
            # within a share of the run's time, so that the counties get what is left.
            bounder = SplitBound(inst, mapper, workers, opts.get("threads"))
            share = bounder.first_share(pooled)
            use = (bounder.first(budget.share(share) if budget else None)
                   if bounder.wants_first(pooled) and bounder.first_pays(
                       budget.left() if budget else None) else None)
            if not bounder.wants_first(pooled):  # beside the counties (county_bound)
                bounder.beside(budget.share(BESIDE_SHARE) if budget else None)
            if pooled:
                if resplitting and inst.n_projects <= LEX_SPLIT_MAX:
                    # under the exit priority the split follows the batches first
                    lex = lexicographic_use(inst, opts.get("threads"),
                                            budget.share(LEX_SPLIT_SHARE) if budget
                                            else None)
                    if lex is not None:
                        use, lex_bounds = lex
                work = share_out(inst, None if use is None
                                 else price_directed_shares(inst, use))
        parts = split_by_county(work)
        # under the exit priority, the pooled money cut by the lexicographic LP (a program
        # the merged counties take to its top, models.group_split): the counties by their
        # stages' LP dives only, a share of the time (their plans are the levels' start;
        # the levels and the full solves after them replace them: on benchmarks/seams.py
        # the counties in full took 30 s of the 120 and the levels changed every plan)
        quick = resplitting and "slice_of" in work.meta and lex_bounds is not None
        keep = 0.0
        if budget is not None and budget.limit is not None:
            # the time kept for the bound after the counties, and for their second solve
            # when the batches' counts are split by price (or the counties merged)
            keep = bounder.reserve(budget.left()) if bounder is not None else 0.0
            room = (budget.left() - keep) * workers / max(1, len(parts))
            if quick:
                keep += MERGED_SHARE * (budget.left() - keep)
            elif resplitting and room >= FLOOR_SPLIT_ROOM:
                keep += FLOOR_SPLIT_SHARE * (budget.left() - keep)
        kept = kept_plans(parts, relaxed)
        todo = [i for i in range(len(parts)) if i not in kept]
        solved = solve_in_rounds([parts[i] for i in todo], mapper, budget, workers, keep,
                                 {**opts, "dives_only": True} if quick else opts)
        outs = [kept.get(i) for i in range(len(parts))]
        for i, out in zip(todo, solved):
            outs[i] = out
        rescue_parts(parts, outs, mapper, budget, workers, opts)
        alt = relaxed.get("fallback") if relaxed is not None else None
        if alt is not None and better(inst, alt, parts, outs):
            # the quotas of the relaxed round beat the split meeting the shares county
            # by county; their counties' programs are kept, so no second solve by price
            parts, outs, resplitting = alt["parts"], alt["outs"], False
            relaxed["plan"] = "quotas of the first round, villages on time lost"
    statuses = [o["status"] for o in outs]
    failed = [o["county"] for o in outs if o["start"] is None]
    rescued = [o["county"] for o in outs if o.get("rescued")]
    options = {**opts, "decomposed": "by county", "parts": len(parts),
               "part_status": dict(zip([o["county"] for o in outs], statuses)),
               "plan_from": ("warm start in " + ", ".join(
                   str(o["county"]) for o in outs if o.get("plan_from") == "warm start"))
               if any(o.get("plan_from") == "warm start" for o in outs) else "solver"}
    if rescued:
        options["rescued_counties"] = rescued
    if failed:
        status = (SolveStatus.INFEASIBLE if "infeasible" in statuses else SolveStatus.TIME_LIMIT)
        options["failed_counties"] = failed
        return Result.no_solution(status, opts.get("backend", "highs"),
                                  time.perf_counter() - t0, options=options)
    start = merged_start(inst, parts, outs)
    if relaxed is not None:
        options["shared_deadlines"] = {
            "dropped_first": True, "missed": relaxed["missed"],
            "repaired_by_quota": relaxed["repaired"], "quota_refused": relaxed["refused"],
            "seconds": round(relaxed["seconds"], 3),
            "counties_kept": None if exact_split else len(parts) - len(todo),
            "plan": relaxed.get("plan", "relaxed" if exact_split
                                else "shares met county by county")}
    value = plan_value(inst, start)
    stages = None
    floored = None
    if inst.batches and inst.objective == "max_coverage":
        stages = merged_stages(inst, [o["stages"] for o in outs], exact_split)
        # the value among plans keeping the batch counts the counties reached: bounded
        # with those counts as floors (tighter than without)
        floored = inst.replace(batch_floor=tuple(s["on_time"] for s in stages))
    exact = exact_split
    bound = None
    if exact:
        lp_bounds(parts, outs)
    if exact and all(o["bound"] is not None for o in outs):
        # every part's objective has the same terms as the whole: bounds add up
        bound = sum(o["bound"] for o in outs)
        options["bound_source"] = "sum of county bounds" + (
            " without the shared deadlines, which the plan meets (models.relaxed)"
            if relaxed is not None else "")
    elif bounder is not None:
        bound, source, info = bounder.final(floored, budget.left() if budget else None)
        options.update(info)
        if bound is not None:
            options["bound_source"] = source
    # the counts split by price, the county's money kept; with the pooled money cut into
    # slices the merged counties below move the money too and reach the whole's counts
    # (the split by price took none of its plans in three runs of benchmarks/seams.py)
    merging = "slice_of" in work.meta
    if (resplitting and not merging and bounder.counts is not None
            and (budget is None or budget.left() > 1)):
        plans = [start[p.projects] for p in parts]
        settled = np.array([o["status"] == "optimal" for o in outs])
        from .floor_split import split_rounds

        plans, options["floor_split"], bound, refloored = split_rounds(
            parts, plans, bounder, floored, bound, options, mapper, workers, budget,
            settled, **opts)
        for part, plan in zip(parts, plans):
            start[part.projects] = plan
        value = plan_value(inst, start)
        for s, n in zip(stages, refloored.batch_floor):  # the counts the plan now keeps
            s["on_time"] = int(n)
    if merging and (budget is None or budget.left() > 1):
        # the counties merged pairwise with their slices of the pooled money, level by
        # level (models.group_split): what the cut lost to rounding, the merged use
        from .group_split import regroup

        keep = (bounder.reserve(budget.left()) if bounder is not None and stages is not None
                and budget is not None else 0.0)
        start, options["regrouped"] = regroup(work, parts, start, mapper, workers, budget,
                                              opts, keep=keep, whole=inst)
        value = plan_value(inst, start)
        if stages is not None:  # the counts the plan now keeps (they only rise)
            counts = batch_counts(inst, on_time(inst, start))
            for s, n in zip(stages, counts):
                s["on_time"] = int(n)
            if (bounder is not None and tuple(counts) != tuple(floored.batch_floor)
                    and (budget is None or budget.left() > 0.5)):
                # the value's bound keeping the higher counts: tighter, and valid
                floored = floored.replace(batch_floor=tuple(int(n) for n in counts))
                bound, options["regrouped"]["bound_after"] = bounder.again(
                    floored, bound, options, budget.left() if budget else None)
    if stages is not None and lex_bounds is not None:
        lp_proven(stages, lex_bounds)  # after the split of the counts: they only rise
    if bounder is not None and bound is not None and not exact:
        tightened = bounder.tighten(budget.left() if budget else None)
        if tightened is not None and tightened[0] is not None and tightened[0] <= bound:
            bound, options["bound_source"], info = tightened
            options.update(info)
    if bound is None:
        why = bounder.note if bounder is not None and bounder.note else "none in time"
        bound = everything_bound(inst)  # models.county_bound
        options["bound_source"] = ("every gap closed on time and every village on time "
                                   f"(no bound of the whole was found: {why})")
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
    result = Result(status=status, backend=opts.get("backend", "highs"), objective=value,
                    bound=bound, gap=relative_gap(value, bound),
                    seconds=time.perf_counter() - t0, start=start,
                    on_time=on_time(inst, start), options=options)
    if stages is not None:
        record_stages(result, stages)
    return result
