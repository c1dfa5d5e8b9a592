"""A sample's later years from a first year decided, and the samples' programs.

The later years are re-planned as `planner replan` re-plans them: the first year's
works are the executed works (planner.replan.lock_past, as apply_actuals locks them:
each locked in at the first year, nothing else may start in it), then the scenario is
solved as `planner solve` solves it (models.strategy.solve_planned: warm start, never
below it, tie-break).  The first year is written as replan's actuals
(`first_year_starts.csv`: project_id, start_year), which `planner replan --actuals`
reads too.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.instance import Instance
from models.params import SolveParams
from models.result import Result
from models.robust import Copy, copy_of
from models.strategy import solve_planned

from ..build import build_instance
from ..replan import lock_past
from ..scenario import Scenario
from .sampling import Draw, sample_scenario

STARTS_FILE = "first_year_starts.csv"


def write_starts(path: Path, year: int, works) -> Path:
    """The first year's works as replan's actuals: project_id, start_year."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["project_id", "start_year"])
        for pid in sorted(works):
            out.writerow([pid, year])
    return path


@dataclass
class Recourse:
    scenario: Scenario  # the sample's scenario with the first year fixed
    instance: Instance
    result: Result

    @property
    def value(self) -> float | None:
        return self.result.objective if self.result.has_solution else None

    def starts(self) -> dict:
        """project_id -> start year index of the plan (chosen works only)."""
        if not self.result.has_solution:
            return {}
        return {p: int(s) for p, s in zip(self.instance.project_ids, self.result.start)
                if s >= 0}


def recourse(scn: Scenario, first, params: SolveParams, seconds: float | None,
             hint: dict | None = None) -> Recourse:
    """The later years of sample scenario `scn` (its money and costs drawn, the first
    year's works at their cost; changed in place) with the works `first` started in the
    first year; `hint`: project_id -> start year index, a warm start."""
    fixed = lock_past(scn, {p: scn.years[0] for p in first}, scn.years[1])
    inst = build_instance(fixed)
    given = None
    if hint is not None:
        given = np.array([hint.get(p, -1) for p in inst.project_ids], dtype=np.int64)
    inst, result = solve_planned(inst, params.updated(time_limit=seconds), hint=given)
    return Recourse(fixed, inst, result)


def instances(base: Scenario, unc: dict, d: Draw) -> tuple[Instance, Instance]:
    """(now, later): the sample's money with today's costs and with the sample's costs
    (models.robust.copy_of takes the first for first-year starts, the second after)."""
    now = build_instance(sample_scenario(base, unc, d, now=frozenset(base.projects[
        "project_id"])))
    return now, build_instance(sample_scenario(base, unc, d))


def copy_for(base: Scenario, unc: dict, d: Draw) -> Copy:
    return copy_of(*instances(base, unc, d))


def as_array(inst: Instance, starts: dict) -> np.ndarray:
    """A start-year array of `inst` from project_id -> start year index."""
    return np.array([starts.get(p, -1) for p in inst.project_ids], dtype=np.int64)


def first_of(inst: Instance, start: np.ndarray) -> frozenset:
    """The works starting in the first year."""
    return frozenset(p for p, s in zip(inst.project_ids, start) if s == 0)
