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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.solve import solve, solve_secondary

from .build import build_instance
from .errors import InputError, Problem, Problems
from .pipeline import Outcome, PlanningError, solve_kwargs, solver_options, write_verified
from .plan import make_plan
from .scenario import Scenario, load_scenario
from .tables import decode_csv


@dataclass
class Replan:
    outcome: Outcome
    previous: dict  # project_id -> start year of the previous plan
    changes: pd.DataFrame  # change, project_id, from, to
    stable: str  # what the stability phase did


def _read(path: Path, columns: dict) -> pd.DataFrame:
    """A small CSV/xlsx with the given columns (name -> type), errors with row and column."""
    import io

    name = path.name
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(io.StringIO(decode_csv(path.read_bytes())), dtype=str,
                                keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(Problem(name, f"cannot be read as a table ({exc})")) from None
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    problems = Problems()
    for col, (kind, required) in columns.items():
        if col not in frame.columns:
            if required:
                problems.add(name, f"required column {col!r} is missing", row=1)
            continue
        for i, text in enumerate(frame[col]):
            text = text.strip()
            if text == "" and not required:
                continue
            if kind in ("int", "float"):
                try:
                    number = float(text)
                except ValueError:
                    problems.add(name, f"is not a {'year' if kind == 'int' else 'number'}",
                                 row=i + 2, column=col, value=text)
                    continue
                if number < 0 or (kind == "int" and number != int(number)):
                    problems.add(name, "must be a whole year" if kind == "int" else
                                 "must be >= 0", row=i + 2, column=col, value=text)
            elif text == "":
                problems.add(name, "is blank", row=i + 2, column=col)
    problems.raise_if_any()
    return frame


def apply_actuals(scn: Scenario, actuals: Path, from_year: int,
                  actual_funds: Path | None = None) -> tuple[Scenario, dict]:
    """The scenario with the past locked; returns it and the executed starts."""
    if from_year not in scn.years:
        raise InputError(Problem("--from", f"{from_year} is not in the horizon "
                                 f"{scn.years[0]}-{scn.years[-1]}"))
    done = _read(actuals, {"project_id": ("id", True), "start_year": ("int", True),
                           "cost": ("float", False)})
    problems = Problems()
    known = set(scn.projects["project_id"])
    started = {}
    for i, r in done.iterrows():
        pid, year = r["project_id"].strip(), int(float(r["start_year"]))
        if pid not in known:
            problems.add(actuals.name, "unknown project_id", row=i + 2, column="project_id",
                         value=pid)
        elif pid in started:
            problems.add(actuals.name, "project listed twice", row=i + 2, column="project_id",
                         value=pid)
        elif not scn.years[0] <= year < from_year:
            problems.add(actuals.name, f"an executed start must lie in {scn.years[0]}.."
                         f"{from_year - 1} (before --from)", row=i + 2, column="start_year",
                         value=year)
        else:
            started[pid] = year
    problems.raise_if_any()
    p = scn.projects.copy()
    executed = p["project_id"].isin(started)
    if "cost" in done.columns:
        real = {r["project_id"].strip(): float(r["cost"]) for _, r in done.iterrows()
                if r["cost"].strip()}
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
        real = _read(actual_funds, {"stream": ("id", True), "year": ("int", True),
                                    "amount": ("float", True), "county": ("id", False)})
        f = scn.funds.copy()
        for i, r in real.iterrows():
            county = r.get("county", "").strip() if "county" in real.columns else ""
            rows = ((f["stream"] == r["stream"].strip()) & (f["year"] == int(float(r["year"])))
                    & (f["county"] == county))
            if not rows.any():
                raise InputError(Problem(actual_funds.name, "no such money row in funds.csv "
                                         "(stream, year, county)", row=i + 2, column="stream",
                                         value=r["stream"]))
            f.loc[rows, "amount"] = float(r["amount"])
        scn.funds = f
    scn.input_files = list(scn.input_files) + [actuals] + ([actual_funds] if actual_funds else [])
    return scn, started


def previous_starts(plan_dir: Path) -> dict:
    from .cells import restore_frame

    sched = restore_frame(pd.read_csv(plan_dir / "schedule.csv", encoding="utf-8-sig", dtype=str))
    return dict(zip(sched["project_id"], sched["start_year"].astype(int)))


def replan(folder: Path, actuals: Path, from_year: int, out: Path | None, stable: bool = False,
           previous: Path | None = None, actual_funds: Path | None = None,
           **solver_given) -> Replan:
    if previous is not None:
        before = previous_starts(previous)
    else:  # the plan as first made: the scenario solved afresh
        from .pipeline import plan_scenario

        first = plan_scenario(folder, None, **solver_given)
        before = dict(zip(first.plan.schedule["project_id"], first.plan.schedule["start_year"]))
    scn, started = apply_actuals(load_scenario(folder), actuals, from_year, actual_funds)
    inst = build_instance(scn)
    opts = solver_options(scn, **solver_given)
    kw = solve_kwargs(opts)
    result = solve(inst, **kw)
    if not result.has_solution:
        raise PlanningError(f"no plan for the remaining years ({result.status.value}); "
                            "`planner solve` on the scenario explains infeasible rules")
    what = "off"
    if stable:
        prev = np.array([scn.years.index(before[p]) if p in before else -1
                         for p in inst.project_ids], dtype=np.int64)
        steady = solve_secondary(inst, result.objective, {"kind": "stable", "start": prev},
                                 hint=result.start, **kw)
        if steady.has_solution and steady.objective >= result.objective - 1e-9:
            steady.bound, steady.gap, steady.status = result.bound, result.gap, result.status
            steady.options.update(result.options)
            result, what = steady, f"fewest changes ({steady.options['secondary']})"
        else:
            what = "kept the value-only plan: no stable plan found in time"
    result.options.update(replan_from=from_year, executed=len(started), stable=what)
    plan = make_plan(scn, inst, result)
    after = dict(zip(plan.schedule["project_id"], plan.schedule["start_year"]))
    rows = []
    for pid in sorted(set(before) | set(after)):
        a, b = before.get(pid), after.get(pid)
        if a == b:
            continue
        kind = "dropped" if b is None else "added" if a is None else "moved"
        rows.append({"change": kind, "project_id": pid, "from": a if a is not None else "",
                     "to": b if b is not None else ""})
    changes = pd.DataFrame(rows, columns=["change", "project_id", "from", "to"])
    if out is not None:  # the plan and changes.csv, one folder written whole
        from .tables import write_csv

        inputs = [p for p in (actuals, previous, actual_funds) if p is not None]
        write_verified(scn, plan, Path(out), inputs=inputs,
                       extra=lambda folder: write_csv(changes, folder / "changes.csv"))
    return Replan(Outcome(scn, inst, result, plan), before, changes, what)
