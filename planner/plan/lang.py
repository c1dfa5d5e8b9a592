"""The plan tables in the language asked for, and read back from it.

English (the default) is the contract's: its column names and order, code words in
the cells.  Chinese (`--lang zh`, or `lang: zh` in scenario.yaml): the headers of
planner.headers.PLAN_HEADERS_ZH, every money header with the unit
(models.money.UNIT_NAME: 本年投入（万元）), fund streams by their names (STREAMS) in
headers and cells, 是/否 for yes and no, the targets left open or late by their
names, why a village cannot be on time in Chinese.  The columns and their order are
the same in both.

`to_english` undoes it on a table read back (planner.plan.folder.read_plan), so
every command reads a plan in either language.

The what-if tables (compare, sweep, needs, replan's changes.csv, alternatives,
importance) are made in English and written in the language asked for by
`whatif_table`: headers by planner.headers.whatif_header_zh (money with the unit), the
code words of the cells (a change's kind, a status, needs.csv's kind) in the words of
planner.words.VALUES, fund streams by their names, yes/no as 是/否,
compare.csv's metrics in words.  Their reasons are written in the language by the code
that finds them (a deadline in words: deadline_text).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from models.money import UNIT_NAME

from ..headers import (
    COMPARE_MONEY_METRICS,
    NO_ZH,
    OUTSIDE_PREFIX,
    OUTSIDE_ZH,
    PLAN_BOOL_COLUMNS,
    PLAN_TARGET_LISTS,
    WHATIF_MONEY_COLUMNS,
    YES_ZH,
    plan_header_en,
    plan_header_zh,
    stream_code,
    stream_name_zh,
    whatif_header_zh,
    whatif_kinds,
)
from ..schema import TARGETS
from ..tables import write_csv
from ..words import DEFAULT_LANG, METRICS, Lang
from .money import money_cell, money_text


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


# ---------------------------------------------------------------- deadlines

#: a deadline's scope as its Chinese rendering names the villages (deadline_text)
DEADLINE_SCOPE_ZH = {"all": "全部贫困村", "deep_poverty": "深度贫困县贫困村"}
#: a deadline's label, as planner.scenario.Deadline.label writes it:
#: `target@year[scope]>=share`, the scope `all`, `deep_poverty` or counties joined by `+`
DEADLINE_LABEL = re.compile(r"^(?P<target>[^@\s]+)@(?P<year>\d{4})\[(?P<scope>[^\]]*)\]"
                            r">=(?P<share>\d+(?:\.\d+)?(?:e-?\d+)?)$")


def deadline_text(label, zh: bool, target_names: dict[str, str] | None = None) -> str:
    """A policy deadline as people read it: in English its label (`power@2019[deep_poverty]
    >=1`, the code summary.json and scenario.yaml use), in Chinese the target, the year,
    the villages and the share (农村电网建设：2019年底前，深度贫困县贫困村 100%); the
    target by `target_names` (code -> name: the plan's or the scenario's), else the
    bundled one's, else its code.  Anything that is not a deadline's label is returned
    as it is.  The one rendering of a deadline wherever a person reads one: the report,
    the 概要 sheet, the what-if tables and their reasons."""
    label = "" if label is None else str(label)
    found = DEADLINE_LABEL.match(label.strip())
    if not zh or not found:
        return label
    code = found["target"]
    name = (target_names or {}).get(code) or (TARGETS[code].name_zh if code in TARGETS
                                               else code)
    scope = found["scope"]
    villages = DEADLINE_SCOPE_ZH.get(scope) or "、".join(scope.split("+")) + "贫困村"
    share = float(found["share"]) * 100
    return f"{name}：{found['year']}年底前，{villages} {round(share, 6):g}%"


# ---------------------------------------------------------------- what-if tables

#: the what-if tables' columns holding a code word (planner.words.VALUES)
WORD_COLUMNS = ("change", "kind", "status", "status_without", "error", "optimum_status")
#: the change tables' columns holding the money per stream ("special_bonds 72.0000; ...")
MONEY_LIST_COLUMNS = ("from_money", "to_money")


def whatif_lang(code: str | None, target_names: dict[str, str] | None = None):
    """The words (planner.words.Lang) of a what-if command's outputs: `code` en
    or zh (None: en), the scenario's or the plan's own target names (code -> name)."""
    names = tuple(sorted((str(k), str(v)) for k, v in (target_names or {}).items() if v))
    return Lang(code or DEFAULT_LANG, UNIT_NAME, names)


def scenario_target_names(scn) -> dict[str, str]:
    """code -> Chinese name of a loaded scenario's targets (the catalogue's and its own)."""
    return {c: t.get("name_zh", "") for c, t in scn.targets.items() if t.get("name_zh")}


def whatif_table(frame: pd.DataFrame, table: str, lang) -> pd.DataFrame:
    """A what-if table as written in `lang` (a planner.words.Lang): English as it
    is (the contract's columns); Chinese: the same columns in the same order, see the
    module's docstring.  `table` is the file's name without .csv (compare, compare_changes,
    sweep, needs, changes, alternatives, alternatives_changes, importance)."""
    if not lang.zh:
        return frame
    out = frame.copy()
    word = lambda v: lang.value(v) if isinstance(v, str) and v else v
    for col in out.columns:
        if col in WORD_COLUMNS:
            out[col] = out[col].map(word).astype(object)
        elif col == "stream":
            out[col] = out[col].map(lambda v: stream_name_zh(v) if isinstance(v, str) else v)
        elif col in MONEY_LIST_COLUMNS:
            out[col] = out[col].map(_money_list_zh).astype(object)
    if "change" in frame.columns and "item" in frame.columns:
        kind = frame["change"].astype(str)
        stream = kind == "money spent from stream"
        out.loc[stream, "item"] = frame.loc[stream, "item"].map(stream_name_zh)
        village = kind.str.startswith("village ")
        for col in ("from", "to"):
            out[col] = out[col].astype(object)
            out.loc[village, col] = frame.loc[village, col].map(
                lambda v: _yes_no({"True": True, "False": False}.get(str(v), v)))
    if table == "compare":
        status = frame["metric"] == "status"
        for col in out.columns[1:]:
            out[col] = out[col].astype(object)
            out.loc[status, col] = frame.loc[status, col].map(word)
        out["metric"] = frame["metric"].map(lambda m: metric_text(m, lang))
        out = out.rename(columns={"metric": whatif_header_zh("compare", "metric", lang.unit)})
        return out
    out.columns = [whatif_header_zh(table, str(c), lang.unit) for c in out.columns]
    return out


def whatif_money(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A what-if table's money as the plan tables write it (planner.plan.money): its
    money columns (planner.headers.WHATIF_MONEY_COLUMNS), in compare.csv the cells of its
    money metrics (COMPARE_MONEY_METRICS)."""
    if table != "compare":
        return money_text(frame, set().union(*(WHATIF_MONEY_COLUMNS.get(k, ())
                                               for k in whatif_kinds(table))))
    out = frame.astype(object)
    money = frame["metric"].map(lambda m: str(m).partition("[")[0] in COMPARE_MONEY_METRICS)
    for col in out.columns[1:]:
        out.loc[money, col] = frame.loc[money, col].map(money_cell)
    return out


def write_whatif(frame: pd.DataFrame, table: str, lang, path) -> None:
    """A what-if table written as its CSV: money with 4 decimals (whatif_money), in
    `lang` (whatif_table), UTF-8 with BOM (planner.tables.write_csv)."""
    write_csv(whatif_table(whatif_money(frame, table), table, lang), path)


def _money_list_zh(text):
    """"special_bonds 72.0000; outside_lottery 5.0000" with the streams' names."""
    if not isinstance(text, str) or not text:
        return text
    parts = []
    for part in text.split("; "):
        code, _, amount = part.rpartition(" ")
        name = (stream_name_zh(code[len(OUTSIDE_PREFIX):]) + OUTSIDE_ZH
                if code.startswith(OUTSIDE_PREFIX) else stream_name_zh(code))
        parts.append(f"{name} {amount}")
    return "；".join(parts)


def metric_text(metric: str, lang) -> str:
    """A metric of compare.csv (`value`, `gaps_closed[road]`, `spent[special_bonds/石楼县/
    2019]`) in `lang`'s words: its code in English; in Chinese its name (planner.
    words.METRICS) and what it is of, after ` · ` (a target or a fund stream by its
    name, an exit batch in words)."""
    if not lang.zh:
        return metric
    base, _, what = str(metric).partition("[")
    what = what[:-1] if what.endswith("]") else what
    name = lang.word(METRICS[base]) if base in METRICS else base
    if not what:
        return name
    if base == "gaps_closed":
        what = lang.target(what)
    elif base in ("spent", "left"):
        stream, _, rest = what.partition("/")
        what = "/".join([lang.stream(stream), *([rest] if rest else [])])
    else:
        what = lang.value(what)  # a year, or `exited`
    return f"{name} · {what}"
