"""The exit batches' counts split between counties by price, once (issue 18, item 5).

Under the lexicographic exit priority each county first serves its own batches
(models.priority, per county): the province's count of batch i is F_i = sum_c F_ci, each
county keeping its own F_ci while it adds value.  The whole only needs sum_c n_ci >= F_i:
a county whose villages of the batch are cheap may serve more of them and one whose are
dear fewer, for more value in all.  The bound's Lagrangian (models.lagrange) prices a
village of each batch and combines county columns whose counts nbar_ci meet the F_i
(fractionally); this module

1. rounds them to whole targets G_ci (`targets`: the floors, then the remainders to the
   largest fractions, until each batch's targets add up to at least F_i);
2. solves each county again for the most value keeping its targets as floors (its plan
   as the hint where it meets them: a county whose targets are its counts is solved
   again from its plan, never ending below it), as tasks of the county solves' mapper;
3. chooses, county by county, the new plan or the one it had (`choose`: a small integer
   program, the most value plus the bound's price of each village of a batch on time,
   with every batch's count at least F_i).

The price term: the bound keeping counts F' >= F is below the bound keeping F by about
sum_i p_i (F'_i - F_i) (p: the floor rows' multipliers), so the priced value is what
narrows the gap to it, and more villages of a batch on time is what the exit priority
asks first.  `split_rounds` repeats the round (the bound again at the counts
reached, its combination's counts the next targets) while it gains and time allows.

Every county keeps the money and the deadlines it was solved with (its share of the
pooled money, the shared deadlines met county by county), so any choice is a plan of
the whole; keeping every old plan is one, so the priced value never falls (without
prices, the value), and every batch keeps at least the count the counties' stages
reached: the bound computed with those counts as floors stays a bound of the plan, and
so does the bound keeping the higher counts the split reaches.
"""

from __future__ import annotations

import time

import numpy as np

from .evaluate import batch_counts, on_time, plan_value
from .instance import Instance


def targets(nbar: np.ndarray, floors: np.ndarray) -> np.ndarray:
    """(C, B) whole targets: floor(nbar), then one more to the largest remainders until
    batch i's targets add up to floors[i] (never fewer than the floors in all)."""
    G = np.floor(nbar + 1e-6).astype(np.int64)
    for i in range(G.shape[1]):
        short = int(floors[i] - G[:, i].sum())
        if short > 0:
            order = np.argsort(-(nbar[:, i] - G[:, i]), kind="stable")
            G[order[:short], i] += 1
    return G


def refloor_part(part_instance: Instance, floors: tuple, hint: np.ndarray | None,
                 opts: dict) -> dict:
    """One county (runs in a worker): the most value keeping `floors` (its batches'
    counts), from `hint` when it keeps them; `opts["deadline"]`/`time_share` as for
    models.county_solve.solve_part.  {start or None, value, counts, status}."""
    from .county_solve import LATE
    from .solve import solve

    opts = dict(opts)
    deadline, share = opts.pop("deadline", None), opts.pop("time_share", None)
    opts.pop("use_hint", None)
    opts.pop("time_limit", None)
    if deadline is not None and deadline - time.time() < LATE:  # too late: the old plan
        return {"start": None, "value": None, "counts": None, "status": "time_limit"}
    if deadline is not None:
        left = max(0.05, deadline - time.time())
        opts["time_limit"] = left if share is None else max(0.05, min(share, left))
    elif share is not None:
        opts["time_limit"] = share
    sub = part_instance.replace(batch_floor=tuple(int(f) for f in floors))
    if hint is not None and np.any(batch_counts(sub, on_time(sub, hint))
                                   < np.asarray(floors)):
        hint = None
    res = solve(sub, hint=hint, **opts)
    if not res.has_solution:
        return {"start": None, "value": None, "counts": None, "status": res.status.value}
    return {"start": res.start, "value": plan_value(sub, res.start),
            "counts": batch_counts(sub, on_time(sub, res.start)), "status": res.status.value}


def choose(old_value: np.ndarray, old_counts: np.ndarray, new_value: np.ndarray,
           new_counts: np.ndarray, found: np.ndarray, floors: np.ndarray,
           prices: np.ndarray | None = None) -> np.ndarray:
    """Bool per county, True: take its new plan.  The most value (plus prices[i] per
    village of batch i on time, when given) with every batch's count at least
    floors[i]; a county without a new plan (`found` False) keeps its old one.
    A small integer program (one 0/1 variable a county), solved by HiGHS to optimality;
    all False when it ends otherwise (the old plans keep the floors)."""
    import highspy

    from .backends import highs

    C = len(old_value)
    h = highs.new_highs(False)
    h.addVars(C, np.zeros(C), np.where(found, 1.0, 0.0))
    idx = np.arange(C, dtype=np.int32)
    h.changeColsIntegrality(C, idx, np.full(C, highspy.HighsVarType.kInteger))
    diff = np.where(found[:, None], new_counts - old_counts, 0).astype(float)
    gain = np.where(found, new_value - old_value, 0.0).astype(float)
    if prices is not None:
        gain = gain + diff @ np.asarray(prices, dtype=float)
    h.changeColsCost(C, idx, gain)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for i in range(len(floors)):
        need = float(floors[i] - old_counts[:, i].sum())
        h.addRow(need, highspy.kHighsInf, C, idx, diff[:, i])
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.zeros(C, dtype=bool)
    take = np.asarray(h.getSolution().col_value[:C]) > 0.5
    return take & found


def resplit(parts: list, plans: list, nbar: np.ndarray, floors: np.ndarray, mapper=map,
            workers: int = 1, budget=None, prices: np.ndarray | None = None,
            keep: float = 0.0, settled: np.ndarray | None = None,
            **opts) -> tuple[list, dict]:
    """(the county plans after the split, what it did).  `parts`: the county parts
    (models.county_parts.Part), `plans`: their start years, `nbar`: (C, B) the bound's
    counts per county, `floors`: the province's counts to keep, `prices`: (B,) the
    bound's price of a village of each batch (`choose`), `keep`: seconds of the budget
    left after the county tasks, `settled`: (C,) bool, the counties whose plan was proven
    optimal for their program: one whose targets are its counts is not solved again
    (it cannot gain), so that the time goes to the others."""
    t0 = time.perf_counter()
    old_counts = np.array([batch_counts(p.instance, on_time(p.instance, s))
                           for p, s in zip(parts, plans)], dtype=np.int64)
    old_value = np.array([plan_value(p.instance, s) for p, s in zip(parts, plans)])
    G = targets(nbar, floors)
    todo = [c for c in range(len(parts))
            if settled is None or not settled[c] or not np.array_equal(G[c], old_counts[c])]
    info = {"moved": int(sum(not np.array_equal(G[c], old_counts[c]) for c in todo)),
            "solved_again": len(todo),
            "value_before": float(old_value.sum()),
            "counts_before": [int(n) for n in old_counts.sum(axis=0)],
            "prices": None if prices is None else [float(p) for p in prices]}
    task_opts = [dict(opts) for _ in todo]
    if budget is not None and budget.limit is not None:
        size = np.array([max(1, len(parts[c].projects)) for c in todo], dtype=float)
        left, deadline = max(0.05, budget.left() - keep), budget.deadline() - keep
        for o, n in zip(task_opts, size):
            o["deadline"] = deadline
            o["time_share"] = max(0.2, left * min(1.0, workers * n / size.sum()))
    outs = list(mapper(refloor_part, [parts[c].instance for c in todo],
                       [tuple(G[c]) for c in todo], [plans[c] for c in todo], task_opts))
    C, B = old_counts.shape
    found = np.zeros(C, dtype=bool)
    new_value, new_counts = old_value.copy(), old_counts.copy()
    new_plans = list(plans)
    for c, out in zip(todo, outs):
        if out["start"] is not None:
            found[c] = True
            new_value[c], new_counts[c] = out["value"], out["counts"]
            new_plans[c] = out["start"]
    take = choose(old_value, old_counts, new_value, new_counts, found,
                  np.asarray(floors, dtype=np.int64), prices)
    chosen = [new_plans[c] if take[c] else plans[c] for c in range(C)]
    info.update(found=int(found.sum()), taken=int(take.sum()),
                value_after=float(np.where(take, new_value, old_value).sum()),
                counts_after=[int(n) for n in np.where(take[:, None], new_counts,
                                                       old_counts).sum(axis=0)],
                seconds=round(time.perf_counter() - t0, 3), taken_mask=take.tolist())
    return chosen, info


#: rounds of the price-directed split of the batch counts at most (each: the counties
#: again with targets from the bound's combination, then the bound at the counts reached)
SPLIT_ROUNDS = 2


def split_rounds(parts: list, plans: list, bounder, floored: Instance, bound, options: dict,
                 mapper, workers: int, budget, settled: np.ndarray, **opts):
    """The price-directed split of the exit batches' counts (models.floor_split), in
    rounds: each takes the targets from the bound's combination and prices, and when the
    counts the plan keeps rose, the bound again keeping them (warm: the Lagrangian's
    county models and columns stay).  Every bound found is valid for the final plan (its
    counts are at least the floors each was computed with), so the least is kept.
    `settled`: the counties proven optimal (models.floor_split.resplit); one whose new plan
    is taken is no longer.  (plans, what each round did, the bound, the instance with the
    counts kept)."""
    rounds = []
    for k in range(SPLIT_ROUNDS):
        if budget is not None and budget.left() is not None and budget.left() <= 1:
            break
        keep = 0.0
        if budget is not None and budget.left() is not None:
            # time for the bound after the round, and for the rounds after it
            keep = 0.5 * bounder.reserve(budget.left())
            keep += (budget.left() - keep) * (1 - 1 / (SPLIT_ROUNDS - k))
        plans, info = resplit(parts, plans, bounder.counts, np.array(floored.batch_floor),
                              mapper, workers, budget, prices=bounder.prices, keep=keep,
                              settled=settled, **opts)
        settled = settled & ~np.asarray(info.pop("taken_mask"), dtype=bool)
        rounds.append(info)
        counts = tuple(int(n) for n in info["counts_after"])
        if counts == tuple(floored.batch_floor):
            break  # the same floors: the same bound and targets again
        floored = floored.replace(batch_floor=counts)
        if budget is not None and budget.left() is not None and budget.left() <= 0.5:
            break
        bound, again = bounder.again(floored, bound, options,
                                     budget.left() if budget else None)
        info["bound_after"] = None if again is None else float(again)
        if not info["taken"]:
            break
    out = dict(rounds[-1]) if rounds else {}
    out["rounds"] = rounds
    return plans, out, bound, floored
