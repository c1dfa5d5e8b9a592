"""`planner replan`: re-plan the remaining years around what was executed.

Actuals (CSV or xlsx, one row per project started before --from):
    project_id, start_year [, cost]
`cost`, when given, is the work's real total cost and replaces the library's.
schedule.csv's own rows may be fed back, in English or Chinese: a work's rows of
several years are one work (one start year), its total `work_cost` (项目总投资（万元）)
is the cost taken, and the year's amount (`cost` beside work_cost, 本年投入（万元）) is
not, unless nothing else gives a cost: then a work's rows' year amounts are added up
(`cost_column`; the one line `cost_note` says which was taken).  A cost more than 10 %
from the planned total is a warning.
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
from models.money import UNIT_NAME, fmt_short
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
    columns are schema.TABLES["actuals"] / ["actual_funds"], the Chinese money headers
    with or without the unit (项目总投资（万元）)."""
    problems = Problems()
    frame = read_path(path, table, problems, unit=UNIT_NAME)
    problems.raise_if_any()
    return frame


#: the actuals' columns that may give a work's total cost, in the order they are taken
COST_COLUMNS = ("work_cost", "cost", "year_cost")


def cost_column(done: pd.DataFrame) -> str | None:
    """Which column of the actuals gives each work's total cost: `work_cost` (项目总投资,
    schedule.csv's total) when the file has it, else `cost` (the actuals' total), else
    `year_cost` (本年投入, a year's amount: the work's rows added up); None: no costs."""
    return next((c for c in COST_COLUMNS if done[c].notna().any()), None)


#: the actuals' cost columns as cost_note names them (the Chinese headers they stand for)
COST_NAMES = {"work_cost": "work_cost (项目总投资)", "cost": "cost (投资)",
              "year_cost": "year_cost (本年投入)"}


def cost_note(file: str, done: pd.DataFrame, column: str | None) -> str | None:
    """One line saying which cost is taken, when the file holds another one too (as
    schedule.csv fed back does), or when the year's amounts are added up."""
    if column is None:
        return None
    if column == "year_cost":
        return (f"{file}: each work's cost is its rows' {COST_NAMES[column]}, a year's "
                "amount, added up; give work_cost (项目总投资) to state a work's total")
    others = [c for c in COST_COLUMNS if c != column and done[c].notna().any()]
    if not others:
        return None
    year = {"cost": "cost (in schedule.csv the year's amount)",
            "year_cost": f"{COST_NAMES['year_cost']}, a year's amount"}
    return (f"{file}: each work's cost is its {COST_NAMES[column]}, the work's total over all "
            f"its years; {' and '.join(year[c] for c in others)} not used")


def actual_costs(file: str, done: pd.DataFrame, column: str | None,
                 problems: Problems) -> dict[str, float]:
    """project_id -> the work's real total cost from `column` (cost_column): the one
    value of its rows (schedule.csv repeats the total on each row of the work; two values
    are an error naming the rows), or the sum of its rows' year_cost."""
    if column is None:
        return {}
    out = {}
    for pid, grp in done.groupby("project_id", sort=False):
        given = grp[grp[column].notna()]
        if given.empty:
            continue
        if column == "year_cost":
            out[pid] = float(given[column].sum())
            continue
        values = sorted(set(map(float, given[column])))
        if len(values) > 1:
            rows = ", ".join(str(r) for r in given["_row"])
            hint = ("; schedule.csv's cost is a year's amount: give its work_cost (the "
                    "work's total), or one row per work" if column == "cost" else "")
            problems.add(file, f"{pid} has {len(values)} different {column} values "
                         f"({', '.join(fmt_short(v) for v in values)}) on rows {rows}: a "
                         f"work has one total cost{hint}", row=int(given["_row"].iloc[1]),
                         column=column, value=fmt_short(values[1]))
            continue
        out[pid] = values[0]
    return out


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
    started, first = {}, {}  # project_id -> start year, its first row
    column = cost_column(done)
    for r in done.itertuples():
        pid, year, row = r.project_id, r.start_year, r._1
        negative = [c for c in COST_COLUMNS
                    if getattr(r, c) is not None and not pd.isna(getattr(r, c))
                    and getattr(r, c) < 0]
        if pid not in known:
            problems.add(actuals.name, "unknown project_id; it is not in projects.csv",
                         row=row, column="project_id", value=pid)
        elif pid in started and started[pid] != year:
            problems.add(actuals.name, f"project listed twice with two start years ("
                         f"{started[pid]} on row {first[pid]}); a work starts once",
                         row=row, column="start_year", value=year)
        elif pid in started:
            continue  # another row of the same work (schedule.csv has one per year)
        elif not scn.years[0] <= year < from_year:
            problems.add(actuals.name, f"an executed start must lie in {scn.years[0]}.."
                         f"{from_year - 1} (before --from)", row=row, column="start_year",
                         value=year)
        elif negative:
            problems.add(actuals.name, f"{negative[0]} must be >= 0", row=row,
                         column=negative[0], value=getattr(r, negative[0]))
        else:
            started[pid], first[pid] = year, row
    real = actual_costs(actuals.name, done, column, problems)
    problems.raise_if_any()
    _check_started(scn, done.drop_duplicates("project_id"), started, actuals.name)
    note = cost_note(actuals.name, done, column)
    if note is not None and warn is not None:
        warn(note)
    p = scn.projects.copy()
    planned = dict(zip(p["project_id"], p["cost"]))
    for pid, cost in real.items():
        if _far(cost, planned[pid]):
            text = cost_warning(actuals.name, first[pid], pid, cost, planned[pid], column)
            scn.warnings.append(text)
            if warn is not None:
                warn(text)
    if real:
        p.loc[p["project_id"].isin(real), "cost"] = p["project_id"].map(real)
    lock_past(scn, started, from_year, p)
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


def lock_past(scn: Scenario, started: dict, from_year: int,
              projects: pd.DataFrame | None = None) -> Scenario:
    """The past locked, in place: each executed work (`started`: project_id -> its start
    year) starts in that year, locked in; nothing else may start before `from_year` (a
    work that then cannot start and finish in the horizon is dropped).  `projects`: the
    scenario's projects with the real costs (default: its own)."""
    p = (scn.projects if projects is None else projects).copy()
    executed = p["project_id"].isin(started)
    p.loc[executed, "earliest_year"] = p.loc[executed, "project_id"].map(started)
    p.loc[executed, "latest_year"] = p.loc[executed, "project_id"].map(started)
    # nothing else may start in the past
    p.loc[~executed, "earliest_year"] = np.maximum(p.loc[~executed, "earliest_year"], from_year)
    impossible = ~executed & (p["earliest_year"] > np.minimum(
        p["latest_year"], scn.years[-1] - p["duration"] + 1))
    scn.projects = p[~impossible].reset_index(drop=True)
    scn.lock_in = frozenset(set(scn.lock_in) | set(started))
    scn.lock_out = frozenset(set(scn.lock_out) - set(started))
    return scn


#: an actual cost this far (share of the planned total cost) from the plan is a warning
COST_WARNING = 0.10


def _far(actual: float, planned: float) -> bool:
    """The actual cost differs from the planned total by more than COST_WARNING."""
    return abs(actual - planned) > COST_WARNING * abs(planned) + 1e-9


def cost_warning(file: str, row: int, pid: str, actual: float, planned: float,
                 column: str = "cost") -> str:
    """One line: the work, both costs, how far apart, what to check."""
    apart = f" ({(actual - planned) / planned:+.0%})" if planned else ""
    return (f"{file}, row {row}, column {column}: {pid} cost {fmt_short(actual)} differs from "
            f"its planned total cost {fmt_short(planned)}{apart} by more than "
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
           warn=None, lang: str | None = None, **solver_given) -> Replan:
    """Re-plan from `from_year` (see the module's docstring).  `progress`: a
    planner.progress.Progress (or None), told each step and the solver's figures;
    `warn(text)`: told each warning on the actuals as it is found; `lang`: en or zh, the
    language of the plan and changes.csv (None: the scenario's; planner.plan.lang)."""
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
        from .plan.lang import scenario_target_names, whatif_lang, write_whatif

        lang = lang or scn.lang
        words = whatif_lang(lang, scenario_target_names(scn))
        inputs = [p for p in (actuals, previous, actual_funds) if p is not None]
        write_verified(scn, plan, Path(out), inputs=inputs, lang=lang,
                       extra=lambda folder: write_whatif(changes, "changes", words,
                                                         folder / "changes.csv"))
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
