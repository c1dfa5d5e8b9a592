"""The evidence of a re-solve: a candidate forced in, and what the plan loses.

The forced program is solved the way the plan was (models.strategy.solve_planned: the
exit-priority stages, then the value, then the tie-break), and the two plans are
compared by the same rule: first the villages on time of each batch in the order the
batches are served (under `exit_priority: lexicographic`), then the value (the pooled
money under `min_cost`).  When the forced plan is as good by that rule, the plan chose
otherwise by the tie-break (models/formulation/objective.py): among plans of equal
value, the one with less pooled money, then with earlier finishes (the sum over its
works of the finish year, counted from the first year, as the tie-break's earliness
term weighs them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.eligibility import rows_of
from models.evaluate import batch_counts, on_time, plan_value, tie_break_key
from models.funding import FundingError, allocate
from models.greedy import hard_violations
from models.money import fmt_short
from models.params import SolveParams
from models.strategy import solve_planned

from .context import Ctx, few
from .spending import Ledger, money

#: how a comparison reads when the forced plan is better than the plan explained
NOT_PROVEN = ("the plan was not proven optimal (status {status}); solve the scenario "
              "again with more time (--time-limit) or --gap 0")
MORE_TIME = "give it more time with --time-limit, or ask for one gap with --target"
#: a re-solve that stopped on its clock: what it found bounds the loss from above
CUT_SHORT = "the re-solve was cut short by its time limit: " + MORE_TIME


@dataclass
class Forced:
    """A forced re-solve: its evidence lines and the sentence for the answer."""
    lines: list[str]
    sentence: str


def _counts(inst, start) -> list[int]:
    if not inst.batches or inst.objective != "max_coverage":
        return []
    return batch_counts(inst, on_time(inst, start))


def _rank(inst, start) -> tuple:
    """The rule the plan was made by, as a key (larger is better)."""
    value = plan_value(inst, start)
    return (*_counts(inst, start), value if inst.objective == "max_coverage" else -value)


def _difference(inst, base, new) -> str:
    """The first place by the rule where the forced plan differs: a batch, else value."""
    for label, a, b in zip(inst.batch_labels, _counts(inst, base), _counts(inst, new)):
        if a != b:
            return (f"{abs(a - b)} village(s) of the {label} batch on time ({a} -> {b})"
                    if label != "exited" else
                    f"{abs(a - b)} of the villages that exited before the horizon on time "
                    f"({a} -> {b})")
    va, vb = plan_value(inst, base), plan_value(inst, new)
    if inst.objective == "min_cost":
        return f"{fmt_short(abs(vb - va))} of pooled money ({fmt_short(va)} -> {fmt_short(vb)})"
    return f"{fmt_short(abs(va - vb))} of value ({fmt_short(va)} -> {fmt_short(vb)})"


def _why_not_chosen(ctx: Ctx, new) -> str:
    """Equal by the rule: why the plan is the one the tie-break keeps."""
    inst, base = ctx.inst, ctx.start
    (pa, fa), (pb, fb) = tie_break_key(inst, base), tie_break_key(inst, new)
    units = inst.money_units
    rule = ("the tie-break, which among plans of equal value keeps the one with less "
            "pooled money, then with earlier finishes")
    if (pb, fb) > (pa, fa):
        if pb > pa:
            why = (f"it needs {money((pb - pa) / units)} more pooled money "
                   f"({fmt_short(pa / units)} -> {money(pb / units)})")
        else:
            why = (f"it needs the same pooled money but finishes later ({fb - fa} "
                   "work-year(s) later in all)")
        return f"the plan chose otherwise by {rule}: {why}"
    if (pb, fb) < (pa, fa):
        better = (f"{money((pa - pb) / units)} less pooled money" if pb < pa
                  else f"the same pooled money and earlier finishes ({fa - fb} work-year(s))")
        return (f"the forced plan is as good and needs {better}: the plan's tie-break did not "
                f"get there in its time ({ctx.summary.get('options', {}).get('tie_break', '?')})")
    return ("the two plans tie on every rule (value, pooled money, finish years): either is "
            "as good, and the search happened to keep the plan's")


#: works dropped at most to make room for the forced one in its warm start
MAX_DROPPED = 60


def _can_pay(inst, start) -> bool:
    try:
        allocate(inst, start)
    except FundingError:
        return False
    return True


def plan_with(ctx: Ctx, forced, p: int, lo: int) -> np.ndarray | None:
    """The re-solve's warm start: the plan with p started in year index lo (the other
    works of a one-work gap and p's alternative partners out) and, while it cannot be
    paid, works that draw on p's streams in p's years dropped -- those no hard deadline
    needs, first those that make no village exit on time, then those of the batch
    served last, the least weighty first.  None when that keeps no rule (the usual warm
    start then, models.warmstart)."""
    inst = forced
    if inst.revolving.any() or inst.levering.any():
        return None  # their money needs the solve's own flows
    start = ctx.start.copy()
    g = inst.proj_gap[p]
    if not inst.cumulative[g]:
        start[inst.proj_gap == g] = -1
    if inst.proj_group[p] >= 0:
        start[inst.proj_group == inst.proj_group[p]] = -1
    start[p] = lo
    years = {lo + k for k in range(int(inst.proj_duration[p]))}
    pools = rows_of(inst, [p])[0]
    served = {int(v): i for i, batch in enumerate(inst.batches) for v in batch}
    ledger_key = Ledger(ctx).key
    droppable = []
    for q in np.flatnonzero(start >= 0):
        kind = ledger_key.get(inst.project_ids[q], ("other",))[0]
        spends = {int(start[q]) + k for k in range(int(inst.proj_duration[q]))}
        if q == p or inst.lock_in[q] or kind == "deadline" or not (spends & years) \
                or not (rows_of(inst, [q])[0] & pools).any():
            continue
        v = int(inst.gap_village[inst.proj_gap[q]])
        droppable.append((kind == "exit", -served.get(v, -1),
                          float(inst.gap_weight[inst.proj_gap[q]]), int(q)))
    drops = [q for *_, q in sorted(droppable)][:MAX_DROPPED]
    for k in range(len(drops) + 1):
        if k:
            start[drops[k - 1]] = -1
        finish = np.where(start >= 0, start + inst.proj_duration - 1, -1)
        if any(start[a] >= 0 and (start[r] < 0 or finish[r] >= start[a])
               for a, r in inst.requires):
            continue  # a work whose prerequisite was dropped: not a plan
        if _can_pay(inst, start):
            return None if hard_violations(inst, start) else start
    return None


def force_in(ctx: Ctx, p: int, lo: int, hi: int, due: int, params: SolveParams,
             progress=False) -> Forced:
    """Re-solve with p forced in, starting in lo..hi so that it finishes by `due`."""
    inst, start = ctx.inst, ctx.start
    pid = inst.project_ids[p]
    lock_in = inst.lock_in.copy()
    lock_in[p] = True
    earliest, latest = inst.proj_earliest.copy(), inst.proj_latest.copy()
    earliest[p], latest[p] = max(int(earliest[p]), lo), hi
    forced = inst.replace(lock_in=lock_in, proj_earliest=earliest, proj_latest=latest)
    _, res = solve_planned(forced, params, hint=plan_with(ctx, forced, p, earliest[p]),
                           maximin=bool(ctx.scn.fairness.get("maximin")), progress=progress)
    head = f"re-solve: forcing {pid} in (start {ctx.year(earliest[p])}" + (
        f"-{ctx.year(hi)}" if hi > earliest[p] else "") + f", finishing by {ctx.year(due)})"
    by = f"Forcing {pid} in by {ctx.year(due)}"
    if not res.has_solution:
        if res.status.value == "infeasible":
            return Forced([f"{head} is infeasible (status infeasible)"],
                          f"{by} is impossible: no plan with it keeps every hard rule.")
        return Forced([f"{head} found no plan (status {res.status.value})"],
                      f"{by}: the re-solve found no plan in time (status "
                      f"{res.status.value}); {MORE_TIME}.")
    new = res.start
    proven = res.status.value == "optimal"
    base_rank, new_rank = _rank(inst, start), _rank(inst, new)
    if new_rank < base_rank:
        what = ("" if proven else "at most ") + _difference(inst, start, new)
        cost = f"costs the plan {what}"
        sentence = f"{by} would cost {what}" + ("." if proven else f" ({CUT_SHORT}).")
    elif new_rank > base_rank:
        cost = (f"gives a better plan ({_difference(inst, start, new)}): "
                + NOT_PROVEN.format(status=ctx.summary.get("status", "?")))
        sentence = f"{by} {cost}."
    else:
        value = fmt_short(plan_value(inst, new))
        why = _why_not_chosen(ctx, new)
        cost = f"costs the plan nothing (value {value}, the same villages on time); {why}"
        sentence = (f"{by} costs nothing (value {value}, the same villages on time); "
                    f"{why}.")
    out = [f"{head} {cost}; status {res.status.value}"]
    ids = inst.project_ids
    dropped = [ids[q] for q in np.flatnonzero((start >= 0) & (new < 0))]
    added = [ids[q] for q in np.flatnonzero((start < 0) & (new >= 0)) if q != p]
    moved = [f"{ids[q]} {ctx.year(start[q])}->{ctx.year(new[q])}"
             for q in np.flatnonzero((start >= 0) & (new >= 0) & (start != new)) if q != p]
    before, after = on_time(inst, start), on_time(inst, new)
    losing = [inst.village_ids[v] for v in np.flatnonzero(before & ~after)]
    gaining = [inst.village_ids[v] for v in np.flatnonzero(~before & after)]
    for label, items in (("dropped", dropped), ("added", added), ("moved", moved),
                         ("villages losing on-time", losing),
                         ("villages gaining on-time", gaining)):
        if items:
            out.append(f"  {label}: {few(items)}")
    return Forced(out, sentence)
