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
import re
from pathlib import Path

import pandas as pd

from .errors import Problems
from .schema import (CELL_LIMIT, FALSE_WORDS, MONEY_LIMIT, TABLES, TRUE_WORDS, YEAR_RANGE,
                     NUMBER_LIMIT, Column, header_aliases)

ROW_OFFSET = 2  # data row i (0-based) is spreadsheet row i + 2
TABLE_EXTENSIONS = (".csv", ".xlsx")


def table_paths(folder: Path, table: str) -> list[Path]:
    """Every file of the table in the folder (more than one is an error)."""
    return [folder / f"{table}{ext}" for ext in TABLE_EXTENSIONS
            if (folder / f"{table}{ext}").is_file()]


def find_table(folder: Path, table: str) -> Path | None:
    paths = table_paths(folder, table)
    return paths[0] if paths else None


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise GB18030, a superset of GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


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
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.add(path.name, "is UTF-16 text (Excel's \"Unicode Text\"); save it as "
                     "\"CSV UTF-8 (comma delimited)\" instead")
        return None
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
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "," not in first and ("\t" in first or ";" in first):
        sep = "tabs" if "\t" in first else "semicolons (;)"
        problems.add(path.name, f"is separated by {sep}, not commas; save it as "
                     "\"CSV UTF-8 (comma delimited)\" (or as .xlsx)", row=1)
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows = []
    try:
        # One record per line: a blank line stays a (blank) row so row numbers hold.
        for r in reader:
            rows.append(list(r))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problems.add(path.name, f"a cell is longer than {csv.field_size_limit():,} "
                         f"characters; a cell may hold at most {CELL_LIMIT:,}: was a "
                         "whole file pasted into it?", row=reader.line_num)
        else:
            problems.add(path.name, f"is not a well-formed CSV table ({exc})",
                         row=reader.line_num or None)
        return None
    return rows


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
    """The only sheet's cells as text; merged header cells, formula cells and data on
    further sheets are errors."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is bad input
        problems.add(path.name, f"cannot be read as an Excel .xlsx workbook ({exc}); "
                     "save it again as .xlsx or as CSV UTF-8")
        return None
    if not book.worksheets:
        problems.add(path.name, "has no worksheet; put the table on the first sheet")
        return None
    sheet = book.worksheets[0]
    for other in book.worksheets[1:]:
        if any(v not in (None, "") for row in other.iter_rows(values_only=True) for v in row):
            problems.add(path.name, f"data found on sheet {other.title!r} besides sheet "
                         f"{sheet.title!r}; keep one sheet per table (move notes to another "
                         "file)")
            return None
    merged = [m for m in sheet.merged_cells.ranges if m.min_row <= 1]
    if merged:
        for m in merged:
            problems.add(path.name, f"header cells {m.coord} (columns {m.min_col}-{m.max_col} "
                         f"of sheet {sheet.title!r}) are merged; unmerge them and give each "
                         "column its own name in row 1", row=1,
                         column=_column_letter(m.min_col))
        return None
    rows = []
    for row in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, 1),
                               min_col=1, max_col=max(sheet.max_column, 1)):
        for cell in row:
            if cell.data_type == "f":
                problems.add(path.name, f"cell {cell.coordinate} of sheet {sheet.title!r} "
                             "holds a formula; formula cells are not read: paste values "
                             "(Paste Special > Values)", row=cell.row,
                             column=_column_letter(cell.column))
                return None
        rows.append([_xlsx_cell(c.value) for c in row])
    return rows


#: Control characters that no CSV cell should hold and that an .xlsx cannot store.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _bad_cells(name: str, header: list[str], body: list[list[str]], problems: Problems,
               first_row: int = ROW_OFFSET) -> None:
    """A cell longer than CELL_LIMIT or holding a control character (checked row by row)."""
    for i, r in enumerate(body, start=first_row):
        if len("".join(r)) <= CELL_LIMIT and not CONTROL.search("".join(r)):
            continue
        for j, c in enumerate(r):
            col = header[j] if j < len(header) and header[j] else _column_letter(j + 1)
            if len(c) > CELL_LIMIT:
                problems.add(name, f"the cell holds {len(c):,} characters; a cell may hold "
                             f"at most {CELL_LIMIT:,}: was a whole text pasted into it?",
                             row=i, column=col)
            elif CONTROL.search(c):
                ch = CONTROL.search(c).group()
                problems.add(name, f"holds the control character U+{ord(ch):04X}; retype "
                             "the cell without it (it cannot be written to a spreadsheet)",
                             row=i, column=col, value=c)


def _raw_frame(path: Path, problems: Problems,
               aliases: dict[str, str] | None = None) -> pd.DataFrame | None:
    """Text cells with the normalised header (Chinese aliases as the column names they
    stand for); `_row` is the spreadsheet row."""
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
    header = [(aliases or {}).get(h, h) for h in header]
    width = len(header)
    body = rows[1:]
    n_before = len(problems.items)
    _bad_cells(name, header, [rows[0]], problems, first_row=1)
    _bad_cells(name, header, body, problems)
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


def read_path(path: Path, table: str, problems: Problems) -> pd.DataFrame | None:
    """Read one file as the table `table` of the schema (also for files named freely,
    such as `replan --actuals`)."""
    aliases = header_aliases(table)
    raw = _raw_frame(path, problems, aliases)
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
    frame.attrs["warnings"] = [_unknown_column(name, c, columns, aliases) for c in unknown]
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
