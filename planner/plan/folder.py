"""The plan folder in one place: its file names, writing its tables, the one reader
every command uses, and the check that a folder is a whole plan.

Written (into the staging folder of planner.outdir.output_folder): `schedule.csv`,
`villages.csv`, `funds.csv` (UTF-8 with BOM, money as text with 4 decimals, text
cells neutralised against formulas: planner.cells), `summary.json`, and with
`--format xlsx` `plan.xlsx` (planner.plan.workbook); the tables in English or, with
`--lang zh`, in Chinese (planner.plan.lang).

Read (`read_plan`, by compare, explain, replan --previous, report and sheets): the
CSVs in UTF-8 (with or without BOM) or GB18030/GBK, as Excel and WPS re-save them,
written in English or Chinese (`--lang zh`: read back in English, planner.plan.lang);
ids and names kept as text (`004` stays `004`); the formula neutralisation undone;
year and count columns as whole numbers, money as numbers, yes/no columns as bools.
`planner check` (planner/check/files.py) shares the file reader underneath,
`planner.tables.read_output_csv`, and types the cells itself.

Not a plan at all (`not_a_plan`: an empty folder, a scenario folder with or without
scenario.yaml, a folder another command wrote): one sentence saying what was found and
what is expected.  Whole (`check_plan_folder`): the four files are there and readable,
each CSV has its key columns, `summary.json` is a JSON object with the keys the commands read, and -
for a folder with the planner's marker (planner.outdir) - every file is the one the
planner wrote (its SHA-256 as listed, or the same text re-saved in another encoding)
and the folder is not half replaced by an interrupted run.  A folder written before
markers existed is checked for shape only (villages.csv has the villages
summary.json counts).  Made from the scenario: every input file of the given
scenario is, by content, among the inputs listed in `summary.json` (`inputs`,
path -> SHA-256).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..filecells import decode_csv
from ..outdir import MARKER, OutputFolderError, read_marker
from ..tables import parse_bool, read_output_csv, table_paths, write_csv
from .lang import table_zh, to_english
from .money import money_text

if TYPE_CHECKING:
    from . import Plan

SCHEDULE, VILLAGES, FUNDS, SUMMARY = "schedule.csv", "villages.csv", "funds.csv", "summary.json"
WORKBOOK = "plan.xlsx"
#: the files every plan folder has
PLAN_FILES = (SCHEDULE, VILLAGES, FUNDS, SUMMARY)
KEY_COLUMNS = {
    SCHEDULE: ("year", "village_id", "project_id", "target", "start_year", "cost"),
    VILLAGES: ("village_id", "county", "exit_year", "on_time"),
    FUNDS: ("stream", "year", "county", "budget", "spent"),
}
SUMMARY_KEYS = ("scenario", "status", "objective", "gaps_closed", "villages",
                "villages_on_time", "villages_due", "total_cost", "pooled_cost", "inputs")
#: read back as text: ids, names, lists, and the villages' cells that may be blank
TEXT_COLUMNS = {"county", "township", "village_id", "village_name", "target", "target_name",
                "project_id", "department", "stream", "open_targets", "late_targets",
                "on_time", "completion_year"}
INT_COLUMNS = {"year", "exit_year", "start_year", "finish_year", "gaps", "gaps_closed",
               "exit_gaps"}
BOOL_COLUMNS = {"deep_poverty", "relocated"}
#: tables whose other columns are money (schedule: a column per fund stream)
MONEY_TABLES = (SCHEDULE, FUNDS)


class PlanFolderError(OutputFolderError):
    """A plan folder that is not whole, or not of the scenario given: one sentence."""


@dataclass
class PlanTables:
    """A plan folder as read back."""
    schedule: pd.DataFrame
    villages: pd.DataFrame
    funds: pd.DataFrame
    summary: dict


# ---------------------------------------------------------------- writing

def write_plan(plan: Plan, folder: Path, lang: str = "en") -> None:
    """The four files of `plan` into `folder` (the caller's staging folder), the tables
    in `lang` (planner.plan.lang); summary.json (English keys) records the lang."""
    folder.mkdir(parents=True, exist_ok=True)
    plan.summary["lang"] = lang
    schedule, villages, funds = tables_in(plan, lang)
    write_csv(money_text(schedule), folder / SCHEDULE)
    write_csv(villages, folder / VILLAGES)
    write_csv(money_text(funds), folder / FUNDS)
    (folder / SUMMARY).write_text(
        json.dumps(plan.summary, ensure_ascii=False, indent=2, default=json_default) + "\n",
        encoding="utf-8")


def tables_in(plan: Plan, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The schedule, villages and funds tables as written in `lang` (money as numbers)."""
    if lang == "en":
        return plan.schedule, plan.villages, plan.funds
    streams = list(plan.summary.get("spent_by_stream", {}))
    names = plan.summary.get("target_names", {})
    return (table_zh(plan.schedule, streams, names),
            table_zh(plan.villages, streams, names, why_zh=plan.why_zh or None),
            table_zh(plan.funds, streams, names))


def write_workbook(plan: Plan, path: Path, lang: str = "en") -> None:
    """The plan as one workbook (planner.plan.workbook): a sheet per table and the
    summary, in `lang`."""
    from .workbook import write_plan_workbook

    write_plan_workbook(plan, tables_in(plan, lang), path, lang)


def json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")


# ---------------------------------------------------------------- reading

def read_plan(folder: Path) -> PlanTables:
    """The plan in `folder`: its three tables, typed (see the module's docstring), and
    summary.json.  A missing or unreadable file or a malformed cell is one
    PlanFolderError naming it."""
    folder = Path(folder)
    _refuse_not_a_plan(folder)
    summary = read_summary(folder)
    names = summary.get("target_names") if isinstance(summary.get("target_names"), dict) \
        else None
    tables = [_typed(read_plan_csv(folder / n, names), folder / n)
              for n in (SCHEDULE, VILLAGES, FUNDS)]
    return PlanTables(*tables, summary)


def read_plan_csv(path: Path, target_names: dict | None = None) -> pd.DataFrame:
    """One plan CSV as text cells (UTF-8/BOM or GB18030, neutralisation undone), in
    English whatever language it was written in (planner.plan.lang.to_english;
    `target_names`: summary.json's, for the targets a scenario adds)."""
    try:
        return to_english(read_output_csv(path), target_names)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise PlanFolderError(f"{path} cannot be read ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:80] if str(exc) else 'empty'}); "
                              "run planner solve again") from None


def _typed(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    for col in frame.columns:
        if col in ("on_time", "on_time_possible"):
            # True/False (Excel re-saves TRUE/FALSE; 是/否 in Chinese), blank if relocated
            frame[col] = frame[col].map(lambda v: {True: "True", False: "False"}
                                        .get(parse_bool(v), v))
        if col in TEXT_COLUMNS:
            continue
        text = frame[col].astype(str).str.strip()
        if col in BOOL_COLUMNS:
            values = text.map(parse_bool)
            bad = values.isna()
        elif col in INT_COLUMNS:
            values = pd.to_numeric(text, errors="coerce")
            bad = values.isna() | (values != values.round())
        elif path.name in MONEY_TABLES:
            values = pd.to_numeric(text, errors="coerce")
            bad = values.isna() & (text != "")  # a blank money cell: no number (NaN)
        else:
            continue  # a column of villages.csv the planner does not write: kept as text
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            what = ("a yes/no value" if col in BOOL_COLUMNS else
                    "a whole number" if col in INT_COLUMNS else "a number")
            raise PlanFolderError(f"{path} row {i + 2}, column {col}: {frame[col].iloc[i]!r} "
                                  f"is not {what}; run planner solve again")
        frame[col] = values.astype(bool if col in BOOL_COLUMNS else
                                   np.int64 if col in INT_COLUMNS else float)
    return frame


def read_summary(folder: Path) -> dict:
    """summary.json of a plan folder, with the keys the commands read."""
    path = Path(folder) / SUMMARY
    try:
        summary = json.loads(decode_csv(path.read_bytes()))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PlanFolderError(f"{path} is damaged ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:80]}); run planner solve again") \
            from None
    if not isinstance(summary, dict):
        raise PlanFolderError(f"{path} is damaged (not a JSON object); run planner solve again")
    lacking = [k for k in SUMMARY_KEYS if k not in summary]
    if lacking:
        raise PlanFolderError(f"{path} is damaged: it has no {', '.join(lacking)}; run planner "
                              "solve again")
    if not isinstance(summary["inputs"], dict):
        raise PlanFolderError(f"{path} is damaged: `inputs` is not a mapping; run planner "
                              "solve again")
    return summary


# ---------------------------------------------------------------- whole

def check_plan_folder(folder: Path, scenario=None) -> dict:
    """Refuse a folder that is not a whole plan (or not made from `scenario`, a folder
    or a loaded Scenario); return its summary.json."""
    folder = Path(folder)
    _refuse_not_a_plan(folder)
    marker = read_marker(folder)
    if marker is not None:
        _check_marker(folder, marker)
    summary = read_summary(folder)
    for name, columns in KEY_COLUMNS.items():
        frame = read_plan_csv(folder / name)
        lacking = [c for c in columns if c not in frame.columns]
        if lacking:
            raise PlanFolderError(f"{folder / name} is damaged: it has no column "
                                  f"{', '.join(lacking)}; run planner solve again")
        if name == VILLAGES and marker is None and isinstance(summary["villages"], int) \
                and len(frame) != summary["villages"]:
            raise PlanFolderError(f"{folder / name} is damaged: it lists {len(frame)} "
                                  f"villages, summary.json {summary['villages']}; run "
                                  "planner solve again")
    if scenario is not None:
        check_made_from(folder, summary, scenario)
    return summary


def _refuse_not_a_plan(folder: Path) -> None:
    """One PlanFolderError unless `folder` holds every file of a plan (not_a_plan says
    what it is instead; a plan with files missing: which, and to solve again)."""
    problem = not_a_plan(folder)
    if problem:
        raise PlanFolderError(problem)
    missing = [n for n in PLAN_FILES if not (folder / n).is_file()]
    if missing:
        raise PlanFolderError(f"{folder} is not a whole plan folder: {', '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} missing; run planner "
                              "solve again")


# ---------------------------------------------------------------- what a folder is

#: a scenario's tables (.csv or .xlsx) besides scenario.yaml
SCENARIO_TABLES = ("villages", "gaps", "projects", "funds")
#: what a command that reads a plan expects
EXPECTED_PLAN = (f"a plan folder ({', '.join(PLAN_FILES)}: the --out of planner solve)")


def _few(names: list[str], most: int = 4) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most
                                      else "")


def not_a_plan(folder: Path) -> str | None:
    """One sentence when `folder`, given where a plan is expected (report, sheets, check,
    compare, explain), is no plan folder at all: what was found there and what is
    expected; None when it is a plan folder, whole or with files missing (those are told
    by check_plan_folder: a damaged plan, to be solved again)."""
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} is not a folder; expected {EXPECTED_PLAN}"
    solve_first = f"run planner solve {folder} --out DIR first and give DIR"
    if (folder / SUMMARY).exists() or (folder / SCHEDULE).exists():
        return None
    if (folder / "scenario.yaml").is_file():
        return f"{folder} is a scenario folder, not a plan folder; run planner solve first"
    entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                     key=lambda p: p.name)
    tables = [path.name for t in SCENARIO_TABLES for path in table_paths(folder, t)]
    if any(not n.startswith(("villages.", "funds.")) for n in tables):
        return (f"{folder} holds a scenario's tables ({_few(tables)}) without scenario.yaml, "
                f"not a plan; expected {EXPECTED_PLAN}: {solve_first}")
    if any((folder / n).is_file() for n in PLAN_FILES):
        return None
    if not entries:
        return f"{folder} is empty; expected {EXPECTED_PLAN}"
    plans = [p.name for p in entries if p.is_dir() and (p / SUMMARY).is_file()]
    if plans:
        return (f"{folder} is not a plan folder but holds plan folders ({_few(plans)}); give "
                "one of them")
    marker = read_marker(folder)
    written = f", written by {marker['command']}" if marker and marker.get("command") else ""
    found = _few([p.name + ("/" if p.is_dir() else "") for p in entries])
    return (f"{folder} is not a plan folder: it holds {found}{written}, none of a plan's "
            f"files; expected {EXPECTED_PLAN}")


def not_a_scenario(folder: Path) -> str | None:
    """One sentence when `folder`, given where a scenario is expected (planner check's
    SCENARIO), is empty or a plan folder; None otherwise (the scenario's reader tells
    what is missing from a scenario)."""
    folder = Path(folder)
    expected = ("a scenario folder (scenario.yaml, "
                + ", ".join(f"{t}.csv" for t in SCENARIO_TABLES) + ")")
    if not folder.is_dir():
        return f"{folder} is not a folder; expected {expected}"
    if (folder / SUMMARY).is_file() and not (folder / "scenario.yaml").exists():
        return (f"{folder} is a plan folder (summary.json), not a scenario; expected "
                f"{expected}: planner check SCENARIO PLAN_DIR takes the scenario first")
    if not any(not p.name.startswith(".") for p in folder.iterdir()):
        return f"{folder} is empty; expected {expected}"
    return None


def _same_file(data: bytes, digest: str) -> bool:
    """The bytes the planner wrote, or (a CSV) the same text in another encoding, as
    Excel and WPS re-save it (GBK, without the BOM)."""
    if hashlib.sha256(data).hexdigest() == digest:
        return True
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        return False
    return hashlib.sha256(text.encode("utf-8-sig")).hexdigest() == digest


def _check_marker(folder: Path, marker: dict) -> None:
    if marker.get("state") != "whole":
        raise PlanFolderError(f"{folder} was left half replaced by an interrupted run; run "
                              "the command that wrote it again")
    listed = marker.get("files", {})
    for name in PLAN_FILES:
        if name not in listed:
            continue
        data = (folder / name).read_bytes()
        if not (_same_file(data, listed[name]) if name.endswith(".csv") else
                hashlib.sha256(data).hexdigest() == listed[name]):
            raise PlanFolderError(f"{folder / name} is not the file the planner wrote (edited "
                                  f"or damaged since, see {MARKER}); run planner solve "
                                  "again, or planner check SCENARIO PLAN_DIR for an edited plan")


def check_made_from(folder: Path, summary: dict, scenario) -> None:
    """Every input file of `scenario` is, by content, one the plan was made from."""
    from ..scenario import Scenario, load_scenario

    scn = scenario if isinstance(scenario, Scenario) else load_scenario(Path(scenario))
    made_from = set(summary.get("inputs", {}).values())
    changed = [str(p) for p, digest in scn.input_hashes().items() if digest not in made_from]
    if changed:
        raise PlanFolderError(f"the plan in {folder} was not made from these inputs: "
                              f"{', '.join(changed[:3])}{' …' if len(changed) > 3 else ''} "
                              "differ; solve the scenario again or give the one the plan was "
                              "made from")
