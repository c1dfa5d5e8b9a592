"""The same input bytes are typed once per process (planner.tablecache): the checker's
second reading of a scenario's files comes from the first, never stale, never shared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner import tablecache, tables
from planner.errors import Problems
from planner.scenario import load_scenario
from planner.verify import verify_plan

ROOT = Path(__file__).resolve().parents[1]

VILLAGES = ("village_id,name,county,township,exit_year,deep_poverty,population,"
            "poor_households,relocated\n"
            "V1,甲村,A县,甲乡,2018,false,100,20,false\n"
            "V2,乙村,A县,甲乡,2019,true,200,30,false\n")


@pytest.fixture(autouse=True)
def _fresh():
    tablecache.clear()
    yield
    tablecache.clear()


@pytest.fixture
def typed(monkeypatch):
    """The files the typing reader (tables._read_path) was run on, in order."""
    seen: list[str] = []
    real = tables._read_path

    def counting(path, table, problems, unit):
        seen.append(Path(path).name)
        return real(path, table, problems, unit)

    monkeypatch.setattr(tables, "_read_path", counting)
    return seen


def read(path: Path):
    problems = Problems()
    return tables.read_path(path, "villages", problems), problems


def test_the_same_bytes_are_typed_once_and_each_reader_gets_its_own_frame(tmp_path, typed):
    f = tmp_path / "villages.csv"
    f.write_text(VILLAGES, encoding="utf-8")
    first, _ = read(f)
    first.loc[0, "population"] = 999  # the first reader's edit
    first.attrs["warnings"].append("mine")
    second, problems = read(f)
    assert typed == ["villages.csv"]  # typed once
    assert not problems.items
    assert second["population"].tolist() == [100, 200]  # as in the file, not 999
    assert second["name"].tolist() == ["甲村", "乙村"]
    assert second.attrs["file"] == "villages.csv" and second.attrs["warnings"] == []


def test_a_file_changed_to_the_same_size_is_read_again(tmp_path, typed):
    f = tmp_path / "villages.csv"
    f.write_text(VILLAGES, encoding="utf-8")
    read(f)
    f.write_text(VILLAGES.replace("100,20", "300,20"), encoding="utf-8")  # same size
    again, _ = read(f)
    assert typed == ["villages.csv", "villages.csv"]
    assert again["population"].tolist() == [300, 200]


def test_a_reading_with_a_problem_is_not_kept_and_says_it_again(tmp_path, typed):
    f = tmp_path / "villages.csv"
    f.write_text(VILLAGES.replace("200,30", "lots,30"), encoding="utf-8")
    for _ in range(2):
        frame, problems = read(f)
        assert frame is None
        assert any("population" in str(p) and "row 3" in str(p) for p in problems.items)
    assert typed == ["villages.csv", "villages.csv"]


def test_the_checker_takes_the_planners_reading_and_still_sees_a_changed_file(
        tmp_path, typed):
    """planner solve then its check: the inputs typed once; a gaps.csv changed after the
    solve is read again by the checker, which then rejects the plan."""
    from planner.pipeline import plan_scenario

    folder = tmp_path / "demo"
    shutil.copytree(ROOT / "scenarios" / "demo-county", folder)
    out = tmp_path / "plan"
    plan_scenario(folder, out, time_limit=20, threads=1, seed=1)
    assert sorted(typed) == sorted(set(typed))  # no file typed twice
    scn = load_scenario(folder)
    assert verify_plan(scn, out) == []
    typed.clear()
    # a gap dropped from gaps.csv behind the loaded scenario's back: the checker reads
    # the changed file (a new digest) and finds the scenario's gaps differ from it
    lines = (folder / "gaps.csv").read_text(encoding="utf-8-sig").splitlines()
    (folder / "gaps.csv").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    problems = verify_plan(scn, out)
    assert "gaps.csv" in typed
    assert any("gaps differ from gaps.csv" in p.message for p in problems)


def test_at_most_keep_readings_are_kept(tmp_path, typed, monkeypatch):
    monkeypatch.setattr(tablecache, "KEEP", 2)
    files = []
    for i in range(3):
        f = tmp_path / f"v{i}" / "villages.csv"
        f.parent.mkdir()
        f.write_text(VILLAGES.replace("甲村", f"甲{i}村"), encoding="utf-8")
        files.append(f)
        read(f)
    read(files[2])
    read(files[1])
    assert len(typed) == 3  # the two most recent kept
    read(files[0])  # the oldest was dropped: typed again
    assert len(typed) == 4
