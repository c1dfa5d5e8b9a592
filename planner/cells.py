"""Text cells that a spreadsheet would run as formulas, made harmless (CSV injection).

Every CSV and xlsx the planner writes passes its cells through `neutralise`:
a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading `'` (the OWASP rule), so Excel and WPS show it as text.  A text cell
that is a plain number (`-12.5000`, a formatted money figure) is left alone:
it is a number, not a formula.  A text cell that itself starts with `'`
followed by one of those characters or another `'` gets a `'` too, so the rule
can be undone exactly: `restore(neutralise(s)) == s` for every text `s`, and
readers of the planner's files (`tables.read_output_csv`) call `restore`.
Numbers (int, float) are never touched.  In xlsx, text cells are written as
text (data type 's'), never as formulas.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """The cell as a spreadsheet shows it as text; non-text values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in TRIGGERS:
        return value if _NUMBER.fullmatch(value) else "'" + value
    if value[0] == "'" and len(value) > 1 and (value[1] in TRIGGERS or value[1] == "'"):
        return "'" + value
    return value


def restore(value):
    """Undo `neutralise` on a cell read back."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" \
            and (value[1] in TRIGGERS or value[1] == "'"):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns
            if not (pd.api.types.is_numeric_dtype(frame[c])
                    or pd.api.types.is_bool_dtype(frame[c]))]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and text header) neutralised."""
    out = frame.copy()
    for col in _text_columns(out):
        out[col] = pd.Series(_each_distinct(out[col], neutralise), index=out.index,
                             dtype=object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def _each_distinct(cells: pd.Series, change) -> np.ndarray:
    """`change` of every cell (as objects), worked out once per distinct cell where the
    cells are text or numbers (the cells that `change` returns as they are stay the same
    objects); cell by cell otherwise."""
    values = cells.to_numpy(dtype=object)
    try:
        if not (cells.dtype == object or isinstance(cells.dtype, pd.StringDtype)):
            raise TypeError(cells.dtype)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells, or not a column of objects
        return cells.map(change).astype(object).to_numpy()
    new = [change(u) for u in uniques]
    changed = [k for k, (n, u) in enumerate(zip(new, uniques)) if n is not u]
    if not changed:
        return values
    replace = np.empty(len(uniques), dtype=object)
    for k in changed:
        replace[k] = new[k]
    at = np.flatnonzero(np.isin(codes, changed))
    values = values.copy()
    values[at] = replace[codes[at]]
    return values


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo `neutralise_frame` on a frame read back (in place) and return it."""
    for col in _text_columns(frame):
        # only a text cell starting with ' can have been neutralised: map those alone
        try:
            frame[col].str  # noqa: B018 - the accessor tells a column of text
        except AttributeError:  # not a column of text
            continue
        marked = pd.Series(_starts_quoted(frame[col].to_numpy(dtype=object)),
                           index=frame.index)
        if marked.any():
            frame.loc[marked, col] = frame.loc[marked, col].map(restore)
    frame.columns = [restore(c) for c in frame.columns]
    return frame


def _starts_quoted(values: np.ndarray) -> np.ndarray:
    """str.startswith("'", na=False) of each cell, asked once per distinct cell."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    quoted = np.array([isinstance(u, str) and u.startswith("'") for u in uniques] + [False],
                      dtype=bool)
    return quoted[codes]  # code -1 (a missing cell): the False at the end


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """One workbook, a sheet per frame, text cells neutralised and typed as text."""
    from openpyxl.cell.cell import TYPE_STRING

    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in sheets.items():
            neutralise_frame(frame).to_excel(xw, sheet_name=name, index=False)
        for ws in xw.book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = TYPE_STRING
