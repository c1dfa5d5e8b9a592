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

from .county_parts import Part, merged_start, split_by_county
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


def solve_part(part_instance: Instance, opts: dict) -> dict:
    """One county (runs in a worker): start years and what the solver proved.
    `opts["deadline"]` (wall clock, time.time()) ends the county's share of the run."""
    from .solve import TIE_BREAK_FLOOR, solve
    from .warmstart import warm_start

    opts = dict(opts)
    deadline = opts.pop("deadline", None)
    share = opts.pop("time_share", None)
    after = opts.pop("works_after", None)  # this county's and the later ones' works
    workers = opts.pop("workers", 1)
    dives = opts.pop("dives_only", False)  # models.group_split: the stages' dives only
    if deadline is not None:
        left = max(0.05, deadline - time.time())
        if after is not None:  # its share of what is left now, among the works to come
            share = max(share or 0.0, left * min(1.0, share_of(part_instance, after,
                                                                workers)))
        opts["time_limit"] = left if share is None else max(0.05, min(share, left))
    hint = None
    began = time.time()
    if deadline is not None and deadline - began < LATE:
        late = late_part(part_instance)
        if late is not None:
            return late
    given_hint = opts.pop("hint", None)  # a plan of the part (an earlier solve's)
    if opts.pop("use_hint", True):
        hint = (given_hint if given_hint is not None else
                warm_start(part_instance, opts.get("threads"), opts.get("time_limit")))
    if opts.get("time_limit") is not None:  # the warm start came out of the same time
        opts["time_limit"] = max(0.05, opts["time_limit"] - (time.time() - began))
    stages = None
    if part_instance.batches and part_instance.objective == "max_coverage":
        from .budget import TimeBudget
        from .params import NAMES, SolveParams
        from .priority import solve_stages

        given = part_instance
        part_instance, hint, stages, failed = solve_stages(
            part_instance, SolveParams().updated(**{k: v for k, v in opts.items()
                                                    if k in NAMES}),
            TimeBudget(opts.get("time_limit")), hint, dives_only=dives)
        if failed is not None and failed is not SolveStatus.INFEASIBLE:
            # a stage found no plan in the county's time (under load HiGHS can stop
            # before its first solution: status "not set"): the greedy plan when it keeps
            # every hard rule, as for a county reached late, rather than no plan at all
            late = late_part(given)
            if late is not None:
                late["seconds"] = time.time() - began
                return late
        if failed is not None:
            return {"start": None, "status": failed.value, "objective": None, "bound": None,
                    "seconds": time.time() - began, "county": part_instance.meta.get("county"),
                    "plan_from": None, "stages": stages}
        if dives and hint is not None:  # the last dive's plan, no value search
            from .evaluate import plan_value

            return {"start": hint, "status": "feasible",
                    "objective": plan_value(part_instance, hint), "bound": None,
                    "seconds": time.time() - began, "plan_from": "LP dive",
                    "county": part_instance.meta.get("county"), "stages": stages}
        if opts.get("time_limit") is not None:
            opts["time_limit"] = max(0.05, opts["time_limit"] - (time.time() - began))
    # under the run's common deadline the time a county's tie-break would take beyond a
    # fifth of its value solve is the later counties' (their villages on time first)
    res = solve(part_instance, hint=hint, tie_break_floor=0.0 if deadline is not None
                else TIE_BREAK_FLOOR, **opts)
    return {"start": res.start if res.has_solution else None, "status": res.status.value,
            "objective": res.objective, "bound": res.bound, "seconds": res.seconds,
            "county": part_instance.meta.get("county"),
            "plan_from": res.options.get("plan_from"), "stages": stages}


#: a county whose task starts with less than this left before the common deadline keeps
#: its greedy plan when that keeps every hard rule (no model built, nothing proven)
LATE = 0.5


def late_part(part_instance: Instance) -> dict | None:
    """A county reached too late for a solve: its greedy plan, its batches' counts as
    stages not solved (models.priority's records), or None when greedy breaks a hard
    rule (the county is then solved in what is left)."""
    from .evaluate import batch_counts, on_time, plan_value
    from .greedy import greedy, hard_violations

    plan = greedy(part_instance)
    if hard_violations(part_instance, plan):
        return None
    stages = None
    if part_instance.batches and part_instance.objective == "max_coverage":
        counts = batch_counts(part_instance, on_time(part_instance, plan))
        stages = [{"batch": label, "due": len(b), "on_time": int(n), "bound": None,
                   "status": "time_limit", "proven": False, "solved": False}
                  for label, b, n in zip(part_instance.batch_labels, part_instance.batches,
                                         counts)]
    return {"start": plan, "status": "time_limit", "objective": plan_value(part_instance, plan),
            "bound": None, "seconds": 0.0, "county": part_instance.meta.get("county"),
            "plan_from": "warm start", "stages": stages}


def solve_parts(parts: list[Part], mapper, budget, workers: int, keep: float,
                opts: dict, hints: list | None = None) -> list[dict]:
    """Every part solved through `mapper` (models.decompose.solve_part; `hints`: a plan
    of each part to start from).  With the run's one time limit (`budget`), each county
    gets its share of what is left less `keep` seconds kept for later: its share of the
    works, times the workers that solve counties side by side."""
    part_opts = [dict(opts) for _ in parts]
    for o, hint in zip(part_opts, hints or []):
        o["hint"] = hint
    if budget is not None and budget.limit is not None and parts:
        size = np.array([max(1, len(p.projects)) for p in parts], dtype=float)
        left = max(0.05, budget.left() - keep)
        deadline = budget.deadline() - keep
        after = np.cumsum(size[::-1])[::-1]  # the works of each county and those after it
        for o, n, rest in zip(part_opts, size, after):
            o["deadline"] = deadline
            o["time_share"] = max(0.2, left * min(1.0, workers * n / size.sum()))
            # counties are taken in order: one that starts when others ended early gets
            # its share of what is left then (solve_part)
            o["works_after"], o["workers"] = float(rest), workers
    return list(mapper(solve_part, [p.instance for p in parts], part_opts))


def rescue_parts(parts: list[Part], outs: list[dict], mapper, budget, workers: int,
                 opts: dict) -> None:
    """Counties left without a plan by their time (not proven infeasible: a stage found
    no plan in its share and the greedy plan breaks a hard rule) solved once more, in
    place, with the time kept for the bound after the counties: without a plan of every
    county the run has none at all, so the bound waits."""
    lost = [i for i, o in enumerate(outs)
            if o["start"] is None and o["status"] != SolveStatus.INFEASIBLE.value]
    if not lost:
        return
    again = solve_parts([parts[i] for i in lost], mapper, budget, workers, 0.0, opts)
    for i, out in zip(lost, again):
        if out["start"] is not None:
            out["rescued"] = True
            outs[i] = out


def share_of(part_instance: Instance, works_after: float, workers: int) -> float:
    """A county's share of the time left when it starts: its works among those of the
    counties not started yet, times the workers solving side by side."""
    return workers * max(1, part_instance.n_projects) / max(1.0, works_after)


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
                   if bounder.wants_first(pooled) else None)
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
        solved = solve_parts([parts[i] for i in todo], mapper, budget, workers, keep,
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
