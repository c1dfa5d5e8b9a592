"""files -> scenario -> instance -> solve -> plan -> verify -> written outputs.

The one function the CLI and the other commands call to plan a scenario.
Outputs go to a temporary folder beside the target, are verified there, and
only then replace the target folder, so an interrupted run leaves the earlier
plan whole.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from models.budget import OUTPUT_FACTOR, TimeBudget
from models.instance import Instance
from models.money import fmt
from models.params import AUTO_SPLIT_PROJECTS, SolveParams
from models.possible import exit_obstacles
from models.result import Result, SolveStatus
from models.solve import solve
from models.strategy import solve_planned

from .build import build_instance
from .plan import Plan, make_plan, write_plan, write_workbook
from .scenario import Scenario, load_scenario


class PlanningError(Exception):
    """No plan can be written: infeasible rules, no plan in the time limit, or a bad plan."""

    exit_code = 1

    def __init__(self, message: str, status: SolveStatus | None = None):
        super().__init__(message)
        self.status = status  # the solver's status when the solver found no plan


class VerificationError(PlanningError):
    """The plan the solver returned failed the independent checker: a bug, never hidden."""

    exit_code = 3


@dataclass
class Outcome:
    scenario: Scenario
    instance: Instance
    result: Result
    plan: Plan | None


def explain_infeasible(inst: Instance, params: SolveParams, lang: str = "en",
                       target_names: dict[str, str] | None = None) -> list[str]:
    """Which hard rules cannot hold, by how much, and the money that would make them hold;
    in Chinese with `lang="zh"` (a deadline in words, planner.plan.lang.deadline_text,
    by `target_names`, code -> name; a fund stream by its name)."""
    from .headers import stream_name_zh
    from .plan.lang import deadline_text

    zh = lang == "zh"
    lines = []
    exact = replace(params, gap=0)
    rules = solve(inst, exact, elastic="rules")
    if rules.has_solution:
        for (kind, label), amount in sorted(rules.options.get("slack", {}).items()):
            if kind == "deadline":
                lines.append(f"政策时限（{deadline_text(label, True, target_names)}）无法达到："
                             f"差 {amount:.0f} 个村" if zh else
                             f"deadline {label} cannot be met: short by {amount:.0f} village(s)")
            elif kind == "lock":
                lines.append(f"锁定必做的项目 {label} 无法实施" if zh else
                             f"locked-in project {label} cannot be done")
            elif kind == "exit":
                lines.append(f"{label} 的退出标准无法在退出年度前达到" if zh else
                             f"exit standard of {label} cannot be met by the exit year")
    money = solve(inst, exact, elastic="money")
    if money.has_solution:
        missing = {}
        for (_kind, label), amount in money.options.get("slack", {}).items():
            b, t = map(int, label.split(":"))
            c = inst.pool_county[b]
            county = inst.county_names[c] if c >= 0 else ("不分县统筹" if zh else "pooled")
            stream = inst.pool_stream[b]
            missing[(stream_name_zh(stream) if zh else stream, county, int(inst.years[t]))] = \
                amount
        total = sum(missing.values())
        if missing:
            lines.append(f"满足全部硬约束至少还缺资金 {fmt(total)}，其中：" if zh else
                         f"money missing to meet every hard rule: {fmt(total)} in all, at least:")
            for (stream, county, year), amount in sorted(missing.items()):
                lines.append(f"  {stream}（{county}）{year}年：{fmt(amount)}" if zh else
                             f"  {stream} ({county}) {year}: {fmt(amount)}")
    elif rules.has_solution and not lines:
        lines.append("增加资金也无济于事：有规则在结构上无法满足" if zh else
                     "no money would help: a rule is structurally impossible")
    return lines or ["规则相互矛盾（放松任何规则都找不到方案）" if zh else
                     "the rules contradict each other (no relaxation found a plan)"]


#: the first line of the diagnosis, before its lines (explain_infeasible)
NO_PLAN_HEAD = {"en": "the hard rules cannot all hold with this money:",
                "zh": "现有资金下硬约束无法同时满足："}


def split_by_county_wanted(inst: Instance, params: SolveParams) -> bool:
    """decompose: off | county | auto (>= 2 counties and AUTO_SPLIT_PROJECTS projects)."""
    from models.county_parts import separable

    mode = params.decompose
    if mode == "off" or len(np.unique(inst.village_county)) < 2:
        return False
    # the split cuts every shared pool into county slices (models.pooled_split.share_out,
    # each slice with its pool's other rules): whatever else would stop it is what
    # separable finds with the pools taken as the counties' (no cut of the whole
    # eligibility needed to ask: on the nation that cut alone took minutes)
    why = separable(inst.replace(pool_county=np.maximum(inst.pool_county, 0)))
    if mode == "county":
        if why:
            raise PlanningError(f"--decompose county: cannot split this scenario: {why}")
        return True
    return why is None and inst.n_projects >= AUTO_SPLIT_PROJECTS


def _county_mapper(params: SolveParams, inst: Instance):
    """Dask tasks for the county programs (a local cluster unless a scheduler is given)."""
    from .distributed import dask_mapper

    return dask_mapper(params.scheduler, tasks=len(np.unique(inst.village_county)))


def plan_scenario(folder: str | Path | Scenario, out: str | Path | None = None, *,
                  params: SolveParams | None = None,
                  verbose=False, hint: np.ndarray | None = None, use_hint: bool = True,
                  progress=False, fmt: str = "csv", lang: str | None = None,
                  explain: bool = True, priority_cost: bool = False,
                  notice=None, **solver_given) -> Outcome:
    """Plan a scenario folder (or an already loaded, possibly modified, Scenario).

    The settings: `SolveParams.merged(scenario.yaml's solver:, **solver_given)`; a
    `params` given is used as it is (the scenario's `solver:` not read), with
    `solver_given` in its place.  `use_hint`: without a `hint`, start from the better of
    the LP dive and the greedy plan; `progress`: live progress line; `explain`: when the
    hard rules cannot hold, find out which (two more solves) before raising; `notice`:
    called with each line of `exit_notes` before the solve; `lang`: en or zh, the
    language of the tables written and of the diagnosis when the hard rules cannot hold
    (None: scenario.yaml's `lang`, else en);
    `priority_cost`: also plan under the weighted rule and record what the lexicographic
    exit priority cost each batch (models.strategy.solve_planned)."""
    started = time.monotonic()
    scn = folder if isinstance(folder, Scenario) else load_scenario(folder)
    inst = build_instance(scn)
    # checking goes over every input again and writing follows the plan's size: keep back
    # time in proportion to what reading and building took (models.budget)
    kept = OUTPUT_FACTOR * (time.monotonic() - started) if out is not None else 0.0
    for line in exit_notes(scn, inst) if notice else ():
        notice(line)
    params = (SolveParams.merged(scn.solver, **solver_given) if params is None
              else params.updated(**solver_given))
    budget = TimeBudget(params.time_limit, started, kept)
    inst, result = solve_planned(
        inst, params, budget, hint=hint, use_hint=use_hint,
        maximin=bool(scn.fairness.get("maximin")), split=split_by_county_wanted(inst, params),
        county_mapper=lambda: _county_mapper(params, inst),
        verbose=verbose, progress=progress, priority_cost=priority_cost)
    if not result.has_solution:
        if result.status is SolveStatus.INFEASIBLE:
            said = lang or scn.lang  # the diagnosis in the language of the outputs
            why = explain_infeasible(inst, params, said, {
                c: t.get("name_zh", "") for c, t in scn.targets.items()}) if explain \
                else ["(not explained)"]
            raise PlanningError(NO_PLAN_HEAD.get(said, NO_PLAN_HEAD["en"]) + "\n  "
                                + "\n  ".join(why), result.status)
        if result.status is SolveStatus.TIME_LIMIT:
            lost = result.options.get("failed_counties")
            where = (f" in {len(lost)} of {result.options.get('parts')} counties ("
                     + ", ".join(map(str, lost[:5])) + (", ..." if len(lost) > 5 else "")
                     + ")") if lost else ""
            raise PlanningError(f"no plan found within the time limit of {params.time_limit} s "
                                f"({result.backend}){where}; give more time with "
                                "--time-limit", result.status)
        raise PlanningError(f"the solver {result.backend} ended with status "
                            f"{result.status.value} and no plan", result.status)
    plan = make_plan(scn, inst, result)
    if out is not None:
        write_verified(scn, plan, Path(out), fmt=fmt, lang=lang)
    return Outcome(scn, inst, result, plan)


def exit_notes(scn: Scenario, inst: Instance, most: int = 12) -> list[str]:
    """The villages no money can make on time (models.possible), per exit batch, with
    why: for `planner validate` and `planner solve` to say up front."""
    from .plan.villages import why

    blocked = exit_obstacles(inst)
    if not blocked:
        return []
    vil = scn.villages.set_index("village_id")
    years = [int(vil.loc[inst.village_ids[v], "exit_year"]) for v in blocked]
    per = ", ".join(f"{n} of the {y} batch" if y >= scn.years[0] else f"{n} exited in {y}"
                    for y, n in sorted(Counter(years).items()))
    lines = [f"{len(blocked)} village(s) cannot be on time whatever the money ({per}):"]
    for v, obstacles in list(blocked.items())[:most]:
        vid = inst.village_ids[v]
        lines.append(f"  {vid} {vil.loc[vid, 'name']}: "
                     + "; ".join(why(inst, o) for o in obstacles))
    if len(blocked) > most:
        lines.append(f"  ... and {len(blocked) - most} more (villages.csv why_not_possible)")
    return lines


def write_verified(scn: Scenario, plan: Plan, out: Path, fmt: str = "csv",
                   lang: str | None = None, extra=None, inputs=(),
                   command: str | None = None) -> None:
    """Write into a staging folder beside `out`, verify it there, then swap it into place
    (planner.outdir: `out` must be missing, empty or a planner folder, never an input
    folder or above one). fmt="xlsx" adds plan.xlsx (the CSV files stay: `planner check`
    reads them); `lang`: en or zh (planner.plan.lang; None: the scenario's); `extra(folder)`
    writes more files into the same folder (replan's changes.csv); `inputs`: more input
    paths the folder must not hold."""
    from .outdir import output_folder
    from .verify import verify_plan

    lang = lang or scn.lang
    with output_folder(Path(out), command or _command(), [*scn.input_files, *inputs]) as tmp:
        write_plan(plan, tmp, lang)
        problems = verify_plan(scn, tmp)
        if problems:
            raise VerificationError("the plan failed the independent check (a bug; please "
                                    "report it):\n  " + "\n  ".join(
                                        f"[{v.rule}] {v.message}" for v in problems[:20]))
        if fmt == "xlsx":
            write_workbook(plan, tmp / "plan.xlsx", lang)
        if extra is not None:
            extra(tmp)


def _command() -> str:
    import sys

    return " ".join(["planner", *sys.argv[1:2]]) if sys.argv[1:2] else "planner"


def guard_inputs(scn: Scenario, out: Path) -> None:
    """A run never writes into or above its inputs (planner.outdir.guard_inputs)."""
    from .outdir import guard_inputs as guard, resolve_target

    guard(resolve_target(Path(out)), scn.input_files, Path(out))
