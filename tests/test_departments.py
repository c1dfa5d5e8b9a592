"""One department, one name (issue 16): planner.departments maps the names a project
library gives a department (交通运输局, 交通部门 ...) to one, the policy annex's, and a
scenario extends or renames it with `departments:` in scenario.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import departments
from planner.cli import main
from planner.schema import TARGETS
from planner.tables import read_output_csv

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output, res.output
    return res


def test_the_table_gives_one_name_per_department():
    t = departments.names()
    assert t["交通运输局"] == t["交通部门"] == "交通部门"
    assert t["住建局"] == t["住建部门"] == "住建部门"
    assert t["国网供电公司"] == t["晋能集团"] == "国网山西省电力公司/晋能集团"
    assert t["扶贫办"] == "扶贫部门"
    assert departments.canonical("县档案局", t) == "县档案局"  # unknown: as given
    # every canonical name is an annex department, or one of a joint entry's
    # (民政部门/人社部门; 文化、民政、商务、供销部门 -> 文化部门 ...)
    annex = {t.department for t in TARGETS.values()}
    parts = set()
    for joint in annex:
        for part in joint.split("/"):
            parts |= {x if x.endswith("部门") else x + "部门"
                      for x in part.removesuffix("部门").split("、")}
    assert set(departments.ALIASES) <= annex | parts


def test_a_scenario_extends_renames_and_splits():
    t = departments.names({"县交通局": "交通部门",  # one more name
                           "住建部门": "住建局",  # the county's name for the department
                           "晋能集团": "晋能集团"})  # a department of its own
    assert t["县交通局"] == t["交通运输局"] == "交通部门"
    assert t["住建部门"] == t["住建局"] == t["住房和城乡建设局"] == "住建局"
    assert t["晋能集团"] == "晋能集团"
    assert t["国网供电公司"] == "国网山西省电力公司/晋能集团"
    # naming a department by one of its other names renames the whole of it
    t = departments.names({"县交通局": "交通运输局"})
    assert t["交通部门"] == t["交通局"] == t["县交通局"] == "交通运输局"


@pytest.mark.parametrize("raw, key, said", [
    (["a"], "departments", "must map names to departments"),
    ({"县交通局": 3}, "departments.县交通局", "must be a name"),
    ({"县交通局": ""}, "departments.县交通局", "must be a name"),
    ({"县交通局": "交通部门", "交通部门": "住建部门"}, "departments.县交通局",
     "map '县交通局' to '住建部门' directly"),
    ({"a": "交通运输局", "b": "交通局"}, "departments.b", "two names of one department"),
])
def test_a_bad_entry_is_named(raw, key, said):
    found = departments.problems_of(raw)
    assert len(found) == 1 and found[0][0] == key and said in found[0][2], found


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    """tiny with departments: its road works (交通部门 by default) go to 县交通运输局,
    P03's 扶贫办 stays a department of its own."""
    base = tmp_path_factory.mktemp("dept")
    scn = base / "tiny"
    shutil.copytree(TINY, scn)
    yaml = scn / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8")
                    + "departments: {交通部门: 县交通运输局, 扶贫办: 扶贫办}\n", encoding="utf-8")
    assert run("solve", TINY, "--out", base / "plain", "--threads", 1).exit_code == 0
    res = run("solve", scn, "--out", base / "plan", "--threads", 1)
    assert res.exit_code == 0, res.output
    return scn, base


def test_every_output_sees_the_one_name(renamed):
    scn, base = renamed
    plain = read_output_csv(base / "plain" / "schedule.csv").set_index(["project_id", "year"])
    s = read_output_csv(base / "plan" / "schedule.csv").set_index(["project_id", "year"])
    dept = s.groupby(level=0)["department"].first().to_dict()
    # tiny: P03 says 扶贫办, P06 水利局, the others the annex's default
    assert plain.groupby(level=0)["department"].first()["P03"] == "扶贫部门"
    assert dept["P02"] == dept["P08"] == "县交通运输局"
    assert dept["P03"] == "扶贫办"
    assert dept["P05"] == "水利部门"
    assert run("check", scn, base / "plan").exit_code == 0  # the checker: the same names
    assert run("report", base / "plan").exit_code == 0
    html = (base / "plan" / "report.html").read_text(encoding="utf-8")
    assert "县交通运输局" in html and "交通部门" not in html


def test_a_bad_entry_in_scenario_yaml_is_one_message(tmp_path):
    scn = tmp_path / "tiny"
    shutil.copytree(TINY, scn)
    yaml = scn / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "departments: {县交通局: 交通部门, "
                    "交通部门: 住建部门}\n", encoding="utf-8")
    res = run("validate", scn)
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "scenario.yaml" in lines[0] and "departments.县交通局" in lines[0]
    assert "map '县交通局' to '住建部门' directly" in lines[0]
