"""The independent checker: re-verify a written plan folder against its inputs.

`verify_plan(scn, plan_dir)` reads `schedule.csv`, `villages.csv`, `funds.csv`
and `summary.json` from `plan_dir` and recomputes every rule and every number
the plan states from the scenario's input files and these plan files alone.  It
shares the file readers with the planner (`planner.tables`, `planner.schema`)
but no semantics: it imports nothing from the model (`models/`) nor from the
code that builds the model or writes the plan (`planner.build`, `planner.plan`),
and reads `scenario.yaml` itself (`planner.check.inputs` says what it takes from
the loaded Scenario, and why).  An empty list means the plan is accepted.

Money.  Amounts are written with 4 decimals: one unit is 0.0001 of the
scenario's money unit (one yuan per 万元).  Sums of written numbers must re-add
exactly (`TOL`); where the rounding of an input's cost is involved, one unit is
allowed (`ONE_UNIT`).  Budgets are rounded down to whole units.

Rule codes (`Violation.rule`), by module:

  files     file, column, number   a plan file is missing or unreadable, lacks a
                           column, or holds a malformed number
  language  column, summary   a table mixes English and Chinese headers, a Chinese
                           money header does not state the unit (万元), or summary.json's
                           lang, money_unit or target_names are not the tables' and
                           the inputs'
  inputs    inputs         the loaded Scenario is not what the files say (villages,
                           gaps, projects, excluded money), or summary.json's
                           input hashes are not those of the files
  projects  project        schedule row names an unknown project, or a
                           village/target/county other than projects.csv's
            label          village_name, township, exit_year, target_name or
                           department differs from the inputs
            relocated      a work in a relocated village
            start          rows of a project disagree on start/finish, or the
                           start lies outside earliest_year..latest_year
            finish         finish_year != start + duration - 1, or after the horizon
            rows           a spending year without a row, a row outside the
                           project's years, or two rows for one project and year
            cost           cost / pooled_cost / self_funded of a row, or a
                           project's total, differs from the inputs; work_cost is
                           not the project's cost, work_pooled_cost not its rows'
                           pooled_cost added up
            requires, alternative_group, one_per_gap, lock
  money     streams        a negative stream amount, or streams (and outside
                           money) not adding up to pooled_cost
            eligibility    money from a stream that may not pay for the project
            leverage       outside money without leverage, beyond K x the stream's
                           money of the row (work and year) or of the pool and
                           year, or beyond outside_limit
            budget         a pool spends more than its budget plus carry-over
            funds          funds.csv differs from the ledger recomputed from
                           the schedule and the funds input
            reserve        villages outside deep poverty use a reserved share
  policy    deadline, fairness, exit_standard (min_cost)
  villages  villages       villages.csv differs from the recomputed table
  summary   summary        summary.json lacks a contract key or a fact differs
            objective      the objective differs from the plan's recomputed
                           value, or lies beyond the best bound
            status         status, bound and gap disagree: no plan status, gap
                           not |bound - objective| / max(|objective|, 1e-9),
                           `optimal` beyond the requested gap or without a bound
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from . import money, policy, projects
from .facts import Facts
from .files import money_columns, read_funds, read_schedule, read_summary, read_villages
from .inputs import read_inputs
from .language import check_language
from .priority_list import check_priority  # planner priority's tables against its plans
from .report import Report, Violation
from .robust import check_robust_folder  # planner robust's tables against its samples
from .summary import check_summary
from .villages import check_villages_table, check_why_not_possible

__all__ = ["Violation", "check_priority", "check_robust_folder", "verify_plan"]


def verify_plan(scn, plan_dir: Path) -> list[Violation]:
    """Every rule the plan in `plan_dir` breaks; an empty list accepts the plan."""
    plan_dir = Path(plan_dir)
    rep = Report()
    try:
        inp = read_inputs(scn)
    except InputError as exc:
        rep.add("inputs", f"the scenario's files cannot be read by the checker: {exc}")
        return rep.items
    for problem in inp.problems:
        rep.add("inputs", problem)
    streams = list(dict.fromkeys(inp.funds["stream"]))
    sched = read_schedule(plan_dir, streams, rep)
    funds = read_funds(plan_dir, rep)
    villages = read_villages(plan_dir, rep)
    summary = read_summary(plan_dir, rep)
    tables = {"schedule.csv": sched, "villages.csv": villages, "funds.csv": funds}
    check_language(tables, money_columns(tables), summary, inp, rep)
    if sched is None:
        return rep.items  # nothing else can be recomputed without the schedule

    f = Facts(inp, sched, streams)
    for check in (projects.check_projects, projects.check_relocated, projects.check_start,
                  projects.check_finish, projects.check_rows, projects.check_costs,
                  money.check_streams, money.check_eligibility, money.check_leverage):
        check(f, rep)
    ledger = money.check_budget(f, rep)
    if funds is not None:
        money.check_funds_table(ledger, funds, rep)
    for check in (projects.check_requires, projects.check_alternative_groups,
                  projects.check_one_per_gap, projects.check_locks, policy.check_deadlines,
                  policy.check_fairness, money.check_reserve):
        check(f, rep)
    if inp.objective == "min_cost":
        policy.check_exit_standard(f, rep)
    if villages is not None:
        check_villages_table(f, villages, rep)
        check_why_not_possible(villages, rep)
    if summary is not None:
        check_summary(f, summary, ledger, rep)
    return rep.items
