"""A plan judged by the documented rules, once for every caller.

The solver's objective, the warm starts, the plan tables, explain and the county
split all take the plan's value, its villages on time and its deadline counts
from here (the independent checker keeps its own copy, on purpose).
"""

from __future__ import annotations

import numpy as np

from .instance import DeadlineSpec, Instance


def deadline_gaps(inst: Instance, d: DeadlineSpec) -> np.ndarray:
    """Bool per gap: a gap of the deadline's target in a village of its scope."""
    scope = np.zeros(inst.n_villages, dtype=bool)
    scope[d.villages] = True
    return (inst.gap_target == d.target) & scope[inst.gap_village]


def deadline_met(inst: Instance, d: DeadlineSpec, close_year: np.ndarray) -> int:
    """Villages in the deadline's scope meeting it: those without a gap of its target,
    and those whose gap closes by its year (`close_year`: per gap, `Instance.close_year`)."""
    gaps = deadline_gaps(inst, d)
    return len(d.villages) - int(gaps.sum()) + int((close_year[gaps] <= d.year).sum())


def deadline_counts(inst: Instance, start: np.ndarray) -> list[tuple[DeadlineSpec, int, int]]:
    """(deadline, villages meeting it, villages it requires) for every deadline."""
    close = inst.close_year(start)
    return [(d, deadline_met(inst, d, close), d.required()) for d in inst.deadlines]


def on_time(inst: Instance, start: np.ndarray) -> np.ndarray:
    """A village is on time when each exit-standard gap is closed by its due year."""
    gap_finish = inst.close_year(start)
    late = inst.gap_exit & (gap_finish > inst.village_due[inst.gap_village])
    bad = np.zeros(inst.n_villages, dtype=bool)
    bad[inst.gap_village[late]] = True
    return ~bad


def plan_value(inst: Instance, start: np.ndarray) -> float:
    """The objective of a plan by the documented rule (no tie-break term): max_coverage,
    the value of the gaps closed (on time or late, pro rata with partial credit), the
    bonus per village on time, less the penalty per village a soft deadline misses;
    min_cost, the pooled money."""
    chosen = np.flatnonzero(start >= 0)
    if inst.objective == "min_cost":
        return float(inst.proj_pooled_units[chosen].sum() / inst.money_units)
    closed_by = inst.close_year(start)
    due = inst.village_due[inst.gap_village]
    last = inst.n_years - 1
    if inst.partial_credit:  # pro rata progress by the due year, and late progress
        done = inst.progress(start)
        by_due = done[due, np.arange(inst.n_gaps)]
        share_on, share_late = by_due, done[last] - by_due
    else:
        share_on = (closed_by <= due).astype(float)
        share_late = ((closed_by > due) & (closed_by <= last)).astype(float)
    on_w = inst.gap_value(np.zeros(inst.n_gaps, dtype=np.int64) - 1, np.arange(inst.n_gaps))
    late_w = inst.gap_value(np.full(inst.n_gaps, inst.n_years), np.arange(inst.n_gaps))
    value = float((on_w * share_on + late_w * share_late).sum())
    value += inst.bonus * on_time(inst, start).sum()
    for d in inst.deadlines:
        if d.soft:
            value -= round(inst.soft_penalty, 4) * max(0, d.required()
                                                       - deadline_met(inst, d, closed_by))
    return float(round(value, 6))


def batch_counts(inst: Instance, on_time_villages: np.ndarray) -> list[int]:
    """Villages on time in each exit-priority batch, in the order they are served."""
    return [int(on_time_villages[b].sum()) for b in inst.batches]


def priority_rank(inst: Instance, start: np.ndarray) -> tuple:
    """A plan's standing under the run's rule, greater is better: each exit batch's
    villages on time in the order served, then more value (less pooled money, under
    min_cost)."""
    sign = 1 if inst.objective == "max_coverage" else -1
    return (*batch_counts(inst, on_time(inst, start)), sign * plan_value(inst, start))


def tie_break_key(inst: Instance, start: np.ndarray) -> tuple[int, int]:
    """The tie-break's order among plans of the same value (smaller is better), as the
    second-rank objective of models.formulation.objective ranks them: pooled money in
    whole units, then the sum of (finish year index + 1) of the works chosen."""
    chosen = start >= 0
    return (int(inst.proj_pooled_units[chosen].sum()),
            int((start + inst.proj_duration)[chosen].sum()))
