"""The Python API (planner/api.py, README "Use from Python"): scenarios from folders and
frames with the files' cell checks, in-memory edits, plans, their statistics, what-ifs.

tiny's numbers are worked out in scenarios/tiny/README.md: the weighted optimum is 12.0;
villages V2 (2018), V1 (2019), V3 and V4 (2020)."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import planner

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return planner.load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny_plan(tiny):
    return planner.plan(tiny, threads=1, time_limit=30)


def test_public_names_and_version():
    assert planner.__version__ == importlib.metadata.version("village-planner")
    assert (Path(planner.__file__).parent / "py.typed").is_file()
    for name in planner.__all__:
        assert getattr(planner, name) is not None
    # the function, not the subpackage planner.plan of the same name
    assert callable(planner.plan) and callable(planner.compare) and callable(planner.sweep)


def test_tables_without_row_numbers(tiny, tiny_plan):
    for frame in (tiny.villages, tiny.gaps, tiny.projects, tiny.funds, tiny_plan.schedule,
                  tiny_plan.villages, tiny_plan.funds):
        assert "_row" not in frame.columns
    assert list(tiny.villages["village_id"]) == ["V1", "V2", "V3", "V4"]
    assert tiny.settings["name"] == "tiny" and tiny.settings["years"] == [2019, 2020]


@pytest.mark.smoke
def test_plan_is_the_planners_and_checks(tiny_plan):
    assert tiny_plan.summary["objective"] == pytest.approx(12.0)
    assert tiny_plan.check() == []


@pytest.mark.smoke
def test_stats_are_the_reports_tables(tiny_plan):
    s = tiny_plan.stats
    batch = s.by_batch().set_index("batch")
    assert batch["due"].to_dict() == {"2018": 1, "2019": 1, "2020": 2}
    county = s.by_county().set_index("county")
    assert county.loc["岢岚县", "villages"] == 3 and county.loc["石楼县", "villages"] == 1
    # money re-added from the plan's own schedule, not from the report's path
    cost = tiny_plan.schedule.groupby("county")["cost"].sum()
    assert county["cost"].to_dict() == pytest.approx(cost.to_dict())
    dept = s.by_department()
    assert dept["works"].sum() == tiny_plan.schedule["project_id"].nunique()
    assert dept["cost"].sum() == pytest.approx(tiny_plan.schedule["cost"].sum())
    money = s.by_stream_year()
    assert money["budget"].sum() == pytest.approx(90 + 50 + 30 + 60 + 60 + 40 + 10 + 20)
    assert money["year"].tolist() == tiny_plan.funds["year"].tolist()


def test_write_and_read_back(tiny_plan, tiny, tmp_path):
    out = tiny_plan.write(tmp_path / "plan")
    again = planner.read_plan(out, scenario=tiny)
    assert again.summary["objective"] == tiny_plan.summary["objective"]
    assert again.check() == []
    pd.testing.assert_frame_equal(again.stats.by_county(), tiny_plan.stats.by_county())


def test_check_finds_a_broken_plan(tiny_plan):
    bad = planner.Plan(tiny_plan.schedule.assign(cost=tiny_plan.schedule["cost"] + 1),
                       tiny_plan.villages, tiny_plan.funds, tiny_plan.summary,
                       scenario=tiny_plan.scenario)
    assert any(v.rule == "cost" for v in bad.check())


@pytest.mark.smoke
def test_from_frames_checks_cells_as_files(tiny):
    projects = tiny.projects.astype(object)
    projects.index = [f"p{i}" for i in range(len(projects))]
    projects.loc["p3", "duration"] = 2.5
    with pytest.raises(planner.InputError) as err:
        planner.Scenario.from_frames(villages=tiny.villages, gaps=tiny.gaps, projects=projects,
                                     funds=tiny.funds, settings={"years": [2019, 2020]})
    assert str(err.value) == ("projects, row p3, column duration: '2.5': is not a whole "
                              "number; duration needs a whole number like 1")
    with pytest.raises(planner.InputError, match=r"settings, column yeras: unknown key "
                       r"'yeras'; did you mean 'years'\?"):
        planner.Scenario.from_frames(villages=tiny.villages, gaps=tiny.gaps,
                                     projects=tiny.projects, funds=tiny.funds,
                                     settings={"yeras": [2019, 2020]})


def test_from_frames_plans_like_the_folder(tiny, tiny_plan):
    made = planner.Scenario.from_frames(villages=tiny.villages, gaps=tiny.gaps,
                                        projects=tiny.projects, funds=tiny.funds,
                                        settings=tiny.settings)
    p = planner.plan(made, threads=1)
    assert p.summary["objective"] == tiny_plan.summary["objective"]
    assert p.check() == []
    pd.testing.assert_frame_equal(p.schedule, tiny_plan.schedule)


@pytest.mark.smoke
def test_in_memory_edit_names_the_cell():
    scn = planner.load_scenario(TINY)
    scn.projects.loc[2, "cost"] = -5.0
    with pytest.raises(planner.InputError) as err:
        planner.plan(scn)
    assert str(err.value) == "projects, row 2, column cost: -5.0: cost must be >= 0"
    scn.projects.loc[2, "cost"] = 60.0
    scn.settings["exit_priority"] = "sometimes"
    with pytest.raises(planner.InputError, match="settings, column exit_priority"):
        planner.plan(scn)


def test_with_overrides(tiny):
    richer = tiny.with_overrides(funds=[{"stream": "poverty_fund", "county": "岢岚县",
                                         "scale": 1.5}])
    amounts = richer.funds.set_index(["stream", "county", "year"])["amount"]
    assert amounts[("poverty_fund", "岢岚县", 2019)] == 15.0  # 10 x 1.5
    assert amounts[("poverty_fund", "石楼县", 2019)] == 30.0  # another county: as it was
    assert "overrides" not in richer.settings
    with pytest.raises(planner.InputError, match=r"settings, column overrides.funds\[1\]."
                       "stream: 'lotery': unknown stream"):
        tiny.with_overrides(funds=[{"stream": "lotery", "scale": 0.5}])


@pytest.mark.smoke
def test_compare_and_needs(tiny, tiny_plan):
    cheaper = planner.plan(tiny.with_overrides(weights={"late_factor": 0.25}), threads=1)
    table, changes = planner.compare([tiny_plan, cheaper], names=["base", "late"])
    assert list(table.columns) == ["metric", "base", "late"]
    assert table.set_index("metric").loc["value", "base"] == pytest.approx(12.0)
    assert isinstance(changes, pd.DataFrame)
    need = planner.needs(tiny, threads=1)
    assert {"stream", "county", "year", "budget", "funding_gap"} <= set(need.columns)
    assert need.attrs["summary"]["money_available"] == pytest.approx(360.0)


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README's 'Use from Python' has no python code block"
    return blocks[0]


@pytest.mark.smoke
def test_readme_example_runs(tmp_path, monkeypatch):
    shutil.copytree(TINY, tmp_path / "scenarios" / "tiny")
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example(), "README.md", "exec"), {"__name__": "readme"})
    assert (tmp_path / "plan-tiny" / "schedule.csv").is_file()


def test_script_without_main_guard_splits_by_county(tmp_path):
    """Dask's worker processes import the main script again: without a guard the
    planner's local cluster runs threads instead (planner.distributed)."""
    script = tmp_path / "noguard.py"
    script.write_text(f"import planner\np = planner.plan({str(TINY)!r}, decompose='county', "
                      "threads=1)\nprint('value', p.summary['objective'])\n", encoding="utf-8")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "value 12.0" in run.stdout
