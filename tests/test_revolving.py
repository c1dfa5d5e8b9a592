"""Revolving funds (扶贫周转金): money spent comes back after some years and serves again.

Horizon 2019-2021.  Stream F has 10 in 2019 only and does not carry over.  Villages A
and B (exit 2021) each need water: P1 (10) and P2; default value: 1 per gap + 3 per
village on time.
"""

from __future__ import annotations

import pytest

from planner.pipeline import plan_scenario
from planner.scenario import load_scenario
from planner.verify import verify_plan

VIL = ["A,甲村,X县,2021,false", "B,乙村,X县,2021,false"]
FH = "stream,year,amount,carry_over,targets,returns_after,return_share"


def _scn(make_scenario, p2_cost, returns_after="", share=""):
    funds = [f"F,2019,10,false,*,{returns_after},{share}",
             f"F,2020,0,false,*,{returns_after},{share}",
             f"F,2021,0,false,*,{returns_after},{share}"]
    return make_scenario(villages=VIL, gaps=["A,water", "B,water"],
                         projects=["P1,A,water,10", f"P2,B,water,{p2_cost}"],
                         fund_header=FH, funds=funds,
                         config={"years": [2019, 2020, 2021]})


def test_without_returns_one_work(make_scenario, tmp_path, backend):
    out = plan_scenario(_scn(make_scenario, 10), tmp_path / "p", gap=0, backend=backend)
    assert out.result.objective == pytest.approx(4.0)  # one village: 1 + 3


def test_money_comes_back_two_years_later(make_scenario, tmp_path, backend):
    # P1 (or P2) in 2019 lends the 10; it comes back in 2021 and pays the other: 8.
    f = _scn(make_scenario, 10, returns_after=2)
    out = plan_scenario(f, tmp_path / "p", gap=0, backend=backend)
    assert out.result.objective == pytest.approx(8.0)
    years = sorted(out.plan.schedule["start_year"])
    assert years == [2019, 2021]
    funds = out.plan.funds.set_index("year")
    assert funds.loc[2021, "returned"] == pytest.approx(10.0)
    assert funds.loc[2021, "spent"] == pytest.approx(10.0)
    assert verify_plan(load_scenario(f), tmp_path / "p") == []


@pytest.mark.parametrize("p2_cost, value", [("5", 8.0), ("5.0001", 4.0)])
def test_half_comes_back_to_the_yuan(make_scenario, tmp_path, p2_cost, value):
    # Half of the 10 comes back: 5.0000 pays a work of 5 but not one of 5.0001.
    f = _scn(make_scenario, p2_cost, returns_after=2, share=0.5)
    out = plan_scenario(f, tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(value)


def test_checker_recomputes_the_returns(make_scenario, tmp_path):
    # The plan that relies on the returned money breaks the budget of a scenario
    # where nothing comes back.
    f = _scn(make_scenario, 10, returns_after=2)
    plan_scenario(f, tmp_path / "p", gap=0)
    rules = {v.rule for v in verify_plan(load_scenario(_scn(make_scenario, 10)), tmp_path / "p")}
    assert "budget" in rules
