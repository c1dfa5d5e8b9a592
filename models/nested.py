"""Nested plans over growing budgets (`planner priority`): the mathematics of one level.

A priority list is a sequence of plans, one per budget level s_1 < ... < s_K, each
holding every work of the one before (the works are locked in; their start years may
move).  This module knows plans as start arrays of one instance:

* plans compare by `models.evaluate.priority_rank`, the instance's own rule (the exit
  batches' on-time counts in the order served, then the value, under the lexicographic
  exit priority; the value alone otherwise) -- the order `models.priority` optimises;
* `level_hint`: the warm start of a level, the best by that rule of the level below's
  plan (still a plan: the money only grew) and the planner's own warm start (greedy
  and LP dive, which put the locked-in works first), so no level ends below the one
  before (models.solve keeps the hint whenever the solver finds nothing better);
* `entry_order`: the order of the works a level adds: by exit batch (the rule's
  order; only under the lexicographic exit priority), then by what each work adds to
  the level's plan per unit of pooled money (the value the plan loses without it),
  prerequisites before the works that require them.
"""

from __future__ import annotations

import numpy as np

from .evaluate import plan_value, priority_rank
from .instance import Instance


def best_plan(inst: Instance, plans) -> np.ndarray | None:
    """The best of `plans` (start arrays, None skipped) by `priority_rank`; the first on ties."""
    best, key = None, None
    for start in plans:
        if start is None:
            continue
        k = priority_rank(inst, start)
        if key is None or k > key:
            best, key = start, k
    return best


def level_hint(inst: Instance, below: np.ndarray | None, threads: int | None,
               time_left: float | None, info: dict | None = None) -> np.ndarray | None:
    """The warm start of a level: the better (priority_rank) of `below` (the plan of the level
    below, a plan here too) and the planner's warm start (models.warmstart)."""
    from .warmstart import warm_start

    own = warm_start(inst, threads, time_left, info=info)
    return best_plan(inst, [below, own])


def pooled_units(inst: Instance) -> np.ndarray:
    """The pooled money of each work over its years (whole units)."""
    return inst.proj_pooled_units.sum(axis=1)


def contribution(inst: Instance, start: np.ndarray, works: np.ndarray) -> np.ndarray:
    """What the plan `start` loses without each of `works` (value; the on-time bonus of
    a village counts for each of its exit works the village needs)."""
    whole = plan_value(inst, start)
    out = np.empty(len(works))
    for i, p in enumerate(works):
        without = start.copy()
        without[p] = -1
        out[i] = whole - plan_value(inst, without)
    return out


def batch_position(inst: Instance) -> np.ndarray:
    """Per village, the position of its exit batch in the order served (the number of
    batches when it is in none, or without the lexicographic rule: all the same)."""
    pos = np.full(inst.n_villages, len(inst.batches), dtype=np.int64)
    for i, members in enumerate(inst.batches):
        pos[members] = np.minimum(pos[members], i)
    return pos


def entry_order(inst: Instance, start: np.ndarray, works) -> list[int]:
    """The works a level adds (`works`: project indices chosen in `start`), in the
    order they are ranked: exit batch first (lexicographic rule), then the value the
    level's plan loses without the work per unit of pooled money, larger first (a work
    needing no pooled money and adding value first), then the project id; a work's
    prerequisites that enter at the same level come right before it."""
    works = np.asarray(list(works), dtype=np.int64)
    if not len(works):
        return []
    gain = contribution(inst, start, works)
    money = pooled_units(inst)[works] / inst.money_units
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(money > 0, gain / np.where(money > 0, money, 1),
                       np.where(gain > 0, np.inf, 0.0))
    batch = batch_position(inst)[inst.gap_village[inst.proj_gap[works]]]
    ids = [inst.project_ids[p] for p in works]
    ranked = sorted(range(len(works)), key=lambda i: (batch[i], -per[i], ids[i]))
    needs: dict[int, list[int]] = {}
    for p, q in inst.requires.tolist() if len(inst.requires) else []:
        needs.setdefault(p, []).append(q)
    entering = set(works.tolist())
    done: set[int] = set()
    out: list[int] = []

    def put(p: int, path: frozenset) -> None:
        if p in done or p in path:
            return
        for q in sorted(needs.get(p, []), key=lambda q: inst.project_ids[q]):
            if q in entering:
                put(q, path | {p})
        done.add(p)
        out.append(p)

    for i in ranked:
        put(int(works[i]), frozenset())
    return out


def hard_rules_hold(inst: Instance, params) -> bool | None:
    """Whether a plan meets every hard rule (deadlines, locks, ...) of `inst`: the
    elastic program of models.solve (every hard rule may be broken at a cost) has a plan
    breaking none (True), or a positive bound on what must be broken (False); None when
    its time ran out before either."""
    from .result import SolveStatus
    from .solve import solve

    res = solve(inst, params.updated(gap=0), elastic="rules", tie_break=False)
    if res.has_solution and res.objective is not None and res.objective <= 1e-6:
        return True
    if res.bound is not None and np.isfinite(res.bound) and res.bound > 1e-6:
        return False
    return False if res.status is SolveStatus.INFEASIBLE else None
