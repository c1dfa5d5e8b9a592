"""One county's solve, and every county's in turn, within the run's one time limit.

`solve_part` runs in a worker (a Dask task, or in process through `map`): a county's
exit-priority stages, its value and tie-break, in its share of the time.  `solve_parts`
hands every county its share (its works among those still to come, times the workers
side by side); `solve_in_rounds` does so twice under the exit priority and a time
limit: first every county by its stages' LP dives only, then every county in full from
that plan, so that a short run leaves no county with the rule of thumb's plan while
another took a full search; `rescue_parts` gives a county left with no plan at all the
time kept after them.
"""

from __future__ import annotations

import time

import numpy as np

from .county_parts import Part
from .evaluate import priority_rank
from .instance import Instance
from .result import SolveStatus


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
    known = opts.pop("known_stages", None)  # the stage records of `hint` (solve_in_rounds)
    upto = opts.pop("stages_upto", None)  # with dives_only: the first stages only
    if deadline is not None:
        left = max(0.05, deadline - time.time())
        if after is not None:  # its share of what is left now, among the works to come
            share = max(share or 0.0, left * min(1.0, share_of(part_instance, after,
                                                                workers)))
        opts["time_limit"] = left if share is None else max(0.05, min(share, left))
    hint = None
    began = time.time()
    given_hint = opts.pop("hint", None)  # a plan of the part (an earlier solve's)
    if deadline is not None and deadline - began < LATE:
        late = (kept_part(part_instance, given_hint, known) if known is not None
                and given_hint is not None else late_part(part_instance))
        if late is not None:
            return late
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
            TimeBudget(opts.get("time_limit")), hint, dives_only=dives,
            known=known if hint is given_hint else None, upto=upto)
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

            cut = any(s["status"] == "time_limit" for s in stages)
            return {"start": hint, "status": "time_limit" if cut else "feasible",
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
    from .evaluate import batch_counts, on_time
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
    return _cut_short(part_instance, plan, stages, "warm start")


def kept_part(part_instance: Instance, plan: np.ndarray, stages: list[dict]) -> dict:
    """A county reached too late in a later round: the plan of the round before and its
    stage records, as they are (no greedy plan worked out only to be set aside)."""
    return _cut_short(part_instance, plan, stages, "LP dive")


def _cut_short(part_instance: Instance, plan: np.ndarray, stages: list[dict] | None,
               plan_from: str) -> dict:
    """The out of a county given no time: `plan` as it is, cut by the time limit."""
    from .evaluate import plan_value

    return {"start": plan, "status": "time_limit", "objective": plan_value(part_instance, plan),
            "bound": None, "seconds": 0.0, "county": part_instance.meta.get("county"),
            "plan_from": plan_from, "stages": stages}


def solve_parts(parts: list[Part], mapper, budget, workers: int, keep: float,
                opts: dict, hints: list | None = None, known: list | None = None
                ) -> list[dict]:
    """Every part solved through `mapper` (`solve_part`; `hints`: a plan of each part to
    start from, `known`: its stage records, models.priority.solve_stages).  With the
    run's one time limit (`budget`), each county gets its share of what is left less
    `keep` seconds kept for later: its share of the works, times the workers that solve
    counties side by side."""
    part_opts = [dict(opts) for _ in parts]
    for o, hint in zip(part_opts, hints or []):
        o["hint"] = hint
    for o, stages in zip(part_opts, known or []):
        o["known_stages"] = stages
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


def solve_in_rounds(parts: list[Part], mapper, budget, workers: int, keep: float,
                    opts: dict) -> list[dict]:
    """Every part solved as `solve_parts` does, in two rounds when the run has a time
    limit and the exit priority's stages: first each county by its stages' LP dives only
    (a plan with every batch's count, most stages proven by their LP bound: 6.6e-4 s a
    work, about a third of a full solve's 2e-3), then each county in full from that
    plan and its stage records (the stages the dives proved kept, the others searched,
    then the value) in the time left, when some is.  In one round the counties taken
    first had their full solve while those after them, reached within `LATE` of the
    deadline, kept the rule of thumb's plan (the generated province of 8,000 villages at
    --time-limit 30: 31 of 58, and 736-830 of its 2018 batch on time against 1,582-1,741
    in two rounds; benchmarks/README.md).  A county keeps its first round's plan where
    the second ranks lower under the exit priority (reached too late, or cut short
    before it had a plan)."""
    staged = any(p.instance.batches and p.instance.objective == "max_coverage"
                 for p in parts)
    if (budget is None or budget.limit is None or not staged or opts.get("dives_only")
            or not parts):
        return solve_parts(parts, mapper, budget, workers, keep, opts)
    # taken in the order of the first batch's villages per work: where the time is too
    # short for every county's dives (the nation at --time-limit 300), those reached late
    # keep the rule of thumb's plan, and the first batch comes first
    order = sorted(range(len(parts)), key=lambda i: -_first_batch_density(parts[i]))
    dives = {**opts, "dives_only": True}
    if _dives_too_long(parts, budget, workers, keep):
        # too short for every county's dives: first every county's first batch by its
        # stage's dive alone, from no plan (the LP's whole starts fixed: no warm start,
        # whose value dive the later rounds make again), then the other stages' dives
        # from that plan.  On 20 counties of the 8,000-village province, in one process:
        # 0.73 s against 2.93 s from the warm start, the same 606 villages of the first
        # batch; after the other stages' dives the same counts, the value 17,891.0
        # against 17,892.0, those dives 9.0 s against 7.9 s
        early = _taken(parts, order, mapper, budget, workers, keep,
                       {**dives, "stages_upto": 1, "use_hint": False})
        rest = [i for i in order if early[i]["start"] is not None
                and early[i]["status"] != SolveStatus.INFEASIBLE.value]
        dived = _taken(parts, rest, mapper, budget, workers, keep, dives,
                       hints=[early[i]["start"] for i in rest],
                       known=[early[i]["stages"] for i in rest])
        dived = {i: _better(parts[i].instance, early[i], dived[i]) if i in dived
                 else early[i] for i in order}
    else:
        dived = _taken(parts, order, mapper, budget, workers, keep, dives)
    first = [dived[i] for i in range(len(parts))]
    if budget.left() - keep < LATE:  # no county would be reached in time: none is sent
        return first
    # those the first round reached late (the rule of thumb's plan) first, then those it
    # cut short: each county's share is of the time left when it starts
    again = sorted((i for i, o in enumerate(first)
                    if o["status"] != SolveStatus.INFEASIBLE.value),
                   key=lambda i: (first[i].get("plan_from") != "warm start",
                                  first[i]["status"] != SolveStatus.TIME_LIMIT.value))
    second = _taken(parts, again, mapper, budget, workers, keep, opts,
                    hints=[first[i]["start"] for i in again],
                    known=[first[i]["stages"] for i in again])
    return [_better(parts[i].instance, out, second[i]) if i in second else out
            for i, out in enumerate(first)]


#: every county's first batch before the other stages' dives when all the dives would
#: take more than this many times the time left: one round in the order of the first
#: batch's villages per work then leaves most counties with the rule of thumb's plan.
#: Measured (2 cores, load 0.6-2.1): the nation at --time-limit 300 (2.9 times) 21,180
#: and 21,521 of its 2018 batch on time against 14,945; the province of 8,000 villages
#: at 30 s (1.35 times) 1,738-1,776 against 1,775-1,776 in one round
FIRST_BATCH_RATIO = 2.0


def _dives_too_long(parts: list[Part], budget, workers: int, keep: float) -> bool:
    """Whether every county's stage dives would take more than FIRST_BATCH_RATIO times
    the time left less `keep` (models.county_bound.dives_seconds)."""
    from .county_bound import dives_seconds

    works = sum(max(1, p.instance.n_projects) for p in parts)
    return dives_seconds(works, workers) > FIRST_BATCH_RATIO * (budget.left() - keep)


def _taken(parts: list[Part], picked: list[int], *args, **given) -> dict[int, dict]:
    """`solve_parts` of the parts at `picked`, in that order: {part index: out}."""
    return dict(zip(picked, solve_parts([parts[i] for i in picked], *args, **given)))


def _first_batch_density(part: Part) -> float:
    """The villages of the first exit batch served per work of the county."""
    inst = part.instance
    return len(inst.batches[0]) / max(1, inst.n_projects) if inst.batches else 0.0


def _better(part_instance: Instance, first: dict, second: dict) -> dict:
    """The second round's out unless it ranks lower under the exit priority (or has no
    plan); the first round's then, marked cut by the time limit."""
    if first["start"] is None:
        return second
    if second["start"] is not None and (priority_rank(part_instance, second["start"])
                                        >= priority_rank(part_instance, first["start"])):
        return second
    return {**first, "status": SolveStatus.TIME_LIMIT.value,
            "seconds": first["seconds"] + second["seconds"]}
