"""Scenarios made in memory (the Python API, `planner.api`): tables as DataFrames and
settings as the keys of scenario.yaml, written out as a scenario folder and read back
by `load_scenario`, so that a table given in code meets every check a file meets, in
the same words (there is one set of rules: `planner.tables`, `planner.scenario`).

The only difference is where a problem is: `frame_error` names the table (`villages`,
`gaps`, `projects`, `funds`, or `settings` for scenario.yaml's keys), the row by the
frame's index label, and the column, instead of the file and its spreadsheet row.

`settings_of` is the other way: a loaded scenario's settings as one mapping with its
`base` chain and `overrides` settled (the tables already hold the fund changes and the
exclusions), so that tables + settings are the whole scenario.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError, Problem, Problems
from ..filecells import ROW_OFFSET
from ..schema import FILES
from .yamlfile import YAML, read_yaml

#: the name problems of scenario.yaml get in the API
SETTINGS = "settings"


def cell_text(value) -> str:
    """A DataFrame cell as the text a CSV file would hold: blank for None/NaN, true/false,
    a float in its shortest exact form, lists `;`-separated."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if math.isnan(value) else repr(float(value))
    if isinstance(value, (tuple, list, np.ndarray)):
        return ";".join(cell_text(v) for v in value)
    return str(value)


def plain(value, key: str):
    """Settings as YAML can hold them: tuples as lists, numpy scalars as numbers."""
    if isinstance(value, Mapping):
        return {str(k): plain(v, f"{key}.{k}" if key else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v, f"{key}[{i}]") for i, v in enumerate(value, start=1)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise InputError(Problem(SETTINGS, f"a {type(value).__name__} cannot be a setting; give "
                             "a number, text, true/false, a list or a mapping", column=key,
                             value=str(value)))


def write_scenario(folder: Path, tables: Mapping[str, pd.DataFrame], settings: Mapping) -> Path:
    """The tables (villages, gaps, projects, funds) and settings as a scenario folder:
    scenario.yaml and four UTF-8 CSV files, every cell as text (`cell_text`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not isinstance(settings, Mapping):
        raise InputError(Problem(SETTINGS, "must be a mapping of scenario.yaml's keys "
                                 "(name, years, deadlines, ...)", value=str(settings)))
    if "base" in settings:
        raise InputError(Problem(SETTINGS, "a scenario made from tables has no base; load the "
                                 "base with load_scenario and use with_overrides",
                                 column="base", value=settings["base"]))
    text = yaml.safe_dump(plain(dict(settings), ""), allow_unicode=True, sort_keys=False)
    (folder / YAML).write_text(text, encoding="utf-8")
    for name in FILES:
        frame = tables[name]
        if not isinstance(frame, pd.DataFrame):
            raise InputError(Problem(name, f"must be a pandas DataFrame, not "
                                     f"{type(frame).__name__}"))
        columns = [c for c in frame.columns if c != "_row"]
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow([str(c) for c in columns])
            for row in frame[columns].itertuples(index=False, name=None):
                out.writerow([cell_text(v) for v in row])
    return folder


def frame_error(exc: InputError, tables: Mapping[str, pd.DataFrame]) -> InputError:
    """The problems of a folder written by `write_scenario`, named by table, the frame's
    index label and column (scenario.yaml's as `settings` with the key)."""
    files = {f"{name}.csv": name for name in FILES}
    out = []
    for p in exc.problems:
        if p.file in files:
            name = files[p.file]
            index = tables[name].index
            row = p.row
            if row is not None and ROW_OFFSET <= row < ROW_OFFSET + len(index):
                label = index[row - ROW_OFFSET]
                row = label.item() if isinstance(label, np.generic) else label
            elif row is not None and row < ROW_OFFSET:
                row = None  # the header: the column names it
            out.append(dataclasses.replace(p, file=name, row=row))
        elif p.file == YAML or p.file.endswith(YAML):
            out.append(dataclasses.replace(p, file=SETTINGS, row=None))
        else:
            out.append(p)
    return InputError(out)


def settings_of(scn) -> dict:
    """The settings of a loaded scenario as one mapping: scenario.yaml with its `base`
    chain merged, `overrides.deadlines`/`weights` settled as the loader settles them,
    the locks of every source (top level, overrides, locked.csv) as `lock`, and the name;
    the fund changes and exclusions are in the tables already, so `overrides` is gone."""
    from . import merge_overrides

    config, _, _ = read_yaml(Path(scn.folder), Problems())
    config = {k: v for k, v in config.items() if not k.startswith("_") and k != "base"}
    merge_overrides(config, Problems())
    config.pop("overrides", None)
    config.pop("lock", None)
    config["name"] = scn.name
    if scn.lock_in or scn.lock_out:
        config["lock"] = {"in": sorted(scn.lock_in), "out": sorted(scn.lock_out)}
    return config
