"""Result -> plan: the schedule, villages and funds tables and the summary, one module
each (`schedule`, `villages`, `funds`, `summary`), and the plan folder that holds them
(`folder`: file names, writing, the one reader, the check that a folder is whole).

The tables are made in English; planner.plan.lang writes them in Chinese with
`--lang zh` (`lang: zh` in scenario.yaml) and reads them back.

Money in the tables is whole units turned back into the scenario's unit
(models.money: one yuan when the unit is 万元), written with 4 decimals, so every
budget can be re-added exactly from the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from models.funding import allocate
from models.instance import Instance
from models.money import UNITS
from models.possible import exit_obstacles
from models.result import Result

from ..scenario import Scenario
from .folder import PlanTables, read_plan, write_plan, write_workbook
from .funds import funds_table
from .schedule import schedule_table
from .summary import summary_of
from .villages import village_table, why_zh

__all__ = ["Plan", "PlanTables", "make_plan", "read_plan", "write_plan", "write_workbook"]


@dataclass
class Plan:
    schedule: pd.DataFrame
    villages: pd.DataFrame
    funds: pd.DataFrame
    summary: dict
    #: villages.csv's why_not_possible in Chinese (for `--lang zh`), row by row
    why_zh: list[str] = field(default_factory=list)


def make_plan(scn: Scenario, inst: Instance, result: Result) -> Plan:
    if not result.has_solution:
        raise ValueError("no plan: the result has no solution")
    assert inst.money_units == UNITS, "outputs assume 4 decimals per money unit"
    alloc, outside = allocate(inst, result.start, result.flows)
    schedule = schedule_table(scn, inst, result, alloc, outside)
    blocked = exit_obstacles(inst)  # why_not_possible, in English and in Chinese
    villages = village_table(scn, inst, result, blocked)
    funds = funds_table(scn, inst, result, alloc, outside)
    summary = summary_of(scn, inst, result, schedule, villages, funds)
    return Plan(schedule, villages, funds, summary, why_zh(scn, inst, blocked))
