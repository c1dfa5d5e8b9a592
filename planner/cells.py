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
        out[col] = out[col].map(neutralise).astype(object)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo `neutralise_frame` on a frame read back (in place) and return it."""
    for col in _text_columns(frame):
        # only a text cell starting with ' can have been neutralised: map those alone
        try:
            marked = frame[col].str.startswith("'", na=False).astype(bool)
        except AttributeError:  # not a column of text
            continue
        if marked.any():
            frame.loc[marked, col] = frame.loc[marked, col].map(restore)
    frame.columns = [restore(c) for c in frame.columns]
    return frame


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
