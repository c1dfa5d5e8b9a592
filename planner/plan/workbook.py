"""plan.xlsx (`--format xlsx`): the schedule, villages and funds tables and the summary,
one sheet each, made to be read: the header row frozen, each column as wide as its
widest cell (a Chinese character counts two, planner.progress.display_width), money
(the float columns) as numbers shown `0.0000`, text cells neutralised and typed as
text (planner.cells).  With `--lang zh` the sheet names, the headers (planner.plan.lang)
and the summary's labels are Chinese.

The summary sheet is label / value rows: summary.json flattened (a nested key is
`parent · key`, a list of records one block per record, a list of plain values one
cell), never JSON in a cell; in Chinese a deadline in words
(planner.plan.lang.deadline_text), summary.json keeping its code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..cells import neutralise_frame
from ..headers import LABELS_ZH, NO_ZH, YES_ZH, stream_name_zh
from ..progress import display_width
from ..words import VALUES  # the one table of code words
from .lang import deadline_text

if TYPE_CHECKING:
    from . import Plan

SHEETS = {"en": ("schedule", "villages", "funds", "summary"),
          "zh": ("任务进度表", "村表", "资金表", "概要")}
MONEY_FORMAT = "0.0000"
#: widest column (characters of Latin width), so that a long reason stays readable
MAX_WIDTH = 60
#: the summary sheet's headers
SUMMARY_HEADERS = {"en": ("key", "value"), "zh": ("项目", "内容")}

#: summary.json's keys (at any level) are labelled by planner.headers.LABELS_ZH in Chinese
#: the money keys of the summary (their labels state the unit in Chinese)
MONEY_KEYS = {"total_cost", "pooled_cost", "self_funded", "spent_by_stream", "outside_money",
              "money_available", "reserved", "spent_in_deep_poverty_villages"}
#: code words of the summary's values in Chinese
#: the value rule's prose (summary.json value_rule) in Chinese
VALUE_RULE_ZH = {
    "gap_value": "短板的权重（gaps.csv 的 weight，否则为任务的权重），项目在村的应退出年度"
                 "（退出年度；规划期前已退出的村为第一年）前完工；否则为权重乘延期系数",
    "village_bonus": "每个退出标准短板全部按期补齐的村加按期退出奖励",
    "soft_deadlines": "软时限每差一个村减软时限罚分",
    "tie_break": "同值时先省钱、再提前，合计不到 0.0001 的一半：从不牺牲价值",
}


def _label(key: str, lang: str, unit: str) -> str:
    if lang != "zh":
        return key
    text = LABELS_ZH.get(key, stream_name_zh(key))
    return f"{text}（{unit}）" if key in MONEY_KEYS else text


def _value(value, lang: str, key: str, names: dict):
    if value is None:
        return ""
    if lang == "zh":
        if isinstance(value, bool):
            return YES_ZH if value else NO_ZH
        if isinstance(value, str) and key == "deadline":
            return deadline_text(value, True, names)
        if isinstance(value, str) and key in ("target", "exit_standard"):
            return names.get(value, value)
        if isinstance(value, str) and key == "stream":
            return stream_name_zh(value)
        if isinstance(value, str):
            return VALUES[value][1] if value in VALUES else value
    return value


def summary_rows(summary: dict, lang: str) -> list[tuple[str, object, bool]]:
    """summary.json as (label, value, is money) rows (see the module docstring)."""
    unit = summary.get("money_unit", "")
    names = summary.get("target_names") or {}
    sep = " · " if lang == "zh" else "."
    rows: list[tuple[str, object, bool]] = []

    def walk(label: str, key: str, value, money: bool) -> None:
        money = money or key in MONEY_KEYS
        if isinstance(value, dict):
            for k, v in value.items():
                if lang == "zh" and key == "value_rule" and k in VALUE_RULE_ZH:
                    v = VALUE_RULE_ZH[k]
                walk(f"{label}{sep}{_label(str(k), lang, unit)}", str(k), v, money)
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for i, v in enumerate(value, start=1):
                walk(f"{label} {i}", key, v, money)
        elif isinstance(value, list):
            rows.append((label, ("、" if lang == "zh" else ", ").join(
                str(_value(v, lang, key, names)) for v in value), False))
        else:
            value = _value(value, lang, key, names)
            rows.append((label, value, money and isinstance(value, (int, float))))

    for key, value in summary.items():
        walk(_label(key, lang, unit), key, value, False)
    return rows


def _widths(frame: pd.DataFrame) -> list[int]:
    """Each column's width: its widest cell as shown (header included; money with 4
    decimals), at most MAX_WIDTH."""
    out = []
    for col in frame.columns:
        values = frame[col].dropna()
        if frame[col].dtype.kind == "f":
            values = values.map(lambda x: format(x, ".4f"))
        texts = {str(col), *map(str, values.unique())}
        out.append(min(max(display_width(t) for t in texts) + 2, MAX_WIDTH))
    return out


def write_plan_workbook(plan: Plan, tables, path: Path, lang: str) -> None:
    """plan.xlsx: `tables` (schedule, villages, funds as written in `lang`,
    planner.plan.folder.tables_in) and the summary sheet."""
    from openpyxl.cell.cell import TYPE_STRING

    rows = summary_rows(plan.summary, lang)
    summary = pd.DataFrame([r[:2] for r in rows], columns=list(SUMMARY_HEADERS[lang]),
                           dtype=object)
    money_rows = {i + 2 for i, r in enumerate(rows) if r[2]}
    frames = dict(zip(SHEETS[lang], (*tables, summary)))
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, frame in frames.items():
            neutralise_frame(frame).to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            money = [i + 1 for i, c in enumerate(frame.columns)
                     if frame[c].dtype.kind == "f"]
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = TYPE_STRING
                    elif cell.column in money or (frame is summary and cell.column == 2
                                                  and cell.row in money_rows):
                        cell.number_format = MONEY_FORMAT
            for cell in ws[1]:
                cell.data_type = TYPE_STRING
            ws.freeze_panes = "A2"
            for cell, width in zip(ws[1], _widths(frame)):
                ws.column_dimensions[cell.column_letter].width = width
