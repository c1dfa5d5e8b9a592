"""Leverage (贷款贴息, PPP): a stream's money unlocks outside money for the same work.

Horizon 2019-2020, money in 2019 only.  A (exit 2020) needs water P1 and road P2; B
(exit 2020) needs water P3; every work costs 50.  Value: 1 per gap, 3 per village on
time.  Stream L: leverage 4 (each 1 of L on a work unlocks up to 4 of loans for it).
"""

from __future__ import annotations

import pandas as pd
import pytest

from planner.pipeline import plan_scenario
from planner.scenario import load_scenario
from planner.verify import verify_plan

VIL = ["A,甲村,X县,2020,false", "B,乙村,X县,2020,false"]
FH = "stream,year,amount,carry_over,targets,leverage,outside_limit"


def _scn(make_scenario, amount, leverage="4", limit=""):
    return make_scenario(villages=VIL, gaps=["A,water", "A,road", "B,water"],
                         projects=["P1,A,water,50", "P2,A,road,50", "P3,B,water,50"],
                         fund_header=FH,
                         funds=[f"L,2019,{amount},false,*,{leverage},{limit}",
                                f"L,2020,0,false,*,{leverage},"])


def test_without_leverage_nothing_is_affordable(make_scenario, tmp_path):
    out = plan_scenario(_scn(make_scenario, 10, leverage=""), tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(0.0)


def test_ten_of_subsidy_unlocks_forty_of_loans(make_scenario, tmp_path, backend):
    # 10 + 40 = 50 pays one work: B's water completes B: 1 + 3 = 4.
    f = _scn(make_scenario, 10)
    out = plan_scenario(f, tmp_path / "p", gap=0, backend=backend)
    assert out.result.objective == pytest.approx(4.0)
    row = out.plan.schedule.set_index("project_id").loc["P3"]
    assert (row["L"], row["outside_L"], row["pooled_cost"]) == (10.0, 40.0, 50.0)
    assert out.plan.summary["outside_money"] == {"L": 40.0}
    assert verify_plan(load_scenario(f), tmp_path / "p") == []


@pytest.mark.parametrize("limit, value", [("", 5.0), ("60", 4.0)])
def test_outside_limit_binds(make_scenario, tmp_path, limit, value):
    # 25 of L could unlock 100: two works (A complete: 2 + 3, or B + A's water: 4 + 1) = 5.
    # With at most 60 of loans: 25 + 60 = 85 pays one work only: B, 4.
    f = _scn(make_scenario, 25, limit=limit)
    out = plan_scenario(f, tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(value)
    assert out.plan.funds.set_index("year").loc[2019, "outside"] <= (
        float(limit) if limit else 100.0)
    # the ratio holds for each work and year (issue 12, item 2): no work takes 0.0001
    # of L and 49.9999 of loans; each of the two works has at least 10 of L
    sched = out.plan.schedule
    paid = sched[sched["pooled_cost"] > 0]
    assert (paid["outside_L"] <= 4 * paid["L"] + 1e-9).all(), paid
    assert verify_plan(load_scenario(f), tmp_path / "p") == []


def test_checker_rejects_too_much_outside_money(make_scenario, tmp_path):
    f = _scn(make_scenario, 10)
    plan_scenario(f, tmp_path / "p", gap=0)
    path = tmp_path / "p" / "schedule.csv"
    sched = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    sched.loc[0, "L"], sched.loc[0, "outside_L"] = "5.0000", "45.0000"
    sched.to_csv(path, index=False, encoding="utf-8-sig")
    rules = {v.rule for v in verify_plan(load_scenario(f), tmp_path / "p")}
    assert "leverage" in rules


def test_a_stream_cannot_revolve_and_lever(make_scenario):
    f = make_scenario(villages=VIL, gaps=["A,water"], projects=["P1,A,water,50"],
                      fund_header="stream,year,amount,leverage,returns_after",
                      funds=["L,2019,10,4,1", "L,2020,0,4,1"])
    from planner.errors import InputError
    with pytest.raises(InputError, match="either revolving or levering"):
        load_scenario(f)


@pytest.mark.parametrize("presolve", [True, False])
def test_carried_money_does_not_carry_the_outside_limit(make_scenario, tmp_path, backend,
                                                        presolve, monkeypatch):
    # Issue 12, item 1: L carries over, but its outside limit is per year (40 in 2019,
    # 0 in 2020).  Only a 2019 start gets 10 of L + 40 of loans = 50 for P3, worth 1 + 3
    # (B on time) = 4; a 2020 start gets 10 carried + 0 loans and cannot be paid.  The
    # later start does not dominate the earlier one, so presolve must keep 2019.
    if not presolve:
        import numpy as np

        import models.formulation.variables as formulation
        monkeypatch.setattr(formulation, "dominated_starts",
                            lambda inst, proj, start: np.zeros(len(proj), dtype=bool))
    f = make_scenario(villages=VIL[1:], gaps=["B,water"], projects=["P3,B,water,50"],
                      fund_header=FH, funds=["L,2019,10,true,*,4,40", "L,2020,0,true,*,4,0"])
    out = plan_scenario(f, tmp_path / "p", gap=0, backend=backend)
    assert out.result.objective == pytest.approx(4.0)
    row = out.plan.schedule.set_index("project_id").loc["P3"]
    assert (row["start_year"], row["L"], row["outside_L"]) == (2019, 10.0, 40.0)
    assert verify_plan(load_scenario(f), tmp_path / "p") == []
