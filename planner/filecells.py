"""Raw text cells of one input file: CSV (UTF-8, UTF-8 with BOM or GB18030/GBK) or
.xlsx (one sheet, values only), with the header normalised and row numbers kept.

Every way a file can be unreadable is one problem naming the file and, where it
can be found, the row and column: encodings (UTF-16, mixed UTF-8/GBK, bytes of
neither), `;`- or tab-separated text, merged header cells, formula cells, data on
a second sheet, cells longer than CELL_LIMIT, control characters.  Typing the
cells is `planner.tables`' job.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from .errors import Problems
from .schema import CELL_LIMIT

ROW_OFFSET = 2  # data row i (0-based) is spreadsheet row i + 2


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise GB18030, a superset of GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


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
    plain = '"' not in text and not any(c in text for c in BLANKS)  # no cell to strip
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    rows = []
    try:
        # One record per line: a blank line stays a (blank) row so row numbers hold.
        rows.extend(reader)  # each record a new list
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            problems.add(path.name, f"a cell is longer than {csv.field_size_limit():,} "
                         f"characters; a cell may hold at most {CELL_LIMIT:,}: was a "
                         "whole file pasted into it?", row=reader.line_num)
        else:
            problems.add(path.name, f"is not a well-formed CSV table ({exc})",
                         row=reader.line_num or None)
        return None
    return rows if plain else _stripped(rows)


#: the characters str.strip() takes off (str.isspace) but for the line breaks \r and \n:
#: a CSV text holding none of them and no quote (so no cell holds a line break) has no
#: cell that stripping would change
BLANKS = ("\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
          "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _stripped(rows: list[list[str]]) -> list[list[str]]:
    return [list(map(str.strip, r)) for r in rows]


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


def _xlsx_rows(path: Path, problems: Problems, notes: list[str]) -> list[list[str]] | None:
    """The first sheet's cells as text (the contract: "first sheet"); merged header
    cells and formula cells are errors; data on another sheet is a warning (in
    `notes`), or an error when the first sheet is empty."""
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

    def has_data(ws):
        return any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row)

    others = [ws.title for ws in book.worksheets[1:] if has_data(ws)]
    if others and not has_data(sheet):
        problems.add(path.name, f"the first sheet {sheet.title!r} is empty, but data found on "
                     f"sheet {others[0]!r}; only the first sheet is read: keep one sheet "
                     "per table")
        return None
    for title in others:
        notes.append(f"{path.name}: data found on sheet {title!r} is not read (only the first "
                     f"sheet, {sheet.title!r}, is); keep one sheet per table")
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
        joined = "".join(r)
        if len(joined) <= CELL_LIMIT and not CONTROL.search(joined):
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


def raw_frame(path: Path, problems: Problems,
               aliases: dict[str, str] | None = None) -> pd.DataFrame | None:
    """Text cells with the normalised header (Chinese aliases as the column names they
    stand for); `_row` is the spreadsheet row; warnings in attrs["warnings"]."""
    name = path.name
    notes: list[str] = []
    try:  # the cells stripped of surrounding blanks
        if path.suffix.lower() == ".xlsx":
            rows = _xlsx_rows(path, problems, notes)
            rows = None if rows is None else _stripped(rows)
        else:
            rows = _csv_rows(path, problems)
    except OSError as exc:
        problems.add(name, f"cannot be read ({exc.strerror or exc})")
        return None
    if rows is None:
        return None
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
    for i, r in enumerate(body if body and max(map(len, body)) > width else ()):
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
    if body and all(len(r) == width for r in body):  # the usual case: one transpose
        columns = list(zip(*body))
        data = {header[j]: list(columns[j]) for j in keep}
    else:
        data = {header[j]: [r[j] if j < len(r) else "" for r in body] for j in keep}
    frame = pd.DataFrame(data, dtype=object)
    if not len(frame.columns):
        frame = pd.DataFrame(index=range(len(body)))
    frame["_row"] = range(ROW_OFFSET, ROW_OFFSET + len(body))
    frame.attrs["warnings"] = notes
    return frame


def _header(name) -> str:
    text = str(name).replace("\ufeff", "").strip().lower()
    return "_".join(text.split())
