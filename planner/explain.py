"""Why a village's gaps stay open or close late in a written plan.

`explain(plan_dir, village, target=None, scenario=None, **solver_opts)` reads the
plan's tables and its scenario, and for each gap of the village (or only
`target`) says whether it closes by the village's due year (its exit year, or
the first year for villages that exited before the horizon) and, when it does
not, which of these apply, with the numbers:

- no candidate project, every candidate locked out, none able to finish by the
  due year, or the village relocated;
- no fund stream may pay for a candidate (stream targets, the project's
  `streams`, the stream's county) -- each stream named with its reason;
- money: what the plan left unspent in each eligible pool and year
  (funds.csv carried_out + unused, followed along the carry-over chain) against
  what the cheapest candidates need that year (pooled cost per year, split as
  planner/build.py does);
- a prerequisite not in the plan or finishing too late;
- an alternative-group partner chosen instead;
- hard deadlines whose works draw on the same streams in those years.

Then the evidence of a re-solve: each of at most three candidates that could
finish by the due year (cheapest first) is forced in, with its start restricted
so that it finishes by then, and the program is solved again; the lines say
what that costs in plan value and what changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.instance import Instance
from models.solve import on_time, plan_value, solve

from .build import build_instance
from .errors import InputError, Problem
from .plan.folder import read_plan
from .scenario import YAML, Scenario, load_scenario

#: at most this many forced re-solves per gap
MAX_FORCED = 3


def _m(x: float) -> str:
    """Money as written in the plan (4 decimals), without trailing zeros."""
    s = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _few(items: list[str], n: int = 10) -> str:
    """At most n items, then how many more."""
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def _v(x: float) -> str:
    s = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# ---------------------------------------------------------------- inputs

def scenario_folder(plan_dir: Path, summary: dict) -> Path:
    """The scenario a plan was made from: the folder of the last scenario.yaml listed
    in summary.json["inputs"] (load_scenario lists a variant's base chain first and
    the variant's own scenario.yaml last)."""
    yamls = [Path(p) for p in summary.get("inputs", {}) if Path(p).name == YAML]
    if not yamls:
        tables = [Path(p) for p in summary.get("inputs", {})]
        if not tables:
            raise InputError(Problem(str(plan_dir / "summary.json"),
                                     "lists no input files; give the scenario folder "
                                     "with --scenario"))
        folder = tables[0].parent
    else:
        folder = yamls[-1].parent
    if not folder.is_dir() and not folder.is_absolute():
        # made with a relative path from elsewhere: try beside the plan folder
        for base in (plan_dir.resolve().parent, plan_dir.resolve()):
            if (base / folder).is_dir():
                folder = base / folder
                break
    if not folder.is_dir():
        raise InputError(Problem(str(plan_dir / "summary.json"),
                                 f"names the scenario folder {folder}, which does not exist "
                                 "(here); give it with --scenario"))
    return folder


def _plan_start(inst: Instance, schedule: pd.DataFrame) -> np.ndarray:
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    pidx = {p: i for i, p in enumerate(inst.project_ids)}
    first = int(inst.years[0])
    for pid, s in schedule.drop_duplicates("project_id")[["project_id", "start_year"]] \
            .itertuples(index=False):
        if pid not in pidx:
            raise InputError(Problem("schedule.csv", "project is not in the scenario's "
                                     "projects; the plan was made from another scenario "
                                     "(give it with --scenario)", column="project_id",
                                     value=pid))
        start[pidx[pid]] = int(s) - first
    return start


def _free_money(inst: Instance, funds: pd.DataFrame) -> np.ndarray:
    """(B, Y) money the plan leaves that a new work could still spend in year t:
    the least left at the end of t and of every later year its money carries into."""
    Y, B = inst.n_years, inst.n_pools
    left = np.zeros((B, Y))
    key = {(s, inst.county_names[c] if c >= 0 else ""): b
           for b, (s, c) in enumerate(zip(inst.pool_stream, inst.pool_county))}
    first = int(inst.years[0])
    for r in funds.itertuples(index=False):
        b = key.get((r.stream, r.county))
        t = int(r.year) - first
        if b is not None and 0 <= t < Y:
            left[b, t] = float(r.carried_out) + float(r.unused)
    free = left.copy()
    for b in range(B):
        for t in range(Y - 2, -1, -1):
            if inst.pool_carry[b, t]:
                free[b, t] = min(free[b, t], free[b, t + 1])
    return np.maximum(free, 0.0)


# ---------------------------------------------------------------- per gap

class _Ctx:
    def __init__(self, scn: Scenario, inst: Instance, start: np.ndarray, schedule, funds):
        self.scn, self.inst, self.start = scn, inst, start
        self.schedule, self.funds = schedule, funds
        self.first = int(inst.years[0])
        self.free = _free_money(inst, funds)
        self.finish = np.where(start >= 0, start + inst.proj_duration - 1, -1)
        self.pidx = {p: i for i, p in enumerate(inst.project_ids)}
        self.prj = scn.projects.set_index("project_id")
        self.pooled_total = inst.proj_pooled_units.sum(axis=1) / inst.money_units
        self._es: dict[int, int] = {}

    def year(self, t) -> int:
        return int(self.inst.years[0]) + int(t)

    def pool_name(self, b: int) -> str:
        c = self.inst.pool_county[b]
        return (f"{self.inst.pool_stream[b]} ({self.inst.county_names[c]})" if c >= 0
                else self.inst.pool_stream[b])

    def earliest_start(self, p: int, seen=()) -> int:
        """Earliest start year index of p, after its prerequisites can finish."""
        if p in self._es:
            return self._es[p]
        es = int(self.inst.proj_earliest[p])
        for q, r in self.inst.requires:
            if q == p and r not in seen:
                es = max(es, self.earliest_start(int(r), seen + (p,))
                         + int(self.inst.proj_duration[r]))
        self._es[p] = es
        return es


def _ineligible_reasons(ctx: _Ctx, p: int) -> list[str]:
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


def _lock_reason(ctx: _Ctx, p: int) -> str:
    pid = ctx.inst.project_ids[p]
    if pid in ctx.scn.lock_out:
        return f"{pid} is locked out (lock out in the scenario)"
    reqs = [q for q in ctx.prj.loc[pid, "requires"] if q not in ctx.pidx]
    return (f"{pid} is locked out: its prerequisite {', '.join(reqs) or '?'} belongs to a "
            "relocated or excluded village")


def _window(ctx: _Ctx, p: int, due: int) -> tuple[int, int]:
    """Start years (indices) letting p finish by `due`: lo..hi (empty when lo > hi)."""
    inst = ctx.inst
    lo = ctx.earliest_start(p)
    hi = min(int(inst.proj_latest[p]), due - int(inst.proj_duration[p]) + 1)
    return lo, hi


def _money_lines(ctx: _Ctx, p: int, lo: int, hi: int) -> tuple[list[str], bool, set]:
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
            parts = ", ".join(f"{ctx.pool_name(b)} {_m(ctx.free[b, t])}" for b in pools)
            if left + 1e-9 < need:
                short.append(f"money left {_m(left)} < needed {_m(need)} in {ctx.year(t)} "
                             f"[{parts}]")
            else:
                ok_parts.append(f"left {_m(left)} >= needed {_m(need)} in {ctx.year(t)}")
        when = f"starting {ctx.year(s)}" if d > 1 or hi > lo else f"in {ctx.year(s)}"
        if short:
            lines.append(f"budget exhausted: {pid} (pooled cost {_m(ctx.pooled_total[p])}) "
                         f"{when}: " + "; ".join(short))
        else:
            fits_any = True
            what = "; ".join(ok_parts) or "it needs no pooled money"
            lines.append(f"money was there: {pid} {when} fits in what the plan left ({what})")
    return lines, fits_any, years


def _deadline_lines(ctx: _Ctx, pools: set, years: set) -> list[str]:
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
                    works = _few(list(yr.loc[money > 0, "project_id"]))
                    out.append(f"hard deadline {d.label()} takes {_m(money.sum())} of "
                               f"{ctx.pool_name(b)} in {ctx.year(t)} ({works})")
    return out


def _reasons(ctx: _Ctx, g: int, due: int) -> tuple[list[str], list[tuple[int, int, int]]]:
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


def _force(ctx: _Ctx, p: int, lo: int, hi: int, due: int, base_value: float,
           opts: dict) -> list[str]:
    inst, start = ctx.inst, ctx.start
    pid = inst.project_ids[p]
    lock_in = inst.lock_in.copy()
    lock_in[p] = True
    earliest, latest = inst.proj_earliest.copy(), inst.proj_latest.copy()
    earliest[p], latest[p] = max(int(earliest[p]), lo), hi
    forced = inst.replace(lock_in=lock_in, proj_earliest=earliest, proj_latest=latest)
    res = solve(forced, **opts)
    head = f"re-solve: forcing {pid} in (start {ctx.year(earliest[p])}" + (
        f"-{ctx.year(hi)}" if hi > earliest[p] else "") + f", finishing by {ctx.year(due)})"
    if not res.has_solution:
        return [f"{head} is infeasible (status {res.status.value})"]
    new = res.start
    value = plan_value(inst, new)
    lost = base_value - value
    if lost > 1e-9:
        what = f"costs the plan {_v(lost)} of value ({_v(base_value)} -> {_v(value)})"
    else:
        what = (f"costs the plan nothing ({_v(base_value)} -> {_v(value)}"
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
            out.append(f"  {label}: {_few(items)}")
    return out


# ---------------------------------------------------------------- entry point

def explain(plan_dir: Path, village: str, target: str | None = None,
            scenario: Path | None = None, **solver_opts) -> list[str]:
    """Printable lines: why each gap of `village` (or only `target`) stays open or
    closes after the village's due year in the plan at `plan_dir`, or that it closes
    on time; with a forced re-solve as evidence.  `solver_opts`: backend,
    time_limit, gap (default 0 here), threads, seed."""
    from models.budget import TimeBudget

    from .pipeline import solve_kwargs, solver_options

    plan_dir = Path(plan_dir)
    plan = read_plan(plan_dir)  # planner.plan.folder: GBK too, ids as text
    schedule, funds, summary = plan.schedule, plan.funds, plan.summary
    folder = Path(scenario) if scenario is not None else scenario_folder(plan_dir, summary)
    scn = load_scenario(folder)
    vrows = scn.villages[scn.villages["village_id"] == village]
    if vrows.empty:
        known = ", ".join(list(scn.villages["village_id"])[:20])
        raise InputError(Problem("villages.csv", f"unknown village; the scenario {folder} has: "
                                 f"{known}{' ...' if len(scn.villages) > 20 else ''}",
                                 column="village_id", value=village))
    vrow = vrows.iloc[0]
    gaps_all = list(scn.gaps.loc[scn.gaps["village_id"] == village, "target"])
    if target is not None and target not in gaps_all:
        raise InputError(Problem("gaps.csv", f"is not a gap of village {village}; its gaps: "
                                 f"{', '.join(gaps_all) or 'none'}", column="target",
                                 value=target))
    targets = [target] if target is not None else gaps_all
    first, last = scn.years[0], scn.years[-1]
    due_year = min(max(int(vrow["exit_year"]), first), last)
    head = (f"{village} {vrow['name']} ({vrow['county']}): exit year {int(vrow['exit_year'])}, "
            f"due {due_year}")
    if bool(vrow["relocated"]):
        lines = [head + "; relocated"]
        for t in targets:
            lines.append(f"{t}: stays open")
            lines.append("  - the village is relocated (relocated=true in villages.csv): "
                         "relocated villages get no works")
        return lines

    inst = build_instance(scn)
    start = _plan_start(inst, schedule)
    ctx = _Ctx(scn, inst, start, schedule, funds)
    base_value = plan_value(inst, start)
    lines = [f"{head}; plan value {_v(base_value)}"]
    opts = solver_options(scn, **solver_opts)
    run = solve_kwargs(opts, gap=solver_opts.get("gap") or 0.0)
    # one time limit for the command: each forced re-solve a share of what is left
    budget = TimeBudget(opts["time_limit"])
    solves_left = [MAX_FORCED * max(1, len(targets))]
    v = inst.village_ids.index(village)
    due = int(inst.village_due[v])
    gidx = {inst.target_codes[inst.gap_target[g]]: int(g)
            for g in np.flatnonzero(inst.gap_village == v)}
    for t in targets:
        g = gidx[t]
        mine = np.flatnonzero((inst.proj_gap == g) & (start >= 0))
        if len(mine):
            p = min(mine, key=lambda q: ctx.finish[q])
            f = int(ctx.finish[p])
            if f <= due:
                lines.append(f"{t}: closes on time: {inst.project_ids[p]} finishes "
                             f"{ctx.year(f)} (due {ctx.year(due)})")
                continue
            lines.append(f"{t}: closes late: {inst.project_ids[p]} finishes {ctx.year(f)}, "
                         f"after the due year {ctx.year(due)}; why not by {ctx.year(due)}:")
        else:
            lines.append(f"{t}: stays open: no work for it in the plan; why:")
        reasons, to_force = _reasons(ctx, g, due)
        if not reasons:
            reasons = ["no hard obstacle found: the plan put the money into works of more "
                       "value (see the re-solve)"]
        lines.extend(f"  - {r}" for r in reasons)
        if not to_force:
            lines.append(f"  re-solve: nothing to force: no candidate could close it by "
                         f"{ctx.year(due)} (see above)")
            continue
        for p, lo, hi in to_force:
            share = budget.share(1 / max(1, solves_left[0]))
            solves_left[0] -= 1
            lines.extend("  " + s for s in _force(ctx, p, lo, hi, due, base_value,
                                                  {**run, "time_limit": share}))
    return lines
