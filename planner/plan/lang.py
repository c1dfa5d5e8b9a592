"""The plan tables in the language asked for, and read back from it.

English (the default) is the contract's: its column names and order, code words in
the cells.  Chinese (`--lang zh`, or `lang: zh` in scenario.yaml): the headers of
planner.schema.PLAN_HEADERS_ZH, every money header with the unit
(models.money.UNIT_NAME: 本年投入（万元）), fund streams by their names (STREAMS) in
headers and cells, 是/否 for yes and no, the targets left open or late by their
names, why a village cannot be on time in Chinese.  The columns and their order are
the same in both.

`to_english` undoes it on a table read back (planner.plan.folder.read_plan), so
every command reads a plan in either language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.money import UNIT_NAME

from ..schema import (
    NO_ZH,
    PLAN_BOOL_COLUMNS,
    PLAN_TARGET_LISTS,
    TARGETS,
    YES_ZH,
    plan_header_en,
    plan_header_zh,
    stream_code,
    stream_name_zh,
)

LANGS = ("en", "zh")
DEFAULT_LANG = "en"


def _yes_no(value):
    if isinstance(value, (bool, np.bool_)):
        return YES_ZH if value else NO_ZH
    return value  # blank (a relocated village's on_time)


def _names(text, names: dict[str, str]) -> str:
    return ";".join(names.get(c, c) for c in str(text).split(";") if c)


def table_zh(frame: pd.DataFrame, streams, target_names: dict[str, str],
             why_zh: list[str] | None = None, unit: str = UNIT_NAME) -> pd.DataFrame:
    """One plan table (schedule, villages or funds) in Chinese: same columns, same
    order; money stays numbers (written with 4 decimals as in English)."""
    out = frame.copy()
    for col in out.columns:
        if col in PLAN_BOOL_COLUMNS:
            out[col] = out[col].map(_yes_no).astype(object)
        elif col in PLAN_TARGET_LISTS:
            out[col] = out[col].map(lambda t: _names(t, target_names)).astype(object)
    if "stream" in out.columns:
        out["stream"] = out["stream"].map(stream_name_zh).astype(object)
    if why_zh is not None and "why_not_possible" in out.columns:
        out["why_not_possible"] = pd.Series(why_zh, index=out.index, dtype=object)
    out.columns = [plan_header_zh(c, unit, streams) for c in out.columns]
    return out


def to_english(frame: pd.DataFrame, target_names: dict[str, str] | None = None
               ) -> pd.DataFrame:
    """A plan table read back as text cells, in English: headers (planner.schema
    plan_header_en), stream names, target names of the `;`-lists (`target_names`: code
    -> name, besides the built-in targets'); 是/否 are read as yes/no where the
    booleans are parsed.  An English table comes back as it is."""
    frame.columns = [plan_header_en(str(c)) for c in frame.columns]
    if "stream" in frame.columns:
        frame["stream"] = frame["stream"].map(stream_code)
    codes = {t.name_zh: c for c, t in TARGETS.items()}
    codes.update({name: code for code, name in (target_names or {}).items()})
    for col in PLAN_TARGET_LISTS & set(frame.columns):
        frame[col] = frame[col].map(lambda t: _names(t, codes))
    return frame
