"""Why one gap stays open or closes late: the obstacles, with their numbers."""

from __future__ import annotations

import numpy as np

from models.money import fmt_short

from .context import MAX_FORCED, Ctx, few


def _ineligible_reasons(ctx: Ctx, p: int) -> list[str]:
    """Why each stream may not pay for project p."""
    inst, scn = ctx.inst, ctx.scn
    pid = inst.project_ids[p]
    row = ctx.prj.loc[pid]
    target = row["target"]
    own = tuple(row["streams"]) if row["streams"] else ()
    county = scn.villages.set_index("village_id").loc[row["village_id"], "county"]
    out = []
    for b in range(inst.n_pools):
        stream = inst.pool_stream[b]
        rows = scn.funds[scn.funds["stream"] == stream]
        targets = tuple(rows["targets"].iloc[0]) if len(rows) else ("*",)
        why = []
        if "*" not in targets and target not in targets:
            why.append(f"its targets ({', '.join(targets)}) do not include {target}")
        if own and stream not in own:
            why.append(f"projects.csv streams of {pid} lists only {', '.join(own)}")
        if inst.pool_county[b] >= 0 and inst.county_names[inst.pool_county[b]] != county:
            why.append(f"it is money of {inst.county_names[inst.pool_county[b]]}, "
                       f"the village is in {county}")
        if why:
            out.append(f"{ctx.pool_name(b)}: {'; '.join(why)}")
    return out


def _lock_reason(ctx: Ctx, p: int) -> str:
    pid = ctx.inst.project_ids[p]
    if pid in ctx.scn.lock_out:
        return f"{pid} is locked out (lock out in the scenario)"
    reqs = [q for q in ctx.prj.loc[pid, "requires"] if q not in ctx.pidx]
    return (f"{pid} is locked out: its prerequisite {', '.join(reqs) or '?'} belongs to a "
            "relocated or excluded village")


def _window(ctx: Ctx, p: int, due: int) -> tuple[int, int]:
    """Start years (indices) letting p finish by `due`: lo..hi (empty when lo > hi)."""
    inst = ctx.inst
    lo = ctx.earliest_start(p)
    hi = min(int(inst.proj_latest[p]), due - int(inst.proj_duration[p]) + 1)
    return lo, hi


def _money_lines(ctx: Ctx, p: int, lo: int, hi: int) -> tuple[list[str], bool, set]:
    """Per start year in lo..hi: money left vs needed in each year of the work.
    Returns (lines, fits in some start, years looked at)."""
    inst = ctx.inst
    pid = inst.project_ids[p]
    pools = np.flatnonzero(inst.proj_pools[p])
    d = int(inst.proj_duration[p])
    lines, fits_any, years = [], False, set()
    for s in range(lo, hi + 1):
        short, ok_parts = [], []
        for k in range(d):
            t = s + k
            need = inst.proj_pooled_units[p, k] / inst.money_units
            if need <= 0:
                continue
            years.add(t)
            left = float(ctx.free[pools, t].sum())
            parts = ", ".join(f"{ctx.pool_name(b)} {fmt_short(ctx.free[b, t])}" for b in pools)
            if left + 1e-9 < need:
                short.append(f"money left {fmt_short(left)} < needed {fmt_short(need)} "
                             f"in {ctx.year(t)} [{parts}]")
            else:
                ok_parts.append(f"left {fmt_short(left)} >= needed {fmt_short(need)} "
                                f"in {ctx.year(t)}")
        when = f"starting {ctx.year(s)}" if d > 1 or hi > lo else f"in {ctx.year(s)}"
        if short:
            lines.append(f"budget exhausted: {pid} (pooled cost {fmt_short(ctx.pooled_total[p])}) "
                         f"{when}: " + "; ".join(short))
        else:
            fits_any = True
            what = "; ".join(ok_parts) or "it needs no pooled money"
            lines.append(f"money was there: {pid} {when} fits in what the plan left ({what})")
    return lines, fits_any, years


def _deadline_lines(ctx: Ctx, pools: set, years: set) -> list[str]:
    """Hard deadlines whose works draw on these pools in these years, with their money."""
    inst, scn, sched = ctx.inst, ctx.scn, ctx.schedule
    out = []
    for d, spec in zip(scn.deadlines, inst.deadlines):
        if d.soft:
            continue
        scope = {inst.village_ids[i] for i in spec.villages}
        rows = sched[(sched["target"] == d.target) & sched["village_id"].isin(scope)]
        for b in sorted(pools):
            stream = inst.pool_stream[b]
            if stream not in sched.columns:
                continue
            sel = rows
            if inst.pool_county[b] >= 0:
                sel = sel[sel["county"] == inst.county_names[inst.pool_county[b]]]
            for t in sorted(years):
                yr = sel[sel["year"].astype(int) == ctx.year(t)]
                money = yr[stream].astype(float)
                if money.sum() > 0:
                    works = few(list(yr.loc[money > 0, "project_id"]))
                    out.append(f"hard deadline {d.label()} takes {fmt_short(money.sum())} of "
                               f"{ctx.pool_name(b)} in {ctx.year(t)} ({works})")
    return out


def gap_reasons(ctx: Ctx, g: int, due: int) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Reason lines for gap g not closing by `due`, and the candidates to force
    (project, lo, hi), cheapest first."""
    inst, start = ctx.inst, ctx.start
    cands = [int(p) for p in np.flatnonzero(inst.proj_gap == g)]
    village = inst.village_ids[inst.gap_village[g]]
    target = inst.target_codes[inst.gap_target[g]]
    lines: list[str] = []
    if not cands:
        return [f"no candidate project: projects.csv has no project for {village}/{target}"], []
    cands.sort(key=lambda p: (ctx.pooled_total[p], inst.project_ids[p]))
    open_cands = []
    for p in cands:
        if inst.lock_out[p]:
            lines.append(_lock_reason(ctx, p))
        else:
            open_cands.append(p)
    if not open_cands:
        lines.append("every candidate is locked out")
        return lines, []
    timely = []
    for p in open_cands:
        pid = inst.project_ids[p]
        lo, hi = _window(ctx, p, due)
        d = int(inst.proj_duration[p])
        if lo > hi:
            why = f"earliest start {ctx.year(lo)}"
            es0 = int(inst.proj_earliest[p])
            if lo > es0:
                pre = ", ".join(inst.project_ids[r] for q, r in inst.requires if q == p)
                why += (f" (after its prerequisite {pre} can finish; earliest_year "
                        f"{ctx.year(es0)})")
            lines.append(f"{pid} cannot finish by {ctx.year(due)}: {why} + {d} year(s) "
                         f"-> finishes {ctx.year(lo + d - 1)} at the earliest")
        else:
            timely.append((p, lo, hi))
    if not timely:
        lines.append(f"none of the candidates can finish by {ctx.year(due)}")
    # prerequisites as the plan has them
    for p, _lo, _hi in timely:
        pid = inst.project_ids[p]
        d = int(inst.proj_duration[p])
        for q, r in inst.requires:
            if q != p:
                continue
            rid = inst.project_ids[r]
            if start[r] < 0:
                extra = " (it is locked out)" if inst.lock_out[r] else ""
                lines.append(f"{pid} requires {rid}, which is not in the plan{extra}")
            elif ctx.finish[r] + d > due:
                lines.append(f"{pid} requires {rid}, which finishes {ctx.year(ctx.finish[r])} "
                             f"in the plan: {pid} could start {ctx.year(ctx.finish[r] + 1)} at "
                             f"the earliest and finish {ctx.year(ctx.finish[r] + d)} > due "
                             f"{ctx.year(due)}")
    # alternative groups
    for p, _, _ in timely:
        grp = inst.proj_group[p]
        if grp < 0:
            continue
        partners = [int(q) for q in np.flatnonzero((inst.proj_group == grp) & (start >= 0))
                    if q != p]
        name = ctx.prj.loc[inst.project_ids[p], "alternative_group"]
        for q in partners:
            qg = inst.proj_gap[q]
            lines.append(f"{inst.project_ids[p]} is in alternative group {name} with "
                         f"{inst.project_ids[q]} ({inst.village_ids[inst.gap_village[qg]]}/"
                         f"{inst.target_codes[inst.gap_target[qg]]}), which the plan chose "
                         "instead")
    # eligibility and money
    fundable = []
    for p, lo, hi in timely:
        pid = inst.project_ids[p]
        if ctx.pooled_total[p] > 0 and not inst.proj_pools[p].any():
            lines.append(f"{pid} is not eligible for any stream: "
                         + "; ".join(_ineligible_reasons(ctx, p)))
        else:
            fundable.append((p, lo, hi))
    if timely and not fundable:
        lines.append("no candidate that could finish in time may be paid from any stream")
    pools, years = set(), set()
    money_short = False
    for p, lo, hi in fundable[:MAX_FORCED]:
        if ctx.pooled_total[p] <= 0:
            lines.append(f"{inst.project_ids[p]} needs no pooled money (self-funded)")
            continue
        m_lines, fits, ys = _money_lines(ctx, p, lo, hi)
        lines.extend(m_lines)
        money_short |= not fits
        pools |= set(np.flatnonzero(inst.proj_pools[p]).tolist())
        years |= ys
    if money_short:
        lines.extend(_deadline_lines(ctx, pools, years))
    weight = float(inst.gap_weight[g])
    if weight == 0 and not inst.gap_exit[g]:
        lines.append("the gap is worth nothing to the objective (weight 0)")
    if inst.objective == "min_cost" and not inst.gap_exit[g]:
        lines.append("objective min_cost: only exit-standard gaps must close, this one is "
                      "not in the exit standard")
    order = sorted(timely, key=lambda c: (not inst.proj_pools[c[0]].any()
                                          and ctx.pooled_total[c[0]] > 0,
                                          ctx.pooled_total[c[0]], inst.project_ids[c[0]]))
    return lines, order[:MAX_FORCED]
