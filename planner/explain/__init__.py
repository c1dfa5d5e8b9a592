"""Why a village's gaps stay open or close late in a written plan.

`explain(plan_dir, village, target=None, scenario=None, progress=None, **solver_opts)`
reads the plan's tables and its scenario, and for each gap of the village (or only
`target`) gives the answer first, in one or two sentences:

    road: 青坪村's road closes in 2020, not 2018, because the 2018 money P00295 could
    use (...) is all spent: 2601 on works for hard deadlines (...), ... Forcing P00295
    in by 2018 would cost 1 village(s) of the 2018 batch on time (27 -> 26).

then the evidence, one finding a line (planner/explain/reasons.py):

- no candidate project, every candidate locked out, none able to finish by the due
  year (its exit year, or the first year for villages that exited before the
  horizon), or the village relocated;
- no fund stream may pay for a candidate (stream targets, the project's `streams`,
  the stream's county) -- each stream named with its reason;
- money: what the plan left unspent in each eligible pool and year (funds.csv
  carried_out + unused, followed along the carry-over chain) against what the
  cheapest candidates need that year; and where the money of the first year short
  went, each work counted once (planner/explain/spending.py: works for hard
  deadlines -- named together when two deadlines share a work --, works making
  villages of a batch exit on time, other works);
- a prerequisite not in the plan or finishing too late;
- an alternative-group partner chosen instead.

Then the re-solve (planner/explain/forced.py): the cheapest candidate that could finish
by the due year is forced in, with its start restricted so that it finishes by then,
and the program is solved the way the plan was (the exit-priority stages, the value,
the tie-break; from the plan with that work added, see forced.plan_with); the lines
say what that costs by the plan's own rule (the batches' villages on time, then the
value) and what changes, and when it costs nothing, why the plan still chose otherwise
(the tie-break: less pooled money, then earlier finishes).

`progress`: a planner.progress.Progress for the live line; None: one of its own, drawn
when stderr is a terminal; False: none.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

from models.money import fmt_short
from models.params import SolveParams
from models.solve import plan_value

from ..build import build_instance
from ..errors import InputError, Problem
from ..plan.folder import read_plan
from ..progress import progress as progress_line
from ..scenario import load_scenario
from .context import Ctx, plan_start, scenario_folder
from .forced import force_in
from .reasons import answer_clause, gap_reasons
from .spending import Ledger

__all__ = ["explain", "scenario_folder"]

#: candidates forced in per gap: the cheapest that could finish in time (each re-solve
#: is a whole lexicographic solve; the explain's time limit is shared by them all)
FORCED_PER_GAP = 1


def explain(plan_dir: Path, village: str, target: str | None = None,
            scenario: Path | None = None, progress=None, **solver_opts) -> list[str]:
    """Printable lines: for each gap of `village` (or only `target`) in the plan at
    `plan_dir`, the answer (closes on time; closes late or stays open, and why), then
    the evidence with the forced re-solves.  `solver_opts`: backend, time_limit, gap
    (default 0 here: the re-solves are exact), threads, seed, extras."""
    own = progress is None or progress is False
    with (progress_line("explain", live=None if progress is None else False) if own
          else nullcontext(progress)) as line:
        return _explain(Path(plan_dir), village, target, scenario, line, solver_opts)


def _explain(plan_dir: Path, village, target, scenario, line, solver_opts) -> list[str]:
    from models.budget import TimeBudget

    line.update(f"reading {plan_dir}")
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
    name = vrow["name"]
    gaps_all = list(scn.gaps.loc[scn.gaps["village_id"] == village, "target"])
    if target is not None and target not in gaps_all:
        raise InputError(Problem("gaps.csv", f"is not a gap of village {village}; its gaps: "
                                 f"{', '.join(gaps_all) or 'none'}", column="target",
                                 value=target))
    targets = [target] if target is not None else gaps_all
    first, last = scn.years[0], scn.years[-1]
    due_year = min(max(int(vrow["exit_year"]), first), last)
    head = (f"{village} {name} ({vrow['county']}): exit year {int(vrow['exit_year'])}, "
            f"due {due_year}")
    if bool(vrow["relocated"]):
        lines = [head + "; relocated"]
        for t in targets:
            lines.append(f"{t}: {name}'s {t} stays open because the village is relocated "
                         "(relocated=true in villages.csv): relocated villages get no works.")
        return lines

    inst = build_instance(scn)
    start = plan_start(inst, schedule)
    ctx = Ctx(scn, inst, start, schedule, funds, summary)
    ledger = Ledger(ctx)
    v = inst.village_ids.index(village)
    standing = "on time" if ctx.on_time[v] else "not on time"
    lines = [f"{head}, {standing} in the plan; plan value {fmt_short(plan_value(inst, start))}"]
    params = SolveParams.merged(scn.solver, **solver_opts)
    params = replace(params, gap=solver_opts.get("gap") or 0.0)  # a proven optimum here
    # one time limit for the command: each forced re-solve a share of what is left
    budget = TimeBudget(params.time_limit)
    solves_left = [FORCED_PER_GAP * max(1, len(targets))]
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
                lines.append(f"{t}: {name}'s {t} closes on time: {inst.project_ids[p]} "
                             f"finishes {ctx.year(f)} (due {ctx.year(due)}).")
                continue
            state = f"closes in {ctx.year(f)}, not {ctx.year(due)}"
            fact = f"{inst.project_ids[p]} finishes {ctx.year(f)}, after the due year"
        else:
            state = f"stays open (due {ctx.year(due)})"
            fact = "no work for it in the plan"
        line.update(f"{t}: finding why")
        found, candidates = gap_reasons(ctx, g, due, ledger)
        to_force = candidates[:FORCED_PER_GAP]
        forced = []
        for k, (p, lo, hi) in enumerate(to_force):
            line.update(f"{t}: forcing {inst.project_ids[p]} in" + (
                f" ({k + 1} of {len(to_force)})" if len(to_force) > 1 else ""))
            share = budget.share(1 / max(1, solves_left[0]))
            solves_left[0] -= 1
            forced.append(force_in(ctx, p, lo, hi, due, replace(params, time_limit=share),
                                   progress=line))
        answer = f"{t}: {name}'s {t} {state}, because {answer_clause(found)}."
        if forced:
            answer += " " + forced[0].sentence
        lines.append(answer)
        lines.append(f"  evidence ({fact}):")
        lines.extend(f"  - {f.text}" for f in found if f.text)
        if not to_force:
            lines.append(f"  re-solve: nothing to force: no candidate could close it by "
                         f"{ctx.year(due)} (see above)")
        for one in forced:
            lines.extend("  " + s for s in one.lines)
    return lines
