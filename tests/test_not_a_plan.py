"""A folder given where a plan is expected (`planner report`, `sheets`, `check`) that is no
plan folder at all gets one line saying what was found and what is expected (issue 16),
not "not a whole plan folder ... run planner solve again"; no solve is needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
EXPECTED = ("expected a plan folder (schedule.csv, villages.csv, funds.csv, summary.json: "
            "the --out of planner solve)")


def one_line(*args) -> str:
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code == 1, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.output
    return lines[0]


@pytest.fixture
def folders(tmp_path):
    (tmp_path / "empty").mkdir()
    tables = tmp_path / "tables"  # a scenario's tables without scenario.yaml
    tables.mkdir()
    for name in ("villages.csv", "gaps.csv", "projects.csv", "funds.csv"):
        shutil.copy(TINY / name, tables / name)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x", encoding="utf-8")
    for plan in ("plan-1", "plan-2"):  # as alternatives writes them
        (tmp_path / "alts" / plan).mkdir(parents=True)
        (tmp_path / "alts" / plan / "summary.json").write_text("{}", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("command", ["report", "sheets", "check"])
def test_not_a_plan_folder_in_one_line(folders, command):
    def told(folder):
        args = ["check", TINY, folder] if command == "check" else [command, folder]
        return one_line(*args)

    d = folders
    assert told(d / "empty") == f"error: {d / 'empty'} is empty; {EXPECTED}"
    assert told(d / "tables") == (
        f"error: {d / 'tables'} holds a scenario's tables (villages.csv, gaps.csv, "
        f"projects.csv, funds.csv) without scenario.yaml, not a plan; {EXPECTED}: run planner "
        f"solve {d / 'tables'} --out DIR first and give DIR")
    assert told(d / "other") == (f"error: {d / 'other'} is not a plan folder: it holds "
                                 f"notes.txt, none of a plan's files; {EXPECTED}")
    assert told(d / "alts") == (f"error: {d / 'alts'} is not a plan folder but holds plan "
                                "folders (plan-1, plan-2); give one of them")


def test_check_says_what_its_scenario_is(folders):
    scenario = "a scenario folder (scenario.yaml, villages.csv, gaps.csv, projects.csv, funds.csv)"
    plan = folders / "alts" / "plan-1"
    assert one_line("check", folders / "empty", plan) == (
        f"error: {folders / 'empty'} is empty; expected {scenario}")
    assert one_line("check", plan, TINY) == (
        f"error: {plan} is a plan folder (summary.json), not a scenario; expected {scenario}: "
        "planner check SCENARIO PLAN_DIR takes the scenario first")
