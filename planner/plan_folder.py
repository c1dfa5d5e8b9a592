"""Is a plan folder whole, and was it made from this scenario?  Checked by `report`,
`sheets`, `compare` and `explain` before they use a plan folder.

Whole: the four files (`schedule.csv`, `villages.csv`, `funds.csv`,
`summary.json`) are there and readable, each CSV has its key columns,
`summary.json` is a JSON object with the keys the commands read, and - for a
folder with the planner's marker (planner.outdir) - every file is the one the
planner wrote (its SHA-256 as listed) and the folder is not half replaced by an
interrupted run.  A folder written before markers existed is checked for shape
only (villages.csv has the villages summary.json counts).  Made from the
scenario: every input file of the given scenario is, by content, among the
inputs listed in `summary.json` (`inputs`, path -> SHA-256).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from .outdir import MARKER, OutputFolderError, read_marker

PLAN_FILES = ("schedule.csv", "villages.csv", "funds.csv", "summary.json")
KEY_COLUMNS = {
    "schedule.csv": ("year", "village_id", "project_id", "target", "start_year", "cost"),
    "villages.csv": ("village_id", "county", "exit_year", "on_time"),
    "funds.csv": ("stream", "year", "county", "budget", "spent"),
}
SUMMARY_KEYS = ("scenario", "status", "objective", "gaps_closed", "villages",
                "villages_on_time", "villages_due", "total_cost", "pooled_cost", "inputs")


class PlanFolderError(OutputFolderError):
    """A plan folder that is not whole, or not of the scenario given: one sentence."""


def check_plan_folder(folder: Path, scenario=None) -> dict:
    """Refuse a folder that is not a whole plan (or not made from `scenario`, a folder
    or a loaded Scenario); return its summary.json."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PlanFolderError(f"{folder} is not a folder; give a plan folder written by "
                              "planner solve")
    if (folder / "scenario.yaml").is_file() and not (folder / "summary.json").exists():
        raise PlanFolderError(f"{folder} is a scenario folder, not a plan folder; run "
                              "planner solve first")
    missing = [n for n in PLAN_FILES if not (folder / n).is_file()]
    if missing:
        raise PlanFolderError(f"{folder} is not a whole plan folder: {', '.join(missing)} "
                              f"{'is' if len(missing) == 1 else 'are'} missing; run planner "
                              "solve again")
    marker = read_marker(folder)
    if marker is not None:
        _check_marker(folder, marker)
    summary = _summary(folder)
    for name, columns in KEY_COLUMNS.items():
        frame = _csv(folder / name)
        lacking = [c for c in columns if c not in frame.columns]
        if lacking:
            raise PlanFolderError(f"{folder / name} is damaged: it has no column "
                                  f"{', '.join(lacking)}; run planner solve again")
        if name == "villages.csv" and marker is None and isinstance(summary["villages"], int) \
                and len(frame) != summary["villages"]:
            raise PlanFolderError(f"{folder / name} is damaged: it lists {len(frame)} "
                                  f"villages, summary.json {summary['villages']}; run "
                                  "planner solve again")
    if scenario is not None:
        check_made_from(folder, summary, scenario)
    return summary


def _check_marker(folder: Path, marker: dict) -> None:
    if marker.get("state") != "whole":
        raise PlanFolderError(f"{folder} was left half replaced by an interrupted run; run "
                              "the command that wrote it again")
    listed = marker.get("files", {})
    for name in PLAN_FILES:
        if name not in listed:
            continue
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if digest != listed[name]:
            raise PlanFolderError(f"{folder / name} is not the file the planner wrote (edited "
                                  f"or damaged since, see {MARKER}); run planner solve "
                                  "again, or planner check SCENARIO PLAN_DIR for an edited plan")


def _summary(folder: Path) -> dict:
    path = folder / "summary.json"
    try:
        summary = json.loads(path.read_text(encoding="utf-8-sig"))
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


def _csv(path: Path) -> pd.DataFrame:
    from .tables import read_output_csv

    try:
        return read_output_csv(path)
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise PlanFolderError(f"{path} cannot be read ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:80] if str(exc) else 'empty'}); "
                              "run planner solve again") from None


def check_made_from(folder: Path, summary: dict, scenario) -> None:
    """Every input file of `scenario` is, by content, one the plan was made from."""
    from .scenario import Scenario, load_scenario

    scn = scenario if isinstance(scenario, Scenario) else load_scenario(Path(scenario))
    made_from = set(summary.get("inputs", {}).values())
    changed = [str(p) for p, digest in scn.input_hashes().items() if digest not in made_from]
    if changed:
        raise PlanFolderError(f"the plan in {folder} was not made from these inputs: "
                              f"{', '.join(changed[:3])}{' …' if len(changed) > 3 else ''} "
                              "differ; solve the scenario again or give the one the plan was "
                              "made from")
