"""Fairness between counties and money reserved for deep-poverty villages.

Defaults: gap weight 1, 3 per village on time.  Horizon 2019-2020, money in 2019 only.
"""

from __future__ import annotations

import pytest

from planner.pipeline import plan_scenario
from planner.scenario import load_scenario
from planner.verify import verify_plan

VIL = ["A1,甲村,X县,2020,false", "A2,乙村,X县,2020,false", "B1,丙村,Y县,2020,false"]
GAPS = ["A1,water,2", "A2,water,2", "B1,water,"]
PROJ = ["P1,A1,water,10", "P2,A2,water,10", "P3,B1,water,10"]
FUNDS = ["s,2019,20,false,*", "s,2020,0,false,*"]


def _scenario(make_scenario, config):
    f = make_scenario(villages=VIL, gaps=[g.rsplit(",", 1)[0] for g in GAPS], projects=PROJ,
                      funds=FUNDS, config=config)
    (f / "gaps.csv").write_text("village_id,target,weight\n" + "\n".join(GAPS) + "\n",
                                encoding="utf-8")
    return f


def test_without_fairness_x_takes_all(make_scenario, tmp_path):
    # 20 buys two works: A1 + A2 (2 + 3 each) = 10 beats A1 + B1 = 5 + 4 = 9.
    out = plan_scenario(_scenario(make_scenario, {}), tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(10.0)
    rates = out.plan.summary["fairness"]["county_on_time_rate"]
    assert rates == {"X县": 1.0, "Y县": 0.0}


def test_max_spread(make_scenario, tmp_path):
    # Rates within 0.5 of each other: A1 + B1 (X 0.5, Y 1.0): 9.
    f = _scenario(make_scenario, {"fairness": {"max_spread": 0.5}})
    out = plan_scenario(f, tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(9.0)
    assert set(out.plan.schedule["project_id"]) in ({"P1", "P3"}, {"P2", "P3"})
    assert out.plan.summary["fairness"]["rate_spread"] == pytest.approx(0.5)


def test_maximin_worst_county_first(make_scenario, tmp_path):
    # The worst county can reach 0.5 at best (A1 + B1); then the most value: 9.
    f = _scenario(make_scenario, {"fairness": {"maximin": True}})
    out = plan_scenario(f, tmp_path / "p", gap=0)
    assert out.result.options["maximin_rate"] == pytest.approx(0.5)
    assert out.result.objective == pytest.approx(9.0)
    assert out.plan.summary["fairness"]["worst_county_rate"] == pytest.approx(0.5)


def test_checker_rejects_an_unfair_plan(make_scenario, tmp_path):
    plan_scenario(_scenario(make_scenario, {}), tmp_path / "p", gap=0)
    strict = load_scenario(_scenario(make_scenario, {"fairness": {"max_spread": 0.5}}))
    rules = {v.rule for v in verify_plan(strict, tmp_path / "p")}
    assert "fairness" in rules


def test_reserved_share_for_deep_poverty(make_scenario, tmp_path):
    # 15 of money; N (not deep, weight 2) would win 5 against D's 4.  Half of the stream
    # is reserved for deep-poverty villages: N may use only 7.5 < 10, so D is done: 4.
    vil = ["D,深村,X县,2020,true", "N,浅村,X县,2020,false"]
    cfg = {"reserve": [{"stream": "s", "share": 0.5}]}
    f = make_scenario(villages=vil, gaps=["D,water", "N,water"],
                      projects=["P1,D,water,10", "P2,N,water,10"],
                      funds=["s,2019,15,false,*", "s,2020,0,false,*"], config=cfg)
    (f / "gaps.csv").write_text("village_id,target,weight\nD,water,\nN,water,2\n",
                                encoding="utf-8")
    out = plan_scenario(f, tmp_path / "p", gap=0)
    assert out.result.objective == pytest.approx(4.0)
    assert set(out.plan.schedule["project_id"]) == {"P1"}
    res = out.plan.summary["fairness"]["reserve"][0]
    assert res["reserved"] == pytest.approx(7.5)
    assert res["spent_in_deep_poverty_villages"] == pytest.approx(10.0)
    funds = out.plan.funds
    assert len(funds) == 2  # the reserved part is reported with its stream, not apart
    # the same plan breaks the reservation if N's work is swapped in by hand
    free = make_scenario(villages=vil, gaps=["D,water", "N,water"],
                         projects=["P1,D,water,10", "P2,N,water,10"],
                         funds=["s,2019,15,false,*", "s,2020,0,false,*"])
    (free / "gaps.csv").write_text("village_id,target,weight\nD,water,\nN,water,2\n",
                                   encoding="utf-8")
    plan_scenario(free, tmp_path / "q", gap=0)  # picks N
    rules = {v.rule for v in verify_plan(load_scenario(f), tmp_path / "q")}
    assert "reserve" in rules
