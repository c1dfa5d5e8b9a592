"""`planner priority`: a ranked list of works, good at every budget, plans nested.

Money often arrives in tranches.  The list is made level by level over budget scales
s_1 < ... < s_K (every fund's amount times s, as `planner sweep --budget-scale`):

1. (up) level k is the scenario at scale s_k with every work of level k-1's plan locked in
   (start years free: a work may start earlier once there is more money), solved the
   way `planner solve` solves (models.strategy.solve_planned: the scenario's own exit
   priority -- under the lexicographic rule each batch's on-time count in the order
   served, then the value -- fairness, the tie-break), whole from the better of level
   k-1's plan and the planner's own warm start (models.nested.level_hint), or county by
   county where planner solve would split (`decompose`), which takes no warm start: a
   split that ends below level k-1's plan is solved again whole from that plan.  So no
   level is worse than the one below by the scenario's rule;
2. a larger budget never drops a work: level k's works hold level k-1's (the locks).
   That is `direction` up.  Down (the default) goes the other way: the largest level
   first, unconstrained (the optimum at that money), each smaller level chosen among
   the works of the plan above (every other work locked out).  Measured
   (benchmarks/priority.py, README "The priority list"), down is the better of the two
   at 15 of 16 sampled levels over the demo and a 1,000-village scenario, under the
   lexicographic and the weighted rule, and exact at the full money: up locks in what a
   small budget spent on later batches and on value, which a larger budget would rather
   spend otherwise (under the lexicographic rule, on an earlier batch);
3. the works are ranked by the level at which they enter, and within a level by
   models.nested.entry_order (exit batch under the lexicographic rule, then the value
   the level's plan loses without the work per pooled 万元, prerequisites first);
4. at sampled levels the scenario is solved again without the nesting locks (the
   optimum at that money, from the nested plan, so it is never below it) and the ratio
   nested value / optimum value is reported, with the batch the nested plan serves
   worse when the rule is lexicographic (the optimum's value may then be lower).

A level whose hard rules cannot hold with its money has no plan (priority_levels.csv
says so; `planner solve DIR/levels/xS` says which rule); the list starts at the first
level with a plan.  Each plan is written with its scenario (planner.priority_list.
levels) and verified by the independent checker before it is written; the two tables
are checked against the plans by planner.check.priority_list.  One time limit for the
command: each solve gets an equal share of what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from models.budget import TimeBudget
from models.evaluate import priority_rank
from models.nested import level_hint
from models.params import SolveParams
from models.result import SolveStatus
from models.strategy import solve_planned

from ..build import build_instance
from ..distributed import dask_mapper
from ..pipeline import PlanningError, split_by_county_wanted, write_verified
from ..plan import make_plan
from ..scenario import load_scenario
from .auto import SHARE as AUTO_SHARE, auto_levels, least_scale
from .levels import LEVELS, OPTIMUM, PLAN, label, load_level, write_base, write_level
from .tables import LEVEL_COLUMNS, PRIORITY_COLUMNS, level_rows, priority_rows, write_tables

__all__ = ["LEVEL_COLUMNS", "PRIORITY_COLUMNS", "PriorityList", "SampleError",
           "default_sample", "priority"]

#: at most this many sampled levels by default
DEFAULT_SAMPLES = 5
#: the whole solve from the plan below when the county split ends below it: this share of
#: the level's time, at least FALLBACK_SECONDS
FALLBACK_SHARE, FALLBACK_SECONDS = 0.1, 2.0


def default_sample(levels: list[float]) -> list[float]:
    """Every second level counted down from the largest, at most DEFAULT_SAMPLES (the
    smallest level is its own optimum when it has no lock of its own)."""
    return sorted(levels[::-1][::2][:DEFAULT_SAMPLES])


@dataclass
class Level:
    scale: float
    kind: str  # levels | optimum
    folder: Path
    status: str = ""
    why: tuple = ()  # (planner.priority_list.tables.WHY key, its values) without a plan
    money_units: int = 0
    inst: object = None
    result: object = None
    plan: object = None
    start: dict = field(default_factory=dict)  # project_id -> start year index

    @property
    def has_plan(self) -> bool:
        return self.plan is not None


@dataclass
class PriorityList:
    table: pd.DataFrame  # priority.csv (English)
    direction: str  # up or down, as solved
    least: float | None  # --levels auto: the least scale the hard rules hold at
    levels: pd.DataFrame  # priority_levels.csv (English)
    nested: list  # Level per scale
    optimum: dict  # scale -> Level


DIRECTIONS = ("down", "up")


class SampleError(ValueError):
    """A sampled scale that is not one of the levels."""


def priority(folder: Path, out: Path, levels: list[float] | str = "auto",
             sample: list[float] | None = None, direction: str = "down",
             lang: str | None = None, progress=None, **solver_given) -> PriorityList:
    """The priority list of the scenario in `folder`, written to `out` whole (see the
    module's docstring).  `levels`: the budget scales, or "auto" (planner.priority_list.
    auto: from the least scale at which the hard rules hold to 1); `sample`: the scales
    (among `levels`) solved without the nesting locks too (None: default_sample);
    `direction`: down (the largest level first, each smaller one chosen among the works
    of the one above: the others locked out) or up (each level holds the works of the
    one below, locked in); `progress`: a planner.progress.Progress (or None)."""
    from ..outdir import output_folder

    scn = load_scenario(folder)
    if scn.objective != "max_coverage":
        raise PlanningError("planner priority ranks works by the value they add: it needs "
                            "objective: max_coverage (this scenario has min_cost)")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
    params = SolveParams.merged(scn.solver, **solver_given)
    budget = TimeBudget(params.time_limit)
    least = None
    if isinstance(levels, str):  # "auto": from the least money the hard rules need
        least = least_scale(scn, params, budget.share(AUTO_SHARE), progress)
        if least is None:
            raise PlanningError("the hard rules cannot all hold even with the scenario's own "
                                "money, so no level has a plan (planner solve says which)")
        levels = auto_levels(least)
    levels = sorted(dict.fromkeys(float(s) for s in levels))
    sample = None if sample is None else sorted(set(float(s) for s in sample))
    if sample is not None and set(sample) - set(levels):
        raise SampleError(f"a sampled scale must be one of the levels: "
                         f"{', '.join(f'{s:g}' for s in sorted(set(sample) - set(levels)))}")
    lang = lang or scn.lang
    with output_folder(Path(out), "planner priority", scn.input_files) as stage:
        write_base(scn, stage)
        streams = list(dict.fromkeys(scn.funds["stream"]))
        projects = set(scn.projects["project_id"])
        solves = [len(levels) + len(default_sample(levels) if sample is None else sample)]
        order = levels if direction == "up" else levels[::-1]
        solved, prev = {}, None
        for i, s in enumerate(order):
            _say(progress, f"level {i + 1}/{len(levels)}: budget x{s:g}")
            keep_in = set(prev.start) if prev is not None and direction == "up" else set()
            keep_out = projects - set(prev.start) if prev is not None and direction == "down" \
                else set()
            lv = Level(s, LEVELS, write_level(stage, LEVELS, s, scn.name, streams, keep_in,
                                              keep_out))
            if direction == "down" and i > 0 and (prev is None or
                                                  solved[order[i - 1]].status == "infeasible"):
                # less money than a level with no plan, among no more works: none either
                lv.status, lv.why = "infeasible", ("below", {"above": f"{order[i - 1]:g}"})
                solves[0] -= 1
            else:
                _solve(lv, prev if direction == "up" else None, params, budget, solves,
                       progress, lang, among=prev if direction == "down" else None)
            solved[s] = lv
            prev = lv if lv.has_plan else prev
        nested = [solved[s] for s in levels]
        planned = [n.scale for n in nested if n.has_plan]
        # the optimum where the nested level has a plan: without one no plan has it (up:
        # the locks are a plan of less money's works; down: less money than a level with
        # no plan, or the time ran out); down, the largest level is its own optimum
        sample = default_sample(planned) if sample is None else [s for s in sample
                                                                 if s in planned]
        solves[0] = len(sample)
        optimum = {}
        for s in sample:
            lv = solved[s]
            if direction == "down" and s == planned[-1]:
                optimum[s] = lv  # no nesting lock: the level is the un-nested plan
                solves[0] -= 1
                continue
            _say(progress, f"optimum at budget x{s:g} (without the nesting)")
            opt = Level(s, OPTIMUM, write_level(stage, OPTIMUM, s, scn.name, streams))
            _solve(opt, lv, params, budget, solves, progress, lang)
            optimum[s] = opt
        table = priority_rows(nested)
        frame = level_rows(nested, optimum)
        write_tables(table, level_rows(nested, optimum, zh=lang == "zh"), stage, lang, scn)
    return PriorityList(table, direction, least, frame, nested, optimum)


def _say(progress, text: str) -> None:
    if progress is not None:
        progress.update(text)


def came_from(lv: Level) -> str:
    """The plan a level's solve starts from, in summary.json options.hint."""
    return "the nested plan" if lv.kind == OPTIMUM else "the plan of the level below"


def _solve(lv: Level, below: Level | None, params: SolveParams, budget: TimeBudget,
           solves: list, progress, lang: str, among: Level | None = None) -> None:
    """Plan one level's scenario from `below`'s plan (and the warm start), verify and
    write it into the level's folder; a level without a plan records why (`among`: the
    level above whose works alone it may choose, direction down)."""
    share = budget.share(1 / max(1, solves[0]))
    solves[0] -= 1
    scn = load_level(lv.folder)
    inst = build_instance(scn)
    lv.money_units = int(inst.pool_budget_units.sum())
    hint_below = None
    if below is not None:
        hint_below = np.array([below.start.get(p, -1) for p in inst.project_ids],
                              dtype=np.int64)
    own = TimeBudget(share)
    maximin = bool(scn.fairness.get("maximin"))
    if split_by_county_wanted(inst, params):
        # as planner solve solves it (county by county), which takes no warm start and
        # meets a share deadline county by county (stricter than the whole): when that
        # ends below the plan the level must not fall under, it is solved whole from that
        # plan in a tenth of its share more (never below it); when it ends with no plan,
        # whole from the better of that plan and the warm start, in its share again
        counties = len(np.unique(inst.village_county))
        solved, result = solve_planned(
            inst, params.updated(time_limit=share), own, maximin=maximin, split=True,
            county_mapper=lambda: dask_mapper(params.scheduler, tasks=counties),
            progress=progress or False)
        short = hint_below is not None and result.has_solution and priority_rank(
            inst, result.start) < priority_rank(inst, hint_below)
        if short or not result.has_solution:
            extra = max(FALLBACK_SECONDS, FALLBACK_SHARE * share) if short else share
            left = budget.left()  # within the command's one time limit
            extra = extra if left is None else max(FALLBACK_SECONDS, min(extra, left))
            again = TimeBudget(extra)
            hint = hint_below if short else level_hint(inst, hint_below, params.threads,
                                                        again.left())
            solved, result = solve_planned(inst, params.updated(time_limit=extra), again,
                                           hint=hint, maximin=maximin,
                                           progress=progress or False)
            if result.has_solution:
                result.options["hint"] = (f"{came_from(lv)} (the county split ended below "
                                          "it)" if short else "the county split found no "
                                          "plan: solved whole")
        inst = solved
    else:
        info: dict = {}
        hint = level_hint(inst, hint_below, params.threads, own.left(), info)
        inst, result = solve_planned(inst, params.updated(time_limit=share), own, hint=hint,
                                     maximin=maximin, progress=progress or False)
        if result.has_solution:
            result.options["hint"] = (came_from(lv) if hint is hint_below and hint is not None
                                      else info.get("hint", "none"))
    if not result.has_solution:
        lv.status = result.status.value
        folder = f"{lv.kind}/{label(lv.scale)}"
        lv.why = ((("among", {"folder": folder, "above": f"{among.scale:g}"}) if among
                   else ("infeasible", {"folder": folder}))
                  if result.status is SolveStatus.INFEASIBLE else
                  ("time", {"seconds": f"{share:.1f}"}))
        return
    plan = make_plan(scn, inst, result)
    write_verified(scn, plan, lv.folder / PLAN, lang=lang, command="planner priority")
    lv.status, lv.inst, lv.result, lv.plan = result.status.value, inst, result, plan
    lv.start = {p: int(y) for p, y in zip(inst.project_ids, result.start) if y >= 0}
