"""Shared deadlines dropped first (models/relaxed.py, issue 15 part 3).

The split by county with a deadline whose share spans counties: the counties are
solved without it first; when the merged plan meets it province-wide, the plan is the
whole's optimum (value and every batch count) and its bound is the sum of the relaxed
county bounds.  Checked against the brute-force optimum (tests/reference.py, written
from the README alone) on random two-county scenarios with county money only, and on
two cases worked out by hand: one the quotas repair, one they cannot.
"""

from __future__ import annotations

import numpy as np
import pytest

from models.decompose import solve_by_county
from models.evaluate import batch_counts, on_time
from models.relaxed import quota_parts, shared_deadlines
from planner.build import build_instance
from planner.scenario import load_scenario
from reference import Fund, Gap, Project, Scenario, Village, solve, write_folder
from test_lagrange import random_scenario


def instance_of(scn: Scenario, folder):
    write_folder(scn, folder)
    return build_instance(load_scenario(folder))


def reference_plan(scn: Scenario, inst, ref) -> np.ndarray:
    plan = np.full(inst.n_projects, -1)
    for pid, year in ref.starts.items():
        plan[inst.project_ids.index(pid)] = year - scn.years[0]
    return plan


@pytest.mark.parametrize("seed", range(12))
def test_against_the_exact_optimum(seed, tmp_path):
    scn = random_scenario(seed)
    scn.funds = [f for f in scn.funds if f.county]  # county money only: no pooled pool
    ref = solve(scn)
    assert ref.value is not None  # every one of these seeds has a plan (county money only)
    inst = instance_of(scn, tmp_path / "s")
    assert shared_deadlines(inst)
    res = solve_by_county(inst, gap=0, threads=1)
    optimum = float(ref.value)
    shared = res.options["shared_deadlines"]
    assert shared["dropped_first"]
    if not shared["missed"]:
        # the relaxed plan meets the shared deadline: the whole's optimum, proven
        assert res.objective == pytest.approx(optimum, abs=1e-6)
        assert res.bound == pytest.approx(optimum, abs=1e-6)
        assert res.options["bound_source"].startswith("sum of county bounds without")
        if inst.batches:
            mine = batch_counts(inst, on_time(inst, res.start))
            assert mine == batch_counts(inst, on_time(inst, reference_plan(scn, inst, ref)))
            assert res.options["exit_priority"]["proven"]
    else:  # the split with the deadline met county by county: a valid plan and bound
        assert res.objective <= optimum + 1e-6 <= res.bound + 2e-6


def two_counties(money_b: str) -> Scenario:
    """甲县's V1 and 乙县's V2, each lacking a road (the exit standard: road only),
    culture (weight 2) and broadband (weight 1), each work costing 10, in one year
    (2020, both due then); 甲县 has 20, 乙县 `money_b`; broadband must be in half the
    villages (one of the two) by 2020.  Worked out: a road on time is worth 1 + 3 (the
    bonus) = 4.  Without the deadline each county does its road and culture: 6 each;
    the merged plan has no broadband (0 of 1 village)."""
    villages = [Village("V1", "甲县", 2020), Village("V2", "乙县", 2020)]
    gaps, projects = [], []
    for v in villages:
        for target, weight in (("road", None), ("culture", "2"), ("broadband", "1")):
            gaps.append(Gap(v.id, target, weight))
            projects.append(Project(f"{v.id}-{target}", v.id, target, "10"))
    funds = [Fund("OWN", 2020, "20", county="甲县"), Fund("OWN", 2020, money_b, county="乙县")]
    scn = Scenario([2020], villages, gaps, projects, funds, exit_standard=["road"])
    scn.deadlines.append({"target": "broadband", "year": 2020, "scope": "all", "share": 0.5})
    return scn


def test_a_missed_deadline_repaired_by_quota(tmp_path):
    """乙县 has 20 too.  The quota of the one village lacking goes to 乙县 (equal room:
    the first county in the instance's order, 乙 before 甲), which does road and
    broadband (4 + 1 = 5); 甲县 keeps 6.  Value
    11, the optimum (brute force); bound 12, the relaxed counties' sum; both roads on
    time in every plan, so the batch count 2 is proven."""
    scn = two_counties("20")
    inst = instance_of(scn, tmp_path / "s")
    res = solve_by_county(inst, gap=0, threads=1)
    assert float(solve(scn).value) == 11
    assert res.objective == pytest.approx(11)
    assert res.bound == pytest.approx(12)
    assert list(inst.county_names) == ["乙县", "甲县"]
    assert res.options["shared_deadlines"]["repaired_by_quota"] == ["乙县"]
    assert res.options["shared_deadlines"]["missed"] == []
    assert res.status.value == "feasible"  # 甲县's plan is not proven in its relaxation
    stages = res.options["exit_priority"]["stages"]
    assert [(s["on_time"], s["bound"], s["proven"]) for s in stages] == [(2, 2, True)]
    bought = {inst.project_ids[p] for p in np.flatnonzero(res.start >= 0)}
    assert bought == {"V1-road", "V1-culture", "V2-road", "V2-broadband"}


def test_a_quota_that_costs_a_village_goes_to_another_county(tmp_path):
    """乙县 has 10: its quota (the broadband) would take its road's money, one village
    fewer on time, so it is refused and the next round gives the quota to 甲县 (20),
    which does road and broadband (5); 乙县 keeps its road and culture... it has 10:
    its road (4).  Value 9, the optimum (brute force); bound 10 (甲县 6 + 乙县 4, each
    without the deadline); both villages on time, proven."""
    scn = two_counties("10")
    inst = instance_of(scn, tmp_path / "s")
    res = solve_by_county(inst, gap=0, threads=1)
    assert float(solve(scn).value) == 9
    shared = res.options["shared_deadlines"]
    assert (shared["quota_refused"], shared["repaired_by_quota"]) == (["乙县"], ["甲县"])
    assert shared["missed"] == []
    assert res.objective == pytest.approx(9)
    assert res.bound == pytest.approx(10)
    assert res.options["exit_priority"]["proven"]


def test_quotas_no_county_can_take_still_beat_the_split_by_county(tmp_path):
    """Both counties have 10, and 丙县's V3 (10) lacks only a road: it has broadband, so
    two of the three villages need it (ceil 1.5) and one more is lacking.  A broadband
    costs 甲县 or 乙县 its road, so both quotas are refused, and nothing is proven.  The
    split with the deadline met county by county keeps 丙县's relaxed plan (it meets
    its own half already: not solved again) and makes 甲县 and 乙县 each do their own
    broadband: 1 + 1 + 4 (V3's road) = 6, one village on time.  The first round's
    quota taken anyway (乙县, first in order: its broadband, 1; 甲县 its road, 4; V3's
    road, 4) is 9 with two on time, the optimum (brute force): that plan is taken, and
    the checker passes it."""
    from planner.plan import make_plan, write_plan
    from planner.verify import verify_plan

    scn = two_counties("10")
    scn.funds[0].amount = "10"
    scn.villages.append(Village("V3", "丙县", 2020))
    scn.gaps.append(Gap("V3", "road"))
    scn.projects.append(Project("V3-road", "V3", "road", "10"))
    scn.funds.append(Fund("OWN", 2020, "10", county="丙县"))
    inst = instance_of(scn, tmp_path / "s")
    res = solve_by_county(inst, gap=0, threads=1)
    assert float(solve(scn).value) == 9
    shared = res.options["shared_deadlines"]
    assert shared["repaired_by_quota"] == [] and shared["missed"]
    assert sorted(shared["quota_refused"]) == ["乙县", "甲县"]
    assert shared["counties_kept"] == 1
    assert shared["plan"] == "quotas of the first round, villages on time lost"
    assert res.objective == pytest.approx(9)
    assert batch_counts(inst, on_time(inst, res.start)) == [2]
    assert res.bound >= 9 - 1e-6
    assert not res.options["exit_priority"]["proven"]
    scn_read = load_scenario(tmp_path / "s")
    write_plan(make_plan(scn_read, inst, res), tmp_path / "plan")
    assert verify_plan(scn_read, tmp_path / "plan") == []


def test_quotas_follow_the_villages_lacking(tmp_path):
    """Four villages in 甲县, two in 乙县, none with broadband; 90 % must have it: 6
    required (ceil 5.4), the plan of no works meets none: 甲县 gets 4 of the 6, 乙县 2
    (their villages lacking, 4 : 2)."""
    villages = [Village(f"A{i}", "甲县", 2020) for i in range(4)] + [
        Village(f"B{i}", "乙县", 2020) for i in range(2)]
    gaps = [Gap(v.id, "broadband") for v in villages]
    projects = [Project(f"{v.id}-bb", v.id, "broadband", "1") for v in villages]
    funds = [Fund("OWN", 2020, "10", county=c) for c in ("甲县", "乙县")]
    scn = Scenario([2020], villages, gaps, projects, funds, exit_priority="weighted")
    scn.deadlines.append({"target": "broadband", "year": 2020, "scope": "all", "share": 0.9})
    inst = instance_of(scn, tmp_path / "s")
    fixes = quota_parts(inst, np.full(inst.n_projects, -1))
    names = list(inst.county_names)
    got = {names[c]: [d.required() for d in part.instance.deadlines if d.villages.size]
           for c, part in fixes.items()}
    assert got == {"甲县": [4], "乙县": [2]}
