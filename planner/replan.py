"""`planner replan`: re-plan the remaining years around what was executed.

Actuals (CSV or xlsx, one row per project started before --from):
    project_id, start_year [, cost]
`cost`, when given, is the work's real total cost and replaces the library's.
Optionally real fund amounts (`--actual-funds`, columns stream, year, amount
[, county]) replace the scenario's for those rows.

What is locked: every project in the actuals starts in its actual year; no
other project may start before --from (the past cannot be planned).  The rest
is re-optimised.  With --stable the value found is kept (as a constraint) and
the plan changes as few decisions of the previous plan as possible: a project
dropped, added or moved to another year counts as one change.  The previous
plan is --previous PLAN_DIR, or else the scenario's own plan solved afresh.
changes.csv lists each work dropped, added or moved against it, one per row, with its
village, target, years and money (planner.work_changes).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.budget import TimeBudget
from models.money import fmt_short
from models.params import SolveParams
from models.solve import solve, solve_secondary
from models.strategy import solve_planned

from .build import build_instance
from .errors import InputError, Problem, Problems
from .pipeline import Outcome, PlanningError, write_verified
from .plan import make_plan, read_plan
from .scenario import Scenario, load_scenario
from .tables import read_path
from .work_changes import work_changes


@dataclass
class Replan:
    outcome: Outcome
    previous: dict  # project_id -> start year of the previous plan
    changes: pd.DataFrame  # change, project_id, from, to, then work_changes' columns
    stable: str  # what the stability phase did


def _read(path: Path, table: str) -> pd.DataFrame:
    """--actuals / --actual-funds read like the scenario's tables (planner.tables: any
    encoding problem, blank or misspelt column is one message naming the cell); the
    columns are schema.TABLES["actuals"] / ["actual_funds"]."""
    problems = Problems()
    frame = read_path(path, table, problems)
    problems.raise_if_any()
    return frame


def apply_actuals(scn: Scenario, actuals: Path, from_year: int,
                  actual_funds: Path | None = None, warn=None) -> tuple[Scenario, dict]:
    """The scenario with the past locked; returns it and the executed starts.  An actual
    cost more than COST_WARNING away from the work's planned total cost is a warning
    (in `scn.warnings`, and told to `warn(text)` when given), one per work."""
    if from_year not in scn.years:
        raise InputError(Problem("--from", f"{from_year} is not in the horizon "
                                 f"{scn.years[0]}-{scn.years[-1]}"))
    done = _read(actuals, "actuals")
    problems = Problems()
    known = set(scn.projects["project_id"])
    started = {}
    for r in done.itertuples():
        pid, year, row = r.project_id, r.start_year, r._1
        if pid not in known:
            problems.add(actuals.name, "unknown project_id; it is not in projects.csv",
                         row=row, column="project_id", value=pid)
        elif pid in started:
            problems.add(actuals.name, "project listed twice", row=row, column="project_id",
                         value=pid)
        elif not scn.years[0] <= year < from_year:
            problems.add(actuals.name, f"an executed start must lie in {scn.years[0]}.."
                         f"{from_year - 1} (before --from)", row=row, column="start_year",
                         value=year)
        elif r.cost is not None and not pd.isna(r.cost) and r.cost < 0:
            problems.add(actuals.name, "cost must be >= 0", row=row, column="cost",
                         value=r.cost)
        else:
            started[pid] = year
    problems.raise_if_any()
    _check_started(scn, done, started, actuals.name)
    p = scn.projects.copy()
    executed = p["project_id"].isin(started)
    real = {r.project_id: float(r.cost) for r in done.itertuples()
            if r.cost is not None and not pd.isna(r.cost)}
    planned = dict(zip(p["project_id"], p["cost"]))
    for r in done.itertuples():
        if r.project_id in real and _far(real[r.project_id], planned[r.project_id]):
            text = cost_warning(actuals.name, r._1, r.project_id, real[r.project_id],
                                planned[r.project_id])
            scn.warnings.append(text)
            if warn is not None:
                warn(text)
    if real:
        p.loc[p["project_id"].isin(real), "cost"] = p["project_id"].map(real)
    p.loc[executed, "earliest_year"] = p.loc[executed, "project_id"].map(started)
    p.loc[executed, "latest_year"] = p.loc[executed, "project_id"].map(started)
    # nothing else may start in the past
    p.loc[~executed, "earliest_year"] = np.maximum(p.loc[~executed, "earliest_year"], from_year)
    impossible = ~executed & (p["earliest_year"] > np.minimum(
        p["latest_year"], scn.years[-1] - p["duration"] + 1))
    scn.projects = p[~impossible].reset_index(drop=True)
    scn.lock_in = frozenset(set(scn.lock_in) | set(started))
    scn.lock_out = frozenset(set(scn.lock_out) - set(started))
    if actual_funds is not None:
        real = _read(actual_funds, "actual_funds")
        f = scn.funds.copy()
        for r in real.itertuples():
            if r.amount < 0:
                raise InputError(Problem(actual_funds.name, "amount must be >= 0", row=r._1,
                                         column="amount", value=r.amount))
            rows = (f["stream"] == r.stream) & (f["year"] == r.year) & (f["county"] == r.county)
            if not rows.any():
                raise InputError(Problem(actual_funds.name, "no such money row in funds.csv "
                                         "(stream, year, county)", row=r._1, column="stream",
                                         value=r.stream))
            f.loc[rows, "amount"] = float(r.amount)
        scn.funds = f
    scn.input_files = list(scn.input_files) + [actuals] + ([actual_funds] if actual_funds else [])
    return scn, started


#: an actual cost this far (share of the planned total cost) from the plan is a warning
COST_WARNING = 0.10


def _far(actual: float, planned: float) -> bool:
    """The actual cost differs from the planned total by more than COST_WARNING."""
    return abs(actual - planned) > COST_WARNING * abs(planned) + 1e-9


def cost_warning(file: str, row: int, pid: str, actual: float, planned: float) -> str:
    """One line: the work, both costs, how far apart, what to check."""
    apart = f" ({(actual - planned) / planned:+.0%})" if planned else ""
    return (f"{file}, row {row}, column cost: {pid} cost {fmt_short(actual)} differs from its "
            f"planned total cost {fmt_short(planned)}{apart} by more than "
            f"{COST_WARNING:.0%}; give the work's whole cost over all its years (schedule.csv's "
            "work_cost, not the year's cost): it replaces the planned cost")


def _check_started(scn: Scenario, done: pd.DataFrame, started: dict, file: str) -> None:
    """What was executed must be possible: not locked out, not two of one alternative
    group (or one with a work the scenario forces), its prerequisites finished before it.
    Named as the cause here instead of a re-plan blaming the money."""
    from .scenario.checks import check_forced, forced_projects

    problems = Problems()
    rows = dict(zip(done["project_id"], done["_row"]))
    p = scn.projects.set_index("project_id")
    for pid, year in sorted(started.items()):
        for q in p.at[pid, "requires"]:
            fin = started.get(q, None)
            fin = fin + int(p.at[q, "duration"]) - 1 if fin is not None and q in p.index else None
            if fin is None or fin >= year:
                problems.add(file, f"{pid} started in {year}, but it requires {q}, which "
                             + ("the actuals do not list as started" if fin is None else
                                f"finished only in {fin}") + "; correct the actuals",
                             row=rows[pid], column="start_year", value=year)
    for pid in sorted(set(started) & set(scn.lock_out)):
        problems.add(file, "was executed, but the scenario locks it out (lock: out or "
                     "locked.csv); remove the lock or correct the actuals", row=rows[pid],
                     column="project_id", value=pid)
    # two executed works of one alternative group, or one beside a work the scenario forces
    forced = {**forced_projects(scn),
              **{pid: f"it was started in {year} ({file}, row {rows[pid]})"
                 for pid, year in started.items()}}
    check_forced(dataclasses.replace(scn, lock_out=frozenset()), problems, forced, file=file)
    problems.raise_if_any()


def starts(schedule: pd.DataFrame) -> dict:
    """project_id -> start year of a plan's schedule."""
    return {pid: int(year) for pid, year in zip(schedule["project_id"], schedule["start_year"])}


def previous_starts(plan_dir: Path) -> dict:
    """project_id -> start year in the plan folder (planner.plan.folder.read_plan)."""
    return starts(read_plan(plan_dir).schedule)


def replan(folder: Path, actuals: Path, from_year: int, out: Path | None, stable: bool = False,
           previous: Path | None = None, actual_funds: Path | None = None, progress=None,
           warn=None, **solver_given) -> Replan:
    """Re-plan from `from_year` (see the module's docstring).  `progress`: a
    planner.progress.Progress (or None), told each step and the solver's figures;
    `warn(text)`: told each warning on the actuals as it is found."""
    step = progress.update if progress else (lambda text: None)
    # the inputs first: bad actuals are reported before any solve
    scn, started = apply_actuals(load_scenario(folder), actuals, from_year, actual_funds,
                                 warn=warn)
    params = SolveParams.merged(scn.solver, **solver_given)
    budget = TimeBudget(params.time_limit)  # one time limit for the whole command
    if previous is not None:
        before_plan = read_plan(previous)
    else:  # the plan as first made: the scenario solved afresh
        from .pipeline import plan_scenario

        step("the previous plan: the scenario solved afresh")
        before_plan = plan_scenario(folder, None, progress=progress or False,
                                    **{**solver_given, "time_limit": budget.share(0.35)}).plan
    before = starts(before_plan.schedule)
    inst = build_instance(scn)
    # the same strategy as `planner solve`: warm start, never below it
    step(f"re-planning {from_year}-{scn.years[-1]} around {len(started)} executed work(s)")
    inst, result = solve_planned(inst, params,
                                 TimeBudget(budget.share(0.6 if stable else 1.0)),
                                 progress=progress or False)
    if not result.has_solution:
        step("no plan: finding which rules cannot hold")
        raise PlanningError(why_no_plan(scn, inst, params, result, from_year), result.status)
    what = "off"
    if stable:
        step("fewest changes from the previous plan, keeping the value")
        prev = np.array([scn.years.index(before[p]) if p in before else -1
                         for p in inst.project_ids], dtype=np.int64)
        steady = solve_secondary(inst, result.objective, {"kind": "stable", "start": prev},
                                 params.updated(time_limit=budget.left()), hint=result.start)
        if steady.has_solution and steady.objective >= result.objective - 1e-9:
            steady.bound, steady.gap, steady.status = result.bound, result.gap, result.status
            steady.options.update(result.options)
            result, what = steady, f"fewest changes ({steady.options['secondary']})"
        else:
            what = "kept the value-only plan: no stable plan found in time"
    result.options.update(replan_from=from_year, executed=len(started), stable=what)
    plan = make_plan(scn, inst, result)
    # one work per row, with its village, target, years and money (planner.work_changes)
    changes = work_changes(before_plan, plan)
    if out is not None:  # the plan and changes.csv, one folder written whole
        from .tables import write_csv

        inputs = [p for p in (actuals, previous, actual_funds) if p is not None]
        write_verified(scn, plan, Path(out), inputs=inputs,
                       extra=lambda folder: write_csv(changes, folder / "changes.csv"))
    return Replan(Outcome(scn, inst, result, plan), before, changes, what)


def why_no_plan(scn: Scenario, inst, params: SolveParams, result, from_year: int) -> str:
    """Why the remaining years cannot be planned, as `planner solve` says it
    (planner.pipeline.explain_infeasible: which rule, by how much, the money that would
    make it hold), and the villages each broken deadline leaves short in the relaxed
    plan (the plan breaking the fewest rules; another such plan may pick others)."""
    from models.evaluate import deadline_gaps
    from models.result import SolveStatus

    from .pipeline import explain_infeasible

    years = f"{from_year}" if from_year == scn.years[-1] else f"{from_year}-{scn.years[-1]}"
    head = f"no plan for {years} around what was executed"
    if result.status is not SolveStatus.INFEASIBLE:
        return (f"{head}: the solver found none ({result.status.value}); give more time with "
                "--time-limit")
    inst = inst.replace(batch_floor=())  # the hard rules only (no exit-priority counts)
    lines = explain_infeasible(inst, params)
    relaxed = solve(inst, params.updated(gap=0), elastic="rules")
    if relaxed.has_solution:
        names = dict(zip(scn.villages["village_id"], scn.villages["name"]))
        close = inst.close_year(relaxed.start)
        for (kind, label), _ in sorted(relaxed.options.get("slack", {}).items()):
            d = next((d for d in inst.deadlines if d.label == label), None)
            if kind != "deadline" or d is None:
                continue
            gaps = np.flatnonzero(deadline_gaps(inst, d) & (close > d.year))
            short = [inst.village_ids[inst.gap_village[g]] for g in gaps]
            lines.append(f"deadline {label}: villages left short in the relaxed plan: "
                         + ", ".join(f"{v} {names.get(v, '')}".strip() for v in short))
    return f"{head}: the hard rules cannot all hold with this money:\n  " + "\n  ".join(lines)
