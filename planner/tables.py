"""Read the input tables (CSV in UTF-8/BOM/GB18030, or .xlsx) and write outputs.

Reading turns every cell into its schema type and reports each bad cell with
file, spreadsheet row (the header is row 1), column, the value and what would
be valid.  Nothing here knows the model.
"""

from __future__ import annotations

import difflib
import io
import math
from pathlib import Path

import pandas as pd

from .errors import Problems
from .schema import FALSE_WORDS, TABLES, TRUE_WORDS, Column

ROW_OFFSET = 2  # data row i (0-based) is spreadsheet row i + 2


def find_table(folder: Path, table: str) -> Path | None:
    for ext in (".csv", ".xlsx"):
        path = folder / f"{table}{ext}"
        if path.is_file():
            return path
    return None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise GB18030, a superset of GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _raw_frame(path: Path, problems: Problems) -> pd.DataFrame | None:
    name = path.name
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, sheet_name=0, dtype=str, header=0,
                                  keep_default_na=False, engine="openpyxl")
        else:
            text = decode_csv(path.read_bytes())
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                                skipinitialspace=True)
    except UnicodeDecodeError:
        problems.add(name, "cannot be read as UTF-8 or GB18030/GBK text; save it as CSV UTF-8")
        return None
    except pd.errors.EmptyDataError:
        problems.add(name, "the file is empty; it needs a header row and at least one data row")
        return None
    except pd.errors.ParserError as exc:
        problems.add(name, f"is not a well-formed CSV table ({str(exc).strip()})")
        return None
    except (ValueError, OSError, KeyError) as exc:
        problems.add(name, f"cannot be read as a table ({exc})")
        return None
    frame = frame.fillna("")
    frame.columns = [_header(c) for c in frame.columns]
    frame = frame.apply(lambda col: col.astype(str).str.strip())
    return frame


def _header(name) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return "_".join(text.split())


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    return None


def _parse_cell(col: Column, text: str):
    """Return (value, error message or None) for one non-blank cell."""
    if col.type in ("id", "str"):
        return text, None
    if col.type in ("int", "year"):
        try:
            number = float(text)
        except ValueError:
            return None, "is not a whole number"
        if not math.isfinite(number) or number != int(number):
            return None, "is not a whole number"
        return int(number), None
    if col.type == "float":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None, "is not a number"
        if not math.isfinite(number):
            return None, "is not a finite number"
        return number, None
    if col.type == "bool":
        value = parse_bool(text)
        if value is None:
            return None, "is not a yes/no value; use true/false, 1/0 or 是/否"
        return value, None
    if col.type == "list":
        items = tuple(s.strip() for s in text.replace("；", ";").split(";") if s.strip())
        return items, None
    if col.type == "profile":
        try:
            shares = tuple(float(s) for s in text.replace("；", ";").split(";") if s.strip())
        except ValueError:
            return None, "is not a list of numbers separated by `;` (e.g. 0.6;0.4)"
        return shares, None
    raise AssertionError(f"unknown column type {col.type}")


def read_table(folder: Path, table: str, problems: Problems,
               required: bool = True) -> pd.DataFrame | None:
    """Read one input table into typed columns; `_row` keeps the spreadsheet row."""
    path = find_table(folder, table)
    if path is None:
        if required:
            problems.add(f"{table}.csv", f"is missing from {folder}; every scenario needs "
                         f"{table}.csv (or {table}.xlsx)")
        return None
    raw = _raw_frame(path, problems)
    if raw is None:
        return None
    name = path.name
    columns = TABLES[table]
    known = {c.name for c in columns}
    # Drop trailing/blank rows: every cell empty.
    raw["_row"] = range(ROW_OFFSET, ROW_OFFSET + len(raw))
    cells = raw.drop(columns="_row")
    raw = raw[(cells != "").any(axis=1)]
    if raw.empty:
        problems.add(name, "has a header but no data rows")
        return None
    unknown = [c for c in raw.columns if c not in known and c != "_row"
               and not c.startswith("unnamed")]
    for col in columns:
        if col.name in raw.columns or not col.required:
            continue
        guess = difflib.get_close_matches(col.name, unknown, n=1, cutoff=0.6)
        hint = f"; did you mean to name column {guess[0]!r} {col.name!r}?" if guess else ""
        problems.add(name, f"required column {col.name!r} is missing{hint} "
                     f"(columns found: {', '.join(c for c in raw.columns if c != '_row')})",
                     row=1)
    if problems:
        return None
    out = {"_row": raw["_row"].to_numpy()}
    n_before = len(problems.items)
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = [col.default] * len(raw)
            continue
        values = []
        for text, row in zip(raw[col.name], raw["_row"]):
            if text == "":
                if col.required:
                    problems.add(name, f"is blank; {col.name} is required ({col.meaning})",
                                 row=row, column=col.name)
                values.append(col.default)
                continue
            value, err = _parse_cell(col, text)
            if err:
                problems.add(name, err, row=row, column=col.name, value=text)
            values.append(value)
        out[col.name] = values
    if len(problems.items) > n_before:
        return None
    frame = pd.DataFrame({k: _series(v, next((c for c in columns if c.name == k), None))
                          for k, v in out.items()})
    frame.attrs["file"] = name
    frame.attrs["path"] = str(path)
    return frame


_DTYPES = {"int": "int64", "year": "int64", "float": "float64", "bool": "bool"}


def _series(values, col: Column | None) -> pd.Series:
    """Typed column; columns holding None (blank optional cells) stay object."""
    if col is None:
        return pd.Series(values)
    if col.type in _DTYPES and all(v is not None for v in values):
        return pd.Series(values, dtype=_DTYPES[col.type])
    if col.type in ("id", "str"):
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype=object)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV that Excel opens with Chinese text intact: UTF-8 with BOM."""
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def read_output_csv(path: Path) -> pd.DataFrame:
    """Read a CSV this tool wrote (or a user edited) back, as text cells."""
    text = decode_csv(path.read_bytes())
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
