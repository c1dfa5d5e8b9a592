"""Cumulative gaps (quantity + contributes), with and without partial credit.

Village A (exit 2020) must raise its collective income by 5 (万元 a year; weight 2; not
in the exit standard, so A is on time anyway: +3).  Works: P1 a PV station (+3, cost 30),
P2 a cooperative (+2, cost 10), P3 tourism (+4, cost 35).  Money in 2019 only.
"""

from __future__ import annotations

import pytest

from planner.pipeline import plan_scenario

P_HDR = "project_id,village_id,target,cost,contributes"
PROJ = ["P1,A,collective_economy,30,3", "P2,A,collective_economy,10,2",
        "P3,A,collective_economy,35,4"]


def _scn(make_scenario, money, config=None, extra_gaps=(), extra_proj=()):
    f = make_scenario(villages=["A,甲村,X县,2020,false"], gaps=["A,collective_economy"],
                      projects=PROJ + list(extra_proj), project_header=P_HDR,
                      funds=[f"s,2019,{money},false,*", "s,2020,0,false,*"], config=config)
    rows = ["A,collective_economy,2,5"] + list(extra_gaps)
    (f / "gaps.csv").write_text("village_id,target,weight,quantity\n" + "\n".join(rows) + "\n",
                                encoding="utf-8")
    return f


def test_gap_closes_when_contributions_reach_the_quantity(make_scenario, tmp_path, backend):
    # 45: P1 + P2 (3 + 2 = 5, cost 40) or P2 + P3 (6, cost 45) close it: 2 + 3 = 5;
    # the tie-break takes the cheaper P1 + P2.  P1 + P3 (65) is too dear.
    out = plan_scenario(_scn(make_scenario, 45), tmp_path / "p", gap=0, backend=backend)
    assert out.result.objective == pytest.approx(5.0)
    assert set(out.plan.schedule["project_id"]) == {"P1", "P2"}
    assert out.plan.summary["gaps_closed"] == 1


def test_no_partial_credit_by_default(make_scenario, tmp_path):
    # 35 buys no pair that reaches 5: the gap stays open, value 3 (A on time anyway).
    out = plan_scenario(_scn(make_scenario, 35), tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(3.0)
    assert out.plan.summary["gaps_closed"] == 0


def test_partial_credit_is_pro_rata(make_scenario, tmp_path):
    # With partial credit the most progress within 35 is P3 (4 of 5): 2 * 0.8 + 3 = 4.6.
    out = plan_scenario(_scn(make_scenario, 35, {"partial_credit": True}), tmp_path / "p",
                        gap=0)
    assert out.result.objective == pytest.approx(4.6)
    assert set(out.plan.schedule["project_id"]) == {"P3"}


def test_cumulative_exit_gap_counts_for_on_time(make_scenario, tmp_path):
    # Water for 120 households: W1 (80 households, 40) + W2 (60, 30) are both needed.
    # 115 in 2019: water (1) + A on time (3) + income via P1 + P2 (2, cost 40; 115 - 70 =
    # 45 >= 40): 6.
    out = plan_scenario(_scn(make_scenario, 115, extra_gaps=["A,water,,120"],
                             extra_proj=["W1,A,water,40,80", "W2,A,water,30,60"]),
                        tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(6.0)
    assert {"W1", "W2"} <= set(out.plan.schedule["project_id"])
    assert bool(out.plan.villages["on_time"].iloc[0])
