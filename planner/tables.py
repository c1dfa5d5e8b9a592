"""Read the input tables (CSV in UTF-8/BOM/GB18030, or .xlsx) and write outputs.

Reading turns every cell into its schema type and reports each bad cell with
file, spreadsheet row (the header is row 1), column, the value and what would
be valid.  Nothing here knows the model.
"""

from __future__ import annotations

import csv
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


#: Largest plausible money cell (cost, amount) in the scenario's unit (万元 by
#: default: 1e9 万元 is ten trillion yuan).  Larger values are typing slips or a
#: wrong unit; they would also overflow the whole-yuan arithmetic.
MONEY_LIMIT = 1e9

#: Words people (and exports from other tools) put in a cell for "no value".
MISSING_WORDS = {"nan", "none", "null", "na", "n/a", "#n/a", "-", "--", "inf", "-inf",
                 "+inf", "infinity", "-infinity"}


def _undecodable(name: str, data: bytes, problems: Problems) -> None:
    """Report where a file is neither UTF-8 nor GB18030, with its row."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError as exc:
        pos = exc.start
    else:  # pragma: no cover - decode_csv only fails when gb18030 fails
        pos = 0
    row = data[:pos].count(b"\n") + 1
    bad = data[pos:pos + 4].hex(" ")
    problems.add(name, f"cannot be read as text: byte(s) {bad} at byte {pos} are neither "
                 "UTF-8 nor GB18030/GBK; save the file as \"CSV UTF-8\" (or CSV from "
                 "Excel/WPS in the Chinese locale)", row=row)


def _mixed_utf8(data: bytes) -> int | None:
    """Offset of the first bad byte when a file is mostly UTF-8 Chinese yet not all UTF-8.

    Such a file would decode as GB18030 into silent mojibake.  GBK text hardly ever
    forms valid 3-byte UTF-8 sequences of CJK characters, so many of them next to an
    invalid byte means a mixed file.
    """
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        first = exc.start
    lossy = data.decode("utf-8", errors="replace")
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in lossy)
    return first if cjk >= 8 and 10 * cjk >= lossy.count("\ufffd") else None


def _csv_rows(path: Path, problems: Problems) -> list[list[str]] | None:
    data = path.read_bytes()
    mixed = _mixed_utf8(data)
    if mixed is not None:
        problems.add(path.name, f"mixes encodings: it is UTF-8 text, but byte {mixed} is not "
                     "UTF-8 (a cell pasted from a GBK file?); retype that cell or save the "
                     "whole file as \"CSV UTF-8\"", row=data[:mixed].count(b"\n") + 1)
        return None
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        _undecodable(path.name, data, problems)
        return None
    if "\x00" in text:
        problems.add(path.name, "contains NUL characters: it looks like a binary file or "
                     "UTF-16 text, not CSV; save it as \"CSV UTF-8\"")
        return None
    try:
        # One record per line: a blank line stays a (blank) row so row numbers hold.
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), strict=False)]
    except csv.Error as exc:
        problems.add(path.name, f"is not a well-formed CSV table ({exc})")
        return None


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _column_letter(index: int) -> str:
    """1-based column index -> spreadsheet letters (1 -> A, 27 -> AA)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xlsx_rows(path: Path, problems: Problems) -> list[list[str]] | None:
    """The first sheet's cells as text; a merged header cell is an error."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is bad input
        problems.add(path.name, f"cannot be read as an Excel .xlsx workbook ({exc}); "
                     "save it again as .xlsx or as CSV UTF-8")
        return None
    sheet = book.worksheets[0]
    merged = [m for m in sheet.merged_cells.ranges if m.min_row <= 1]
    if merged:
        for m in merged:
            problems.add(path.name, f"header cells {m.coord} (columns {m.min_col}-{m.max_col} "
                         f"of sheet {sheet.title!r}) are merged; unmerge them and give each "
                         "column its own name in row 1", row=1,
                         column=_column_letter(m.min_col))
        return None
    return [[_xlsx_cell(v) for v in row]
            for row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, 1),
                                       min_col=1, max_col=max(sheet.max_column, 1),
                                       values_only=True)]


def _raw_frame(path: Path, problems: Problems) -> pd.DataFrame | None:
    """Text cells with the normalised header; `_row` is the spreadsheet row."""
    name = path.name
    try:
        rows = _xlsx_rows(path, problems) if path.suffix.lower() == ".xlsx" \
            else _csv_rows(path, problems)
    except OSError as exc:
        problems.add(name, f"cannot be read ({exc.strerror or exc})")
        return None
    if rows is None:
        return None
    rows = [[c.strip() for c in r] for r in rows]
    if not rows or not any(any(r) for r in rows):
        problems.add(name, "the file is empty; it needs a header row and at least one data row")
        return None
    if not any(rows[0]):
        problems.add(name, "the first row is blank; row 1 must hold the column names",
                     row=1)
        return None
    header = [_header(c) for c in rows[0]]
    width = len(header)
    body = rows[1:]
    n_before = len(problems.items)
    for i, r in enumerate(body):
        if len(r) > width and any(r[width:]):
            problems.add(name, f"has {len(r)} cells but the header has {width} columns; "
                         "remove the extra cells or quote a cell that contains a comma",
                         row=i + 2, value=r[width])
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        pos = f"{_column_letter(j + 1)} (position {j + 1})"
        if h == "":
            if any(j < len(r) and r[j] for r in body):
                problems.add(name, f"column {pos} has values but no name in the header; "
                             "name it or delete it", row=1)
            continue
        if h in seen:
            problems.add(name, f"column name {h!r} appears twice (positions {seen[h] + 1} "
                         f"and {j + 1}); keep one", row=1, column=h)
        seen.setdefault(h, j)
    if len(problems.items) > n_before:
        return None
    keep = [j for j, h in enumerate(header) if h]
    data = {header[j]: [r[j] if j < len(r) else "" for r in body] for j in keep}
    frame = pd.DataFrame(data, dtype=object)
    if not len(frame.columns):
        frame = pd.DataFrame(index=range(len(body)))
    frame["_row"] = range(ROW_OFFSET, ROW_OFFSET + len(body))
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
        try:
            number = float(text.replace(",", "") if col.type == "float" else text)
        except ValueError:
            kind = "a number" if col.type == "float" else "a whole number"
            return None, f"is not {kind}; {col.name} needs {_example(col)}"
        if not math.isfinite(number):
            return None, f"is not a finite number; {col.name} needs {_example(col)}"
        if col.type == "float":
            if col.unit == "money unit" and abs(number) > MONEY_LIMIT:
                return None, (f"is implausible: more than {MONEY_LIMIT:.0e} in the scenario's "
                              "money unit (万元 unless stated); check for a typing slip or "
                              "a wrong unit")
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
            shares = tuple(float(s) for s in text.replace("；", ";").split(";") if s.strip())
        except ValueError:
            shares = None
        if shares is None or not all(math.isfinite(x) for x in shares):
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
    # An unknown column close to a known optional one is most likely a misspelling
    # whose values would otherwise be ignored without a word.
    warnings = []
    missing_optional = [c.name for c in columns if c.name not in raw.columns]
    for col_name in unknown:
        guess = difflib.get_close_matches(col_name, missing_optional, n=1, cutoff=0.75)
        if guess:
            warnings.append(f"{name}, row 1, column {col_name}: unknown column, ignored; "
                            f"did you mean {guess[0]!r}?")
    frame.attrs["warnings"] = warnings
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
