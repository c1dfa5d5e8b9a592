"""schedule.csv's work totals (issue 16): `work_cost` and `work_pooled_cost` on every row
of a work, after the stream columns, so that the year's `cost` of a work of several
years is not taken for the work's cost; the checker recomputes both from the inputs.

Worked by hand on tiny with P02 (road of V1, 2 years, profile 0.6;0.4) costing
120.0003 万元 with self_share 0.25, locked in:
  1,200,003 yuan split 0.6/0.4: 720,001.8 and 480,001.2 -> floors 720,001 + 480,001,
  the one yuan left to the larger remainder (0.8): 720,002 (2019) and 480,001 (2020);
  pooled per year round(0.75 x cost): 540,001.5 -> 540,002 (half to even) and
  360,000.75 -> 360,001; so work_cost 120.0003 and work_pooled_cost 90.0003 on both
  rows (not 0.75 x 120.0003 = 90.000225: the pooled part is rounded year by year).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from planner.pipeline import plan_scenario
from planner.scenario import load_scenario
from planner.tables import read_output_csv
from planner.verify import verify_plan

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    base = tmp_path_factory.mktemp("work")
    scn = base / "tiny"
    shutil.copytree(TINY, scn)
    p = pd.read_csv(scn / "projects.csv", dtype=str, keep_default_na=False,
                    encoding="utf-8-sig")
    p.loc[p["project_id"] == "P02", ["cost", "self_share"]] = ["120.0003", "0.25"]
    p.to_csv(scn / "projects.csv", index=False, encoding="utf-8-sig")
    yaml = scn / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "lock: {in: [P02]}\n", encoding="utf-8")
    out = base / "plan"
    plan_scenario(scn, out, threads=1, seed=1)
    return scn, out


def test_work_totals_by_hand(solved):
    _, out = solved
    s = read_output_csv(out / "schedule.csv")
    assert list(s.columns[-2:]) == ["work_cost", "work_pooled_cost"]
    rows = s[s["project_id"] == "P02"].set_index("year")
    assert rows["cost"].to_dict() == {"2019": "72.0002", "2020": "48.0001"}
    assert rows["pooled_cost"].to_dict() == {"2019": "54.0002", "2020": "36.0001"}
    assert set(rows["work_cost"]) == {"120.0003"}
    assert set(rows["work_pooled_cost"]) == {"90.0003"}
    one = s[s["project_id"] == "P05"]  # 1 year, self_share 0.5 of 40
    assert one[["cost", "work_cost", "pooled_cost", "work_pooled_cost"]].values.tolist() == [
        ["40.0000", "40.0000", "20.0000", "20.0000"]]


def _corrupt(out: Path, tmp: Path, column: str, value: str) -> Path:
    d = tmp / "plan"
    shutil.copytree(out, d)
    s = read_output_csv(d / "schedule.csv")
    s.loc[(s["project_id"] == "P02") & (s["year"] == "2019"), column] = value
    s.to_csv(d / "schedule.csv", index=False, encoding="utf-8-sig")
    return d


def test_the_checker_rejects_the_years_cost_as_the_works(solved, tmp_path):
    """The mistake of the issue: the year's cost (72.0002) in place of the work's."""
    scn, out = solved
    found = verify_plan(load_scenario(scn), _corrupt(out, tmp_path, "work_cost", "72.0002"))
    assert [v.rule for v in found] == ["cost"], found
    assert "work_cost 72.0002" in found[0].message and "120.0003" in found[0].message


def test_the_checker_rejects_a_pooled_total_off_by_one_yuan(solved, tmp_path):
    scn, out = solved
    found = verify_plan(load_scenario(scn),
                        _corrupt(out, tmp_path, "work_pooled_cost", "90.0002"))
    assert {v.rule for v in found} == {"cost"}, found
    assert any("add up to 90.0003" in v.message for v in found)
