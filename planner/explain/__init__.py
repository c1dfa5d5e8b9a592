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

from dataclasses import replace
from pathlib import Path

import numpy as np

from models.money import fmt_short
from models.params import SolveParams
from models.solve import plan_value

from ..build import build_instance
from ..errors import InputError, Problem
from ..plan.folder import read_plan
from ..scenario import load_scenario
from .context import MAX_FORCED, Ctx, plan_start, scenario_folder
from .forced import force_in
from .reasons import gap_reasons

# ---------------------------------------------------------------- entry point

def explain(plan_dir: Path, village: str, target: str | None = None,
            scenario: Path | None = None, **solver_opts) -> list[str]:
    """Printable lines: why each gap of `village` (or only `target`) stays open or
    closes after the village's due year in the plan at `plan_dir`, or that it closes
    on time; with a forced re-solve as evidence.  `solver_opts`: backend,
    time_limit, gap (default 0 here), threads, seed."""
    from models.budget import TimeBudget

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
    start = plan_start(inst, schedule)
    ctx = Ctx(scn, inst, start, schedule, funds)
    base_value = plan_value(inst, start)
    lines = [f"{head}; plan value {fmt_short(base_value)}"]
    params = SolveParams.merged(scn.solver, **solver_opts)
    params = replace(params, gap=solver_opts.get("gap") or 0.0)  # a proven optimum here
    # one time limit for the command: each forced re-solve a share of what is left
    budget = TimeBudget(params.time_limit)
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
        reasons, to_force = gap_reasons(ctx, g, due)
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
            lines.extend("  " + s for s in force_in(ctx, p, lo, hi, due, base_value,
                                                  replace(params, time_limit=share)))
    return lines
