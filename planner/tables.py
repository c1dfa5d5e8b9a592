"""Read the input tables (CSV in UTF-8/BOM/GB18030, or .xlsx) and write outputs.

Reading (the raw cells from `planner.filecells`) turns every cell into its schema
type and reports each bad cell with file, spreadsheet row (the header is row 1),
column, the value and what would be valid: placeholders, decimal commas,
underscores, values outside the column's range (schema.Column.limit).  Headers may
be the Chinese ones of headers.header_aliases; an unknown column is a warning naming
the nearest known one.  Nothing here knows the model.
"""

from __future__ import annotations

import difflib
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problems
from .filecells import decode_csv, raw_frame
from .headers import header_aliases
from .schema import FALSE_WORDS, MONEY_LIMIT, NUMBER_LIMIT, TABLES, TRUE_WORDS, YEAR_RANGE, Column

TABLE_EXTENSIONS = (".csv", ".xlsx")


def table_paths(folder: Path, table: str) -> list[Path]:
    """Every file of the table in the folder (more than one is an error)."""
    return [folder / f"{table}{ext}" for ext in TABLE_EXTENSIONS
            if (folder / f"{table}{ext}").is_file()]


def find_table(folder: Path, table: str) -> Path | None:
    paths = table_paths(folder, table)
    return paths[0] if paths else None


#: Words people (and exports from other tools) put in a cell for "no value".
MISSING_WORDS = {"nan", "none", "null", "na", "n/a", "#n/a", "-", "--", "inf", "-inf",
                 "+inf", "infinity", "-infinity"}


def parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    return None


def _example(col: Column) -> str:
    if col.type == "year":
        return "a year like 2019"
    if col.type == "int":
        return f"a whole number like {col.default if col.default is not None else 2}"
    if col.unit == "money unit":
        return (f"a number >= 0 in the scenario's money unit (万元 unless stated), "
                f"like 45 or 12.5, at most {MONEY_LIMIT:.0e}")
    if col.unit == "share":
        return "a number between 0 and 1 like 0.5"
    return "a number like 1 or 2.5"


#: 1,234,567.5: commas that group thousands (the only commas a number may hold).
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _number_text(text: str) -> str | None:
    """What is wrong with a number's spelling that float() would let through or
    misread: a decimal comma (12,5 would become 125) or an underscore (4_5 -> 45)."""
    if "," in text and not THOUSANDS.match(text.strip()):
        fix = text.replace(",", ".", 1) if text.count(",") == 1 else text.replace(",", "")
        return (f"has a comma that does not group thousands; write the decimal point as "
                f"a point: use {fix.strip()}")
    if "_" in text:
        return f"has an underscore; write digits only: use {text.replace('_', '').strip()}"
    return None


def _parse_cell(col: Column, text: str):
    """Return (value, error message or None) for one non-blank cell."""
    if col.type in ("id", "str"):
        return text, None
    if col.type in ("int", "year", "float"):
        low = text.strip().lower()
        if low in MISSING_WORDS:
            what = "optional: leave the cell blank for the default, or give" \
                if not col.required else "required: give"
            return None, (f"is a placeholder, not a value; {col.name} is {what} "
                          f"{_example(col)}")
        bad = _number_text(text)
        if bad:
            return None, bad
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            kind = "a number" if col.type == "float" else "a whole number"
            return None, f"is not {kind}; {col.name} needs {_example(col)}"
        if not math.isfinite(number):
            return None, f"is not a finite number; {col.name} needs {_example(col)}"
        if col.unit == "money unit" and abs(number) > col.limit:
            return None, (f"is implausible: more than {col.limit:.0e} in the scenario's "
                          "money unit (万元 unless stated); check for a typing slip or "
                          "a wrong unit")
        if col.type == "year" and not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
            return None, (f"is not a plausible year; {col.name} needs a year between "
                          f"{YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
        limit = col.limit if col.limit is not None else NUMBER_LIMIT
        if abs(number) > limit:
            return None, f"is out of range; {col.name} must be at most {limit:,g}"
        if col.type == "float":
            return number, None
        if number != int(number):
            return None, f"is not a whole number; {col.name} needs {_example(col)}"
        return int(number), None
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
            if "_" in text:
                raise ValueError(text)
            shares = tuple(float(s) for s in text.replace("；", ";").split(";") if s.strip())
        except ValueError:
            shares = None
        if shares is None or not all(math.isfinite(x) for x in shares):
            return None, "is not a list of numbers separated by `;` (e.g. 0.6;0.4)"
        return shares, None
    raise AssertionError(f"unknown column type {col.type}")


#: a number spelled plainly (ASCII digits, a point, an exponent): float() reads it as
#: _parse_cell does, since it holds no comma, underscore or placeholder word
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _clean_column(col: Column, texts: list[str]) -> list | None:
    """The column's values as `_parse_cell` gives them (blank: the default), worked out a
    column at a time; None when any cell is bad (blank though required, or an error),
    so that the caller reports cell by cell.  Numbers: every plainly spelled cell read
    by float() at once and the same limits checked on the array; other types: each
    distinct text parsed once."""
    blank = [i for i, text in enumerate(texts) if text == ""] if "" in texts else []
    if blank and col.required:
        return None
    filled = [text for text in texts if text != ""] if blank else texts
    if col.type in ("id", "str"):
        values = filled
    elif col.type in ("int", "year", "float"):
        if not all(PLAIN_NUMBER.fullmatch(text) for text in filled):
            return None
        number = np.asarray(filled, dtype=object).astype(np.float64)  # float(text) each
        size = np.abs(number)
        limit = col.limit if col.limit is not None else NUMBER_LIMIT
        if (not np.isfinite(number).all()
                or (col.unit == "money unit" and (size > col.limit).any())
                or (col.type == "year" and ((number < YEAR_RANGE[0])
                                            | (number > YEAR_RANGE[1])).any())
                or (size > limit).any()
                or (col.type != "float" and (number != np.trunc(number)).any())):
            return None
        values = number.tolist() if col.type == "float" else number.astype(np.int64).tolist()
    else:
        parsed = {}
        for text in set(filled):
            value, err = _parse_cell(col, text)
            if err:
                return None
            parsed[text] = value
        values = [parsed[text] for text in filled]
    if not blank:
        return values
    out, it = [col.default] * len(texts), iter(values)
    gaps = set(blank)
    for i in range(len(texts)):
        if i not in gaps:
            out[i] = next(it)
    return out


def read_table(folder: Path, table: str, problems: Problems,
               required: bool = True) -> pd.DataFrame | None:
    """Read one input table into typed columns; `_row` keeps the spreadsheet row."""
    paths = table_paths(folder, table)
    if not paths:
        if required:
            problems.add(f"{table}.csv", f"is missing from {folder}; every scenario needs "
                         f"{table}.csv (or {table}.xlsx)")
        return None
    if len(paths) > 1:
        problems.add(paths[0].name, f"{paths[1].name} in the same folder holds the same "
                     "table; keep one of the two files (the planner does not choose)")
        return None
    return read_path(paths[0], table, problems)


def read_path(path: Path, table: str, problems: Problems,
              unit: str | None = None) -> pd.DataFrame | None:
    """Read one file as the table `table` of the schema (also for files named freely,
    such as `replan --actuals`); `unit`: the money unit, which a Chinese money header may
    state (headers.header_aliases).  The same bytes read again are typed once
    (planner.tablecache)."""
    from . import tablecache

    k = tablecache.key(path, table, unit)
    frame = tablecache.get(k)
    if frame is not None:
        return frame
    n_before = len(problems.items)
    frame = _read_path(path, table, problems, unit)
    if frame is not None and len(problems.items) == n_before:
        tablecache.put(k, frame)
    return frame


def _read_path(path: Path, table: str, problems: Problems,
               unit: str | None) -> pd.DataFrame | None:
    aliases = header_aliases(table, unit)
    raw = raw_frame(path, problems, aliases)
    if raw is None:
        return None
    notes = list(raw.attrs.get("warnings", []))
    name = path.name
    columns = TABLES[table]
    known = {c.name for c in columns}
    n_start = len(problems.items)
    # Drop blank rows (every cell empty), e.g. trailing ones; `_row` keeps numbering.
    cells = raw.drop(columns="_row")
    if len(cells.columns):
        raw = raw[(cells != "").any(axis=1)]
    else:
        raw = raw.iloc[0:0]
    if raw.empty:
        problems.add(name, "has a header but no data rows; add at least one row below "
                     "the header", row=1)
        return None
    unknown = [c for c in raw.columns if c not in known and c != "_row"]
    for col in columns:
        if col.name in raw.columns or not col.required:
            continue
        guess = difflib.get_close_matches(col.name, unknown, n=1, cutoff=0.6)
        hint = (f"; the header has {guess[0]!r}: did you mean {col.name!r}? rename it"
                if guess else "")
        problems.add(name, f"required column {col.name!r} is missing{hint} "
                     f"(columns found: {', '.join(c for c in raw.columns if c != '_row')}; "
                     f"required: {', '.join(c.name for c in columns if c.required)})",
                     row=1, column=col.name)
    if len(problems.items) > n_start:
        return None
    out = {"_row": raw["_row"].to_numpy()}
    n_before = len(problems.items)
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = [col.default] * len(raw)
            continue
        values = _clean_column(col, raw[col.name].tolist())
        if values is None:  # a bad cell somewhere: cell by cell, each one reported
            values = []
            for text, row in zip(raw[col.name], raw["_row"]):
                if text == "":
                    if col.required:
                        problems.add(name, f"is blank; {col.name} is required "
                                     f"({col.meaning})", row=row, column=col.name)
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
    frame.attrs["warnings"] = notes + [_unknown_column(name, c, columns, aliases)
                                       for c in unknown]
    return frame


def _unknown_column(file: str, col_name: str, columns, aliases: dict[str, str]) -> str:
    """Warning for a column the table does not have: its values are ignored, so name the
    nearest known column (English or Chinese header)."""
    names = {c.name: c.name for c in columns}
    names.update(aliases)
    free = [c.name for c in columns]
    guess = difflib.get_close_matches(col_name, list(names), n=1, cutoff=0.6)
    if guess:
        known = names[guess[0]]
        shown = f"{known!r}" + (f" ({guess[0]})" if guess[0] != known else "")
        hint = f"did you mean {shown}?"
    else:
        hint = f"known columns: {', '.join(free)}"
    return f"{file}, row 1, column {col_name}: unknown column, ignored; {hint}"


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
    """CSV that Excel opens with Chinese text intact: UTF-8 with BOM; text cells that
    a spreadsheet would run as formulas are neutralised (planner.cells)."""
    from .cells import neutralise_frame

    neutralise_frame(frame).to_csv(path, index=False, encoding="utf-8-sig",
                                   lineterminator="\r\n")


def read_output_csv(path: Path) -> pd.DataFrame:
    """Read a CSV this tool wrote (or a user edited) back, as text cells, with the
    formula neutralisation of write_csv undone (the names as in the inputs)."""
    from .cells import restore_frame

    text = decode_csv(path.read_bytes())
    return restore_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
