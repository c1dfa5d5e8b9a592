"""How a program is solved, the same in every mode (solve, replan, sweep points, ...).

1. the rule of thumb (`models.greedy`): the baseline every plan is compared with;
2. fairness by maximin: the worst county's best rate first, kept as a floor;
3. county by county (`models.decompose`) when asked and possible, or whole;
4. the warm start (`models.warmstart`), completed into a full solution, handed to
   the backend, and kept whenever the backend returns nothing better
   (`models.solve.solve`: never below the warm start);
5. one time limit (`models.budget.TimeBudget`) shared by all of the above.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace

import numpy as np

from .budget import TimeBudget
from .instance import Instance
from .params import SolveParams
from .priority import (
    COST_SHARE,
    priority_cost as priority_cost_of,
    record_stages,
    solve_stages,
    without_priority,
)
from .result import Result
from .solve import announce, reporter, solve
from .warmstart import warm_start


def solve_planned(inst: Instance, params: SolveParams, budget: TimeBudget | None = None, *,
                  hint: np.ndarray | None = None, use_hint: bool = True,
                  maximin: bool = False, split: bool = False, county_mapper=None,
                  verbose: bool = False, progress=False,
                  priority_cost: bool = False) -> tuple[Instance, Result]:
    """(the instance solved, with a maximin floor when asked; its Result).

    `params`: the run's settings (its time_limit the whole run's, unless `budget` is
    given); `county_mapper`: a callable giving a context manager that yields a map
    (Dask tasks) for the split; `priority_cost`: under the lexicographic exit priority,
    also solve the program under the weighted rule (in the last third of the run's
    time, from this plan) and record what the rule cost each batch
    (`options["priority_cost"]`, models.priority.priority_cost)."""
    budget = budget or TimeBudget(params.time_limit)
    against = priority_cost and bool(inst.batches) and inst.objective == "max_coverage"
    if not against:
        return _solve_planned(inst, params, budget, hint=hint, use_hint=use_hint,
                              maximin=maximin, split=split, county_mapper=county_mapper,
                              verbose=verbose, progress=progress)
    inst, result = _solve_planned(inst, params, budget.until(COST_SHARE), hint=hint,
                                  use_hint=use_hint, maximin=maximin, split=split,
                                  county_mapper=county_mapper, verbose=verbose,
                                  progress=progress)
    if result.has_solution:
        announce(progress, "the same under the weighted rule (what exit priority cost)")
        _, weighted = _solve_planned(without_priority(inst), params, budget,
                                     hint=result.start, use_hint=use_hint, split=split,
                                     county_mapper=county_mapper, progress=progress)
        result.options["priority_cost"] = priority_cost_of(inst, result.start, weighted)
    return inst, result


def _solve_planned(inst: Instance, params: SolveParams, budget: TimeBudget, *,
                   hint: np.ndarray | None = None, use_hint: bool = True,
                   maximin: bool = False, split: bool = False, county_mapper=None,
                   verbose: bool = False, progress=False) -> tuple[Instance, Result]:
    from .greedy import greedy, greedy_value

    info = {"hint": "given" if hint is not None else "none"}
    rough = greedy(inst)
    info["greedy_value"] = greedy_value(inst, rough)
    floor = None
    if maximin and inst.objective == "max_coverage":
        from .fairness import best_worst_rate

        floor, status = best_worst_rate(inst, params.updated(time_limit=budget.share(0.3)))
        if floor is None:
            # the maximin program has the same hard rules: no plan there, none at all
            # (infeasible), or none found in time; the caller says which
            return inst, Result.no_solution(status, params.backend,
                                            budget.elapsed(), options={**info,
                                                                       "stage": "maximin"})
        inst = inst.replace(min_rate=max(inst.min_rate or 0.0, floor))
    if split:
        from .decompose import solve_by_county

        announce(progress, f"county by county ({len(np.unique(inst.village_county))} "
                           "counties)")
        with (county_mapper() if county_mapper else nullcontext(map)) as mapper:
            # the county workers take the settings as keywords, one thread each
            result = solve_by_county(inst, mapper=mapper, budget=budget,
                                     workers=getattr(mapper, "workers", 1),
                                     **replace(params, threads=1).keywords(),
                                     use_hint=use_hint)
        info["hint"] = "LP dive or greedy, per county" if use_hint else "none"
    else:
        if hint is None and use_hint:
            announce(progress, "warm start (greedy, LP dive)")
            hint = warm_start(inst, params.threads, budget.left(), rough, info)
        stages = None
        if inst.batches and inst.objective == "max_coverage":
            inst, hint, stages, failed = solve_stages(inst, params, budget, hint,
                                                       reporter(progress))
            if failed is not None:
                return inst, Result.no_solution(failed, params.backend, budget.elapsed(),
                                                options={**info, "stage": "exit priority",
                                                         "exit_priority": stages})
        # after the stages the hint is the value's dive around the last stage's plan,
        # usually within the gap of the LP bound: tried first (models.solve.lp_proof)
        result = solve(inst, params.updated(time_limit=budget.left()), hint=hint,
                       verbose=verbose, progress=progress, lp_first=stages is not None)
        if stages is not None:
            record_stages(result, stages)
    announce(progress, "plan found")
    result.options["time_limit"] = params.time_limit  # the run's, not a phase's
    result.options.update(info)
    if floor is not None:
        result.options["maximin_rate"] = floor
    return inst, result
