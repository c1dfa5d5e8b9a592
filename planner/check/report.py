"""Violations, the report that collects them, and the checker's money constants."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

TOL = 1e-6  # sums of written numbers re-add exactly
ONE_UNIT = 1.0001e-4  # one unit of money, where the input's cost is rounded
MONEY_UNITS = 10_000  # units per money unit (4 decimals: one yuan per 万元)
VALUE_QUANTUM = 1e-4  # value coefficients are rounded to this
SHOW = 20  # violations listed per check before "... and N more"


@dataclass
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


class Report:
    """Collects violations; a check listing many rows shows the first `SHOW`."""

    def __init__(self):
        self.items: list[Violation] = []

    def add(self, rule: str, message: str) -> None:
        self.items.append(Violation(rule, message))

    def each(self, rule: str, frame: pd.DataFrame, fmt) -> None:
        """One violation per row of `frame` (as a dict), then a count of the rest."""
        if frame.empty:
            return
        for row in frame.head(SHOW).to_dict("records"):
            self.add(rule, fmt(row))
        if len(frame) > SHOW:
            self.add(rule, f"... and {len(frame) - SHOW} more like the above")

    def each_group(self, rule: str, frame: pd.DataFrame, keys: list[str], fmt) -> None:
        """One violation per group of `frame` by `keys` (`fmt` gets the group's rows)."""
        if frame.empty:
            return
        codes = frame.groupby(keys, sort=False).ngroup()
        n = int(codes.max()) + 1 if len(frame) else 0
        head = codes < SHOW
        for _, grp in frame[head].groupby(codes[head], sort=True):
            self.add(rule, fmt(grp))
        if n > SHOW:
            self.add(rule, f"... and {n - SHOW} more like the above")


def money(x) -> str:
    """Money as written: 4 decimals."""
    return f"{x:.4f}"


def county_text(county: str) -> str:
    return f", county {county}" if county else " (pooled)"


def budget_units(amount) -> float:
    """An input amount as whole units, rounded down (budgets are rounded down)."""
    import numpy as np

    return np.floor(np.asarray(amount, dtype=float) * MONEY_UNITS + 1e-6)
