"""The language of the plan tables: English (the contract's headers) or Chinese (`--lang
zh`).  planner.check.files reads either (the headers mapped back by the schema's
table, the cells of the lists and streams by the names), keeping each table's headers
as written (`frame.attrs["headers"]`); here the claims about them are checked:

* a table is in one language: every header English, or every header Chinese;
* the three tables are in the language summary.json's `lang` names (en without it);
* in Chinese, every money header states the unit, summary.json's `money_unit`, which
  is the scenario's unit (万元: no setting changes it), and no other header states one;
* summary.json's `target_names` are the targets' names of the inputs (the catalogue
  and scenario.yaml's `targets:`).
"""

from __future__ import annotations

import pandas as pd

from ..headers import split_unit
from .inputs import Inputs
from .report import Report

#: the scenario's money unit (one unit of the checker's MONEY_UNITS is one yuan of it)
MONEY_UNIT = "万元"
CHECKED = {
    "lang": "the language the three tables are written in (their headers)",
    "money_unit": "the scenario's unit (万元), as every Chinese money header states it",
    "target_names": "each target's name: the catalogue's, or scenario.yaml targets:",
}


def written_headers(frame: pd.DataFrame) -> dict[str, str]:
    """column -> header as written (files.read_table keeps them)."""
    return frame.attrs.get("headers", {c: c for c in frame.columns if c != "_row"})


def is_chinese(frame: pd.DataFrame) -> bool:
    return any(h != c for c, h in written_headers(frame).items())


def check_language(tables: dict[str, pd.DataFrame | None], money: dict[str, set],
                   summary: dict | None, inp: Inputs, rep: Report) -> None:
    """`tables`: file name -> table as read (None: unreadable); `money`: file name ->
    its money columns."""
    said = summary.get("lang", "en") if summary is not None else None
    unit = summary.get("money_unit", MONEY_UNIT) if summary is not None else MONEY_UNIT
    if said is not None and said not in ("en", "zh"):
        rep.add("summary", f"summary.json lang is {said!r}; the tables are written in en or zh")
    if unit != MONEY_UNIT:
        rep.add("summary", f"summary.json money_unit is {unit!r}; the scenario's money is "
                f"in {MONEY_UNIT}")
    for name, frame in tables.items():
        if frame is None:
            continue
        headers = written_headers(frame)
        english = [h for c, h in headers.items() if h == c]
        if english and len(english) < len(headers):
            rep.add("column", f"{name} mixes English and Chinese headers (English: "
                    f"{', '.join(english[:5])}); write it in one language")
            continue
        lang = "en" if english else "zh"
        if said in ("en", "zh") and lang != said:
            rep.add("summary", f"summary.json lang is {said!r}, but {name} is written in "
                    f"{lang}")
        if lang == "en":
            continue
        for col, header in headers.items():
            _, stated = split_unit(header)
            if col in money[name] and stated != MONEY_UNIT:
                rep.add("column", f"{name} column {header!r} ({col}) is money in "
                        f"{MONEY_UNIT}; its header must say （{MONEY_UNIT}）")
            elif col not in money[name] and stated is not None:
                rep.add("column", f"{name} column {header!r} ({col}) is not money; its "
                        "header states a unit")
    names = summary.get("target_names") if summary is not None else None
    if names is not None:
        want = {code: name for code, (name, _) in inp.catalogue.items()}
        if not isinstance(names, dict):
            rep.add("summary", "summary.json target_names must map target codes to names")
        elif names != want:
            diff = sorted(k for k in set(want) | set(names) if names.get(k) != want.get(k))
            rep.add("summary", f"summary.json target_names differ from the inputs' target "
                    f"names for {', '.join(map(str, diff[:5]))}")
