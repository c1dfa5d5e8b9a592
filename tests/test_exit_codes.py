"""Exit code 3, a bug: a plan that fails the independent check is reported and never
written; an unexpected exception is one line (the traceback only with --debug).

A defect is planted in the plan on its way to the writer (the tables make_plan
hands over are corrupted after the solve); `planner solve` must exit 3, name the
broken rule, and leave the output folder as it was: absent when there was none,
byte for byte the earlier plan when there was one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import planner.pipeline as pipeline
from planner.cli import main
from planner.cli_common import INTERNAL_ERROR

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def _more_money(plan):
    """One schedule row draws 1 万元 more from a stream than the work costs that year."""
    s = plan.schedule
    row = s.index[s["special_bonds"] > 0][0]
    s.loc[row, "special_bonds"] += 1.0
    # the row no longer adds up to its pooled cost, and the stream's budget breaks
    return ("streams", "budget"), s.loc[row, "project_id"]


def _start_moved(plan):
    """One work's rows claim a start year a year earlier than its spending shows."""
    s = plan.schedule
    pid = s["project_id"].iloc[0]
    s.loc[s["project_id"] == pid, "start_year"] -= 1
    # the start leaves the window (and the horizon) and no longer matches the finish
    return ("start", "finish"), pid


def _plant(monkeypatch, corrupt):
    real = pipeline.make_plan
    planted = {}

    def make_plan(*args, **kwargs):
        plan = real(*args, **kwargs)
        planted["marks"] = corrupt(plan)
        return plan
    monkeypatch.setattr(pipeline, "make_plan", make_plan)
    return planted


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("corrupt", [_more_money, _start_moved])
def test_a_plan_failing_the_check_exits_3_and_writes_nothing(tmp_path, monkeypatch, corrupt):
    out = tmp_path / "plan"
    planted = _plant(monkeypatch, corrupt)
    res = CliRunner().invoke(main, ["solve", str(TINY), "--out", str(out)])
    assert planted, "the defect was not planted: make_plan was not called"
    assert res.exit_code == 3, res.output
    assert "failed the independent check" in res.output
    rules, project = planted["marks"]
    named = re.findall(r"\[(\w+)\] (.*)", res.output)  # "[rule] message" lines
    assert {r for r, _ in named} & set(rules), res.output  # the broken rule, by name
    assert any(project in msg for r, msg in named if r in rules), res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no stray temporary folder


def test_a_plan_failing_the_check_leaves_the_earlier_plan_whole(tmp_path, monkeypatch):
    out = tmp_path / "plan"
    runner = CliRunner()
    first = runner.invoke(main, ["solve", str(TINY), "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = _snapshot(out)
    planted = _plant(monkeypatch, _more_money)
    res = runner.invoke(main, ["solve", str(TINY), "--out", str(out)])
    assert planted
    assert res.exit_code == 3, res.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# ------------------------------------------------------------ exit 3: an unexpected exception

def _planted_bug(*args, **kwargs):
    raise ZeroDivisionError("planted for the test")


@pytest.mark.parametrize("command", ["validate", "solvers"])
def test_an_unexpected_exception_is_one_line_and_exit_3(monkeypatch, command):
    # validate goes through `friendly`, solvers does not: the group catches both
    import models.solve
    import planner.build

    monkeypatch.setattr(planner.build, "build_instance", _planted_bug)
    monkeypatch.setattr(models.solve, "available", _planted_bug)
    args = ["validate", str(TINY)] if command == "validate" else ["solvers"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 3, res.output
    assert res.exit_code == INTERNAL_ERROR == pipeline.VerificationError.exit_code
    assert "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: internal error, a bug in the planner")
    assert "ZeroDivisionError: planted for the test" in lines[0]
    assert "planner --debug" in lines[0]  # how to get the traceback


def test_debug_shows_the_traceback_of_an_unexpected_exception(monkeypatch):
    import planner.build

    monkeypatch.setattr(planner.build, "build_instance", _planted_bug)
    res = CliRunner().invoke(main, ["--debug", "validate", str(TINY)])
    assert res.exit_code == 3, res.output
    assert "Traceback (most recent call last)" in res.stderr
    assert "in _planted_bug" in res.stderr  # the frame that raised
    assert res.stderr.strip().splitlines()[-1].startswith("error: internal error")


def test_bad_input_stays_exit_1_and_a_usage_error_exit_2(tmp_path):
    res = CliRunner().invoke(main, ["report", str(TINY)])  # a scenario, not a plan
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.strip().splitlines() == [
        f"error: {TINY} is a scenario folder, not a plan folder; run planner solve first"]
    res = CliRunner().invoke(main, ["solve", str(TINY), "--gap", "2"])
    assert res.exit_code == 2 and "Traceback" not in res.output
