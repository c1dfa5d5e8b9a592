"""Why one gap stays open or closes late: the obstacles, with their numbers.

Each obstacle is a `Finding`: its evidence line and, for the answer that comes first,
a short clause (`because`) with a rank (the more basic the obstacle, the lower: no
work at all before a prerequisite before money); the answer takes the lowest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.eligibility import pools_of
from models.money import fmt_short

from .context import MAX_FORCED, Ctx
from .spending import Ledger, money, spending_clause, spending_line, years_text

#: ranks of the answer's clause: the lower, the more basic the obstacle
NO_WORK, PREREQUISITE, ALTERNATIVE, MONEY, WORTH, CHOICE = range(6)


@dataclass(frozen=True)
class Finding:
    text: str  # the evidence line
    because: str | None = None  # the clause of the answer ("because ...")
    rank: int = CHOICE


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


def _money_lines(ctx: Ctx, p: int, lo: int, hi: int) -> tuple[list[str], bool, list]:
    """Per start year in lo..hi: money left vs needed in each year of the work.
    Returns (lines, fits in some start, the first year short of each start as (year
    index, left, needed))."""
    inst = ctx.inst
    pid = inst.project_ids[p]
    pools = pools_of(inst, p)
    d = int(inst.proj_duration[p])
    lines, fits_any, shorts = [], False, []
    for s in range(lo, hi + 1):
        short, ok_parts, first_short = [], [], None
        for k in range(d):
            t = s + k
            need = inst.proj_pooled_units[p, k] / inst.money_units
            if need <= 0:
                continue
            left = float(ctx.free[pools, t].sum())
            parts = ", ".join(f"{ctx.pool_name(b)} {fmt_short(ctx.free[b, t])}" for b in pools)
            if left + 1e-9 < need:
                short.append(f"money left {fmt_short(left)} < needed {fmt_short(need)} "
                             f"in {ctx.year(t)} [{parts}]")
                first_short = first_short or (t, left, need)
            else:
                ok_parts.append(f"left {fmt_short(left)} >= needed {fmt_short(need)} "
                                f"in {ctx.year(t)}")
        when = f"starting {ctx.year(s)}" if d > 1 or hi > lo else f"in {ctx.year(s)}"
        if short:
            lines.append(f"budget exhausted: {pid} (pooled cost {fmt_short(ctx.pooled_total[p])}) "
                         f"{when}: " + "; ".join(short))
            shorts.append(first_short)
        else:
            fits_any = True
            what = "; ".join(ok_parts) or "it needs no pooled money"
            lines.append(f"money was there: {pid} {when} fits in what the plan left ({what})")
    return lines, fits_any, ([] if fits_any else shorts)


def _money_findings(ctx: Ctx, ledger: Ledger, p: int, lo: int, hi: int,
                    first: bool) -> tuple[list[Finding], bool]:
    """The money of candidate p: left vs needed per start, and when every start is short,
    where the money of the years short went (each work once, `spending`).  `first`: the
    candidate the answer speaks of."""
    inst = ctx.inst
    pid = inst.project_ids[p]
    lines, fits, shorts = _money_lines(ctx, p, lo, hi)
    out = [Finding(t) for t in lines]
    if fits:
        if first:
            out.append(Finding("", f"the money was there ({pid} fits in what the plan "
                                   "left), but the plan put it into other works", CHOICE))
        return out, True
    pools = pools_of(inst, p)
    short = {t: (left, need) for t, left, need in shorts}  # a year once
    for t in sorted(short):
        for b in pools:
            one = ledger.spending([b], t)
            if one.spent > 0:
                out.append(Finding(spending_line(ctx, b, one)))
    if first:
        spent = ledger.spending(pools, sorted(short))
        lacking = [(t, left, need) for t, (left, need) in sorted(short.items()) if left > 1e-9]
        state = ("is all spent" if not lacking else "is spent, but for " + "; ".join(
            f"{money(left)} in {ctx.year(t)} where it needs {money(need)}"
            for t, left, need in lacking))
        which = (f"the {spent.years[0]} money {pid} could use" if len(spent.years) == 1
                 else f"the money {pid} could use in {years_text(spent.years)}")
        out.append(Finding("", f"{which} ({ctx.streams_text(pools)}) {state}: "
                               f"{spending_clause(spent, ctx.first)}", MONEY))
    return out, False


def gap_reasons(ctx: Ctx, g: int, due: int, ledger: Ledger | None = None
                ) -> tuple[list[Finding], list[tuple[int, int, int]]]:
    """The findings for gap g not closing by `due`, and the candidates to force
    (project, lo, hi), cheapest first."""
    inst, start = ctx.inst, ctx.start
    ledger = ledger or Ledger(ctx)
    cands = [int(p) for p in np.flatnonzero(inst.proj_gap == g)]
    village = inst.village_ids[inst.gap_village[g]]
    target = inst.target_codes[inst.gap_target[g]]
    found: list[Finding] = []
    if not cands:
        return [Finding(f"no candidate project: projects.csv has no project for "
                        f"{village}/{target}", "projects.csv has no project for it",
                        NO_WORK)], []
    cands.sort(key=lambda p: (ctx.pooled_total[p], inst.project_ids[p]))
    open_cands = []
    for p in cands:
        if inst.lock_out[p]:
            found.append(Finding(_lock_reason(ctx, p)))
        else:
            open_cands.append(p)
    if not open_cands:
        locked = ", ".join(inst.project_ids[p] for p in cands)
        found.append(Finding("every candidate is locked out",
                             f"every project for it is locked out ({locked})", NO_WORK))
        return found, []
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
            found.append(Finding(f"{pid} cannot finish by {ctx.year(due)}: {why} + {d} "
                                 f"year(s) -> finishes {ctx.year(lo + d - 1)} at the earliest"))
        else:
            timely.append((p, lo, hi))
    if not timely:
        p = open_cands[0]
        lo = ctx.earliest_start(p)
        found.append(Finding(
            f"none of the candidates can finish by {ctx.year(due)}",
            f"no project for it can finish by {ctx.year(due)} ({inst.project_ids[p]}: "
            f"{int(inst.proj_duration[p])}-year work, earliest start {ctx.year(lo)})",
            NO_WORK))
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
                found.append(Finding(f"{pid} requires {rid}, which is not in the plan{extra}",
                                     f"{pid} needs {rid} done first, which is not in the "
                                     f"plan{extra}", PREREQUISITE))
            elif ctx.finish[r] + d > due:
                found.append(Finding(
                    f"{pid} requires {rid}, which finishes {ctx.year(ctx.finish[r])} in the "
                    f"plan: {pid} could start {ctx.year(ctx.finish[r] + 1)} at the earliest "
                    f"and finish {ctx.year(ctx.finish[r] + d)} > due {ctx.year(due)}",
                    f"{pid} needs {rid} finished first, which the plan finishes in "
                    f"{ctx.year(ctx.finish[r])}", PREREQUISITE))
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
            other = (f"{inst.project_ids[q]} ({inst.village_ids[inst.gap_village[qg]]}/"
                     f"{inst.target_codes[inst.gap_target[qg]]})")
            found.append(Finding(
                f"{inst.project_ids[p]} is in alternative group {name} with {other}, which "
                "the plan chose instead",
                f"{inst.project_ids[p]} is in alternative group {name} with {other}, which "
                "the plan chose", ALTERNATIVE))
    # eligibility and money
    fundable = []
    for p, lo, hi in timely:
        pid = inst.project_ids[p]
        if ctx.pooled_total[p] > 0 and not len(pools_of(inst, p)):
            found.append(Finding(f"{pid} is not eligible for any stream: "
                                 + "; ".join(_ineligible_reasons(ctx, p))))
        else:
            fundable.append((p, lo, hi))
    if timely and not fundable:
        found.append(Finding("no candidate that could finish in time may be paid from any "
                             "stream", "no fund stream may pay for "
                             + ("it" if len(timely) > 1 else inst.project_ids[timely[0][0]])
                             + " (see the streams below)", NO_WORK))
    for i, (p, lo, hi) in enumerate(fundable[:MAX_FORCED]):
        if ctx.pooled_total[p] <= 0:
            found.append(Finding(f"{inst.project_ids[p]} needs no pooled money (self-funded)"))
            continue
        more, _fits = _money_findings(ctx, ledger, p, lo, hi, first=i == 0)
        found.extend(more)
    weight = float(inst.gap_weight[g])
    if weight == 0 and not inst.gap_exit[g]:
        found.append(Finding("the gap is worth nothing to the objective (weight 0)",
                             "it is worth nothing to the objective (weight 0)", WORTH))
    if inst.objective == "min_cost" and not inst.gap_exit[g]:
        found.append(Finding("objective min_cost: only exit-standard gaps must close, this "
                             "one is not in the exit standard",
                             "under min_cost only exit-standard gaps must close, and it is "
                             "not one", WORTH))
    order = sorted(timely, key=lambda c: (not len(pools_of(inst, c[0]))
                                          and ctx.pooled_total[c[0]] > 0,
                                          ctx.pooled_total[c[0]], inst.project_ids[c[0]]))
    return found, order[:MAX_FORCED]


def answer_clause(found: list[Finding]) -> str:
    """The clause of the most basic obstacle (lowest rank; the first of equals)."""
    ranked = [f for f in found if f.because]
    if not ranked:
        return "no hard obstacle was found: the plan put the money into works of more value"
    return min(ranked, key=lambda f: f.rank).because
