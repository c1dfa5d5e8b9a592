"""Money as every CSV of the planner writes it, the plan tables and the what-if tables
alike: exactly models.money.DECIMALS (4) decimals of the unit, one yuan of 万元
(models.money.fmt: "12.5000"), so that every budget re-adds from the rows
(../shared/contract.md).  The workbooks keep money as numbers, shown 0.0000."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from models.money import fmt


def money_cell(value):
    """One amount as written; a blank (None, NaN, "") stays blank and text (a list of
    amounts already written, "special_bonds 72.0000; ...") stays as it is."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        return value
    return "" if math.isnan(float(value)) else fmt(value)


def money_text(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """`frame` with its money `columns` (default: the float columns, as in the plan
    tables) written as text with 4 decimals; the other columns as they are."""
    out = frame.copy()
    columns = [c for c in out.columns if out[c].dtype.kind == "f"] if columns is None \
        else [c for c in columns if c in out.columns]
    for col in columns:
        cells = out[col]
        out[col] = pd.Series(_floats_text(cells.to_numpy()) if _numpy_float(cells)
                             else cells.map(money_cell).to_numpy(dtype=object),
                             index=out.index, dtype=object)
    return out


def _numpy_float(cells: pd.Series) -> bool:
    return isinstance(cells.dtype, np.dtype) and cells.dtype.kind == "f"


def _floats_text(values: np.ndarray) -> list[str]:
    """money_cell of each float of a column: fmt of every amount, NaN blank (without
    money_cell's tests of the type, cell by cell).  Each distinct amount is written once
    (a money column holds few: the nation's 12 million cells about 10^5), -0.0 as fmt
    writes it, which the factorisation would merge with 0.0."""
    codes, uniques = pd.factorize(values)
    words = np.array([fmt(u) for u in uniques.tolist()] + [""], dtype=object)
    text = words[codes]  # code -1 (NaN) takes the last word, ""
    text[(values == 0) & np.signbit(values)] = fmt(-0.0)
    return text.tolist()
