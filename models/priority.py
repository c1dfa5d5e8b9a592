"""Exit first, batch by batch (退出优先、批次推进): the lexicographic exit-priority rule.

The policy serves the villages due to exit first before anyone else, then the next
batch.  With `Instance.batches` (the batches in the order they are served), the plan
is found as a sequence of objectives:

  stage i:  maximise the villages of batch i on time, keeping every earlier batch at
            the count its stage reached (`Instance.batch_floor`, rows `batch-floor-*`);
  then:     the plan's value as without the rule, keeping every batch at its count.

Each stage's plan is the next stage's hint, so no stage ends below the one before.  A
stage proves its count optimal when its bound meets it exactly (within the requested
gap is not enough: one more village of the batch might be on time); a stage cut short by the time
limit keeps the count it found, and the record says so (`proven: false`): no later
stage or the final value is then claimed optimal for the lexicographic rule.  A stage
whose batch is on time in full in its hint is proven without a solve.

Presolve stays safe: a stage's objective and the floors depend on villages' on-time
standing only, which dominance keeps (condition (a) of models.formulation.presolve).
By county (models.decompose, exact split): the batch counts add up over independent
counties, so the lexicographic optimum of the whole is each county's.
"""

from __future__ import annotations

import numpy as np

from .budget import TimeBudget
from .evaluate import batch_counts, on_time, plan_value
from .instance import Instance
from .params import SolveParams
from .result import Result, SolveStatus

#: share of the time left that each exit-priority stage's search may take
STAGE_SHARE = 0.5


def solve_stages(inst: Instance, params: SolveParams, budget: TimeBudget,
                 hint: np.ndarray | None, progress=False, dives_only: bool = False,
                 known: list[dict] | None = None, upto: int | None = None
                 ) -> tuple[Instance, np.ndarray | None, list[dict], SolveStatus | None]:
    """(the instance with every batch's floor, the last stage's plan, the stage records,
    the status when a stage found no plan at all, else None).  `progress`: the
    reporter of models.solve.solve, given to every stage's solve; `dives_only`: no
    stage's search, each keeps what its LP dive reached (proven only where that meets
    the LP bound; models.group_split's quick merged programs); `known`: the records of
    the first pass that gave `hint` (an earlier `dives_only` run's, models.county_solve.
    solve_in_rounds): the second pass alone, from them (with `dives_only`: the dives of
    the stages they did not prove or bound); `upto` (with `dives_only`): only the first
    `upto` stages are dived, the later ones keep the plan's counts, unproven, as when
    the time is out, and the value's dive is left out (solve_in_rounds' first round
    when the time is too short for every county's dives).

    Two passes.  First every stage by its LP dive alone (each in half of the time left,
    at most DIVE_MAX_SECONDS), then the value's dive: a plan with every batch's count in
    a fraction of a search's time, most stages proven by their LP bound already.  Then,
    unless `dives_only`, the stages again from that plan: while the earlier batches keep
    the counts of the first pass, a stage proven there (or searched there, having had no
    plan to dive around) is kept as it is, and one its LP did not prove is searched from
    that plan in half of the time left; a stage after a count that rose is dived and
    searched afresh.  Cut short, every batch has a count at least the dives', instead of
    the first batches searched and the later ones left with what little time is left (a
    county's share of a short run).  On 12 counties of the 8,000-village province given
    1 s each (load 2-3): the batch counts of the full solve (363/504/405/30), against
    363/411/404/37 with each stage searched before the next is dived (at 0.6 s:
    363/423/314/37 against 350/512/402/45)."""
    from .greedy import hard_violations

    # a plan's count proves a floor only when the plan keeps every hard rule (the rule
    # of thumb's plan may break those models.greedy.hard_violations lists)
    if hint is not None and hard_violations(inst, hint):
        hint = None
    if known is not None and hint is not None and not dives_only:
        return _stages(inst, params, budget, hint, progress, search=True, known=known)
    first = _stages(inst, params, budget, hint, progress, search=False,
                    known=known if dives_only and hint is not None else None,
                    upto=upto if dives_only else None)
    if dives_only or first[3] is not None:
        return first
    return _stages(inst, params, budget, first[1], progress, search=True, known=first[2])


def _stages(inst: Instance, params: SolveParams, budget: TimeBudget,
            hint: np.ndarray | None, progress, search: bool, known: list[dict] | None = None,
            upto: int | None = None):
    """One pass of `solve_stages`: `search` False, each stage keeps its dive's count (a
    stage with no plan to dive from or around is searched); `known`, the first pass's
    records, kept where the earlier batches' counts have not changed since; `upto`: the
    stages from that one on keep the plan's counts (solve_stages)."""
    from .dive import lp_dive
    from .solve import solve
    from .warmstart import DIVE_MAX_SECONDS

    stages: list[dict] = []
    n = len(inst.batches)
    count = lambda plan, i: (batch_counts(inst, on_time(inst, plan))[i]  # noqa: E731
                             if plan is not None else -1)
    same = known is not None  # every earlier stage kept the first pass's count
    given = hint
    for i in range(n):
        due = len(inst.batches[i])
        record = {"batch": inst.batch_labels[i], "due": due}
        have = count(hint, i)
        was = known[i] if same else None
        if was is not None and (was["proven"] or was["solved"]) and have == was["on_time"]:
            stages.append(was)  # proven or searched in the first pass from the same floors
            inst = inst.replace(batch_floor=inst.batch_floor + (have,))
            continue
        if have == due:  # the whole batch on time already: nothing can do better
            record.update(on_time=due, bound=due, status="optimal", proven=True,
                          solved=False, bound_by="whole batch")
            stages.append(record)
            inst = inst.replace(batch_floor=inst.batch_floor + (due,))
            continue
        if was is not None and have == was["on_time"] and was["bound"] is not None:
            lp_bound = was["bound"]  # its dive was the first pass's, around this plan
        elif not search and have >= 0 and (budget.over() or (upto is not None
                                                              and i >= upto)):
            # the county's time is out (a short run's share, models.county_solve), or
            # its later stages wait for a later round: they keep the counts of the plan
            # in hand, unproven
            record.update(on_time=have, bound=None, status="time_limit", proven=False,
                          solved=False, bound_by=None)
            stages.append(record)
            inst = inst.replace(batch_floor=inst.batch_floor + (have,))
            same = False
            continue
        else:
            # the stage's LP dive: a plan of this stage's objective and the LP bound,
            # in half of the time left (the earlier batch first, as for the searches)
            dive, lp = lp_dive(inst, params.threads,
                               budget.share(0.5, at_most=DIVE_MAX_SECONDS), stage=i,
                               bound=True, around=hint)
            if count(dive, i) > have:
                hint, have = dive, count(dive, i)
            lp_bound = int(np.floor(lp + 1e-6)) if lp is not None else None
        if lp_bound is not None and have >= lp_bound:
            # the plan meets the LP relaxation's bound: proven without a search
            record.update(on_time=have, bound=lp_bound, status="optimal", proven=True,
                          solved=False, bound_by="LP relaxation")
        elif not search and have >= 0:
            record.update(on_time=have, bound=lp_bound, status="feasible", proven=False,
                          solved=False, bound_by="LP relaxation")
        else:
            # each stage half of what is left (an earlier batch comes first: cut short,
            # the later stages lose what a stage before them would have won), the
            # final value solve what the last stage leaves
            share = budget.share(STAGE_SHARE)
            res = solve(inst, params.updated(time_limit=share), hint=hint, stage=i,
                        progress=progress)
            if not res.has_solution:
                record.update(status=res.status.value, proven=False, solved=True)
                stages.append(record)
                return inst, None, stages, res.status
            hint = res.start
            got = count(hint, i)
            bound = int(np.floor(res.bound + 1e-6)) if res.bound is not None else None
            if lp_bound is not None and (bound is None or lp_bound < bound):
                bound = lp_bound
            # proven: no plan keeping the earlier counts has more of this batch on time
            # (a count within the requested gap of its bound is not: one more may exist)
            record.update(on_time=got, bound=bound, status=res.status.value,
                          proven=bound is not None and got >= bound, solved=True,
                          bound_by="solver")
        same = same and was is not None and record["on_time"] == was["on_time"]
        stages.append(record)
        inst = inst.replace(batch_floor=inst.batch_floor + (record["on_time"],))
    if same and hint is given and all(w.get("bound_by") is not None for w in known):
        # the first pass's plan, which had the value's dive (a pass that left stages to
        # a later round or ran out of time had none: bound_by None)
        return inst, hint, stages, None
    if (budget.over() or upto is not None) and hint is not None:
        return inst, hint, stages, None
    # the value's LP dive under every floor: the value solve's warm start when better
    dive = lp_dive(inst, params.threads, budget.share(0.5, at_most=DIVE_MAX_SECONDS),
                   around=hint, gap=params.gap)
    if dive is not None and (hint is None or plan_value(inst, dive) > plan_value(inst, hint)):
        hint = dive
    return inst, hint, stages, None


def lp_proven(stages: list[dict], bounds: list[int]) -> None:
    """The stages given the whole program's lexicographic LP bounds (models.pooled_split.
    lexicographic_use: batch i's holds where batches 1..i-1 are at theirs), in order:
    each gets its bound while every earlier stage is proven, and is proven where its
    count meets it.  Stages that have a bound already are left as they are."""
    for s, bound in zip(stages, bounds):
        if s.get("bound") is None:
            s["bound"] = int(bound)
            if s["on_time"] >= bound:
                s.update(proven=True, status="optimal")
        if not s.get("proven"):
            break


def merged_stages(inst: Instance, per_county: list[list[dict]], exact: bool) -> list[dict]:
    """The exit-priority stages of the whole from the counties': counts and bounds add
    up when the counties are independent (`exact`), proven when every county's stage is;
    with shared money cut between counties nothing is proven for the whole."""
    out = []
    for i, label in enumerate(inst.batch_labels):
        mine = [s[i] for s in per_county]
        bounds = [s.get("bound") for s in mine]
        out.append({"batch": label, "due": sum(s["due"] for s in mine),
                    "on_time": sum(s["on_time"] for s in mine),
                    # with shared money or rules a county's bound is its own part's only
                    "bound": None if None in bounds or not exact else sum(bounds),
                    "status": ("optimal" if exact and all(s["proven"] for s in mine)
                               else "feasible"),
                    "proven": exact and all(s["proven"] for s in mine),
                    "solved": any(s["solved"] for s in mine)})
    return out


def record_stages(result: Result, stages: list[dict]) -> None:
    """The stages in the result's options; a result is optimal for the lexicographic
    rule only when every stage was proven too (else it is written as feasible)."""
    proven = all(s.get("proven") for s in stages)
    result.options["exit_priority"] = {"rule": "lexicographic", "stages": stages,
                                       "proven": proven}
    if not proven and result.status is SolveStatus.OPTIMAL:
        result.status = SolveStatus.FEASIBLE


#: the share of the run's solving time the plan itself gets when the weighted rule's
#: plan is also asked for (what the priority rule cost); the weighted solve gets the rest
COST_SHARE = 2 / 3


def without_priority(inst: Instance) -> Instance:
    """The same program under the weighted rule: one objective, no batch order."""
    return inst.replace(batches=(), batch_labels=(), batch_floor=())


def priority_cost(inst: Instance, plan: np.ndarray, weighted: Result) -> dict:
    """What the lexicographic rule cost, batch by batch: this plan (`plan`, solved under
    the rule) against `weighted`, the same program solved under the weighted rule with
    this plan as its hint (its value is never below this plan's: where a solve cut
    short ends below, this plan stands for the weighted rule's).  A batch's
    `difference` is this plan's villages on time less the weighted plan's: above zero
    where the rule served the batch better, below zero where it cost it."""
    out = {"against": "weighted", "status": weighted.status.value,
           "plan_value": plan_value(inst, plan)}
    if not weighted.has_solution:
        return out
    other = weighted.start
    if plan_value(inst, other) < out["plan_value"]:
        other = plan  # (a county split cut short): this plan is the better weighted one
    mine = batch_counts(inst, on_time(inst, plan))
    theirs = batch_counts(inst, on_time(inst, other))
    out.update(value=plan_value(inst, other), bound=weighted.bound,
               batches=[{"batch": label, "due": int(len(b)), "on_time": m, "weighted": t,
                         "difference": m - t}
                        for label, b, m, t in zip(inst.batch_labels, inst.batches,
                                                  mine, theirs)])
    return out
