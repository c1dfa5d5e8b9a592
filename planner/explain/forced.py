"""The evidence of a re-solve: a candidate forced in, and what the plan loses."""

from __future__ import annotations

import numpy as np

from models.money import fmt_short
from models.params import SolveParams
from models.solve import on_time, plan_value, solve

from .context import Ctx, few


def force_in(ctx: Ctx, p: int, lo: int, hi: int, due: int, base_value: float,
           params: SolveParams) -> list[str]:
    inst, start = ctx.inst, ctx.start
    pid = inst.project_ids[p]
    lock_in = inst.lock_in.copy()
    lock_in[p] = True
    earliest, latest = inst.proj_earliest.copy(), inst.proj_latest.copy()
    earliest[p], latest[p] = max(int(earliest[p]), lo), hi
    forced = inst.replace(lock_in=lock_in, proj_earliest=earliest, proj_latest=latest)
    res = solve(forced, params)
    head = f"re-solve: forcing {pid} in (start {ctx.year(earliest[p])}" + (
        f"-{ctx.year(hi)}" if hi > earliest[p] else "") + f", finishing by {ctx.year(due)})"
    if not res.has_solution:
        return [f"{head} is infeasible (status {res.status.value})"]
    new = res.start
    value = plan_value(inst, new)
    lost = base_value - value
    if lost > 1e-9:
        what = (f"costs the plan {fmt_short(lost)} of value "
                f"({fmt_short(base_value)} -> {fmt_short(value)})")
    else:
        what = (f"costs the plan nothing ({fmt_short(base_value)} -> {fmt_short(value)}"
                + ("; the plan was not proven optimal" if lost < -1e-9 else "") + ")")
    out = [f"{head} {what}; status {res.status.value}"]
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
    return out
