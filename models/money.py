"""Money, defined once: the unit scale, rounding to whole units, and how amounts are written.

Amounts in the scenario are in its money unit (万元 by default).  Inside the model
money is held in whole *units*: `UNITS` per money unit, one yuan per 万元.  Outputs
write amounts with `DECIMALS` decimals, which is exactly one unit.
"""

from __future__ import annotations

import numpy as np

#: the scenario's money unit, as the Chinese tables' money headers state it
UNIT_NAME = "万元"
#: units per scenario money unit: 1 yuan per 万元
UNITS = 10_000
#: decimals of an amount written (one unit)
DECIMALS = 4


def to_units_round(amount) -> np.ndarray:
    """Whole units of a cost: rounded half to even (np.round)."""
    return np.round(np.asarray(amount, dtype=float) * UNITS).astype(np.int64)


def to_units_floor(amount) -> np.ndarray:
    """Whole units of a budget or a limit: rounded down (money one does not have is not
    spent), with a tolerance for the float representation of the input."""
    return np.floor(np.asarray(amount, dtype=float) * UNITS + 1e-6).astype(np.int64)


def from_units(units) -> np.ndarray | float:
    """Units back to the scenario's money unit."""
    if np.isscalar(units):
        return int(units) / UNITS
    return np.asarray(units, dtype=np.int64) / UNITS


def fmt(amount: float) -> str:
    """An amount as written in the outputs: 4 decimals ("12.5000")."""
    return f"{float(amount):.{DECIMALS}f}"


def fmt_short(amount: float) -> str:
    """An amount for a sentence: up to 4 decimals, trailing zeros dropped ("12.5")."""
    s = f"{float(amount):.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_units(units: int) -> str:
    """Whole units written exactly, without a float in between ("-12.0050")."""
    units = int(units)
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // UNITS}.{units % UNITS:0{DECIMALS}d}"
