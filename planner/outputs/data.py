"""Reading a plan folder for the outputs, and the cell texts they share.

The outputs (report, village sheets, public notice) read only the plan's own
files (`schedule.csv`, `villages.csv`, `funds.csv`, `summary.json`), never the
scenario, through planner.plan.folder's reader.  The helpers here turn a cell
into the text an output shows; they return plain `str` (never HTML): the
templates escape everything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.money import UNITS, fmt, fmt_units

from ..plan.folder import read_plan as read_folder


@dataclass
class PlanFiles:
    """A plan folder's outputs as read: summary.json and the three tables."""
    folder: Path
    summary: dict
    schedule: pd.DataFrame
    villages: pd.DataFrame
    funds: pd.DataFrame

    @property
    def scenario(self) -> str:
        return str(self.summary.get("scenario", self.folder.name))


def read_plan(plan_dir: Path) -> PlanFiles:
    """The plan folder, read by the one reader of plan folders (planner.plan.folder:
    UTF-8 or GBK, ids as text, typed)."""
    plan_dir = Path(plan_dir)
    tables = read_folder(plan_dir)
    return PlanFiles(plan_dir, tables.summary, tables.schedule, tables.villages, tables.funds)


# ---------------------------------------------------------------- cell texts

def blank(value) -> bool:
    """None, NaN or only spaces."""
    return value is None or (isinstance(value, float) and math.isnan(value)) \
        or str(value).strip() == ""


def text(value) -> str:
    """A cell as text; blanks (None, NaN) become empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def truthy(value) -> bool | None:
    """A yes/no cell (True/1/是/yes, False/0/否/no); None when blank or anything else."""
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    s = str(value).strip().lower()
    if s in ("true", "1", "是", "yes", "1.0"):
        return True
    if s in ("false", "0", "否", "no", "0.0"):
        return False
    return None


def flags(column: pd.Series) -> pd.Series:
    """A yes/no column as booleans, blank and unknown as False."""
    return column.map(truthy).fillna(False).astype(bool)


def year_text(value) -> str:
    """A year as a whole number ("2019", not "2019.0"); anything else as it is."""
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return text(value)


def int_year(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def as_number(value) -> float | str:
    """A cell as a float, NaN for a blank one, or as text when it is not a number."""
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return text(value)


def money_text(value) -> str:
    """Money as the CLI and the CSV files write it: 4 decimals, no grouping."""
    x = as_number(value)
    if isinstance(x, str):
        return x
    return "" if math.isnan(x) else fmt(x)


def num_text(value, digits: int | None = None) -> str:
    """A number: whole ones without decimals, others in the shortest form."""
    x = as_number(value)
    if isinstance(x, str):
        return x
    if math.isnan(x):
        return ""
    if digits is None:
        return str(int(x)) if x == int(x) else f"{x:g}"
    return f"{x:.{digits}f}"


def share_text(part, whole) -> str:
    """part / whole as a percentage with one decimal; "–" when whole is 0 or not a number."""
    try:
        return f"{100.0 * float(part) / float(whole):.1f}%" if float(whole) else "–"
    except (TypeError, ValueError):
        return "–"


def units(value) -> int:
    """Money in whole units of 0.0001 (one yuan when the unit is 万元); blank is 0."""
    if blank(value):
        return 0
    return int(round(float(value) * UNITS))


def units_text(amount: int) -> str:
    """Whole units written exactly with 4 decimals."""
    return fmt_units(amount)


def split_targets(value) -> list[str]:
    """A `;`-separated target list (open_targets, late_targets) as a list."""
    return [] if blank(value) else [t for t in str(value).split(";") if t and not blank(t)]
